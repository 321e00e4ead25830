//! `/wc-auth/v1/authorize`: the app-authorization endpoint that issues API keys.
//!
//! The real flow shows the merchant a login and an approval screen; here the merchant's
//! decision is taken from the approval switch (`Config::wc_auth_approve`, changeable through
//! `POST /_emulator/wc-auth`). On approval the new keys are POSTed as JSON to `callback_url`;
//! unless that answers exactly HTTP 200 the keys are deleted and the flow fails (401 page),
//! otherwise the browser is redirected (302) to `return_url?success=1&user_id=…`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::listing::Query;
use crate::state::App;

fn error_page(status: StatusCode, msg: &str) -> Response {
    (status, Html(format!("<!DOCTYPE html><html><head><title>WordPress &rsaquo; Error</title></head><body id=\"error-page\"><div class=\"wp-die-message\">{msg}</div></body></html>"))).into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut u = match url::Url::parse(base) {
        Ok(u) => u,
        Err(_) => return base.to_string(),
    };
    u.query_pairs_mut().extend_pairs(pairs);
    u.to_string()
}

fn rand_hash() -> String {
    hex::encode(Sha1::digest(uuid::Uuid::new_v4().as_bytes()))
}

pub async fn authorize(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    for p in ["app_name", "scope", "user_id", "return_url", "callback_url"] {
        if q.get(p).is_none_or(str::is_empty) {
            return error_page(StatusCode::BAD_REQUEST, &format!("Error: Missing parameter {p}."));
        }
    }
    let app_name = q.get("app_name").unwrap_or_default();
    let scope = q.get("scope").unwrap_or_default();
    let user_ref = q.get("user_id").unwrap_or_default();
    let return_url = q.get("return_url").unwrap_or_default();
    let callback_url = q.get("callback_url").unwrap_or_default();
    if !matches!(scope, "read" | "write" | "read_write") {
        return error_page(StatusCode::BAD_REQUEST, &format!("Error: Invalid scope {scope}."));
    }
    if url::Url::parse(return_url).is_err() || url::Url::parse(callback_url).is_err() {
        return error_page(StatusCode::BAD_REQUEST, "Error: Invalid URL.");
    }
    if app.cfg.wc_auth_require_https_callback && !callback_url.starts_with("https://") {
        return error_page(StatusCode::BAD_REQUEST, "Error: The callback_url needs to be over SSL.");
    }
    if !app.approve_wc_auth.load(Ordering::SeqCst) {
        return redirect(&with_query(return_url, &[("success", "0"), ("user_id", user_ref)]));
    }

    let ck = format!("ck_{}", rand_hash());
    let cs = format!("cs_{}", rand_hash());
    let key =
        app.store().add_key(1, &format!("{app_name} - API ({})", crate::util::fmt_date(app.now(), 0)), &ck, &cs, scope);
    // The docs show `user_id` as a number; it is the app's own reference, echoed back.
    let user_json: Value = user_ref.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(user_ref));
    let body = json!({
        "key_id": key.key_id,
        "user_id": user_json,
        "consumer_key": ck,
        "consumer_secret": cs,
        "key_permissions": scope,
    });
    let sent = app
        .http
        .post(callback_url)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(body.to_string())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().as_u16() == 200 => {
            redirect(&with_query(return_url, &[("success", "1"), ("user_id", user_ref)]))
        }
        other => {
            tracing::info!(status = ?other.as_ref().map(|r| r.status().as_u16()).ok(), "wc-auth callback failed; keys revoked");
            app.store().keys.retain(|k| k.key_id != key.key_id);
            error_page(
                StatusCode::UNAUTHORIZED,
                "Error: An error occurred in the request and at the time were unable to send the consumer data.",
            )
        }
    }
}
