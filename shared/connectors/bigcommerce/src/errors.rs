//! Why a record could not be mapped, and what was mapped with a caveat.
//!
//! Every error has a machine-readable [`MappingError::code`], says whether trying again can help
//! ([`MappingError::is_retryable`]) and prints a sentence a merchant can act on: the sync status
//! screens show "some advice if error occurred" next to each record (product docs
//! `004_aa46f90abea42057.txt:52-55`).

use posbridge_domain::model::ValueError;

/// A record that cannot be mapped. Permanent unless [`MappingError::is_retryable`] says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("{record} has no {field}; add it and sync again")]
    MissingRequiredField { record: &'static str, field: &'static str },

    #[error(
        "{record} has no SKU and the integration is set to \"Do not sync non-SKU products and their sales orders\"; \
         give it a SKU or change the SKU preference"
    )]
    MissingSku { record: String },

    #[error("composite products are not sent to BigCommerce; their component products sync on their own")]
    CompositeNotSynced,

    #[error("the product is not on the eCommerce sales channel; tick \"eCommerce\" on the product to sync it")]
    NotOnEcommerceChannel,

    #[error(
        "{what} has a fractional quantity ({quantity}); BigCommerce sells whole units only, so this sale cannot be \
         sent (sell whole units or adjust it in BigCommerce by hand)"
    )]
    FractionalQuantity { what: String, quantity: String },

    #[error(
        "exchanges cannot be sent to BigCommerce (an API limitation); the stock change of the exchange still syncs"
    )]
    ExchangeNotSynced,

    #[error("draft (incomplete) BigCommerce orders are not synced")]
    DraftOrder,

    #[error("the order was placed before the integration was activated; only new orders sync")]
    OrderBeforeActivation,

    #[error("{entity} {key} is not synced yet; sync it first, then this record syncs too")]
    NotLinked { entity: &'static str, key: String },

    #[error("BigCommerce {entity} {id} is not known to posbridge yet; it will be picked up on the next refresh")]
    UnknownReference { entity: &'static str, id: u64 },

    #[error("{field} {value:?} is not accepted by BigCommerce: {reason}")]
    NotAcceptedByPlatform { field: &'static str, value: String, reason: &'static str },

    #[error("BigCommerce sent {field} in a shape posbridge does not understand ({detail}); contact support")]
    BadPlatformData { field: &'static str, detail: String },

    #[error("{field}: {source}")]
    InvalidValue {
        field: &'static str,
        #[source]
        source: ValueError,
    },
}

impl MappingError {
    /// A stable code for logs, metrics and the error log screen.
    pub fn code(&self) -> &'static str {
        match self {
            MappingError::MissingRequiredField { .. } => "missing_required_field",
            MappingError::MissingSku { .. } => "missing_sku",
            MappingError::CompositeNotSynced => "composite_not_synced",
            MappingError::NotOnEcommerceChannel => "not_on_ecommerce_channel",
            MappingError::FractionalQuantity { .. } => "fractional_quantity",
            MappingError::ExchangeNotSynced => "exchange_not_synced",
            MappingError::DraftOrder => "draft_order",
            MappingError::OrderBeforeActivation => "order_before_activation",
            MappingError::NotLinked { .. } => "not_linked",
            MappingError::UnknownReference { .. } => "unknown_reference",
            MappingError::NotAcceptedByPlatform { .. } => "not_accepted_by_platform",
            MappingError::BadPlatformData { .. } => "bad_platform_data",
            MappingError::InvalidValue { .. } => "invalid_value",
        }
    }

    /// True when the same record can map later without anyone editing it: a dependency (product,
    /// customer, group, category) syncs first, or a lookup table is refreshed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, MappingError::NotLinked { .. } | MappingError::UnknownReference { .. })
    }

    /// True when the record is deliberately left out (a product-doc rule), not broken.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            MappingError::CompositeNotSynced
                | MappingError::NotOnEcommerceChannel
                | MappingError::DraftOrder
                | MappingError::OrderBeforeActivation
                | MappingError::MissingSku { .. }
        )
    }

    pub(crate) fn invalid(field: &'static str) -> impl FnOnce(ValueError) -> MappingError {
        move |source| MappingError::InvalidValue { field, source }
    }

    pub(crate) fn bad(field: &'static str, detail: impl Into<String>) -> MappingError {
        MappingError::BadPlatformData { field, detail: detail.into() }
    }
}

/// Something mapped, but not exactly as given. The record still syncs; the warning is logged and
/// shown in the sync log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingWarning {
    /// Fractional POS stock sent to BigCommerce as the whole units below it.
    FractionalStockRoundedDown { sku: Option<String>, quantity: String, sent: i64 },
    /// An address without the fields BigCommerce requires (`address1`, `city`, `country_code`).
    AddressSkipped { which: &'static str },
    /// A value the integration never syncs (gift certificates, store credit, discounts' origin).
    NotSynced { what: &'static str },
    /// BigCommerce holds at most this many units; more was clamped.
    StockClamped { sku: Option<String>, sent: i64 },
}

impl MappingWarning {
    pub fn code(&self) -> &'static str {
        match self {
            MappingWarning::FractionalStockRoundedDown { .. } => "fractional_stock_rounded_down",
            MappingWarning::AddressSkipped { .. } => "address_skipped",
            MappingWarning::NotSynced { .. } => "not_synced",
            MappingWarning::StockClamped { .. } => "stock_clamped",
        }
    }
}

/// A mapped value with the warnings met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped<T> {
    pub value: T,
    pub warnings: Vec<MappingWarning>,
}

impl<T> Mapped<T> {
    pub fn new(value: T, warnings: Vec<MappingWarning>) -> Self {
        Self { value, warnings }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 004_aa46f90abea42057.txt:52-55: the status screen shows "some advice if error occurred".
    #[test]
    fn every_error_has_a_code_and_advice() {
        let all = [
            MappingError::MissingRequiredField { record: "customer", field: "email" },
            MappingError::MissingSku { record: "product 1".into() },
            MappingError::CompositeNotSynced,
            MappingError::NotOnEcommerceChannel,
            MappingError::FractionalQuantity { what: "line".into(), quantity: "0.5".into() },
            MappingError::ExchangeNotSynced,
            MappingError::DraftOrder,
            MappingError::OrderBeforeActivation,
            MappingError::NotLinked { entity: "product", key: "A".into() },
            MappingError::UnknownReference { entity: "brand", id: 3 },
            MappingError::NotAcceptedByPlatform { field: "upc", value: "1".into(), reason: "r" },
            MappingError::BadPlatformData { field: "price", detail: "d".into() },
            MappingError::InvalidValue { field: "sku", source: ValueError::Empty { what: "SKU" } },
        ];
        let mut codes: Vec<&str> = all.iter().map(MappingError::code).collect();
        for e in &all {
            assert!(e.to_string().len() > 20, "{e:?} needs a sentence");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "codes must be distinct");
        assert!(all[8].is_retryable() && all[9].is_retryable());
        assert!(!all[0].is_retryable() && all[2].is_skip() && !all[0].is_skip());
    }

    #[test]
    fn invalid_value_keeps_its_source() {
        use std::error::Error;
        let e = MappingError::invalid("sku")(ValueError::Empty { what: "SKU" });
        assert!(e.source().is_some());
    }
}
