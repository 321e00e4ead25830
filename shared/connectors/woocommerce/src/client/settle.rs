//! Creates that are safe to call again. A create that timed out (or got a 5xx) may have landed;
//! sending it again blindly would make a duplicate. So the record is read back first (by SKU,
//! email, or the POS sale id posbridge writes into order meta) and the create is only re-sent
//! when nothing is found. When the re-sent create meets a "duplicate" refusal the earlier one
//! landed after all (late), and the record is read back again.

use posbridge_connector_core::ConnectorError;
use serde_json::Value;

use super::{BatchRequest, BatchResult, Client, ItemError, id_of};
use crate::mapping::{POS_SALE_ID_META, WcProductWrite};

/// Creates attempted per settled call (each after a read-back found nothing).
const SETTLE_ROUNDS: u32 = 3;

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The value of meta `key` as text (WooCommerce may echo numbers).
fn meta_value(v: &Value, key: &str) -> Option<String> {
    let m = v.get("meta_data")?.as_array()?.iter().find(|m| m.get("key").and_then(Value::as_str) == Some(key))?;
    match m.get("value")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn still_unknown(e: &ConnectorError, why: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::UnknownOutcome { detail: format!("{e}; {why}") }
}

impl Client {
    /// Runs `create`; on `UnknownOutcome`, `read_back` decides: found -> that record, not found
    /// -> create again (at most [`SETTLE_ROUNDS`] times). `duplicate_code` is the refusal a late
    /// landing causes (empty: none). A read-back that fails leaves the outcome unknown.
    pub(crate) async fn settled(
        &self,
        create: impl AsyncFn() -> Result<Value, ConnectorError>,
        read_back: impl AsyncFn() -> Result<Option<Value>, ConnectorError>,
        duplicate_code: &str,
    ) -> Result<Value, ConnectorError> {
        let mut uncertain = false;
        let mut round = 0;
        loop {
            round += 1;
            let err = match create().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            match &err {
                ConnectorError::UnknownOutcome { .. } => {}
                ConnectorError::Rejected { code: Some(c), .. } if uncertain && !c.is_empty() && c == duplicate_code => {
                    return read_back().await?.ok_or(err);
                }
                _ => return Err(err),
            }
            uncertain = true;
            tracing::info!(round, "create outcome unknown; reading back before any retry");
            match read_back().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) if round < SETTLE_ROUNDS => continue,
                Ok(None) => return Err(err),
                Err(read_err) => return Err(still_unknown(&err, format!("read-back failed: {read_err}"))),
            }
        }
    }

    /// `POST /products`, settled by SKU. Without a SKU nothing identifies the record, so an
    /// unknown outcome is returned as is (never re-sent).
    pub async fn create_product_settled(&self, body: &Value) -> Result<Value, ConnectorError> {
        let Some(sku) = text(body, "sku") else { return self.create_product(body).await };
        self.settled(
            async || self.create_product(body).await,
            async || self.find_product_by_sku(sku).await,
            "product_invalid_sku",
        )
        .await
    }

    /// `POST /products/{id}/variations`, settled by the variation's SKU.
    pub async fn create_variation_settled(&self, product_id: u64, body: &Value) -> Result<Value, ConnectorError> {
        let Some(sku) = text(body, "sku") else { return self.create_variation(product_id, body).await };
        self.settled(
            async || self.create_variation(product_id, body).await,
            async || self.find_variation_by_sku(product_id, sku).await,
            "product_invalid_sku",
        )
        .await
    }

    /// `POST /customers`, settled by email (WooCommerce requires one and keeps it unique).
    pub async fn create_customer_settled(&self, body: &Value) -> Result<Value, ConnectorError> {
        let Some(email) = text(body, "email") else { return self.create_customer(body).await };
        self.settled(
            async || self.create_customer(body).await,
            async || self.find_customer_by_email(email).await,
            "registration-error-email-exists",
        )
        .await
    }

    /// The order carrying meta `posbridge_pos_sale_id = sale_id`, among the 100 newest orders
    /// (a create being settled is among the newest).
    pub async fn find_order_by_pos_sale(&self, sale_id: &str) -> Result<Option<Value>, ConnectorError> {
        let page = self
            .list_page("/orders", &[("orderby", "date"), ("order", "desc"), ("status", "any")], 1, super::PER_PAGE_MAX)
            .await?;
        Ok(page.items.into_iter().find(|o| meta_value(o, POS_SALE_ID_META).as_deref() == Some(sale_id)))
    }

    /// `POST /orders`, settled by the POS sale id in meta `posbridge_pos_sale_id` (which
    /// `order_to_wc` writes). Without it an unknown outcome is returned as is.
    pub async fn create_order_settled(&self, body: &Value) -> Result<Value, ConnectorError> {
        let Some(sale_id) = meta_value(body, POS_SALE_ID_META) else { return self.create_order(body).await };
        self.settled(async || self.create_order(body).await, async || self.find_order_by_pos_sale(&sale_id).await, "")
            .await
    }

    /// A mapped product (`product_to_wc` in `WriteMode::Create`) and its variations, every create
    /// settled. Variation bodies with an `id` (already linked) are updates.
    pub async fn create_product_write_settled(
        &self,
        write: &WcProductWrite,
    ) -> Result<(Value, Vec<Value>), ConnectorError> {
        let product = self.create_product_settled(&write.product).await?;
        let pid = id_of(&product).ok_or_else(|| ConnectorError::Decode("created product has no id".into()))?;
        let mut variations = Vec::with_capacity(write.variations.len());
        for v in &write.variations {
            variations.push(match id_of(v) {
                Some(id) => self.update_variation(pid, id, v).await?,
                None => self.create_variation_settled(pid, v).await?,
            });
        }
        Ok((product, variations))
    }

    /// Batch product creates (split at 100), with every create whose request ended unknown
    /// settled by SKU: found ones are returned, the rest re-sent once in a new batch. A re-sent
    /// item refused as `product_invalid_sku` landed late and is read by its `resource_id`.
    /// Creates without a SKU stay `UnknownOutcome`.
    pub async fn batch_create_products_settled(&self, creates: &[Value]) -> Vec<Result<Value, ItemError>> {
        let req = BatchRequest { create: creates.to_vec(), ..Default::default() };
        let mut out = self.batch_products(&req).await.create;
        let unknown: Vec<usize> = (0..out.len())
            .filter(|&i| matches!(out[i], Err(ItemError::Request(ConnectorError::UnknownOutcome { .. }))))
            .filter(|&i| text(&creates[i], "sku").is_some())
            .collect();
        if unknown.is_empty() {
            return out;
        }
        // One read-back per 100 SKUs (`sku=a,b,c`).
        let mut missing = Vec::new();
        for part in unknown.chunks(super::PER_PAGE_MAX as usize) {
            let skus: Vec<&str> = part.iter().filter_map(|&i| text(&creates[i], "sku")).collect();
            let joined = skus.join(",");
            match self.list_page("/products", &[("sku", &joined)], 1, super::PER_PAGE_MAX).await {
                Ok(page) => {
                    for &i in part {
                        let sku = text(&creates[i], "sku").unwrap_or_default();
                        let hit = page.items.iter().find(|p| {
                            text(p, "sku").is_some_and(|s| s.eq_ignore_ascii_case(sku))
                                && text(p, "type") != Some("variation")
                        });
                        match hit {
                            Some(p) => out[i] = Ok(p.clone()),
                            None => missing.push(i),
                        }
                    }
                }
                // Still unknown: leave those items as they are.
                Err(e) => tracing::warn!(error = %e, "read-back of a batch failed; items stay unknown"),
            }
        }
        if missing.is_empty() {
            return out;
        }
        let retry =
            BatchRequest { create: missing.iter().map(|&i| creates[i].clone()).collect(), ..Default::default() };
        let BatchResult { create: again, .. } = self.batch_products(&retry).await;
        for (i, r) in missing.into_iter().zip(again) {
            out[i] = match r {
                Err(ItemError::Platform { ref code, resource_id: Some(rid), .. }) if code == "product_invalid_sku" => {
                    self.get_product(rid).await.map_err(ItemError::Request)
                }
                other => other,
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meta_values_read_as_text() {
        let o =
            json!({ "meta_data": [{ "id": 1, "key": POS_SALE_ID_META, "value": 42 }, { "key": "x", "value": "y" }] });
        assert_eq!(meta_value(&o, POS_SALE_ID_META).as_deref(), Some("42"));
        assert_eq!(meta_value(&o, "x").as_deref(), Some("y"));
        assert_eq!(meta_value(&o, "nope"), None);
        assert_eq!(text(&json!({ "sku": "  " }), "sku"), None);
    }
}
