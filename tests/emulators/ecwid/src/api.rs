//! `/api/v3/{storeId}/…` handlers: parse, call the store, render.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use emulator_kit::lock;
use serde_json::{Value, json};

use crate::auth::{Caller, guard};
use crate::store::{EventSpec, Store};
use crate::util::{self, ApiError, ApiResult, Params, body_object, envelope, field, page};
use crate::{Shared, batch, webhooks};

type S = State<Arc<Shared>>;
type Ids = Path<HashMap<String, String>>;

pub fn router(shared: Arc<Shared>) -> Router {
    let base = "/api/v3/{store_id}";
    let p = format!("{base}/products/{{product_id}}");
    let c = format!("{p}/combinations/{{combination_id}}");
    Router::new()
        .route(&format!("{base}/profile"), get(profile))
        .route(&format!("{base}/products"), get(search_products).post(create_product))
        .route(&p, get(get_product).put(update_product).delete(delete_product))
        .route(&format!("{p}/inventory"), put(adjust_product))
        .route(
            &format!("{p}/combinations"),
            get(list_combinations).post(create_combination).delete(delete_all_combinations),
        )
        .route(&c, get(get_combination).put(update_combination).delete(delete_combination))
        .route(&format!("{c}/inventory"), put(adjust_combination))
        .route(&format!("{base}/categories"), get(search_categories).post(create_category))
        .route(
            &format!("{base}/categories/{{category_id}}"),
            get(get_category).put(update_category).delete(delete_category),
        )
        .route(&format!("{base}/customers"), get(search_customers).post(create_customer))
        .route(
            &format!("{base}/customers/{{customer_id}}"),
            get(get_customer).put(update_customer).delete(delete_customer),
        )
        .route(&format!("{base}/customer_groups"), get(search_groups).post(create_group))
        .route(&format!("{base}/customer_groups/{{group_id}}"), get(get_group).put(update_group).delete(delete_group))
        .route(&format!("{base}/orders"), get(search_orders).post(create_order))
        .route(&format!("{base}/orders/{{order_id}}"), get(get_order).put(update_order).delete(delete_order))
        .route(&format!("{base}/batch"), get(batch::status).post(batch::create))
        .route_layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

fn id(p: &HashMap<String, String>, name: &str, what: &str) -> ApiResult<u64> {
    p.get(name).and_then(|v| v.parse().ok()).ok_or_else(|| ApiError::not_found(what))
}

/// Runs a read against the caller's store.
fn read<T>(s: &Shared, c: &Caller, f: impl FnOnce(&Store, u64) -> ApiResult<T>) -> ApiResult<T> {
    let w = lock(&s.world);
    let store = w.stores.get(&c.store_id).ok_or_else(|| ApiError::not_found("Store"))?;
    f(store, w.orders_default_limit)
}

/// Runs a write against the caller's store, then sends the events it caused.
fn write<T>(
    s: &Arc<Shared>,
    c: &Caller,
    f: impl FnOnce(&mut Store, i64) -> ApiResult<(T, Vec<EventSpec>)>,
) -> ApiResult<T> {
    let (out, events) = {
        let mut w = lock(&s.world);
        let store = w.stores.get_mut(&c.store_id).ok_or_else(|| ApiError::not_found("Store"))?;
        f(store, util::now())?
    };
    webhooks::emit(s, c.store_id, events);
    Ok(out)
}

fn ok(v: Value) -> Response {
    Json(v).into_response()
}

fn respond(r: ApiResult<Value>) -> Response {
    match r {
        Ok(v) => ok(v),
        Err(e) => e.into_response(),
    }
}

fn created(id: u64) -> Value {
    json!({ "id": id })
}
fn updated() -> Value {
    json!({ "updateCount": 1 })
}
fn deleted(n: usize) -> Value {
    json!({ "deleteCount": n })
}

fn quantity_delta(body: &[u8]) -> ApiResult<i64> {
    let m = body_object(body)?;
    field::int(&m, "quantityDelta")?.ok_or_else(|| ApiError::bad_request("Field 'quantityDelta' is required"))
}

async fn profile(State(s): S, Extension(c): Extension<Caller>) -> Response {
    respond(read(&s, &c, |st, _| {
        Ok(json!({ "generalInfo": { "storeId": st.id }, "account": { "accountEmail": st.email } }))
    }))
}

// ---------- products ----------

async fn search_products(State(s): S, Extension(c): Extension<Caller>, Query(q): Query<Params>) -> Response {
    respond(read(&s, &c, |st, _| {
        let (offset, limit) = page(&q, util::MAX_LIMIT)?;
        Ok(envelope(st.search_products(&q, c.public)?, offset, limit))
    }))
}

async fn get_product(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let pid = id(&p, "product_id", "Product")?;
        let prod = st.products.get(&pid).ok_or_else(|| ApiError::not_found("Product"))?;
        Ok(st.render_product(prod, c.public))
    }))
}

async fn create_product(State(s): S, Extension(c): Extension<Caller>, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (pid, ev) = st.create_product(&body_object(&body)?, now)?;
        Ok((created(pid), ev))
    }))
}

async fn update_product(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let ev = st.update_product(id(&p, "product_id", "Product")?, &body_object(&body)?, now)?;
        Ok((updated(), ev))
    }))
}

async fn delete_product(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, _| Ok((deleted(1), st.delete_product(id(&p, "product_id", "Product")?)?))))
}

async fn adjust_product(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| st.adjust_product(id(&p, "product_id", "Product")?, quantity_delta(&body)?, now)))
}

// ---------- variations ----------

fn visible_product<'a>(st: &'a Store, p: &HashMap<String, String>, c: &Caller) -> ApiResult<&'a crate::store::Product> {
    let pid = id(p, "product_id", "Product")?;
    st.products.get(&pid).filter(|prod| !c.public || prod.enabled).ok_or_else(|| ApiError::not_found("Product"))
}

async fn list_combinations(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let prod = visible_product(st, &p, &c)?;
        Ok(Value::Array(prod.combinations.iter().map(|x| st.render_combination(prod, x)).collect()))
    }))
}

async fn get_combination(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let prod = visible_product(st, &p, &c)?;
        let cid = id(&p, "combination_id", "Variation")?;
        let combo = prod.combinations.iter().find(|x| x.id == cid).ok_or_else(|| ApiError::not_found("Variation"))?;
        Ok(st.render_combination(prod, combo))
    }))
}

async fn create_combination(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (cid, ev) = st.create_combination(id(&p, "product_id", "Product")?, &body_object(&body)?, now)?;
        Ok((created(cid), ev))
    }))
}

async fn update_combination(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (pid, cid) = (id(&p, "product_id", "Product")?, id(&p, "combination_id", "Variation")?);
        Ok((updated(), st.update_combination(pid, cid, &body_object(&body)?, now)?))
    }))
}

async fn delete_combination(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, now| {
        let (pid, cid) = (id(&p, "product_id", "Product")?, id(&p, "combination_id", "Variation")?);
        let (n, ev) = st.delete_combinations(pid, Some(cid), now)?;
        Ok((deleted(n), ev))
    }))
}

async fn delete_all_combinations(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, now| {
        let (n, ev) = st.delete_combinations(id(&p, "product_id", "Product")?, None, now)?;
        Ok((deleted(n), ev))
    }))
}

async fn adjust_combination(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (pid, cid) = (id(&p, "product_id", "Product")?, id(&p, "combination_id", "Variation")?);
        st.adjust_combination(pid, cid, quantity_delta(&body)?, now)
    }))
}

// ---------- categories ----------

async fn search_categories(State(s): S, Extension(c): Extension<Caller>, Query(q): Query<Params>) -> Response {
    respond(read(&s, &c, |st, _| {
        let (offset, limit) = page(&q, util::MAX_LIMIT)?;
        Ok(envelope(st.search_categories(&q, c.public)?, offset, limit))
    }))
}

async fn get_category(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let cat =
            st.categories.get(&id(&p, "category_id", "Category")?).ok_or_else(|| ApiError::not_found("Category"))?;
        Ok(st.render_category(cat, c.public, true))
    }))
}

async fn create_category(State(s): S, Extension(c): Extension<Caller>, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (cid, ev) = st.create_category(&body_object(&body)?, now)?;
        Ok((created(cid), ev))
    }))
}

async fn update_category(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        Ok((updated(), st.update_category(id(&p, "category_id", "Category")?, &body_object(&body)?, now)?))
    }))
}

async fn delete_category(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, now| Ok((deleted(1), st.delete_category(id(&p, "category_id", "Category")?, now)?))))
}

// ---------- customers and groups ----------

/// Default `limit` of customers and customer groups.
const CUSTOMERS_DEFAULT_LIMIT: u64 = 10;

async fn search_customers(State(s): S, Extension(c): Extension<Caller>, Query(q): Query<Params>) -> Response {
    respond(read(&s, &c, |st, _| {
        let (offset, limit) = page(&q, CUSTOMERS_DEFAULT_LIMIT)?;
        Ok(envelope(st.search_customers(&q)?, offset, limit))
    }))
}

async fn get_customer(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let cu =
            st.customers.get(&id(&p, "customer_id", "Customer")?).ok_or_else(|| ApiError::not_found("Customer"))?;
        Ok(st.render_customer(cu))
    }))
}

async fn create_customer(State(s): S, Extension(c): Extension<Caller>, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (cid, ev) = st.create_customer(&body_object(&body)?, now)?;
        Ok((created(cid), ev))
    }))
}

async fn update_customer(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        Ok((updated(), st.update_customer(id(&p, "customer_id", "Customer")?, &body_object(&body)?, now)?))
    }))
}

async fn delete_customer(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, _| Ok((deleted(1), st.delete_customer(id(&p, "customer_id", "Customer")?)?))))
}

async fn search_groups(State(s): S, Extension(c): Extension<Caller>, Query(q): Query<Params>) -> Response {
    respond(read(&s, &c, |st, _| {
        let (offset, limit) = page(&q, CUSTOMERS_DEFAULT_LIMIT)?;
        let all = st.customer_groups.iter().map(|(id, n)| json!({ "id": id, "name": n })).collect();
        Ok(envelope(all, offset, limit))
    }))
}

async fn get_group(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let gid = id(&p, "group_id", "Customer group")?;
        let name = st.customer_groups.get(&gid).ok_or_else(|| ApiError::not_found("Customer group"))?;
        Ok(json!({ "id": gid, "name": name }))
    }))
}

async fn create_group(State(s): S, Extension(c): Extension<Caller>, body: Bytes) -> Response {
    respond(write(&s, &c, |st, _| Ok((created(st.create_group(&body_object(&body)?)?), vec![]))))
}

async fn update_group(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, _| {
        st.update_group(id(&p, "group_id", "Customer group")?, &body_object(&body)?)?;
        Ok((updated(), vec![]))
    }))
}

async fn delete_group(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, now| Ok((deleted(1), st.delete_group(id(&p, "group_id", "Customer group")?, now)?))))
}

// ---------- orders ----------

async fn search_orders(State(s): S, Extension(c): Extension<Caller>, Query(q): Query<Params>) -> Response {
    respond(read(&s, &c, |st, default_limit| {
        let (offset, limit) = page(&q, default_limit)?;
        Ok(envelope(st.search_orders(&q)?, offset, limit))
    }))
}

async fn get_order(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(read(&s, &c, |st, _| {
        let n = st.order_number(p.get("order_id").map(String::as_str).unwrap_or(""))?;
        Ok(st.render_order(&st.orders[&n]))
    }))
}

async fn create_order(State(s): S, Extension(c): Extension<Caller>, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let (n, ev) = st.create_order(&body_object(&body)?, true, now)?;
        Ok((created(n), ev))
    }))
}

async fn update_order(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids, body: Bytes) -> Response {
    respond(write(&s, &c, |st, now| {
        let n = st.order_number(p.get("order_id").map(String::as_str).unwrap_or(""))?;
        Ok((updated(), st.update_order(n, &body_object(&body)?, now)?))
    }))
}

async fn delete_order(State(s): S, Extension(c): Extension<Caller>, Path(p): Ids) -> Response {
    respond(write(&s, &c, |st, _| {
        let n = st.order_number(p.get("order_id").map(String::as_str).unwrap_or(""))?;
        Ok((deleted(1), st.delete_order(n)?))
    }))
}
