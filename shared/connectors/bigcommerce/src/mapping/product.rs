//! Products and variants: catalog v3 JSON <-> canonical [`Product`].
//!
//! The field map is the product docs' FAQ 2 (`001_0c79d532016484cd.txt:316-338`): name, SKU,
//! barcode = UPC, variants = variant options, description, track inventory = inventory tracking
//! method, cost, retail price (ex or inc tax per the tax rule, in the field the price type names),
//! stock, product type = category, brand = brand name.

use std::collections::BTreeMap;

use posbridge_domain::model::{
    Barcode, BcPriceType, FieldDirection, MappingOptions, Money, OutletStock, PlatformId, Prices, Product, ProductKind,
    Quantity, Sku, SkuPolicy, Variant,
};
use serde_json::{Map, Value, json};

use super::json::{float, id, int, money, num, opt_id, text};
use super::{BcOptions, CategoryPreference, Lookups, Write};
use crate::errors::{Mapped, MappingError, MappingWarning};

/// BigCommerce's limits on product fields (PLATFORM-FACTS §1.3).
const MAX_NAME: usize = 250;
const MAX_UPC: usize = 14;
const MAX_INVENTORY: i64 = 2_147_483_647;

/// The "Shipping details" product fields besides weight (which the canonical product carries):
/// synced both ways when "Display e-commerce related fields in product add/edit" is on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShippingDetails {
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
    pub depth_mm: Option<u32>,
    pub free_shipping: bool,
    pub fixed_shipping_cost: Option<Money>,
}

/// A BigCommerce product read into the canonical model.
#[derive(Debug, Clone, PartialEq)]
pub struct BcProduct {
    /// The product id.
    pub platform_id: PlatformId,
    pub product: Product,
    pub shipping: ShippingDetails,
    /// `product:variant` ids, one per entry of `product.variants`, in the same order.
    pub variant_ids: Vec<PlatformId>,
}

/// How a BigCommerce inventory webhook changed stock (`data.inventory.method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryMethod {
    /// Set through the control panel or the API: a manual adjustment.
    Absolute,
    /// Moved by an order.
    Relative,
}

/// Whether a BigCommerce stock change flows to the POS. Orders move POS stock ("Update inventory
/// in Hike when an order is created in BigCommerce"); manual adjustments made in BigCommerce do
/// not ("Manual stock adjustment ... will update only from Hike to BigCommerce").
pub fn platform_stock_change_applies(method: InventoryMethod) -> bool {
    method == InventoryMethod::Relative
}

/// The BigCommerce tax class mapped to a POS tax rule ("Hike Tax / BigCommerce Tax").
pub fn tax_class_for(pos_tax_rule: &str, opts: &MappingOptions) -> Option<u64> {
    opts.tax_map.iter().find(|(_, pos)| pos.as_str() == pos_tax_rule).and_then(|(bc, _)| bc.parse().ok())
}

/// The POS tax rule mapped to a BigCommerce tax class id.
pub fn pos_tax_rule_for(tax_class_id: u64, opts: &MappingOptions) -> Option<&str> {
    opts.tax_map.get(&tax_class_id.to_string()).map(String::as_str)
}

/// A SKU or barcode held by more than one sellable item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateIdentifier {
    pub field: &'static str,
    pub value: String,
    pub count: usize,
}

/// The duplicate SKUs (case-insensitive, as BigCommerce compares them) and barcodes among
/// products and their variants: the POS refuses duplicates, so these get sync errors.
pub fn find_duplicate_identifiers(products: &[Product]) -> Vec<DuplicateIdentifier> {
    let mut skus: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for p in products {
        let items = std::iter::once((&p.sku, &p.barcode)).chain(p.variants.iter().map(|v| (&v.sku, &v.barcode)));
        for (sku, code) in items {
            if let Some(s) = sku {
                skus.entry(s.key()).or_insert_with(|| (s.as_str().to_string(), 0)).1 += 1;
            }
            if let Some(b) = code {
                *codes.entry(b.as_str().to_string()).or_insert(0) += 1;
            }
        }
    }
    let mut out: Vec<DuplicateIdentifier> = skus
        .into_values()
        .filter(|(_, n)| *n > 1)
        .map(|(value, count)| DuplicateIdentifier { field: "sku", value, count })
        .collect();
    out.extend(codes.into_iter().filter(|(_, n)| *n > 1).map(|(value, count)| DuplicateIdentifier {
        field: "barcode",
        value,
        count,
    }));
    out
}

// ---------------------------------------------------------------------------------------------
// BigCommerce -> canonical
// ---------------------------------------------------------------------------------------------

/// Reads a catalog v3 product (fetched with `include=variants,images`).
///
/// Stock is what a product created in the POS starts with: the level goes to the inventory
/// outlet; other outlets start at zero, visible when "Make product visibility to all outlet" is on.
pub fn product_from_bc(
    v: &Value,
    opts: &MappingOptions,
    bc: &BcOptions,
    lookups: &Lookups,
) -> Result<Mapped<BcProduct>, MappingError> {
    let pid = id(v, "id")?;
    let name = text(v, "name").ok_or(MappingError::MissingRequiredField { record: "product", field: "name" })?;
    let tracking = match v.get("inventory_tracking").and_then(Value::as_str).unwrap_or("none") {
        t @ ("none" | "product" | "variant") => t,
        other => return Err(MappingError::bad("inventory_tracking", other)),
    };
    let raw_variants: Vec<&Value> = v
        .get("variants")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|x| x.get("option_values").and_then(Value::as_array).is_some_and(|o| !o.is_empty()))
                .collect()
        })
        .unwrap_or_default();
    let has_variants = !raw_variants.is_empty();

    let sku = match (text(v, "sku"), has_variants, opts.sku_policy) {
        (Some(s), _, _) => Some(Sku::parse(s).map_err(MappingError::invalid("sku"))?),
        (None, _, SkuPolicy::AutoAssign) => Some(auto_sku(&[pid])),
        (None, true, SkuPolicy::SkipWithoutSku) => None,
        (None, false, SkuPolicy::SkipWithoutSku) => return Err(MappingError::MissingSku { record: name }),
    };

    let mut variants = Vec::new();
    let mut variant_ids = Vec::new();
    let mut option_names: Vec<String> = Vec::new();
    for rv in raw_variants {
        let vid = id(rv, "id")?;
        let mut options = BTreeMap::new();
        for ov in rv.get("option_values").and_then(Value::as_array).into_iter().flatten() {
            let (Some(n), Some(l)) = (text(ov, "option_display_name"), text(ov, "label")) else {
                return Err(MappingError::bad("option_values", ov.to_string()));
            };
            if !option_names.contains(&n) {
                option_names.push(n.clone());
            }
            options.insert(n, l);
        }
        let vsku = match (text(rv, "sku"), opts.sku_policy) {
            (Some(s), _) => Sku::parse(s).map_err(MappingError::invalid("variant sku"))?,
            (None, SkuPolicy::AutoAssign) => auto_sku(&[pid, vid]),
            (None, SkuPolicy::SkipWithoutSku) => {
                return Err(MappingError::MissingSku { record: format!("{name} ({})", describe(&options)) });
            }
        };
        let level = if tracking == "variant" { int(rv, "inventory_level")? } else { None };
        variants.push(Variant {
            id: None,
            sku: Some(vsku),
            barcode: barcode(rv)?,
            options,
            prices: prices_from(rv, opts)?,
            stock: level.map(|l| stock_entries(l, bc)).unwrap_or_default(),
        });
        variant_ids.push(platform_id(&format!("{pid}:{vid}"))?);
    }

    let level = if tracking == "product" { int(v, "inventory_level")? } else { None };
    let weight = float(v, "weight")?.map(|w| to_whole(w * bc.weight_unit.grams_per_unit()));
    let shipping = if bc.sync_shipping_details { shipping_from(v, bc)? } else { ShippingDetails::default() };
    let product = Product {
        id: None,
        name,
        sku,
        barcode: barcode(v)?,
        description_html: text(v, "description"),
        kind: if has_variants { ProductKind::WithVariants { options: option_names } } else { ProductKind::Simple },
        variants,
        track_inventory: tracking != "none",
        prices: prices_from(v, opts)?,
        category: category_from(v, lookups)?,
        brand: brand_from(v, lookups)?,
        tags: Vec::new(),
        images: images_from(v),
        active: true,
        ecommerce_channel: true,
        stock: level.map(|l| stock_entries(l, bc)).unwrap_or_default(),
        weight_grams: weight.filter(|g| *g > 0),
    };
    Ok(Mapped::new(BcProduct { platform_id: platform_id(&pid.to_string())?, product, shipping, variant_ids }, vec![]))
}

/// The SKU posbridge assigns to a BigCommerce item without one ("auto-assign SKU numbers"):
/// derived from BigCommerce's ids, so every sync assigns the same one.
fn auto_sku(ids: &[u64]) -> Sku {
    let s = ids.iter().map(u64::to_string).collect::<Vec<_>>().join("-");
    Sku::parse(format!("BC-{s}")).expect("digits and dashes make a valid SKU")
}

fn describe(options: &BTreeMap<String, String>) -> String {
    options.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")
}

fn platform_id(s: &str) -> Result<PlatformId, MappingError> {
    PlatformId::parse(s).map_err(MappingError::invalid("id"))
}

fn barcode(v: &Value) -> Result<Option<Barcode>, MappingError> {
    text(v, "upc").map(|u| Barcode::parse(u).map_err(MappingError::invalid("upc"))).transpose()
}

fn to_whole(x: f64) -> u32 {
    if x.is_finite() && x > 0.0 { x.round().min(f64::from(u32::MAX)) as u32 } else { 0 }
}

/// BigCommerce leaves unset prices at 0 on products and `null` on variants: both mean "not set".
fn set_money(v: &Value, field: &'static str) -> Result<Option<Money>, MappingError> {
    Ok(money(v, field)?.filter(|m| *m != Money::ZERO))
}

/// The POS retail price is the BigCommerce field the price type names ("Hike's retail price is
/// BigCommerce's Price Type"); an empty Retail or Sale Price falls back to Price. That amount is
/// inc or ex tax as the store's tax rule says; the other is derived at the default rate.
fn prices_from(v: &Value, opts: &MappingOptions) -> Result<Prices, MappingError> {
    let price = money(v, "price")?;
    let retail = match opts.bc_price_type {
        BcPriceType::Price => price,
        BcPriceType::RetailPrice => set_money(v, "retail_price")?.or(price),
        BcPriceType::SalePrice => set_money(v, "sale_price")?.or(price),
    };
    let rate = opts.default_tax_rate.0;
    let (ex, inc) = match retail {
        None => (None, None),
        Some(x) if opts.prices_include_tax => (Some(x.remove_tax(rate)), Some(x)),
        Some(x) => (Some(x), Some(x.add_tax(rate))),
    };
    let sale = match opts.bc_price_type {
        BcPriceType::SalePrice => None,
        _ => set_money(v, "sale_price")?,
    };
    Ok(Prices { retail_ex_tax: ex, retail_inc_tax: inc, cost: set_money(v, "cost_price")?, sale })
}

fn stock_entries(level: i64, bc: &BcOptions) -> Vec<OutletStock> {
    let Some(main) = bc.stock_outlet() else { return Vec::new() };
    let mut out =
        vec![OutletStock { outlet_id: main.clone(), on_hand: Quantity::units(level), visible: true, price: None }];
    for o in bc.all_outlets.iter().filter(|o| *o != main) {
        out.push(OutletStock {
            outlet_id: o.clone(),
            on_hand: Quantity::ZERO,
            visible: bc.visible_in_all_outlets,
            price: None,
        });
    }
    out
}

fn shipping_from(v: &Value, bc: &BcOptions) -> Result<ShippingDetails, MappingError> {
    let mm = |f: &'static str| -> Result<Option<u32>, MappingError> {
        Ok(float(v, f)?.map(|x| to_whole(x * bc.dimension_unit.mm_per_unit())).filter(|x| *x > 0))
    };
    Ok(ShippingDetails {
        width_mm: mm("width")?,
        height_mm: mm("height")?,
        depth_mm: mm("depth")?,
        free_shipping: v.get("is_free_shipping").and_then(Value::as_bool).unwrap_or(false),
        fixed_shipping_cost: set_money(v, "fixed_cost_shipping_price")?,
    })
}

/// The POS has one product type; BigCommerce lists categories. The first one is the type.
fn category_from(v: &Value, lookups: &Lookups) -> Result<Option<String>, MappingError> {
    let Some(first) = v.get("categories").and_then(Value::as_array).and_then(|a| a.first()) else {
        return Ok(None);
    };
    let cid = first.as_u64().ok_or_else(|| MappingError::bad("categories", first.to_string()))?;
    lookups
        .categories
        .get(&cid)
        .cloned()
        .map(Some)
        .ok_or(MappingError::UnknownReference { entity: "category", id: cid })
}

fn brand_from(v: &Value, lookups: &Lookups) -> Result<Option<String>, MappingError> {
    if let Some(n) = text(v, "brand_name") {
        return Ok(Some(n));
    }
    match opt_id(v, "brand_id")? {
        None => Ok(None),
        Some(b) => {
            lookups.brands.get(&b).cloned().map(Some).ok_or(MappingError::UnknownReference { entity: "brand", id: b })
        }
    }
}

fn images_from(v: &Value) -> Vec<String> {
    let mut imgs: Vec<(i64, String)> = v
        .get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let url = ["url_zoom", "url_standard", "image_url"].iter().find_map(|k| text(i, k))?;
            Some((i.get("sort_order").and_then(Value::as_i64).unwrap_or(0), url))
        })
        .collect();
    imgs.sort_by_key(|(o, _)| *o);
    imgs.into_iter().map(|(_, u)| u).collect()
}

fn image_urls(v: &Value) -> Vec<String> {
    v.get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|i| ["url_zoom", "url_standard", "image_url"].iter().filter_map(|k| text(i, k)).collect::<Vec<_>>())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// canonical -> BigCommerce
// ---------------------------------------------------------------------------------------------

/// The body of `POST /catalog/products` (with its variants) or `PUT /catalog/products/{id}`.
///
/// Composite products and products off the eCommerce channel are refused (they never sync).
/// Variants of an existing product are written with [`variant_to_bc`].
pub fn product_to_bc(
    p: &Product,
    shipping: &ShippingDetails,
    write: Write<'_>,
    opts: &MappingOptions,
    bc: &BcOptions,
    lookups: &Lookups,
) -> Result<Mapped<Value>, MappingError> {
    if matches!(p.kind, ProductKind::Composite { .. }) {
        return Err(MappingError::CompositeNotSynced);
    }
    if !p.ecommerce_channel {
        return Err(MappingError::NotOnEcommerceChannel);
    }
    let create = write == Write::Create;
    let mut warnings = Vec::new();
    let mut b = Map::new();
    let name = p.name.trim();
    if name.is_empty() {
        return Err(MappingError::MissingRequiredField { record: "product", field: "name" });
    }
    if name.chars().count() > MAX_NAME {
        return Err(MappingError::NotAcceptedByPlatform {
            field: "name",
            value: name.to_string(),
            reason: "BigCommerce product names have at most 250 characters",
        });
    }
    b.insert("name".into(), json!(name));
    if create {
        b.insert("type".into(), json!("physical"));
    }
    if let Some(s) = &p.sku {
        b.insert("sku".into(), json!(s.as_str()));
    }
    b.insert("upc".into(), json!(upc(p.barcode.as_ref())?));

    let with_variants = !p.variants.is_empty();
    let tracking = match (p.track_inventory, with_variants) {
        (false, _) => "none",
        (true, false) => "product",
        (true, true) => "variant",
    };
    b.insert("inventory_tracking".into(), json!(tracking));
    if tracking == "product"
        && let Some(level) = stock_level(&p.stock, p.sku.as_ref(), bc, &mut warnings)
    {
        b.insert("inventory_level".into(), json!(level));
    }

    // Prices: a variant product without its own price takes its first variant's.
    let prices = if p.prices.retail_ex_tax.is_none() && p.prices.retail_inc_tax.is_none() {
        p.variants.first().map(|v| &v.prices).unwrap_or(&p.prices)
    } else {
        &p.prices
    };
    let priced = write_prices(&mut b, prices, opts, create);
    if create && !priced {
        return Err(MappingError::MissingRequiredField { record: "product", field: "retail price" });
    }

    let desc_flows = create || opts.description == FieldDirection::BothWays;
    if desc_flows && let Some(d) = &p.description_html {
        b.insert("description".into(), json!(d));
    }
    let images_flow = create || opts.images == FieldDirection::BothWays;
    if images_flow {
        let known = match write {
            Write::Update { current } => image_urls(current),
            Write::Create => Vec::new(),
        };
        let imgs: Vec<Value> = p
            .images
            .iter()
            .enumerate()
            .filter(|(_, u)| !known.contains(u))
            .map(|(i, u)| json!({ "image_url": u, "is_thumbnail": i == 0 && create, "sort_order": i }))
            .collect();
        if !imgs.is_empty() {
            b.insert("images".into(), Value::Array(imgs));
        }
    }

    if bc.category_preference == CategoryPreference::ProductTypeAsCategory
        && let Some(cat) = p.category.as_deref().map(str::trim).filter(|c| !c.is_empty())
    {
        let cid = lookups.category_id(cat).ok_or(MappingError::NotLinked { entity: "category", key: cat.into() })?;
        match write {
            Write::Create => {
                b.insert("categories".into(), json!([cid]));
            }
            Write::Update { current } => {
                // `categories` replaces the whole list: keep the merchant's other categories and
                // swap only the first (the product type) when it changed.
                let mut cats: Vec<u64> = current
                    .get("categories")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_u64)
                    .collect();
                if !cats.contains(&cid) {
                    match cats.first_mut() {
                        Some(first) => *first = cid,
                        None => cats.push(cid),
                    }
                    b.insert("categories".into(), json!(cats));
                }
            }
        }
    }
    match (p.brand.as_deref().map(str::trim).filter(|x| !x.is_empty()), write) {
        (Some(brand), _) => {
            b.insert("brand_name".into(), json!(brand));
        }
        (None, Write::Update { current }) if opt_id(current, "brand_id").ok().flatten().is_some() => {
            b.insert("brand_id".into(), json!(0));
        }
        (None, _) => {}
    }

    if create || bc.sync_shipping_details {
        let grams = p.weight_grams.unwrap_or(0);
        b.insert("weight".into(), weight_json(grams, bc));
    }
    if create && with_variants {
        let mut vs = Vec::new();
        for v in &p.variants {
            let m = variant_to_bc(v, p, opts, bc)?;
            warnings.extend(m.warnings);
            vs.push(m.value);
        }
        b.insert("variants".into(), Value::Array(vs));
    }
    let mut body = Value::Object(b);
    shipping_to_bc(&mut body, shipping, bc);
    Ok(Mapped::new(body, warnings))
}

/// Writes the shipping-details fields (when that setting is on) into a product body.
fn shipping_to_bc(body: &mut Value, s: &ShippingDetails, bc: &BcOptions) {
    if !bc.sync_shipping_details {
        return;
    }
    let mm = |x: Option<u32>| {
        serde_json::Number::from_f64(f64::from(x.unwrap_or(0)) / bc.dimension_unit.mm_per_unit())
            .map_or(Value::Null, Value::Number)
    };
    body["width"] = mm(s.width_mm);
    body["height"] = mm(s.height_mm);
    body["depth"] = mm(s.depth_mm);
    body["is_free_shipping"] = json!(s.free_shipping);
    body["fixed_cost_shipping_price"] = num(s.fixed_shipping_cost.unwrap_or(Money::ZERO));
}

/// One variant: embedded in a product create body, or (with its `id` added by the caller) an
/// item of `PUT /catalog/variants`.
pub fn variant_to_bc(
    v: &Variant,
    p: &Product,
    opts: &MappingOptions,
    bc: &BcOptions,
) -> Result<Mapped<Value>, MappingError> {
    let mut warnings = Vec::new();
    let Some(sku) = &v.sku else {
        return Err(MappingError::MissingRequiredField { record: "variant", field: "SKU" });
    };
    let order: Vec<&String> = match &p.kind {
        ProductKind::WithVariants { options } => options.iter().collect(),
        _ => Vec::new(),
    };
    let mut names: Vec<&String> = order.into_iter().filter(|n| v.options.contains_key(*n)).collect();
    names.extend(v.options.keys().filter(|k| !names.contains(k)).collect::<Vec<_>>());
    if names.is_empty() {
        return Err(MappingError::MissingRequiredField { record: "variant", field: "option value" });
    }
    let option_values: Vec<Value> =
        names.iter().map(|n| json!({ "option_display_name": n, "label": v.options[*n] })).collect();
    let mut b = Map::new();
    b.insert("sku".into(), json!(sku.as_str()));
    b.insert("upc".into(), json!(upc(v.barcode.as_ref())?));
    b.insert("option_values".into(), Value::Array(option_values));
    write_prices(&mut b, &v.prices, opts, false);
    if p.track_inventory
        && let Some(level) = stock_level(&v.stock, v.sku.as_ref(), bc, &mut warnings)
    {
        b.insert("inventory_level".into(), json!(level));
    }
    Ok(Mapped::new(Value::Object(b), warnings))
}

fn upc(b: Option<&Barcode>) -> Result<&str, MappingError> {
    match b {
        Some(b) if b.as_str().chars().count() > MAX_UPC => Err(MappingError::NotAcceptedByPlatform {
            field: "upc",
            value: b.as_str().into(),
            reason: "BigCommerce's UPC field holds at most 14 characters",
        }),
        Some(b) => Ok(b.as_str()),
        None => Ok(""),
    }
}

fn weight_json(grams: u32, bc: &BcOptions) -> Value {
    serde_json::Number::from_f64(f64::from(grams) / bc.weight_unit.grams_per_unit()).map_or(json!(0), Value::Number)
}

/// Puts the POS retail price into the field the price type names; returns whether there was one.
/// BigCommerce needs `price` on create, so a product created under Retail or Sale Price starts
/// with `price` equal to it; later updates leave `price` to the merchant.
fn write_prices(b: &mut Map<String, Value>, prices: &Prices, opts: &MappingOptions, create: bool) -> bool {
    let rate = opts.default_tax_rate.0;
    let retail = if opts.prices_include_tax {
        prices.retail_inc_tax.or(prices.retail_ex_tax.map(|x| x.add_tax(rate)))
    } else {
        prices.retail_ex_tax.or(prices.retail_inc_tax.map(|x| x.remove_tax(rate)))
    };
    if let Some(r) = retail {
        let field = match opts.bc_price_type {
            BcPriceType::Price => "price",
            BcPriceType::RetailPrice => "retail_price",
            BcPriceType::SalePrice => "sale_price",
        };
        b.insert(field.into(), num(r));
        if create {
            b.insert("price".into(), num(r));
        }
    }
    if opts.bc_price_type != BcPriceType::SalePrice
        && let Some(s) = prices.sale
    {
        b.insert("sale_price".into(), num(s));
    }
    if let Some(c) = prices.cost {
        b.insert("cost_price".into(), num(c));
    }
    retail.is_some()
}

/// The stock BigCommerce shows: the sum over the inventory outlets (one, or several combined),
/// in whole units below the POS quantity (never promise what is not there), within 0..=2^31-1.
fn stock_level(
    stock: &[OutletStock],
    sku: Option<&Sku>,
    bc: &BcOptions,
    warnings: &mut Vec<MappingWarning>,
) -> Option<i64> {
    let mine: Vec<&OutletStock> = stock.iter().filter(|s| bc.inventory_outlets.contains(&s.outlet_id)).collect();
    if mine.is_empty() {
        return None;
    }
    let total = mine.iter().try_fold(Quantity::ZERO, |acc, s| acc.checked_add(s.on_hand)).unwrap_or(Quantity::ZERO);
    let whole = total.floor_units();
    let sku_s = sku.map(|s| s.as_str().to_string());
    if !total.is_whole() {
        warnings.push(MappingWarning::FractionalStockRoundedDown {
            sku: sku_s.clone(),
            quantity: total.to_string(),
            sent: whole.max(0),
        });
    }
    let sent = whole.clamp(0, MAX_INVENTORY);
    if sent != whole {
        warnings.push(MappingWarning::StockClamped { sku: sku_s, sent });
    }
    Some(sent)
}

#[cfg(test)]
mod tests;
