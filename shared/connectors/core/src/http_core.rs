//! One way to call a platform: pace, send, read the platform's rate signals, retry what is safe.

use std::time::Duration;

use http::{HeaderMap, Method};
use rand::Rng;

use crate::{Budget, ConnectorError};

/// How a platform tells a client about its rate budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSignals {
    /// `X-Rate-Limit-Requests-Left`, `X-Rate-Limit-Time-Reset-Ms`, `-Requests-Quota`,
    /// `-Time-Window-Ms` on every response (BigCommerce).
    BigCommerce,
    /// Only `Retry-After` on a 429 (Ecwid, and WAFs in front of WooCommerce).
    RetryAfter,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// First backoff; doubles per attempt, with full jitter.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Wait after a 429 that says nothing about when to come back (platform load: back off more).
    pub bare_429_wait: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            bare_429_wait: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
        }
    }
}

/// One request.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// Safe to send twice (GET, PUT of a whole state, DELETE). A create is not.
    pub idempotent: bool,
}

impl RequestSpec {
    pub fn get(url: impl Into<String>) -> Self {
        Self { method: Method::GET, url: url.into(), headers: Vec::new(), body: None, idempotent: true }
    }
    pub fn write(method: Method, url: impl Into<String>, body: serde_json::Value, idempotent: bool) -> Self {
        Self { method, url: url.into(), headers: Vec::new(), body: Some(body), idempotent }
    }
    /// A DELETE: idempotent (deleting twice leaves the same state; callers treat 404 as done).
    pub fn delete(url: impl Into<String>) -> Self {
        Self { method: Method::DELETE, url: url.into(), headers: Vec::new(), body: None, idempotent: true }
    }
    pub fn header(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConnectorError> {
        serde_json::from_slice(&self.body).map_err(|e| ConnectorError::Decode(e.to_string()))
    }
}

/// A platform's HTTP access for one store: a shared [`Budget`], a retry policy, rate signals.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    pub budget: Budget,
    policy: RetryPolicy,
    signals: RateSignals,
}

fn header_u64(h: &HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.trim().parse::<f64>().ok().map(|v| v.max(0.0) as u64)
}

/// The platform's error message and code from a JSON error body, whatever its dialect
/// (BigCommerce `title`, WooCommerce `code`/`message`, Ecwid `errorMessage`/`errorCode`).
fn error_parts(body: &[u8]) -> (Option<String>, String) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        let text = String::from_utf8_lossy(body);
        return (None, text.chars().take(200).collect());
    };
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let code = s("code").or_else(|| s("errorCode"));
    let msg = s("message").or_else(|| s("title")).or_else(|| s("errorMessage")).unwrap_or_else(|| v.to_string());
    (code, msg)
}

impl Http {
    pub fn new(budget: Budget, policy: RetryPolicy, signals: RateSignals) -> Self {
        let client = reqwest::Client::builder().timeout(policy.timeout).build().expect("static client settings");
        Self { client, budget, policy, signals }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self.policy.base_backoff.saturating_mul(1 << attempt.min(16)).min(self.policy.max_backoff);
        let ms = rand::rng().random_range(0..=cap.as_millis() as u64);
        Duration::from_millis(ms.max(1))
    }

    fn observe(&self, h: &HeaderMap) {
        if self.signals == RateSignals::BigCommerce
            && let (Some(left), Some(reset)) =
                (header_u64(h, "x-rate-limit-requests-left"), header_u64(h, "x-rate-limit-time-reset-ms"))
        {
            self.budget.observe_window(
                left as u32,
                Duration::from_millis(reset),
                header_u64(h, "x-rate-limit-requests-quota").map(|q| q as u32),
                header_u64(h, "x-rate-limit-time-window-ms").map(Duration::from_millis),
            );
        }
    }

    /// How long a 429 asks us to wait, from whatever the platform said.
    fn throttle_wait(&self, h: &HeaderMap) -> Duration {
        if let Some(ms) = header_u64(h, "x-rate-limit-time-reset-ms") {
            return Duration::from_millis(ms);
        }
        if let Some(s) = header_u64(h, "retry-after").or_else(|| header_u64(h, "x-retry-after")) {
            return Duration::from_secs(s);
        }
        self.policy.bare_429_wait
    }

    /// Sends with pacing and retries; see the crate docs for what is retried.
    pub async fn send(&self, spec: &RequestSpec) -> Result<Reply, ConnectorError> {
        let mut last = ConnectorError::Unavailable { status: None, detail: "not attempted".into() };
        for attempt in 0..self.policy.max_attempts {
            self.budget.acquire().await;
            let mut req = self.client.request(spec.method.clone(), &spec.url);
            for (k, v) in &spec.headers {
                req = req.header(k, v);
            }
            if let Some(b) = &spec.body {
                req = req.json(b);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    // A connection that never opened sent nothing: safe to retry any request.
                    if !spec.idempotent && !e.is_connect() {
                        return Err(ConnectorError::UnknownOutcome { detail: e.to_string() });
                    }
                    last = ConnectorError::Unavailable { status: None, detail: e.to_string() };
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            self.observe(&headers);
            let body = match resp.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if spec.idempotent => {
                    last = ConnectorError::Unavailable { status: Some(status), detail: e.to_string() };
                    continue;
                }
                Err(e) => return Err(ConnectorError::UnknownOutcome { detail: e.to_string() }),
            };
            match status {
                200..=299 => return Ok(Reply { status, headers, body }),
                429 => {
                    // A throttled request was not applied: retrying is safe even for a create.
                    let wait = self.throttle_wait(&headers);
                    tracing::debug!(?wait, "429 from the platform");
                    self.budget.pause(wait);
                    last = ConnectorError::RateLimited { retry_after: wait };
                }
                500..=599 => {
                    if !spec.idempotent {
                        return Err(ConnectorError::UnknownOutcome { detail: format!("HTTP {status}") });
                    }
                    last = ConnectorError::Unavailable { status: Some(status), detail: format!("HTTP {status}") };
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                401 => return Err(ConnectorError::Unauthorized),
                403 => return Err(ConnectorError::Forbidden { message: error_parts(&body).1 }),
                404 => return Err(ConnectorError::NotFound),
                _ => {
                    let (code, message) = error_parts(&body);
                    return Err(ConnectorError::Rejected { status, code, message });
                }
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use axum::Router;
    use axum::routing::{get, post};
    use emulator_kit::{Control, Fault, FaultKind, serve};

    use super::*;
    use crate::BudgetConfig;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            bare_429_wait: Duration::from_millis(50),
            timeout: Duration::from_millis(300),
        }
    }

    async fn server(hits: Arc<AtomicU32>) -> (emulator_kit::Running, Control) {
        let h1 = hits.clone();
        let app = Router::new().route("/items", get(|| async { "[]" })).route(
            "/items",
            post(move || {
                let h = h1.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    (http::StatusCode::CREATED, r#"{"id":1}"#)
                }
            }),
        );
        let c = Control::new(Duration::from_secs(1));
        (serve(app, &c, 0).await.unwrap(), c)
    }

    fn fault(method: &str, count: u32, kind: FaultKind) -> Fault {
        Fault { method: Some(method.into()), path_contains: None, count, kind }
    }

    fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> FaultKind {
        FaultKind::Respond {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.into(),
        }
    }

    #[tokio::test]
    async fn a_429_with_reset_headers_is_waited_out_and_retried() {
        let (srv, c) = server(Arc::default()).await;
        c.push_fault(fault(
            "GET",
            2,
            respond(429, &[("X-Rate-Limit-Time-Reset-Ms", "30"), ("X-Rate-Limit-Requests-Left", "0")], ""),
        ));
        let http = Http::new(Budget::unlimited(), policy(), RateSignals::BigCommerce);
        let t0 = std::time::Instant::now();
        let r = http.send(&RequestSpec::get(format!("{}/items", srv.base_url()))).await.unwrap();
        assert_eq!(r.status, 200);
        assert!(t0.elapsed() >= Duration::from_millis(60), "waited the reset twice: {:?}", t0.elapsed());
    }

    #[tokio::test]
    async fn a_5xx_burst_on_a_read_is_retried_but_not_forever() {
        let (srv, c) = server(Arc::default()).await;
        c.push_fault(fault("GET", 3, respond(503, &[], "")));
        let http = Http::new(Budget::unlimited(), policy(), RateSignals::RetryAfter);
        assert!(http.send(&RequestSpec::get(format!("{}/items", srv.base_url()))).await.is_ok());
        c.push_fault(fault("GET", 10, respond(500, &[], "")));
        let err = http.send(&RequestSpec::get(format!("{}/items", srv.base_url()))).await.unwrap_err();
        assert_eq!(err, ConnectorError::Unavailable { status: Some(500), detail: "HTTP 500".into() });
        assert!(err.is_retryable());
    }

    #[tokio::test]
    async fn a_create_that_times_out_is_reported_unknown_not_sent_again() {
        let hits = Arc::new(AtomicU32::new(0));
        let (srv, c) = server(hits.clone()).await;
        c.push_fault(fault("POST", 1, FaultKind::DelayAfterApply { ms: 800 }));
        let http = Http::new(Budget::unlimited(), policy(), RateSignals::RetryAfter);
        let spec = RequestSpec::write(Method::POST, format!("{}/items", srv.base_url()), serde_json::json!({}), false);
        let err = http.send(&spec).await.unwrap_err();
        assert!(matches!(err, ConnectorError::UnknownOutcome { .. }), "{err:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(hits.load(Ordering::SeqCst), 1, "applied once, never re-sent");
        // A 5xx on a create is just as uncertain.
        c.push_fault(fault("POST", 1, respond(502, &[], "")));
        assert!(matches!(http.send(&spec).await, Err(ConnectorError::UnknownOutcome { .. })));
        // But a 429 on a create was not applied, so it is retried.
        c.push_fault(fault("POST", 1, respond(429, &[("Retry-After", "0")], "")));
        assert_eq!(http.send(&spec).await.unwrap().status, 201);
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn platform_errors_keep_their_message_and_code() {
        let (srv, c) = server(Arc::default()).await;
        c.push_fault(fault(
            "POST",
            1,
            respond(
                400,
                &[],
                r#"{"code":"product_invalid_sku","message":"Invalid or duplicated SKU.","data":{"status":400}}"#,
            ),
        ));
        c.push_fault(fault("POST", 1, respond(409, &[], r#"{"status":409,"title":"The product sku is a duplicate"}"#)));
        let http = Http::new(Budget::unlimited(), policy(), RateSignals::RetryAfter);
        let spec = RequestSpec::write(Method::POST, format!("{}/items", srv.base_url()), serde_json::json!({}), false);
        assert_eq!(
            http.send(&spec).await.unwrap_err(),
            ConnectorError::Rejected {
                status: 400,
                code: Some("product_invalid_sku".into()),
                message: "Invalid or duplicated SKU.".into()
            }
        );
        let e = http.send(&spec).await.unwrap_err();
        assert!(
            matches!(e, ConnectorError::Rejected { status: 409, ref message, .. } if message.contains("duplicate"))
        );
        assert!(!e.is_retryable());
    }

    #[tokio::test]
    async fn bigcommerce_headers_pace_the_next_requests() {
        let (srv, c) = server(Arc::default()).await;
        // The platform says: 0 left, window resets in 100 ms.
        c.push_fault(fault(
            "GET",
            1,
            respond(
                200,
                &[
                    ("X-Rate-Limit-Requests-Left", "0"),
                    ("X-Rate-Limit-Time-Reset-Ms", "100"),
                    ("X-Rate-Limit-Requests-Quota", "150"),
                    ("X-Rate-Limit-Time-Window-Ms", "30000"),
                ],
                "[]",
            ),
        ));
        let http = Http::new(
            Budget::new(BudgetConfig { quota: 150, window: Duration::from_secs(30) }),
            policy(),
            RateSignals::BigCommerce,
        );
        let url = format!("{}/items", srv.base_url());
        http.send(&RequestSpec::get(&url)).await.unwrap();
        let t0 = std::time::Instant::now();
        http.send(&RequestSpec::get(&url)).await.unwrap();
        assert!(t0.elapsed() >= Duration::from_millis(90), "waited for the reset instead of risking a 429");
        assert_eq!(c.counts().values().sum::<u64>(), 2, "no request was wasted on a 429");
    }
}
