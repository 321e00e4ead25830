//! `/v3/hooks` subscriptions and their deliveries: thin payloads signed the Standard Webhooks
//! way, custom headers echoed, retries on the configured schedule, then `is_active=false`.

use std::sync::Weak;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use emulator_kit::{Delivery, SendOutcome, lock};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use tokio::sync::mpsc;

use crate::gate::Caller;
use crate::state::{Hook, Store};
use crate::util::{self, Paging, not_found_v3, now, parse_body, v3_error, v3_list, v3_single};
use crate::{AppState, Shared};

/// Events produced by a change: `(scope, data)`. Handlers emit them; seeding drops them.
pub type Events = Vec<(String, Value)>;

/// One webhook message to one hook (retries reuse it, so `msg_id` and `body` stay the same).
#[derive(Debug, Clone)]
pub struct Job {
    store_hash: String,
    hook_id: u64,
    url: String,
    headers: Vec<(String, String)>,
    secret: String,
    msg_id: String,
    body: String,
}

/// Whether a hook's scope (exact or ending in `/*`) covers an event scope.
fn scope_matches(hook: &str, event: &str) -> bool {
    match hook.strip_suffix('*') {
        Some(prefix) => event.starts_with(prefix),
        None => hook == event,
    }
}

/// Builds the thin payload for every matching active hook of the store and queues it.
pub fn emit(s: &AppState, st: &Store, events: Events) {
    for (scope, data) in events {
        let data_json = data.to_string();
        let hash = hex::encode(Sha1::digest(data_json.as_bytes()));
        let body = json!({
            "scope": scope, "store_id": st.store_id.to_string(), "data": data, "hash": hash,
            "created_at": now(), "producer": format!("stores/{}", st.hash),
        })
        .to_string();
        for h in st.hooks.values().filter(|h| h.is_active && scope_matches(&h.scope, &scope)) {
            let headers = h
                .headers
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
                .unwrap_or_default();
            let _ = s.jobs.send(Job {
                store_hash: st.hash.clone(),
                hook_id: h.id,
                url: h.destination.clone(),
                headers,
                secret: h_secret(st, h, s),
                msg_id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
                body: body.clone(),
            });
        }
    }
}

fn h_secret(st: &Store, h: &Hook, s: &AppState) -> String {
    st.tokens
        .values()
        .find(|t| t.client_id == h.client_id)
        .map(|t| t.client_secret.clone())
        .unwrap_or_else(|| s.config.client_secret.clone())
}

/// `v1,<base64 HMAC-SHA256(secret, "{id}.{ts}.{body}")>`.
pub fn signature(secret: &[u8], msg_id: &str, ts: i64, body: &str) -> String {
    let mac = crate::auth::hmac256(secret, format!("{msg_id}.{ts}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac))
}

/// Sends first attempts in order; a failed message gets its own retry task.
pub async fn worker(state: Weak<AppState>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = rx.recv().await {
        let Some(s) = state.upgrade() else { return };
        if !attempt(&s, &job).await {
            let weak = state.clone();
            tokio::spawn(retry(weak, job));
        }
    }
}

async fn retry(state: Weak<AppState>, job: Job) {
    let schedule = match state.upgrade() {
        Some(s) => s.config.webhook_retry_schedule.clone(),
        None => return,
    };
    for wait in schedule {
        tokio::time::sleep(wait).await;
        let Some(s) = state.upgrade() else { return };
        let active = lock(&s.db)
            .stores
            .get(&job.store_hash)
            .and_then(|st| st.hooks.get(&job.hook_id))
            .is_some_and(|h| h.is_active);
        if !active {
            return;
        }
        if attempt(&s, &job).await {
            return;
        }
    }
    if let Some(s) = state.upgrade()
        && let Some(h) = lock(&s.db).stores.get_mut(&job.store_hash).and_then(|st| st.hooks.get_mut(&job.hook_id))
    {
        h.is_active = false;
        h.updated_at = now();
    }
}

/// One delivery attempt through the kit's outbox (its drop/duplicate/hold faults apply).
/// A dropped or held delivery counts as sent: the platform believes it was.
async fn attempt(s: &AppState, job: &Job) -> bool {
    let ts = now();
    let mut headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("webhook-id".to_string(), job.msg_id.clone()),
        ("webhook-timestamp".to_string(), ts.to_string()),
        ("webhook-signature".to_string(), signature(job.secret.as_bytes(), &job.msg_id, ts, &job.body)),
    ];
    headers.extend(job.headers.iter().cloned());
    let outcome =
        s.control.outbox().send(Delivery { url: job.url.clone(), headers, body: job.body.clone().into_bytes() }).await;
    match outcome {
        SendOutcome::Answered(code) => (200..300).contains(&code),
        SendOutcome::Dropped | SendOutcome::Held => true,
        SendOutcome::NetworkError => false,
    }
}

fn hook_error(title: &str) -> Response {
    v3_error(StatusCode::UNPROCESSABLE_ENTITY, title, json!({}))
}

fn valid_destination(s: &AppState, dest: &str) -> bool {
    let Ok(u) = url::Url::parse(dest) else { return false };
    if !s.config.require_https_443 {
        return matches!(u.scheme(), "http" | "https");
    }
    u.scheme() == "https" && u.port_or_known_default() == Some(443)
}

pub async fn list(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let db = lock(&s.db);
    let Some(st) = db.stores.get(&hash) else { return not_found_v3() };
    let items = st
        .hooks
        .values()
        .filter(|h| h.client_id == caller.client_id)
        .filter(|h| q.get("scope").is_none_or(|x| *x == h.scope))
        .filter(|h| q.get("destination").is_none_or(|x| *x == h.destination))
        .filter(|h| q.get("is_active").is_none_or(|x| x.parse::<bool>().ok() == Some(h.is_active)))
        .map(|h| st.render_hook(h))
        .collect();
    v3_list(items, p)
}

pub async fn create(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let scope = b.get("scope").and_then(Value::as_str).unwrap_or("").to_string();
    let dest = b.get("destination").and_then(Value::as_str).unwrap_or("").to_string();
    let mut errors = serde_json::Map::new();
    if scope.is_empty() {
        errors.insert("scope".into(), json!("scope is required"));
    }
    if dest.is_empty() {
        errors.insert("destination".into(), json!("destination is required"));
    }
    if !errors.is_empty() {
        return v3_error(StatusCode::UNPROCESSABLE_ENTITY, "Missing required fields.", Value::Object(errors));
    }
    if !valid_destination(&s, &dest) {
        return hook_error("The destination must be an https URL on port 443.");
    }
    let mut db = lock(&s.db);
    let Some(st) = db.stores.get_mut(&hash) else { return not_found_v3() };
    let same_scope = st.hooks.values().filter(|h| h.client_id == caller.client_id && h.scope == scope);
    if same_scope.clone().any(|h| h.destination == dest) {
        return hook_error("A webhook with this scope and destination already exists.");
    }
    if same_scope.count() >= 10 {
        return hook_error("You can have at most 10 webhooks per scope.");
    }
    let id = st.next("hook");
    let t = now();
    let hook = Hook {
        id,
        client_id: caller.client_id.clone(),
        scope,
        destination: dest,
        headers: b.get("headers").cloned().filter(Value::is_object).unwrap_or(Value::Null),
        is_active: b.get("is_active").and_then(Value::as_bool).unwrap_or(true),
        created_at: t,
        updated_at: t,
    };
    let out = st.render_hook(&hook);
    st.hooks.insert(id, hook);
    v3_single(out)
}

fn find<'a>(st: &'a mut Store, id: u64, caller: &Caller) -> Option<&'a mut Hook> {
    st.hooks.get_mut(&id).filter(|h| h.client_id == caller.client_id)
}

pub async fn get(
    State(s): State<Shared>,
    Path((hash, id)): Path<(String, u64)>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let mut db = lock(&s.db);
    let Some(st) = db.stores.get_mut(&hash) else { return not_found_v3() };
    match find(st, id, &caller).cloned() {
        Some(h) => v3_single(st.render_hook(&h)),
        None => not_found_v3(),
    }
}

pub async fn update(
    State(s): State<Shared>,
    Path((hash, id)): Path<(String, u64)>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(d) = b.get("destination").and_then(Value::as_str)
        && !valid_destination(&s, d)
    {
        return hook_error("The destination must be an https URL on port 443.");
    }
    let mut db = lock(&s.db);
    let Some(st) = db.stores.get_mut(&hash) else { return not_found_v3() };
    let Some(h) = find(st, id, &caller) else { return not_found_v3() };
    if let Some(v) = b.get("scope").and_then(Value::as_str) {
        h.scope = v.to_string();
    }
    if let Some(v) = b.get("destination").and_then(Value::as_str) {
        h.destination = v.to_string();
    }
    if let Some(v) = b.get("is_active").and_then(Value::as_bool) {
        h.is_active = v;
    }
    if let Some(v) = b.get("headers") {
        h.headers = v.clone();
    }
    h.updated_at = now();
    let h = h.clone();
    v3_single(st.render_hook(&h))
}

pub async fn delete(
    State(s): State<Shared>,
    Path((hash, id)): Path<(String, u64)>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let mut db = lock(&s.db);
    let Some(st) = db.stores.get_mut(&hash) else { return not_found_v3() };
    if find(st, id, &caller).is_none() {
        return not_found_v3();
    }
    let h = st.hooks.remove(&id).expect("checked above");
    v3_single(st.render_hook(&h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_scopes_cover_sub_events() {
        assert!(scope_matches("store/product/*", "store/product/inventory/updated"));
        assert!(scope_matches("store/order/updated", "store/order/updated"));
        assert!(!scope_matches("store/order/updated", "store/order/created"));
        assert!(!scope_matches("store/sku/*", "store/product/updated"));
    }

    #[test]
    fn signature_follows_standard_webhooks() {
        // Standard Webhooks test vector (secret bytes = base64-decoded whsec value).
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, r#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
