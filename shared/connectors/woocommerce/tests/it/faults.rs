//! Bursts of 5xx and 429 (with and without headers, as WAFs send them) end in success.

use std::time::Instant;

use posbridge_connector_core::ConnectorError;
use posbridge_connector_woocommerce::client::BatchRequest;
use serde_json::{Value, json};

use crate::support::{id, shop};

fn respond(status: u16, headers: Value, body: &str) -> Value {
    json!({ "type": "respond", "status": status, "headers": headers, "body": body })
}

#[tokio::test]
async fn a_5xx_burst_on_reads_ends_in_success() {
    let s = shop().await;
    s.emu.seed_product(json!({ "name": "A" })).unwrap();
    s.fault("GET", "/products", 3, respond(503, json!({}), "<html>Service Unavailable</html>")).await;
    assert_eq!(s.client.list_products(&[]).await.unwrap().len(), 1);
    assert_eq!(s.count("GET", "/products").await, 4, "three refused, the fourth served");
}

#[tokio::test]
async fn a_5xx_burst_longer_than_the_policy_is_a_retryable_outage() {
    let s = shop().await;
    s.fault("GET", "/products", 10, respond(500, json!({}), "")).await;
    let e = s.client.list_products(&[]).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Unavailable { status: Some(500), .. }), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_429_burst_with_retry_after_ends_in_success() {
    let s = shop().await;
    s.fault("GET", "/customers", 3, respond(429, json!({ "Retry-After": "0" }), "")).await;
    assert!(s.client.list_customers(&[]).await.unwrap().is_empty());
    assert_eq!(s.count("GET", "/customers").await, 4);
}

#[tokio::test]
async fn a_bare_429_burst_from_a_waf_ends_in_success_after_backing_off() {
    let s = shop().await;
    s.fault("GET", "/orders", 3, respond(429, json!({}), "<html><h1>Too Many Requests</h1></html>")).await;
    let t0 = Instant::now();
    assert!(s.client.list_orders(&[]).await.unwrap().is_empty());
    // Test policy: a 429 without headers waits 20 ms before the next request.
    assert!(t0.elapsed().as_millis() >= 60, "backed off three times: {:?}", t0.elapsed());
    assert_eq!(s.count("GET", "/orders").await, 4);
}

#[tokio::test]
async fn a_429_on_a_create_is_retried_and_creates_once() {
    let s = shop().await;
    s.fault("POST", "/products", 2, respond(429, json!({}), "")).await;
    let p = s.client.create_product(&json!({ "name": "Once", "sku": "ONCE" })).await.unwrap();
    assert_eq!(p["sku"], "ONCE");
    assert_eq!(s.stored("products").len(), 1);
}

#[tokio::test]
async fn a_5xx_on_an_update_batch_is_retried_but_not_on_a_create_batch() {
    let s = shop().await;
    let p = id(&s.client.create_product(&json!({ "name": "P", "sku": "P" })).await.unwrap());
    s.fault("POST", "/products/batch", 2, respond(502, json!({}), "")).await;
    let res = s
        .client
        .batch_products(&BatchRequest {
            update: vec![json!({ "id": p, "regular_price": "4.00" })],
            ..Default::default()
        })
        .await;
    assert_eq!(res.update[0].as_ref().unwrap()["regular_price"], "4.00");

    s.fault("POST", "/products/batch", 1, respond(502, json!({}), "")).await;
    let res =
        s.client.batch_products(&BatchRequest { create: vec![json!({ "name": "N" })], ..Default::default() }).await;
    let e = res.create[0].as_ref().unwrap_err();
    assert!(format!("{e:?}").contains("UnknownOutcome"), "{e:?}");
    assert_eq!(s.stored("products").len(), 1, "a create batch is never re-sent blindly");
}

#[tokio::test]
async fn a_waf_403_with_an_html_body_is_an_outage_not_a_permission() {
    let s = shop().await;
    s.fault("GET", "/products", 10, respond(403, json!({}), "<html><body>Access denied by firewall</body></html>"))
        .await;
    let e = s.client.list_products(&[]).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Unavailable { status: Some(403), .. }), "{e:?}");
    assert!(e.is_retryable());
    // WooCommerce's own 403 (JSON) stays a permission problem.
    s.emu.control.clear_faults();
    s.fault(
        "GET",
        "/products",
        1,
        respond(403, json!({}), r#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":403}}"#),
    )
    .await;
    assert!(matches!(s.client.list_products(&[]).await.unwrap_err(), ConnectorError::Forbidden { .. }));
}
