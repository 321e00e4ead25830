//! Customers V3 (batches of at most 10; `email`, `first_name`, `last_name` required) and
//! customer groups V2 (bare JSON shapes).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use emulator_kit::lock;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::catalog::store;
use crate::hooks::{Events, emit};
use crate::state::Store;
use crate::util::{
    self, Paging, id_list, iso8601, now, parse_body, parse_date, rfc2822, str_list_lower, v2_error, v2_list, v3_error,
    v3_list,
};

pub const MAX_CUSTOMER_BATCH: usize = 10;

fn failed(title: &str, errors: Map<String, Value>) -> Response {
    v3_error(StatusCode::UNPROCESSABLE_ENTITY, title, Value::Object(errors))
}

/// 413 without a body: the customers spec documents this response with no content.
fn too_large() -> Response {
    StatusCode::PAYLOAD_TOO_LARGE.into_response()
}

fn s(b: &Value, k: &str) -> String {
    b.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn email_taken(st: &Store, email: &str, except: Option<u64>) -> bool {
    let e = email.to_lowercase();
    st.customers.iter().any(|(id, c)| Some(*id) != except && s(c, "email").to_lowercase() == e)
}

fn group_ok(st: &Store, b: &Value) -> bool {
    b.get("customer_group_id").and_then(Value::as_u64).is_none_or(|g| g == 0 || st.groups.contains_key(&g))
}

fn addresses(id: u64, st: &mut Store, b: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for a in b.get("addresses").and_then(Value::as_array).cloned().unwrap_or_default() {
        let mut a = a.as_object().cloned().unwrap_or_default();
        for k in ["first_name", "last_name", "address1", "city", "state_or_province", "postal_code", "country_code"] {
            a.entry(k).or_insert(json!(""));
        }
        a.insert("id".into(), json!(st.next("address")));
        a.insert("customer_id".into(), json!(id));
        a.entry("address_type").or_insert(json!("residential"));
        out.push(Value::Object(a));
    }
    out
}

/// Creates customers from an array (all-or-nothing); returns their ids.
pub fn create_core(st: &mut Store, b: &Value, ev: &mut Events) -> Result<Vec<u64>, Response> {
    let Some(items) = b.as_array() else {
        return Err(failed(
            "Create customers failed.",
            Map::from_iter([("body".into(), json!("an array is required"))]),
        ));
    };
    if items.len() > MAX_CUSTOMER_BATCH {
        return Err(too_large());
    }
    let mut errors = Map::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, c) in items.iter().enumerate() {
        for k in ["email", "first_name", "last_name"] {
            if s(c, k).trim().is_empty() {
                errors.insert(format!("[{i}].{k}"), json!(format!("{k} is required")));
            }
        }
        let e = s(c, "email").to_lowercase();
        if !e.is_empty() && (email_taken(st, &e, None) || seen.contains(&e)) {
            errors.insert(format!("[{i}].email"), json!(format!("The email address {e} is already in use.")));
        }
        if !group_ok(st, c) {
            errors.insert(format!("[{i}].customer_group_id"), json!("customer group does not exist"));
        }
        seen.push(e);
    }
    if !errors.is_empty() {
        return Err(failed("Create customers failed.", errors));
    }
    let mut ids = Vec::new();
    for c in items {
        let id = st.next("customer");
        let t = now();
        let addrs = addresses(id, st, c);
        let rec = json!({
            "id": id, "email": s(c, "email"), "first_name": s(c, "first_name"), "last_name": s(c, "last_name"),
            "company": s(c, "company"), "phone": s(c, "phone"), "notes": s(c, "notes"),
            "registration_ip_address": "", "tax_exempt_category": s(c, "tax_exempt_category"),
            "customer_group_id": c.get("customer_group_id").and_then(Value::as_u64).unwrap_or(0),
            "date_created": t, "date_modified": t, "addresses": addrs,
            "accepts_product_review_abandoned_cart_emails": false,
            "origin_channel_id": c.get("origin_channel_id").and_then(Value::as_u64).unwrap_or(1),
            "channel_ids": c.get("channel_ids").cloned().filter(Value::is_array).unwrap_or(json!([1])),
        });
        st.customers.insert(id, rec);
        ev.push(("store/customer/created".into(), json!({ "type": "customer", "id": id })));
        ids.push(id);
    }
    Ok(ids)
}

fn render(c: &Value, with_addresses: bool) -> Value {
    let mut v = c.clone();
    let addrs = v.get("addresses").and_then(Value::as_array).cloned().unwrap_or_default();
    v["address_count"] = json!(addrs.len());
    v["attribute_count"] = json!(0);
    v["authentication"] = json!({ "force_password_reset": false });
    v["date_created"] = json!(iso8601(c["date_created"].as_i64().unwrap_or(0)));
    v["date_modified"] = json!(iso8601(c["date_modified"].as_i64().unwrap_or(0)));
    if let Some(o) = v.as_object_mut()
        && !with_addresses
    {
        o.remove("addresses");
    }
    v
}

fn includes(q: &util::Query, what: &str) -> bool {
    q.get("include").is_some_and(|i| i.split(',').any(|x| x.trim() == what))
}

pub async fn list(State(sh): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let ids = id_list(&q, "id:in");
    let emails = str_list_lower(&q, "email:in");
    let groups = id_list(&q, "customer_group_id:in");
    let min = q.get("date_modified:min").and_then(|d| parse_date(d));
    let with_addr = includes(&q, "addresses");
    let items = st
        .customers
        .values()
        .filter(|c| ids.as_ref().is_none_or(|i| c["id"].as_u64().is_some_and(|id| i.contains(&id))))
        .filter(|c| emails.as_ref().is_none_or(|e| e.contains(&s(c, "email").to_lowercase())))
        .filter(|c| groups.as_ref().is_none_or(|g| c["customer_group_id"].as_u64().is_some_and(|x| g.contains(&x))))
        .filter(|c| min.is_none_or(|m| c["date_modified"].as_i64().unwrap_or(0) >= m))
        .map(|c| render(c, with_addr))
        .collect();
    v3_list(items, p)
}

fn data_response(st: &Store, ids: &[u64]) -> Response {
    let data: Vec<Value> = ids.iter().map(|id| render(&st.customers[id], true)).collect();
    axum::Json(json!({ "data": data, "meta": {} })).into_response()
}

pub async fn create(State(sh): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    match create_core(st, &b, &mut ev) {
        Ok(ids) => {
            emit(&sh, st, ev);
            data_response(st, &ids)
        }
        Err(r) => r,
    }
}

pub async fn update(State(sh): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(items) = b.as_array() else {
        return failed("Update customers failed.", Map::from_iter([("body".into(), json!("an array is required"))]));
    };
    if items.len() > MAX_CUSTOMER_BATCH {
        return too_large();
    }
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let mut errors = Map::new();
    for (i, c) in items.iter().enumerate() {
        match c.get("id").and_then(Value::as_u64) {
            None => {
                errors.insert(format!("[{i}].id"), json!("id is required"));
            }
            Some(id) if !st.customers.contains_key(&id) => {
                errors.insert(format!("[{i}].id"), json!(format!("customer {id} does not exist")));
            }
            Some(id) => {
                if let Some(e) = c.get("email").and_then(Value::as_str)
                    && email_taken(st, e, Some(id))
                {
                    errors.insert(format!("[{i}].email"), json!(format!("The email address {e} is already in use.")));
                }
                for k in ["email", "first_name", "last_name"] {
                    if c.get(k).is_some_and(|v| v.as_str().is_none_or(|x| x.trim().is_empty())) {
                        errors.insert(format!("[{i}].{k}"), json!(format!("{k} must not be empty")));
                    }
                }
                if !group_ok(st, c) {
                    errors.insert(format!("[{i}].customer_group_id"), json!("customer group does not exist"));
                }
            }
        }
    }
    if !errors.is_empty() {
        return failed("Update customers failed.", errors);
    }
    let mut ids = Vec::new();
    let mut ev = Events::new();
    for c in items {
        let id = c["id"].as_u64().unwrap_or(0);
        let new_addrs = c.get("addresses").map(|_| addresses(id, st, c));
        let rec = st.customers.get_mut(&id).expect("validated above");
        for k in ["email", "first_name", "last_name", "company", "phone", "notes", "tax_exempt_category"] {
            if let Some(v) = c.get(k).and_then(Value::as_str) {
                rec[k] = json!(v);
            }
        }
        if let Some(g) = c.get("customer_group_id").and_then(Value::as_u64) {
            rec["customer_group_id"] = json!(g);
        }
        if let Some(a) = new_addrs {
            rec["addresses"] = Value::Array(a);
        }
        rec["date_modified"] = json!(now());
        ev.push(("store/customer/updated".into(), json!({ "type": "customer", "id": id })));
        ids.push(id);
    }
    emit(&sh, st, ev);
    data_response(st, &ids)
}

pub async fn delete(State(sh): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let Some(ids) = id_list(&q, "id:in").filter(|i| !i.is_empty()) else {
        return failed("A filter (id:in) is required.", Map::new());
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let mut ev = Events::new();
    for id in ids {
        if st.customers.remove(&id).is_some() {
            ev.push(("store/customer/deleted".into(), json!({ "type": "customer", "id": id })));
        }
    }
    emit(&sh, st, ev);
    StatusCode::NO_CONTENT.into_response()
}

fn render_group(g: &Value) -> Value {
    let mut v = g.clone();
    v["date_created"] = json!(rfc2822(g["date_created"].as_i64().unwrap_or(0)));
    v["date_modified"] = json!(rfc2822(g["date_modified"].as_i64().unwrap_or(0)));
    v
}

pub fn create_group_core(st: &mut Store, b: &Value) -> Result<u64, Response> {
    let name = s(b, "name");
    if name.trim().is_empty() {
        return Err(v2_error(StatusCode::BAD_REQUEST, "The field 'name' is required."));
    }
    if st.groups.values().any(|g| s(g, "name").eq_ignore_ascii_case(&name)) {
        return Err(v2_error(StatusCode::CONFLICT, "A customer group with this name already exists."));
    }
    let id = st.next("group");
    let t = now();
    st.groups.insert(
        id,
        json!({
            "id": id, "name": name, "is_default": b.get("is_default").and_then(Value::as_bool).unwrap_or(false),
            "category_access": b.get("category_access").cloned().unwrap_or(json!({ "type": "all" })),
            "discount_rules": b.get("discount_rules").cloned().unwrap_or(json!([])),
            "is_group_for_guests": b.get("is_group_for_guests").and_then(Value::as_bool).unwrap_or(false),
            "date_created": t, "date_modified": t,
        }),
    );
    Ok(id)
}

pub async fn list_groups(State(sh): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let all: Vec<Value> = st.groups.values().map(render_group).collect();
    v2_list(p.slice(&all), sh.config.v2_empty_as_204)
}

pub async fn count_groups(State(sh): State<Shared>, Path(hash): Path<String>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    axum::Json(json!({ "count": st.groups.len() })).into_response()
}

pub async fn create_group(State(sh): State<Shared>, Path(hash): Path<String>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    match create_group_core(st, &b) {
        Ok(id) => axum::Json(render_group(&st.groups[&id])).into_response(),
        Err(r) => r,
    }
}

pub async fn get_group(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    match st.groups.get(&id) {
        Some(g) => axum::Json(render_group(g)).into_response(),
        None => v2_error(StatusCode::NOT_FOUND, "The requested resource was not found."),
    }
}

pub async fn update_group(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    if let Some(n) = b.get("name").and_then(Value::as_str)
        && st.groups.iter().any(|(gid, g)| *gid != id && s(g, "name").eq_ignore_ascii_case(n))
    {
        return v2_error(StatusCode::CONFLICT, "A customer group with this name already exists.");
    }
    let Some(g) = st.groups.get_mut(&id) else {
        return v2_error(StatusCode::NOT_FOUND, "The requested resource was not found.");
    };
    for k in ["name", "is_default", "category_access", "discount_rules", "is_group_for_guests"] {
        if let Some(v) = b.get(k) {
            g[k] = v.clone();
        }
    }
    g["date_modified"] = json!(now());
    axum::Json(render_group(g)).into_response()
}

pub async fn delete_group(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    st.groups.remove(&id);
    StatusCode::NO_CONTENT.into_response()
}

pub fn snapshot(st: &Store) -> Value {
    json!({
        "customers": st.customers.values().map(|c| render(c, true)).collect::<Vec<_>>(),
        "customer_groups": st.groups.values().map(render_group).collect::<Vec<_>>(),
    })
}
