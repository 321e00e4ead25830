//! OAuth2 code flow, expiring access tokens, rotating refresh tokens (PLATFORM-FACTS §5, §7.5).

use std::collections::HashMap;
use std::time::Duration;

use emu_pos::Config;
use serde_json::Value;

use crate::common::Pos;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location).unwrap().query_pairs().into_owned().collect()
}

async fn authorize(pos: &Pos, scope: &str) -> HashMap<String, String> {
    let r = no_redirects()
        .get(pos.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "posbridge"),
            ("redirect_uri", "https://app.example/cb"),
            ("state", "xyz"),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "authorize redirects, got {}", r.status());
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("https://app.example/cb?"), "{loc}");
    query_of(&loc)
}

async fn token(pos: &Pos, form: &[(&str, &str)]) -> (u16, Value) {
    let r = pos.http.post(pos.url("/oauth/token")).form(form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn code_flow_issues_a_token_pair_and_the_code_is_single_use() {
    let pos = Pos::start().await;
    let q = authorize(&pos, "all").await;
    assert_eq!(q["state"], "xyz");
    let code = q["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "posbridge"),
        ("client_secret", "posbridge-secret"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example/cb"),
    ];
    let (status, body) = token(&pos, &form).await;
    assert_eq!(status, 200, "{body}");
    for k in ["access_token", "refresh_token", "expires_in", "token_type"] {
        assert!(!body[k].is_null(), "{k} present");
    }
    assert_eq!(body["expires_in"], 7 * 24 * 3600);
    let at = body["access_token"].as_str().unwrap();
    let r = pos.http.get(pos.url("/api/v1/outlets/get_all")).bearer_auth(at).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let (status, body) = token(&pos, &form).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "a code works once");
}

#[tokio::test]
async fn authorize_only_grants_scope_all() {
    let pos = Pos::start().await;
    let q = authorize(&pos, "products").await;
    assert_eq!(q.get("error").map(String::as_str), Some("invalid_scope"));
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn token_endpoint_is_form_encoded_and_checks_the_client() {
    let pos = Pos::start().await;
    let r = pos
        .http
        .post(pos.url("/oauth/token"))
        .json(&serde_json::json!({"grant_type": "refresh_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let pair = pos.emu.issue_token();
    let (status, body) = token(
        &pos,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "posbridge"),
            ("client_secret", "wrong"),
            ("refresh_token", &pair.refresh_token),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn missing_or_unknown_bearer_is_401_with_a_challenge() {
    let pos = Pos::start().await;
    let r = pos.http.get(pos.url("/api/v1/products/get_all")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = pos.http.get(pos.url("/api/v1/products/get_all")).bearer_auth("nope").send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
}

/// The client's loop: call, get 401 because the token expired, refresh, retry.
#[tokio::test]
async fn expired_token_is_401_and_refresh_rotates_the_refresh_token() {
    let cfg = Config { access_token_ttl: Duration::from_millis(500), ..Config::default() };
    let pos = Pos::with(cfg).await;
    let pair = pos.emu.issue_token();
    let call = |t: String| {
        let http = pos.http.clone();
        let url = pos.url("/api/v1/store/get");
        async move { http.get(url).bearer_auth(t).send().await.unwrap() }
    };
    assert_eq!(call(pair.access_token.clone()).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(550)).await;
    let r = call(pair.access_token.clone()).await;
    assert_eq!(r.status(), 401);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert!(challenge.contains("expired"), "{challenge}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_token");

    let form = |rt: &str| {
        vec![
            ("grant_type", "refresh_token".to_string()),
            ("client_id", "posbridge".to_string()),
            ("client_secret", "posbridge-secret".to_string()),
            ("refresh_token", rt.to_string()),
        ]
    };
    let r = pos.http.post(pos.url("/oauth/token")).form(&form(&pair.refresh_token)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let fresh: Value = r.json().await.unwrap();
    assert_ne!(fresh["refresh_token"], Value::String(pair.refresh_token.clone()), "rotated");
    assert_eq!(call(fresh["access_token"].as_str().unwrap().to_string()).await.status(), 200);

    let r = pos.http.post(pos.url("/oauth/token")).form(&form(&pair.refresh_token)).send().await.unwrap();
    assert_eq!(r.status(), 400, "an old refresh token is spent");
}

#[tokio::test]
async fn control_can_expire_every_token_now() {
    let pos = Pos::start().await;
    assert_eq!(pos.get("/api/v1/store/get").await.status, 200);
    let r = pos.http.post(pos.url("/_emulator/tokens/expire")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(pos.get("/api/v1/store/get").await.status, 401);
    let minted: Value = pos.http.post(pos.url("/_emulator/tokens")).send().await.unwrap().json().await.unwrap();
    let r = pos
        .http
        .get(pos.url("/api/v1/store/get"))
        .bearer_auth(minted["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
