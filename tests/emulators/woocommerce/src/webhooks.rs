//! Webhook subscriptions (`/webhooks`) and the delivery worker.
//!
//! Deliveries go through the kit's outbox so its drop/duplicate/hold faults apply. As in
//! `WC_Webhook::deliver`, a delivery succeeds on HTTP 200–302, is never retried, and the
//! webhook is set `disabled` once its consecutive failure count exceeds the limit (5).

use std::sync::Arc;

use base64::Engine;
use emulator_kit::{Delivery, SendOutcome};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::listing::Query;
use crate::state::{App, Hook, Job, Store};
use crate::util::*;

const RESOURCES: &[&str] = &["coupon", "customer", "order", "product"];
const EVENTS: &[&str] = &["created", "updated", "deleted", "restored"];

fn not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
}

/// The action hooks WooCommerce binds to a topic (shown read-only in `hooks`).
fn hooks_for(topic: &str) -> Vec<String> {
    let list: &[&str] = match topic {
        "order.created" => &["woocommerce_new_order"],
        "order.updated" => &["woocommerce_update_order", "woocommerce_order_refunded"],
        "order.deleted" => &["wp_trash_post", "woocommerce_delete_order"],
        "order.restored" => &["untrashed_post"],
        "product.created" => {
            &["woocommerce_process_product_meta", "woocommerce_new_product", "woocommerce_new_product_variation"]
        }
        "product.updated" => {
            &["woocommerce_process_product_meta", "woocommerce_update_product", "woocommerce_update_product_variation"]
        }
        "product.deleted" => &["wp_trash_post"],
        "product.restored" => &["untrashed_post"],
        "customer.created" => &["user_register", "woocommerce_created_customer", "woocommerce_new_customer"],
        "customer.updated" => &["profile_update", "woocommerce_update_customer"],
        "customer.deleted" => &["delete_user"],
        "coupon.created" => &["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
        "coupon.updated" => &["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
        "coupon.deleted" => &["wp_trash_post"],
        "coupon.restored" => &["untrashed_post"],
        t => return t.strip_prefix("action.").map(|a| vec![a.to_string()]).unwrap_or_default(),
    };
    list.iter().map(|s| s.to_string()).collect()
}

fn valid_topic(t: &str) -> bool {
    if let Some(a) = t.strip_prefix("action.") {
        return !a.is_empty();
    }
    matches!(t.split_once('.'), Some((r, e)) if RESOURCES.contains(&r) && EVENTS.contains(&e))
}

pub fn render(app: &App, h: &Hook) -> Value {
    let (resource, event) = h.topic.split_once('.').unwrap_or((&h.topic, ""));
    let mut m = obj(json!({
        "id": h.id, "name": h.name, "status": h.status, "topic": h.topic, "resource": resource,
        "event": event, "hooks": hooks_for(&h.topic), "delivery_url": h.delivery_url,
    }));
    app.put_date(&mut m, "date_created", Some(h.created));
    app.put_date(&mut m, "date_modified", Some(h.modified));
    m.insert("_links".into(), app.links(Some(&format!("/webhooks/{}", h.id)), "/webhooks", &[]));
    Value::Object(m)
}

fn valid_url(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

pub fn write(app: &App, st: &mut Store, id: Option<u64>, input: &Map<String, Value>) -> WcResult<Value> {
    let now = app.now();
    let mut h = match id {
        Some(id) => st.webhooks.get(&id).cloned().ok_or_else(not_found)?,
        None => {
            let missing: Vec<&str> =
                ["topic", "delivery_url"].into_iter().filter(|k| !input.contains_key(*k)).collect();
            if !missing.is_empty() {
                return Err(WcError::missing_param(&missing));
            }
            Hook {
                id: 0,
                name: format!("Webhook created on {}", fmt_date(now, app.cfg.utc_offset_minutes)),
                status: "active".into(),
                topic: String::new(),
                delivery_url: String::new(),
                secret: String::new(),
                failure_count: 0,
                created: now,
                modified: now,
            }
        }
    };
    let mut d = Map::new();
    apply_fields(
        &mut d,
        input,
        &[
            ("name", Kind::Str),
            ("status", Kind::Enum(&["active", "paused", "disabled"])),
            ("topic", Kind::Str),
            ("delivery_url", Kind::Str),
            ("secret", Kind::Str),
        ],
    )?;
    if let Some(t) = d.get("topic").and_then(Value::as_str) {
        let t = t.to_lowercase();
        if !valid_topic(&t) {
            return Err(WcError::new(
                400,
                "woocommerce_rest_shop_webhook_invalid_topic",
                "Webhook topic is required and must be valid.",
            ));
        }
        h.topic = t;
    }
    if let Some(u) = d.get("delivery_url").and_then(Value::as_str) {
        if !valid_url(u) {
            return Err(WcError::new(
                400,
                "woocommerce_rest_shop_webhook_invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            ));
        }
        h.delivery_url = u.to_string();
    }
    if let Some(n) = d.get("name").and_then(Value::as_str) {
        h.name = n.to_string();
    }
    if let Some(s) = d.get("secret").and_then(Value::as_str) {
        h.secret = s.to_string();
    }
    if h.secret.is_empty() {
        // WC defaults to a hash of the creating user's "id|login"; user 1 is the shop admin.
        h.secret = hex::encode(Sha256::digest(b"1|admin"))[..32].to_string();
    }
    if let Some(s) = d.get("status").and_then(Value::as_str) {
        if s == "active" && h.status != "active" {
            h.failure_count = 0;
        }
        h.status = s.to_string();
    }
    h.modified = now;
    let is_new = id.is_none();
    if is_new {
        h.id = st.next_hook;
        st.next_hook += 1;
    }
    st.webhooks.insert(h.id, h.clone());
    if is_new && app.cfg.webhook_ping && h.status == "active" {
        app.enqueue(Job::Ping { hook_id: h.id, url: h.delivery_url.clone() });
    }
    Ok(render(app, &h))
}

pub fn get(app: &App, st: &Store, id: u64) -> WcResult<Value> {
    st.webhooks.get(&id).map(|h| render(app, h)).ok_or_else(not_found)
}

pub fn delete(app: &App, st: &mut Store, id: u64, force: bool) -> WcResult<Value> {
    let body = get(app, st, id)?;
    if !force {
        return Err(WcError::new(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."));
    }
    st.webhooks.remove(&id);
    Ok(body)
}

pub fn list(app: &App, st: &Store, q: &Query) -> WcResult<Vec<Value>> {
    let status = q.get("status").unwrap_or("all");
    let include = q.ids("include")?;
    let exclude = q.ids("exclude")?;
    let mut v: Vec<&Hook> = st
        .webhooks
        .values()
        .filter(|h| status == "all" || h.status == status)
        .filter(|h| (include.is_empty() || include.contains(&h.id)) && !exclude.contains(&h.id))
        .filter(|h| q.get("search").is_none_or(|s| h.name.to_lowercase().contains(&s.to_lowercase())))
        .collect();
    v.sort_by_key(|h| (h.created, h.id));
    if q.get("order") != Some("asc") {
        v.reverse();
    }
    Ok(v.into_iter().map(|h| render(app, h)).collect())
}

/// `base64(HMAC-SHA256(secret, body))`, the `X-WC-Webhook-Signature` value.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Sends queued deliveries one at a time, in order, and records their outcome on the webhook.
pub async fn worker(app: Arc<App>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = rx.recv().await {
        if !app.cfg.webhook_delay.is_zero() {
            tokio::time::sleep(app.cfg.webhook_delay).await;
        }
        let ua = format!("WooCommerce/{} Hookshot (WordPress/{})", app.cfg.wc_version, app.cfg.wp_version);
        match job {
            Job::Ping { hook_id, url } => {
                let d = Delivery {
                    url,
                    headers: vec![
                        ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
                        ("User-Agent".into(), ua),
                    ],
                    body: format!("webhook_id={hook_id}").into_bytes(),
                };
                // The REST create ignores the ping's answer.
                app.control.outbox().send(d).await;
            }
            Job::Deliver { hook_id, topic, body } => {
                let hook = app.store().webhooks.get(&hook_id).cloned();
                if let Some(h) = hook.filter(|h| h.status == "active") {
                    let (resource, event) = topic.split_once('.').unwrap_or((&topic, ""));
                    let headers = vec![
                        ("Content-Type".into(), "application/json".into()),
                        ("User-Agent".into(), ua),
                        ("X-WC-Webhook-Source".into(), format!("{}/", app.site())),
                        ("X-WC-Webhook-Topic".into(), topic.clone()),
                        ("X-WC-Webhook-Resource".into(), resource.to_string()),
                        ("X-WC-Webhook-Event".into(), event.to_string()),
                        ("X-WC-Webhook-Signature".into(), signature(&h.secret, &body)),
                        ("X-WC-Webhook-ID".into(), h.id.to_string()),
                        ("X-WC-Webhook-Delivery-ID".into(), uuid::Uuid::new_v4().simple().to_string()),
                    ];
                    let outcome =
                        app.control.outbox().send(Delivery { url: h.delivery_url.clone(), headers, body }).await;
                    let ok = match outcome {
                        SendOutcome::Answered(s) => (200..303).contains(&s),
                        SendOutcome::NetworkError => false,
                        // Dropped: WooCommerce believes it was delivered; held: not known yet.
                        SendOutcome::Dropped | SendOutcome::Held => true,
                    };
                    record_outcome(&app, hook_id, ok);
                }
            }
        }
        app.job_done();
    }
}

fn record_outcome(app: &App, hook_id: u64, ok: bool) {
    let mut st = app.store();
    let Some(h) = st.webhooks.get_mut(&hook_id) else { return };
    if ok {
        h.failure_count = 0;
        return;
    }
    h.failure_count += 1;
    if h.failure_count > app.cfg.max_webhook_failures {
        h.status = "disabled".into();
        tracing::info!(webhook_id = hook_id, "webhook disabled after consecutive delivery failures");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_base64_hmac_sha256_of_the_raw_body() {
        // Independent value computed with `openssl dgst -sha256 -hmac secret -binary | base64`.
        assert_eq!(signature("secret", b"{\"id\":1}"), "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=");
    }

    #[test]
    fn topics_are_resource_dot_event_or_custom_actions() {
        assert!(valid_topic("order.updated"));
        assert!(valid_topic("action.woocommerce_add_to_cart"));
        assert!(!valid_topic("order.shipped"));
        assert!(!valid_topic("orders"));
    }
}
