//! Products, variations, categories and stock.
//!
//! Field map (the BigCommerce field map, 001:316-338, applied to Ecwid's fields):
//!
//! | POS | Ecwid |
//! |---|---|
//! | product name | `name` |
//! | SKU | `sku` (product or variation) |
//! | barcode | attribute of type `UPC` (written with `alias: "UPC"`) |
//! | variants | `options` (type `SELECT`) + `combinations[].options` |
//! | description | `description` (HTML) |
//! | track inventory | `unlimited` (inverted) |
//! | cost price | `costPrice` |
//! | retail ex / inc tax | `price`, per the tax-inclusive setting |
//! | stock | `quantity` (whole units) |
//! | product type | category (`categoryIds`, `defaultCategoryId`) |
//! | brand | attribute of type `BRAND` |
//! | weight | `weight` in the store's unit |

use std::collections::{BTreeMap, BTreeSet};

use posbridge_domain::model::{
    Barcode, Category, FieldDirection, MappingOptions, Money, OutletStock, Prices, Product, ProductKind, Quantity, Sku,
    SkuPolicy, Variant,
};
use serde_json::{Map, Value, json};

use super::json::{Rec, boolean, both_prices, money, money_json, text, uint, whole_quantity, whole_units};
use super::{EcwidContext, WeightUnit, WriteKind};
use crate::MappingError;

/// What posbridge sends to Ecwid for one POS product.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductWrite {
    pub kind: WriteKind,
    /// Body of `POST /products` (create) or `PUT /products/{id}` (update, partial).
    pub product: Value,
    /// Variations, written after the product: `POST /products/{id}/combinations` when `id` is
    /// `None`, `PUT /products/{id}/combinations/{combinationId}` otherwise.
    pub combinations: Vec<CombinationWrite>,
    /// Image URLs to upload (`POST /products/{id}/image?externalUrl=`, the rest to the
    /// gallery). Empty when image changes do not flow to Ecwid.
    pub images: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CombinationWrite {
    pub id: Option<u64>,
    pub body: Value,
}

/// The SKU posbridge assigns to an Ecwid product or variation without one, under "Sync non-SKU
/// products to Hike and auto-assign SKU numbers" (000:141-142). Derived from Ecwid's ids, so the
/// same product always gets the same SKU and order lines can find it again.
pub fn auto_sku(product_id: u64, combination_id: Option<u64>) -> Sku {
    let s = match combination_id {
        Some(c) => format!("ECWID-{product_id}-{c}"),
        None => format!("ECWID-{product_id}"),
    };
    Sku::parse(s).expect("a generated SKU is never empty")
}

fn sku_of(
    v: &Value,
    rec: Rec<'_>,
    policy: SkuPolicy,
    fallback: impl FnOnce() -> Option<Sku>,
) -> Result<Sku, MappingError> {
    if let Some(s) = text(v, "sku") {
        return Sku::parse(s).map_err(|_| rec.invalid("sku", &json!(s)));
    }
    match policy {
        SkuPolicy::SkipWithoutSku => Err(MappingError::MissingSku { entity: rec.entity, record: rec.record.into() }),
        SkuPolicy::AutoAssign => fallback().ok_or_else(|| rec.missing("id")),
    }
}

/// The value of the first attribute of a kind (`UPC`, `BRAND`), by `type` as Ecwid returns it or
/// by `alias` as it is written.
fn attribute<'a>(v: &'a Value, kind: &str) -> Option<&'a str> {
    v.get("attributes")?.as_array()?.iter().find_map(|a| {
        let is_kind =
            a.get("type").and_then(Value::as_str) == Some(kind) || a.get("alias").and_then(Value::as_str) == Some(kind);
        if is_kind { text(a, "value") } else { None }
    })
}

fn barcode_of(v: &Value, rec: Rec<'_>) -> Result<Option<Barcode>, MappingError> {
    attribute(v, "UPC").map(|s| Barcode::parse(s).map_err(|_| rec.invalid("UPC attribute", &json!(s)))).transpose()
}

fn grams_per_unit_millionths(unit: WeightUnit) -> i128 {
    // Exact: 1 lb = 453.59237 g, 1 oz = 28.349523125 g (rounded to a millionth of a gram).
    match unit {
        WeightUnit::Kilogram => 1_000_000_000,
        WeightUnit::Gram => 1_000_000,
        WeightUnit::Pound => 453_592_370,
        WeightUnit::Ounce => 28_349_523,
    }
}

fn weight_grams(v: &Value, rec: Rec<'_>, unit: WeightUnit) -> Result<Option<u32>, MappingError> {
    let Some(w) = money(v, "weight", rec)? else { return Ok(None) };
    // `money` reads any decimal with 4 places; weight uses the same exact reader.
    let tt = i128::from(w.ten_thousandths());
    if tt < 0 {
        return Err(rec.invalid("weight", v.get("weight").unwrap_or(&Value::Null)));
    }
    let num = tt * grams_per_unit_millionths(unit);
    let den: i128 = 10_000 * 1_000_000;
    let grams = (num + den / 2) / den;
    u32::try_from(grams).map(Some).map_err(|_| rec.invalid("weight", v.get("weight").unwrap_or(&Value::Null)))
}

fn weight_json(grams: u32, unit: WeightUnit) -> Value {
    // Units with 3-4 decimals keep grams exact for kg and g; lb and oz round to 4 decimals.
    let per = grams_per_unit_millionths(unit);
    let tt = (i128::from(grams) * 10_000 * 1_000_000 + per / 2) / per;
    let text = format!("{}.{:04}", tt / 10_000, tt % 10_000);
    let m = Money::parse(&text).unwrap_or(Money::ZERO);
    if m.ten_thousandths() % 10_000 == 0 {
        Value::from(m.ten_thousandths() / 10_000)
    } else {
        text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
    }
}

fn images_of(p: &Value) -> Vec<String> {
    let mut found: Vec<(bool, i64, String)> = p
        .get("media")
        .and_then(|m| m.get("images"))
        .and_then(Value::as_array)
        .map(|imgs| {
            imgs.iter()
                .filter_map(|i| {
                    let url =
                        ["imageOriginalUrl", "image1500pxUrl", "image800pxUrl"].iter().find_map(|k| text(i, k))?;
                    let order = i.get("orderBy").and_then(Value::as_i64).unwrap_or(i64::MAX);
                    Some((!boolean(i, "isMain").unwrap_or(false), order, url.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|a| (a.0, a.1));
    let mut urls: Vec<String> = found.into_iter().map(|(_, _, u)| u).collect();
    if urls.is_empty()
        && let Some(u) = text(p, "originalImageUrl").or_else(|| text(p, "imageUrl"))
    {
        urls.push(u.to_string());
    }
    urls
}

fn outlet_stock(ctx: &EcwidContext, q: Option<Quantity>) -> Vec<OutletStock> {
    match (ctx.ecwid_stock_flows_to_pos(), q, ctx.inventory.outlets().first()) {
        (true, Some(on_hand), Some(outlet)) => {
            vec![OutletStock { outlet_id: outlet.clone(), on_hand, visible: true, price: None }]
        }
        _ => Vec::new(),
    }
}

fn prices_from(entered: Option<Money>, cost: Option<Money>, opts: &MappingOptions) -> Prices {
    let (ex, inc) = match entered {
        Some(m) => {
            let (ex, inc) = both_prices(m, opts.prices_include_tax, opts.default_tax_rate.0);
            (Some(ex), Some(inc))
        }
        None => (None, None),
    };
    Prices { retail_ex_tax: ex, retail_inc_tax: inc, cost, sale: None }
}

/// An Ecwid product (as `GET /products/{id}` returns it) as a canonical product.
pub fn product_from_ecwid(p: &Value, opts: &MappingOptions, ctx: &EcwidContext) -> Result<Product, MappingError> {
    let pid = uint(p, "id");
    let id_text = pid.map(|i| i.to_string()).unwrap_or_else(|| text(p, "name").unwrap_or("(no id)").to_string());
    let rec = Rec { entity: "product", record: &id_text };
    let name = text(p, "name").ok_or_else(|| rec.missing("name"))?.to_string();
    let sku = sku_of(p, rec, opts.sku_policy, || pid.map(|i| auto_sku(i, None)))?;
    let price = money(p, "price", rec)?;
    let product_unlimited = boolean(p, "unlimited").unwrap_or(p.get("quantity").is_none());
    let stock_q = whole_quantity(p, "quantity", rec, || format!("Ecwid product {id_text} stock"))?;

    let combos = p.get("combinations").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let mut variants = Vec::with_capacity(combos.len());
    let mut option_order: Vec<String> = Vec::new();
    let mut any_tracked = false;
    for c in combos {
        let cid = uint(c, "id");
        let c_text = format!("{id_text} variation {}", cid.map(|i| i.to_string()).unwrap_or_default());
        let crec = Rec { entity: "variation", record: &c_text };
        let vsku = sku_of(c, crec, opts.sku_policy, || pid.zip(cid).map(|(p, c)| auto_sku(p, Some(c))))?;
        let mut options = BTreeMap::new();
        for o in c.get("options").and_then(Value::as_array).into_iter().flatten() {
            let (Some(n), Some(v)) = (text(o, "name"), text(o, "value")) else { continue };
            if !option_order.iter().any(|x| x == n) {
                option_order.push(n.to_string());
            }
            options.insert(n.to_string(), v.to_string());
        }
        let tracked = !boolean(c, "unlimited").unwrap_or(product_unlimited);
        any_tracked |= tracked;
        let q = whole_quantity(c, "quantity", crec, || format!("Ecwid variation {c_text} stock"))?;
        variants.push(Variant {
            id: None,
            sku: Some(vsku),
            barcode: barcode_of(c, crec)?,
            options,
            prices: prices_from(money(c, "price", crec)?.or(price), None, opts),
            stock: if tracked { outlet_stock(ctx, q) } else { Vec::new() },
        });
    }
    // Option order as the product declares it, then any only the variations name.
    let declared: Vec<String> = p
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| text(o, "name").map(str::to_string))
        .filter(|n| option_order.contains(n))
        .collect();
    let mut options = declared.clone();
    options.extend(option_order.into_iter().filter(|n| !declared.contains(n)));

    let track_inventory = if variants.is_empty() { !product_unlimited } else { any_tracked };
    let category = match uint(p, "defaultCategoryId")
        .filter(|c| *c != 0)
        .or_else(|| p.get("categoryIds").and_then(Value::as_array).and_then(|ids| ids.iter().find_map(Value::as_u64)))
    {
        None => None,
        Some(cid) => Some(
            ctx.category_by_id(cid)
                .map(|c| c.name.clone())
                .ok_or_else(|| MappingError::UnknownCategory { reference: format!("Ecwid category {cid}") })?,
        ),
    };
    Ok(Product {
        id: None,
        name,
        sku: Some(sku),
        barcode: barcode_of(p, rec)?,
        description_html: p
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .map(str::to_string),
        kind: if variants.is_empty() { ProductKind::Simple } else { ProductKind::WithVariants { options } },
        variants,
        track_inventory,
        prices: prices_from(price, money(p, "costPrice", rec)?, opts),
        category,
        brand: attribute(p, "BRAND").map(str::to_string),
        tags: Vec::new(),
        images: images_of(p),
        active: boolean(p, "enabled").unwrap_or(true),
        ecommerce_channel: true,
        stock: if track_inventory && combos.is_empty() { outlet_stock(ctx, stock_q) } else { Vec::new() },
        weight_grams: weight_grams(p, rec, ctx.weight_unit)?,
    })
}

/// The price Ecwid shows: the one the merchant entered under the tax-inclusive setting (000:19),
/// derived from the other one with the default rate when only that one is known.
fn entered_price(prices: &Prices, opts: &MappingOptions) -> Option<Money> {
    let rate = opts.default_tax_rate.0;
    if opts.prices_include_tax {
        prices.retail_inc_tax.or_else(|| prices.retail_ex_tax.map(|m| m.add_tax(rate)))
    } else {
        prices.retail_ex_tax.or_else(|| prices.retail_inc_tax.map(|m| m.remove_tax(rate)))
    }
}

/// Stock Ecwid should show: the inventory outlet's, or the sum of the combined outlets (000:76-79).
/// `Ok(None)` when no level is known for those outlets (nothing is written then).
pub fn stock_to_ecwid(stock: &[OutletStock], ctx: &EcwidContext, what: &str) -> Result<Option<i64>, MappingError> {
    let outlets = ctx.inventory.outlets();
    let mut total: Option<Quantity> = None;
    for s in stock.iter().filter(|s| outlets.contains(&s.outlet_id)) {
        let sum = total.unwrap_or(Quantity::ZERO).checked_add(s.on_hand).ok_or_else(|| MappingError::InvalidField {
            entity: "stock",
            record: what.into(),
            field: "on_hand",
            value: s.on_hand.to_string(),
        })?;
        total = Some(sum);
    }
    total.map(|q| whole_units(q, || format!("{what} stock"))).transpose()
}

fn stock_fields(
    body: &mut Map<String, Value>,
    track: bool,
    stock: &[OutletStock],
    ctx: &EcwidContext,
    what: &str,
) -> Result<(), MappingError> {
    body.insert("unlimited".into(), json!(!track));
    if track && let Some(q) = stock_to_ecwid(stock, ctx, what)? {
        body.insert("quantity".into(), json!(q));
    }
    Ok(())
}

fn attributes_json(existing: Option<&Value>, barcode: Option<&Barcode>, brand: Option<&str>) -> Value {
    // Keep the merchant's other attributes on update; replace only UPC and BRAND.
    let mut out: Vec<Value> = existing
        .and_then(|e| e.get("attributes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| {
            let t = a.get("type").and_then(Value::as_str).or_else(|| a.get("alias").and_then(Value::as_str));
            !matches!(t, Some("UPC" | "BRAND"))
        })
        .filter_map(|a| {
            Some(json!({ "id": a.get("id")?.as_u64()?, "value": a.get("value").cloned().unwrap_or(json!("")) }))
        })
        .collect();
    if let Some(b) = barcode {
        out.push(json!({ "alias": "UPC", "value": b.as_str() }));
    }
    if let Some(b) = brand.map(str::trim).filter(|b| !b.is_empty()) {
        out.push(json!({ "alias": "BRAND", "value": b }));
    }
    Value::Array(out)
}

fn existing_combination(existing: Option<&Value>, sku: &Sku, options: &BTreeMap<String, String>) -> Option<u64> {
    let combos = existing?.get("combinations")?.as_array()?;
    combos.iter().find_map(|c| {
        let same_sku = text(c, "sku").is_some_and(|s| s.to_lowercase() == sku.key());
        let theirs: BTreeMap<String, String> = c
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|o| Some((text(o, "name")?.to_string(), text(o, "value")?.to_string())))
            .collect();
        if same_sku || (!options.is_empty() && &theirs == options) { uint(c, "id") } else { None }
    })
}

/// A POS product as an Ecwid write. `existing` is the linked Ecwid product (as `GET` returns it)
/// for an update, `None` to create one. `tax_rule` is the product's POS tax rule, translated
/// through the tax mapping (000:57-59).
pub fn product_to_ecwid(
    product: &Product,
    existing: Option<&Value>,
    opts: &MappingOptions,
    ctx: &EcwidContext,
    tax_rule: Option<&str>,
) -> Result<ProductWrite, MappingError> {
    if let ProductKind::Composite { .. } = product.kind {
        return Err(MappingError::CompositeNotSynced { name: product.name.clone() });
    }
    if !product.ecommerce_channel {
        return Err(MappingError::NotInEcommerceChannel { name: product.name.clone() });
    }
    let what = product.sku.as_ref().map_or_else(|| product.name.clone(), |s| format!("{} ({s})", product.name));
    let rec = Rec { entity: "product", record: &what };
    let name = product.name.trim();
    if name.is_empty() {
        return Err(rec.missing("name"));
    }
    let kind = if existing.is_some() { WriteKind::Update } else { WriteKind::Create };
    let creating = kind == WriteKind::Create;
    let has_variants = matches!(product.kind, ProductKind::WithVariants { .. }) && !product.variants.is_empty();
    if !has_variants && product.sku.is_none() {
        return Err(rec.missing("SKU"));
    }
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    if let Some(s) = &product.sku {
        body.insert("sku".into(), json!(s.as_str()));
    }
    let price = entered_price(&product.prices, opts).ok_or_else(|| rec.missing("retail price"))?;
    body.insert("price".into(), money_json(price));
    if let Some(c) = product.prices.cost {
        body.insert("costPrice".into(), money_json(c));
    }
    if has_variants {
        body.insert("unlimited".into(), json!(!product.track_inventory));
    } else {
        stock_fields(&mut body, product.track_inventory, &product.stock, ctx, &what)?;
    }
    if let Some(g) = product.weight_grams {
        body.insert("weight".into(), weight_json(g, ctx.weight_unit));
    }
    body.insert("attributes".into(), attributes_json(existing, product.barcode.as_ref(), product.brand.as_deref()));
    if creating {
        // The eCommerce channel tick decides that the product is on the web store, even when it
        // is inactive in the POS (000:171); later, visibility is the merchant's call in Ecwid.
        body.insert("enabled".into(), json!(true));
    }
    // Description: always on creation; later only when it syncs both ways (000:127-130).
    if (creating || opts.description == FieldDirection::BothWays)
        && let Some(d) = &product.description_html
    {
        body.insert("description".into(), json!(d));
    }
    if let Some(cat) = &product.category {
        let link = ctx
            .category_by_name(cat)
            .ok_or_else(|| MappingError::UnknownCategory { reference: format!("product type {cat:?}") })?;
        let mut ids: Vec<u64> = existing
            .and_then(|e| e.get("categoryIds"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        if !ids.contains(&link.ecwid_id) {
            ids.push(link.ecwid_id);
        }
        body.insert("categoryIds".into(), json!(ids));
        body.insert("defaultCategoryId".into(), json!(link.ecwid_id));
    }
    if let Some(rule) = tax_rule {
        body.insert("tax".into(), super::tax::product_tax_json(rule, opts)?);
    }

    let mut combinations = Vec::new();
    if let ProductKind::WithVariants { options } = &product.kind
        && has_variants
    {
        // Option names: as declared, then any a variant uses that is not declared.
        let mut names: Vec<String> = options.clone();
        for v in &product.variants {
            for n in v.options.keys() {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        let mut choices: Vec<(String, Vec<String>)> = names.iter().map(|n| (n.clone(), Vec::new())).collect();
        let mut seen_skus = BTreeSet::new();
        for v in &product.variants {
            let vwhat = format!("{what} variant {}", v.sku.as_ref().map(Sku::as_str).unwrap_or("?"));
            let vrec = Rec { entity: "variant", record: &vwhat };
            let vsku = v.sku.as_ref().ok_or_else(|| vrec.missing("SKU"))?;
            if !seen_skus.insert(vsku.key()) {
                return Err(vrec.invalid("SKU", &json!(vsku.as_str())));
            }
            for (name, list) in &mut choices {
                if let Some(val) = v.options.get(name)
                    && !list.contains(val)
                {
                    list.push(val.clone());
                }
            }
            let mut c = Map::new();
            c.insert("sku".into(), json!(vsku.as_str()));
            c.insert(
                "options".into(),
                Value::Array(
                    names
                        .iter()
                        .filter_map(|n| v.options.get(n).map(|val| json!({ "name": n, "value": val })))
                        .collect(),
                ),
            );
            let vprice = entered_price(&v.prices, opts).unwrap_or(price);
            c.insert("price".into(), money_json(vprice));
            stock_fields(&mut c, product.track_inventory, &v.stock, ctx, &vwhat)?;
            if let Some(b) = &v.barcode {
                c.insert("attributes".into(), json!([{ "alias": "UPC", "value": b.as_str() }]));
            }
            combinations.push(CombinationWrite {
                id: existing_combination(existing, vsku, &v.options),
                body: Value::Object(c),
            });
        }
        body.insert(
            "options".into(),
            Value::Array(
                choices
                    .into_iter()
                    .filter(|(_, list)| !list.is_empty())
                    .map(|(name, list)| {
                        json!({
                            "type": "SELECT",
                            "name": name,
                            "required": true,
                            "choices": list.iter().map(|t| json!({
                                "text": t, "priceModifier": 0, "priceModifierType": "ABSOLUTE"
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect(),
            ),
        );
    }
    // Images: always on creation, later only when they sync both ways (000:132-135; the first
    // upload on creation as 001:260 describes).
    let images = if creating || opts.images == FieldDirection::BothWays { product.images.clone() } else { Vec::new() };
    Ok(ProductWrite { kind, product: Value::Object(body), combinations, images })
}

/// Barcodes used by more than one Ecwid product or variation: Ecwid allows them, the POS does
/// not (000:17), so they are reported before the first sync.
pub fn duplicate_barcodes(products: &[Value]) -> Vec<MappingError> {
    let mut by_code: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in products {
        let pid = uint(p, "id").map(|i| i.to_string()).unwrap_or_default();
        if let Some(b) = attribute(p, "UPC") {
            by_code.entry(b.to_string()).or_default().push(format!("product {pid}"));
        }
        for c in p.get("combinations").and_then(Value::as_array).into_iter().flatten() {
            if let Some(b) = attribute(c, "UPC") {
                let cid = uint(c, "id").map(|i| i.to_string()).unwrap_or_default();
                by_code.entry(b.to_string()).or_default().push(format!("product {pid} variation {cid}"));
            }
        }
    }
    by_code
        .into_iter()
        .filter(|(_, r)| r.len() > 1)
        .map(|(barcode, records)| MappingError::DuplicateBarcode { barcode, records })
        .collect()
}

/// An Ecwid category as a POS product type (001:336). Its parent must be linked already.
pub fn category_from_ecwid(c: &Value, ctx: &EcwidContext) -> Result<Category, MappingError> {
    let id = uint(c, "id");
    let id_text = id.map(|i| i.to_string()).unwrap_or_default();
    let rec = Rec { entity: "category", record: &id_text };
    let name = text(c, "name").ok_or_else(|| rec.missing("name"))?.to_string();
    let parent = match uint(c, "parentId").filter(|p| *p != 0) {
        None => None,
        Some(pid) => Some(
            ctx.category_by_id(pid)
                .and_then(|l| l.pos_id.clone())
                .ok_or_else(|| MappingError::UnknownCategory { reference: format!("Ecwid category {pid}") })?,
        ),
    };
    Ok(Category { id: id.and_then(|i| ctx.category_by_id(i)).and_then(|l| l.pos_id.clone()), name, parent })
}

/// A POS product type as the body of `POST /categories` or `PUT /categories/{id}`.
pub fn category_to_ecwid(c: &Category, ctx: &EcwidContext) -> Result<Value, MappingError> {
    let rec = Rec { entity: "product type", record: c.id.as_ref().map(|i| i.as_str()).unwrap_or(&c.name) };
    let name = c.name.trim();
    if name.is_empty() {
        return Err(rec.missing("name"));
    }
    let parent = match &c.parent {
        None => 0,
        Some(p) => {
            ctx.category_by_pos_id(p)
                .ok_or_else(|| MappingError::UnknownCategory { reference: format!("POS product type {p}") })?
                .ecwid_id
        }
    };
    Ok(json!({ "name": name, "parentId": parent }))
}

#[cfg(test)]
mod tests;
