//! Ecwid-specific control routes under `/_emulator` (the kit adds counts, faults and the
//! webhook outbox controls):
//!
//! | route | what it does |
//! |---|---|
//! | `GET /_emulator/state` | app settings, stores with all data, tokens (masked), webhook events |
//! | `POST /_emulator/reset` | back to the configured start state |
//! | `GET /_emulator/events` | webhook events with their delivery attempts |
//! | `PUT /_emulator/app` | `{webhookUrl?, webhookHeaders?: {name: value}, retryScheduleMs?: [..]}` |
//! | `POST /_emulator/ratelimit` | `{limit, windowMs}` |
//! | `POST /_emulator/stores` | `{storeId, email?}` adds a store |
//! | `PUT /_emulator/stores/{storeId}/plan` | `{apiEnabled?, variationsEnabled?}` |
//! | `POST /_emulator/stores/{storeId}/tokens` | `{scopes: [..]}` installs the app → `{access_token, public_token?}` |
//! | `POST /_emulator/stores/{storeId}/seed` | `{customerGroups, categories, products, customers, orders}` silently → ids |
//! | `POST /_emulator/stores/{storeId}/checkout` | a storefront order: deducts stock, sends webhooks → `{id}` |
//! | `PUT /_emulator/stores/{storeId}/products/{productId}` | a merchant edit in the control panel (sends webhooks) |

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use emulator_kit::{json_status, lock};
use serde_json::{Map, Value, json};

use crate::store::Store;
use crate::{EcwidState, Shared};

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_emulator/state", get(state))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/events", get(events))
        .route("/_emulator/app", put(app))
        .route("/_emulator/ratelimit", post(ratelimit))
        .route("/_emulator/stores", post(add_store))
        .route("/_emulator/stores/{store_id}/plan", put(plan))
        .route("/_emulator/stores/{store_id}/tokens", post(tokens))
        .route("/_emulator/stores/{store_id}/seed", post(seed))
        .route("/_emulator/stores/{store_id}/checkout", post(checkout))
        .route("/_emulator/stores/{store_id}/products/{product_id}", put(merchant_edit))
        .with_state(shared)
}

fn handle(s: &Arc<Shared>) -> EcwidState {
    EcwidState { shared: s.clone() }
}

fn bad(msg: impl Into<String>) -> Response {
    json_status(StatusCode::BAD_REQUEST, json!({ "error": msg.into() }))
}

async fn state(State(s): S) -> Json<Value> {
    Json(handle(&s).snapshot())
}

async fn reset(State(s): S) -> StatusCode {
    handle(&s).reset();
    StatusCode::NO_CONTENT
}

async fn events(State(s): S) -> Json<Value> {
    Json(json!(*lock(&s.events)))
}

async fn app(State(s): S, Json(b): Json<Map<String, Value>>) -> Response {
    let mut w = lock(&s.world);
    if let Some(u) = b.get("webhookUrl") {
        w.webhook_url = u.as_str().map(String::from);
    }
    if let Some(Value::Object(h)) = b.get("webhookHeaders") {
        w.webhook_headers = h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
    }
    if let Some(Value::Array(a)) = b.get("retryScheduleMs") {
        w.retry_schedule = a.iter().filter_map(Value::as_u64).map(Duration::from_millis).collect();
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn ratelimit(State(s): S, Json(b): Json<Map<String, Value>>) -> Response {
    let (Some(limit), Some(ms)) = (b.get("limit").and_then(Value::as_u64), b.get("windowMs").and_then(Value::as_u64))
    else {
        return bad("limit and windowMs are required");
    };
    lock(&s.limiter).reconfigure(limit as u32, Duration::from_millis(ms));
    StatusCode::NO_CONTENT.into_response()
}

async fn add_store(State(s): S, Json(b): Json<Map<String, Value>>) -> Response {
    let Some(id) = b.get("storeId").and_then(Value::as_u64) else { return bad("storeId is required") };
    let email = b.get("email").and_then(Value::as_str).unwrap_or("owner@example.com").to_string();
    lock(&s.world).stores.entry(id).or_insert_with(|| Store::new(id, email));
    StatusCode::NO_CONTENT.into_response()
}

async fn plan(State(s): S, Path(store_id): Path<u64>, Json(b): Json<Map<String, Value>>) -> Response {
    let mut w = lock(&s.world);
    let Some(st) = w.stores.get_mut(&store_id) else { return bad("unknown store") };
    if let Some(v) = b.get("apiEnabled").and_then(Value::as_bool) {
        st.api_enabled = v;
    }
    if let Some(v) = b.get("variationsEnabled").and_then(Value::as_bool) {
        st.variations_enabled = v;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn tokens(State(s): S, Path(store_id): Path<u64>, Json(b): Json<Map<String, Value>>) -> Response {
    let mut scopes: std::collections::BTreeSet<String> = b
        .get("scopes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default();
    scopes.insert("read_store_profile".into());
    match lock(&s.world).install(store_id, scopes) {
        Some(t) => Json(json!({ "access_token": t.access_token, "public_token": t.public_token })).into_response(),
        None => bad("unknown store"),
    }
}

async fn seed(State(s): S, Path(store_id): Path<u64>, Json(b): Json<Map<String, Value>>) -> Response {
    let h = handle(&s);
    let mut out = Map::new();
    for kind in ["customerGroups", "categories", "products", "customers", "orders"] {
        let mut ids = Vec::new();
        for item in b.get(kind).and_then(Value::as_array).into_iter().flatten() {
            match h.seed(store_id, kind, item.clone()) {
                Ok(id) => ids.push(json!(id)),
                Err(e) => return bad(format!("{kind}: {e}")),
            }
        }
        out.insert(kind.to_string(), Value::Array(ids));
    }
    Json(Value::Object(out)).into_response()
}

async fn checkout(State(s): S, Path(store_id): Path<u64>, Json(b): Json<Map<String, Value>>) -> Response {
    match handle(&s).place_order(store_id, b) {
        Ok(id) => Json(json!({ "id": id })).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn merchant_edit(
    State(s): S,
    Path((store_id, pid)): Path<(u64, u64)>,
    Json(b): Json<Map<String, Value>>,
) -> Response {
    match handle(&s).merchant_update_product(store_id, pid, b) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
