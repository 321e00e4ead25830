//! Pure mapping between the POS's JSON ([`wire`]) and the canonical model: no I/O, no clock.
//!
//! Every function takes a [`PosContext`]: the merchant's [`MappingOptions`] (domain), the
//! POS-specific [`PosSettings`] the domain options do not hold yet (outlets, register, visibility
//! of new products, payment label), and a [`PosCatalogue`] of the POS's reference lists (names of
//! brands, product types, groups, taxes, payment types, outlets) that turns names into ids.
//!
//! Conventions:
//! * POS ids are integers; a canonical [`PosId`] holds them as text. A sale line of a variant
//!   names `product:variant` (e.g. `"12:40"`), because the POS needs both.
//! * POS money has 2 decimals: canonical amounts are rounded half away from zero to the cent on
//!   the way in (`Money::to_2dp`). Quantities keep their 3 decimals both ways.
//! * A field the POS does not own under the merchant's preferences is `None` in the canonical
//!   record read from the POS, which means "leave it as it is" on the other side.

mod customer;
mod product;
mod reference;
mod sale;
mod time;
pub mod wire;

pub use customer::*;
pub use product::*;
pub use reference::*;
pub use sale::*;
pub use time::{rfc3339_from_unix, unix_from_rfc3339};

use posbridge_domain::model::{MappingOptions, Money, Platform, PosId, Quantity, TaxRate};

use crate::errors::MappingError;
use wire::{PosNamed, PosOutlet, PosPaymentType, PosStoreSettings, PosTax};

/// Integration settings the POS side needs beyond the domain's [`MappingOptions`] (product
/// reference 000 lines 44-106 and 001 lines 72-213). Kept here until the full settings model
/// lands in the domain crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosSettings {
    /// The web store on the other side: names its payments ("BigCommerce") and prefixes
    /// external references.
    pub platform: Platform,
    /// "Hike outlet for invoice sync": where web orders are recorded.
    pub invoice_outlet: PosId,
    /// "Select Hike register for payments": where web payments land (re-opened if closed).
    pub payments_register: Option<PosId>,
    /// "Inventory settings": the outlet the web store draws stock from, or several whose stock
    /// is combined (summed) for the web store.
    pub inventory_outlets: Vec<PosId>,
    /// "Make product visibility to all outlet when created in Hike": when off, a product created
    /// from the web store is visible only in the inventory outlets.
    pub new_products_visible_in_all_outlets: bool,
    /// "Display e-commerce related fields in product add/edit": shipping details sync.
    pub ecommerce_fields: bool,
    /// Hike's weighted Average Cost Price: the POS refuses manual cost and stock changes.
    pub weighted_average_cost: bool,
    /// POS payment types that are gift cards, store credit or loyalty points: never synced.
    pub unsynced_payment_types: Vec<String>,
}

impl PosSettings {
    /// Settings with the docs' defaults: invoices and stock in one outlet, new products visible
    /// everywhere, gift card / store credit / loyalty payments left out.
    pub fn new(platform: Platform, outlet: PosId) -> Self {
        Self {
            platform,
            invoice_outlet: outlet.clone(),
            payments_register: None,
            inventory_outlets: vec![outlet],
            new_products_visible_in_all_outlets: true,
            ecommerce_fields: false,
            weighted_average_cost: false,
            unsynced_payment_types: ["Gift Card", "Store Credit", "Loyalty"].map(String::from).to_vec(),
        }
    }

    /// The label of the web store's payments on the POS ("payments labelled as the platform").
    pub fn platform_label(&self) -> &'static str {
        match self.platform {
            Platform::BigCommerce => "BigCommerce",
            Platform::WooCommerce => "WooCommerce",
            Platform::Ecwid => "Ecwid",
        }
    }
}

/// The POS's reference lists, fetched once per sync run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PosCatalogue {
    pub outlets: Vec<PosOutlet>,
    pub brands: Vec<PosNamed>,
    pub product_types: Vec<PosNamed>,
    pub customer_groups: Vec<PosNamed>,
    pub taxes: Vec<PosTax>,
    pub payment_types: Vec<PosPaymentType>,
    pub store: Option<PosStoreSettings>,
}

impl PosCatalogue {
    fn name_of(list: &[PosNamed], id: i64) -> Option<&str> {
        list.iter().find(|n| n.id == id).map(|n| n.name.as_str())
    }

    fn id_of(list: &[PosNamed], kind: &'static str, name: &str) -> Result<i64, MappingError> {
        list.iter()
            .find(|n| same_name(&n.name, name))
            .map(|n| n.id)
            .ok_or_else(|| MappingError::UnknownReference { kind, name: name.trim().to_string() })
    }

    /// The rate of a POS tax rule, in basis points.
    fn tax_rate(&self, id: i64) -> Result<Option<TaxRate>, MappingError> {
        self.taxes.iter().find(|t| t.id == id).map(|t| parse_rate(&t.rate)).transpose()
    }

    fn payment_type_id(&self, name: &str) -> Result<i64, MappingError> {
        self.payment_types
            .iter()
            .find(|p| p.is_active && same_name(&p.name, name))
            .map(|p| p.id)
            .ok_or_else(|| MappingError::UnknownReference { kind: "payment type", name: name.to_string() })
    }
}

/// Everything a mapping function reads besides the record itself.
#[derive(Debug, Clone, Copy)]
pub struct PosContext<'a> {
    pub options: &'a MappingOptions,
    pub settings: &'a PosSettings,
    pub catalogue: &'a PosCatalogue,
}

/// Names match case-insensitively, ignoring surrounding spaces (as merchants type them).
fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn pos_id(v: i64) -> PosId {
    // An integer's text is never empty, long or full of control characters.
    PosId::parse(v.to_string()).expect("an integer is a valid POS id")
}

fn int_id(field: &'static str, id: &PosId) -> Result<i64, MappingError> {
    id.as_str().parse().map_err(|_| MappingError::InvalidId { field, value: id.to_string() })
}

/// `"12"` -> (12, None); `"12:40"` -> (12, Some(40)).
fn item_id(id: &PosId) -> Result<(i64, Option<i64>), MappingError> {
    let bad = || MappingError::InvalidId { field: "sale line product", value: id.to_string() };
    match id.as_str().split_once(':') {
        Some((p, v)) => Ok((p.parse().map_err(|_| bad())?, Some(v.parse().map_err(|_| bad())?))),
        None => Ok((id.as_str().parse().map_err(|_| bad())?, None)),
    }
}

fn item_pos_id(product: i64, variant: Option<i64>) -> PosId {
    let s = match variant {
        Some(v) => format!("{product}:{v}"),
        None => product.to_string(),
    };
    PosId::parse(s).expect("integers are a valid POS id")
}

fn money(field: &str, s: &str) -> Result<Money, MappingError> {
    Money::parse(s).map_err(|e| MappingError::invalid(field, e))
}

fn quantity(field: &str, s: &str) -> Result<Quantity, MappingError> {
    Quantity::parse(s).map_err(|e| MappingError::invalid(field, e))
}

/// The POS's money format: 2 decimals, rounded half away from zero.
fn pos_money(m: Money) -> String {
    m.to_2dp()
}

/// A POS tax rate (percent, 2 decimals: `"12.50"`) in basis points.
pub fn parse_rate(s: &str) -> Result<TaxRate, MappingError> {
    let m = money("tax rate", s)?;
    let bad = || {
        MappingError::invalid(
            "tax rate",
            posbridge_domain::model::ValueError::OutOfRange { what: "tax rate", value: s.to_string() },
        )
    };
    let v = m.ten_thousandths();
    if v < 0 || v % 100 != 0 || v > 1_000_000 {
        return Err(bad());
    }
    Ok(TaxRate((v / 100) as u32))
}

/// Basis points as the POS writes a percentage (`1250` -> `"12.50"`).
pub fn format_rate(r: TaxRate) -> String {
    format!("{}.{:02}", r.0 / 100, r.0 % 100)
}

/// Empty or blank text is absent.
fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Splits a price entered per the store's tax setting into (ex tax, inc tax).
fn both_prices(entered: Money, rate: TaxRate, inclusive: bool) -> (Money, Money) {
    if inclusive { (entered.remove_tax(rate.0), entered) } else { (entered, entered.add_tax(rate.0)) }
}

/// The price the POS stores, per the store's tax setting: the one the merchant entered on that
/// basis, else derived from the other with `rate`.
fn entered_price(ex: Option<Money>, inc: Option<Money>, rate: TaxRate, inclusive: bool) -> Option<Money> {
    if inclusive {
        inc.or_else(|| ex.map(|e| e.add_tax(rate.0)))
    } else {
        ex.or_else(|| inc.map(|i| i.remove_tax(rate.0)))
    }
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_percent_with_two_decimals() {
        assert_eq!(parse_rate("10.00").unwrap(), TaxRate(1000));
        assert_eq!(parse_rate("12.5").unwrap(), TaxRate(1250));
        assert_eq!(format_rate(TaxRate(1250)), "12.50");
        assert_eq!(format_rate(TaxRate(0)), "0.00");
        for bad in ["12.505", "-1", "101", "x"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn item_ids_name_product_and_variant() {
        assert_eq!(item_id(&PosId::parse("12").unwrap()).unwrap(), (12, None));
        assert_eq!(item_id(&PosId::parse("12:40").unwrap()).unwrap(), (12, Some(40)));
        assert!(item_id(&PosId::parse("abc").unwrap()).is_err());
        assert_eq!(item_pos_id(12, Some(40)).as_str(), "12:40");
    }

    #[test]
    fn prices_follow_the_tax_inclusive_setting() {
        // product reference 001:22 and 000:19 - the entered price is inc or ex per the setting.
        let gst = TaxRate(1000);
        let eleven = Money::parse("11").unwrap();
        let ten = Money::parse("10").unwrap();
        assert_eq!(both_prices(eleven, gst, true), (ten, eleven));
        assert_eq!(both_prices(ten, gst, false), (ten, eleven));
        assert_eq!(entered_price(Some(ten), None, gst, true), Some(eleven));
        assert_eq!(entered_price(None, Some(eleven), gst, false), Some(ten));
        assert_eq!(entered_price(Some(ten), Some(eleven), gst, false), Some(ten));
        assert_eq!(entered_price(None, None, gst, true), None);
    }
}
