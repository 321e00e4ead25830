//! [`OAuthStates`] over the single table: item `pk = OAUTH#{state}`, `sk = OAUTH`, the record as
//! JSON in `doc`, and `expires_at` for TTL. `take` is one conditional `DeleteItem` returning the
//! old item, so of many concurrent callbacks exactly one gets the state.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use posbridge_domain::ports::{OAuthState, OAuthStates, StoreError, StoreResult};

use crate::errors::store_err;

const SK: &str = "OAUTH";

fn pk(state: &str) -> AttributeValue {
    AttributeValue::S(format!("OAUTH#{state}"))
}

#[derive(Clone)]
pub struct DynamoOAuthStates {
    client: Client,
    table: String,
}

impl DynamoOAuthStates {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

#[async_trait]
impl OAuthStates for DynamoOAuthStates {
    async fn create(&self, s: &OAuthState) -> StoreResult<()> {
        let doc = serde_json::to_string(s).map_err(|e| StoreError::Permanent(format!("oauth state: {e}")))?;
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", pk(&s.state))
            .item("sk", AttributeValue::S(SK.into()))
            .item("doc", AttributeValue::S(doc))
            .item("expires_at", AttributeValue::N(s.expires_at.to_string()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                Err(StoreError::Conflict("oauth state exists".into()))
            }
            Err(e) => Err(store_err(e)),
        }
    }

    async fn take(&self, state: &str, now: i64) -> StoreResult<Option<OAuthState>> {
        let res = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", pk(state))
            .key("sk", AttributeValue::S(SK.into()))
            .condition_expression("attribute_exists(pk)")
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        let old = match res {
            Ok(out) => out.attributes,
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                return Ok(None);
            }
            Err(e) => return Err(store_err(e)),
        };
        let Some(item) = old else { return Ok(None) };
        let raw = item
            .get("doc")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::Permanent("oauth state item has no doc".into()))?;
        let s: OAuthState =
            serde_json::from_str(raw).map_err(|e| StoreError::Permanent(format!("stored oauth state: {e}")))?;
        // TTL deletion is lazy: an expired item may still be there.
        Ok((s.expires_at > now).then_some(s))
    }
}
