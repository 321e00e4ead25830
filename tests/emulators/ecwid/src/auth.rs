//! OAuth (`/api/oauth/authorize`, `/api/oauth/token`), the per-token rate limit and the guard
//! every `/api/v3/{storeId}/…` request passes: token, store, plan, scope, content type.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use emulator_kit::{json_status, lock};
use serde_json::json;

use crate::util::ApiError;
use crate::{AuthCode, Shared};

/// Fixed-window request counter per token.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: HashMap<String, (Instant, u32)>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, buckets: HashMap::new() }
    }

    pub fn reconfigure(&mut self, limit: u32, window: Duration) {
        *self = Self::new(limit, window);
    }

    pub fn settings(&self) -> (u32, Duration) {
        (self.limit, self.window)
    }

    /// Counts one request; `Err(seconds)` = over the limit, retry after that many seconds.
    pub fn hit(&mut self, key: &str, now: Instant) -> Result<(), u64> {
        let window = self.window;
        let entry = self.buckets.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_millis().div_ceil(1000).max(1) as u64);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Who is calling, inserted by [`guard`] for the handlers.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub store_id: u64,
    /// A `public_*` token: enabled catalog only, read-only except order creation.
    pub public: bool,
}

fn forbidden(msg: &str) -> Response {
    ApiError::new(StatusCode::FORBIDDEN, msg).into_response()
}

/// The scope a request needs, from its method and the path below `/api/v3/{storeId}`.
fn required_scope(method: &Method, rest: &[&str]) -> &'static str {
    let resource = rest.first().copied().unwrap_or("");
    let top_level = rest.len() == 1;
    match (resource, method.as_str()) {
        ("products" | "categories", "GET") => "read_catalog",
        ("products" | "categories", "POST") if top_level => "create_catalog",
        ("products" | "categories", _) => "update_catalog",
        ("orders", "GET") => "read_orders",
        ("orders", "POST") => "create_orders",
        ("orders", _) => "update_orders",
        ("customers" | "customer_groups", "GET") => "read_customers",
        ("customers" | "customer_groups", "POST") => "create_customers",
        ("customers" | "customer_groups", _) => "update_customers",
        _ => "read_store_profile",
    }
}

fn public_allowed(method: &Method, rest: &[&str]) -> bool {
    match rest.first().copied() {
        Some("products" | "categories") => method == Method::GET,
        Some("orders") => method == Method::POST && rest.len() == 1,
        _ => false,
    }
}

/// Token from `Authorization: Bearer …`, else from `?token=`.
fn token_of(req: &Request) -> Option<String> {
    if let Some(h) = req.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()) {
        let mut parts = h.splitn(2, ' ');
        if parts.next().is_some_and(|s| s.eq_ignore_ascii_case("bearer")) {
            return parts.next().map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        }
    }
    let q = req.uri().query().unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned())
}

pub async fn guard(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let Some(store_id) = segs.get(2).and_then(|s| s.parse::<u64>().ok()) else {
        return ApiError::not_found("Store").into_response();
    };
    let rest = &segs[3..];
    let token = token_of(&req);
    let key = token.clone().unwrap_or_else(|| "anonymous".into());
    if let Err(retry) = lock(&shared.limiter).hit(&key, Instant::now()) {
        let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry));
        return r;
    }
    let caller = {
        let w = lock(&shared.world);
        let Some(token) = token else { return forbidden("Access token is required") };
        let info = match w.tokens.get(&token) {
            Some(i) if i.active => i.clone(),
            _ => return forbidden("Invalid or disabled access token"),
        };
        let Some(store) = w.stores.get(&store_id) else { return ApiError::not_found("Store").into_response() };
        if info.store_id != store_id {
            return forbidden("Access token doesn't match the store");
        }
        if !store.api_enabled {
            return ApiError::new(StatusCode::PAYMENT_REQUIRED, "Please upgrade your account to access API")
                .into_response();
        }
        if info.public {
            if !public_allowed(req.method(), rest) {
                return forbidden("Public access token can't be used for this request");
            }
        } else {
            let scope = required_scope(req.method(), rest);
            if !info.scopes.contains(scope) {
                return forbidden(&format!("Access token doesn't have `{scope}` scope"));
            }
        }
        Caller { store_id, public: info.public }
    };
    if matches!(*req.method(), Method::POST | Method::PUT) {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|h| h.to_str().ok()).unwrap_or("");
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && essence != "text/json" {
            return ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported content-type: expected application/json or text/json",
            )
            .into_response();
        }
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

// ---------- OAuth ----------

pub fn oauth_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/oauth/authorize", get(authorize))
        .route("/api/oauth/token", get(token_get).post(token_post))
        .with_state(shared)
}

fn params(raw: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_status(status, json!({ "error": error, "error_description": description }))
}

/// `302 Found` with `Location`, as OAuth servers answer the authorization request.
fn found(target: &url::Url) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(target.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Approves automatically (the emulated merchant always clicks "Accept") and redirects to
/// `redirect_uri?code=…`. Emulator extensions: `store_id` picks the store (default: the first),
/// `deny=true` simulates a refusal (`?error=access_denied`).
async fn authorize(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let q = params(req.uri().query().unwrap_or("").as_bytes());
    let mut w = lock(&shared.world);
    if q.get("client_id") != Some(&w.client_id) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client_id");
    }
    if q.get("response_type").map(String::as_str) != Some("code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_response_type", "response_type must be code");
    }
    let Some(redirect) = q.get("redirect_uri").cloned() else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "redirect_uri is required");
    };
    let Ok(mut target) = url::Url::parse(&redirect) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "redirect_uri is not a URL");
    };
    if let Some(registered) = &w.redirect_uri
        && !same_origin(registered, &redirect)
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri doesn't match the app's return URL",
        );
    }
    let mut scopes: BTreeSet<String> =
        q.get("scope").map(|s| s.split_whitespace().map(String::from).collect()).unwrap_or_default();
    scopes.insert("read_store_profile".into());
    if let Some(extra) = scopes.iter().find(|s| !w.app_scopes.contains(*s)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("Scope {extra} is not registered for the app"),
        );
    }
    if q.get("deny").is_some_and(|d| d == "true") {
        target.query_pairs_mut().append_pair("error", "access_denied");
        return found(&target);
    }
    let store_id = match q.get("store_id").map(|s| s.parse::<u64>()) {
        Some(Ok(id)) if w.stores.contains_key(&id) => id,
        Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown store_id"),
        None => match w.stores.keys().next() {
            Some(id) => *id,
            None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "No store"),
        },
    };
    let code = uuid::Uuid::new_v4().simple().to_string();
    w.codes.insert(
        code.clone(),
        AuthCode { store_id, scopes, redirect_uri: Some(redirect), issued: Instant::now(), exchanged: None },
    );
    target.query_pairs_mut().append_pair("code", &code);
    found(&target)
}

async fn token_get(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let q = params(req.uri().query().unwrap_or("").as_bytes());
    exchange(&shared, q)
}

async fn token_post(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let mut q = params(req.uri().query().unwrap_or("").as_bytes());
    let body: Bytes = match axum::body::to_bytes(req.into_body(), 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Unreadable body"),
    };
    q.extend(params(&body));
    exchange(&shared, q)
}

fn exchange(shared: &Shared, q: HashMap<String, String>) -> Response {
    let mut w = lock(&shared.world);
    if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type must be authorization_code");
    }
    if q.get("client_id") != Some(&w.client_id) || q.get("client_secret") != Some(&w.client_secret) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Wrong client_id or client_secret");
    }
    let code_key = q.get("code").cloned().unwrap_or_default();
    let ttl = w.code_ttl;
    let Some(code) = w.codes.get(&code_key).cloned() else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Unknown authorization code");
    };
    if let Some(earlier) = &code.exchanged {
        // A second exchange disables the token handed out for this code.
        for t in [Some(&earlier.access_token), earlier.public_token.as_ref()].into_iter().flatten() {
            if let Some(info) = w.tokens.get_mut(t) {
                info.active = false;
            }
        }
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Authorization code was already used");
    }
    if code.issued.elapsed() > ttl {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Authorization code expired");
    }
    if code.redirect_uri.is_some() && q.get("redirect_uri") != code.redirect_uri.as_ref() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri doesn't match the authorization request",
        );
    }
    let Some(token) = w.install(code.store_id, code.scopes.clone()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Store no longer exists");
    };
    if let Some(c) = w.codes.get_mut(&code_key) {
        c.exchanged = Some(token.clone());
    }
    let email = w.stores.get(&code.store_id).map(|s| s.email.clone()).unwrap_or_default();
    let mut body = json!({
        "access_token": token.access_token,
        "token_type": "bearer",
        "scope": code.scopes.iter().cloned().collect::<Vec<_>>().join(" "),
        "store_id": code.store_id,
        "email": email,
    });
    if let Some(p) = token.public_token {
        body["public_token"] = json!(p);
    }
    json_status(StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limiter_blocks_after_limit_until_window_passes() {
        let mut r = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(r.hit("a", t0).is_ok());
        assert!(r.hit("a", t0).is_ok());
        assert_eq!(r.hit("a", t0 + Duration::from_secs(1)), Err(59));
        assert!(r.hit("b", t0).is_ok(), "limits are per token");
        assert!(r.hit("a", t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn scopes_follow_method_and_resource() {
        let cases = [
            (Method::GET, vec!["products"], "read_catalog"),
            (Method::POST, vec!["products"], "create_catalog"),
            (Method::POST, vec!["products", "1", "combinations"], "update_catalog"),
            (Method::PUT, vec!["products", "1", "inventory"], "update_catalog"),
            (Method::POST, vec!["orders"], "create_orders"),
            (Method::PUT, vec!["orders", "5"], "update_orders"),
            (Method::GET, vec!["customer_groups"], "read_customers"),
            (Method::DELETE, vec!["customers", "7"], "update_customers"),
        ];
        for (m, rest, want) in cases {
            assert_eq!(required_scope(&m, &rest), want, "{m} {rest:?}");
        }
    }
}
