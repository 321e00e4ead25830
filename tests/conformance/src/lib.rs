//! The conformance suite: behaviour every adapter of a port must show, written once against the
//! port traits and run against both the embedded adapters and the DynamoDB/SQS adapters
//! (`tests/it`). Each check panics with a message naming the broken rule.

pub mod rate;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use posbridge_domain::model::*;
use posbridge_domain::ports::*;

fn iid(s: &str) -> IntegrationId {
    IntegrationId::parse(s).unwrap()
}

fn integration(id: &str, merchant: &str, store: &str) -> Integration {
    Integration {
        id: iid(id),
        merchant_id: MerchantId::parse(merchant).unwrap(),
        platform: Platform::BigCommerce,
        store_ref: store.into(),
        state: IntegrationState::Connected,
        settings: serde_json::json!({"outlet": "o1"}),
        credentials: vec![1, 2, 3, 255],
        version: 0,
        created_at: 1_700_000_000,
        updated_at: 1_700_000_000,
    }
}

fn link(i: &str, pos: &str, platform: &str, sku: Option<&str>) -> Link {
    Link {
        integration_id: iid(i),
        entity: EntityKind::Product,
        pos_id: PosId::parse(pos).unwrap(),
        platform_id: PlatformId::parse(platform).unwrap(),
        sku: sku.map(|s| Sku::parse(s).unwrap()),
        created_at: 1_700_000_000,
    }
}

/// Integrations: create once, optimistic updates with a typed conflict, lookups.
pub async fn integrations(s: &Stores, prefix: &str) {
    let id = format!("{prefix}-int");
    let i = integration(&id, &format!("{prefix}-m"), &format!("{prefix}-store"));
    s.integrations.create(&i).await.expect("create");
    let again = s.integrations.create(&i).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "second create must conflict: {again:?}");

    let got = s.integrations.get(&i.id).await.unwrap().expect("stored");
    assert_eq!(got.version, 1);
    assert_eq!(got.credentials, vec![1, 2, 3, 255]);

    // Two writers read version 1; exactly one update wins, the other gets a typed Conflict.
    let mut a = got.clone();
    a.state = IntegrationState::Configured;
    let mut b = got.clone();
    b.state = IntegrationState::Paused;
    let (ra, rb) = tokio::join!(s.integrations.update(&a), s.integrations.update(&b));
    let wins = [&ra, &rb].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "exactly one concurrent update wins: {ra:?} {rb:?}");
    let loser = if ra.is_err() { ra } else { rb };
    assert!(matches!(loser, Err(StoreError::Conflict(_))), "the loser sees Conflict: {loser:?}");
    let now = s.integrations.get(&i.id).await.unwrap().unwrap();
    assert_eq!(now.version, 2);

    let mut missing = integration(&format!("{prefix}-nope"), "m", "x");
    missing.version = 1;
    assert!(matches!(s.integrations.update(&missing).await, Err(StoreError::NotFound(_))));

    let merchant = MerchantId::parse(format!("{prefix}-m")).unwrap();
    let list = s.integrations.list_for_merchant(&merchant).await.unwrap();
    assert_eq!(list.len(), 1);
    let other = MerchantId::parse(format!("{prefix}-other")).unwrap();
    assert!(s.integrations.list_for_merchant(&other).await.unwrap().is_empty(), "merchants are isolated");
    let found = s.integrations.find_by_store(Platform::BigCommerce, &format!("{prefix}-store")).await.unwrap();
    assert_eq!(found.map(|f| f.id), Some(i.id.clone()));
    assert!(s.integrations.find_by_store(Platform::Ecwid, &format!("{prefix}-store")).await.unwrap().is_none());
}

/// Links: 50 concurrent creators of the same link, exactly one wins, on both uniqueness keys.
pub async fn link_races(s: &Stores, prefix: &str) {
    let i = format!("{prefix}-links");
    // Same POS record, 50 different platform twins: one wins.
    let mut tasks = Vec::new();
    for n in 0..50 {
        let links = s.links.clone();
        let l = link(&i, "p-1", &format!("bc-{n}"), Some("SKU-A"));
        tasks.push(tokio::spawn(async move { links.create(&l).await }));
    }
    let results = futures_join(tasks).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "exactly one of 50 creators of POS p-1 wins");
    for r in &results {
        if let Err(e) = r {
            assert!(matches!(e, StoreError::Conflict(_)), "losers get Conflict, got {e:?}");
        }
    }
    // Same platform record, 50 different POS records: one wins.
    let mut tasks = Vec::new();
    for n in 0..50 {
        let links = s.links.clone();
        let l = link(&i, &format!("q-{n}"), "bc-shared", None);
        tasks.push(tokio::spawn(async move { links.create(&l).await }));
    }
    let ok = futures_join(tasks).await.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "exactly one of 50 creators of platform bc-shared wins");

    // Lookups: both directions and SKU (case-insensitive).
    let ii = iid(&i);
    let won = s.links.by_pos(&ii, EntityKind::Product, &PosId::parse("p-1").unwrap()).await.unwrap().unwrap();
    let back = s.links.by_platform(&ii, EntityKind::Product, &won.platform_id).await.unwrap().unwrap();
    assert_eq!(back, won);
    let by_sku = s.links.by_sku(&ii, EntityKind::Product, &Sku::parse("sku-a").unwrap()).await.unwrap();
    assert_eq!(by_sku, Some(won.clone()), "SKU lookup ignores case");
    // Entity kinds and integrations are separate namespaces.
    assert!(s.links.by_pos(&ii, EntityKind::Customer, &won.pos_id).await.unwrap().is_none());
    assert!(s.links.by_pos(&iid("someone-else"), EntityKind::Product, &won.pos_id).await.unwrap().is_none());
    // Delete frees both keys.
    s.links.delete(&ii, EntityKind::Product, &won.pos_id).await.unwrap();
    assert!(s.links.by_platform(&ii, EntityKind::Product, &won.platform_id).await.unwrap().is_none());
    s.links.create(&link(&i, "p-1", "bc-new", None)).await.expect("re-link after delete");
}

async fn futures_join<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("task panicked"));
    }
    out
}

/// Idempotency: one claimer of many, results recorded, abandoned leases reclaimable, TTL.
pub async fn idempotency(s: &Stores, prefix: &str) {
    let key = format!("{prefix}-evt-1");
    let now = 1_800_000_000;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let idem = s.idempotency.clone();
        let k = key.clone();
        tasks.push(tokio::spawn(async move { idem.claim(&k, now, 30).await }));
    }
    let claims: Vec<Claim> = futures_join(tasks).await.into_iter().map(|r| r.expect("claim")).collect();
    let winners: Vec<&Claim> = claims.iter().filter(|c| matches!(c, Claim::Claimed(_))).collect();
    assert_eq!(winners.len(), 1, "exactly one of 20 concurrent claimers wins: {claims:?}");
    assert!(claims.iter().all(|c| matches!(c, Claim::Claimed(_) | Claim::InProgress)));
    let Claim::Claimed(token) = winners[0].clone() else { unreachable!() };

    assert!(
        matches!(s.idempotency.complete(&key, "not-my-token", "x", now, 60).await, Err(StoreError::Conflict(_))),
        "a stale token cannot complete"
    );
    s.idempotency.complete(&key, &token, "applied:42", now + 1, 3600).await.expect("complete");
    assert_eq!(s.idempotency.claim(&key, now + 2, 30).await.unwrap(), Claim::Done("applied:42".into()));
    // After its TTL a completed key may be claimed again (real TTL deletion is lazy).
    assert!(matches!(s.idempotency.claim(&key, now + 3602, 30).await.unwrap(), Claim::Claimed(_)));

    // A worker that died: its lease runs out and another claims the key; the dead one's late
    // completion is refused.
    let k2 = format!("{prefix}-evt-2");
    let Claim::Claimed(dead) = s.idempotency.claim(&k2, now, 10).await.unwrap() else { panic!("first claim") };
    assert_eq!(s.idempotency.claim(&k2, now + 5, 10).await.unwrap(), Claim::InProgress);
    let Claim::Claimed(alive) = s.idempotency.claim(&k2, now + 11, 10).await.unwrap() else {
        panic!("an expired lease must be claimable")
    };
    assert!(matches!(s.idempotency.complete(&k2, &dead, "late", now + 12, 60).await, Err(StoreError::Conflict(_))));
    s.idempotency.complete(&k2, &alive, "ok", now + 12, 60).await.unwrap();

    // Release gives the key back at once.
    let k3 = format!("{prefix}-evt-3");
    let Claim::Claimed(t3) = s.idempotency.claim(&k3, now, 300).await.unwrap() else { panic!() };
    s.idempotency.release(&k3, &t3).await.unwrap();
    assert!(matches!(s.idempotency.claim(&k3, now + 1, 300).await.unwrap(), Claim::Claimed(_)));
}

/// Sync status: upsert, filter by state, page without gaps or repeats.
pub async fn sync_status(s: &Stores, prefix: &str) {
    let i = iid(&format!("{prefix}-status"));
    for n in 0..23 {
        let st = SyncStatus {
            integration_id: i.clone(),
            entity: EntityKind::Product,
            record_id: format!("r{n:03}"),
            state: if n % 3 == 0 { SyncState::Failed } else { SyncState::Synced },
            connector: Platform::WooCommerce,
            action: Some(SyncAction::Created),
            error_advice: (n % 3 == 0).then(|| "Add a SKU to this product, then press SYNC NOW".into()),
            last_sync: 1_700_000_000 + n,
        };
        s.status.put(&st).await.unwrap();
    }
    // Overwrite: r000 turns green.
    let mut fixed = s.status.get(&i, EntityKind::Product, "r000").await.unwrap().unwrap();
    fixed.state = SyncState::Synced;
    fixed.action = Some(SyncAction::Updated);
    fixed.error_advice = None;
    s.status.put(&fixed).await.unwrap();

    let all = collect_status(s, &i, None, 5).await;
    assert_eq!(all.len(), 23, "paging returns every record once");
    let failed = collect_status(s, &i, Some(SyncState::Failed), 3).await;
    assert_eq!(failed.len(), 7, "8 failed minus the one fixed");
    assert!(failed.iter().all(|f| f.state == SyncState::Failed && f.record_id != "r000"));
    assert!(s.status.get(&i, EntityKind::Customer, "r001").await.unwrap().is_none());
}

async fn collect_status(s: &Stores, i: &IntegrationId, st: Option<SyncState>, page: usize) -> Vec<SyncStatus> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = s.status.list(i, EntityKind::Product, st, page, cursor.as_deref()).await.unwrap();
        assert!(p.items.len() <= page);
        out.extend(p.items);
        match p.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let ids: HashSet<&str> = out.iter().map(|x| x.record_id.as_str()).collect();
    assert_eq!(ids.len(), out.len(), "no record appears twice across pages");
    out
}

/// Process log and error log: newest first, paged, filtered; resolving errors.
pub async fn logs(s: &Stores, prefix: &str) {
    let i = iid(&format!("{prefix}-logs"));
    for n in 0..25i64 {
        s.process_log
            .put(&ProcessRun {
                integration_id: i.clone(),
                run_id: format!("run-{n:02}"),
                trigger: "webhook".into(),
                entity: Some(EntityKind::Product),
                started_at: 1_700_000_000 + n,
                finished_at: Some(1_700_000_001 + n),
                created: n as u64,
                updated: 0,
                skipped: 0,
                failed: 0,
            })
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let p = s.process_log.list(&i, 10, cursor.as_deref()).await.unwrap();
        pages += 1;
        seen.extend(p.items.into_iter().map(|r| r.run_id));
        match p.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 3, "25 runs in pages of 10");
    let expected: Vec<String> = (0..25).rev().map(|n| format!("run-{n:02}")).collect();
    assert_eq!(seen, expected, "newest first, each once");

    for n in 0..12i64 {
        let entity = if n % 2 == 0 { EntityKind::Order } else { EntityKind::Customer };
        s.errors
            .record(&ErrorEntry {
                integration_id: i.clone(),
                entry_id: format!("e{n:02}"),
                entity,
                record_id: format!("rec-{}", n % 4),
                code: "customer_not_synced".into(),
                message: "The order's customer is not synced yet".into(),
                advice: "Sync the customer first; the order is retried when it is".into(),
                at: 1_700_000_000 + n,
                resolved: false,
            })
            .await
            .unwrap();
    }
    let orders = ErrorFilter { entity: Some(EntityKind::Order), unresolved_only: false };
    let mut got = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = s.errors.list(&i, &orders, 4, cursor.as_deref()).await.unwrap();
        got.extend(p.items.iter().map(|e| e.entry_id.clone()));
        assert!(p.items.iter().all(|e| e.entity == EntityKind::Order));
        match p.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(got, vec!["e10", "e08", "e06", "e04", "e02", "e00"], "filtered, newest first");
    // rec-0 has orders e00, e04, e08.
    let n = s.errors.resolve(&i, EntityKind::Order, "rec-0").await.unwrap();
    assert_eq!(n, 3);
    let open = ErrorFilter { entity: Some(EntityKind::Order), unresolved_only: true };
    let p = s.errors.list(&i, &open, 50, None).await.unwrap();
    assert_eq!(p.items.iter().map(|e| e.entry_id.as_str()).collect::<Vec<_>>(), vec!["e10", "e06", "e02"]);
    assert_eq!(s.errors.resolve(&i, EntityKind::Order, "rec-0").await.unwrap(), 0, "resolving twice is a no-op");
}

/// First-sync progress per entity.
pub async fn first_sync(s: &Stores, prefix: &str) {
    let i = iid(&format!("{prefix}-fs"));
    for (e, done) in [(EntityKind::Product, 10), (EntityKind::Customer, 3), (EntityKind::Product, 20)] {
        s.first_sync
            .put(&FirstSyncProgress {
                integration_id: i.clone(),
                entity: e,
                total: Some(40),
                done,
                failed: 0,
                cursor: Some(format!("page-{done}")),
                finished: false,
                updated_at: 1,
            })
            .await
            .unwrap();
    }
    let mut got = s.first_sync.list(&i).await.unwrap();
    got.sort_by_key(|p| p.entity);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].entity, EntityKind::Product);
    assert_eq!(got[0].done, 20, "progress is overwritten, not appended");
}

/// Every store check.
pub async fn all_store_checks(s: &Stores, prefix: &str) {
    integrations(s, prefix).await;
    link_races(s, prefix).await;
    idempotency(s, prefix).await;
    sync_status(s, prefix).await;
    logs(s, prefix).await;
    first_sync(s, prefix).await;
}

fn job(record: &str, event: &str) -> Job {
    Job {
        integration_id: iid("q-int"),
        entity: EntityKind::Product,
        record_id: record.into(),
        source: Side::Pos,
        change: "updated".into(),
        event_id: event.into(),
        priority: 0,
    }
}

/// Queue semantics. The queue must be fresh, with visibility timeout `vis` and max receives 2.
pub async fn queue(q: Arc<dyn JobQueue>, vis: Duration) {
    let wait = 1_000;
    // FIFO within a group, and the group is locked while one of its jobs is in flight; another
    // group is served meanwhile.
    for n in 0..3 {
        q.send(&job("a", &format!("e{n}"))).await.unwrap();
    }
    q.send(&job("b", "e0")).await.unwrap();
    // Deduplication: the same event three more times is not enqueued again.
    for _ in 0..3 {
        q.send(&job("a", "e0")).await.unwrap();
    }
    let mut order = Vec::new();
    let mut b_seen = false;
    for _ in 0..10 {
        let got = q.receive(10, wait).await.unwrap();
        // While this batch is in flight, no other receive may get a job of its groups.
        let groups: HashSet<String> = got.iter().map(|r| r.job.group_id()).collect();
        let meanwhile = q.receive(10, 200).await.unwrap();
        for r in &meanwhile {
            assert!(!groups.contains(&r.job.group_id()), "a group's jobs were handed to two receivers: {r:?}");
        }
        for r in got.iter().chain(meanwhile.iter()) {
            if r.job.record_id == "a" {
                order.push(r.job.event_id.clone());
            } else {
                b_seen = true;
            }
            q.ack(&r.receipt).await.unwrap();
        }
        if order.len() == 3 && b_seen {
            break;
        }
    }
    assert_eq!(order, vec!["e0", "e1", "e2"], "FIFO within a group, duplicates dropped");
    assert!(b_seen, "the other group was served");
    assert!(q.receive(10, 500).await.unwrap().is_empty(), "nothing left: the duplicates were not enqueued");

    // Redelivery after the visibility timeout, with the receive count going up.
    q.send(&job("c", "e0")).await.unwrap();
    let first = q.receive(1, wait).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].receive_count, 1);
    assert!(q.receive(1, 200).await.unwrap().is_empty(), "invisible while in flight");
    tokio::time::sleep(vis + Duration::from_millis(300)).await;
    let second = q.receive(1, wait).await.unwrap();
    assert_eq!(second.len(), 1, "redelivered after the visibility timeout");
    assert_eq!(second[0].job, first[0].job);
    assert_eq!(second[0].receive_count, 2);

    // Dead-letter after max receives (2): the third receive finds it gone to the DLQ.
    tokio::time::sleep(vis + Duration::from_millis(300)).await;
    let third = q.receive(1, wait).await.unwrap();
    assert!(third.is_empty(), "a job past its max receives is not delivered again: {third:?}");
    let mut dead = Vec::new();
    for _ in 0..5 {
        dead = q.dead_letters(10).await.unwrap();
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(dead, vec![job("c", "e0")], "the job is parked in the dead-letter queue");

    // retry_later(0) makes a job visible again at once.
    q.send(&job("d", "e0")).await.unwrap();
    let r = q.receive(1, wait).await.unwrap();
    q.retry_later(&r[0].receipt, 0).await.unwrap();
    let again = q.receive(1, wait).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].job.record_id, "d");
    q.ack(&again[0].receipt).await.unwrap();
}

fn oauth_state(state: &str, merchant: &str, expires_at: i64) -> OAuthState {
    OAuthState {
        state: state.into(),
        merchant_id: MerchantId::parse(merchant).unwrap(),
        platform: "ecwid".into(),
        integration_id: None,
        store_ref: None,
        return_to: "https://app.example.com/done".into(),
        created_at: expires_at - 600,
        expires_at,
    }
}

/// OAuth states: single use under a race, never after expiry, no overwriting.
pub async fn oauth_states(s: Arc<dyn OAuthStates>, prefix: &str) {
    let now = 1_800_000_000;
    let st = format!("{prefix}-state-race");
    s.create(&oauth_state(&st, "m-1", now + 600)).await.expect("create state");
    assert!(
        matches!(s.create(&oauth_state(&st, "m-2", now + 600)).await, Err(StoreError::Conflict(_))),
        "a state value cannot be created twice (or overwritten by another merchant)"
    );
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = s.clone();
        let st = st.clone();
        tasks.push(tokio::spawn(async move { s.take(&st, now).await }));
    }
    let got: Vec<Option<OAuthState>> = futures_join(tasks).await.into_iter().map(|r| r.expect("take")).collect();
    let winners: Vec<&OAuthState> = got.iter().flatten().collect();
    assert_eq!(winners.len(), 1, "exactly one of 20 concurrent takes gets the state");
    assert_eq!(winners[0].merchant_id.as_str(), "m-1", "the first creator's binding survives");
    assert!(s.take(&st, now).await.unwrap().is_none(), "a taken state is gone");

    let old = format!("{prefix}-state-expired");
    s.create(&oauth_state(&old, "m-1", now - 1)).await.unwrap();
    assert!(s.take(&old, now).await.unwrap().is_none(), "an expired state is refused");
    assert!(s.take(&format!("{prefix}-never"), now).await.unwrap().is_none(), "an unknown state is refused");
}
