//! The worker's delivery mechanics over the embedded ports, with a scripted sync engine.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use posbridge_domain::apply::{Applied, Apply, ApplyError};
use posbridge_domain::embedded::{MemoryQueue, MemoryStore, QueueConfig};
use posbridge_domain::model::*;
use posbridge_domain::ports::*;
use posbridge_worker::{Incoming, Outcome, Worker, batch_response, run_queue};

/// Applies jobs by script: per record id, a list of results to return in turn (default: ok).
#[derive(Default)]
struct Script {
    plan: Mutex<HashMap<String, Vec<Result<Applied, ApplyError>>>>,
    calls: Mutex<Vec<String>>,
}

impl Script {
    fn will(&self, record: &str, results: Vec<Result<Applied, ApplyError>>) {
        self.plan.lock().unwrap().insert(record.into(), results);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

fn created() -> Result<Applied, ApplyError> {
    Ok(Applied { action: SyncAction::Created, target_id: Some("bc-1".into()), note: "created".into() })
}

fn retryable() -> Result<Applied, ApplyError> {
    Err(ApplyError::Retryable { reason: "429 from the platform".into(), retry_after_secs: Some(3) })
}

#[async_trait]
impl Apply for Script {
    async fn apply(&self, job: &Job) -> Result<Applied, ApplyError> {
        self.calls.lock().unwrap().push(format!("{}:{}", job.record_id, job.event_id));
        let mut plan = self.plan.lock().unwrap();
        match plan.get_mut(&job.record_id) {
            Some(list) if !list.is_empty() => list.remove(0),
            _ => Ok(Applied { action: SyncAction::Updated, target_id: None, note: "updated".into() }),
        }
    }
}

fn job(record: &str, event: &str) -> Job {
    Job {
        integration_id: IntegrationId::parse("int-1").unwrap(),
        entity: EntityKind::Product,
        record_id: record.into(),
        source: Side::Pos,
        change: "updated".into(),
        event_id: event.into(),
        priority: 0,
    }
}

fn incoming(id: &str, j: Job, receive_count: u32) -> Incoming {
    Incoming { message_id: id.into(), job: Ok(j), receive_count }
}

async fn setup() -> (Stores, Arc<Script>, Worker) {
    let stores = MemoryStore::new().stores();
    stores
        .integrations
        .create(&Integration {
            id: IntegrationId::parse("int-1").unwrap(),
            merchant_id: MerchantId::parse("m-1").unwrap(),
            platform: Platform::BigCommerce,
            store_ref: "abc".into(),
            state: IntegrationState::Live,
            settings: serde_json::json!({}),
            credentials: vec![],
            version: 0,
            created_at: 0,
            updated_at: 0,
        })
        .await
        .unwrap();
    let script = Arc::new(Script::default());
    let worker = Worker::new(stores.clone(), script.clone(), 3);
    (stores, script, worker)
}

#[tokio::test]
async fn the_same_job_delivered_ten_times_is_applied_once() {
    let (stores, script, worker) = setup().await;
    for n in 0..10 {
        let out = worker.process_batch(vec![incoming(&format!("m{n}"), job("p1", "evt-1"), 1)]).await;
        let expected = if n == 0 { Outcome::Applied(SyncAction::Updated) } else { Outcome::Duplicate };
        assert_eq!(out[0].1, expected, "delivery {n}");
    }
    assert_eq!(script.calls(), vec!["p1:evt-1"]);
    let st = stores.status.get(&IntegrationId::parse("int-1").unwrap(), EntityKind::Product, "p1").await.unwrap();
    assert_eq!(st.map(|s| s.state), Some(SyncState::Synced));
}

#[tokio::test]
async fn a_worker_that_died_after_applying_leaves_no_duplicate() {
    // First delivery applies but the acknowledgement is lost (the Lambda timed out); SQS
    // redelivers the same message: the effect must not happen again.
    let (_, script, worker) = setup().await;
    script.will("p1", vec![created()]);
    let first = worker.process_batch(vec![incoming("m1", job("p1", "e1"), 1)]).await;
    assert_eq!(first[0].1, Outcome::Applied(SyncAction::Created));
    let redelivered = worker.process_batch(vec![incoming("m1", job("p1", "e1"), 2)]).await;
    assert_eq!(redelivered[0].1, Outcome::Duplicate);
    assert_eq!(script.calls().len(), 1);
}

#[tokio::test]
async fn a_failure_holds_back_later_changes_to_the_same_record_only() {
    let (_, script, worker) = setup().await;
    script.will("p1", vec![retryable()]);
    let out = worker
        .process_batch(vec![
            incoming("m1", job("p1", "e1"), 1),
            incoming("m2", job("p2", "e1"), 1),
            incoming("m3", job("p1", "e2"), 1),
        ])
        .await;
    assert!(matches!(out[0].1, Outcome::Retry(_)));
    assert_eq!(out[1].1, Outcome::Applied(SyncAction::Updated), "another record is not held back");
    assert!(matches!(out[2].1, Outcome::Retry(_)), "p1's later change waits for the earlier one");
    assert_eq!(script.calls(), vec!["p1:e1", "p2:e1"], "p1:e2 never ran out of order");
    let resp = batch_response(&out);
    let ids: Vec<&str> = resp.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(ids, vec!["m1", "m3"], "partial batch failure names only the held-back messages");
    // Redelivered in order, both now apply.
    let again =
        worker.process_batch(vec![incoming("m1", job("p1", "e1"), 2), incoming("m3", job("p1", "e2"), 2)]).await;
    assert!(again.iter().all(|(_, o)| *o == Outcome::Applied(SyncAction::Updated)));
    assert_eq!(script.calls(), vec!["p1:e1", "p2:e1", "p1:e1", "p1:e2"]);
}

#[tokio::test]
async fn a_rejected_job_is_parked_with_advice_and_acknowledged() {
    let (stores, script, worker) = setup().await;
    script.will(
        "p9",
        vec![Err(ApplyError::Rejected {
            code: "missing_sku".into(),
            message: "The product has no SKU".into(),
            advice: "Add a SKU in the POS, or choose auto-assign SKUs in the sync settings".into(),
        })],
    );
    let out = worker.process_batch(vec![incoming("m1", job("p9", "e1"), 1)]).await;
    assert_eq!(out[0].1, Outcome::Rejected("missing_sku".into()));
    assert!(batch_response(&out).batch_item_failures.is_empty(), "a rejection is not redelivered");
    let i = IntegrationId::parse("int-1").unwrap();
    let errs = stores.errors.list(&i, &ErrorFilter::default(), 10, None).await.unwrap();
    assert_eq!(errs.items.len(), 1);
    assert_eq!(errs.items[0].code, "missing_sku");
    assert!(errs.items[0].advice.contains("Add a SKU"));
    let st = stores.status.get(&i, EntityKind::Product, "p9").await.unwrap().unwrap();
    assert_eq!(st.state, SyncState::Failed);
    assert_eq!(st.connector, Platform::BigCommerce);
    // A later change that applies turns the record green and resolves its errors.
    worker.process_batch(vec![incoming("m2", job("p9", "e2"), 1)]).await;
    let st = stores.status.get(&i, EntityKind::Product, "p9").await.unwrap().unwrap();
    assert_eq!(st.state, SyncState::Synced);
    let open = ErrorFilter { entity: None, unresolved_only: true };
    assert!(stores.errors.list(&i, &open, 10, None).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn retries_exhausted_are_written_to_the_error_log_before_dead_lettering() {
    let (stores, script, worker) = setup().await;
    script.will("p1", vec![retryable(), retryable(), retryable()]);
    let i = IntegrationId::parse("int-1").unwrap();
    for n in 1..=3 {
        let out = worker.process_batch(vec![incoming("m1", job("p1", "e1"), n)]).await;
        assert!(matches!(out[0].1, Outcome::Retry(_)));
        let errs = stores.errors.list(&i, &ErrorFilter::default(), 10, None).await.unwrap();
        assert_eq!(errs.items.len(), if n < 3 { 0 } else { 1 }, "after receive {n}");
    }
    let errs = stores.errors.list(&i, &ErrorFilter::default(), 10, None).await.unwrap();
    assert_eq!(errs.items[0].code, "retries_exhausted");
    assert!(errs.items[0].message.contains("429"));
}

#[tokio::test]
async fn a_message_that_is_not_a_job_is_failed_not_dropped() {
    let (_, _, worker) = setup().await;
    let out = worker
        .process_batch(vec![Incoming { message_id: "bad".into(), job: Err("expected value".into()), receive_count: 1 }])
        .await;
    assert!(matches!(out[0].1, Outcome::Retry(_)), "left for the queue to dead-letter");
}

#[tokio::test]
async fn each_batch_writes_one_process_run_per_integration_with_counters() {
    let (stores, script, worker) = setup().await;
    script.will("p1", vec![created()]);
    script.will("p3", vec![retryable()]);
    worker
        .process_batch(vec![
            incoming("m1", job("p1", "e1"), 1),
            incoming("m2", job("p2", "e1"), 1),
            incoming("m3", job("p3", "e1"), 1),
            incoming("m4", job("p1", "e1"), 1),
        ])
        .await;
    let runs = stores.process_log.list(&IntegrationId::parse("int-1").unwrap(), 10, None).await.unwrap();
    assert_eq!(runs.items.len(), 1);
    let r = &runs.items[0];
    assert_eq!((r.created, r.updated, r.failed, r.skipped), (1, 1, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_loop_applies_jobs_and_dead_letters_what_keeps_failing() {
    let (_, script, worker) = setup().await;
    script.will("bad", vec![retryable(), retryable(), retryable(), retryable()]);
    let queue = Arc::new(MemoryQueue::new(QueueConfig {
        visibility_timeout: Duration::from_secs(30),
        max_receives: 3,
        dedup_window: Duration::from_secs(300),
    }));
    for (r, e) in [("a", "1"), ("b", "1"), ("a", "2"), ("bad", "1")] {
        queue.send(&job(r, e)).await.unwrap();
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let q: Arc<dyn JobQueue> = queue.clone();
    let task = tokio::spawn(run_queue(Arc::new(worker), q, stop_rx));
    // The failing job backs off 1 s then 2 s before its third and last receive.
    let mut dead = Vec::new();
    for _ in 0..80 {
        dead = queue.dead_letters(10).await.unwrap();
        if !dead.is_empty() && queue.depth() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_tx.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(dead, vec![job("bad", "1")]);
    let calls = script.calls();
    let a: Vec<&String> = calls.iter().filter(|c| c.starts_with("a:")).collect();
    assert_eq!(a, vec!["a:1", "a:2"], "in order, once each");
    assert_eq!(calls.iter().filter(|c| c.starts_with("bad:")).count(), 3);
}
