//! Pending OAuth `state` values: created when a merchant starts connecting a store, consumed
//! exactly once when the platform sends the browser (or its key delivery) back. Binding the state
//! to the merchant and platform is what stops a forged or replayed callback from attaching a
//! store to the wrong account.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::StoreResult;
use crate::model::{IntegrationId, MerchantId};

/// One pending authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthState {
    /// The unguessable value sent through the platform (at least 128 random bits).
    pub state: String,
    pub merchant_id: MerchantId,
    /// Which flow it belongs to: `bigcommerce`, `ecwid`, `woocommerce` or `pos`.
    pub platform: String,
    /// The integration the flow acts on, when it extends an existing one (the POS side).
    pub integration_id: Option<IntegrationId>,
    /// The store the merchant named up front (the WooCommerce shop URL).
    pub store_ref: Option<String>,
    /// Where the browser goes when the flow ends (already checked against the allow-list).
    pub return_to: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; a state is worthless from this moment on.
    pub expires_at: i64,
}

/// Single-use OAuth states.
#[async_trait]
pub trait OAuthStates: Send + Sync {
    /// Stores a new state; `Conflict` if the value exists already.
    async fn create(&self, s: &OAuthState) -> StoreResult<()>;
    /// Removes and returns the state in one atomic step: of many concurrent callers at most one
    /// gets it. An expired state is consumed too but answers `None`.
    async fn take(&self, state: &str, now: i64) -> StoreResult<Option<OAuthState>>;
}
