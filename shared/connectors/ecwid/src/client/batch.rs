//! Ecwid's Batch API: up to 500 requests in one `POST /batch`, answered with a ticket that is
//! polled with `GET /batch?ticket=` until `COMPLETED`. Longer inputs are split into batches of
//! 500, sent one after another. Sub-requests count against the store's rate limit on Ecwid's
//! side too, so the budget is charged for each of them before a batch is sent.
//!
//! `POST /batch` is not idempotent (it may hold creates): a lost answer is `UnknownOutcome`.
//! Batches are sent with `stopOnFirstFailure=false`, so one refused record does not hold back
//! the others; every sub-request's outcome is returned in input order.

use std::time::Duration;

use http::Method;
use posbridge_connector_core::{ConnectorError, RequestSpec};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Client;

/// Most requests one batch may hold.
pub const MAX_BATCH: usize = 500;

/// One request of a batch; `path` is below `/api/v3/{storeId}` (`/products/42`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRequest {
    pub id: String,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl BatchRequest {
    pub fn post(id: impl Into<String>, path: impl Into<String>, body: Value) -> Self {
        Self { id: id.into(), method: "POST".into(), path: path.into(), body: Some(body) }
    }
    pub fn put(id: impl Into<String>, path: impl Into<String>, body: Value) -> Self {
        Self { id: id.into(), method: "PUT".into(), path: path.into(), body: Some(body) }
    }
    pub fn delete(id: impl Into<String>, path: impl Into<String>) -> Self {
        Self { id: id.into(), method: "DELETE".into(), path: path.into(), body: None }
    }
}

/// One sub-request's result: `status` is `COMPLETED`, `FAILED` or `NOT_EXECUTED`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchOutcome {
    #[serde(default)]
    pub id: String,
    pub status: String,
    #[serde(rename = "httpCode", default)]
    pub http_code: Option<u16>,
    #[serde(rename = "httpBody", default)]
    pub http_body: Value,
}

impl BatchOutcome {
    pub fn ok(&self) -> bool {
        self.status == "COMPLETED"
    }
}

#[derive(Deserialize)]
struct Status {
    status: String,
    #[serde(default)]
    responses: Vec<BatchOutcome>,
}

impl Client {
    /// Runs `requests` through the Batch API, 500 a batch; outcomes in input order.
    pub async fn batch(&self, requests: &[BatchRequest]) -> Result<Vec<BatchOutcome>, ConnectorError> {
        let mut out = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(MAX_BATCH) {
            // The sub-requests spend the same per-token budget as direct calls (the batch call
            // itself is charged by `send`).
            for _ in 1..chunk.len() {
                self.http.budget.acquire().await;
            }
            let url = self.url("/batch", &[("stopOnFirstFailure", "false".into())])?;
            let spec = RequestSpec::write(Method::POST, url, json!(chunk), false);
            let ticket = self.call(spec).await?;
            let ticket = ticket["ticket"]
                .as_str()
                .ok_or_else(|| ConnectorError::Decode(format!("no batch ticket in {ticket}")))?
                .to_string();
            out.extend(self.await_batch(&ticket, chunk.len()).await?);
        }
        Ok(out)
    }

    async fn await_batch(&self, ticket: &str, expected: usize) -> Result<Vec<BatchOutcome>, ConnectorError> {
        let mut wait = self.batch_poll;
        loop {
            let v = self.get("/batch", &[("ticket", ticket.to_string())]).await?;
            let s: Status =
                serde_json::from_value(v).map_err(|e| ConnectorError::Decode(format!("batch status: {e}")))?;
            if s.status == "COMPLETED" {
                if s.responses.len() != expected {
                    return Err(ConnectorError::Decode(format!(
                        "batch {ticket} answered {} of {expected} requests",
                        s.responses.len()
                    )));
                }
                return Ok(s.responses);
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(10));
        }
    }
}
