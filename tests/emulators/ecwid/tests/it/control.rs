//! The control API: seed, state, reset, request counts per endpoint, and the kit's faults
//! (latency, 5xx bursts, 429 with and without headers, timeouts) on Ecwid routes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{STORE, env};

#[tokio::test]
async fn seed_over_http_then_read_state_and_reset() {
    let e = env().await;
    let base = e.emu.base_url();
    let r = e
        .http
        .post(format!("{base}/_emulator/stores/{STORE}/seed"))
        .json(&json!({
            "customerGroups": [{"name": "VIP"}],
            "categories": [{"name": "Fruit"}],
            "products": [{"name": "Apple", "sku": "APL", "quantity": 3,
                          "combinations": [{"options": [{"name": "Size", "value": "L"}], "sku": "APL-L"}]}],
            "customers": [{"email": "a@b.c"}],
            "orders": [{"email": "a@b.c", "items": [{"sku": "APL", "quantity": 1}]}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ids: Value = r.json().await.unwrap();
    assert_eq!(ids["products"].as_array().unwrap().len(), 1);
    let state: Value = e.http.get(format!("{base}/_emulator/state")).send().await.unwrap().json().await.unwrap();
    let store = &state["stores"][0];
    assert_eq!(store["storeId"], STORE);
    assert_eq!(store["products"][0]["quantity"], 3, "seeded orders do not move stock");
    assert_eq!(store["products"][0]["combinations"][0]["sku"], "APL-L");
    assert_eq!(store["orders"].as_array().unwrap().len(), 1);
    assert!(state["tokens"][0]["token"].as_str().unwrap().ends_with('…'), "tokens are masked");

    let bad = e
        .http
        .post(format!("{base}/_emulator/stores/{STORE}/seed"))
        .json(&json!({"products": [{"sku": "x"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "seed validates like the API");

    assert_eq!(e.http.post(format!("{base}/_emulator/reset")).send().await.unwrap().status(), 204);
    let state = e.emu.state();
    assert_eq!(state["stores"][0]["products"], json!([]));
    assert_eq!(e.get("/products").await.0, 403, "tokens are forgotten by reset");
}

#[tokio::test]
async fn requests_are_counted_per_endpoint_template() {
    let e = env().await;
    let a = e.emu.seed_product(STORE, json!({"name": "A"}));
    let b = e.emu.seed_product(STORE, json!({"name": "B"}));
    e.get(&format!("/products/{a}")).await;
    e.get(&format!("/products/{b}")).await;
    e.get("/products").await;
    e.http.get(format!("{}/_emulator/state", e.emu.base_url())).send().await.unwrap();
    let counts: BTreeMap<String, u64> =
        e.http.get(format!("{}/_emulator/requests", e.emu.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(counts.get("GET /api/v3/{store_id}/products/{product_id}"), Some(&2));
    assert_eq!(counts.get("GET /api/v3/{store_id}/products"), Some(&1));
    assert!(counts.keys().all(|k| !k.contains("/_emulator")), "control routes are not counted: {counts:?}");
}

#[tokio::test]
async fn injected_5xx_burst_and_429_with_and_without_retry_after() {
    let e = env().await;
    let faults = json!([
        {"path_contains": "/products", "count": 2, "kind": {"type": "respond", "status": 503}},
        {"path_contains": "/products", "count": 1, "kind": {"type": "respond", "status": 429, "headers": {"Retry-After": "7"}}},
        {"path_contains": "/products", "count": 1, "kind": {"type": "respond", "status": 429}}
    ]);
    e.http.post(format!("{}/_emulator/faults", e.emu.base_url())).json(&faults).send().await.unwrap();
    assert_eq!(e.get("/products").await.0, 503);
    assert_eq!(e.get("/products").await.0, 503);
    let r = e.http.get(e.url("/products")).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (429, "7"));
    let r = e.http.get(e.url("/products")).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_none());
    assert_eq!(e.get("/products").await.0, 200);
}

#[tokio::test]
async fn latency_and_a_write_that_times_out_after_applying() {
    let e = env().await;
    e.http.post(format!("{}/_emulator/latency", e.emu.base_url())).json(&json!({"ms": 150})).send().await.unwrap();
    let t = Instant::now();
    e.get("/products").await;
    assert!(t.elapsed() >= Duration::from_millis(150));
    e.http.delete(format!("{}/_emulator/faults", e.emu.base_url())).send().await.unwrap();

    let faults =
        json!([{"method": "POST", "path_contains": "/products", "kind": {"type": "delay_after_apply", "ms": 600}}]);
    e.http.post(format!("{}/_emulator/faults", e.emu.base_url())).json(&faults).send().await.unwrap();
    let client = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
    let err =
        client.post(e.url("/products")).bearer_auth(&e.token).json(&json!({"name": "Ghost"})).send().await.unwrap_err();
    assert!(err.is_timeout());
    let (_, v) = e.get("/products?keyword=Ghost").await;
    assert_eq!(v["total"], 1, "the write happened although the client timed out");
}
