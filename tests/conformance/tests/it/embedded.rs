use std::sync::Arc;
use std::time::Duration;

use posbridge_domain::embedded::{MemoryQueue, MemoryStore, QueueConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_store_conforms() {
    posbridge_conformance::all_store_checks(&MemoryStore::new().stores(), "emb").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_queue_conforms() {
    let vis = Duration::from_millis(700);
    let q = MemoryQueue::new(QueueConfig { visibility_timeout: vis, max_receives: 2, ..QueueConfig::default() });
    posbridge_conformance::queue(Arc::new(q), vis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_oauth_states_conform() {
    let s = Arc::new(posbridge_domain::embedded::MemoryOAuthStates::new());
    posbridge_conformance::oauth_states(s, "emb").await;
}
