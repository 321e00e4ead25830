//! Maps SDK errors onto the ports' typed errors: retryable or permanent, source kept.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use posbridge_domain::ports::{QueueError, StoreError};

/// Error codes AWS documents as transient.
const RETRYABLE_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionConflictException",
    "RequestThrottled",
    "AWS.SimpleQueueService.RequestThrottled",
];

fn is_transient<E, R>(e: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(se) => se.err().code().is_some_and(|c| RETRYABLE_CODES.contains(&c)),
        _ => false,
    }
}

pub(crate) fn store_err<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if is_transient(&e) {
        return StoreError::Unavailable(Box::new(e));
    }
    let code = e.code().unwrap_or("unknown").to_string();
    let msg = e.message().unwrap_or("").to_string();
    StoreError::Permanent(format!("{code}: {msg}"))
}

pub(crate) fn queue_err<E, R>(e: SdkError<E, R>) -> QueueError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if is_transient(&e) {
        return QueueError::Unavailable(Box::new(e));
    }
    let code = e.code().unwrap_or("unknown").to_string();
    if code.contains("ReceiptHandleIsInvalid") || code.contains("MessageNotInflight") {
        return QueueError::StaleReceipt;
    }
    let msg = e.message().unwrap_or("").to_string();
    QueueError::Permanent(format!("{code}: {msg}"))
}
