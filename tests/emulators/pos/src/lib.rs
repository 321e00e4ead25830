//! In-memory emulator of a Hike-style POS (PLATFORM-FACTS.md §5 and §7.5) for posbridge's tests
//! and demos.
//!
//! What is public about Hike (OAuth2 code flow with expiring tokens, `/api/v1/{entity}/get_all`
//! paging, the product fields, the endpoint names) is reproduced as documented; everything else
//! (sale bodies, registers, stock documents, webhooks, the event cursor) is designed in the same
//! style and listed as assumptions in README.md. The contract is `openapi.yaml` beside this crate,
//! checked against the served routes by the integration tests.
//!
//! Module map: [`values`] (exact money/quantity types), `store` (state and events), `catalog`,
//! `sales`, `stock` (domain operations), `auth`, `api`, `control` (HTTP), `events` (delivery).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::routing::{MethodRouter, delete, get, post};
use emulator_kit::{Control, Running, lock};
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

mod api;
mod auth;
mod catalog;
mod control;
mod error;
mod events;
mod sales;
mod stock;
mod store;
pub mod values;

pub use auth::TokenPair;
pub use events::sign;

use store::{Dispatch, Store};

/// Emulator settings. Defaults follow the platform where it is known (token expiry: the only
/// public hint is a client assuming 7 days) and sensible values elsewhere.
#[derive(Debug, Clone)]
pub struct Config {
    /// The app's id (Hike "App Id") and secret.
    pub client_id: String,
    pub client_secret: String,
    /// Registered return URIs; empty accepts any http(s) URI.
    pub redirect_uris: Vec<String>,
    /// Lifetime of an access token; shorten in tests to exercise refresh-on-401.
    pub access_token_ttl: Duration,
    /// `page_size` when absent, and the largest accepted (400 above it).
    pub default_page_size: usize,
    pub max_page_size: usize,
    /// Events kept for `GET /api/v1/events`; an older cursor gets 410.
    pub event_retention: usize,
    /// How long a webhook receiver may take.
    pub delivery_timeout: Duration,
    /// Initial "Tax-inclusive prices" setting.
    pub tax_inclusive: bool,
    /// Hike's weighted Average Cost Price feature: product writes may not change stock.
    pub weighted_average_cost: bool,
    /// Start with one outlet, one register, GST and No Tax, and Cash/Credit Card/eCommerce.
    pub seed_defaults: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: "posbridge".into(),
            client_secret: "posbridge-secret".into(),
            redirect_uris: Vec::new(),
            access_token_ttl: Duration::from_secs(7 * 24 * 3600),
            default_page_size: 50,
            max_page_size: 1000,
            event_retention: 10_000,
            delivery_timeout: Duration::from_secs(10),
            tax_inclusive: true,
            weighted_average_cost: false,
            seed_defaults: true,
        }
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    auth: Arc<Mutex<auth::Tokens>>,
    cfg: Arc<Config>,
    tx: UnboundedSender<Dispatch>,
}

/// A store as configured, before any test data.
fn fresh_store(cfg: &Config, tx: UnboundedSender<Dispatch>) -> Store {
    let mut s = Store::new(tx, cfg.event_retention, cfg.weighted_average_cost);
    s.settings.tax_inclusive = cfg.tax_inclusive;
    if cfg.seed_defaults {
        s.seed_defaults();
    }
    s
}

impl AppState {
    fn fresh_store(&self) -> Store {
        fresh_store(&self.cfg, self.tx.clone())
    }
}

/// Builds a router while recording each `(METHOD, path)` it serves, so the contract test can
/// compare the served routes with `openapi.yaml`.
struct Routes {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn new() -> Self {
        Self { router: Router::new(), list: Vec::new() }
    }

    fn add(mut self, method: &'static str, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler);
        self.list.push((method, path));
        self
    }
}

fn build(state: AppState) -> (Router, Vec<(&'static str, &'static str)>) {
    let oauth = Routes::new().add("GET", "/oauth/authorize", get(auth::authorize)).add(
        "POST",
        "/oauth/token",
        post(auth::token),
    );

    let v1 = Routes::new()
        .add("GET", "/api/v1/store/get", get(api::store_get))
        .add("GET", "/api/v1/outlets/get_all", get(api::outlets_get_all))
        .add("GET", "/api/v1/outlets/get_Registers_all", get(api::registers_get_all))
        .add("POST", "/api/v1/registers/open/{id}", post(api::register_open))
        .add("POST", "/api/v1/registers/close/{id}", post(api::register_close))
        .add("GET", "/api/v1/registerClosures/get_all", get(api::closures_get_all))
        .add("GET", "/api/v1/products/get_all", get(api::products_get_all))
        .add("GET", "/api/v1/products/get/{id}", get(api::product_get))
        .add("GET", "/api/v1/products/by_sku", get(api::product_by_sku))
        .add("POST", "/api/v1/products/create", post(api::product_create))
        .add("DELETE", "/api/v1/products/delete/{id}", delete(api::product_delete))
        .add("GET", "/api/v1/product_types/get_all", get(api::product_types_get_all))
        .add("POST", "/api/v1/product_types/create", post(api::product_type_create))
        .add("GET", "/api/v1/brands/get_all", get(api::brands_get_all))
        .add("POST", "/api/v1/brands/create", post(api::brand_create))
        .add("GET", "/api/v1/customers/get_all", get(api::customers_get_all))
        .add("GET", "/api/v1/customers/get/{id}", get(api::customer_get))
        .add("POST", "/api/v1/customers/create", post(api::customer_create))
        .add("GET", "/api/v1/customer_groups/get_all", get(api::customer_groups_get_all))
        .add("POST", "/api/v1/customer_groups/create", post(api::customer_group_create))
        .add("GET", "/api/v1/taxes/get_all", get(api::taxes_get_all))
        .add("GET", "/api/v1/payment_types/get_all", get(api::payment_types_get_all))
        .add("GET", "/api/v1/sales/get_all", get(api::sales_get_all))
        .add("GET", "/api/v1/sales/get/{id}", get(api::sale_get))
        .add("POST", "/api/v1/sales/create", post(api::sale_create))
        .add("POST", "/api/v1/sales/update_serial_numbers/{id}", post(api::sale_update_serials))
        .add("GET", "/api/v1/purchase_orders/get_all", get(api::purchase_orders_get_all))
        .add("POST", "/api/v1/purchase_orders/create", post(api::purchase_order_create))
        .add("POST", "/api/v1/purchase_orders/receive/{id}", post(api::purchase_order_receive))
        .add("GET", "/api/v1/stocktakes/get_all", get(api::stocktakes_get_all))
        .add("POST", "/api/v1/stocktakes/create", post(api::stocktake_create))
        .add("GET", "/api/v1/transfers/get_all", get(api::transfers_get_all))
        .add("POST", "/api/v1/transfers/create", post(api::transfer_create))
        .add("GET", "/api/v1/events", get(api::events_get))
        .add("POST", "/api/v1/webhooks", post(api::webhook_create))
        .add("GET", "/api/v1/webhooks", get(api::webhooks_get))
        .add("DELETE", "/api/v1/webhooks/{id}", delete(api::webhook_delete));

    let ctl = Routes::new()
        .add("POST", "/_emulator/seed", post(control::seed))
        .add("GET", "/_emulator/state", get(control::state))
        .add("POST", "/_emulator/reset", post(control::reset))
        .add("POST", "/_emulator/tokens", post(control::tokens))
        .add("POST", "/_emulator/tokens/expire", post(control::tokens_expire))
        .add("POST", "/_emulator/settings", post(control::settings));

    let list = [&oauth.list[..], &v1.list[..], &ctl.list[..]].concat();
    let api = v1.router.route_layer(middleware::from_fn_with_state(state.clone(), auth::require_bearer));
    let router = oauth.router.merge(api).merge(ctl.router).with_state(state);
    (router, list)
}

/// A running POS emulator.
pub struct Emulator {
    pub running: Running,
    pub control: Control,
    state: AppState,
    routes: Vec<(&'static str, &'static str)>,
}

/// Starts the emulator on `127.0.0.1:port` (`0` picks a free port).
pub async fn start(config: Config, port: u16) -> std::io::Result<Emulator> {
    let control = Control::new(config.delivery_timeout);
    let (tx, rx) = unbounded_channel();
    events::spawn_worker(rx, control.clone());
    let store = fresh_store(&config, tx.clone());
    let state = AppState {
        store: Arc::new(Mutex::new(store)),
        auth: Arc::new(Mutex::new(auth::Tokens::default())),
        cfg: Arc::new(config),
        tx,
    };
    let (router, routes) = build(state.clone());
    let running = emulator_kit::serve(router, &control, port).await?;
    Ok(Emulator { running, control, state, routes })
}

impl Emulator {
    /// `http://127.0.0.1:PORT`; the API is under `/api/v1`, OAuth under `/oauth`.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// Every `(METHOD, path template)` this emulator's router serves (the kit's `/_emulator`
    /// routes for counts and faults come on top).
    pub fn routes(&self) -> &[(&'static str, &'static str)] {
        &self.routes
    }

    /// Seeds silently (body as `POST /_emulator/seed`); returns the created ids per entity.
    pub fn seed(&self, body: Value) -> Result<Value, String> {
        let input = serde_json::from_value(body).map_err(|e| e.to_string())?;
        lock(&self.state.store).seed(input).map_err(|e| e.message)
    }

    /// Seeds one product (body as `POST /api/v1/products/create`) and returns its id.
    pub fn seed_product(&self, product: Value) -> Result<i64, String> {
        let ids = self.seed(serde_json::json!({ "products": [product] }))?;
        ids["products"][0].as_i64().ok_or_else(|| "no id".to_string())
    }

    /// Everything, as `GET /_emulator/state` returns it.
    pub fn state(&self) -> Value {
        lock(&self.state.store).snapshot()
    }

    /// A product as the API renders it.
    pub fn product(&self, id: i64) -> Option<Value> {
        let s = lock(&self.state.store);
        s.products.get(&id).map(|p| s.product_json(p))
    }

    /// Stock of a product (or variant) at an outlet, as a 3-decimal string.
    pub fn stock(&self, product_id: i64, variant_id: Option<i64>, outlet_id: i64) -> String {
        lock(&self.state.store).stock_of(product_id, variant_id, outlet_id).to_string()
    }

    /// Every retained event, oldest first.
    pub fn events(&self) -> Vec<Value> {
        lock(&self.state.store).events.iter().map(|e| e.to_json()).collect()
    }

    /// A token pair without the OAuth dance.
    pub fn issue_token(&self) -> TokenPair {
        lock(&self.state.auth).issue(self.state.cfg.access_token_ttl)
    }

    /// Expires every access token now.
    pub fn expire_tokens(&self) {
        lock(&self.state.auth).expire_all();
    }

    /// Flips "Tax-inclusive prices" (emits `store.updated`).
    pub fn set_tax_inclusive(&self, on: bool) {
        let input = control::SettingsInput { tax_inclusive: Some(on), ..Default::default() };
        // only default_tax_id can fail, and it is not set here
        let _ = lock(&self.state.store).apply_settings(input);
    }

    /// Back to a fresh store.
    pub fn reset(&self) {
        let fresh = self.state.fresh_store();
        *lock(&self.state.store) = fresh;
    }
}
