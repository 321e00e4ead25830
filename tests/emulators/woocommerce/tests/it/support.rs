//! Shared helpers: a running emulator with an authenticated client, and a webhook receiver.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use emu_woocommerce::{Config, Emulator, READ_ONLY_KEY, READ_WRITE_KEY};
use serde_json::Value;

pub struct Shop {
    pub emu: Emulator,
    pub http: reqwest::Client,
}

pub async fn shop() -> Shop {
    shop_with(Config::default()).await
}

pub async fn shop_with(config: Config) -> Shop {
    let emu = emu_woocommerce::start(config, 0).await.expect("emulator starts");
    Shop { emu, http: reqwest::Client::new() }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl Shop {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.api_url())
    }

    /// Sends with the read/write key as HTTP Basic credentials.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        self.send_as(READ_WRITE_KEY, method, path, body).await
    }

    pub async fn send_as(&self, key: (&str, &str), method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, self.url(path)).basic_auth(key.0, Some(key.1));
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.expect("request reaches the emulator")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn get_read_only(&self, path: &str) -> Reply {
        self.send_as(READ_ONLY_KEY, reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Creates and asserts 201.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        assert_eq!(r.status, 201, "create {path}: {}", r.body);
        r.body
    }
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply { status, headers, body }
}

/// One request seen by the [`Receiver`].
#[derive(Debug, Clone)]
pub struct Seen {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A local HTTP endpoint that records what it receives and answers with a settable status.
pub struct Receiver {
    pub running: emulator_kit::Running,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub status: Arc<AtomicU16>,
}

impl Receiver {
    pub async fn start() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let (s2, st2) = (seen.clone(), status.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let (s, st) = (s2.clone(), st2.clone());
                async move {
                    emulator_kit::lock(&s).push(Seen { headers, body });
                    StatusCode::from_u16(st.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
                }
            }),
        );
        let control = emulator_kit::Control::new(std::time::Duration::from_secs(5));
        let running = emulator_kit::serve(app, &control, 0).await.expect("receiver starts");
        Self { running, seen, status }
    }

    pub fn url(&self) -> String {
        format!("{}/hook", self.running.base_url())
    }

    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub fn seen(&self) -> Vec<Seen> {
        emulator_kit::lock(&self.seen).clone()
    }

    /// Deliveries (not pings) with the given topic header.
    pub fn topic(&self, topic: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.header("x-wc-webhook-topic") == topic).collect()
    }

    pub fn clear(&self) {
        emulator_kit::lock(&self.seen).clear();
    }
}
