//! Tax mapping (product doc 000:57-59): "All tax rules created in your Hike store will be listed
//! on the left and all tax rules in Ecwid will be listed in the dropdown lists". The mapping itself
//! lives in `MappingOptions::tax_map` (Ecwid tax id as text -> POS tax rule id). Ecwid lists its
//! taxes in the store profile (`taxSettings.taxes[]`) and names a product's taxes in
//! `tax.enabledManualTaxes`.

use posbridge_domain::model::{MappingOptions, Money, TaxRate, TaxRule};
use serde_json::{Value, json};

use super::json::{Rec, text, uint};
use crate::MappingError;

/// One Ecwid tax (`taxSettings.taxes[]`: `id`, `name`, `defaultTax` in percent) as a canonical
/// tax rule, for the tax-mapping screen.
pub fn tax_rule_from_ecwid(tax: &Value) -> Result<TaxRule, MappingError> {
    let id = uint(tax, "id").map(|i| i.to_string()).unwrap_or_default();
    let rec = Rec { entity: "tax", record: &id };
    if id.is_empty() {
        return Err(rec.missing("id"));
    }
    let name = text(tax, "name").ok_or_else(|| rec.missing("name"))?.to_string();
    let percent = super::json::money(tax, "defaultTax", rec)?.unwrap_or(Money::ZERO);
    // Percent with up to two decimals = whole basis points.
    let tt = percent.ten_thousandths();
    if tt < 0 || tt % 100 != 0 {
        return Err(rec.invalid("defaultTax", tax.get("defaultTax").unwrap_or(&Value::Null)));
    }
    let bp = u32::try_from(tt / 100).map_err(|_| rec.invalid("defaultTax", &json!(tt)))?;
    Ok(TaxRule { id, name, rate: TaxRate(bp) })
}

/// The Ecwid tax ids enabled on a product (`tax.enabledManualTaxes`).
pub fn product_tax_ids(product: &Value) -> Vec<u64> {
    product
        .get("tax")
        .and_then(|t| t.get("enabledManualTaxes"))
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

/// The POS tax rule for a product's Ecwid taxes: `None` when the product has none, the mapped
/// rule of the first mapped tax otherwise; an unmapped tax is an error the merchant fixes in the
/// tax mapping, never a silent zero rate.
pub fn pos_tax_rule(ecwid_tax_ids: &[u64], opts: &MappingOptions) -> Result<Option<String>, MappingError> {
    let Some(first) = ecwid_tax_ids.first() else { return Ok(None) };
    ecwid_tax_ids
        .iter()
        .find_map(|id| opts.tax_map.get(&id.to_string()).cloned())
        .map(Some)
        .ok_or_else(|| MappingError::UnmappedTax { reference: format!("Ecwid tax {first}") })
}

/// The Ecwid taxes to enable for a POS tax rule (every Ecwid tax mapped to it).
pub fn ecwid_tax_ids(pos_rule: &str, opts: &MappingOptions) -> Result<Vec<u64>, MappingError> {
    let ids: Vec<u64> =
        opts.tax_map.iter().filter(|(_, pos)| pos.as_str() == pos_rule).filter_map(|(e, _)| e.parse().ok()).collect();
    if ids.is_empty() {
        return Err(MappingError::UnmappedTax { reference: format!("POS tax rule {pos_rule}") });
    }
    Ok(ids)
}

/// The `tax` object of an Ecwid product write for a POS tax rule.
pub fn product_tax_json(pos_rule: &str, opts: &MappingOptions) -> Result<Value, MappingError> {
    Ok(json!({ "enabledManualTaxes": ecwid_tax_ids(pos_rule, opts)? }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> MappingOptions {
        let mut o = MappingOptions::default();
        o.tax_map.insert("1117939042".into(), "gst".into());
        o.tax_map.insert("555".into(), "vat".into());
        o.tax_map.insert("556".into(), "vat".into());
        o
    }

    // 000:57-59 tax mapping, both directions.
    #[test]
    fn mapped_taxes_translate_both_ways_and_unmapped_ones_are_errors() {
        let o = opts();
        // Shape from examples/products--search-products--response-example-json.json.
        let product = json!({"tax": {"defaultLocationIncludedTaxRate": 5, "enabledManualTaxes": [1117939042]}});
        assert_eq!(product_tax_ids(&product), vec![1_117_939_042]);
        assert_eq!(pos_tax_rule(&product_tax_ids(&product), &o).unwrap().as_deref(), Some("gst"));
        assert_eq!(pos_tax_rule(&[], &o).unwrap(), None);
        assert_eq!(pos_tax_rule(&[999, 555], &o).unwrap().as_deref(), Some("vat"));
        assert_eq!(pos_tax_rule(&[999], &o).unwrap_err().code(), "unmapped_tax");
        assert_eq!(ecwid_tax_ids("vat", &o).unwrap(), vec![555, 556]);
        assert_eq!(product_tax_json("gst", &o).unwrap(), json!({"enabledManualTaxes": [1117939042u64]}));
        assert_eq!(ecwid_tax_ids("none", &o).unwrap_err().code(), "unmapped_tax");
    }

    #[test]
    fn ecwid_taxes_list_as_tax_rules_with_basis_point_rates() {
        let t = tax_rule_from_ecwid(&json!({"id": 555, "name": "VAT", "enabled": true, "defaultTax": 20})).unwrap();
        assert_eq!(t, TaxRule { id: "555".into(), name: "VAT".into(), rate: TaxRate(2000) });
        let t = tax_rule_from_ecwid(&json!({"id": 7, "name": "Sales tax", "defaultTax": 7.25})).unwrap();
        assert_eq!(t.rate, TaxRate(725));
        assert_eq!(
            tax_rule_from_ecwid(&json!({"id": 7, "name": "x", "defaultTax": 7.255})).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(tax_rule_from_ecwid(&json!({"id": 7})).unwrap_err().code(), "missing_required_field");
    }
}
