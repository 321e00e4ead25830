//! Webhook payloads -> jobs. Pure functions over the raw body and a few headers.

use posbridge_domain::model::{EntityKind, IntegrationId, Side};
use posbridge_domain::ports::Job;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("field {0} is missing or has the wrong type")]
    Field(&'static str),
}

/// Jobs to enqueue for one delivery, before the integration is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The platform store the event is about (empty for per-integration sources).
    pub store: String,
    pub uninstalled: bool,
    pub event_id: String,
    pub event_created: String,
    pub source: Side,
    /// (entity, record id, change); empty when the event is not one posbridge syncs.
    pub changes: Vec<(EntityKind, String, String)>,
}

impl Event {
    pub fn jobs(&self, integration: &IntegrationId) -> Vec<Job> {
        self.changes
            .iter()
            .map(|(entity, record, change)| Job {
                integration_id: integration.clone(),
                entity: *entity,
                record_id: record.clone(),
                source: self.source,
                change: change.clone(),
                event_id: self.event_id.clone(),
                priority: 0,
            })
            .collect()
    }
}

fn parse(body: &[u8]) -> Result<Value, EventError> {
    serde_json::from_slice(body).map_err(|e| EventError::NotJson(e.to_string()))
}

fn id_str(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// BigCommerce thin payload `{scope, store_id, data:{type,id,...}, hash, created_at, producer}`.
/// The event id is `hash`: the platform sends the same hash when it fires twice for one event.
pub fn bigcommerce(body: &[u8]) -> Result<Event, EventError> {
    let v = parse(body)?;
    let scope = v["scope"].as_str().ok_or(EventError::Field("scope"))?;
    let producer = v["producer"].as_str().ok_or(EventError::Field("producer"))?;
    let store = producer.strip_prefix("stores/").ok_or(EventError::Field("producer"))?.to_string();
    let hash = v["hash"].as_str().ok_or(EventError::Field("hash"))?.to_string();
    let data = &v["data"];
    let parts: Vec<&str> = scope.split('/').collect();
    let action = parts.last().copied().unwrap_or_default().to_string();
    let changes = match parts.as_slice() {
        ["store", "app", "uninstalled"] => vec![],
        ["store", "product", "inventory", ..] => {
            let p = id_str(&data["inventory"]["product_id"]).or_else(|| id_str(&data["id"]));
            p.map(|p| vec![(EntityKind::Inventory, p, format!("inventory_{action}"))]).unwrap_or_default()
        }
        ["store", "sku", "inventory", ..] => {
            let p = id_str(&data["inventory"]["product_id"]);
            p.map(|p| vec![(EntityKind::Inventory, p, format!("inventory_{action}"))]).unwrap_or_default()
        }
        ["store", "product", _] => {
            id_str(&data["id"]).map(|id| vec![(EntityKind::Product, id, action)]).unwrap_or_default()
        }
        // A variant change is a change of its product (the product is re-read whole).
        ["store", "sku", _] => id_str(&data["sku"]["product_id"])
            .map(|p| vec![(EntityKind::Product, p, "variant_".to_string() + &action)])
            .unwrap_or_default(),
        ["store", "order", "refund", ..] | ["store", "order", "transaction", ..] => {
            id_str(&data["id"]).map(|id| vec![(EntityKind::Order, id, action)]).unwrap_or_default()
        }
        ["store", "order", _] => {
            id_str(&data["id"]).map(|id| vec![(EntityKind::Order, id, action)]).unwrap_or_default()
        }
        ["store", "customer", "address", ..] => id_str(&data["address"]["customer_id"])
            .map(|c| vec![(EntityKind::Customer, c, "updated".into())])
            .unwrap_or_default(),
        ["store", "customer", _] => {
            id_str(&data["id"]).map(|id| vec![(EntityKind::Customer, id, action)]).unwrap_or_default()
        }
        ["store", "category", _] => {
            id_str(&data["id"]).map(|id| vec![(EntityKind::Category, id, action)]).unwrap_or_default()
        }
        _ => vec![],
    };
    Ok(Event {
        store,
        uninstalled: scope == "store/app/uninstalled",
        event_id: hash,
        event_created: v["created_at"].to_string(),
        source: Side::Platform,
        changes,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EcwidBody {
    event_id: Value,
    event_created: Value,
    store_id: Value,
    entity_id: Option<Value>,
    event_type: String,
}

/// Ecwid `{eventId, eventCreated, storeId, entityId, eventType, data?}`. Values may arrive as
/// strings or numbers; the signature covers `{eventCreated}.{eventId}` as sent.
pub fn ecwid(body: &[u8]) -> Result<Event, EventError> {
    let b: EcwidBody = serde_json::from_slice(body).map_err(|e| EventError::NotJson(e.to_string()))?;
    let raw = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let event_id = raw(&b.event_id);
    let (kind, action) = b.event_type.split_once('.').unwrap_or((b.event_type.as_str(), ""));
    let entity = match kind {
        "product" => Some(EntityKind::Product),
        "order" => Some(EntityKind::Order),
        "customer" => Some(EntityKind::Customer),
        "category" => Some(EntityKind::Category),
        // Unfinished (draft) orders are not sales: ignored, per the product rules.
        _ => None,
    };
    let changes = match (entity, b.entity_id.as_ref().and_then(id_str)) {
        (Some(e), Some(id)) => vec![(e, id, action.to_string())],
        _ => vec![],
    };
    Ok(Event {
        store: raw(&b.store_id),
        uninstalled: b.event_type == "application.uninstalled",
        event_id,
        event_created: raw(&b.event_created),
        source: Side::Platform,
        changes,
    })
}

/// WooCommerce: the topic header names the change, the body is the resource (or `{id}` when
/// deleted). Variation changes arrive as `product.updated` on the parent; refunds as
/// `order.updated`. The delivery id is the event id (a duplicated delivery repeats it).
pub fn woocommerce(topic: Option<&str>, delivery: Option<&str>, body: &[u8]) -> Result<Event, EventError> {
    let topic = topic.ok_or(EventError::Field("X-WC-Webhook-Topic"))?;
    let v = parse(body)?;
    let id = id_str(&v["id"]).ok_or(EventError::Field("id"))?;
    let (kind, action) = topic.split_once('.').unwrap_or((topic, ""));
    let entity = match kind {
        "product" => Some(EntityKind::Product),
        "order" => Some(EntityKind::Order),
        "customer" => Some(EntityKind::Customer),
        // Coupons and anything else posbridge does not sync.
        _ => None,
    };
    // Draft orders (checkout-draft) are not sales yet.
    let draft = kind == "order" && matches!(v["status"].as_str(), Some("checkout-draft") | Some("draft"));
    let event_id = match delivery {
        Some(d) if !d.is_empty() => d.to_string(),
        _ => {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(body))
        }
    };
    let changes = match entity {
        Some(e) if !draft => vec![(e, id, action.to_string())],
        _ => vec![],
    };
    Ok(Event {
        store: String::new(),
        uninstalled: false,
        event_id,
        event_created: String::new(),
        source: Side::Platform,
        changes,
    })
}

/// POS `{id, type, entity_id, occurred_at, data}`; the event id header is the dedupe key.
pub fn pos(event_id: Option<&str>, body: &[u8]) -> Result<Event, EventError> {
    let v = parse(body)?;
    let kind = v["type"].as_str().ok_or(EventError::Field("type"))?;
    let id = id_str(&v["entity_id"]).ok_or(EventError::Field("entity_id"))?;
    let event_id = event_id.map(str::to_string).or_else(|| id_str(&v["id"])).ok_or(EventError::Field("id"))?;
    let (k, action) = kind.split_once('.').unwrap_or((kind, ""));
    let entity = match k {
        "product" => Some(EntityKind::Product),
        "sale" => Some(EntityKind::Order),
        "customer" => Some(EntityKind::Customer),
        "inventory" => Some(EntityKind::Inventory),
        "product_type" => Some(EntityKind::Category),
        "brand" => Some(EntityKind::Brand),
        "customer_group" => Some(EntityKind::CustomerGroup),
        "purchase_order" => Some(EntityKind::PurchaseOrder),
        _ => None,
    };
    let changes = entity.map(|e| vec![(e, id, action.to_string())]).unwrap_or_default();
    Ok(Event {
        store: String::new(),
        uninstalled: false,
        event_id,
        event_created: v["occurred_at"].to_string(),
        source: Side::Pos,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigcommerce_scopes_map_to_records() {
        let body = |scope: &str, data: Value| {
            serde_json::to_vec(&serde_json::json!({
                "scope": scope, "store_id": "1025646", "data": data, "hash": "h1",
                "created_at": 1561479335, "producer": "stores/abc123"
            }))
            .unwrap()
        };
        type Row<'a> = (&'a str, Value, Option<(EntityKind, &'a str)>);
        let rows: Vec<Row> = vec![
            ("store/product/updated", serde_json::json!({"type":"product","id":42}), Some((EntityKind::Product, "42"))),
            (
                "store/sku/created",
                serde_json::json!({"type":"sku","id":9,"sku":{"product_id":42,"variant_id":9}}),
                Some((EntityKind::Product, "42")),
            ),
            (
                "store/product/inventory/order/updated",
                serde_json::json!({"type":"product","id":42,"inventory":{"product_id":42,"method":"relative","value":-1}}),
                Some((EntityKind::Inventory, "42")),
            ),
            ("store/order/created", serde_json::json!({"type":"order","id":250}), Some((EntityKind::Order, "250"))),
            (
                "store/customer/address/updated",
                serde_json::json!({"type":"customer","id":3,"address":{"customer_id":77}}),
                Some((EntityKind::Customer, "77")),
            ),
            (
                "store/category/deleted",
                serde_json::json!({"type":"category","id":5}),
                Some((EntityKind::Category, "5")),
            ),
            ("store/cart/created", serde_json::json!({"type":"cart","id":"x"}), None),
        ];
        for (scope, data, want) in rows {
            let ev = bigcommerce(&body(scope, data)).unwrap();
            assert_eq!(ev.store, "abc123");
            assert_eq!(ev.event_id, "h1");
            let got = ev.changes.first().map(|(e, id, _)| (*e, id.as_str()));
            assert_eq!(got, want, "{scope}");
        }
        assert!(bigcommerce(&body("store/app/uninstalled", serde_json::json!({}))).unwrap().uninstalled);
        assert!(bigcommerce(b"[]").is_err());
    }

    #[test]
    fn ecwid_events_accept_strings_or_numbers_and_skip_drafts() {
        let ev = ecwid(br#"{"eventId":"e-1","eventCreated":1234567,"storeId":1003,"entityId":103,"eventType":"order.updated","data":{}}"#).unwrap();
        assert_eq!((ev.store.as_str(), ev.event_created.as_str(), ev.event_id.as_str()), ("1003", "1234567", "e-1"));
        assert_eq!(ev.changes, vec![(EntityKind::Order, "103".into(), "updated".into())]);
        let s = ecwid(br#"{"eventId":"e-2","eventCreated":"1","storeId":"1003","entityId":"5","eventType":"unfinished_order.created"}"#).unwrap();
        assert!(s.changes.is_empty(), "draft orders are ignored");
    }

    #[test]
    fn woocommerce_topics_and_drafts() {
        let ev = woocommerce(Some("product.updated"), Some("d-1"), br#"{"id":42,"type":"variable"}"#).unwrap();
        assert_eq!(ev.changes, vec![(EntityKind::Product, "42".into(), "updated".into())]);
        assert_eq!(ev.event_id, "d-1");
        let draft = woocommerce(Some("order.created"), Some("d-2"), br#"{"id":7,"status":"checkout-draft"}"#).unwrap();
        assert!(draft.changes.is_empty());
        let a = woocommerce(Some("order.updated"), None, br#"{"id":7,"status":"processing"}"#).unwrap();
        let b = woocommerce(Some("order.updated"), None, br#"{"id":7,"status":"processing"}"#).unwrap();
        assert_eq!(a.event_id, b.event_id, "without a delivery id, the body's hash identifies the event");
        assert!(woocommerce(None, None, b"{}").is_err());
    }

    #[test]
    fn pos_events_map_to_records() {
        let ev =
            pos(Some("17"), br#"{"id":17,"type":"sale.created","entity_id":5,"occurred_at":1,"data":{}}"#).unwrap();
        assert_eq!(ev.changes, vec![(EntityKind::Order, "5".into(), "created".into())]);
        assert_eq!(ev.source, Side::Pos);
        let inv = pos(None, br#"{"id":18,"type":"inventory.updated","entity_id":9}"#).unwrap();
        assert_eq!(inv.event_id, "18");
        assert_eq!(inv.changes[0].0, EntityKind::Inventory);
    }
}
