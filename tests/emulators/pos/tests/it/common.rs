//! Test harness: a started emulator with a token, a JSON client, and a webhook sink.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use emu_pos::{Config, Emulator};
use emulator_kit::{Control, Running, lock};
use reqwest::Method;
use serde_json::{Value, json};

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub raw: String,
}

pub struct Pos {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub token: String,
}

impl Pos {
    pub async fn start() -> Self {
        Self::with(Config::default()).await
    }

    pub async fn with(cfg: Config) -> Self {
        let emu = emu_pos::start(cfg, 0).await.expect("emulator starts");
        let token = emu.issue_token().access_token;
        Self { emu, http: reqwest::Client::new(), token }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let raw = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        Resp { status, headers, body, raw }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    /// POST that must answer 200; returns the body.
    pub async fn ok(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        assert_eq!(r.status, 200, "POST {path}: {}", r.raw);
        r.body
    }

    /// A simple tracked product with stock at outlet 1 (via seeding; returns its id).
    pub fn seed_simple(&self, sku: &str, price: &str, stock: &str) -> i64 {
        self.emu
            .seed_product(json!({
                "name": format!("Item {sku}"), "sku": sku, "price": price,
                "product_outlets": [{"outlet_id": 1, "stock": stock}]
            }))
            .expect("seeded")
    }

    pub fn stock(&self, product: i64, variant: Option<i64>, outlet: i64) -> String {
        self.emu.stock(product, variant, outlet)
    }

    /// Events of one type, in order.
    pub fn events_of(&self, kind: &str) -> Vec<Value> {
        self.emu.events().into_iter().filter(|e| e["type"] == kind).collect()
    }
}

/// A webhook receiver recording every request.
pub struct Sink {
    pub running: Running,
    pub hits: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

impl Sink {
    pub async fn start() -> Self {
        let hits: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
        let h2 = hits.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let h = h2.clone();
                async move {
                    lock(&h).push((headers, body));
                    "ok"
                }
            }),
        );
        let running = emulator_kit::serve(app, &Control::new(Duration::from_secs(1)), 0).await.unwrap();
        Self { running, hits }
    }

    pub fn url(&self) -> String {
        format!("{}/hook", self.running.base_url())
    }

    /// Waits (up to 3 s) until at least `n` requests arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, Value)> {
        for _ in 0..150 {
            if lock(&self.hits).len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        lock(&self.hits).iter().map(|(h, b)| (h.clone(), serde_json::from_str(b).unwrap_or(Value::Null))).collect()
    }

    pub fn len(&self) -> usize {
        lock(&self.hits).len()
    }
}

/// The event ids a sink received, in arrival order.
pub fn event_ids(hits: &[(HeaderMap, Value)]) -> Vec<u64> {
    hits.iter().map(|(_, b)| b["id"].as_u64().expect("event id")).collect()
}
