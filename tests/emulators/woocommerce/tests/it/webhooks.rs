//! Webhook subscriptions and deliveries: signed over the raw body, never retried, disabled
//! after more than five consecutive failures; kit faults drop, duplicate and reorder them.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

use crate::support::{Receiver, Shop, shop};

async fn subscribe(s: &Shop, rx: &Receiver, topic: &str, secret: &str) -> Value {
    let h = s
        .create("/webhooks", json!({ "name": topic, "topic": topic, "delivery_url": rx.url(), "secret": secret }))
        .await;
    s.emu.flush_webhooks().await;
    rx.clear(); // the creation ping
    h
}

fn expected_signature(secret: &str, body: &[u8]) -> String {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(body);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

#[tokio::test]
async fn webhook_crud_answers_201_with_location_and_hides_the_secret() {
    let s = shop().await;
    let rx = Receiver::start().await;
    let r = s
        .post(
            "/webhooks",
            json!({ "name": "Orders", "topic": "order.updated", "delivery_url": rx.url(), "secret": "s3cret" }),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.body["id"].as_u64().unwrap();
    assert_eq!(r.header("location"), s.url(&format!("/webhooks/{id}")));
    assert!(r.body.get("secret").is_none(), "secret is write-only");
    assert_eq!(
        (r.body["status"].as_str(), r.body["resource"].as_str(), r.body["event"].as_str()),
        (Some("active"), Some("order"), Some("updated"))
    );
    assert_eq!(s.emu.webhook(id).unwrap().secret, "s3cret");

    s.emu.flush_webhooks().await;
    let ping = rx.seen();
    assert_eq!(ping.len(), 1, "creation pings the delivery URL");
    assert_eq!(std::str::from_utf8(&ping[0].body).unwrap(), format!("webhook_id={id}"));
    assert!(ping[0].header("x-wc-webhook-signature").is_empty());

    let upd = s.put(&format!("/webhooks/{id}"), json!({ "status": "paused", "topic": "order.created" })).await.body;
    assert_eq!((upd["status"].as_str(), upd["topic"].as_str()), (Some("paused"), Some("order.created")));
    s.create("/orders", json!({})).await;
    s.emu.flush_webhooks().await;
    assert_eq!(rx.seen().len(), 1, "a paused webhook delivers nothing");
    assert_eq!(s.get("/webhooks").await.body.as_array().unwrap().len(), 1);
    let bad = s.post("/webhooks", json!({ "topic": "order.shipped", "delivery_url": rx.url() })).await;
    assert_eq!((bad.status, bad.body["code"].as_str()), (400, Some("woocommerce_rest_shop_webhook_invalid_topic")));
    let bad_url = s.post("/webhooks", json!({ "topic": "order.created", "delivery_url": "ftp://x" })).await;
    assert_eq!(bad_url.status, 400);
    assert_eq!(s.delete(&format!("/webhooks/{id}")).await.status, 501);
    assert_eq!(s.delete(&format!("/webhooks/{id}?force=true")).await.status, 200);
    assert_eq!(s.get(&format!("/webhooks/{id}")).await.status, 404);
}

#[tokio::test]
async fn deliveries_carry_the_rest_representation_and_wc_headers_signed_over_the_raw_body() {
    let s = shop().await;
    let rx = Receiver::start().await;
    let hook = subscribe(&s, &rx, "product.created", "topsecret").await;
    let p = s.create("/products", json!({ "name": "Hooked", "regular_price": "4.00" })).await;
    s.emu.flush_webhooks().await;
    let seen = rx.topic("product.created");
    assert_eq!(seen.len(), 1);
    let d = &seen[0];
    assert_eq!(d.header("x-wc-webhook-signature"), expected_signature("topsecret", &d.body));
    assert_eq!(d.header("x-wc-webhook-source"), format!("{}/", s.emu.base_url()));
    assert_eq!(
        (d.header("x-wc-webhook-resource"), d.header("x-wc-webhook-event")),
        ("product".into(), "created".into())
    );
    assert_eq!(d.header("x-wc-webhook-id"), hook["id"].to_string());
    assert!(!d.header("x-wc-webhook-delivery-id").is_empty());
    assert!(d.header("user-agent").starts_with("WooCommerce/"));
    assert_eq!(d.json(), s.get(&format!("/products/{}", p["id"])).await.body, "body = the REST representation");
}

#[tokio::test]
async fn variation_changes_arrive_as_product_updated_and_refunds_as_order_updated() {
    let s = shop().await;
    let rx = Receiver::start().await;
    subscribe(&s, &rx, "product.updated", "k").await;
    subscribe(&s, &rx, "order.updated", "k").await;
    let parent = s.emu.seed_product(json!({ "name": "Cap", "type": "variable" })).unwrap();
    let vpath = format!("/products/{}/variations", parent["id"]);
    let v = s.create(&vpath, json!({ "sku": "CAP-R", "regular_price": "5.00" })).await;
    s.put(&format!("{vpath}/{}", v["id"]), json!({ "regular_price": "6.00" })).await;

    let order = s.emu.seed_order(json!({ "status": "processing", "line_items": [{ "product_id": parent["id"], "variation_id": v["id"], "quantity": 1 }] })).unwrap();
    s.create(
        &format!("/orders/{}/refunds", order["id"]),
        json!({ "amount": "1.00", "api_refund": false, "api_restock": false }),
    )
    .await;
    s.emu.flush_webhooks().await;

    let products = rx.topic("product.updated");
    assert_eq!(products.len(), 1);
    let body = products[0].json();
    assert_eq!(
        (body["id"].clone(), body["type"].as_str(), body["parent_id"].clone(), body["price"].as_str()),
        (v["id"].clone(), Some("variation"), parent["id"].clone(), Some("6.00"))
    );
    let orders = rx.topic("order.updated");
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].json()["refunds"][0]["total"], "-1.00");
}

#[tokio::test]
async fn deleted_resources_deliver_only_their_id() {
    let s = shop().await;
    let rx = Receiver::start().await;
    subscribe(&s, &rx, "customer.deleted", "k").await;
    let c = s.create("/customers", json!({ "email": "gone@example.com" })).await;
    s.delete(&format!("/customers/{}?force=true", c["id"])).await;
    s.emu.flush_webhooks().await;
    let seen = rx.topic("customer.deleted");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].json(), json!({ "id": c["id"] }));
}

#[tokio::test]
async fn failures_are_not_retried_and_the_sixth_consecutive_one_disables_the_webhook() {
    let s = shop().await;
    let rx = Receiver::start().await;
    let hook = subscribe(&s, &rx, "customer.created", "k").await;
    let id = hook["id"].as_u64().unwrap();
    let make = |n: u32| s.create("/customers", json!({ "email": format!("c{n}@example.com") }));

    rx.answer(500);
    for n in 0..4 {
        make(n).await;
    }
    s.emu.flush_webhooks().await;
    assert_eq!(rx.seen().len(), 4, "one attempt per event, no retries");
    assert_eq!(s.emu.webhook(id).unwrap().failure_count, 4);

    rx.answer(302); // 200–302 is success and resets the count
    make(4).await;
    s.emu.flush_webhooks().await;
    assert_eq!(s.emu.webhook(id).unwrap().failure_count, 0);

    rx.answer(404);
    for n in 5..10 {
        make(n).await;
    }
    s.emu.flush_webhooks().await;
    assert_eq!(s.emu.webhook(id).unwrap().status, "active", "five failures are tolerated");
    make(10).await;
    s.emu.flush_webhooks().await;
    assert_eq!(s.get(&format!("/webhooks/{id}")).await.body["status"], "disabled");
    let attempts = rx.seen().len();
    make(11).await;
    s.emu.flush_webhooks().await;
    assert_eq!(rx.seen().len(), attempts, "a disabled webhook delivers nothing");

    rx.answer(200);
    s.put(&format!("/webhooks/{id}"), json!({ "status": "active" })).await;
    make(12).await;
    s.emu.flush_webhooks().await;
    assert_eq!(rx.seen().len(), attempts + 1, "re-enabled through the REST API");
    assert_eq!(s.emu.webhook(id).unwrap().failure_count, 0);
}

#[tokio::test]
async fn kit_faults_drop_duplicate_and_reorder_deliveries() {
    let s = shop().await;
    let rx = Receiver::start().await;
    subscribe(&s, &rx, "product.created", "k").await;
    let base = s.emu.base_url();
    let faults = |body: Value| s.http.post(format!("{base}/_emulator/webhooks/faults")).json(&body).send();
    let names = |rx: &Receiver| {
        rx.seen().iter().map(|d| d.json()["name"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>()
    };

    faults(json!({ "drop": 1 })).await.unwrap();
    s.create("/products", json!({ "name": "dropped" })).await;
    faults(json!({ "duplicate": 1 })).await.unwrap();
    s.create("/products", json!({ "name": "twice" })).await;
    faults(json!({ "hold": 2 })).await.unwrap();
    s.create("/products", json!({ "name": "first" })).await;
    s.create("/products", json!({ "name": "second" })).await;
    s.emu.flush_webhooks().await;
    assert_eq!(names(&rx), ["twice", "twice"]);
    s.http.post(format!("{base}/_emulator/webhooks/release")).send().await.unwrap();
    assert_eq!(names(&rx), ["twice", "twice", "second", "first"], "held deliveries arrive newest first");
    let log: Value = s.http.get(format!("{base}/_emulator/webhooks/log")).send().await.unwrap().json().await.unwrap();
    assert!(log.as_array().unwrap().iter().any(|r| r["outcome"] == "dropped"));
}
