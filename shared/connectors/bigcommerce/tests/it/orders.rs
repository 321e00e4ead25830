use serde_json::{Value, json};

use crate::common::Env;

fn order(ext: &str) -> Value {
    json!({ "billing_address": { "first_name": "A", "last_name": "B", "email": "a@example.com", "zip": "78701", "country_iso2": "US" },
            "products": [{ "name": "Custom", "quantity": 2, "price_inc_tax": 5, "price_ex_tax": 5 }],
            "shipping_addresses": [{ "first_name": "A", "street_1": "1 Main", "city": "Austin", "zip": "78701", "country_iso2": "US" }],
            "external_source": "POS (posbridge)", "external_order_id": ext })
}

#[tokio::test]
async fn orders_create_read_and_status_update() {
    let env = Env::new().await;
    let c = &env.client;
    let o = c.create_order_settled(&order("S-1")).await.unwrap();
    assert!(o.was_created());
    let id = o.get()["id"].as_u64().unwrap();
    assert_eq!(c.get_order(id).await.unwrap()["external_order_id"], "S-1");
    assert_eq!(c.find_order_by_external_id("S-1").await.unwrap().unwrap()["id"], id);
    assert!(c.find_order_by_external_id("S-2").await.unwrap().is_none(), "204 reads as none");
    assert_eq!(c.order_products(id).await.unwrap()[0]["quantity"], 2);
    assert_eq!(c.order_shipping_addresses(id).await.unwrap()[0]["city"], "Austin");
    assert!(c.order_transactions(id).await.unwrap().is_empty());
    let up = c.update_order_status(id, 2).await.unwrap();
    assert_eq!(up["status_id"], 2);
    assert_eq!(c.get_order(id).await.unwrap()["status"], "Shipped");
    assert!(c.store_info().await.unwrap()["weight_units"].is_string());
}

#[tokio::test]
async fn order_lists_page_to_the_end() {
    let env = Env::new().await;
    env.seed(json!({ "orders": (0..260).map(|i| order(&format!("S-{i}"))).collect::<Vec<_>>() }));
    env.reset_counts().await;
    let all = env.client.list_orders(&[("sort", "id:asc")]).await.unwrap();
    assert_eq!(all.len(), 260);
    assert_eq!(env.count("GET", "v2/orders").await, 2);
    // A filter matching nothing: 204, an empty list, one request.
    env.reset_counts().await;
    assert!(env.client.list_orders(&[("status_id", "5")]).await.unwrap().is_empty());
    assert_eq!(env.count("GET", "v2/orders").await, 1);
}

#[tokio::test]
async fn refunds_quote_create_and_list() {
    let env = Env::new().await;
    let c = &env.client;
    let id = c.create_order(&order("S-9")).await.unwrap()["id"].as_u64().unwrap();
    let line = c.order_products(id).await.unwrap()[0]["id"].as_u64().unwrap();
    let items = json!([{ "item_type": "PRODUCT", "item_id": line, "quantity": 1, "reason": "broken" }]);
    let q = c.refund_quote(id, &json!({ "items": items })).await.unwrap();
    assert_eq!(q["total_refund_amount"], 5.0);
    let body = json!({ "items": items, "payments": [{ "provider_id": "custom", "amount": 5, "offline": true }] });
    let r = c.create_refund_settled(id, &body).await.unwrap();
    assert!(r.was_created());
    assert_eq!(c.order_refunds(id).await.unwrap().len(), 1);
    assert_eq!(c.get_order(id).await.unwrap()["status_id"], 14, "partially refunded");
}
