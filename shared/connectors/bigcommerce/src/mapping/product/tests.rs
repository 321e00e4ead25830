//! Product mapping tests. Rows cite the product docs as `file:line`; `001` is
//! `001_0c79d532016484cd.txt` (BigCommerce integration).

use posbridge_domain::model::{Component, TaxRate};
use proptest::prelude::*;

use super::*;
use crate::mapping::fixtures::*;
use crate::mapping::{DimensionUnit, WeightUnit};

fn read(v: &Value, o: &MappingOptions) -> BcProduct {
    product_from_bc(v, o, &bc(), &lookups()).expect("maps").value
}

fn write(p: &Product, w: Write<'_>, o: &MappingOptions, b: &BcOptions) -> Value {
    product_to_bc(p, &ShippingDetails::default(), w, o, b, &lookups()).expect("maps").value
}

fn canonical_simple() -> Product {
    read(&bc_simple(), &opts()).product
}

#[test]
fn field_map_reads_every_bigcommerce_field() {
    let p = canonical_simple();
    let stock = p.stock.iter().find(|s| s.outlet_id == pos("outlet-web")).map(|s| s.on_hand.to_string());
    let rows: Vec<(&str, Option<String>, Option<&str>)> = vec![
        ("001:316 product name = Name", Some(p.name.clone()), Some("Plain Mug")),
        ("001:318 SKU = SKU", p.sku.as_ref().map(|s| s.to_string()), Some("MUG-1")),
        ("001:320 barcode = UPC", p.barcode.as_ref().map(|s| s.to_string()), Some("9300000000017")),
        ("001:324 description = description", p.description_html.clone(), Some("<p>A <b>mug</b></p>")),
        ("001:326 track inventory = tracking method", Some(p.track_inventory.to_string()), Some("true")),
        ("001:328 cost price = Cost", p.prices.cost.map(|c| c.to_4dp()), Some("4.2500")),
        ("001:330 retail ex tax (tax-exclusive store)", p.prices.retail_ex_tax.map(|c| c.to_4dp()), Some("12.5000")),
        (
            "001:332 retail inc tax derived at the default rate",
            p.prices.retail_inc_tax.map(|c| c.to_4dp()),
            Some("13.7500"),
        ),
        ("001:334 stock = stock (inventory outlet)", stock, Some("7")),
        ("001:336 product type = (first) category", p.category.clone(), Some("Mugs")),
        ("001:338 brand = brand name", p.brand.clone(), Some("Acme")),
        ("001:123 shipping details: weight 0.35 kg", p.weight_grams.map(|g| g.to_string()), Some("350")),
    ];
    for (cite, got, want) in rows {
        assert_eq!(got.as_deref(), want, "{cite}");
    }
    assert_eq!(p.kind, ProductKind::Simple, "001:310 simple stays simple");
    assert!(p.variants.is_empty(), "001:310 the base variant is not a POS variant");
    assert_eq!(p.images, vec!["https://cdn/a.jpg".to_string(), "https://cdn/b.jpg".into()], "images in sort order");
}

#[test]
fn field_map_writes_every_pos_field() {
    let mut p = canonical_simple();
    p.stock[0].on_hand = Quantity::units(12);
    let b = write(&p, Write::Create, &opts(), &bc());
    let rows: Vec<(&str, &str, Value)> = vec![
        ("001:316 name", "/name", json!("Plain Mug")),
        ("001:318 SKU", "/sku", json!("MUG-1")),
        ("001:320 barcode -> UPC", "/upc", json!("9300000000017")),
        ("001:324 description", "/description", json!("<p>A <b>mug</b></p>")),
        ("001:326 track inventory -> by product", "/inventory_tracking", json!("product")),
        ("001:328 cost", "/cost_price", json!(4.25)),
        ("001:330 retail ex tax -> price (tax-exclusive, type Price)", "/price", json!(12.5)),
        ("001:334 stock", "/inventory_level", json!(12)),
        ("001:336 product type -> category id", "/categories", json!([23])),
        ("001:338 brand -> brand_name", "/brand_name", json!("Acme")),
        ("PF §1.3 create requires type", "/type", json!("physical")),
        ("PF §1.3 create requires weight (kg store)", "/weight", json!(0.35)),
    ];
    for (cite, ptr, want) in rows {
        assert_eq!(b.pointer(ptr), Some(&want), "{cite}: {ptr} in {b}");
    }
    assert!(b.get("variants").is_none(), "001:306 simple -> simple");
}

#[test]
fn untracked_products_send_no_stock() {
    let mut p = canonical_simple();
    p.track_inventory = false;
    let b = write(&p, Write::Create, &opts(), &bc());
    assert_eq!(b["inventory_tracking"], "none", "001:326");
    assert!(b.get("inventory_level").is_none(), "PF §1.3: a level only applies under tracking");
    let mut untracked = bc_simple();
    untracked["inventory_tracking"] = json!("none");
    let r = read(&untracked, &opts()).product;
    assert!(!r.track_inventory && r.stock.is_empty());
}

#[test]
fn variants_map_to_variant_options_both_ways() {
    // 001:304 Hike variants -> BigCommerce variant options under one product;
    // 001:308 BigCommerce variant options -> a Hike variant product.
    let r = read(&bc_variants(), &opts());
    let p = &r.product;
    assert_eq!(p.kind, ProductKind::WithVariants { options: vec!["Size".into(), "Colour".into()] });
    assert_eq!(p.variants.len(), 2, "the base variant is skipped");
    let v = &p.variants[0];
    assert_eq!(v.sku.as_ref().unwrap().as_str(), "TEE-S-RED");
    assert_eq!(v.options.get("Size").map(String::as_str), Some("S"));
    assert_eq!(v.options.get("Colour").map(String::as_str), Some("Red"));
    assert_eq!(v.barcode.as_ref().unwrap().as_str(), "0001");
    assert_eq!(v.prices.retail_ex_tax, Some(m("31")), "variant's own price");
    assert_eq!(v.prices.cost, Some(m("11")));
    assert_eq!(p.variants[1].prices, Prices::default(), "null prices inherit the product's");
    assert_eq!(v.stock[0].on_hand, Quantity::units(4), "tracked by variant");
    assert!(p.stock.is_empty(), "product-level stock only under product tracking");
    assert_eq!(r.variant_ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(), vec!["112:301", "112:302"]);

    let b = write(p, Write::Create, &opts(), &bc());
    assert_eq!(b["inventory_tracking"], "variant");
    let vs = b["variants"].as_array().unwrap();
    assert_eq!(vs.len(), 2);
    assert_eq!(
        vs[0]["option_values"],
        json!([{ "option_display_name": "Size", "label": "S" }, { "option_display_name": "Colour", "label": "Red" }]),
        "option order follows the product's options"
    );
    assert_eq!(vs[0]["inventory_level"], 4);
    assert!(vs[1].get("price").is_none(), "an inheriting variant sends no price");
}

#[test]
fn variant_without_sku_or_options_is_refused() {
    let p = read(&bc_variants(), &opts()).product;
    let mut v = p.variants[0].clone();
    v.sku = None;
    assert_eq!(variant_to_bc(&v, &p, &opts(), &bc()).unwrap_err().code(), "missing_required_field");
    let mut v = p.variants[0].clone();
    v.options.clear();
    assert_eq!(variant_to_bc(&v, &p, &opts(), &bc()).unwrap_err().code(), "missing_required_field");
}

/// cite, prices include tax, price type, `price`, `retail_price`, `sale_price`, ex, inc, sale.
type ReadRow = (&'static str, bool, BcPriceType, f64, f64, f64, &'static str, &'static str, Option<&'static str>);
/// cite, prices include tax, price type, create?, field, value, `price` sent alongside.
type WriteRow = (&'static str, bool, BcPriceType, bool, &'static str, f64, Option<f64>);

/// 001:22 tax rule and 001:134-154 price type. Columns: cite, prices include tax, price type,
/// BigCommerce `price`, `retail_price`, `sale_price`; expected POS retail ex, inc, and sale.
#[test]
fn price_type_and_tax_rule_table_reading() {
    use BcPriceType::*;
    let rows: [ReadRow; 8] = [
        ("001:138-140 Price, ex-tax store", false, Price, 20.0, 25.0, 18.0, "20", "22", Some("18")),
        ("001:22 Price, inc-tax store", true, Price, 22.0, 0.0, 0.0, "20", "22", None),
        ("001:142-147 Retail Price field", false, RetailPrice, 20.0, 25.0, 0.0, "25", "27.5", None),
        ("001:146 Retail Price empty -> price overall", false, RetailPrice, 20.0, 0.0, 0.0, "20", "22", None),
        ("001:149-154 Sale Price field", false, SalePrice, 20.0, 25.0, 18.0, "18", "19.8", None),
        ("001:153 Sale Price empty -> price overall", false, SalePrice, 20.0, 0.0, 0.0, "20", "22", None),
        ("001:22 Retail Price, inc-tax store", true, RetailPrice, 20.0, 33.0, 0.0, "30", "33", None),
        ("001:22 Sale Price, inc-tax store", true, SalePrice, 20.0, 0.0, 11.0, "10", "11", None),
    ];
    for (cite, inc, pt, price, retail, sale, ex_w, inc_w, sale_w) in rows {
        let mut v = bc_simple();
        v["price"] = json!(price);
        v["retail_price"] = json!(retail);
        v["sale_price"] = json!(sale);
        let p = read(&v, &opts_with(inc, pt)).product;
        assert_eq!(p.prices.retail_ex_tax, Some(m(ex_w)), "{cite}");
        assert_eq!(p.prices.retail_inc_tax, Some(m(inc_w)), "{cite}");
        assert_eq!(p.prices.sale, sale_w.map(m), "{cite}");
    }
}

/// Writing: which BigCommerce field carries the POS retail price, on create and on update.
#[test]
fn price_type_and_tax_rule_table_writing() {
    use BcPriceType::*;
    let cur = bc_simple();
    let rows: [WriteRow; 7] = [
        ("001:138 Price, ex-tax store", false, Price, false, "price", 20.0, None),
        ("001:22 Price, inc-tax store sends the inc price", true, Price, false, "price", 22.0, None),
        ("001:146 Retail Price, update leaves price alone", false, RetailPrice, false, "retail_price", 20.0, None),
        (
            "001:146 Retail Price, create also sets the required price",
            false,
            RetailPrice,
            true,
            "retail_price",
            20.0,
            Some(20.0),
        ),
        ("001:152 Sale Price, update", false, SalePrice, false, "sale_price", 20.0, None),
        ("001:152 Sale Price, create", true, SalePrice, true, "sale_price", 22.0, Some(22.0)),
        ("001:22 Retail Price, inc-tax store", true, RetailPrice, false, "retail_price", 22.0, None),
    ];
    for (cite, inc, pt, create, field, want, price) in rows {
        let mut p = canonical_simple();
        p.prices = Prices { retail_ex_tax: Some(m("20")), retail_inc_tax: Some(m("22")), cost: None, sale: None };
        let w = if create { Write::Create } else { Write::Update { current: &cur } };
        let b = write(&p, w, &opts_with(inc, pt), &bc());
        assert_eq!(b[field], json!(want), "{cite}: {b}");
        if field != "price" {
            assert_eq!(b.get("price").cloned(), price.map(|x| json!(x)), "{cite}");
        }
    }
}

#[test]
fn the_missing_side_of_the_price_is_derived_at_the_default_rate() {
    // 001:330-332: only one of ex/inc was entered; the store's tax rule says which one BigCommerce holds.
    let mut p = canonical_simple();
    p.prices = Prices { retail_ex_tax: None, retail_inc_tax: Some(m("11")), cost: None, sale: None };
    let b = write(&p, Write::Create, &opts(), &bc());
    assert_eq!(b["price"], json!(10.0), "ex-tax store gets the ex price");
    p.prices = Prices { retail_ex_tax: Some(m("10")), retail_inc_tax: None, cost: None, sale: None };
    let b = write(&p, Write::Create, &opts_with(true, BcPriceType::Price), &bc());
    assert_eq!(b["price"], json!(11.0), "inc-tax store gets the inc price");
    p.prices = Prices::default();
    let e = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap_err();
    assert_eq!(e, MappingError::MissingRequiredField { record: "product", field: "retail price" });
}

#[test]
fn sale_price_sync_follows_the_price_type() {
    let mut p = canonical_simple();
    p.prices.sale = Some(m("9"));
    let b = write(&p, Write::Create, &opts(), &bc());
    assert_eq!(b["sale_price"], json!(9.0), "type Price: the POS sale price is BigCommerce's sale price");
    let b = write(&p, Write::Create, &opts_with(false, BcPriceType::SalePrice), &bc());
    assert_eq!(b["sale_price"], json!(12.5), "type Sale Price: the sale field carries the retail price");
}

#[test]
fn shipping_details_sync_only_with_the_ecommerce_fields_setting() {
    // 001:119-123: 'Shipping details' sync both ways once the e-commerce fields are displayed.
    let mut on = bc();
    on.sync_shipping_details = true;
    let mut v = bc_simple();
    v["is_free_shipping"] = json!(true);
    v["fixed_cost_shipping_price"] = json!(4.5);
    let r = product_from_bc(&v, &opts(), &on, &lookups()).unwrap().value;
    assert_eq!(
        r.shipping,
        ShippingDetails {
            width_mm: Some(90),
            height_mm: Some(110),
            depth_mm: Some(90),
            free_shipping: true,
            fixed_shipping_cost: Some(m("4.5"))
        }
    );
    let off = read(&v, &opts());
    assert_eq!(off.shipping, ShippingDetails::default(), "setting off: not read");

    let cur = bc_simple();
    let b = product_to_bc(&r.product, &r.shipping, Write::Update { current: &cur }, &opts(), &on, &lookups())
        .unwrap()
        .value;
    assert_eq!((b["width"].clone(), b["is_free_shipping"].clone()), (json!(9.0), json!(true)));
    assert_eq!(b["fixed_cost_shipping_price"], json!(4.5));
    assert_eq!(b["weight"], json!(0.35));
    let b = product_to_bc(&r.product, &r.shipping, Write::Update { current: &cur }, &opts(), &bc(), &lookups())
        .unwrap()
        .value;
    assert!(b.get("width").is_none() && b.get("weight").is_none(), "setting off: not written on update");
}

#[test]
fn weights_convert_between_grams_and_the_store_unit() {
    for (unit, bc_weight, grams) in
        [(WeightUnit::Ounces, 16.0, 454), (WeightUnit::Pounds, 1.0, 454), (WeightUnit::Grams, 350.0, 350)]
    {
        let mut o = bc();
        o.weight_unit = unit;
        let mut v = bc_simple();
        v["weight"] = json!(bc_weight);
        let p = product_from_bc(&v, &opts(), &o, &lookups()).unwrap().value.product;
        assert_eq!(p.weight_grams, Some(grams), "{unit:?}");
    }
}

#[test]
fn description_follows_its_direction_preference() {
    // 001:250-254: descriptions are best managed in BigCommerce only (HTML markup).
    let p = canonical_simple();
    let cur = bc_simple();
    assert!(write(&p, Write::Create, &opts(), &bc()).get("description").is_some(), "a new product takes it");
    let upd = write(&p, Write::Update { current: &cur }, &opts(), &bc());
    assert!(upd.get("description").is_none(), "BigCommerce -> POS only: updates never overwrite the HTML");
    let both = MappingOptions { description: FieldDirection::BothWays, ..opts() };
    assert_eq!(write(&p, Write::Update { current: &cur }, &both, &bc())["description"], "<p>A <b>mug</b></p>");
}

#[test]
fn images_follow_their_direction_preference() {
    // 001:258-260: new POS products still send their images; later updates flow BigCommerce -> POS
    // unless 2-way is selected.
    let mut p = canonical_simple();
    p.images = vec!["https://pos/a.jpg".into(), "https://cdn/a.jpg".into()];
    let created = write(&p, Write::Create, &opts(), &bc());
    assert_eq!(
        created["images"][0],
        json!({ "image_url": "https://pos/a.jpg", "is_thumbnail": true, "sort_order": 0 })
    );
    let cur = bc_simple();
    assert!(write(&p, Write::Update { current: &cur }, &opts(), &bc()).get("images").is_none());
    let both = MappingOptions { images: FieldDirection::BothWays, ..opts() };
    let upd = write(&p, Write::Update { current: &cur }, &both, &bc());
    assert_eq!(upd["images"].as_array().unwrap().len(), 1, "only images BigCommerce does not have yet");
}

/// 001:263-278 Product SKU preference.
#[test]
fn sku_preference_table() {
    let auto = opts();
    let skip = MappingOptions { sku_policy: SkuPolicy::SkipWithoutSku, ..opts() };
    let mut no_sku = bc_simple();
    no_sku["sku"] = json!("");
    let mut var_no_sku = bc_variants();
    var_no_sku["variants"][2]["sku"] = json!("");
    let rows: [(&str, &Value, &MappingOptions, Result<&str, &str>); 4] = [
        ("001:272 auto-assign a SKU", &no_sku, &auto, Ok("BC-111")),
        ("001:276 do not sync non-SKU products", &no_sku, &skip, Err("missing_sku")),
        ("001:272 auto-assign a variant SKU", &var_no_sku, &auto, Ok("BC-112-302")),
        ("001:276 a variant without SKU", &var_no_sku, &skip, Err("missing_sku")),
    ];
    for (cite, v, o, want) in rows {
        let got = product_from_bc(v, o, &bc(), &lookups()).map(|r| {
            let p = r.value.product;
            p.variants.get(1).and_then(|x| x.sku.clone()).or(p.sku).unwrap().to_string()
        });
        match want {
            Ok(s) => assert_eq!(got.as_deref().ok(), Some(s), "{cite}"),
            Err(code) => assert_eq!(got.unwrap_err().code(), code, "{cite}"),
        }
    }
    // The auto-assigned SKU is stable: the same product maps to the same SKU every time.
    let a = read(&no_sku, &auto).product.sku;
    assert_eq!(a, read(&no_sku, &auto).product.sku);
}

#[test]
fn category_preference() {
    // 001:280-284 and 001:336 (product types = categories).
    let p = canonical_simple();
    assert_eq!(write(&p, Write::Create, &opts(), &bc())["categories"], json!([23]));
    let mut cur = bc_simple();
    cur["categories"] = json!([21, 22]);
    let b = write(&p, Write::Update { current: &cur }, &opts(), &bc());
    assert_eq!(b["categories"], json!([23, 22]), "the type replaces the first category; others stay");
    cur["categories"] = json!([22, 23]);
    assert!(write(&p, Write::Update { current: &cur }, &opts(), &bc()).get("categories").is_none(), "already there");
    let manage = BcOptions { category_preference: CategoryPreference::ManageInBigCommerce, ..bc() };
    assert!(write(&p, Write::Create, &opts(), &manage).get("categories").is_none());
    let mut q = p.clone();
    q.category = Some("Hats".into());
    let e = product_to_bc(&q, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap_err();
    assert_eq!(e, MappingError::NotLinked { entity: "category", key: "Hats".into() });
    assert!(e.is_retryable(), "the category syncs first, then the product");
}

#[test]
fn unknown_category_or_brand_ids_wait_for_a_lookup_refresh() {
    let mut v = bc_simple();
    v["categories"] = json!([99]);
    let e = product_from_bc(&v, &opts(), &bc(), &lookups()).unwrap_err();
    assert_eq!((e.code(), e.is_retryable()), ("unknown_reference", true));
    let mut v = bc_simple();
    v["brand_id"] = json!(77);
    assert_eq!(product_from_bc(&v, &opts(), &bc(), &lookups()).unwrap_err().code(), "unknown_reference");
    v["brand_id"] = json!(0);
    assert_eq!(read(&v, &opts()).product.brand, None, "brand 0 = no brand");
}

#[test]
fn clearing_the_brand_in_the_pos_clears_it_in_bigcommerce() {
    let mut p = canonical_simple();
    p.brand = None;
    let cur = bc_simple();
    assert_eq!(write(&p, Write::Update { current: &cur }, &opts(), &bc())["brand_id"], 0);
}

#[test]
fn composite_products_never_sync() {
    // 001:238: composites stay in the POS; their components sync as individual products.
    let mut p = canonical_simple();
    p.kind =
        ProductKind::Composite { components: vec![Component { product_id: pos("c1"), quantity: Quantity::units(2) }] };
    let e = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap_err();
    assert_eq!(e, MappingError::CompositeNotSynced);
    assert!(e.is_skip());
    let component = canonical_simple();
    assert!(product_to_bc(&component, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).is_ok());
}

#[test]
fn the_ecommerce_channel_decides_not_the_active_flag() {
    // 001:233 and 001:353-356: inactive products with the eCommerce channel ticked still sync.
    let mut p = canonical_simple();
    p.active = false;
    assert!(product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).is_ok());
    p.ecommerce_channel = false;
    let e = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap_err();
    assert_eq!(e, MappingError::NotOnEcommerceChannel);
}

#[test]
fn fractional_stock_is_flagged_and_rounded_down() {
    // 001:227: the POS sells fractions, BigCommerce does not.
    let mut p = canonical_simple();
    p.stock[0].on_hand = Quantity::parse("2.5").unwrap();
    let r = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap();
    assert_eq!(r.value["inventory_level"], 2, "never promise more than there is");
    assert_eq!(
        r.warnings,
        vec![MappingWarning::FractionalStockRoundedDown { sku: Some("MUG-1".into()), quantity: "2.5".into(), sent: 2 }]
    );
    p.stock[0].on_hand = Quantity::units(-3);
    let r = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap();
    assert_eq!(r.value["inventory_level"], 0, "PF §1.3: inventory_level is 0..2147483647");
    assert_eq!(r.warnings[0].code(), "stock_clamped");
}

#[test]
fn combined_outlets_show_their_total_stock() {
    // 001:98-103: the combined inventory of several outlets can show on the web store.
    let mut p = canonical_simple();
    p.stock[0].on_hand = Quantity::units(3);
    p.stock[1].on_hand = Quantity::units(4);
    assert_eq!(write(&p, Write::Create, &opts(), &bc())["inventory_level"], 3, "one outlet");
    let combined = BcOptions { inventory_outlets: vec![pos("outlet-web"), pos("outlet-shop")], ..bc() };
    assert_eq!(write(&p, Write::Create, &opts(), &combined)["inventory_level"], 7, "combined");
}

#[test]
fn visibility_in_all_outlets_when_created_from_bigcommerce() {
    // 001:211-213.
    let p = canonical_simple();
    let shop = p.stock.iter().find(|s| s.outlet_id == pos("outlet-shop")).unwrap();
    assert!(!shop.visible && shop.on_hand == Quantity::ZERO, "only the integration's outlet by default");
    let all = BcOptions { visible_in_all_outlets: true, ..bc() };
    let p = product_from_bc(&bc_simple(), &opts(), &all, &lookups()).unwrap().value.product;
    assert!(p.stock.iter().all(|s| s.visible), "ticked: visible in all outlets");
}

#[test]
fn only_order_stock_moves_flow_from_bigcommerce() {
    // 001:182 orders update POS stock; 001:225 manual BigCommerce adjustments do not.
    assert!(platform_stock_change_applies(InventoryMethod::Relative), "001:182");
    assert!(!platform_stock_change_applies(InventoryMethod::Absolute), "001:225");
}

#[test]
fn duplicate_skus_and_barcodes_are_found() {
    // 001:20: no duplicate SKUs or barcodes.
    let a = canonical_simple();
    let mut b = read(&bc_variants(), &opts()).product;
    b.variants[1].sku = Some(Sku::parse("mug-1").unwrap());
    b.variants[1].barcode = a.barcode.clone();
    let d = find_duplicate_identifiers(&[a, b]);
    assert_eq!(
        d,
        vec![
            DuplicateIdentifier { field: "sku", value: "MUG-1".into(), count: 2 },
            DuplicateIdentifier { field: "barcode", value: "9300000000017".into(), count: 2 },
        ]
    );
    assert!(find_duplicate_identifiers(&[canonical_simple()]).is_empty());
}

#[test]
fn third_party_plugin_fields_are_not_synced() {
    // 001:375-378: fields set by plug-ins (custom fields) are ignored.
    let p = canonical_simple();
    let text = serde_json::to_string(&p).unwrap();
    assert!(!text.contains("set by an app"));
    assert!(write(&p, Write::Create, &opts(), &bc()).get("custom_fields").is_none());
}

#[test]
fn tax_classes_map_to_pos_tax_rules() {
    // 001:76-84 Hike tax / BigCommerce tax mapping.
    let o = MappingOptions { tax_map: BTreeMap::from([("3".into(), "gst".into())]), ..opts() };
    assert_eq!(tax_class_for("gst", &o), Some(3));
    assert_eq!(pos_tax_rule_for(3, &o), Some("gst"));
    assert_eq!(tax_class_for("vat", &o), None);
    assert_eq!(pos_tax_rule_for(4, &o), None);
}

#[test]
fn values_bigcommerce_refuses_are_caught_before_sending() {
    let mut p = canonical_simple();
    p.barcode = Some(Barcode::parse("123456789012345").unwrap());
    let e = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap_err();
    assert_eq!(e.code(), "not_accepted_by_platform", "PF §1.3: upc <= 14");
    let mut p = canonical_simple();
    p.name = "x".repeat(251);
    assert_eq!(
        product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts(), &bc(), &lookups()).unwrap_err().code(),
        "not_accepted_by_platform"
    );
}

#[test]
fn bad_platform_data_is_reported_not_guessed() {
    let mut v = bc_simple();
    v["price"] = json!("twelve");
    assert_eq!(product_from_bc(&v, &opts(), &bc(), &lookups()).unwrap_err().code(), "invalid_value");
    let mut v = bc_simple();
    v["inventory_tracking"] = json!("sometimes");
    assert_eq!(product_from_bc(&v, &opts(), &bc(), &lookups()).unwrap_err().code(), "bad_platform_data");
}

// ---------------------------------------------------------------------------------------------
// Round trip: canonical -> create body -> what BigCommerce answers -> canonical
// ---------------------------------------------------------------------------------------------

/// What BigCommerce answers after `POST /catalog/products` with `body` (modelled on the
/// emulator's `render_product`/`render_variant`): ids, a base variant, brand by id, unset
/// product prices as 0 and unset variant prices as null.
fn bigcommerce_answer(body: &Value, pid: u64, lookups: &mut Lookups) -> Value {
    let mut r = body.clone();
    r["id"] = json!(pid);
    for k in ["retail_price", "sale_price", "cost_price"] {
        if r.get(k).is_none() {
            r[k] = json!(0);
        }
    }
    let brand = r.as_object_mut().unwrap().remove("brand_name");
    r["brand_id"] = match brand.as_ref().and_then(Value::as_str) {
        None => json!(0),
        Some(n) => {
            let id = match lookups.brands.iter().find(|(_, b)| b.eq_ignore_ascii_case(n)) {
                Some((id, _)) => *id,
                None => {
                    let id = 1000 + lookups.brands.len() as u64;
                    lookups.brands.insert(id, n.to_string());
                    id
                }
            };
            json!(id)
        }
    };
    if r.get("categories").is_none() {
        r["categories"] = json!([]);
    }
    if let Some(imgs) = r.get("images").and_then(Value::as_array).cloned() {
        r["images"] = Value::Array(
            imgs.iter().map(|i| json!({ "url_zoom": i["image_url"], "sort_order": i["sort_order"] })).collect(),
        );
    }
    let mut vs = vec![json!({ "id": 1, "product_id": pid, "sku": r["sku"], "option_values": [], "price": null })];
    for (i, v) in body.get("variants").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let mut x = v.clone();
        x["id"] = json!(i as u64 + 2);
        x["product_id"] = json!(pid);
        for k in ["price", "retail_price", "sale_price", "cost_price"] {
            if x.get(k).is_none() {
                x[k] = Value::Null;
            }
        }
        if x.get("inventory_level").is_none() {
            x["inventory_level"] = json!(0);
        }
        vs.push(x);
    }
    r["variants"] = Value::Array(vs);
    if r.get("inventory_level").is_none() {
        r["inventory_level"] = json!(0);
    }
    r
}

fn money_strategy() -> impl Strategy<Value = Money> {
    (1i64..100_000_000).prop_map(money_tt)
}

fn prices_strategy(include_tax: bool, pt: BcPriceType) -> impl Strategy<Value = Prices> {
    (money_strategy(), proptest::option::of(money_strategy()), proptest::option::of(money_strategy())).prop_map(
        move |(r, cost, sale)| {
            let rate = opts().default_tax_rate.0;
            let (ex, inc) = if include_tax { (r.remove_tax(rate), r) } else { (r, r.add_tax(rate)) };
            let sale = if pt == BcPriceType::SalePrice { None } else { sale };
            Prices { retail_ex_tax: Some(ex), retail_inc_tax: Some(inc), cost, sale }
        },
    )
}

fn stock_for(units: i64, bcopts: &BcOptions) -> Vec<OutletStock> {
    stock_entries(units, bcopts)
}

prop_compose! {
    fn product_strategy(include_tax: bool, pt: BcPriceType)(
        name in "[A-Za-z][A-Za-z0-9 ]{0,30}[A-Za-z0-9]",
        sku in "[A-Z]{2,5}-[0-9]{1,4}",
        barcode in proptest::option::of("[0-9]{8,14}"),
        description in proptest::option::of("<p>[a-z ]{1,40}</p>"),
        track in any::<bool>(),
        prices in prices_strategy(include_tax, pt),
        category in proptest::option::of(prop::sample::select(vec!["Shirts", "Sale", "Mugs"])),
        brand in proptest::option::of(prop::sample::select(vec!["Acme", "Globex"])),
        images in proptest::collection::vec("https://img/[a-z]{3,8}\\.jpg", 0..3),
        level in 0i64..100_000,
        weight in proptest::option::of(1u32..50_000),
        sizes in proptest::sample::subsequence(vec!["S", "M", "L", "XL"], 0..=4),
        vprices in proptest::collection::vec(proptest::option::of(prices_strategy(include_tax, pt)), 4),
        vlevels in proptest::collection::vec(0i64..500, 4),
        all_outlets in any::<bool>(),
    ) -> (Product, BcOptions) {
        let bcopts = BcOptions { visible_in_all_outlets: all_outlets, ..bc() };
        let variants: Vec<Variant> = sizes.iter().enumerate().map(|(i, s)| Variant {
            id: None,
            sku: Some(Sku::parse(format!("{sku}-{s}")).unwrap()),
            barcode: None,
            options: BTreeMap::from([("Size".to_string(), s.to_string())]),
            prices: vprices[i].clone().unwrap_or_default(),
            stock: if track { stock_for(vlevels[i], &bcopts) } else { Vec::new() },
        }).collect();
        let with_variants = !variants.is_empty();
        let p = Product {
            id: None,
            name,
            sku: Some(Sku::parse(sku).unwrap()),
            barcode: barcode.map(|b| Barcode::parse(b).unwrap()),
            description_html: description,
            kind: if with_variants { ProductKind::WithVariants { options: vec!["Size".into()] } } else { ProductKind::Simple },
            variants,
            track_inventory: track,
            prices,
            category: category.map(str::to_string),
            brand: brand.map(str::to_string),
            tags: Vec::new(),
            images,
            active: true,
            ecommerce_channel: true,
            stock: if track && !with_variants { stock_for(level, &bcopts) } else { Vec::new() },
            weight_grams: weight,
        };
        (p, bcopts)
    }
}

fn round_trip(p: &Product, o: &MappingOptions, b: &BcOptions) -> Product {
    let mut l = lookups();
    let body = product_to_bc(p, &ShippingDetails::default(), Write::Create, o, b, &l).unwrap().value;
    let answer = bigcommerce_answer(&body, 777, &mut l);
    product_from_bc(&answer, o, b, &l).unwrap().value.product
}

proptest! {
    #[test]
    fn round_trip_keeps_every_owned_field_tax_exclusive_price(pb in product_strategy(false, BcPriceType::Price)) {
        let (p, b) = pb;
        prop_assert_eq!(round_trip(&p, &opts(), &b), p);
    }

    #[test]
    fn round_trip_keeps_every_owned_field_tax_inclusive_retail(pb in product_strategy(true, BcPriceType::RetailPrice)) {
        let (p, b) = pb;
        prop_assert_eq!(round_trip(&p, &opts_with(true, BcPriceType::RetailPrice), &b), p);
    }

    #[test]
    fn round_trip_keeps_every_owned_field_sale_price_type(pb in product_strategy(false, BcPriceType::SalePrice)) {
        let (p, b) = pb;
        prop_assert_eq!(round_trip(&p, &opts_with(false, BcPriceType::SalePrice), &b), p);
    }

    #[test]
    fn round_trip_keeps_shipping_details(
        w in 1u32..100_000, h in 1u32..100_000, d in 1u32..100_000, free in any::<bool>(),
        fixed in proptest::option::of(money_strategy()), grams in 1u32..1_000_000, inches in any::<bool>(),
        unit in prop::sample::select(vec![WeightUnit::Grams, WeightUnit::Kilograms, WeightUnit::Ounces, WeightUnit::Pounds]),
    ) {
        let b = BcOptions {
            sync_shipping_details: true,
            weight_unit: unit,
            dimension_unit: if inches { DimensionUnit::Inches } else { DimensionUnit::Centimeters },
            ..bc()
        };
        let s = ShippingDetails { width_mm: Some(w), height_mm: Some(h), depth_mm: Some(d), free_shipping: free, fixed_shipping_cost: fixed };
        let mut p = canonical_simple();
        p.weight_grams = Some(grams);
        let mut l = lookups();
        let body = product_to_bc(&p, &s, Write::Create, &opts(), &b, &l).unwrap().value;
        let answer = bigcommerce_answer(&body, 5, &mut l);
        let r = product_from_bc(&answer, &opts(), &b, &l).unwrap().value;
        prop_assert_eq!(r.shipping, s);
        prop_assert_eq!(r.product.weight_grams, Some(grams));
    }
}

#[test]
fn the_default_tax_rate_is_what_derives_prices() {
    let o = MappingOptions { default_tax_rate: TaxRate(1500), ..opts() };
    let p = read(&bc_simple(), &o).product;
    assert_eq!(p.prices.retail_inc_tax, Some(m("14.375")));
}
