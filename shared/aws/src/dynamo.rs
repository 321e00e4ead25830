//! Every storage port over one DynamoDB table (single-table design, docs/ARCHITECTURE.md).
//!
//! Item layout (`pk` / `sk`, plus `gsi1pk`/`gsi1sk`, `gsi2pk`/`gsi2sk`, TTL `expires_at`):
//!
//! | record | pk | sk | gsi1 | gsi2 |
//! |---|---|---|---|---|
//! | integration | `INT#{id}` | `META` | `MERCHANT#{m}` / `INT#{id}` | `STORE#{platform}#{store}` / `INT#{id}` |
//! | link, POS side | `INT#{id}#LINK#{entity}` | `POS#{pos id}` | `INT#{id}#SKU#{entity}` / `{sku lowercased}` | |
//! | link, platform side | `INT#{id}#LINK#{entity}` | `PLT#{platform id}` | | |
//! | sync status | `INT#{id}#STATUS#{entity}` | `{record id}` | | `INT#{id}#STATUS#{entity}#{state}` / `{record id}` |
//! | process run | `INT#{id}#RUN` | `{started:012}#{run id}` | | |
//! | error entry | `INT#{id}#ERR` | `{at:012}#{entry id}` | `INT#{id}#ERRREC#{entity}#{record}` / sk | |
//! | idempotency key | `IDEM#{key}` | `IDEM` | | |
//! | first-sync progress | `INT#{id}` | `FIRSTSYNC#{entity}` | | |
//!
//! Records are stored whole as JSON in `doc`; key and condition attributes sit beside it.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, Put, ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TimeToLiveSpecification,
    TransactWriteItem,
};
use posbridge_domain::model::{EntityKind, IntegrationId, MerchantId, Platform, PlatformId, PosId, Sku};
use posbridge_domain::ports::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors::store_err;

type Item = HashMap<String, AttributeValue>;

/// How long logs are kept (process runs, error entries): 90 days.
const LOG_TTL_SECS: i64 = 90 * 24 * 3600;
/// An idempotency claim that was never completed is cleaned up a day after its lease.
const ABANDONED_CLAIM_TTL_SECS: i64 = 24 * 3600;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn get_s<'a>(item: &'a Item, k: &str) -> Option<&'a str> {
    item.get(k).and_then(|v| v.as_s().ok()).map(|x| x.as_str())
}

fn get_n(item: &Item, k: &str) -> Option<i64> {
    item.get(k).and_then(|v| v.as_n().ok()).and_then(|x| x.parse().ok())
}

fn doc<T: DeserializeOwned>(item: &Item) -> StoreResult<T> {
    let raw = get_s(item, "doc").ok_or_else(|| StoreError::Permanent("item has no doc attribute".into()))?;
    serde_json::from_str(raw).map_err(|e| StoreError::Permanent(format!("stored record does not parse: {e}")))
}

fn to_doc<T: Serialize>(v: &T) -> StoreResult<AttributeValue> {
    serde_json::to_string(v).map(s).map_err(|e| StoreError::Permanent(format!("record does not serialise: {e}")))
}

fn int_pk(i: &IntegrationId) -> String {
    format!("INT#{i}")
}

fn link_pk(i: &IntegrationId, e: EntityKind) -> String {
    format!("INT#{i}#LINK#{e}")
}

fn status_pk(i: &IntegrationId, e: EntityKind) -> String {
    format!("INT#{i}#STATUS#{e}")
}

fn state_str(s: SyncState) -> &'static str {
    match s {
        SyncState::Synced => "synced",
        SyncState::Failed => "failed",
    }
}

fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Permanent(format!("request could not be built: {e}"))
}

/// A Query on the table (`index: None`) or a GSI, by partition key.
struct Query<'a> {
    index: Option<&'a str>,
    pk_attr: &'a str,
    pk: String,
    forward: bool,
    limit: Option<i32>,
    /// Exclusive start key.
    start: Option<Item>,
    /// Table queries only: keep sort keys with this prefix.
    sk_prefix: Option<String>,
}

impl<'a> Query<'a> {
    fn table(pk: String) -> Self {
        Self { index: None, pk_attr: "pk", pk, forward: true, limit: None, start: None, sk_prefix: None }
    }
    fn gsi(index: &'a str, pk_attr: &'a str, pk: String) -> Self {
        Self { index: Some(index), pk_attr, ..Self::table(pk) }
    }
}

/// Creates the table with its GSIs and TTL if it does not exist (local stack and tests; in AWS
/// the SAM template owns the table).
pub async fn ensure_table(client: &Client, table: &str) -> StoreResult<()> {
    let key = |name: &str, t: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(t).build();
    let attr =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let gsi = |name: &str| -> StoreResult<GlobalSecondaryIndex> {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(&format!("{name}pk"), KeyType::Hash).map_err(build_err)?)
            .key_schema(key(&format!("{name}sk"), KeyType::Range).map_err(build_err)?)
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()
            .map_err(build_err)
    };
    let mut req = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash).map_err(build_err)?)
        .key_schema(key("sk", KeyType::Range).map_err(build_err)?)
        .global_secondary_indexes(gsi("gsi1")?)
        .global_secondary_indexes(gsi("gsi2")?);
    for a in ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"] {
        req = req.attribute_definitions(attr(a).map_err(build_err)?);
    }
    match req.send().await {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|se| se.is_resource_in_use_exception()) => return Ok(()),
        Err(e) => return Err(store_err(e)),
    }
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder().enabled(true).attribute_name("expires_at").build().map_err(build_err)?,
        )
        .send()
        .await
        .map_err(store_err)?;
    Ok(())
}

/// Every storage port over one DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// All ports backed by this table.
    pub fn stores(&self) -> Stores {
        let s = std::sync::Arc::new(self.clone());
        Stores {
            integrations: s.clone(),
            links: s.clone(),
            status: s.clone(),
            process_log: s.clone(),
            errors: s.clone(),
            idempotency: s.clone(),
            first_sync: s,
        }
    }

    async fn get_item(&self, pk: String, sk: String) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_err)?;
        Ok(out.item)
    }

    /// The PutItem of an integration at `version`, its keys and lookups included; callers add
    /// the condition.
    fn put_integration(
        &self,
        i: &Integration,
        version: u64,
    ) -> StoreResult<aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder> {
        let mut rec = i.clone();
        rec.version = version;
        Ok(self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(int_pk(&i.id)))
            .item("sk", s("META"))
            .item("gsi1pk", s(format!("MERCHANT#{}", i.merchant_id)))
            .item("gsi1sk", s(int_pk(&i.id)))
            .item("gsi2pk", s(format!("STORE#{}#{}", i.platform, i.store_ref)))
            .item("gsi2sk", s(int_pk(&i.id)))
            .item("version", n(version as i64))
            .item("doc", to_doc(&rec)?))
    }

    /// One query page.
    async fn query(&self, q: Query<'_>) -> StoreResult<(Vec<Item>, Option<Item>)> {
        let mut cond = format!("{} = :pk", q.pk_attr);
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(q.index.map(str::to_string))
            .expression_attribute_values(":pk", s(q.pk))
            .scan_index_forward(q.forward)
            .set_limit(q.limit)
            .set_exclusive_start_key(q.start);
        if let Some(prefix) = q.sk_prefix {
            cond.push_str(" AND begins_with(sk, :pre)");
            req = req.expression_attribute_values(":pre", s(prefix));
        }
        let out = req.key_condition_expression(cond).send().await.map_err(store_err)?;
        Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
    }

    /// Newest-first paging over one partition, keeping items that pass `keep`, with the sort
    /// key of the last returned item as the cursor.
    async fn page_desc<T: DeserializeOwned>(
        &self,
        pk: String,
        limit: usize,
        cursor: Option<&str>,
        keep: impl Fn(&T) -> bool,
    ) -> StoreResult<Page<T>> {
        let limit = limit.max(1);
        let mut start = cursor.map(|c| HashMap::from([("pk".to_string(), s(pk.clone())), ("sk".to_string(), s(c))]));
        let mut items = Vec::new();
        let mut last_sk = None;
        loop {
            let (page, lek) = self
                .query(Query { forward: false, limit: Some(limit as i32 + 1), start, ..Query::table(pk.clone()) })
                .await?;
            for it in page {
                let v: T = doc(&it)?;
                if !keep(&v) {
                    last_sk = get_s(&it, "sk").map(str::to_string);
                    continue;
                }
                if items.len() == limit {
                    // There is at least one more: the cursor is the last item returned.
                    return Ok(Page { items, next: last_sk });
                }
                last_sk = get_s(&it, "sk").map(str::to_string);
                items.push(v);
            }
            match lek {
                Some(k) => start = Some(k),
                None => return Ok(Page { items, next: None }),
            }
        }
    }
}

#[async_trait]
impl IntegrationStore for DynamoStore {
    async fn create(&self, i: &Integration) -> StoreResult<()> {
        let res = self.put_integration(i, 1)?.condition_expression("attribute_not_exists(pk)").send().await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                Err(StoreError::Conflict(format!("integration {} exists", i.id)))
            }
            Err(e) => Err(store_err(e)),
        }
    }

    async fn get(&self, id: &IntegrationId) -> StoreResult<Option<Integration>> {
        match self.get_item(int_pk(id), "META".into()).await? {
            Some(item) => {
                let mut i: Integration = doc(&item)?;
                i.version = get_n(&item, "version").unwrap_or(i.version as i64) as u64;
                Ok(Some(i))
            }
            None => Ok(None),
        }
    }

    async fn update(&self, i: &Integration) -> StoreResult<u64> {
        let next = i.version + 1;
        let res = self
            .put_integration(i, next)?
            .condition_expression("attribute_exists(pk) AND version = :v")
            .expression_attribute_values(":v", n(i.version as i64))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match res {
            Ok(_) => Ok(next),
            Err(e) => match e.as_service_error() {
                Some(se) if se.is_conditional_check_failed_exception() => {
                    let old = match &se {
                        aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => {
                            c.item().and_then(|it| get_n(it, "version"))
                        }
                        _ => None,
                    };
                    match old {
                        None => Err(StoreError::NotFound(format!("integration {}", i.id))),
                        Some(v) => Err(StoreError::Conflict(format!(
                            "integration {} is at version {v}, not {}",
                            i.id, i.version
                        ))),
                    }
                }
                _ => Err(store_err(e)),
            },
        }
    }

    async fn list_for_merchant(&self, merchant: &MerchantId) -> StoreResult<Vec<Integration>> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let (items, lek) =
                self.query(Query { start, ..Query::gsi("gsi1", "gsi1pk", format!("MERCHANT#{merchant}")) }).await?;
            for it in &items {
                let mut i: Integration = doc(it)?;
                i.version = get_n(it, "version").unwrap_or(i.version as i64) as u64;
                out.push(i);
            }
            match lek {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    async fn find_by_store(&self, platform: Platform, store_ref: &str) -> StoreResult<Option<Integration>> {
        let (items, _) = self.query(Query::gsi("gsi2", "gsi2pk", format!("STORE#{platform}#{store_ref}"))).await?;
        for it in &items {
            let mut i: Integration = doc(it)?;
            i.version = get_n(it, "version").unwrap_or(i.version as i64) as u64;
            if i.state != IntegrationState::Disconnected {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl LinkStore for DynamoStore {
    async fn create(&self, link: &Link) -> StoreResult<()> {
        let pk = link_pk(&link.integration_id, link.entity);
        let mut pos = Put::builder()
            .table_name(&self.table)
            .item("pk", s(pk.clone()))
            .item("sk", s(format!("POS#{}", link.pos_id)))
            .item("doc", to_doc(link)?)
            .condition_expression("attribute_not_exists(pk)");
        if let Some(sku) = &link.sku {
            pos = pos
                .item("gsi1pk", s(format!("INT#{}#SKU#{}", link.integration_id, link.entity)))
                .item("gsi1sk", s(sku.key()));
        }
        let plt = Put::builder()
            .table_name(&self.table)
            .item("pk", s(pk))
            .item("sk", s(format!("PLT#{}", link.platform_id)))
            .item("pos_id", s(link.pos_id.to_string()))
            .condition_expression("attribute_not_exists(pk)");
        let res = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(pos.build().map_err(build_err)?).build())
            .transact_items(TransactWriteItem::builder().put(plt.build().map_err(build_err)?).build())
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) => {
                use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError as E;
                if let Some(E::TransactionCanceledException(tc)) = e.as_service_error() {
                    let reasons: Vec<&str> = tc.cancellation_reasons().iter().filter_map(|r| r.code()).collect();
                    if reasons.contains(&"ConditionalCheckFailed") {
                        let side = if reasons.first() == Some(&"ConditionalCheckFailed") {
                            format!("{} {} is already linked", link.entity, link.pos_id)
                        } else {
                            format!("platform {} {} is already linked", link.entity, link.platform_id)
                        };
                        return Err(StoreError::Conflict(side));
                    }
                    // Cancelled because a concurrent transaction touched the same items: transient.
                    return Err(StoreError::Unavailable(Box::new(e)));
                }
                Err(store_err(e))
            }
        }
    }

    async fn by_pos(&self, i: &IntegrationId, e: EntityKind, pos: &PosId) -> StoreResult<Option<Link>> {
        self.get_item(link_pk(i, e), format!("POS#{pos}")).await?.map(|it| doc(&it)).transpose()
    }

    async fn by_platform(&self, i: &IntegrationId, e: EntityKind, p: &PlatformId) -> StoreResult<Option<Link>> {
        let Some(it) = self.get_item(link_pk(i, e), format!("PLT#{p}")).await? else {
            return Ok(None);
        };
        let pos = get_s(&it, "pos_id").ok_or_else(|| StoreError::Permanent("link item has no pos_id".into()))?;
        let pos = PosId::parse(pos).map_err(|e| StoreError::Permanent(e.to_string()))?;
        self.by_pos(i, e, &pos).await
    }

    async fn by_sku(&self, i: &IntegrationId, e: EntityKind, sku: &Sku) -> StoreResult<Option<Link>> {
        let (items, _) = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :pk AND gsi1sk = :sk")
            .expression_attribute_values(":pk", s(format!("INT#{i}#SKU#{e}")))
            .expression_attribute_values(":sk", s(sku.key()))
            .limit(1)
            .send()
            .await
            .map(|o| (o.items.unwrap_or_default(), o.last_evaluated_key))
            .map_err(store_err)?;
        items.first().map(doc).transpose()
    }

    async fn delete(&self, i: &IntegrationId, e: EntityKind, pos: &PosId) -> StoreResult<()> {
        let Some(link) = self.by_pos(i, e, pos).await? else {
            return Ok(());
        };
        let del =
            |sk: String| Delete::builder().table_name(&self.table).key("pk", s(link_pk(i, e))).key("sk", s(sk)).build();
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(del(format!("POS#{pos}")).map_err(build_err)?).build())
            .transact_items(
                TransactWriteItem::builder()
                    .delete(del(format!("PLT#{}", link.platform_id)).map_err(build_err)?)
                    .build(),
            )
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }
}

#[async_trait]
impl SyncStatusStore for DynamoStore {
    async fn put(&self, st: &SyncStatus) -> StoreResult<()> {
        let pk = status_pk(&st.integration_id, st.entity);
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(pk.clone()))
            .item("sk", s(st.record_id.clone()))
            .item("gsi2pk", s(format!("{pk}#{}", state_str(st.state))))
            .item("gsi2sk", s(st.record_id.clone()))
            .item("doc", to_doc(st)?)
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn get(&self, i: &IntegrationId, e: EntityKind, record_id: &str) -> StoreResult<Option<SyncStatus>> {
        self.get_item(status_pk(i, e), record_id.to_string()).await?.map(|it| doc(&it)).transpose()
    }

    async fn list(
        &self,
        i: &IntegrationId,
        e: EntityKind,
        state: Option<SyncState>,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<Page<SyncStatus>> {
        let pk = status_pk(i, e);
        let limit = limit.max(1);
        let (index, pk_attr, key) = match state {
            Some(st) => (Some("gsi2"), "gsi2pk", format!("{pk}#{}", state_str(st))),
            None => (None, "pk", pk.clone()),
        };
        let start = cursor.map(|c| {
            let mut k = HashMap::from([("pk".to_string(), s(pk.clone())), ("sk".to_string(), s(c))]);
            if state.is_some() {
                k.insert("gsi2pk".into(), s(key.clone()));
                k.insert("gsi2sk".into(), s(c));
            }
            k
        });
        let (items, _) =
            self.query(Query { index, pk_attr, limit: Some(limit as i32 + 1), start, ..Query::table(key) }).await?;
        let mut out: Vec<SyncStatus> = items.iter().map(doc).collect::<StoreResult<_>>()?;
        let next = if out.len() > limit {
            out.truncate(limit);
            out.last().map(|x| x.record_id.clone())
        } else {
            None
        };
        Ok(Page { items: out, next })
    }
}

#[async_trait]
impl ProcessLog for DynamoStore {
    async fn put(&self, run: &ProcessRun) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("INT#{}#RUN", run.integration_id)))
            .item("sk", s(format!("{:012}#{}", run.started_at, run.run_id)))
            .item("doc", to_doc(run)?)
            .item("expires_at", n(run.started_at + LOG_TTL_SECS))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn list(&self, i: &IntegrationId, limit: usize, cursor: Option<&str>) -> StoreResult<Page<ProcessRun>> {
        self.page_desc(format!("INT#{i}#RUN"), limit, cursor, |_: &ProcessRun| true).await
    }
}

#[async_trait]
impl ErrorLog for DynamoStore {
    async fn record(&self, e: &ErrorEntry) -> StoreResult<()> {
        let sk = format!("{:012}#{}", e.at, e.entry_id);
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("INT#{}#ERR", e.integration_id)))
            .item("sk", s(sk.clone()))
            .item("gsi1pk", s(format!("INT#{}#ERRREC#{}#{}", e.integration_id, e.entity, e.record_id)))
            .item("gsi1sk", s(sk))
            .item("doc", to_doc(e)?)
            .item("expires_at", n(e.at + LOG_TTL_SECS))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn list(
        &self,
        i: &IntegrationId,
        filter: &ErrorFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<Page<ErrorEntry>> {
        self.page_desc(format!("INT#{i}#ERR"), limit, cursor, |e: &ErrorEntry| {
            filter.entity.is_none_or(|en| en == e.entity) && !(filter.unresolved_only && e.resolved)
        })
        .await
    }

    async fn resolve(&self, i: &IntegrationId, e: EntityKind, record_id: &str) -> StoreResult<u64> {
        let mut resolved = 0;
        let mut start = None;
        loop {
            let (items, lek) = self
                .query(Query { start, ..Query::gsi("gsi1", "gsi1pk", format!("INT#{i}#ERRREC#{e}#{record_id}")) })
                .await?;
            for it in &items {
                let mut entry: ErrorEntry = doc(it)?;
                if entry.resolved {
                    continue;
                }
                entry.resolved = true;
                let (Some(pk), Some(sk)) = (get_s(it, "pk"), get_s(it, "sk")) else { continue };
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", s(pk))
                    .key("sk", s(sk))
                    .update_expression("SET doc = :d")
                    .expression_attribute_values(":d", to_doc(&entry)?)
                    .condition_expression("attribute_exists(pk)")
                    .send()
                    .await
                    .map_err(store_err)?;
                resolved += 1;
            }
            match lek {
                Some(k) => start = Some(k),
                None => return Ok(resolved),
            }
        }
    }
}

#[async_trait]
impl IdempotencyStore for DynamoStore {
    async fn claim(&self, key: &str, now: i64, lease_secs: i64) -> StoreResult<Claim> {
        let token = uuid::Uuid::new_v4().to_string();
        // One conditional put covers every claimable case: no record, an abandoned lease, or a
        // completed record past its TTL (TTL deletion is lazy, so it may still be there).
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("IDEM#{key}")))
            .item("sk", s("IDEM"))
            .item("token", s(token.clone()))
            .item("lease_until", n(now + lease_secs))
            .item("expires_at", n(now + lease_secs + ABANDONED_CLAIM_TTL_SECS))
            .condition_expression(
                "attribute_not_exists(pk) OR (attribute_not_exists(done_result) AND lease_until <= :now) \
                 OR expires_at <= :now",
            )
            .expression_attribute_values(":now", n(now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match res {
            Ok(_) => Ok(Claim::Claimed(token)),
            Err(e) => {
                use aws_sdk_dynamodb::operation::put_item::PutItemError as E;
                match e.as_service_error() {
                    Some(E::ConditionalCheckFailedException(c)) => {
                        match c.item().and_then(|it| get_s(it, "done_result")) {
                            Some(r) => Ok(Claim::Done(r.to_string())),
                            None => Ok(Claim::InProgress),
                        }
                    }
                    _ => Err(store_err(e)),
                }
            }
        }
    }

    async fn complete(&self, key: &str, token: &str, result: &str, now: i64, ttl_secs: i64) -> StoreResult<()> {
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(format!("IDEM#{key}")))
            .key("sk", s("IDEM"))
            .update_expression("SET done_result = :r, expires_at = :x")
            .condition_expression("#t = :t AND attribute_not_exists(done_result)")
            .expression_attribute_names("#t", "token")
            .expression_attribute_values(":r", s(result))
            .expression_attribute_values(":x", n(now + ttl_secs))
            .expression_attribute_values(":t", s(token))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                Err(StoreError::Conflict(format!("lease on {key} was lost")))
            }
            Err(e) => Err(store_err(e)),
        }
    }

    async fn release(&self, key: &str, token: &str) -> StoreResult<()> {
        let res = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(format!("IDEM#{key}")))
            .key("sk", s("IDEM"))
            .condition_expression("#t = :t AND attribute_not_exists(done_result)")
            .expression_attribute_names("#t", "token")
            .expression_attribute_values(":t", s(token))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                Err(StoreError::Conflict(format!("lease on {key} was lost")))
            }
            Err(e) => Err(store_err(e)),
        }
    }
}

#[async_trait]
impl FirstSyncStore for DynamoStore {
    async fn put(&self, p: &FirstSyncProgress) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(int_pk(&p.integration_id)))
            .item("sk", s(format!("FIRSTSYNC#{}", p.entity)))
            .item("doc", to_doc(p)?)
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn list(&self, i: &IntegrationId) -> StoreResult<Vec<FirstSyncProgress>> {
        let (items, _) = self.query(Query { sk_prefix: Some("FIRSTSYNC#".into()), ..Query::table(int_pk(i)) }).await?;
        items.iter().map(doc).collect()
    }
}
