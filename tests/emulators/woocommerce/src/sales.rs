//! Customers, orders (with stock effects) and order refunds.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::catalog::{adjust_stock, common_filter, sort_recs};
use crate::listing::Query;
use crate::state::{App, Event, Rec, Store};
use crate::util::*;

pub const ORDER_STATUSES: &[&str] =
    &["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft", "trash"];

fn billing_template() -> Value {
    json!({ "first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "",
            "state": "", "postcode": "", "country": "", "email": "", "phone": "" })
}

fn shipping_template() -> Value {
    json!({ "first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "",
            "state": "", "postcode": "", "country": "" })
}

/// Copies known address keys from `input[field]` (strings only) over the stored address.
fn merge_address(d: &mut Map<String, Value>, input: &Map<String, Value>, field: &str) -> WcResult<()> {
    let Some(given) = input.get(field) else { return Ok(()) };
    let given =
        given.as_object().ok_or_else(|| WcError::invalid_param(field, &format!("{field} is not of type object.")))?;
    let addr = d.get_mut(field).and_then(Value::as_object_mut).expect("templates carry addresses");
    for (k, v) in given {
        if addr.contains_key(k) {
            let v = coerce(&format!("{field}[{k}]"), Kind::Str, v)?;
            addr.insert(k.clone(), v);
        }
    }
    Ok(())
}

fn strip_internal(m: &mut Map<String, Value>) {
    m.retain(|k, _| !k.starts_with("__"));
}

fn merge_meta(st: &mut Store, d: &mut Map<String, Value>, input: &Map<String, Value>) -> WcResult<()> {
    let Some(items) = input.get("meta_data") else { return Ok(()) };
    let items =
        items.as_array().ok_or_else(|| WcError::invalid_param("meta_data", "meta_data is not of type array."))?;
    let mut out = d.get("meta_data").and_then(Value::as_array).cloned().unwrap_or_default();
    for item in items {
        let Some(key) = item.get("key").and_then(Value::as_str) else { continue };
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        match out.iter_mut().find(|o| o.get("key").and_then(Value::as_str) == Some(key)) {
            Some(o) => o["value"] = value,
            None => {
                let id = st.meta_id();
                out.push(json!({ "id": id, "key": key, "value": value }));
            }
        }
    }
    d.insert("meta_data".into(), Value::Array(out));
    Ok(())
}

// ---------- customers ----------

fn customer_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
}

pub fn render_customer(app: &App, r: &Rec) -> Value {
    let mut m = r.data.clone();
    strip_internal(&mut m);
    m.insert("id".into(), json!(r.id));
    app.put_date(&mut m, "date_created", Some(r.created));
    app.put_date(&mut m, "date_modified", Some(r.modified));
    let hash = hex::encode(Sha256::digest(as_str(&m, "email").trim().to_lowercase().as_bytes()));
    m.insert("avatar_url".into(), json!(format!("https://secure.gravatar.com/avatar/{hash}?s=96&d=mm&r=g")));
    m.insert("_links".into(), app.links(Some(&format!("/customers/{}", r.id)), "/customers", &[]));
    Value::Object(m)
}

fn email_taken(st: &Store, email: &str, except: u64) -> bool {
    st.customers.values().any(|c| c.id != except && as_str(&c.data, "email").eq_ignore_ascii_case(email))
}

pub fn create_customer(app: &App, st: &mut Store, input: &Map<String, Value>) -> WcResult<(Value, Vec<Event>)> {
    let email = match input.get("email") {
        None => return Err(WcError::missing_param(&["email"])),
        Some(v) => coerce("email", Kind::Str, v)?.as_str().unwrap_or("").trim().to_string(),
    };
    if !valid_email(&email) {
        return Err(WcError::new(400, "registration-error-invalid-email", "Please provide a valid email address."));
    }
    if email_taken(st, &email, 0) {
        return Err(WcError::new(
            400,
            "registration-error-email-exists",
            "An account is already registered with your email address. Please log in.",
        ));
    }
    let mut d = obj(json!({
        "email": email, "first_name": "", "last_name": "", "role": "customer", "username": "",
        "billing": billing_template(), "shipping": shipping_template(), "is_paying_customer": false, "meta_data": []
    }));
    apply_fields(&mut d, input, &[("first_name", Kind::Str), ("last_name", Kind::Str), ("username", Kind::Str)])?;
    merge_address(&mut d, input, "billing")?;
    merge_address(&mut d, input, "shipping")?;
    merge_meta(st, &mut d, input)?;
    let username = as_str(&d, "username").to_string();
    let username = if username.is_empty() {
        let base = email.split('@').next().unwrap_or("customer").to_string();
        let taken = |u: &str| st.customers.values().any(|c| as_str(&c.data, "username") == u);
        if taken(&base) { (1..).map(|n| format!("{base}{n}")).find(|u| !taken(u)).unwrap_or(base) } else { base }
    } else if st.customers.values().any(|c| as_str(&c.data, "username").eq_ignore_ascii_case(&username)) {
        return Err(WcError::new(
            400,
            "registration-error-username-exists",
            "An account is already registered with that username. Please choose another.",
        ));
    } else {
        username
    };
    d.insert("username".into(), json!(username));
    let now = app.now();
    let id = st.next_user;
    st.next_user += 1;
    st.customers.insert(id, Rec { id, parent: 0, data: d, created: now, modified: now });
    let body = render_customer(app, &st.customers[&id]);
    Ok((body.clone(), vec![Event { resource: "customer", event: "created", resource_id: id, body }]))
}

fn valid_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
}

pub fn update_customer(
    app: &App,
    st: &mut Store,
    id: u64,
    input: &Map<String, Value>,
) -> WcResult<(Value, Vec<Event>)> {
    let mut d = st.customers.get(&id).ok_or_else(customer_not_found)?.data.clone();
    if let Some(v) = input.get("email") {
        let email = coerce("email", Kind::Str, v)?.as_str().unwrap_or("").trim().to_string();
        if !valid_email(&email) || email_taken(st, &email, id) {
            return Err(WcError::new(400, "woocommerce_rest_customer_invalid_email", "Email address is invalid."));
        }
        d.insert("email".into(), json!(email));
    }
    if let Some(u) = input.get("username").and_then(Value::as_str)
        && u != as_str(&d, "username")
    {
        return Err(WcError::new(400, "woocommerce_rest_customer_invalid_argument", "Username isn't editable."));
    }
    apply_fields(&mut d, input, &[("first_name", Kind::Str), ("last_name", Kind::Str)])?;
    merge_address(&mut d, input, "billing")?;
    merge_address(&mut d, input, "shipping")?;
    merge_meta(st, &mut d, input)?;
    let now = app.now();
    let r = st.customers.get_mut(&id).expect("checked above");
    r.data = d;
    r.modified = now;
    let body = render_customer(app, &st.customers[&id]);
    Ok((body.clone(), vec![Event { resource: "customer", event: "updated", resource_id: id, body }]))
}

pub fn get_customer(app: &App, st: &Store, id: u64) -> WcResult<Value> {
    st.customers.get(&id).map(|r| render_customer(app, r)).ok_or_else(customer_not_found)
}

pub fn delete_customer(app: &App, st: &mut Store, id: u64, force: bool) -> WcResult<(Value, Vec<Event>)> {
    let body = get_customer(app, st, id)?;
    if !force {
        return Err(WcError::new(501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing."));
    }
    st.customers.remove(&id);
    Ok((body, vec![Event { resource: "customer", event: "deleted", resource_id: id, body: json!({ "id": id }) }]))
}

pub fn list_customers(app: &App, st: &Store, q: &Query) -> WcResult<Vec<Value>> {
    let role = q.get("role").unwrap_or("customer");
    let mut picked = vec![];
    for r in st.customers.values() {
        if role != "all" && as_str(&r.data, "role") != role {
            continue;
        }
        if let Some(e) = q.get("email")
            && !as_str(&r.data, "email").eq_ignore_ascii_case(e)
        {
            continue;
        }
        let name =
            format!("{} {} {}", as_str(&r.data, "first_name"), as_str(&r.data, "last_name"), as_str(&r.data, "email"));
        if common_filter(q, app, r, &name)? {
            picked.push((r, as_str(&r.data, "username").to_string()));
        }
    }
    let mut q2 = q.clone();
    if q.get("order").is_none() {
        q2.set("order", "asc");
    }
    let orderby = match q.get("orderby") {
        Some("registered_date") => "date",
        Some(o) => o,
        None => "name",
    };
    q2.set("orderby", orderby);
    sort_recs(&q2, &mut picked, "name")?;
    Ok(picked.into_iter().map(|(r, _)| render_customer(app, r)).collect())
}

// ---------- orders ----------

pub fn order_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
}

/// Statuses in which WooCommerce has reduced stock for an order (`wc_maybe_reduce_stock_levels`).
fn holds_stock(status: &str) -> bool {
    matches!(status, "processing" | "completed" | "on-hold")
}

pub fn render_order(app: &App, st: &Store, r: &Rec) -> Value {
    let mut m = r.data.clone();
    strip_internal(&mut m);
    if let Some(items) = m.get_mut("line_items").and_then(Value::as_array_mut) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            strip_internal(item);
        }
    }
    m.insert("id".into(), json!(r.id));
    m.insert("number".into(), json!(r.id.to_string()));
    app.put_date(&mut m, "date_created", Some(r.created));
    app.put_date(&mut m, "date_modified", Some(r.modified));
    for k in ["date_paid", "date_completed"] {
        let t = r.data.get(&format!("__{k}")).and_then(Value::as_i64);
        app.put_date(&mut m, k, t);
    }
    let refunds: Vec<Value> = st
        .refunds
        .values()
        .filter(|f| f.parent == r.id)
        .rev()
        .map(|f| {
            let amount = parse_money(as_str(&f.data, "amount")).unwrap_or(0);
            // The reference example names the reason `refund`.
            json!({ "id": f.id, "refund": f.data["reason"], "total": fmt_money(-amount) })
        })
        .collect();
    m.insert("refunds".into(), Value::Array(refunds));
    let customer = as_i64(m.get("customer_id")).unwrap_or(0);
    let parent = as_i64(m.get("parent_id")).unwrap_or(0);
    let mut extra = vec![];
    if customer > 0 {
        extra.push(("customer", format!("/customers/{customer}")));
    }
    if parent > 0 {
        extra.push(("up", format!("/orders/{parent}")));
    }
    m.insert("_links".into(), app.links(Some(&format!("/orders/{}", r.id)), "/orders", &extra));
    Value::Object(m)
}

fn order_template(app: &App) -> Map<String, Value> {
    obj(json!({
        "parent_id": 0, "order_key": "", "created_via": "rest-api", "version": app.cfg.wc_version,
        "status": "pending", "currency": app.cfg.currency, "discount_total": "0.00", "discount_tax": "0.00",
        "shipping_total": "0.00", "shipping_tax": "0.00", "cart_tax": "0.00", "total": "0.00", "total_tax": "0.00",
        "prices_include_tax": false, "customer_id": 0, "customer_ip_address": "", "customer_user_agent": "",
        "customer_note": "", "billing": billing_template(), "shipping": shipping_template(),
        "payment_method": "", "payment_method_title": "", "transaction_id": "", "cart_hash": "",
        "meta_data": [], "line_items": [], "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [],
        "__stock_reduced": false
    }))
}

/// Builds or updates one order line from request input (`product_id`/`variation_id`/`sku`, `quantity`, optional totals).
fn line_item(st: &mut Store, existing: Option<&Value>, input: &Map<String, Value>) -> WcResult<Value> {
    let mut item = existing.and_then(Value::as_object).cloned().unwrap_or_else(|| {
        obj(json!({ "id": 0, "name": "", "product_id": 0, "variation_id": 0, "quantity": 1, "tax_class": "",
                    "subtotal": "0.00", "subtotal_tax": "0.00", "total": "0.00", "total_tax": "0.00",
                    "taxes": [], "meta_data": [], "sku": "", "price": 0 }))
    });
    let mut product_id = as_i64(input.get("product_id")).unwrap_or(as_i64(item.get("product_id")).unwrap_or(0)) as u64;
    let mut variation_id =
        as_i64(input.get("variation_id")).unwrap_or(as_i64(item.get("variation_id")).unwrap_or(0)) as u64;
    if product_id == 0
        && let Some(sku) = input.get("sku").and_then(Value::as_str)
    {
        if let Some(p) = st.products.values().find(|p| as_str(&p.data, "sku").eq_ignore_ascii_case(sku)) {
            product_id = p.id;
        } else if let Some(v) = st.variations.values().find(|v| as_str(&v.data, "sku").eq_ignore_ascii_case(sku)) {
            product_id = v.parent;
            variation_id = v.id;
        }
    }
    let changed_product = existing.is_none()
        || input.contains_key("product_id")
        || input.contains_key("variation_id")
        || input.contains_key("sku");
    if changed_product {
        let p = st.products.get(&product_id).ok_or_else(|| {
            WcError::new(400, "woocommerce_rest_invalid_product_id", "Product ID provided is invalid.")
        })?;
        let mut name = as_str(&p.data, "name").to_string();
        let mut sku = as_str(&p.data, "sku").to_string();
        let mut price = crate::catalog::unit_price(&p.data);
        if variation_id > 0 {
            let v = st.variations.get(&variation_id).filter(|v| v.parent == product_id).ok_or_else(|| {
                WcError::new(400, "woocommerce_rest_invalid_variation_id", "Variation ID provided is invalid.")
            })?;
            if !as_str(&v.data, "sku").is_empty() {
                sku = as_str(&v.data, "sku").to_string();
            }
            price = crate::catalog::unit_price(&v.data);
            let opts: Vec<&str> = v.data["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.get("option").and_then(Value::as_str))
                .collect();
            if !opts.is_empty() {
                name = format!("{name} - {}", opts.join(", "));
            }
        }
        item.insert("product_id".into(), json!(product_id));
        item.insert("variation_id".into(), json!(variation_id));
        item.insert("name".into(), json!(name));
        item.insert("sku".into(), json!(sku));
        item.insert("__unit".into(), json!(price));
    }
    if let Some(n) = input.get("name") {
        item.insert("name".into(), coerce("name", Kind::Str, n)?);
    }
    let qty = match input.get("quantity") {
        Some(v) => as_i64(Some(v))
            .ok_or_else(|| WcError::invalid_param("line_items", "line_items[0][quantity] is not of type integer."))?,
        None => as_i64(item.get("quantity")).unwrap_or(1),
    };
    item.insert("quantity".into(), json!(qty));
    let unit = item.get("__unit").and_then(Value::as_i64).unwrap_or(0);
    let subtotal =
        match input.get("subtotal") {
            Some(v) => parse_money(v.as_str().ok_or_else(|| {
                WcError::invalid_param("line_items", "line_items[0][subtotal] is not of type string.")
            })?)
            .unwrap_or(0),
            None if changed_product || input.contains_key("quantity") => unit * qty,
            None => parse_money(as_str(&item, "subtotal")).unwrap_or(0),
        };
    let total = match input.get("total") {
        Some(v) => parse_money(
            v.as_str()
                .ok_or_else(|| WcError::invalid_param("line_items", "line_items[0][total] is not of type string."))?,
        )
        .unwrap_or(0),
        None => subtotal,
    };
    item.insert("subtotal".into(), json!(fmt_money(subtotal)));
    item.insert("total".into(), json!(fmt_money(total)));
    item.insert("price".into(), if qty != 0 { money_number(total / qty) } else { json!(0) });
    if let Some(meta) = input.get("meta_data") {
        let mut meta = meta.clone();
        st.number_meta(&mut meta);
        item.insert("meta_data".into(), meta);
    }
    if as_i64(item.get("id")).unwrap_or(0) == 0 {
        let id = st.item_id();
        item.insert("id".into(), json!(id));
    }
    Ok(Value::Object(item))
}

fn simple_line(st: &mut Store, existing: Option<&Value>, input: &Map<String, Value>, kind: &str) -> WcResult<Value> {
    let mut item = existing.and_then(Value::as_object).cloned().unwrap_or_else(|| match kind {
        "shipping" => obj(json!({ "id": 0, "method_title": "", "method_id": "", "total": "0.00", "total_tax": "0.00", "taxes": [], "meta_data": [] })),
        _ => obj(json!({ "id": 0, "name": "", "tax_class": "", "tax_status": "taxable", "total": "0.00", "total_tax": "0.00", "taxes": [], "meta_data": [] })),
    });
    let spec: &[(&str, Kind)] = if kind == "shipping" {
        &[("method_title", Kind::Str), ("method_id", Kind::Str), ("total", Kind::Money)]
    } else {
        &[
            ("name", Kind::Str),
            ("tax_class", Kind::Str),
            ("tax_status", Kind::Enum(&["taxable", "none"])),
            ("total", Kind::Money),
        ]
    };
    apply_fields(&mut item, input, spec).map_err(|e| WcError::invalid_param(&format!("{kind}_lines"), &e.message))?;
    if as_str(&item, "total").is_empty() {
        item.insert("total".into(), json!("0.00"));
    }
    if as_i64(item.get("id")).unwrap_or(0) == 0 {
        let id = st.item_id();
        item.insert("id".into(), json!(id));
    }
    Ok(Value::Object(item))
}

/// Merges line input into existing lines: `{id,…}` updates, no id appends, `quantity: 0` (line items) removes.
fn merge_lines(st: &mut Store, d: &mut Map<String, Value>, input: &Map<String, Value>, field: &str) -> WcResult<()> {
    let Some(given) = input.get(field) else { return Ok(()) };
    let given =
        given.as_array().ok_or_else(|| WcError::invalid_param(field, &format!("{field} is not of type array.")))?;
    let mut lines = d.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    for g in given {
        let g = g
            .as_object()
            .ok_or_else(|| WcError::invalid_param(field, &format!("{field}[0] is not of type object.")))?;
        let idx = as_i64(g.get("id")).and_then(|id| lines.iter().position(|l| as_i64(l.get("id")) == Some(id)));
        if field == "line_items" && as_i64(g.get("quantity")) == Some(0) {
            if let Some(i) = idx {
                lines.remove(i);
            }
            continue;
        }
        let line = match field {
            "line_items" => line_item(st, idx.map(|i| &lines[i]), g)?,
            "shipping_lines" => simple_line(st, idx.map(|i| &lines[i]), g, "shipping")?,
            _ => simple_line(st, idx.map(|i| &lines[i]), g, "fee")?,
        };
        match idx {
            Some(i) => lines[i] = line,
            None => lines.push(line),
        }
    }
    d.insert(field.into(), Value::Array(lines));
    Ok(())
}

fn sum(d: &Map<String, Value>, field: &str, key: &str) -> i64 {
    d.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| parse_money(l.get(key).and_then(Value::as_str).unwrap_or("")).unwrap_or(0))
        .sum()
}

fn recalc_totals(d: &mut Map<String, Value>) {
    let items = sum(d, "line_items", "total");
    let subtotal = sum(d, "line_items", "subtotal");
    let shipping = sum(d, "shipping_lines", "total");
    let fees = sum(d, "fee_lines", "total");
    d.insert("discount_total".into(), json!(fmt_money((subtotal - items).max(0))));
    d.insert("shipping_total".into(), json!(fmt_money(shipping)));
    d.insert("total".into(), json!(fmt_money(items + shipping + fees)));
}

const ORDER_FIELDS: &[(&str, Kind)] = &[
    ("parent_id", Kind::Int),
    ("status", Kind::Enum(ORDER_STATUSES)),
    ("currency", Kind::Str),
    ("customer_id", Kind::Int),
    ("customer_note", Kind::Str),
    ("payment_method", Kind::Str),
    ("payment_method_title", Kind::Str),
    ("transaction_id", Kind::Str),
    ("created_via", Kind::Str),
];

/// Applies the stock side effects of a status change; returns product events.
fn stock_effects(app: &App, st: &mut Store, d: &mut Map<String, Value>) -> Vec<Event> {
    let status = as_str(d, "status").to_string();
    let reduced = as_bool(d, "__stock_reduced");
    let sign = if holds_stock(&status) && !reduced {
        -1
    } else if reduced && matches!(status.as_str(), "cancelled" | "pending") {
        1
    } else {
        return vec![];
    };
    d.insert("__stock_reduced".into(), json!(sign < 0));
    let lines: Vec<(u64, u64, i64)> = d["line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                as_i64(l.get("product_id")).unwrap_or(0) as u64,
                as_i64(l.get("variation_id")).unwrap_or(0) as u64,
                as_i64(l.get("quantity")).unwrap_or(0),
            )
        })
        .collect();
    lines.into_iter().filter_map(|(p, v, q)| adjust_stock(app, st, p, v, sign * q)).collect()
}

fn write_order(
    app: &App,
    st: &mut Store,
    id: Option<u64>,
    input: &Map<String, Value>,
) -> WcResult<(Value, Vec<Event>)> {
    let mut d = match id {
        Some(id) => st.orders.get(&id).ok_or_else(order_not_found)?.data.clone(),
        None => order_template(app),
    };
    let old_status = as_str(&d, "status").to_string();
    apply_fields(&mut d, input, ORDER_FIELDS)?;
    let customer = as_i64(d.get("customer_id")).unwrap_or(0);
    if customer > 0 && !st.customers.contains_key(&(customer as u64)) {
        return Err(WcError::new(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid."));
    }
    merge_address(&mut d, input, "billing")?;
    merge_address(&mut d, input, "shipping")?;
    merge_meta(st, &mut d, input)?;
    for f in ["line_items", "shipping_lines", "fee_lines"] {
        merge_lines(st, &mut d, input, f)?;
    }
    recalc_totals(&mut d);
    let now = app.now();
    if coerce("set_paid", Kind::Bool, input.get("set_paid").unwrap_or(&json!(false)))? == json!(true) {
        if matches!(as_str(&d, "status"), "pending" | "on-hold" | "failed" | "checkout-draft") {
            d.insert("status".into(), json!("processing"));
        }
        d.insert("__date_paid".into(), json!(now));
    }
    let status = as_str(&d, "status").to_string();
    if status != old_status || id.is_none() {
        if matches!(status.as_str(), "processing" | "completed") && d.get("__date_paid").is_none_or(Value::is_null) {
            d.insert("__date_paid".into(), json!(now));
        }
        if status == "completed" {
            d.insert("__date_completed".into(), json!(now));
        }
    }
    let new_id = id.unwrap_or_else(|| st.post_id());
    if id.is_none() {
        d.insert("order_key".into(), json!(format!("wc_order_{}", &uuid::Uuid::new_v4().simple().to_string()[..13])));
    }
    let mut events = stock_effects(app, st, &mut d);
    let created = st.orders.get(&new_id).map(|r| r.created).unwrap_or(now);
    st.orders.insert(new_id, Rec { id: new_id, parent: 0, data: d, created, modified: now });
    let body = render_order(app, st, &st.orders[&new_id]);
    let event = if id.is_none() { "created" } else { "updated" };
    events.insert(0, Event { resource: "order", event, resource_id: new_id, body: body.clone() });
    Ok((body, events))
}

pub fn create_order(app: &App, st: &mut Store, input: &Map<String, Value>) -> WcResult<(Value, Vec<Event>)> {
    write_order(app, st, None, input)
}

pub fn update_order(app: &App, st: &mut Store, id: u64, input: &Map<String, Value>) -> WcResult<(Value, Vec<Event>)> {
    write_order(app, st, Some(id), input)
}

pub fn get_order(app: &App, st: &Store, id: u64) -> WcResult<Value> {
    st.orders.get(&id).map(|r| render_order(app, st, r)).ok_or_else(order_not_found)
}

pub fn delete_order(app: &App, st: &mut Store, id: u64, force: bool) -> WcResult<(Value, Vec<Event>)> {
    let body = get_order(app, st, id)?;
    let trashed = body["status"] == "trash";
    if force {
        st.orders.remove(&id);
        st.refunds.retain(|_, f| f.parent != id);
    } else {
        if trashed {
            return Err(WcError::new(410, "woocommerce_rest_already_trashed", "The order has already been deleted."));
        }
        let now = app.now();
        let r = st.orders.get_mut(&id).expect("checked above");
        r.data.insert("status".into(), json!("trash"));
        r.modified = now;
    }
    let events = if trashed {
        vec![]
    } else {
        vec![Event { resource: "order", event: "deleted", resource_id: id, body: json!({ "id": id }) }]
    };
    Ok((body, events))
}

pub fn list_orders(app: &App, st: &Store, q: &Query) -> WcResult<Vec<Value>> {
    let mut statuses: Vec<String> = vec![];
    for (k, v) in &q.pairs {
        if k == "status" || k == "status[]" {
            statuses.extend(v.split(',').map(|s| s.trim().to_string()));
        }
    }
    for s in &statuses {
        if s != "any" && !ORDER_STATUSES.contains(&s.as_str()) {
            return Err(WcError::invalid_param(
                "status",
                &format!("status[0] is not one of any, {}.", ORDER_STATUSES.join(", ")),
            ));
        }
    }
    let customer = q.get("customer").map(|c| c.parse::<i64>().unwrap_or(-1));
    let product = q.get("product").map(|c| c.parse::<i64>().unwrap_or(-1));
    let mut picked = vec![];
    for r in st.orders.values() {
        let status = as_str(&r.data, "status");
        let ok = if statuses.is_empty() || statuses.iter().any(|s| s == "any") {
            status != "trash"
        } else {
            statuses.iter().any(|s| s == status)
        };
        if !ok || customer.is_some_and(|c| as_i64(r.data.get("customer_id")) != Some(c)) {
            continue;
        }
        if let Some(p) = product
            && !r.data["line_items"].as_array().into_iter().flatten().any(|l| as_i64(l.get("product_id")) == Some(p))
        {
            continue;
        }
        let text = format!(
            "{} {} {}",
            r.id,
            r.data["billing"]["email"].as_str().unwrap_or(""),
            r.data["billing"]["last_name"].as_str().unwrap_or("")
        );
        if common_filter(q, app, r, &text)? {
            picked.push((r, r.id.to_string()));
        }
    }
    sort_recs(q, &mut picked, "date")?;
    Ok(picked.into_iter().map(|(r, _)| render_order(app, st, r)).collect())
}

// ---------- refunds ----------

fn refund_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.")
}

fn invalid_order() -> WcError {
    WcError::new(404, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
}

pub fn render_refund(app: &App, r: &Rec) -> Value {
    let mut m = r.data.clone();
    strip_internal(&mut m);
    m.insert("id".into(), json!(r.id));
    app.put_date(&mut m, "date_created", Some(r.created));
    let base = format!("/orders/{}/refunds", r.parent);
    m.insert(
        "_links".into(),
        app.links(Some(&format!("{base}/{}", r.id)), &base, &[("up", format!("/orders/{}", r.parent))]),
    );
    Value::Object(m)
}

pub fn create_refund(
    app: &App,
    st: &mut Store,
    order_id: u64,
    input: &Map<String, Value>,
) -> WcResult<(Value, Vec<Event>)> {
    let order = st.orders.get(&order_id).ok_or_else(invalid_order)?.clone();
    let mut lines = vec![];
    let mut line_sum = 0i64;
    for li in input.get("line_items").and_then(Value::as_array).into_iter().flatten() {
        let item_id = as_i64(li.get("id")).unwrap_or(0);
        let Some(orig) =
            order.data["line_items"].as_array().into_iter().flatten().find(|l| as_i64(l.get("id")) == Some(item_id))
        else {
            continue;
        };
        let qty = as_i64(li.get("quantity")).unwrap_or(0);
        let amount = match li.get("refund_total") {
            Some(Value::Number(n)) => (n.as_f64().unwrap_or(0.0) * 100.0).round() as i64,
            Some(Value::String(s)) => parse_money(s).unwrap_or(0),
            _ => 0,
        };
        let tax: i64 = li
            .get("refund_tax")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| match t.get("refund_total") {
                Some(Value::Number(n)) => (n.as_f64().unwrap_or(0.0) * 100.0).round() as i64,
                Some(Value::String(s)) => parse_money(s).unwrap_or(0),
                _ => 0,
            })
            .sum();
        line_sum += amount + tax;
        lines.push((orig.clone(), qty, amount, tax));
    }
    let amount = match input.get("amount") {
        Some(v) => {
            let s = coerce("amount", Kind::Str, v)?;
            parse_money(s.as_str().unwrap_or("")).unwrap_or(0)
        }
        None => line_sum,
    };
    if amount <= 0 {
        return Err(WcError::new(
            400,
            "woocommerce_rest_invalid_order_refund",
            "Refund amount must be greater than zero.",
        ));
    }
    let total = parse_money(as_str(&order.data, "total")).unwrap_or(0);
    let refunded: i64 = st
        .refunds
        .values()
        .filter(|f| f.parent == order_id)
        .map(|f| parse_money(as_str(&f.data, "amount")).unwrap_or(0))
        .sum();
    let cannot = |m: &str| WcError::new(500, "woocommerce_rest_cannot_create_order_refund", m);
    if amount > total - refunded {
        return Err(cannot("Invalid refund amount."));
    }
    let api_refund = coerce("api_refund", Kind::Bool, input.get("api_refund").unwrap_or(&json!(true)))? == json!(true);
    let api_restock =
        coerce("api_restock", Kind::Bool, input.get("api_restock").unwrap_or(&json!(true)))? == json!(true);
    if api_refund {
        let method = as_str(&order.data, "payment_method");
        let gw = st.gateways.iter().find(|g| as_str(g, "id") == method);
        match gw {
            None => return Err(cannot("The payment gateway for this order does not exist.")),
            Some(g) if !g["method_supports"].as_array().into_iter().flatten().any(|s| s == "refunds") => {
                return Err(cannot("The payment gateway for this order does not support automatic refunds."));
            }
            Some(_) => {}
        }
    }
    let mut rendered_lines = vec![];
    for (orig, qty, amount, tax) in &lines {
        let mut l = orig.as_object().cloned().unwrap_or_default();
        let new_id = st.item_id();
        let meta_id = st.meta_id();
        l.insert("id".into(), json!(new_id));
        l.insert("quantity".into(), json!(-qty));
        l.insert("subtotal".into(), json!(fmt_money(-amount)));
        l.insert("total".into(), json!(fmt_money(-amount)));
        l.insert("subtotal_tax".into(), json!(fmt_money(-tax)));
        l.insert("total_tax".into(), json!(fmt_money(-tax)));
        l.insert("price".into(), if *qty != 0 { money_number(-amount / qty) } else { json!(0) });
        l.insert(
            "meta_data".into(),
            json!([{ "id": meta_id, "key": "_refunded_item_id", "value": orig["id"].to_string() }]),
        );
        l.retain(|k, _| !k.starts_with("__"));
        rendered_lines.push(Value::Object(l));
    }
    let mut meta = json!([]);
    if let Some(m) = input.get("meta_data") {
        meta = m.clone();
        st.number_meta(&mut meta);
    }
    let now = app.now();
    let id = st.post_id();
    let reason = input.get("reason").map(|r| coerce("reason", Kind::Str, r)).transpose()?.unwrap_or(json!(""));
    let data = obj(json!({
        "amount": fmt_money(amount), "reason": reason, "refunded_by": 1, "refunded_payment": api_refund,
        "meta_data": meta, "line_items": rendered_lines
    }));
    st.refunds.insert(id, Rec { id, parent: order_id, data, created: now, modified: now });
    let mut events = vec![];
    if api_restock {
        for (orig, qty, _, _) in &lines {
            let p = as_i64(orig.get("product_id")).unwrap_or(0) as u64;
            let v = as_i64(orig.get("variation_id")).unwrap_or(0) as u64;
            if *qty > 0
                && let Some(e) = adjust_stock(app, st, p, v, *qty)
            {
                events.push(e);
            }
        }
    }
    let o = st.orders.get_mut(&order_id).expect("checked above");
    if refunded + amount >= total {
        o.data.insert("status".into(), json!("refunded"));
    }
    o.modified = now;
    let body = render_refund(app, &st.refunds[&id]);
    let order_body = render_order(app, st, &st.orders[&order_id]);
    events.insert(0, Event { resource: "order", event: "updated", resource_id: order_id, body: order_body });
    Ok((body, events))
}

pub fn get_refund(app: &App, st: &Store, order_id: u64, id: u64) -> WcResult<Value> {
    if !st.orders.contains_key(&order_id) {
        return Err(invalid_order());
    }
    match st.refunds.get(&id) {
        Some(r) if r.parent == order_id => Ok(render_refund(app, r)),
        _ => Err(refund_not_found()),
    }
}

pub fn delete_refund(app: &App, st: &mut Store, order_id: u64, id: u64, force: bool) -> WcResult<(Value, Vec<Event>)> {
    let body = get_refund(app, st, order_id, id)?;
    if !force {
        return Err(WcError::trash_not_supported("Refunds"));
    }
    st.refunds.remove(&id);
    let now = app.now();
    if let Some(o) = st.orders.get_mut(&order_id) {
        o.modified = now;
    }
    let order_body = render_order(app, st, &st.orders[&order_id]);
    Ok((body, vec![Event { resource: "order", event: "updated", resource_id: order_id, body: order_body }]))
}

pub fn list_refunds(app: &App, st: &Store, order_id: u64, q: &Query) -> WcResult<Vec<Value>> {
    if !st.orders.contains_key(&order_id) {
        return Err(invalid_order());
    }
    let mut picked = vec![];
    for r in st.refunds.values().filter(|r| r.parent == order_id) {
        if common_filter(q, app, r, "")? {
            picked.push((r, String::new()));
        }
    }
    sort_recs(q, &mut picked, "date")?;
    Ok(picked.into_iter().map(|(r, _)| render_refund(app, r)).collect())
}
