//! Why a record could not be mapped, and what was mapped with a caveat.
//!
//! Every [`MappingError`] has a stable machine-readable [`code`](MappingError::code), a sentence a
//! merchant can act on ([`advice`](MappingError::advice), shown in the sync screen's "Error!" field,
//! product doc 004:53-55) and says whether retrying later can help: a record that waits for another
//! record to sync first is retryable, everything else is permanent until the merchant edits it.
//! Some errors are deliberate skips ([`is_skip`](MappingError::is_skip)): the docs say the record
//! does not sync, so it is reported, not retried.

use posbridge_domain::model::Quantity;

/// A record that cannot be mapped.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The WooCommerce JSON does not have the shape of the resource.
    #[error("the WooCommerce {entity} JSON could not be read: {source}")]
    InvalidJson {
        entity: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A field the receiving side requires is empty.
    #[error("{entity} is missing its {field}, which {required_by} requires")]
    MissingRequiredField { entity: &'static str, field: &'static str, required_by: &'static str },
    /// A field holds a value that cannot be represented on the other side.
    #[error("{field} {value:?} is not valid: {reason}")]
    InvalidValue { field: String, value: String, reason: String },
    /// Composite products never sync themselves (their components do).
    #[error("\"{name}\" is a composite product, which does not sync")]
    CompositeNotSynced { name: String },
    /// Only simple and variable WooCommerce products map to POS products.
    #[error("WooCommerce product type {product_type:?} does not sync; only simple and variable products do")]
    UnsupportedProductType { product_type: String },
    /// The POS product does not have the eCommerce sales channel ticked.
    #[error("\"{name}\" does not have the eCommerce sales channel ticked")]
    NotOnEcommerceChannel { name: String },
    /// "Do not sync non-SKU products and their sales orders" is selected and the record has no SKU.
    #[error("\"{name}\" has no SKU and the integration is set not to sync products without SKU")]
    SkuMissing { name: String },
    /// Web stores count whole units; a fractional POS quantity is refused, never rounded.
    #[error("\"{item}\" has the fractional quantity {quantity}, which WooCommerce cannot hold")]
    FractionalQuantity { item: String, quantity: Quantity },
    /// A variant lacks a value for one of its product's options (or a WooCommerce variation says "Any").
    #[error("a variant of \"{product}\" has no value for the option {option:?}")]
    VariantOptionMissing { product: String, option: String },
    /// An order in a WooCommerce status that does not sync (failed, draft, trashed...).
    #[error("WooCommerce orders in status {status:?} do not sync")]
    OrderStatusNotSynced { status: String },
    /// An order line refers to a product that has not synced yet.
    #[error("the order line \"{line}\" refers to a product that has not synced yet")]
    ProductNotSynced { line: String },
    /// An order belongs to a customer that has not synced yet.
    #[error("the order's customer (WooCommerce id {wc_customer_id}) has not synced yet")]
    CustomerNotSynced { wc_customer_id: u64 },
    /// A POS sale refers to a customer or product with no WooCommerce counterpart yet.
    #[error("the sale refers to {what} that has no WooCommerce counterpart yet")]
    NotLinked { what: String },
    /// A category, tag or brand has no WooCommerce term id yet.
    #[error("the {taxonomy} \"{name}\" does not exist in WooCommerce yet")]
    TermNotLinked { taxonomy: &'static str, name: String },
    /// An order uses a WooCommerce tax rate that is not mapped to a POS tax rule.
    #[error("the WooCommerce tax rate {rate:?} is not mapped to a POS tax")]
    TaxRateNotMapped { rate: String },
    /// A refund line does not match any line of the WooCommerce order.
    #[error("the refunded item \"{item}\" is not on the WooCommerce order")]
    RefundLineNotFound { item: String },
}

impl MappingError {
    /// Stable identifier for logs, metrics and the sync status screen.
    pub fn code(&self) -> &'static str {
        match self {
            MappingError::InvalidJson { .. } => "invalid_json",
            MappingError::MissingRequiredField { .. } => "missing_required_field",
            MappingError::InvalidValue { .. } => "invalid_value",
            MappingError::CompositeNotSynced { .. } => "composite_not_synced",
            MappingError::UnsupportedProductType { .. } => "unsupported_product_type",
            MappingError::NotOnEcommerceChannel { .. } => "not_on_ecommerce_channel",
            MappingError::SkuMissing { .. } => "sku_missing",
            MappingError::FractionalQuantity { .. } => "fractional_quantity",
            MappingError::VariantOptionMissing { .. } => "variant_option_missing",
            MappingError::OrderStatusNotSynced { .. } => "order_status_not_synced",
            MappingError::ProductNotSynced { .. } => "product_not_synced",
            MappingError::CustomerNotSynced { .. } => "customer_not_synced",
            MappingError::NotLinked { .. } => "not_linked",
            MappingError::TermNotLinked { .. } => "term_not_linked",
            MappingError::TaxRateNotMapped { .. } => "tax_rate_not_mapped",
            MappingError::RefundLineNotFound { .. } => "refund_line_not_found",
        }
    }

    /// What the merchant can do about it.
    pub fn advice(&self) -> String {
        match self {
            MappingError::InvalidJson { .. } => {
                "WooCommerce sent data posbridge does not understand; check for plug-ins that change the REST API, then press SYNC NOW.".into()
            }
            MappingError::MissingRequiredField { entity, field, required_by, .. } => {
                format!("Add the {field} to the {entity} ({required_by} requires it), then press SYNC NOW.")
            }
            MappingError::InvalidValue { field, .. } => format!("Correct the {field}, then press SYNC NOW."),
            MappingError::CompositeNotSynced { .. } => {
                "Composite products do not sync; their component products sync on their own. Sell the components instead.".into()
            }
            MappingError::UnsupportedProductType { .. } => {
                "Only simple and variable WooCommerce products sync; sales with other product types need to be entered manually.".into()
            }
            MappingError::NotOnEcommerceChannel { .. } => {
                "Tick the eCommerce sales channel on the product if it should appear in WooCommerce.".into()
            }
            MappingError::SkuMissing { .. } => {
                "Give the product a SKU in WooCommerce, or choose \"auto-assign SKU numbers\" in the integration settings.".into()
            }
            MappingError::FractionalQuantity { .. } => {
                "WooCommerce sells whole units only; sell this product in whole units or keep it off the web store.".into()
            }
            MappingError::VariantOptionMissing { option, .. } => {
                format!("Give every variant a value for {option:?} (WooCommerce variations set to \"Any\" cannot sync).")
            }
            MappingError::OrderStatusNotSynced { .. } => {
                "Nothing to do: only placed orders (processing, on hold, completed, cancelled, refunded) sync.".into()
            }
            MappingError::ProductNotSynced { .. } => {
                "Sync the product first (or wait for it to sync); the order will follow.".into()
            }
            MappingError::CustomerNotSynced { .. } => {
                "Sync the customer first (or wait for it to sync); the order will follow.".into()
            }
            MappingError::NotLinked { .. } => {
                "Sync the products and customer of this sale to WooCommerce first; the sale will follow.".into()
            }
            MappingError::TermNotLinked { taxonomy, .. } => {
                format!("Wait for the {taxonomy} to sync to WooCommerce (or create it there), then press SYNC NOW.")
            }
            MappingError::TaxRateNotMapped { .. } => {
                "Map this WooCommerce tax rate to a POS tax in the integration's tax mapping, then press SYNC NOW.".into()
            }
            MappingError::RefundLineNotFound { .. } => {
                "Refund only items that were on the original web order.".into()
            }
        }
    }

    /// Whether the same record may map later without the merchant changing it (it waits for
    /// another record to sync first).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            MappingError::ProductNotSynced { .. }
                | MappingError::CustomerNotSynced { .. }
                | MappingError::NotLinked { .. }
                | MappingError::TermNotLinked { .. }
        )
    }

    /// The docs say this record does not sync: report it, do not treat it as a failure.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            MappingError::CompositeNotSynced { .. }
                | MappingError::NotOnEcommerceChannel { .. }
                | MappingError::SkuMissing { .. }
                | MappingError::OrderStatusNotSynced { .. }
                | MappingError::UnsupportedProductType { .. }
        )
    }
}

/// Something mapped, but not exactly; shown in the sync process log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingWarning {
    /// Stock was fractional on the POS; WooCommerce got the whole units below it.
    FractionalStockFloored { item: String, on_hand: Quantity, sent: i64 },
    /// A price had more than two decimals; WooCommerce got it rounded to cents.
    PriceRounded { field: &'static str, value: String, sent: String },
    /// The WooCommerce product had no SKU; posbridge assigned one.
    SkuAutoAssigned { sku: String },
    /// A POS payment type that never syncs (gift card, store credit, loyalty) was left out.
    PaymentNotSynced { method: String },
    /// WooCommerce allows several categories; the POS keeps one product type.
    ExtraCategoriesIgnored { kept: String, ignored: Vec<String> },
    /// The store has no brands taxonomy, so the brand was not sent.
    BrandNotSupported { brand: String },
    /// Refunds on an order whose status is not "refunded" do not sync (002:40).
    RefundsNotSynced { count: usize },
}

/// A mapped value and the caveats that came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped<T> {
    pub value: T,
    pub warnings: Vec<MappingWarning>,
}

impl<T> Mapped<T> {
    pub fn new(value: T, warnings: Vec<MappingWarning>) -> Self {
        Mapped { value, warnings }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_each() -> Vec<MappingError> {
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        vec![
            MappingError::InvalidJson { entity: "order", source: json },
            MappingError::MissingRequiredField { entity: "customer", field: "email", required_by: "WooCommerce" },
            MappingError::InvalidValue { field: "regular_price".into(), value: "x".into(), reason: "r".into() },
            MappingError::CompositeNotSynced { name: "Hamper".into() },
            MappingError::UnsupportedProductType { product_type: "grouped".into() },
            MappingError::NotOnEcommerceChannel { name: "Mug".into() },
            MappingError::SkuMissing { name: "Mug".into() },
            MappingError::FractionalQuantity { item: "Cheese".into(), quantity: Quantity::parse("0.5").unwrap() },
            MappingError::VariantOptionMissing { product: "Tee".into(), option: "Size".into() },
            MappingError::OrderStatusNotSynced { status: "failed".into() },
            MappingError::ProductNotSynced { line: "Mug".into() },
            MappingError::CustomerNotSynced { wc_customer_id: 3 },
            MappingError::NotLinked { what: "product Mug".into() },
            MappingError::TermNotLinked { taxonomy: "category", name: "Cups".into() },
            MappingError::TaxRateNotMapped { rate: "75".into() },
            MappingError::RefundLineNotFound { item: "Mug".into() },
        ]
    }

    #[test]
    fn every_error_has_a_unique_code_and_advice_for_the_sync_screen() {
        // 004_aa46f90abea42057.txt:53-55: the sync screen shows "some advice if error occurred".
        let errors = one_of_each();
        let mut codes: Vec<&str> = errors.iter().map(MappingError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len(), "codes must be unique");
        for e in &errors {
            assert!(!e.advice().is_empty(), "{}", e.code());
            assert!(!e.to_string().is_empty(), "{}", e.code());
            assert!(!(e.is_retryable() && e.is_skip()), "{} cannot be both", e.code());
        }
    }

    #[test]
    fn json_errors_keep_their_source() {
        let e = &one_of_each()[0];
        assert!(std::error::Error::source(e).is_some());
    }
}
