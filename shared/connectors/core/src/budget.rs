//! A per-store request budget. Platforms count requests in windows (BigCommerce: a quota per
//! 30 s per store, told in headers on every response; Ecwid: 600 per minute per token). The
//! budget spends locally as requests start, corrects itself from the platform's headers, and
//! when empty waits for the window to reset instead of sending a request that will be refused.
//! Clone it to share one budget between concurrent tasks of one store.
//!
//! Across processes (many Lambda instances working for one store), [`Budget::shared`] also spends
//! each request from a [`RateLimiter`] in storage, in the caller's [`Lane`]: live changes may use
//! the whole window, bulk work only its share, so first-sync traffic never starves a sale.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posbridge_domain::ports::{Grant, Lane, RateLimiter};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetConfig {
    /// Requests allowed per window.
    pub quota: u32,
    pub window: Duration,
}

#[derive(Debug)]
struct State {
    cfg: BudgetConfig,
    left: u32,
    reset_at: Instant,
    /// A platform-imposed pause (Retry-After, or a 429 without headers).
    paused_until: Option<Instant>,
}

/// The cross-process half of a budget.
#[derive(Clone)]
struct Shared {
    limiter: Arc<dyn RateLimiter>,
    key: String,
    lane: Lane,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("key", &self.key).field("lane", &self.lane).finish()
    }
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Budget {
    state: Arc<Mutex<State>>,
    shared: Option<Shared>,
}

impl Budget {
    pub fn new(cfg: BudgetConfig) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                cfg,
                left: 0,
                // Opened by the first request.
                reset_at: Instant::now(),
                paused_until: None,
            })),
            shared: None,
        }
    }

    /// A budget that also spends every request from `limiter` under `key` (the platform store),
    /// in `lane`, so all processes working for the store stay under its quota together.
    pub fn shared(cfg: BudgetConfig, limiter: Arc<dyn RateLimiter>, key: impl Into<String>, lane: Lane) -> Self {
        Self { shared: Some(Shared { limiter, key: key.into(), lane }), ..Self::new(cfg) }
    }

    /// The same shared budget in another lane (e.g. bulk work for a store whose live work uses
    /// this one).
    pub fn in_lane(&self, lane: Lane) -> Self {
        let mut b = self.clone();
        if let Some(s) = &mut b.shared {
            s.lane = lane;
        }
        b
    }

    /// Spends one request from the shared limiter, waiting for the next window when it is spent.
    /// Storage errors fail open after a short pause: the local budget and the platform's own 429s
    /// still pace us, and a storage hiccup must not stop syncing.
    async fn acquire_shared(&self, s: &Shared) {
        loop {
            let cfg = self.lock().cfg;
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            let window_ms = cfg.window.as_millis().max(1) as i64;
            match s.limiter.acquire(&s.key, cfg.quota, window_ms, s.lane, now_ms).await {
                Ok(Grant::Granted) => return,
                Ok(Grant::WaitUntil(at)) => {
                    tokio::time::sleep(Duration::from_millis((at - now_ms).max(1) as u64)).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "shared rate budget unavailable; pacing locally");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    return;
                }
            }
        }
    }

    /// No limit (WooCommerce sends none by default).
    pub fn unlimited() -> Self {
        Self::new(BudgetConfig { quota: u32::MAX, window: Duration::from_secs(3600) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until one more request may be sent, and spends it.
    pub async fn acquire(&self) {
        if let Some(s) = &self.shared {
            self.acquire_shared(s).await;
        }
        loop {
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                if let Some(p) = s.paused_until {
                    if p > now {
                        Some(p - now)
                    } else {
                        s.paused_until = None;
                        None
                    }
                } else {
                    None
                }
                .or_else(|| {
                    // Platforms start a window at the first request after the last one ended
                    // (Ecwid's counter) or tell us when it ends (BigCommerce's headers). Start ours
                    // at the first request too, and end it a little late: our clock runs ahead of
                    // the platform's by the request's travel time, and a window ended early costs
                    // a 429 while one ended late costs 2 % of throughput.
                    if now >= s.reset_at {
                        s.left = s.cfg.quota;
                        s.reset_at = now + s.cfg.window + s.cfg.window / 50;
                    }
                    if s.left > 0 {
                        s.left -= 1;
                        None
                    } else {
                        Some(s.reset_at - now)
                    }
                })
            };
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// The platform told us how much is left and when the window resets (BigCommerce headers).
    /// Requests still in flight were already spent locally, so the smaller count wins.
    pub fn observe_window(&self, left: u32, reset_in: Duration, quota: Option<u32>, window: Option<Duration>) {
        let mut s = self.lock();
        if let Some(q) = quota {
            s.cfg.quota = q;
        }
        if let Some(w) = window {
            s.cfg.window = w;
        }
        s.left = s.left.min(left);
        s.reset_at = Instant::now() + reset_in;
    }

    /// The platform asked us to stop for a while (429 with Retry-After or a reset time). The
    /// window's count is left alone: BigCommerce's headers already said what is left.
    pub fn pause(&self, d: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + d;
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Requests left in the current window (for tests and metrics).
    pub fn left(&self) -> u32 {
        self.lock().left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn budgets_in_two_processes_share_one_quota_and_live_goes_first() {
        use posbridge_domain::embedded::MemoryRateLimiter;
        let limiter: Arc<dyn RateLimiter> = Arc::new(MemoryRateLimiter::default());
        // A window long enough that the test never crosses it.
        let cfg = BudgetConfig { quota: 10, window: Duration::from_secs(3600) };
        // Two "instances" with their own local budgets, one shared limiter.
        let a = Budget::shared(cfg, limiter.clone(), "store-x", Lane::Bulk);
        let b = Budget::shared(cfg, limiter.clone(), "store-x", Lane::Bulk);
        let mut granted = 0;
        for budget in [&a, &b, &a, &b, &a, &b, &a, &b, &a, &b] {
            if tokio::time::timeout(Duration::from_millis(50), budget.acquire()).await.is_ok() {
                granted += 1;
            }
        }
        assert_eq!(granted, 8, "bulk work across both instances stops at its 80 % share");
        let live = a.in_lane(Lane::Live);
        tokio::time::timeout(Duration::from_millis(50), live.acquire()).await.expect("live is served");
        tokio::time::timeout(Duration::from_millis(50), live.acquire()).await.expect("live is served");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), live.acquire()).await.is_err(),
            "and the whole quota is then spent"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn spends_the_quota_then_waits_for_the_window() {
        let b = Budget::new(BudgetConfig { quota: 3, window: Duration::from_secs(30) });
        let t0 = Instant::now();
        for _ in 0..3 {
            b.acquire().await;
        }
        assert_eq!(Instant::now() - t0, Duration::ZERO, "the first three go at once");
        b.acquire().await;
        assert_eq!(
            Instant::now() - t0,
            Duration::from_millis(30_600),
            "the fourth waits for the window (opened by the first request) plus 2 % slack"
        );
        assert_eq!(b.left(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_platforms_headers_correct_the_local_count() {
        let b = Budget::new(BudgetConfig { quota: 150, window: Duration::from_secs(30) });
        b.acquire().await;
        // Another app spent most of the shared quota: 1 left, reset in 5 s.
        b.observe_window(1, Duration::from_secs(5), Some(150), Some(Duration::from_secs(30)));
        let t0 = Instant::now();
        b.acquire().await;
        b.acquire().await;
        assert_eq!(Instant::now() - t0, Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_pause_on_an_unlimited_budget_does_not_block() {
        // Regression: a 429 with `Retry-After: 0` once emptied the window of an unlimited
        // budget, so the next request waited an hour.
        let b = Budget::unlimited();
        b.pause(Duration::ZERO);
        let t0 = Instant::now();
        b.acquire().await;
        assert_eq!(Instant::now() - t0, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_task_sharing_the_budget() {
        let b = Budget::new(BudgetConfig { quota: 100, window: Duration::from_secs(60) });
        b.pause(Duration::from_secs(7));
        let b2 = b.clone();
        let t0 = Instant::now();
        let h = tokio::spawn(async move {
            b2.acquire().await;
            Instant::now()
        });
        b.acquire().await;
        assert!(Instant::now() - t0 >= Duration::from_secs(7));
        assert!(h.await.unwrap() - t0 >= Duration::from_secs(7));
    }
}
