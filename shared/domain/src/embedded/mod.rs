//! Embedded adapters: every port in process, for `make run` and tests.

mod queue;
mod store;

pub use queue::{MemoryQueue, QueueConfig};
pub use store::MemoryStore;
