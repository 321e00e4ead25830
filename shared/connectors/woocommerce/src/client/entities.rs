//! Typed calls per collection. Lists walk every page; `filter` takes WooCommerce's own query
//! parameters (`modified_after`, `status`, `sku`, ...).

use posbridge_connector_core::ConnectorError;
use serde_json::{Value, json};

use super::{BatchRequest, BatchResult, Client};

/// Product taxonomies posbridge writes terms into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Category,
    Tag,
    /// `/products/brands` (WooCommerce 9.6+).
    Brand,
}

impl TermKind {
    fn path(self) -> &'static str {
        match self {
            TermKind::Category => "/products/categories",
            TermKind::Tag => "/products/tags",
            TermKind::Brand => "/products/brands",
        }
    }
}

/// A sellable item whose stock is set: a simple product (`variation_id` 0) or a variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockTarget {
    pub product_id: u64,
    pub variation_id: u64,
    pub quantity: i64,
}

fn stock_body(quantity: i64) -> Value {
    json!({ "manage_stock": true, "stock_quantity": quantity })
}

fn same_text(v: &Value, key: &str, want: &str) -> bool {
    v.get(key).and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(want))
}

impl Client {
    // ---------- products ----------

    pub async fn list_products(&self, filter: &[(&str, &str)]) -> Result<Vec<Value>, ConnectorError> {
        self.list_all("/products", filter).await
    }

    pub async fn get_product(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/products/{id}"), &[]).await
    }

    /// `POST /products`. See [`Client::create_product_settled`] for the safe form.
    pub async fn create_product(&self, body: &Value) -> Result<Value, ConnectorError> {
        self.post("/products", body).await
    }

    pub async fn update_product(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.put(&format!("/products/{id}"), body).await
    }

    /// Deleted for good (`force=true`), not trashed: a trashed product keeps nothing posbridge needs.
    pub async fn delete_product(&self, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("/products/{id}")).await
    }

    /// The product (not variation) whose SKU is `sku`, compared case-insensitively as WooCommerce
    /// does. `GET /products?sku=` also returns variations; they are skipped.
    pub async fn find_product_by_sku(&self, sku: &str) -> Result<Option<Value>, ConnectorError> {
        let found = self.get("/products", &[("sku", sku), ("per_page", "100")]).await?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| same_text(p, "sku", sku) && p.get("type").and_then(Value::as_str) != Some("variation"))
            .cloned())
    }

    pub async fn batch_products(&self, req: &BatchRequest) -> BatchResult {
        self.batch("/products", req).await
    }

    // ---------- variations ----------

    pub async fn list_variations(&self, product_id: u64) -> Result<Vec<Value>, ConnectorError> {
        self.list_all(&format!("/products/{product_id}/variations"), &[]).await
    }

    pub async fn get_variation(&self, product_id: u64, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/products/{product_id}/variations/{id}"), &[]).await
    }

    pub async fn create_variation(&self, product_id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.post(&format!("/products/{product_id}/variations"), body).await
    }

    pub async fn update_variation(&self, product_id: u64, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.put(&format!("/products/{product_id}/variations/{id}"), body).await
    }

    pub async fn delete_variation(&self, product_id: u64, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("/products/{product_id}/variations/{id}")).await
    }

    pub async fn find_variation_by_sku(&self, product_id: u64, sku: &str) -> Result<Option<Value>, ConnectorError> {
        let found =
            self.get(&format!("/products/{product_id}/variations"), &[("sku", sku), ("per_page", "100")]).await?;
        Ok(found.as_array().into_iter().flatten().find(|v| same_text(v, "sku", sku)).cloned())
    }

    pub async fn batch_variations(&self, product_id: u64, req: &BatchRequest) -> BatchResult {
        self.batch(&format!("/products/{product_id}/variations"), req).await
    }

    // ---------- inventory ----------

    /// Sets the absolute stock of a simple product or a variation (and turns stock management
    /// on). WooCommerce has no delta (adjust) endpoint: a read-then-write would race the shop's
    /// own sales, so posbridge always sends the POS's absolute count.
    pub async fn set_stock(&self, target: StockTarget) -> Result<Value, ConnectorError> {
        let body = stock_body(target.quantity);
        if target.variation_id == 0 {
            self.update_product(target.product_id, &body).await
        } else {
            self.update_variation(target.product_id, target.variation_id, &body).await
        }
    }

    /// Sets many stocks with batch updates: one `/products/batch` for simple products, one
    /// `/products/{id}/variations/batch` per parent (each split at 100). Results in input order.
    pub async fn set_stocks(&self, targets: &[StockTarget]) -> Vec<Result<Value, super::ItemError>> {
        let mut groups: Vec<(u64, Vec<usize>)> = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let key = if t.variation_id == 0 { 0 } else { t.product_id };
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, idx)) => idx.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        let mut out: Vec<Option<Result<Value, super::ItemError>>> = vec![None; targets.len()];
        for (parent, idx) in groups {
            let update = idx
                .iter()
                .map(|&i| {
                    let t = targets[i];
                    let mut b = stock_body(t.quantity);
                    b["id"] = json!(if parent == 0 { t.product_id } else { t.variation_id });
                    b
                })
                .collect();
            let req = BatchRequest { update, ..Default::default() };
            let res =
                if parent == 0 { self.batch_products(&req).await } else { self.batch_variations(parent, &req).await };
            for (i, r) in idx.into_iter().zip(res.update) {
                out[i] = Some(r);
            }
        }
        out.into_iter().map(|r| r.expect("every target is in one group")).collect()
    }

    // ---------- terms ----------

    pub async fn list_terms(&self, kind: TermKind) -> Result<Vec<Value>, ConnectorError> {
        self.list_all(kind.path(), &[]).await
    }

    /// `POST` a term. A name that exists answers 400 `term_exists` with the existing id in
    /// `data.resource_id`; [`Client::ensure_term`] handles that.
    pub async fn create_term(&self, kind: TermKind, body: &Value) -> Result<Value, ConnectorError> {
        self.post(kind.path(), body).await
    }

    pub async fn update_term(&self, kind: TermKind, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.put(&format!("{}/{id}", kind.path()), body).await
    }

    pub async fn delete_term(&self, kind: TermKind, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("{}/{id}", kind.path())).await
    }

    /// The term named `name` (case-insensitive), created when missing. Safe to repeat: a create
    /// that timed out is found by name the next time round.
    pub async fn ensure_term(&self, kind: TermKind, name: &str) -> Result<Value, ConnectorError> {
        let find = async || -> Result<Option<Value>, ConnectorError> {
            let found = self.get(kind.path(), &[("search", name), ("per_page", "100")]).await?;
            Ok(found.as_array().into_iter().flatten().find(|t| same_text(t, "name", name)).cloned())
        };
        if let Some(t) = find().await? {
            return Ok(t);
        }
        self.settled(async || self.create_term(kind, &json!({ "name": name })).await, find, "term_exists").await
    }

    pub async fn batch_terms(&self, kind: TermKind, req: &BatchRequest) -> BatchResult {
        self.batch(kind.path(), req).await
    }

    // ---------- customers ----------

    /// All customers (`role=all`: WooCommerce lists only the `customer` role by default).
    pub async fn list_customers(&self, filter: &[(&str, &str)]) -> Result<Vec<Value>, ConnectorError> {
        let mut q = vec![("role", "all")];
        q.extend(filter.iter().filter(|(k, _)| *k != "role"));
        self.list_all("/customers", &q).await
    }

    pub async fn get_customer(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/customers/{id}"), &[]).await
    }

    pub async fn create_customer(&self, body: &Value) -> Result<Value, ConnectorError> {
        self.post("/customers", body).await
    }

    pub async fn update_customer(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.put(&format!("/customers/{id}"), body).await
    }

    pub async fn delete_customer(&self, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("/customers/{id}")).await
    }

    pub async fn find_customer_by_email(&self, email: &str) -> Result<Option<Value>, ConnectorError> {
        let found = self.get("/customers", &[("email", email), ("role", "all")]).await?;
        Ok(found.as_array().into_iter().flatten().find(|c| same_text(c, "email", email)).cloned())
    }

    pub async fn batch_customers(&self, req: &BatchRequest) -> BatchResult {
        self.batch("/customers", req).await
    }

    // ---------- orders and refunds ----------

    pub async fn list_orders(&self, filter: &[(&str, &str)]) -> Result<Vec<Value>, ConnectorError> {
        self.list_all("/orders", filter).await
    }

    pub async fn get_order(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/orders/{id}"), &[]).await
    }

    pub async fn create_order(&self, body: &Value) -> Result<Value, ConnectorError> {
        self.post("/orders", body).await
    }

    pub async fn update_order(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.put(&format!("/orders/{id}"), body).await
    }

    /// `PUT /orders/{id}` `{"status": ...}` (e.g. from `status_to_wc`).
    pub async fn update_order_status(&self, id: u64, status: &str) -> Result<Value, ConnectorError> {
        self.update_order(id, &json!({ "status": status })).await
    }

    pub async fn delete_order(&self, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("/orders/{id}")).await
    }

    pub async fn batch_orders(&self, req: &BatchRequest) -> BatchResult {
        self.batch("/orders", req).await
    }

    pub async fn list_refunds(&self, order_id: u64) -> Result<Vec<Value>, ConnectorError> {
        self.list_all(&format!("/orders/{order_id}/refunds"), &[]).await
    }

    /// `POST /orders/{id}/refunds` (the body from `refund_to_wc`). Not settled: a refund has no
    /// SKU or stable key to read back by, so an `UnknownOutcome` goes to the caller, who compares
    /// [`Client::list_refunds`] with what it expected before trying again.
    pub async fn create_refund(&self, order_id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.post(&format!("/orders/{order_id}/refunds"), body).await
    }

    pub async fn delete_refund(&self, order_id: u64, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("/orders/{order_id}/refunds/{id}")).await
    }

    // ---------- webhooks ----------

    pub async fn list_webhooks(&self) -> Result<Vec<Value>, ConnectorError> {
        self.list_all("/webhooks", &[]).await
    }

    pub async fn get_webhook(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(&format!("/webhooks/{id}"), &[]).await
    }

    /// `POST /webhooks` with the secret posbridge chose (WooCommerce signs deliveries with it).
    pub async fn create_webhook(
        &self,
        name: &str,
        topic: &str,
        delivery_url: &str,
        secret: &str,
    ) -> Result<Value, ConnectorError> {
        let body =
            json!({ "name": name, "topic": topic, "delivery_url": delivery_url, "secret": secret, "status": "active" });
        self.post("/webhooks", &body).await
    }

    pub async fn update_webhook(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.put(&format!("/webhooks/{id}"), body).await
    }

    /// Webhooks cannot be trashed, so this is always `force=true`.
    pub async fn delete_webhook(&self, id: u64) -> Result<Value, ConnectorError> {
        self.delete(&format!("/webhooks/{id}")).await
    }

    pub async fn find_webhook(&self, topic: &str, delivery_url: &str) -> Result<Option<Value>, ConnectorError> {
        Ok(self.list_webhooks().await?.into_iter().find(|h| {
            same_text(h, "topic", topic) && h.get("delivery_url").and_then(Value::as_str) == Some(delivery_url)
        }))
    }

    /// One active webhook for `topic` to `delivery_url` signed with `secret`: an existing one
    /// (perhaps disabled after five failed deliveries) is re-activated with the secret, a missing
    /// one is created (settled: a timed-out create is found, not doubled).
    pub async fn ensure_webhook(
        &self,
        name: &str,
        topic: &str,
        delivery_url: &str,
        secret: &str,
    ) -> Result<Value, ConnectorError> {
        if let Some(h) = self.find_webhook(topic, delivery_url).await?
            && let Some(id) = super::id_of(&h)
        {
            return self.update_webhook(id, &json!({ "name": name, "secret": secret, "status": "active" })).await;
        }
        let found = self
            .settled(
                async || self.create_webhook(name, topic, delivery_url, secret).await,
                async || self.find_webhook(topic, delivery_url).await,
                "",
            )
            .await?;
        Ok(found)
    }
}
