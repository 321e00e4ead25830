//! Embedded adapters: every port in process, for `make run` and tests.

mod queue;
mod store;
mod vault;

pub use queue::{MemoryQueue, QueueConfig};
pub use store::MemoryStore;
pub use vault::LocalVault;
