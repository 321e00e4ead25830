//! Customers v3 and customer groups v2.

use http::Method;
use posbridge_connector_core::ConnectorError;
use serde_json::Value;

use super::{Api, Client, MAX_CUSTOMER_BATCH, Query, Settled, data_list, decode, settle, str_of};

fn email_key(v: &Value) -> Option<String> {
    str_of(v, "email").map(|e| e.trim().to_lowercase())
}

impl Client {
    /// Every customer matching `filters`, with addresses.
    pub async fn list_customers(&self, filters: Query<'_>) -> Result<Vec<Value>, ConnectorError> {
        let mut q = filters.to_vec();
        q.push(("include", "addresses"));
        self.v3_all("customers", &q).await
    }

    pub async fn get_customer(&self, id: u64) -> Result<Value, ConnectorError> {
        let i = id.to_string();
        let found = data_list(self.get(Api::V3, "customers", &[("id:in", &i), ("include", "addresses")]).await?)?;
        found.into_iter().next().ok_or(ConnectorError::NotFound)
    }

    /// The customers holding these emails (emails are unique per store, case-insensitively).
    pub async fn find_customers_by_email(&self, emails: &[&str]) -> Result<Vec<Value>, ConnectorError> {
        let mut out = Vec::new();
        for chunk in emails.chunks(self.page_size) {
            let list = chunk.join(",");
            out.extend(self.list_customers(&[("email:in", &list)]).await?);
        }
        Ok(out)
    }

    /// `POST /customers` for up to 10 bodies (not retried when the answer is lost).
    async fn create_customer_chunk(&self, chunk: &[Value]) -> Result<Vec<Value>, ConnectorError> {
        data_list(self.write(Method::POST, Api::V3, "customers", &[], Value::Array(chunk.to_vec()), false).await?)
    }

    /// Creates customers 10 per request. Each request whose answer is lost is settled by email:
    /// the customers found are the ones it created; the rest of that request is sent again.
    /// Results are in the order of `bodies`.
    pub async fn create_customers_settled(&self, bodies: &[Value]) -> Result<Vec<Settled<Value>>, ConnectorError> {
        let mut out = Vec::with_capacity(bodies.len());
        for chunk in bodies.chunks(MAX_CUSTOMER_BATCH) {
            let mut pending: Vec<Value> = chunk.to_vec();
            let mut done: Vec<(String, Settled<Value>)> = Vec::new();
            let mut unknown = None;
            for _ in 0..super::SETTLE_ATTEMPTS {
                match self.create_customer_chunk(&pending).await {
                    Ok(created) => {
                        done.extend(created.into_iter().filter_map(|c| Some((email_key(&c)?, Settled::Created(c)))));
                        pending.clear();
                        break;
                    }
                    Err(e @ ConnectorError::UnknownOutcome { .. }) => {
                        tracing::warn!(error = %e, "customer create outcome unknown; reading back by email");
                        let emails: Vec<String> = pending.iter().filter_map(email_key).collect();
                        let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
                        let found = self.find_customers_by_email(&refs).await?;
                        for c in found {
                            if let Some(k) = email_key(&c) {
                                pending.retain(|p| email_key(p).as_deref() != Some(k.as_str()));
                                done.push((k, Settled::Existing(c)));
                            }
                        }
                        unknown = Some(e);
                        if pending.is_empty() {
                            break;
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            if !pending.is_empty() {
                return Err(unknown.unwrap_or_else(|| decode("customer create left records unsettled")));
            }
            for b in chunk {
                let k = email_key(b).unwrap_or_default();
                let i = done
                    .iter()
                    .position(|(e, _)| *e == k)
                    .ok_or_else(|| decode(format!("no customer came back for {k}")))?;
                out.push(done.swap_remove(i).1);
            }
        }
        Ok(out)
    }

    /// Creates one customer, settled by email.
    pub async fn create_customer_settled(&self, body: &Value) -> Result<Settled<Value>, ConnectorError> {
        let email = str_of(body, "email").unwrap_or_default().to_string();
        settle(
            "customer",
            || async {
                self.create_customer_chunk(std::slice::from_ref(body))
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| decode("empty create answer"))
            },
            || async { Ok(self.find_customers_by_email(&[&email]).await?.into_iter().next()) },
        )
        .await
    }

    /// `PUT /customers` (each body has its `id`), 10 per request.
    pub async fn update_customers(&self, bodies: &[Value]) -> Result<Vec<Value>, ConnectorError> {
        let mut out = Vec::with_capacity(bodies.len());
        for chunk in bodies.chunks(MAX_CUSTOMER_BATCH) {
            let r = self.write(Method::PUT, Api::V3, "customers", &[], Value::Array(chunk.to_vec()), true).await?;
            out.extend(data_list(r)?);
        }
        Ok(out)
    }

    // ---- customer groups (v2) ------------------------------------------------------------

    pub async fn list_customer_groups(&self) -> Result<Vec<Value>, ConnectorError> {
        self.v2_all("customer_groups", &[]).await
    }

    pub async fn get_customer_group(&self, id: u64) -> Result<Value, ConnectorError> {
        self.get(Api::V2, &format!("customer_groups/{id}"), &[]).await?.ok_or(ConnectorError::NotFound)
    }

    pub async fn create_customer_group(&self, body: &Value) -> Result<Value, ConnectorError> {
        self.write(Method::POST, Api::V2, "customer_groups", &[], body.clone(), false)
            .await?
            .ok_or_else(|| decode("empty customer group answer"))
    }

    /// Creates a group; a lost answer is settled by the group's name.
    pub async fn create_customer_group_settled(&self, body: &Value) -> Result<Settled<Value>, ConnectorError> {
        let name = str_of(body, "name").unwrap_or_default().to_string();
        settle(
            "customer group",
            || self.create_customer_group(body),
            || async {
                let all = self.list_customer_groups().await?;
                Ok(all.into_iter().find(|g| str_of(g, "name") == Some(name.as_str())))
            },
        )
        .await
    }

    pub async fn update_customer_group(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        self.write(Method::PUT, Api::V2, &format!("customer_groups/{id}"), &[], body.clone(), true)
            .await?
            .ok_or_else(|| decode("empty customer group answer"))
    }
}
