//! The Ecwid connector: pure mapping between Ecwid's REST v3 JSON and posbridge's canonical model
//! (products and variations, categories, customers and groups, orders, payments, refunds, stock,
//! taxes), following the product docs' rules for the Ecwid integration, and the HTTP [`client`]
//! that reads and writes those bodies over Ecwid's REST v3 API.
//!
//! Start with [`mapping`]; `README.md` beside this crate links every product-doc rule to the test
//! that shows it. Errors are [`MappingError`]s with a code, a message and advice for the merchant.

pub mod client;
mod errors;
pub mod mapping;

pub use client::{Client, ClientConfig, Created};
pub use errors::MappingError;
pub use mapping::customer::{
    customer_from_ecwid, customer_group_from_ecwid, customer_group_to_ecwid, customer_to_ecwid,
};
pub use mapping::order::{
    OrderParty, StockDelta, order_to_ecwid, refund_sales_from_ecwid, sale_from_ecwid, shipping_line,
    status_update_to_ecwid, stock_delta_for_line, stock_deltas_from_order,
};
pub use mapping::product::{
    CombinationWrite, ProductWrite, category_from_ecwid, category_to_ecwid, duplicate_barcodes, product_from_ecwid,
    product_to_ecwid, stock_to_ecwid,
};
pub use mapping::status::{FulfillmentStatus, PaymentStatus, ecwid_status_for, sale_status_from_ecwid};
pub use mapping::{CONNECTOR, CategoryLink, EcwidContext, InventorySource, PAYMENT_LABEL, WeightUnit, WriteKind};
pub use posbridge_connector_core::ConnectorError;
