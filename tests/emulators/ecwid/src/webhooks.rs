//! Webhook deliveries: one app URL, `?eventtype=…`, thin JSON body, signature over
//! `{eventCreated}.{eventId}`, retries on anything but 200/201/202/204/209 with the same `eventId`.
//!
//! Each event is delivered by its own task, so deliveries are not ordered; a slow or failing
//! receiver gets the same event again on retry, so duplicates happen as on the platform.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use base64::Engine;
use emulator_kit::{Delivery, SendOutcome, lock};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;

use crate::Shared;
use crate::store::EventSpec;

/// Statuses Ecwid counts as delivered; 203, 208, other 2xx and 3xx are failures.
pub const DELIVERED_STATUSES: &[u16] = &[200, 201, 202, 204, 209];

/// `base64(HMAC-SHA256(client_secret, "{eventCreated}.{eventId}"))`.
pub fn signature(client_secret: &str, event_created: i64, event_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(format!("{event_created}.{event_id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One emitted event and what happened to its deliveries.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    pub event_id: String,
    pub event_type: String,
    pub store_id: u64,
    pub entity_id: i64,
    pub event_created: i64,
    /// Delivery attempts so far (a kit `duplicate` fault counts once).
    pub attempts: u32,
    /// Per attempt: the HTTP status, or `dropped`, `held`, `network_error`.
    pub results: Vec<String>,
    /// `pending`, `delivered`, `handed_off` (dropped or held by a kit fault) or `gave_up`.
    pub outcome: String,
}

/// The scope an app needs in a store to receive this event type.
fn required_scope(event_type: &str) -> &'static str {
    match event_type.split('.').next().unwrap_or("") {
        "order" | "unfinished_order" => "read_orders",
        "customer" => "read_customers",
        _ => "read_catalog",
    }
}

fn update(shared: &Shared, event_id: &str, f: impl FnOnce(&mut EventRecord)) {
    if let Some(r) = lock(&shared.events).iter_mut().find(|r| r.event_id == event_id) {
        f(r);
    }
}

/// Sends `events` of a store to the app's webhook URL, if one is set and the app is installed
/// in the store with the scope the event needs.
pub fn emit(shared: &Arc<Shared>, store_id: u64, events: Vec<EventSpec>) {
    let (url, headers, secret, schedule, scopes) = {
        let w = lock(&shared.world);
        let Some(url) = w.webhook_url.clone() else { return };
        let Some(scopes) = w.stores.get(&store_id).and_then(|s| s.app_scopes.clone()) else { return };
        (url, w.webhook_headers.clone(), w.client_secret.clone(), w.retry_schedule.clone(), scopes)
    };
    let epoch = shared.epoch.load(Ordering::SeqCst);
    for ev in events {
        if !scopes.contains(required_scope(&ev.event_type)) {
            continue;
        }
        let event_id = uuid::Uuid::new_v4().to_string();
        let created = crate::util::now();
        let mut body = json!({
            "eventId": event_id,
            "eventCreated": created,
            "storeId": store_id,
            "entityId": ev.entity_id,
            "eventType": ev.event_type,
        });
        if let Some(d) = &ev.data {
            body["data"] = d.clone();
        }
        let sep = if url.contains('?') { '&' } else { '?' };
        let mut hdrs = vec![
            ("Content-Type".to_string(), "application/json; charset=UTF-8".to_string()),
            ("X-Ecwid-Webhook-Signature".to_string(), signature(&secret, created, &event_id)),
        ];
        hdrs.extend(headers.iter().cloned());
        let delivery = Delivery {
            url: format!("{url}{sep}eventtype={}", ev.event_type),
            headers: hdrs,
            body: serde_json::to_vec(&body).unwrap_or_default(),
        };
        lock(&shared.events).push(EventRecord {
            event_id: event_id.clone(),
            event_type: ev.event_type.clone(),
            store_id,
            entity_id: ev.entity_id,
            event_created: created,
            attempts: 0,
            results: vec![],
            outcome: "pending".into(),
        });
        let shared = shared.clone();
        let schedule = schedule.clone();
        tokio::spawn(async move {
            for attempt in 0..=schedule.len() {
                if attempt > 0 {
                    tokio::time::sleep(schedule[attempt - 1]).await;
                }
                if shared.epoch.load(Ordering::SeqCst) != epoch {
                    return;
                }
                let outcome = shared.control.outbox().send(delivery.clone()).await;
                let (result, done) = match outcome {
                    SendOutcome::Answered(s) if DELIVERED_STATUSES.contains(&s) => (s.to_string(), Some("delivered")),
                    SendOutcome::Answered(s) => (s.to_string(), None),
                    SendOutcome::Dropped => ("dropped".to_string(), Some("handed_off")),
                    SendOutcome::Held => ("held".to_string(), Some("handed_off")),
                    SendOutcome::NetworkError => ("network_error".to_string(), None),
                };
                update(&shared, &event_id, |r| {
                    r.attempts += 1;
                    r.results.push(result);
                    if let Some(d) = done {
                        r.outcome = d.into();
                    }
                });
                if done.is_some() {
                    return;
                }
            }
            update(&shared, &event_id, |r| r.outcome = "gave_up".into());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_base64_hmac_of_created_dot_id() {
        // Independent check: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") is a
        // published test vector (f7bc83f4...); here the message is built from created and id.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"The quick brown fox jumps over the lazy dog");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        let a = signature("secret", 1_469_429_912, "08a78904-0aa0-4c1a-953a-2e33c56236f0");
        let b = signature("secret", 1_469_429_913, "08a78904-0aa0-4c1a-953a-2e33c56236f0");
        assert_ne!(a, b, "eventCreated is part of the signed message");
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn scopes_gate_event_families() {
        assert_eq!(required_scope("order.updated"), "read_orders");
        assert_eq!(required_scope("unfinished_order.created"), "read_orders");
        assert_eq!(required_scope("customer.deleted"), "read_customers");
        assert_eq!(required_scope("product.updated"), "read_catalog");
        assert_eq!(required_scope("category.created"), "read_catalog");
    }
}
