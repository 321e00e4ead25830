//! The seam between the worker and the sync engine: the worker owns delivery mechanics
//! (idempotency, ordering, retries, logs), an [`Apply`] decides and performs one job's effect.

use async_trait::async_trait;

use crate::ports::{Job, SyncAction};

/// What applying a job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub action: SyncAction,
    /// The record's id on the side that was written, when there is one.
    pub target_id: Option<String>,
    /// A short human note for the process log ("stock 5 -> 4 at Main St").
    pub note: String,
}

/// Why a job could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// Try again later (rate limit, timeout, a prerequisite still syncing).
    #[error("temporary: {reason}")]
    Retryable { reason: String, retry_after_secs: Option<u32> },
    /// Will not succeed as it is: parked in the error log with advice the merchant can act on.
    #[error("{code}: {message}")]
    Rejected { code: String, message: String, advice: String },
}

#[async_trait]
pub trait Apply: Send + Sync {
    async fn apply(&self, job: &Job) -> Result<Applied, ApplyError>;
}

/// The [`Apply`] of a build without a sync engine: every job is rejected with a reason, so
/// nothing is lost and nothing pretends to have synced.
pub struct NoSyncEngine;

#[async_trait]
impl Apply for NoSyncEngine {
    async fn apply(&self, job: &Job) -> Result<Applied, ApplyError> {
        Err(ApplyError::Rejected {
            code: "sync_engine_unavailable".into(),
            message: format!("no sync engine is enabled for {} changes in this build", job.entity),
            advice: "Contact posbridge support; the change is kept in the error log and can be re-sent with SYNC NOW"
                .into(),
        })
    }
}
