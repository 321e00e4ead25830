//! WooCommerce connector: pure mapping between the `wc/v3` REST representations and posbridge's
//! canonical model (products and variations, customers, orders, refunds, statuses), with the
//! errors a merchant sees when a record cannot sync (`mapping`, pure), and the HTTP client that
//! sends and fetches those bodies (`client`, over `posbridge-connector-core`).
//!
//! `README.md` beside this crate links every product-doc rule to the test that shows it.

pub mod client;
pub mod errors;
pub mod mapping;

pub use client::{Client, ClientConfig};
pub use errors::{Mapped, MappingError, MappingWarning};
pub use mapping::{
    LinkedItem, PaymentStatus, PosStatus, TermIds, WcProductWrite, WeightUnit, WooContext, WriteMode, auto_sku,
    customer_from_wc, customer_to_wc, is_historical, order_from_wc, order_to_wc, product_from_wc, product_to_wc,
    refund_to_wc, refunded_sales, status_from_wc, status_to_wc,
};
