//! In-process storage: every storage port over one mutex-guarded state. Used by `make run`
//! and unit tests; it honours the same conditions the DynamoDB adapter enforces.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::model::{EntityKind, IntegrationId, MerchantId, Platform, PlatformId, PosId, Sku};
use crate::ports::*;

#[derive(Debug, Clone)]
struct Idem {
    token: String,
    done: Option<String>,
    lease_until: i64,
    expires_at: Option<i64>,
}

#[derive(Default)]
struct State {
    integrations: BTreeMap<String, Integration>,
    /// (integration, entity, pos id) -> link
    links_pos: BTreeMap<(String, EntityKind, String), Link>,
    /// (integration, entity, platform id) -> pos id
    links_platform: BTreeMap<(String, EntityKind, String), String>,
    /// (integration, entity, sku key) -> pos id
    links_sku: BTreeMap<(String, EntityKind, String), String>,
    status: BTreeMap<(String, EntityKind, String), SyncStatus>,
    /// (integration, sort key) -> run; the sort key orders oldest first.
    runs: BTreeMap<(String, String), ProcessRun>,
    errors: BTreeMap<(String, String), ErrorEntry>,
    idem: HashMap<String, Idem>,
    first_sync: BTreeMap<(String, EntityKind), FirstSyncProgress>,
}

/// Every storage port in memory. Cheap to clone; clones share state.
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// All ports backed by this one store.
    pub fn stores(&self) -> Stores {
        let s = Arc::new(self.clone());
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

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Newest-first paging over a BTreeMap range keyed by sort key; the cursor is the last sort key.
fn page_desc<T: Clone>(
    items: impl DoubleEndedIterator<Item = (String, T)>,
    limit: usize,
    cursor: Option<&str>,
    keep: impl Fn(&T) -> bool,
) -> Page<T> {
    let mut out = Vec::new();
    let mut last = None;
    let mut more = false;
    for (k, v) in items.rev() {
        if cursor.is_some_and(|c| k.as_str() >= c) {
            continue;
        }
        if !keep(&v) {
            continue;
        }
        if out.len() == limit {
            more = true;
            break;
        }
        last = Some(k);
        out.push(v);
    }
    Page { items: out, next: if more { last } else { None } }
}

pub(crate) fn run_sort_key(run: &ProcessRun) -> String {
    format!("{:012}#{}", run.started_at, run.run_id)
}

pub(crate) fn error_sort_key(e: &ErrorEntry) -> String {
    format!("{:012}#{}", e.at, e.entry_id)
}

#[async_trait]
impl IntegrationStore for MemoryStore {
    async fn create(&self, i: &Integration) -> StoreResult<()> {
        let mut s = self.lock();
        if s.integrations.contains_key(i.id.as_str()) {
            return Err(StoreError::Conflict(format!("integration {} exists", i.id)));
        }
        let mut i = i.clone();
        i.version = 1;
        s.integrations.insert(i.id.to_string(), i);
        Ok(())
    }

    async fn get(&self, id: &IntegrationId) -> StoreResult<Option<Integration>> {
        Ok(self.lock().integrations.get(id.as_str()).cloned())
    }

    async fn update(&self, i: &Integration) -> StoreResult<u64> {
        let mut s = self.lock();
        let cur = s
            .integrations
            .get_mut(i.id.as_str())
            .ok_or_else(|| StoreError::NotFound(format!("integration {}", i.id)))?;
        if cur.version != i.version {
            return Err(StoreError::Conflict(format!(
                "integration {} is at version {}, not {}",
                i.id, cur.version, i.version
            )));
        }
        *cur = i.clone();
        cur.version = i.version + 1;
        Ok(cur.version)
    }

    async fn list_for_merchant(&self, merchant: &MerchantId) -> StoreResult<Vec<Integration>> {
        Ok(self.lock().integrations.values().filter(|i| &i.merchant_id == merchant).cloned().collect())
    }

    async fn find_by_store(&self, platform: Platform, store_ref: &str) -> StoreResult<Option<Integration>> {
        Ok(self
            .lock()
            .integrations
            .values()
            .find(|i| i.platform == platform && i.store_ref == store_ref && i.state != IntegrationState::Disconnected)
            .cloned())
    }
}

#[async_trait]
impl LinkStore for MemoryStore {
    async fn create(&self, link: &Link) -> StoreResult<()> {
        let mut s = self.lock();
        let i = link.integration_id.to_string();
        let pk = (i.clone(), link.entity, link.pos_id.to_string());
        let fk = (i.clone(), link.entity, link.platform_id.to_string());
        if s.links_pos.contains_key(&pk) {
            return Err(StoreError::Conflict(format!("{} {} is already linked", link.entity, link.pos_id)));
        }
        if s.links_platform.contains_key(&fk) {
            return Err(StoreError::Conflict(format!(
                "platform {} {} is already linked",
                link.entity, link.platform_id
            )));
        }
        if let Some(sku) = &link.sku {
            s.links_sku.insert((i, link.entity, sku.key()), link.pos_id.to_string());
        }
        s.links_platform.insert(fk, link.pos_id.to_string());
        s.links_pos.insert(pk, link.clone());
        Ok(())
    }

    async fn by_pos(&self, i: &IntegrationId, e: EntityKind, pos: &PosId) -> StoreResult<Option<Link>> {
        Ok(self.lock().links_pos.get(&(i.to_string(), e, pos.to_string())).cloned())
    }

    async fn by_platform(&self, i: &IntegrationId, e: EntityKind, p: &PlatformId) -> StoreResult<Option<Link>> {
        let s = self.lock();
        Ok(s.links_platform
            .get(&(i.to_string(), e, p.to_string()))
            .and_then(|pos| s.links_pos.get(&(i.to_string(), e, pos.clone())))
            .cloned())
    }

    async fn by_sku(&self, i: &IntegrationId, e: EntityKind, sku: &Sku) -> StoreResult<Option<Link>> {
        let s = self.lock();
        Ok(s.links_sku
            .get(&(i.to_string(), e, sku.key()))
            .and_then(|pos| s.links_pos.get(&(i.to_string(), e, pos.clone())))
            .cloned())
    }

    async fn delete(&self, i: &IntegrationId, e: EntityKind, pos: &PosId) -> StoreResult<()> {
        let mut s = self.lock();
        if let Some(link) = s.links_pos.remove(&(i.to_string(), e, pos.to_string())) {
            s.links_platform.remove(&(i.to_string(), e, link.platform_id.to_string()));
            if let Some(sku) = &link.sku {
                s.links_sku.remove(&(i.to_string(), e, sku.key()));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl SyncStatusStore for MemoryStore {
    async fn put(&self, st: &SyncStatus) -> StoreResult<()> {
        self.lock().status.insert((st.integration_id.to_string(), st.entity, st.record_id.clone()), st.clone());
        Ok(())
    }

    async fn get(&self, i: &IntegrationId, e: EntityKind, record_id: &str) -> StoreResult<Option<SyncStatus>> {
        Ok(self.lock().status.get(&(i.to_string(), e, record_id.to_string())).cloned())
    }

    async fn list(
        &self,
        i: &IntegrationId,
        e: EntityKind,
        state: Option<SyncState>,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<Page<SyncStatus>> {
        let s = self.lock();
        let mut items = Vec::new();
        let mut next = None;
        for ((ii, ee, rid), v) in s.status.iter() {
            if ii != i.as_str() || *ee != e || cursor.is_some_and(|c| rid.as_str() <= c) {
                continue;
            }
            if state.is_some_and(|st| st != v.state) {
                continue;
            }
            if items.len() == limit {
                next = items.last().map(|x: &SyncStatus| x.record_id.clone());
                break;
            }
            items.push(v.clone());
        }
        Ok(Page { items, next })
    }
}

#[async_trait]
impl ProcessLog for MemoryStore {
    async fn put(&self, run: &ProcessRun) -> StoreResult<()> {
        self.lock().runs.insert((run.integration_id.to_string(), run_sort_key(run)), run.clone());
        Ok(())
    }

    async fn list(&self, i: &IntegrationId, limit: usize, cursor: Option<&str>) -> StoreResult<Page<ProcessRun>> {
        let s = self.lock();
        let it = s.runs.iter().filter(|((ii, _), _)| ii == i.as_str()).map(|((_, k), v)| (k.clone(), v.clone()));
        Ok(page_desc(it.collect::<Vec<_>>().into_iter(), limit, cursor, |_| true))
    }
}

#[async_trait]
impl ErrorLog for MemoryStore {
    async fn record(&self, e: &ErrorEntry) -> StoreResult<()> {
        self.lock().errors.insert((e.integration_id.to_string(), error_sort_key(e)), e.clone());
        Ok(())
    }

    async fn list(
        &self,
        i: &IntegrationId,
        filter: &ErrorFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<Page<ErrorEntry>> {
        let s = self.lock();
        let it = s.errors.iter().filter(|((ii, _), _)| ii == i.as_str()).map(|((_, k), v)| (k.clone(), v.clone()));
        Ok(page_desc(it.collect::<Vec<_>>().into_iter(), limit, cursor, |e| {
            filter.entity.is_none_or(|en| en == e.entity) && !(filter.unresolved_only && e.resolved)
        }))
    }

    async fn resolve(&self, i: &IntegrationId, e: EntityKind, record_id: &str) -> StoreResult<u64> {
        let mut s = self.lock();
        let mut n = 0;
        for ((ii, _), v) in s.errors.iter_mut() {
            if ii == i.as_str() && v.entity == e && v.record_id == record_id && !v.resolved {
                v.resolved = true;
                n += 1;
            }
        }
        Ok(n)
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn claim(&self, key: &str, now: i64, lease_secs: i64) -> StoreResult<Claim> {
        let mut s = self.lock();
        if let Some(cur) = s.idem.get(key) {
            let expired = cur.expires_at.is_some_and(|x| x <= now);
            if !expired {
                if let Some(r) = &cur.done {
                    return Ok(Claim::Done(r.clone()));
                }
                if cur.lease_until > now {
                    return Ok(Claim::InProgress);
                }
            }
        }
        let token = uuid::Uuid::new_v4().to_string();
        s.idem.insert(
            key.to_string(),
            Idem { token: token.clone(), done: None, lease_until: now + lease_secs, expires_at: None },
        );
        Ok(Claim::Claimed(token))
    }

    async fn complete(&self, key: &str, token: &str, result: &str, now: i64, ttl_secs: i64) -> StoreResult<()> {
        let mut s = self.lock();
        match s.idem.get_mut(key) {
            Some(cur) if cur.token == token && cur.done.is_none() => {
                cur.done = Some(result.to_string());
                cur.expires_at = Some(now + ttl_secs);
                Ok(())
            }
            _ => Err(StoreError::Conflict(format!("lease on {key} was lost"))),
        }
    }

    async fn release(&self, key: &str, token: &str) -> StoreResult<()> {
        let mut s = self.lock();
        if s.idem.get(key).is_some_and(|c| c.token == token && c.done.is_none()) {
            s.idem.remove(key);
            Ok(())
        } else {
            Err(StoreError::Conflict(format!("lease on {key} was lost")))
        }
    }
}

#[async_trait]
impl FirstSyncStore for MemoryStore {
    async fn put(&self, p: &FirstSyncProgress) -> StoreResult<()> {
        self.lock().first_sync.insert((p.integration_id.to_string(), p.entity), p.clone());
        Ok(())
    }

    async fn list(&self, i: &IntegrationId) -> StoreResult<Vec<FirstSyncProgress>> {
        Ok(self.lock().first_sync.iter().filter(|((ii, _), _)| ii == i.as_str()).map(|(_, v)| v.clone()).collect())
    }
}
