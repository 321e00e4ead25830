//! The POS emulator's own control routes (the kit adds counts, faults and webhook faults):
//! seed data, read the whole state, reset, mint or expire tokens, change store settings.
//! Seeding is silent: it emits no events (it stands for data that existed before the test).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use emulator_kit::lock;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::parse;
use crate::catalog::ProductInput;
use crate::error::{ApiError, ApiResult};
use crate::sales::SaleInput;
use crate::stock::{purchase_order_json, stocktake_json, transfer_json};
use crate::store::{
    CustomerInput, Mode, NamedInput, Outlet, PaymentType, Register, Store, Tax, closure_json, customer_json,
    named_json, outlet_json, payment_type_json, register_json, settings_json, subscription_json, tax_json,
};
use crate::values::Rate;

#[derive(Debug, Deserialize)]
pub struct OutletSeed {
    pub id: Option<i64>,
    pub name: String,
    pub is_active: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct RegisterSeed {
    pub id: Option<i64>,
    pub outlet_id: i64,
    pub name: String,
    /// `open` or `closed` (default).
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TaxSeed {
    pub id: Option<i64>,
    pub name: String,
    pub rate: String,
    pub is_default: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentTypeSeed {
    pub id: Option<i64>,
    pub name: String,
    pub is_active: Option<bool>,
}

/// Body of `POST /_emulator/seed`; entities use the API's own shapes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeedInput {
    pub settings: Option<SettingsInput>,
    pub outlets: Vec<OutletSeed>,
    pub registers: Vec<RegisterSeed>,
    pub taxes: Vec<TaxSeed>,
    pub payment_types: Vec<PaymentTypeSeed>,
    pub brands: Vec<NamedInput>,
    pub product_types: Vec<NamedInput>,
    pub customer_groups: Vec<NamedInput>,
    pub customers: Vec<CustomerInput>,
    pub products: Vec<ProductInput>,
    pub sales: Vec<SaleInput>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsInput {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub tax_inclusive: Option<bool>,
    pub default_tax_id: Option<i64>,
}

fn push(ids: &mut Value, key: &str, id: Value) {
    match ids[key].as_array_mut() {
        Some(a) => a.push(id),
        None => ids[key] = json!([id]),
    }
}

fn pick_id(s: &mut Store, kind: &'static str, id: Option<i64>) -> i64 {
    match id {
        Some(id) => {
            s.bump_id(kind, id);
            id
        }
        None => s.next_id(kind),
    }
}

impl Store {
    pub fn apply_settings(&mut self, input: SettingsInput) -> ApiResult<Value> {
        if let Some(t) = input.default_tax_id {
            self.tax(t)?;
            self.settings.default_tax_id = t;
        }
        if let Some(v) = input.name {
            self.settings.name = v;
        }
        if let Some(v) = input.currency {
            self.settings.currency = v;
        }
        if let Some(v) = input.tax_inclusive {
            self.settings.tax_inclusive = v;
        }
        let out = settings_json(&self.settings);
        self.emit("store.updated", 0, out.clone());
        Ok(out)
    }

    /// Seeds silently, in dependency order; returns the ids created per entity.
    pub fn seed(&mut self, input: SeedInput) -> ApiResult<Value> {
        self.silently(|s| {
            let mut ids = json!({});
            for o in input.outlets {
                let id = pick_id(s, "outlet", o.id);
                s.outlets.insert(id, Outlet { id, name: o.name, is_active: o.is_active.unwrap_or(true) });
                push(&mut ids, "outlets", json!(id));
            }
            for r in input.registers {
                s.outlet(r.outlet_id)?;
                let id = pick_id(s, "register", r.id);
                let open = r.status.as_deref() == Some("open");
                let reg = Register {
                    id,
                    outlet_id: r.outlet_id,
                    name: r.name,
                    open,
                    opened_at: open.then(crate::values::now_unix),
                    closed_at: None,
                    session: Default::default(),
                };
                s.registers.insert(id, reg);
                push(&mut ids, "registers", json!(id));
            }
            for t in input.taxes {
                let rate = Rate::parse(&t.rate).map_err(ApiError::invalid)?;
                let id = pick_id(s, "tax", t.id);
                s.taxes.insert(id, Tax { id, name: t.name, rate });
                if t.is_default == Some(true) {
                    s.settings.default_tax_id = id;
                }
                push(&mut ids, "taxes", json!(id));
            }
            for p in input.payment_types {
                let id = pick_id(s, "payment_type", p.id);
                s.payment_types.insert(id, PaymentType { id, name: p.name, is_active: p.is_active.unwrap_or(true) });
                push(&mut ids, "payment_types", json!(id));
            }
            if let Some(settings) = input.settings {
                s.apply_settings(settings)?;
            }
            for (kind, key, list) in [
                ("brand", "brands", input.brands),
                ("product_type", "product_types", input.product_types),
                ("customer_group", "customer_groups", input.customer_groups),
            ] {
                for n in list {
                    let v = s.upsert_named(kind, n, Mode::Seed)?;
                    push(&mut ids, key, v["id"].clone());
                }
            }
            for c in input.customers {
                let v = s.upsert_customer(c, Mode::Seed)?;
                push(&mut ids, "customers", v["id"].clone());
            }
            for p in input.products {
                let (v, _) = s.upsert_product(p, Mode::Seed)?;
                push(&mut ids, "products", v["id"].clone());
            }
            for sale in input.sales {
                let (v, _) = s.upsert_sale(sale)?;
                push(&mut ids, "sales", v["id"].clone());
            }
            Ok(ids)
        })
    }

    /// Everything, for `GET /_emulator/state`.
    pub fn snapshot(&self) -> Value {
        json!({
            "settings": settings_json(&self.settings),
            "outlets": self.outlets.values().map(outlet_json).collect::<Vec<_>>(),
            "registers": self.registers.values().map(register_json).collect::<Vec<_>>(),
            "register_closures": self.closures.iter().map(closure_json).collect::<Vec<_>>(),
            "taxes": self.taxes.values().map(|t| tax_json(t, self.settings.default_tax_id)).collect::<Vec<_>>(),
            "payment_types": self.payment_types.values().map(payment_type_json).collect::<Vec<_>>(),
            "brands": self.brands.values().map(named_json).collect::<Vec<_>>(),
            "product_types": self.product_types.values().map(named_json).collect::<Vec<_>>(),
            "customer_groups": self.customer_groups.values().map(named_json).collect::<Vec<_>>(),
            "customers": self.customers.values().map(customer_json).collect::<Vec<_>>(),
            "products": self.products.values().map(|p| self.product_json(p)).collect::<Vec<_>>(),
            "sales": self.sales.values().map(|x| self.sale_json(x)).collect::<Vec<_>>(),
            "purchase_orders": self.purchase_orders.values().map(purchase_order_json).collect::<Vec<_>>(),
            "stocktakes": self.stocktakes.values().map(stocktake_json).collect::<Vec<_>>(),
            "transfers": self.transfers.values().map(transfer_json).collect::<Vec<_>>(),
            "webhooks": self.subscriptions.values().map(|s| subscription_json(s, true)).collect::<Vec<_>>(),
            "last_event_id": self.last_event_id,
        })
    }
}

type Res = ApiResult<Json<Value>>;

pub async fn seed(State(st): State<AppState>, body: Bytes) -> Res {
    let input: SeedInput = parse(&body)?;
    lock(&st.store).seed(input).map(Json)
}

pub async fn state(State(st): State<AppState>) -> Json<Value> {
    Json(lock(&st.store).snapshot())
}

/// Back to a fresh store (defaults per config); events and subscriptions go too, tokens stay.
pub async fn reset(State(st): State<AppState>) -> StatusCode {
    *lock(&st.store) = st.fresh_store();
    StatusCode::NO_CONTENT
}

/// Mints a token pair without the OAuth dance.
pub async fn tokens(State(st): State<AppState>) -> Json<Value> {
    let pair = lock(&st.auth).issue(st.cfg.access_token_ttl);
    Json(serde_json::to_value(pair).unwrap_or_default())
}

/// Expires every access token now, so the next API call answers 401.
pub async fn tokens_expire(State(st): State<AppState>) -> StatusCode {
    lock(&st.auth).expire_all();
    StatusCode::NO_CONTENT
}

/// The merchant changing general settings (e.g. "Tax-inclusive prices"); emits `store.updated`.
pub async fn settings(State(st): State<AppState>, body: Bytes) -> Res {
    let input: SettingsInput = parse(&body)?;
    lock(&st.store).apply_settings(input).map(Json)
}
