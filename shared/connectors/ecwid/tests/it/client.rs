//! Contract tests of the HTTP client against the Ecwid emulator over real HTTP: every call, paging
//! to the end, batch splitting, 5xx and 429 bursts, the emulator's own rate limit, and creates
//! whose answer is lost (the emulator applies the write, then holds the response past the
//! client's timeout) that must leave exactly one record.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use posbridge_connector_core::{Budget, BudgetConfig, ConnectorError, RetryPolicy};
use posbridge_connector_ecwid::client::{BatchRequest, MAX_BATCH};
use posbridge_connector_ecwid::{Client, ClientConfig, Created, EcwidContext, product_from_ecwid, product_to_ecwid};
use posbridge_domain::model::{
    MappingOptions, Money, OutletStock, PosId, Prices, Product, ProductKind, Quantity, Sku, TaxRate, Variant,
};
use serde_json::{Value, json};

const STORE: u64 = 1003;
const SCOPES: &[&str] = &[
    "read_catalog",
    "update_catalog",
    "create_catalog",
    "read_orders",
    "update_orders",
    "create_orders",
    "read_customers",
    "update_customers",
    "create_customers",
];

struct Env {
    emu: emu_ecwid::Emulator,
    client: Client,
    ctl: reqwest::Client,
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        bare_429_wait: Duration::from_millis(50),
        timeout: Duration::from_millis(300),
    }
}

async fn env_with(budget: Budget) -> Env {
    env_with_policy(budget, fast_policy()).await
}

async fn env_with_policy(budget: Budget, retry: RetryPolicy) -> Env {
    let emu = emu_ecwid::start(emu_ecwid::Config::default(), 0).await.unwrap();
    let token = emu.issue_token(STORE, SCOPES);
    let mut cfg = ClientConfig::new(emu.base_url(), STORE, token.access_token);
    cfg.budget = budget;
    cfg.retry = retry;
    cfg.batch_poll = Duration::from_millis(5);
    Env { client: Client::new(cfg), emu, ctl: reqwest::Client::new() }
}

async fn env() -> Env {
    env_with(Budget::unlimited()).await
}

impl Env {
    /// Queues one fault (`/_emulator/faults`).
    async fn fault(&self, method: &str, path_contains: &str, count: u32, kind: Value) {
        let f = json!([{ "method": method, "path_contains": path_contains, "count": count, "kind": kind }]);
        let r = self.ctl.post(format!("{}/_emulator/faults", self.emu.base_url())).json(&f).send().await.unwrap();
        assert!(r.status().is_success(), "fault refused: {}", r.status());
    }
    async fn counts(&self) -> BTreeMap<String, u64> {
        let r = self.ctl.get(format!("{}/_emulator/requests", self.emu.base_url())).send().await.unwrap();
        r.json().await.unwrap()
    }
    async fn count(&self, key: &str) -> u64 {
        self.counts().await.get(key).copied().unwrap_or(0)
    }
    async fn reset_counts(&self) {
        self.ctl.post(format!("{}/_emulator/requests/reset", self.emu.base_url())).send().await.unwrap();
    }
}

const PRODUCTS: &str = "/api/v3/{store_id}/products";

fn respond(status: u16, headers: Value) -> Value {
    json!({ "type": "respond", "status": status, "headers": headers, "body": "" })
}

fn lost_answer() -> Value {
    json!({ "type": "delay_after_apply", "ms": 800 })
}

#[tokio::test]
async fn products_variations_and_stock_round_trip_through_every_call() {
    let e = env().await;
    let c = &e.client;
    let pid = c.create_product(&json!({ "name": "Tee", "sku": "TEE", "price": 20, "quantity": 5 })).await.unwrap();
    let p = c.get_product(pid).await.unwrap();
    assert_eq!((p["sku"].as_str(), p["quantity"].as_i64()), (Some("TEE"), Some(5)));
    assert_eq!(c.update_product(pid, &json!({ "name": "Tee shirt" })).await.unwrap(), 1);
    assert_eq!(c.get_product(pid).await.unwrap()["name"], "Tee shirt");

    let small = json!({ "options": [{ "name": "Size", "value": "S" }], "sku": "TEE-S", "quantity": 3 });
    let cid = c.create_combination(pid, &small).await.unwrap();
    let large = json!({ "options": [{ "name": "Size", "value": "L" }], "sku": "TEE-L", "quantity": 1 });
    let lid = c.create_combination(pid, &large).await.unwrap();
    assert_eq!(c.list_combinations(pid).await.unwrap().len(), 2);
    assert_eq!(c.get_combination(pid, cid).await.unwrap()["sku"], "TEE-S");
    c.update_combination(pid, cid, &json!({ "price": 22 })).await.unwrap();
    assert_eq!(c.get_combination(pid, cid).await.unwrap()["price"].as_f64(), Some(22.0));
    // A variation's SKU finds its product.
    let by_sku = c.find_products_by_sku("TEE-L").await.unwrap();
    assert_eq!(by_sku.iter().map(|p| p["id"].as_u64().unwrap()).collect::<Vec<_>>(), vec![pid]);

    // Stock: absolute, then deltas; a delta below zero comes back with Ecwid's warning.
    c.set_product_stock(pid, 10).await.unwrap();
    let u = c.adjust_product_stock(pid, -4).await.unwrap();
    assert_eq!((u.update_count, u.warning.is_none()), (1, true));
    assert_eq!(c.get_product(pid).await.unwrap()["quantity"], 6);
    c.set_combination_stock(pid, cid, 7).await.unwrap();
    c.adjust_combination_stock(pid, cid, 2).await.unwrap();
    assert_eq!(c.get_combination(pid, cid).await.unwrap()["quantity"], 9);
    let w = c.adjust_combination_stock(pid, lid, -3).await.unwrap();
    assert!(w.warning.is_some(), "{w:?}");

    // A duplicate SKU is refused with Ecwid's code, not retried.
    let dup = c.create_product(&json!({ "name": "Other", "sku": "TEE" })).await.unwrap_err();
    assert!(
        matches!(&dup, ConnectorError::Rejected { status: 409, code: Some(code), .. } if code == "SKU_ALREADY_EXISTS"),
        "{dup:?}"
    );

    assert_eq!(c.delete_combination(pid, lid).await.unwrap(), 1);
    assert_eq!(c.delete_product(pid).await.unwrap(), 1);
    assert_eq!(c.get_product(pid).await.unwrap_err(), ConnectorError::NotFound);
}

#[tokio::test]
async fn categories_customers_groups_and_orders_through_every_call() {
    let e = env().await;
    let c = &e.client;
    let root = c.create_category(&json!({ "name": "Clothes" })).await.unwrap();
    let sub = c.create_category(&json!({ "name": "Tees", "parentId": root })).await.unwrap();
    c.update_category(sub, &json!({ "enabled": false })).await.unwrap();
    assert_eq!(c.get_category(sub).await.unwrap()["parentId"], root);
    assert_eq!(c.list_categories(&[]).await.unwrap().len(), 2, "hidden categories are listed too");
    assert_eq!(c.delete_category(sub).await.unwrap(), 1);

    let gid = c.create_customer_group(&json!({ "name": "VIP" })).await.unwrap();
    c.update_customer_group(gid, &json!({ "name": "VIPs" })).await.unwrap();
    assert_eq!(c.get_customer_group(gid).await.unwrap()["name"], "VIPs");
    assert!(c.list_customer_groups().await.unwrap().iter().any(|g| g["id"] == gid));

    let cust = c
        .create_customer(
            &json!({ "email": "lvb@example.com", "customerGroupId": gid, "billingPerson": { "name": "Ludwig" } }),
        )
        .await
        .unwrap();
    c.update_customer(cust, &json!({ "billingPerson": { "name": "Ludwig van Beethoven" } })).await.unwrap();
    assert_eq!(c.get_customer(cust).await.unwrap()["billingPerson"]["name"], "Ludwig van Beethoven");
    assert_eq!(c.find_customer_by_email("LVB@example.com").await.unwrap().unwrap()["id"], cust);
    assert_eq!(c.find_customer_by_email("nobody@example.com").await.unwrap(), None);
    assert_eq!(c.list_customers(&[("customerGroup", gid.to_string())]).await.unwrap().len(), 1);

    let order = json!({
        "email": "lvb@example.com", "customerId": cust, "externalOrderId": "sale-1",
        "items": [{ "sku": "X", "name": "x", "quantity": 1, "price": 10 }],
        "paymentStatus": "AWAITING_PAYMENT", "fulfillmentStatus": "AWAITING_PROCESSING",
    });
    let n = c.create_order(&order).await.unwrap();
    assert_eq!(c.update_order_status(&n.to_string(), Some("PAID"), Some("SHIPPED")).await.unwrap(), 1);
    let o = c.get_order(&n.to_string()).await.unwrap();
    assert_eq!((o["paymentStatus"].as_str(), o["fulfillmentStatus"].as_str()), (Some("PAID"), Some("SHIPPED")));
    // The alphanumeric id addresses the same order.
    let alnum = o["id"].as_str().unwrap().to_string();
    c.update_order(&alnum, &json!({ "orderComments": "Ring twice" })).await.unwrap();
    assert_eq!(c.get_order(&n.to_string()).await.unwrap()["orderComments"], "Ring twice");
    let paid = c.list_orders(&[("paymentStatus", "PAID".into())]).await.unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(c.delete_order(&n.to_string()).await.unwrap(), 1);
    assert!(c.list_orders(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn lists_walk_every_page_at_the_maximum_page_size() {
    let e = env().await;
    for i in 0..250 {
        e.emu.seed_product(STORE, json!({ "name": format!("P{i}"), "sku": format!("P-{i}") }));
    }
    for i in 0..205 {
        e.emu.seed_customer(STORE, json!({ "email": format!("c{i}@example.com") }));
    }
    e.reset_counts().await;
    let all = e.client.list_products(&[]).await.unwrap();
    assert_eq!(all.len(), 250);
    let skus: std::collections::BTreeSet<_> = all.iter().map(|p| p["sku"].as_str().unwrap().to_string()).collect();
    assert_eq!(skus.len(), 250, "no product twice, none missing");
    assert_eq!(e.count(&format!("GET {PRODUCTS}")).await, 3, "pages of 100, 100, 50");
    // Customers default to 10 a page on Ecwid; the client asks for 100.
    assert_eq!(e.client.list_customers(&[]).await.unwrap().len(), 205);
    assert_eq!(e.count("GET /api/v3/{store_id}/customers").await, 3);
    let page = e.client.products_page(&[], 200).await.unwrap();
    assert_eq!((page.total, page.count, page.offset, page.limit), (250, 50, 200, 100));
}

#[tokio::test]
async fn batch_writes_are_split_at_500_and_every_outcome_is_returned() {
    // 500 creates in one call take longer than the other tests' 300 ms timeout in a debug build.
    let e =
        env_with_policy(Budget::unlimited(), RetryPolicy { timeout: Duration::from_secs(10), ..fast_policy() }).await;
    e.emu.set_rate_limit(10_000, Duration::from_secs(60));
    let mut reqs: Vec<BatchRequest> = (0..MAX_BATCH + 1)
        .map(|i| {
            BatchRequest::post(
                format!("r{i}"),
                "/products",
                json!({ "name": format!("B{i}"), "sku": format!("B-{i}") }),
            )
        })
        .collect();
    // One refused record does not hold back the rest.
    reqs.push(BatchRequest::post("dup", "/products", json!({ "name": "Dup", "sku": "B-0" })));
    let out = e.client.batch(&reqs).await.unwrap();
    assert_eq!(out.len(), MAX_BATCH + 2);
    assert!(
        out[..=MAX_BATCH].iter().all(|o| o.ok() && o.http_body["id"].is_u64()),
        "{:?}",
        out.iter().find(|o| !o.ok())
    );
    assert_eq!((out[MAX_BATCH + 1].id.as_str(), out[MAX_BATCH + 1].http_code), ("dup", Some(409)));
    assert_eq!(e.count("POST /api/v3/{store_id}/batch").await, 2, "500 + 2");
    assert_eq!(e.client.list_products(&[]).await.unwrap().len(), MAX_BATCH + 1);
}

#[tokio::test]
async fn bursts_of_5xx_on_reads_and_updates_end_in_success() {
    let e = env().await;
    let pid = e.emu.seed_product(STORE, json!({ "name": "A", "sku": "A" }));
    e.fault("GET", "/products", 3, respond(503, json!({}))).await;
    assert_eq!(e.client.get_product(pid).await.unwrap()["sku"], "A");
    e.fault("PUT", "/products", 2, respond(500, json!({}))).await;
    e.fault("GET", "/products", 4, respond(502, json!({}))).await;
    e.client.update_product(pid, &json!({ "name": "B" })).await.unwrap();
    assert_eq!(e.client.list_products(&[]).await.unwrap()[0]["name"], "B");
    // A burst longer than the retry policy surfaces as a retryable outage.
    e.fault("GET", "/products", 10, respond(500, json!({}))).await;
    let err = e.client.get_product(pid).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn bursts_of_429_with_and_without_retry_after_end_in_success() {
    let e = env().await;
    let pid = e.emu.seed_product(STORE, json!({ "name": "A", "sku": "A" }));
    let t0 = Instant::now();
    e.fault("GET", "/products", 1, respond(429, json!({ "Retry-After": "1" }))).await;
    e.client.get_product(pid).await.unwrap();
    assert!(t0.elapsed() >= Duration::from_secs(1), "Retry-After was honoured: {:?}", t0.elapsed());

    let t0 = Instant::now();
    e.fault("GET", "/products", 3, respond(429, json!({}))).await;
    e.client.get_product(pid).await.unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(150), "a bare 429 backs off: {:?}", t0.elapsed());

    // A throttled create was not applied: it is sent again and lands once.
    e.fault("POST", "/products", 2, respond(429, json!({ "Retry-After": "0" }))).await;
    e.client.create_product(&json!({ "name": "New", "sku": "NEW" })).await.unwrap();
    assert_eq!(e.client.find_products_by_sku("NEW").await.unwrap().len(), 1);
}

#[tokio::test]
async fn bulk_reads_are_paced_to_the_budget_and_never_hit_the_platforms_limit() {
    // The emulator allows 5 requests a second per token; the client's budget says 5 per 1.2 s.
    let e = env_with(Budget::new(BudgetConfig { quota: 5, window: Duration::from_millis(1200) })).await;
    e.emu.set_rate_limit(5, Duration::from_secs(1));
    let pid = e.emu.seed_product(STORE, json!({ "name": "A", "sku": "A" }));
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let c = e.client.clone();
            tokio::spawn(async move { c.get_product(pid).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // Three windows: the 6th and 11th requests waited for a reset (the budget was made just
    // before `t0`, so a little less than 2 x 1.2 s).
    assert!(t0.elapsed() >= Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(e.count("GET /api/v3/{store_id}/products/{product_id}").await, 12, "no request was refused with 429");
}

#[tokio::test]
async fn a_lost_answer_to_a_create_is_reported_unknown_by_the_plain_call() {
    let e = env().await;
    e.fault("POST", "/products", 1, lost_answer()).await;
    let err = e.client.create_product(&json!({ "name": "A", "sku": "A" })).await.unwrap_err();
    assert!(matches!(err, ConnectorError::UnknownOutcome { .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(e.count(&format!("POST {PRODUCTS}")).await, 1, "not sent again");
}

#[tokio::test]
async fn a_timeout_on_create_leaves_exactly_one_record_of_each_kind() {
    let e = env().await;
    let c = &e.client;

    e.fault("POST", "/products", 1, lost_answer()).await;
    let p = c.create_product_settled(&json!({ "name": "A", "sku": "A-1" })).await.unwrap();
    assert!(matches!(p, Created::Found(_)), "{p:?}");
    assert_eq!(c.find_products_by_sku("A-1").await.unwrap().len(), 1);
    assert_eq!(e.count(&format!("POST {PRODUCTS}")).await, 1);

    e.fault("POST", "/combinations", 1, lost_answer()).await;
    let v =
        c.create_combination_settled(p.id(), &json!({ "options": [{ "name": "Size", "value": "S" }] })).await.unwrap();
    assert!(matches!(v, Created::Found(_)), "{v:?}");
    assert_eq!(c.list_combinations(p.id()).await.unwrap().len(), 1);

    e.fault("POST", "/categories", 1, lost_answer()).await;
    let cat = c.create_category_settled(&json!({ "name": "Tees" })).await.unwrap();
    assert!(matches!(cat, Created::Found(_)), "{cat:?}");
    assert_eq!(c.list_categories(&[]).await.unwrap().len(), 1);

    e.fault("POST", "/customers", 1, lost_answer()).await;
    let cu = c.create_customer_settled(&json!({ "email": "a@example.com" })).await.unwrap();
    assert!(matches!(cu, Created::Found(_)), "{cu:?}");
    assert_eq!(c.list_customers(&[]).await.unwrap().len(), 1);

    let order = json!({
        "externalOrderId": "sale-42", "email": "a@example.com", "createDate": "2024-05-01 10:00:00 +0000",
        "items": [{ "sku": "A-1", "name": "A", "quantity": 1, "price": 10 }], "paymentStatus": "PAID",
    });
    // Another order of the same customer at the same time must not be taken for this one.
    let mut other = order.clone();
    other["externalOrderId"] = json!("sale-41");
    c.create_order(&other).await.unwrap();
    e.fault("POST", "/orders", 1, lost_answer()).await;
    let o = c.create_order_settled(&order).await.unwrap();
    assert!(matches!(o, Created::Found(_)), "{o:?}");
    let orders = c.list_orders(&[]).await.unwrap();
    assert_eq!(orders.iter().filter(|o| o["externalOrderId"] == "sale-42").count(), 1);
    assert_eq!(c.get_order(&o.id().to_string()).await.unwrap()["externalOrderId"], "sale-42");
}

#[tokio::test]
async fn a_create_refused_with_5xx_before_applying_is_sent_again_once() {
    let e = env().await;
    let c = &e.client;
    e.fault("POST", "/products", 1, respond(502, json!({}))).await;
    let p = c.create_product_settled(&json!({ "name": "A", "sku": "A-1" })).await.unwrap();
    assert!(matches!(p, Created::New(_)), "{p:?}");
    assert_eq!(c.find_products_by_sku("A-1").await.unwrap().len(), 1);
    assert_eq!(e.count(&format!("POST {PRODUCTS}")).await, 2, "read back found nothing, so it was re-sent");

    e.fault("POST", "/orders", 1, respond(500, json!({}))).await;
    let o = c.create_order_settled(&json!({ "externalOrderId": "s-1", "items": [] })).await.unwrap();
    assert!(matches!(o, Created::New(_)), "{o:?}");
    assert_eq!(c.list_orders(&[]).await.unwrap().len(), 1);

    // Without a key to read back by, the unknown outcome is handed to the caller.
    e.fault("POST", "/customers", 1, respond(503, json!({}))).await;
    let err = c.create_customer_settled(&json!({ "name": "No email" })).await.unwrap_err();
    assert!(matches!(&err, ConnectorError::UnknownOutcome { detail } if detail.contains("no email")), "{err:?}");

    // An outage that outlasts the settle attempts stays unknown, and nothing was duplicated.
    e.fault("POST", "/customers", 5, respond(503, json!({}))).await;
    let err = c.create_customer_settled(&json!({ "email": "b@example.com" })).await.unwrap_err();
    assert!(matches!(err, ConnectorError::UnknownOutcome { .. }), "{err:?}");
    assert!(c.find_customer_by_email("b@example.com").await.unwrap().is_none());
}

#[tokio::test]
async fn a_settled_create_of_an_existing_sku_is_still_a_conflict() {
    // Only a create we sent ourselves and lost is settled by reading back; a SKU that already
    // belongs to another product is the caller's to resolve.
    let e = env().await;
    e.emu.seed_product(STORE, json!({ "name": "Merchant's", "sku": "M-1" }));
    let err = e.client.create_product_settled(&json!({ "name": "Ours", "sku": "M-1" })).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Rejected { status: 409, .. }), "{err:?}");
}

fn pos(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}

#[tokio::test]
async fn the_mappings_product_with_variations_is_created_through_the_client_and_reads_back_equal() {
    let e = env().await;
    let ctx = EcwidContext::new(pos("main"));
    let opts = MappingOptions { prices_include_tax: true, default_tax_rate: TaxRate(1000), ..Default::default() };
    let m = |s: &str| Money::parse(s).unwrap();
    let prices = |inc: &str| Prices {
        retail_inc_tax: Some(m(inc)),
        retail_ex_tax: Some(m(inc).remove_tax(1000)),
        cost: None,
        sale: None,
    };
    let stock =
        |q| vec![OutletStock { outlet_id: pos("main"), on_hand: Quantity::units(q), visible: true, price: None }];
    let variant = |sku: &str, size: &str, q| Variant {
        id: None,
        sku: Some(Sku::parse(sku).unwrap()),
        barcode: None,
        options: [("Size".to_string(), size.to_string())].into(),
        prices: prices("22"),
        stock: stock(q),
    };
    let tee = Product {
        id: None,
        name: "Tee".into(),
        sku: Some(Sku::parse("TEE").unwrap()),
        barcode: None,
        description_html: Some("<p>Soft</p>".into()),
        kind: ProductKind::WithVariants { options: vec!["Size".into()] },
        variants: vec![variant("TEE-S", "S", 3), variant("TEE-L", "L", 0)],
        track_inventory: true,
        prices: prices("22"),
        category: None,
        brand: None,
        tags: vec![],
        images: vec![],
        active: true,
        ecommerce_channel: true,
        stock: vec![],
        weight_grams: None,
    };
    let w = product_to_ecwid(&tee, None, &opts, &ctx, None).unwrap();
    let pid = e.client.create_product_settled(&w.product).await.unwrap().id();
    for cw in &w.combinations {
        e.client.create_combination_settled(pid, &cw.body).await.unwrap();
    }
    let mut rendered = e.client.get_product(pid).await.unwrap();
    rendered["combinations"] = Value::Array(e.client.list_combinations(pid).await.unwrap());
    assert_eq!(product_from_ecwid(&rendered, &opts, &ctx).unwrap(), tee, "{rendered:#}");
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let cfg = ClientConfig::new("http://x", 1, "secret_abcdef");
    let shown = format!("{cfg:?} {:?}", Client::new(cfg.clone()));
    assert!(!shown.contains("secret_abcdef"), "{shown}");
}
