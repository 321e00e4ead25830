use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use posbridge_aws::{DynamoStore, SqsQueue, ensure_queues, ensure_table};

static N: AtomicU32 = AtomicU32::new(0);

/// A name no other test run uses.
fn unique(base: &str) -> String {
    format!("{base}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

async fn config() -> aws_config::SdkConfig {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: run these tests through `make test`, which starts the local \
         AWS-compatible server (moto) and points the SDK at it"
    );
    posbridge_aws::load_config().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_store_conforms() {
    let conf = config().await;
    let client = aws_sdk_dynamodb::Client::new(&conf);
    let table = unique("posbridge-conf");
    ensure_table(&client, &table).await.expect("create table");
    ensure_table(&client, &table).await.expect("ensure_table is idempotent");
    posbridge_conformance::all_store_checks(&DynamoStore::new(client, table).stores(), "ddb").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_writes_ttl_attributes() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use posbridge_domain::ports::*;
    let conf = config().await;
    let client = aws_sdk_dynamodb::Client::new(&conf);
    let table = unique("posbridge-ttl");
    ensure_table(&client, &table).await.unwrap();
    let ttl = client.describe_time_to_live().table_name(&table).send().await.unwrap();
    let desc = ttl.time_to_live_description.expect("ttl description");
    assert_eq!(desc.attribute_name(), Some("expires_at"));

    let stores = DynamoStore::new(client.clone(), table.clone()).stores();
    let Claim::Claimed(t) = stores.idempotency.claim("k", 1_000, 30).await.unwrap() else { panic!() };
    stores.idempotency.complete("k", &t, "done", 1_010, 600).await.unwrap();
    let item = client
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("IDEM#k".into()))
        .key("sk", AttributeValue::S("IDEM".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("idempotency item");
    assert_eq!(item.get("expires_at"), Some(&AttributeValue::N("1610".into())), "expires_at = completion + ttl");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_fifo_queue_conforms() {
    let conf = config().await;
    let client = aws_sdk_sqs::Client::new(&conf);
    let (url, dlq) = ensure_queues(&client, &unique("posbridge-conf"), 1, 2).await.expect("create queues");
    let q = SqsQueue::new(client, url, Some(dlq));
    posbridge_conformance::queue(Arc::new(q), Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_oauth_states_conform() {
    let conf = config().await;
    let client = aws_sdk_dynamodb::Client::new(&conf);
    let table = unique("posbridge-oauth");
    ensure_table(&client, &table).await.expect("create table");
    let s = Arc::new(posbridge_aws::DynamoOAuthStates::new(client, table));
    posbridge_conformance::oauth_states(s, "ddb").await;
}

/// Regression: one message that is not a job used to fail the whole receive, so the good jobs
/// received with it were never processed until they too were dead-lettered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_message_does_not_hold_up_the_good_ones() {
    use posbridge_domain::model::*;
    use posbridge_domain::ports::{Job, JobQueue};
    let conf = config().await;
    let client = aws_sdk_sqs::Client::new(&conf);
    let (url, dlq) = ensure_queues(&client, &unique("posbridge-bad"), 1, 2).await.unwrap();
    client
        .send_message()
        .queue_url(&url)
        .message_body("not a job")
        .message_group_id("g")
        .message_deduplication_id("bad-1")
        .send()
        .await
        .unwrap();
    let q = SqsQueue::new(client, url, Some(dlq));
    let job = Job {
        integration_id: IntegrationId::parse("int-1").unwrap(),
        entity: EntityKind::Product,
        record_id: "p1".into(),
        source: Side::Pos,
        change: "updated".into(),
        event_id: "e1".into(),
        priority: 0,
    };
    q.send(&job).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..5 {
        let r = q.receive(10, 1_000).await.expect("a bad body is not an error for the whole receive");
        got.extend(r.into_iter().map(|r| r.job));
        if !got.is_empty() {
            break;
        }
    }
    assert_eq!(got, vec![job]);
}
