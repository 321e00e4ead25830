//! In-memory WooCommerce emulator (`/wp-json/wc/v3`), for tests and demos of posbridge.
//!
//! It reproduces what PLATFORM-FACTS.md §3 and §7.3 list: consumer-key authentication (Basic,
//! query string, or OAuth 1.0a on a plain-HTTP site), the `/wc-auth/v1/authorize` key delivery,
//! products/variations/categories/tags/attributes/terms, customers, orders with stock effects,
//! refunds, taxes, tax classes, payment gateways, WP paging headers, `/batch` with per-item
//! errors, the documented error bodies, and webhooks signed over the raw body, never retried and
//! disabled after more than five consecutive failures.
//!
//! Besides the kit's control API (`/_emulator/requests|faults|latency|webhooks/*`), it serves:
//!
//! | route | what it does |
//! |---|---|
//! | `POST /_emulator/seed` | `{"products":[…],"customers":[…],…}` created without firing webhooks; a product may carry `"variations":[…]` |
//! | `GET /_emulator/state` | every resource in its REST form, plus webhooks (with secrets and failure counts) and API keys |
//! | `POST /_emulator/reset` | back to an empty shop with the configured keys |
//! | `POST /_emulator/clock` | `{"advance_secs": N}` moves the shop's clock |
//! | `POST /_emulator/wc-auth` | `{"approve": bool}` the merchant's answer on the authorize screen |
//! | `POST /_emulator/webhooks/flush` | waits until every queued delivery has been attempted |

mod api;
mod auth;
mod catalog;
mod listing;
mod sales;
mod settings;
mod state;
mod util;
mod wc_auth;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use emulator_kit::{Control, Running};
use serde_json::{Map, Value, json};

pub use state::{Hook, KeyRow};
pub use util::WcError;

use api::Res;
use state::App;

/// Permission of an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    Write,
    ReadWrite,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::ReadWrite => "read_write",
        }
    }
}

/// A pre-generated REST API key (WooCommerce > Settings > Advanced > REST API).
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub permissions: Permission,
    pub user_id: u64,
    pub description: String,
}

/// Default read/write key of [`Config::default`].
pub const READ_WRITE_KEY: (&str, &str) =
    ("ck_emulator0000000000000000000000000000000rw", "cs_emulator0000000000000000000000000000000rw");
/// Default read-only key of [`Config::default`].
pub const READ_ONLY_KEY: (&str, &str) =
    ("ck_emulator0000000000000000000000000000000ro", "cs_emulator0000000000000000000000000000000ro");

/// Which authentication the site accepts: WooCommerce uses Basic/query keys on HTTPS and
/// only OAuth 1.0a on plain HTTP (`WC_REST_Authentication::authenticate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteScheme {
    /// The shop is served over TLS (the emulator itself still listens on plain HTTP).
    Https,
    /// The shop is plain HTTP: OAuth 1.0a one-legged signatures, with `site_url` as the signed URL.
    Http,
}

/// Emulator settings; `Default` gives a stock WooCommerce shop.
#[derive(Debug, Clone)]
pub struct Config {
    pub keys: Vec<ApiKey>,
    pub scheme: SiteScheme,
    /// Site URL used in links, `X-WC-Webhook-Source` and OAuth base strings; default: the emulator's own URL.
    pub site_url: Option<String>,
    /// The site's time zone as minutes east of UTC (WordPress default: UTC).
    pub utc_offset_minutes: i32,
    pub currency: String,
    /// `per_page` when a request gives none (WordPress: 10).
    pub per_page_default: i64,
    /// `woocommerce_rest_batch_items_limit` (100).
    pub batch_limit: usize,
    /// `woocommerce_max_webhook_delivery_failures` (5): disabled when the count exceeds it.
    pub max_webhook_failures: u32,
    /// How long a webhook receiver or wc-auth callback may take (WooCommerce: 60 s).
    pub webhook_timeout: Duration,
    /// Wait before each delivery, standing in for WP-cron/Action Scheduler lag (default none).
    pub webhook_delay: Duration,
    /// Send the `webhook_id=N` form ping when a webhook is created active.
    pub webhook_ping: bool,
    /// OAuth timestamp window either side of now (15 minutes).
    pub oauth_window_secs: i64,
    /// Whether the merchant approves `/wc-auth/v1/authorize` requests.
    pub wc_auth_approve: bool,
    /// WooCommerce refuses non-HTTPS `callback_url`s; off by default so local receivers work.
    pub wc_auth_require_https_callback: bool,
    pub wc_version: String,
    pub wp_version: String,
}

impl Default for Config {
    fn default() -> Self {
        let key = |(ck, cs): (&str, &str), p: Permission, d: &str| ApiKey {
            consumer_key: ck.into(),
            consumer_secret: cs.into(),
            permissions: p,
            user_id: 1,
            description: d.into(),
        };
        Self {
            keys: vec![
                key(READ_WRITE_KEY, Permission::ReadWrite, "emulator read/write"),
                key(READ_ONLY_KEY, Permission::Read, "emulator read-only"),
            ],
            scheme: SiteScheme::Https,
            site_url: None,
            utc_offset_minutes: 0,
            currency: "USD".into(),
            per_page_default: 10,
            batch_limit: 100,
            max_webhook_failures: 5,
            webhook_timeout: Duration::from_secs(60),
            webhook_delay: Duration::ZERO,
            webhook_ping: true,
            oauth_window_secs: 15 * 60,
            wc_auth_approve: true,
            wc_auth_require_https_callback: false,
            wc_version: "9.1.0".into(),
            wp_version: "6.5".into(),
        }
    }
}

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    pub running: Running,
    pub control: Control,
    app: Arc<App>,
}

/// Starts the emulator on `127.0.0.1:port` (`0` picks a free port).
pub async fn start(config: Config, port: u16) -> std::io::Result<Emulator> {
    let control = Control::new(config.webhook_timeout);
    let (app, jobs) = App::new(config, control.clone());
    let app = Arc::new(app);
    let router = api::router(app.clone())
        .route("/wc-auth/v1/authorize", get(wc_auth::authorize).with_state(app.clone()))
        .merge(control_routes(app.clone()))
        .fallback(|| async { WcError::no_route() });
    let running = emulator_kit::serve(router, &control, port).await?;
    let site = app.cfg.site_url.clone().unwrap_or_else(|| running.base_url());
    let _ = app.site.set(site.trim_end_matches('/').to_string());
    tokio::spawn(webhooks::worker(app.clone(), jobs));
    Ok(Emulator { running, control, app })
}

impl Emulator {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// `{base_url}/wp-json/wc/v3`.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.base_url(), api::PREFIX)
    }

    /// Creates a resource as the REST API would (`kind`: `products`, `categories`, `customers`,
    /// `orders`, `taxes`, `webhooks`, …) without firing webhooks; returns its REST form.
    pub fn seed(&self, kind: &str, input: Value) -> Result<Value, WcError> {
        let mut st = self.app.store();
        seed_one(&self.app, &mut st, kind, input)
    }

    pub fn seed_product(&self, input: Value) -> Result<Value, WcError> {
        self.seed("products", input)
    }

    pub fn seed_customer(&self, input: Value) -> Result<Value, WcError> {
        self.seed("customers", input)
    }

    pub fn seed_order(&self, input: Value) -> Result<Value, WcError> {
        self.seed("orders", input)
    }

    /// Every resource in its REST form, plus webhooks and keys.
    pub fn state(&self) -> Value {
        snapshot(&self.app)
    }

    /// The stored webhook with its secret, status and failure count.
    pub fn webhook(&self, id: u64) -> Option<Hook> {
        self.app.store().webhooks.get(&id).cloned()
    }

    /// API keys currently valid (configured and issued through wc-auth).
    pub fn keys(&self) -> Vec<KeyRow> {
        self.app.store().keys.clone()
    }

    /// Waits until every queued webhook delivery has been attempted.
    pub async fn flush_webhooks(&self) {
        self.app.flush().await;
    }

    pub fn advance_clock(&self, secs: i64) {
        self.app.advance_clock(secs);
    }

    /// The shop's current unix time (real time plus [`Emulator::advance_clock`] shifts).
    pub fn now(&self) -> i64 {
        self.app.now()
    }

    /// The merchant's answer on the wc-auth approval screen.
    pub fn set_wc_auth_approval(&self, approve: bool) {
        self.app.approve_wc_auth.store(approve, Ordering::SeqCst);
    }

    /// Empties the shop (keys back to the configured ones).
    pub fn reset(&self) {
        *self.app.store() = state::Store::new(&self.app.cfg);
    }
}

fn seed_one(app: &App, st: &mut state::Store, kind: &str, input: Value) -> Result<Value, WcError> {
    let Value::Object(mut m) = input else {
        return Err(WcError::new(400, "rest_invalid_json", "Seed items must be JSON objects."));
    };
    let res = Res::by_name(kind)
        .ok_or_else(|| WcError::new(400, "rest_invalid_param", &format!("Unknown seed kind {kind}.")))?;
    let parent = match res {
        Res::Variations => m.remove("product_id"),
        Res::Terms => m.remove("attribute_id"),
        Res::Refunds => m.remove("order_id"),
        _ => None,
    }
    .and_then(|v| util::as_i64(Some(&v)))
    .unwrap_or(0) as u64;
    let variations = if res == Res::Products { m.remove("variations") } else { None };
    let (mut created, _events) = api::do_create(app, st, res, parent, &m)?;
    if let Some(Value::Array(vars)) = variations {
        let pid = created["id"].as_u64().unwrap_or(0);
        let mut made = vec![];
        for v in vars {
            let Value::Object(vm) = v else { continue };
            made.push(api::do_create(app, st, Res::Variations, pid, &vm)?.0);
        }
        created = api::do_get(app, st, Res::Products, 0, pid)?;
        created["_seeded_variations"] = Value::Array(made);
    }
    Ok(created)
}

fn snapshot(app: &App) -> Value {
    let st = app.store();
    let mut out = Map::new();
    let q = listing::Query::default();
    let mut all = |name: &str, res: Res| {
        let items: Vec<Value> = match res {
            Res::Variations => st.variations.values().map(|v| catalog::render_variation(app, &st, v)).collect(),
            Res::Terms => st
                .terms
                .values()
                .map(|t| catalog::render_term(app, &st, catalog::Taxonomy::Term(t.parent), t))
                .collect(),
            Res::Refunds => st.refunds.values().map(|r| sales::render_refund(app, r)).collect(),
            Res::Products => st.products.values().map(|p| catalog::render_product(app, &st, p)).collect(),
            Res::Orders => st.orders.values().map(|o| sales::render_order(app, &st, o)).collect(),
            other => api::do_list(app, &st, other, 0, &q).unwrap_or_default(),
        };
        out.insert(name.to_string(), Value::Array(items));
    };
    for name in [
        "products",
        "variations",
        "categories",
        "tags",
        "attributes",
        "terms",
        "customers",
        "orders",
        "refunds",
        "taxes",
    ] {
        all(name, Res::by_name(name).expect("known names"));
    }
    out.insert("webhooks".into(), json!(st.webhooks.values().collect::<Vec<_>>()));
    out.insert("keys".into(), json!(st.keys));
    out.insert("tax_classes".into(), json!(settings::list_tax_classes(app, &st)));
    out.insert("payment_gateways".into(), json!(settings::list_gateways(app, &st)));
    Value::Object(out)
}

// ---------- control routes ----------

async fn ctl_seed(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let input = match api::body_object(&body) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let mut st = app.store();
    let mut out = Map::new();
    // Dependencies first: terms and customers before the products and orders that use them.
    let order = [
        "categories",
        "tags",
        "attributes",
        "terms",
        "taxes",
        "customers",
        "products",
        "variations",
        "orders",
        "refunds",
        "webhooks",
    ];
    for kind in order {
        let Some(items) = input.get(kind).and_then(Value::as_array) else { continue };
        let mut made = vec![];
        for item in items {
            match seed_one(&app, &mut st, kind, item.clone()) {
                Ok(v) => made.push(v),
                Err(e) => return e.into_response(),
            }
        }
        out.insert(kind.into(), Value::Array(made));
    }
    axum::Json(Value::Object(out)).into_response()
}

async fn ctl_state(State(app): State<Arc<App>>) -> Response {
    axum::Json(snapshot(&app)).into_response()
}

async fn ctl_reset(State(app): State<Arc<App>>) -> Response {
    *app.store() = state::Store::new(&app.cfg);
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn ctl_clock(State(app): State<Arc<App>>, axum::Json(b): axum::Json<Value>) -> Response {
    app.advance_clock(b.get("advance_secs").and_then(Value::as_i64).unwrap_or(0));
    axum::Json(json!({ "now": app.now() })).into_response()
}

async fn ctl_wc_auth(State(app): State<Arc<App>>, axum::Json(b): axum::Json<Value>) -> Response {
    let approve = b.get("approve").and_then(Value::as_bool).unwrap_or(true);
    app.approve_wc_auth.store(approve, Ordering::SeqCst);
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn ctl_flush(State(app): State<Arc<App>>) -> Response {
    app.flush().await;
    axum::http::StatusCode::NO_CONTENT.into_response()
}

fn control_routes(app: Arc<App>) -> Router {
    Router::new()
        .route("/_emulator/seed", post(ctl_seed))
        .route("/_emulator/state", get(ctl_state))
        .route("/_emulator/reset", post(ctl_reset))
        .route("/_emulator/clock", post(ctl_clock))
        .route("/_emulator/wc-auth", post(ctl_wc_auth))
        .route("/_emulator/webhooks/flush", post(ctl_flush))
        .with_state(app)
}
