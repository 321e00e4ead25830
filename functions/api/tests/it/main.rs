//! The management API over the embedded ports: routes, paging, errors and tenant isolation.

use std::sync::Arc;

use http::StatusCode;
use posbridge_api::Api;
use posbridge_domain::embedded::{MemoryQueue, MemoryStore, QueueConfig};
use posbridge_domain::model::*;
use posbridge_domain::ports::*;

struct Fixture {
    api: Api,
    stores: Stores,
    queue: Arc<MemoryQueue>,
}

async fn fixture() -> Fixture {
    let stores = MemoryStore::new().stores();
    let queue = Arc::new(MemoryQueue::new(QueueConfig::default()));
    for (id, m) in [("int-a", "merchant-a"), ("int-b", "merchant-b")] {
        stores
            .integrations
            .create(&Integration {
                id: IntegrationId::parse(id).unwrap(),
                merchant_id: MerchantId::parse(m).unwrap(),
                platform: Platform::Ecwid,
                store_ref: format!("store-{id}"),
                state: IntegrationState::Live,
                settings: serde_json::json!({"inventory_outlet": "o1"}),
                credentials: b"ciphertext-not-for-eyes".to_vec(),
                version: 0,
                created_at: 1,
                updated_at: 1,
            })
            .await
            .unwrap();
        for n in 0..3 {
            stores
                .errors
                .record(&ErrorEntry {
                    integration_id: IntegrationId::parse(id).unwrap(),
                    entry_id: format!("{id}-e{n}"),
                    entity: EntityKind::Order,
                    record_id: format!("o{n}"),
                    code: "customer_not_synced".into(),
                    message: "The customer is not synced yet".into(),
                    advice: "Sync the customer first".into(),
                    at: 100 + n,
                    resolved: false,
                })
                .await
                .unwrap();
        }
    }
    let q: Arc<dyn JobQueue> = queue.clone();
    Fixture { api: Api::new(stores.clone(), q), stores, queue }
}

fn req(method: &str, uri: &str, body: &str) -> posbridge_edge::Request {
    http::Request::builder().method(method).uri(uri).body(body.as_bytes().to_vec()).unwrap()
}

fn m(s: &str) -> MerchantId {
    MerchantId::parse(s).unwrap()
}

fn body(r: &posbridge_edge::Response) -> serde_json::Value {
    serde_json::from_slice(r.body()).unwrap()
}

#[tokio::test]
async fn health_needs_no_token_and_everything_else_does() {
    let f = fixture().await;
    assert_eq!(f.api.handle(None, req("GET", "/api/health", "")).await.status(), StatusCode::OK);
    let r = f.api.handle(None, req("GET", "/api/integrations", "")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body(&r)["code"], "unauthenticated");
}

#[tokio::test]
async fn a_merchant_sees_only_its_integrations_and_never_credentials() {
    let f = fixture().await;
    let r = f.api.handle(Some(&m("merchant-a")), req("GET", "/api/integrations", "")).await;
    let v = body(&r);
    let ids: Vec<&str> = v["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["int-a"]);
    let raw = String::from_utf8(r.body().clone()).unwrap();
    assert!(!raw.contains("credentials") && !raw.contains("Y2lwaGVy"), "credentials never leave the store: {raw}");
}

#[tokio::test]
async fn tenant_isolation_on_every_route() {
    let f = fixture().await;
    let a = m("merchant-a");
    let routes = [
        ("GET", "/api/integrations/int-b", ""),
        ("GET", "/api/integrations/int-b/errors", ""),
        ("GET", "/api/integrations/int-b/process-log", ""),
        ("GET", "/api/integrations/int-b/status/product", ""),
        ("GET", "/api/integrations/int-b/first-sync", ""),
        ("POST", "/api/integrations/int-b/sync-now", r#"{"entity":"product","record_id":"p1"}"#),
    ];
    for (method, uri, b) in routes {
        let r = f.api.handle(Some(&a), req(method, uri, b)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {uri} must not reach merchant B's data");
        let same = f.api.handle(Some(&a), req(method, &uri.replace("int-b", "int-zzz"), b)).await;
        assert_eq!(body(&r), body(&same), "someone else's id looks exactly like a missing one");
    }
    assert_eq!(f.queue.depth(), 0, "nothing was queued for merchant B");
}

#[tokio::test]
async fn the_error_log_pages_newest_first_with_filters() {
    let f = fixture().await;
    let a = m("merchant-a");
    let r = f.api.handle(Some(&a), req("GET", "/api/integrations/int-a/errors?entity=order&limit=2", "")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = body(&r);
    let ids: Vec<&str> = v["items"].as_array().unwrap().iter().map(|e| e["entry_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["int-a-e2", "int-a-e1"]);
    let cursor = v["next_cursor"].as_str().unwrap();
    let r2 = f
        .api
        .handle(Some(&a), req("GET", &format!("/api/integrations/int-a/errors?limit=2&cursor={cursor}"), ""))
        .await;
    let v2 = body(&r2);
    assert_eq!(v2["items"][0]["entry_id"], "int-a-e0");
    assert!(v2["next_cursor"].is_null());
    let none = f.api.handle(Some(&a), req("GET", "/api/integrations/int-a/errors?entity=customer", "")).await;
    assert_eq!(body(&none)["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_input_gets_a_clear_error() {
    let f = fixture().await;
    let a = m("merchant-a");
    for (uri, code) in [
        ("/api/integrations/int-a/errors?limit=0", "invalid_limit"),
        ("/api/integrations/int-a/errors?limit=abc", "invalid_limit"),
        ("/api/integrations/int-a/errors?entity=widget", "invalid_entity"),
        ("/api/integrations/int-a/status/widget", "invalid_entity"),
        ("/api/integrations/int-a/status/product?state=blue", "invalid_state"),
    ] {
        let r = f.api.handle(Some(&a), req("GET", uri, "")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{uri}");
        let v = body(&r);
        assert_eq!(v["code"], code, "{uri}");
        assert!(v["message"].as_str().unwrap().len() > 10, "a sentence a person can act on");
    }
    let r = f.api.handle(Some(&a), req("POST", "/api/integrations/int-a/sync-now", "{")).await;
    assert_eq!(body(&r)["code"], "invalid_body");
    let r = f.api.handle(Some(&a), req("DELETE", "/api/integrations/int-a", "")).await;
    assert_eq!(body(&r)["code"], "no_route");
}

#[tokio::test]
async fn sync_now_queues_one_job_per_press() {
    let f = fixture().await;
    let a = m("merchant-a");
    for _ in 0..2 {
        let r = f
            .api
            .handle(
                Some(&a),
                req("POST", "/api/integrations/int-a/sync-now", r#"{"entity":"customer","record_id":"c-7"}"#),
            )
            .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let got = f.queue.receive(10, 100).await.unwrap();
    assert_eq!(got.len(), 2, "two presses, two syncs (in order, same record group)");
    assert_eq!(got[0].job.entity, EntityKind::Customer);
    assert_eq!(got[0].job.record_id, "c-7");
    assert_eq!(got[0].job.change, "sync_now");
    let _ = f.stores;
}

#[tokio::test]
async fn status_lists_failed_records_with_advice() {
    let f = fixture().await;
    let i = IntegrationId::parse("int-a").unwrap();
    for (rid, st) in [("p1", SyncState::Synced), ("p2", SyncState::Failed)] {
        f.stores
            .status
            .put(&SyncStatus {
                integration_id: i.clone(),
                entity: EntityKind::Product,
                record_id: rid.into(),
                state: st,
                connector: Platform::Ecwid,
                action: Some(SyncAction::Updated),
                error_advice: (st == SyncState::Failed).then(|| "Add a SKU".into()),
                last_sync: 5,
            })
            .await
            .unwrap();
    }
    let r = f
        .api
        .handle(Some(&m("merchant-a")), req("GET", "/api/integrations/int-a/status/product?state=failed", ""))
        .await;
    let v = body(&r);
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["record_id"], "p2");
    assert_eq!(v["items"][0]["connector"], "ecwid");
    assert_eq!(v["items"][0]["error_advice"], "Add a SKU");
}
