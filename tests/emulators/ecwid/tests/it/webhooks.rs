//! Webhooks to the app's single URL: `?eventtype=`, thin body, signature over
//! `{eventCreated}.{eventId}`, delivery statuses, retries with the same `eventId` (duplicates),
//! scope gating, and the kit's drop/duplicate/reorder faults.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::common::{STORE, Sink, env, wait_events};

fn expected_signature(secret: &str, created: i64, id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{created}.{id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn events_are_posted_with_eventtype_query_thin_body_and_signature() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    let pid = e.create("/products", json!({"name": "Mug"})).await;
    let seen = sink.wait_for("product.created", |s| !s.is_empty()).await;
    let r = &seen[0];
    assert_eq!(r.query, "eventtype=product.created");
    assert_eq!(r.body["eventType"], "product.created");
    assert_eq!(r.body["entityId"], pid);
    assert_eq!(r.body["storeId"], STORE);
    let id = r.body["eventId"].as_str().unwrap();
    let created = r.body["eventCreated"].as_i64().unwrap();
    let sig = r.headers["x-ecwid-webhook-signature"].to_str().unwrap();
    assert_eq!(sig, expected_signature("emulator-client-secret", created, id));
    assert_ne!(sig, expected_signature("secret_token_is_not_the_key", created, id));
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
}

#[tokio::test]
async fn order_update_carries_old_and_new_statuses() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    let n = e.create("/orders", json!({"paymentStatus": "PAID", "fulfillmentStatus": "PROCESSING", "items": []})).await;
    e.put(&format!("/orders/{n}"), json!({"fulfillmentStatus": "SHIPPED"})).await;
    sink.wait_for("order.updated", |s| s.iter().any(|r| r.body["eventType"] == "order.updated")).await;
    let upd = &sink.of_type("order.updated")[0];
    assert_eq!(upd.body["entityId"], n);
    assert_eq!(
        upd.body["data"],
        json!({"oldPaymentStatus": "PAID", "newPaymentStatus": "PAID", "oldFulfillmentStatus": "PROCESSING", "newFulfillmentStatus": "SHIPPED"})
    );
    let created = &sink.of_type("order.created")[0];
    assert_eq!(created.body["data"], json!({"newPaymentStatus": "PAID", "newFulfillmentStatus": "PROCESSING"}));
}

#[tokio::test]
async fn every_entity_family_emits_created_updated_deleted() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    let c = e.create("/categories", json!({"name": "C"})).await;
    e.put(&format!("/categories/{c}"), json!({"name": "D"})).await;
    e.delete(&format!("/categories/{c}")).await;
    let p = e.create("/products", json!({"name": "P", "quantity": 1})).await;
    e.put(&format!("/products/{p}/inventory"), json!({"quantityDelta": 1})).await;
    e.delete(&format!("/products/{p}")).await;
    let cu = e.create("/customers", json!({"email": "c@x.y"})).await;
    e.put(&format!("/customers/{cu}"), json!({"taxExempt": true})).await;
    e.delete(&format!("/customers/{cu}")).await;
    let o = e.create("/orders", json!({"items": []})).await;
    e.delete(&format!("/orders/{o}")).await;
    let want = [
        "category.created",
        "category.updated",
        "category.deleted",
        "product.created",
        "product.updated",
        "product.deleted",
        "customer.created",
        "customer.updated",
        "customer.deleted",
        "order.created",
        "order.deleted",
    ];
    sink.wait_for("all families", |s| want.iter().all(|t| s.iter().any(|r| r.body["eventType"] == *t))).await;
    assert_eq!(sink.of_type("customer.deleted")[0].body["data"], json!({"customerEmail": "c@x.y"}));
}

#[tokio::test]
async fn non_success_statuses_are_retried_with_the_same_event_id() {
    let e = env().await;
    // 203 and 302 count as not delivered; 209 counts as delivered.
    let sink = Sink::start(vec![(500, 0), (203, 0), (302, 0), (209, 0)]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    e.create("/categories", json!({"name": "C"})).await;
    let seen = sink.wait_for("4 attempts", |s| s.len() >= 4).await;
    let ids: std::collections::BTreeSet<_> = seen.iter().map(|r| r.body["eventId"].to_string()).collect();
    assert_eq!(ids.len(), 1, "a retry re-sends the same eventId");
    wait_events(&e.emu, "delivered", |ev| ev.iter().any(|r| r.outcome == "delivered")).await;
    let rec = &e.emu.events()[0];
    assert_eq!(rec.results, ["500", "203", "302", "209"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sink.seen().len(), 4, "no retry after 209");
}

#[tokio::test]
async fn a_slow_receiver_gets_a_duplicate() {
    let e = env().await; // webhook timeout 300 ms in tests
    let sink = Sink::start(vec![(200, 600)]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    e.create("/categories", json!({"name": "C"})).await;
    let seen = sink.wait_for("the retry", |s| s.len() >= 2).await;
    assert_eq!(seen[0].body["eventId"], seen[1].body["eventId"]);
    wait_events(&e.emu, "delivered", |ev| ev.iter().any(|r| r.outcome == "delivered")).await;
    assert_eq!(e.emu.events()[0].results, ["network_error", "200"]);
}

#[tokio::test]
async fn retries_stop_after_the_schedule() {
    let e = env().await; // three retries in tests
    let sink = Sink::start(vec![(500, 0); 10]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    e.create("/categories", json!({"name": "C"})).await;
    wait_events(&e.emu, "gave up", |ev| ev.iter().any(|r| r.outcome == "gave_up")).await;
    assert_eq!(sink.seen().len(), 4, "first attempt + 3 retries");
}

#[tokio::test]
async fn events_need_the_matching_scope_and_an_installed_app() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    e.emu.issue_token(STORE, &["read_catalog", "create_orders", "create_customers"]); // reinstall without read_orders
    e.create("/orders", json!({"items": []})).await;
    e.create("/products", json!({"name": "P"})).await;
    sink.wait_for("product.created", |s| s.iter().any(|r| r.body["eventType"] == "product.created")).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(sink.of_type("order.created").is_empty(), "no read_orders, no order webhooks");
    // Seeding is silent.
    e.emu.seed_product(STORE, json!({"name": "Quiet"}));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(sink.of_type("product.created").len(), 1);
}

#[tokio::test]
async fn kit_faults_drop_duplicate_and_reorder_deliveries() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    let faults = format!("{}/_emulator/webhooks/faults", e.emu.base_url());
    e.http.post(&faults).json(&json!({"drop": 1})).send().await.unwrap();
    e.create("/categories", json!({"name": "dropped"})).await;
    wait_events(&e.emu, "dropped", |ev| ev.len() == 1 && ev[0].outcome == "handed_off").await;
    assert!(sink.seen().is_empty(), "a dropped delivery is never retried");

    e.http.post(&faults).json(&json!({"duplicate": 1})).send().await.unwrap();
    e.create("/categories", json!({"name": "twice"})).await;
    let seen = sink.wait_for("duplicate", |s| s.len() >= 2).await;
    assert_eq!(seen[0].body, seen[1].body);

    e.http.post(&faults).json(&json!({"hold": 2})).send().await.unwrap();
    let first = e.create("/categories", json!({"name": "first"})).await;
    wait_events(&e.emu, "held 1", |ev| ev.iter().filter(|r| r.outcome == "handed_off").count() == 2).await;
    let second = e.create("/categories", json!({"name": "second"})).await;
    wait_events(&e.emu, "held 2", |ev| ev.iter().filter(|r| r.outcome == "handed_off").count() == 3).await;
    e.http.post(format!("{}/_emulator/webhooks/release", e.emu.base_url())).send().await.unwrap();
    let seen = sink.wait_for("released", |s| s.len() >= 4).await;
    assert_eq!(
        (seen[2].body["entityId"].clone(), seen[3].body["entityId"].clone()),
        (json!(second), json!(first)),
        "reordered"
    );
}

#[tokio::test]
async fn storefront_checkout_and_merchant_edits_emit_webhooks() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    let pid = e.emu.seed_product(STORE, json!({"name": "Pen", "sku": "PEN", "quantity": 3}));
    e.emu.place_order(STORE, json!({"paymentStatus": "PAID", "items": [{"sku": "PEN", "quantity": 1}]}));
    sink.wait_for("checkout events", |s| {
        s.iter().any(|r| r.body["eventType"] == "order.created")
            && s.iter().any(|r| r.body["eventType"] == "product.updated")
    })
    .await;
    let r = e
        .http
        .put(format!("{}/_emulator/stores/{STORE}/products/{pid}", e.emu.base_url()))
        .json(&json!({"quantity": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    sink.wait_for("merchant edit", |s| s.iter().filter(|r| r.body["eventType"] == "product.updated").count() == 2)
        .await;
    assert_eq!(e.emu.product(STORE, pid).unwrap()["quantity"], 50);
}

#[tokio::test]
async fn custom_headers_are_added_and_the_url_keeps_its_query() {
    let mut cfg = crate::common::config();
    cfg.webhook_headers = vec![("X-App".into(), "posbridge".into())];
    let e = crate::common::env_with(cfg).await;
    let sink = Sink::start(vec![]).await;
    let r = e
        .http
        .put(format!("{}/_emulator/app", e.emu.base_url()))
        .json(&json!({"webhookUrl": format!("{}?tenant=7", sink.url)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    e.create("/categories", json!({"name": "C"})).await;
    let seen = sink.wait_for("one", |s| !s.is_empty()).await;
    assert_eq!(seen[0].query, "tenant=7&eventtype=category.created");
    assert_eq!(seen[0].headers["x-app"], "posbridge");
}
