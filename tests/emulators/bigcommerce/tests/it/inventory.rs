//! Inventory API: absolute and relative adjustments, addressing, tracking-mode errors, safety
//! stock, the 2,000-item limit and item reads.

use serde_json::json;

use crate::common::Bc;

fn adj(items: serde_json::Value) -> serde_json::Value {
    json!({ "reason": "test", "items": items })
}

#[tokio::test]
async fn absolute_sets_and_relative_adds_by_product_variant_or_sku() {
    let bc = Bc::new().await;
    let p = bc.product("Mug", "MUG-1", 3).await;
    let pid = p["id"].as_u64().unwrap();
    let r = bc
        .put("v3/inventory/adjustments/absolute", adj(json!([{ "location_id": 1, "product_id": pid, "quantity": 40 }])))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert!(r.body["transaction_id"].is_string());
    let r = bc
        .post("v3/inventory/adjustments/relative", adj(json!([{ "location_id": 1, "sku": "mug-1", "quantity": -5 }])))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(bc.get(&format!("v3/catalog/products/{pid}")).await.body["data"]["inventory_level"], 35);
    let s = bc.product_with_variants("Shirt", "SH").await;
    let red = s["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "SH-RED").unwrap()["id"].as_u64().unwrap();
    let r = bc
        .post("v3/inventory/adjustments/relative", adj(json!([{ "location_id": 1, "variant_id": red, "quantity": 2 }])))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let items = bc.get(&format!("v3/inventory/items?variant_id:in={red}")).await;
    assert_eq!(items.body["data"][0]["locations"][0]["total_inventory_onhand"], 7);
    assert_eq!(items.body["data"][0]["identity"]["sku"], "SH-RED");
}

#[tokio::test]
async fn addressing_the_wrong_tracking_level_is_422_problem_json() {
    let bc = Bc::new().await;
    let s = bc.product_with_variants("Shirt", "SH").await;
    let sid = s["id"].as_u64().unwrap();
    let r = bc
        .put("v3/inventory/adjustments/absolute", adj(json!([{ "location_id": 1, "product_id": sid, "quantity": 1 }])))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    assert!(r.body["title"].as_str().unwrap().contains("is tracked by variant"), "{}", r.raw);
    let p = bc.product("Mug", "MUG-1", 3).await;
    let other = bc
        .post(
            &format!("v3/catalog/products/{}/variants", p["id"]),
            json!({ "sku": "MUG-BIG", "option_values": [{ "option_display_name": "Size", "label": "Big" }] }),
        )
        .await;
    let vid = other.body["data"]["id"].as_u64().unwrap();
    let r = bc
        .put("v3/inventory/adjustments/absolute", adj(json!([{ "location_id": 1, "variant_id": vid, "quantity": 1 }])))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body["title"].as_str().unwrap().contains("is tracked by product, please update stock by product id"));
    let untracked = bc
        .post("v3/catalog/products", json!({ "name": "U", "type": "physical", "weight": 1, "price": 1, "sku": "U-1" }))
        .await;
    let r = bc.put("v3/inventory/adjustments/absolute", adj(json!([{ "sku": "U-1", "quantity": 1 }]))).await;
    assert_eq!(r.status, 422, "{}", untracked.raw);
}

#[tokio::test]
async fn relative_needs_an_absolute_first_and_respects_safety_stock() {
    let bc = Bc::new().await;
    let r = bc.post("v3/catalog/products", json!({ "name": "New", "type": "physical", "weight": 1, "price": 1, "sku": "NEW", "inventory_tracking": "product" })).await;
    let pid = r.body["data"]["id"].as_u64().unwrap();
    let base = r.body["data"]["base_variant_id"].as_u64().unwrap();
    let rel = adj(json!([{ "location_id": 1, "product_id": pid, "quantity": 1 }]));
    let r = bc.post("v3/inventory/adjustments/relative", rel.clone()).await;
    assert_eq!(r.status, 422);
    assert!(r.body["title"].as_str().unwrap().contains("requires absolute adjustment before relative"), "{}", r.raw);
    bc.put("v3/inventory/adjustments/absolute", adj(json!([{ "location_id": 1, "product_id": pid, "quantity": 50 }])))
        .await;
    let r = bc
        .put(
            "v3/inventory/locations/1/items",
            json!({ "settings": [{ "identity": { "product_id": pid }, "safety_stock": 10 }] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let ok = bc
        .post(
            "v3/inventory/adjustments/relative",
            adj(json!([{ "location_id": 1, "product_id": pid, "quantity": -20 }])),
        )
        .await;
    assert_eq!(ok.status, 200);
    let item = bc.get(&format!("v3/inventory/locations/1/items?variant_id:in={base}")).await;
    assert_eq!(item.body["data"][0]["available_to_sell"], 20);
    assert_eq!(item.body["data"][0]["total_inventory_onhand"], 30);
    let below = bc
        .post(
            "v3/inventory/adjustments/relative",
            adj(json!([{ "location_id": 1, "product_id": pid, "quantity": -21 }])),
        )
        .await;
    assert_eq!(below.status, 422);
    assert_eq!(
        bc.get(&format!("v3/catalog/products/{pid}")).await.body["data"]["inventory_level"],
        30,
        "stock unchanged"
    );
}

#[tokio::test]
async fn adjustments_are_limited_to_2000_items_and_applied_all_or_nothing() {
    let bc = Bc::new().await;
    let p = bc.product("Mug", "MUG-1", 3).await;
    let pid = p["id"].as_u64().unwrap();
    let item = json!({ "location_id": 1, "product_id": pid, "quantity": 1 });
    let r = bc.put("v3/inventory/adjustments/absolute", adj(json!(vec![item.clone(); 2001]))).await;
    assert_eq!(r.status, 413);
    let r = bc.put("v3/inventory/adjustments/absolute", adj(json!(vec![item.clone(); 2000]))).await;
    assert_eq!(r.status, 200);
    let r = bc
        .put(
            "v3/inventory/adjustments/absolute",
            adj(json!([{ "product_id": pid, "quantity": 9 }, { "product_id": 999, "quantity": 1 }])),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(bc.get(&format!("v3/catalog/products/{pid}")).await.body["data"]["inventory_level"], 1);
    let r = bc
        .put("v3/inventory/adjustments/absolute", adj(json!([{ "location_id": 7, "product_id": pid, "quantity": 9 }])))
        .await;
    assert_eq!(r.status, 422, "only the default location exists");
}
