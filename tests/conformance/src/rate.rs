//! The shared rate budget: concurrent workers never overspend a window, and bulk work leaves
//! room for live changes.

use std::sync::Arc;

use posbridge_domain::ports::{BULK_SHARE_PCT, Grant, Lane, RateLimiter};

/// 50 concurrent workers ask for a quota of 10: exactly 10 are granted, the rest told when the
/// window ends; bulk stops at its share while live can still go; the next window starts afresh.
pub async fn rate_limiter(r: Arc<dyn RateLimiter>, prefix: &str) {
    let key = format!("{prefix}-store-1");
    let now = 1_700_000_000_123i64;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let r = r.clone();
        let k = key.clone();
        tasks.push(tokio::spawn(async move { r.acquire(&k, 10, 30_000, Lane::Live, now).await.unwrap() }));
    }
    let mut granted = 0;
    for t in tasks {
        match t.await.unwrap() {
            Grant::Granted => granted += 1,
            Grant::WaitUntil(at) => assert_eq!(at, 1_700_000_010_000, "told when the 30 s window ends"),
        }
    }
    assert_eq!(granted, 10, "exactly the quota is granted across concurrent workers");

    // Lanes: with a quota of 10, bulk gets 8, live the last 2.
    let key2 = format!("{prefix}-store-2");
    let bulk_cap = 10 * BULK_SHARE_PCT / 100;
    for _ in 0..bulk_cap {
        assert_eq!(r.acquire(&key2, 10, 30_000, Lane::Bulk, now).await.unwrap(), Grant::Granted);
    }
    assert!(matches!(r.acquire(&key2, 10, 30_000, Lane::Bulk, now).await.unwrap(), Grant::WaitUntil(_)));
    assert_eq!(r.acquire(&key2, 10, 30_000, Lane::Live, now).await.unwrap(), Grant::Granted, "live still goes");
    // Stores are independent, and a new window starts afresh.
    assert_eq!(r.acquire(&format!("{prefix}-other"), 10, 30_000, Lane::Live, now).await.unwrap(), Grant::Granted);
    assert_eq!(r.acquire(&key, 10, 30_000, Lane::Live, now + 30_000).await.unwrap(), Grant::Granted);
}
