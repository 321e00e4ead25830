//! `POST /{resource}/batch`: at most 100 items (413 above), HTTP 200 with per-item errors.

use serde_json::{Value, json};

use crate::support::shop;

#[tokio::test]
async fn more_than_100_items_is_413_and_nothing_is_applied() {
    let s = shop().await;
    let creates: Vec<Value> = (0..60).map(|i| json!({ "name": format!("N{i}") })).collect();
    let deletes: Vec<Value> = (0..41).map(|i| json!(1000 + i)).collect();
    let r = s.post("/products/batch", json!({ "create": creates, "delete": deletes })).await;
    assert_eq!((r.status, r.body["code"].as_str()), (413, Some("woocommerce_rest_request_entity_too_large")));
    assert_eq!(r.body["message"], "Unable to accept more than 100 items for this request.");
    assert!(s.emu.state()["products"].as_array().unwrap().is_empty());

    let hundred: Vec<Value> = (0..100).map(|i| json!({ "name": format!("N{i}") })).collect();
    let ok = s.post("/products/batch", json!({ "create": hundred })).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["create"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn failed_items_carry_their_own_error_while_the_rest_apply() {
    let s = shop().await;
    let taken = s.create("/products", json!({ "name": "Taken", "sku": "DUP" })).await;
    let gone = s.create("/products", json!({ "name": "Gone" })).await;
    let r = s
        .post(
            "/products/batch",
            json!({
                "create": [{ "name": "New", "sku": "NEW" }, { "name": "Clash", "sku": "DUP" }],
                "update": [{ "id": taken["id"], "regular_price": "3.00" }, { "id": 999, "name": "x" }],
                "delete": [gone["id"], 998]
            }),
        )
        .await;
    assert_eq!(r.status, 200, "partial failure keeps HTTP 200");
    let b = &r.body;
    assert_eq!(b["create"][0]["sku"], "NEW");
    assert_eq!(b["create"][1]["id"], 0, "failed creates report id 0");
    assert_eq!(b["create"][1]["error"]["code"], "product_invalid_sku");
    assert_eq!(b["create"][1]["error"]["data"]["status"], 400);
    assert_eq!(b["create"][1]["error"]["data"]["resource_id"], taken["id"]);
    assert_eq!(b["update"][0]["price"], "3.00");
    assert_eq!(
        (b["update"][1]["id"].clone(), b["update"][1]["error"]["code"].as_str()),
        (json!(999), Some("woocommerce_rest_product_invalid_id"))
    );
    assert_eq!(b["delete"][0]["id"], gone["id"]);
    assert_eq!(b["delete"][1]["error"]["data"]["status"], 404);
    assert_eq!(s.get(&format!("/products/{}", gone["id"])).await.status, 404, "batch deletes are forced");
}

#[tokio::test]
async fn customer_batch_reports_duplicate_emails_per_item() {
    let s = shop().await;
    let r = s
        .post("/customers/batch", json!({ "create": [{ "email": "x@example.com" }, { "email": "X@example.com" }] }))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["create"][0]["id"].as_u64().unwrap() > 0);
    assert_eq!(r.body["create"][1]["error"]["code"], "registration-error-email-exists");
}
