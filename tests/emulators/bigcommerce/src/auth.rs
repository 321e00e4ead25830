//! The single-click app flow: `POST /oauth2/token` exchanges a single-use auth code for a store's
//! access token; `signed_payload_jwt` (HS256, key = client secret) is what the load, uninstall and
//! remove_user callbacks carry.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use emulator_kit::lock;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::util::now;
use crate::{Config, Shared, app_token};

/// Which callback a JWT is for (only the deep-link `url` differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JwtKind {
    Load,
    Uninstall,
    RemoveUser,
}

/// Knobs for [`crate::Emulator::signed_payload_jwt`]; the defaults give a valid token.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct JwtOptions {
    pub kind: JwtKind,
    /// Issued this many seconds ago (more than 86,400 gives an expired token).
    pub issued_secs_ago: i64,
    /// Overrides `aud` (the client id) to make a wrong-audience token.
    pub audience: Option<String>,
    /// Overrides the signing key to make a badly signed token.
    pub signing_secret: Option<String>,
    pub user_id: u64,
    pub user_email: String,
    pub channel_id: Option<u64>,
    pub url: String,
}

impl Default for JwtOptions {
    fn default() -> Self {
        Self {
            kind: JwtKind::Load,
            issued_secs_ago: 0,
            audience: None,
            signing_secret: None,
            user_id: 9_876_543,
            user_email: "authorized_user@example.com".into(),
            channel_id: None,
            url: "/".into(),
        }
    }
}

/// Makes a `header.claims.signature` HS256 token with the documented claims.
pub fn make_jwt(c: &Config, hash: &str, _store_id: u64, o: &JwtOptions) -> String {
    let iat = now() - o.issued_secs_ago;
    let claims = json!({
        "aud": o.audience.clone().unwrap_or_else(|| c.client_id.clone()),
        "iss": "bc", "iat": iat, "nbf": iat, "exp": iat + 86_400,
        "jti": uuid::Uuid::new_v4().to_string(), "sub": format!("stores/{hash}"),
        "user": { "id": o.user_id, "email": o.user_email, "locale": "en-US" },
        "owner": { "id": 7_654_321, "email": "owner@example.com" },
        "url": o.url, "channel_id": o.channel_id,
    });
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{body}");
    let key = o.signing_secret.as_deref().unwrap_or(&c.client_secret);
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(hmac256(key.as_bytes(), signing_input.as_bytes())))
}

pub fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn oauth_error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(json!({ "error": msg }))).into_response()
}

/// `POST /oauth2/token`: JSON (or form) body with client credentials, code, context, scope,
/// grant type and redirect URI. The code works once.
pub async fn token(State(s): State<Shared>, body: Bytes) -> Response {
    let b: Value = serde_json::from_slice(&body)
        .or_else(|_| {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
            if pairs.is_empty() {
                Err(())
            } else {
                Ok(Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
            }
        })
        .unwrap_or(Value::Null);
    let f = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let c = &s.config;
    if f("client_id") != c.client_id || f("client_secret") != c.client_secret {
        return oauth_error(StatusCode::UNAUTHORIZED, "Invalid client id or secret");
    }
    if f("grant_type") != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "Invalid grant type");
    }
    if f("redirect_uri") != c.auth_callback_url {
        return oauth_error(StatusCode::BAD_REQUEST, "Invalid redirect uri");
    }
    let mut db = lock(&s.db);
    let Some((hash, scope)) = db.codes.get(&f("code")).cloned() else {
        return oauth_error(StatusCode::BAD_REQUEST, "Invalid verification code");
    };
    if f("context") != format!("stores/{hash}") {
        return oauth_error(StatusCode::BAD_REQUEST, "Invalid context");
    }
    db.codes.remove(&f("code"));
    let Some(st) = db.stores.get_mut(&hash) else {
        return oauth_error(StatusCode::BAD_REQUEST, "Invalid context");
    };
    // A fresh install replaces the app's previous token for this store.
    st.tokens.retain(|_, t| t.client_id != c.client_id);
    let access_token = format!("bcat{}", uuid::Uuid::new_v4().simple());
    let scopes = scope.split_whitespace().map(str::to_string).collect();
    st.tokens.insert(access_token.clone(), app_token(c, scopes));
    axum::Json(json!({
        "access_token": access_token, "scope": scope,
        "user": { "id": 24_654, "username": "merchant@example.com", "email": "merchant@example.com" },
        "owner": { "id": 12_345, "username": "owner@example.com", "email": "owner@example.com" },
        "context": format!("stores/{hash}"), "account_uuid": st.account_uuid,
    }))
    .into_response()
}
