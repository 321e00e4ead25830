//! Pure mapping between WooCommerce `wc/v3` JSON and posbridge's canonical model.
//!
//! Reading goes through the typed structs in [`wire`] (WooCommerce answers with many more fields
//! than posbridge needs; unknown ones are ignored). Writing builds exactly the JSON body posbridge
//! sends, so read-only fields never leave. No function here does I/O or reads the clock: links to
//! already-synced records, term ids and the activation time are passed in through [`WooContext`].
//!
//! Product doc references (`000:19`, `002:40`...) are `shared/product-reference/<file>:<line>`.

mod customer;
mod order;
mod product;
pub mod wire;

#[cfg(test)]
mod roundtrip;

use std::collections::BTreeMap;

use posbridge_domain::model::{Money, PosId, Prices, Sku};

use crate::errors::{MappingError, MappingWarning};

pub use customer::{CUSTOMER_GROUP_META, customer_from_wc, customer_to_wc};
pub use order::{
    PAYMENT_LABEL, POS_CREATED_AT_META, POS_SALE_ID_META, PaymentStatus, PosStatus, SERIAL_META, is_historical,
    order_from_wc, order_to_wc, refund_to_wc, refunded_sales, shipping_line_name, status_from_wc, status_to_wc,
};
pub use product::{COST_META, WcProductWrite, WriteMode, product_from_wc, product_to_wc};

/// Unit the store's `weight` strings are in (WooCommerce > Settings > Products).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightUnit {
    #[default]
    Kg,
    G,
    Lbs,
    Oz,
}

/// WooCommerce term ids by name (categories, tags, brands), matched case-insensitively the way
/// WooCommerce compares term names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermIds(BTreeMap<String, u64>);

impl TermIds {
    pub fn insert(&mut self, name: &str, id: u64) {
        self.0.insert(name.trim().to_lowercase(), id);
    }
    pub fn get(&self, name: &str) -> Option<u64> {
        self.0.get(&name.trim().to_lowercase()).copied()
    }
}

impl<const N: usize> From<[(&str, u64); N]> for TermIds {
    fn from(items: [(&str, u64); N]) -> Self {
        let mut t = TermIds::default();
        for (n, id) in items {
            t.insert(n, id);
        }
        t
    }
}

/// A POS product or variant already linked to a WooCommerce product (and variation, 0 for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedItem {
    pub pos_id: PosId,
    pub sku: Option<Sku>,
    pub wc_product_id: u64,
    pub wc_variation_id: u64,
}

/// What the WooCommerce mappings need beyond [`posbridge_domain::model::MappingOptions`]: the
/// integration's outlet settings and the links to records that already synced. (This is the
/// "extension struct": the domain's options stay platform-neutral.)
#[derive(Debug, Clone, Default)]
pub struct WooContext {
    /// Outlets whose stock the store shows (000:68, 000:76-80). One outlet: stock syncs both ways.
    /// Several (combined inventory): stock flows POS -> WooCommerce only (000:80).
    pub inventory_outlets: Vec<PosId>,
    /// Outlet that receives web orders (000:44-46).
    pub invoice_outlet: Option<PosId>,
    /// Register that records web payments (000:49-51).
    pub payments_register: Option<PosId>,
    pub weight_unit: WeightUnit,
    pub categories: TermIds,
    pub tags: TermIds,
    /// `None` when the store has no brands taxonomy (WooCommerce before 9.6 without a plug-in).
    pub brands: Option<TermIds>,
    pub products: Vec<LinkedItem>,
    /// WooCommerce customer id -> POS customer id.
    pub customers: BTreeMap<u64, PosId>,
}

impl WooContext {
    fn item_by_wc(&self, product_id: u64, variation_id: u64) -> Option<&LinkedItem> {
        self.products.iter().find(|l| l.wc_product_id == product_id && l.wc_variation_id == variation_id)
    }
    fn item_by_sku(&self, sku: &Sku) -> Option<&LinkedItem> {
        self.products.iter().find(|l| l.sku.as_ref().is_some_and(|s| s.key() == sku.key()))
    }
    fn item_by_pos(&self, id: &PosId) -> Option<&LinkedItem> {
        self.products.iter().find(|l| &l.pos_id == id)
    }
    fn wc_customer(&self, id: &PosId) -> Option<u64> {
        self.customers.iter().find(|(_, p)| *p == id).map(|(w, _)| *w)
    }
}

/// The SKU posbridge gives a WooCommerce product or variation that has none, under "Sync non-SKU
/// products and auto-assign SKU numbers" (000:141-142). Derived from the ids, so re-syncing gives
/// the same SKU.
pub fn auto_sku(product_id: u64, variation_id: u64) -> Sku {
    let s = if variation_id == 0 { format!("WC-{product_id}") } else { format!("WC-{product_id}-{variation_id}") };
    Sku::parse(s).expect("a non-empty ASCII SKU")
}

// ---------- shared helpers ----------

/// `""` -> `None`; otherwise a WooCommerce money string.
pub(crate) fn money_opt(field: &str, s: &str) -> Result<Option<Money>, MappingError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Money::parse(t).map(Some).map_err(|e| MappingError::InvalidValue {
        field: field.to_string(),
        value: s.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn money(field: &str, s: &str) -> Result<Money, MappingError> {
    Ok(money_opt(field, s)?.unwrap_or(Money::ZERO))
}

/// A price as WooCommerce stores it (2 decimals), with a warning when cents had to be rounded.
pub(crate) fn price_2dp(field: &'static str, m: Money, warnings: &mut Vec<MappingWarning>) -> String {
    let sent = m.to_2dp();
    if m.ten_thousandths() % 100 != 0 {
        warnings.push(MappingWarning::PriceRounded { field, value: m.to_4dp(), sent: sent.clone() });
    }
    sent
}

pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The retail price the merchant enters in WooCommerce: tax-inclusive or exclusive as the store's
/// setting says (000:19, 001:22, 001:330-332). The other one is derived with the default rate
/// when the POS only has one.
pub(crate) fn entered_price(p: &Prices, include_tax: bool, rate_bp: u32) -> Option<Money> {
    if include_tax {
        p.retail_inc_tax.or_else(|| p.retail_ex_tax.map(|m| m.add_tax(rate_bp)))
    } else {
        p.retail_ex_tax.or_else(|| p.retail_inc_tax.map(|m| m.remove_tax(rate_bp)))
    }
}

/// Both retail prices from the one WooCommerce holds.
pub(crate) fn prices_from_entered(
    regular: Option<Money>,
    sale: Option<Money>,
    cost: Option<Money>,
    include_tax: bool,
    rate_bp: u32,
) -> Prices {
    let (ex, inc) = if include_tax {
        (regular.map(|m| m.remove_tax(rate_bp)), regular)
    } else {
        (regular, regular.map(|m| m.add_tax(rate_bp)))
    };
    Prices { retail_ex_tax: ex, retail_inc_tax: inc, cost, sale }
}

/// `"2017-03-22T19:28:02"` (WooCommerce `_gmt` fields) -> Unix seconds.
pub(crate) fn parse_gmt(field: &str, s: &str) -> Result<i64, MappingError> {
    let bad = || MappingError::InvalidValue {
        field: field.to_string(),
        value: s.to_string(),
        reason: "expected YYYY-MM-DDTHH:MM:SS".into(),
    };
    let b = s.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b' ') || b[13] != b':' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, MappingError> {
        std::str::from_utf8(&b[r]).ok().and_then(|x| x.parse::<i64>().ok()).ok_or_else(bad)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return Err(bad());
    }
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + se)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Grams -> the store's weight string, and back. Kilograms and grams are exact; pounds and
/// ounces round to 4 decimals (WooCommerce keeps what it is given).
pub(crate) fn weight_to_wc(grams: u32, unit: WeightUnit) -> String {
    let g = i128::from(grams);
    // Value in ten-thousandths of the unit.
    let tt = match unit {
        WeightUnit::Kg => g * 10,
        WeightUnit::G => g * 10_000,
        // 1 lb = 453.59237 g, 1 oz = 28.349523125 g.
        WeightUnit::Lbs => (g * 10_000 * 100_000 + 22_679_618) / 45_359_237,
        WeightUnit::Oz => (g * 10_000 * 1_000_000_000 + 14_174_761_562) / 28_349_523_125,
    };
    let s = format!("{}.{:04}", tt / 10_000, tt % 10_000);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

pub(crate) fn weight_from_wc(s: &str, unit: WeightUnit) -> Result<Option<u32>, MappingError> {
    let Some(m) = money_opt("weight", s)? else { return Ok(None) };
    let tt = i128::from(m.ten_thousandths());
    let grams = match unit {
        WeightUnit::Kg => (tt + 5) / 10,
        WeightUnit::G => (tt + 5_000) / 10_000,
        WeightUnit::Lbs => (tt * 45_359_237 + 500_000_000) / 1_000_000_000,
        WeightUnit::Oz => (tt * 28_349_523_125 + 5_000_000_000_000) / 10_000_000_000_000,
    };
    u32::try_from(grams).map(Some).map_err(|_| MappingError::InvalidValue {
        field: "weight".into(),
        value: s.into(),
        reason: "must be a non-negative weight".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt_dates_become_unix_seconds() {
        assert_eq!(parse_gmt("d", "1970-01-01T00:00:00").unwrap(), 0);
        assert_eq!(parse_gmt("d", "2017-03-22T19:28:02").unwrap(), 1_490_210_882);
        assert_eq!(parse_gmt("d", "2024-02-29T12:00:00").unwrap(), 1_709_208_000);
        assert!(parse_gmt("d", "22/03/2017").is_err());
        assert!(parse_gmt("d", "2017-13-01T00:00:00").is_err());
    }

    #[test]
    fn weights_convert_between_grams_and_the_store_unit() {
        for (grams, unit, text) in [
            (1250, WeightUnit::Kg, "1.25"),
            (1000, WeightUnit::Kg, "1"),
            (5, WeightUnit::Kg, "0.005"),
            (1250, WeightUnit::G, "1250"),
            (454, WeightUnit::Lbs, "1.0009"),
            (28, WeightUnit::Oz, "0.9877"),
        ] {
            assert_eq!(weight_to_wc(grams, unit), text, "{grams} g in {unit:?}");
            let back = weight_from_wc(text, unit).unwrap().unwrap();
            assert_eq!(back, grams, "{text} {unit:?}");
        }
        assert_eq!(weight_from_wc("", WeightUnit::Kg).unwrap(), None);
        assert!(weight_from_wc("-1", WeightUnit::Kg).is_err());
    }

    #[test]
    fn auto_assigned_skus_are_stable_per_record() {
        // 000_a48442fb2bf98236.txt:141-142: non-SKU products get SKU numbers assigned.
        assert_eq!(auto_sku(93, 0).as_str(), "WC-93");
        assert_eq!(auto_sku(22, 23).as_str(), "WC-22-23");
    }
}
