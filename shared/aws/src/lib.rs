//! Production adapters of the domain's ports: DynamoDB (one table, see docs/ARCHITECTURE.md)
//! and SQS FIFO. The only code that knows attribute names and queue wire details.
//!
//! Both read their endpoint from the standard AWS environment (`AWS_ENDPOINT_URL`, region,
//! credentials) through `aws-config`, so the same code runs against AWS and against the local
//! AWS-compatible server the Makefile starts.

mod dynamo;
mod errors;
mod kms;
mod oauth_state;
mod rate;
mod sqs;
pub mod wiring;

pub use dynamo::{DynamoStore, ensure_table};
pub use kms::KmsVault;
pub use oauth_state::DynamoOAuthStates;
pub use rate::DynamoRateLimiter;
pub use sqs::{SqsQueue, ensure_queues};

/// Loads the shared AWS configuration from the environment, once per cold start.
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}
