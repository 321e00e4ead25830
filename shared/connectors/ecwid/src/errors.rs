//! Why a record could not be mapped between Ecwid and the canonical model.
//!
//! Every variant has a stable machine-readable [`MappingError::code`], a message (its `Display`)
//! that names the record, and [`MappingError::advice`]: the sentence shown in the "Error!" field of
//! the sync screen (product doc 004, lines 53-55), which tells the merchant what to change.
//! [`MappingError::is_retryable`] says whether the same input can succeed later without the
//! merchant doing anything (a category or group that is still syncing).

use posbridge_domain::model::Quantity;

/// A mapping failure. Mapping is pure, so nothing here wraps an I/O error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A field the receiving side requires is empty (customer names, email, product name...).
    #[error("{entity} {record} has no {field}")]
    MissingRequiredField { entity: &'static str, field: &'static str, record: String },

    /// A field is present but cannot be read (not a number, too many decimals, bad SKU...).
    #[error("{entity} {record}: field {field} has an unusable value {value:?}")]
    InvalidField { entity: &'static str, record: String, field: &'static str, value: String },

    /// "Do not sync non-SKU products and their sales orders" is selected and this record has none.
    #[error("{entity} {record} has no SKU and the integration is set not to sync products without SKU")]
    MissingSku { entity: &'static str, record: String },

    /// Composite products never sync; their components do.
    #[error("product {name:?} is a composite product; composite products are not synced to Ecwid")]
    CompositeNotSynced { name: String },

    /// The product's eCommerce sales channel is not ticked on the POS.
    #[error("product {name:?} does not have the eCommerce sales channel ticked")]
    NotInEcommerceChannel { name: String },

    /// A quantity with a fraction of a unit: Ecwid counts whole units only.
    #[error("{record} has the fractional quantity {quantity}; Ecwid only holds whole units")]
    FractionalQuantity { record: String, quantity: Quantity },

    /// A payment or fulfillment status posbridge does not know.
    #[error("order {order} has an unknown {kind} status {value:?}")]
    UnknownStatus { order: String, kind: &'static str, value: String },

    /// An Ecwid unfinished (abandoned-checkout) order: never synced.
    #[error("order {order} is an unfinished checkout (payment status INCOMPLETE)")]
    UnfinishedOrder { order: String },

    /// A category / product type that has no counterpart yet on the other side.
    #[error("category {reference} has no linked counterpart yet")]
    UnknownCategory { reference: String },

    /// A customer group that has no counterpart yet on the other side.
    #[error("customer group {reference} has no linked counterpart yet")]
    UnknownCustomerGroup { reference: String },

    /// Ecwid's built-in "General" group (id 0) is the absence of a group; it is never synced.
    #[error("Ecwid's built-in customer group \"General\" is not synced")]
    BuiltInCustomerGroup,

    /// Several Ecwid products share one barcode (UPC); the POS requires unique barcodes.
    #[error("barcode {barcode:?} is used by several Ecwid products: {records:?}")]
    DuplicateBarcode { barcode: String, records: Vec<String> },

    /// An Ecwid tax with no entry in the tax mapping (or a POS tax rule mapped to none).
    #[error("tax {reference} is not in the tax mapping")]
    UnmappedTax { reference: String },
}

impl MappingError {
    /// A stable snake_case code for logs, metrics and the error log.
    pub fn code(&self) -> &'static str {
        match self {
            MappingError::MissingRequiredField { .. } => "missing_required_field",
            MappingError::InvalidField { .. } => "invalid_field",
            MappingError::MissingSku { .. } => "missing_sku",
            MappingError::CompositeNotSynced { .. } => "composite_not_synced",
            MappingError::NotInEcommerceChannel { .. } => "not_in_ecommerce_channel",
            MappingError::FractionalQuantity { .. } => "fractional_quantity",
            MappingError::UnknownStatus { .. } => "unknown_status",
            MappingError::UnfinishedOrder { .. } => "unfinished_order",
            MappingError::UnknownCategory { .. } => "unknown_category",
            MappingError::UnknownCustomerGroup { .. } => "unknown_customer_group",
            MappingError::BuiltInCustomerGroup => "built_in_customer_group",
            MappingError::DuplicateBarcode { .. } => "duplicate_barcode",
            MappingError::UnmappedTax { .. } => "unmapped_tax",
        }
    }

    /// What the merchant can do about it, in one sentence.
    pub fn advice(&self) -> String {
        match self {
            MappingError::MissingRequiredField { entity, field, .. } => {
                format!("Fill in the {field} of this {entity}, then press SYNC NOW.")
            }
            MappingError::InvalidField { field, .. } => {
                format!("Correct the {field} of this record (a plain number or text, as the field expects), then press SYNC NOW.")
            }
            MappingError::MissingSku { .. } => "Give the product a SKU in Ecwid, or choose \"Sync non-SKU products to Hike and auto-assign SKU numbers\" in the integration settings.".into(),
            MappingError::CompositeNotSynced { .. } => "Nothing to do: composite products stay in the POS; their component products sync to Ecwid individually.".into(),
            MappingError::NotInEcommerceChannel { .. } => "Tick the eCommerce sales channel on the product if it should be sold in Ecwid.".into(),
            MappingError::FractionalQuantity { .. } => "Ecwid does not support fractional quantities: sell or count this product in whole units, or keep it off the eCommerce channel.".into(),
            MappingError::UnknownStatus { .. } => "Set the order to one of Ecwid's standard statuses, or contact posbridge support to map this custom status.".into(),
            MappingError::UnfinishedOrder { .. } => "Nothing to do: abandoned checkouts are not synced; the order syncs once the customer completes it.".into(),
            MappingError::UnknownCategory { .. } => "Wait for categories to finish syncing (this retries automatically); if it persists, create the category on both sides.".into(),
            MappingError::UnknownCustomerGroup { .. } => "Wait for customer groups to finish syncing (this retries automatically); if it persists, create the group on both sides.".into(),
            MappingError::BuiltInCustomerGroup => "Nothing to do: customers in Ecwid's General group sync without a group.".into(),
            MappingError::DuplicateBarcode { .. } => "Give each of these Ecwid products its own barcode (UPC); the POS does not allow duplicate barcodes.".into(),
            MappingError::UnmappedTax { .. } => "Map this tax in the integration's tax mapping, keeping the same tax rules on both platforms.".into(),
        }
    }

    /// `true` when the same input may succeed later without the merchant changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, MappingError::UnknownCategory { .. } | MappingError::UnknownCustomerGroup { .. })
    }

    /// `true` when the record is deliberately left out (a rule of the product docs), as opposed
    /// to a failure the merchant should fix. The sync log shows these as skipped, not red.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            MappingError::CompositeNotSynced { .. }
                | MappingError::NotInEcommerceChannel { .. }
                | MappingError::UnfinishedOrder { .. }
                | MappingError::BuiltInCustomerGroup
                | MappingError::MissingSku { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn all() -> Vec<MappingError> {
        vec![
            MappingError::MissingRequiredField { entity: "customer", field: "email", record: "1".into() },
            MappingError::InvalidField { entity: "product", record: "1".into(), field: "price", value: "x".into() },
            MappingError::MissingSku { entity: "product", record: "1".into() },
            MappingError::CompositeNotSynced { name: "Hamper".into() },
            MappingError::NotInEcommerceChannel { name: "Mug".into() },
            MappingError::FractionalQuantity { record: "SKU A".into(), quantity: Quantity::parse("0.5").unwrap() },
            MappingError::UnknownStatus { order: "1".into(), kind: "payment", value: "X".into() },
            MappingError::UnfinishedOrder { order: "1".into() },
            MappingError::UnknownCategory { reference: "9".into() },
            MappingError::UnknownCustomerGroup { reference: "VIP".into() },
            MappingError::BuiltInCustomerGroup,
            MappingError::DuplicateBarcode { barcode: "1".into(), records: vec!["a".into(), "b".into()] },
            MappingError::UnmappedTax { reference: "7".into() },
        ]
    }

    // 004:53-55: the sync screen shows "some advice if error occurred".
    #[test]
    fn every_error_has_a_distinct_code_a_message_and_advice() {
        let errors = all();
        let codes: BTreeSet<_> = errors.iter().map(MappingError::code).collect();
        assert_eq!(codes.len(), errors.len(), "codes must be distinct");
        for e in &errors {
            assert!(!e.to_string().is_empty());
            let advice = e.advice();
            assert!(advice.ends_with('.'), "{}: advice should be a sentence: {advice}", e.code());
            assert!(e.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn only_link_lookups_are_retryable_and_rules_are_skips() {
        for e in all() {
            let lookup = matches!(e, MappingError::UnknownCategory { .. } | MappingError::UnknownCustomerGroup { .. });
            assert_eq!(e.is_retryable(), lookup, "{}", e.code());
            assert!(!(e.is_retryable() && e.is_skip()), "{}", e.code());
        }
        assert!(MappingError::CompositeNotSynced { name: "x".into() }.is_skip());
        assert!(!MappingError::FractionalQuantity { record: "x".into(), quantity: Quantity::units(1) }.is_skip());
    }
}
