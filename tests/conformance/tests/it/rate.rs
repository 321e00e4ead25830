use std::sync::Arc;

use posbridge_aws::DynamoRateLimiter;
use posbridge_domain::embedded::MemoryRateLimiter;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_rate_limiter_conforms() {
    posbridge_conformance::rate::rate_limiter(Arc::new(MemoryRateLimiter::default()), "emb").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_rate_limiter_conforms() {
    assert!(std::env::var("AWS_ENDPOINT_URL").is_ok(), "AWS_ENDPOINT_URL is not set: run through `make test`");
    let conf = posbridge_aws::load_config().await;
    let client = aws_sdk_dynamodb::Client::new(&conf);
    let table = format!("posbridge-rate-{}", std::process::id());
    posbridge_aws::ensure_table(&client, &table).await.unwrap();
    posbridge_conformance::rate::rate_limiter(Arc::new(DynamoRateLimiter::new(client, table)), "ddb").await;
}
