//! OAuth: authorize redirects with a code; the code is exchanged once (GET query or POST form);
//! a second exchange disables the first token; tokens do not expire.

use std::time::Duration;

use reqwest::redirect::Policy;
use serde_json::Value;

use crate::common::{STORE, config, env, env_with};

const REDIRECT: &str = "https://app.example.com/ecwid/callback";

async fn authorize(base: &str, scope: &str) -> String {
    let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let r = http
        .get(format!("{base}/api/oauth/authorize"))
        .query(&[
            ("client_id", "posbridge-dev"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "authorize redirects");
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let url = url_params(&loc);
    url.into_iter().find(|(k, _)| k == "code").map(|(_, v)| v).expect("code in redirect")
}

fn url_params(u: &str) -> Vec<(String, String)> {
    let q = u.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn exchange_params(code: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", "posbridge-dev".into()),
        ("client_secret", "emulator-client-secret".into()),
        ("code", code.into()),
        ("redirect_uri", REDIRECT.into()),
        ("grant_type", "authorization_code".into()),
    ]
}

#[tokio::test]
async fn code_flow_with_get_returns_a_working_secret_token() {
    let e = env().await;
    let code = authorize(&e.emu.base_url(), "read_catalog update_catalog public_storefront").await;
    let r = e
        .http
        .get(format!("{}/api/oauth/token", e.emu.base_url()))
        .query(&exchange_params(&code))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert!(t["access_token"].as_str().unwrap().starts_with("secret_"), "{t}");
    assert!(t["public_token"].as_str().unwrap().starts_with("public_"), "{t}");
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["store_id"], STORE);
    assert_eq!(t["email"], "owner@example.com");
    let scope = t["scope"].as_str().unwrap();
    assert!(scope.contains("read_store_profile") && scope.contains("update_catalog"), "{scope}");
    let (s, _) = e.call_as(t["access_token"].as_str().unwrap(), reqwest::Method::GET, "/products", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn post_form_exchange_works_and_public_token_needs_public_storefront() {
    let e = env().await;
    let code = authorize(&e.emu.base_url(), "read_catalog").await;
    let r = e
        .http
        .post(format!("{}/api/oauth/token", e.emu.base_url()))
        .form(&exchange_params(&code))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert!(t.get("public_token").is_none(), "{t}");
}

#[tokio::test]
async fn second_use_of_a_code_fails_and_disables_the_first_token() {
    let e = env().await;
    let code = authorize(&e.emu.base_url(), "read_catalog").await;
    let url = format!("{}/api/oauth/token", e.emu.base_url());
    let t: Value = e.http.get(&url).query(&exchange_params(&code)).send().await.unwrap().json().await.unwrap();
    let token = t["access_token"].as_str().unwrap().to_string();
    assert_eq!(e.call_as(&token, reqwest::Method::GET, "/products", None).await.0, 200);
    let again = e.http.get(&url).query(&exchange_params(&code)).send().await.unwrap();
    assert_eq!(again.status(), 400);
    assert_eq!(e.call_as(&token, reqwest::Method::GET, "/products", None).await.0, 403, "first token disabled");
}

#[tokio::test]
async fn wrong_secret_unregistered_scope_and_expired_code_are_rejected() {
    let mut cfg = config();
    cfg.code_ttl = Duration::from_millis(100);
    cfg.app_scopes = vec!["read_catalog".into(), "read_store_profile".into()];
    cfg.redirect_uri = Some("https://app.example.com/".into());
    let e = env_with(cfg).await;
    let base = e.emu.base_url();
    let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let r = http
        .get(format!("{base}/api/oauth/authorize"))
        .query(&[
            ("client_id", "posbridge-dev"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "read_orders"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "scope beyond the app registration");

    let r = http
        .get(format!("{base}/api/oauth/authorize"))
        .query(&[
            ("client_id", "posbridge-dev"),
            ("redirect_uri", "https://elsewhere.example.net/cb"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "redirect_uri outside the registered return URL");

    let used = authorize(&base, "read_catalog").await;
    let t: Value = e
        .http
        .get(format!("{base}/api/oauth/token"))
        .query(&exchange_params(&used))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = authorize(&base, "read_catalog").await;
    let mut p = exchange_params(&code);
    p[1].1 = "wrong".into();
    assert_eq!(e.http.get(format!("{base}/api/oauth/token")).query(&p).send().await.unwrap().status(), 401);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let r = e.http.get(format!("{base}/api/oauth/token")).query(&exchange_params(&code)).send().await.unwrap();
    assert_eq!(r.status(), 400, "code expired");
    let token = t["access_token"].as_str().unwrap();
    assert_eq!(
        e.call_as(token, reqwest::Method::GET, "/products", None).await.0,
        200,
        "tokens do not expire with the code"
    );
}

#[tokio::test]
async fn denial_redirects_with_access_denied() {
    let e = env().await;
    let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let r = http
        .get(format!("{}/api/oauth/authorize", e.emu.base_url()))
        .query(&[
            ("client_id", "posbridge-dev"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("deny", "true"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.ends_with("?error=access_denied"), "{loc}");
}
