//! The per-store rate limit and the kit's control API on this emulator (request counts, 5xx
//! bursts, 429 without headers, latency and timeouts).

use std::collections::BTreeMap;
use std::time::Duration;

use emu_bigcommerce::Config;
use emulator_kit::{Fault, FaultKind};
use serde_json::json;

use crate::common::{Bc, test_config};

const HEADERS: [&str; 4] = [
    "x-rate-limit-time-window-ms",
    "x-rate-limit-time-reset-ms",
    "x-rate-limit-requests-quota",
    "x-rate-limit-requests-left",
];

#[tokio::test]
async fn every_response_carries_the_rate_limit_headers() {
    let bc = Bc::new().await;
    let ok = bc.get("v3/catalog/products").await;
    assert_eq!(ok.header("x-rate-limit-time-window-ms").as_deref(), Some("30000"));
    assert_eq!(ok.header("x-rate-limit-requests-quota").as_deref(), Some("150"));
    assert_eq!(ok.header("x-rate-limit-requests-left").as_deref(), Some("149"));
    let reset: u64 = ok.header("x-rate-limit-time-reset-ms").unwrap().parse().unwrap();
    assert!(reset > 0 && reset <= 30_000);
    for r in [
        bc.get("v3/catalog/products/999").await,
        bc.post("v3/catalog/products", json!({})).await,
        bc.get("v2/orders").await,
    ] {
        for h in HEADERS {
            assert!(r.header(h).is_some(), "{h} on a {} answer", r.status);
        }
    }
}

#[tokio::test]
async fn quota_exhaustion_gives_429_with_headers_until_the_window_resets() {
    let bc = Bc::new().await;
    bc.emu.set_rate_limit("abc123", 3, Duration::from_millis(400));
    let other = bc.emu.create_store("other1");
    for left in ["2", "1", "0"] {
        let r = bc.get("v3/catalog/products").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-rate-limit-requests-left").as_deref(), Some(left));
    }
    let r = bc.get("v3/catalog/products").await;
    assert_eq!(r.status, 429);
    for h in HEADERS {
        assert!(r.header(h).is_some(), "{h} on the 429");
    }
    assert_eq!(r.header("x-rate-limit-requests-left").as_deref(), Some("0"));
    let wait: u64 = r.header("x-rate-limit-time-reset-ms").unwrap().parse().unwrap();
    assert!(wait <= 400);
    // other stores have their own quota
    let o = bc
        .http
        .get(format!("{}/stores/other1/v3/catalog/products", bc.emu.base_url()))
        .header("x-auth-token", other)
        .send()
        .await
        .unwrap();
    assert_eq!(o.status(), 200);
    tokio::time::sleep(Duration::from_millis(wait + 20)).await;
    assert_eq!(bc.get("v3/catalog/products").await.status, 200, "a new window has a new quota");
}

#[tokio::test]
async fn quota_and_window_come_from_the_config() {
    let bc = Bc::with(Config { rate_limit_quota: 2, rate_limit_window: Duration::from_secs(5), ..test_config() }).await;
    let r = bc.get("v2/store").await;
    assert_eq!(r.header("x-rate-limit-requests-quota").as_deref(), Some("2"));
    assert_eq!(r.header("x-rate-limit-time-window-ms").as_deref(), Some("5000"));
    bc.get("v2/store").await;
    assert_eq!(bc.get("v2/store").await.status, 429);
    // the control route changes a store's plan at run time
    let url = format!("{}/_emulator/stores/abc123/rate_limit", bc.emu.base_url());
    bc.http.post(url).json(&json!({ "quota": 450, "window_ms": 30000 })).send().await.unwrap();
    assert_eq!(bc.get("v2/store").await.header("x-rate-limit-requests-quota").as_deref(), Some("450"));
}

#[tokio::test]
async fn injected_faults_429_without_headers_and_5xx_bursts() {
    let bc = Bc::new().await;
    bc.emu.control.push_fault(Fault {
        method: Some("GET".into()),
        path_contains: Some("/v3/catalog".into()),
        count: 1,
        kind: FaultKind::Respond { status: 429, headers: BTreeMap::new(), body: String::new() },
    });
    let r = bc.get("v3/catalog/products").await;
    assert_eq!(r.status, 429);
    assert!(r.header("x-rate-limit-requests-left").is_none(), "platform-load 429 has no rate headers");
    let faults = json!([{ "path_contains": "/v2/orders", "count": 3, "kind": { "type": "respond", "status": 503, "body": "{}" } }]);
    bc.http.post(format!("{}/_emulator/faults", bc.emu.base_url())).json(&faults).send().await.unwrap();
    for _ in 0..3 {
        assert_eq!(bc.get("v2/orders").await.status, 503);
    }
    assert_eq!(bc.get("v2/orders").await.status, 204);
}

#[tokio::test]
async fn a_timed_out_write_still_happens_and_requests_are_counted() {
    let bc = Bc::new().await;
    bc.emu.control.push_fault(Fault {
        method: Some("POST".into()),
        path_contains: Some("/catalog/products".into()),
        count: 1,
        kind: FaultKind::DelayAfterApply { ms: 600 },
    });
    let client = reqwest::Client::builder().timeout(Duration::from_millis(150)).build().unwrap();
    let err = client
        .post(bc.url("v3/catalog/products"))
        .header("x-auth-token", &bc.token)
        .json(&json!({ "name": "Slow", "type": "physical", "weight": 1, "price": 1 }))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    let snap = bc.emu.snapshot("abc123").unwrap();
    assert_eq!(snap["products"][0]["name"], "Slow");
    bc.get("v3/catalog/products/1").await;
    bc.get("v3/catalog/products/1").await;
    let counts: BTreeMap<String, u64> =
        bc.http.get(format!("{}/_emulator/requests", bc.emu.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(counts.get("GET /stores/{store_hash}/v3/catalog/products/{product_id}"), Some(&2));
    assert_eq!(counts.get("POST /stores/{store_hash}/v3/catalog/products"), Some(&1));
}

#[tokio::test]
async fn control_routes_create_stores_seed_read_state_and_reset() {
    let bc = Bc::new().await;
    let base = bc.emu.base_url();
    let s = crate::common::read(
        bc.http.post(format!("{base}/_emulator/stores")).json(&json!({ "store_hash": "ctl1" })).send().await.unwrap(),
    )
    .await;
    let token = s.body["access_token"].as_str().unwrap().to_string();
    let seed = json!({ "products": [{ "name": "Mug", "type": "physical", "weight": 1, "price": 3, "sku": "M" }],
                       "customers": [{ "email": "a@example.com", "first_name": "A", "last_name": "B" }] });
    let r = bc.http.post(format!("{base}/_emulator/stores/ctl1/seed")).json(&seed).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bad = bc
        .http
        .post(format!("{base}/_emulator/stores/ctl1/seed"))
        .json(&json!({ "products": [{ "name": "Mug" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422, "seeds go through the same rules");
    let state: serde_json::Value =
        bc.http.get(format!("{base}/_emulator/stores/ctl1/state")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["products"][0]["sku"], "M");
    assert_eq!(state["customers"][0]["email"], "a@example.com");
    let r = bc
        .http
        .get(format!("{base}/stores/ctl1/v3/catalog/products"))
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    bc.http.post(format!("{base}/_emulator/reset")).send().await.unwrap();
    assert_eq!(bc.http.get(format!("{base}/_emulator/stores/ctl1/state")).send().await.unwrap().status(), 404);
}
