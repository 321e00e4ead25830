//! BigCommerce-specific control routes (the kit adds counts, faults and the webhook log):
//!
//! | route | what it does |
//! |---|---|
//! | `POST /_emulator/stores` | `{store_hash?, scopes?}` → a store with a store-level token |
//! | `POST /_emulator/install` | `{store_hash?, scope?}` → an auth code and the auth-callback URL |
//! | `POST /_emulator/jwt` | `{store_hash, kind, issued_secs_ago?, audience?, signing_secret?}` → a `signed_payload_jwt` |
//! | `POST /_emulator/uninstall` | `{store_hash}` → fires `store/app/uninstalled`, drops the app's hooks and token |
//! | `POST /_emulator/stores/{hash}/seed` | categories, brands, products, customer_groups, customers, orders (no webhooks) |
//! | `GET /_emulator/stores/{hash}/state` | snapshot of the store |
//! | `POST /_emulator/stores/{hash}/rate_limit` | `{quota, window_ms}` for that store |
//! | `POST /_emulator/reset` | forget every store |

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use emulator_kit::lock;
use serde_json::{Value, json};

use crate::auth::{JwtKind, JwtOptions, make_jwt};
use crate::hooks::{Events, emit};
use crate::state::{Store, Token};
use crate::{AppState, Shared, catalog, customers, orders};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_emulator/stores", post(ctl_store))
        .route("/_emulator/install", post(ctl_install))
        .route("/_emulator/jwt", post(ctl_jwt))
        .route("/_emulator/uninstall", post(ctl_uninstall))
        .route("/_emulator/stores/{hash}/seed", post(ctl_seed))
        .route("/_emulator/stores/{hash}/state", get(ctl_state))
        .route("/_emulator/stores/{hash}/rate_limit", post(ctl_rate_limit))
        .route("/_emulator/reset", post(ctl_reset))
}

fn new_hash() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..7].to_string()
}

fn ensure_store<'a>(db: &'a mut crate::state::Db, hash: &str) -> &'a mut Store {
    if !db.stores.contains_key(hash) {
        db.next_store_id += 1;
        let id = 1_000_000 + db.next_store_id;
        db.stores.insert(hash.to_string(), Store::new(hash, id));
    }
    db.stores.get_mut(hash).expect("inserted above")
}

/// Adds a store-level API account (own client id and secret); returns (token, client_id, client_secret).
pub fn add_store_token(
    s: &AppState,
    hash: &str,
    token: Option<String>,
    scopes: Vec<String>,
) -> (String, String, String) {
    let mut db = lock(&s.db);
    let st = ensure_store(&mut db, hash);
    let token = token.unwrap_or_else(|| format!("bcst{}", uuid::Uuid::new_v4().simple()));
    let client_id = format!("store-{}", uuid::Uuid::new_v4().simple());
    let client_secret = format!("secret-{}", uuid::Uuid::new_v4().simple());
    st.tokens
        .insert(token.clone(), Token { scopes, client_id: client_id.clone(), client_secret: client_secret.clone() });
    (token, client_id, client_secret)
}

/// Creates the store if needed and a single-use code; the browser URL for the auth callback.
pub fn begin_install(s: &AppState, hash: &str) -> Value {
    begin_install_with(s, hash, &s.config.app_scopes.join(" "))
}

fn begin_install_with(s: &AppState, hash: &str, scope: &str) -> Value {
    let mut db = lock(&s.db);
    let account_uuid = ensure_store(&mut db, hash).account_uuid.clone();
    let code = uuid::Uuid::new_v4().simple().to_string()[..16].to_string();
    db.codes.insert(code.clone(), (hash.to_string(), scope.to_string()));
    let context = format!("stores/{hash}");
    let mut url = url::Url::parse(&s.config.auth_callback_url)
        .unwrap_or_else(|_| url::Url::parse("https://app.example.com/auth").expect("static URL"));
    url.query_pairs_mut()
        .append_pair("account_uuid", &account_uuid)
        .append_pair("code", &code)
        .append_pair("context", &context)
        .append_pair("scope", scope);
    json!({ "store_hash": hash, "code": code, "scope": scope, "context": context, "account_uuid": account_uuid, "callback_url": url.as_str() })
}

fn callback_url(s: &AppState, kind: JwtKind, jwt: &str) -> String {
    let base = s.config.auth_callback_url.trim_end_matches('/');
    let base = base.strip_suffix("/auth").unwrap_or(base);
    let path = match kind {
        JwtKind::Load => "load",
        JwtKind::Uninstall => "uninstall",
        JwtKind::RemoveUser => "remove_user",
    };
    format!("{base}/{path}?signed_payload_jwt={jwt}")
}

async fn ctl_store(State(s): State<Shared>, body: Option<axum::Json<Value>>) -> Response {
    let b = body.map(|j| j.0).unwrap_or(Value::Null);
    let hash = b.get("store_hash").and_then(Value::as_str).map(str::to_string).unwrap_or_else(new_hash);
    let scopes = b
        .get("scopes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_else(|| crate::FULL_SCOPES.iter().map(|x| x.to_string()).collect());
    let token = b.get("access_token").and_then(Value::as_str).map(str::to_string);
    let (token, client_id, client_secret) = add_store_token(&s, &hash, token, scopes);
    axum::Json(
        json!({ "store_hash": hash, "access_token": token, "client_id": client_id, "client_secret": client_secret }),
    )
    .into_response()
}

async fn ctl_install(State(s): State<Shared>, body: Option<axum::Json<Value>>) -> Response {
    let b = body.map(|j| j.0).unwrap_or(Value::Null);
    let hash = b.get("store_hash").and_then(Value::as_str).map(str::to_string).unwrap_or_else(new_hash);
    let scope =
        b.get("scope").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| s.config.app_scopes.join(" "));
    axum::Json(begin_install_with(&s, &hash, &scope)).into_response()
}

async fn ctl_jwt(State(s): State<Shared>, axum::Json(b): axum::Json<Value>) -> Response {
    let Some(hash) = b.get("store_hash").and_then(Value::as_str) else {
        return (StatusCode::BAD_REQUEST, "store_hash is required").into_response();
    };
    let opts: JwtOptions = match serde_json::from_value(b.clone()) {
        Ok(o) => o,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let jwt = make_jwt(&s.config, hash, 0, &opts);
    axum::Json(json!({ "signed_payload_jwt": jwt, "url": callback_url(&s, opts.kind, &jwt) })).into_response()
}

async fn ctl_uninstall(State(s): State<Shared>, axum::Json(b): axum::Json<Value>) -> Response {
    let hash = b.get("store_hash").and_then(Value::as_str).unwrap_or("").to_string();
    let mut db = lock(&s.db);
    let Some(st) = db.stores.get_mut(&hash) else { return StatusCode::NOT_FOUND.into_response() };
    let ev: Events = vec![("store/app/uninstalled".into(), json!({ "type": "store", "id": st.store_id.to_string() }))];
    emit(&s, st, ev);
    let app = s.config.client_id.clone();
    st.hooks.retain(|_, h| h.client_id != app);
    st.tokens.retain(|_, t| t.client_id != app);
    drop(db);
    let jwt = make_jwt(&s.config, &hash, 0, &JwtOptions { kind: JwtKind::Uninstall, ..JwtOptions::default() });
    axum::Json(json!({ "url": callback_url(&s, JwtKind::Uninstall, &jwt) })).into_response()
}

/// Seeds records through the same rules as the API; webhooks do not fire.
pub fn seed(s: &AppState, hash: &str, b: &Value) -> Result<Value, String> {
    let mut db = lock(&s.db);
    let st = ensure_store(&mut db, hash);
    let mut ev = Events::new();
    let mut out = json!({});
    let list = |k: &str| b.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let err = |r: Response| format!("seed rejected with status {}", r.status());
    let mut ids = Vec::new();
    for c in list("categories") {
        ids.push(catalog::create_category_core(st, &c, &mut ev).map_err(err)?);
    }
    out["categories"] = json!(ids);
    let mut ids = Vec::new();
    for x in list("brands") {
        ids.push(catalog::create_brand_core(st, &x).map_err(err)?);
    }
    out["brands"] = json!(ids);
    let mut ids = Vec::new();
    for p in list("products") {
        ids.push(catalog::create_product_core(st, &p, &mut ev).map_err(err)?);
    }
    out["products"] = json!(ids);
    let mut ids = Vec::new();
    for g in list("customer_groups") {
        ids.push(customers::create_group_core(st, &g).map_err(err)?);
    }
    out["customer_groups"] = json!(ids);
    let mut ids = Vec::new();
    for chunk in list("customers").chunks(customers::MAX_CUSTOMER_BATCH) {
        ids.extend(customers::create_core(st, &Value::Array(chunk.to_vec()), &mut ev).map_err(err)?);
    }
    out["customers"] = json!(ids);
    let mut ids = Vec::new();
    for o in list("orders") {
        let id = orders::create_core(st, &o, &mut ev).map_err(err)?;
        for t in o.get("transactions").and_then(Value::as_array).cloned().unwrap_or_default() {
            orders::add_transaction(st, id, &t);
        }
        ids.push(id);
    }
    out["orders"] = json!(ids);
    Ok(out)
}

pub fn snapshot(s: &AppState, hash: &str) -> Option<Value> {
    let db = lock(&s.db);
    let st = db.stores.get(hash)?;
    let mut v = catalog::snapshot(st);
    for part in [customers::snapshot(st), orders::snapshot(st)] {
        if let (Some(o), Some(p)) = (v.as_object_mut(), part.as_object()) {
            o.extend(p.clone());
        }
    }
    v["hooks"] = Value::Array(st.hooks.values().map(|h| st.render_hook(h)).collect());
    v["store_id"] = json!(st.store_id);
    Some(v)
}

async fn ctl_seed(State(s): State<Shared>, Path(hash): Path<String>, axum::Json(b): axum::Json<Value>) -> Response {
    match seed(&s, &hash, &b) {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({ "error": e }))).into_response(),
    }
}

async fn ctl_state(State(s): State<Shared>, Path(hash): Path<String>) -> Response {
    match snapshot(&s, &hash) {
        Some(v) => axum::Json(v).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn ctl_rate_limit(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    axum::Json(b): axum::Json<Value>,
) -> Response {
    let mut db = lock(&s.db);
    let Some(st) = db.stores.get_mut(&hash) else { return StatusCode::NOT_FOUND.into_response() };
    if let Some(q) = b.get("quota").and_then(Value::as_u64) {
        st.quota = Some(q as u32);
    }
    if let Some(w) = b.get("window_ms").and_then(Value::as_u64) {
        st.window_ms = Some(w);
    }
    st.rate.used = 0;
    st.rate.started = std::time::Instant::now();
    StatusCode::NO_CONTENT.into_response()
}

async fn ctl_reset(State(s): State<Shared>) -> StatusCode {
    let mut db = lock(&s.db);
    db.stores.clear();
    db.codes.clear();
    StatusCode::NO_CONTENT
}
