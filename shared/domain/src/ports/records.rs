//! Records the storage ports keep. Plain data; adapters decide how they are laid out.

use serde::{Deserialize, Serialize};

use crate::model::{EntityKind, IntegrationId, MerchantId, Platform, PlatformId, PosId, Sku};

/// Where an integration stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationState {
    /// Credentials stored; settings not saved yet ("Activate" became "Manage").
    Connected,
    /// Settings saved; first-time sync not started.
    Configured,
    FirstSync,
    Live,
    Paused,
    Disconnected,
}

/// One merchant's connection to one web store. `settings` is the typed settings model
/// serialised (issue 6 owns its shape); `credentials` is ciphertext, never plain tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Integration {
    pub id: IntegrationId,
    pub merchant_id: MerchantId,
    pub platform: Platform,
    /// The platform's store identity (BigCommerce store hash, Ecwid store id, WooCommerce URL).
    pub store_ref: String,
    pub state: IntegrationState,
    pub settings: serde_json::Value,
    /// Envelope-encrypted credentials (see `crate::crypto`); opaque bytes here.
    #[serde(with = "b64")]
    pub credentials: Vec<u8>,
    /// Optimistic-concurrency version; adapters bump it on every write.
    pub version: u64,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
}

mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        STANDARD.decode(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A POS record paired with its platform twin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub integration_id: IntegrationId,
    pub entity: EntityKind,
    pub pos_id: PosId,
    pub platform_id: PlatformId,
    pub sku: Option<Sku>,
    /// Unix seconds.
    pub created_at: i64,
}

/// The green/red view of one record (product docs, "Sync status across screens").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Synced,
    Failed,
}

/// "Status: will be created or updated if successful."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncAction {
    Created,
    Updated,
    Skipped,
}

/// Connector, status, error advice and last sync of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub integration_id: IntegrationId,
    pub entity: EntityKind,
    /// The record's id on the side it is listed on (POS id for the POS screens).
    pub record_id: String,
    pub state: SyncState,
    /// The connected platform ("Connector").
    pub connector: Platform,
    pub action: Option<SyncAction>,
    /// Advice a merchant can act on, when the last attempt failed.
    pub error_advice: Option<String>,
    /// Unix seconds.
    pub last_sync: i64,
}

/// One sync run in the sync process log, with counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRun {
    pub integration_id: IntegrationId,
    pub run_id: String,
    /// What started it: `webhook`, `first_sync`, `sync_now`, `reconcile`.
    pub trigger: String,
    pub entity: Option<EntityKind>,
    /// Unix seconds.
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
}

/// One entry of the error log: what failed, why, and what the merchant can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEntry {
    pub integration_id: IntegrationId,
    pub entry_id: String,
    pub entity: EntityKind,
    pub record_id: String,
    /// A stable machine-readable code, e.g. `missing_sku`, `customer_not_synced`.
    pub code: String,
    pub message: String,
    pub advice: String,
    /// Unix seconds.
    pub at: i64,
    pub resolved: bool,
}

/// The outcome of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This caller owns the key until the lease ends and must `complete` or `release` it with
    /// this token.
    Claimed(String),
    /// Someone else holds a live lease.
    InProgress,
    /// Already done; here is the recorded result.
    Done(String),
}

/// First-time sync progress per integration and entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstSyncProgress {
    pub integration_id: IntegrationId,
    pub entity: EntityKind,
    pub total: Option<u64>,
    pub done: u64,
    pub failed: u64,
    /// Where to resume paging the source.
    pub cursor: Option<String>,
    pub finished: bool,
    /// Unix seconds.
    pub updated_at: i64,
}

/// One page of a listing and the opaque cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Filters for the error log listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorFilter {
    pub entity: Option<EntityKind>,
    pub unresolved_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_round_trip_through_base64_json() {
        for bytes in [vec![], vec![0u8], vec![1, 2], vec![255, 254, 253], (0..=255).collect::<Vec<u8>>()] {
            #[derive(Serialize, Deserialize)]
            struct W(#[serde(with = "b64")] Vec<u8>);
            let s = serde_json::to_string(&W(bytes.clone())).unwrap();
            let back: W = serde_json::from_str(&s).unwrap();
            assert_eq!(back.0, bytes);
        }
        #[derive(Serialize)]
        struct W(#[serde(with = "b64")] Vec<u8>);
        assert_eq!(serde_json::to_string(&W(b"Man".to_vec())).unwrap(), "\"TWFu\"");
        assert_eq!(serde_json::to_string(&W(b"Ma".to_vec())).unwrap(), "\"TWE=\"");
    }
}
