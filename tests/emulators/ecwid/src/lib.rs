//! Ecwid (by Lightspeed) REST API v3 emulator for tests and demos.
//!
//! Serves `/api/v3/{storeId}/...` for several stores at once (token as `Authorization: Bearer`
//! or `?token=`), the OAuth endpoints `/api/oauth/authorize` and `/api/oauth/token`, and an app
//! with one webhook URL that receives signed, unordered, retried (hence duplicated) events.
//! Behaviours and their sources are listed in the crate README; `/_emulator/...` is the control
//! API (the kit's counts and faults plus seed, state, reset, app, plan, tokens, rate limit).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = emu_ecwid::start(emu_ecwid::Config::default(), 0).await?;
//! let token = emu.issue_token(1003, &["read_catalog", "update_catalog", "create_catalog"]);
//! let url = format!("{}/products?token={}", emu.api_base(1003), token.access_token);
//! # let _ = url; Ok(()) }
//! ```

mod api;
mod auth;
mod batch;
mod control;
mod model;
mod store;
mod util;
mod webhooks;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use emulator_kit::{Control, Running, lock};
use serde_json::{Map, Value};

pub use webhooks::{EventRecord, signature};

use crate::store::Store;

/// A store created at start-up.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub id: u64,
    /// The owner's `accountEmail`, returned as `email` by the token endpoint.
    pub email: String,
}

/// Emulator settings. Defaults are the real platform's (timers included); tests shrink the timers.
#[derive(Debug, Clone)]
pub struct Config {
    /// The app's `client_id`.
    pub client_id: String,
    /// The app's `client_secret`: signs webhooks and authenticates the token exchange.
    pub client_secret: String,
    /// Scopes registered for the app; authorization may not ask for more.
    pub app_scopes: Vec<String>,
    /// Registered return URL; `redirect_uri` must be on the same scheme/host/port. `None` accepts any.
    pub redirect_uri: Option<String>,
    /// The app's single webhook URL (Ecwid configures it on the app registration, not by API).
    pub webhook_url: Option<String>,
    /// Custom headers added to every webhook request.
    pub webhook_headers: Vec<(String, String)>,
    pub stores: Vec<StoreConfig>,
    /// Requests per token per window (Ecwid: 600 per minute).
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// Delays before each webhook retry (Ecwid: 15, 30, 45 min, then hourly until 24 h).
    pub webhook_retry_schedule: Vec<Duration>,
    /// How long a webhook receiver may take to answer (Ecwid: 10 s response timeout).
    pub webhook_timeout: Duration,
    /// Lifetime of an authorization code (Ecwid: "a few minutes").
    pub code_ttl: Duration,
    /// Default `limit` of `GET /orders` (the docs say 100 in one place, 10 in another).
    pub orders_default_limit: u64,
}

/// Ecwid's documented retry schedule: 15, 30 and 45 minutes, then hourly up to 24 hours in total.
pub fn default_retry_schedule() -> Vec<Duration> {
    let mut s: Vec<Duration> = [15, 30, 45].iter().map(|m| Duration::from_secs(m * 60)).collect();
    let mut total: u64 = s.iter().map(Duration::as_secs).sum();
    while total + 3600 <= 24 * 3600 {
        s.push(Duration::from_secs(3600));
        total += 3600;
    }
    s
}

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: "posbridge-dev".into(),
            client_secret: "emulator-client-secret".into(),
            app_scopes: [
                "read_store_profile",
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
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            redirect_uri: None,
            webhook_url: None,
            webhook_headers: Vec::new(),
            stores: vec![StoreConfig { id: 1003, email: "owner@example.com".into() }],
            rate_limit: 600,
            rate_window: Duration::from_secs(60),
            webhook_retry_schedule: default_retry_schedule(),
            webhook_timeout: Duration::from_secs(10),
            code_ttl: Duration::from_secs(5 * 60),
            orders_default_limit: 100,
        }
    }
}

/// A token pair as handed to the app.
#[derive(Debug, Clone)]
pub struct Token {
    /// `secret_…`
    pub access_token: String,
    /// `public_…`, when the app has the `public_storefront` scope.
    pub public_token: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub store_id: u64,
    pub scopes: BTreeSet<String>,
    pub public: bool,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub store_id: u64,
    pub scopes: BTreeSet<String>,
    pub redirect_uri: Option<String>,
    pub issued: Instant,
    /// Tokens handed out for this code (disabled if the code is used again).
    pub exchanged: Option<Token>,
}

/// Mutable emulator state behind one lock.
#[derive(Debug)]
pub(crate) struct World {
    pub client_id: String,
    pub client_secret: String,
    pub app_scopes: BTreeSet<String>,
    pub redirect_uri: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_headers: Vec<(String, String)>,
    pub retry_schedule: Vec<Duration>,
    pub code_ttl: Duration,
    pub orders_default_limit: u64,
    pub stores: BTreeMap<u64, Store>,
    pub codes: HashMap<String, AuthCode>,
    pub tokens: HashMap<String, TokenInfo>,
    /// Batch API results by ticket: (store, status document).
    pub batches: HashMap<String, (u64, Value)>,
}

impl World {
    fn new(c: &Config) -> Self {
        Self {
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.clone(),
            app_scopes: c.app_scopes.iter().cloned().collect(),
            redirect_uri: c.redirect_uri.clone(),
            webhook_url: c.webhook_url.clone(),
            webhook_headers: c.webhook_headers.clone(),
            retry_schedule: c.webhook_retry_schedule.clone(),
            code_ttl: c.code_ttl,
            orders_default_limit: c.orders_default_limit,
            stores: c.stores.iter().map(|s| (s.id, Store::new(s.id, s.email.clone()))).collect(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            batches: HashMap::new(),
        }
    }

    /// Installs the app in a store with `scopes` and returns fresh tokens.
    pub fn install(&mut self, store_id: u64, scopes: BTreeSet<String>) -> Option<Token> {
        let store = self.stores.get_mut(&store_id)?;
        store.app_scopes = Some(scopes.clone());
        let access_token = format!("secret_{}", uuid::Uuid::new_v4().simple());
        let public_token =
            scopes.contains("public_storefront").then(|| format!("public_{}", uuid::Uuid::new_v4().simple()));
        self.tokens
            .insert(access_token.clone(), TokenInfo { store_id, scopes: scopes.clone(), public: false, active: true });
        if let Some(p) = &public_token {
            self.tokens.insert(p.clone(), TokenInfo { store_id, scopes, public: true, active: true });
        }
        Some(Token { access_token, public_token })
    }
}

pub(crate) struct Shared {
    pub config: Config,
    pub world: Mutex<World>,
    pub control: Control,
    pub limiter: Mutex<auth::RateLimiter>,
    pub events: Mutex<Vec<EventRecord>>,
    /// Bumped by reset so that pending webhook retries of the previous run stop.
    pub epoch: AtomicU64,
}

/// Cloneable handle to the emulator's state, used by the Rust-level helpers.
#[derive(Clone)]
pub struct EcwidState {
    shared: Arc<Shared>,
}

/// A running Ecwid emulator. Dropping it stops the server.
pub struct Emulator {
    pub running: Running,
    pub control: Control,
    pub state: EcwidState,
}

/// Starts the emulator on `127.0.0.1:port` (`0` = a free port).
pub async fn start(config: Config, port: u16) -> std::io::Result<Emulator> {
    let control = Control::new(config.webhook_timeout);
    let shared = Arc::new(Shared {
        world: Mutex::new(World::new(&config)),
        limiter: Mutex::new(auth::RateLimiter::new(config.rate_limit, config.rate_window)),
        control: control.clone(),
        events: Mutex::new(Vec::new()),
        epoch: AtomicU64::new(0),
        config,
    });
    let router = api::router(shared.clone()).merge(auth::oauth_router(shared.clone()));
    let running = emulator_kit::serve(router.merge(control::router(shared.clone())), &control, port).await?;
    Ok(Emulator { running, control, state: EcwidState { shared } })
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("seed data must be a JSON object"),
    }
}

impl Emulator {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// `http://127.0.0.1:PORT/api/v3/{storeId}`.
    pub fn api_base(&self, store_id: u64) -> String {
        format!("{}/api/v3/{store_id}", self.base_url())
    }

    /// Installs the app in a store (as a custom app's admin-issued token) and returns its tokens.
    /// `read_store_profile` is always granted, as on the platform. Panics for an unknown store.
    pub fn issue_token(&self, store_id: u64, scopes: &[&str]) -> Token {
        self.state.issue_token(store_id, scopes)
    }

    /// Creates a product without sending webhooks; `combinations` in the body are created too.
    pub fn seed_product(&self, store_id: u64, product: Value) -> u64 {
        self.state.seed(store_id, "products", product).expect("seed product")
    }
    pub fn seed_category(&self, store_id: u64, category: Value) -> u64 {
        self.state.seed(store_id, "categories", category).expect("seed category")
    }
    pub fn seed_customer(&self, store_id: u64, customer: Value) -> u64 {
        self.state.seed(store_id, "customers", customer).expect("seed customer")
    }
    pub fn seed_customer_group(&self, store_id: u64, group: Value) -> u64 {
        self.state.seed(store_id, "customerGroups", group).expect("seed customer group")
    }
    /// Records a historical order: no stock change, no webhooks.
    pub fn seed_order(&self, store_id: u64, order: Value) -> u64 {
        self.state.seed(store_id, "orders", order).expect("seed order")
    }

    /// A shopper checks out in the storefront: stock is deducted and webhooks are sent.
    pub fn place_order(&self, store_id: u64, order: Value) -> u64 {
        self.state.place_order(store_id, obj(order)).expect("place order")
    }

    /// The merchant edits a product in the control panel (partial update, sends `product.updated`).
    pub fn merchant_update_product(&self, store_id: u64, product_id: u64, patch: Value) {
        self.state.merchant_update_product(store_id, product_id, obj(patch)).expect("merchant update")
    }

    /// A product as the API renders it.
    pub fn product(&self, store_id: u64, product_id: u64) -> Option<Value> {
        let w = lock(&self.state.shared.world);
        let s = w.stores.get(&store_id)?;
        s.products.get(&product_id).map(|p| s.render_product(p, false))
    }

    /// Everything: app settings, stores with their data, tokens (masked) and webhook events.
    pub fn state(&self) -> Value {
        self.state.snapshot()
    }

    /// Webhook events emitted so far with their delivery attempts.
    pub fn events(&self) -> Vec<EventRecord> {
        lock(&self.state.shared.events).clone()
    }

    pub fn set_webhook_url(&self, url: Option<String>) {
        lock(&self.state.shared.world).webhook_url = url;
    }

    /// Switches plan features: `api_enabled = false` is the Free plan (402 on every call).
    pub fn set_plan(&self, store_id: u64, api_enabled: bool, variations_enabled: bool) {
        let mut w = lock(&self.state.shared.world);
        if let Some(s) = w.stores.get_mut(&store_id) {
            s.api_enabled = api_enabled;
            s.variations_enabled = variations_enabled;
        }
    }

    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        lock(&self.state.shared.limiter).reconfigure(limit, window);
    }

    /// Back to the configured start state (stores emptied, tokens and events forgotten).
    pub fn reset(&self) {
        self.state.reset();
    }
}

impl EcwidState {
    pub fn issue_token(&self, store_id: u64, scopes: &[&str]) -> Token {
        let mut set: BTreeSet<String> = scopes.iter().map(|s| s.to_string()).collect();
        set.insert("read_store_profile".into());
        lock(&self.shared.world).install(store_id, set).expect("unknown store")
    }

    /// Creates one entity of `kind` silently; returns its id.
    pub fn seed(&self, store_id: u64, kind: &str, body: Value) -> Result<u64, String> {
        let mut w = lock(&self.shared.world);
        let s = w.stores.get_mut(&store_id).ok_or("unknown store")?;
        let now = util::now();
        let m = obj(body);
        let r = match kind {
            "products" => s.create_product(&m, now).and_then(|(id, _)| {
                if let Some(Value::Array(combos)) = m.get("combinations") {
                    for c in combos {
                        s.create_combination(id, &obj(c.clone()), now)?;
                    }
                }
                Ok(id)
            }),
            "categories" => s.create_category(&m, now).map(|r| r.0),
            "customers" => s.create_customer(&m, now).map(|r| r.0),
            "customerGroups" => s.create_group(&m),
            "orders" => s.create_order(&m, false, now).map(|r| r.0),
            other => return Err(format!("unknown seed kind {other}")),
        };
        r.map_err(|e| format!("{} {}", e.status, e.message))
    }

    pub(crate) fn place_order(&self, store_id: u64, m: Map<String, Value>) -> Result<u64, util::ApiError> {
        let (id, events) = {
            let mut w = lock(&self.shared.world);
            let s = w.stores.get_mut(&store_id).ok_or_else(|| util::ApiError::not_found("Store"))?;
            s.create_order(&m, true, util::now())?
        };
        webhooks::emit(&self.shared, store_id, events);
        Ok(id)
    }

    pub(crate) fn merchant_update_product(
        &self,
        store_id: u64,
        id: u64,
        m: Map<String, Value>,
    ) -> Result<(), util::ApiError> {
        let events = {
            let mut w = lock(&self.shared.world);
            let s = w.stores.get_mut(&store_id).ok_or_else(|| util::ApiError::not_found("Store"))?;
            s.update_product(id, &m, util::now())?
        };
        webhooks::emit(&self.shared, store_id, events);
        Ok(())
    }

    pub fn snapshot(&self) -> Value {
        let w = lock(&self.shared.world);
        let (limit, window) = lock(&self.shared.limiter).settings();
        serde_json::json!({
            "app": {
                "clientId": w.client_id,
                "scopes": w.app_scopes,
                "redirectUri": w.redirect_uri,
                "webhookUrl": w.webhook_url,
                "webhookHeaders": w.webhook_headers,
                "retryScheduleMs": w.retry_schedule.iter().map(|d| d.as_millis() as u64).collect::<Vec<_>>(),
            },
            "rateLimit": { "limit": limit, "windowMs": window.as_millis() as u64 },
            "stores": w.stores.values().map(Store::snapshot).collect::<Vec<_>>(),
            "tokens": w.tokens.iter().map(|(t, i)| serde_json::json!({
                "token": format!("{}…", &t[..t.len().min(12)]),
                "storeId": i.store_id,
                "public": i.public,
                "active": i.active,
                "scopes": i.scopes,
            })).collect::<Vec<_>>(),
            "events": *lock(&self.shared.events),
        })
    }

    pub fn reset(&self) {
        self.shared.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *lock(&self.shared.world) = World::new(&self.shared.config);
        *lock(&self.shared.limiter) =
            auth::RateLimiter::new(self.shared.config.rate_limit, self.shared.config.rate_window);
        lock(&self.shared.events).clear();
    }
}
