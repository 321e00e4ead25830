//! Orders V2 (bare JSON, 4-dp money strings, RFC 2822 dates, status ids 0-14), their products and
//! shipping addresses, order statuses; Orders V3 transactions and refunds; V2 store information.
//!
//! Stock follows the default inventory settings: placing an order (any status but Incomplete)
//! takes stock, moving it to Cancelled or Refunded gives it back; both fire the
//! `.../inventory/order/updated` events with relative values.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use emulator_kit::lock;
use serde_json::{Value, json};

use crate::Shared;
use crate::catalog::store;
use crate::hooks::{Events, emit};
use crate::state::{ORDER_STATUSES, Order, OrderLine, Store};
use crate::util::{
    self, Paging, iso8601, money4, not_found_v3, now, parse_body, parse_date, to_units, units_f64, v2_error, v2_list,
    v3_error, v3_list,
};

fn bad(msg: &str) -> Response {
    v2_error(StatusCode::BAD_REQUEST, msg)
}

fn v2_not_found() -> Response {
    v2_error(StatusCode::NOT_FOUND, "The requested resource was not found.")
}

fn order_event(scope: &str, id: u64) -> (String, Value) {
    (scope.into(), json!({ "type": "order", "id": id }))
}

/// Moves stock for an order's lines by `sign` × quantity (−1 on placement, +1 on cancel/refund).
fn move_stock(st: &mut Store, o: &Order, sign: i64, ev: &mut Events) {
    for l in &o.products {
        let Some(p) = st.products.get(&l.product_id) else { continue };
        let (vid, by_variant) = match p.inventory_tracking.as_str() {
            "product" => (p.base_variant_id, false),
            "variant" => (l.variant_id, true),
            _ => continue,
        };
        let Some(v) = st.variants.get_mut(&vid) else { continue };
        let delta = sign * l.quantity;
        v.inventory_level += delta;
        if by_variant {
            ev.push((
                "store/sku/inventory/order/updated".into(),
                json!({ "type": "sku", "id": v.sku_id.unwrap_or(0),
                        "sku": { "product_id": v.product_id, "variant_id": v.id },
                        "inventory": { "product_id": v.product_id, "method": "relative", "value": delta, "variant_id": v.id } }),
            ));
        } else {
            ev.push((
                "store/product/inventory/order/updated".into(),
                json!({ "type": "product", "id": v.product_id,
                        "inventory": { "product_id": v.product_id, "method": "relative", "value": delta } }),
            ));
        }
    }
}

fn holds_stock(status: u64) -> bool {
    !matches!(status, 0 | 4 | 5)
}

/// Changes an order's status with its events and stock moves.
fn set_status(st: &mut Store, id: u64, new: u64, ev: &mut Events) {
    let Some(o) = st.orders.get(&id).cloned() else { return };
    if o.status_id == new {
        return;
    }
    if holds_stock(o.status_id) != holds_stock(new) {
        move_stock(st, &o, if holds_stock(new) { -1 } else { 1 }, ev);
    }
    if let Some(o) = st.orders.get_mut(&id) {
        o.status_id = new;
        o.date_modified = now();
    }
    ev.push((
        "store/order/statusUpdated".into(),
        json!({ "type": "order", "id": id, "status": { "previous_status_id": o.status_id, "new_status_id": new } }),
    ));
}

fn status_of(b: &Value) -> Result<Option<u64>, Response> {
    match b.get("status_id") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64().filter(|s| *s < ORDER_STATUSES.len() as u64) {
            Some(s) => Ok(Some(s)),
            None => Err(bad("The field 'status_id' must be an order status id from 0 to 14.")),
        },
    }
}

/// Creates an order from a V2 body; returns its id.
pub fn create_core(st: &mut Store, b: &Value, ev: &mut Events) -> Result<u64, Response> {
    let Some(billing) = b.get("billing_address").filter(|x| x.is_object()) else {
        return Err(bad("The field 'billing_address' is required."));
    };
    let lines_in = b.get("products").and_then(Value::as_array).cloned().unwrap_or_default();
    if lines_in.is_empty() {
        return Err(bad("The field 'products' is required."));
    }
    let status = status_of(b)?.unwrap_or(1);
    let mut lines = Vec::new();
    for l in &lines_in {
        let qty = l.get("quantity").and_then(Value::as_i64).filter(|q| *q > 0);
        let Some(qty) = qty else { return Err(bad("Each product needs a positive 'quantity'.")) };
        let ex = l.get("price_ex_tax").and_then(to_units);
        let inc = l.get("price_inc_tax").and_then(to_units);
        let (pid, vid, name, sku, base_price) = match l.get("product_id").and_then(Value::as_u64) {
            Some(pid) => {
                let Some(p) = st.products.get(&pid) else {
                    return Err(bad(&format!("The product with id {pid} does not exist.")));
                };
                let vid = l.get("variant_id").and_then(Value::as_u64).unwrap_or(p.base_variant_id);
                let Some(v) = st.variants.get(&vid).filter(|v| v.product_id == pid) else {
                    return Err(bad(&format!("The variant with id {vid} does not belong to product {pid}.")));
                };
                let price = v.price.unwrap_or(if p.sale_price > 0.0 { p.sale_price } else { p.price });
                (pid, vid, p.name.clone(), v.sku.clone(), Some((price * 10_000.0).round() as i64))
            }
            None => {
                let name = l.get("name").and_then(Value::as_str).unwrap_or("");
                if name.is_empty() || (ex.is_none() && inc.is_none()) {
                    return Err(bad("A custom product needs 'name' and 'price_inc_tax' or 'price_ex_tax'."));
                }
                let sku = l.get("sku").and_then(Value::as_str).unwrap_or("").to_string();
                (0, 0, name.to_string(), sku, None)
            }
        };
        let price_ex = ex.or(inc).or(base_price).unwrap_or(0);
        let price_inc = inc.unwrap_or(price_ex);
        lines.push(OrderLine {
            id: st.next("order_product"),
            product_id: pid,
            variant_id: vid,
            name,
            sku,
            quantity: qty,
            price_ex_tax: price_ex,
            price_inc_tax: price_inc,
            quantity_refunded: 0,
            refund_amount: 0,
        });
    }
    let id = st.next("order");
    let ship_ex = b.get("shipping_cost_ex_tax").and_then(to_units).unwrap_or(0);
    let ship_inc = b.get("shipping_cost_inc_tax").and_then(to_units).unwrap_or(ship_ex);
    let sub_ex: i64 = lines.iter().map(|l| l.price_ex_tax * l.quantity).sum();
    let sub_inc: i64 = lines.iter().map(|l| l.price_inc_tax * l.quantity).sum();
    let items_total: i64 = lines.iter().map(|l| l.quantity).sum();
    let mut shipping = Vec::new();
    for a in b.get("shipping_addresses").and_then(Value::as_array).cloned().unwrap_or_default() {
        let aid = st.next("order_address");
        shipping.push(render_address(&st.hash, id, aid, &a, items_total, ship_ex, ship_inc));
    }
    let t = b.get("date_created").and_then(Value::as_str).and_then(parse_date).unwrap_or_else(now);
    let s = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut billing = billing.clone();
    for k in [
        "first_name",
        "last_name",
        "company",
        "street_1",
        "street_2",
        "city",
        "state",
        "zip",
        "country",
        "country_iso2",
        "phone",
        "email",
    ] {
        if billing.get(k).is_none() {
            billing[k] = json!("");
        }
    }
    billing["form_fields"] = json!([]);
    let order = Order {
        id,
        customer_id: b.get("customer_id").and_then(Value::as_u64).unwrap_or(0),
        status_id: status,
        channel_id: b.get("channel_id").and_then(Value::as_u64).unwrap_or(1),
        date_created: t,
        date_modified: t,
        subtotal_ex_tax: sub_ex,
        subtotal_inc_tax: sub_inc,
        shipping_ex_tax: ship_ex,
        shipping_inc_tax: ship_inc,
        total_ex_tax: sub_ex + ship_ex,
        total_inc_tax: sub_inc + ship_inc,
        refunded_amount: 0,
        payment_method: s("payment_method"),
        payment_status: s("payment_status"),
        currency_code: b.get("currency_code").and_then(Value::as_str).unwrap_or("USD").to_string(),
        staff_notes: s("staff_notes"),
        customer_message: s("customer_message"),
        external_source: b.get("external_source").cloned().filter(Value::is_string).unwrap_or(Value::Null),
        external_order_id: s("external_order_id"),
        order_source: "external".into(),
        is_deleted: false,
        billing_address: billing,
        shipping_addresses: shipping,
        products: lines,
    };
    if holds_stock(status) {
        move_stock(st, &order, -1, ev);
    }
    st.orders.insert(id, order);
    ev.push(order_event("store/order/created", id));
    Ok(id)
}

fn render_address(hash: &str, order_id: u64, id: u64, a: &Value, items: i64, ex: i64, inc: i64) -> Value {
    let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    json!({
        "id": id, "order_id": order_id, "first_name": s("first_name"), "last_name": s("last_name"),
        "company": s("company"), "street_1": s("street_1"), "street_2": s("street_2"), "city": s("city"),
        "state": s("state"), "zip": s("zip"), "country": s("country"), "country_iso2": s("country_iso2"),
        "phone": s("phone"), "email": s("email"), "items_total": items, "items_shipped": 0,
        "shipping_method": s("shipping_method"), "base_cost": money4(ex), "cost_ex_tax": money4(ex),
        "cost_inc_tax": money4(inc), "cost_tax": money4(inc - ex), "cost_tax_class_id": 0,
        "base_handling_cost": money4(0), "handling_cost_ex_tax": money4(0), "handling_cost_inc_tax": money4(0),
        "handling_cost_tax": money4(0), "handling_cost_tax_class_id": 0, "shipping_zone_id": 1,
        "shipping_zone_name": "Default", "form_fields": [],
        "shipping_quotes": {
            "url": format!("https://api.bigcommerce.com/stores/{hash}/v2/orders/{order_id}/shipping_addresses/{id}/shipping_quotes"),
            "resource": format!("/orders/{order_id}/shipping_addresses/{id}/shipping_quotes"),
        },
    })
}

fn v2_paging(q: &util::Query) -> Result<Paging, Response> {
    Paging::parse(q, 250)
        .map_err(|_| v2_error(StatusCode::PAYLOAD_TOO_LARGE, "The limit parameter exceeded the maximum of 250."))
}

pub async fn list(State(sh): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let p = match v2_paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok());
    let date = |k: &str| q.get(k).and_then(|v| parse_date(v));
    let (min_id, max_id, status, customer, channel) =
        (num("min_id"), num("max_id"), num("status_id"), num("customer_id"), num("channel_id"));
    let (min_c, max_c, min_m, max_m) =
        (date("min_date_created"), date("max_date_created"), date("min_date_modified"), date("max_date_modified"));
    let email = q.get("email").map(|e| e.to_lowercase());
    let mut orders: Vec<&Order> = st
        .orders
        .values()
        .filter(|o| !o.is_deleted)
        .filter(|o| min_id.is_none_or(|x| o.id >= x) && max_id.is_none_or(|x| o.id <= x))
        .filter(|o| status.is_none_or(|x| o.status_id == x))
        .filter(|o| customer.is_none_or(|x| o.customer_id == x))
        .filter(|o| channel.is_none_or(|x| o.channel_id == x))
        .filter(|o| min_c.is_none_or(|x| o.date_created >= x) && max_c.is_none_or(|x| o.date_created <= x))
        .filter(|o| min_m.is_none_or(|x| o.date_modified >= x) && max_m.is_none_or(|x| o.date_modified <= x))
        .filter(|o| {
            email.as_ref().is_none_or(|e| o.billing_address["email"].as_str().unwrap_or("").to_lowercase() == *e)
        })
        .filter(|o| q.get("external_order_id").is_none_or(|x| *x == o.external_order_id))
        .collect();
    let sort = q.get("sort").cloned().unwrap_or_else(|| "id:asc".into());
    let (field, dir) = sort.split_once(':').unwrap_or((sort.as_str(), "asc"));
    orders.sort_by_key(|o| match field {
        "date_modified" => (o.date_modified, o.id),
        "date_created" => (o.date_created, o.id),
        _ => (o.id as i64, o.id),
    });
    if dir.eq_ignore_ascii_case("desc") {
        orders.reverse();
    }
    let all: Vec<Value> = orders.iter().map(|o| st.render_order(o)).collect();
    v2_list(p.slice(&all), sh.config.v2_empty_as_204)
}

pub async fn get(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    match st.orders.get(&id) {
        Some(o) => axum::Json(st.render_order(o)).into_response(),
        None => v2_not_found(),
    }
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
        Ok(id) => {
            emit(&sh, st, ev);
            axum::Json(st.render_order(&st.orders[&id])).into_response()
        }
        Err(r) => r,
    }
}

/// `PUT /v2/orders/{id}`: status and a few editable fields.
pub async fn update(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    if !st.orders.contains_key(&id) {
        return v2_not_found();
    }
    let status = match status_of(&b) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut ev = Events::new();
    if let Some(s) = status {
        set_status(st, id, s, &mut ev);
    }
    let o = st.orders.get_mut(&id).expect("checked above");
    for (k, f) in [
        ("staff_notes", &mut o.staff_notes),
        ("customer_message", &mut o.customer_message),
        ("payment_method", &mut o.payment_method),
        ("external_order_id", &mut o.external_order_id),
    ] {
        if let Some(v) = b.get(k).and_then(Value::as_str) {
            *f = v.to_string();
        }
    }
    if let Some(c) = b.get("customer_id").and_then(Value::as_u64) {
        o.customer_id = c;
    }
    if let Some(a) = b.get("billing_address").and_then(Value::as_object) {
        for (k, v) in a {
            o.billing_address[k] = v.clone();
        }
    }
    o.date_modified = now();
    ev.push(order_event("store/order/updated", id));
    emit(&sh, st, ev);
    axum::Json(st.render_order(&st.orders[&id])).into_response()
}

pub async fn products(
    State(sh): State<Shared>,
    Path((hash, id)): Path<(String, u64)>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match v2_paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let Some(o) = st.orders.get(&id) else { return v2_not_found() };
    let all: Vec<Value> = o.products.iter().map(|l| st.render_order_product(o, l)).collect();
    v2_list(p.slice(&all), sh.config.v2_empty_as_204)
}

pub async fn shipping_addresses(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let Some(o) = st.orders.get(&id) else { return v2_not_found() };
    v2_list(o.shipping_addresses.clone(), sh.config.v2_empty_as_204)
}

fn render_status(id: usize) -> Value {
    let name = ORDER_STATUSES[id];
    json!({ "id": id, "name": name, "system_label": name, "custom_label": name, "system_description": name, "order": id })
}

pub async fn statuses() -> Response {
    axum::Json((0..ORDER_STATUSES.len()).map(render_status).collect::<Vec<_>>()).into_response()
}

pub async fn status(Path((_hash, id)): Path<(String, usize)>) -> Response {
    if id < ORDER_STATUSES.len() { axum::Json(render_status(id)).into_response() } else { v2_not_found() }
}

/// Adds a transaction record to an order (seeding, and refunds).
pub fn add_transaction(st: &mut Store, order_id: u64, t: &Value) -> u64 {
    let id = st.next("transaction");
    let currency = st.orders.get(&order_id).map(|o| o.currency_code.clone()).unwrap_or_else(|| "USD".into());
    let g = |k: &str, d: &str| t.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
    st.transactions.push(json!({
        "id": id, "order_id": order_id.to_string(), "event": g("event", "purchase"), "method": g("method", "custom"),
        "amount": t.get("amount").and_then(Value::as_f64).unwrap_or(0.0), "currency": g("currency", &currency),
        "gateway": g("gateway", "custom"), "gateway_transaction_id": g("gateway_transaction_id", ""),
        "date_created": iso8601(now()), "test": false, "status": g("status", "ok"), "fraud_review": false,
        "offline": Value::Null, "custom": Value::Null, "payment_method_id": g("payment_method_id", ""),
        "payment_instrument_token": Value::Null, "provider_instrument_token": Value::Null, "provider_customer_id": Value::Null,
        "gift_certificate": Value::Null, "store_credit": Value::Null, "custom_provider_field_result": Value::Null,
    }));
    id
}

/// `GET /v3/orders/{id}/transactions`: 204 when there are none.
pub async fn transactions(
    State(sh): State<Shared>,
    Path((hash, id)): Path<(String, u64)>,
    Query(q): Query<util::Query>,
) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    if !st.orders.contains_key(&id) {
        return not_found_v3();
    }
    let want = id.to_string();
    let items: Vec<Value> = st.transactions.iter().filter(|t| t["order_id"] == want.as_str()).cloned().collect();
    if items.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    v3_list(items, p)
}

fn refund_error(title: &str, errors: Value) -> Response {
    v3_error(StatusCode::UNPROCESSABLE_ENTITY, title, errors)
}

/// A refunded order line: (line id, quantity, amount in ten-thousandths).
type RefundedLine = (u64, i64, i64);

/// Prices refund items (ten-thousandths); also returns per-line quantities for PRODUCT items.
fn price_items(o: &Order, items: &[Value]) -> Result<(i64, Vec<RefundedLine>), Response> {
    if items.is_empty() {
        return Err(refund_error("Refund items are required.", json!({ "items": "error.path.missing" })));
    }
    let mut total = 0;
    let mut lines = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let kind = it.get("item_type").and_then(Value::as_str).unwrap_or("");
        let amount = it.get("amount").and_then(to_units);
        match kind {
            "PRODUCT" => {
                let item_id = it.get("item_id").and_then(Value::as_u64).unwrap_or(0);
                let Some(l) = o.products.iter().find(|l| l.id == item_id) else {
                    return Err(refund_error(
                        "Refund item does not exist.",
                        json!({ format!("items.{i}.item_id"): item_id }),
                    ));
                };
                let qty = it.get("quantity").and_then(Value::as_i64).unwrap_or(0);
                let value = match (amount, qty) {
                    (Some(a), _) => a,
                    (None, q) if q > 0 && q <= l.quantity - l.quantity_refunded => l.price_inc_tax * q,
                    _ => {
                        return Err(refund_error(
                            "Refund quantity is not available.",
                            json!({ format!("items.{i}.quantity"): qty }),
                        ));
                    }
                };
                lines.push((l.id, qty, value));
                total += value;
            }
            "SHIPPING" | "HANDLING" | "ORDER" | "GIFT_WRAPPING" | "FEE" => match amount {
                Some(a) if a > 0 => total += a,
                _ => {
                    return Err(refund_error(
                        "Refund amount is required.",
                        json!({ format!("items.{i}.amount"): "error.path.missing" }),
                    ));
                }
            },
            _ => {
                return Err(refund_error("Unknown refund item type.", json!({ format!("items.{i}.item_type"): kind })));
            }
        }
    }
    if total > o.total_inc_tax - o.refunded_amount {
        return Err(refund_error("Refund amount exceeds the amount available to refund.", json!({})));
    }
    Ok((total, lines))
}

pub async fn refund_quote(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let Some(o) = st.orders.get(&id) else { return not_found_v3() };
    let items = b.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    match price_items(o, &items) {
        Ok((total, _)) => (
            StatusCode::CREATED,
            axum::Json(json!({ "data": {
                "order_id": id, "total_refund_amount": units_f64(total), "total_refund_tax_amount": 0,
                "order_level_refund_amount": 0, "rounding": 0, "adjustment": 0, "tax_inclusive": true,
                "refund_methods": [[{ "provider_id": "custom", "provider_description": "Custom",
                    "amount": units_f64(total), "offline": true, "offline_provider": true, "offline_reason": "" }]],
            }, "meta": {} })),
        )
            .into_response(),
        Err(r) => r,
    }
}

/// `POST /v3/orders/{id}/payment_actions/refunds`. One refund per order at a time: while one is
/// processing (`Config::refund_processing`), another is rejected with 422.
pub async fn create_refund(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let items = b.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    let payments = b.get("payments").and_then(Value::as_array).cloned().unwrap_or_default();
    {
        let mut db = lock(&sh.db);
        let st = store!(db, hash);
        let Some(o) = st.orders.get(&id) else { return not_found_v3() };
        let (total, _) = match price_items(o, &items) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let paid: i64 = payments.iter().filter_map(|p| p.get("amount").and_then(to_units)).sum();
        if payments.is_empty() || paid != total {
            return refund_error(
                "Payments must add up to the refund total.",
                json!({ "payments": format!("expected {}, got {}", money4(total), money4(paid)) }),
            );
        }
        if !st.refunds_in_progress.insert(id) {
            return refund_error("A refund is already being processed for this order.", json!({}));
        }
    }
    if !sh.config.refund_processing.is_zero() {
        tokio::time::sleep(sh.config.refund_processing).await;
    }
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    st.refunds_in_progress.remove(&id);
    let Some(o) = st.orders.get(&id).cloned() else { return not_found_v3() };
    // Re-price: the order may have changed while this refund was processing.
    let (total, lines) = match price_items(&o, &items) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut ev = Events::new();
    let refund_id = st.next("refund");
    let mut pay_out = Vec::new();
    for p in &payments {
        let pid = st.next("refund_payment");
        let amount = p.get("amount").and_then(to_units).unwrap_or(0);
        let tx =
            add_transaction(st, id, &json!({ "event": "refund", "amount": units_f64(amount), "gateway": "custom" }));
        pay_out.push(json!({
            "id": pid, "provider_id": p.get("provider_id").and_then(Value::as_str).unwrap_or("custom"),
            "amount": units_f64(amount), "offline": p.get("offline").and_then(Value::as_bool).unwrap_or(true),
            "is_declined": false, "declined_message": "", "transaction_id": tx.to_string(),
        }));
    }
    let reason = b.get("reason").and_then(Value::as_str).unwrap_or("").to_string();
    let refund = json!({
        "id": refund_id, "order_id": id, "user_id": 0, "created": iso8601(now()), "reason": reason,
        "total_amount": units_f64(total), "total_tax": 0, "uses_merchant_override_values": false,
        "items": items.iter().map(|it| json!({
            "item_type": it.get("item_type").cloned().unwrap_or(Value::Null),
            "item_id": it.get("item_id").and_then(Value::as_u64).unwrap_or(0),
            "reason": it.get("reason").and_then(Value::as_str).unwrap_or(""),
            "quantity": it.get("quantity").and_then(Value::as_i64).unwrap_or(0),
            "requested_amount": it.get("amount").and_then(to_units).map(units_f64).unwrap_or(0.0),
        })).collect::<Vec<_>>(),
        "payments": pay_out,
    });
    st.refunds.push(refund.clone());
    let fully = {
        let o = st.orders.get_mut(&id).expect("present above");
        o.refunded_amount += total;
        for (line, qty, value) in &lines {
            if let Some(l) = o.products.iter_mut().find(|l| l.id == *line) {
                l.quantity_refunded += qty;
                l.refund_amount += value;
            }
        }
        let fully = o.refunded_amount >= o.total_inc_tax;
        o.payment_status = if fully { "refunded" } else { "partially refunded" }.into();
        o.date_modified = now();
        fully
    };
    ev.push((
        "store/order/refund/created".into(),
        json!({ "type": "order", "id": id, "refund": { "refund_id": refund_id } }),
    ));
    set_status(st, id, if fully { 4 } else { 14 }, &mut ev);
    ev.push(order_event("store/order/updated", id));
    emit(&sh, st, ev);
    (StatusCode::CREATED, axum::Json(json!({ "data": refund, "meta": {} }))).into_response()
}

pub async fn order_refunds(State(sh): State<Shared>, Path((hash, id)): Path<(String, u64)>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    if !st.orders.contains_key(&id) {
        return not_found_v3();
    }
    let data: Vec<Value> = st.refunds.iter().filter(|r| r["order_id"] == id).cloned().collect();
    axum::Json(json!({ "data": data, "meta": {} })).into_response()
}

pub async fn all_refunds(State(sh): State<Shared>, Path(hash): Path<String>, Query(q): Query<util::Query>) -> Response {
    let p = match Paging::parse(&q, 250) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    let ids = util::id_list(&q, "order_id:in").map(|v| v.into_iter().collect::<BTreeSet<_>>());
    let items = st
        .refunds
        .iter()
        .filter(|r| ids.as_ref().is_none_or(|i| r["order_id"].as_u64().is_some_and(|x| i.contains(&x))))
        .cloned()
        .collect();
    v3_list(items, p)
}

pub async fn store_info(State(sh): State<Shared>, Path(hash): Path<String>) -> Response {
    let mut db = lock(&sh.db);
    let st = store!(db, hash);
    axum::Json(json!({
        "id": st.hash, "account_uuid": st.account_uuid, "domain": format!("{}.mybigcommerce.com", st.hash),
        "secure_url": format!("https://{}.mybigcommerce.com", st.hash),
        "control_panel_base_url": format!("https://store-{}.mybigcommerce.com", st.hash),
        "status": "live", "name": st.name, "first_name": "Emu", "last_name": "Lator", "address": "",
        "country": "United States", "country_code": "US", "infrastructure_region": "us-central1", "phone": "",
        "admin_email": "owner@example.com", "order_email": "orders@example.com", "favicon_url": "",
        "timezone": { "name": "Etc/UTC", "raw_offset": 0, "dst_offset": 0, "dst_correction": false,
            "date_format": { "display": "jS M Y", "export": "M jS Y", "extended_display": "M jS Y @ g:i A" } },
        "language": "en", "currency": "USD", "currency_symbol": "$", "decimal_separator": ".",
        "thousands_separator": ",", "decimal_places": 2, "currency_symbol_location": "left",
        "weight_units": "kg", "dimension_units": "Centimeters", "dimension_decimal_places": 2,
        "dimension_decimal_token": ".", "dimension_thousands_token": ",", "plan_name": "Standard",
        "plan_level": "Standard", "plan_is_trial": false, "industry": "", "logo": [],
        "is_price_entered_with_tax": false, "store_id": st.store_id, "default_channel_id": 1, "default_site_id": 1,
        "active_comparison_modules": [],
        "features": { "stencil_enabled": true, "sitewidehttps_enabled": true, "facebook_catalog_id": "",
            "checkout_type": "optimized", "wishlists_enabled": false, "graphql_storefront_api_enabled": true,
            "shopper_consent_tracking_enabled": false, "multi_storefront_enabled": false },
    }))
    .into_response()
}

pub async fn store_time() -> Response {
    axum::Json(json!({ "time": now() })).into_response()
}

pub fn snapshot(st: &Store) -> Value {
    json!({
        "orders": st.orders.values().map(|o| {
            let mut v = st.render_order(o);
            v["products"] = Value::Array(o.products.iter().map(|l| st.render_order_product(o, l)).collect());
            v["shipping_addresses"] = Value::Array(o.shipping_addresses.clone());
            v
        }).collect::<Vec<_>>(),
        "transactions": st.transactions,
        "refunds": st.refunds,
    })
}
