//! The API gateway in front of every `/stores/{hash}/...` route: store lookup, the per-store
//! rate-limit window (headers on every answer, 429 when used up), `X-Auth-Token`, OAuth scopes and
//! the JSON content type on bodies.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use emulator_kit::lock;
use serde_json::json;

use crate::Shared;
use crate::util::v3_error;

/// Who is calling: attached to the request for handlers (hooks are per client).
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
}

struct RateInfo {
    window_ms: u64,
    reset_ms: u64,
    quota: u32,
    left: u32,
}

pub async fn gate(State(s): State<Shared>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let hash = path.strip_prefix("/stores/").and_then(|r| r.split('/').next()).unwrap_or("").to_string();
    let token = req.headers().get("x-auth-token").and_then(|v| v.to_str().ok()).map(str::to_string);

    let (rate, verdict) = {
        let mut db = lock(&s.db);
        let Some(st) = db.stores.get_mut(&hash) else {
            return v3_error(StatusCode::NOT_FOUND, "Store not found.", json!({}));
        };
        let window_ms = st.window_ms.unwrap_or(s.config.rate_limit_window.as_millis() as u64);
        let quota = st.quota.unwrap_or(s.config.rate_limit_quota);
        let now = Instant::now();
        if now.duration_since(st.rate.started) >= Duration::from_millis(window_ms) {
            st.rate.started = now;
            st.rate.used = 0;
        }
        let elapsed = now.duration_since(st.rate.started).as_millis() as u64;
        let reset_ms = window_ms.saturating_sub(elapsed).max(1);
        let limited = st.rate.used >= quota;
        if !limited {
            st.rate.used += 1;
        }
        let rate = RateInfo { window_ms, reset_ms, quota, left: quota.saturating_sub(st.rate.used) };
        let verdict = if limited {
            Err(v3_error(StatusCode::TOO_MANY_REQUESTS, "Too many requests.", json!({})))
        } else {
            match token.as_deref().and_then(|t| st.tokens.get(t)) {
                None => Err(v3_error(StatusCode::UNAUTHORIZED, "Authentication required.", json!({}))),
                Some(t) => {
                    let sub = path.splitn(4, '/').nth(3).unwrap_or("");
                    if !scope_allows(&t.scopes, sub, req.method()) {
                        Err(v3_error(
                            StatusCode::FORBIDDEN,
                            "You don't have a required scope to access the endpoint",
                            json!({}),
                        ))
                    } else {
                        Ok(Caller { client_id: t.client_id.clone() })
                    }
                }
            }
        };
        (rate, verdict)
    };

    let mut resp = match verdict {
        Err(r) => r,
        Ok(caller) => {
            let has_body = matches!(*req.method(), Method::POST | Method::PUT);
            let json_ct = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
            if has_body && !json_ct {
                v3_error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "The request's Content-Type must be application/json.",
                    json!({}),
                )
            } else {
                req.extensions_mut().insert(caller);
                next.run(req).await
            }
        }
    };
    let limited = resp.status() == StatusCode::TOO_MANY_REQUESTS;
    let h = resp.headers_mut();
    let mut set = |k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    set("x-rate-limit-time-window-ms", rate.window_ms.to_string());
    set("x-rate-limit-time-reset-ms", rate.reset_ms.to_string());
    set("x-rate-limit-requests-quota", rate.quota.to_string());
    set("x-rate-limit-requests-left", rate.left.to_string());
    if limited {
        set("x-retry-after", rate.reset_ms.div_ceil(1000).to_string());
    }
    resp
}

/// The OAuth scope a route needs (`None` = the default scope every token has).
fn required_scope(sub: &str) -> Option<&'static str> {
    let s = sub;
    if s.starts_with("v3/catalog") {
        Some("store_v2_products")
    } else if s.starts_with("v3/inventory") {
        Some("store_inventory")
    } else if s.starts_with("v3/customers") || s.starts_with("v2/customer_groups") {
        Some("store_v2_customers")
    } else if s.starts_with("v2/orders") || s.starts_with("v2/order_statuses") {
        Some("store_v2_orders")
    } else if s.starts_with("v3/orders") {
        Some("store_v2_transactions")
    } else if s.starts_with("v2/store") || s.starts_with("v2/time") {
        Some("store_v2_information")
    } else {
        None
    }
}

/// Reads accept the scope or its `_read_only` form; writes need the scope itself.
fn scope_allows(scopes: &[String], sub: &str, method: &Method) -> bool {
    let Some(need) = required_scope(sub) else { return true };
    let read_only = format!("{need}_read_only");
    scopes.iter().any(|s| s == need || (*method == Method::GET && *s == read_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_scopes_allow_reads_only() {
        let ro = vec!["store_v2_products_read_only".to_string()];
        assert!(scope_allows(&ro, "v3/catalog/products", &Method::GET));
        assert!(!scope_allows(&ro, "v3/catalog/products", &Method::PUT));
        assert!(!scope_allows(&ro, "v2/orders", &Method::GET));
        assert!(scope_allows(&ro, "v3/hooks", &Method::POST), "webhooks use the default scope");
    }
}
