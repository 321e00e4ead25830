//! The Ecwid REST v3 client: typed calls over `https://app.ecwid.com/api/v3/{storeId}`, every
//! request through [`Http::send`] (pacing to the store's 600 requests/minute budget, `Retry-After`
//! on 429, retries of 429/5xx/timeouts with backoff and jitter).
//!
//! Records are `serde_json::Value` in the API's shapes, the input and output of [`crate::mapping`].
//! Lists walk `offset`/`limit` pages of 100 (the maximum) to the end. Creates come in two kinds:
//! plain (`create_product`, ...), which report a timeout or 5xx as
//! [`ConnectorError::UnknownOutcome`], and `*_settled` (see [`settle`]), which read back by SKU,
//! email, options, name or the order's `externalOrderId` before sending the create again.
//! Bulk writes go through the Batch API (500 requests a batch, [`batch`]).
//!
//! Webhooks are configured on the Ecwid app registration, not by API, so there are no
//! subscription calls. Refunds have no write API (Ecwid Payments only): a POS refund is written
//! as its own `REFUNDED` order by the mapping.

pub mod batch;
pub mod settle;

use std::fmt;
use std::time::Duration;

use http::Method;
use posbridge_connector_core::{Budget, BudgetConfig, ConnectorError, Http, RateSignals, RequestSpec, RetryPolicy};
use serde::Deserialize;
use serde_json::{Value, json};

pub use batch::{BatchOutcome, BatchRequest, MAX_BATCH};
pub use settle::Created;

/// Ecwid's maximum `limit` on every list endpoint.
pub const MAX_PAGE: u64 = 100;

/// Ecwid's budget: 600 requests per minute per token (PLATFORM-FACTS §2.5).
pub fn ecwid_budget() -> Budget {
    Budget::new(BudgetConfig { quota: 600, window: Duration::from_secs(60) })
}

/// How to reach one Ecwid store.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://app.ecwid.com` (or an emulator's base URL), without a trailing slash.
    pub base_url: String,
    pub store_id: u64,
    /// The `secret_…` access token, sent as `Authorization: Bearer`.
    pub token: String,
    /// Share one budget between every client of the same store (token).
    pub budget: Budget,
    pub retry: RetryPolicy,
    /// How many times a `*_settled` create is sent at most (read-backs in between).
    pub settle_attempts: u32,
    /// Wait between polls of a batch ticket.
    pub batch_poll: Duration,
}

impl ClientConfig {
    /// Production defaults: Ecwid's budget and the core's retry policy.
    pub fn new(base_url: impl Into<String>, store_id: u64, token: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            store_id,
            token: token.into(),
            budget: ecwid_budget(),
            retry: RetryPolicy::default(),
            settle_attempts: 3,
            batch_poll: Duration::from_millis(500),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("store_id", &self.store_id)
            .field("token", &"<set>")
            .field("retry", &self.retry)
            .field("settle_attempts", &self.settle_attempts)
            .finish()
    }
}

/// One page of an Ecwid search: `{total, count, offset, limit, items}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page {
    pub total: u64,
    pub count: u64,
    pub offset: u64,
    pub limit: u64,
    pub items: Vec<Value>,
}

/// The answer to `PUT …/inventory`: `{updateCount, warning?}` (warning when stock went negative).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InventoryUpdate {
    #[serde(rename = "updateCount")]
    pub update_count: u64,
    #[serde(default)]
    pub warning: Option<String>,
}

/// A client for one Ecwid store. Cheap to clone (the HTTP pool and the budget are shared).
#[derive(Clone)]
pub struct Client {
    http: Http,
    api: String,
    auth: String,
    settle_attempts: u32,
    batch_poll: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("api", &self.api).finish_non_exhaustive()
    }
}

fn id_of(v: &Value) -> Result<u64, ConnectorError> {
    v.get("id").and_then(Value::as_u64).ok_or_else(|| ConnectorError::Decode(format!("no numeric id in {v}")))
}

fn update_count(v: &Value) -> Result<u64, ConnectorError> {
    v.get("updateCount").and_then(Value::as_u64).ok_or_else(|| ConnectorError::Decode(format!("no updateCount in {v}")))
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Self {
        Self {
            http: Http::new(cfg.budget, cfg.retry, RateSignals::RetryAfter),
            api: format!("{}/api/v3/{}", cfg.base_url, cfg.store_id),
            auth: format!("Bearer {}", cfg.token),
            settle_attempts: cfg.settle_attempts.max(1),
            batch_poll: cfg.batch_poll,
        }
    }

    /// The store's shared request budget.
    pub fn budget(&self) -> &Budget {
        &self.http.budget
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> Result<String, ConnectorError> {
        let mut u = url::Url::parse(&format!("{}{path}", self.api))
            .map_err(|e| ConnectorError::Decode(format!("bad URL {}{path}: {e}", self.api)))?;
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(u.into())
    }

    async fn call(&self, spec: RequestSpec) -> Result<Value, ConnectorError> {
        let reply = self.http.send(&spec.header("Authorization", &self.auth)).await?;
        if reply.body.is_empty() {
            return Ok(Value::Null);
        }
        reply.json()
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ConnectorError> {
        self.call(RequestSpec::get(self.url(path, query)?)).await
    }

    /// `POST` of a new record: not idempotent, so a timeout or 5xx is `UnknownOutcome`.
    async fn create(&self, path: &str, body: &Value) -> Result<u64, ConnectorError> {
        let v = self.call(RequestSpec::write(Method::POST, self.url(path, &[])?, body.clone(), false)).await?;
        id_of(&v)
    }

    /// `PUT` of fields (partial update): the same body twice gives the same record.
    async fn put(&self, path: &str, body: &Value) -> Result<u64, ConnectorError> {
        let v = self.call(RequestSpec::write(Method::PUT, self.url(path, &[])?, body.clone(), true)).await?;
        update_count(&v)
    }

    async fn delete(&self, path: &str) -> Result<u64, ConnectorError> {
        let spec = RequestSpec {
            method: Method::DELETE,
            url: self.url(path, &[])?,
            headers: Vec::new(),
            body: None,
            idempotent: true,
        };
        let v = self.call(spec).await?;
        v.get("deleteCount")
            .and_then(Value::as_u64)
            .ok_or_else(|| ConnectorError::Decode(format!("no deleteCount in {v}")))
    }

    /// A stock delta (`quantityDelta`): sending it twice moves stock twice, so it is never
    /// retried after a timeout or 5xx (`UnknownOutcome`; the caller decides, e.g. by reading stock).
    async fn adjust(&self, path: &str, delta: i64) -> Result<InventoryUpdate, ConnectorError> {
        let body = json!({ "quantityDelta": delta });
        let v = self.call(RequestSpec::write(Method::PUT, self.url(path, &[])?, body, false)).await?;
        serde_json::from_value(v).map_err(|e| ConnectorError::Decode(e.to_string()))
    }

    /// One page of a search; `limit` is capped at [`MAX_PAGE`].
    pub async fn page(
        &self,
        path: &str,
        filters: &[(&str, String)],
        offset: u64,
        limit: u64,
    ) -> Result<Page, ConnectorError> {
        let mut q = filters.to_vec();
        q.push(("offset", offset.to_string()));
        q.push(("limit", limit.min(MAX_PAGE).to_string()));
        let v = self.get(path, &q).await?;
        serde_json::from_value(v).map_err(|e| ConnectorError::Decode(format!("not a search page: {e}")))
    }

    /// Every item of a search, 100 a page, until `total` is reached or a page comes back empty.
    pub async fn all(&self, path: &str, filters: &[(&str, String)]) -> Result<Vec<Value>, ConnectorError> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let p = self.page(path, filters, offset, MAX_PAGE).await?;
            let n = p.items.len() as u64;
            out.extend(p.items);
            offset += n;
            if n == 0 || offset >= p.total {
                return Ok(out);
            }
        }
    }

    // ---------- products ----------

    pub async fn products_page(&self, filters: &[(&str, String)], offset: u64) -> Result<Page, ConnectorError> {
        self.page("/products", filters, offset, MAX_PAGE).await
    }
    /// All products matching `filters` (`updatedFrom`, `enabled`, `sortBy`, ...).
    pub async fn list_products(&self, filters: &[(&str, String)]) -> Result<Vec<Value>, ConnectorError> {
        self.all("/products", filters).await
    }
    pub async fn get_product(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/products/{id}"), &[]).await
    }
    /// Products whose own SKU, or one of whose variations' SKU, is `sku`.
    pub async fn find_products_by_sku(&self, sku: &str) -> Result<Vec<Value>, ConnectorError> {
        self.all("/products", &[("sku", sku.to_string())]).await
    }
    /// `POST /products`; 409 `SKU_ALREADY_EXISTS` comes back as `Rejected` with that code.
    pub async fn create_product(&self, body: &Value) -> Result<u64, ConnectorError> {
        self.create("/products", body).await
    }
    pub async fn update_product(&self, id: u64, body: &Value) -> Result<u64, ConnectorError> {
        self.put(&format!("/products/{id}"), body).await
    }
    pub async fn delete_product(&self, id: u64) -> Result<u64, ConnectorError> {
        self.delete(&format!("/products/{id}")).await
    }

    // ---------- variations (combinations) ----------

    /// A product's variations (a bare array, not paged).
    pub async fn list_combinations(&self, product_id: u64) -> Result<Vec<Value>, ConnectorError> {
        match self.get(&format!("/products/{product_id}/combinations"), &[]).await? {
            Value::Array(a) => Ok(a),
            other => Err(ConnectorError::Decode(format!("combinations are not an array: {other}"))),
        }
    }
    pub async fn get_combination(&self, product_id: u64, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/products/{product_id}/combinations/{id}"), &[]).await
    }
    pub async fn create_combination(&self, product_id: u64, body: &Value) -> Result<u64, ConnectorError> {
        self.create(&format!("/products/{product_id}/combinations"), body).await
    }
    pub async fn update_combination(&self, product_id: u64, id: u64, body: &Value) -> Result<u64, ConnectorError> {
        self.put(&format!("/products/{product_id}/combinations/{id}"), body).await
    }
    pub async fn delete_combination(&self, product_id: u64, id: u64) -> Result<u64, ConnectorError> {
        self.delete(&format!("/products/{product_id}/combinations/{id}")).await
    }

    // ---------- inventory ----------

    /// Absolute stock of a product (`PUT /products/{id}` with `quantity`; starts tracking).
    pub async fn set_product_stock(&self, id: u64, quantity: i64) -> Result<u64, ConnectorError> {
        self.update_product(id, &json!({ "quantity": quantity, "unlimited": false })).await
    }
    /// Absolute stock of a variation.
    pub async fn set_combination_stock(&self, product_id: u64, id: u64, quantity: i64) -> Result<u64, ConnectorError> {
        self.update_combination(product_id, id, &json!({ "quantity": quantity, "unlimited": false })).await
    }
    /// `PUT /products/{id}/inventory` `{quantityDelta}`.
    pub async fn adjust_product_stock(&self, id: u64, delta: i64) -> Result<InventoryUpdate, ConnectorError> {
        self.adjust(&format!("/products/{id}/inventory"), delta).await
    }
    /// `PUT /products/{id}/combinations/{cid}/inventory` `{quantityDelta}`.
    pub async fn adjust_combination_stock(
        &self,
        product_id: u64,
        id: u64,
        delta: i64,
    ) -> Result<InventoryUpdate, ConnectorError> {
        self.adjust(&format!("/products/{product_id}/combinations/{id}/inventory"), delta).await
    }

    // ---------- categories ----------

    /// All categories, hidden ones included (`hidden_categories=true`).
    pub async fn list_categories(&self, filters: &[(&str, String)]) -> Result<Vec<Value>, ConnectorError> {
        let mut q = filters.to_vec();
        q.push(("hidden_categories", "true".into()));
        self.all("/categories", &q).await
    }
    pub async fn get_category(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/categories/{id}"), &[]).await
    }
    pub async fn create_category(&self, body: &Value) -> Result<u64, ConnectorError> {
        self.create("/categories", body).await
    }
    pub async fn update_category(&self, id: u64, body: &Value) -> Result<u64, ConnectorError> {
        self.put(&format!("/categories/{id}"), body).await
    }
    pub async fn delete_category(&self, id: u64) -> Result<u64, ConnectorError> {
        self.delete(&format!("/categories/{id}")).await
    }

    // ---------- customers and groups ----------

    pub async fn list_customers(&self, filters: &[(&str, String)]) -> Result<Vec<Value>, ConnectorError> {
        self.all("/customers", filters).await
    }
    pub async fn get_customer(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/customers/{id}"), &[]).await
    }
    /// The customer with this email (Ecwid keeps emails unique per store).
    pub async fn find_customer_by_email(&self, email: &str) -> Result<Option<Value>, ConnectorError> {
        let found = self.page("/customers", &[("email", email.to_string())], 0, MAX_PAGE).await?;
        Ok(found.items.into_iter().find(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))))
    }
    pub async fn create_customer(&self, body: &Value) -> Result<u64, ConnectorError> {
        self.create("/customers", body).await
    }
    pub async fn update_customer(&self, id: u64, body: &Value) -> Result<u64, ConnectorError> {
        self.put(&format!("/customers/{id}"), body).await
    }
    pub async fn delete_customer(&self, id: u64) -> Result<u64, ConnectorError> {
        self.delete(&format!("/customers/{id}")).await
    }
    pub async fn list_customer_groups(&self) -> Result<Vec<Value>, ConnectorError> {
        self.all("/customer_groups", &[]).await
    }
    pub async fn get_customer_group(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/customer_groups/{id}"), &[]).await
    }
    pub async fn create_customer_group(&self, body: &Value) -> Result<u64, ConnectorError> {
        self.create("/customer_groups", body).await
    }
    pub async fn update_customer_group(&self, id: u64, body: &Value) -> Result<u64, ConnectorError> {
        self.put(&format!("/customer_groups/{id}"), body).await
    }

    // ---------- orders ----------

    /// All orders matching `filters` (`createdFrom`, `updatedFrom`, `paymentStatus`, ...).
    pub async fn list_orders(&self, filters: &[(&str, String)]) -> Result<Vec<Value>, ConnectorError> {
        self.all("/orders", filters).await
    }
    /// By order number or the alphanumeric order id.
    pub async fn get_order(&self, id: &str) -> Result<Value, ConnectorError> {
        self.get(&format!("/orders/{id}"), &[]).await
    }
    /// `POST /orders`; returns the order number.
    pub async fn create_order(&self, body: &Value) -> Result<u64, ConnectorError> {
        self.create("/orders", body).await
    }
    /// Partial update. Careful: `items`, when present, replaces every item of the order.
    pub async fn update_order(&self, id: &str, body: &Value) -> Result<u64, ConnectorError> {
        self.put(&format!("/orders/{id}"), body).await
    }
    /// Status change (the body of `mapping::order::status_update_to_ecwid`, or these two).
    pub async fn update_order_status(
        &self,
        id: &str,
        payment_status: Option<&str>,
        fulfillment_status: Option<&str>,
    ) -> Result<u64, ConnectorError> {
        let mut body = serde_json::Map::new();
        if let Some(p) = payment_status {
            body.insert("paymentStatus".into(), json!(p));
        }
        if let Some(f) = fulfillment_status {
            body.insert("fulfillmentStatus".into(), json!(f));
        }
        self.update_order(id, &Value::Object(body)).await
    }
    pub async fn delete_order(&self, id: &str) -> Result<u64, ConnectorError> {
        self.delete(&format!("/orders/{id}")).await
    }
}
