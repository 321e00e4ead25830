//! Orders v2 (with products and shipping addresses), status updates, v3 transactions and refunds.

use http::Method;
use posbridge_connector_core::ConnectorError;
use serde_json::{Value, json};

use super::{Api, Client, Query, Settled, data, data_list, decode, settle, str_of, v2_list};

impl Client {
    /// Every order matching `filters` (`min_date_modified`, `status_id`, `sort`...), paged to the end.
    pub async fn list_orders(&self, filters: Query<'_>) -> Result<Vec<Value>, ConnectorError> {
        self.v2_all("orders", filters).await
    }

    pub async fn get_order(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(Api::V2, &format!("orders/{id}"), &[]).await?.ok_or(ConnectorError::NotFound)
    }

    /// The order's line items, paged to the end.
    pub async fn order_products(&self, id: u64) -> Result<Vec<Value>, ConnectorError> {
        self.v2_all(&format!("orders/{id}/products"), &[]).await
    }

    pub async fn order_shipping_addresses(&self, id: u64) -> Result<Vec<Value>, ConnectorError> {
        v2_list(self.get(Api::V2, &format!("orders/{id}/shipping_addresses"), &[]).await?)
    }

    /// Payments on the order (`204` = none).
    pub async fn order_transactions(&self, id: u64) -> Result<Vec<Value>, ConnectorError> {
        match self.get(Api::V3, &format!("orders/{id}/transactions"), &[]).await? {
            None => Ok(Vec::new()),
            some => data_list(some),
        }
    }

    /// The order posbridge created for a POS sale, by the `external_order_id` it wrote.
    pub async fn find_order_by_external_id(&self, external_order_id: &str) -> Result<Option<Value>, ConnectorError> {
        let found = v2_list(self.get(Api::V2, "orders", &[("external_order_id", external_order_id)]).await?)?;
        Ok(found.into_iter().find(|o| str_of(o, "external_order_id") == Some(external_order_id)))
    }

    pub async fn create_order(&self, body: &Value) -> Result<Value, ConnectorError> {
        self.write(Method::POST, Api::V2, "orders", &[], body.clone(), false)
            .await?
            .ok_or_else(|| decode("empty order answer"))
    }

    /// Creates an order; a lost answer is settled by its `external_order_id` (the POS sale's
    /// number, written by the mapping). Without one nothing can be read back, so the
    /// `UnknownOutcome` is returned rather than risking a second order.
    pub async fn create_order_settled(&self, body: &Value) -> Result<Settled<Value>, ConnectorError> {
        let Some(ext) = str_of(body, "external_order_id").map(str::to_string) else {
            return self.create_order(body).await.map(Settled::Created);
        };
        settle("order", || self.create_order(body), || self.find_order_by_external_id(&ext)).await
    }

    /// `PUT /v2/orders/{id}` with any editable fields (e.g. the mapping's `order_status_body`).
    pub async fn update_order(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.write(Method::PUT, Api::V2, &format!("orders/{id}"), &[], body.clone(), true)
            .await?
            .ok_or_else(|| decode("empty order answer"))
    }

    /// `PUT /v2/orders/{id}` `{status_id}`.
    pub async fn update_order_status(&self, id: u64, status_id: u64) -> Result<Value, ConnectorError> {
        self.update_order(id, &json!({ "status_id": status_id })).await
    }

    // ---- refunds (v3) --------------------------------------------------------------------

    pub async fn order_refunds(&self, order_id: u64) -> Result<Vec<Value>, ConnectorError> {
        self.v3_all(&format!("orders/{order_id}/payment_actions/refunds"), &[]).await
    }

    /// A refund quote (what may be refunded and how) for `items`.
    pub async fn refund_quote(&self, order_id: u64, body: &Value) -> Result<Value, ConnectorError> {
        let path = format!("orders/{order_id}/payment_actions/refund_quotes");
        data(self.write(Method::POST, Api::V3, &path, &[], body.clone(), true).await?)
    }

    pub async fn create_refund(&self, order_id: u64, body: &Value) -> Result<Value, ConnectorError> {
        let path = format!("orders/{order_id}/payment_actions/refunds");
        data(self.write(Method::POST, Api::V3, &path, &[], body.clone(), false).await?)
    }

    /// Creates a refund (BigCommerce wants them one at a time per order). The order's refunds are
    /// read first; a lost answer is settled by a refund that was not there before.
    pub async fn create_refund_settled(&self, order_id: u64, body: &Value) -> Result<Settled<Value>, ConnectorError> {
        let before: Vec<Value> =
            self.order_refunds(order_id).await?.iter().filter_map(|r| r.get("id").cloned()).collect();
        settle(
            "refund",
            || self.create_refund(order_id, body),
            || async {
                let now = self.order_refunds(order_id).await?;
                Ok(now.into_iter().find(|r| r.get("id").is_some_and(|id| !before.contains(id))))
            },
        )
        .await
    }
}
