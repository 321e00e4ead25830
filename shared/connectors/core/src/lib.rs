//! What every platform client shares:
//! - [`Budget`]: pacing to a platform's rate budget, from its own signals (BigCommerce's
//!   `X-Rate-Limit-*` headers, `Retry-After`, Ecwid's per-minute budget), so bulk work does not
//!   run into a wall of 429s;
//! - [`Http::send`]: retries of 429, 5xx and timeouts with backoff and jitter, and for writes that
//!   are not idempotent, no blind retry: a timeout or 5xx on a create is reported as
//!   [`ConnectorError::UnknownOutcome`], to be settled by reading back (by SKU or a correlation
//!   id) before anything is sent again;
//! - [`ConnectorError`]: typed, retryable or permanent, with the platform's own message.

mod budget;
mod error;
mod http_core;

pub use budget::{Budget, BudgetConfig};
pub use error::ConnectorError;
pub use http_core::{Http, RateSignals, Reply, RequestSpec, RetryPolicy};
