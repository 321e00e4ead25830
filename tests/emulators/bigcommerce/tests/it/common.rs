//! Test helpers: an emulator with test-sized timers, an HTTP client bound to one store, and a
//! webhook receiver that records what it gets.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use emu_bigcommerce::{Config, Emulator, start};
use emulator_kit::{Control, Running, lock};
use serde_json::{Value, json};

pub fn test_config() -> Config {
    Config {
        require_https_443: false,
        webhook_retry_schedule: vec![Duration::from_millis(30), Duration::from_millis(30), Duration::from_millis(30)],
        webhook_timeout: Duration::from_millis(500),
        ..Config::default()
    }
}

pub struct Bc {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub hash: String,
    pub token: String,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub raw: String,
}

impl Resp {
    pub fn header(&self, k: &str) -> Option<String> {
        self.headers.get(k).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

impl Bc {
    pub async fn new() -> Self {
        Self::with(test_config()).await
    }

    pub async fn with(config: Config) -> Self {
        let emu = start(config, 0).await.expect("emulator starts");
        let token = emu.create_store("abc123");
        Self { emu, http: reqwest::Client::new(), hash: "abc123".into(), token }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/stores/{}/{}", self.emu.base_url(), self.hash, path.trim_start_matches('/'))
    }

    /// Sends `method path` with the store token; `path` starts with `v2/` or `v3/`.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.call_with(method, path, body, Some(&self.token)).await
    }

    pub async fn call_with(&self, method: &str, path: &str, body: Option<Value>, token: Option<&str>) -> Resp {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(m, self.url(path)).header("accept", "application/json");
        if let Some(t) = token {
            req = req.header("x-auth-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req.send().await.expect("request reaches the emulator")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call("PUT", path, Some(body)).await
    }

    /// Creates a simple product tracked by product and returns its JSON.
    pub async fn product(&self, name: &str, sku: &str, level: i64) -> Value {
        let r = self
            .post(
                "v3/catalog/products",
                json!({ "name": name, "type": "physical", "weight": 1, "price": 10.5, "sku": sku,
                        "inventory_tracking": "product", "inventory_level": level }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body["data"].clone()
    }

    /// A product tracked by variant with two variants (Red, Blue).
    pub async fn product_with_variants(&self, name: &str, sku: &str) -> Value {
        let r = self
            .post(
                "v3/catalog/products",
                json!({ "name": name, "type": "physical", "weight": 1, "price": 20, "sku": sku,
                        "inventory_tracking": "variant",
                        "variants": [
                            { "sku": format!("{sku}-RED"), "inventory_level": 5,
                              "option_values": [{ "option_display_name": "Color", "label": "Red" }] },
                            { "sku": format!("{sku}-BLUE"), "inventory_level": 7, "price": 22.5,
                              "option_values": [{ "option_display_name": "Color", "label": "Blue" }] },
                        ] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body["data"].clone()
    }

    pub async fn order(&self, lines: Value) -> Value {
        let r = self
            .post(
                "v2/orders",
                json!({ "billing_address": { "first_name": "Ada", "last_name": "L", "email": "ada@example.com",
                         "street_1": "1 Main", "city": "Austin", "zip": "78701", "country": "United States", "country_iso2": "US" },
                        "products": lines }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body.clone()
    }

    /// Registers a hook for `scope` pointing at the receiver.
    pub async fn hook(&self, scope: &str, rx: &Receiver, headers: Value) -> Value {
        let r = self
            .post("v3/hooks", json!({ "scope": scope, "destination": rx.url(), "is_active": true, "headers": headers }))
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body["data"].clone()
    }
}

pub async fn read(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let raw = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
    Resp { status, headers, body, raw }
}

/// One webhook request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Got {
    pub headers: HeaderMap,
    pub body: String,
}

impl Got {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("webhook body is JSON")
    }
    pub fn header(&self, k: &str) -> String {
        self.headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

#[derive(Clone, Default)]
struct RxState {
    got: Arc<Mutex<Vec<Got>>>,
    fail: Arc<AtomicU32>,
}

/// A local webhook receiver; answers 500 while `fail_next(n)` lasts, else 200.
pub struct Receiver {
    running: Running,
    state: RxState,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = RxState::default();
        let app = Router::new()
            .route(
                "/hook",
                post(|State(s): State<RxState>, headers: HeaderMap, body: String| async move {
                    lock(&s.got).push(Got { headers, body });
                    let failing = s.fail.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
                    if failing { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
                }),
            )
            .with_state(state.clone());
        let running =
            emulator_kit::serve(app, &Control::new(Duration::from_secs(1)), 0).await.expect("receiver starts");
        Self { running, state }
    }

    pub fn url(&self) -> String {
        format!("{}/hook", self.running.base_url())
    }

    pub fn fail_next(&self, n: u32) {
        self.state.fail.store(n, Ordering::SeqCst);
    }

    pub fn got(&self) -> Vec<Got> {
        lock(&self.state.got).clone()
    }

    /// The deliveries so far with this scope.
    pub fn scoped(&self, scope: &str) -> Vec<Got> {
        self.got().into_iter().filter(|g| g.json()["scope"] == scope).collect()
    }

    /// Waits (up to 3 s) until at least `n` deliveries with `scope` arrived.
    pub async fn wait_for(&self, scope: &str, n: usize) -> Vec<Got> {
        for _ in 0..150 {
            let got = self.scoped(scope);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "timed out waiting for {n} × {scope}; got {:?}",
            self.got().iter().map(|g| g.body.clone()).collect::<Vec<_>>()
        );
    }
}

/// Polls `f` until it is true (up to 3 s).
pub async fn eventually(mut f: impl FnMut() -> bool, what: &str) {
    for _ in 0..150 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}
