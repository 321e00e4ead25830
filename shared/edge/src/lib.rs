//! The HTTP edge shared by the HTTP functions (activate, webhook, api).
//!
//! Handlers take and return plain `http` types with byte bodies, so the same handler runs in
//! Lambda (through [`from_lambda`] / [`to_lambda`]) and in the local stack (axum). Handlers route
//! on the raw path themselves instead of relying on API Gateway path parameters, so both hosts
//! behave the same.

use std::collections::HashMap;

use http::{HeaderValue, StatusCode};
use serde::Serialize;

pub type Request = http::Request<Vec<u8>>;
pub type Response = http::Response<Vec<u8>>;

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = http::Response::new(bytes);
    *r.status_mut() = status;
    r.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The error body every posbridge endpoint uses: a status, a machine-readable code and a
/// sentence a person can act on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One invalid or missing field (422 answers name every one).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A 422 naming every field that is missing or invalid.
pub fn invalid_fields(code: &str, message: impl Into<String>, fields: Vec<FieldError>) -> Response {
    json(StatusCode::UNPROCESSABLE_ENTITY, &ErrorBody { code: code.into(), message: message.into(), fields })
}

pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    json(status, &ErrorBody { code: code.into(), message: message.into(), fields: Vec::new() })
}

/// Query-string parameters (last value wins).
pub fn query(req: &Request) -> HashMap<String, String> {
    req.uri().query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// Path segments after a prefix, e.g. `segments("/api/integrations/x", "/api")` = `["integrations", "x"]`.
pub fn segments<'a>(path: &'a str, prefix: &str) -> Option<Vec<&'a str>> {
    let rest = path.strip_prefix(prefix)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(rest.split('/').filter(|s| !s.is_empty()).collect())
}

/// The bearer token of a request, if any.
pub fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Converts a Lambda (API Gateway HTTP API) request; the URI keeps its query string.
pub fn from_lambda(req: lambda_http::Request) -> Request {
    let (parts, body) = req.into_parts();
    let bytes = match body {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(t) => t.into_bytes(),
        lambda_http::Body::Binary(b) => b,
        _ => Vec::new(),
    };
    http::Request::from_parts(parts, bytes)
}

/// Converts a response for Lambda.
pub fn to_lambda(resp: Response) -> lambda_http::Response<lambda_http::Body> {
    let (parts, body) = resp.into_parts();
    let body = if body.is_empty() {
        lambda_http::Body::Empty
    } else {
        match String::from_utf8(body) {
            Ok(t) => lambda_http::Body::Text(t),
            Err(e) => lambda_http::Body::Binary(e.into_bytes()),
        }
    };
    http::Response::from_parts(parts, body)
}

/// The JWT claims the HTTP API authorizer verified, when the request came through it.
pub fn jwt_claims(req: &lambda_http::Request) -> HashMap<String, String> {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => {
            ctx.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|j| j.claims.clone()).unwrap_or_default()
        }
        _ => HashMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_only_match_whole_prefixes() {
        assert_eq!(segments("/api/integrations/x", "/api"), Some(vec!["integrations", "x"]));
        assert_eq!(segments("/api", "/api"), Some(vec![]));
        assert_eq!(segments("/apix/y", "/api"), None);
    }

    #[test]
    fn bearer_and_query_are_read() {
        let req = http::Request::builder()
            .uri("/x?limit=5&cursor=a%20b")
            .header("authorization", "Bearer tok-1")
            .body(Vec::new())
            .unwrap();
        assert_eq!(bearer(&req), Some("tok-1"));
        let q = query(&req);
        assert_eq!(q.get("cursor").map(String::as_str), Some("a b"));
        let basic = http::Request::builder().header("authorization", "Basic abc").body(Vec::new()).unwrap();
        assert_eq!(bearer(&basic), None);
    }

    #[test]
    fn errors_carry_a_code_and_a_sentence() {
        let r = error(StatusCode::NOT_FOUND, "not_found", "No integration with that id belongs to you");
        assert_eq!(r.status(), 404);
        let v: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(v["code"], "not_found");
        assert!(v.get("fields").is_none());
    }
}
