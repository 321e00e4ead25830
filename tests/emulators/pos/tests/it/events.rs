//! Events: signed webhook deliveries (with the kit's drop/duplicate/hold faults) and the polling
//! cursor that recovers what deliveries lost.

use emu_pos::Config;
use serde_json::json;

use crate::common::{Pos, Sink, event_ids};

async fn subscribe(pos: &Pos, sink: &Sink, events: serde_json::Value) -> String {
    let r = pos.post("/api/v1/webhooks", json!({"url": sink.url(), "events": events})).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["secret"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn deliveries_carry_a_verifiable_signature() {
    let pos = Pos::start().await;
    let sink = Sink::start().await;
    let secret = subscribe(&pos, &sink, json!(["*"])).await;
    pos.ok("/api/v1/brands/create", json!({"name": "Acme"})).await;
    let raw = {
        sink.wait_for(1).await;
        emulator_kit::lock(&sink.hits)[0].clone()
    };
    let (headers, body) = raw;
    let ts: i64 = headers["x-pos-timestamp"].to_str().unwrap().parse().unwrap();
    let expected = format!("sha256={}", emu_pos::sign(&secret, ts, body.as_bytes()));
    assert_eq!(headers["x-pos-signature"].to_str().unwrap(), expected);
    assert_ne!(expected, format!("sha256={}", emu_pos::sign("wrong", ts, body.as_bytes())));
    let ev: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ev["type"], "brand.created");
    assert_eq!(ev["data"]["name"], "Acme");
    assert_eq!(headers["x-pos-event-id"].to_str().unwrap(), ev["id"].to_string());
    assert_eq!(headers["x-pos-event-type"], "brand.created");
    // the secret is not listed again
    let list = pos.get("/api/v1/webhooks").await.body;
    assert!(list["items"][0].get("secret").is_none());
}

#[tokio::test]
async fn subscriptions_filter_by_event_type_and_can_be_removed() {
    let pos = Pos::start().await;
    let sink = Sink::start().await;
    subscribe(&pos, &sink, json!(["inventory.*"])).await;
    let p = pos.seed_simple("F", "1.00", "1");
    pos.ok("/api/v1/brands/create", json!({"name": "Ignored"})).await;
    pos.ok("/api/v1/stocktakes/create", json!({"outlet_id": 1, "counts": [{"product_id": p, "count": "3"}]})).await;
    let hits = sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(sink.len(), 1);
    assert_eq!(hits[0].1["type"], "inventory.updated");

    assert_eq!(pos.delete("/api/v1/webhooks/1").await.status, 200);
    assert_eq!(pos.delete("/api/v1/webhooks/1").await.status, 404);
    pos.ok("/api/v1/stocktakes/create", json!({"outlet_id": 1, "counts": [{"product_id": p, "count": "4"}]})).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(sink.len(), 1);
    assert_eq!(pos.post("/api/v1/webhooks", json!({"url": "not a url"})).await.status, 400);
}

#[tokio::test]
async fn polling_pages_through_changes_since_a_cursor() {
    let pos = Pos::start().await;
    for i in 0..5 {
        pos.ok("/api/v1/brands/create", json!({"name": format!("B{i}")})).await;
    }
    let page = pos.get("/api/v1/events?since=0&page_size=2").await.body;
    assert_eq!(page["totalCount"], 5);
    assert_eq!(page["cursor"], 2);
    assert!(page["next"].as_str().unwrap().contains("since=2"));
    let page = pos.get("/api/v1/events?since=2&page_size=10").await.body;
    let ids: Vec<u64> = page["items"].as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [3, 4, 5]);
    assert!(page["next"].is_null());
    let empty = pos.get("/api/v1/events?since=5").await.body;
    assert_eq!((empty["totalCount"].as_u64(), empty["cursor"].as_u64()), (Some(0), Some(5)));
}

#[tokio::test]
async fn a_cursor_older_than_the_retained_log_is_410() {
    let pos = Pos::with(Config { event_retention: 3, ..Config::default() }).await;
    for i in 0..5 {
        pos.ok("/api/v1/brands/create", json!({"name": format!("B{i}")})).await;
    }
    let r = pos.get("/api/v1/events?since=1").await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (410, Some("cursor_expired")));
    assert_eq!(pos.get("/api/v1/events?since=2").await.body["totalCount"], 3);
}

#[tokio::test]
async fn a_dropped_delivery_is_recovered_by_polling() {
    let pos = Pos::start().await;
    let sink = Sink::start().await;
    subscribe(&pos, &sink, json!(["*"])).await;
    let r = pos.http.post(pos.url("/_emulator/webhooks/faults")).json(&json!({"drop": 1})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    for name in ["lost", "kept"] {
        pos.ok("/api/v1/brands/create", json!({"name": name})).await;
    }
    let hits = sink.wait_for(1).await;
    assert_eq!(event_ids(&hits), [2], "event 1 never arrived");
    let polled = pos.get("/api/v1/events?since=0").await.body;
    assert_eq!(polled["items"][0]["data"]["name"], "lost");
    let log: serde_json::Value =
        pos.http.get(pos.url("/_emulator/webhooks/log")).send().await.unwrap().json().await.unwrap();
    assert_eq!(log[0]["outcome"], "dropped");
}

#[tokio::test]
async fn duplicated_and_reordered_deliveries_keep_their_event_ids() {
    let pos = Pos::start().await;
    let sink = Sink::start().await;
    subscribe(&pos, &sink, json!(["*"])).await;
    pos.http.post(pos.url("/_emulator/webhooks/faults")).json(&json!({"duplicate": 1})).send().await.unwrap();
    pos.ok("/api/v1/brands/create", json!({"name": "twice"})).await;
    let hits = sink.wait_for(2).await;
    assert_eq!(event_ids(&hits), [1, 1]);
    assert_eq!(hits[0].0["x-pos-signature"], hits[1].0["x-pos-signature"]);

    pos.http.post(pos.url("/_emulator/webhooks/faults")).json(&json!({"hold": 2})).send().await.unwrap();
    pos.ok("/api/v1/brands/create", json!({"name": "a"})).await;
    pos.ok("/api/v1/brands/create", json!({"name": "b"})).await;
    // both held; wait until the worker has handed both to the outbox
    for _ in 0..100 {
        let log: serde_json::Value =
            pos.http.get(pos.url("/_emulator/webhooks/log")).send().await.unwrap().json().await.unwrap();
        if log.as_array().unwrap().iter().filter(|d| d["outcome"] == "held").count() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let released: serde_json::Value =
        pos.http.post(pos.url("/_emulator/webhooks/release")).send().await.unwrap().json().await.unwrap();
    assert_eq!(released["released"], 2);
    let hits = sink.wait_for(4).await;
    assert_eq!(event_ids(&hits), [1, 1, 3, 2], "newest first: out of order");
}
