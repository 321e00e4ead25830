//! Products, the UPC attribute, stock and `quantityDelta`, variations and their inheritance,
//! categories.

use serde_json::{Value, json};

use crate::common::{STORE, env};

#[tokio::test]
async fn product_crud_returns_id_update_count_and_delete_count() {
    let e = env().await;
    let (s, v) = e.post("/products", json!({"name": "Mug", "sku": "MUG-1", "price": 9.5, "quantity": 4})).await;
    assert_eq!(s, 200);
    let id = v["id"].as_u64().unwrap();
    assert_eq!(v, json!({"id": id}));
    let (s, v) = e.put(&format!("/products/{id}"), json!({"price": 11})).await;
    assert_eq!((s, v), (200, json!({"updateCount": 1})));
    let (_, p) = e.get(&format!("/products/{id}")).await;
    assert_eq!(p["price"], 11);
    assert_eq!(p["name"], "Mug", "PUT is partial");
    assert_eq!(p["quantity"], 4);
    let (s, v) = e.delete(&format!("/products/{id}")).await;
    assert_eq!((s, v), (200, json!({"deleteCount": 1})));
    assert_eq!(e.get(&format!("/products/{id}")).await.0, 404);
    assert_eq!(e.delete(&format!("/products/{id}")).await.0, 404);
}

#[tokio::test]
async fn duplicate_sku_is_409_sku_already_exists() {
    let e = env().await;
    e.create("/products", json!({"name": "A", "sku": "DUP"})).await;
    let (s, v) = e.post("/products", json!({"name": "B", "sku": "DUP"})).await;
    assert_eq!(s, 409);
    assert_eq!(v["errorCode"], "SKU_ALREADY_EXISTS");
    assert!(v["errorMessage"].is_string());
    let b = e.create("/products", json!({"name": "B", "sku": "OTHER"})).await;
    let (s, v) = e.put(&format!("/products/{b}"), json!({"sku": "DUP"})).await;
    assert_eq!((s, v["errorCode"].clone()), (409, json!("SKU_ALREADY_EXISTS")), "also on update");
}

#[tokio::test]
async fn empty_sku_is_generated_and_name_is_required() {
    let e = env().await;
    let id = e.create("/products", json!({"name": "No SKU", "sku": ""})).await;
    let (_, p) = e.get(&format!("/products/{id}")).await;
    assert!(!p["sku"].as_str().unwrap().is_empty());
    assert_eq!(e.post("/products", json!({"price": 1})).await.0, 400);
}

#[tokio::test]
async fn upc_attribute_carries_the_barcode_and_duplicate_barcodes_are_allowed() {
    let e = env().await;
    let upc = json!([{"alias": "UPC", "value": "0435943543594395"}]);
    let a = e.create("/products", json!({"name": "A", "attributes": upc})).await;
    let b = e.create("/products", json!({"name": "B", "attributes": upc})).await;
    for id in [a, b] {
        let (_, p) = e.get(&format!("/products/{id}")).await;
        let attr = &p["attributes"][0];
        assert_eq!(attr["type"], "UPC");
        assert_eq!(attr["name"], "UPC");
        assert_eq!(attr["value"], "0435943543594395");
        assert!(attr["id"].is_u64());
    }
}

#[tokio::test]
async fn unlimited_hides_quantity_and_setting_quantity_starts_tracking() {
    let e = env().await;
    let id = e.create("/products", json!({"name": "Service"})).await;
    let (_, p) = e.get(&format!("/products/{id}")).await;
    assert_eq!(p["unlimited"], true);
    assert!(p.get("quantity").is_none());
    assert_eq!(p["inStock"], true);
    e.put(&format!("/products/{id}"), json!({"quantity": 0})).await;
    let (_, p) = e.get(&format!("/products/{id}")).await;
    assert_eq!(
        (p["unlimited"].clone(), p["quantity"].clone(), p["inStock"].clone()),
        (json!(false), json!(0), json!(false))
    );
}

#[tokio::test]
async fn quantity_delta_adjusts_stock_and_warns_when_negative() {
    let e = env().await;
    let id = e.create("/products", json!({"name": "Pen", "quantity": 5})).await;
    let (s, v) = e.put(&format!("/products/{id}/inventory"), json!({"quantityDelta": -3})).await;
    assert_eq!((s, v), (200, json!({"updateCount": 1})));
    let (_, v) = e.put(&format!("/products/{id}/inventory"), json!({"quantityDelta": -4})).await;
    assert_eq!(v["updateCount"], 1);
    assert!(v["warning"].is_string(), "negative stock warns: {v}");
    let (_, p) = e.get(&format!("/products/{id}")).await;
    assert_eq!(p["quantity"], -2);
    assert_eq!(e.put(&format!("/products/{id}/inventory"), json!({})).await.0, 400);
}

#[tokio::test]
async fn variations_inherit_sku_price_and_stock_unless_they_have_their_own() {
    let e = env().await;
    let pid = e.create("/products", json!({"name": "Tee", "sku": "TEE", "price": 20, "quantity": 7})).await;
    let inherit =
        e.create(&format!("/products/{pid}/combinations"), json!({"options": [{"name": "Size", "value": "S"}]})).await;
    let own = e
        .create(
            &format!("/products/{pid}/combinations"),
            json!({"options": [{"name": "Size", "value": "L"}], "sku": "TEE-L", "price": 22, "quantity": 3,
                   "attributes": [{"alias": "UPC", "value": "123"}]}),
        )
        .await;
    let (s, list) = e.get(&format!("/products/{pid}/combinations")).await;
    assert_eq!(s, 200);
    assert!(list.is_array(), "variations list is a bare array");
    let find = |id: u64| list.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    let i = find(inherit);
    assert!(i.get("sku").is_none() && i.get("price").is_none(), "inherited sku/price are omitted: {i}");
    assert_eq!(i["quantity"], 7);
    let o = find(own);
    assert_eq!((o["sku"].clone(), o["price"].clone(), o["quantity"].clone()), (json!("TEE-L"), json!(22), json!(3)));
    assert_eq!(o["attributes"][0]["type"], "UPC");

    // quantityDelta on the inheriting variation moves the product's stock
    e.put(&format!("/products/{pid}/combinations/{inherit}/inventory"), json!({"quantityDelta": -2})).await;
    let (s, v) = e.put(&format!("/products/{pid}/combinations/{own}/inventory"), json!({"quantityDelta": -5})).await;
    assert_eq!(s, 200);
    assert!(v["warning"].is_string(), "{v}");
    let (_, p) = e.get(&format!("/products/{pid}")).await;
    assert_eq!(p["quantity"], 5);
    let (_, c) = e.get(&format!("/products/{pid}/combinations/{own}")).await;
    assert_eq!(c["quantity"], -2);
    assert_eq!(p["combinations"].as_array().unwrap().len(), 2, "product embeds its variations");
}

#[tokio::test]
async fn variation_sku_or_options_conflicts_are_409_and_sku_search_finds_the_product() {
    let e = env().await;
    let pid = e.create("/products", json!({"name": "Tee", "sku": "TEE"})).await;
    let path = format!("/products/{pid}/combinations");
    let cid = e.create(&path, json!({"options": [{"name": "Size", "value": "S"}], "sku": "TEE-S"})).await;
    assert_eq!(e.post(&path, json!({"options": [{"name": "Size", "value": "S"}]})).await.0, 409);
    assert_eq!(e.post(&path, json!({"options": [{"name": "Size", "value": "M"}], "sku": "TEE-S"})).await.0, 409);
    assert_eq!(e.post("/products", json!({"name": "X", "sku": "TEE-S"})).await.0, 409, "product SKU vs variation SKU");
    let (_, v) = e.get("/products?sku=TEE-S").await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], pid);
    assert_eq!(e.put(&format!("{path}/{cid}"), json!({"price": 3})).await.1, json!({"updateCount": 1}));
    assert_eq!(e.delete(&format!("{path}/{cid}")).await.1, json!({"deleteCount": 1}));
    e.create(&path, json!({"options": [{"name": "Size", "value": "M"}]})).await;
    e.create(&path, json!({"options": [{"name": "Size", "value": "L"}]})).await;
    assert_eq!(e.delete(&path).await.1, json!({"deleteCount": 2}));
}

#[tokio::test]
async fn categories_crud_membership_and_hidden_filter() {
    let e = env().await;
    let fruit = e.create("/categories", json!({"name": "Fruit"})).await;
    let sub = e.create("/categories", json!({"name": "Citrus", "parentId": fruit})).await;
    let hidden = e.create("/categories", json!({"name": "Secret", "enabled": false})).await;
    let p = e.create("/products", json!({"name": "Orange", "categoryIds": [sub]})).await;
    let (_, c) = e.get(&format!("/categories/{sub}")).await;
    assert_eq!(
        (c["parentId"].clone(), c["productIds"].clone(), c["productCount"].clone()),
        (json!(fruit), json!([p]), json!(1))
    );
    let (_, v) = e.get("/categories").await;
    assert_eq!(v["total"], 2, "hidden categories only on request");
    let (_, v) = e.get("/categories?hidden_categories=true").await;
    assert_eq!(v["total"], 3);
    let (_, v) = e.get("/categories?parent=0").await;
    assert_eq!(v["total"], 1);
    let (s, v) = e.put(&format!("/categories/{hidden}"), json!({"productIds": [p]})).await;
    assert_eq!((s, v), (200, json!({"updateCount": 1})));
    let (_, prod) = e.get(&format!("/products/{p}")).await;
    assert_eq!(prod["categoryIds"], json!([sub, hidden]));
    let (_, v) = e.get(&format!("/products?category={sub}")).await;
    assert_eq!(v["total"], 1);
    assert_eq!(e.delete(&format!("/categories/{sub}")).await.1, json!({"deleteCount": 1}));
    let (_, prod) = e.get(&format!("/products/{p}")).await;
    assert_eq!(prod["categoryIds"], json!([hidden]));
    assert_eq!(e.post("/products", json!({"name": "Bad", "categoryIds": [42]})).await.0, 404);
}

#[tokio::test]
async fn product_search_filters_and_sorts() {
    let e = env().await;
    let a = e.emu.seed_product(STORE, json!({"name": "Banana", "price": 2, "quantity": 0}));
    let b = e.emu.seed_product(STORE, json!({"name": "Apple", "price": 3, "quantity": 5}));
    let c = e.emu.seed_product(STORE, json!({"name": "Cherry", "price": 1, "enabled": false}));
    let ids = |v: &Value| v["items"].as_array().unwrap().iter().map(|p| p["id"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(ids(&e.get("/products?sortBy=NAME_ASC").await.1), vec![b, a, c]);
    assert_eq!(ids(&e.get("/products?sortBy=PRICE_DESC").await.1), vec![b, a, c]);
    assert_eq!(ids(&e.get("/products?inStock=true&sortBy=ADDED_TIME_ASC").await.1), vec![b, c]);
    assert_eq!(ids(&e.get("/products?enabled=false").await.1), vec![c]);
    assert_eq!(ids(&e.get("/products?keyword=err").await.1), vec![c]);
    assert_eq!(ids(&e.get(&format!("/products?productId={a},{c}")).await.1), vec![a, c]);
    let future = emu_now() + 3600;
    assert_eq!(ids(&e.get(&format!("/products?updatedFrom={future}")).await.1), Vec::<u64>::new());
    assert_eq!(e.get("/products?sortBy=SIDEWAYS").await.0, 400);
}

fn emu_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
