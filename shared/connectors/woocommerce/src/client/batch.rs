//! `POST /{collection}/batch`: create, update and delete together, at most [`BATCH_MAX`] items
//! per request (more is a 413), HTTP 200 even when some items fail, each failure in its own
//! `{id, error:{code, message, data}}` entry. Larger inputs are split; every item gets its own
//! result, so one bad item never hides the others.

use http::Method;
use posbridge_connector_core::{ConnectorError, RequestSpec};
use serde_json::{Value, json};

use super::Client;

/// `woocommerce_rest_batch_items_limit`: creates + updates + deletes per request.
pub const BATCH_MAX: usize = 100;

/// Items to write. `update` items carry their `id`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchRequest {
    pub create: Vec<Value>,
    pub update: Vec<Value>,
    pub delete: Vec<u64>,
}

impl BatchRequest {
    pub fn len(&self) -> usize {
        self.create.len() + self.update.len() + self.delete.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Splits into requests of at most `max` items, creates first, then updates, then deletes.
    pub(crate) fn chunks(&self, max: usize) -> Vec<BatchRequest> {
        let mut out = Vec::new();
        let mut cur = BatchRequest::default();
        let push = |cur: &mut BatchRequest, out: &mut Vec<BatchRequest>| {
            if cur.len() == max {
                out.push(std::mem::take(cur));
            }
        };
        for c in &self.create {
            cur.create.push(c.clone());
            push(&mut cur, &mut out);
        }
        for u in &self.update {
            cur.update.push(u.clone());
            push(&mut cur, &mut out);
        }
        for d in &self.delete {
            cur.delete.push(*d);
            push(&mut cur, &mut out);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }
}

/// Why one item of a batch did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemError {
    /// WooCommerce refused the item (`id` is 0 for creates). `resource_id` is the record that
    /// already owns a duplicate SKU (`product_invalid_sku`).
    Platform { id: u64, code: String, message: String, status: Option<u16>, resource_id: Option<u64> },
    /// The request carrying the item failed as a whole (for a create possibly after it applied:
    /// `UnknownOutcome`).
    Request(ConnectorError),
}

impl ItemError {
    pub fn code(&self) -> Option<&str> {
        match self {
            ItemError::Platform { code, .. } => Some(code),
            ItemError::Request(_) => None,
        }
    }
}

/// One result per input item, in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchResult {
    pub create: Vec<Result<Value, ItemError>>,
    pub update: Vec<Result<Value, ItemError>>,
    pub delete: Vec<Result<Value, ItemError>>,
}

impl BatchResult {
    /// Every failed item: (`"create"|"update"|"delete"`, index in that list, error).
    pub fn errors(&self) -> Vec<(&'static str, usize, &ItemError)> {
        let mut out = Vec::new();
        for (name, list) in [("create", &self.create), ("update", &self.update), ("delete", &self.delete)] {
            for (i, r) in list.iter().enumerate() {
                if let Err(e) = r {
                    out.push((name, i, e));
                }
            }
        }
        out
    }
}

fn item(v: &Value) -> Result<Value, ItemError> {
    match v.get("error") {
        Some(err) if !err.is_null() => Err(ItemError::Platform {
            id: v.get("id").and_then(Value::as_u64).unwrap_or(0),
            code: err.get("code").and_then(Value::as_str).unwrap_or_default().to_string(),
            message: err.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
            status: err.pointer("/data/status").and_then(Value::as_u64).map(|s| s as u16),
            resource_id: err.pointer("/data/resource_id").and_then(Value::as_u64),
        }),
        _ => Ok(v.clone()),
    }
}

/// `n` results from the answer's `key` list; missing entries are decode errors.
fn results(answer: &Value, key: &str, n: usize) -> Vec<Result<Value, ItemError>> {
    let list = answer.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    (0..n)
        .map(|i| match list.get(i) {
            Some(v) => item(v),
            None => Err(ItemError::Request(ConnectorError::Decode(format!("batch answer lacks {key}[{i}]")))),
        })
        .collect()
}

impl Client {
    /// Writes `req` to `{collection}/batch` (e.g. `/products`, `/products/12/variations`,
    /// `/customers`, `/orders`, `/products/categories`) in requests of [`BATCH_MAX`] items.
    /// A request without creates is safe to repeat and retried by the core; one with creates is
    /// not, and its items come back as `ItemError::Request(UnknownOutcome)` when unsure (see
    /// [`Client::batch_create_products_settled`]).
    pub async fn batch(&self, collection: &str, req: &BatchRequest) -> BatchResult {
        let mut out = BatchResult::default();
        for chunk in req.chunks(BATCH_MAX) {
            let body = json!({ "create": chunk.create, "update": chunk.update, "delete": chunk.delete });
            let url = self.url(&format!("{collection}/batch"), &[]);
            let spec = RequestSpec::write(Method::POST, url, body, chunk.create.is_empty());
            match self.send(spec).await.and_then(|a| a.json::<Value>()) {
                Ok(answer) => {
                    out.create.extend(results(&answer, "create", chunk.create.len()));
                    out.update.extend(results(&answer, "update", chunk.update.len()));
                    out.delete.extend(results(&answer, "delete", chunk.delete.len()));
                }
                Err(e) => {
                    let fail = |n: usize| (0..n).map(|_| Err(ItemError::Request(e.clone()))).collect::<Vec<_>>();
                    out.create.extend(fail(chunk.create.len()));
                    out.update.extend(fail(chunk.update.len()));
                    out.delete.extend(fail(chunk.delete.len()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_at_most_the_maximum_and_keep_order() {
        let req = BatchRequest {
            create: (0..150).map(|i| json!({ "n": i })).collect(),
            update: (0..60).map(|i| json!({ "id": i })).collect(),
            delete: (0..5).collect(),
        };
        let chunks = req.chunks(100);
        assert_eq!(chunks.iter().map(BatchRequest::len).collect::<Vec<_>>(), vec![100, 100, 15]);
        assert_eq!((chunks[1].create.len(), chunks[1].update.len()), (50, 50));
        assert_eq!(chunks[1].create[0]["n"], 100);
        assert_eq!((chunks[2].update.len(), chunks[2].delete.len()), (10, 5));
        assert!(BatchRequest::default().chunks(100).is_empty());
    }

    #[test]
    fn item_errors_keep_code_status_and_resource_id() {
        let e =
            item(&json!({ "id": 0, "error": { "code": "product_invalid_sku", "message": "Invalid or duplicated SKU.",
            "data": { "status": 400, "resource_id": 42, "unique_sku": "A-1" } } }));
        assert_eq!(
            e,
            Err(ItemError::Platform {
                id: 0,
                code: "product_invalid_sku".into(),
                message: "Invalid or duplicated SKU.".into(),
                status: Some(400),
                resource_id: Some(42)
            })
        );
        assert!(item(&json!({ "id": 3, "name": "ok" })).is_ok());
    }
}
