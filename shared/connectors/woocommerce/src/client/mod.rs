//! HTTP client for one WooCommerce store (`/wp-json/wc/v3`).
//!
//! Every request goes through [`posbridge_connector_core::Http`]: paced by the store's shared
//! [`Budget`], retried on 429/5xx/timeouts with backoff and jitter, and never blindly re-sent
//! when a create may have landed ([`ConnectorError::UnknownOutcome`]). This module adds what is
//! WooCommerce's own:
//!
//! - HTTP Basic authentication with the consumer key and secret (HTTPS sites);
//! - WordPress paging (`per_page` at most 100, `X-WP-TotalPages` and `Link: rel="next"`), walked
//!   to the end by [`Client::list_all`];
//! - `/batch` at WooCommerce's maximum of 100 items per request, larger inputs split, each item's
//!   own error surfaced ([`batch`]);
//! - `create_*_settled`: a create whose outcome is unknown is read back (products and variations
//!   by SKU, customers by email, orders by the POS sale id posbridge writes in their meta,
//!   webhooks by topic and delivery URL) and only sent again when it did not land ([`settle`]);
//! - a 403 with an empty or HTML body comes from a firewall in front of WordPress, not from
//!   WooCommerce (whose 403s are JSON); it is reported as a retryable outage, not as a missing
//!   permission.
//!
//! Bodies are WooCommerce's JSON as `serde_json::Value`: the mapping module builds and reads them.

mod batch;
mod entities;
mod settle;

use std::fmt;

use base64::Engine;
use http::Method;
use posbridge_connector_core::{Budget, ConnectorError, Http, RateSignals, RequestSpec, RetryPolicy};
use serde_json::Value;

pub use batch::{BATCH_MAX, BatchRequest, BatchResult, ItemError};
pub use entities::{StockTarget, TermKind};

/// WordPress's largest page (`per_page` above 100 is a 400 `rest_invalid_param`).
pub const PER_PAGE_MAX: u32 = 100;

/// How to reach one store.
#[derive(Clone)]
pub struct ClientConfig {
    /// The REST root, e.g. `https://shop.example/wp-json/wc/v3`.
    pub base_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    /// Shared by every client of this store. WooCommerce has no limit of its own, so
    /// [`Budget::unlimited`] by default; a modest [`posbridge_connector_core::BudgetConfig`]
    /// suits shared hosting that throttles.
    pub budget: Budget,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(
        base_url: impl Into<String>,
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            budget: Budget::unlimited(),
            retry: RetryPolicy::default(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("consumer_key", &"<set>")
            .field("consumer_secret", &"<set>")
            .field("retry", &self.retry)
            .finish()
    }
}

/// One page of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Value>,
    /// `X-WP-Total`, when the server sent it.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`, when the server sent it.
    pub total_pages: Option<u64>,
    /// Whether another page follows.
    pub has_next: bool,
}

/// A WooCommerce store's REST API.
#[derive(Clone)]
pub struct Client {
    http: Http,
    base: String,
    authorization: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish_non_exhaustive()
    }
}

/// A 2xx answer. (The core's `Reply` is not exported, so its parts are moved here.)
struct Answer {
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConnectorError> {
        serde_json::from_slice(&self.body).map_err(|e| ConnectorError::Decode(e.to_string()))
    }

    fn header_u64(&self, name: &str) -> Option<u64> {
        self.headers.get(name)?.to_str().ok()?.trim().parse().ok()
    }
}

/// A 403 whose body is not a WooCommerce error: a WAF or host firewall. WooCommerce's own 403s
/// are JSON with a message; the core reports an HTML or empty body as its first characters.
fn firewall_to_outage(e: ConnectorError) -> ConnectorError {
    match e {
        ConnectorError::Forbidden { message } if message.trim().is_empty() || message.trim_start().starts_with('<') => {
            ConnectorError::Unavailable {
                status: Some(403),
                detail: "403 without a WooCommerce error body (a firewall in front of the store)".into(),
            }
        }
        other => other,
    }
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Self {
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", cfg.consumer_key, cfg.consumer_secret));
        Self {
            http: Http::new(cfg.budget, cfg.retry, RateSignals::RetryAfter),
            base: cfg.base_url.trim_end_matches('/').to_string(),
            authorization: format!("Basic {token}"),
        }
    }

    /// The store's shared budget (for metrics, or to hand to another task of the same store).
    pub fn budget(&self) -> &Budget {
        &self.http.budget
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut u = format!("{}{}", self.base, path);
        if !query.is_empty() {
            let qs = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(query.iter()).finish();
            u.push('?');
            u.push_str(&qs);
        }
        u
    }

    async fn send(&self, spec: RequestSpec) -> Result<Answer, ConnectorError> {
        let spec = spec.header("Authorization", &self.authorization);
        let reply = self.http.send(&spec).await.map_err(firewall_to_outage)?;
        Ok(Answer { headers: reply.headers, body: reply.body })
    }

    async fn send_json(&self, spec: RequestSpec) -> Result<Value, ConnectorError> {
        self.send(spec).await?.json()
    }

    pub(crate) async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, ConnectorError> {
        self.send_json(RequestSpec::get(self.url(path, query))).await
    }

    /// A create: not idempotent, so a timeout or 5xx comes back as `UnknownOutcome`.
    pub(crate) async fn post(&self, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        self.send_json(RequestSpec::write(Method::POST, self.url(path, &[]), body.clone(), false)).await
    }

    /// An update with the fields given: sending it twice leaves the same state.
    pub(crate) async fn put(&self, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        self.send_json(RequestSpec::write(Method::PUT, self.url(path, &[]), body.clone(), true)).await
    }

    /// `force=true`: WooCommerce otherwise trashes products and orders and refuses the rest.
    pub(crate) async fn delete(&self, path: &str) -> Result<Value, ConnectorError> {
        let mut spec = RequestSpec::get(self.url(path, &[("force", "true")]));
        spec.method = Method::DELETE;
        self.send_json(spec).await
    }

    /// One page of a collection (`page` from 1, `per_page` at most [`PER_PAGE_MAX`]).
    pub async fn list_page(
        &self,
        path: &str,
        query: &[(&str, &str)],
        page: u32,
        per_page: u32,
    ) -> Result<Page, ConnectorError> {
        let (page_s, per_s) = (page.max(1).to_string(), per_page.clamp(1, PER_PAGE_MAX).to_string());
        let mut q: Vec<(&str, &str)> =
            query.iter().filter(|(k, _)| *k != "page" && *k != "per_page").copied().collect();
        q.push(("page", &page_s));
        q.push(("per_page", &per_s));
        let reply = self.send(RequestSpec::get(self.url(path, &q))).await?;
        let items: Vec<Value> = reply.json()?;
        let total = reply.header_u64("x-wp-total");
        let total_pages = reply.header_u64("x-wp-totalpages");
        let link_next = reply
            .headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.split(',').any(|part| part.contains("rel=\"next\"")));
        // Proxies sometimes strip the paging headers: then a full page means "maybe more".
        let has_next = match total_pages {
            Some(tp) => u64::from(page) < tp,
            None => link_next || items.len() as u32 >= per_page.clamp(1, PER_PAGE_MAX),
        };
        Ok(Page { has_next: has_next && !items.is_empty(), items, total, total_pages })
    }

    /// Every item of a collection, walking pages of 100 until the last one.
    pub async fn list_all(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<Value>, ConnectorError> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let p = self.list_page(path, query, page, PER_PAGE_MAX).await?;
            out.extend(p.items);
            if !p.has_next {
                return Ok(out);
            }
            page += 1;
        }
    }
}

/// The numeric `id` of a WooCommerce record.
pub fn id_of(v: &Value) -> Option<u64> {
    v.get("id").and_then(Value::as_u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodyless_or_html_403s_are_firewall_outages() {
        let waf = firewall_to_outage(ConnectorError::Forbidden { message: "<html><body>Blocked</body>".into() });
        assert!(waf.is_retryable(), "{waf:?}");
        assert!(firewall_to_outage(ConnectorError::Forbidden { message: String::new() }).is_retryable());
        let wc = firewall_to_outage(ConnectorError::Forbidden { message: "Sorry, you cannot list resources.".into() });
        assert!(!wc.is_retryable());
    }

    #[test]
    fn debug_never_shows_the_keys() {
        let cfg = ClientConfig::new("https://shop/wp-json/wc/v3", "ck_secretish", "cs_secret");
        let shown = format!("{cfg:?} {:?}", Client::new(cfg.clone()));
        assert!(!shown.contains("ck_secretish") && !shown.contains("cs_secret"), "{shown}");
    }
}
