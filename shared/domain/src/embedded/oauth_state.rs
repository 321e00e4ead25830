//! [`OAuthStates`] in memory: one mutex makes `take` atomic.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::{OAuthState, OAuthStates, StoreError, StoreResult};

#[derive(Default)]
pub struct MemoryOAuthStates {
    states: Mutex<HashMap<String, OAuthState>>,
}

impl MemoryOAuthStates {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl OAuthStates for MemoryOAuthStates {
    async fn create(&self, s: &OAuthState) -> StoreResult<()> {
        let mut m = self.states.lock().unwrap_or_else(|p| p.into_inner());
        if m.contains_key(&s.state) {
            return Err(StoreError::Conflict("oauth state exists".into()));
        }
        m.insert(s.state.clone(), s.clone());
        Ok(())
    }

    async fn take(&self, state: &str, now: i64) -> StoreResult<Option<OAuthState>> {
        let mut m = self.states.lock().unwrap_or_else(|p| p.into_inner());
        // Expired states are swept as they are met, like DynamoDB's TTL would eventually do.
        m.retain(|_, s| s.expires_at > now || s.state == state);
        Ok(m.remove(state).filter(|s| s.expires_at > now))
    }
}
