//! BigCommerce emulator: an in-memory stand-in for the BigCommerce REST API that a sync client
//! talks to (`/stores/{hash}/v3` catalog, inventory, customers, order payments and webhooks;
//! `/stores/{hash}/v2` orders, customer groups and store info), the single-click app install
//! flow (`POST /oauth2/token`, `signed_payload_jwt`), the per-store rate limit, and signed, thin
//! webhook deliveries with retries.
//!
//! Several stores live side by side, keyed by store hash. The kit ([`emulator_kit`]) adds request
//! counts and fault injection; this crate adds control routes under `/_emulator` (see `control`).
//! See README.md for where each behaviour comes from and the assumptions made.

#![recursion_limit = "256"]
// the large `json!` literals of the platform's shapes
// Rule helpers fail with the finished HTTP error (`Result<_, Response>`); boxing every one of
// them would add noise on a cold, test-only path.
#![allow(clippy::result_large_err)]

mod auth;
mod catalog;
mod control;
mod customers;
mod gate;
mod hooks;
mod inventory;
mod orders;
pub mod state;
pub mod util;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post, put};
use emulator_kit::{Control, Running, lock};
use serde_json::Value;
use tokio::sync::mpsc;

pub use auth::{JwtKind, JwtOptions};
use state::{Db, Store, Token};

/// Emulator settings; `Default` gives the real platform's values.
#[derive(Debug, Clone)]
pub struct Config {
    /// The app's client id (the JWT audience, the OAuth client).
    pub client_id: String,
    /// The app's client secret (signs `signed_payload_jwt` and webhook deliveries).
    pub client_secret: String,
    /// The app's registered auth callback (`redirect_uri` must equal it).
    pub auth_callback_url: String,
    /// Scopes the merchant grants on install.
    pub app_scopes: Vec<String>,
    /// Requests per window per store (Standard/Plus plan: 150).
    pub rate_limit_quota: u32,
    /// The rate-limit window (30 s).
    pub rate_limit_window: Duration,
    /// Waits before each webhook retry; after the last failed retry the hook is deactivated.
    pub webhook_retry_schedule: Vec<Duration>,
    /// How long a webhook receiver may take to answer.
    pub webhook_timeout: Duration,
    /// Only `https://` destinations on port 443 are accepted (turn off to deliver to local test receivers).
    pub require_https_443: bool,
    /// Empty v2 collections answer `204 No Content` (as the official Python client expects).
    pub v2_empty_as_204: bool,
    /// How long a refund is "processing"; a second refund on the same order meanwhile is rejected.
    pub refund_processing: Duration,
}

/// Every scope a sync app needs, at full (write) level.
pub const FULL_SCOPES: [&str; 6] = [
    "store_v2_products",
    "store_inventory",
    "store_v2_customers",
    "store_v2_orders",
    "store_v2_transactions",
    "store_v2_information_read_only",
];

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: "emulator-client-id".into(),
            client_secret: "emulator-client-secret".into(),
            auth_callback_url: "https://app.example.com/auth".into(),
            app_scopes: FULL_SCOPES.iter().map(|s| s.to_string()).collect(),
            rate_limit_quota: 150,
            rate_limit_window: Duration::from_secs(30),
            webhook_retry_schedule: [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            webhook_timeout: Duration::from_secs(10),
            require_https_443: true,
            v2_empty_as_204: true,
            refund_processing: Duration::ZERO,
        }
    }
}

/// State shared by handlers, the webhook worker and the [`Emulator`] handle.
#[derive(Debug)]
pub struct AppState {
    pub(crate) db: Mutex<Db>,
    pub(crate) config: Config,
    pub(crate) control: Control,
    pub(crate) jobs: mpsc::UnboundedSender<hooks::Job>,
}

pub(crate) type Shared = Arc<AppState>;

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    pub running: Running,
    pub control: Control,
    pub state: Arc<AppState>,
}

/// Starts the emulator on `127.0.0.1:port` (`0` = a free port).
pub async fn start(config: Config, port: u16) -> std::io::Result<Emulator> {
    let control = Control::new(config.webhook_timeout);
    let (tx, rx) = mpsc::unbounded_channel();
    let state = Arc::new(AppState { db: Mutex::new(Db::default()), config, control: control.clone(), jobs: tx });
    tokio::spawn(hooks::worker(Arc::downgrade(&state), rx));
    let running = emulator_kit::serve(router(state.clone()), &control, port).await?;
    Ok(Emulator { running, control, state })
}

fn router(s: Shared) -> Router {
    let v3 = "/stores/{store_hash}/v3";
    let v2 = "/stores/{store_hash}/v2";
    let api = Router::new()
        // catalog
        .route(
            &format!("{v3}/catalog/products"),
            get(catalog::list_products)
                .post(catalog::create_product)
                .put(catalog::batch_update_products)
                .delete(catalog::delete_products),
        )
        .route(
            &format!("{v3}/catalog/products/{{product_id}}"),
            get(catalog::get_product).put(catalog::update_product).delete(catalog::delete_product),
        )
        .route(
            &format!("{v3}/catalog/products/{{product_id}}/variants"),
            get(catalog::list_product_variants).post(catalog::create_variant),
        )
        .route(
            &format!("{v3}/catalog/products/{{product_id}}/variants/{{variant_id}}"),
            get(catalog::get_variant).put(catalog::update_variant).delete(catalog::delete_variant),
        )
        .route(&format!("{v3}/catalog/variants"), get(catalog::list_variants).put(catalog::batch_variants))
        .route(&format!("{v3}/catalog/categories"), get(catalog::list_categories).post(catalog::create_category))
        .route(
            &format!("{v3}/catalog/categories/{{id}}"),
            get(catalog::get_category).put(catalog::update_category).delete(catalog::delete_category),
        )
        .route(&format!("{v3}/catalog/brands"), get(catalog::list_brands).post(catalog::create_brand))
        .route(
            &format!("{v3}/catalog/brands/{{id}}"),
            get(catalog::get_brand).put(catalog::update_brand).delete(catalog::delete_brand),
        )
        // inventory
        .route(&format!("{v3}/inventory/adjustments/absolute"), put(inventory::absolute))
        .route(&format!("{v3}/inventory/adjustments/relative"), post(inventory::relative))
        .route(&format!("{v3}/inventory/items"), get(inventory::items))
        .route(
            &format!("{v3}/inventory/locations/{{location_id}}/items"),
            get(inventory::location_items).put(inventory::location_settings),
        )
        // customers
        .route(
            &format!("{v3}/customers"),
            get(customers::list).post(customers::create).put(customers::update).delete(customers::delete),
        )
        .route(&format!("{v2}/customer_groups"), get(customers::list_groups).post(customers::create_group))
        .route(&format!("{v2}/customer_groups/count"), get(customers::count_groups))
        .route(
            &format!("{v2}/customer_groups/{{id}}"),
            get(customers::get_group).put(customers::update_group).delete(customers::delete_group),
        )
        // orders
        .route(&format!("{v2}/orders"), get(orders::list).post(orders::create))
        .route(&format!("{v2}/orders/{{order_id}}"), get(orders::get).put(orders::update))
        .route(&format!("{v2}/orders/{{order_id}}/products"), get(orders::products))
        .route(&format!("{v2}/orders/{{order_id}}/shipping_addresses"), get(orders::shipping_addresses))
        .route(&format!("{v2}/order_statuses"), get(orders::statuses))
        .route(&format!("{v2}/order_statuses/{{status_id}}"), get(orders::status))
        .route(&format!("{v3}/orders/{{order_id}}/transactions"), get(orders::transactions))
        .route(&format!("{v3}/orders/{{order_id}}/payment_actions/refund_quotes"), post(orders::refund_quote))
        .route(
            &format!("{v3}/orders/{{order_id}}/payment_actions/refunds"),
            get(orders::order_refunds).post(orders::create_refund),
        )
        .route(&format!("{v3}/orders/payment_actions/refunds"), get(orders::all_refunds))
        // webhooks
        .route(&format!("{v3}/hooks"), get(hooks::list).post(hooks::create))
        .route(&format!("{v3}/hooks/{{id}}"), get(hooks::get).put(hooks::update).delete(hooks::delete))
        // store information
        .route(&format!("{v2}/store"), get(orders::store_info))
        .route(&format!("{v2}/time"), get(orders::store_time))
        .layer(axum::middleware::from_fn_with_state(s.clone(), gate::gate));
    Router::new().merge(api).route("/oauth2/token", post(auth::token)).merge(control::router()).with_state(s)
}

impl Emulator {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// `{base}/stores/{hash}/v3`.
    pub fn v3_url(&self, hash: &str) -> String {
        format!("{}/stores/{hash}/v3", self.base_url())
    }

    /// `{base}/stores/{hash}/v2`.
    pub fn v2_url(&self, hash: &str) -> String {
        format!("{}/stores/{hash}/v2", self.base_url())
    }

    /// Creates (or reuses) a store with a store-level API account holding every scope; returns its token.
    pub fn create_store(&self, hash: &str) -> String {
        let scopes: Vec<String> = FULL_SCOPES.iter().map(|s| s.to_string()).collect();
        control::add_store_token(&self.state, hash, None, scopes).0
    }

    /// Creates a store token with exactly these scopes (to test 403s).
    pub fn create_token(&self, hash: &str, scopes: &[&str]) -> String {
        control::add_store_token(&self.state, hash, None, scopes.iter().map(|s| s.to_string()).collect()).0
    }

    /// Starts an app install: creates the store if needed and a single-use auth code; returns the
    /// URL the merchant's browser would GET on the app's auth callback.
    pub fn begin_install(&self, hash: &str) -> String {
        control::begin_install(&self.state, hash)["callback_url"].as_str().unwrap_or_default().to_string()
    }

    /// A `signed_payload_jwt` for a load, uninstall or remove_user callback.
    pub fn signed_payload_jwt(&self, hash: &str, opts: &JwtOptions) -> String {
        let store_id = lock(&self.state.db).stores.get(hash).map(|s| s.store_id).unwrap_or(0);
        auth::make_jwt(&self.state.config, hash, store_id, opts)
    }

    /// Seeds records (same body as `POST /_emulator/stores/{hash}/seed`); no webhooks fire.
    pub fn seed(&self, hash: &str, body: &Value) -> Result<Value, String> {
        control::seed(&self.state, hash, body)
    }

    /// A JSON snapshot of one store (products with variants, categories, brands, customers,
    /// groups, orders, hooks, refunds).
    pub fn snapshot(&self, hash: &str) -> Option<Value> {
        control::snapshot(&self.state, hash)
    }

    /// Sets a per-store quota and window (overrides the config).
    pub fn set_rate_limit(&self, hash: &str, quota: u32, window: Duration) {
        if let Some(st) = lock(&self.state.db).stores.get_mut(hash) {
            st.quota = Some(quota);
            st.window_ms = Some(window.as_millis() as u64);
        }
    }

    /// Sets the Inventory API safety stock of a variant.
    pub fn set_safety_stock(&self, hash: &str, variant_id: u64, safety_stock: i64) {
        if let Some(v) = lock(&self.state.db).stores.get_mut(hash).and_then(|s| s.variants.get_mut(&variant_id)) {
            v.safety_stock = safety_stock;
        }
    }

    /// Runs `f` on a store's state (for assertions beyond the snapshot).
    pub fn with_store<R>(&self, hash: &str, f: impl FnOnce(&mut Store) -> R) -> Option<R> {
        lock(&self.state.db).stores.get_mut(hash).map(f)
    }
}

/// The configured client's token record (for stores created by the install flow).
pub(crate) fn app_token(c: &Config, scopes: Vec<String>) -> Token {
    Token { scopes, client_id: c.client_id.clone(), client_secret: c.client_secret.clone() }
}
