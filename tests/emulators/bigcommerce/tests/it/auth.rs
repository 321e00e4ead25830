//! Routing and auth: store hash routing, X-Auth-Token, scopes, content type, the OAuth app
//! install flow and signed_payload_jwt.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use emu_bigcommerce::{JwtKind, JwtOptions};
use serde_json::{Value, json};

use crate::common::{Bc, read};

#[tokio::test]
async fn requests_need_a_valid_x_auth_token_and_ignore_x_auth_client() {
    let bc = Bc::new().await;
    assert_eq!(bc.call_with("GET", "v3/catalog/products", None, None).await.status, 401);
    assert_eq!(bc.call_with("GET", "v3/catalog/products", None, Some("nope")).await.status, 401);
    let r = bc
        .http
        .get(bc.url("v3/catalog/products"))
        .header("x-auth-token", &bc.token)
        .header("x-auth-client", "whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // a token of one store does not open another
    let other = bc.emu.create_store("other1");
    let r = bc
        .http
        .get(format!("{}/stores/abc123/v3/catalog/products", bc.emu.base_url()))
        .header("x-auth-token", other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = bc
        .http
        .get(format!("{}/stores/nosuch/v3/catalog/products", bc.emu.base_url()))
        .header("x-auth-token", &bc.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn missing_scope_is_403_and_read_only_scope_allows_reads() {
    let bc = Bc::new().await;
    let ro = bc.emu.create_token("abc123", &["store_v2_products_read_only"]);
    assert_eq!(bc.call_with("GET", "v3/catalog/products", None, Some(&ro)).await.status, 200);
    let w = bc.call_with("POST", "v3/catalog/products", Some(json!({"name":"x"})), Some(&ro)).await;
    assert_eq!(w.status, 403);
    assert_eq!(bc.call_with("GET", "v2/orders", None, Some(&ro)).await.status, 403);
}

#[tokio::test]
async fn bodies_must_be_json() {
    let bc = Bc::new().await;
    let r = bc
        .http
        .post(bc.url("v3/catalog/products"))
        .header("x-auth-token", &bc.token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
}

fn query_param(url: &str, k: &str) -> String {
    url::Url::parse(url).unwrap().query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

#[tokio::test]
async fn install_flow_exchanges_a_single_use_code_for_a_working_token() {
    let bc = Bc::new().await;
    let cfg = crate::common::test_config();
    let r = read(
        bc.http
            .post(format!("{}/_emulator/install", bc.emu.base_url()))
            .json(&json!({"store_hash": "g5cd38"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cb = r.body["callback_url"].as_str().unwrap().to_string();
    assert!(cb.starts_with(&cfg.auth_callback_url));
    let (code, scope, context) = (query_param(&cb, "code"), query_param(&cb, "scope"), query_param(&cb, "context"));
    assert_eq!(context, "stores/g5cd38");
    assert!(!query_param(&cb, "account_uuid").is_empty());
    let body = json!({ "client_id": cfg.client_id, "client_secret": cfg.client_secret, "code": code, "context": context,
                       "scope": scope, "grant_type": "authorization_code", "redirect_uri": cfg.auth_callback_url });
    let tok = read(bc.http.post(format!("{}/oauth2/token", bc.emu.base_url())).json(&body).send().await.unwrap()).await;
    assert_eq!(tok.status, 200, "{}", tok.raw);
    assert_eq!(tok.body["context"], "stores/g5cd38");
    assert_eq!(tok.body["scope"], scope.as_str());
    for k in ["user", "owner"] {
        assert!(tok.body[k]["id"].is_u64() && tok.body[k]["email"].is_string());
    }
    let access = tok.body["access_token"].as_str().unwrap();
    let r = bc
        .http
        .get(format!("{}/stores/g5cd38/v2/store", bc.emu.base_url()))
        .header("x-auth-token", access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // the code works once
    let again = bc.http.post(format!("{}/oauth2/token", bc.emu.base_url())).json(&body).send().await.unwrap();
    assert_eq!(again.status(), 400);
    // a wrong secret is refused
    let mut bad = body.clone();
    bad["client_secret"] = json!("wrong");
    assert_eq!(
        bc.http.post(format!("{}/oauth2/token", bc.emu.base_url())).json(&bad).send().await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn token_endpoint_checks_redirect_uri_and_context() {
    let bc = Bc::new().await;
    let cfg = crate::common::test_config();
    let cb = bc.emu.begin_install("zz1");
    let body = |redirect: &str, ctx: &str| {
        json!({ "client_id": cfg.client_id, "client_secret": cfg.client_secret,
        "code": query_param(&cb, "code"), "context": ctx, "scope": query_param(&cb, "scope"),
        "grant_type": "authorization_code", "redirect_uri": redirect })
    };
    let url = format!("{}/oauth2/token", bc.emu.base_url());
    assert_eq!(
        bc.http.post(&url).json(&body("https://evil.example.com/auth", "stores/zz1")).send().await.unwrap().status(),
        400
    );
    assert_eq!(
        bc.http.post(&url).json(&body(&cfg.auth_callback_url, "stores/other")).send().await.unwrap().status(),
        400
    );
    assert_eq!(
        bc.http.post(&url).json(&body(&cfg.auth_callback_url, "stores/zz1")).send().await.unwrap().status(),
        200
    );
}

fn verify_hs256(jwt: &str, secret: &str) -> Option<Value> {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).ok()?;
    Some(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap())
}

#[tokio::test]
async fn signed_payload_jwt_is_hs256_with_the_documented_claims() {
    let bc = Bc::new().await;
    let cfg = crate::common::test_config();
    for kind in [JwtKind::Load, JwtKind::Uninstall, JwtKind::RemoveUser] {
        let jwt = bc.emu.signed_payload_jwt("abc123", &JwtOptions { kind, ..JwtOptions::default() });
        let c = verify_hs256(&jwt, &cfg.client_secret).expect("signed with the client secret");
        assert_eq!(c["aud"], cfg.client_id.as_str());
        assert_eq!(c["iss"], "bc");
        assert_eq!(c["sub"], "stores/abc123");
        assert_eq!(c["iat"], c["nbf"]);
        assert_eq!(c["exp"].as_i64().unwrap() - c["nbf"].as_i64().unwrap(), 86_400);
        assert!(c["jti"].as_str().unwrap().len() == 36);
        assert!(c["user"]["id"].is_u64() && c["user"]["email"].is_string() && c["owner"]["email"].is_string());
        assert!(c["url"].is_string() && c.get("channel_id").is_some());
    }
    // expired, wrong-audience and badly signed variants for client tests
    let old = bc.emu.signed_payload_jwt("abc123", &JwtOptions { issued_secs_ago: 90_000, ..JwtOptions::default() });
    let c = verify_hs256(&old, &cfg.client_secret).unwrap();
    assert!(c["exp"].as_i64().unwrap() < emu_bigcommerce::util::now());
    let aud = bc
        .emu
        .signed_payload_jwt("abc123", &JwtOptions { audience: Some("someone-else".into()), ..JwtOptions::default() });
    assert_eq!(verify_hs256(&aud, &cfg.client_secret).unwrap()["aud"], "someone-else");
    let forged =
        bc.emu.signed_payload_jwt("abc123", &JwtOptions { signing_secret: Some("x".into()), ..JwtOptions::default() });
    assert!(verify_hs256(&forged, &cfg.client_secret).is_none());
    // the control route gives the callback URL
    let r = read(
        bc.http
            .post(format!("{}/_emulator/jwt", bc.emu.base_url()))
            .json(&json!({"store_hash":"abc123","kind":"uninstall"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let url = r.body["url"].as_str().unwrap();
    assert!(url.starts_with("https://app.example.com/uninstall?signed_payload_jwt="), "{url}");
    assert!(verify_hs256(&query_param(url, "signed_payload_jwt"), &cfg.client_secret).is_some());
}
