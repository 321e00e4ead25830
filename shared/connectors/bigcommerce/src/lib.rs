//! The BigCommerce connector: pure mapping between BigCommerce's JSON (catalog v3, customers v3,
//! customer groups v2, orders v2, refunds v3) and posbridge's canonical model, and the errors a
//! mapping can end in; and the HTTP client ([`client`]), the only part that does I/O.
//!
//! `README.md` beside this crate lists every product-doc rule with the test that shows it.

// Test fixtures hold whole BigCommerce documents in `json!`, which recurses deeply.
#![recursion_limit = "256"]

pub mod client;
pub mod errors;
pub mod mapping;

pub use client::{Client, ClientConfig, InventoryItem, ItemRef, Settled};
pub use errors::{Mapped, MappingError, MappingWarning};
pub use mapping::{
    BcOptions, BcProduct, CategoryPreference, DimensionUnit, Lookups, OrderLinks, ShippingDetails, WeightUnit, Write,
    customer_from_bc, customer_group_from_bc, customer_group_to_bc, customer_to_bc, order_from_bc, order_status_body,
    order_to_bc, product_from_bc, product_to_bc, refund_as_sale, refund_from_bc, refund_to_bc, status_from_bc,
    status_to_bc, variant_to_bc,
};
