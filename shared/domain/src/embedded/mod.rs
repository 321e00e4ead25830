//! Embedded adapters: every port in process, for `make run` and tests.

mod oauth_state;
mod queue;
mod rate;
mod store;
mod vault;

pub use oauth_state::MemoryOAuthStates;
pub use queue::{MemoryQueue, QueueConfig};
pub use rate::MemoryRateLimiter;
pub use store::MemoryStore;
pub use vault::LocalVault;
