//! An in-process FIFO job queue with SQS FIFO semantics: group order and group locking,
//! deduplication inside a window, visibility timeout, redelivery and a dead-letter queue.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::Notify;

use crate::ports::{Job, JobQueue, QueueError, Received};

/// Queue behaviour; the defaults match the production queue (SAM template).
#[derive(Debug, Clone)]
pub struct QueueConfig {
    pub visibility_timeout: Duration,
    pub max_receives: u32,
    pub dedup_window: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self { visibility_timeout: Duration::from_secs(360), max_receives: 5, dedup_window: Duration::from_secs(300) }
    }
}

#[derive(Debug)]
struct Msg {
    id: String,
    job: Job,
    group: String,
    receives: u32,
    /// Set while in flight: (receipt, visible again at).
    inflight: Option<(String, Instant)>,
}

#[derive(Default)]
struct State {
    msgs: VecDeque<Msg>,
    dedup: HashMap<String, Instant>,
    dlq: Vec<Job>,
}

/// The embedded [`JobQueue`]. Clones share the queue.
#[derive(Clone)]
pub struct MemoryQueue {
    cfg: QueueConfig,
    state: Arc<Mutex<State>>,
    notify: Arc<Notify>,
}

impl MemoryQueue {
    pub fn new(cfg: QueueConfig) -> Self {
        Self { cfg, state: Arc::default(), notify: Arc::new(Notify::new()) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Jobs waiting or in flight (not counting the dead-letter queue).
    pub fn depth(&self) -> usize {
        self.lock().msgs.len()
    }

    fn take_ready(&self, max: usize) -> Vec<Received> {
        let now = Instant::now();
        let mut s = self.lock();
        // Expired visibility: back to waiting, or to the DLQ once out of receives.
        let mut dead = Vec::new();
        for (idx, m) in s.msgs.iter_mut().enumerate() {
            if m.inflight.as_ref().is_some_and(|(_, until)| *until <= now) {
                m.inflight = None;
                if m.receives >= self.cfg.max_receives {
                    dead.push(idx);
                }
            }
        }
        for idx in dead.into_iter().rev() {
            if let Some(m) = s.msgs.remove(idx) {
                s.dlq.push(m.job);
            }
        }
        let locked: HashSet<String> = s.msgs.iter().filter(|m| m.inflight.is_some()).map(|m| m.group.clone()).collect();
        let mut out = Vec::new();
        let vis = self.cfg.visibility_timeout;
        // Like SQS FIFO, one receive may return several jobs of an unlocked group, oldest first;
        // a group with a job in flight is skipped entirely.
        for m in s.msgs.iter_mut() {
            if out.len() >= max {
                break;
            }
            if locked.contains(&m.group) {
                continue;
            }
            m.receives += 1;
            let receipt = format!("{}#{}", m.id, m.receives);
            m.inflight = Some((receipt.clone(), now + vis));
            out.push(Received { receipt, message_id: m.id.clone(), job: m.job.clone(), receive_count: m.receives });
        }
        out
    }
}

#[async_trait]
impl JobQueue for MemoryQueue {
    async fn send(&self, job: &Job) -> Result<(), QueueError> {
        let now = Instant::now();
        let dedup = job.dedup_id();
        {
            let mut s = self.lock();
            let window = self.cfg.dedup_window;
            s.dedup.retain(|_, at| now.duration_since(*at) < window);
            if s.dedup.contains_key(&dedup) {
                return Ok(());
            }
            s.dedup.insert(dedup, now);
            s.msgs.push_back(Msg {
                id: uuid::Uuid::new_v4().to_string(),
                group: job.group_id(),
                job: job.clone(),
                receives: 0,
                inflight: None,
            });
        }
        self.notify.notify_waiters();
        Ok(())
    }

    async fn receive(&self, max: usize, wait_ms: u64) -> Result<Vec<Received>, QueueError> {
        let deadline = Instant::now() + Duration::from_millis(wait_ms);
        loop {
            let notified = self.notify.notified();
            let got = self.take_ready(max.max(1));
            if !got.is_empty() {
                return Ok(got);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            // Wake on a send, or poll again shortly for visibility expiries.
            let nap = (deadline - now).min(Duration::from_millis(50));
            let _ = tokio::time::timeout(nap, notified).await;
        }
    }

    async fn ack(&self, receipt: &str) -> Result<(), QueueError> {
        let mut s = self.lock();
        let idx = s
            .msgs
            .iter()
            .position(|m| m.inflight.as_ref().is_some_and(|(r, _)| r == receipt))
            .ok_or(QueueError::StaleReceipt)?;
        s.msgs.remove(idx);
        drop(s);
        self.notify.notify_waiters();
        Ok(())
    }

    async fn retry_later(&self, receipt: &str, delay_secs: u32) -> Result<(), QueueError> {
        let mut s = self.lock();
        let m = s
            .msgs
            .iter_mut()
            .find(|m| m.inflight.as_ref().is_some_and(|(r, _)| r == receipt))
            .ok_or(QueueError::StaleReceipt)?;
        let until = Instant::now() + Duration::from_secs(u64::from(delay_secs));
        m.inflight = Some((receipt.to_string(), until));
        Ok(())
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Job>, QueueError> {
        let _ = self.take_ready(0);
        Ok(self.lock().dlq.iter().take(max).cloned().collect())
    }
}
