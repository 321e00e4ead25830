//! Ports: narrow traits, one capability each. Every port has an embedded adapter
//! (`crate::embedded`, in-process, for `make run` and unit tests) and a production adapter
//! (`posbridge-aws`: DynamoDB and SQS). Both pass the same conformance suite (`tests/conformance`).

mod choices;
mod oauth_state;
mod queue;
mod rate;
mod records;
mod vault;

pub use choices::*;
pub use oauth_state::*;
pub use queue::*;
pub use rate::*;
pub use records::*;
pub use vault::*;

use async_trait::async_trait;

use crate::model::{EntityKind, IntegrationId, MerchantId, PlatformId, PosId, Sku};

/// Errors every storage adapter reports the same way.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A conditional write lost: the record exists already or changed underneath.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// Throttling, timeouts, service errors: safe to try again.
    #[error("storage temporarily unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Malformed stored data or a request the store refuses: retrying will not help.
    #[error("storage error: {0}")]
    Permanent(String),
}

impl StoreError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Integrations: lifecycle state, settings and encrypted credentials.
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    /// Creates a new integration; `Conflict` if the id exists.
    async fn create(&self, i: &Integration) -> StoreResult<()>;
    async fn get(&self, id: &IntegrationId) -> StoreResult<Option<Integration>>;
    /// Writes `i` if the stored version is still `i.version`; stores `version + 1` and returns it.
    /// `Conflict` when someone else wrote first.
    async fn update(&self, i: &Integration) -> StoreResult<u64>;
    async fn list_for_merchant(&self, merchant: &MerchantId) -> StoreResult<Vec<Integration>>;
    /// Finds the integration for a platform store (webhooks name the store, not us).
    async fn find_by_store(
        &self,
        platform: crate::model::Platform,
        store_ref: &str,
    ) -> StoreResult<Option<Integration>>;
}

/// POS id <-> platform id pairs, unique per (integration, entity, POS id) and per
/// (integration, entity, platform id).
#[async_trait]
pub trait LinkStore: Send + Sync {
    /// Creates the link; `Conflict` if either side is already linked (exactly one of many
    /// concurrent creators wins).
    async fn create(&self, link: &Link) -> StoreResult<()>;
    async fn by_pos(&self, i: &IntegrationId, e: EntityKind, pos: &PosId) -> StoreResult<Option<Link>>;
    async fn by_platform(&self, i: &IntegrationId, e: EntityKind, p: &PlatformId) -> StoreResult<Option<Link>>;
    /// Case-insensitive SKU lookup.
    async fn by_sku(&self, i: &IntegrationId, e: EntityKind, sku: &Sku) -> StoreResult<Option<Link>>;
    /// Removes both directions of a link; no error if absent.
    async fn delete(&self, i: &IntegrationId, e: EntityKind, pos: &PosId) -> StoreResult<()>;
}

/// Per-record green/red status.
#[async_trait]
pub trait SyncStatusStore: Send + Sync {
    async fn put(&self, s: &SyncStatus) -> StoreResult<()>;
    async fn get(&self, i: &IntegrationId, e: EntityKind, record_id: &str) -> StoreResult<Option<SyncStatus>>;
    /// Records of one entity kind, optionally only those in `state`.
    async fn list(
        &self,
        i: &IntegrationId,
        e: EntityKind,
        state: Option<SyncState>,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<Page<SyncStatus>>;
}

/// The sync process log: one record per run, newest first.
#[async_trait]
pub trait ProcessLog: Send + Sync {
    async fn put(&self, run: &ProcessRun) -> StoreResult<()>;
    async fn list(&self, i: &IntegrationId, limit: usize, cursor: Option<&str>) -> StoreResult<Page<ProcessRun>>;
}

/// The error log: per record, with advice; newest first.
#[async_trait]
pub trait ErrorLog: Send + Sync {
    async fn record(&self, e: &ErrorEntry) -> StoreResult<()>;
    async fn list(
        &self,
        i: &IntegrationId,
        filter: &ErrorFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<Page<ErrorEntry>>;
    /// Marks every unresolved entry of a record resolved (it synced after all); returns how many.
    async fn resolve(&self, i: &IntegrationId, e: EntityKind, record_id: &str) -> StoreResult<u64>;
}

/// Idempotency keys with leases: at-least-once in, exactly-once effect.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `lease_secs`. A key whose lease expired without completion can be
    /// claimed again (the earlier worker died). Records expire `ttl_secs` after completion.
    async fn claim(&self, key: &str, now: i64, lease_secs: i64) -> StoreResult<Claim>;
    /// Records the result; `Conflict` if the caller's lease was lost to another claimer.
    async fn complete(&self, key: &str, token: &str, result: &str, now: i64, ttl_secs: i64) -> StoreResult<()>;
    /// Gives the key up without a result so it can be claimed at once (a retryable failure).
    async fn release(&self, key: &str, token: &str) -> StoreResult<()>;
}

/// First-time sync progress.
#[async_trait]
pub trait FirstSyncStore: Send + Sync {
    async fn put(&self, p: &FirstSyncProgress) -> StoreResult<()>;
    async fn list(&self, i: &IntegrationId) -> StoreResult<Vec<FirstSyncProgress>>;
}

/// Every storage port, bundled for wiring.
#[derive(Clone)]
pub struct Stores {
    pub integrations: std::sync::Arc<dyn IntegrationStore>,
    pub links: std::sync::Arc<dyn LinkStore>,
    pub status: std::sync::Arc<dyn SyncStatusStore>,
    pub process_log: std::sync::Arc<dyn ProcessLog>,
    pub errors: std::sync::Arc<dyn ErrorLog>,
    pub idempotency: std::sync::Arc<dyn IdempotencyStore>,
    pub first_sync: std::sync::Arc<dyn FirstSyncStore>,
}
