//! Webhook intake over the embedded ports: verify on the raw bytes, enqueue once, refuse the rest.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use posbridge_domain::embedded::{LocalVault, MemoryQueue, MemoryStore, QueueConfig};
use posbridge_domain::model::*;
use posbridge_domain::ports::*;
use posbridge_webhook::{AppSecrets, Webhooks};
use secrecy::SecretString;
use sha2::Sha256;

const BC_SECRET: &str = "bc-app-secret";
const ECWID_SECRET: &str = "ecwid-app-secret";

struct Fx {
    hooks: Webhooks,
    stores: Stores,
    queue: Arc<MemoryQueue>,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn fx() -> Fx {
    let stores = MemoryStore::new().stores();
    let queue = Arc::new(MemoryQueue::new(QueueConfig::default()));
    let vault = Arc::new(LocalVault::random());
    for (id, platform, store, secret) in [
        ("int-bc", Platform::BigCommerce, "abc123", None),
        ("int-ec", Platform::Ecwid, "1003", None),
        ("int-wc", Platform::WooCommerce, "shop.example", Some("wc-hook-secret")),
    ] {
        let creds = Credentials { webhook_secret: secret.map(SecretString::from), ..Default::default() };
        stores
            .integrations
            .create(&Integration {
                id: IntegrationId::parse(id).unwrap(),
                merchant_id: MerchantId::parse("m").unwrap(),
                platform,
                store_ref: store.into(),
                state: IntegrationState::Live,
                settings: serde_json::json!({}),
                credentials: vault.seal(id, &creds).await.unwrap(),
                version: 0,
                created_at: 0,
                updated_at: 0,
            })
            .await
            .unwrap();
    }
    let q: Arc<dyn JobQueue> = queue.clone();
    let secrets = AppSecrets {
        bigcommerce_client_secret: Some(SecretString::from(BC_SECRET)),
        ecwid_client_secret: Some(SecretString::from(ECWID_SECRET)),
    };
    Fx { hooks: Webhooks::new(stores.clone(), q, vault, secrets), stores, queue }
}

fn hmac_b64(key: &str, msg: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    m.update(msg);
    B64.encode(m.finalize().into_bytes())
}

fn bc_request(body: &str, id: &str, ts: i64, key: &str) -> posbridge_edge::Request {
    let sig = hmac_b64(key, format!("{id}.{ts}.{body}").as_bytes());
    http::Request::builder()
        .method("POST")
        .uri("/webhooks/bigcommerce")
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", format!("v1,{sig}"))
        .body(body.as_bytes().to_vec())
        .unwrap()
}

const BC_PRODUCT: &str = r#"{"scope":"store/product/updated","store_id":"1025646","data":{"type":"product","id":42},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/abc123"}"#;

async fn body(r: posbridge_edge::Response) -> serde_json::Value {
    serde_json::from_slice(r.body()).unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn a_signed_bigcommerce_event_is_enqueued_once_however_often_it_arrives() {
    let f = fx().await;
    for n in 0..10 {
        // Each retry is a new delivery (new webhook-id and timestamp) of the same event (same hash).
        let r = f.hooks.handle(bc_request(BC_PRODUCT, &format!("msg_{n}"), now(), BC_SECRET)).await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(f.queue.depth(), 1, "ten deliveries, one job");
    let got = f.queue.receive(10, 10).await.unwrap();
    assert_eq!(got[0].job.entity, EntityKind::Product);
    assert_eq!(got[0].job.record_id, "42");
    assert_eq!(got[0].job.integration_id.as_str(), "int-bc");
    assert_eq!(got[0].job.source, Side::Platform);
}

#[tokio::test]
async fn bad_signatures_get_401_and_enqueue_nothing() {
    let f = fx().await;
    let cases = vec![
        ("wrong key", bc_request(BC_PRODUCT, "m1", now(), "not-the-secret"), "invalid_signature"),
        ("expired", bc_request(BC_PRODUCT, "m2", now() - 3600, BC_SECRET), "stale_signature"),
        (
            "tampered body",
            {
                let mut r = bc_request(BC_PRODUCT, "m3", now(), BC_SECRET);
                *r.body_mut() = BC_PRODUCT.replace("42", "43").into_bytes();
                r
            },
            "invalid_signature",
        ),
        (
            "missing",
            http::Request::builder()
                .method("POST")
                .uri("/webhooks/bigcommerce")
                .body(BC_PRODUCT.as_bytes().to_vec())
                .unwrap(),
            "missing_signature",
        ),
        (
            "malformed",
            {
                let mut r = bc_request(BC_PRODUCT, "m4", now(), BC_SECRET);
                r.headers_mut().insert("webhook-signature", "v1,!!!".parse().unwrap());
                r
            },
            "invalid_signature",
        ),
    ];
    for (what, req, code) in cases {
        let r = f.hooks.handle(req).await;
        assert_eq!(r.status(), 401, "{what}");
        assert_eq!(body(r).await["code"], code, "{what}");
    }
    assert_eq!(f.queue.depth(), 0, "nothing refused was enqueued");
}

#[tokio::test]
async fn ecwid_events_are_verified_on_their_identity() {
    let f = fx().await;
    let b = r#"{"eventId":"80aece08","eventCreated":1234567,"storeId":1003,"entityId":103,"eventType":"order.updated","data":{"newPaymentStatus":"PAID"}}"#;
    let good = hmac_b64(ECWID_SECRET, b"1234567.80aece08");
    let req = |sig: &str| {
        http::Request::builder()
            .method("POST")
            .uri("/webhooks/ecwid?eventtype=order.updated")
            .header("X-Ecwid-Webhook-Signature", sig)
            .body(b.as_bytes().to_vec())
            .unwrap()
    };
    assert_eq!(f.hooks.handle(req(&hmac_b64("nope", b"1234567.80aece08"))).await.status(), 401);
    assert_eq!(f.queue.depth(), 0);
    assert_eq!(f.hooks.handle(req(&good)).await.status(), 200);
    assert_eq!(f.hooks.handle(req(&good)).await.status(), 200, "a retried delivery is fine");
    assert_eq!(f.queue.depth(), 1);
}

#[tokio::test]
async fn woocommerce_uses_the_integrations_own_secret() {
    let f = fx().await;
    let b = r#"{"id":77,"status":"processing","line_items":[]}"#;
    let req = |path: &str, key: &str| {
        http::Request::builder()
            .method("POST")
            .uri(path)
            .header("X-WC-Webhook-Topic", "order.created")
            .header("X-WC-Webhook-Delivery-ID", "d-1")
            .header("X-WC-Webhook-Signature", hmac_b64(key, b.as_bytes()))
            .body(b.as_bytes().to_vec())
            .unwrap()
    };
    assert_eq!(f.hooks.handle(req("/webhooks/woocommerce/int-wc", "guess")).await.status(), 401);
    let unknown = f.hooks.handle(req("/webhooks/woocommerce/int-nope", "wc-hook-secret")).await;
    assert_eq!(unknown.status(), 401, "an unknown integration looks like a bad signature");
    let other = f.hooks.handle(req("/webhooks/woocommerce/int-bc", "wc-hook-secret")).await;
    assert_eq!(other.status(), 401, "another platform's integration cannot be addressed");
    assert_eq!(f.queue.depth(), 0);
    let ok = f.hooks.handle(req("/webhooks/woocommerce/int-wc", "wc-hook-secret")).await;
    assert_eq!(ok.status(), 200);
    let got = f.queue.receive(1, 10).await.unwrap();
    assert_eq!((got[0].job.entity, got[0].job.record_id.as_str()), (EntityKind::Order, "77"));
    // The creation ping has no signature and is answered without enqueueing.
    let ping = http::Request::builder()
        .method("POST")
        .uri("/webhooks/woocommerce/int-wc")
        .body(b"webhook_id=5".to_vec())
        .unwrap();
    assert_eq!(f.hooks.handle(ping).await.status(), 200);
}

#[tokio::test]
async fn events_for_unknown_stores_are_acknowledged_and_dropped_and_uninstall_disconnects() {
    let f = fx().await;
    let other = BC_PRODUCT.replace("stores/abc123", "stores/zzz999");
    let r = f.hooks.handle(bc_request(&other, "m1", now(), BC_SECRET)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["accepted"], 0);
    let uninstall = r#"{"scope":"store/app/uninstalled","store_id":"1","data":{},"hash":"u1","created_at":1,"producer":"stores/abc123"}"#;
    assert_eq!(f.hooks.handle(bc_request(uninstall, "m2", now(), BC_SECRET)).await.status(), 200);
    let i = f.stores.integrations.get(&IntegrationId::parse("int-bc").unwrap()).await.unwrap().unwrap();
    assert_eq!(i.state, IntegrationState::Disconnected);
    // A disconnected store's changes are not synced any more.
    f.hooks.handle(bc_request(BC_PRODUCT, "m3", now(), BC_SECRET)).await;
    assert_eq!(f.queue.depth(), 0);
}

#[tokio::test]
async fn bad_bodies_and_routes_get_clear_errors() {
    let f = fx().await;
    let r = f.hooks.handle(bc_request("not json", "m1", now(), BC_SECRET)).await;
    assert_eq!(r.status(), 400);
    assert_eq!(body(r).await["code"], "invalid_body");
    for (m, uri, status) in [
        ("POST", "/webhooks/shopify", 404),
        ("GET", "/webhooks/ecwid", 405),
        ("POST", "/webhooks/bigcommerce/int-bc", 404),
        ("POST", "/webhooks/woocommerce", 404),
    ] {
        let r = f.hooks.handle(http::Request::builder().method(m).uri(uri).body(Vec::new()).unwrap()).await;
        assert_eq!(r.status(), status, "{m} {uri}");
    }
}
