//! A create that times out after it applied leaves exactly one record: the client reads back
//! (by SKU, email, or the POS sale id in order meta) before any retry.

use posbridge_connector_core::ConnectorError;
use serde_json::{Value, json};

use crate::support::{TIMEOUT_MS, id, shop};

fn late(ms_over: u64) -> Value {
    json!({ "type": "delay_after_apply", "ms": TIMEOUT_MS + ms_over })
}

fn respond(status: u16) -> Value {
    json!({ "type": "respond", "status": status, "body": "" })
}

#[tokio::test]
async fn a_plain_create_that_times_out_is_unknown_and_not_resent() {
    let s = shop().await;
    s.fault("POST", "/products", 1, late(500)).await;
    let e = s.client.create_product(&json!({ "name": "Slow", "sku": "SLOW" })).await.unwrap_err();
    assert!(matches!(e, ConnectorError::UnknownOutcome { .. }), "{e:?}");
    s.settle_down().await;
    assert_eq!(s.count("POST", "/products").await, 1);
    assert_eq!(s.stored("products").len(), 1);
}

#[tokio::test]
async fn a_product_create_that_timed_out_is_read_back_by_sku_not_duplicated() {
    let s = shop().await;
    s.fault("POST", "/products", 1, late(500)).await;
    let p = s.client.create_product_settled(&json!({ "name": "Slow", "sku": "SLOW-1" })).await.unwrap();
    assert_eq!(p["sku"], "SLOW-1");
    s.settle_down().await;
    let stored = s.stored("products");
    assert_eq!(stored.len(), 1, "exactly one record");
    assert_eq!(id(&stored[0]), id(&p));
    assert_eq!(s.count("POST", "/products").await, 1, "the create was sent once");
}

#[tokio::test]
async fn a_create_that_did_not_land_is_sent_again_after_the_read_back() {
    let s = shop().await;
    // A 502 answered before the shop applied anything: unknown to the client, absent in the shop.
    s.fault("POST", "/products", 1, respond(502)).await;
    let p = s.client.create_product_settled(&json!({ "name": "Retry", "sku": "RETRY" })).await.unwrap();
    assert_eq!(p["sku"], "RETRY");
    assert_eq!(s.stored("products").len(), 1);
    assert_eq!(s.count("POST", "/products").await, 2);
}

#[tokio::test]
async fn variation_customer_and_order_creates_settle_too() {
    let s = shop().await;
    let c = &s.client;
    let parent = id(&c
        .create_product(&json!({ "name": "Tee", "type": "variable",
            "attributes": [{ "name": "Size", "variation": true, "options": ["S"] }] }))
        .await
        .unwrap());
    s.fault("POST", "/variations", 1, late(400)).await;
    let v = c
        .create_variation_settled(parent, &json!({ "sku": "TEE-S", "attributes": [{ "name": "Size", "option": "S" }] }))
        .await
        .unwrap();
    assert_eq!(v["sku"], "TEE-S");
    assert_eq!(s.stored("variations").len(), 1);

    s.fault("POST", "/customers", 1, late(400)).await;
    let cu = c.create_customer_settled(&json!({ "email": "slow@example.com", "first_name": "S" })).await.unwrap();
    assert_eq!(cu["email"], "slow@example.com");
    assert_eq!(s.stored("customers").len(), 1);

    // An older order first, so the read-back has to pick the right one.
    c.create_order(
        &json!({ "status": "pending", "meta_data": [{ "key": "posbridge_pos_sale_id", "value": "sale-0" }] }),
    )
    .await
    .unwrap();
    s.fault("POST", "/orders", 1, late(400)).await;
    let body = json!({ "status": "processing", "meta_data": [{ "key": "posbridge_pos_sale_id", "value": "sale-1" }] });
    let o = c.create_order_settled(&body).await.unwrap();
    assert_eq!(o["status"], "processing");
    s.settle_down().await;
    assert_eq!(s.stored("orders").len(), 2);
    assert_eq!(s.count("POST", "/orders").await, 2, "one create per order");
}

#[tokio::test]
async fn a_webhook_create_that_timed_out_is_found_not_doubled() {
    let s = shop().await;
    s.fault("POST", "/webhooks", 1, late(400)).await;
    let h = s.client.ensure_webhook("posbridge", "product.updated", "https://pb.example/hook", "sec").await.unwrap();
    s.settle_down().await;
    assert_eq!(s.stored("webhooks").len(), 1);
    assert_eq!(s.emu.webhook(id(&h)).unwrap().secret, "sec");
}

#[tokio::test]
async fn a_batch_of_creates_that_timed_out_is_settled_by_sku() {
    let s = shop().await;
    s.emu.seed_product(json!({ "name": "Old", "sku": "OLD" })).unwrap();
    let creates: Vec<Value> = (0..150).map(|i| json!({ "name": format!("N{i}"), "sku": format!("N-{i}") })).collect();
    // The first request of 100 applies and then times out; the second (50) goes through.
    s.fault("POST", "/products/batch", 1, late(500)).await;
    let res = s.client.batch_create_products_settled(&creates).await;
    assert!(res.iter().all(Result::is_ok), "{:?}", res.iter().find(|r| r.is_err()));
    assert_eq!(res[0].as_ref().unwrap()["sku"], "N-0");
    s.settle_down().await;
    assert_eq!(s.stored("products").len(), 151, "no duplicates");
    assert_eq!(s.count("POST", "/products/batch").await, 2, "nothing re-sent");
}

#[tokio::test]
async fn a_batch_that_never_landed_is_resent_once() {
    let s = shop().await;
    let creates: Vec<Value> = (0..3).map(|i| json!({ "name": format!("N{i}"), "sku": format!("R-{i}") })).collect();
    s.fault("POST", "/products/batch", 1, respond(504)).await;
    let res = s.client.batch_create_products_settled(&creates).await;
    assert!(res.iter().all(Result::is_ok));
    assert_eq!(s.stored("products").len(), 3);
    assert_eq!(s.count("POST", "/products/batch").await, 2);
}

#[tokio::test]
async fn a_create_not_yet_visible_is_found_through_the_duplicate_refusal() {
    let s = shop().await;
    // The create applies but times out; the first read-back sees a stale (cached) empty list, so
    // the create is re-sent, and WooCommerce refuses it as a duplicate SKU: the client reads back
    // again instead of failing or creating a second product.
    s.fault("POST", "/products", 1, late(400)).await;
    s.fault("GET", "/products", 1, json!({ "type": "respond", "status": 200, "body": "[]" })).await;
    let p = s.client.create_product_settled(&json!({ "name": "Late", "sku": "LATE" })).await.unwrap();
    assert_eq!(p["sku"], "LATE");
    s.settle_down().await;
    assert_eq!(s.stored("products").len(), 1);
    assert_eq!(s.count("POST", "/products").await, 2);
    assert_eq!(s.count("GET", "/products").await, 2, "read back after the timeout and after the refusal");
}
