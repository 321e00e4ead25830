//! Catalog V3: products (with their base variant), variants, categories and brands.
//!
//! Rules kept: SKU unique case-insensitively across products and variants and product name
//! unique (409); `name`, `type`, `weight`, `price` required (422 with an errors map);
//! `categories` replaces wholesale; `brand_name` upserts a brand; `inventory_level` only applies
//! under the matching `inventory_tracking`; batch PUTs of at most 10 products / 50 variants (413),
//! applied all-or-nothing.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use emulator_kit::lock;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::hooks::{Events, emit};
use crate::state::{Brand, Category, Product, Store, Variant};
use crate::util::{
    self, Paging, id_list, not_found_v3, now, parse_body, parse_date, str_list_lower, too_many_items, v3_error,
    v3_list, v3_single,
};

pub const MAX_PRODUCT_BATCH: usize = 10;
pub const MAX_VARIANT_BATCH: usize = 50;

fn invalid(errors: Map<String, Value>) -> Response {
    v3_error(StatusCode::UNPROCESSABLE_ENTITY, "JSON data is missing or invalid", Value::Object(errors))
}

fn conflict(title: &str, field: &str, msg: String) -> Response {
    v3_error(StatusCode::CONFLICT, title, json!({ field: msg }))
}

fn str_field(b: &Value, k: &str) -> Option<String> {
    b.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Reads an optional number; a present non-number is recorded as an error.
fn num_field(b: &Value, k: &str, errors: &mut Map<String, Value>) -> Option<f64> {
    match b.get(k) {
        None | Some(Value::Null) => None,
        Some(v) => v.as_f64().or_else(|| {
            errors.insert(k.into(), json!(format!("{k} must be a number")));
            None
        }),
    }
}

fn int_field(b: &Value, k: &str, errors: &mut Map<String, Value>) -> Option<i64> {
    match b.get(k) {
        None | Some(Value::Null) => None,
        Some(v) => v.as_i64().or_else(|| {
            errors.insert(k.into(), json!(format!("{k} must be an integer")));
            None
        }),
    }
}

/// Checks that a new SKU is free; `except` is the variant that may already hold it.
fn check_sku(st: &Store, sku: &str, except: Option<u64>, taken: &[String]) -> Result<(), Response> {
    if st.sku_owner(sku, except).is_some() || (!sku.is_empty() && taken.contains(&sku.to_lowercase())) {
        return Err(conflict("The product sku is a duplicate", "sku", format!("Sku {sku} is not unique")));
    }
    Ok(())
}

fn check_name(st: &Store, name: &str, except: Option<u64>) -> Result<(), Response> {
    if st.products.values().any(|p| Some(p.id) != except && crate::state::same_caseless(&p.name, name)) {
        return Err(conflict("The product name is a duplicate", "name", format!("Product name {name} is not unique")));
    }
    Ok(())
}

/// Applies `categories`, `brand_id` and `brand_name` from a body (409 on unknown ids).
fn apply_links(st: &mut Store, b: &Value, p: &mut Product) -> Result<(), Response> {
    if let Some(cats) = b.get("categories").and_then(Value::as_array) {
        let ids: Vec<u64> = cats.iter().filter_map(Value::as_u64).collect();
        if let Some(bad) = ids.iter().find(|id| !st.categories.contains_key(id)) {
            return Err(conflict("Category does not exist", "categories", format!("Category {bad} does not exist")));
        }
        p.categories = ids;
    }
    if let Some(bid) = b.get("brand_id").and_then(Value::as_u64) {
        if bid != 0 && !st.brands.contains_key(&bid) {
            return Err(conflict("Brand does not exist", "brand_id", format!("Brand {bid} does not exist")));
        }
        p.brand_id = bid;
    }
    if let Some(name) = str_field(b, "brand_name").filter(|n| !n.is_empty()) {
        let existing = st.brands.values().find(|x| x.name.eq_ignore_ascii_case(&name)).map(|x| x.id);
        p.brand_id = match existing {
            Some(id) => id,
            None => {
                let id = st.next("brand");
                st.brands.insert(id, Brand { id, name });
                id
            }
        };
    }
    Ok(())
}

fn check_tracking(b: &Value, errors: &mut Map<String, Value>) -> Option<String> {
    let t = str_field(b, "inventory_tracking")?;
    if ["none", "product", "variant"].contains(&t.as_str()) {
        Some(t)
    } else {
        errors.insert("inventory_tracking".into(), json!("must be one of none, product, variant"));
        None
    }
}

pub(crate) fn inventory_event_product(p: u64, method: &str, value: i64) -> (String, Value) {
    (
        "store/product/inventory/updated".into(),
        json!({ "type": "product", "id": p, "inventory": { "product_id": p, "method": method, "value": value } }),
    )
}

pub(crate) fn inventory_event_sku(v: &Variant, method: &str, value: i64) -> (String, Value) {
    (
        "store/sku/inventory/updated".into(),
        json!({ "type": "sku", "id": v.sku_id.unwrap_or(0),
                "sku": { "product_id": v.product_id, "variant_id": v.id },
                "inventory": { "product_id": v.product_id, "method": method, "value": value, "variant_id": v.id } }),
    )
}

fn sku_event(scope: &str, v: &Variant) -> (String, Value) {
    (
        scope.into(),
        json!({ "type": "sku", "id": v.sku_id.unwrap_or(0), "sku": { "product_id": v.product_id, "variant_id": v.id } }),
    )
}

/// Creates a product (and any `variants` in the body); returns its id.
pub fn create_product_core(st: &mut Store, b: &Value, ev: &mut Events) -> Result<u64, Response> {
    if !b.is_object() {
        return Err(invalid(Map::from_iter([("body".into(), json!("a product object is required"))])));
    }
    let mut errors = Map::new();
    let name = str_field(b, "name").filter(|n| !n.trim().is_empty());
    let type_ = str_field(b, "type");
    if name.is_none() {
        errors.insert("name".into(), json!("error.path.missing"));
    }
    match type_.as_deref() {
        None => {
            errors.insert("type".into(), json!("error.path.missing"));
        }
        Some("physical" | "digital") => {}
        Some(_) => {
            errors.insert("type".into(), json!("must be one of physical, digital"));
        }
    }
    let weight = num_field(b, "weight", &mut errors);
    let price = num_field(b, "price", &mut errors);
    for (k, v) in [("weight", weight), ("price", price)] {
        if v.is_none() && !errors.contains_key(k) {
            errors.insert(k.into(), json!("error.path.missing"));
        }
    }
    let tracking = check_tracking(b, &mut errors).unwrap_or_else(|| "none".into());
    let level = int_field(b, "inventory_level", &mut errors);
    let warning = int_field(b, "inventory_warning_level", &mut errors).unwrap_or(0);
    let cost = num_field(b, "cost_price", &mut errors).unwrap_or(0.0);
    let retail = num_field(b, "retail_price", &mut errors).unwrap_or(0.0);
    let sale = num_field(b, "sale_price", &mut errors).unwrap_or(0.0);
    let variants: Vec<Value> = b.get("variants").and_then(Value::as_array).cloned().unwrap_or_default();
    for (i, v) in variants.iter().enumerate() {
        if v.get("option_values").and_then(Value::as_array).is_none_or(Vec::is_empty) {
            errors.insert(format!("variants.{i}.option_values"), json!("error.path.missing"));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let name = name.unwrap_or_default();
    let sku = str_field(b, "sku").unwrap_or_default();
    check_name(st, &name, None)?;
    check_sku(st, &sku, None, &[])?;
    let mut taken = vec![sku.to_lowercase()];
    for v in &variants {
        let vs = str_field(v, "sku").unwrap_or_default();
        check_sku(st, &vs, None, &taken)?;
        taken.push(vs.to_lowercase());
    }
    let t = now();
    let mut p = Product {
        id: 0,
        name,
        type_: type_.unwrap_or_default(),
        sku: sku.clone(),
        description: str_field(b, "description").unwrap_or_default(),
        weight: weight.unwrap_or(0.0),
        price: price.unwrap_or(0.0),
        cost_price: cost,
        retail_price: retail,
        sale_price: sale,
        categories: vec![],
        brand_id: 0,
        inventory_warning_level: warning,
        inventory_tracking: tracking.clone(),
        is_visible: b.get("is_visible").and_then(Value::as_bool).unwrap_or(true),
        availability: str_field(b, "availability").unwrap_or_else(|| "available".into()),
        upc: str_field(b, "upc").unwrap_or_default(),
        gtin: str_field(b, "gtin").unwrap_or_default(),
        mpn: str_field(b, "mpn").unwrap_or_default(),
        date_created: t,
        date_modified: t,
        base_variant_id: 0,
    };
    apply_links(st, b, &mut p)?;
    p.id = st.next("product");
    p.base_variant_id = st.next("variant");
    let by_product = tracking == "product";
    let base = Variant {
        id: p.base_variant_id,
        product_id: p.id,
        is_base: true,
        sku,
        sku_id: None,
        option_values: vec![],
        price: None,
        sale_price: None,
        retail_price: None,
        cost_price: None,
        weight: None,
        inventory_level: if by_product { level.unwrap_or(0) } else { 0 },
        inventory_warning_level: warning,
        stock_initialised: by_product && level.is_some(),
        safety_stock: 0,
        upc: p.upc.clone(),
        mpn: p.mpn.clone(),
        purchasing_disabled: false,
    };
    let pid = p.id;
    st.variants.insert(base.id, base);
    st.products.insert(pid, p);
    ev.push(("store/product/created".into(), json!({ "type": "product", "id": pid })));
    for v in &variants {
        create_variant_core(st, pid, v, ev)?;
    }
    Ok(pid)
}

/// Updates a product from a (partial) body.
pub fn update_product_core(st: &mut Store, id: u64, b: &Value, ev: &mut Events) -> Result<(), Response> {
    let Some(mut p) = st.products.get(&id).cloned() else { return Err(not_found_v3()) };
    let mut errors = Map::new();
    let tracking = check_tracking(b, &mut errors);
    let level = int_field(b, "inventory_level", &mut errors);
    if let Some(t) = str_field(b, "type")
        && !["physical", "digital"].contains(&t.as_str())
    {
        errors.insert("type".into(), json!("must be one of physical, digital"));
    }
    let nums: Vec<(&str, Option<f64>)> = ["weight", "price", "cost_price", "retail_price", "sale_price"]
        .into_iter()
        .map(|k| (k, num_field(b, k, &mut errors)))
        .collect();
    let warning = int_field(b, "inventory_warning_level", &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if let Some(n) = str_field(b, "name") {
        check_name(st, &n, Some(id))?;
        p.name = n;
    }
    if let Some(sku) = str_field(b, "sku") {
        check_sku(st, &sku, Some(p.base_variant_id), &[])?;
        p.sku = sku;
    }
    apply_links(st, b, &mut p)?;
    for (k, v) in nums {
        if let Some(v) = v {
            match k {
                "weight" => p.weight = v,
                "price" => p.price = v,
                "cost_price" => p.cost_price = v,
                "retail_price" => p.retail_price = v,
                _ => p.sale_price = v,
            }
        }
    }
    if let Some(t) = str_field(b, "type") {
        p.type_ = t;
    }
    if let Some(t) = tracking {
        p.inventory_tracking = t;
    }
    if let Some(w) = warning {
        p.inventory_warning_level = w;
    }
    for (k, f) in [("description", &mut p.description), ("availability", &mut p.availability)] {
        if let Some(v) = str_field(b, k) {
            *f = v;
        }
    }
    for (k, f) in [("upc", &mut p.upc), ("gtin", &mut p.gtin), ("mpn", &mut p.mpn)] {
        if let Some(v) = str_field(b, k) {
            *f = v;
        }
    }
    if let Some(v) = b.get("is_visible").and_then(Value::as_bool) {
        p.is_visible = v;
    }
    p.date_modified = now();
    let by_product = p.inventory_tracking == "product";
    if let Some(base) = st.variants.get_mut(&p.base_variant_id) {
        base.sku = p.sku.clone();
        if let Some(w) = warning {
            base.inventory_warning_level = w;
        }
        if let (Some(l), true) = (level, by_product) {
            let changed = base.inventory_level != l || !base.stock_initialised;
            base.inventory_level = l;
            base.stock_initialised = true;
            if changed {
                ev.push(inventory_event_product(id, "absolute", l));
            }
        }
    }
    st.products.insert(id, p);
    ev.push(("store/product/updated".into(), json!({ "type": "product", "id": id })));
    Ok(())
}

/// Resolves `option_values` into `{id, label, option_id, option_display_name}`, creating option
/// and value ids for new display names and labels.
fn resolve_options(st: &mut Store, product_id: u64, vals: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for ov in vals {
        let name = str_field(ov, "option_display_name").unwrap_or_default();
        let label = str_field(ov, "label").unwrap_or_default();
        let option_id = match ov.get("option_id").and_then(Value::as_u64) {
            Some(id) => id,
            None => {
                let key = (product_id, name.to_lowercase());
                match st.options.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = st.next("option");
                        st.options.insert(key, id);
                        id
                    }
                }
            }
        };
        let value_id = match ov.get("id").and_then(Value::as_u64) {
            Some(id) => id,
            None => {
                let key = (option_id, label.to_lowercase());
                match st.option_values.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = st.next("option_value");
                        st.option_values.insert(key, id);
                        id
                    }
                }
            }
        };
        out.push(json!({ "id": value_id, "label": label, "option_id": option_id, "option_display_name": name }));
    }
    out
}

/// Creates a (non-base) variant on a product; returns its id.
pub fn create_variant_core(st: &mut Store, product_id: u64, b: &Value, ev: &mut Events) -> Result<u64, Response> {
    let Some(p) = st.products.get(&product_id).cloned() else { return Err(not_found_v3()) };
    let mut errors = Map::new();
    let vals = b.get("option_values").and_then(Value::as_array).cloned().unwrap_or_default();
    if vals.is_empty() {
        errors.insert("option_values".into(), json!("error.path.missing"));
    }
    let sku = str_field(b, "sku").unwrap_or_default();
    if sku.is_empty() {
        errors.insert("sku".into(), json!("error.path.missing"));
    }
    let level = int_field(b, "inventory_level", &mut errors);
    let warning = int_field(b, "inventory_warning_level", &mut errors).unwrap_or(0);
    let price = num_field(b, "price", &mut errors);
    let sale = num_field(b, "sale_price", &mut errors);
    let retail = num_field(b, "retail_price", &mut errors);
    let cost = num_field(b, "cost_price", &mut errors);
    let weight = num_field(b, "weight", &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    check_sku(st, &sku, None, &[])?;
    let option_values = resolve_options(st, product_id, &vals);
    let by_variant = p.inventory_tracking == "variant";
    let v = Variant {
        id: st.next("variant"),
        product_id,
        is_base: false,
        sku,
        sku_id: Some(st.next("sku")),
        option_values,
        price,
        sale_price: sale,
        retail_price: retail,
        cost_price: cost,
        weight,
        inventory_level: if by_variant { level.unwrap_or(0) } else { 0 },
        inventory_warning_level: warning,
        stock_initialised: by_variant && level.is_some(),
        safety_stock: 0,
        upc: str_field(b, "upc").unwrap_or_default(),
        mpn: str_field(b, "mpn").unwrap_or_default(),
        purchasing_disabled: b.get("purchasing_disabled").and_then(Value::as_bool).unwrap_or(false),
    };
    ev.push(sku_event("store/sku/created", &v));
    let id = v.id;
    st.variants.insert(id, v);
    Ok(id)
}

pub fn update_variant_core(st: &mut Store, id: u64, b: &Value, ev: &mut Events) -> Result<(), Response> {
    let Some(mut v) = st.variants.get(&id).cloned() else { return Err(not_found_v3()) };
    let tracking = st.products.get(&v.product_id).map(|p| p.inventory_tracking.clone()).unwrap_or_default();
    let mut errors = Map::new();
    let level = int_field(b, "inventory_level", &mut errors);
    let warning = int_field(b, "inventory_warning_level", &mut errors);
    let mut prices = Vec::new();
    for k in ["price", "sale_price", "retail_price", "cost_price", "weight"] {
        if b.get(k).is_some() {
            prices.push((k, num_field(b, k, &mut errors)));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if let Some(sku) = str_field(b, "sku") {
        check_sku(st, &sku, Some(id), &[])?;
        v.sku = sku;
    }
    for (k, val) in prices {
        match k {
            "price" => v.price = val,
            "sale_price" => v.sale_price = val,
            "retail_price" => v.retail_price = val,
            "cost_price" => v.cost_price = val,
            _ => v.weight = val,
        }
    }
    if let Some(w) = warning {
        v.inventory_warning_level = w;
    }
    if let Some(x) = b.get("purchasing_disabled").and_then(Value::as_bool) {
        v.purchasing_disabled = x;
    }
    for (k, f) in [("upc", &mut v.upc), ("mpn", &mut v.mpn)] {
        if let Some(s) = str_field(b, k) {
            *f = s;
        }
    }
    let tracked_here = if v.is_base { tracking == "product" } else { tracking == "variant" };
    if let (Some(l), true) = (level, tracked_here) {
        let changed = v.inventory_level != l || !v.stock_initialised;
        v.inventory_level = l;
        v.stock_initialised = true;
        if changed {
            ev.push(if v.is_base {
                inventory_event_product(v.product_id, "absolute", l)
            } else {
                inventory_event_sku(&v, "absolute", l)
            });
        }
    }
    if v.is_base {
        if let Some(p) = st.products.get_mut(&v.product_id) {
            p.sku = v.sku.clone();
            p.date_modified = now();
        }
        ev.push(("store/product/updated".into(), json!({ "type": "product", "id": v.product_id })));
    } else {
        ev.push(sku_event("store/sku/updated", &v));
    }
    st.variants.insert(id, v);
    Ok(())
}

/// Loads a store or answers 404.
macro_rules! store {
    ($db:expr, $hash:expr) => {
        match $db.stores.get_mut(&$hash) {
            Some(st) => st,
            None => return $crate::util::not_found_v3(),
        }
    };
}
pub(crate) use store;

fn body_or(b: &Bytes) -> Result<Value, Response> {
    parse_body(b)
}

fn includes(q: &util::Query, what: &str) -> bool {
    q.get("include").is_some_and(|i| i.split(',').any(|x| x.trim() == what))
}

pub async fn list_products(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let ids = id_list(&q, "id:in").or_else(|| id_list(&q, "id"));
    let skus = str_list_lower(&q, "sku:in").or_else(|| str_list_lower(&q, "sku"));
    let min = q.get("date_modified:min").and_then(|d| parse_date(d));
    let max = q.get("date_modified:max").and_then(|d| parse_date(d));
    let with_variants = includes(&q, "variants");
    let items: Vec<Value> = st
        .products
        .values()
        .filter(|x| ids.as_ref().is_none_or(|ids| ids.contains(&x.id)))
        .filter(|x| skus.as_ref().is_none_or(|s| s.contains(&x.sku.to_lowercase())))
        .filter(|x| q.get("name").is_none_or(|n| *n == x.name))
        .filter(|x| min.is_none_or(|m| x.date_modified >= m))
        .filter(|x| max.is_none_or(|m| x.date_modified <= m))
        .map(|x| st.render_product(x, with_variants))
        .collect();
    v3_list(items, p)
}

pub async fn create_product(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    match create_product_core(st, &b, &mut ev) {
        Ok(id) => {
            emit(&s, st, ev);
            let out = st.render_product(&st.products[&id], true);
            v3_single(out)
        }
        Err(r) => r,
    }
}

pub async fn get_product(
    State(s): State<Shared>,
    Path((hash, id)): Path<(String, u64)>,
    Query(q): Query<util::Query>,
) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    match st.products.get(&id) {
        Some(p) => v3_single(st.render_product(p, includes(&q, "variants"))),
        None => not_found_v3(),
    }
}

pub async fn update_product(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    match update_product_core(st, id, &b, &mut ev) {
        Ok(()) => {
            emit(&s, st, ev);
            v3_single(st.render_product(&st.products[&id], false))
        }
        Err(r) => r,
    }
}

/// `PUT /catalog/products`: up to 10 `{id, ...}` updates, all or nothing.
pub async fn batch_update_products(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(items) = b.as_array() else {
        return invalid(Map::from_iter([("body".into(), json!("an array of products is required"))]));
    };
    if items.len() > MAX_PRODUCT_BATCH {
        return too_many_items(MAX_PRODUCT_BATCH);
    }
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut work = st.clone();
    let mut ev = Events::new();
    let mut ids = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(id) = item.get("id").and_then(Value::as_u64) else {
            return invalid(Map::from_iter([(format!("{i}.id"), json!("error.path.missing"))]));
        };
        if let Err(r) = update_product_core(&mut work, id, item, &mut ev) {
            return r;
        }
        ids.push(id);
    }
    *st = work;
    emit(&s, st, ev);
    let data: Vec<Value> = ids.iter().map(|id| st.render_product(&st.products[id], false)).collect();
    axum::Json(json!({ "data": data, "meta": {} })).into_response()
}

fn remove_product(st: &mut Store, id: u64, ev: &mut Events) -> bool {
    if st.products.remove(&id).is_none() {
        return false;
    }
    st.variants.retain(|_, v| v.product_id != id);
    ev.push(("store/product/deleted".into(), json!({ "type": "product", "id": id })));
    true
}

/// `DELETE /catalog/products?id:in=...`: a filter is required, at most 250 ids.
pub async fn delete_products(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Query(q): Query<util::Query>,
) -> Response {
    let ids = id_list(&q, "id:in").or_else(|| id_list(&q, "id"));
    let Some(ids) = ids.filter(|i| !i.is_empty()) else {
        return v3_error(StatusCode::UNPROCESSABLE_ENTITY, "A filter (such as id:in) is required.", json!({}));
    };
    if ids.len() > 250 {
        return too_many_items(250);
    }
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    for id in ids {
        remove_product(st, id, &mut ev);
    }
    emit(&s, st, ev);
    StatusCode::NO_CONTENT.into_response()
}

pub async fn delete_product(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    remove_product(st, id, &mut ev);
    emit(&s, st, ev);
    StatusCode::NO_CONTENT.into_response()
}

pub async fn list_product_variants(
    State(s): State<Shared>,
    Path((hash, pid)): Path<(String, u64)>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    if !st.products.contains_key(&pid) {
        return not_found_v3();
    }
    let items = st.product_variants(pid).iter().map(|v| st.render_variant(v)).collect();
    v3_list(items, p)
}

pub async fn create_variant(State(s): State<Shared>, Path((hash, pid)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    match create_variant_core(st, pid, &b, &mut ev) {
        Ok(id) => {
            emit(&s, st, ev);
            v3_single(st.render_variant(&st.variants[&id]))
        }
        Err(r) => r,
    }
}

pub async fn get_variant(State(s): State<Shared>, Path((hash, pid, vid)): Path<(String, u64, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    match st.variants.get(&vid).filter(|v| v.product_id == pid) {
        Some(v) => v3_single(st.render_variant(v)),
        None => not_found_v3(),
    }
}

pub async fn update_variant(
    State(s): State<Shared>,
    Path((hash, pid, vid)): Path<(String, u64, u64)>,
    body: Bytes,
) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    if st.variants.get(&vid).is_none_or(|v| v.product_id != pid) {
        return not_found_v3();
    }
    let mut ev = Events::new();
    match update_variant_core(st, vid, &b, &mut ev) {
        Ok(()) => {
            emit(&s, st, ev);
            v3_single(st.render_variant(&st.variants[&vid]))
        }
        Err(r) => r,
    }
}

pub async fn delete_variant(State(s): State<Shared>, Path((hash, pid, vid)): Path<(String, u64, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    match st.variants.get(&vid) {
        Some(v) if v.product_id == pid && v.is_base => v3_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The base variant cannot be deleted.",
            json!({ "variant_id": vid }),
        ),
        Some(v) if v.product_id == pid => {
            let ev = vec![sku_event("store/sku/deleted", v)];
            st.variants.remove(&vid);
            emit(&s, st, ev);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

pub async fn list_variants(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let ids = id_list(&q, "id:in").or_else(|| id_list(&q, "id"));
    let pids = id_list(&q, "product_id:in").or_else(|| id_list(&q, "product_id"));
    let skus = str_list_lower(&q, "sku:in").or_else(|| str_list_lower(&q, "sku"));
    let items = st
        .variants
        .values()
        .filter(|v| ids.as_ref().is_none_or(|i| i.contains(&v.id)))
        .filter(|v| pids.as_ref().is_none_or(|i| i.contains(&v.product_id)))
        .filter(|v| skus.as_ref().is_none_or(|i| i.contains(&v.sku.to_lowercase())))
        .map(|v| st.render_variant(v))
        .collect();
    v3_list(items, p)
}

/// `PUT /catalog/variants`: up to 50 items; `id` updates, `product_id` + `option_values` creates.
pub async fn batch_variants(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(items) = b.as_array() else {
        return invalid(Map::from_iter([("body".into(), json!("an array of variants is required"))]));
    };
    if items.len() > MAX_VARIANT_BATCH {
        return too_many_items(MAX_VARIANT_BATCH);
    }
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut work = st.clone();
    let mut ev = Events::new();
    let mut ids = Vec::new();
    for item in items {
        let r = match (item.get("id").and_then(Value::as_u64), item.get("product_id").and_then(Value::as_u64)) {
            (Some(id), _) => update_variant_core(&mut work, id, item, &mut ev).map(|_| id),
            (None, Some(pid)) => create_variant_core(&mut work, pid, item, &mut ev),
            (None, None) => Err(invalid(Map::from_iter([("id".into(), json!("error.path.missing"))]))),
        };
        match r {
            Ok(id) => ids.push(id),
            Err(r) => return r,
        }
    }
    *st = work;
    emit(&s, st, ev);
    let data: Vec<Value> = ids.iter().map(|id| st.render_variant(&st.variants[id])).collect();
    axum::Json(json!({ "data": data, "meta": {} })).into_response()
}

fn render_category(c: &Category) -> Value {
    json!({
        "id": c.id, "parent_id": c.parent_id, "name": c.name, "description": c.description,
        "views": 0, "sort_order": c.sort_order, "page_title": "", "search_keywords": "",
        "meta_keywords": [], "meta_description": "", "layout_file": "category.html", "is_visible": c.is_visible,
        "default_product_sort": "use_store_settings", "image_url": "",
        "custom_url": { "url": format!("/{}/", c.name.to_lowercase().replace(' ', "-")), "is_customized": false },
    })
}

fn render_brand(b: &Brand) -> Value {
    json!({
        "id": b.id, "name": b.name, "page_title": "", "meta_keywords": [], "meta_description": "",
        "image_url": "", "search_keywords": "",
        "custom_url": { "url": format!("/brands/{}.html", b.name.replace(' ', "-")), "is_customized": false },
    })
}

pub fn create_category_core(st: &mut Store, b: &Value, ev: &mut Events) -> Result<u64, Response> {
    let mut errors = Map::new();
    let name = str_field(b, "name").filter(|n| !n.is_empty());
    let parent = b.get("parent_id").and_then(Value::as_u64);
    if name.is_none() {
        errors.insert("name".into(), json!("error.path.missing"));
    }
    if parent.is_none() {
        errors.insert("parent_id".into(), json!("error.path.missing"));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let (name, parent) = (name.unwrap_or_default(), parent.unwrap_or(0));
    if parent != 0 && !st.categories.contains_key(&parent) {
        return Err(invalid(Map::from_iter([("parent_id".into(), json!("parent category does not exist"))])));
    }
    check_category_name(st, &name, parent, None)?;
    let id = st.next("category");
    st.categories.insert(
        id,
        Category {
            id,
            parent_id: parent,
            name,
            description: str_field(b, "description").unwrap_or_default(),
            sort_order: b.get("sort_order").and_then(Value::as_i64).unwrap_or(0),
            is_visible: b.get("is_visible").and_then(Value::as_bool).unwrap_or(true),
        },
    );
    ev.push(("store/category/created".into(), json!({ "type": "category", "id": id })));
    Ok(id)
}

fn check_category_name(st: &Store, name: &str, parent: u64, except: Option<u64>) -> Result<(), Response> {
    if st
        .categories
        .values()
        .any(|c| Some(c.id) != except && c.parent_id == parent && c.name.eq_ignore_ascii_case(name))
    {
        return Err(conflict("Category name is a duplicate", "name", format!("Category {name} already exists here")));
    }
    Ok(())
}

pub async fn list_categories(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let ids = id_list(&q, "id:in");
    let parent = q.get("parent_id").and_then(|x| x.parse::<u64>().ok());
    let items = st
        .categories
        .values()
        .filter(|c| ids.as_ref().is_none_or(|i| i.contains(&c.id)))
        .filter(|c| parent.is_none_or(|x| c.parent_id == x))
        .filter(|c| q.get("name").is_none_or(|n| *n == c.name))
        .map(render_category)
        .collect();
    v3_list(items, p)
}

pub async fn create_category(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    match create_category_core(st, &b, &mut ev) {
        Ok(id) => {
            emit(&s, st, ev);
            v3_single(render_category(&st.categories[&id]))
        }
        Err(r) => r,
    }
}

pub async fn get_category(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    st.categories.get(&id).map(|c| v3_single(render_category(c))).unwrap_or_else(not_found_v3)
}

pub async fn update_category(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let Some(mut c) = st.categories.get(&id).cloned() else { return not_found_v3() };
    if let Some(p) = b.get("parent_id").and_then(Value::as_u64) {
        c.parent_id = p;
    }
    if let Some(n) = str_field(&b, "name") {
        c.name = n;
    }
    if let Err(r) = check_category_name(st, &c.name, c.parent_id, Some(id)) {
        return r;
    }
    if let Some(d) = str_field(&b, "description") {
        c.description = d;
    }
    if let Some(v) = b.get("is_visible").and_then(Value::as_bool) {
        c.is_visible = v;
    }
    if let Some(v) = b.get("sort_order").and_then(Value::as_i64) {
        c.sort_order = v;
    }
    st.categories.insert(id, c.clone());
    emit(&s, st, vec![("store/category/updated".into(), json!({ "type": "category", "id": id }))]);
    v3_single(render_category(&c))
}

pub async fn delete_category(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    if st.categories.remove(&id).is_some() {
        for p in st.products.values_mut() {
            p.categories.retain(|c| *c != id);
        }
        emit(&s, st, vec![("store/category/deleted".into(), json!({ "type": "category", "id": id }))]);
    }
    StatusCode::NO_CONTENT.into_response()
}

pub fn create_brand_core(st: &mut Store, b: &Value) -> Result<u64, Response> {
    let Some(name) = str_field(b, "name").filter(|n| !n.is_empty()) else {
        return Err(invalid(Map::from_iter([("name".into(), json!("error.path.missing"))])));
    };
    if st.brands.values().any(|x| x.name.eq_ignore_ascii_case(&name)) {
        return Err(conflict("Brand name is a duplicate", "name", format!("Brand {name} already exists")));
    }
    let id = st.next("brand");
    st.brands.insert(id, Brand { id, name });
    Ok(id)
}

pub async fn list_brands(State(s): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    let items = st
        .brands
        .values()
        .filter(|b| q.get("name").is_none_or(|n| n.eq_ignore_ascii_case(&b.name)))
        .map(render_brand)
        .collect();
    v3_list(items, p)
}

pub async fn create_brand(State(s): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    match create_brand_core(st, &b) {
        Ok(id) => v3_single(render_brand(&st.brands[&id])),
        Err(r) => r,
    }
}

pub async fn get_brand(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    st.brands.get(&id).map(|b| v3_single(render_brand(b))).unwrap_or_else(not_found_v3)
}

pub async fn update_brand(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match body_or(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    if !st.brands.contains_key(&id) {
        return not_found_v3();
    }
    if let Some(n) = str_field(&b, "name") {
        if st.brands.values().any(|x| x.id != id && x.name.eq_ignore_ascii_case(&n)) {
            return conflict("Brand name is a duplicate", "name", format!("Brand {n} already exists"));
        }
        if let Some(x) = st.brands.get_mut(&id) {
            x.name = n;
        }
    }
    v3_single(render_brand(&st.brands[&id]))
}

pub async fn delete_brand(State(s): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&s.db);
    let st = store!(db, hash);
    st.brands.remove(&id);
    for p in st.products.values_mut().filter(|p| p.brand_id == id) {
        p.brand_id = 0;
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The JSON snapshot of catalog records for the control API.
pub fn snapshot(st: &Store) -> Value {
    json!({
        "products": st.products.values().map(|p| st.render_product(p, true)).collect::<Vec<_>>(),
        "categories": st.categories.values().map(render_category).collect::<Vec<_>>(),
        "brands": st.brands.values().map(render_brand).collect::<Vec<_>>(),
    })
}
