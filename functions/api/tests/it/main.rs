//! The management API over the embedded ports: routes, paging, errors and tenant isolation.

use std::sync::Arc;

use http::StatusCode;
use posbridge_api::Api;
use posbridge_domain::embedded::{MemoryQueue, MemoryStore, QueueConfig};
use posbridge_domain::model::*;
use posbridge_domain::ports::*;
use posbridge_domain::settings::*;

struct Fixture {
    api: Api,
    stores: Stores,
    queue: Arc<MemoryQueue>,
    choices: Arc<StaticChoices>,
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
    let choices = Arc::new(StaticChoices::default());
    let c: Arc<dyn ChoicesSource> = choices.clone();
    Fixture { api: Api::new(stores.clone(), q, c), stores, queue, choices }
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
        ("GET", "/api/integrations/int-b/settings", ""),
        ("PUT", "/api/integrations/int-b/settings", "{}"),
        ("GET", "/api/integrations/int-b/choices", ""),
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

fn pid(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}

/// An Ecwid store and a POS with two outlets (o1 with register r1, o2 with r2).
fn ecwid_choices() -> Choices {
    let pay = |i: &str, n: &str| PaymentType { id: i.into(), name: n.into() };
    let tax = |i: &str, r: u32| TaxChoice { id: i.into(), name: i.to_uppercase(), rate: Some(TaxRate(r)) };
    Choices {
        platform: Platform::Ecwid,
        outlets: vec![
            Outlet { id: pid("o1"), name: "Main".into() },
            Outlet { id: pid("o2"), name: "Warehouse".into() },
        ],
        registers: vec![
            Register { id: pid("r1"), outlet_id: pid("o1"), name: "Web".into(), open: true },
            Register { id: pid("r2"), outlet_id: pid("o2"), name: "Back".into(), open: true },
        ],
        pos_tax_rules: vec![tax("gst", 1000)],
        pos_default_tax_rule_id: Some("gst".into()),
        platform_tax_rules: vec![tax("vat", 1000)],
        pos_payment_types: vec![pay("cash", "Cash"), pay("card", "Card")],
        platform_payment_methods: vec![pay("cod", "Cash on Delivery")],
        pos_prices_include_tax: true,
        platform_prices_include_tax: Some(true),
    }
}

fn ecwid_settings() -> serde_json::Value {
    let s = Settings {
        invoice_outlet_id: Some(pid("o1")),
        payments: PaymentSettings {
            register_id: Some(pid("r1")),
            mapping: Some(PaymentMapping::PerMethod {
                methods: std::collections::BTreeMap::from([("cod".into(), "cash".into())]),
            }),
        },
        tax: TaxSettings { mapping: std::collections::BTreeMap::from([("gst".into(), "vat".into())]) },
        inventory: InventorySettings { outlet_ids: vec![pid("o1")] },
        platform_to_pos: PlatformToPos {
            update_inventory_on_order: true,
            send_full_orders: true,
            send_new_products: true,
            visible_in_all_outlets: Some(true),
        },
        pos_to_platform: PosToPlatform {
            update_inventory: true,
            send_new_products: true,
            send_full_orders: false,
            receive_payment_updates: None,
        },
        sku_policy: Some(SkuPolicy::AutoAssign),
        ..Settings::default()
    };
    serde_json::to_value(&s).unwrap()
}

#[tokio::test]
async fn settings_are_validated_against_live_choices_and_saved() {
    let f = fixture().await;
    let a = m("merchant-a");
    let i = IntegrationId::parse("int-a").unwrap();
    let put = |body: String, if_match: Option<&str>| {
        let mut b = http::Request::builder().method("PUT").uri("/api/integrations/int-a/settings");
        if let Some(v) = if_match {
            b = b.header("If-Match", v);
        }
        b.body(body.into_bytes()).unwrap()
    };
    // Without choices from the two sides nothing can be validated: 503, nothing saved.
    let r = f.api.handle(Some(&a), put(ecwid_settings().to_string(), None)).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body(&r)["code"], "choices_unavailable");

    f.choices.set(i.clone(), ecwid_choices());
    let c = f.api.handle(Some(&a), req("GET", "/api/integrations/int-a/choices", "")).await;
    assert_eq!(body(&c)["registers"][0]["outlet_id"], "o1");

    // Incomplete and inconsistent: every problem is named at once.
    let mut bad = ecwid_settings();
    bad["payments"]["register_id"] = "r2".into(); // a register of another outlet
    bad["inventory"]["outlet_ids"] = serde_json::json!([]);
    let r = f.api.handle(Some(&a), put(bad.to_string(), None)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = body(&r);
    assert_eq!(v["code"], "invalid_settings");
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"payments.register_id"), "{v}");
    assert!(fields.contains(&"inventory.outlet_ids"), "{v}");
    assert!(v["fields"].as_array().unwrap().iter().all(|f| f["message"].as_str().unwrap().len() > 10));
    let unchanged = f.stores.integrations.get(&i).await.unwrap().unwrap();
    assert_eq!(unchanged.version, 1, "a refused save stores nothing");

    // Junk is refused by the model itself.
    let mut junk = ecwid_settings();
    junk["surprise"] = true.into();
    let r = f.api.handle(Some(&a), put(junk.to_string(), None)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body(&r)["fields"][0]["code"], "invalid_json");

    // Valid: saved, version bumped; a stale If-Match is refused.
    let r = f.api.handle(Some(&a), put(ecwid_settings().to_string(), Some("1"))).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", String::from_utf8_lossy(r.body()));
    assert_eq!(body(&r)["version"], 2);
    let stale = f.api.handle(Some(&a), put(ecwid_settings().to_string(), Some("1"))).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let got = f.api.handle(Some(&a), req("GET", "/api/integrations/int-a/settings", "")).await;
    let g = body(&got);
    assert_eq!(g["version"], 2);
    assert_eq!(g["settings"]["payments"]["register_id"], "r1");
}
