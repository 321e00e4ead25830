//! `/v3/hooks` subscriptions and deliveries: thin signed payloads, custom headers, events per
//! change, retries then deactivation, per-client visibility, and the kit's delivery faults.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;
use serde_json::{Value, json};
use sha1::Digest;

use crate::common::{Bc, Got, Receiver, eventually, test_config};
use crate::openapi::Spec;

fn verify(g: &Got, secret: &str) {
    let (id, ts, sig) = (g.header("webhook-id"), g.header("webhook-timestamp"), g.header("webhook-signature"));
    assert!(!id.is_empty() && ts.parse::<i64>().is_ok(), "Standard Webhooks headers present");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{id}.{ts}.{}", g.body).as_bytes());
    let want = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(sig, want, "signature over id.timestamp.body with the client secret");
}

#[tokio::test]
async fn product_created_delivers_a_thin_signed_payload_with_custom_headers() {
    let bc = Bc::new().await;
    let rx = Receiver::start().await;
    bc.hook("store/product/created", &rx, json!({ "X-Custom-Auth": "s3cret" })).await;
    let p = bc.product("Mug", "MUG-1", 1).await;
    let got = rx.wait_for("store/product/created", 1).await;
    let g = &got[0];
    let body = g.json();
    assert_eq!(body["data"], json!({ "type": "product", "id": p["id"] }));
    assert!(body["store_id"].is_string());
    assert_eq!(body["producer"], "stores/abc123");
    assert!(body["created_at"].is_i64());
    let sha = hex::encode(sha1::Sha1::digest(body["data"].to_string().as_bytes()));
    assert_eq!(body["hash"], sha.as_str(), "hash is the SHA-1 of the JSON data");
    assert_eq!(g.header("x-custom-auth"), "s3cret");
    assert_eq!(g.header("content-type"), "application/json");
    // store-level accounts sign with their own secret; the app with the configured client secret
    let secret = bc.emu.with_store("abc123", |st| st.tokens[&bc.token].client_secret.clone()).unwrap();
    verify(g, &secret);
    // the payload matches the published JSON-Schema model for the scope
    let schema_file = crate::openapi::spec_dir().join("../webhook-payload-schemas/store_product_created.yml");
    let y: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
    let schema: Value = serde_json::to_value(y).unwrap();
    let spec = Spec::from_json(json!({}));
    spec.validate(&schema, &body).unwrap();
}

#[tokio::test]
async fn changes_through_the_api_fire_their_scopes() {
    let bc = Bc::new().await;
    let rx = Receiver::start().await;
    for scope in ["store/product/*", "store/sku/*", "store/order/*", "store/customer/*", "store/category/*"] {
        bc.hook(scope, &rx, json!({})).await;
    }
    let p = bc.product("Mug", "MUG-1", 10).await;
    let pid = p["id"].as_u64().unwrap();
    bc.put(&format!("v3/catalog/products/{pid}"), json!({ "price": 12 })).await;
    bc.put(
        "v3/inventory/adjustments/absolute",
        json!({ "items": [{ "location_id": 1, "product_id": pid, "quantity": 30 }] }),
    )
    .await;
    bc.post(
        "v3/inventory/adjustments/relative",
        json!({ "items": [{ "location_id": 1, "product_id": pid, "quantity": -4 }] }),
    )
    .await;
    let s = bc.product_with_variants("Shirt", "SH").await;
    let red = s["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "SH-RED").unwrap().clone();
    bc.put(&format!("v3/catalog/products/{}/variants/{}", s["id"], red["id"]), json!({ "inventory_level": 9 })).await;
    let o = bc.order(json!([{ "product_id": pid, "quantity": 2 }])).await;
    bc.put(&format!("v2/orders/{}", o["id"]), json!({ "status_id": 11 })).await;
    bc.post("v3/customers", json!([{ "email": "a@example.com", "first_name": "A", "last_name": "B" }])).await;
    bc.post("v3/catalog/categories", json!({ "name": "Mugs", "parent_id": 0 })).await;

    rx.wait_for("store/category/created", 1).await;
    let scope_data = |scope: &str| rx.scoped(scope).into_iter().map(|g| g.json()["data"].clone()).collect::<Vec<_>>();
    assert_eq!(scope_data("store/product/updated")[0], json!({ "type": "product", "id": pid }));
    let inv = scope_data("store/product/inventory/updated");
    assert_eq!(inv[0]["inventory"], json!({ "product_id": pid, "method": "absolute", "value": 30 }));
    assert_eq!(inv[1]["inventory"], json!({ "product_id": pid, "method": "relative", "value": -4 }));
    let ord_inv = scope_data("store/product/inventory/order/updated");
    assert_eq!(ord_inv[0]["inventory"]["value"], -2);
    assert_eq!(scope_data("store/sku/created").len(), 2);
    let sku_inv = scope_data("store/sku/inventory/updated");
    assert_eq!(sku_inv[0]["inventory"]["variant_id"], red["id"]);
    assert_eq!(sku_inv[0]["inventory"]["value"], 9);
    let st = scope_data("store/order/statusUpdated");
    assert_eq!(st[0]["status"], json!({ "previous_status_id": 1, "new_status_id": 11 }));
    assert_eq!(scope_data("store/order/created")[0]["id"], o["id"]);
    assert_eq!(scope_data("store/order/updated").len(), 1);
    assert_eq!(scope_data("store/customer/created")[0]["type"], "customer");
    assert_eq!(scope_data("store/category/created")[0]["type"], "category");
}

#[tokio::test]
async fn failed_deliveries_are_retried_then_the_hook_is_deactivated() {
    let bc = Bc::new().await;
    let rx = Receiver::start().await;
    let h = bc.hook("store/customer/created", &rx, json!({})).await;
    rx.fail_next(2);
    bc.post("v3/customers", json!([{ "email": "a@example.com", "first_name": "A", "last_name": "B" }])).await;
    let got = rx.wait_for("store/customer/created", 3).await;
    assert_eq!(got[0].header("webhook-id"), got[2].header("webhook-id"), "retries keep the message id");
    assert_eq!(got[0].json()["hash"], got[2].json()["hash"]);
    // the receiver keeps failing: 1 attempt + 3 retries (test schedule), then is_active=false
    rx.fail_next(100);
    bc.post("v3/customers", json!([{ "email": "b@example.com", "first_name": "A", "last_name": "B" }])).await;
    let id = h["id"].as_u64().unwrap();
    eventually(|| bc.emu.with_store("abc123", |st| !st.hooks[&id].is_active).unwrap(), "hook deactivation").await;
    let attempts = rx.got().iter().filter(|g| g.json()["data"]["id"] == 2).count();
    assert_eq!(attempts, 1 + test_config().webhook_retry_schedule.len());
    let r = bc.get(&format!("v3/hooks/{id}")).await;
    assert_eq!(r.body["data"]["is_active"], false);
    // re-enabled with a PUT
    let r = bc.put(&format!("v3/hooks/{id}"), json!({ "is_active": true })).await;
    assert_eq!(r.body["data"]["is_active"], true);
}

#[tokio::test]
async fn kit_delivery_faults_drop_duplicate_and_reorder() {
    let bc = Bc::new().await;
    let rx = Receiver::start().await;
    bc.hook("store/customer/created", &rx, json!({})).await;
    let base = bc.emu.base_url();
    let new_customer = |i: u32| json!([{ "email": format!("c{i}@example.com"), "first_name": "A", "last_name": "B" }]);
    bc.http.post(format!("{base}/_emulator/webhooks/faults")).json(&json!({ "drop": 1 })).send().await.unwrap();
    bc.post("v3/customers", new_customer(1)).await;
    bc.http.post(format!("{base}/_emulator/webhooks/faults")).json(&json!({ "duplicate": 1 })).send().await.unwrap();
    bc.post("v3/customers", new_customer(2)).await;
    let got = rx.wait_for("store/customer/created", 2).await;
    assert_eq!(got[0].body, got[1].body, "a duplicate is byte-identical (same hash)");
    assert_eq!(got[0].json()["data"]["id"], 2, "the first delivery was dropped");
    bc.http.post(format!("{base}/_emulator/webhooks/faults")).json(&json!({ "hold": 2 })).send().await.unwrap();
    bc.post("v3/customers", new_customer(3)).await;
    bc.post("v3/customers", new_customer(4)).await;
    eventually(|| bc.emu.control.outbox().log().iter().filter(|r| r.outcome == "held").count() == 2, "two held").await;
    bc.http.post(format!("{base}/_emulator/webhooks/release")).send().await.unwrap();
    let got = rx.wait_for("store/customer/created", 4).await;
    let ids: Vec<_> = got.iter().map(|g| g.json()["data"]["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, vec![2, 2, 4, 3], "held deliveries arrive newest first");
}

#[tokio::test]
async fn hook_rules_limits_and_visibility() {
    let cfg = emu_bigcommerce::Config::default();
    assert!(cfg.require_https_443);
    let strict = Bc::with(emu_bigcommerce::Config { require_https_443: true, ..test_config() }).await;
    let bad = strict
        .post("v3/hooks", json!({ "scope": "store/order/created", "destination": "https://x.example.com:8443/h" }))
        .await;
    assert_eq!(bad.status, 422);
    let ok = strict
        .post("v3/hooks", json!({ "scope": "store/order/created", "destination": "https://x.example.com/h" }))
        .await;
    assert_eq!(ok.status, 200);
    let dup = strict
        .post("v3/hooks", json!({ "scope": "store/order/created", "destination": "https://x.example.com/h" }))
        .await;
    assert_eq!(dup.status, 422, "one hook per scope and destination");
    for i in 1..10 {
        let r = strict
            .post(
                "v3/hooks",
                json!({ "scope": "store/order/created", "destination": format!("https://x.example.com/h{i}") }),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let eleventh = strict
        .post("v3/hooks", json!({ "scope": "store/order/created", "destination": "https://x.example.com/h10" }))
        .await;
    assert_eq!(eleventh.status, 422, "at most 10 per scope");
    let missing = strict.post("v3/hooks", json!({ "destination": "https://x.example.com/h" })).await;
    assert_eq!(missing.status, 422);
    let list = strict.get("v3/hooks?scope=store/order/created").await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 10);
    // another API account does not see these hooks
    let other = strict.emu.create_token("abc123", &["store_v2_products"]);
    let r = strict.call_with("GET", "v3/hooks", None, Some(&other)).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 0);
    let id = ok.body["data"]["id"].as_u64().unwrap();
    assert_eq!(strict.call_with("GET", &format!("v3/hooks/{id}"), None, Some(&other)).await.status, 404);
    let del = strict.call("DELETE", &format!("v3/hooks/{id}"), None).await;
    assert_eq!(del.status, 200);
    assert_eq!(del.body["data"]["id"], id);
    assert_eq!(strict.get(&format!("v3/hooks/{id}")).await.status, 404);
}

#[tokio::test]
async fn uninstall_fires_app_uninstalled_and_removes_the_apps_hooks() {
    let bc = Bc::new().await;
    let cfg = test_config();
    let cb = bc.emu.begin_install("inst1");
    let q: std::collections::HashMap<String, String> =
        url::Url::parse(&cb).unwrap().query_pairs().into_owned().collect();
    let tok = bc.http.post(format!("{}/oauth2/token", bc.emu.base_url()))
        .json(&json!({ "client_id": cfg.client_id, "client_secret": cfg.client_secret, "code": q["code"], "context": q["context"],
                       "scope": q["scope"], "grant_type": "authorization_code", "redirect_uri": cfg.auth_callback_url }))
        .send().await.unwrap().json::<Value>().await.unwrap();
    let token = tok["access_token"].as_str().unwrap().to_string();
    let rx = Receiver::start().await;
    let r = bc
        .http
        .post(format!("{}/stores/inst1/v3/hooks", bc.emu.base_url()))
        .header("x-auth-token", &token)
        .json(&json!({ "scope": "store/app/uninstalled", "destination": rx.url() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    bc.http
        .post(format!("{}/_emulator/uninstall", bc.emu.base_url()))
        .json(&json!({ "store_hash": "inst1" }))
        .send()
        .await
        .unwrap();
    let got = rx.wait_for("store/app/uninstalled", 1).await;
    verify(&got[0], &cfg.client_secret);
    assert!(bc.emu.snapshot("inst1").unwrap()["hooks"].as_array().unwrap().is_empty());
    let r = bc
        .http
        .get(format!("{}/stores/inst1/v3/hooks", bc.emu.base_url()))
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the app's token is revoked");
}
