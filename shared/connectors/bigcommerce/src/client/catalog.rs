//! Catalog v3 (products, variants, categories, brands) and the Inventory API.

use http::Method;
use posbridge_connector_core::ConnectorError;
use serde_json::{Value, json};

use super::{
    Api, Client, MAX_INVENTORY_ITEMS, MAX_PRODUCT_BATCH, MAX_VARIANT_BATCH, Query, Settled, data, data_list, decode,
    gone, settle, str_of,
};

/// Which stock an inventory item names: a product tracked by product, a variant tracked by
/// variant, or either by SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRef {
    Product(u64),
    Variant(u64),
    Sku(String),
}

/// One line of an inventory adjustment: a level (absolute) or a change (relative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryItem {
    pub location_id: u64,
    pub item: ItemRef,
    pub quantity: i64,
}

impl InventoryItem {
    /// At the default location (id 1).
    pub fn new(item: ItemRef, quantity: i64) -> Self {
        Self { location_id: 1, item, quantity }
    }

    fn to_json(&self) -> Value {
        let mut v = json!({ "location_id": self.location_id, "quantity": self.quantity });
        match &self.item {
            ItemRef::Product(id) => v["product_id"] = json!(id),
            ItemRef::Variant(id) => v["variant_id"] = json!(id),
            ItemRef::Sku(s) => v["sku"] = json!(s),
        }
        v
    }
}

fn same_text(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

impl Client {
    // ---- products ------------------------------------------------------------------------

    /// Every product matching `filters` (e.g. `date_modified:min`), with its variants.
    pub async fn list_products(&self, filters: Query<'_>) -> Result<Vec<Value>, ConnectorError> {
        let mut q = filters.to_vec();
        q.push(("include", "variants"));
        self.v3_all("catalog/products", &q).await
    }

    pub async fn get_product(&self, id: u64) -> Result<Value, ConnectorError> {
        data(self.get(Api::V3, &format!("catalog/products/{id}"), &[("include", "variants")]).await?)
    }

    /// The product holding `sku` as its own SKU (BigCommerce SKUs are unique case-insensitively).
    pub async fn find_product_by_sku(&self, sku: &str) -> Result<Option<Value>, ConnectorError> {
        let q = [("sku", sku), ("include", "variants")];
        let found = data_list(self.get(Api::V3, "catalog/products", &q).await?)?;
        Ok(found.into_iter().find(|p| same_text(str_of(p, "sku"), sku)))
    }

    /// The product named `name` (product names are unique in a store).
    pub async fn find_product_by_name(&self, name: &str) -> Result<Option<Value>, ConnectorError> {
        let q = [("name", name), ("include", "variants")];
        let found = data_list(self.get(Api::V3, "catalog/products", &q).await?)?;
        Ok(found.into_iter().find(|p| str_of(p, "name") == Some(name)))
    }

    /// `POST /catalog/products` (one product, its `variants` may come along). Not retried when
    /// its answer is lost: see [`Client::create_product_settled`].
    pub async fn create_product(&self, body: &Value) -> Result<Value, ConnectorError> {
        data(
            self.write(Method::POST, Api::V3, "catalog/products", &[("include", "variants")], body.clone(), false)
                .await?,
        )
    }

    /// Creates a product; a lost answer is settled by reading back by SKU (or by name, which is
    /// unique too, for a product without a SKU) before the create is ever sent again.
    pub async fn create_product_settled(&self, body: &Value) -> Result<Settled<Value>, ConnectorError> {
        let sku = str_of(body, "sku").map(str::to_string);
        let name = str_of(body, "name").map(str::to_string);
        settle(
            "product",
            || self.create_product(body),
            || async {
                match (&sku, &name) {
                    (Some(s), _) => self.find_product_by_sku(s).await,
                    (None, Some(n)) => self.find_product_by_name(n).await,
                    (None, None) => Ok(None),
                }
            },
        )
        .await
    }

    /// `PUT /catalog/products/{id}` (the fields sent replace theirs: safe to repeat).
    pub async fn update_product(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        let path = format!("catalog/products/{id}");
        data(self.write(Method::PUT, Api::V3, &path, &[("include", "variants")], body.clone(), true).await?)
    }

    /// Batch update (each body has its `id`), 10 per request.
    pub async fn update_products(&self, bodies: &[Value]) -> Result<Vec<Value>, ConnectorError> {
        self.batch_put("catalog/products", bodies, MAX_PRODUCT_BATCH).await
    }

    pub async fn delete_product(&self, id: u64) -> Result<(), ConnectorError> {
        gone(self.delete(Api::V3, &format!("catalog/products/{id}"), &[]).await)
    }

    async fn batch_put(&self, path: &str, bodies: &[Value], max: usize) -> Result<Vec<Value>, ConnectorError> {
        let mut out = Vec::with_capacity(bodies.len());
        for chunk in bodies.chunks(max) {
            // An item without an id creates a record (variants): such a batch is not safe to repeat.
            let idempotent = chunk.iter().all(|b| b.get("id").is_some());
            let r = self.write(Method::PUT, Api::V3, path, &[], Value::Array(chunk.to_vec()), idempotent).await?;
            out.extend(data_list(r)?);
        }
        Ok(out)
    }

    // ---- variants ------------------------------------------------------------------------

    pub async fn list_variants(&self, product_id: u64) -> Result<Vec<Value>, ConnectorError> {
        self.v3_all(&format!("catalog/products/{product_id}/variants"), &[]).await
    }

    /// The variant (of any product, the base variant included) holding `sku`.
    pub async fn find_variant_by_sku(&self, sku: &str) -> Result<Option<Value>, ConnectorError> {
        let found = data_list(self.get(Api::V3, "catalog/variants", &[("sku", sku)]).await?)?;
        Ok(found.into_iter().find(|v| same_text(str_of(v, "sku"), sku)))
    }

    pub async fn create_variant(&self, product_id: u64, body: &Value) -> Result<Value, ConnectorError> {
        let path = format!("catalog/products/{product_id}/variants");
        data(self.write(Method::POST, Api::V3, &path, &[], body.clone(), false).await?)
    }

    /// Creates a variant; a lost answer is settled by its SKU (required on variants).
    pub async fn create_variant_settled(
        &self,
        product_id: u64,
        body: &Value,
    ) -> Result<Settled<Value>, ConnectorError> {
        let sku = str_of(body, "sku").map(str::to_string);
        settle(
            "variant",
            || self.create_variant(product_id, body),
            || async {
                match &sku {
                    Some(s) => Ok(self
                        .find_variant_by_sku(s)
                        .await?
                        .filter(|v| v.get("product_id").and_then(Value::as_u64) == Some(product_id))),
                    None => Ok(None),
                }
            },
        )
        .await
    }

    pub async fn update_variant(
        &self,
        product_id: u64,
        variant_id: u64,
        body: &Value,
    ) -> Result<Value, ConnectorError> {
        let path = format!("catalog/products/{product_id}/variants/{variant_id}");
        data(self.write(Method::PUT, Api::V3, &path, &[], body.clone(), true).await?)
    }

    /// Batch `PUT /catalog/variants`, 50 per request (items with `id` update; items with
    /// `product_id`, `sku`, `option_values` create, and such a batch is not retried blindly).
    pub async fn update_variants(&self, bodies: &[Value]) -> Result<Vec<Value>, ConnectorError> {
        self.batch_put("catalog/variants", bodies, MAX_VARIANT_BATCH).await
    }

    // ---- categories and brands -----------------------------------------------------------

    pub async fn list_categories(&self) -> Result<Vec<Value>, ConnectorError> {
        self.v3_all("catalog/categories", &[]).await
    }

    pub async fn find_category(&self, name: &str, parent_id: u64) -> Result<Option<Value>, ConnectorError> {
        let p = parent_id.to_string();
        let found = data_list(self.get(Api::V3, "catalog/categories", &[("name", name), ("parent_id", &p)]).await?)?;
        Ok(found.into_iter().find(|c| str_of(c, "name") == Some(name)))
    }

    pub async fn create_category(&self, body: &Value) -> Result<Value, ConnectorError> {
        data(self.write(Method::POST, Api::V3, "catalog/categories", &[], body.clone(), false).await?)
    }

    /// Creates a category; a lost answer is settled by name under its parent (unique among siblings).
    pub async fn create_category_settled(&self, body: &Value) -> Result<Settled<Value>, ConnectorError> {
        let name = str_of(body, "name").unwrap_or_default().to_string();
        let parent = body.get("parent_id").and_then(Value::as_u64).unwrap_or(0);
        settle("category", || self.create_category(body), || self.find_category(&name, parent)).await
    }

    pub async fn update_category(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        let path = format!("catalog/categories/{id}");
        data(self.write(Method::PUT, Api::V3, &path, &[], body.clone(), true).await?)
    }

    pub async fn list_brands(&self) -> Result<Vec<Value>, ConnectorError> {
        self.v3_all("catalog/brands", &[]).await
    }

    // ---- inventory -----------------------------------------------------------------------

    /// Sets stock levels (`PUT /inventory/adjustments/absolute`), 2,000 items per request. Safe
    /// to repeat. Returns the transaction ids.
    pub async fn set_inventory(&self, items: &[InventoryItem], reason: &str) -> Result<Vec<String>, ConnectorError> {
        self.adjust(Method::PUT, "inventory/adjustments/absolute", items, reason, true).await
    }

    /// Changes stock levels by a delta (`POST /inventory/adjustments/relative`), 2,000 items per
    /// request. A delta applied twice is wrong stock, so a lost answer is never resent: the
    /// `UnknownOutcome` goes back to the caller, whose remedy is an absolute set from the POS's
    /// level. Requests before the failing one were applied.
    pub async fn adjust_inventory(&self, items: &[InventoryItem], reason: &str) -> Result<Vec<String>, ConnectorError> {
        self.adjust(Method::POST, "inventory/adjustments/relative", items, reason, false).await
    }

    async fn adjust(
        &self,
        method: Method,
        path: &str,
        items: &[InventoryItem],
        reason: &str,
        idempotent: bool,
    ) -> Result<Vec<String>, ConnectorError> {
        let mut tx = Vec::new();
        for chunk in items.chunks(MAX_INVENTORY_ITEMS) {
            let body =
                json!({ "reason": reason, "items": chunk.iter().map(InventoryItem::to_json).collect::<Vec<_>>() });
            let r = self.write(method.clone(), Api::V3, path, &[], body, idempotent).await?;
            let id = r
                .as_ref()
                .and_then(|v| v.get("transaction_id"))
                .and_then(Value::as_str)
                .ok_or_else(|| decode("inventory adjustment without a transaction_id"))?;
            tx.push(id.to_string());
        }
        Ok(tx)
    }

    /// Stock per item at a location (`GET /inventory/locations/{id}/items`), e.g. filtered by
    /// `variant_id:in`.
    pub async fn inventory_items(&self, location_id: u64, filters: Query<'_>) -> Result<Vec<Value>, ConnectorError> {
        self.v3_all(&format!("inventory/locations/{location_id}/items"), filters).await
    }
}
