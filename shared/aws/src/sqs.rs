//! The job queue over SQS FIFO. Group id = the record (two changes to one record never run at
//! once, different records run in parallel); deduplication id = the event's identity.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use posbridge_domain::ports::{Job, JobQueue, QueueError, Received};

use crate::errors::queue_err;

/// SQS allows at most 128 characters of `[A-Za-z0-9]` and ASCII punctuation in group and
/// deduplication ids; anything else is hashed.
fn sqs_id(raw: &str) -> String {
    let ok = raw.len() <= 128 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b.is_ascii_punctuation());
    if ok {
        raw.to_string()
    } else {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(raw.as_bytes()))
    }
}

/// Creates the FIFO queue and its FIFO dead-letter queue if missing; returns (queue, DLQ) URLs.
pub async fn ensure_queues(
    client: &Client,
    name: &str,
    visibility_timeout_secs: u32,
    max_receives: u32,
) -> Result<(String, String), QueueError> {
    let base = name.trim_end_matches(".fifo");
    let dlq = client
        .create_queue()
        .queue_name(format!("{base}-dlq.fifo"))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
        .send()
        .await
        .map_err(queue_err)?;
    let dlq_url = dlq.queue_url.ok_or_else(|| QueueError::Permanent("no DLQ url".into()))?;
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(queue_err)?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| QueueError::Permanent("no DLQ arn".into()))?;
    let redrive = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{max_receives}"}}"#);
    let q = client
        .create_queue()
        .queue_name(format!("{base}.fifo"))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::VisibilityTimeout, visibility_timeout_secs.to_string())
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .send()
        .await
        .map_err(queue_err)?;
    let url = q.queue_url.ok_or_else(|| QueueError::Permanent("no queue url".into()))?;
    Ok((url, dlq_url))
}

/// [`JobQueue`] over an SQS FIFO queue and its dead-letter queue.
#[derive(Clone, Debug)]
pub struct SqsQueue {
    client: Client,
    url: String,
    dlq_url: Option<String>,
}

impl SqsQueue {
    pub fn new(client: Client, url: impl Into<String>, dlq_url: Option<String>) -> Self {
        Self { client, url: url.into(), dlq_url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

#[async_trait]
impl JobQueue for SqsQueue {
    async fn send(&self, job: &Job) -> Result<(), QueueError> {
        let body = serde_json::to_string(job).map_err(|e| QueueError::BadMessage(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .message_group_id(sqs_id(&job.group_id()))
            .message_deduplication_id(job.dedup_id())
            .send()
            .await
            .map_err(queue_err)?;
        Ok(())
    }

    async fn receive(&self, max: usize, wait_ms: u64) -> Result<Vec<Received>, QueueError> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .wait_time_seconds((wait_ms / 1000).min(20) as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(queue_err)?;
        let mut got = Vec::new();
        for m in out.messages.unwrap_or_default() {
            let (Some(receipt), Some(body)) = (m.receipt_handle.clone(), m.body.as_deref()) else {
                continue;
            };
            // A body that is not a job must not hold up the good ones received with it: it is
            // left in flight, comes back after the visibility timeout and, after maxReceiveCount,
            // lands in the dead-letter queue for an operator.
            let job: Job = match serde_json::from_str(body) {
                Ok(job) => job,
                Err(e) => {
                    tracing::error!(message_id = ?m.message_id, error = %e, "queue message is not a job; left for the DLQ");
                    continue;
                }
            };
            let receive_count = m
                .attributes
                .as_ref()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|c| c.parse().ok())
                .unwrap_or(1);
            got.push(Received { receipt, message_id: m.message_id.unwrap_or_default(), job, receive_count });
        }
        Ok(got)
    }

    async fn ack(&self, receipt: &str) -> Result<(), QueueError> {
        self.client.delete_message().queue_url(&self.url).receipt_handle(receipt).send().await.map_err(queue_err)?;
        Ok(())
    }

    async fn retry_later(&self, receipt: &str, delay_secs: u32) -> Result<(), QueueError> {
        self.client
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .visibility_timeout(delay_secs.min(43_200) as i32)
            .send()
            .await
            .map_err(queue_err)?;
        Ok(())
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Job>, QueueError> {
        let Some(dlq) = &self.dlq_url else { return Ok(Vec::new()) };
        // Peek: a zero visibility timeout leaves the messages where they are.
        let out = self
            .client
            .receive_message()
            .queue_url(dlq)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .visibility_timeout(0)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(queue_err)?;
        out.messages
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m.body.as_deref())
            .map(|b| serde_json::from_str(b).map_err(|e| QueueError::BadMessage(e.to_string())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::sqs_id;

    #[test]
    fn group_ids_that_sqs_would_refuse_are_hashed() {
        assert_eq!(sqs_id("int-1:product:42"), "int-1:product:42");
        let long = "x".repeat(200);
        assert_eq!(sqs_id(&long).len(), 64);
        assert_eq!(sqs_id("a b").len(), 64, "spaces are not allowed");
        assert_ne!(sqs_id("a b"), sqs_id("a  b"));
    }
}
