//! Routing and access: `/api/v3/{storeId}`, Bearer and `?token=`, scopes, stores, plans, public
//! tokens, content type.

use reqwest::Method;
use serde_json::json;

use crate::common::{STORE, env};

#[tokio::test]
async fn token_is_accepted_as_bearer_header_and_as_query_parameter() {
    let e = env().await;
    let bearer = e.http.get(e.url("/products")).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!(bearer.status(), 200);
    let query = e.http.get(e.url(&format!("/products?token={}", e.token))).send().await.unwrap();
    assert_eq!(query.status(), 200);
    let none = e.http.get(e.url("/products")).send().await.unwrap();
    assert_eq!(none.status(), 403);
    let bad = e.http.get(e.url("/products?token=secret_nope")).send().await.unwrap();
    assert_eq!(bad.status(), 403);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert!(body["errorMessage"].is_string());
}

#[tokio::test]
async fn stores_are_separate_and_a_token_only_opens_its_own_store() {
    let e = env().await;
    let r = e
        .http
        .post(format!("{}/_emulator/stores", e.emu.base_url()))
        .json(&json!({"storeId": 2002}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let other = e.emu.issue_token(2002, &["read_catalog", "create_catalog"]);
    e.emu.seed_product(STORE, json!({"name": "In 1003"}));
    let r =
        e.http.get(format!("{}/products", e.emu.api_base(2002))).bearer_auth(&other.access_token).send().await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["total"], 0, "store 2002 does not see store 1003's products");
    let cross = e.http.get(format!("{}/products", e.emu.api_base(2002))).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!(cross.status(), 403);
    let unknown = e.http.get(format!("{}/products", e.emu.api_base(9))).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn missing_scope_is_403_naming_the_scope() {
    let e = env().await;
    let ro = e.emu.issue_token(STORE, &["read_catalog"]).access_token;
    let table = [
        (Method::GET, "/products", 200),
        (Method::POST, "/products", 403),
        (Method::GET, "/orders", 403),
        (Method::GET, "/customers", 403),
        (Method::GET, "/customer_groups", 403),
    ];
    for (m, path, want) in table {
        let body = (m == Method::POST).then(|| json!({"name": "x"}));
        let (s, v) = e.call_as(&ro, m.clone(), path, body).await;
        assert_eq!(s, want, "{m} {path}: {v}");
        if s == 403 {
            assert!(v["errorMessage"].as_str().unwrap().contains("scope"), "{v}");
        }
    }
}

#[tokio::test]
async fn free_plan_is_402_and_missing_variations_feature_is_402() {
    let e = env().await;
    let pid = e.emu.seed_product(STORE, json!({"name": "Tee"}));
    e.emu.set_plan(STORE, true, false);
    let (s, _) =
        e.post(&format!("/products/{pid}/combinations"), json!({"options": [{"name": "Size", "value": "S"}]})).await;
    assert_eq!(s, 402);
    e.emu.set_plan(STORE, false, true);
    let (s, v) = e.get("/products").await;
    assert_eq!(s, 402, "{v}");
}

#[tokio::test]
async fn public_token_reads_enabled_catalog_only() {
    let e = env().await;
    let on = e.emu.seed_product(STORE, json!({"name": "Shown"}));
    let off = e.emu.seed_product(STORE, json!({"name": "Hidden", "enabled": false}));
    let (s, v) = e.call_as(&e.public_token, Method::GET, "/products", None).await;
    assert_eq!(s, 200);
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], on);
    let (_, v) = e.call_as(&e.public_token, Method::GET, &format!("/products/{off}"), None).await;
    assert_eq!(v, json!({"id": off, "enabled": false}));
    let (s, _) = e.call_as(&e.public_token, Method::PUT, &format!("/products/{on}"), Some(json!({"price": 1}))).await;
    assert_eq!(s, 403);
    let (s, _) = e.call_as(&e.public_token, Method::GET, "/orders", None).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn writes_need_a_json_content_type() {
    let e = env().await;
    let r = e
        .http
        .post(e.url("/products"))
        .bearer_auth(&e.token)
        .header("Content-Type", "text/plain")
        .body(r#"{"name":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let r = e
        .http
        .post(e.url("/products"))
        .bearer_auth(&e.token)
        .header("Content-Type", "text/json")
        .body(r#"{"name":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn malformed_body_and_bad_parameters_are_400() {
    let e = env().await;
    let r = e
        .http
        .post(e.url("/products"))
        .bearer_auth(&e.token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (s, v) = e.get("/products?inStock=maybe").await;
    assert_eq!(s, 400);
    assert!(v["errorMessage"].as_str().unwrap().contains("inStock"));
}
