//! The POS's HTTP client: typed calls over `/api/v1`, every request paced and retried by the
//! connector core's [`Http`], plus what only the POS needs:
//!
//! - **OAuth2 with expiring tokens.** A 401 means the access token expired: the client refreshes
//!   once (`POST /oauth/token`, form-encoded, `grant_type=refresh_token`) and repeats the request
//!   with the new token. Refresh tokens are single-use and rotate, so refreshes are serialized:
//!   of many requests that see a 401 at once, one refreshes and the others reuse its tokens. The
//!   new pair is handed to [`ClientConfig::on_tokens`] (and readable with [`Client::tokens`]) so
//!   the caller can re-seal it; a lost pair means the merchant has to reconnect.
//! - **Paging to the end**: `{entity}/get_all?page_size&skip_count` until no `next` comes back.
//! - **Writes whose outcome is unknown** are settled by reading back before anything is sent
//!   again: products by SKU, customers by email, webhooks by URL. A sale carries its
//!   `external_reference`, which the POS treats as an idempotency key, so a sale create with one is
//!   safe to repeat and the core retries it like a read.
//!
//! The POS has no batch endpoints and no documented rate limit: writes go one by one, paced by a
//! modest [`Budget`] shared per store, and a 429 is waited out per `Retry-After`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::Method;
use posbridge_connector_core::{Budget, BudgetConfig, ConnectorError, Http, RateSignals, RequestSpec, RetryPolicy};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::wire::{
    PosCustomer, PosCustomerInput, PosNamed, PosNamedInput, PosOutlet, PosPaymentType, PosProduct, PosProductInput,
    PosRegister, PosSale, PosSaleInput, PosStoreSettings, PosTax,
};

/// The largest `page_size` the POS accepts.
pub const MAX_PAGE_SIZE: usize = 1000;

/// A conservative default: Hike publishes no limit (PLATFORM-FACTS §5).
pub fn default_budget() -> Budget {
    Budget::new(BudgetConfig { quota: 120, window: Duration::from_secs(60) })
}

/// An access + refresh token pair as the POS issued it.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: SecretString,
    pub refresh_token: SecretString,
    /// Unix seconds, when the POS said (`expires_in`).
    pub expires_at: Option<i64>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<set>")
            .field("refresh_token", &"<set>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Called with every new token pair, before the request that needed it is repeated.
pub type TokenSink = Arc<dyn Fn(&Tokens) + Send + Sync>;

/// Everything a [`Client`] needs for one store.
#[derive(Clone)]
pub struct ClientConfig {
    /// The POS host, e.g. `https://api.hikeup.com` (the API is under `/api/v1`, OAuth under `/oauth`).
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub tokens: Tokens,
    /// Shared by every client of the store.
    pub budget: Budget,
    pub policy: RetryPolicy,
    /// Items per `get_all` page, 1..=[`MAX_PAGE_SIZE`].
    pub page_size: usize,
    pub on_tokens: Option<TokenSink>,
}

impl ClientConfig {
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
        tokens: Tokens,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret,
            tokens,
            budget: default_budget(),
            policy: RetryPolicy::default(),
            page_size: MAX_PAGE_SIZE,
            on_tokens: None,
        }
    }
}

/// One page of a `get_all` list.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    #[serde(rename = "totalCount")]
    pub total_count: u64,
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// One entry of the POS's change log (`GET events`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PosEvent {
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: String,
    pub entity: String,
    pub entity_id: i64,
    pub occurred_at: String,
    pub data: Value,
}

/// What `GET events?since=` answers: events after the cursor and the cursor to pass next.
#[derive(Debug, Clone, Deserialize)]
pub struct EventPage {
    #[serde(rename = "totalCount")]
    pub total_count: u64,
    pub items: Vec<PosEvent>,
    pub next: Option<String>,
    pub cursor: u64,
}

/// A webhook subscription; `secret` only on creation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PosWebhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub is_active: bool,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: String,
    expires_in: Option<i64>,
}

struct Auth {
    tokens: Mutex<Tokens>,
    /// Held while refreshing, so a single-use refresh token is spent once.
    refreshing: tokio::sync::Mutex<()>,
}

/// See the module docs. Cheap to clone; clones share tokens and budget.
#[derive(Clone)]
pub struct Client {
    http: Http,
    /// For the form-encoded token endpoint, which the core's JSON-only [`Http`] cannot send.
    raw: reqwest::Client,
    api: String,
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    policy: RetryPolicy,
    page_size: usize,
    auth: Arc<Auth>,
    on_tokens: Option<TokenSink>,
}

fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The POS answers errors as `{"error":{"code","message"}}`; the core reads only top-level
/// `code`/`message`, so lift the POS's code (e.g. `duplicate_sku`) where the core left it out.
fn lift_pos_error(e: ConnectorError) -> ConnectorError {
    match e {
        ConnectorError::Rejected { status, code: None, message } => {
            let inner = serde_json::from_str::<Value>(&message).ok().and_then(|v| v.get("error").cloned());
            match inner {
                Some(Value::Object(o)) => ConnectorError::Rejected {
                    status,
                    code: o.get("code").and_then(Value::as_str).map(str::to_string),
                    message: o.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or(message),
                },
                _ => ConnectorError::Rejected { status, code: None, message },
            }
        }
        other => other,
    }
}

fn is_rejected(e: &ConnectorError, want: &str) -> bool {
    matches!(e, ConnectorError::Rejected { code: Some(c), .. } if c == want)
}

fn encode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Self {
        let base = cfg.base_url.trim_end_matches('/').to_string();
        let raw = reqwest::Client::builder().timeout(cfg.policy.timeout).build().expect("static client settings");
        Self {
            http: Http::new(cfg.budget, cfg.policy, RateSignals::RetryAfter),
            raw,
            api: format!("{base}/api/v1"),
            token_url: format!("{base}/oauth/token"),
            client_id: cfg.client_id,
            client_secret: cfg.client_secret,
            policy: cfg.policy,
            page_size: cfg.page_size.clamp(1, MAX_PAGE_SIZE),
            auth: Arc::new(Auth { tokens: Mutex::new(cfg.tokens), refreshing: tokio::sync::Mutex::new(()) }),
            on_tokens: cfg.on_tokens,
        }
    }

    /// The current token pair (re-seal it after a refresh).
    pub fn tokens(&self) -> Tokens {
        self.auth.tokens.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn access_token(&self) -> String {
        self.tokens().access_token.expose_secret().to_string()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.api, path.trim_start_matches('/'))
    }

    /// Sends with the bearer token; on a 401, refreshes once and repeats (a refused request was
    /// not applied, so repeating a create is safe). Answers the body (the core does not export
    /// its `Reply` type).
    async fn send(&self, spec: RequestSpec) -> Result<Vec<u8>, ConnectorError> {
        let used = self.access_token();
        let first = spec.clone().header("Authorization", format!("Bearer {used}"));
        match self.http.send(&first).await {
            Err(ConnectorError::Unauthorized) => {
                self.refresh_after(&used).await?;
                let again = spec.header("Authorization", format!("Bearer {}", self.access_token()));
                self.http.send(&again).await.map(|r| r.body).map_err(lift_pos_error)
            }
            other => other.map(|r| r.body).map_err(lift_pos_error),
        }
    }

    async fn call<T: DeserializeOwned>(&self, spec: RequestSpec) -> Result<T, ConnectorError> {
        let body = self.send(spec).await?;
        serde_json::from_slice(&body).map_err(|e| ConnectorError::Decode(e.to_string()))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ConnectorError> {
        self.call(RequestSpec::get(self.url(path))).await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: Value, idempotent: bool) -> Result<T, ConnectorError> {
        self.call(RequestSpec::write(Method::POST, self.url(path), body, idempotent)).await
    }

    /// Refreshes unless another task already replaced `stale` while we waited for the lock.
    async fn refresh_after(&self, stale: &str) -> Result<(), ConnectorError> {
        let _held = self.auth.refreshing.lock().await;
        if self.access_token() != stale {
            return Ok(());
        }
        let refresh = self.tokens().refresh_token.expose_secret().to_string();
        let body = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
            encode(&refresh),
            encode(&self.client_id),
            encode(self.client_secret.expose_secret())
        );
        let got = self.post_token(body).await?;
        let tokens = Tokens {
            access_token: SecretString::from(got.access_token),
            refresh_token: SecretString::from(got.refresh_token),
            expires_at: got.expires_in.map(|s| now_unix() + s),
        };
        *self.auth.tokens.lock().unwrap_or_else(|p| p.into_inner()) = tokens.clone();
        tracing::info!("POS access token refreshed");
        if let Some(sink) = &self.on_tokens {
            sink(&tokens);
        }
        Ok(())
    }

    /// The token request. Only what certainly did not reach the POS is repeated (a refused
    /// connection, a 429): after a timeout or 5xx the refresh token may already be spent, and a
    /// second try would only get `invalid_grant`.
    async fn post_token(&self, body: String) -> Result<TokenResponse, ConnectorError> {
        let mut last = ConnectorError::Unavailable { status: None, detail: "not attempted".into() };
        for attempt in 0..self.policy.max_attempts.max(1) {
            self.http.budget.acquire().await;
            let sent = self
                .raw
                .post(&self.token_url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .body(body.clone())
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) if e.is_connect() => {
                    last = ConnectorError::Unavailable { status: None, detail: e.to_string() };
                    tokio::time::sleep(self.policy.base_backoff.saturating_mul(1 << attempt.min(8))).await;
                    continue;
                }
                Err(e) => return Err(ConnectorError::Unavailable { status: None, detail: e.to_string() }),
            };
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| ConnectorError::Unavailable { status: Some(status), detail: e.to_string() })?;
            match status {
                200..=299 => {
                    return serde_json::from_slice(&bytes).map_err(|e| ConnectorError::Decode(e.to_string()));
                }
                429 => {
                    let wait = retry_after.unwrap_or(self.policy.bare_429_wait);
                    self.http.budget.pause(wait);
                    last = ConnectorError::RateLimited { retry_after: wait };
                }
                // invalid_grant (spent or revoked refresh token), invalid_client: reconnect.
                400 | 401 => {
                    tracing::warn!(status, "POS refused the refresh token");
                    return Err(ConnectorError::Unauthorized);
                }
                _ => {
                    return Err(ConnectorError::Unavailable {
                        status: Some(status),
                        detail: format!("token refresh: HTTP {status}"),
                    });
                }
            }
        }
        Err(last)
    }

    // ----- paging -----

    /// One page of `{path}` (e.g. `products/get_all`), with extra query pairs.
    pub async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        skip: usize,
    ) -> Result<Page<T>, ConnectorError> {
        // Built before the await: the serializer is not `Send`.
        let query = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in query {
                q.append_pair(k, v);
            }
            q.append_pair("page_size", &self.page_size.to_string());
            q.append_pair("skip_count", &skip.to_string());
            q.finish()
        };
        self.get(&format!("{path}?{query}")).await
    }

    /// Every item of a `get_all` list: pages until the POS sends no `next`.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, ConnectorError> {
        let mut out = Vec::new();
        loop {
            let page: Page<T> = self.page(path, query, out.len()).await?;
            let done = page.next.is_none() || page.items.is_empty();
            out.extend(page.items);
            if done {
                return Ok(out);
            }
        }
    }

    // ----- store, outlets, registers, reference lists -----

    pub async fn store(&self) -> Result<PosStoreSettings, ConnectorError> {
        self.get("store/get").await
    }

    pub async fn outlets(&self) -> Result<Vec<PosOutlet>, ConnectorError> {
        self.get_all("outlets/get_all", &[]).await
    }

    pub async fn registers(&self) -> Result<Vec<PosRegister>, ConnectorError> {
        self.get_all("outlets/get_Registers_all", &[]).await
    }

    /// Opening an open register changes nothing, so this is safe to repeat.
    pub async fn open_register(&self, id: i64) -> Result<PosRegister, ConnectorError> {
        self.post(&format!("registers/open/{id}"), json!({}), true).await
    }

    pub async fn close_register(&self, id: i64) -> Result<PosRegister, ConnectorError> {
        self.post(&format!("registers/close/{id}"), json!({}), true).await
    }

    /// Register closures closed within `[from, to]` (ISO 8601).
    pub async fn register_closures(&self, from: &str, to: &str) -> Result<Vec<Value>, ConnectorError> {
        self.get_all(
            "registerClosures/get_all",
            &[("closure_range_from", from.into()), ("closure_range_to", to.into())],
        )
        .await
    }

    pub async fn taxes(&self) -> Result<Vec<PosTax>, ConnectorError> {
        self.get_all("taxes/get_all", &[]).await
    }

    pub async fn payment_types(&self) -> Result<Vec<PosPaymentType>, ConnectorError> {
        self.get_all("payment_types/get_all", &[]).await
    }

    /// `kind`: `product_types`, `brands` or `customer_groups`.
    pub async fn named(&self, kind: &str) -> Result<Vec<PosNamed>, ConnectorError> {
        self.get_all(&format!("{kind}/get_all"), &[]).await
    }

    /// Creates (or with `id`, renames) a product type, brand or customer group. A create whose
    /// outcome is unknown is settled by name.
    pub async fn upsert_named(&self, kind: &str, input: &PosNamedInput) -> Result<PosNamed, ConnectorError> {
        let body = serde_json::to_value(input).map_err(|e| ConnectorError::Decode(e.to_string()))?;
        match self.post(&format!("{kind}/create"), body, input.id.is_some()).await {
            Err(ConnectorError::UnknownOutcome { detail }) => {
                let found = self.named(kind).await?.into_iter().find(|n| n.name.eq_ignore_ascii_case(&input.name));
                found.ok_or(ConnectorError::UnknownOutcome { detail })
            }
            other => other,
        }
    }

    // ----- products -----

    pub async fn products(&self) -> Result<Vec<PosProduct>, ConnectorError> {
        self.get_all("products/get_all", &[]).await
    }

    /// Products whose SKU, barcode or name contain `filter`.
    pub async fn products_matching(&self, filter: &str) -> Result<Vec<PosProduct>, ConnectorError> {
        self.get_all("products/get_all", &[("Filter", filter.into())]).await
    }

    pub async fn product(&self, id: i64) -> Result<PosProduct, ConnectorError> {
        self.get(&format!("products/get/{id}")).await
    }

    /// The product owning `sku` (its own or a variant's); `None` when there is none.
    pub async fn product_by_sku(&self, sku: &str) -> Result<Option<PosProduct>, ConnectorError> {
        match self.get(&format!("products/by_sku?sku={}", encode(sku))).await {
            Err(ConnectorError::NotFound) => Ok(None),
            other => other.map(Some),
        }
    }

    /// `POST products/create`: an update when `input.id` is set (safe to repeat), else a create
    /// (not: a timeout comes back as `UnknownOutcome`; see [`Self::create_product_settled`]).
    pub async fn upsert_product(&self, input: &PosProductInput) -> Result<PosProduct, ConnectorError> {
        let body = serde_json::to_value(input).map_err(|e| ConnectorError::Decode(e.to_string()))?;
        self.post("products/create", body, input.id.is_some()).await
    }

    /// Creates a product, never twice: when the outcome is unknown, reads back by SKU and returns
    /// the product if the create landed; otherwise creates again (a few times at most). A 409
    /// `duplicate_sku` on that second try means the first one landed after our read: read again.
    /// Without a SKU there is nothing to read back by, so `UnknownOutcome` is returned.
    pub async fn create_product_settled(&self, input: &PosProductInput) -> Result<PosProduct, ConnectorError> {
        let Some(sku) = input.sku.clone().filter(|_| input.id.is_none()) else {
            return self.upsert_product(input).await;
        };
        let mut retried = false;
        for _ in 0..3 {
            match self.upsert_product(input).await {
                Err(ConnectorError::UnknownOutcome { detail }) => {
                    tracing::info!(%detail, "product create outcome unknown; reading back by SKU");
                    if let Some(p) = self.product_by_sku(&sku).await? {
                        return Ok(p);
                    }
                    retried = true;
                }
                Err(e) if retried && is_rejected(&e, "duplicate_sku") => {
                    return self.product_by_sku(&sku).await?.ok_or(e);
                }
                other => return other,
            }
        }
        Err(ConnectorError::UnknownOutcome { detail: format!("product {sku}: create not settled") })
    }

    pub async fn delete_product(&self, id: i64) -> Result<Value, ConnectorError> {
        self.call(RequestSpec {
            method: Method::DELETE,
            url: self.url(&format!("products/delete/{id}")),
            headers: vec![],
            body: None,
            idempotent: true,
        })
        .await
    }

    // ----- customers -----

    pub async fn customers(&self) -> Result<Vec<PosCustomer>, ConnectorError> {
        self.get_all("customers/get_all", &[]).await
    }

    pub async fn customer(&self, id: i64) -> Result<PosCustomer, ConnectorError> {
        self.get(&format!("customers/get/{id}")).await
    }

    /// The customer with exactly this email (case-insensitive).
    pub async fn customer_by_email(&self, email: &str) -> Result<Option<PosCustomer>, ConnectorError> {
        let all: Vec<PosCustomer> = self.get_all("customers/get_all", &[("Filter", email.into())]).await?;
        Ok(all.into_iter().find(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email))))
    }

    /// Create, or update when `input.id` is set.
    pub async fn upsert_customer(&self, input: &PosCustomerInput) -> Result<PosCustomer, ConnectorError> {
        let body = serde_json::to_value(input).map_err(|e| ConnectorError::Decode(e.to_string()))?;
        self.post("customers/create", body, input.id.is_some()).await
    }

    /// Creates a customer, settling an unknown outcome by email (as products by SKU).
    pub async fn create_customer_settled(&self, input: &PosCustomerInput) -> Result<PosCustomer, ConnectorError> {
        let Some(email) = input.email.clone().filter(|_| input.id.is_none()) else {
            return self.upsert_customer(input).await;
        };
        for _ in 0..3 {
            match self.upsert_customer(input).await {
                Err(ConnectorError::UnknownOutcome { detail }) => {
                    tracing::info!(%detail, "customer create outcome unknown; reading back by email");
                    if let Some(c) = self.customer_by_email(&email).await? {
                        return Ok(c);
                    }
                }
                other => return other,
            }
        }
        Err(ConnectorError::UnknownOutcome { detail: "customer create not settled".into() })
    }

    // ----- sales -----

    /// Sales with a transaction date within `[from, to]` (ISO 8601), oldest first.
    pub async fn sales_between(&self, from: &str, to: &str) -> Result<Vec<PosSale>, ConnectorError> {
        let q = [
            ("invoice_range_from", from.into()),
            ("invoice_range_to", to.into()),
            ("Sorting", "transactionDate".into()),
        ];
        self.get_all("sales/get_all", &q).await
    }

    pub async fn sale(&self, id: i64) -> Result<PosSale, ConnectorError> {
        self.get(&format!("sales/get/{id}")).await
    }

    /// `POST sales/create`. A new sale with an `external_reference` is idempotent on the POS
    /// (the existing sale comes back), so it is retried like a read and can never be doubled; one
    /// without is a plain create whose timeout is `UnknownOutcome`. With `id` it changes a sale's
    /// status or adds payments: retried only when it adds no payments.
    pub async fn create_sale(&self, input: &PosSaleInput) -> Result<PosSale, ConnectorError> {
        let idempotent = match input.id {
            None => input.external_reference.is_some(),
            Some(_) => input.payments.as_ref().is_none_or(Vec::is_empty),
        };
        let body = serde_json::to_value(input).map_err(|e| ConnectorError::Decode(e.to_string()))?;
        self.post("sales/create", body, idempotent).await
    }

    /// Status change of an existing sale (e.g. parked -> completed).
    pub async fn update_sale_status(&self, id: i64, status: &str) -> Result<PosSale, ConnectorError> {
        self.create_sale(&PosSaleInput { id: Some(id), status: Some(status.into()), ..Default::default() }).await
    }

    // ----- inventory documents -----

    pub async fn purchase_orders(&self) -> Result<Vec<Value>, ConnectorError> {
        self.get_all("purchase_orders/get_all", &[]).await
    }

    /// Body per the contract's `PurchaseOrderInput`.
    pub async fn create_purchase_order(&self, body: Value) -> Result<Value, ConnectorError> {
        self.post("purchase_orders/create", body, false).await
    }

    /// Receiving adds the stock; the POS receives an order once (409 `already_received`).
    pub async fn receive_purchase_order(&self, id: i64) -> Result<Value, ConnectorError> {
        self.post(&format!("purchase_orders/receive/{id}"), json!({}), false).await
    }

    pub async fn stocktakes(&self) -> Result<Vec<Value>, ConnectorError> {
        self.get_all("stocktakes/get_all", &[]).await
    }

    /// Sets absolute counts at an outlet (`counts`: `(product, variant, count)`). Not repeated
    /// after an unknown outcome: a late repeat would overwrite sales made in between.
    pub async fn set_stock(
        &self,
        outlet_id: i64,
        counts: &[(i64, Option<i64>, String)],
        note: &str,
    ) -> Result<Value, ConnectorError> {
        let counts: Vec<Value> = counts
            .iter()
            .map(|(p, v, c)| {
                let mut line = json!({ "product_id": p, "count": c });
                if let Some(v) = v {
                    line["variant_id"] = json!(v);
                }
                line
            })
            .collect();
        self.post("stocktakes/create", json!({ "outlet_id": outlet_id, "note": note, "counts": counts }), false).await
    }

    pub async fn transfers(&self) -> Result<Vec<Value>, ConnectorError> {
        self.get_all("transfers/get_all", &[]).await
    }

    /// Body per the contract's `TransferInput`.
    pub async fn create_transfer(&self, body: Value) -> Result<Value, ConnectorError> {
        self.post("transfers/create", body, false).await
    }

    // ----- events and webhooks -----

    /// One page of events after `since` (0 = from the oldest retained).
    pub async fn events_page(&self, since: u64) -> Result<EventPage, ConnectorError> {
        self.get(&format!("events?since={since}&page_size={}", self.page_size)).await
    }

    /// Every event after `since`, and the cursor to pass next time. 410 (`Rejected`, code
    /// `cursor_expired`) means the log moved past the cursor: reconcile by listing instead.
    pub async fn events_since(&self, since: u64) -> Result<(Vec<PosEvent>, u64), ConnectorError> {
        let (mut out, mut cursor) = (Vec::new(), since);
        loop {
            let page = self.events_page(cursor).await?;
            cursor = page.cursor;
            let done = page.next.is_none() || page.items.is_empty();
            out.extend(page.items);
            if done {
                return Ok((out, cursor));
            }
        }
    }

    pub async fn webhooks(&self) -> Result<Vec<PosWebhook>, ConnectorError> {
        self.get_all("webhooks", &[]).await
    }

    pub async fn delete_webhook(&self, id: i64) -> Result<(), ConnectorError> {
        let spec = RequestSpec {
            method: Method::DELETE,
            url: self.url(&format!("webhooks/{id}")),
            headers: vec![],
            body: None,
            idempotent: true,
        };
        match self.send(spec).await {
            Ok(_) | Err(ConnectorError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Subscribes `url` to `events` (`*`, `product.*`, ...), replacing any subscription of the
    /// same URL, and returns it with its signing secret. The secret is shown only on creation, so
    /// a create whose answer was lost is settled by deleting what landed and subscribing again.
    pub async fn subscribe_webhook(&self, url: &str, events: &[&str]) -> Result<PosWebhook, ConnectorError> {
        let body = json!({ "url": url, "events": events });
        for _ in 0..3 {
            for old in self.webhooks().await?.into_iter().filter(|w| w.url == url) {
                self.delete_webhook(old.id).await?;
            }
            match self.post::<PosWebhook>("webhooks", body.clone(), false).await {
                Err(ConnectorError::UnknownOutcome { detail }) => {
                    tracing::info!(%detail, "webhook subscription outcome unknown; replacing it");
                }
                other => return other,
            }
        }
        Err(ConnectorError::UnknownOutcome { detail: format!("webhook subscription for {url} not settled") })
    }
}
