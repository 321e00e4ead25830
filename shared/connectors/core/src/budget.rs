//! A per-store request budget. Platforms count requests in windows (BigCommerce: a quota per
//! 30 s per store, told in headers on every response; Ecwid: 600 per minute per token). The
//! budget spends locally as requests start, corrects itself from the platform's headers, and
//! when empty waits for the window to reset instead of sending a request that will be refused.
//! Clone it to share one budget between concurrent tasks of one store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Budget {
    state: Arc<Mutex<State>>,
}

impl Budget {
    pub fn new(cfg: BudgetConfig) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                cfg,
                left: cfg.quota,
                reset_at: Instant::now() + cfg.window,
                paused_until: None,
            })),
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
                    if now >= s.reset_at {
                        s.left = s.cfg.quota;
                        s.reset_at = now + s.cfg.window;
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

    #[tokio::test(start_paused = true)]
    async fn spends_the_quota_then_waits_for_the_window() {
        let b = Budget::new(BudgetConfig { quota: 3, window: Duration::from_secs(30) });
        let t0 = Instant::now();
        for _ in 0..3 {
            b.acquire().await;
        }
        assert_eq!(Instant::now() - t0, Duration::ZERO, "the first three go at once");
        b.acquire().await;
        assert_eq!(Instant::now() - t0, Duration::from_secs(30), "the fourth waits for the reset");
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
