//! The HTTP client against the POS emulator over real HTTP: every call, paging, token refresh on
//! 401 (once, even when many requests see the 401 together), 5xx and 429 bursts, and creates
//! that time out after they were applied, which must leave exactly one record.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use emu_pos::{Config, Emulator};
use posbridge_connector_core::{Budget, ConnectorError, RetryPolicy};
use posbridge_connector_pos::wire::{PosCustomerInput, PosNamedInput, PosProductInput, PosSaleInput, PosSaleLineInput};
use posbridge_connector_pos::{Client, ClientConfig, ProductRead, Tokens, product_from_pos, product_to_pos};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(10),
        bare_429_wait: Duration::from_millis(30),
        timeout: Duration::from_millis(300),
    }
}

struct Rig {
    emu: Emulator,
    client: Client,
    /// Every token pair the client handed out after a refresh.
    refreshed: Arc<Mutex<Vec<Tokens>>>,
}

fn client_for(emu: &Emulator, page_size: usize) -> (Client, Arc<Mutex<Vec<Tokens>>>) {
    let pair = emu.issue_token();
    let tokens = Tokens {
        access_token: SecretString::from(pair.access_token),
        refresh_token: SecretString::from(pair.refresh_token),
        expires_at: None,
    };
    let refreshed = Arc::new(Mutex::new(Vec::new()));
    let sink = refreshed.clone();
    let mut cfg = ClientConfig::new(emu.base_url(), "posbridge", SecretString::from("posbridge-secret"), tokens);
    cfg.budget = Budget::unlimited();
    cfg.policy = policy();
    cfg.page_size = page_size;
    cfg.on_tokens = Some(Arc::new(move |t: &Tokens| sink.lock().unwrap().push(t.clone())));
    (Client::new(cfg), refreshed)
}

async fn rig(page_size: usize) -> Rig {
    let emu = emu_pos::start(Config::default(), 0).await.unwrap();
    let (client, refreshed) = client_for(&emu, page_size);
    Rig { emu, client, refreshed }
}

impl Rig {
    async fn fault(&self, fault: Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/_emulator/faults", self.emu.base_url()))
            .json(&json!([fault]))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    /// `GET /_emulator/requests`: counts per `METHOD /route`.
    async fn count(&self, route: &str) -> u64 {
        let v: Value =
            reqwest::get(format!("{}/_emulator/requests", self.emu.base_url())).await.unwrap().json().await.unwrap();
        v[route].as_u64().unwrap_or(0)
    }

    async fn reset_counts(&self) {
        reqwest::Client::new().post(format!("{}/_emulator/requests/reset", self.emu.base_url())).send().await.unwrap();
    }

    fn products_with_sku(&self, sku: &str) -> usize {
        self.emu.state()["products"].as_array().unwrap().iter().filter(|p| p["sku"] == sku).count()
    }
}

fn product(sku: &str) -> PosProductInput {
    PosProductInput {
        name: Some(format!("Product {sku}")),
        sku: Some(sku.into()),
        price: Some("12.50".into()),
        track_inventory: Some(true),
        ..Default::default()
    }
}

fn customer(email: &str) -> PosCustomerInput {
    PosCustomerInput {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: Some(email.into()),
        ..Default::default()
    }
}

const CREATE: &str = "POST /api/v1/products/create";

#[tokio::test]
async fn reference_lists_and_registers() {
    let r = rig(1000).await;
    r.emu.seed(json!({"outlets": [{"name": "Warehouse"}], "brands": [{"name": "Acme"}]})).unwrap();
    let c = &r.client;
    assert!(c.store().await.unwrap().tax_inclusive);
    let outlets = c.outlets().await.unwrap();
    assert_eq!(outlets.len(), 2);
    assert!(!c.taxes().await.unwrap().is_empty());
    assert!(c.payment_types().await.unwrap().iter().any(|p| p.name == "Cash"));
    assert_eq!(c.named("brands").await.unwrap()[0].name, "Acme");
    let t = c.upsert_named("product_types", &PosNamedInput { id: None, name: "Mugs".into() }).await.unwrap();
    assert!(c.named("product_types").await.unwrap().contains(&t));

    let reg = c.registers().await.unwrap().remove(0);
    assert_eq!(c.open_register(reg.id).await.unwrap().status, "open");
    assert_eq!(c.open_register(reg.id).await.unwrap().status, "open", "opening twice is harmless");
    assert_eq!(c.close_register(reg.id).await.unwrap().status, "closed");
    let closures = c.register_closures("2000-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z").await.unwrap();
    assert_eq!(closures.len(), 1);
    assert_eq!(closures[0]["register_id"], reg.id);
}

#[tokio::test]
async fn paging_walks_every_page_to_the_end() {
    let r = rig(2).await;
    for i in 0..5 {
        r.emu.seed_product(json!({"name": format!("P{i}"), "sku": format!("SKU-{i}")})).unwrap();
    }
    let all = r.client.products().await.unwrap();
    let skus: Vec<_> = all.iter().map(|p| p.sku.clone().unwrap()).collect();
    assert_eq!(skus, ["SKU-0", "SKU-1", "SKU-2", "SKU-3", "SKU-4"]);
    assert_eq!(r.count("GET /api/v1/products/get_all").await, 3, "pages of 2, 2 and 1");
    // An exact multiple of the page size ends too.
    r.emu.seed_product(json!({"name": "P5", "sku": "SKU-5"})).unwrap();
    assert_eq!(r.client.products().await.unwrap().len(), 6);
    assert_eq!(r.client.products_matching("SKU-3").await.unwrap().len(), 1);
}

#[tokio::test]
async fn products_create_read_update_delete() {
    let r = rig(1000).await;
    let c = &r.client;
    let p = c.create_product_settled(&product("MUG-1")).await.unwrap();
    assert_eq!(c.product(p.id).await.unwrap(), p);
    assert_eq!(c.product_by_sku("mug-1").await.unwrap().map(|x| x.id), Some(p.id));
    assert_eq!(c.product_by_sku("NOPE").await.unwrap(), None);
    let up = c
        .upsert_product(&PosProductInput { id: Some(p.id), name: Some("Big mug".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((up.id, up.name.as_str(), up.price.as_str()), (p.id, "Big mug", "12.50"));
    // The POS refuses a duplicate SKU; the client keeps its code.
    let dup = c.upsert_product(&product("MUG-1")).await.unwrap_err();
    assert!(
        matches!(&dup, ConnectorError::Rejected { status: 409, code: Some(code), .. } if code == "duplicate_sku"),
        "{dup:?}"
    );
    c.delete_product(p.id).await.unwrap();
    assert_eq!(c.product(p.id).await.unwrap_err(), ConnectorError::NotFound);
}

#[tokio::test]
async fn customers_create_find_update() {
    let r = rig(1000).await;
    let c = &r.client;
    let a = c.create_customer_settled(&customer("ada@example.com")).await.unwrap();
    assert_eq!(c.customer(a.id).await.unwrap(), a);
    assert_eq!(c.customer_by_email("ADA@example.com").await.unwrap().map(|x| x.id), Some(a.id));
    assert_eq!(c.customer_by_email("ada@example.co").await.unwrap(), None, "exact match, not a substring");
    let up = c
        .upsert_customer(&PosCustomerInput { id: Some(a.id), last_name: "King".into(), ..customer("ada@example.com") })
        .await
        .unwrap();
    assert_eq!(up.last_name, "King");
    assert_eq!(c.customers().await.unwrap().len(), 1);
}

fn sale(product_id: i64, reference: &str) -> PosSaleInput {
    PosSaleInput {
        outlet_id: Some(1),
        register_id: Some(1),
        status: Some("parked".into()),
        external_reference: Some(reference.into()),
        lines: Some(vec![PosSaleLineInput { product_id, quantity: "2".into(), ..Default::default() }]),
        ..Default::default()
    }
}

#[tokio::test]
async fn sales_are_idempotent_by_reference_listed_by_range_and_change_status() {
    let r = rig(1000).await;
    let c = &r.client;
    let pid = c.create_product_settled(&product("S-1")).await.unwrap().id;
    let s1 = c.create_sale(&sale(pid, "bigcommerce:100")).await.unwrap();
    let s2 = c.create_sale(&sale(pid, "bigcommerce:100")).await.unwrap();
    assert_eq!(s1.id, s2.id, "the external reference makes the create idempotent");
    assert_eq!(s1.status, "parked");
    let listed = c.sales_between("2000-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z").await.unwrap();
    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), [s1.id]);
    assert!(c.sales_between("2001-01-01T00:00:00.000Z", "2001-01-02T00:00:00.000Z").await.unwrap().is_empty());
    let voided = c.update_sale_status(s1.id, "voided").await.unwrap();
    assert_eq!(voided.status, "voided");
    assert_eq!(c.sale(s1.id).await.unwrap().status, "voided");
}

#[tokio::test]
async fn a_sale_create_that_times_out_is_repeated_and_still_lands_once() {
    let r = rig(1000).await;
    let pid = r.client.create_product_settled(&product("S-2")).await.unwrap().id;
    r.fault(
        json!({"method": "POST", "path_contains": "sales/create", "kind": {"type": "delay_after_apply", "ms": 800}}),
    )
    .await;
    let s = r.client.create_sale(&sale(pid, "woocommerce:7")).await.unwrap();
    assert_eq!(s.external_reference.as_deref(), Some("woocommerce:7"));
    assert_eq!(r.emu.state()["sales"].as_array().unwrap().len(), 1);
    assert_eq!(r.count("POST /api/v1/sales/create").await, 2, "the timed-out create, then the replay");
}

#[tokio::test]
async fn inventory_documents_set_add_and_move_stock() {
    let r = rig(1000).await;
    r.emu.seed(json!({"outlets": [{"name": "Warehouse"}]})).unwrap();
    let c = &r.client;
    let pid = c.create_product_settled(&product("INV-1")).await.unwrap().id;
    c.set_stock(1, &[(pid, None, "7".into())], "count").await.unwrap();
    assert_eq!(r.emu.stock(pid, None, 1), "7.000");
    let po = c
        .create_purchase_order(json!({"outlet_id": 1, "lines": [{"product_id": pid, "quantity": "3", "cost": "1.00"}]}))
        .await
        .unwrap();
    assert_eq!(r.emu.stock(pid, None, 1), "7.000", "ordered, not yet received");
    c.receive_purchase_order(po["id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(r.emu.stock(pid, None, 1), "10.000");
    c.create_transfer(
        json!({"source_outlet_id": 1, "destination_outlet_id": 2, "lines": [{"product_id": pid, "quantity": "4"}]}),
    )
    .await
    .unwrap();
    assert_eq!((r.emu.stock(pid, None, 1), r.emu.stock(pid, None, 2)), ("6.000".into(), "4.000".into()));
    assert_eq!(c.purchase_orders().await.unwrap().len(), 1);
    assert_eq!(c.stocktakes().await.unwrap().len(), 1);
    assert_eq!(c.transfers().await.unwrap().len(), 1);
}

#[tokio::test]
async fn events_are_polled_by_cursor_and_webhooks_are_replaced_not_doubled() {
    let r = rig(2).await;
    let c = &r.client;
    for i in 0..3 {
        c.create_product_settled(&product(&format!("EV-{i}"))).await.unwrap();
    }
    let (events, cursor) = c.events_since(0).await.unwrap();
    let created: Vec<_> =
        events.iter().filter(|e| e.kind == "product.created").map(|e| e.data["sku"].clone()).collect();
    assert_eq!(created, ["EV-0", "EV-1", "EV-2"]);
    assert_eq!(cursor, events.last().unwrap().id);
    assert!(c.events_since(cursor).await.unwrap().0.is_empty());

    let url = "https://hooks.example.com/pos/1";
    let w1 = c.subscribe_webhook(url, &["product.*"]).await.unwrap();
    assert!(w1.secret.is_some());
    let w2 = c.subscribe_webhook(url, &["*"]).await.unwrap();
    let subs = c.webhooks().await.unwrap();
    assert_eq!(subs.iter().map(|w| w.id).collect::<Vec<_>>(), [w2.id], "the second replaced the first");
    assert_eq!(subs[0].events, ["*"]);
    c.delete_webhook(w2.id).await.unwrap();
    assert!(c.webhooks().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_webhook_subscription_whose_answer_is_lost_is_replaced_once() {
    let r = rig(1000).await;
    r.fault(json!({"method": "POST", "path_contains": "/webhooks", "kind": {"type": "delay_after_apply", "ms": 800}}))
        .await;
    let w = r.client.subscribe_webhook("https://hooks.example.com/x", &["*"]).await.unwrap();
    assert!(w.secret.is_some(), "we hold the secret of the subscription that exists");
    assert_eq!(r.client.webhooks().await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(), [w.id]);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_for_many_concurrent_requests() {
    let r = rig(1000).await;
    let old = r.client.tokens();
    r.emu.expire_tokens();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = r.client.clone();
            tokio::spawn(async move { c.outlets().await })
        })
        .collect();
    for h in calls {
        assert_eq!(h.await.unwrap().unwrap().len(), 1);
    }
    assert_eq!(r.count("POST /oauth/token").await, 1, "the single-use refresh token was spent once");
    let seen = r.refreshed.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the caller got the new pair to re-seal");
    let new = r.client.tokens();
    assert_eq!(seen[0].refresh_token.expose_secret(), new.refresh_token.expose_secret());
    assert_ne!(new.access_token.expose_secret(), old.access_token.expose_secret());
    assert_ne!(new.refresh_token.expose_secret(), old.refresh_token.expose_secret());
    assert!(new.expires_at.is_some());
    // A second expiry is refreshed with the rotated refresh token.
    r.emu.expire_tokens();
    r.client.create_product_settled(&product("AFTER-REFRESH")).await.unwrap();
    assert_eq!(r.refreshed.lock().unwrap().len(), 2);
    assert_eq!(r.products_with_sku("AFTER-REFRESH"), 1, "the refused create was sent again, once");
}

#[tokio::test]
async fn a_spent_refresh_token_means_reconnect() {
    let r = rig(1000).await;
    // Another client of the same store spends the refresh token first.
    let other = r.client.clone();
    r.emu.expire_tokens();
    other.outlets().await.unwrap();
    // A client still holding that pair, as if its tokens were sealed before the next rotation.
    let mut cfg =
        ClientConfig::new(r.emu.base_url(), "posbridge", SecretString::from("posbridge-secret"), r.client.tokens());
    cfg.policy = policy();
    let stale = Client::new(cfg);
    // It holds a live access token, so it works until that expires...
    stale.outlets().await.unwrap();
    r.emu.expire_tokens();
    other.outlets().await.unwrap(); // rotates again: `stale`'s refresh token is now spent
    assert_eq!(stale.outlets().await.unwrap_err(), ConnectorError::Unauthorized);
}

#[tokio::test]
async fn a_5xx_burst_ends_in_success() {
    let r = rig(1000).await;
    r.fault(json!({"method": "GET", "count": 3, "kind": {"type": "respond", "status": 503}})).await;
    assert_eq!(r.client.outlets().await.unwrap().len(), 1);
    assert_eq!(r.count("GET /api/v1/outlets/get_all").await, 4);
    // A 502 on a create is an unknown outcome: read back by SKU (not there), then create again.
    r.fault(json!({"method": "POST", "count": 1, "kind": {"type": "respond", "status": 502}})).await;
    let p = r.client.create_product_settled(&product("X-5XX")).await.unwrap();
    assert_eq!(p.sku.as_deref(), Some("X-5XX"));
    assert_eq!(r.products_with_sku("X-5XX"), 1);
    assert_eq!(r.count(CREATE).await, 2);
    assert_eq!(r.count("GET /api/v1/products/by_sku").await, 1);
}

#[tokio::test]
async fn a_429_burst_with_and_without_retry_after_ends_in_success() {
    let r = rig(1000).await;
    let headers = json!({"Retry-After": "0"});
    r.fault(json!({"method": "GET", "count": 3, "kind": {"type": "respond", "status": 429, "headers": headers}})).await;
    assert_eq!(r.client.taxes().await.unwrap().len(), 2);
    assert_eq!(r.count("GET /api/v1/taxes/get_all").await, 4);

    r.reset_counts().await;
    r.fault(json!({"method": "POST", "count": 2, "kind": {"type": "respond", "status": 429}})).await;
    let t0 = std::time::Instant::now();
    r.client.create_product_settled(&product("X-429")).await.unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(60), "two bare 429s waited out: {:?}", t0.elapsed());
    assert_eq!(r.count(CREATE).await, 3, "a throttled create was not applied, so it is simply retried");
    assert_eq!(r.count("GET /api/v1/products/by_sku").await, 0);
    assert_eq!(r.products_with_sku("X-429"), 1);

    // A burst longer than the retries allowed surfaces as RateLimited.
    r.fault(json!({"method": "GET", "count": 10, "kind": {"type": "respond", "status": 429, "headers": headers}}))
        .await;
    assert!(matches!(r.client.taxes().await.unwrap_err(), ConnectorError::RateLimited { .. }));
}

#[tokio::test]
async fn a_create_that_times_out_after_landing_leaves_exactly_one_record() {
    let r = rig(1000).await;
    r.fault(
        json!({"method": "POST", "path_contains": "products/create", "kind": {"type": "delay_after_apply", "ms": 800}}),
    )
    .await;
    let p = r.client.create_product_settled(&product("X-TIMEOUT")).await.unwrap();
    assert_eq!(r.products_with_sku("X-TIMEOUT"), 1);
    assert_eq!(r.count(CREATE).await, 1, "read back, never sent twice");
    assert_eq!(p, r.client.product_by_sku("X-TIMEOUT").await.unwrap().unwrap());

    // Customers settle by email the same way.
    r.fault(json!({"method": "POST", "path_contains": "customers/create", "kind": {"type": "delay_after_apply", "ms": 800}}))
        .await;
    let c = r.client.create_customer_settled(&customer("late@example.com")).await.unwrap();
    assert_eq!(c.email.as_deref(), Some("late@example.com"));
    assert_eq!(r.emu.state()["customers"].as_array().unwrap().len(), 1);
    assert_eq!(r.count("POST /api/v1/customers/create").await, 1);

    // The plain create reports the uncertainty instead of guessing.
    r.fault(
        json!({"method": "POST", "path_contains": "products/create", "kind": {"type": "delay_after_apply", "ms": 800}}),
    )
    .await;
    let e = r.client.upsert_product(&product("X-RAW")).await.unwrap_err();
    assert!(matches!(e, ConnectorError::UnknownOutcome { .. }), "{e:?}");
}

#[tokio::test]
async fn the_mappings_product_body_is_accepted_by_a_create() {
    let pos = super::Pos::start(true).await;
    let (client, _) = client_for(&pos.emu, 1000);
    let original = super::mug();
    let body = product_to_pos(&original, None, &pos.ctx()).unwrap();
    let created = client.create_product_settled(&body).await.unwrap();
    let back = product_from_pos(&created, ProductRead::Update, &pos.ctx()).unwrap();
    let mut want = original;
    want.id = back.id.clone();
    assert_eq!(back, want);
}
