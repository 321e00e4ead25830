//! Products: simple, with variants, composite; prices per the tax-inclusive setting; per-outlet
//! stock, visibility and prices; what may sync to the web store; stock as the web store sees it.

use std::collections::{BTreeMap, BTreeSet};

use posbridge_domain::model::{
    Barcode, Component, FieldDirection, OutletStock, Platform, PlatformId, Prices, Product, ProductKind, Quantity, Sku,
    SkuPolicy, TaxRate, Variant,
};

use super::wire::{
    PosAttribute, PosProduct, PosProductInput, PosProductOutlet, PosProductOutletInput, PosShippingDetails, PosVariant,
    PosVariantInput,
};
use super::{
    PosCatalogue, PosContext, both_prices, entered_price, int_id, money, non_empty, pos_id, pos_money, quantity,
};
use crate::errors::MappingError;

/// The POS's sales channel that makes a product eligible for the web store.
pub const ECOMMERCE_CHANNEL: &str = "ecommerce";
/// The POS's in-store channel.
pub const POS_CHANNEL: &str = "pos";

/// Why a product is read from the POS: its first push to the web store, or a later update.
/// The first push carries description and images whatever the direction preference ("when you
/// create new products in Hike the product images ... will still sync to BigCommerce initially",
/// product reference 001:260).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductRead {
    NewOnWebStore,
    Update,
}

/// Whether a POS product goes to the web store: composite products never do (their components
/// do, as products of their own); otherwise the eCommerce sales channel decides, whatever the
/// active flag says (product reference 000:116-119, 000:171, 001:233-238, 001:356).
pub fn check_syncable_to_web(product: &Product) -> Result<(), MappingError> {
    if matches!(product.kind, ProductKind::Composite { .. }) {
        return Err(MappingError::CompositeNotSynced { name: product.name.clone() });
    }
    if !product.ecommerce_channel {
        return Err(MappingError::NotOnEcommerceChannel { name: product.name.clone() });
    }
    Ok(())
}

/// [`check_syncable_to_web`] as a yes/no.
pub fn is_syncable_to_web(product: &Product) -> bool {
    check_syncable_to_web(product).is_ok()
}

/// The rate used to derive the price the merchant did not enter: the product's own tax rule
/// when the POS knows it, else the integration's default rate.
fn product_rate(tax_id: Option<i64>, ctx: &PosContext<'_>) -> Result<TaxRate, MappingError> {
    let own = match tax_id {
        Some(t) => ctx.catalogue.tax_rate(t)?,
        None => None,
    };
    Ok(own.unwrap_or(ctx.options.default_tax_rate))
}

fn prices_from_pos(price: &str, field: &str, rate: TaxRate, inclusive: bool) -> Result<Prices, MappingError> {
    let (ex, inc) = both_prices(money(field, price)?, rate, inclusive);
    Ok(Prices { retail_ex_tax: Some(ex), retail_inc_tax: Some(inc), cost: None, sale: None })
}

fn outlets_from_pos(
    rows: &[PosProductOutlet],
    pricing_by_outlet: bool,
    rate: TaxRate,
    inclusive: bool,
) -> Result<Vec<OutletStock>, MappingError> {
    rows.iter()
        .map(|o| {
            let on_hand = match &o.stock {
                Some(s) => quantity("product_outlets.stock", s)?,
                None => Quantity::ZERO,
            };
            let price = if pricing_by_outlet {
                Some(prices_from_pos(&o.price, "product_outlets.price", rate, inclusive)?)
            } else {
                None
            };
            Ok(OutletStock { outlet_id: pos_id(o.outlet_id), on_hand, visible: o.is_visible, price })
        })
        .collect()
}

fn sku_of(field: &str, s: &Option<String>) -> Result<Option<Sku>, MappingError> {
    s.as_deref().and_then(non_empty).map(|s| Sku::parse(s).map_err(|e| MappingError::invalid(field, e))).transpose()
}

fn barcode_of(field: &str, s: &Option<String>) -> Result<Option<Barcode>, MappingError> {
    s.as_deref().and_then(non_empty).map(|s| Barcode::parse(s).map_err(|e| MappingError::invalid(field, e))).transpose()
}

fn variant_from_pos(
    v: &PosVariant,
    pricing_by_outlet: bool,
    rate: TaxRate,
    inclusive: bool,
) -> Result<Variant, MappingError> {
    Ok(Variant {
        id: Some(pos_id(v.id)),
        sku: sku_of("variant sku", &v.sku)?,
        barcode: barcode_of("variant barcode", &v.barcode)?,
        options: v.attributes.iter().map(|a| (a.name.clone(), a.value.clone())).collect(),
        prices: prices_from_pos(&v.price, "variant price", rate, inclusive)?,
        stock: outlets_from_pos(&v.product_outlets, pricing_by_outlet, rate, inclusive)?,
    })
}

fn named(list: &[super::wire::PosNamed], kind: &'static str, id: i64) -> Result<String, MappingError> {
    PosCatalogue::name_of(list, id)
        .map(str::to_string)
        .ok_or_else(|| MappingError::UnknownReference { kind, name: format!("#{id}") })
}

/// A POS product as the canonical model sees it. Description and images are filled only when
/// the POS owns them (direction "both ways", or the product's first push); otherwise they are
/// empty, meaning "leave the web store's as they are" (000:127-135, 001:250-260).
pub fn product_from_pos(p: &PosProduct, read: ProductRead, ctx: &PosContext<'_>) -> Result<Product, MappingError> {
    let inclusive = ctx.options.prices_include_tax;
    let rate = product_rate(p.tax_id, ctx)?;
    let mut prices = prices_from_pos(&p.price, "price", rate, inclusive)?;
    prices.cost = p.cost_price.as_deref().map(|c| money("cost_price", c)).transpose()?;

    let kind = if p.is_composite {
        let components = p
            .composite_components
            .iter()
            .map(|c| {
                Ok(Component {
                    product_id: super::item_pos_id(c.product_id, c.variant_id),
                    quantity: quantity("composite_components.quantity", &c.quantity)?,
                })
            })
            .collect::<Result<_, MappingError>>()?;
        ProductKind::Composite { components }
    } else if p.has_variants {
        let mut options: Vec<String> = Vec::new();
        for a in p.product_variants.iter().flat_map(|v| &v.attributes) {
            if !options.contains(&a.name) {
                options.push(a.name.clone());
            }
        }
        ProductKind::WithVariants { options }
    } else {
        ProductKind::Simple
    };

    let owns = |dir: FieldDirection| dir == FieldDirection::BothWays || read == ProductRead::NewOnWebStore;
    let images = if owns(ctx.options.images) {
        p.primary_image.iter().chain(&p.additional_images).filter_map(|s| non_empty(s)).collect()
    } else {
        Vec::new()
    };
    let weight_grams = match (&p.shipping_details, ctx.settings.ecommerce_fields) {
        (Some(PosShippingDetails { weight: Some(w) }), true) => {
            let q = quantity("shipping_details.weight", w)?;
            Some(u32::try_from(q.thousandths()).map_err(|_| {
                MappingError::invalid(
                    "shipping_details.weight",
                    posbridge_domain::model::ValueError::OutOfRange { what: "weight", value: w.clone() },
                )
            })?)
        }
        _ => None,
    };

    Ok(Product {
        id: Some(pos_id(p.id)),
        name: p.name.trim().to_string(),
        sku: sku_of("sku", &p.sku)?,
        barcode: barcode_of("barcode", &p.barcode)?,
        description_html: if owns(ctx.options.description) { non_empty(&p.description) } else { None },
        kind,
        variants: p
            .product_variants
            .iter()
            .map(|v| variant_from_pos(v, p.pricing_by_outlet, rate, inclusive))
            .collect::<Result<_, _>>()?,
        track_inventory: p.track_inventory,
        prices,
        category: p
            .product_type
            .first()
            .map(|t| named(&ctx.catalogue.product_types, "product type", *t))
            .transpose()?,
        brand: p.brand_id.map(|b| named(&ctx.catalogue.brands, "brand", b)).transpose()?,
        tags: Vec::new(),
        images,
        active: p.is_active,
        ecommerce_channel: p.sales_channels.iter().any(|c| c.eq_ignore_ascii_case(ECOMMERCE_CHANNEL)),
        stock: outlets_from_pos(&p.product_outlets, p.pricing_by_outlet, rate, inclusive)?,
        weight_grams,
    })
}

/// A SKU for a web-store product that has none ("Sync non-SKU products to Hike and auto-assign
/// SKU numbers", 000:141-142, 001:269-272): the platform's initials and the web store's id, plus
/// the option values for a variant. Stable, so a retried sync assigns the same SKU.
pub fn auto_sku(
    platform: Platform,
    source: &PlatformId,
    variant_options: Option<&BTreeMap<String, String>>,
) -> Result<Sku, MappingError> {
    let prefix = match platform {
        Platform::BigCommerce => "BC",
        Platform::WooCommerce => "WC",
        Platform::Ecwid => "EC",
    };
    let mut raw = format!("{prefix}-{}", source.as_str());
    if let Some(opts) = variant_options {
        for v in opts.values() {
            raw.push('-');
            raw.push_str(v);
        }
    }
    let clean: String = raw
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c.to_ascii_uppercase() } else { '-' })
        .collect();
    Sku::parse(clean).map_err(|e| MappingError::invalid("auto-assigned SKU", e))
}

/// The SKU to send for a new item: its own, else per the Product Sync Reference.
fn sku_for_new(
    own: &Option<Sku>,
    what: &str,
    source: Option<&PlatformId>,
    options: Option<&BTreeMap<String, String>>,
    ctx: &PosContext<'_>,
) -> Result<String, MappingError> {
    if let Some(s) = own {
        return Ok(s.as_str().to_string());
    }
    match (ctx.options.sku_policy, source) {
        (SkuPolicy::SkipWithoutSku, _) => Err(MappingError::SkuMissing { what: what.to_string() }),
        (SkuPolicy::AutoAssign, Some(src)) => Ok(auto_sku(ctx.settings.platform, src, options)?.as_str().to_string()),
        (SkuPolicy::AutoAssign, None) => {
            Err(MappingError::MissingRequiredField { entity: "Product", field: "SKU", record: what.to_string() })
        }
    }
}

/// Per-outlet rows of a product or variant body. On create: visibility for every outlet per
/// "Make product visibility to all outlet" (000:105-106, 001:211-213), and the initial stock when
/// the POS accepts it. On update: only per-outlet prices (stock moves through sales, purchase
/// orders and stocktakes, and visibility is the POS's own).
fn outlet_rows(
    stock: &[OutletStock],
    create: bool,
    stocked: bool,
    ctx: &PosContext<'_>,
) -> Result<Option<Vec<PosProductOutletInput>>, MappingError> {
    let inclusive = ctx.options.prices_include_tax;
    let rate = ctx.options.default_tax_rate;
    let mut mapped = BTreeSet::new();
    for o in &ctx.settings.inventory_outlets {
        mapped.insert(int_id("inventory outlet", o)?);
    }
    let mut rows: BTreeMap<i64, PosProductOutletInput> = BTreeMap::new();
    if create {
        for o in &ctx.catalogue.outlets {
            let visible = ctx.settings.new_products_visible_in_all_outlets || mapped.contains(&o.id);
            rows.insert(
                o.id,
                PosProductOutletInput { outlet_id: o.id, is_visible: Some(visible), ..Default::default() },
            );
        }
    }
    for s in stock {
        let oid = int_id("outlet", &s.outlet_id)?;
        if !ctx.catalogue.outlets.iter().any(|o| o.id == oid) {
            return Err(MappingError::UnknownReference { kind: "outlet", name: s.outlet_id.to_string() });
        }
        let row = rows.entry(oid).or_insert_with(|| PosProductOutletInput { outlet_id: oid, ..Default::default() });
        if create && stocked && !ctx.settings.weighted_average_cost {
            row.stock = Some(s.on_hand.to_string());
        }
        if let Some(p) = &s.price {
            row.price = entered_price(p.retail_ex_tax, p.retail_inc_tax, rate, inclusive).map(pos_money);
        }
    }
    let rows: Vec<_> =
        rows.into_values().filter(|r| r.price.is_some() || r.stock.is_some() || r.is_visible.is_some()).collect();
    Ok((!rows.is_empty()).then_some(rows))
}

/// The body of `POST products/create` for a canonical product (from the web store): create when
/// it has no POS id, else update. Composite products are refused (000:119, 002:51-53). Sales
/// channels and the active flag are set on create only (eCommerce ticked, since the product
/// sells online); afterwards they belong to the POS, like visibility and stock.
pub fn product_to_pos(
    p: &Product,
    source: Option<&PlatformId>,
    ctx: &PosContext<'_>,
) -> Result<PosProductInput, MappingError> {
    if matches!(p.kind, ProductKind::Composite { .. }) {
        return Err(MappingError::CompositeNotSynced { name: p.name.clone() });
    }
    let name = non_empty(&p.name).ok_or_else(|| MappingError::MissingRequiredField {
        entity: "Product",
        field: "name",
        record: p.sku.as_ref().map_or_else(|| "(no SKU)".to_string(), |s| s.to_string()),
    })?;
    let id = p.id.as_ref().map(|i| int_id("product id", i)).transpose()?;
    let create = id.is_none();
    let inclusive = ctx.options.prices_include_tax;
    let rate = ctx.options.default_tax_rate;
    let with_variants = match &p.kind {
        ProductKind::WithVariants { options } => Some(options),
        _ => None,
    };

    let sku = match (&p.sku, create, with_variants) {
        (Some(s), _, _) => Some(s.as_str().to_string()),
        // A variant product's own SKU is optional: its variants carry the SKUs.
        (None, true, None) => Some(sku_for_new(&p.sku, &name, source, None, ctx)?),
        (None, _, _) => None,
    };

    let mut input = PosProductInput {
        id,
        name: Some(name.clone()),
        description: p.description_html.clone(),
        sku,
        barcode: p.barcode.as_ref().map(|b| b.as_str().to_string()),
        brand_id: p
            .brand
            .as_deref()
            .and_then(non_empty)
            .map(|b| PosCatalogue::id_of(&ctx.catalogue.brands, "brand", &b))
            .transpose()?,
        product_type: p
            .category
            .as_deref()
            .and_then(non_empty)
            .map(|c| PosCatalogue::id_of(&ctx.catalogue.product_types, "product type", &c).map(|id| vec![id]))
            .transpose()?,
        has_variants: Some(with_variants.is_some()),
        track_inventory: Some(p.track_inventory),
        price: entered_price(p.prices.retail_ex_tax, p.prices.retail_inc_tax, rate, inclusive).map(pos_money),
        cost_price: if ctx.settings.weighted_average_cost { None } else { p.prices.cost.map(pos_money) },
        primary_image: p.images.first().cloned(),
        additional_images: (p.images.len() > 1).then(|| p.images[1..].to_vec()),
        shipping_details: match (ctx.settings.ecommerce_fields, p.weight_grams) {
            (true, Some(g)) => Some(PosShippingDetails { weight: Some(grams_as_kg(g)) }),
            _ => None,
        },
        ..Default::default()
    };
    if create {
        input.is_active = Some(p.active);
        input.sales_channels = Some(vec![POS_CHANNEL.to_string(), ECOMMERCE_CHANNEL.to_string()]);
    }

    let mut per_outlet_price = p.stock.iter().any(|s| s.price.is_some());
    if let Some(option_names) = with_variants {
        if p.variants.is_empty() {
            return Err(MappingError::MissingRequiredField { entity: "Product", field: "variant", record: name });
        }
        let mut out = Vec::new();
        for v in &p.variants {
            let vid = v.id.as_ref().map(|i| int_id("variant id", i)).transpose()?;
            let new_variant = create || vid.is_none();
            let label = format!("{name} ({})", v.options.values().cloned().collect::<Vec<_>>().join(" / "));
            let sku = match (&v.sku, new_variant) {
                (Some(s), _) => Some(s.as_str().to_string()),
                (None, true) => Some(sku_for_new(&v.sku, &label, source, Some(&v.options), ctx)?),
                (None, false) => None,
            };
            per_outlet_price |= v.stock.iter().any(|s| s.price.is_some());
            out.push(PosVariantInput {
                id: vid,
                sku,
                barcode: v.barcode.as_ref().map(|b| b.as_str().to_string()),
                attributes: Some(
                    option_names
                        .iter()
                        .filter_map(|n| {
                            v.options.get(n).map(|val| PosAttribute { name: n.clone(), value: val.clone() })
                        })
                        .collect(),
                ),
                price: entered_price(v.prices.retail_ex_tax, v.prices.retail_inc_tax, rate, inclusive).map(pos_money),
                product_outlets: outlet_rows(&v.stock, new_variant, p.track_inventory, ctx)?,
            });
        }
        input.product_variants = Some(out);
        // The parent keeps no stock of its own; on create it still carries visibility.
        input.product_outlets = outlet_rows(&[], create, false, ctx)?;
    } else {
        input.product_outlets = outlet_rows(&p.stock, create, p.track_inventory, ctx)?;
    }
    if per_outlet_price {
        input.pricing_by_outlet = Some(true);
    }
    Ok(input)
}

/// Grams as the POS's kilograms with 3 decimals (`250` -> `"0.250"`): exact, no float.
fn grams_as_kg(g: u32) -> String {
    format!("{}.{:03}", g / 1000, g % 1000)
}

/// The stock the web store shows for one product or variant: the inventory outlet's, or the
/// sum over several combined outlets (000:66-82, 001:72-107). A fractional total is flagged,
/// never rounded (000:114, 001:227); the error carries the whole units available.
pub fn web_store_stock(what: &str, stock: &[OutletStock], ctx: &PosContext<'_>) -> Result<i64, MappingError> {
    if ctx.settings.inventory_outlets.is_empty() {
        return Err(MappingError::MissingSetting { setting: "Hike outlet for inventory sync" });
    }
    let mut total = Quantity::ZERO;
    for s in stock.iter().filter(|s| ctx.settings.inventory_outlets.contains(&s.outlet_id)) {
        total = total.checked_add(s.on_hand).ok_or_else(|| {
            MappingError::invalid(
                "stock",
                posbridge_domain::model::ValueError::OutOfRange { what: "stock", value: what.to_string() },
            )
        })?;
    }
    whole_units(what, total)
}

/// A quantity for a web store, which counts whole units only: flagged when fractional.
pub fn whole_units(what: &str, q: Quantity) -> Result<i64, MappingError> {
    q.whole_units().ok_or_else(|| MappingError::FractionalQuantity {
        what: what.to_string(),
        quantity: q,
        floor: q.floor_units(),
    })
}

/// An update body setting the stock of a product (`"12"`) or variant (`"12:40"`) to the web
/// store's count, at the one inventory outlet. Refused when the web store shows several outlets
/// combined ("any inventory count in Ecwid won't sync to Hike", 000:80) and while weighted
/// Average Cost Price is on (PLATFORM-FACTS §5).
pub fn stock_to_pos(
    item: &posbridge_domain::model::PosId,
    units: i64,
    ctx: &PosContext<'_>,
) -> Result<PosProductInput, MappingError> {
    let outlet = match ctx.settings.inventory_outlets.as_slice() {
        [] => return Err(MappingError::MissingSetting { setting: "Hike outlet for inventory sync" }),
        [one] => int_id("inventory outlet", one)?,
        _ => {
            return Err(MappingError::StockReadOnly {
                reason: "the web store shows the combined stock of several outlets",
            });
        }
    };
    if ctx.settings.weighted_average_cost {
        return Err(MappingError::StockReadOnly { reason: "weighted Average Cost Price is on in the POS" });
    }
    let (product, variant) = super::item_id(item)?;
    let row = vec![PosProductOutletInput {
        outlet_id: outlet,
        stock: Some(Quantity::units(units).to_string()),
        ..Default::default()
    }];
    let mut body = PosProductInput { id: Some(product), ..Default::default() };
    match variant {
        Some(v) => {
            body.product_variants =
                Some(vec![PosVariantInput { id: Some(v), product_outlets: Some(row), ..Default::default() }])
        }
        None => body.product_outlets = Some(row),
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::fixtures::{self, Ctx, id, parse};
    use posbridge_domain::model::Money;
    use serde_json::{Value, json};

    fn read(v: Value, c: &Ctx) -> Result<Product, MappingError> {
        product_from_pos(&parse(v), ProductRead::Update, &c.ctx())
    }

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn what_syncs_to_the_web_store() {
        // (doc line, composite, channels, active, expected error code or "ok")
        let rows: [(&str, bool, Value, bool, &str); 7] = [
            ("000:116 eCommerce channel ticked", false, json!(["pos", "ecommerce"]), true, "ok"),
            ("000:119 composite never syncs", true, json!(["pos", "ecommerce"]), true, "composite_not_synced"),
            ("001:238 composite, even inactive", true, json!(["ecommerce"]), false, "composite_not_synced"),
            ("000:171 channel unticked -> not synced", false, json!(["pos"]), true, "not_on_ecommerce_channel"),
            ("001:356 inactive but eCommerce ticked -> synced", false, json!(["pos", "ecommerce"]), false, "ok"),
            ("001:350 inactive product's stock still updates", false, json!(["ecommerce"]), false, "ok"),
            ("000:171 inactive and unticked", false, json!([]), false, "not_on_ecommerce_channel"),
        ];
        let c = fixtures::ctx(true);
        for (doc, composite, channels, active, want) in rows {
            let mut v = fixtures::simple_product();
            v["sales_channels"] = channels;
            v["isActive"] = json!(active);
            if composite {
                v["is_composite"] = json!(true);
                v["composite_components"] = json!([{"product_id": 11, "variant_id": null, "quantity": "2.000"}]);
                v["product_outlets"] = json!([{"outlet_id": 1, "price": "11.00", "stock": null, "is_visible": true}]);
            }
            let p = read(v, &c).unwrap();
            let got = check_syncable_to_web(&p).err().map_or("ok", |e| e.code());
            assert_eq!(got, want, "{doc}");
            assert_eq!(is_syncable_to_web(&p), want == "ok", "{doc}");
        }
    }

    #[test]
    fn composite_components_are_read_and_composites_are_never_written() {
        // 001:238: the components sync as individual products; the composite itself does not.
        let c = fixtures::ctx(true);
        let mut v = fixtures::simple_product();
        v["is_composite"] = json!(true);
        v["composite_components"] = json!([{"product_id": 11, "variant_id": null, "quantity": "2.000"},
                                           {"product_id": 20, "variant_id": 41, "quantity": "0.500"}]);
        let p = read(v, &c).unwrap();
        let ProductKind::Composite { components } = &p.kind else { panic!("composite expected") };
        assert_eq!(components[0].product_id, id("11"));
        assert_eq!(components[1].product_id, id("20:41"));
        assert_eq!(components[1].quantity, Quantity::parse("0.5").unwrap());
        let err = product_to_pos(&p, None, &c.ctx()).unwrap_err();
        assert_eq!(err.code(), "composite_not_synced");
        let component = read(fixtures::simple_product(), &c).unwrap();
        assert!(is_syncable_to_web(&component));
    }

    #[test]
    fn field_map_pos_to_canonical() {
        // product reference 001:313-338 (FAQ 2), POS side of each row.
        let c = fixtures::ctx(true);
        let mut v = fixtures::simple_product();
        v["cost_price"] = json!("4.40");
        let p = read(v, &c).unwrap();
        let rows: [(&str, String, &str); 11] = [
            ("001:316 product name -> Name", p.name.clone(), "Mug"),
            ("001:318 SKU -> SKU", p.sku.as_ref().unwrap().to_string(), "MUG-1"),
            ("001:320 Barcode -> UPC", p.barcode.as_ref().unwrap().to_string(), "9300000000011"),
            ("001:324 description", format!("{:?}", p.description_html), "None"),
            ("001:326 track inventory", p.track_inventory.to_string(), "true"),
            ("001:328 cost price -> Cost", p.prices.cost.unwrap().to_2dp(), "4.40"),
            ("001:330 retail ex tax", p.prices.retail_ex_tax.unwrap().to_2dp(), "10.00"),
            ("001:332 retail inc tax", p.prices.retail_inc_tax.unwrap().to_2dp(), "11.00"),
            ("001:334 stock (inventory outlet)", web_store_stock("Mug", &p.stock, &c.ctx()).unwrap().to_string(), "5"),
            ("001:336 product types -> categories", p.category.clone().unwrap(), "Mugs"),
            ("001:338 brand -> brand name", p.brand.clone().unwrap(), "Acme"),
        ];
        for (doc, got, want) in rows {
            assert_eq!(got, want, "{doc}");
        }
    }

    #[test]
    fn field_map_canonical_to_pos() {
        // product reference 001:313-338, web store -> POS.
        let c = fixtures::ctx(false);
        let mut p = read(fixtures::simple_product(), &c).unwrap();
        p.id = None;
        p.name = "Cup".into();
        p.sku = Some(Sku::parse("CUP-9").unwrap());
        p.barcode = Some(Barcode::parse("0123").unwrap());
        p.description_html = Some("<b>Cup</b>".into());
        p.track_inventory = false;
        p.prices =
            Prices { retail_ex_tax: Some(m("20")), retail_inc_tax: Some(m("22")), cost: Some(m("8.5")), sale: None };
        p.category = Some("kitchen".into());
        p.brand = Some("Globex".into());
        let b = product_to_pos(&p, None, &c.ctx()).unwrap();
        assert_eq!(b.name.as_deref(), Some("Cup"), "001:316");
        assert_eq!(b.sku.as_deref(), Some("CUP-9"), "001:318");
        assert_eq!(b.barcode.as_deref(), Some("0123"), "001:320");
        assert_eq!(b.description.as_deref(), Some("<b>Cup</b>"), "001:324 (web -> POS in both preferences)");
        assert_eq!(b.track_inventory, Some(false), "001:326");
        assert_eq!(b.cost_price.as_deref(), Some("8.50"), "001:328");
        assert_eq!(b.price.as_deref(), Some("20.00"), "001:330 ex tax when the store is tax-exclusive");
        assert_eq!(b.product_type, Some(vec![2]), "001:336 (names match case-insensitively)");
        assert_eq!(b.brand_id, Some(2), "001:338");
    }

    #[test]
    fn prices_per_the_tax_inclusive_setting() {
        // (doc, store tax-inclusive, POS price, product tax rule, ex, inc)
        let rows = [
            ("001:22 tax inclusive: POS price is inc", true, "11.00", Value::Null, "10.00", "11.00"),
            ("001:22 tax exclusive: POS price is ex", false, "10.00", Value::Null, "10.00", "11.00"),
            ("000:19 inclusive, product's own 5 % rule", true, "10.50", json!(3), "10.00", "10.50"),
            ("000:19 exclusive, zero-rated product", false, "10.00", json!(2), "10.00", "10.00"),
        ];
        for (doc, inclusive, price, tax, ex, inc) in rows {
            let c = fixtures::ctx(inclusive);
            let mut v = fixtures::simple_product();
            v["price"] = json!(price);
            v["tax_id"] = tax;
            let p = read(v, &c).unwrap();
            assert_eq!(p.prices.retail_ex_tax.unwrap().to_2dp(), ex, "{doc}");
            assert_eq!(p.prices.retail_inc_tax.unwrap().to_2dp(), inc, "{doc}");
        }
        // Writing: the entered price per the setting, derived when only the other is known.
        let write = [
            ("001:22 inclusive sends inc", true, Some("10"), Some("11"), Some("11.00")),
            ("001:22 exclusive sends ex", false, Some("10"), Some("11"), Some("10.00")),
            ("inclusive, only ex known: derived with the default rate", true, Some("10"), None, Some("11.00")),
            ("exclusive, only inc known: derived", false, None, Some("11"), Some("10.00")),
            ("no price: left as it is", true, None, None, None),
        ];
        for (doc, inclusive, ex, inc, want) in write {
            let c = fixtures::ctx(inclusive);
            let mut p = read(fixtures::simple_product(), &c).unwrap();
            p.prices.retail_ex_tax = ex.map(m);
            p.prices.retail_inc_tax = inc.map(m);
            let b = product_to_pos(&p, None, &c.ctx()).unwrap();
            assert_eq!(b.price.as_deref(), want, "{doc}");
        }
    }

    #[test]
    fn variants_map_to_options_and_simple_stays_simple() {
        // 000:165-167 and 001:301-310.
        let c = fixtures::ctx(true);
        let p = read(fixtures::variant_product(), &c).unwrap();
        assert_eq!(p.kind, ProductKind::WithVariants { options: vec!["Size".into(), "Colour".into()] });
        assert_eq!(p.variants.len(), 2);
        assert_eq!(p.variants[1].options.get("Size").map(String::as_str), Some("M"));
        assert_eq!(p.variants[1].sku.as_ref().unwrap().as_str(), "TS-M-RED");
        assert_eq!(web_store_stock("S / Red", &p.variants[0].stock, &c.ctx()).unwrap(), 3);
        assert_eq!(read(fixtures::simple_product(), &c).unwrap().kind, ProductKind::Simple);

        let b = product_to_pos(&p, None, &c.ctx()).unwrap();
        assert_eq!(b.has_variants, Some(true));
        let vs = b.product_variants.unwrap();
        assert_eq!(vs[0].id, Some(40));
        let names: Vec<_> = vs[0].attributes.as_ref().unwrap().iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Size", "Colour"], "attributes keep the option order");
        assert_eq!(vs[0].price.as_deref(), Some("22.00"));
    }

    #[test]
    fn web_stock_is_one_outlet_or_several_combined() {
        // Stock 5 / 7 / 1 in outlets 1, 2, 3 (000:66-82, 001:72-107).
        let rows: [(&str, &[&str], Result<i64, &str>); 4] = [
            ("000:68 one inventory outlet", &["1"], Ok(5)),
            ("000:77 combined outlets are summed", &["1", "2"], Ok(12)),
            ("001:101 all outlets combined", &["1", "2", "3"], Ok(13)),
            ("no outlet chosen", &[], Err("missing_setting")),
        ];
        for (doc, outlets, want) in rows {
            let mut c = fixtures::ctx(true);
            c.settings.inventory_outlets = outlets.iter().map(|o| id(o)).collect();
            let p = read(fixtures::simple_product(), &c).unwrap();
            let got = web_store_stock("Mug", &p.stock, &c.ctx()).map_err(|e| e.code());
            assert_eq!(got, want, "{doc}");
        }
    }

    #[test]
    fn fractional_stock_is_flagged_not_rounded() {
        // 000:114 and 001:227: the POS sells fractions, the web stores do not.
        let mut c = fixtures::ctx(true);
        let mut v = fixtures::simple_product();
        v["product_outlets"][0]["stock"] = json!("2.500");
        v["product_outlets"][1]["stock"] = json!("0.500");
        let p = read(v, &c).unwrap();
        assert_eq!(p.stock[0].on_hand, Quantity::parse("2.5").unwrap(), "the canonical record keeps the fraction");
        match web_store_stock("Cheese", &p.stock, &c.ctx()) {
            Err(MappingError::FractionalQuantity { quantity, floor, .. }) => {
                assert_eq!(quantity.to_string(), "2.5");
                assert_eq!(floor, 2);
            }
            other => panic!("expected a flag, got {other:?}"),
        }
        c.settings.inventory_outlets = vec![id("1"), id("2")];
        assert_eq!(web_store_stock("Cheese", &p.stock, &c.ctx()), Ok(3), "0.5 + 2.5 is whole");
    }

    #[test]
    fn new_products_from_the_web_store_are_visible_per_the_setting() {
        // (doc, visible in all outlets, inventory outlets, expected visible outlets)
        let rows: [(&str, bool, &[&str], &[i64]); 3] = [
            ("001:213 ticked: visible in all outlets", true, &["1"], &[1, 2, 3]),
            ("001:213 unticked: only the connected outlet", false, &["1"], &[1]),
            ("000:106 unticked: only the mapped outlets", false, &["1", "3"], &[1, 3]),
        ];
        for (doc, all, outlets, want) in rows {
            let mut c = fixtures::ctx(true);
            c.settings.new_products_visible_in_all_outlets = all;
            c.settings.inventory_outlets = outlets.iter().map(|o| id(o)).collect();
            let mut p = read(fixtures::simple_product(), &c).unwrap();
            p.id = None;
            let b = product_to_pos(&p, None, &c.ctx()).unwrap();
            let rows = b.product_outlets.unwrap();
            assert_eq!(rows.len(), 3, "{doc}: every outlet is told");
            let visible: Vec<i64> = rows.iter().filter(|r| r.is_visible == Some(true)).map(|r| r.outlet_id).collect();
            assert_eq!(visible, want, "{doc}");
        }
    }

    #[test]
    fn an_update_leaves_pos_owned_fields_alone() {
        // Channels, active flag, visibility and stock belong to the POS once the product exists
        // (001:225 stock is managed in Hike).
        let c = fixtures::ctx(true);
        let p = read(fixtures::simple_product(), &c).unwrap();
        let b = product_to_pos(&p, None, &c.ctx()).unwrap();
        assert_eq!(b.id, Some(10));
        assert_eq!((b.sales_channels, b.is_active, b.product_outlets), (None, None, None));
        // On create the product is ticked for eCommerce: it sells online.
        let mut p = p;
        p.id = None;
        p.ecommerce_channel = false;
        let b = product_to_pos(&p, None, &c.ctx()).unwrap();
        assert_eq!(b.sales_channels, Some(vec!["pos".to_string(), "ecommerce".to_string()]));
        assert_eq!(b.product_outlets.unwrap()[0].stock.as_deref(), Some("5"));
    }

    #[test]
    fn description_and_images_follow_the_direction_preference() {
        // (doc, description dir, image dir, read purpose, description kept, images kept)
        use FieldDirection::{BothWays, PlatformToPos};
        let rows = [
            (
                "000:130 / 001:254 one way: web store keeps its HTML",
                PlatformToPos,
                PlatformToPos,
                ProductRead::Update,
                false,
                false,
            ),
            ("000:130 both ways when there is no HTML", BothWays, PlatformToPos, ProductRead::Update, true, false),
            ("000:135 / 001:260 images both ways", PlatformToPos, BothWays, ProductRead::Update, false, true),
            (
                "001:260 a new Hike product's images still go initially",
                PlatformToPos,
                PlatformToPos,
                ProductRead::NewOnWebStore,
                true,
                true,
            ),
        ];
        for (doc, d, i, purpose, want_d, want_i) in rows {
            let mut c = fixtures::ctx(true);
            c.options.description = d;
            c.options.images = i;
            let mut v = fixtures::simple_product();
            v["primary_image"] = json!("https://img/1.jpg");
            v["additional_images"] = json!(["https://img/2.jpg"]);
            let p = product_from_pos(&parse(v), purpose, &c.ctx()).unwrap();
            assert_eq!(p.description_html.is_some(), want_d, "{doc}");
            assert_eq!(p.images.len(), if want_i { 2 } else { 0 }, "{doc}");
            // Web store -> POS flows in both preferences.
            let b = product_to_pos(
                &Product { images: vec!["https://a".into()], description_html: Some("<p>x</p>".into()), ..p },
                None,
                &c.ctx(),
            )
            .unwrap();
            assert_eq!(b.description.as_deref(), Some("<p>x</p>"), "{doc}");
            assert_eq!(b.primary_image.as_deref(), Some("https://a"), "{doc}");
        }
    }

    #[test]
    fn products_without_sku_follow_the_product_sync_reference() {
        let source = PlatformId::parse("123").unwrap();
        let rows = [
            ("000:141 / 001:269 auto-assign", SkuPolicy::AutoAssign, Some(&source), Ok("BC-123")),
            (
                "000:143 / 001:275 do not sync non-SKU products",
                SkuPolicy::SkipWithoutSku,
                Some(&source),
                Err("sku_missing"),
            ),
            ("auto-assign needs the web store's id", SkuPolicy::AutoAssign, None, Err("missing_required_field")),
        ];
        for (doc, policy, src, want) in rows {
            let mut c = fixtures::ctx(true);
            c.options.sku_policy = policy;
            let mut p = read(fixtures::simple_product(), &c).unwrap();
            p.id = None;
            p.sku = None;
            let got = product_to_pos(&p, src, &c.ctx());
            assert_eq!(got.as_ref().map(|b| b.sku.as_deref().unwrap()).map_err(|e| e.code()), want, "{doc}");
        }
        // Variants get a stable SKU each; an existing product's SKU is left alone.
        let c = fixtures::ctx(true);
        let mut p = read(fixtures::variant_product(), &c).unwrap();
        p.id = None;
        for v in &mut p.variants {
            v.id = None;
            v.sku = None;
        }
        let b = product_to_pos(&p, Some(&PlatformId::parse("77").unwrap()), &c.ctx()).unwrap();
        let skus: Vec<_> = b.product_variants.unwrap().into_iter().map(|v| v.sku.unwrap()).collect();
        assert_eq!(skus, ["BC-77-RED-S", "BC-77-RED-M"]);
        assert_eq!(b.sku, None, "a variant product's own SKU is optional");
    }

    #[test]
    fn web_stock_counts_go_to_the_one_inventory_outlet_only() {
        type Row<'a> = (&'a str, &'a [&'a str], bool, Result<(), &'a str>);
        let rows: [Row; 3] = [
            ("000:112 one outlet: the count is written", &["2"], false, Ok(())),
            ("000:80 combined outlets: counts do not sync to Hike", &["1", "2"], false, Err("stock_read_only")),
            ("PLATFORM-FACTS §5 weighted average cost refuses manual stock", &["1"], true, Err("stock_read_only")),
        ];
        for (doc, outlets, wac, want) in rows {
            let mut c = fixtures::ctx(true);
            c.settings.inventory_outlets = outlets.iter().map(|o| id(o)).collect();
            c.settings.weighted_average_cost = wac;
            let got = stock_to_pos(&id("10"), 4, &c.ctx());
            assert_eq!(got.as_ref().map(|_| ()).map_err(|e| e.code()), want, "{doc}");
            if let Ok(b) = got {
                let row = &b.product_outlets.unwrap()[0];
                assert_eq!((row.outlet_id, row.stock.as_deref()), (2, Some("4")));
            }
        }
        let c = fixtures::ctx(true);
        let b = stock_to_pos(&id("20:41"), 3, &c.ctx()).unwrap();
        assert_eq!(b.id, Some(20));
        let v = &b.product_variants.unwrap()[0];
        assert_eq!((v.id, v.product_outlets.as_ref().unwrap()[0].stock.as_deref()), (Some(41), Some("3")));
    }

    #[test]
    fn weighted_average_cost_keeps_cost_and_stock_out_of_product_writes() {
        let mut c = fixtures::ctx(true);
        c.settings.weighted_average_cost = true;
        let mut p = read(fixtures::simple_product(), &c).unwrap();
        p.id = None;
        p.prices.cost = Some(m("3"));
        let b = product_to_pos(&p, None, &c.ctx()).unwrap();
        assert_eq!(b.cost_price, None);
        assert!(b.product_outlets.unwrap().iter().all(|r| r.stock.is_none()));
    }

    #[test]
    fn shipping_details_sync_when_ecommerce_fields_are_on() {
        // 001:119-123: the product's "Shipping details" sync both ways once enabled.
        for (doc, on) in [("001:123 enabled", true), ("001:123 not enabled", false)] {
            let mut c = fixtures::ctx(true);
            c.settings.ecommerce_fields = on;
            let mut v = fixtures::simple_product();
            v["shipping_details"] = json!({"weight": "1.250"});
            let p = read(v, &c).unwrap();
            assert_eq!(p.weight_grams, on.then_some(1250), "{doc}");
            let b = product_to_pos(&Product { weight_grams: Some(80), ..p }, None, &c.ctx()).unwrap();
            assert_eq!(b.shipping_details.and_then(|s| s.weight), on.then(|| "0.080".to_string()), "{doc}");
        }
    }

    #[test]
    fn per_outlet_prices_are_read_and_written() {
        let c = fixtures::ctx(true);
        let mut v = fixtures::simple_product();
        v["isPricingDifferentByOutlet"] = json!(true);
        v["product_outlets"][1]["price"] = json!("13.20");
        let p = read(v, &c).unwrap();
        assert_eq!(p.stock[0].price.as_ref().unwrap().retail_inc_tax, Some(m("11")));
        assert_eq!(p.stock[1].price.as_ref().unwrap().retail_ex_tax, Some(m("12")));
        let b = product_to_pos(&p, None, &c.ctx()).unwrap();
        assert_eq!(b.pricing_by_outlet, Some(true));
        let rows = b.product_outlets.unwrap();
        assert_eq!(rows[1].price.as_deref(), Some("13.20"));
        assert!(rows.iter().all(|r| r.stock.is_none() && r.is_visible.is_none()), "update: prices only");
    }

    #[test]
    fn unknown_names_are_skip_reasons_the_engine_can_fix() {
        let c = fixtures::ctx(true);
        let mut p = read(fixtures::simple_product(), &c).unwrap();
        p.brand = Some("Initech".into());
        let e = product_to_pos(&p, None, &c.ctx()).unwrap_err();
        assert_eq!(e, MappingError::UnknownReference { kind: "brand", name: "Initech".into() });
        assert!(e.is_retryable());
        let mut v = fixtures::simple_product();
        v["product_type"] = json!([99]);
        assert_eq!(read(v, &c).unwrap_err().code(), "unknown_reference");
    }

    #[test]
    fn the_web_store_name_is_required() {
        let c = fixtures::ctx(true);
        let p = read(fixtures::simple_product(), &c).unwrap();
        let e = product_to_pos(&Product { name: "  ".into(), ..p }, None, &c.ctx()).unwrap_err();
        assert_eq!(e.code(), "missing_required_field");
        assert!(e.to_string().contains("MUG-1"));
    }

    mod round_trip {
        //! canonical -> POS body -> (the POS stores it) -> canonical keeps every field posbridge
        //! owns. The POS's echo below follows the emulator's documented behaviour (absent
        //! fields default, one row per outlet, stock null where none is kept, ids assigned); the
        //! integration tests check the same round trip against the emulator itself.
        use super::*;
        use crate::mapping::wire::{PosProductOutlet, PosVariant};
        use proptest::prelude::*;

        fn echo_outlets(
            rows: &Option<Vec<PosProductOutletInput>>,
            price: &str,
            stocked: bool,
        ) -> Vec<PosProductOutlet> {
            (1..=3)
                .map(|o| {
                    let r = rows.iter().flatten().find(|r| r.outlet_id == o);
                    PosProductOutlet {
                        outlet_id: o,
                        price: price.to_string(),
                        stock: stocked.then(|| {
                            Quantity::parse(r.and_then(|r| r.stock.as_deref()).unwrap_or("0")).unwrap().to_string()
                        }),
                        is_visible: r.and_then(|r| r.is_visible).unwrap_or(true),
                    }
                })
                .collect()
        }

        fn echo(b: &PosProductInput) -> PosProduct {
            let price = b.price.clone().unwrap_or_else(|| "0.00".into());
            let has_variants = b.has_variants.unwrap_or(false);
            let track = b.track_inventory.unwrap_or(true);
            PosProduct {
                id: 10,
                name: b.name.clone().unwrap(),
                description: b.description.clone().unwrap_or_default(),
                sku: b.sku.clone(),
                barcode: b.barcode.clone(),
                brand_id: b.brand_id,
                product_type: b.product_type.clone().unwrap_or_default(),
                has_variants,
                track_inventory: track,
                continue_selling_no_inventory: true,
                is_active: b.is_active.unwrap_or(true),
                pricing_by_outlet: false,
                sales_channels: b.sales_channels.clone().unwrap_or_else(|| vec!["pos".into()]),
                price: price.clone(),
                tax_id: None,
                serial_number_enabled: false,
                is_composite: false,
                composite_components: vec![],
                product_outlets: echo_outlets(&b.product_outlets, &price, track && !has_variants),
                product_variants: b
                    .product_variants
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, v)| {
                        let vp = v.price.clone().unwrap_or_else(|| price.clone());
                        PosVariant {
                            id: 100 + i as i64,
                            sku: v.sku.clone(),
                            barcode: v.barcode.clone(),
                            name: String::new(),
                            attributes: v.attributes.clone().unwrap_or_default(),
                            price: vp.clone(),
                            is_active: true,
                            product_outlets: echo_outlets(&v.product_outlets, &vp, track),
                        }
                    })
                    .collect(),
                created_at: "2024-05-01T10:00:00Z".into(),
                updated_at: "2024-05-01T10:00:00Z".into(),
                cost_price: b.cost_price.clone(),
                primary_image: b.primary_image.clone(),
                additional_images: b.additional_images.clone().unwrap_or_default(),
                shipping_details: b.shipping_details.clone(),
            }
        }

        fn prices_of(cents: i64, inclusive: bool) -> Prices {
            let (ex, inc) = both_prices(Money::from_cents(cents), TaxRate(1000), inclusive);
            Prices { retail_ex_tax: Some(ex), retail_inc_tax: Some(inc), cost: None, sale: None }
        }

        fn stock(on_hand: [i64; 3], track: bool) -> Vec<OutletStock> {
            (0..3)
                .map(|i| OutletStock {
                    outlet_id: id(&(i + 1).to_string()),
                    on_hand: if track {
                        Quantity::parse(&format!("{}.{:03}", on_hand[i] / 1000, on_hand[i] % 1000)).unwrap()
                    } else {
                        Quantity::ZERO
                    },
                    visible: true,
                    price: None,
                })
                .collect()
        }

        prop_compose! {
            fn product(inclusive: bool)(
                name in "[A-Za-z][A-Za-z0-9 ]{0,20}[A-Za-z0-9]",
                sku in "[A-Z]{2}-[0-9]{1,6}",
                barcode in proptest::option::of("[0-9]{8,13}"),
                description in proptest::option::of("<p>[a-z ]{1,30}</p>"),
                track in any::<bool>(),
                cents in 0i64..1_000_000,
                cost in proptest::option::of(0i64..100_000),
                category in proptest::option::of(prop_oneof![Just("Mugs"), Just("Kitchen")]),
                brand in proptest::option::of(prop_oneof![Just("Acme"), Just("Globex")]),
                images in proptest::collection::vec("https://img/[a-z]{1,8}\\.jpg", 0..3),
                active in any::<bool>(),
                on_hand in [0i64..100_000, 0i64..100_000, 0i64..100_000],
                weight in proptest::option::of(0u32..50_000),
                variants in proptest::option::of(proptest::collection::btree_set("[A-Z]{1,3}", 1..4)),
            ) -> Product {
                let mut prices = prices_of(cents, inclusive);
                prices.cost = cost.map(Money::from_cents);
                let kind = match &variants {
                    Some(_) => ProductKind::WithVariants { options: vec!["Size".into()] },
                    None => ProductKind::Simple,
                };
                let variants: Vec<Variant> = variants.into_iter().flatten().enumerate().map(|(i, size)| Variant {
                    id: None,
                    sku: Some(Sku::parse(format!("{sku}-{size}")).unwrap()),
                    barcode: None,
                    options: [("Size".to_string(), size)].into(),
                    prices: prices_of(cents + i as i64, inclusive),
                    stock: stock(on_hand, track),
                }).collect();
                let with_variants = !variants.is_empty();
                Product {
                    id: None,
                    name,
                    sku: Some(Sku::parse(sku).unwrap()),
                    barcode: barcode.map(|b| Barcode::parse(b).unwrap()),
                    description_html: description,
                    kind,
                    variants,
                    track_inventory: track,
                    prices,
                    category: category.map(String::from),
                    brand: brand.map(String::from),
                    tags: vec![],
                    images,
                    active,
                    ecommerce_channel: true,
                    stock: stock(if with_variants { [0; 3] } else { on_hand }, track && !with_variants),
                    weight_grams: weight,
                }
            }
        }

        fn check(p: Product, inclusive: bool) -> Result<(), TestCaseError> {
            let mut c = fixtures::ctx(inclusive);
            c.options.description = FieldDirection::BothWays;
            c.options.images = FieldDirection::BothWays;
            c.settings.ecommerce_fields = true;
            let body = product_to_pos(&p, None, &c.ctx()).unwrap();
            // The body is what goes on the wire: it must survive JSON.
            let wire: PosProductInput = serde_json::from_str(&serde_json::to_string(&body).unwrap()).unwrap();
            prop_assert_eq!(&wire, &body);
            let back = product_from_pos(&echo(&wire), ProductRead::Update, &c.ctx()).unwrap();
            let mut want = p;
            want.id = Some(id("10"));
            for (i, v) in want.variants.iter_mut().enumerate() {
                v.id = Some(id(&(100 + i).to_string()));
            }
            prop_assert_eq!(back, want);
            Ok(())
        }

        proptest! {
            #[test]
            fn tax_inclusive_store(p in product(true)) { check(p, true)?; }

            #[test]
            fn tax_exclusive_store(p in product(false)) { check(p, false)?; }
        }
    }
}
