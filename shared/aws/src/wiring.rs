//! Builds the ports from the environment, once per cold start.
//!
//! | variable | meaning |
//! |---|---|
//! | `POSBRIDGE_TABLE` | DynamoDB table; unset = embedded storage (local stack only) |
//! | `POSBRIDGE_QUEUE_URL` | SQS FIFO jobs queue; unset = embedded queue (local stack only) |
//! | `POSBRIDGE_DLQ_URL` | its dead-letter queue (optional; for operators' views) |
//! | `POSBRIDGE_BOOTSTRAP` | `1`: create the table and queues if missing (local stack over moto) |
//!
//! Inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) embedded storage would lose data between
//! instances, so the table and queue are required there.

use std::sync::Arc;
use std::time::Duration;

use posbridge_domain::embedded::{MemoryQueue, MemoryStore, QueueConfig};
use posbridge_domain::ports::{JobQueue, Stores};

use crate::{DynamoStore, SqsQueue, ensure_queues, ensure_table};

/// Where the ports live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Aws {
        table: String,
        queue_url: String,
        dlq_url: Option<String>,
        bootstrap: bool,
    },
    /// Local stack over a local AWS-compatible server: create the table and queues by name.
    AwsBootstrap {
        table: String,
        queue_name: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} must be set when running in AWS Lambda (embedded storage would lose data between instances)")]
    Missing(&'static str),
    #[error("{name} has an invalid value: {why}")]
    Invalid { name: &'static str, why: String },
}

impl Backend {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`Backend::from_env`] over any variable lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let in_lambda = get("AWS_LAMBDA_FUNCTION_NAME").is_some();
        let table = get("POSBRIDGE_TABLE").filter(|v| !v.is_empty());
        let queue = get("POSBRIDGE_QUEUE_URL").filter(|v| !v.is_empty());
        let bootstrap = match get("POSBRIDGE_BOOTSTRAP").as_deref() {
            None | Some("") | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "POSBRIDGE_BOOTSTRAP",
                    why: format!("{other:?} is not 0 or 1"),
                });
            }
        };
        match (table, queue) {
            (Some(table), Some(queue_url)) => {
                Ok(Backend::Aws { table, queue_url, dlq_url: get("POSBRIDGE_DLQ_URL"), bootstrap })
            }
            (Some(table), None) if bootstrap && !in_lambda => {
                Ok(Backend::AwsBootstrap { table, queue_name: "posbridge-jobs.fifo".into() })
            }
            (None, _) if in_lambda => Err(ConfigError::Missing("POSBRIDGE_TABLE")),
            (_, None) if in_lambda => Err(ConfigError::Missing("POSBRIDGE_QUEUE_URL")),
            (None, None) => Ok(Backend::Embedded),
            (Some(_), None) => Err(ConfigError::Missing("POSBRIDGE_QUEUE_URL")),
            (None, Some(_)) => Err(ConfigError::Missing("POSBRIDGE_TABLE")),
        }
    }
}

/// The ports every function uses.
#[derive(Clone)]
pub struct Ports {
    pub stores: Stores,
    pub queue: Arc<dyn JobQueue>,
}

/// Builds the ports for `backend`. Embedded ports are fresh each call: the local stack builds
/// them once and shares them between its functions.
pub async fn ports(backend: &Backend) -> Result<Ports, Box<dyn std::error::Error + Send + Sync>> {
    match backend {
        Backend::Embedded => {
            Ok(Ports { stores: MemoryStore::new().stores(), queue: Arc::new(MemoryQueue::new(QueueConfig::default())) })
        }
        Backend::Aws { table, queue_url, dlq_url, bootstrap } => {
            let conf = crate::load_config().await;
            let ddb = aws_sdk_dynamodb::Client::new(&conf);
            if *bootstrap {
                ensure_table(&ddb, table).await?;
            }
            let sqs = aws_sdk_sqs::Client::new(&conf);
            Ok(Ports {
                stores: DynamoStore::new(ddb, table.clone()).stores(),
                queue: Arc::new(SqsQueue::new(sqs, queue_url.clone(), dlq_url.clone())),
            })
        }
        Backend::AwsBootstrap { table, queue_name } => {
            let conf = crate::load_config().await;
            let ddb = aws_sdk_dynamodb::Client::new(&conf);
            ensure_table(&ddb, table).await?;
            let sqs = aws_sdk_sqs::Client::new(&conf);
            // Visibility 6 x the worker's 60 s timeout and 5 receives, as in infra/template.yaml.
            let (url, dlq) = ensure_queues(&sqs, queue_name, 360, 5).await?;
            Ok(Ports {
                stores: DynamoStore::new(ddb, table.clone()).stores(),
                queue: Arc::new(SqsQueue::new(sqs, url, Some(dlq))),
            })
        }
    }
}

/// How long the local stack's embedded queue hides a received job (the production queue's 360 s
/// would make a failed job wait six minutes in a demo).
pub const LOCAL_VISIBILITY: Duration = Duration::from_secs(30);

/// The credentials vault from the environment: `POSBRIDGE_KMS_KEY_ID` seals with envelope
/// encryption under that KMS key (production); else `POSBRIDGE_LOCAL_KEY` (64 hex characters)
/// seals with a local AES-256-GCM key; else, outside Lambda only, a random local key (nothing
/// sealed survives a restart, which suits the local stack).
pub async fn vault_from_env() -> Result<Arc<dyn posbridge_domain::ports::Vault>, ConfigError> {
    use posbridge_domain::embedded::LocalVault;
    if let Ok(key) = std::env::var("POSBRIDGE_KMS_KEY_ID")
        && !key.is_empty()
    {
        let conf = crate::load_config().await;
        return Ok(Arc::new(crate::KmsVault::new(aws_sdk_kms::Client::new(&conf), key)));
    }
    match std::env::var("POSBRIDGE_LOCAL_KEY") {
        Ok(k) if !k.is_empty() => LocalVault::from_hex(&k)
            .map(|v| Arc::new(v) as Arc<dyn posbridge_domain::ports::Vault>)
            .map_err(|why| ConfigError::Invalid { name: "POSBRIDGE_LOCAL_KEY", why }),
        _ if std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok() => Err(ConfigError::Missing("POSBRIDGE_KMS_KEY_ID")),
        _ => Ok(Arc::new(LocalVault::random())),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Backend, ConfigError> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Backend::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn backend_is_chosen_from_the_environment() {
        assert_eq!(from(&[]).unwrap(), Backend::Embedded);
        assert_eq!(
            from(&[("POSBRIDGE_TABLE", "t"), ("POSBRIDGE_QUEUE_URL", "http://q")]).unwrap(),
            Backend::Aws { table: "t".into(), queue_url: "http://q".into(), dlq_url: None, bootstrap: false }
        );
        assert!(matches!(
            from(&[("POSBRIDGE_TABLE", "t"), ("POSBRIDGE_BOOTSTRAP", "1")]).unwrap(),
            Backend::AwsBootstrap { .. }
        ));
    }

    #[test]
    fn lambda_refuses_embedded_storage_with_a_clear_message() {
        let err = from(&[("AWS_LAMBDA_FUNCTION_NAME", "w")]).unwrap_err();
        assert!(err.to_string().contains("POSBRIDGE_TABLE must be set"), "{err}");
        let err = from(&[("AWS_LAMBDA_FUNCTION_NAME", "w"), ("POSBRIDGE_TABLE", "t")]).unwrap_err();
        assert!(err.to_string().contains("POSBRIDGE_QUEUE_URL"), "{err}");
        assert!(from(&[("POSBRIDGE_TABLE", "t")]).is_err(), "a table without a queue is a mistake");
        assert!(from(&[("POSBRIDGE_BOOTSTRAP", "yes")]).is_err());
    }
}
