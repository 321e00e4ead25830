//! Product mapping tests. Rows cite the product doc as `file:line` (000 = Ecwid integration,
//! 001 = BigCommerce integration, whose field map the Ecwid doc leaves implicit).

use posbridge_domain::model::{PosId, TaxRate};
use proptest::prelude::*;

use super::*;
use crate::mapping::{CategoryLink, InventorySource};

fn pos(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}
fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn ctx() -> EcwidContext {
    let mut c = EcwidContext::new(pos("outlet-main"));
    c.categories = vec![
        CategoryLink { ecwid_id: 19_563_207, name: "Fruit".into(), pos_id: Some(pos("pt-fruit")) },
        CategoryLink { ecwid_id: 19_976_005, name: "Citrus".into(), pos_id: Some(pos("pt-citrus")) },
        CategoryLink { ecwid_id: 9_691_094, name: "Mugs".into(), pos_id: Some(pos("pt-mugs")) },
    ];
    c
}

fn opts(include: bool, rate: u32) -> MappingOptions {
    MappingOptions { prices_include_tax: include, default_tax_rate: TaxRate(rate), ..Default::default() }
}

/// The first item of `examples/products--search-products--response-example-json.json`
/// (image and translation fields trimmed), plus a UPC and a brand attribute.
fn orange() -> Value {
    json!({
        "id": 37208339, "sku": "00099", "quantity": 11, "unlimited": false, "inStock": true,
        "name": "Orange", "price": 10, "costPrice": 4.5,
        "tax": {"defaultLocationIncludedTaxRate": 5, "enabledManualTaxes": [1117939042]},
        "compareToPrice": 23, "isShippingRequired": true, "weight": 0.25,
        "enabled": true, "options": [], "defaultCombinationId": 0,
        "description": "<p>It's a tasty fruit!</p>",
        "media": {"images": [
            {"id": "1", "isMain": false, "orderBy": 1, "imageOriginalUrl": "https://img/2.jpg"},
            {"id": "0", "isMain": true, "orderBy": 0, "imageOriginalUrl": "https://img/1.jpg"}
        ]},
        "categoryIds": [19563207, 19976005, 19976006], "defaultCategoryId": 0,
        "attributes": [
            {"id": 8258226, "name": "Width", "value": "61.47 mm", "type": "CUSTOM", "show": "DESCR"},
            {"id": 9998010, "name": "UPC", "value": "0123456789012", "type": "UPC", "show": "DESCR"},
            {"id": 9998011, "name": "Brand", "value": "Sunkist", "type": "BRAND", "show": "DESCR"}
        ],
        "combinations": []
    })
}

/// A product with variations, shaped like `combinations--get-product-variation--response...`.
fn tshirt() -> Value {
    json!({
        "id": 500, "sku": "TEE", "name": "Tee", "price": 20, "unlimited": false, "quantity": 0,
        "options": [
            {"type": "SELECT", "name": "Size", "choices": [{"text": "Small"}, {"text": "Large"}]},
            {"type": "RADIO", "name": "Color", "choices": [{"text": "White"}]}
        ],
        "combinations": [
            {"id": 7084075, "combinationNumber": 2, "sku": "000072", "quantity": 62, "unlimited": false, "price": 1.45,
             "options": [{"name": "Color", "value": "White"}, {"name": "Size", "value": "Small"}],
             "attributes": [{"id": 9998010, "name": "UPC", "value": "111", "type": "UPC"}]},
            {"id": 7084076, "combinationNumber": 3, "quantity": 5, "unlimited": false,
             "options": [{"name": "Size", "value": "Large"}, {"name": "Color", "value": "White"}]}
        ]
    })
}

// ---------- field map: Ecwid -> POS ----------

// 001:316-338 field map, with Ecwid's field for each row.
#[test]
fn field_map_reads_every_posbridge_field_of_an_ecwid_product() {
    let p = product_from_ecwid(&orange(), &opts(false, 1000), &ctx()).unwrap();
    let rows: &[(&str, bool, &str)] = &[
        ("001:316 name <- name", p.name == "Orange", "name"),
        ("001:318 SKU <- sku", p.sku.as_ref().map(Sku::as_str) == Some("00099"), "sku"),
        (
            "000:17, 001:320 barcode <- UPC attribute",
            p.barcode.as_ref().map(Barcode::as_str) == Some("0123456789012"),
            "barcode",
        ),
        (
            "001:324 description <- description (HTML kept)",
            p.description_html.as_deref() == Some("<p>It's a tasty fruit!</p>"),
            "description",
        ),
        ("001:326 track inventory <- !unlimited", p.track_inventory, "track"),
        ("001:328 cost <- costPrice", p.prices.cost == Some(m("4.5")), "cost"),
        ("001:330 retail ex tax <- price (tax-exclusive store)", p.prices.retail_ex_tax == Some(m("10")), "ex"),
        ("001:332 retail inc tax derived with the default rate", p.prices.retail_inc_tax == Some(m("11")), "inc"),
        (
            "001:334 stock <- quantity at the inventory outlet (000:68)",
            p.stock
                == vec![OutletStock {
                    outlet_id: pos("outlet-main"),
                    on_hand: Quantity::units(11),
                    visible: true,
                    price: None,
                }],
            "stock",
        ),
        ("001:336 product type <- category", p.category.as_deref() == Some("Fruit"), "category"),
        ("001:338 brand <- BRAND attribute", p.brand.as_deref() == Some("Sunkist"), "brand"),
        (
            "000:135 images <- media, main image first",
            p.images == vec!["https://img/1.jpg".to_string(), "https://img/2.jpg".into()],
            "images",
        ),
        ("weight: 0.25 kg = 250 g", p.weight_grams == Some(250), "weight"),
        ("compareToPrice is Ecwid's own 'was' price, not the POS sale price", p.prices.sale.is_none(), "sale"),
        ("000:166-167 simple <-> simple", p.kind == ProductKind::Simple && p.variants.is_empty(), "kind"),
        ("a product in Ecwid is in the eCommerce channel", p.ecommerce_channel && p.active, "channel"),
    ];
    for (src, ok, field) in rows {
        assert!(ok, "{field}: {src}\n{p:#?}");
    }
}

// 000:19 "Apply tax rule": Ecwid's price is inc or ex tax exactly as the POS setting says.
#[test]
fn tax_setting_decides_which_retail_price_ecwid_holds() {
    // (prices include tax, rate bp, Ecwid price, POS ex, POS inc)
    let rows = [
        (true, 1000, "11", "10.0000", "11.0000"),
        (false, 1000, "10", "10.0000", "11.0000"),
        (true, 1500, "22.99", "19.9913", "22.9900"),
        (false, 1500, "19.99", "19.9900", "22.9885"),
        (true, 0, "5", "5.0000", "5.0000"),
    ];
    for (include, rate, price, ex, inc) in rows {
        let o = opts(include, rate);
        let mut e = orange();
        e["price"] = json!(price.parse::<f64>().unwrap());
        let p = product_from_ecwid(&e, &o, &ctx()).unwrap();
        assert_eq!(p.prices.retail_ex_tax.unwrap().to_4dp(), ex, "000:19 include={include} rate={rate}");
        assert_eq!(p.prices.retail_inc_tax.unwrap().to_4dp(), inc, "000:19 include={include} rate={rate}");
        // And back: Ecwid gets the price the merchant entered under that setting.
        let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
        assert_eq!(Money::parse(&w.product["price"].to_string()).unwrap(), m(price), "000:19 write include={include}");
    }
}

#[test]
fn price_is_derived_when_only_the_other_one_is_known() {
    let mut p = product_from_ecwid(&orange(), &opts(false, 1000), &ctx()).unwrap();
    p.prices.retail_inc_tax = None; // only ex known: 10
    let w = product_to_ecwid(&p, None, &opts(true, 1000), &ctx(), None).unwrap();
    assert_eq!(w.product["price"], json!(11), "inc-tax store gets 10 + 10 %");
    p.prices.retail_ex_tax = None;
    let e = product_to_ecwid(&p, None, &opts(true, 1000), &ctx(), None).unwrap_err();
    assert_eq!(
        e,
        MappingError::MissingRequiredField {
            entity: "product",
            field: "retail price",
            record: "Orange (00099)".into()
        }
    );
}

// ---------- field map: POS -> Ecwid ----------

#[test]
fn field_map_writes_ecwid_fields_for_a_new_simple_product() {
    let o = opts(false, 1000);
    let p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
    let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
    assert_eq!(w.kind, WriteKind::Create, "004:52 status created");
    let b = &w.product;
    assert_eq!(b["name"], "Orange");
    assert_eq!(b["sku"], "00099");
    assert_eq!(b["price"], json!(10));
    assert_eq!(b["costPrice"], json!(4.5));
    assert_eq!(b["unlimited"], json!(false));
    assert_eq!(b["quantity"], json!(11));
    assert_eq!(b["weight"], json!(0.25));
    assert_eq!(b["enabled"], json!(true));
    assert_eq!(b["description"], "<p>It's a tasty fruit!</p>");
    assert_eq!(b["categoryIds"], json!([19563207]));
    assert_eq!(b["defaultCategoryId"], json!(19563207));
    assert_eq!(
        b["attributes"],
        json!([{"alias": "UPC", "value": "0123456789012"}, {"alias": "BRAND", "value": "Sunkist"}])
    );
    assert!(b.get("options").is_none() && w.combinations.is_empty(), "000:166 simple -> simple");
    assert_eq!(w.images.len(), 2);
}

#[test]
fn untracked_products_are_unlimited_in_ecwid_and_back() {
    let o = opts(false, 0);
    let mut e = orange();
    e["unlimited"] = json!(true);
    e.as_object_mut().unwrap().remove("quantity");
    let p = product_from_ecwid(&e, &o, &ctx()).unwrap();
    assert!(!p.track_inventory, "001:326 track inventory");
    assert!(p.stock.is_empty());
    let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
    assert_eq!(w.product["unlimited"], json!(true));
    assert!(w.product.get("quantity").is_none());
}

// 000:57-59 tax mapping on products.
#[test]
fn product_tax_rule_is_written_through_the_tax_mapping() {
    let mut o = opts(false, 0);
    o.tax_map.insert("1117939042".into(), "gst".into());
    let p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
    let w = product_to_ecwid(&p, None, &o, &ctx(), Some("gst")).unwrap();
    assert_eq!(w.product["tax"], json!({"enabledManualTaxes": [1117939042u64]}));
    assert_eq!(product_to_ecwid(&p, None, &o, &ctx(), Some("zero")).unwrap_err().code(), "unmapped_tax");
}

// ---------- variants ----------

// 000:165-167 FAQ 1: variant <-> variant options under one product.
#[test]
fn ecwid_variations_become_pos_variants() {
    let p = product_from_ecwid(&tshirt(), &opts(false, 0), &ctx()).unwrap();
    assert_eq!(
        p.kind,
        ProductKind::WithVariants { options: vec!["Size".into(), "Color".into()] },
        "declared option order"
    );
    assert_eq!(p.variants.len(), 2);
    let v = &p.variants[0];
    assert_eq!(v.sku.as_ref().unwrap().as_str(), "000072");
    assert_eq!(v.barcode.as_ref().unwrap().as_str(), "111", "variation UPC attribute");
    assert_eq!(v.options.get("Size").map(String::as_str), Some("Small"));
    assert_eq!(v.prices.retail_ex_tax, Some(m("1.45")));
    assert_eq!(v.stock[0].on_hand, Quantity::units(62));
    let v2 = &p.variants[1];
    assert_eq!(v2.prices.retail_ex_tax, Some(m("20")), "omitted price inherits the product's");
    assert_eq!(v2.sku.as_ref().unwrap().as_str(), "ECWID-500-7084076", "000:141-142 auto-assigned SKU");
    assert!(p.stock.is_empty(), "stock lives on the variants");
    assert!(p.track_inventory);
}

#[test]
fn pos_variants_become_ecwid_options_and_variations() {
    let o = opts(false, 0);
    let p = product_from_ecwid(&tshirt(), &o, &ctx()).unwrap();
    let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
    assert_eq!(
        w.product["options"],
        json!([
            {"type": "SELECT", "name": "Size", "required": true, "choices": [
                {"text": "Small", "priceModifier": 0, "priceModifierType": "ABSOLUTE"},
                {"text": "Large", "priceModifier": 0, "priceModifierType": "ABSOLUTE"}]},
            {"type": "SELECT", "name": "Color", "required": true, "choices": [
                {"text": "White", "priceModifier": 0, "priceModifierType": "ABSOLUTE"}]}
        ])
    );
    assert_eq!(w.combinations.len(), 2);
    assert_eq!(
        w.combinations[0].body,
        json!({"sku": "000072", "options": [{"name": "Size", "value": "Small"}, {"name": "Color", "value": "White"}],
               "price": 1.45, "unlimited": false, "quantity": 62, "attributes": [{"alias": "UPC", "value": "111"}]})
    );
    assert!(w.combinations.iter().all(|c| c.id.is_none()), "new product: variations are created");
    // Update: variations are matched to the existing ones by SKU or by options.
    let u = product_to_ecwid(&p, Some(&tshirt()), &o, &ctx(), None).unwrap();
    assert_eq!(u.kind, WriteKind::Update, "004:52 status updated");
    assert_eq!(u.combinations.iter().map(|c| c.id).collect::<Vec<_>>(), vec![Some(7_084_075), Some(7_084_076)]);
}

#[test]
fn a_variant_without_sku_or_a_duplicate_sku_is_refused_before_ecwid_sees_it() {
    let o = opts(false, 0);
    let mut p = product_from_ecwid(&tshirt(), &o, &ctx()).unwrap();
    p.variants[1].sku = p.variants[0].sku.clone();
    assert_eq!(product_to_ecwid(&p, None, &o, &ctx(), None).unwrap_err().code(), "invalid_field");
    p.variants[1].sku = None;
    assert_eq!(product_to_ecwid(&p, None, &o, &ctx(), None).unwrap_err().code(), "missing_required_field");
}

// ---------- SKU preference (000:137-144) ----------

#[test]
fn products_without_sku_follow_the_sku_preference() {
    let mut e = orange();
    e.as_object_mut().unwrap().remove("sku");
    // (policy, expected sku or error code, source)
    let rows = [
        (SkuPolicy::AutoAssign, Ok("ECWID-37208339"), "000:141-142 auto-assign SKU numbers"),
        (SkuPolicy::SkipWithoutSku, Err("missing_sku"), "000:143-144 do not sync non-SKU products"),
    ];
    for (policy, want, src) in rows {
        let o = MappingOptions { sku_policy: policy, ..Default::default() };
        let got = product_from_ecwid(&e, &o, &ctx());
        match want {
            Ok(s) => assert_eq!(got.unwrap().sku.unwrap().as_str(), s, "{src}"),
            Err(code) => {
                let err = got.unwrap_err();
                assert_eq!(err.code(), code, "{src}");
                assert!(err.is_skip(), "{src}: a deliberate skip with a reason");
            }
        }
    }
    // A variation that inherits the product's SKU has none of its own either.
    let o = MappingOptions { sku_policy: SkuPolicy::SkipWithoutSku, ..Default::default() };
    let err = product_from_ecwid(&tshirt(), &o, &ctx()).unwrap_err();
    assert_eq!(err, MappingError::MissingSku { entity: "variation", record: "500 variation 7084076".into() });
}

// ---------- what never syncs ----------

// 000:119 composite products do not sync (001:238: their components do, as products of their own).
#[test]
fn composite_products_are_never_written_to_ecwid() {
    let o = opts(false, 0);
    let mut p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
    p.kind = ProductKind::Composite { components: vec![] };
    let e = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap_err();
    assert_eq!(e, MappingError::CompositeNotSynced { name: "Orange".into() });
    assert!(e.is_skip());
}

// 000:116 and 000:170-171: the eCommerce channel tick decides, not the active flag.
#[test]
fn ecommerce_channel_decides_whether_a_product_syncs() {
    let o = opts(false, 0);
    let mut p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
    p.active = false;
    let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
    assert_eq!(w.product["enabled"], json!(true), "000:171 inactive but ticked still syncs");
    let u = product_to_ecwid(&p, Some(&orange()), &o, &ctx(), None).unwrap();
    assert!(u.product.get("enabled").is_none(), "visibility in Ecwid is left to the merchant after creation");
    p.ecommerce_channel = false;
    let e = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap_err();
    assert_eq!(e.code(), "not_in_ecommerce_channel", "000:170-171 untick eCommerce to keep it off Ecwid");
}

// ---------- description and image preferences ----------

// 000:127-130 description, 000:132-135 images. (direction, create/update, description written, images written)
#[test]
fn description_and_images_follow_the_direction_preferences() {
    let rows = [
        (
            FieldDirection::PlatformToPos,
            false,
            false,
            false,
            "000:130/135 recommended one-way: updates keep Ecwid's HTML and images",
        ),
        (FieldDirection::PlatformToPos, true, true, true, "creation writes them once (001:260)"),
        (FieldDirection::BothWays, false, true, true, "000:130 both ways: POS changes reach Ecwid"),
        (FieldDirection::BothWays, true, true, true, "creation"),
    ];
    for (dir, create, desc, imgs, src) in rows {
        let o = MappingOptions { description: dir, images: dir, ..Default::default() };
        let p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
        let existing = orange();
        let w = product_to_ecwid(&p, if create { None } else { Some(&existing) }, &o, &ctx(), None).unwrap();
        assert_eq!(w.product.get("description").is_some(), desc, "{src}");
        assert_eq!(!w.images.is_empty(), imgs, "{src}");
    }
    // Ecwid -> POS always carries them, HTML untouched.
    let o = MappingOptions { description: FieldDirection::PlatformToPos, ..Default::default() };
    let mut e = orange();
    e["description"] = json!("<div class=\"x\"><b>Bold</b> &amp; <i>it</i></div>");
    assert_eq!(
        product_from_ecwid(&e, &o, &ctx()).unwrap().description_html.as_deref(),
        Some("<div class=\"x\"><b>Bold</b> &amp; <i>it</i></div>")
    );
}

#[test]
fn update_keeps_the_merchants_other_attributes_and_categories() {
    let o = opts(false, 0);
    let mut p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
    p.category = Some("Mugs".into());
    p.barcode = None;
    let w = product_to_ecwid(&p, Some(&orange()), &o, &ctx(), None).unwrap();
    assert_eq!(
        w.product["attributes"],
        json!([{"id": 8258226, "value": "61.47 mm"}, {"alias": "BRAND", "value": "Sunkist"}])
    );
    assert_eq!(w.product["categoryIds"], json!([19563207, 19976005, 19976006, 9691094]));
    assert_eq!(w.product["defaultCategoryId"], json!(9691094));
}

// ---------- stock ----------

// 000:114 "Hike supports fraction sale feature, but Ecwid does not support it."
#[test]
fn fractional_stock_is_flagged_not_rounded() {
    let o = opts(false, 0);
    let mut p = product_from_ecwid(&orange(), &o, &ctx()).unwrap();
    p.stock[0].on_hand = Quantity::parse("2.5").unwrap();
    let e = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap_err();
    assert_eq!(
        e,
        MappingError::FractionalQuantity {
            record: "Orange (00099) stock".into(),
            quantity: Quantity::parse("2.5").unwrap()
        }
    );
}

// 000:68 one outlet, 000:76-79 combined outlets, 000:80 combined stock never flows back.
#[test]
fn stock_comes_from_the_inventory_outlet_or_the_combined_outlets() {
    let st =
        |o: &str, q: i64| OutletStock { outlet_id: pos(o), on_hand: Quantity::units(q), visible: true, price: None };
    let stock = vec![st("outlet-main", 3), st("outlet-2", 4), st("outlet-3", 5)];
    let mut c = ctx();
    assert_eq!(stock_to_ecwid(&stock, &c, "x").unwrap(), Some(3), "000:68 the selected outlet");
    c.inventory = InventorySource::Combined(vec![pos("outlet-main"), pos("outlet-2")]);
    assert_eq!(stock_to_ecwid(&stock, &c, "x").unwrap(), Some(7), "000:76-78 combined inventory");
    assert_eq!(stock_to_ecwid(&[st("elsewhere", 1)], &c, "x").unwrap(), None, "no level known: nothing written");
    let p = product_from_ecwid(&orange(), &opts(false, 0), &c).unwrap();
    assert!(p.stock.is_empty(), "000:80 Ecwid's count does not sync back with combined outlets");
}

// 000:102 and 000:112: with full Ecwid orders syncing, manual stock changes in Ecwid stay there.
#[test]
fn ecwid_stock_does_not_reach_the_pos_while_full_orders_sync() {
    let mut c = ctx();
    assert!(c.ecwid_stock_flows_to_pos());
    c.send_ecwid_orders_to_pos = true;
    assert!(!c.ecwid_stock_flows_to_pos());
    let p = product_from_ecwid(&orange(), &opts(false, 0), &c).unwrap();
    assert!(p.stock.is_empty() && p.track_inventory);
}

// ---------- barcodes ----------

// 000:17 Ecwid allows duplicate barcodes, the POS does not.
#[test]
fn duplicate_ecwid_barcodes_are_reported() {
    let mut a = orange();
    a["id"] = json!(1);
    let mut b = orange();
    b["id"] = json!(2);
    let mut t = tshirt();
    t["combinations"][0]["attributes"][0]["value"] = json!("0123456789012");
    let errs = duplicate_barcodes(&[a.clone(), b, t]);
    assert_eq!(
        errs,
        vec![MappingError::DuplicateBarcode {
            barcode: "0123456789012".into(),
            records: vec!["product 1".into(), "product 2".into(), "product 500 variation 7084075".into()]
        }]
    );
    assert!(duplicate_barcodes(&[a, tshirt()]).is_empty());
}

// ---------- categories (001:336 product types <-> categories) ----------

#[test]
fn categories_map_to_product_types_with_linked_parents() {
    let c = ctx();
    // Shape of examples/categories--get-category--response-example.json.
    let sub = json!({"id": 10861116, "parentId": 9691094, "name": "Subfruit2", "enabled": true, "description": "<p>arf34</p>"});
    let t = category_from_ecwid(&sub, &c).unwrap();
    assert_eq!(t, Category { id: None, name: "Subfruit2".into(), parent: Some(pos("pt-mugs")) });
    assert_eq!(category_to_ecwid(&t, &c).unwrap(), json!({"name": "Subfruit2", "parentId": 9691094}));
    let root = Category { id: Some(pos("pt-fruit")), name: "Fruit".into(), parent: None };
    assert_eq!(category_to_ecwid(&root, &c).unwrap(), json!({"name": "Fruit", "parentId": 0}));
    assert_eq!(category_from_ecwid(&json!({"id": 19563207, "name": "Fruit"}), &c).unwrap(), root);
    let orphan = json!({"id": 5, "parentId": 404, "name": "X"});
    let e = category_from_ecwid(&orphan, &c).unwrap_err();
    assert!(e.is_retryable(), "parent not linked yet: retried after categories sync");
    let mut p = product_from_ecwid(&orange(), &opts(false, 0), &c).unwrap();
    p.category = Some("Unknown".into());
    assert_eq!(product_to_ecwid(&p, None, &opts(false, 0), &c, None).unwrap_err().code(), "unknown_category");
}

#[test]
fn weight_converts_between_grams_and_the_store_unit() {
    let rows = [
        (WeightUnit::Kilogram, json!(0.32), 320, json!(0.32)),
        (WeightUnit::Gram, json!(150), 150, json!(150)),
        (WeightUnit::Pound, json!(1), 454, json!(1.0009)),
        (WeightUnit::Ounce, json!(2), 57, json!(2.0106)),
    ];
    for (unit, ecwid, grams, back) in rows {
        let v = json!({"weight": ecwid});
        let r = Rec { entity: "product", record: "t" };
        assert_eq!(weight_grams(&v, r, unit).unwrap(), Some(grams), "{unit:?}");
        assert_eq!(weight_json(grams, unit), back, "{unit:?}");
    }
}

// ---------- round trip ----------

fn as_returned(w: &ProductWrite, pid: u64) -> Value {
    // What Ecwid answers after the writes: the body, an id, variations with ids, uploaded images.
    let mut p = w.product.clone();
    p["id"] = json!(pid);
    p["combinations"] = Value::Array(
        w.combinations
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut b = c.body.clone();
                b["id"] = json!(pid * 100 + i as u64);
                b
            })
            .collect(),
    );
    p["media"] = json!({"images": w.images.iter().enumerate().map(|(i, u)| json!({
        "id": i.to_string(), "isMain": i == 0, "orderBy": i, "imageOriginalUrl": u
    })).collect::<Vec<_>>()});
    p
}

fn money_cents() -> impl Strategy<Value = Money> {
    (1i64..10_000_000).prop_map(Money::from_cents)
}

prop_compose! {
    fn prices(include: bool, rate: u32)(entered in money_cents(), cost in proptest::option::of(money_cents())) -> Prices {
        let (ex, inc) = both_prices(entered, include, rate);
        Prices { retail_ex_tax: Some(ex), retail_inc_tax: Some(inc), cost, sale: None }
    }
}

fn stock_at_main(track: bool) -> impl Strategy<Value = Vec<OutletStock>> {
    (0i64..5_000).prop_map(move |q| {
        if track {
            vec![OutletStock { outlet_id: pos("outlet-main"), on_hand: Quantity::units(q), visible: true, price: None }]
        } else {
            Vec::new()
        }
    })
}

fn variant(
    include: bool,
    rate: u32,
    track: bool,
    size: &'static str,
    color: &'static str,
    n: usize,
) -> impl Strategy<Value = Variant> {
    (prices(include, rate), proptest::option::of("[0-9]{8,13}"), stock_at_main(track)).prop_map(
        move |(mut prices, bc, stock)| {
            prices.cost = None; // Ecwid variations have no cost price of their own
            Variant {
                id: None,
                sku: Some(Sku::parse(format!("V{n}-{size}{color}")).unwrap()),
                barcode: bc.map(|b| Barcode::parse(b).unwrap()),
                options: [("Size".to_string(), size.to_string()), ("Color".to_string(), color.to_string())].into(),
                prices,
                stock,
            }
        },
    )
}

fn product(include: bool, rate: u32) -> impl Strategy<Value = Product> {
    let combos: Vec<(&'static str, &'static str)> =
        vec![("S", "Red"), ("M", "Red"), ("L", "Blue"), ("S", "Blue"), ("XL", "Green")];
    (
        "[A-Za-z][A-Za-z0-9]{0,10}( [A-Za-z0-9]{1,8}){0,2}",
        "[A-Z0-9]{1,8}(-[A-Z0-9]{1,4})?",
        proptest::option::of("[0-9]{8,13}"),
        proptest::option::of("<p>[a-z ]{0,20}[a-z]</p>"),
        prices(include, rate),
        proptest::option::of(prop_oneof![Just("Fruit"), Just("Mugs")]),
        proptest::option::of("[A-Z][a-z]{2,10}"),
        proptest::collection::vec("https://img\\.example/[a-z]{1,8}\\.jpg", 0..3),
        any::<bool>(),
        proptest::option::of(0u32..100_000),
        proptest::sample::subsequence(combos, 0..=4),
    )
        .prop_flat_map(move |(name, sku, bc, desc, prices, cat, brand, images, track, weight, picked)| {
            let variants: Vec<_> =
                picked.iter().enumerate().map(|(n, (s, c))| variant(include, rate, track, s, c, n)).collect();
            (stock_at_main(track), variants).prop_map(move |(stock, variants)| Product {
                id: None,
                name: name.clone(),
                sku: Some(Sku::parse(sku.clone()).unwrap()),
                barcode: bc.clone().map(|b| Barcode::parse(b).unwrap()),
                description_html: desc.clone(),
                kind: if variants.is_empty() {
                    ProductKind::Simple
                } else {
                    ProductKind::WithVariants { options: vec!["Size".into(), "Color".into()] }
                },
                stock: if variants.is_empty() { stock } else { Vec::new() },
                variants,
                track_inventory: track,
                prices: prices.clone(),
                category: cat.map(str::to_string),
                brand: brand.clone(),
                tags: Vec::new(),
                images: images.clone(),
                active: true,
                ecommerce_channel: true,
                weight_grams: weight,
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    // canonical -> Ecwid -> canonical keeps every field posbridge owns.
    #[test]
    fn product_round_trip_keeps_every_owned_field(
        (include, rate, p) in (any::<bool>(), prop_oneof![Just(0u32), Just(1000), Just(1500), Just(2000)])
            .prop_flat_map(|(i, r)| (Just(i), Just(r), product(i, r)))
    ) {
        let o = opts(include, rate);
        let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
        let back = product_from_ecwid(&as_returned(&w, 42), &o, &ctx()).unwrap();
        prop_assert_eq!(back, p);
    }

    // Ecwid -> canonical -> Ecwid writes the same price Ecwid had, whatever the setting.
    #[test]
    fn ecwid_price_survives_the_pos(cents in 1i64..10_000_000, include: bool, rate in 0u32..3000) {
        let o = opts(include, rate);
        let mut e = orange();
        e["price"] = money_json(Money::from_cents(cents));
        let p = product_from_ecwid(&e, &o, &ctx()).unwrap();
        let w = product_to_ecwid(&p, None, &o, &ctx(), None).unwrap();
        prop_assert_eq!(&w.product["price"], &e["price"]);
    }
}
