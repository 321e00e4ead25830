//! Products and variations: POS simple <-> WooCommerce `simple`, POS with variants <-> WooCommerce
//! `variable` with variations (000:165-167, 001:301-310), and the field map of 001:316-338 with
//! WooCommerce's GTIN (`global_unique_id`) as the barcode.

use std::collections::BTreeMap;

use posbridge_domain::model::{
    Barcode, FieldDirection, MappingOptions, Money, OutletStock, Product, ProductKind, Quantity, Sku, SkuPolicy,
    Variant,
};
use serde_json::{Map, Value, json};

use super::wire::{self, meta_text};
use super::{
    WooContext, auto_sku, entered_price, money_opt, non_empty, price_2dp, prices_from_entered, weight_from_wc,
    weight_to_wc,
};
use crate::errors::{Mapped, MappingError, MappingWarning};

/// Meta key holding the cost price. WooCommerce core has no cost field (PLATFORM-FACTS §3.3); this
/// is the key of the Cost of Goods extension, so merchants who use it see the POS cost there.
pub const COST_META: &str = "_wc_cog_cost";

/// Whether the body creates the WooCommerce product or updates a linked one. Descriptions and
/// images go to WooCommerce on creation, and afterwards only when the merchant chose "both ways"
/// (001:254, 001:260, 000:130-135).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Create,
    Update,
}

/// The body for `POST|PUT /products[/{id}]` and, for variable products, one body per variation
/// for `/products/{id}/variations` (with `id` when the variant is already linked).
#[derive(Debug, Clone, PartialEq)]
pub struct WcProductWrite {
    pub product: Value,
    pub variations: Vec<Value>,
}

/// Whole units of stock WooCommerce shows: the sum over the integration's inventory outlets
/// (000:76-78), floored when the POS holds a fraction (000:114) with a warning.
fn stock_units(stock: &[OutletStock], item: &str, ctx: &WooContext, warnings: &mut Vec<MappingWarning>) -> Option<i64> {
    if ctx.inventory_outlets.is_empty() {
        return None;
    }
    let total = stock
        .iter()
        .filter(|s| ctx.inventory_outlets.contains(&s.outlet_id))
        .fold(Quantity::ZERO, |acc, s| acc.checked_add(s.on_hand).unwrap_or(acc));
    let sent = total.floor_units();
    if !total.is_whole() {
        warnings.push(MappingWarning::FractionalStockFloored { item: item.to_string(), on_hand: total, sent });
    }
    Some(sent)
}

fn price_fields(
    body: &mut Map<String, Value>,
    prices: &posbridge_domain::model::Prices,
    opts: &MappingOptions,
    warnings: &mut Vec<MappingWarning>,
) {
    let regular = entered_price(prices, opts.prices_include_tax, opts.default_tax_rate.0);
    let regular = regular.map(|m| price_2dp("regular_price", m, warnings)).unwrap_or_default();
    let sale = prices.sale.map(|m| price_2dp("sale_price", m, warnings)).unwrap_or_default();
    body.insert("regular_price".into(), json!(regular));
    body.insert("sale_price".into(), json!(sale));
    if let Some(cost) = prices.cost {
        body.insert("meta_data".into(), json!([{ "key": COST_META, "value": cost.to_4dp() }]));
    }
}

fn term_ids(taxonomy: &'static str, names: &[String], ids: &super::TermIds) -> Result<Vec<Value>, MappingError> {
    names
        .iter()
        .map(|n| {
            ids.get(n)
                .map(|id| json!({ "id": id }))
                .ok_or_else(|| MappingError::TermNotLinked { taxonomy, name: n.clone() })
        })
        .collect()
}

/// POS product -> WooCommerce product body (and variation bodies).
pub fn product_to_wc(
    p: &Product,
    opts: &MappingOptions,
    ctx: &WooContext,
    mode: WriteMode,
) -> Result<Mapped<WcProductWrite>, MappingError> {
    // 000:116, 000:171, 001:233, 001:356: only products with the eCommerce channel ticked sync,
    // active or not.
    if !p.ecommerce_channel {
        return Err(MappingError::NotOnEcommerceChannel { name: p.name.clone() });
    }
    let options = match &p.kind {
        // 000:119, 001:238: composites never sync; their components are products of their own.
        ProductKind::Composite { .. } => return Err(MappingError::CompositeNotSynced { name: p.name.clone() }),
        ProductKind::Simple => None,
        ProductKind::WithVariants { options } => Some(options),
    };
    let mut warnings = Vec::new();
    let mut body = Map::new();
    body.insert("name".into(), json!(p.name));
    body.insert("type".into(), json!(if options.is_some() { "variable" } else { "simple" }));
    body.insert("status".into(), json!("publish"));
    if let Some(sku) = &p.sku {
        body.insert("sku".into(), json!(sku.as_str()));
    }
    if let Some(b) = &p.barcode {
        body.insert("global_unique_id".into(), json!(b.as_str()));
    }
    if mode == WriteMode::Create || opts.description == FieldDirection::BothWays {
        body.insert("description".into(), json!(p.description_html.clone().unwrap_or_default()));
    }
    if mode == WriteMode::Create || opts.images == FieldDirection::BothWays {
        let imgs: Vec<Value> = p.images.iter().map(|src| json!({ "src": src })).collect();
        body.insert("images".into(), Value::Array(imgs));
    }
    if let Some(c) = &p.category {
        body.insert("categories".into(), Value::Array(term_ids("category", std::slice::from_ref(c), &ctx.categories)?));
    }
    body.insert("tags".into(), Value::Array(term_ids("tag", &p.tags, &ctx.tags)?));
    if let Some(brand) = &p.brand {
        match &ctx.brands {
            Some(ids) => {
                body.insert("brands".into(), Value::Array(term_ids("brand", std::slice::from_ref(brand), ids)?));
            }
            None => warnings.push(MappingWarning::BrandNotSupported { brand: brand.clone() }),
        }
    }
    if let Some(g) = p.weight_grams {
        body.insert("weight".into(), json!(weight_to_wc(g, ctx.weight_unit)));
    }

    let mut variations = Vec::new();
    match options {
        None => {
            price_fields(&mut body, &p.prices, opts, &mut warnings);
            body.insert("manage_stock".into(), json!(p.track_inventory));
            if p.track_inventory
                && let Some(q) = stock_units(&p.stock, &p.name, ctx, &mut warnings)
            {
                body.insert("stock_quantity".into(), json!(q));
            }
        }
        Some(names) => {
            // Stock lives on the variations (POS variants each have stock).
            body.insert("manage_stock".into(), json!(false));
            let mut attributes = Vec::new();
            for (pos, name) in names.iter().enumerate() {
                let mut values: Vec<&str> = Vec::new();
                for v in &p.variants {
                    let value = v.options.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()).ok_or_else(|| {
                        MappingError::VariantOptionMissing { product: p.name.clone(), option: name.clone() }
                    })?;
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                attributes.push(json!({
                    "name": name, "position": pos, "visible": true, "variation": true, "options": values
                }));
            }
            body.insert("attributes".into(), Value::Array(attributes));
            for v in &p.variants {
                variations.push(variation_to_wc(p, v, names, opts, ctx, &mut warnings));
            }
        }
    }
    Ok(Mapped::new(WcProductWrite { product: Value::Object(body), variations }, warnings))
}

fn variation_to_wc(
    p: &Product,
    v: &Variant,
    names: &[String],
    opts: &MappingOptions,
    ctx: &WooContext,
    warnings: &mut Vec<MappingWarning>,
) -> Value {
    let mut body = Map::new();
    if let Some(link) = v.id.as_ref().and_then(|id| ctx.item_by_pos(id)).filter(|l| l.wc_variation_id != 0) {
        body.insert("id".into(), json!(link.wc_variation_id));
    }
    if let Some(sku) = &v.sku {
        body.insert("sku".into(), json!(sku.as_str()));
    }
    if let Some(b) = &v.barcode {
        body.insert("global_unique_id".into(), json!(b.as_str()));
    }
    price_fields(&mut body, &v.prices, opts, warnings);
    body.insert("manage_stock".into(), json!(p.track_inventory));
    let label = v.sku.as_ref().map(|s| s.as_str().to_string()).unwrap_or_else(|| p.name.clone());
    if p.track_inventory
        && let Some(q) = stock_units(&v.stock, &label, ctx, warnings)
    {
        body.insert("stock_quantity".into(), json!(q));
    }
    let attrs: Vec<Value> = names
        .iter()
        .map(|n| json!({ "name": n, "option": v.options.get(n).map(|s| s.trim()).unwrap_or("") }))
        .collect();
    body.insert("attributes".into(), Value::Array(attrs));
    Value::Object(body)
}

fn parse<T: serde::de::DeserializeOwned>(entity: &'static str, v: &Value) -> Result<T, MappingError> {
    T::deserialize(v).map_err(|source| MappingError::InvalidJson { entity, source })
}

fn sku_or_policy(
    raw: &str,
    name: &str,
    product_id: u64,
    variation_id: u64,
    opts: &MappingOptions,
    warnings: &mut Vec<MappingWarning>,
) -> Result<Sku, MappingError> {
    if let Some(s) = non_empty(raw) {
        return Sku::parse(s).map_err(|e| MappingError::InvalidValue {
            field: "sku".into(),
            value: raw.into(),
            reason: e.to_string(),
        });
    }
    match opts.sku_policy {
        // 000:143-144, 001:275-278: not synced at all.
        SkuPolicy::SkipWithoutSku => Err(MappingError::SkuMissing { name: name.to_string() }),
        // 000:141-142, 001:269-272.
        SkuPolicy::AutoAssign => {
            let sku = auto_sku(product_id, variation_id);
            warnings.push(MappingWarning::SkuAutoAssigned { sku: sku.as_str().to_string() });
            Ok(sku)
        }
    }
}

fn barcode(raw: &str) -> Result<Option<Barcode>, MappingError> {
    non_empty(raw)
        .map(|s| {
            Barcode::parse(s).map_err(|e| MappingError::InvalidValue {
                field: "global_unique_id".into(),
                value: raw.into(),
                reason: e.to_string(),
            })
        })
        .transpose()
}

fn wc_prices(w: &wire::Product, opts: &MappingOptions) -> Result<posbridge_domain::model::Prices, MappingError> {
    let regular = money_opt("regular_price", &w.regular_price)?;
    let sale = money_opt("sale_price", &w.sale_price)?;
    let cost = match meta_text(&w.meta_data, COST_META) {
        Some(c) => Some(Money::parse(&c).map_err(|e| MappingError::InvalidValue {
            field: COST_META.into(),
            value: c.clone(),
            reason: e.to_string(),
        })?),
        None => None,
    };
    Ok(prices_from_entered(regular, sale, cost, opts.prices_include_tax, opts.default_tax_rate.0))
}

/// Stock from WooCommerce lands in the one inventory outlet. With combined outlets, WooCommerce
/// stock never flows back (000:80).
fn wc_stock(w: &wire::Product, ctx: &WooContext) -> Vec<OutletStock> {
    match (w.manage_stock.as_bool(), w.stock_quantity, ctx.inventory_outlets.as_slice()) {
        (Some(true), Some(q), [outlet]) => {
            vec![OutletStock { outlet_id: outlet.clone(), on_hand: Quantity::units(q), visible: true, price: None }]
        }
        _ => Vec::new(),
    }
}

/// WooCommerce's placeholder category; a product in it has no product type.
const UNCATEGORIZED: &str = "uncategorized";

/// WooCommerce product (and its variations, for `variable`) -> POS product.
pub fn product_from_wc(
    product: &Value,
    variations: &[Value],
    opts: &MappingOptions,
    ctx: &WooContext,
) -> Result<Mapped<Product>, MappingError> {
    let w: wire::Product = parse("product", product)?;
    let mut warnings = Vec::new();
    match w.kind.as_str() {
        "simple" | "variable" => {}
        // 002:51-53: sales with composite products do not sync; the same holds for the products.
        "composite" | "bundle" => return Err(MappingError::CompositeNotSynced { name: w.name }),
        other => return Err(MappingError::UnsupportedProductType { product_type: other.to_string() }),
    }
    let variable = w.kind == "variable";
    let sku = if variable {
        non_empty(&w.sku).map(|s| sku_or_policy(&s, &w.name, w.id, 0, opts, &mut warnings)).transpose()?
    } else {
        Some(sku_or_policy(&w.sku, &w.name, w.id, 0, opts, &mut warnings)?)
    };
    let mut categories = w.categories.iter().map(|c| c.name.trim()).filter(|n| !n.eq_ignore_ascii_case(UNCATEGORIZED));
    let category = categories.next().map(str::to_string);
    let ignored: Vec<String> = categories.map(str::to_string).collect();
    if let (Some(kept), false) = (&category, ignored.is_empty()) {
        warnings.push(MappingWarning::ExtraCategoriesIgnored { kept: kept.clone(), ignored });
    }
    let mut out = Product {
        id: ctx.item_by_wc(w.id, 0).map(|l| l.pos_id.clone()),
        name: w.name.trim().to_string(),
        sku,
        barcode: barcode(&w.global_unique_id)?,
        description_html: non_empty(&w.description),
        kind: ProductKind::Simple,
        variants: Vec::new(),
        track_inventory: w.manage_stock.as_bool() == Some(true),
        prices: wc_prices(&w, opts)?,
        category,
        brand: w.brands.first().and_then(|b| non_empty(&b.name)),
        tags: w.tags.iter().filter_map(|t| non_empty(&t.name)).collect(),
        images: w.images.iter().filter_map(|i| non_empty(&i.src)).collect(),
        active: w.status == "publish",
        ecommerce_channel: true,
        stock: if variable { Vec::new() } else { wc_stock(&w, ctx) },
        weight_grams: weight_from_wc(&w.weight, ctx.weight_unit)?,
    };
    if variable {
        let names: Vec<String> =
            w.attributes.iter().filter(|a| a.variation).filter_map(|a| non_empty(&a.name)).collect();
        for raw in variations {
            let v: wire::Product = parse("variation", raw)?;
            let mut options = BTreeMap::new();
            for n in &names {
                let value = v
                    .attributes
                    .iter()
                    .find(|a| a.name.trim().eq_ignore_ascii_case(n))
                    .and_then(|a| non_empty(&a.option))
                    .ok_or_else(|| MappingError::VariantOptionMissing {
                        product: out.name.clone(),
                        option: n.clone(),
                    })?;
                options.insert(n.clone(), value);
            }
            let label = format!("{} ({})", out.name, options.values().cloned().collect::<Vec<_>>().join(", "));
            let tracked = v.manage_stock.as_bool() == Some(true);
            out.track_inventory |= tracked;
            out.variants.push(Variant {
                id: ctx.item_by_wc(w.id, v.id).map(|l| l.pos_id.clone()),
                sku: Some(sku_or_policy(&v.sku, &label, w.id, v.id, opts, &mut warnings)?),
                barcode: barcode(&v.global_unique_id)?,
                options,
                prices: wc_prices(&v, opts)?,
                stock: if tracked { wc_stock(&v, ctx) } else { Vec::new() },
            });
        }
        out.kind = ProductKind::WithVariants { options: names };
    }
    Ok(Mapped::new(out, warnings))
}

#[cfg(test)]
mod tests {
    use super::super::TermIds;
    use super::*;
    use posbridge_domain::model::{PosId, Prices, TaxRate};

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn outlet() -> PosId {
        PosId::parse("outlet-1").unwrap()
    }

    fn ctx() -> WooContext {
        WooContext {
            inventory_outlets: vec![outlet()],
            categories: TermIds::from([("Mugs", 9), ("Shirts", 10)]),
            tags: TermIds::from([("gift", 33)]),
            brands: Some(TermIds::from([("Acme", 70)])),
            ..WooContext::default()
        }
    }

    fn opts(inc: bool) -> MappingOptions {
        MappingOptions { prices_include_tax: inc, default_tax_rate: TaxRate(1000), ..MappingOptions::default() }
    }

    fn stock(q: &str) -> Vec<OutletStock> {
        vec![OutletStock { outlet_id: outlet(), on_hand: Quantity::parse(q).unwrap(), visible: true, price: None }]
    }

    fn mug() -> Product {
        Product {
            id: None,
            name: "Mug".into(),
            sku: Some(Sku::parse("MUG-1").unwrap()),
            barcode: Some(Barcode::parse("9300000000001").unwrap()),
            description_html: Some("<p>Big <b>mug</b></p>".into()),
            kind: ProductKind::Simple,
            variants: vec![],
            track_inventory: true,
            prices: Prices {
                retail_ex_tax: Some(m("10")),
                retail_inc_tax: Some(m("11")),
                cost: Some(m("4.5")),
                sale: Some(m("9.90")),
            },
            category: Some("Mugs".into()),
            brand: Some("Acme".into()),
            tags: vec!["gift".into()],
            images: vec!["https://img.example/mug.jpg".into()],
            active: true,
            ecommerce_channel: true,
            stock: stock("7"),
            weight_grams: Some(350),
        }
    }

    fn tee() -> Product {
        let variant = |sku: &str, size: &str, colour: &str, q: &str| Variant {
            id: None,
            sku: Some(Sku::parse(sku).unwrap()),
            barcode: None,
            options: BTreeMap::from([
                ("Size".to_string(), size.to_string()),
                ("Colour".to_string(), colour.to_string()),
            ]),
            prices: Prices { retail_ex_tax: Some(m("20")), retail_inc_tax: Some(m("22")), cost: None, sale: None },
            stock: stock(q),
        };
        Product {
            name: "Tee".into(),
            sku: Some(Sku::parse("TEE").unwrap()),
            barcode: None,
            kind: ProductKind::WithVariants { options: vec!["Size".into(), "Colour".into()] },
            variants: vec![variant("TEE-S-R", "S", "Red", "3"), variant("TEE-M-R", "M", "Red", "0")],
            prices: Prices::default(),
            stock: vec![],
            category: Some("Shirts".into()),
            brand: None,
            tags: vec![],
            ..mug()
        }
    }

    /// What WooCommerce answers for a body it accepted (ids and the stored fields).
    fn echo(body: &Value, id: u64) -> Value {
        let mut v = body.clone();
        v["id"] = json!(id);
        v
    }

    #[test]
    fn field_map_rows_reach_their_woocommerce_fields() {
        // Rows: the field map of 001_0c79d532016484cd.txt:316-338, WooCommerce names per
        // PLATFORM-FACTS §3.3 (barcode = GTIN `global_unique_id`, cost in meta, brand = brands).
        let w = product_to_wc(&mug(), &opts(false), &ctx(), WriteMode::Create).unwrap().value.product;
        for (doc, field, expected) in [
            ("001:316 name", "name", json!("Mug")),
            ("001:318 SKU", "sku", json!("MUG-1")),
            ("001:320 barcode -> GTIN", "global_unique_id", json!("9300000000001")),
            ("001:324 description", "description", json!("<p>Big <b>mug</b></p>")),
            ("001:326 track inventory", "manage_stock", json!(true)),
            ("001:328 cost", "meta_data", json!([{ "key": COST_META, "value": "4.5000" }])),
            ("001:330 retail ex tax (tax-exclusive store)", "regular_price", json!("10.00")),
            ("001:334 stock", "stock_quantity", json!(7)),
            ("001:336 product type -> category", "categories", json!([{ "id": 9 }])),
            ("001:338 brand", "brands", json!([{ "id": 70 }])),
            ("001:122 shipping details (weight)", "weight", json!("0.35")),
            ("001:304-306 simple stays simple", "type", json!("simple")),
            ("sale price", "sale_price", json!("9.90")),
            ("tags", "tags", json!([{ "id": 33 }])),
        ] {
            assert_eq!(w[field], expected, "{doc}");
        }
    }

    #[test]
    fn retail_price_follows_the_tax_inclusive_setting_both_ways() {
        // 000_a48442fb2bf98236.txt:19, 001_0c79d532016484cd.txt:22 and :330-332.
        for (doc, inc, retail_ex, retail_inc, wc_regular, back_ex, back_inc) in [
            ("000:19 tax-inclusive", true, Some("10"), Some("11"), "11.00", "10", "11"),
            ("000:19 tax-exclusive", false, Some("10"), Some("11"), "10.00", "10", "11"),
            ("001:332 inc only, exclusive store derives ex", false, None, Some("11"), "10.00", "10", "11"),
            ("001:330 ex only, inclusive store derives inc", true, Some("10"), None, "11.00", "10", "11"),
        ] {
            let mut p = mug();
            p.prices.retail_ex_tax = retail_ex.map(m);
            p.prices.retail_inc_tax = retail_inc.map(m);
            let w = product_to_wc(&p, &opts(inc), &ctx(), WriteMode::Create).unwrap().value.product;
            assert_eq!(w["regular_price"], json!(wc_regular), "{doc}");
            let back = product_from_wc(&echo(&w, 5), &[], &opts(inc), &ctx()).unwrap().value;
            assert_eq!(back.prices.retail_ex_tax, Some(m(back_ex)), "{doc}");
            assert_eq!(back.prices.retail_inc_tax, Some(m(back_inc)), "{doc}");
        }
    }

    #[test]
    fn prices_with_more_than_cents_are_rounded_with_a_warning() {
        let mut p = mug();
        p.prices.retail_ex_tax = Some(m("10.1234"));
        let out = product_to_wc(&p, &opts(false), &ctx(), WriteMode::Create).unwrap();
        assert_eq!(out.value.product["regular_price"], json!("10.12"));
        assert!(out.warnings.iter().any(|w| matches!(w, MappingWarning::PriceRounded { field: "regular_price", .. })));
    }

    #[test]
    fn description_and_images_follow_the_direction_preference() {
        // 000:130, 000:135, 001:254, 001:260: recommended one-way (web store -> POS); a new
        // product's description and images still go to the web store once.
        use FieldDirection::{BothWays, PlatformToPos};
        for (doc, dir, mode, sent) in [
            ("001:260 new product still sends images", PlatformToPos, WriteMode::Create, true),
            ("001:254 one-way: updates keep the store's HTML", PlatformToPos, WriteMode::Update, false),
            ("000:130 both ways: updates send", BothWays, WriteMode::Update, true),
        ] {
            let o = MappingOptions { description: dir, images: dir, ..opts(false) };
            let w = product_to_wc(&mug(), &o, &ctx(), mode).unwrap().value.product;
            assert_eq!(w.get("description").is_some(), sent, "{doc}");
            assert_eq!(w.get("images").is_some(), sent, "{doc}");
        }
        // Web store -> POS always carries them, HTML kept intact (000:130).
        let w = json!({ "id": 1, "type": "simple", "name": "Mug", "sku": "M", "description": "<h2>Hi</h2><ul><li>x</li></ul>",
                        "images": [{ "id": 3, "src": "https://s/a.png" }] });
        for dir in [PlatformToPos, BothWays] {
            let o = MappingOptions { description: dir, images: dir, ..opts(false) };
            let p = product_from_wc(&w, &[], &o, &ctx()).unwrap().value;
            assert_eq!(p.description_html.as_deref(), Some("<h2>Hi</h2><ul><li>x</li></ul>"));
            assert_eq!(p.images, vec!["https://s/a.png".to_string()]);
        }
    }

    #[test]
    fn variants_become_a_variable_product_with_variations_and_back() {
        // 000:165-167, 001:301-310.
        let out = product_to_wc(&tee(), &opts(false), &ctx(), WriteMode::Create).unwrap().value;
        assert_eq!(out.product["type"], json!("variable"));
        assert_eq!(
            out.product["attributes"],
            json!([
                { "name": "Size", "position": 0, "visible": true, "variation": true, "options": ["S", "M"] },
                { "name": "Colour", "position": 1, "visible": true, "variation": true, "options": ["Red"] }
            ])
        );
        assert_eq!(out.variations.len(), 2);
        assert_eq!(out.variations[0]["sku"], json!("TEE-S-R"));
        assert_eq!(
            out.variations[0]["attributes"],
            json!([{ "name": "Size", "option": "S" }, { "name": "Colour", "option": "Red" }])
        );
        assert_eq!(out.variations[0]["stock_quantity"], json!(3));
        assert_eq!(out.variations[1]["regular_price"], json!("20.00"));
        let vars: Vec<Value> = out.variations.iter().enumerate().map(|(i, v)| echo(v, 100 + i as u64)).collect();
        let back = product_from_wc(&echo(&out.product, 99), &vars, &opts(false), &ctx()).unwrap().value;
        assert_eq!(back.kind, tee().kind);
        assert_eq!(back.variants, tee().variants);
    }

    #[test]
    fn a_variant_without_a_value_for_an_option_is_refused() {
        let mut p = tee();
        p.variants[1].options.remove("Colour");
        let e = product_to_wc(&p, &opts(false), &ctx(), WriteMode::Create).unwrap_err();
        assert_eq!(e.code(), "variant_option_missing");
        // WooCommerce "Any Size" variations (empty option) cannot become a POS variant.
        let parent = json!({ "id": 1, "type": "variable", "name": "Tee", "attributes": [{ "name": "Size", "variation": true, "options": ["S"] }] });
        let any = json!({ "id": 2, "sku": "T", "attributes": [{ "name": "Size", "option": "" }] });
        assert_eq!(
            product_from_wc(&parent, &[any], &opts(false), &ctx()).unwrap_err().code(),
            "variant_option_missing"
        );
    }

    #[test]
    fn composites_and_products_off_the_ecommerce_channel_do_not_sync() {
        let mut c = mug();
        c.kind = ProductKind::Composite { components: vec![] };
        // 000:119, 001:238.
        assert_eq!(
            product_to_wc(&c, &opts(false), &ctx(), WriteMode::Create).unwrap_err().code(),
            "composite_not_synced"
        );
        // 000:171, 001:356: the channel tick decides, not the active flag.
        let mut off = mug();
        off.ecommerce_channel = false;
        let e = product_to_wc(&off, &opts(false), &ctx(), WriteMode::Create).unwrap_err();
        assert!(e.is_skip() && e.code() == "not_on_ecommerce_channel");
        let mut inactive = mug();
        inactive.active = false;
        assert!(product_to_wc(&inactive, &opts(false), &ctx(), WriteMode::Create).is_ok());
        // 002:51-53: only simple and variable WooCommerce products sync.
        for (t, code) in [
            ("composite", "composite_not_synced"),
            ("bundle", "composite_not_synced"),
            ("grouped", "unsupported_product_type"),
            ("external", "unsupported_product_type"),
        ] {
            let w = json!({ "id": 1, "type": t, "name": "X", "sku": "X" });
            assert_eq!(product_from_wc(&w, &[], &opts(false), &ctx()).unwrap_err().code(), code, "{t}");
        }
    }

    #[test]
    fn products_without_sku_follow_the_sku_policy() {
        // 000:137-144, 001:262-278.
        let w = json!({ "id": 93, "type": "simple", "name": "Loose tea", "sku": "" });
        let skip = MappingOptions { sku_policy: SkuPolicy::SkipWithoutSku, ..opts(false) };
        let e = product_from_wc(&w, &[], &skip, &ctx()).unwrap_err();
        assert_eq!(e.code(), "sku_missing");
        assert!(e.is_skip());
        let auto = MappingOptions { sku_policy: SkuPolicy::AutoAssign, ..opts(false) };
        let p = product_from_wc(&w, &[], &auto, &ctx()).unwrap();
        assert_eq!(p.value.sku.unwrap().as_str(), "WC-93");
        assert_eq!(p.warnings, vec![MappingWarning::SkuAutoAssigned { sku: "WC-93".into() }]);
    }

    #[test]
    fn fractional_stock_is_floored_and_flagged() {
        // 000:114 and 001:227: fraction sales cause stock problems on the web store; posbridge
        // never promises more than there is and says so.
        let mut p = mug();
        p.stock = stock("2.5");
        let out = product_to_wc(&p, &opts(false), &ctx(), WriteMode::Update).unwrap();
        assert_eq!(out.value.product["stock_quantity"], json!(2));
        assert!(matches!(out.warnings[0], MappingWarning::FractionalStockFloored { sent: 2, .. }));
    }

    #[test]
    fn combined_outlets_add_up_and_never_flow_back() {
        // 000:76-80: the store shows the sum; WooCommerce stock counts do not sync to the POS.
        let second = PosId::parse("outlet-2").unwrap();
        let mut c = ctx();
        c.inventory_outlets.push(second.clone());
        let mut p = mug();
        p.stock.push(OutletStock { outlet_id: second, on_hand: Quantity::units(4), visible: true, price: None });
        p.stock.push(OutletStock {
            outlet_id: PosId::parse("elsewhere").unwrap(),
            on_hand: Quantity::units(50),
            visible: true,
            price: None,
        });
        let w = product_to_wc(&p, &opts(false), &c, WriteMode::Update).unwrap().value.product;
        assert_eq!(w["stock_quantity"], json!(11));
        assert!(product_from_wc(&echo(&w, 1), &[], &opts(false), &c).unwrap().value.stock.is_empty());
        assert_eq!(
            product_from_wc(&echo(&w, 1), &[], &opts(false), &ctx()).unwrap().value.stock[0].on_hand,
            Quantity::units(11)
        );
    }

    #[test]
    fn untracked_products_send_no_stock() {
        let mut p = mug();
        p.track_inventory = false;
        let w = product_to_wc(&p, &opts(false), &ctx(), WriteMode::Update).unwrap().value.product;
        assert_eq!(w["manage_stock"], json!(false));
        assert!(w.get("stock_quantity").is_none());
    }

    #[test]
    fn categories_tags_and_brands_need_their_woocommerce_terms() {
        let mut p = mug();
        p.category = Some("Plates".into());
        let e = product_to_wc(&p, &opts(false), &ctx(), WriteMode::Create).unwrap_err();
        assert_eq!(e.code(), "term_not_linked");
        assert!(e.is_retryable());
        let no_brands = WooContext { brands: None, ..ctx() };
        let out = product_to_wc(&mug(), &opts(false), &no_brands, WriteMode::Create).unwrap();
        assert!(out.value.product.get("brands").is_none());
        assert_eq!(out.warnings, vec![MappingWarning::BrandNotSupported { brand: "Acme".into() }]);
        // Several WooCommerce categories: the first real one becomes the product type.
        let w = json!({ "id": 1, "type": "simple", "name": "X", "sku": "X",
            "categories": [{ "id": 15, "name": "Uncategorized" }, { "id": 9, "name": "Mugs" }, { "id": 10, "name": "Gifts" }] });
        let p = product_from_wc(&w, &[], &opts(false), &ctx()).unwrap();
        assert_eq!(p.value.category.as_deref(), Some("Mugs"));
        assert_eq!(
            p.warnings,
            vec![MappingWarning::ExtraCategoriesIgnored { kept: "Mugs".into(), ignored: vec!["Gifts".into()] }]
        );
    }

    #[test]
    fn reads_the_reference_example_products() {
        let w = json!({
            "id": 799, "name": "Ship Your Idea", "type": "variable", "status": "publish", "sku": "", "price": "",
            "regular_price": "", "sale_price": "", "manage_stock": false, "stock_quantity": null, "weight": "",
            "categories": [{ "id": 9, "name": "Clothing", "slug": "clothing" }], "tags": [],
            "images": [{ "id": 795, "src": "https://example.com/wp-content/uploads/2017/03/T_4_front-11.jpg", "name": "", "alt": "" }],
            "attributes": [{ "id": 6, "name": "Color", "position": 0, "visible": false, "variation": true, "options": ["Black", "Green"] },
                           { "id": 0, "name": "Size", "position": 0, "visible": true, "variation": true, "options": ["S", "M"] }],
            "meta_data": []
        });
        let v = json!({ "id": 732, "sku": "", "price": "9.00", "regular_price": "9.00", "sale_price": "", "manage_stock": "parent",
            "stock_quantity": null, "image": null, "attributes": [{ "id": 6, "name": "Color", "option": "Black" }, { "id": 0, "name": "Size", "option": "M" }],
            "meta_data": [] });
        let p = product_from_wc(&w, &[v], &opts(true), &ctx()).unwrap();
        assert_eq!(p.value.kind, ProductKind::WithVariants { options: vec!["Color".into(), "Size".into()] });
        assert_eq!(p.value.sku, None);
        let var = &p.value.variants[0];
        assert_eq!(var.sku.as_ref().unwrap().as_str(), "WC-799-732");
        assert_eq!(var.prices.retail_inc_tax, Some(m("9")));
        assert!(var.stock.is_empty(), "\"parent\" stock is not per variant");
        assert_eq!(p.value.category.as_deref(), Some("Clothing"));
    }
}
