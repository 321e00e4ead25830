//! Why a record could not be mapped between the POS and the canonical model.
//!
//! Every variant has a machine-readable [`MappingError::code`] (stored with the sync log) and a
//! `Display` sentence a merchant can act on (shown as the "Error!" advice of the sync screen,
//! product reference 004 lines 53-55). A mapping error is a *skip reason*: the record is not
//! synced until the data or the settings change. [`MappingError::is_retryable`] says when the
//! sync engine may fix the cause itself (create the missing brand, sync the product first) and
//! try again.

use posbridge_domain::model::{Quantity, ValueError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The POS requires a field the record lacks (customers: first and last name).
    #[error("{entity} {record} was not synced: the POS requires a {field}. Add the {field} and sync again.")]
    MissingRequiredField { entity: &'static str, field: &'static str, record: String },

    /// Composite products never sync to a web store (their components do).
    #[error(
        "Product {name:?} is a composite product and composite products are not synced; its component \
         products sync on their own."
    )]
    CompositeNotSynced { name: String },

    /// The product's eCommerce sales channel is not ticked on the POS.
    #[error(
        "Product {name:?} was not synced because its eCommerce sales channel is not ticked in the POS. \
         Tick eCommerce on the product to sync it."
    )]
    NotOnEcommerceChannel { name: String },

    /// A fractional quantity cannot go to a web store, which counts whole units only.
    #[error(
        "{what} has a fractional quantity ({quantity}) and the web store only counts whole units; it was \
         not rounded. Sell this product in whole units, or update the web store by hand ({floor} whole units \
         are available)."
    )]
    FractionalQuantity { what: String, quantity: Quantity, floor: i64 },

    /// A name (brand, product type, customer group, payment type, outlet...) has no counterpart on
    /// the POS.
    #[error(
        "There is no {kind} {name:?} in the POS. Create it in the POS, or map it in the integration settings, then sync again."
    )]
    UnknownReference { kind: &'static str, name: String },

    /// A sale line names a product that is not synced to the POS yet.
    #[error(
        "The order was not synced because {line:?} is not linked to a POS product. Sync the product first; \
         every product and the customer of an order must already be synced."
    )]
    ProductNotSynced { line: String },

    /// The Product Sync Reference says not to sync products without a SKU (nor their orders).
    #[error(
        "{what} has no SKU and the integration is set to not sync products without SKUs (nor their orders). \
         Add a SKU or change the Product Sync Reference."
    )]
    SkuMissing { what: String },

    /// A value from the POS or the web store is malformed.
    #[error("{field} is not valid ({source}); correct it where it was entered and sync again.")]
    InvalidValue {
        field: String,
        #[source]
        source: ValueError,
    },

    /// An identifier is not a POS id (POS ids are integers; a variant line is `product:variant`).
    #[error("{field} {value:?} is not a POS identifier; relink the record and sync again.")]
    InvalidId { field: &'static str, value: String },

    /// An exchange (returned and sold items in one sale) cannot sync as an order.
    #[error(
        "Sale {number} is an exchange; exchanges are not synced as orders, only their stock changes \
         update the web store."
    )]
    ExchangeNotSynced { number: String },

    /// A refund the POS cannot record (it keeps refunds as returned items).
    #[error(
        "Refund {refund} names no items; the POS records refunds as returned items, so record it in the POS by hand."
    )]
    RefundWithoutItems { refund: String },

    /// Stock from the web store may not be written to the POS under these settings.
    #[error("The web store's stock count was not sent to the POS: {reason}. Count stock in the POS instead.")]
    StockReadOnly { reason: &'static str },

    /// No POS tax rule matches the tax of a line.
    #[error(
        "No POS tax rule matches the {rate_percent} % tax of {line:?}. Create the same tax rules in both \
         platforms and map them."
    )]
    TaxRuleNotFound { line: String, rate_percent: String },

    /// A setting the mapping needs is not chosen.
    #[error("The integration setting {setting:?} is not chosen; complete the integration settings.")]
    MissingSetting { setting: &'static str },
}

impl MappingError {
    /// A stable code for logs and the sync-status API.
    pub fn code(&self) -> &'static str {
        match self {
            MappingError::MissingRequiredField { .. } => "missing_required_field",
            MappingError::CompositeNotSynced { .. } => "composite_not_synced",
            MappingError::NotOnEcommerceChannel { .. } => "not_on_ecommerce_channel",
            MappingError::FractionalQuantity { .. } => "fractional_quantity",
            MappingError::UnknownReference { .. } => "unknown_reference",
            MappingError::ProductNotSynced { .. } => "product_not_synced",
            MappingError::SkuMissing { .. } => "sku_missing",
            MappingError::InvalidValue { .. } => "invalid_value",
            MappingError::InvalidId { .. } => "invalid_id",
            MappingError::ExchangeNotSynced { .. } => "exchange_not_synced",
            MappingError::RefundWithoutItems { .. } => "refund_without_items",
            MappingError::StockReadOnly { .. } => "stock_read_only",
            MappingError::TaxRuleNotFound { .. } => "tax_rule_not_found",
            MappingError::MissingSetting { .. } => "missing_setting",
        }
    }

    /// Whether the sync engine can remove the cause on its own and map again: a brand, product
    /// type or customer group it can create, or a product it can sync first. Everything else
    /// waits for the merchant (data or settings).
    pub fn is_retryable(&self) -> bool {
        match self {
            MappingError::ProductNotSynced { .. } => true,
            MappingError::UnknownReference { kind, .. } => {
                matches!(*kind, "brand" | "product type" | "customer group")
            }
            _ => false,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, source: ValueError) -> Self {
        MappingError::InvalidValue { field: field.into(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_messages_tell_what_to_do() {
        let all = [
            MappingError::MissingRequiredField { entity: "Customer", field: "last name", record: "a@b.c".into() },
            MappingError::CompositeNotSynced { name: "Gift box".into() },
            MappingError::NotOnEcommerceChannel { name: "Mug".into() },
            MappingError::FractionalQuantity {
                what: "Cheese".into(),
                quantity: Quantity::parse("2.5").unwrap(),
                floor: 2,
            },
            MappingError::UnknownReference { kind: "brand", name: "Acme".into() },
            MappingError::ProductNotSynced { line: "Mug".into() },
            MappingError::SkuMissing { what: "Mug".into() },
            MappingError::invalid("price", ValueError::Empty { what: "amount" }),
            MappingError::InvalidId { field: "product id", value: "x".into() },
            MappingError::ExchangeNotSynced { number: "INV-1".into() },
            MappingError::RefundWithoutItems { refund: "r1".into() },
            MappingError::StockReadOnly { reason: "combined outlets" },
            MappingError::TaxRuleNotFound { line: "Mug".into(), rate_percent: "15".into() },
            MappingError::MissingSetting { setting: "register for payments" },
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(MappingError::code).collect();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            let msg = e.to_string();
            assert!(msg.ends_with('.') || msg.ends_with(')'), "{msg}");
        }
        assert!(all[0].to_string().contains("requires a last name"));
        assert!(all[3].to_string().contains("not rounded"));
    }

    #[test]
    fn only_engine_fixable_causes_are_retryable() {
        assert!(MappingError::UnknownReference { kind: "brand", name: "A".into() }.is_retryable());
        assert!(!MappingError::UnknownReference { kind: "payment type", name: "A".into() }.is_retryable());
        assert!(MappingError::ProductNotSynced { line: "x".into() }.is_retryable());
        assert!(!MappingError::CompositeNotSynced { name: "x".into() }.is_retryable());
    }

    #[test]
    fn invalid_value_keeps_its_source() {
        use std::error::Error;
        let e = MappingError::invalid("price", ValueError::Empty { what: "amount" });
        assert!(e.source().is_some());
    }
}
