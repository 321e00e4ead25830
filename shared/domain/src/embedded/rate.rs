//! In-process [`RateLimiter`]: the same fixed windows and lanes as the DynamoDB adapter.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::{Grant, Lane, RateLimiter, StoreResult, window};

#[derive(Default)]
pub struct MemoryRateLimiter {
    used: Mutex<HashMap<(String, i64), u32>>,
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn acquire(&self, key: &str, quota: u32, window_ms: i64, lane: Lane, now_ms: i64) -> StoreResult<Grant> {
        let (start, end) = window(now_ms, window_ms);
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.retain(|(_, s), _| *s + window_ms > now_ms - window_ms);
        let n = used.entry((key.to_string(), start)).or_insert(0);
        if *n < lane.ceiling(quota) {
            *n += 1;
            Ok(Grant::Granted)
        } else {
            Ok(Grant::WaitUntil(end))
        }
    }
}
