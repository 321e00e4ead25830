use std::time::Duration;

/// Why a platform call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// 429 (or a platform's equivalent) still after the retries allowed.
    #[error("rate limited by the platform; retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    /// 5xx, a timeout or a connection failure on a request that is safe to repeat.
    #[error("platform unavailable ({detail})")]
    Unavailable { status: Option<u16>, detail: String },
    /// A write that may or may not have happened (timeout or 5xx on a create). Never retried
    /// blindly: read back first.
    #[error("outcome unknown ({detail}); read back before retrying")]
    UnknownOutcome { detail: String },
    /// 401: the token expired or was revoked.
    #[error("the platform refused our credentials")]
    Unauthorized,
    /// 403: a scope or plan feature is missing.
    #[error("the platform refused access: {message}")]
    Forbidden { message: String },
    #[error("not found on the platform")]
    NotFound,
    /// Any other 4xx: the request itself is wrong; retrying will not help.
    #[error("the platform rejected the request ({status}): {message}")]
    Rejected { status: u16, code: Option<String>, message: String },
    /// A 2xx whose body is not what the platform documents.
    #[error("unexpected response from the platform: {0}")]
    Decode(String),
}

impl ConnectorError {
    /// Worth retrying later (rate limits, outages). `UnknownOutcome` is not: it needs settling.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ConnectorError::RateLimited { .. } | ConnectorError::Unavailable { .. })
    }
}
