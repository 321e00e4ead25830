//! [`RateLimiter`] over the table: one item per (key, window), item `pk = RATE#{key}`,
//! `sk = {window start}`, counter `used`, TTL an hour after the window. A request is granted by
//! one conditional `ADD used :one` that only succeeds while `used` is under the lane's ceiling,
//! so concurrent workers can never overspend.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use posbridge_domain::ports::{Grant, Lane, RateLimiter, StoreResult, window};

use crate::errors::store_err;

#[derive(Clone, Debug)]
pub struct DynamoRateLimiter {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoRateLimiter {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

#[async_trait]
impl RateLimiter for DynamoRateLimiter {
    async fn acquire(&self, key: &str, quota: u32, window_ms: i64, lane: Lane, now_ms: i64) -> StoreResult<Grant> {
        let (start, end) = window(now_ms, window_ms);
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(format!("RATE#{key}")))
            .key("sk", AttributeValue::S(start.to_string()))
            .update_expression("ADD used :one SET expires_at = :exp")
            .condition_expression("attribute_not_exists(used) OR used < :ceiling")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":ceiling", AttributeValue::N(lane.ceiling(quota).to_string()))
            .expression_attribute_values(":exp", AttributeValue::N((end / 1000 + 3600).to_string()))
            .send()
            .await;
        match res {
            Ok(_) => Ok(Grant::Granted),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                Ok(Grant::WaitUntil(end))
            }
            Err(e) => Err(store_err(e)),
        }
    }
}
