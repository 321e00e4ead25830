//! Inventory API (single default location, id 1): absolute and relative adjustments of at most
//! 2,000 items addressed by `variant_id`, `sku` or `product_id`, item reads and location settings.
//! Errors are 422 `application/problem+json`; a request is applied all-or-nothing.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use emulator_kit::lock;
use serde_json::{Value, json};

use crate::Shared;
use crate::catalog::{inventory_event_product, inventory_event_sku, store};
use crate::hooks::{Events, emit};
use crate::state::Store;
use crate::util::{self, Paging, id_list, not_found_v3, parse_body, problem, str_list_lower, too_many_items, v3_list};

pub const MAX_ADJUSTMENT_ITEMS: usize = 2000;
pub const MAX_ITEMS_READ: usize = 1000;

fn unprocessable(title: String) -> Response {
    problem(StatusCode::UNPROCESSABLE_ENTITY, &title, json!({}))
}

/// Finds the variant that holds the stock an identity names, enforcing the tracking mode.
fn resolve(st: &Store, ident: &Value) -> Result<u64, Response> {
    let (label, variant) = if let Some(pid) = ident.get("product_id").and_then(Value::as_u64) {
        let Some(p) = st.products.get(&pid) else {
            return Err(unprocessable(format!("[Item with product_id {pid} does not exist]")));
        };
        if p.inventory_tracking == "variant" {
            return Err(unprocessable(format!(
                "[Item with product_id {pid} is tracked by variant, please update stock by variant id]"
            )));
        }
        (format!("product_id {pid}"), st.variants.get(&p.base_variant_id))
    } else if let Some(vid) = ident.get("variant_id").and_then(Value::as_u64) {
        (format!("variant_id {vid}"), st.variants.get(&vid))
    } else if let Some(sku) = ident.get("sku").and_then(Value::as_str) {
        let lower = sku.to_lowercase();
        (format!("sku {sku}"), st.variants.values().find(|v| v.sku.to_lowercase() == lower))
    } else {
        return Err(unprocessable("[Each item needs one of variant_id, sku or product_id]".into()));
    };
    let Some(v) = variant else {
        return Err(unprocessable(format!("[Item with {label} does not exist]")));
    };
    let tracking = st.products.get(&v.product_id).map(|p| p.inventory_tracking.as_str()).unwrap_or("none");
    match (tracking, v.is_base) {
        ("none", _) => Err(unprocessable(format!("[Item with {label} has inventory tracking disabled]"))),
        ("product", false) => {
            Err(unprocessable(format!("[Item with {label} is tracked by product, please update stock by product id]")))
        }
        ("variant", true) => {
            Err(unprocessable(format!("[Item with {label} is tracked by variant, please update stock by variant id]")))
        }
        _ => Ok(v.id),
    }
}

fn items_of(b: &Value) -> Result<Vec<Value>, Response> {
    let items = b.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(unprocessable("[items are required]".into()));
    }
    if items.len() > MAX_ADJUSTMENT_ITEMS {
        return Err(too_many_items(MAX_ADJUSTMENT_ITEMS));
    }
    Ok(items)
}

fn check_location(item: &Value) -> Result<(), Response> {
    match item.get("location_id").and_then(Value::as_u64) {
        None | Some(1) => Ok(()),
        Some(l) => Err(unprocessable(format!("[Location with id {l} does not exist]"))),
    }
}

/// Applies one adjustment batch to the store; `relative` adds, otherwise sets.
pub fn adjust(st: &mut Store, b: &Value, relative: bool, ev: &mut Events) -> Result<(), Response> {
    let items = items_of(b)?;
    let mut work = st.clone();
    for item in &items {
        check_location(item)?;
        let vid = resolve(&work, item)?;
        let Some(q) = item.get("quantity").and_then(Value::as_i64) else {
            return Err(unprocessable("[quantity is required and must be an integer]".into()));
        };
        let v = work.variants.get_mut(&vid).expect("resolved above");
        let who = if v.is_base { format!("product_id {}", v.product_id) } else { format!("variant_id {}", v.id) };
        if relative {
            if !v.stock_initialised {
                return Err(unprocessable(format!(
                    "Items with identity: [{who}] requires absolute adjustment before relative"
                )));
            }
            if v.inventory_level + q < v.safety_stock {
                return Err(unprocessable(format!(
                    "[Item with {who} would go below its safety stock of {}]",
                    v.safety_stock
                )));
            }
            v.inventory_level += q;
        } else {
            if q < 0 {
                return Err(unprocessable(format!("[Quantity for item with {who} must not be negative]")));
            }
            v.inventory_level = q;
        }
        v.stock_initialised = true;
        let (method, value) = if relative { ("relative", q) } else { ("absolute", q) };
        let v = v.clone();
        ev.push(if v.is_base {
            inventory_event_product(v.product_id, method, value)
        } else {
            inventory_event_sku(&v, method, value)
        });
    }
    *st = work;
    Ok(())
}

async fn adjustment(s: Shared, hash: String, body: Bytes, relative: bool) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    match adjust(st, &b, relative, &mut ev) {
        Ok(()) => {
            emit(&s, st, ev);
            axum::Json(json!({ "transaction_id": uuid::Uuid::new_v4().to_string() })).into_response()
        }
        Err(r) => r,
    }
}

pub async fn absolute(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    adjustment(s, hash, body, false).await
}

pub async fn relative(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    adjustment(s, hash, body, true).await
}

/// The stock-holding variants (base for product/none tracking, the others for variant tracking).
fn stock_items(st: &Store, q: &util::Query) -> Vec<u64> {
    let vids = id_list(q, "variant_id:in");
    let pids = id_list(q, "product_id:in");
    let skus = str_list_lower(q, "sku:in");
    st.variants
        .values()
        .filter(|v| {
            let by_variant = st.products.get(&v.product_id).is_some_and(|p| p.inventory_tracking == "variant");
            v.is_base != by_variant
        })
        .filter(|v| vids.as_ref().is_none_or(|i| i.contains(&v.id)))
        .filter(|v| pids.as_ref().is_none_or(|i| i.contains(&v.product_id)))
        .filter(|v| skus.as_ref().is_none_or(|i| i.contains(&v.sku.to_lowercase())))
        .map(|v| v.id)
        .collect()
}

pub async fn items(State(s): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let p = match Paging::parse(&q, MAX_ITEMS_READ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let out = stock_items(st, &q).iter().map(|id| st.render_item(&st.variants[id], false)).collect();
    v3_list(out, p)
}

pub async fn location_items(
    State(s): State<Shared>,
    Path((hash, loc)): Path<(String, u64)>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, MAX_ITEMS_READ) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    if loc != 1 {
        return not_found_v3();
    }
    let out = stock_items(st, &q).iter().map(|id| st.render_item(&st.variants[id], true)).collect();
    v3_list(out, p)
}

/// `PUT /inventory/locations/{id}/items`: safety stock and warning level per item.
pub async fn location_settings(
    State(s): State<Shared>,
    Path((hash, loc)): Path<(String, u64)>,
    body: Bytes,
) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    if loc != 1 {
        return unprocessable(format!("[Location with id {loc} does not exist]"));
    }
    let settings = b.get("settings").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut resolved = Vec::new();
    for item in &settings {
        match resolve(st, item.get("identity").unwrap_or(&Value::Null)) {
            Ok(vid) => resolved.push((vid, item)),
            Err(r) => return r,
        }
    }
    for (vid, item) in resolved {
        let v = st.variants.get_mut(&vid).expect("resolved above");
        if let Some(x) = item.get("safety_stock").and_then(Value::as_i64) {
            v.safety_stock = x;
        }
        if let Some(x) = item.get("warning_level").and_then(Value::as_i64) {
            v.inventory_warning_level = x;
        }
    }
    axum::Json(json!({ "transaction_id": uuid::Uuid::new_v4().to_string() })).into_response()
}
