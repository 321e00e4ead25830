//! The POS connector: mapping between a Hike-style POS's JSON and posbridge's canonical model
//! and [`client`], the HTTP client over the POS API (OAuth2 refresh on 401, paging, settled
//! creates).
//!
//! [`mapping`] holds pure functions only: no I/O, no clock. Each takes the record and a
//! [`PosContext`] (the merchant's options, the POS-side integration settings, and the POS's
//! reference lists) and answers the other side's shape or a [`MappingError`] whose message is
//! the skip reason a merchant sees. The README's checklist links every rule of the product docs
//! to the test that shows it.

pub mod client;
pub mod errors;
pub mod mapping;

pub use client::{Client, ClientConfig, TokenSink, Tokens};
pub use errors::MappingError;
pub use mapping::wire;
pub use mapping::{
    PosCatalogue, PosContext, PosSaleKind, PosSettings, ProductRead, auto_sku, brand_from_pos, brand_to_pos,
    category_from_pos, category_to_pos, check_syncable_to_web, check_whole_quantities, classify_sale,
    customer_from_pos, customer_group_from_pos, customer_group_to_pos, customer_to_pos, exchange_items,
    external_reference, inventory_from_pos_event, is_syncable_to_web, outlet_from_pos, payment_type_for,
    payment_type_from_pos, platform_facing_status, platform_tax_for, pos_status, pos_tax_for, product_from_pos,
    product_to_pos, refund_from_pos, refunds_to_pos, register_from_pos, sale_from_pos, sale_status_to_pos, sale_to_pos,
    status_from_pos, stock_to_pos, tax_rule_from_pos, web_store_stock, whole_units,
};
