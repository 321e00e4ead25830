//! Bursts of 429 and 5xx, pacing to the platform's budget, and creates whose answer is lost.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use emu_bigcommerce::Config;
use posbridge_connector_core::ConnectorError;
use serde_json::{Value, json};

use crate::common::{Env, ROOMY_TIMEOUT, config, customer, delay_after_apply, product, respond};

const SLOW: u64 = 1_500; // longer than the client's FAULT_TIMEOUT

#[tokio::test]
async fn a_5xx_burst_on_reads_and_batch_writes_ends_in_success() {
    let env = Env::new().await;
    env.seed(json!({ "products": (0..3).map(product).collect::<Vec<_>>() }));
    env.fault("GET", "/catalog/products", 3, respond(503, json!({}))).await;
    assert_eq!(env.client.list_products(&[]).await.unwrap().len(), 3);
    assert_eq!(env.count("GET", "v3/catalog/products").await, 4, "three 503s, then the answer");
    // A batch update is a whole state: safe to repeat after a 500.
    let ids: Vec<Value> =
        env.snapshot()["products"].as_array().unwrap().iter().map(|p| json!({ "id": p["id"], "price": 3 })).collect();
    env.fault("PUT", "/catalog/products", 2, respond(500, json!({}))).await;
    assert_eq!(env.client.update_products(&ids).await.unwrap().len(), 3);
    // A burst longer than the retries is reported, retryable.
    env.fault("GET", "/v2/orders", 10, respond(502, json!({}))).await;
    let e = env.client.list_orders(&[]).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Unavailable { status: Some(502), .. }) && e.is_retryable(), "{e:?}");
}

#[tokio::test]
async fn a_429_burst_with_reset_headers_is_waited_out() {
    let env = Env::new().await;
    let h = json!({ "X-Rate-Limit-Requests-Left": "0", "X-Rate-Limit-Time-Reset-Ms": "60",
        "X-Rate-Limit-Requests-Quota": "150", "X-Rate-Limit-Time-Window-Ms": "30000" });
    env.fault("GET", "/customers", 3, respond(429, h)).await;
    let t0 = Instant::now();
    assert!(env.client.list_customers(&[]).await.unwrap().is_empty());
    assert!(t0.elapsed() >= Duration::from_millis(180), "waited each reset: {:?}", t0.elapsed());
    assert_eq!(env.count("GET", "v3/customers").await, 4);
}

#[tokio::test]
async fn a_429_burst_without_headers_backs_off_and_a_create_behind_it_is_sent_once() {
    let env = Env::new().await;
    env.fault("POST", "/catalog/products", 3, respond(429, json!({}))).await;
    let t0 = Instant::now();
    let p = env.client.create_product_settled(&product(1)).await.unwrap();
    assert!(p.was_created(), "a 429 was not applied: resending is safe");
    assert!(t0.elapsed() >= Duration::from_millis(120), "bare 429s wait the policy's pause: {:?}", t0.elapsed());
    assert_eq!(env.snapshot()["products"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bulk_reads_pace_to_the_store_quota_instead_of_hitting_429s() {
    let env = Env::with(
        Config { rate_limit_quota: 5, rate_limit_window: Duration::from_millis(400), ..config() },
        1,
        ROOMY_TIMEOUT,
    )
    .await;
    env.seed(json!({ "products": (0..12).map(product).collect::<Vec<_>>() }));
    env.reset_counts().await;
    let t0 = Instant::now();
    assert_eq!(env.client.list_products(&[]).await.unwrap().len(), 12, "12 pages of one");
    assert!(t0.elapsed() >= Duration::from_millis(400), "waited for a window reset: {:?}", t0.elapsed());
    assert_eq!(env.count("GET", "v3/catalog/products").await, 12, "not one request refused with a 429");
}

fn one_with(list: &Value, key: &str, value: &str) -> usize {
    list.as_array().unwrap().iter().filter(|r| r[key].as_str().is_some_and(|v| v.eq_ignore_ascii_case(value))).count()
}

#[tokio::test]
async fn a_product_create_that_times_out_leaves_exactly_one_product() {
    let env = Env::short_timeout().await;
    env.fault("POST", "/catalog/products", 1, delay_after_apply(SLOW)).await;
    let s = env.client.create_product_settled(&product(7)).await.unwrap();
    assert!(!s.was_created(), "found by SKU, not created again");
    assert_eq!(s.get()["sku"], "SKU-7");
    assert_eq!(one_with(&env.snapshot()["products"], "sku", "SKU-7"), 1);
    assert_eq!(env.count("POST", "v3/catalog/products").await, 1, "the create was sent once");
    // The plain create reports the unknown outcome instead of retrying.
    env.fault("POST", "/catalog/products", 1, delay_after_apply(SLOW)).await;
    let e = env.client.create_product(&product(8)).await.unwrap_err();
    assert!(matches!(e, ConnectorError::UnknownOutcome { .. }), "{e:?}");
    // Without a SKU the unique name settles it.
    env.fault("POST", "/catalog/products", 1, delay_after_apply(SLOW)).await;
    let nameless = json!({ "name": "No SKU", "type": "physical", "weight": 1, "price": 1 });
    assert!(!env.client.create_product_settled(&nameless).await.unwrap().was_created());
    assert_eq!(one_with(&env.snapshot()["products"], "name", "No SKU"), 1);
}

#[tokio::test]
async fn a_create_whose_5xx_was_not_applied_is_sent_again_once() {
    let env = Env::new().await;
    env.fault("POST", "/catalog/products", 1, respond(502, json!({}))).await;
    let s = env.client.create_product_settled(&product(3)).await.unwrap();
    assert!(s.was_created(), "read back found nothing, so it was created");
    assert_eq!(env.count("POST", "v3/catalog/products").await, 2);
    assert_eq!(one_with(&env.snapshot()["products"], "sku", "SKU-3"), 1);
}

#[tokio::test]
async fn customer_order_variant_category_group_hook_and_refund_creates_that_time_out_leave_one_record() {
    let env = Env::short_timeout().await;
    let c = &env.client;

    env.fault("POST", "/v3/customers", 1, delay_after_apply(SLOW)).await;
    let batch: Vec<Value> = (0..12).map(customer).collect();
    let out = c.create_customers_settled(&batch).await.unwrap();
    assert_eq!(out.iter().filter(|s| !s.was_created()).count(), 10, "the lost chunk was found by email");
    assert_eq!(env.snapshot()["customers"].as_array().unwrap().len(), 12);
    assert_eq!(env.count("POST", "v3/customers").await, 2);

    env.fault("POST", "/v2/orders", 1, delay_after_apply(SLOW)).await;
    let order = json!({ "billing_address": { "first_name": "A", "email": "a@example.com", "zip": "1" },
        "products": [{ "name": "X", "quantity": 2, "price_inc_tax": 5 }], "external_order_id": "POS-42" });
    let o = c.create_order_settled(&order).await.unwrap();
    assert!(!o.was_created());
    assert_eq!(one_with(&env.snapshot()["orders"], "external_order_id", "POS-42"), 1);

    let pid = c.create_product(&product(1)).await.unwrap()["id"].as_u64().unwrap();
    env.fault("POST", "/variants", 1, delay_after_apply(SLOW)).await;
    let v = json!({ "sku": "SKU-1-L", "option_values": [{ "option_display_name": "Size", "label": "L" }] });
    assert!(!c.create_variant_settled(pid, &v).await.unwrap().was_created());
    assert_eq!(c.list_variants(pid).await.unwrap().iter().filter(|x| x["sku"] == "SKU-1-L").count(), 1);

    env.fault("POST", "/catalog/categories", 1, delay_after_apply(SLOW)).await;
    assert!(!c.create_category_settled(&json!({ "name": "Mugs", "parent_id": 0 })).await.unwrap().was_created());
    assert_eq!(c.list_categories().await.unwrap().len(), 1);

    env.fault("POST", "/customer_groups", 1, delay_after_apply(SLOW)).await;
    assert!(!c.create_customer_group_settled(&json!({ "name": "VIP" })).await.unwrap().was_created());
    assert_eq!(c.list_customer_groups().await.unwrap().len(), 1);

    env.fault("POST", "/v3/hooks", 1, delay_after_apply(SLOW)).await;
    assert!(!c.ensure_hook("store/order/*", "http://127.0.0.1:9/h", &BTreeMap::new()).await.unwrap().was_created());
    assert_eq!(c.list_hooks().await.unwrap().len(), 1);

    let oid = o.get()["id"].as_u64().unwrap();
    let line = c.order_products(oid).await.unwrap()[0]["id"].as_u64().unwrap();
    let refund = json!({ "items": [{ "item_type": "PRODUCT", "item_id": line, "quantity": 1 }],
        "payments": [{ "provider_id": "custom", "amount": 5, "offline": true }] });
    env.fault("POST", "/payment_actions/refunds", 1, delay_after_apply(SLOW)).await;
    assert!(!c.create_refund_settled(oid, &refund).await.unwrap().was_created());
    assert_eq!(c.order_refunds(oid).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_relative_adjustment_whose_answer_is_lost_is_not_resent() {
    let env = Env::short_timeout().await;
    let p = env
        .client
        .create_product(&json!({ "name": "S", "type": "physical", "weight": 1, "price": 1, "sku": "S", "inventory_tracking": "product" }))
        .await
        .unwrap();
    let pid = p["id"].as_u64().unwrap();
    let item = |q| {
        posbridge_connector_bigcommerce::InventoryItem::new(posbridge_connector_bigcommerce::ItemRef::Product(pid), q)
    };
    env.client.set_inventory(&[item(10)], "init").await.unwrap();
    env.fault("POST", "/adjustments/relative", 1, delay_after_apply(SLOW)).await;
    let e = env.client.adjust_inventory(&[item(-1)], "sale").await.unwrap_err();
    assert!(matches!(e, ConnectorError::UnknownOutcome { .. }), "{e:?}");
    assert_eq!(env.client.get_product(pid).await.unwrap()["inventory_level"], 9, "applied once");
    // An absolute set that times out is safe to repeat, and is.
    env.fault("PUT", "/adjustments/absolute", 1, delay_after_apply(SLOW)).await;
    env.client.set_inventory(&[item(4)], "recount").await.unwrap();
    assert_eq!(env.client.get_product(pid).await.unwrap()["inventory_level"], 4);
}
