//! REST API authentication as `WC_REST_Authentication` does it.
//!
//! On an HTTPS site: HTTP Basic (`ck:cs`) or `?consumer_key=&consumer_secret=`. On a plain-HTTP
//! site: OAuth 1.0a one-legged (HMAC-SHA1/SHA256, key `cs&`, body unsigned, 15-minute timestamp
//! window, nonces single-use per key). Read-only keys may not write; write-only keys may not read.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};

use crate::SiteScheme;
use crate::listing::Query;
use crate::state::{App, KeyRow};
use crate::util::{WcError, pct};

fn auth_error(msg: &str) -> WcError {
    WcError::new(401, "woocommerce_rest_authentication_error", msg)
}

/// The error WordPress gives an unauthenticated caller, by method.
fn not_allowed(method: &Method, path: &str) -> WcError {
    let (code, msg) = if path.ends_with("/batch") {
        ("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource.")
    } else {
        match *method {
            Method::GET | Method::HEAD => ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
            Method::POST => ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
            Method::DELETE => ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
            _ => ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
        }
    };
    WcError::new(401, code, msg)
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn find_key(app: &App, ck: &str) -> Result<KeyRow, WcError> {
    app.store()
        .keys
        .iter()
        .find(|k| ct_eq(&k.consumer_key, ck))
        .cloned()
        .ok_or_else(|| auth_error("Consumer key is invalid."))
}

fn check_secret(key: KeyRow, cs: &str) -> Result<KeyRow, WcError> {
    if ct_eq(&key.consumer_secret, cs) { Ok(key) } else { Err(auth_error("Consumer secret is invalid.")) }
}

/// Basic header or query-string keys (HTTPS sites). `Ok(None)` means no credentials at all.
fn basic(app: &App, req: &Request, q: &Query) -> Result<Option<KeyRow>, WcError> {
    let header = req.headers().get("authorization").and_then(|v| v.to_str().ok());
    if let Some(b64) = header.and_then(|h| h.strip_prefix("Basic ").or_else(|| h.strip_prefix("basic "))) {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| auth_error("Consumer key is invalid."))?;
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (ck, cs) = raw.split_once(':').unwrap_or((&raw, ""));
        return check_secret(find_key(app, ck)?, cs).map(Some);
    }
    match (q.get("consumer_key"), q.get("consumer_secret")) {
        (Some(ck), Some(cs)) => check_secret(find_key(app, ck)?, cs).map(Some),
        (Some(_), None) => Err(auth_error("Consumer secret is missing.")),
        _ => Ok(None),
    }
}

/// Parameters of an `Authorization: OAuth k="v", …` header.
fn oauth_header(req: &Request) -> Vec<(String, String)> {
    let Some(h) = req.headers().get("authorization").and_then(|v| v.to_str().ok()) else { return vec![] };
    let Some(rest) = h.strip_prefix("OAuth ") else { return vec![] };
    rest.split(',')
        .filter_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            let v = v.trim().trim_matches('"');
            let dec = |s: &str| {
                url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            Some((dec(k.trim())?, dec(v)?))
        })
        .filter(|(k, _)| k.starts_with("oauth_"))
        .collect()
}

/// The OAuth 1.0a signature base string: `METHOD&pct(url)&pct(sorted k=v pairs)`.
pub fn base_string(method: &str, url: &str, params: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> =
        params.iter().filter(|(k, _)| k != "oauth_signature").map(|(k, v)| (pct(k), pct(v))).collect();
    enc.sort();
    let joined: Vec<String> = enc.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}&{}&{}", method.to_uppercase(), pct(url), pct(&joined.join("&")))
}

/// `base64(HMAC(consumer_secret + "&", base_string))` with SHA-1 or SHA-256.
pub fn oauth_signature(algorithm: &str, consumer_secret: &str, base: &str) -> Option<String> {
    let key = format!("{consumer_secret}&");
    let raw = match algorithm {
        "HMAC-SHA1" => {
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).ok()?;
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        "HMAC-SHA256" => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).ok()?;
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        _ => return None,
    };
    Some(base64::engine::general_purpose::STANDARD.encode(raw))
}

fn oauth(app: &App, req: &Request, q: &Query) -> Result<Option<KeyRow>, WcError> {
    let mut params: Vec<(String, String)> = q.pairs.clone();
    params.extend(oauth_header(req));
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if get("oauth_consumer_key").is_none() {
        return Ok(None);
    }
    for p in ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"] {
        if get(p).is_none() {
            return Err(auth_error(&format!("{p} parameter is missing.")));
        }
    }
    let key = find_key(app, &get("oauth_consumer_key").unwrap_or_default())?;
    let algorithm = get("oauth_signature_method").unwrap_or_default();
    if algorithm != "HMAC-SHA1" && algorithm != "HMAC-SHA256" {
        return Err(auth_error("Invalid signature - signature method is invalid."));
    }
    let url = format!("{}{}", app.site(), req.uri().path());
    let base = base_string(req.method().as_str(), &url, &params);
    let expected = oauth_signature(&algorithm, &key.consumer_secret, &base).unwrap_or_default();
    let given = get("oauth_signature").unwrap_or_default().replace(' ', "+");
    if !ct_eq(&expected, &given) {
        return Err(auth_error("Invalid signature - provided signature does not match."));
    }
    let ts: i64 = get("oauth_timestamp").unwrap_or_default().parse().map_err(|_| auth_error("Invalid timestamp."))?;
    let now = app.now();
    let window = app.cfg.oauth_window_secs;
    if ts < now - window || ts > now + window {
        return Err(auth_error("Invalid timestamp."));
    }
    let nonce = get("oauth_nonce").unwrap_or_default();
    let mut st = app.store();
    let used = st.nonces.entry(key.consumer_key.clone()).or_default();
    used.retain(|(t, _)| *t >= now - window);
    if used.iter().any(|(_, n)| *n == nonce) {
        return Err(auth_error("Invalid nonce - nonce has already been used."));
    }
    used.push((ts, nonce));
    Ok(Some(key))
}

/// Middleware for every `/wp-json/wc/v3` route.
pub async fn require_key(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let q = Query::parse(req.uri().query());
    let found = match app.cfg.scheme {
        SiteScheme::Https => basic(&app, &req, &q),
        SiteScheme::Http => oauth(&app, &req, &q),
    };
    let key = match found {
        Err(e) => return e.into_response(),
        Ok(None) => return not_allowed(req.method(), req.uri().path()).into_response(),
        Ok(Some(k)) => k,
    };
    let reading = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if reading && key.permissions == "write" {
        return auth_error("The API key provided does not have read permissions.").into_response();
    }
    if !reading && key.permissions == "read" {
        return auth_error("The API key provided does not have write permissions.").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_string_sorts_and_double_encodes_parameters() {
        let params = vec![
            ("oauth_signature_method".to_string(), "HMAC-SHA1".to_string()),
            ("oauth_consumer_key".to_string(), "abc123".to_string()),
            ("oauth_signature".to_string(), "ignored".to_string()),
        ];
        // The example from the WooCommerce authentication docs.
        assert_eq!(
            base_string("get", "http://www.example.com/wp-json/wc/v3/orders", &params),
            "GET&http%3A%2F%2Fwww.example.com%2Fwp-json%2Fwc%2Fv3%2Forders&oauth_consumer_key%3Dabc123%26oauth_signature_method%3DHMAC-SHA1"
        );
        let with_colon = vec![("modified_after".to_string(), "2024-01-01T00:00:00".to_string())];
        assert!(base_string("GET", "http://x/", &with_colon).ends_with("modified_after%3D2024-01-01T00%253A00%253A00"));
    }

    #[test]
    fn signature_methods_other_than_hmac_sha1_and_sha256_are_refused() {
        assert!(oauth_signature("HMAC-SHA1", "cs", "base").is_some());
        assert!(oauth_signature("HMAC-SHA256", "cs", "base").is_some());
        assert!(oauth_signature("PLAINTEXT", "cs", "base").is_none());
    }
}
