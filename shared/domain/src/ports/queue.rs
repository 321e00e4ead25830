//! The job queue port. Semantics follow SQS FIFO, which production uses:
//! - jobs in one *group* are delivered in order; one receive may return several jobs of a group
//!   (oldest first, to be applied in that order), and no other receive gets any job of that
//!   group while one is in flight; different groups run in parallel;
//! - a job sent twice with the same *deduplication id* inside the window is enqueued once;
//! - a received job is invisible for the visibility timeout, then redelivered unless acked;
//! - after `max_receives` receives without an ack it moves to the dead-letter queue.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::{EntityKind, IntegrationId, Side};

/// One unit of sync work: "this record changed on that side; make the other side match".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub integration_id: IntegrationId,
    pub entity: EntityKind,
    /// The record's id on the side the change came from.
    pub record_id: String,
    pub source: Side,
    /// `created`, `updated`, `deleted`, `sync_now`...
    pub change: String,
    /// The delivery's own identity (webhook id, hash, event cursor) for deduplication.
    pub event_id: String,
    /// Lower runs first: live changes (0) before bulk work such as first sync (10).
    #[serde(default)]
    pub priority: u8,
}

impl Job {
    /// Two changes to the same record share a group, so they never run at once.
    pub fn group_id(&self) -> String {
        format!("{}:{}:{}", self.integration_id, self.entity, self.record_id)
    }

    /// Same event, same dedup id: a webhook delivered ten times is enqueued once.
    pub fn dedup_id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [self.integration_id.as_str(), self.entity.as_str(), &self.record_id, &self.change, &self.event_id]
        {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        hex::encode(h.finalize())
    }
}

/// A received job and the handle to ack it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub receipt: String,
    pub message_id: String,
    pub job: Job,
    /// 1 on first delivery.
    pub receive_count: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue temporarily unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("message body is not a job: {0}")]
    BadMessage(String),
    #[error("receipt is stale or unknown")]
    StaleReceipt,
    #[error("queue error: {0}")]
    Permanent(String),
}

impl QueueError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, QueueError::Unavailable(_))
    }
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn send(&self, job: &Job) -> Result<(), QueueError>;
    /// Up to `max` jobs, waiting up to `wait_ms` for the first.
    async fn receive(&self, max: usize, wait_ms: u64) -> Result<Vec<Received>, QueueError>;
    async fn ack(&self, receipt: &str) -> Result<(), QueueError>;
    /// Makes the job visible again after `delay_secs` (0: at once) without acking it.
    async fn retry_later(&self, receipt: &str, delay_secs: u32) -> Result<(), QueueError>;
    /// Jobs waiting in the dead-letter queue (for operators and tests).
    async fn dead_letters(&self, max: usize) -> Result<Vec<Job>, QueueError>;
}
