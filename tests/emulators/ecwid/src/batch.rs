//! Batch API: `POST /batch` runs up to 500 API requests (each through the normal guard, so
//! scopes and the rate limit apply per sub-request) and returns a ticket; `GET /batch?ticket=`
//! reports `{status, totalRequests, completedRequests, responses}`. The emulator executes the
//! batch before answering, so a ticket is always `COMPLETED`.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Query, RawQuery, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use emulator_kit::{json_status, lock};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::Shared;
use crate::auth::Caller;
use crate::util::{self, Params};

/// Most requests one batch may hold.
pub const MAX_BATCH: usize = 500;

fn batch_error(msg: &str) -> Response {
    json_status(StatusCode::BAD_REQUEST, json!({ "error_message": msg }))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let q: Params = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let stop_on_failure = match util::param_bool(&q, "stopOnFirstFailure") {
        Ok(v) => v.unwrap_or(true),
        Err(e) => return e.into_response(),
    };
    let Ok(Value::Array(requests)) = serde_json::from_slice::<Value>(&body) else {
        return batch_error("Can't create batch. Batch request body is invalid. Expected an array of requests");
    };
    if requests.is_empty() || requests.len() > MAX_BATCH {
        return batch_error(&format!("Can't create batch. A batch holds 1 to {MAX_BATCH} requests"));
    }
    for (i, r) in requests.iter().enumerate() {
        let ok = r.get("path").and_then(Value::as_str).is_some_and(|p| p.starts_with('/'))
            && r.get("method").and_then(Value::as_str).is_some_and(|m| ["GET", "POST", "PUT", "DELETE"].contains(&m))
            && r.get("id").is_none_or(Value::is_string);
        if !ok {
            return batch_error(&format!(
                "Can't create batch. Batch request body is invalid. Path $[{i}] contains bad value"
            ));
        }
    }
    // Built per batch (cheap) rather than stored in `Shared`, which the router itself holds.
    let api = crate::api::router(s.clone());
    let token = q.get("token").cloned();
    let mut responses = Vec::new();
    let mut failed = false;
    for r in &requests {
        let id = r.get("id").cloned().unwrap_or(json!(""));
        if failed && stop_on_failure {
            responses.push(json!({ "id": id, "status": "NOT_EXECUTED" }));
            continue;
        }
        let path = r["path"].as_str().unwrap_or("/");
        let mut uri = format!("/api/v3/{}{path}", c.store_id);
        if let Some(t) = &token {
            uri.push(if uri.contains('?') { '&' } else { '?' });
            uri.push_str(&format!("token={t}"));
        }
        let sub_body = match r.get("body") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let mut req = Request::builder().method(r["method"].as_str().unwrap_or("GET")).uri(uri);
        if let Some(auth) = headers.get(header::AUTHORIZATION) {
            req = req.header(header::AUTHORIZATION, auth);
        }
        let req = req.header(header::CONTENT_TYPE, "application/json").body(Body::from(sub_body));
        let Ok(req) = req else {
            responses.push(json!({ "id": id, "status": "FAILED", "httpCode": 400, "httpStatusLine": "Bad Request" }));
            failed = true;
            continue;
        };
        let resp = match api.clone().oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let code = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024).await.unwrap_or_default();
        let http_body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let ok = code == StatusCode::OK;
        failed |= !ok;
        responses.push(json!({
            "id": id,
            "status": if ok { "COMPLETED" } else { "FAILED" },
            "httpBody": http_body,
            "httpCode": code.as_u16(),
            "httpStatusLine": code.canonical_reason().unwrap_or(""),
        }));
    }
    let ticket = uuid::Uuid::new_v4().to_string();
    let total = responses.len();
    let completed = responses.iter().filter(|r| r["status"] != "NOT_EXECUTED").count();
    let result = json!({ "status": "COMPLETED", "totalRequests": total, "completedRequests": completed, "responses": responses });
    lock(&s.world).batches.insert(ticket.clone(), (c.store_id, result));
    json_status(StatusCode::OK, json!({ "ticket": ticket }))
}

pub async fn status(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Query(q): Query<Params>,
) -> Response {
    let escaped = match util::param_bool(&q, "escapedJson") {
        Ok(v) => v.unwrap_or(false),
        Err(e) => return e.into_response(),
    };
    let w = lock(&s.world);
    let Some((store, result)) = q.get("ticket").and_then(|t| w.batches.get(t)) else {
        return json_status(StatusCode::NOT_FOUND, json!({ "errorMessage": "Batch ticket not found" }));
    };
    if *store != c.store_id {
        return json_status(StatusCode::NOT_FOUND, json!({ "errorMessage": "Batch ticket not found" }));
    }
    let mut result = result.clone();
    if escaped && let Some(rs) = result["responses"].as_array_mut() {
        for r in rs {
            if let Some(body) = r.as_object_mut().and_then(|o| o.remove("httpBody")) {
                r["escapedHttpBody"] = json!(body.to_string());
            }
        }
    }
    json_status(StatusCode::OK, result)
}
