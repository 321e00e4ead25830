//! The local stack serves every function under the HTTP API's routes, with the emulators.

use posbridge_domain::model::*;
use posbridge_domain::ports::*;
use posbridge_local::{LocalConfig, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_stack_serves_every_function_and_emulator() {
    let stack = start(LocalConfig::ephemeral()).await.unwrap();
    let http = reqwest::Client::new();
    let f = stack.functions_url();

    let health = http.get(format!("{f}/api/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // An integration of the demo merchant is visible with its token, not without.
    stack
        .ports
        .stores
        .integrations
        .create(&demo_integration("int-demo", Platform::WooCommerce, "shop.example", IntegrationState::Connected))
        .await
        .unwrap();
    let anon = http.get(format!("{f}/api/integrations")).send().await.unwrap();
    assert_eq!(anon.status(), 401);
    let wrong = http.get(format!("{f}/api/integrations")).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let mine: serde_json::Value =
        http.get(format!("{f}/api/integrations")).bearer_auth("demo-token").send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["items"][0]["id"], "int-demo");

    // SYNC NOW goes through the queue to the worker, which records the outcome.
    sync_now(&f, "int-demo", "product", "p-1").await;
    let status = wait_for_status(&stack, "int-demo", EntityKind::Product, "p-1")
        .await
        .expect("the worker processed the queued job");
    // No sync engine is wired yet: the job is rejected with a reason, not lost or faked.
    assert_eq!(status.state, SyncState::Failed);
    assert!(status.error_advice.is_some());

    let hook = http.post(format!("{f}/webhooks/ecwid")).body("{}").send().await.unwrap();
    assert_eq!(hook.status(), 400, "not an Ecwid event");
    // Activation starts only for a signed-in merchant, and then redirects to the platform.
    let act = http.get(format!("{f}/activate/ecwid/start")).send().await.unwrap();
    assert_eq!(act.status(), 401);
    let no_follow = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start = no_follow.get(format!("{f}/activate/ecwid/start")).bearer_auth("demo-token").send().await.unwrap();
    assert_eq!(start.status(), 302);
    let to = start.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(&stack.ecwid.base_url()), "{to}");
    assert!(to.contains(&urlencode(&f)), "the redirect comes back to this stack's real port: {to}");
    let none = http.get(format!("{f}/nowhere")).send().await.unwrap();
    assert_eq!(none.status(), 404);

    // The emulators answer on their own ports.
    for base in
        [stack.bigcommerce.base_url(), stack.woocommerce.base_url(), stack.ecwid.base_url(), stack.pos.base_url()]
    {
        let r = http.get(format!("{base}/_emulator/requests")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{base}");
    }
    assert_eq!(stack.describe().len(), 9);
    stack.shutdown().await;
}

/// The same stack over DynamoDB and SQS (the local AWS-compatible server `make test` starts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_stack_runs_over_dynamodb_and_sqs() {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: run through `make test`, which starts the local AWS-compatible server"
    );
    let table = format!("posbridge-local-{}", std::process::id());
    let cfg = LocalConfig {
        backend: posbridge_aws::wiring::Backend::AwsBootstrap {
            table: table.clone(),
            queue_name: format!("posbridge-local-{}.fifo", std::process::id()),
        },
        ..LocalConfig::ephemeral()
    };
    let stack = start(cfg).await.unwrap();
    stack
        .ports
        .stores
        .integrations
        .create(&demo_integration("int-aws", Platform::Ecwid, "1003", IntegrationState::Live))
        .await
        .unwrap();
    sync_now(&stack.functions_url(), "int-aws", "customer", "c-1").await;
    // Through SQS to the worker and into DynamoDB.
    let found = wait_for_status(&stack, "int-aws", EntityKind::Customer, "c-1").await;
    assert!(found.is_some(), "the job crossed SQS and the status landed in DynamoDB");
    // The table really is the DynamoDB one.
    let conf = posbridge_aws::load_config().await;
    let ddb = aws_sdk_dynamodb::Client::new(&conf);
    let desc = ddb.describe_table().table_name(&table).send().await.unwrap();
    assert_eq!(desc.table.and_then(|t| t.table_name), Some(table));
    stack.shutdown().await;
}

/// A product created in the BigCommerce emulator arrives as a signed webhook at the local stack,
/// is verified, queued and processed by the worker; a forged delivery is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bigcommerce_webhook_travels_from_the_emulator_to_the_worker() {
    let stack = start(LocalConfig::ephemeral()).await.unwrap();
    let http = reqwest::Client::new();
    let bc = &stack.bigcommerce;
    let cfg = emu_bigcommerce::Config::default();

    // App install: the auth callback's code is exchanged for a token (hooks created with it are
    // signed with the app's client secret).
    let callback = url::Url::parse(&bc.begin_install("abc123")).unwrap();
    let q: std::collections::HashMap<String, String> = callback.query_pairs().into_owned().collect();
    let token: serde_json::Value = http
        .post(format!("{}/oauth2/token", bc.base_url()))
        .json(&serde_json::json!({
            "client_id": cfg.client_id, "client_secret": cfg.client_secret, "code": q["code"],
            "context": q["context"], "scope": q["scope"], "grant_type": "authorization_code",
            "redirect_uri": cfg.auth_callback_url,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().expect("access token").to_string();

    stack
        .ports
        .stores
        .integrations
        .create(&demo_integration("int-bc", Platform::BigCommerce, "abc123", IntegrationState::Live))
        .await
        .unwrap();

    let v3 = bc.v3_url("abc123");
    let hook = http
        .post(format!("{v3}/hooks"))
        .header("X-Auth-Token", &access)
        .json(&serde_json::json!({
            "scope": "store/product/created",
            "destination": format!("{}/webhooks/bigcommerce", stack.functions_url()),
            "is_active": true
        }))
        .send()
        .await
        .unwrap();
    assert!(hook.status().is_success(), "hook created: {}", hook.status());
    let created: serde_json::Value = http
        .post(format!("{v3}/catalog/products"))
        .header("X-Auth-Token", &access)
        .json(&serde_json::json!({"name": "Mug", "type": "physical", "weight": 1, "price": 12.5, "sku": "MUG-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let product_id = created["data"]["id"].to_string();

    let status = wait_for_status(&stack, "int-bc", EntityKind::Product, &product_id).await;
    let status = status.expect("the webhook was verified, queued and processed");
    assert_eq!(status.connector, Platform::BigCommerce);
    let log: Vec<serde_json::Value> =
        http.get(format!("{}/_emulator/webhooks/log", bc.base_url())).send().await.unwrap().json().await.unwrap();
    assert!(log.iter().any(|d| d["status"] == 200), "the emulator saw a 2xx: {log:?}");

    // A forged delivery (right shape, wrong key) is refused.
    let forged = http
        .post(format!("{}/webhooks/bigcommerce", stack.functions_url()))
        .header("webhook-id", "msg_x")
        .header("webhook-timestamp", "1")
        .header("webhook-signature", "v1,AAAA")
        .body(r#"{"scope":"store/product/created","data":{"id":1},"hash":"x","producer":"stores/abc123"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    stack.shutdown().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// An integration of the local stack's demo merchant.
fn demo_integration(id: &str, platform: Platform, store: &str, state: IntegrationState) -> Integration {
    Integration {
        id: IntegrationId::parse(id).unwrap(),
        merchant_id: MerchantId::parse("demo-merchant").unwrap(),
        platform,
        store_ref: store.into(),
        state,
        settings: serde_json::json!({}),
        credentials: vec![],
        version: 0,
        created_at: 0,
        updated_at: 0,
    }
}

/// Presses SYNC NOW for one record as the demo merchant.
async fn sync_now(functions_url: &str, integration: &str, entity: &str, record: &str) {
    let r = reqwest::Client::new()
        .post(format!("{functions_url}/api/integrations/{integration}/sync-now"))
        .bearer_auth("demo-token")
        .json(&serde_json::json!({ "entity": entity, "record_id": record }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

/// The record's sync status once the worker has written it (polls for up to 12 s).
async fn wait_for_status(
    stack: &posbridge_local::LocalStack,
    integration: &str,
    entity: EntityKind,
    record: &str,
) -> Option<SyncStatus> {
    let i = IntegrationId::parse(integration).unwrap();
    for _ in 0..60 {
        if let Some(s) = stack.ports.stores.status.get(&i, entity, record).await.unwrap() {
            return Some(s);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    None
}
