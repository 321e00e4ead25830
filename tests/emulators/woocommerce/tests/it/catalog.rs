//! Products, variations, SKU rules, trash semantics, terms and the documented error bodies.

use reqwest::Method;
use serde_json::json;

use crate::support::shop;

#[tokio::test]
async fn price_is_derived_from_regular_and_sale_price_as_two_decimal_strings() {
    let s = shop().await;
    let p = s.create("/products", json!({ "name": "Tee", "regular_price": "20", "sale_price": "15.5" })).await;
    assert_eq!(
        (p["regular_price"].as_str(), p["sale_price"].as_str(), p["price"].as_str()),
        (Some("20.00"), Some("15.50"), Some("15.50"))
    );
    assert_eq!(p["on_sale"], true);
    let path = format!("/products/{}", p["id"]);
    let p = s.put(&path, json!({ "sale_price": "" })).await.body;
    assert_eq!((p["price"].as_str(), p["on_sale"].as_bool()), (Some("20.00"), Some(false)));
    let p = s.put(&path, json!({ "sale_price": "10.00", "date_on_sale_from": "2999-01-01T00:00:00" })).await.body;
    assert_eq!(
        (p["price"].as_str(), p["on_sale"].as_bool()),
        (Some("20.00"), Some(false)),
        "a future sale is not active"
    );
    let ignored = s.put(&path, json!({ "price": "1.00" })).await.body;
    assert_eq!(ignored["price"], "20.00", "price is read-only");
}

#[tokio::test]
async fn money_fields_must_be_json_strings() {
    let s = shop().await;
    let r = s.post("/products", json!({ "name": "Tee", "regular_price": 10.5 })).await;
    assert_eq!((r.status, r.body["code"].as_str()), (400, Some("rest_invalid_param")));
    assert_eq!(r.body["message"], "Invalid parameter(s): regular_price");
    assert!(r.body["data"]["params"]["regular_price"].is_string());
}

#[tokio::test]
async fn stock_quantity_only_counts_when_stock_is_managed() {
    let s = shop().await;
    let table = [
        (json!({ "manage_stock": false, "stock_quantity": 5 }), json!(null), "instock"),
        (json!({ "manage_stock": true, "stock_quantity": 3 }), json!(3), "instock"),
        (json!({ "manage_stock": true, "stock_quantity": 0 }), json!(0), "outofstock"),
        (json!({ "manage_stock": true, "stock_quantity": 0, "backorders": "notify" }), json!(0), "onbackorder"),
    ];
    for (input, qty, status) in table {
        let mut body = input.clone();
        body["name"] = json!("Stocked");
        let p = s.create("/products", body).await;
        assert_eq!((&p["stock_quantity"], p["stock_status"].as_str()), (&qty, Some(status)), "{input}");
    }
}

#[tokio::test]
async fn duplicate_sku_is_refused_across_products_and_variations_case_insensitively() {
    let s = shop().await;
    let a = s.create("/products", json!({ "name": "A", "sku": "TEE" })).await;
    let r = s.post("/products", json!({ "name": "B", "sku": "tee" })).await;
    assert_eq!((r.status, r.body["code"].as_str()), (400, Some("product_invalid_sku")));
    assert_eq!(r.body["message"], "Invalid or duplicated SKU.");
    assert_eq!(r.body["data"]["resource_id"], a["id"]);
    assert_eq!(r.body["data"]["unique_sku"], "tee-1");

    let parent = s.create("/products", json!({ "name": "Var", "type": "variable" })).await;
    let vpath = format!("/products/{}/variations", parent["id"]);
    let clash = s.post(&vpath, json!({ "sku": "TEE" })).await;
    assert_eq!(clash.body["code"], "product_invalid_sku");
    let v = s.create(&vpath, json!({ "sku": "TEE-BLK" })).await;
    let r = s.post("/products", json!({ "name": "C", "sku": "tee-blk" })).await;
    assert_eq!(r.body["data"]["resource_id"], v["id"], "a variation owns the SKU");
    let upd = s.put(&format!("/products/{}", a["id"]), json!({ "sku": "TEE-BLK" })).await;
    assert_eq!(upd.status, 400, "updates are checked too");

    assert_eq!(s.delete(&format!("/products/{}", a["id"])).await.status, 200);
    assert_eq!(
        s.post("/products", json!({ "name": "D", "sku": "TEE" })).await.status,
        201,
        "a trashed product frees its SKU"
    );
}

#[tokio::test]
async fn variable_products_have_a_variations_sub_resource_and_sku_lookup_finds_variations() {
    let s = shop().await;
    let parent = s
        .create(
            "/products",
            json!({ "name": "Hoodie", "type": "variable",
            "attributes": [{ "name": "Size", "variation": true, "visible": true, "options": ["S", "M"] }] }),
        )
        .await;
    let vpath = format!("/products/{}/variations", parent["id"]);
    let small = s
        .create(
            &vpath,
            json!({ "sku": "HOOD-S", "regular_price": "12.00", "manage_stock": true, "stock_quantity": 4,
                                 "attributes": [{ "name": "Size", "option": "S" }] }),
        )
        .await;
    let medium = s
        .create(
            &vpath,
            json!({ "sku": "HOOD-M", "regular_price": "9.00", "attributes": [{ "name": "Size", "option": "M" }] }),
        )
        .await;
    assert_eq!(small["_links"]["up"][0]["href"], s.url(&format!("/products/{}", parent["id"])));
    assert_eq!(small["stock_quantity"], 4);

    let p = s.get(&format!("/products/{}", parent["id"])).await.body;
    assert_eq!(p["variations"], json!([small["id"], medium["id"]]));
    assert_eq!(p["price"], "9.00", "a variable product shows its cheapest variation");
    assert_eq!(s.get(&vpath).await.body.as_array().unwrap().len(), 2);

    let found = s.get("/products?sku=HOOD-S").await.body;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        (found[0]["id"].clone(), found[0]["type"].as_str(), found[0]["parent_id"].clone()),
        (small["id"].clone(), Some("variation"), parent["id"].clone())
    );

    let other = s.create("/products", json!({ "name": "Other", "type": "variable" })).await;
    let wrong_parent = s.get(&format!("/products/{}/variations/{}", other["id"], small["id"])).await;
    assert_eq!(
        (wrong_parent.status, wrong_parent.body["code"].as_str()),
        (404, Some("woocommerce_rest_product_variation_invalid_id"))
    );
}

#[tokio::test]
async fn delete_without_force_trashes_products_and_orders_but_other_resources_need_force() {
    let s = shop().await;
    let p = s.create("/products", json!({ "name": "Old" })).await;
    let path = format!("/products/{}", p["id"]);
    let trashed = s.delete(&path).await;
    assert_eq!(trashed.status, 200);
    assert_eq!(s.get(&path).await.body["status"], "trash");
    assert!(s.get("/products").await.body.as_array().unwrap().is_empty(), "trash is not listed by default");
    assert_eq!(s.get("/products?status=trash").await.body.as_array().unwrap().len(), 1);
    let again = s.delete(&path).await;
    assert_eq!((again.status, again.body["code"].as_str()), (410, Some("woocommerce_rest_already_trashed")));
    assert_eq!(s.delete(&format!("{path}?force=true")).await.status, 200);
    assert_eq!(s.get(&path).await.status, 404);

    let o = s.create("/orders", json!({})).await;
    s.delete(&format!("/orders/{}", o["id"])).await;
    assert_eq!(s.get(&format!("/orders/{}", o["id"])).await.body["status"], "trash");

    let c = s.create("/customers", json!({ "email": "a@example.com" })).await;
    let tag = s.create("/products/tags", json!({ "name": "t" })).await;
    let var_parent = s.create("/products", json!({ "name": "V", "type": "variable" })).await;
    let var = s.create(&format!("/products/{}/variations", var_parent["id"]), json!({})).await;
    for path in [
        format!("/customers/{}", c["id"]),
        format!("/products/tags/{}", tag["id"]),
        format!("/products/{}/variations/{}", var_parent["id"], var["id"]),
    ] {
        let r = s.delete(&path).await;
        assert_eq!((r.status, r.body["code"].as_str()), (501, Some("woocommerce_rest_trash_not_supported")), "{path}");
        assert_eq!(s.delete(&format!("{path}?force=true")).await.status, 200, "{path}");
        assert_eq!(s.get(&path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn unknown_ids_and_routes_get_the_documented_404s() {
    let s = shop().await;
    let p = s.create("/products", json!({ "name": "P" })).await;
    let table = [
        ("/products/999", "woocommerce_rest_product_invalid_id"),
        ("/orders/999", "woocommerce_rest_shop_order_invalid_id"),
        ("/customers/999", "woocommerce_rest_invalid_id"),
        ("/products/categories/999", "woocommerce_rest_term_invalid"),
        ("/webhooks/999", "woocommerce_rest_shop_webhook_invalid_id"),
        ("/taxes/999", "woocommerce_rest_invalid_id"),
        ("/orders/999/refunds", "woocommerce_rest_invalid_order_id"),
        ("/products/abc", "rest_no_route"),
        ("/coupons-nope", "rest_no_route"),
    ];
    for (path, code) in table {
        let r = s.get(path).await;
        assert_eq!((r.status, r.body["code"].as_str()), (404, Some(code)), "{path}");
        assert_eq!(r.body["data"]["status"], 404);
    }
    let wrong_method = s.send(Method::DELETE, "/payment_gateways/bacs", None).await;
    assert_eq!((wrong_method.status, wrong_method.body["code"].as_str()), (404, Some("rest_no_route")));
    let var = s.get(&format!("/products/{}/variations/999", p["id"])).await;
    assert_eq!(var.body["code"], "woocommerce_rest_product_variation_invalid_id");
}

#[tokio::test]
async fn categories_tags_and_attribute_terms_are_crud_resources_with_counts() {
    let s = shop().await;
    let cat = s.create("/products/categories", json!({ "name": "Shirts" })).await;
    assert_eq!(cat["slug"], "shirts");
    let dup = s.post("/products/categories", json!({ "name": "shirts" })).await;
    assert_eq!(
        (dup.status, dup.body["code"].as_str(), dup.body["data"]["resource_id"].clone()),
        (400, Some("term_exists"), cat["id"].clone())
    );
    let missing = s.post("/products/tags", json!({})).await;
    assert_eq!((missing.status, missing.body["code"].as_str()), (400, Some("rest_missing_callback_param")));
    s.create("/products", json!({ "name": "P", "categories": [{ "id": cat["id"] }] })).await;
    let got = s.get(&format!("/products/categories/{}", cat["id"])).await.body;
    assert_eq!(got["count"], 1);
    let renamed =
        s.put(&format!("/products/categories/{}", cat["id"]), json!({ "description": "All shirts" })).await.body;
    assert_eq!(renamed["description"], "All shirts");

    let attr = s.create("/products/attributes", json!({ "name": "Size" })).await;
    assert_eq!(attr["slug"], "pa_size");
    let dup_attr = s.post("/products/attributes", json!({ "name": "Size" })).await;
    assert_eq!(dup_attr.status, 400);
    let terms = format!("/products/attributes/{}/terms", attr["id"]);
    s.create(&terms, json!({ "name": "Large", "menu_order": 2 })).await;
    s.create(&terms, json!({ "name": "Small", "menu_order": 1 })).await;
    let listed = s.get(&terms).await.body;
    assert_eq!(
        listed.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Small", "Large"]
    );
    assert_eq!(s.get("/products/attributes/999/terms").await.status, 404);
}

#[tokio::test]
async fn dates_are_given_in_the_site_zone_and_in_gmt_without_a_zone_suffix() {
    let s = crate::support::shop_with(emu_woocommerce::Config { utc_offset_minutes: -180, ..Default::default() }).await;
    let p = s.create("/products", json!({ "name": "Zoned" })).await;
    let hour = |k: &str| p[k].as_str().unwrap()[11..13].parse::<i64>().unwrap();
    assert_eq!((hour("date_created") + 3) % 24, hour("date_created_gmt"));
    assert_eq!(p["date_modified_gmt"].as_str().unwrap().len(), 19, "YYYY-MM-DDTHH:MM:SS");
}
