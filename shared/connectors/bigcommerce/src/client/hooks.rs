//! Webhook subscriptions (`/v3/hooks`): per app (client id), at most one per scope and
//! destination, 10 per scope, destinations on https port 443.

use std::collections::BTreeMap;

use http::Method;
use posbridge_connector_core::ConnectorError;
use serde_json::{Value, json};

use super::{Api, Client, Settled, data, data_list, gone, id_of, settle};

impl Client {
    pub async fn list_hooks(&self) -> Result<Vec<Value>, ConnectorError> {
        self.v3_all("hooks", &[]).await
    }

    pub async fn get_hook(&self, id: u64) -> Result<Value, ConnectorError> {
        data(self.get(Api::V3, &format!("hooks/{id}"), &[]).await?)
    }

    /// The app's hook for this scope and destination (there is at most one).
    pub async fn find_hook(&self, scope: &str, destination: &str) -> Result<Option<Value>, ConnectorError> {
        let q = [("scope", scope), ("destination", destination)];
        Ok(data_list(self.get(Api::V3, "hooks", &q).await?)?.into_iter().next())
    }

    /// `POST /hooks`; `headers` are echoed on every delivery.
    pub async fn create_hook(
        &self,
        scope: &str,
        destination: &str,
        headers: &BTreeMap<String, String>,
    ) -> Result<Value, ConnectorError> {
        let mut body = json!({ "scope": scope, "destination": destination, "is_active": true });
        if !headers.is_empty() {
            body["headers"] = json!(headers);
        }
        data(self.write(Method::POST, Api::V3, "hooks", &[], body, false).await?)
    }

    /// Subscribes once: an existing hook for the scope and destination is kept (re-activated and
    /// given these headers when it differs); a lost create answer is settled by reading back.
    pub async fn ensure_hook(
        &self,
        scope: &str,
        destination: &str,
        headers: &BTreeMap<String, String>,
    ) -> Result<Settled<Value>, ConnectorError> {
        if let Some(h) = self.find_hook(scope, destination).await? {
            let want_headers = if headers.is_empty() { Value::Null } else { json!(headers) };
            let active = h.get("is_active").and_then(Value::as_bool) == Some(true);
            let same_headers = h.get("headers").cloned().unwrap_or(Value::Null) == want_headers;
            if active && same_headers {
                return Ok(Settled::Existing(h));
            }
            let body = json!({ "is_active": true, "headers": want_headers });
            return self.update_hook(id_of(&h)?, &body).await.map(Settled::Existing);
        }
        settle("hook", || self.create_hook(scope, destination, headers), || self.find_hook(scope, destination)).await
    }

    /// `PUT /hooks/{id}` (e.g. `{"is_active": true}` to re-enable a hook BigCommerce deactivated).
    pub async fn update_hook(&self, id: u64, body: &Value) -> Result<Value, ConnectorError> {
        data(self.write(Method::PUT, Api::V3, &format!("hooks/{id}"), &[], body.clone(), true).await?)
    }

    pub async fn delete_hook(&self, id: u64) -> Result<(), ConnectorError> {
        gone(self.delete(Api::V3, &format!("hooks/{id}"), &[]).await)
    }
}
