//! OAuth 2.0 authorization-code flow with expiring access tokens and rotating refresh tokens
//! (PLATFORM-FACTS §5 "Auth", §7.5), and the bearer check in front of every `/api/v1` route.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use emulator_kit::{json_status, lock};
use serde::Serialize;
use serde_json::json;

use crate::AppState;
use crate::error::ApiError;

/// How long an authorization code can be exchanged (assumption: the common 10 minutes).
const CODE_TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Default)]
pub struct Tokens {
    codes: HashMap<String, (String, Instant)>,
    access: HashMap<String, Instant>,
    refresh: HashMap<String, ()>,
}

/// What `/oauth/token` answers.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub scope: String,
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 20]>()))
}

impl Tokens {
    /// Issues a new access + refresh token pair.
    pub fn issue(&mut self, ttl: Duration) -> TokenPair {
        let access_token = random_token("at_");
        let refresh_token = random_token("rt_");
        self.access.insert(access_token.clone(), Instant::now() + ttl);
        self.refresh.insert(refresh_token.clone(), ());
        TokenPair {
            access_token,
            token_type: "Bearer".into(),
            expires_in: ttl.as_secs_f64().ceil() as u64,
            refresh_token,
            scope: "all".into(),
        }
    }

    /// Makes every access token expired now (refresh tokens stay valid).
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        for exp in self.access.values_mut() {
            *exp = now;
        }
    }

    fn check(&self, token: &str) -> Result<(), &'static str> {
        match self.access.get(token) {
            None => Err("The access token is invalid"),
            Some(exp) if Instant::now() >= *exp => Err("The access token expired"),
            Some(_) => Ok(()),
        }
    }
}

fn param<'a>(q: &'a HashMap<String, String>, k: &str) -> &'a str {
    q.get(k).map(String::as_str).unwrap_or("")
}

/// 302 Found, the redirect OAuth servers use for the authorization response.
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "bad redirect_uri"),
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_status(status, json!({ "error": error, "error_description": description }))
}

fn redirect_allowed(st: &AppState, uri: &str) -> bool {
    let ok_form = url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    ok_form && (st.cfg.redirect_uris.is_empty() || st.cfg.redirect_uris.iter().any(|r| r == uri))
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(uri).expect("checked by redirect_allowed");
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// `GET /oauth/authorize?response_type=code&client_id&redirect_uri&state&scope=all`: the emulator
/// stands in for the merchant approving, and redirects straight back with a code.
pub async fn authorize(State(st): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let redirect = param(&q, "redirect_uri");
    if param(&q, "client_id") != st.cfg.client_id {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "unknown client_id");
    }
    if !redirect_allowed(&st, redirect) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "redirect_uri is not registered");
    }
    let state = param(&q, "state");
    if param(&q, "response_type") != "code" {
        return found(&with_query(redirect, &[("error", "unsupported_response_type"), ("state", state)]));
    }
    // "Currently Hike only provides 'all'"
    if param(&q, "scope") != "all" {
        return found(&with_query(redirect, &[("error", "invalid_scope"), ("state", state)]));
    }
    let code = random_token("code_");
    lock(&st.auth).codes.insert(code.clone(), (redirect.to_string(), Instant::now() + CODE_TTL));
    found(&with_query(redirect, &[("code", &code), ("state", state)]))
}

/// `POST /oauth/token`, form-encoded, grants `authorization_code` and `refresh_token`.
/// Codes and refresh tokens are single-use; a refresh returns a new refresh token.
pub async fn token(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the token endpoint takes application/x-www-form-urlencoded",
        );
    }
    let q: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    if param(&q, "client_id") != st.cfg.client_id || param(&q, "client_secret") != st.cfg.client_secret {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    }
    let mut auth = lock(&st.auth);
    match param(&q, "grant_type") {
        "authorization_code" => {
            let Some((redirect, exp)) = auth.codes.remove(param(&q, "code")) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown or already used code");
            };
            if Instant::now() >= exp {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code expired");
            }
            if redirect != param(&q, "redirect_uri") {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "redirect_uri does not match");
            }
        }
        "refresh_token" => {
            if auth.refresh.remove(param(&q, "refresh_token")).is_none() {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown or already used refresh token");
            }
        }
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "unsupported grant_type"),
    }
    let pair = auth.issue(st.cfg.access_token_ttl);
    let mut resp = axum::Json(pair).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Rejects `/api/v1` requests without a live `Authorization: Bearer` token with 401.
pub async fn require_bearer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    let failure = match token {
        None => Some(("unauthorized", "Authorization: Bearer token required")),
        Some(t) => lock(&st.auth).check(&t).err().map(|m| ("invalid_token", m)),
    };
    match failure {
        None => next.run(req).await,
        Some((code, message)) => {
            let mut resp = ApiError::new(StatusCode::UNAUTHORIZED, code, message).into_response();
            let challenge = format!("Bearer error=\"{code}\", error_description=\"{message}\"");
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_and_unknown_tokens_are_rejected() {
        let mut t = Tokens::default();
        let pair = t.issue(Duration::from_secs(60));
        assert_eq!(t.check(&pair.access_token), Ok(()));
        assert_eq!(t.check("nope"), Err("The access token is invalid"));
        t.expire_all();
        assert_eq!(t.check(&pair.access_token), Err("The access token expired"));
        assert_eq!(pair.expires_in, 60);
    }
}
