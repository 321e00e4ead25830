use posbridge_connector_bigcommerce::{InventoryItem, ItemRef};
use serde_json::{Value, json};

use crate::common::{Env, product};

fn ids(v: &[Value]) -> Vec<u64> {
    v.iter().map(|p| p["id"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn listing_walks_every_page_at_the_maximum_size() {
    let env = Env::new().await;
    env.seed(json!({ "products": (0..600).map(product).collect::<Vec<_>>() }));
    env.reset_counts().await;
    let all = env.client.list_products(&[]).await.unwrap();
    assert_eq!(all.len(), 600);
    let mut got = ids(&all);
    got.dedup();
    assert_eq!(got.len(), 600, "no record twice");
    assert!(all[0]["variants"].is_array(), "variants included");
    assert_eq!(env.count("GET", "v3/catalog/products").await, 3, "600 / 250 = 3 pages");
}

#[tokio::test]
async fn a_smaller_page_size_still_reaches_the_end() {
    let env = Env::with(crate::common::config(), 7, crate::common::ROOMY_TIMEOUT).await;
    env.seed(json!({ "products": (0..20).map(product).collect::<Vec<_>>() }));
    assert_eq!(env.client.list_products(&[]).await.unwrap().len(), 20);
    assert_eq!(env.count("GET", "v3/catalog/products").await, 3);
    // An empty list is one request and no records.
    assert!(env.client.list_categories().await.unwrap().is_empty());
}

#[tokio::test]
async fn product_create_get_find_update_delete() {
    let env = Env::new().await;
    let c = &env.client;
    let created = c.create_product(&product(1)).await.unwrap();
    let id = created["id"].as_u64().unwrap();
    assert_eq!(c.get_product(id).await.unwrap()["sku"], "SKU-1");
    assert_eq!(c.find_product_by_sku("sku-1").await.unwrap().unwrap()["id"], id, "SKUs match case-insensitively");
    assert!(c.find_product_by_sku("nope").await.unwrap().is_none());
    assert_eq!(c.find_product_by_name("Product 1").await.unwrap().unwrap()["id"], id);
    let up = c.update_product(id, &json!({ "price": 99.5 })).await.unwrap();
    assert_eq!(up["price"], 99.5);
    // A duplicate SKU is the platform's 409, not retried.
    let e = c
        .create_product(&json!({ "name": "Other", "type": "physical", "weight": 1, "price": 1, "sku": "SKU-1" }))
        .await;
    assert!(matches!(e, Err(posbridge_connector_core::ConnectorError::Rejected { status: 409, .. })), "{e:?}");
    c.delete_product(id).await.unwrap();
    assert_eq!(c.get_product(id).await.unwrap_err(), posbridge_connector_core::ConnectorError::NotFound);
    c.delete_product(id).await.unwrap();
}

#[tokio::test]
async fn batch_product_updates_are_split_at_ten() {
    let env = Env::new().await;
    let seeded = env.seed(json!({ "products": (0..23).map(product).collect::<Vec<_>>() }));
    let bodies: Vec<Value> =
        seeded["products"].as_array().unwrap().iter().map(|id| json!({ "id": id, "price": 5 })).collect();
    env.reset_counts().await;
    let out = env.client.update_products(&bodies).await.unwrap();
    assert_eq!(out.len(), 23);
    assert_eq!(env.count("PUT", "v3/catalog/products").await, 3, "10 + 10 + 3");
    assert!(env.snapshot()["products"].as_array().unwrap().iter().all(|p| p["price"] == 5.0));
}

#[tokio::test]
async fn variants_batch_at_fifty_and_single_variant_calls() {
    let env = Env::new().await;
    env.seed(json!({ "products": (0..120).map(product).collect::<Vec<_>>() }));
    let all = env.client.list_products(&[]).await.unwrap();
    let bodies: Vec<Value> = all.iter().map(|p| json!({ "id": p["base_variant_id"], "upc": "123456" })).collect();
    env.reset_counts().await;
    assert_eq!(env.client.update_variants(&bodies).await.unwrap().len(), 120);
    assert_eq!(env.count("PUT", "v3/catalog/variants").await, 3, "50 + 50 + 20");

    // A product with options: list, create, update one variant.
    let p = env
        .client
        .create_product(&json!({ "name": "Tee", "type": "physical", "weight": 1, "price": 20, "sku": "TEE",
            "inventory_tracking": "variant",
            "variants": [{ "sku": "TEE-S", "option_values": [{ "option_display_name": "Size", "label": "S" }] }] }))
        .await
        .unwrap();
    let pid = p["id"].as_u64().unwrap();
    let vs = env.client.list_variants(pid).await.unwrap();
    assert!(vs.iter().any(|v| v["sku"] == "TEE-S"), "{vs:?}");
    let v = env
        .client
        .create_variant_settled(
            pid,
            &json!({ "sku": "TEE-M", "option_values": [{ "option_display_name": "Size", "label": "M" }] }),
        )
        .await
        .unwrap();
    assert!(v.was_created());
    let vid = v.get()["id"].as_u64().unwrap();
    let u = env.client.update_variant(pid, vid, &json!({ "price": 22 })).await.unwrap();
    assert_eq!(u["price"], 22.0);
    assert_eq!(env.client.find_variant_by_sku("tee-m").await.unwrap().unwrap()["id"], vid);
}

#[tokio::test]
async fn categories_and_brands() {
    let env = Env::new().await;
    let c = env.client.create_category_settled(&json!({ "name": "Shirts", "parent_id": 0 })).await.unwrap();
    let id = c.get()["id"].as_u64().unwrap();
    assert_eq!(env.client.find_category("Shirts", 0).await.unwrap().unwrap()["id"], id);
    env.client.update_category(id, &json!({ "name": "Tops" })).await.unwrap();
    assert_eq!(env.client.list_categories().await.unwrap()[0]["name"], "Tops");
    env.client
        .create_product(&json!({ "name": "B", "type": "physical", "weight": 1, "price": 1, "brand_name": "Acme" }))
        .await
        .unwrap();
    assert_eq!(env.client.list_brands().await.unwrap()[0]["name"], "Acme");
}

#[tokio::test]
async fn inventory_set_and_adjust_in_chunks_of_two_thousand() {
    let env = Env::new().await;
    let p = env
        .client
        .create_product(&json!({ "name": "Stocked", "type": "physical", "weight": 1, "price": 1, "sku": "STK", "inventory_tracking": "product" }))
        .await
        .unwrap();
    let pid = p["id"].as_u64().unwrap();
    let tx = env.client.set_inventory(&[InventoryItem::new(ItemRef::Product(pid), 40)], "posbridge").await.unwrap();
    assert_eq!(tx.len(), 1);
    env.client.adjust_inventory(&[InventoryItem::new(ItemRef::Sku("STK".into()), -3)], "sale").await.unwrap();
    assert_eq!(env.client.get_product(pid).await.unwrap()["inventory_level"], 37);
    let items = env.client.inventory_items(1, &[("product_id:in", &pid.to_string())]).await.unwrap();
    assert_eq!(items.len(), 1, "{items:?}");

    // 2,500 items (the same product, +1 each): 2,000 + 500.
    let many: Vec<InventoryItem> = (0..2_500).map(|_| InventoryItem::new(ItemRef::Product(pid), 1)).collect();
    env.reset_counts().await;
    assert_eq!(env.client.adjust_inventory(&many, "bulk").await.unwrap().len(), 2);
    assert_eq!(env.count("POST", "v3/inventory/adjustments/relative").await, 2);
    assert_eq!(env.client.get_product(pid).await.unwrap()["inventory_level"], 2_537);
    let sets: Vec<InventoryItem> = (0..4_001).map(|_| InventoryItem::new(ItemRef::Product(pid), 7)).collect();
    assert_eq!(env.client.set_inventory(&sets, "bulk").await.unwrap().len(), 3);
    assert_eq!(env.count("PUT", "v3/inventory/adjustments/absolute").await, 3);
    assert_eq!(env.client.get_product(pid).await.unwrap()["inventory_level"], 7);
}
