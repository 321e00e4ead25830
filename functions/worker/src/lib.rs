//! The sync worker. It owns delivery mechanics; an [`Apply`] owns the effect:
//! - each job is claimed by its idempotency key, so a redelivered or duplicated job has one
//!   effect, and a worker that died mid-job is taken over when its lease runs out;
//! - jobs of one record (one FIFO group) are applied in order, and once one fails the later
//!   ones in the batch are failed too without running, so they are redelivered in order;
//! - a rejected job is parked in the error log with advice and acknowledged; a retryable one is
//!   reported as a batch item failure and redelivered until the queue dead-letters it;
//! - per-record status and one process-log run per integration per batch are written.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use posbridge_domain::apply::{Apply, ApplyError};
use posbridge_domain::model::IntegrationId;
use posbridge_domain::ports::*;

/// How long a claimed job is ours before another worker may take it over (well above the
/// Lambda timeout, below the queue's visibility timeout).
pub const LEASE_SECS: i64 = 300;
/// How long a finished job's idempotency record is kept: longer than SQS's 5-minute dedup
/// window and any platform's redelivery horizon (BigCommerce retries for about 48 hours).
pub const DONE_TTL_SECS: i64 = 7 * 24 * 3600;

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// One received message, however it arrived (SQS event or embedded queue).
#[derive(Debug, Clone)]
pub struct Incoming {
    pub message_id: String,
    /// The job, or why the body is not one.
    pub job: Result<Job, String>,
    pub receive_count: u32,
}

/// What happened to one job in this delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied(SyncAction),
    /// Already applied by an earlier delivery.
    Duplicate,
    /// Parked in the error log with advice; acknowledged.
    Rejected(String),
    /// To be delivered again.
    Retry(String),
}

impl Outcome {
    fn acked(&self) -> bool {
        !matches!(self, Outcome::Retry(_))
    }
}

pub struct Worker {
    stores: Stores,
    apply: Arc<dyn Apply>,
    /// The queue's maxReceiveCount: on the last receive a retryable failure is also written to
    /// the error log, since the job is about to go to the dead-letter queue.
    max_receives: u32,
}

#[derive(Default)]
struct Counters {
    created: u64,
    updated: u64,
    skipped: u64,
    failed: u64,
}

impl Worker {
    pub fn new(stores: Stores, apply: Arc<dyn Apply>, max_receives: u32) -> Self {
        Self { stores, apply, max_receives }
    }

    /// Processes a batch in order; returns the outcome per message id, in input order.
    pub async fn process_batch(&self, batch: Vec<Incoming>) -> Vec<(String, Outcome)> {
        let started = now();
        let mut failed_groups: HashSet<String> = HashSet::new();
        let mut counters: BTreeMap<IntegrationId, Counters> = BTreeMap::new();
        let mut out = Vec::with_capacity(batch.len());
        for msg in batch {
            let job = match msg.job {
                Ok(job) => job,
                Err(why) => {
                    tracing::error!(message_id = %msg.message_id, error = %why, "message is not a job; it will be dead-lettered");
                    out.push((msg.message_id, Outcome::Retry(format!("bad message: {why}"))));
                    continue;
                }
            };
            let group = job.group_id();
            let outcome = if failed_groups.contains(&group) {
                Outcome::Retry("an earlier change to this record failed in this batch".into())
            } else {
                self.process(&job, msg.receive_count).await
            };
            if !outcome.acked() {
                failed_groups.insert(group);
            }
            let c = counters.entry(job.integration_id.clone()).or_default();
            match &outcome {
                Outcome::Applied(SyncAction::Created) => c.created += 1,
                Outcome::Applied(SyncAction::Updated) => c.updated += 1,
                Outcome::Applied(SyncAction::Skipped) | Outcome::Duplicate => c.skipped += 1,
                Outcome::Rejected(_) | Outcome::Retry(_) => c.failed += 1,
            }
            out.push((msg.message_id, outcome));
        }
        for (integration_id, c) in counters {
            let run = ProcessRun {
                integration_id,
                run_id: uuid::Uuid::new_v4().to_string(),
                trigger: "queue".into(),
                entity: None,
                started_at: started,
                finished_at: Some(now()),
                created: c.created,
                updated: c.updated,
                skipped: c.skipped,
                failed: c.failed,
            };
            if let Err(e) = self.stores.process_log.put(&run).await {
                tracing::warn!(error = %e, "could not write the process log");
            }
        }
        out
    }

    #[tracing::instrument(skip_all, fields(integration_id = %job.integration_id, entity = %job.entity, record = %job.record_id, event_id = %job.event_id))]
    async fn process(&self, job: &Job, receive_count: u32) -> Outcome {
        let key = format!("job:{}", job.dedup_id());
        let token = match self.stores.idempotency.claim(&key, now(), LEASE_SECS).await {
            Ok(Claim::Claimed(t)) => t,
            Ok(Claim::Done(_)) => return Outcome::Duplicate,
            Ok(Claim::InProgress) => return Outcome::Retry("another worker is applying this job".into()),
            Err(e) => return Outcome::Retry(format!("idempotency store: {e}")),
        };
        let integration = match self.stores.integrations.get(&job.integration_id).await {
            Ok(Some(i)) => i,
            Ok(None) => {
                let _ = self
                    .stores
                    .idempotency
                    .complete(&key, &token, "rejected:unknown_integration", now(), DONE_TTL_SECS)
                    .await;
                tracing::warn!("job for an unknown integration dropped");
                return Outcome::Rejected("unknown_integration".into());
            }
            Err(e) => {
                let _ = self.stores.idempotency.release(&key, &token).await;
                return Outcome::Retry(format!("integration store: {e}"));
            }
        };
        match self.apply.apply(job).await {
            Ok(applied) => {
                let status = SyncStatus {
                    integration_id: job.integration_id.clone(),
                    entity: job.entity,
                    record_id: job.record_id.clone(),
                    state: SyncState::Synced,
                    connector: integration.platform,
                    action: Some(applied.action),
                    error_advice: None,
                    last_sync: now(),
                };
                if let Err(e) = self.record_success(&status).await {
                    // The effect happened; keep the claim so a redelivery is a duplicate.
                    tracing::warn!(error = %e, "applied, but the status could not be written");
                }
                let result = format!("applied:{:?}:{}", applied.action, applied.target_id.unwrap_or_default());
                if let Err(e) = self.stores.idempotency.complete(&key, &token, &result, now(), DONE_TTL_SECS).await {
                    tracing::warn!(error = %e, "applied, but the lease was lost before completion");
                }
                tracing::info!(note = %applied.note, "applied");
                Outcome::Applied(applied.action)
            }
            Err(ApplyError::Rejected { code, message, advice }) => {
                self.record_failure(job, integration.platform, &code, &message, &advice).await;
                let _ = self
                    .stores
                    .idempotency
                    .complete(&key, &token, &format!("rejected:{code}"), now(), DONE_TTL_SECS)
                    .await;
                tracing::info!(%code, "rejected");
                Outcome::Rejected(code)
            }
            Err(ApplyError::Retryable { reason, .. }) => {
                let _ = self.stores.idempotency.release(&key, &token).await;
                if receive_count >= self.max_receives {
                    let advice = "posbridge retried this change several times; it is parked for an operator. \
                                  Press SYNC NOW on the record to try again once the cause is fixed";
                    self.record_failure(job, integration.platform, "retries_exhausted", &reason, advice).await;
                }
                tracing::info!(%reason, receive_count, "will retry");
                Outcome::Retry(reason)
            }
        }
    }

    async fn record_success(&self, status: &SyncStatus) -> StoreResult<()> {
        self.stores.status.put(status).await?;
        self.stores.errors.resolve(&status.integration_id, status.entity, &status.record_id).await?;
        Ok(())
    }

    async fn record_failure(
        &self,
        job: &Job,
        platform: posbridge_domain::model::Platform,
        code: &str,
        message: &str,
        advice: &str,
    ) {
        let at = now();
        let entry = ErrorEntry {
            integration_id: job.integration_id.clone(),
            entry_id: uuid::Uuid::new_v4().to_string(),
            entity: job.entity,
            record_id: job.record_id.clone(),
            code: code.into(),
            message: message.into(),
            advice: advice.into(),
            at,
            resolved: false,
        };
        let status = SyncStatus {
            integration_id: job.integration_id.clone(),
            entity: job.entity,
            record_id: job.record_id.clone(),
            state: SyncState::Failed,
            connector: platform,
            action: None,
            error_advice: Some(advice.into()),
            last_sync: at,
        };
        if let Err(e) = self.stores.errors.record(&entry).await {
            tracing::error!(error = %e, "could not write the error log");
        }
        if let Err(e) = self.stores.status.put(&status).await {
            tracing::error!(error = %e, "could not write the sync status");
        }
    }
}

/// Converts an SQS Lambda event into incoming messages.
pub fn from_sqs_event(event: aws_lambda_events::sqs::SqsEvent) -> Vec<Incoming> {
    event
        .records
        .into_iter()
        .map(|m| {
            let job = match m.body.as_deref() {
                Some(b) => serde_json::from_str::<Job>(b).map_err(|e| e.to_string()),
                None => Err("empty body".to_string()),
            };
            let receive_count = m.attributes.get("ApproximateReceiveCount").and_then(|c| c.parse().ok()).unwrap_or(1);
            Incoming { message_id: m.message_id.unwrap_or_default(), job, receive_count }
        })
        .collect()
}

/// The Lambda response: the ids of the messages to be redelivered.
pub fn batch_response(outcomes: &[(String, Outcome)]) -> aws_lambda_events::sqs::SqsBatchResponse {
    let mut resp = aws_lambda_events::sqs::SqsBatchResponse::default();
    for (id, o) in outcomes {
        if !o.acked() {
            let mut f = aws_lambda_events::sqs::BatchItemFailure::default();
            f.item_identifier = id.clone();
            resp.batch_item_failures.push(f);
        }
    }
    resp
}

/// Feeds the worker from a [`JobQueue`] (the local stack's embedded queue, or SQS polled
/// directly) until `stop` resolves. Failed jobs become visible again after a short backoff.
pub async fn run_queue(worker: Arc<Worker>, queue: Arc<dyn JobQueue>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let received = tokio::select! {
            r = queue.receive(10, 1_000) => r,
            _ = stop.changed() => return,
        };
        let received = match received {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "receive failed");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if received.is_empty() {
            continue;
        }
        let incoming = received
            .iter()
            .map(|r| Incoming {
                message_id: r.message_id.clone(),
                job: Ok(r.job.clone()),
                receive_count: r.receive_count,
            })
            .collect();
        let outcomes = worker.process_batch(incoming).await;
        for (r, (_, outcome)) in received.iter().zip(outcomes.iter()) {
            let res = if outcome.acked() {
                queue.ack(&r.receipt).await
            } else {
                queue.retry_later(&r.receipt, backoff_secs(r.receive_count)).await
            };
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not settle a received job");
            }
        }
    }
}

/// 1, 2, 4, 8... seconds, capped at 5 minutes.
pub fn backoff_secs(receive_count: u32) -> u32 {
    1u32.checked_shl(receive_count.saturating_sub(1)).unwrap_or(u32::MAX).min(300)
}
