//! The control API: seed, state, reset, request counts and injected faults (kit).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{reply, shop};

#[tokio::test]
async fn seed_state_and_reset_over_http() {
    let s = shop().await;
    let base = s.emu.base_url();
    let seeded: Value = s
        .http
        .post(format!("{base}/_emulator/seed"))
        .json(&json!({
            "categories": [{ "name": "Hats" }],
            "products": [{ "name": "Beanie", "sku": "BEAN", "type": "variable",
                           "variations": [{ "sku": "BEAN-R", "regular_price": "8.00" }] }],
            "customers": [{ "email": "s@example.com" }]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seeded["products"][0]["variations"].as_array().unwrap().len(), 1);
    let state: Value = s.http.get(format!("{base}/_emulator/state")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["variations"][0]["sku"], "BEAN-R");
    assert_eq!(state["customers"][0]["email"], "s@example.com");
    assert_eq!(state["keys"].as_array().unwrap().len(), 2);
    let bad = s
        .http
        .post(format!("{base}/_emulator/seed"))
        .json(&json!({ "products": [{ "name": "Dup", "sku": "BEAN" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "seeding follows the API's rules");
    s.http.post(format!("{base}/_emulator/reset")).send().await.unwrap();
    assert!(s.emu.state()["products"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn requests_are_counted_per_endpoint_template() {
    let s = shop().await;
    let p = s.create("/products", json!({ "name": "Counted" })).await;
    for _ in 0..3 {
        s.get(&format!("/products/{}", p["id"])).await;
    }
    let counts: BTreeMap<String, u64> =
        s.http.get(format!("{}/_emulator/requests", s.emu.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(counts.get("GET /wp-json/wc/v3/products/{id}"), Some(&3));
    assert_eq!(counts.get("POST /wp-json/wc/v3/products"), Some(&1));
}

#[tokio::test]
async fn injected_5xx_bursts_and_waf_style_429s_and_403s() {
    let s = shop().await;
    let faults = json!([
        { "path_contains": "/orders", "count": 2, "kind": { "type": "respond", "status": 503 } },
        { "path_contains": "/products", "count": 1, "kind": { "type": "respond", "status": 429, "headers": { "Retry-After": "7" } } },
        { "path_contains": "/products", "count": 1, "kind": { "type": "respond", "status": 429 } },
        { "path_contains": "/customers", "count": 1, "kind": { "type": "respond", "status": 403,
          "headers": { "Content-Type": "text/html" }, "body": "<html><body>Access denied</body></html>" } }
    ]);
    s.http.post(format!("{}/_emulator/faults", s.emu.base_url())).json(&faults).send().await.unwrap();
    assert_eq!(s.get("/orders").await.status, 503);
    assert_eq!(s.get("/orders").await.status, 503);
    assert_eq!(s.get("/orders").await.status, 200, "the burst is over");
    let with = s.get("/products").await;
    assert_eq!((with.status, with.header("retry-after")), (429, "7"));
    let without = s.get("/products").await;
    assert_eq!((without.status, without.header("retry-after"), without.body.clone()), (429, "", json!("")));
    let waf = s.get("/customers").await;
    assert_eq!(waf.status, 403);
    assert!(waf.body.as_str().unwrap().contains("<html>"), "not a JSON error body");
}

#[tokio::test]
async fn latency_and_timeouts_after_the_write_was_applied() {
    let s = shop().await;
    let base = s.emu.base_url();
    s.http.post(format!("{base}/_emulator/latency")).json(&json!({ "ms": 150 })).send().await.unwrap();
    let t = Instant::now();
    s.get("/products").await;
    assert!(t.elapsed() >= Duration::from_millis(150));
    s.http.delete(format!("{base}/_emulator/faults")).send().await.unwrap();

    let fault =
        json!([{ "method": "POST", "path_contains": "/products", "kind": { "type": "delay_after_apply", "ms": 600 } }]);
    s.http.post(format!("{base}/_emulator/faults")).json(&fault).send().await.unwrap();
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(150)).build().unwrap();
    let err = impatient
        .post(s.url("/products"))
        .basic_auth(emu_woocommerce::READ_WRITE_KEY.0, Some(emu_woocommerce::READ_WRITE_KEY.1))
        .json(&json!({ "name": "Slow write" }))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    let listed = reply(
        s.http
            .get(s.url("/products"))
            .basic_auth(emu_woocommerce::READ_WRITE_KEY.0, Some(emu_woocommerce::READ_WRITE_KEY.1))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed.body[0]["name"], "Slow write", "the write happened although the client timed out");
}
