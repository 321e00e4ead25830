//! The BigCommerce HTTP client: typed calls over the platform's JSON (catalog v3, inventory v3,
//! customers v3 and groups v2, orders v2 with v3 refunds, webhooks v3), paging to the end at the
//! maximum page size, batch writes split at each endpoint's maximum, and creates that settle an
//! unknown outcome by reading back instead of sending a duplicate.
//!
//! Every request goes through [`posbridge_connector_core::Http`]: pacing to the store's shared
//! [`Budget`] (corrected from BigCommerce's `X-Rate-Limit-*` headers on every response), retries
//! of 429, 5xx and timeouts with backoff and jitter, and [`ConnectorError::UnknownOutcome`] for a
//! non-idempotent write whose answer was lost.

mod catalog;
mod customers;
mod hooks;
mod orders;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use http::Method;
use posbridge_connector_core::{Budget, BudgetConfig, ConnectorError, Http, RateSignals, RequestSpec, RetryPolicy};
use serde_json::Value;

pub use catalog::{InventoryItem, ItemRef};

/// v3 and v2 list pages hold at most this many records (`limit`; above it BigCommerce answers 413).
pub const MAX_PAGE: usize = 250;
/// `PUT /v3/catalog/products`.
pub const MAX_PRODUCT_BATCH: usize = 10;
/// `PUT /v3/catalog/variants`.
pub const MAX_VARIANT_BATCH: usize = 50;
/// `POST|PUT /v3/customers`.
pub const MAX_CUSTOMER_BATCH: usize = 10;
/// Inventory adjustments, absolute and relative.
pub const MAX_INVENTORY_ITEMS: usize = 2_000;
/// How many times a create is sent at most while settling (each resend only after a read-back
/// found nothing).
const SETTLE_ATTEMPTS: u32 = 3;

/// How to reach one store.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://api.bigcommerce.com` (or an emulator's base URL), no trailing slash.
    pub api_root: String,
    pub store_hash: String,
    /// The store's `X-Auth-Token`.
    pub access_token: String,
    /// Shared by every client and task of this store (BigCommerce counts per store).
    pub budget: Budget,
    pub retry: RetryPolicy,
    /// Records per list page (at most [`MAX_PAGE`]).
    pub page_size: usize,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_root", &self.api_root)
            .field("store_hash", &self.store_hash)
            .field("access_token", &"<set>")
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// The Standard/Plus plan budget (150 requests per 30 s, corrected from the headers as soon as
    /// the first answer arrives), the default retry policy, pages of 250.
    pub fn new(api_root: impl Into<String>, store_hash: impl Into<String>, access_token: impl Into<String>) -> Self {
        Self {
            api_root: api_root.into().trim_end_matches('/').to_string(),
            store_hash: store_hash.into(),
            access_token: access_token.into(),
            budget: Budget::new(BudgetConfig { quota: 150, window: Duration::from_secs(30) }),
            retry: RetryPolicy::default(),
            page_size: MAX_PAGE,
        }
    }
}

/// What a settled create found: the record it created, or one an earlier attempt (whose answer was
/// lost) had already created.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled<T> {
    Created(T),
    Existing(T),
}

impl<T> Settled<T> {
    pub fn into_inner(self) -> T {
        match self {
            Settled::Created(t) | Settled::Existing(t) => t,
        }
    }
    pub fn get(&self) -> &T {
        match self {
            Settled::Created(t) | Settled::Existing(t) => t,
        }
    }
    pub fn was_created(&self) -> bool {
        matches!(self, Settled::Created(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    V2,
    V3,
}

/// A query string as pairs (`("sku", "ABC")`, `("id:in", "1,2")`).
pub type Query<'a> = &'a [(&'a str, &'a str)];

/// A BigCommerce store's API.
#[derive(Debug, Clone)]
pub struct Client {
    http: Http,
    root: String,
    token: String,
    page_size: usize,
}

fn decode(detail: impl fmt::Display) -> ConnectorError {
    ConnectorError::Decode(detail.to_string())
}

/// `data` of a v3 envelope.
fn data(v: Option<Value>) -> Result<Value, ConnectorError> {
    match v {
        Some(Value::Object(mut o)) => o.remove("data").ok_or_else(|| decode("v3 answer without `data`")),
        Some(other) => Err(decode(format!("v3 answer is not an object: {other}"))),
        None => Err(decode("v3 answer without a body")),
    }
}

fn data_list(v: Option<Value>) -> Result<Vec<Value>, ConnectorError> {
    match data(v)? {
        Value::Array(a) => Ok(a),
        other => Err(decode(format!("expected a list in `data`, got {other}"))),
    }
}

/// A v2 answer: a bare object or array; `204` (no body) is an empty collection.
fn v2_list(v: Option<Value>) -> Result<Vec<Value>, ConnectorError> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(decode(format!("expected a v2 array, got {other}"))),
    }
}

fn id_of(v: &Value) -> Result<u64, ConnectorError> {
    v.get("id").and_then(Value::as_u64).ok_or_else(|| decode(format!("record without an id: {v}")))
}

/// A delete is done when the record is gone, also when a retried delete finds it already gone.
fn gone(r: Result<Option<Value>, ConnectorError>) -> Result<(), ConnectorError> {
    match r {
        Ok(_) | Err(ConnectorError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Self {
        Self {
            http: Http::new(cfg.budget, cfg.retry, RateSignals::BigCommerce),
            root: format!("{}/stores/{}", cfg.api_root.trim_end_matches('/'), cfg.store_hash),
            token: cfg.access_token,
            page_size: cfg.page_size.clamp(1, MAX_PAGE),
        }
    }

    /// The store's shared rate budget.
    pub fn budget(&self) -> &Budget {
        &self.http.budget
    }

    fn url(&self, api: Api, path: &str, query: Query<'_>) -> String {
        let v = match api {
            Api::V2 => "v2",
            Api::V3 => "v3",
        };
        let mut u = format!("{}/{v}/{}", self.root, path.trim_start_matches('/'));
        if !query.is_empty() {
            let q = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish();
            u.push('?');
            // BigCommerce filter names such as `id:in` are read with the colon as written.
            u.push_str(&q.replace("%3A", ":"));
        }
        u
    }

    /// Sends one request; `None` is an answer without a body (204).
    async fn send(&self, spec: RequestSpec) -> Result<Option<Value>, ConnectorError> {
        let spec = spec.header("X-Auth-Token", &self.token).header("Accept", "application/json");
        let reply = self.http.send(&spec).await?;
        if reply.status == 204 || reply.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        reply.json::<Value>().map(Some)
    }

    async fn get(&self, api: Api, path: &str, query: Query<'_>) -> Result<Option<Value>, ConnectorError> {
        self.send(RequestSpec::get(self.url(api, path, query))).await
    }

    async fn write(
        &self,
        method: Method,
        api: Api,
        path: &str,
        query: Query<'_>,
        body: Value,
        idempotent: bool,
    ) -> Result<Option<Value>, ConnectorError> {
        self.send(RequestSpec::write(method, self.url(api, path, query), body, idempotent)).await
    }

    async fn delete(&self, api: Api, path: &str, query: Query<'_>) -> Result<Option<Value>, ConnectorError> {
        let spec = RequestSpec {
            method: Method::DELETE,
            url: self.url(api, path, query),
            headers: Vec::new(),
            body: None,
            idempotent: true,
        };
        self.send(spec).await
    }

    /// Every record of a v3 list, page after page at `page_size`, until `meta.pagination` says
    /// the last page was read (a list without pagination is one page).
    async fn v3_all(&self, path: &str, query: Query<'_>) -> Result<Vec<Value>, ConnectorError> {
        let limit = self.page_size.to_string();
        let mut out = Vec::new();
        let mut page = 1usize;
        loop {
            let p = page.to_string();
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.extend([("page", p.as_str()), ("limit", limit.as_str())]);
            let body = self.get(Api::V3, path, &q).await?;
            let total_pages = body
                .as_ref()
                .and_then(|b| b.pointer("/meta/pagination/total_pages"))
                .and_then(Value::as_u64)
                .map(|n| n as usize);
            let items = data_list(body)?;
            let n = items.len();
            out.extend(items);
            match total_pages {
                Some(t) if page < t && n > 0 => page += 1,
                _ => return Ok(out),
            }
        }
    }

    /// Every record of a v2 list: pages until one comes back short, empty or `204`.
    async fn v2_all(&self, path: &str, query: Query<'_>) -> Result<Vec<Value>, ConnectorError> {
        let limit = self.page_size.to_string();
        let mut out = Vec::new();
        let mut page = 1usize;
        loop {
            let p = page.to_string();
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.extend([("page", p.as_str()), ("limit", limit.as_str())]);
            let items = v2_list(self.get(Api::V2, path, &q).await?)?;
            let n = items.len();
            out.extend(items);
            if n < self.page_size {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// Store settings (`GET /v2/store`: `weight_units`, `dimension_units`, currency...).
    pub async fn store_info(&self) -> Result<Value, ConnectorError> {
        self.get(Api::V2, "store", &[]).await?.ok_or_else(|| decode("empty store information"))
    }
}

/// Sends a create and settles a lost answer: on [`ConnectorError::UnknownOutcome`] it reads back
/// (`find`); a record found is the one the lost attempt made, otherwise the create is sent again.
/// A 409/422 after a lost answer is also read back (the lost attempt may hold the SKU or name).
async fn settle<C, CF, F, FF>(what: &str, create: C, find: F) -> Result<Settled<Value>, ConnectorError>
where
    C: Fn() -> CF,
    CF: Future<Output = Result<Value, ConnectorError>>,
    F: Fn() -> FF,
    FF: Future<Output = Result<Option<Value>, ConnectorError>>,
{
    let mut unknown: Option<ConnectorError> = None;
    for attempt in 1..=SETTLE_ATTEMPTS {
        match create().await {
            Ok(v) => return Ok(Settled::Created(v)),
            Err(e @ ConnectorError::UnknownOutcome { .. }) => {
                tracing::warn!(what, attempt, error = %e, "create outcome unknown; reading back");
                if let Some(v) = find().await? {
                    return Ok(Settled::Existing(v));
                }
                unknown = Some(e);
            }
            Err(e @ ConnectorError::Rejected { status: 409 | 422, .. }) if unknown.is_some() => {
                return match find().await? {
                    Some(v) => Ok(Settled::Existing(v)),
                    None => Err(e),
                };
            }
            Err(e) => return Err(e),
        }
    }
    Err(unknown.unwrap_or(ConnectorError::UnknownOutcome { detail: format!("{what}: not settled") }))
}
