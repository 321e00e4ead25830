//! Shared test setup: a started emulator with a full-scope token, a small HTTP helper, and a
//! webhook sink that records requests and answers with scripted statuses and delays.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use emu_ecwid::{Config, Emulator};
use serde_json::Value;

pub const STORE: u64 = 1003;

pub const ALL_SCOPES: &[&str] = &[
    "read_catalog",
    "update_catalog",
    "create_catalog",
    "read_orders",
    "update_orders",
    "create_orders",
    "read_customers",
    "update_customers",
    "create_customers",
    "public_storefront",
];

/// Defaults with test-sized timers.
pub fn config() -> Config {
    Config {
        webhook_retry_schedule: vec![Duration::from_millis(30), Duration::from_millis(30), Duration::from_millis(30)],
        webhook_timeout: Duration::from_millis(300),
        ..Config::default()
    }
}

pub struct Env {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub token: String,
    pub public_token: String,
}

pub async fn env() -> Env {
    env_with(config()).await
}

pub async fn env_with(config: Config) -> Env {
    let emu = emu_ecwid::start(config, 0).await.expect("emulator starts");
    let t = emu.issue_token(STORE, ALL_SCOPES);
    Env {
        http: reqwest::Client::new(),
        token: t.access_token,
        public_token: t.public_token.expect("public token"),
        emu,
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.api_base(STORE))
    }

    pub async fn call_as(&self, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call_as(&self.token, reqwest::Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call_as(&self.token, reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call_as(&self.token, reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call_as(&self.token, reqwest::Method::DELETE, path, None).await
    }

    /// POST that must succeed with `{id}`.
    pub async fn create(&self, path: &str, body: Value) -> u64 {
        let (s, v) = self.post(path, body).await;
        assert_eq!(s, 200, "create {path}: {v}");
        v["id"].as_u64().expect("id")
    }
}

/// One request the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    pub query: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone, Default)]
struct SinkState {
    seen: Arc<Mutex<Vec<Received>>>,
    /// Scripted answers (status, delay ms); 200 without delay when empty.
    script: Arc<Mutex<VecDeque<(u16, u64)>>>,
}

pub struct Sink {
    pub url: String,
    state: SinkState,
    _task: tokio::task::JoinHandle<()>,
}

async fn receive(State(s): State<SinkState>, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> StatusCode {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    s.seen.lock().unwrap().push(Received { query: q.unwrap_or_default(), headers, body });
    let (status, delay) = s.script.lock().unwrap().pop_front().unwrap_or((200, 0));
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    StatusCode::from_u16(status).unwrap()
}

impl Sink {
    pub async fn start(script: Vec<(u16, u64)>) -> Sink {
        let state = SinkState { seen: Arc::default(), script: Arc::new(Mutex::new(script.into())) };
        let app = Router::new().route("/hook", post(receive)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Sink { url, state, _task: task }
    }

    pub fn seen(&self) -> Vec<Received> {
        self.state.seen.lock().unwrap().clone()
    }

    /// Waits (up to ~2 s) until `pred` holds for the received requests.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..200 {
            let seen = self.seen();
            if pred(&seen) {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("timed out waiting for {what}; got {:#?}", self.seen().iter().map(|r| &r.body).collect::<Vec<_>>());
    }

    /// Requests whose body has this `eventType`.
    pub fn of_type(&self, event_type: &str) -> Vec<Received> {
        self.seen().into_iter().filter(|r| r.body["eventType"] == event_type).collect()
    }
}

/// Waits until `pred` holds for the emulator's event records.
pub async fn wait_events(emu: &Emulator, what: &str, pred: impl Fn(&[emu_ecwid::EventRecord]) -> bool) {
    for _ in 0..200 {
        if pred(&emu.events()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}: {:#?}", emu.events());
}
