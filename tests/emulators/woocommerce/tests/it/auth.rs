//! Consumer-key authentication (Basic, query string, OAuth 1.0a) and the wc-auth key delivery.

use base64::Engine;
use emu_woocommerce::{Config, READ_ONLY_KEY, READ_WRITE_KEY, SiteScheme};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::json;

use crate::support::{Receiver, reply, shop, shop_with};

#[tokio::test]
async fn basic_auth_and_query_string_keys_are_accepted() {
    let s = shop().await;
    assert_eq!(s.get("/products").await.status, 200);
    let url = format!("{}?consumer_key={}&consumer_secret={}", s.url("/products"), READ_WRITE_KEY.0, READ_WRITE_KEY.1);
    let r = reply(s.http.get(url).send().await.unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn bad_or_missing_credentials_get_the_documented_401s() {
    let s = shop().await;
    let table = [
        (("ck_nope", READ_WRITE_KEY.1), "woocommerce_rest_authentication_error", "Consumer key is invalid."),
        ((READ_WRITE_KEY.0, "cs_nope"), "woocommerce_rest_authentication_error", "Consumer secret is invalid."),
    ];
    for (key, code, message) in table {
        let r = s.send_as(key, Method::GET, "/products", None).await;
        assert_eq!((r.status, r.body["code"].as_str(), r.body["message"].as_str()), (401, Some(code), Some(message)));
        assert_eq!(r.body["data"]["status"], 401);
    }
    let anon = reply(s.http.get(s.url("/products")).send().await.unwrap()).await;
    assert_eq!((anon.status, anon.body["code"].as_str()), (401, Some("woocommerce_rest_cannot_view")));
    let anon_post = reply(s.http.post(s.url("/products")).json(&json!({"name": "x"})).send().await.unwrap()).await;
    assert_eq!(anon_post.body["code"], "woocommerce_rest_cannot_create");
}

#[tokio::test]
async fn read_only_keys_cannot_write() {
    let s = shop().await;
    assert_eq!(s.get_read_only("/products").await.status, 200);
    let r = s.send_as(READ_ONLY_KEY, Method::POST, "/products", Some(json!({ "name": "x" }))).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["message"], "The API key provided does not have write permissions.");
    assert_eq!(s.emu.state()["products"].as_array().unwrap().len(), 0, "nothing was written");
}

// ---------- OAuth 1.0a one-legged (plain-HTTP site) ----------

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A client-side OAuth 1.0a signer (written independently of the emulator's verifier).
fn signed_query(
    method: &str,
    url: &str,
    extra: &[(&str, &str)],
    alg: &str,
    nonce: &str,
    ts: i64,
    secret: &str,
) -> String {
    let ts = ts.to_string();
    let mut params: Vec<(String, String)> = vec![
        ("oauth_consumer_key".into(), READ_WRITE_KEY.0.into()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), alg.into()),
        ("oauth_timestamp".into(), ts),
    ];
    params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let mut sorted: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    sorted.sort();
    let base = format!("{method}&{}&{}", enc(url), enc(&sorted.join("&")));
    let key = format!("{secret}&");
    let sig = if alg == "HMAC-SHA1" {
        let mut m = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
        m.update(base.as_bytes());
        m.finalize().into_bytes().to_vec()
    } else {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
        m.update(base.as_bytes());
        m.finalize().into_bytes().to_vec()
    };
    params.push(("oauth_signature".into(), base64::engine::general_purpose::STANDARD.encode(sig)));
    params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn oauth1_signed_requests_work_on_a_plain_http_site_and_replays_are_refused() {
    let s = shop_with(Config { scheme: SiteScheme::Http, ..Config::default() }).await;
    let url = s.url("/products");
    let now = s.emu.now();
    let get = |q: String| {
        let http = s.http.clone();
        let url = url.clone();
        async move { reply(http.get(format!("{url}?{q}")).send().await.unwrap()).await }
    };

    let ok = get(signed_query("GET", &url, &[], "HMAC-SHA1", "n1", now, READ_WRITE_KEY.1)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let with_params = get(signed_query(
        "GET",
        &url,
        &[("per_page", "5"), ("modified_after", "2020-01-01T00:00:00")],
        "HMAC-SHA256",
        "n2",
        now,
        READ_WRITE_KEY.1,
    ))
    .await;
    assert_eq!(with_params.status, 200, "query parameters are part of the signature: {}", with_params.body);

    let replay = get(signed_query("GET", &url, &[], "HMAC-SHA1", "n1", now, READ_WRITE_KEY.1)).await;
    assert_eq!(
        (replay.status, replay.body["message"].as_str()),
        (401, Some("Invalid nonce - nonce has already been used."))
    );
    let wrong = get(signed_query("GET", &url, &[], "HMAC-SHA1", "n3", now, "cs_wrong")).await;
    assert_eq!(wrong.body["message"], "Invalid signature - provided signature does not match.");
    let stale = get(signed_query("GET", &url, &[], "HMAC-SHA1", "n4", now - 16 * 60, READ_WRITE_KEY.1)).await;
    assert_eq!((stale.status, stale.body["message"].as_str()), (401, Some("Invalid timestamp.")));

    // The POST body is not signed.
    let q = signed_query("POST", &url, &[], "HMAC-SHA256", "n5", now, READ_WRITE_KEY.1);
    let created =
        reply(s.http.post(format!("{url}?{q}")).json(&json!({ "name": "Signed" })).send().await.unwrap()).await;
    assert_eq!(created.status, 201, "{}", created.body);

    // The same parameters may travel in an `Authorization: OAuth …` header instead.
    let q = signed_query("GET", &url, &[], "HMAC-SHA1", "n6", now, READ_WRITE_KEY.1);
    let header = q.split('&').map(|kv| kv.replacen('=', "=\"", 1) + "\"").collect::<Vec<_>>().join(", ");
    let via_header =
        reply(s.http.get(&url).header("Authorization", format!("OAuth {header}")).send().await.unwrap()).await;
    assert_eq!(via_header.status, 200, "{}", via_header.body);

    let basic = s.get("/products").await;
    assert_eq!(
        (basic.status, basic.body["code"].as_str()),
        (401, Some("woocommerce_rest_cannot_view")),
        "Basic is ignored over HTTP"
    );
}

// ---------- wc-auth ----------

fn authorize_url(base: &str, callback: &str, scope: &str) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("app_name", "posbridge")
        .append_pair("scope", scope)
        .append_pair("user_id", "42")
        .append_pair("return_url", "https://app.example/return")
        .append_pair("callback_url", callback)
        .finish();
    format!("{base}/wc-auth/v1/authorize?{q}")
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn wc_auth_posts_new_keys_to_the_callback_then_redirects_with_success() {
    let s = shop().await;
    let rx = Receiver::start().await;
    let r = no_redirects().get(authorize_url(&s.emu.base_url(), &rx.url(), "read_write")).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "https://app.example/return?success=1&user_id=42");

    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].header("content-type").starts_with("application/json"));
    let keys = seen[0].json();
    assert_eq!(keys["user_id"], 42);
    assert_eq!(keys["key_permissions"], "read_write");
    assert!(keys["key_id"].is_u64());
    let (ck, cs) = (keys["consumer_key"].as_str().unwrap(), keys["consumer_secret"].as_str().unwrap());
    assert!(ck.starts_with("ck_") && cs.starts_with("cs_") && ck.len() == 43);
    let r = s.send_as((ck, cs), Method::POST, "/products", Some(json!({ "name": "via issued key" }))).await;
    assert_eq!(r.status, 201, "the delivered keys work");
}

#[tokio::test]
async fn wc_auth_drops_the_keys_when_the_callback_does_not_answer_200() {
    let s = shop().await;
    let rx = Receiver::start().await;
    rx.answer(201);
    let keys_before = s.emu.keys().len();
    let r = no_redirects().get(authorize_url(&s.emu.base_url(), &rx.url(), "read")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("unable to send the consumer data"));
    let sent = rx.seen()[0].json();
    let ck = sent["consumer_key"].as_str().unwrap();
    let cs = sent["consumer_secret"].as_str().unwrap();
    assert_eq!(s.send_as((ck, cs), Method::GET, "/products", None).await.status, 401, "keys were deleted");
    assert_eq!(s.emu.keys().len(), keys_before);
}

#[tokio::test]
async fn wc_auth_denial_redirects_with_success_0_and_bad_requests_are_refused() {
    let s = shop().await;
    let rx = Receiver::start().await;
    s.http
        .post(format!("{}/_emulator/wc-auth", s.emu.base_url()))
        .json(&json!({ "approve": false }))
        .send()
        .await
        .unwrap();
    let r = no_redirects().get(authorize_url(&s.emu.base_url(), &rx.url(), "read")).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "https://app.example/return?success=0&user_id=42");
    assert!(rx.seen().is_empty(), "no keys are sent on denial");

    let bad_scope = no_redirects().get(authorize_url(&s.emu.base_url(), &rx.url(), "admin")).send().await.unwrap();
    assert_eq!(bad_scope.status(), 400);
    let missing =
        no_redirects().get(format!("{}/wc-auth/v1/authorize?app_name=x", s.emu.base_url())).send().await.unwrap();
    assert_eq!(missing.status(), 400);

    let strict = shop_with(Config { wc_auth_require_https_callback: true, ..Config::default() }).await;
    let r = no_redirects().get(authorize_url(&strict.emu.base_url(), &rx.url(), "read")).send().await.unwrap();
    assert_eq!(r.status(), 400, "WooCommerce wants the callback over SSL");
}
