//! The kit's control API applied to the POS: request counts per endpoint, latency, 5xx bursts,
//! 429 with and without headers, and timeouts on writes that did happen.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::Pos;

async fn faults(pos: &Pos, f: Value) {
    let r = pos.http.post(pos.url("/_emulator/faults")).json(&f).send().await.unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn requests_are_counted_per_route_template() {
    let pos = Pos::start().await;
    let a = pos.seed_simple("C1", "1.00", "0");
    let b = pos.seed_simple("C2", "1.00", "0");
    pos.get(&format!("/api/v1/products/get/{a}")).await;
    pos.get(&format!("/api/v1/products/get/{b}")).await;
    pos.get("/api/v1/products/get_all").await;
    let counts: Value = pos.http.get(pos.url("/_emulator/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(counts["GET /api/v1/products/get/{id}"], 2);
    assert_eq!(counts["GET /api/v1/products/get_all"], 1);
    assert!(counts.get("POST /_emulator/seed").is_none(), "control calls are not counted");
}

#[tokio::test]
async fn a_5xx_burst_then_recovery() {
    let pos = Pos::start().await;
    faults(
        &pos,
        json!([{"path_contains": "/products/get_all", "count": 2, "kind": {"type": "respond", "status": 503}}]),
    )
    .await;
    assert_eq!(pos.get("/api/v1/products/get_all").await.status, 503);
    assert_eq!(pos.get("/api/v1/products/get_all").await.status, 503);
    assert_eq!(pos.get("/api/v1/products/get_all").await.status, 200);
}

#[tokio::test]
async fn rate_limited_with_and_without_retry_after() {
    let pos = Pos::start().await;
    faults(
        &pos,
        json!([
            {"method": "GET", "kind": {"type": "respond", "status": 429, "headers": {"Retry-After": "2"}}},
            {"method": "GET", "kind": {"type": "respond", "status": 429}}
        ]),
    )
    .await;
    let first = pos.get("/api/v1/outlets/get_all").await;
    assert_eq!((first.status, first.headers.get("retry-after").map(|v| v.to_str().unwrap())), (429, Some("2")));
    let second = pos.get("/api/v1/outlets/get_all").await;
    assert_eq!(second.status, 429);
    assert!(second.headers.get("retry-after").is_none());
    assert_eq!(pos.get("/api/v1/outlets/get_all").await.status, 200);
}

#[tokio::test]
async fn latency_slows_every_request_until_cleared() {
    let pos = Pos::start().await;
    pos.http.post(pos.url("/_emulator/latency")).json(&json!({"ms": 300})).send().await.unwrap();
    let t = Instant::now();
    pos.get("/api/v1/store/get").await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    pos.http.delete(pos.url("/_emulator/faults")).send().await.unwrap();
    let t = Instant::now();
    pos.get("/api/v1/store/get").await;
    assert!(t.elapsed() < Duration::from_millis(300));
}

/// The client times out, yet the sale exists: retrying with the same external reference must not
/// double it.
#[tokio::test]
async fn a_timed_out_sale_create_still_happened() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("TO", "5.00", "5");
    faults(&pos, json!([{"path_contains": "/sales/create", "kind": {"type": "delay_after_apply", "ms": 900}}])).await;
    let body = json!({"outlet_id": 1, "status": "parked", "external_reference": "web-7", "lines": [{"product_id": p, "quantity": "1"}]});
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let err =
        impatient.post(pos.url("/api/v1/sales/create")).bearer_auth(&pos.token).json(&body).send().await.unwrap_err();
    assert!(err.is_timeout());
    let retry = pos.post("/api/v1/sales/create", body).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.headers["x-pos-idempotent-replay"], "true");
    assert_eq!(pos.get("/api/v1/sales/get_all").await.body["totalCount"], 1);
}
