//! Creates that never leave a duplicate. A create whose answer was lost (a timeout, a 5xx) may
//! or may not have happened; the core reports it as [`ConnectorError::UnknownOutcome`] and sends
//! nothing more. Here the record is looked for by what identifies it on Ecwid, and the create is
//! sent again only when it is not there:
//!
//! | record | read back by |
//! |---|---|
//! | product | its `sku` (`GET /products?sku=`; Ecwid refuses a second one with 409 `SKU_ALREADY_EXISTS`) |
//! | variation | its `sku`, else its option values (Ecwid refuses duplicate options with 409) |
//! | category | `name` under the same `parentId` |
//! | customer | `email` (unique per store) |
//! | order | the `externalOrderId` posbridge writes (the POS sale id), searched by `createDate` and `email` |
//!
//! A record sent without its key (a product without SKU, an order without `externalOrderId`)
//! cannot be settled: the `UnknownOutcome` is returned as it is. A 409 on a repeated create means
//! an earlier attempt landed after the read-back; it is read back once more.

use serde_json::Value;

use super::Client;
use posbridge_connector_core::ConnectorError;

/// How a settled create ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// Ecwid answered the create (the first one, or a repeat after the read-back found nothing).
    New(u64),
    /// An earlier create whose answer was lost had landed; this is its id.
    Found(u64),
}

impl Created {
    pub fn id(self) -> u64 {
        match self {
            Created::New(id) | Created::Found(id) => id,
        }
    }
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn options_key(v: &Value) -> Vec<(String, String)> {
    let mut o: Vec<(String, String)> = v
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|o| (o["name"].as_str().unwrap_or("").to_string(), o["value"].as_str().unwrap_or("").to_string()))
        .collect();
    o.sort();
    o
}

fn unsettleable(e: ConnectorError, why: &str) -> ConnectorError {
    match e {
        ConnectorError::UnknownOutcome { detail } => {
            ConnectorError::UnknownOutcome { detail: format!("{detail}; cannot read back: {why}") }
        }
        other => other,
    }
}

impl Client {
    /// Sends `create` until it is answered, reading back with `find` after every unknown outcome.
    async fn settle(
        &self,
        what: &str,
        create: impl AsyncFn() -> Result<u64, ConnectorError>,
        find: impl AsyncFn() -> Result<Option<u64>, ConnectorError>,
    ) -> Result<Created, ConnectorError> {
        let mut uncertain = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let err = match create().await {
                Ok(id) => return Ok(Created::New(id)),
                Err(e) => e,
            };
            match &err {
                ConnectorError::UnknownOutcome { detail } => {
                    tracing::warn!(entity = what, attempt, %detail, "create outcome unknown; reading back");
                    uncertain = true;
                }
                ConnectorError::Rejected { status: 409, .. } if uncertain => {}
                _ => return Err(err),
            }
            if let Some(id) = find().await? {
                tracing::info!(entity = what, id, "the unknown create had landed");
                return Ok(Created::Found(id));
            }
            if attempt >= self.settle_attempts || !matches!(err, ConnectorError::UnknownOutcome { .. }) {
                return Err(err);
            }
        }
    }

    /// `POST /products` settled by SKU. The body needs its `sku`.
    pub async fn create_product_settled(&self, body: &Value) -> Result<Created, ConnectorError> {
        let Some(sku) = text(body, "sku") else {
            return self.create_product(body).await.map(Created::New).map_err(|e| unsettleable(e, "no sku"));
        };
        self.settle(
            "product",
            async || self.create_product(body).await,
            async || {
                let found = self.find_products_by_sku(sku).await?;
                Ok(found.iter().find(|p| p["sku"].as_str() == Some(sku)).and_then(|p| p["id"].as_u64()))
            },
        )
        .await
    }

    /// `POST /products/{id}/combinations` settled by SKU, or by option values without one.
    pub async fn create_combination_settled(&self, product_id: u64, body: &Value) -> Result<Created, ConnectorError> {
        let sku = text(body, "sku");
        let key = options_key(body);
        if sku.is_none() && key.is_empty() {
            return self
                .create_combination(product_id, body)
                .await
                .map(Created::New)
                .map_err(|e| unsettleable(e, "no sku and no options"));
        }
        self.settle(
            "variation",
            async || self.create_combination(product_id, body).await,
            async || {
                let all = self.list_combinations(product_id).await?;
                let hit = all.iter().find(|c| match sku {
                    Some(s) => c["sku"].as_str() == Some(s),
                    None => options_key(c) == key,
                });
                Ok(hit.and_then(|c| c["id"].as_u64()))
            },
        )
        .await
    }

    /// `POST /categories` settled by name under the same parent.
    pub async fn create_category_settled(&self, body: &Value) -> Result<Created, ConnectorError> {
        let Some(name) = text(body, "name") else {
            return self.create_category(body).await.map(Created::New).map_err(|e| unsettleable(e, "no name"));
        };
        let parent = body.get("parentId").and_then(Value::as_u64).unwrap_or(0);
        self.settle(
            "category",
            async || self.create_category(body).await,
            async || {
                let all = self.list_categories(&[("parent", parent.to_string())]).await?;
                Ok(all.iter().find(|c| c["name"].as_str() == Some(name)).and_then(|c| c["id"].as_u64()))
            },
        )
        .await
    }

    /// `POST /customers` settled by email.
    pub async fn create_customer_settled(&self, body: &Value) -> Result<Created, ConnectorError> {
        let Some(email) = text(body, "email") else {
            return self.create_customer(body).await.map(Created::New).map_err(|e| unsettleable(e, "no email"));
        };
        self.settle(
            "customer",
            async || self.create_customer(body).await,
            async || Ok(self.find_customer_by_email(email).await?.and_then(|c| c["id"].as_u64())),
        )
        .await
    }

    /// `POST /orders` settled by the `externalOrderId` the mapping writes (the POS sale id).
    /// The read-back narrows the search by the body's `createDate` and `email` when present.
    pub async fn create_order_settled(&self, body: &Value) -> Result<Created, ConnectorError> {
        let Some(correlation) = text(body, "externalOrderId") else {
            return self.create_order(body).await.map(Created::New).map_err(|e| unsettleable(e, "no externalOrderId"));
        };
        let mut filters = Vec::new();
        if let Some(d) = text(body, "createDate") {
            filters.push(("createdFrom", d.to_string()));
            filters.push(("createdTo", d.to_string()));
        }
        if let Some(e) = text(body, "email") {
            filters.push(("email", e.to_string()));
        }
        if let Some(p) = text(body, "paymentStatus") {
            // Unfinished orders are only listed when asked for by status.
            filters.push(("paymentStatus", p.to_string()));
        }
        self.settle(
            "order",
            async || self.create_order(body).await,
            async || {
                let all = self.list_orders(&filters).await?;
                let hit = all.iter().find(|o| o["externalOrderId"].as_str() == Some(correlation));
                Ok(hit.and_then(|o| o["orderNumber"].as_u64()))
            },
        )
        .await
    }
}
