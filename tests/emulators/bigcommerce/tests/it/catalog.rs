//! Catalog rules: envelopes, paging, SKU and name uniqueness, required fields, base variant,
//! inventory tracking modes, batch limits, categories and brands.

use serde_json::json;

use crate::common::Bc;

#[tokio::test]
async fn v3_envelopes_and_page_limit_paging() {
    let bc = Bc::new().await;
    for i in 0..5 {
        bc.product(&format!("P{i}"), &format!("SKU-{i}"), 1).await;
    }
    let r = bc.get("v3/catalog/products?page=2&limit=2").await;
    assert_eq!(r.status, 200);
    let pg = &r.body["meta"]["pagination"];
    assert_eq!((pg["total"].as_u64(), pg["count"].as_u64(), pg["per_page"].as_u64()), (Some(5), Some(2), Some(2)));
    assert_eq!((pg["current_page"].as_u64(), pg["total_pages"].as_u64()), (Some(2), Some(3)));
    assert_eq!(pg["links"]["previous"], "?page=1&limit=2");
    assert_eq!(pg["links"]["next"], "?page=3&limit=2");
    assert_eq!(r.body["data"][0]["name"], "P2");
    let first = bc.get("v3/catalog/products").await;
    assert_eq!(first.body["meta"]["pagination"]["per_page"], 50, "default limit is 50");
    assert!(first.body["meta"]["pagination"]["links"].get("previous").is_none());
    assert_eq!(bc.get("v3/catalog/products?limit=250").await.status, 200);
    assert_eq!(bc.get("v3/catalog/products?limit=251").await.status, 413);
    let one = bc.get("v3/catalog/products/1").await;
    assert!(one.body["data"].is_object() && one.body["meta"].is_object());
}

#[tokio::test]
async fn missing_required_fields_give_422_with_an_errors_map() {
    let bc = Bc::new().await;
    let r = bc.post("v3/catalog/products", json!({ "sku": "X" })).await;
    assert_eq!(r.status, 422);
    for k in ["name", "type", "weight", "price"] {
        assert!(r.body["errors"].get(k).is_some(), "errors names {k}: {}", r.raw);
    }
    assert_eq!(r.body["status"], 422);
    assert!(r.body["title"].is_string() && r.body["type"].is_string());
}

#[tokio::test]
async fn sku_is_unique_case_insensitively_across_products_and_variants() {
    let bc = Bc::new().await;
    bc.product("Mug", "MUG-1", 3).await;
    let shirt = bc.product_with_variants("Shirt", "SH").await;
    for (name, sku) in [("Mug 2", "mug-1"), ("Other", "sh-red"), ("Third", "Sh-Blue")] {
        let r = bc
            .post(
                "v3/catalog/products",
                json!({ "name": name, "type": "physical", "weight": 1, "price": 1, "sku": sku }),
            )
            .await;
        assert_eq!(r.status, 409, "{sku}: {}", r.raw);
        assert!(r.body["title"].as_str().unwrap().contains("sku is a duplicate"));
    }
    let pid = shirt["id"].as_u64().unwrap();
    let v = bc
        .post(
            &format!("v3/catalog/products/{pid}/variants"),
            json!({ "sku": "MUG-1", "option_values": [{ "option_display_name": "Color", "label": "Green" }] }),
        )
        .await;
    assert_eq!(v.status, 409);
    let dup_name =
        bc.post("v3/catalog/products", json!({ "name": "mug", "type": "physical", "weight": 1, "price": 1 })).await;
    assert_eq!(dup_name.status, 409);
    assert_eq!(dup_name.body["title"], "The product name is a duplicate");
    // updating a product to another's SKU is also a conflict; keeping its own is fine
    let mug_id = bc.get("v3/catalog/products?sku=MUG-1").await.body["data"][0]["id"].as_u64().unwrap();
    assert_eq!(bc.put(&format!("v3/catalog/products/{mug_id}"), json!({ "sku": "SH-RED" })).await.status, 409);
    assert_eq!(bc.put(&format!("v3/catalog/products/{mug_id}"), json!({ "sku": "mug-1" })).await.status, 200);
}

#[tokio::test]
async fn every_product_has_a_base_variant_carrying_its_sku() {
    let bc = Bc::new().await;
    let p = bc.product("Mug", "MUG-1", 3).await;
    let pid = p["id"].as_u64().unwrap();
    let vs = bc.get(&format!("v3/catalog/products/{pid}/variants")).await.body["data"].clone();
    assert_eq!(vs.as_array().unwrap().len(), 1);
    assert_eq!(vs[0]["id"], p["base_variant_id"]);
    assert_eq!(vs[0]["sku"], "MUG-1");
    assert_eq!(vs[0]["option_values"], json!([]));
    assert!(vs[0]["sku_id"].is_null());
    let base = p["base_variant_id"].as_u64().unwrap();
    assert_eq!(bc.call("DELETE", &format!("v3/catalog/products/{pid}/variants/{base}"), None).await.status, 422);
    // with variants: base + 2, option values resolved to ids
    let s = bc.product_with_variants("Shirt", "SH").await;
    let vs = s["variants"].as_array().unwrap();
    assert_eq!(vs.len(), 3);
    let red = vs.iter().find(|v| v["sku"] == "SH-RED").unwrap();
    assert_eq!(red["option_values"][0]["option_display_name"], "Color");
    assert!(red["option_values"][0]["id"].is_u64() && red["sku_id"].is_u64());
    assert!(red["price"].is_null(), "variant price inherits from the product");
    assert_eq!(red["calculated_price"], 20.0);
}

#[tokio::test]
async fn inventory_level_follows_the_tracking_mode() {
    let bc = Bc::new().await;
    // tracking none: level ignored
    let r = bc
        .post(
            "v3/catalog/products",
            json!({ "name": "N", "type": "physical", "weight": 1, "price": 1, "inventory_level": 9 }),
        )
        .await;
    assert_eq!(r.body["data"]["inventory_tracking"], "none");
    assert_eq!(r.body["data"]["inventory_level"], 0);
    // tracking product: level stored on the product
    let p = bc.product("P", "P-1", 4).await;
    assert_eq!(p["inventory_level"], 4);
    // tracking variant: product level is the sum, a product-level write is ignored
    let s = bc.product_with_variants("S", "S").await;
    assert_eq!(s["inventory_level"], 12);
    let sid = s["id"].as_u64().unwrap();
    let r = bc.put(&format!("v3/catalog/products/{sid}"), json!({ "inventory_level": 100 })).await;
    assert_eq!(r.body["data"]["inventory_level"], 12);
    let red = s["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "S-RED").unwrap()["id"].as_u64().unwrap();
    let r = bc.put(&format!("v3/catalog/products/{sid}/variants/{red}"), json!({ "inventory_level": 1 })).await;
    assert_eq!(r.body["data"]["inventory_level"], 1);
    assert_eq!(bc.get(&format!("v3/catalog/products/{sid}")).await.body["data"]["inventory_level"], 8);
    // a variant level is ignored while tracking by product
    let pid = p["id"].as_u64().unwrap();
    bc.put(&format!("v3/catalog/products/{sid}"), json!({ "inventory_tracking": "product", "inventory_level": 50 }))
        .await;
    let r = bc.put(&format!("v3/catalog/products/{sid}/variants/{red}"), json!({ "inventory_level": 99 })).await;
    assert_eq!(r.body["data"]["inventory_level"], 1);
    assert_eq!(bc.get(&format!("v3/catalog/products/{sid}")).await.body["data"]["inventory_level"], 50);
    assert_eq!(bc.get(&format!("v3/catalog/products/{pid}")).await.body["data"]["inventory_level"], 4);
}

#[tokio::test]
async fn batch_put_limits_are_10_products_and_50_variants() {
    let bc = Bc::new().await;
    let mut ids = vec![];
    for i in 0..11 {
        ids.push(bc.product(&format!("P{i}"), &format!("S{i}"), 0).await["id"].as_u64().unwrap());
    }
    let body = |n: usize| json!(ids[..n].iter().map(|id| json!({ "id": id, "price": 2 })).collect::<Vec<_>>());
    let r = bc.put("v3/catalog/products", body(11)).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.body["title"], "The request payload is too large. The maximum items allowed in the array is 10.");
    let r = bc.put("v3/catalog/products", body(10)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 10);
    assert_eq!(r.body["data"][0]["price"], 2.0);
    let s = bc.product_with_variants("Shirt", "SH").await;
    let vid = s["variants"][1]["id"].as_u64().unwrap();
    let many: Vec<_> = (0..51).map(|_| json!({ "id": vid, "price": 3 })).collect();
    let r = bc.put("v3/catalog/variants", json!(many)).await;
    assert_eq!(r.status, 413);
    assert!(r.body["title"].as_str().unwrap().ends_with("is 50."));
    assert_eq!(bc.put("v3/catalog/variants", json!(many[..50].to_vec())).await.status, 200);
}

#[tokio::test]
async fn batch_put_is_all_or_nothing() {
    let bc = Bc::new().await;
    let a = bc.product("A", "A-1", 0).await["id"].as_u64().unwrap();
    let b = bc.product("B", "B-1", 0).await["id"].as_u64().unwrap();
    let r = bc.put("v3/catalog/products", json!([{ "id": a, "price": 99 }, { "id": b, "sku": "a-1" }])).await;
    assert_eq!(r.status, 409);
    assert_eq!(bc.get(&format!("v3/catalog/products/{a}")).await.body["data"]["price"], 10.5, "first item not applied");
}

#[tokio::test]
async fn variant_batch_creates_and_updates_and_filters_find_them() {
    let bc = Bc::new().await;
    let s = bc.product_with_variants("Shirt", "SH").await;
    let pid = s["id"].as_u64().unwrap();
    let red = s["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "SH-RED").unwrap()["id"].as_u64().unwrap();
    let r = bc
        .put("v3/catalog/variants", json!([
            { "id": red, "price": 30 },
            { "product_id": pid, "sku": "SH-GREEN", "option_values": [{ "option_display_name": "Color", "label": "Green" }] },
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["data"][0]["price"], 30.0);
    assert_eq!(r.body["data"][1]["sku"], "SH-GREEN");
    let f = bc.get("v3/catalog/variants?sku=sh-green").await;
    assert_eq!(f.body["data"].as_array().unwrap().len(), 1);
    let f = bc.get(&format!("v3/catalog/variants?product_id:in={pid}")).await;
    assert_eq!(f.body["data"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn product_filters_and_include_variants() {
    let bc = Bc::new().await;
    let a = bc.product("A", "A-1", 0).await["id"].as_u64().unwrap();
    let b = bc.product("B", "B-1", 0).await["id"].as_u64().unwrap();
    bc.product("C", "C-1", 0).await;
    let r = bc.get(&format!("v3/catalog/products?id:in={a},{b}")).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    let r = bc.get("v3/catalog/products?sku:in=a-1,C-1&include=variants").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    assert!(r.body["data"][0]["variants"].is_array());
    assert!(bc.get("v3/catalog/products").await.body["data"][0].get("variants").is_none());
    let r = bc.get("v3/catalog/products?date_modified:min=2999-01-01").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 0);
    let r = bc.get("v3/catalog/products?date_modified:min=2000-01-01T00:00:00Z").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
    // delete needs a filter
    assert_eq!(bc.call("DELETE", "v3/catalog/products", None).await.status, 422);
    assert_eq!(bc.call("DELETE", &format!("v3/catalog/products?id:in={a}"), None).await.status, 204);
    assert_eq!(bc.get(&format!("v3/catalog/products/{a}")).await.status, 404);
}

#[tokio::test]
async fn categories_replace_wholesale_and_brand_name_upserts() {
    let bc = Bc::new().await;
    let c1 = bc.post("v3/catalog/categories", json!({ "name": "Mugs", "parent_id": 0 })).await.body["data"]["id"]
        .as_u64()
        .unwrap();
    let c2 = bc.post("v3/catalog/categories", json!({ "name": "Cups", "parent_id": 0 })).await.body["data"]["id"]
        .as_u64()
        .unwrap();
    assert_eq!(bc.post("v3/catalog/categories", json!({ "name": "mugs", "parent_id": 0 })).await.status, 409);
    assert_eq!(bc.post("v3/catalog/categories", json!({ "name": "Sub", "parent_id": c1 })).await.status, 200);
    let r = bc
        .post("v3/catalog/products", json!({ "name": "M", "type": "physical", "weight": 1, "price": 1, "categories": [c1, c2], "brand_name": "Acme" }))
        .await;
    let p = &r.body["data"];
    assert_eq!(p["categories"], json!([c1, c2]));
    let brand = p["brand_id"].as_u64().unwrap();
    assert_eq!(bc.get(&format!("v3/catalog/brands/{brand}")).await.body["data"]["name"], "Acme");
    let pid = p["id"].as_u64().unwrap();
    let r = bc.put(&format!("v3/catalog/products/{pid}"), json!({ "categories": [c2], "brand_name": "acme" })).await;
    assert_eq!(r.body["data"]["categories"], json!([c2]));
    assert_eq!(r.body["data"]["brand_id"], brand, "brand_name matches case-insensitively");
    assert_eq!(bc.get("v3/catalog/brands").await.body["data"].as_array().unwrap().len(), 1);
    let bad = bc.put(&format!("v3/catalog/products/{pid}"), json!({ "categories": [999] })).await;
    assert_eq!(bad.status, 409);
    assert_eq!(bc.post("v3/catalog/brands", json!({ "name": "ACME" })).await.status, 409);
}
