//! The emulated store: every entity, the event log and the webhook subscriptions, behind one lock.
//!
//! Operations live in `impl Store` blocks spread over [`crate::catalog`], [`crate::sales`] and
//! [`crate::stock`]; each validates fully before it mutates, so a rejected request changes nothing.
//! Every change calls [`Store::emit`], which appends to the event log (the polling cursor) and
//! queues one signed delivery per matching subscription.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use crate::catalog::Product;
use crate::error::{ApiError, ApiResult};
use crate::sales::Sale;
use crate::stock::{PurchaseOrder, Stocktake, Transfer};
use crate::values::{Money, Rate, now_unix, rfc3339};

/// Store-wide settings (Hike's "general settings").
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub currency: String,
    /// "Tax-inclusive prices": entered prices already contain tax.
    pub tax_inclusive: bool,
    pub default_tax_id: i64,
    pub timezone: String,
}

#[derive(Debug, Clone)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Outlet {
    pub id: i64,
    pub name: String,
    pub is_active: bool,
}

#[derive(Debug, Clone)]
pub struct Register {
    pub id: i64,
    pub outlet_id: i64,
    pub name: String,
    pub open: bool,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// Payments taken since the register was opened, per payment type.
    pub session: BTreeMap<i64, Money>,
}

#[derive(Debug, Clone)]
pub struct Closure {
    pub id: i64,
    pub register_id: i64,
    pub outlet_id: i64,
    pub opened_at: Option<i64>,
    pub closed_at: i64,
    pub payments: BTreeMap<i64, Money>,
}

#[derive(Debug, Clone)]
pub struct Tax {
    pub id: i64,
    pub name: String,
    pub rate: Rate,
}

#[derive(Debug, Clone)]
pub struct PaymentType {
    pub id: i64,
    pub name: String,
    pub is_active: bool,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub customer_group_id: Option<i64>,
    pub note: String,
    pub is_active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: i64,
}

impl Subscription {
    pub fn wants(&self, event_type: &str) -> bool {
        self.events.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => event_type.starts_with(prefix),
            None => p == event_type,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: u64,
    pub kind: String,
    pub entity_id: i64,
    pub occurred_at: i64,
    pub data: Value,
}

impl Event {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "type": self.kind,
            "entity": self.kind.split('.').next().unwrap_or(""),
            "entity_id": self.entity_id,
            "occurred_at": rfc3339(self.occurred_at),
            "data": self.data,
        })
    }
}

/// One event to POST to some subscribers; signed by the delivery worker.
#[derive(Debug)]
pub struct Dispatch {
    pub event_id: u64,
    pub event_type: String,
    pub body: Vec<u8>,
    /// `(url, secret)` per subscriber.
    pub targets: Vec<(String, String)>,
}

/// Whether a change is an API call (emits events) or control-API seeding (silent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Api,
    Seed,
}

#[derive(Debug)]
pub struct Store {
    pub settings: Settings,
    pub outlets: BTreeMap<i64, Outlet>,
    pub registers: BTreeMap<i64, Register>,
    pub closures: Vec<Closure>,
    pub taxes: BTreeMap<i64, Tax>,
    pub payment_types: BTreeMap<i64, PaymentType>,
    pub brands: BTreeMap<i64, Named>,
    pub product_types: BTreeMap<i64, Named>,
    pub customer_groups: BTreeMap<i64, Named>,
    pub customers: BTreeMap<i64, Customer>,
    pub products: BTreeMap<i64, Product>,
    pub sales: BTreeMap<i64, Sale>,
    pub purchase_orders: BTreeMap<i64, PurchaseOrder>,
    pub stocktakes: BTreeMap<i64, Stocktake>,
    pub transfers: BTreeMap<i64, Transfer>,
    pub subscriptions: BTreeMap<i64, Subscription>,
    pub events: VecDeque<Event>,
    pub last_event_id: u64,
    pub event_retention: usize,
    pub weighted_average_cost: bool,
    seq: BTreeMap<&'static str, i64>,
    silent: bool,
    tx: UnboundedSender<Dispatch>,
}

impl Store {
    /// An empty store; [`Store::seed_defaults`] adds what a new real store starts with.
    pub fn new(tx: UnboundedSender<Dispatch>, event_retention: usize, weighted_average_cost: bool) -> Self {
        Self {
            settings: Settings {
                name: "Demo Store".into(),
                currency: "AUD".into(),
                tax_inclusive: true,
                default_tax_id: 0,
                timezone: "UTC".into(),
            },
            outlets: BTreeMap::new(),
            registers: BTreeMap::new(),
            closures: Vec::new(),
            taxes: BTreeMap::new(),
            payment_types: BTreeMap::new(),
            brands: BTreeMap::new(),
            product_types: BTreeMap::new(),
            customer_groups: BTreeMap::new(),
            customers: BTreeMap::new(),
            products: BTreeMap::new(),
            sales: BTreeMap::new(),
            purchase_orders: BTreeMap::new(),
            stocktakes: BTreeMap::new(),
            transfers: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            events: VecDeque::new(),
            last_event_id: 0,
            event_retention,
            weighted_average_cost,
            seq: BTreeMap::new(),
            silent: false,
            tx,
        }
    }

    /// One outlet with one (closed) register, GST 10 % (default) and "No Tax", and the usual
    /// payment types: the shape of a new Hike-style store.
    pub fn seed_defaults(&mut self) {
        let outlet = self.next_id("outlet");
        self.outlets.insert(outlet, Outlet { id: outlet, name: "Main Outlet".into(), is_active: true });
        let reg = self.next_id("register");
        self.registers.insert(
            reg,
            Register {
                id: reg,
                outlet_id: outlet,
                name: "Main Register".into(),
                open: false,
                opened_at: None,
                closed_at: None,
                session: BTreeMap::new(),
            },
        );
        for (name, rate) in [("GST", Rate(1000)), ("No Tax", Rate(0))] {
            let id = self.next_id("tax");
            self.taxes.insert(id, Tax { id, name: name.into(), rate });
        }
        self.settings.default_tax_id = 1;
        for name in ["Cash", "Credit Card", "eCommerce"] {
            let id = self.next_id("payment_type");
            self.payment_types.insert(id, PaymentType { id, name: name.into(), is_active: true });
        }
    }

    pub fn next_id(&mut self, kind: &'static str) -> i64 {
        let n = self.seq.entry(kind).or_insert(0);
        *n += 1;
        *n
    }

    /// Keeps the id sequence ahead of an explicitly chosen (seeded) id.
    pub fn bump_id(&mut self, kind: &'static str, id: i64) {
        let n = self.seq.entry(kind).or_insert(0);
        *n = (*n).max(id);
    }

    /// Runs `f` without emitting events (control-API seeding).
    pub fn silently<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let was = self.silent;
        self.silent = true;
        let out = f(self);
        self.silent = was;
        out
    }

    /// Records a change: appends to the event log and queues webhook deliveries.
    pub fn emit(&mut self, kind: &str, entity_id: i64, data: Value) {
        if self.silent {
            return;
        }
        self.last_event_id += 1;
        let ev = Event { id: self.last_event_id, kind: kind.to_string(), entity_id, occurred_at: now_unix(), data };
        let targets: Vec<(String, String)> =
            self.subscriptions.values().filter(|s| s.wants(kind)).map(|s| (s.url.clone(), s.secret.clone())).collect();
        if !targets.is_empty() {
            let body = serde_json::to_vec(&ev.to_json()).unwrap_or_default();
            // The worker outlives every sender; a send error only means the emulator is shutting down.
            let _ = self.tx.send(Dispatch { event_id: ev.id, event_type: ev.kind.clone(), body, targets });
        }
        self.events.push_back(ev);
        while self.events.len() > self.event_retention {
            self.events.pop_front();
        }
    }

    /// Events after `since`, at most `limit`, plus how many there are in all.
    /// `Err` when events after `since` have already been discarded (the cursor is too old).
    pub fn events_since(&self, since: u64, limit: usize) -> ApiResult<(Vec<&Event>, usize)> {
        let oldest = self.events.front().map(|e| e.id).unwrap_or(self.last_event_id + 1);
        if since + 1 < oldest {
            return Err(ApiError::new(
                axum::http::StatusCode::GONE,
                "cursor_expired",
                format!("events after {since} are no longer retained (oldest is {oldest}); resynchronise with get_all"),
            ));
        }
        let after: Vec<&Event> = self.events.iter().filter(|e| e.id > since).collect();
        let total = after.len();
        Ok((after.into_iter().take(limit).collect(), total))
    }

    // ----- look-ups used by several modules -----

    pub fn outlet(&self, id: i64) -> ApiResult<&Outlet> {
        self.outlets.get(&id).ok_or_else(|| ApiError::invalid(format!("outlet {id} does not exist")))
    }

    pub fn tax(&self, id: i64) -> ApiResult<&Tax> {
        self.taxes.get(&id).ok_or_else(|| ApiError::invalid(format!("tax {id} does not exist")))
    }

    pub fn default_tax(&self) -> Tax {
        self.taxes.get(&self.settings.default_tax_id).cloned().unwrap_or(Tax {
            id: 0,
            name: "No Tax".into(),
            rate: Rate(0),
        })
    }

    // ----- reference data -----

    pub fn upsert_named(&mut self, kind: &'static str, input: NamedInput, mode: Mode) -> ApiResult<Value> {
        let name = input.name.unwrap_or_default();
        if name.trim().is_empty() {
            return Err(ApiError::invalid("name is required"));
        }
        let exists = self.named_map(kind).contains_key(&input.id.unwrap_or(-1));
        let id = match input.id {
            Some(id) if exists => id,
            Some(id) if mode == Mode::Seed => {
                self.bump_id(kind, id);
                id
            }
            Some(id) => return Err(ApiError::not_found(kind, id)),
            None => self.next_id(kind),
        };
        let item = Named { id, name };
        let out = named_json(&item);
        self.named_map(kind).insert(id, item);
        let verb = if exists { "updated" } else { "created" };
        self.emit(&format!("{kind}.{verb}"), id, out.clone());
        Ok(out)
    }

    pub fn named_map(&mut self, kind: &'static str) -> &mut BTreeMap<i64, Named> {
        match kind {
            "brand" => &mut self.brands,
            "product_type" => &mut self.product_types,
            _ => &mut self.customer_groups,
        }
    }

    pub fn upsert_customer(&mut self, c: CustomerInput, mode: Mode) -> ApiResult<Value> {
        let now = now_unix();
        let existing = c.id.and_then(|id| self.customers.get(&id).cloned());
        if let (Some(id), None, Mode::Api) = (c.id, &existing, mode) {
            return Err(ApiError::not_found("customer", id));
        }
        let created = existing.is_none();
        let mut cu = existing.unwrap_or(Customer {
            id: 0,
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            phone: None,
            company: None,
            customer_group_id: None,
            note: String::new(),
            is_active: true,
            created_at: now,
            updated_at: now,
        });
        if let Some(v) = c.first_name {
            cu.first_name = v;
        }
        if let Some(v) = c.last_name {
            cu.last_name = v;
        }
        // Hike requires only first and last name (product reference, BigCommerce settings article).
        if cu.first_name.trim().is_empty() || cu.last_name.trim().is_empty() {
            return Err(ApiError::invalid("first_name and last_name are required"));
        }
        if let Some(v) = c.email {
            cu.email = non_empty(v);
        }
        if let Some(v) = c.phone {
            cu.phone = non_empty(v);
        }
        if let Some(v) = c.company {
            cu.company = non_empty(v);
        }
        if let Some(v) = c.note {
            cu.note = v;
        }
        if let Some(v) = c.is_active {
            cu.is_active = v;
        }
        if let Some(g) = c.customer_group_id {
            if !self.customer_groups.contains_key(&g) {
                return Err(ApiError::invalid(format!("customer group {g} does not exist")));
            }
            cu.customer_group_id = Some(g);
        }
        cu.updated_at = now;
        cu.id = match (created, c.id) {
            (false, Some(id)) => id,
            (true, Some(id)) => {
                self.bump_id("customer", id);
                id
            }
            _ => self.next_id("customer"),
        };
        let out = customer_json(&cu);
        self.customers.insert(cu.id, cu.clone());
        self.emit(if created { "customer.created" } else { "customer.updated" }, cu.id, out.clone());
        Ok(out)
    }
}

fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

#[derive(Debug, Default, Deserialize)]
pub struct NamedInput {
    pub id: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CustomerInput {
    pub id: Option<i64>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub customer_group_id: Option<i64>,
    pub note: Option<String>,
    #[serde(rename = "isActive")]
    pub is_active: Option<bool>,
}

// ----- JSON representations -----

pub fn named_json(n: &Named) -> Value {
    json!({ "id": n.id, "name": n.name })
}

pub fn settings_json(s: &Settings) -> Value {
    json!({
        "name": s.name,
        "currency": s.currency,
        "tax_inclusive": s.tax_inclusive,
        "default_tax_id": s.default_tax_id,
        "timezone": s.timezone,
    })
}

pub fn outlet_json(o: &Outlet) -> Value {
    json!({ "id": o.id, "name": o.name, "is_active": o.is_active })
}

fn opt_time(t: Option<i64>) -> Value {
    t.map(|t| Value::String(rfc3339(t))).unwrap_or(Value::Null)
}

pub fn register_json(r: &Register) -> Value {
    json!({
        "id": r.id,
        "outlet_id": r.outlet_id,
        "name": r.name,
        "status": if r.open { "open" } else { "closed" },
        "opened_at": opt_time(r.opened_at),
        "closed_at": opt_time(r.closed_at),
    })
}

pub fn payment_totals_json(p: &BTreeMap<i64, Money>) -> Value {
    Value::Array(p.iter().map(|(t, m)| json!({ "payment_type_id": t, "total": m.to_string() })).collect())
}

pub fn closure_json(c: &Closure) -> Value {
    let total = Money(c.payments.values().map(|m| m.0).sum());
    json!({
        "id": c.id,
        "register_id": c.register_id,
        "outlet_id": c.outlet_id,
        "opened_at": opt_time(c.opened_at),
        "closed_at": rfc3339(c.closed_at),
        "payments": payment_totals_json(&c.payments),
        "total": total.to_string(),
    })
}

pub fn tax_json(t: &Tax, default_id: i64) -> Value {
    json!({ "id": t.id, "name": t.name, "rate": t.rate.to_string(), "is_default": t.id == default_id })
}

pub fn payment_type_json(p: &PaymentType) -> Value {
    json!({ "id": p.id, "name": p.name, "is_active": p.is_active })
}

pub fn customer_json(c: &Customer) -> Value {
    json!({
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "company": c.company,
        "customer_group_id": c.customer_group_id,
        "note": c.note,
        "isActive": c.is_active,
        "created_at": rfc3339(c.created_at),
        "updated_at": rfc3339(c.updated_at),
    })
}

pub fn subscription_json(s: &Subscription, with_secret: bool) -> Value {
    let mut v = json!({
        "id": s.id,
        "url": s.url,
        "events": s.events,
        "is_active": true,
        "created_at": rfc3339(s.created_at),
    });
    if with_secret {
        v["secret"] = Value::String(s.secret.clone());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(retention: usize) -> Store {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        Store::new(tx, retention, false)
    }

    #[test]
    fn subscription_patterns() {
        let s = Subscription {
            id: 1,
            url: String::new(),
            events: vec!["product.*".into(), "sale.created".into()],
            secret: String::new(),
            created_at: 0,
        };
        assert!(s.wants("product.updated"));
        assert!(s.wants("sale.created"));
        assert!(!s.wants("sale.updated"));
        assert!(!s.wants("inventory.updated"));
    }

    #[test]
    fn event_cursor_expires_past_retention() {
        let mut st = store(3);
        for i in 0..5 {
            st.emit("brand.created", i, json!({}));
        }
        // ids 3,4,5 retained
        assert!(st.events_since(1, 10).is_err());
        let (items, total) = st.events_since(2, 10).unwrap();
        assert_eq!(total, 3);
        assert_eq!(items[0].id, 3);
        let (items, total) = st.events_since(5, 10).unwrap();
        assert_eq!((items.len(), total), (0, 0));
    }

    #[test]
    fn silent_changes_emit_nothing() {
        let mut st = store(10);
        st.silently(|s| s.emit("brand.created", 1, json!({})));
        assert_eq!(st.last_event_id, 0);
    }
}
