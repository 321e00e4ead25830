//! One request budget per platform store, shared by every worker instance: many Lambda
//! instances together must stay under the platform's limit. Fixed windows, counted in storage
//! with an atomic conditional increment. Live changes are served before bulk work: bulk may only
//! spend the first [`BULK_SHARE_PCT`] % of a window, so a burst of first-sync traffic cannot starve
//! a sale's stock update.

use async_trait::async_trait;

use super::StoreResult;

/// The share of each window bulk work may use (live work may use all of it).
pub const BULK_SHARE_PCT: u32 = 80;

/// Which lane a request is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Live,
    Bulk,
}

impl Lane {
    /// How many requests of a `quota` this lane may spend in one window.
    pub fn ceiling(self, quota: u32) -> u32 {
        match self {
            Lane::Live => quota,
            Lane::Bulk => (quota * BULK_SHARE_PCT / 100).max(1),
        }
    }
}

/// The outcome of asking for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Granted,
    /// The window is spent for this lane; try again at this time (unix milliseconds).
    WaitUntil(i64),
}

#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Spends one request of `key`'s budget (`quota` per `window_ms`) at `now_ms`.
    async fn acquire(&self, key: &str, quota: u32, window_ms: i64, lane: Lane, now_ms: i64) -> StoreResult<Grant>;
}

/// The window `now_ms` falls in: (start, end).
pub fn window(now_ms: i64, window_ms: i64) -> (i64, i64) {
    let start = now_ms - now_ms.rem_euclid(window_ms);
    (start, start + window_ms)
}
