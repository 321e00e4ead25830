use emu_bigcommerce::JwtOptions;
use posbridge_domain::model::Platform;
use posbridge_domain::ports::IntegrationState;
use secrecy::ExposeSecret;

use crate::harness::*;

/// Runs Ecwid's flow up to our callback URL (not yet called).
async fn ecwid_callback_url(w: &World, merchant: &str) -> String {
    let r = w.start("ecwid", merchant, "").await;
    assert_eq!(r.status(), 302);
    let r = w.get(&location(&r), None).await;
    assert_eq!(r.status(), 302, "the emulator approves and sends the browser back");
    location(&r)
}

#[tokio::test]
async fn ecwid_connects_once_and_refuses_a_replayed_state() {
    let w = world().await;
    let cb = ecwid_callback_url(&w, "m1").await;
    let r = w.get(&cb, None).await;
    assert_eq!(r.status(), 302);
    assert!(location(&r).starts_with(RETURN), "{}", location(&r));
    let list = w.integrations("m1").await;
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].platform, list[0].state), (Platform::Ecwid, IntegrationState::Connected));
    let creds = w.vault.open(list[0].id.as_str(), &list[0].credentials).await.unwrap();
    assert!(creds.access_token.unwrap().expose_secret().starts_with("secret_"));
    assert!(!String::from_utf8_lossy(&list[0].credentials).contains("secret_"), "sealed at rest");

    // Reused state (and code).
    assert_eq!(code_of(w.get(&cb, None).await).await, (400, "state_invalid".into()));
    // Activating again reuses the integration.
    let cb2 = ecwid_callback_url(&w, "m1").await;
    assert_eq!(w.get(&cb2, None).await.status(), 302);
    let again = w.integrations("m1").await;
    assert_eq!(again.len(), 1, "no duplicate integration");
    assert_eq!(again[0].id, list[0].id);
}

#[tokio::test]
async fn ecwid_missing_and_foreign_state_and_a_code_used_twice_store_nothing() {
    let w = world().await;
    let cb = ecwid_callback_url(&w, "m1").await;
    let code = url::Url::parse(&cb).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    // Missing state.
    let r = w.get(&format!("{}/activate/ecwid/callback?code={code}", w.base), None).await;
    assert_eq!(code_of(r).await, (400, "state_missing".into()));
    // Foreign: another signed-in merchant presents m1's state.
    assert_eq!(code_of(w.get(&cb, Some("m2")).await).await, (403, "state_foreign".into()));
    assert!(w.integrations("m1").await.is_empty() && w.integrations("m2").await.is_empty());
    // The code was never exchanged; a fresh state with a code that was used once is refused.
    let cb2 = ecwid_callback_url(&w, "m1").await;
    assert_eq!(w.get(&cb2, None).await.status(), 302);
    let stored = w.integrations("m1").await;
    let cb3 = ecwid_callback_url(&w, "m1").await;
    let used = url::Url::parse(&cb2).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let state3 = url::Url::parse(&cb3).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.to_string();
    let r = w.get(&format!("{}/activate/ecwid/callback?state={state3}&code={used}", w.base), None).await;
    assert_eq!(code_of(r).await, (400, "code_rejected".into()));
    assert_eq!(w.integrations("m1").await, stored, "nothing changed");
    // Unauthenticated start, disallowed return target.
    assert_eq!(code_of(w.get(&format!("{}/activate/ecwid/start", w.base), None).await).await.0, 401);
    let r = w.start("ecwid", "m1", "return_to=https%3A%2F%2Fevil.example%2F").await;
    assert_eq!(code_of(r).await, (400, "return_url_not_allowed".into()));
}

#[tokio::test]
async fn bigcommerce_install_load_uninstall_and_bad_jwts() {
    let w = world().await;
    let r = w.start("bigcommerce", "m1", "").await;
    assert_eq!(r.status(), 302);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let cb = w.bc.begin_install("abc123");
    // Without the state cookie: refused, nothing stored.
    assert_eq!(code_of(w.get(&cb, None).await).await, (400, "state_missing".into()));
    assert!(w.integrations("m1").await.is_empty());
    // The state was not consumed by the refused attempt; with it the install completes.
    let r = w.http.get(&cb).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    let i = w.integrations("m1").await.pop().expect("integration");
    assert_eq!(i.store_ref, "abc123");
    let token = w.vault.open(i.id.as_str(), &i.credentials).await.unwrap().access_token.unwrap();
    let api = w
        .http
        .get(format!("{}/catalog/products", w.bc.v3_url("abc123")))
        .header("X-Auth-Token", token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200, "the stored token works");

    // A code used twice: a new state, the same callback.
    let r = w.start("bigcommerce", "m1", "").await;
    let cookie2 = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let r = w.http.get(&cb).header("cookie", &cookie2).send().await.unwrap();
    assert_eq!(code_of(r).await, (400, "code_rejected".into()));
    assert_eq!(w.integrations("m1").await, vec![i.clone()], "nothing stored");

    let call = |kind: &str, jwt: String| format!("{}/bigcommerce/{kind}?signed_payload_jwt={jwt}", w.base);
    let ok = w.bc.signed_payload_jwt("abc123", &JwtOptions::default());
    assert_eq!(w.get(&call("load", ok), None).await.status(), 200);
    for (opts, code) in [
        (JwtOptions { signing_secret: Some("forged".into()), ..Default::default() }, "jwt_bad_signature"),
        (JwtOptions { issued_secs_ago: 90_000, ..Default::default() }, "jwt_expired"),
        (JwtOptions { audience: Some("someone-else".into()), ..Default::default() }, "jwt_wrong_audience"),
    ] {
        let opts = JwtOptions { kind: emu_bigcommerce::JwtKind::Uninstall, ..opts };
        let jwt = w.bc.signed_payload_jwt("abc123", &opts);
        assert_eq!(code_of(w.get(&call("uninstall", jwt), None).await).await, (401, code.into()));
        assert_eq!(w.integrations("m1").await, vec![i.clone()], "a refused uninstall changes nothing");
    }
    let jwt = w
        .bc
        .signed_payload_jwt("abc123", &JwtOptions { kind: emu_bigcommerce::JwtKind::RemoveUser, ..Default::default() });
    assert_eq!(w.get(&call("remove_user", jwt), None).await.status(), 200);
    let jwt = w
        .bc
        .signed_payload_jwt("abc123", &JwtOptions { kind: emu_bigcommerce::JwtKind::Uninstall, ..Default::default() });
    assert_eq!(w.get(&call("uninstall", jwt), None).await.status(), 200);
    let after = w.integrations("m1").await.pop().unwrap();
    assert_eq!(after.state, IntegrationState::Disconnected);
    assert!(w.vault.open(after.id.as_str(), &after.credentials).await.unwrap().access_token.is_none());
}

#[tokio::test]
async fn woocommerce_keys_are_delivered_and_sealed() {
    let w = world().await;
    let r = w.start("woocommerce", "m1", &format!("store_url={}", w.woo.base_url())).await;
    assert_eq!(r.status(), 302);
    let r = w.get(&location(&r), None).await;
    assert_eq!(r.status(), 302, "WooCommerce delivered the keys and sends the browser back");
    let r = w.get(&location(&r), None).await;
    assert_eq!(r.status(), 302);
    assert!(location(&r).starts_with(RETURN));
    let i = w.integrations("m1").await.pop().expect("integration");
    assert_eq!(i.platform, Platform::WooCommerce);
    let c = w.vault.open(i.id.as_str(), &i.credentials).await.unwrap();
    assert!(c.consumer_key.unwrap().expose_secret().starts_with("ck_"));
    // A key delivery with no pending state is refused.
    let r = w
        .http
        .post(format!("{}/activate/woocommerce/keys?state=nope", w.base))
        .body(r#"{"user_id":"nope","consumer_key":"ck_x","consumer_secret":"cs_x","key_permissions":"read_write"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(r).await, (400, "state_invalid".into()));
    assert_eq!(w.integrations("m1").await.len(), 1);
}

#[tokio::test]
async fn woocommerce_callback_the_emulator_cannot_reach_stores_nothing() {
    let w = world_with(Some("http://127.0.0.1:9")).await;
    let r = w.start("woocommerce", "m1", &format!("store_url={}", w.woo.base_url())).await;
    let r = w.get(&location(&r), None).await;
    assert_eq!(r.status(), 401, "WooCommerce reports it could not send the keys");
    let state =
        url::Url::parse(&location(&w.start("woocommerce", "m1", &format!("store_url={}", w.woo.base_url())).await))
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "user_id")
            .unwrap()
            .1
            .to_string();
    let r =
        w.get(&format!("{}/activate/woocommerce/callback?state={state}&success=0&user_id={state}", w.base), None).await;
    assert_eq!(code_of(r).await, (400, "woocommerce_keys_not_delivered".into()));
    assert!(w.integrations("m1").await.is_empty());
}

#[tokio::test]
async fn pos_connects_refreshes_and_a_revoked_grant_disconnects() {
    let w = world().await;
    let cb = ecwid_callback_url(&w, "m1").await;
    w.get(&cb, None).await;
    let i = w.integrations("m1").await.pop().unwrap();
    let r = w.start("pos", "m1", &format!("integration={}", i.id)).await;
    assert_eq!(r.status(), 302);
    let r = w.get(&location(&r), None).await;
    let cb = location(&r);
    assert_eq!(w.get(&cb, None).await.status(), 302);
    assert_eq!(code_of(w.get(&cb, None).await).await, (400, "state_invalid".into()), "single use");
    let token = w.act.refresh_pos(&i.id).await.expect("refresh");
    let api = w
        .http
        .get(format!("{}/api/v1/outlets/get_all", w.pos.base_url()))
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    let stored = w.integrations("m1").await.pop().unwrap();
    let c = w.vault.open(i.id.as_str(), &stored.credentials).await.unwrap();
    assert!(c.access_token.is_some() && c.refresh_token.is_some(), "both sides kept");
    // Another merchant cannot start the POS flow on m1's integration.
    assert_eq!(code_of(w.start("pos", "m2", &format!("integration={}", i.id)).await).await.0, 404);
    // The POS no longer knows the refresh token (the merchant disconnected): Disconnected.
    let rt = w.vault.open(i.id.as_str(), &w.integrations("m1").await.pop().unwrap().credentials).await.unwrap();
    let pc = emu_pos::Config::default();
    let spent = w
        .http
        .post(format!("{}/oauth/token", w.pos.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
            pc.client_id,
            pc.client_secret,
            rt.refresh_token.unwrap().expose_secret()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), 200, "the grant is used up elsewhere");
    assert!(w.act.refresh_pos(&i.id).await.is_err());
    assert_eq!(w.integrations("m1").await.pop().unwrap().state, IntegrationState::Disconnected);
}

#[tokio::test]
async fn no_token_or_secret_reaches_the_logs() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let sub = tracing_subscriber::fmt()
        .with_env_filter("posbridge_activate=trace")
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(sub);
    let w = world().await;
    let cb = ecwid_callback_url(&w, "m1").await;
    assert_eq!(w.get(&cb, None).await.status(), 302);
    let r = w.start("woocommerce", "m1", &format!("store_url={}", w.woo.base_url())).await;
    let r = w.get(&location(&r), None).await;
    w.get(&location(&r), None).await;
    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("connected"), "the activation was logged: {logs}");
    for i in w.integrations("m1").await {
        let c = w.vault.open(i.id.as_str(), &i.credentials).await.unwrap();
        for s in [c.access_token, c.consumer_key, c.consumer_secret].into_iter().flatten() {
            assert!(!logs.contains(s.expose_secret()), "a secret was logged");
        }
    }
    for s in ["emulator-client-secret", "secret_", "cs_", "ck_"] {
        assert!(!logs.contains(s), "{s} in logs");
    }
}
