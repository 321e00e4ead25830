//! Shared mechanics of the platform emulators.
//!
//! Every emulator (BigCommerce, WooCommerce, Ecwid, POS) is an axum [`Router`] with in-memory
//! state. This crate serves such a router on a local port and adds what every emulator needs for
//! tests and demos, under the `/_emulator` prefix (the *control API*):
//!
//! | route | what it does |
//! |---|---|
//! | `GET /_emulator/requests` | request counts per `METHOD /route/template` |
//! | `POST /_emulator/requests/reset` | zero the counts |
//! | `POST /_emulator/faults` | queue [`Fault`]s (a JSON array) consumed by matching requests |
//! | `DELETE /_emulator/faults` | clear queued faults and latency |
//! | `POST /_emulator/latency` | `{"ms": N}` added to every request |
//! | `POST /_emulator/webhooks/faults` | `{"drop":N,"duplicate":N,"hold":N}` for the next deliveries |
//! | `POST /_emulator/webhooks/release` | send held deliveries, newest first (reordering) |
//! | `GET /_emulator/webhooks/log` | every delivery attempt with its outcome |
//!
//! Emulators add their own control routes (seed, state) under the same prefix.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// Locks a mutex, recovering the data if a panicking holder poisoned it (emulator state stays usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A scripted misbehaviour, consumed by the next `count` requests that match it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    /// Only requests with this method match (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path contains this text match (any when absent).
    #[serde(default)]
    pub path_contains: Option<String>,
    /// How many matching requests this fault applies to.
    #[serde(default = "one")]
    pub count: u32,
    pub kind: FaultKind,
}

fn one() -> u32 {
    1
}

/// What a [`Fault`] does to a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status, headers and body instead of handling the request.
    Respond {
        status: u16,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: String,
    },
    /// Handle the request (its effect is applied), then hold the response for `ms`:
    /// a client with a shorter timeout sees a timeout on a write that did happen.
    DelayAfterApply { ms: u64 },
    /// Hold the request for `ms` before handling it.
    DelayBeforeApply { ms: u64 },
}

/// Faults for outgoing webhook deliveries.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryFaults {
    /// Drop the next N deliveries silently.
    #[serde(default)]
    pub drop: u32,
    /// Send each of the next N deliveries twice.
    #[serde(default)]
    pub duplicate: u32,
    /// Hold the next N deliveries until `/_emulator/webhooks/release`, which sends them newest first.
    #[serde(default)]
    pub hold: u32,
}

/// One outgoing webhook request.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

/// What happened to one delivery attempt.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// `delivered`, `dropped`, `held`, `http_error` or `network_error`.
    pub outcome: String,
    pub status: Option<u16>,
}

/// Outcome of [`Outbox::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The receiver answered with this status (for a duplicated delivery, the first answer).
    Answered(u16),
    /// Dropped by a fault: the emulator believes it was sent, the receiver never saw it.
    Dropped,
    /// Held by a fault for later, reordered, release.
    Held,
    /// Connection refused, reset or timed out.
    NetworkError,
}

/// Sends webhook deliveries, applying [`DeliveryFaults`], and records every attempt.
#[derive(Debug)]
pub struct Outbox {
    client: reqwest::Client,
    faults: Mutex<DeliveryFaults>,
    held: Mutex<Vec<Delivery>>,
    log: Mutex<Vec<DeliveryRecord>>,
}

impl Outbox {
    /// An outbox whose requests time out after `timeout` (the platform's delivery timeout).
    pub fn new(timeout: Duration) -> Self {
        let client =
            reqwest::Client::builder().timeout(timeout).build().expect("reqwest client builds with static settings");
        Self {
            client,
            faults: Mutex::new(DeliveryFaults::default()),
            held: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        }
    }

    pub fn set_faults(&self, f: DeliveryFaults) {
        *lock(&self.faults) = f;
    }

    /// Sends one delivery through the fault plan.
    pub async fn send(&self, d: Delivery) -> SendOutcome {
        let (drop, dup, hold) = {
            let mut f = lock(&self.faults);
            let take = |n: &mut u32| {
                if *n > 0 {
                    *n -= 1;
                    true
                } else {
                    false
                }
            };
            let drop = take(&mut f.drop);
            let dup = !drop && take(&mut f.duplicate);
            let hold = !drop && take(&mut f.hold);
            (drop, dup, hold)
        };
        if drop {
            self.record(&d, "dropped", None);
            return SendOutcome::Dropped;
        }
        if hold {
            self.record(&d, "held", None);
            lock(&self.held).push(d);
            return SendOutcome::Held;
        }
        let first = self.post(&d).await;
        if dup {
            self.post(&d).await;
        }
        first
    }

    /// Sends every held delivery, newest first; returns how many were sent.
    pub async fn release_held(&self) -> usize {
        let held: Vec<Delivery> = std::mem::take(&mut *lock(&self.held));
        let n = held.len();
        for d in held.into_iter().rev() {
            self.post(&d).await;
        }
        n
    }

    pub fn log(&self) -> Vec<DeliveryRecord> {
        lock(&self.log).clone()
    }

    pub fn clear_log(&self) {
        lock(&self.log).clear();
    }

    async fn post(&self, d: &Delivery) -> SendOutcome {
        let mut req = self.client.post(&d.url).body(d.body.clone());
        for (k, v) in &d.headers {
            req = req.header(k, v);
        }
        match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let outcome = if resp.status().is_success() { "delivered" } else { "http_error" };
                self.record(d, outcome, Some(status));
                SendOutcome::Answered(status)
            }
            Err(e) => {
                tracing::debug!(url = %d.url, error = %e, "webhook delivery failed");
                self.record(d, "network_error", None);
                SendOutcome::NetworkError
            }
        }
    }

    fn record(&self, d: &Delivery, outcome: &str, status: Option<u16>) {
        lock(&self.log).push(DeliveryRecord {
            url: d.url.clone(),
            headers: d.headers.clone(),
            body: String::from_utf8_lossy(&d.body).into_owned(),
            outcome: outcome.to_string(),
            status,
        });
    }
}

/// The control half shared by every emulator: counts, faults, latency and the webhook outbox.
#[derive(Debug, Clone)]
pub struct Control {
    inner: Arc<ControlInner>,
}

#[derive(Debug)]
struct ControlInner {
    counts: Mutex<BTreeMap<String, u64>>,
    statuses: Mutex<BTreeMap<u16, u64>>,
    faults: Mutex<VecDeque<Fault>>,
    latency_ms: Mutex<u64>,
    outbox: Outbox,
}

impl Control {
    /// `delivery_timeout` is how long the platform waits for a webhook receiver.
    pub fn new(delivery_timeout: Duration) -> Self {
        Self {
            inner: Arc::new(ControlInner {
                counts: Mutex::new(BTreeMap::new()),
                statuses: Mutex::new(BTreeMap::new()),
                faults: Mutex::new(VecDeque::new()),
                latency_ms: Mutex::new(0),
                outbox: Outbox::new(delivery_timeout),
            }),
        }
    }

    pub fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    /// Request counts per `METHOD /route/template`.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        lock(&self.inner.counts).clone()
    }

    /// Total requests counted so far.
    pub fn total_requests(&self) -> u64 {
        lock(&self.inner.counts).values().sum()
    }

    pub fn reset_counts(&self) {
        lock(&self.inner.counts).clear();
        lock(&self.inner.statuses).clear();
    }

    /// Responses sent per status code (e.g. how many 429s clients received).
    pub fn status_counts(&self) -> BTreeMap<u16, u64> {
        lock(&self.inner.statuses).clone()
    }

    pub fn push_fault(&self, f: Fault) {
        lock(&self.inner.faults).push_back(f);
    }

    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
        *lock(&self.inner.latency_ms) = 0;
    }

    pub fn set_latency(&self, ms: u64) {
        *lock(&self.inner.latency_ms) = ms;
    }

    /// Takes one use of the first queued fault matching this request.
    fn take_fault(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = lock(&self.inner.faults);
        let idx = faults.iter().position(|f| {
            f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.path_contains.as_deref().is_none_or(|p| path.contains(p))
        })?;
        let f = &mut faults[idx];
        let kind = f.kind.clone();
        f.count = f.count.saturating_sub(1);
        if f.count == 0 {
            faults.remove(idx);
        }
        Some(kind)
    }

    /// The control API routes, to be merged into an emulator's router.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/_emulator/requests", get(ctl_counts))
            .route("/_emulator/requests/reset", post(ctl_reset_counts))
            .route("/_emulator/statuses", get(ctl_statuses))
            .route("/_emulator/faults", post(ctl_push_faults).delete(ctl_clear_faults))
            .route("/_emulator/latency", post(ctl_latency))
            .route("/_emulator/webhooks/faults", post(ctl_delivery_faults))
            .route("/_emulator/webhooks/release", post(ctl_release))
            .route("/_emulator/webhooks/log", get(ctl_delivery_log).delete(ctl_clear_log))
            .with_state(self.clone())
    }
}

async fn ctl_counts(State(c): State<Control>) -> Json<BTreeMap<String, u64>> {
    Json(c.counts())
}

async fn ctl_statuses(State(c): State<Control>) -> Json<BTreeMap<u16, u64>> {
    Json(c.status_counts())
}

async fn ctl_reset_counts(State(c): State<Control>) -> StatusCode {
    c.reset_counts();
    StatusCode::NO_CONTENT
}

async fn ctl_push_faults(State(c): State<Control>, Json(faults): Json<Vec<Fault>>) -> StatusCode {
    for f in faults {
        c.push_fault(f);
    }
    StatusCode::NO_CONTENT
}

async fn ctl_clear_faults(State(c): State<Control>) -> StatusCode {
    c.clear_faults();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct LatencyBody {
    ms: u64,
}

async fn ctl_latency(State(c): State<Control>, Json(b): Json<LatencyBody>) -> StatusCode {
    c.set_latency(b.ms);
    StatusCode::NO_CONTENT
}

async fn ctl_delivery_faults(State(c): State<Control>, Json(f): Json<DeliveryFaults>) -> StatusCode {
    c.outbox().set_faults(f);
    StatusCode::NO_CONTENT
}

async fn ctl_release(State(c): State<Control>) -> Json<serde_json::Value> {
    let n = c.outbox().release_held().await;
    Json(serde_json::json!({ "released": n }))
}

async fn ctl_delivery_log(State(c): State<Control>) -> Json<Vec<DeliveryRecord>> {
    Json(c.outbox().log())
}

async fn ctl_clear_log(State(c): State<Control>) -> StatusCode {
    c.outbox().clear_log();
    StatusCode::NO_CONTENT
}

/// Counts the request under its route template and applies latency and queued faults.
async fn instrument(State(c): State<Control>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    // An emulator's own control routes (seed, state, ...) are neither counted nor faulted, like
    // the kit's: a "5xx on every request" fault must not break a test's seeding.
    if path.starts_with("/_emulator/") {
        return next.run(req).await;
    }
    let template =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| path.clone());
    *lock(&c.inner.counts).entry(format!("{method} {template}")).or_insert(0) += 1;

    let latency = *lock(&c.inner.latency_ms);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let resp = match c.take_fault(&method, &path) {
        None => next.run(req).await,
        Some(FaultKind::Respond { status, headers, body }) => {
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                    resp.headers_mut().insert(k, v);
                }
            }
            resp
        }
        Some(FaultKind::DelayAfterApply { ms }) => {
            let resp = next.run(req).await;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            resp
        }
        Some(FaultKind::DelayBeforeApply { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
    };
    *lock(&c.inner.statuses).entry(resp.status().as_u16()).or_insert(0) += 1;
    resp
}

/// A running emulator.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Wraps an emulator's routes with request counting and fault injection, adds the control API,
/// and serves it on `127.0.0.1:port` (`0` picks a free port). The server stops when the returned
/// [`Running`] is dropped.
pub async fn serve(app: Router, control: &Control, port: u16) -> std::io::Result<Running> {
    let router = app.route_layer(middleware::from_fn_with_state(control.clone(), instrument)).merge(control.router());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "emulator server stopped");
        }
    });
    Ok(Running { addr, task })
}

/// A JSON response with a status, for handlers that build error bodies.
pub fn json_status(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn hello() -> &'static str {
        "hi"
    }

    fn app() -> Router {
        Router::new().route("/items/{id}", get(hello).post(hello))
    }

    #[tokio::test]
    async fn counts_requests_per_route_template() {
        let c = Control::new(Duration::from_secs(1));
        let r = serve(app(), &c, 0).await.unwrap();
        let http = reqwest::Client::new();
        for id in 1..=3 {
            http.get(format!("{}/items/{id}", r.base_url())).send().await.unwrap();
        }
        let counts: BTreeMap<String, u64> =
            http.get(format!("{}/_emulator/requests", r.base_url())).send().await.unwrap().json().await.unwrap();
        assert_eq!(counts.get("GET /items/{id}"), Some(&3));
        assert_eq!(c.status_counts().get(&200), Some(&3), "statuses are counted too");
        // control routes are not counted
        assert_eq!(counts.len(), 1);
    }

    #[tokio::test]
    async fn emulator_control_routes_are_neither_counted_nor_faulted() {
        let c = Control::new(Duration::from_secs(1));
        let app = app().route("/_emulator/seed", post(hello));
        let r = serve(app, &c, 0).await.unwrap();
        c.push_fault(Fault {
            method: None,
            path_contains: None,
            count: 1,
            kind: FaultKind::Respond { status: 503, headers: BTreeMap::new(), body: String::new() },
        });
        let http = reqwest::Client::new();
        let seed = http.post(format!("{}/_emulator/seed", r.base_url())).send().await.unwrap();
        assert_eq!(seed.status(), 200);
        let item = http.get(format!("{}/items/1", r.base_url())).send().await.unwrap();
        assert_eq!(item.status(), 503, "the fault waits for the first non-control request");
        assert_eq!(c.counts().len(), 1);
        assert_eq!(c.counts().get("GET /items/{id}"), Some(&1));
    }

    #[tokio::test]
    async fn queued_fault_is_consumed_by_matching_requests_only() {
        let c = Control::new(Duration::from_secs(1));
        let r = serve(app(), &c, 0).await.unwrap();
        let http = reqwest::Client::new();
        let faults = serde_json::json!([{ "method": "POST", "count": 2,
            "kind": {"type": "respond", "status": 429, "headers": {"Retry-After": "3"}} }]);
        http.post(format!("{}/_emulator/faults", r.base_url())).json(&faults).send().await.unwrap();
        let get = http.get(format!("{}/items/1", r.base_url())).send().await.unwrap();
        assert_eq!(get.status(), 200, "a GET does not match a POST fault");
        for _ in 0..2 {
            let p = http.post(format!("{}/items/1", r.base_url())).send().await.unwrap();
            assert_eq!(p.status(), 429);
            assert_eq!(p.headers()["retry-after"], "3");
        }
        let p = http.post(format!("{}/items/1", r.base_url())).send().await.unwrap();
        assert_eq!(p.status(), 200, "the fault is used up after count requests");
    }

    #[tokio::test]
    async fn delay_after_apply_runs_the_handler_before_the_client_times_out() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static HITS: AtomicU32 = AtomicU32::new(0);
        async fn write() -> &'static str {
            HITS.fetch_add(1, Ordering::SeqCst);
            "ok"
        }
        let c = Control::new(Duration::from_secs(1));
        let r = serve(Router::new().route("/w", post(write)), &c, 0).await.unwrap();
        c.push_fault(Fault {
            method: None,
            path_contains: Some("/w".into()),
            count: 1,
            kind: FaultKind::DelayAfterApply { ms: 800 },
        });
        let client = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
        let err = client.post(format!("{}/w", r.base_url())).send().await.unwrap_err();
        assert!(err.is_timeout());
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(HITS.load(Ordering::SeqCst), 1, "the write happened although the client timed out");
    }

    #[tokio::test]
    async fn outbox_drops_duplicates_and_reorders() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let s2 = seen.clone();
        let sink = Router::new().route(
            "/hook",
            post(move |body: String| {
                let s = s2.clone();
                async move {
                    lock(&s).push(body);
                    StatusCode::OK
                }
            }),
        );
        let sc = Control::new(Duration::from_secs(1));
        let sink = serve(sink, &sc, 0).await.unwrap();
        let ob = Outbox::new(Duration::from_secs(1));
        let n = AtomicU32::new(0);
        let mk = || Delivery {
            url: format!("{}/hook", sink.base_url()),
            headers: vec![],
            body: format!("{}", n.fetch_add(1, Ordering::SeqCst)).into_bytes(),
        };
        ob.set_faults(DeliveryFaults { drop: 1, duplicate: 0, hold: 0 });
        assert_eq!(ob.send(mk()).await, SendOutcome::Dropped); // 0
        ob.set_faults(DeliveryFaults { drop: 0, duplicate: 1, hold: 0 });
        assert_eq!(ob.send(mk()).await, SendOutcome::Answered(200)); // 1, twice
        ob.set_faults(DeliveryFaults { drop: 0, duplicate: 0, hold: 2 });
        assert_eq!(ob.send(mk()).await, SendOutcome::Held); // 2
        assert_eq!(ob.send(mk()).await, SendOutcome::Held); // 3
        assert_eq!(ob.release_held().await, 2);
        assert_eq!(*lock(&seen), vec!["1", "1", "3", "2"]);
        assert_eq!(ob.log().len(), 1 + 2 + 2 + 2);
    }
}
