//! Orders V2 (bare shapes, money strings, RFC 2822 dates, statuses 0-14), line items, shipping
//! addresses, status updates, stock moves, transactions and refunds.

use std::time::Duration;

use serde_json::json;

use crate::common::{Bc, test_config};

#[tokio::test]
async fn orders_are_bare_with_4dp_money_and_rfc2822_dates() {
    let bc = Bc::new().await;
    let p = bc.product("Mug", "MUG-1", 10).await;
    let o = bc.order(json!([{ "product_id": p["id"], "quantity": 2 }, { "name": "Gift wrap", "quantity": 1, "price_inc_tax": "1.5", "price_ex_tax": "1.25" }])).await;
    assert!(o.get("data").is_none());
    assert_eq!(o["status_id"], 1);
    assert_eq!(o["status"], "Pending");
    assert_eq!(o["subtotal_inc_tax"], "22.5000");
    assert_eq!(o["total_ex_tax"], "22.2500");
    let date = o["date_created"].as_str().unwrap();
    assert!(date.ends_with(" +0000") && date.len() == 31, "RFC 2822: {date}");
    let id = o["id"].as_u64().unwrap();
    let lines = bc.get(&format!("v2/orders/{id}/products")).await;
    assert_eq!(lines.body.as_array().unwrap().len(), 2);
    assert_eq!(lines.body[0]["sku"], "MUG-1");
    assert_eq!(lines.body[0]["price_inc_tax"], "10.5000");
    let list = bc.get("v2/orders").await;
    assert!(list.body.is_array());
    assert_eq!(bc.get("v2/orders/999").await.status, 404);
    assert!(bc.get("v2/orders/999").await.body.is_array(), "v2 errors are arrays");
}

#[tokio::test]
async fn empty_v2_order_list_is_204_and_filters_and_sort_work() {
    let bc = Bc::new().await;
    assert_eq!(bc.get("v2/orders").await.status, 204);
    for _ in 0..3 {
        bc.order(json!([{ "name": "X", "quantity": 1, "price_inc_tax": 1 }])).await;
    }
    bc.put("v2/orders/2", json!({ "status_id": 11 })).await;
    let r = bc.get("v2/orders?status_id=11").await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    let r = bc.get("v2/orders?sort=id:desc&limit=2").await;
    assert_eq!(r.body[0]["id"], 3);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = bc.get("v2/orders?min_id=2&max_id=2").await;
    assert_eq!(r.body[0]["id"], 2);
    let r = bc.get("v2/orders?min_date_modified=2000-01-01T00:00:00Z&email=ADA@example.com").await;
    assert_eq!(r.body.as_array().unwrap().len(), 3);
    assert_eq!(bc.get("v2/orders?page=9").await.status, 204);
}

#[tokio::test]
async fn statuses_0_to_14_and_status_updates() {
    let bc = Bc::new().await;
    let st = bc.get("v2/order_statuses").await.body;
    let names: Vec<_> = st.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names.len(), 15);
    assert_eq!(names[0], "Incomplete");
    assert_eq!(names[11], "Awaiting Fulfillment");
    assert_eq!(names[14], "Partially Refunded");
    assert_eq!(bc.get("v2/order_statuses/10").await.body["name"], "Completed");
    let o = bc.order(json!([{ "name": "X", "quantity": 1, "price_inc_tax": 1 }])).await;
    let id = o["id"].as_u64().unwrap();
    let r = bc.put(&format!("v2/orders/{id}"), json!({ "status_id": 2 })).await;
    assert_eq!(r.body["status"], "Shipped");
    assert_eq!(bc.put(&format!("v2/orders/{id}"), json!({ "status_id": 15 })).await.status, 400);
}

#[tokio::test]
async fn placing_takes_stock_and_cancelling_returns_it() {
    let bc = Bc::new().await;
    let p = bc.product("Mug", "MUG-1", 10).await;
    let s = bc.product_with_variants("Shirt", "SH").await;
    let red = s["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "SH-RED").unwrap().clone();
    let o = bc.order(json!([{ "product_id": p["id"], "quantity": 3 }, { "product_id": s["id"], "variant_id": red["id"], "quantity": 2 }])).await;
    let pid = p["id"].as_u64().unwrap();
    assert_eq!(bc.get(&format!("v3/catalog/products/{pid}")).await.body["data"]["inventory_level"], 7);
    let rv = bc.get(&format!("v3/catalog/products/{}/variants/{}", s["id"], red["id"])).await;
    assert_eq!(rv.body["data"]["inventory_level"], 3);
    bc.put(&format!("v2/orders/{}", o["id"]), json!({ "status_id": 5 })).await;
    assert_eq!(bc.get(&format!("v3/catalog/products/{pid}")).await.body["data"]["inventory_level"], 10);
}

#[tokio::test]
async fn shipping_addresses_and_transactions() {
    let bc = Bc::new().await;
    let r = bc
        .post("v2/orders", json!({ "billing_address": { "first_name": "A", "email": "a@example.com" },
            "products": [{ "name": "X", "quantity": 1, "price_inc_tax": 5 }],
            "shipping_addresses": [{ "first_name": "A", "street_1": "1 Main", "city": "Austin", "zip": "78701", "country_iso2": "US", "shipping_method": "Courier" }],
            "shipping_cost_inc_tax": 2 }))
        .await;
    let id = r.body["id"].as_u64().unwrap();
    assert_eq!(r.body["total_inc_tax"], "7.0000");
    let sa = bc.get(&format!("v2/orders/{id}/shipping_addresses")).await;
    assert_eq!(sa.body[0]["shipping_method"], "Courier");
    assert_eq!(sa.body[0]["order_id"], id);
    assert_eq!(bc.get(&format!("v3/orders/{id}/transactions")).await.status, 204, "no transactions yet");
    bc.emu.seed("abc123", &json!({ "orders": [{ "billing_address": {}, "products": [{ "name": "Y", "quantity": 1, "price_inc_tax": 3 }],
        "transactions": [{ "event": "purchase", "method": "credit_card", "amount": 3.0, "gateway": "braintree" }] }] })).unwrap();
    let t = bc.get(&format!("v3/orders/{}/transactions", id + 1)).await;
    assert_eq!(t.status, 200);
    assert_eq!(t.body["data"][0]["event"], "purchase");
    assert_eq!(t.body["data"][0]["order_id"], (id + 1).to_string());
}

#[tokio::test]
async fn refunds_update_the_order_and_reject_over_refunds() {
    let bc = Bc::new().await;
    let o = bc.order(json!([{ "name": "X", "quantity": 2, "price_inc_tax": 5 }])).await;
    let id = o["id"].as_u64().unwrap();
    let line = bc.get(&format!("v2/orders/{id}/products")).await.body[0]["id"].as_u64().unwrap();
    let q = bc
        .post(
            &format!("v3/orders/{id}/payment_actions/refund_quotes"),
            json!({ "items": [{ "item_type": "PRODUCT", "item_id": line, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(q.status, 201);
    assert_eq!(q.body["data"]["total_refund_amount"], 5.0);
    let items = json!([{ "item_type": "PRODUCT", "item_id": line, "quantity": 1, "reason": "broken" }]);
    let wrong = bc
        .post(
            &format!("v3/orders/{id}/payment_actions/refunds"),
            json!({ "items": items, "payments": [{ "provider_id": "custom", "amount": 4, "offline": true }] }),
        )
        .await;
    assert_eq!(wrong.status, 422, "payments must match");
    let r = bc
        .post(
            &format!("v3/orders/{id}/payment_actions/refunds"),
            json!({ "items": items, "payments": [{ "provider_id": "custom", "amount": 5, "offline": true }] }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let order = bc.get(&format!("v2/orders/{id}")).await.body;
    assert_eq!(order["refunded_amount"], "5.0000");
    assert_eq!(order["status_id"], 14);
    assert_eq!(order["payment_status"], "partially refunded");
    let line_after = &bc.get(&format!("v2/orders/{id}/products")).await.body[0];
    assert_eq!(line_after["quantity_refunded"], 1);
    let too_much = bc.post(&format!("v3/orders/{id}/payment_actions/refunds"), json!({ "items": [{ "item_type": "ORDER", "amount": 6 }], "payments": [{ "provider_id": "custom", "amount": 6 }] })).await;
    assert_eq!(too_much.status, 422);
    let rest = bc.post(&format!("v3/orders/{id}/payment_actions/refunds"), json!({ "items": [{ "item_type": "PRODUCT", "item_id": line, "quantity": 1 }], "payments": [{ "provider_id": "custom", "amount": 5 }] })).await;
    assert_eq!(rest.status, 201);
    assert_eq!(bc.get(&format!("v2/orders/{id}")).await.body["status_id"], 4);
    assert_eq!(
        bc.get(&format!("v3/orders/{id}/payment_actions/refunds")).await.body["data"].as_array().unwrap().len(),
        2
    );
    assert_eq!(bc.get("v3/orders/payment_actions/refunds").await.body["data"].as_array().unwrap().len(), 2);
    let tx = bc.get(&format!("v3/orders/{id}/transactions")).await;
    assert_eq!(tx.body["data"].as_array().unwrap().iter().filter(|t| t["event"] == "refund").count(), 2);
}

#[tokio::test]
async fn concurrent_refunds_on_one_order_are_rejected() {
    let bc = Bc::with(emu_bigcommerce::Config { refund_processing: Duration::from_millis(300), ..test_config() }).await;
    let o = bc.order(json!([{ "name": "X", "quantity": 2, "price_inc_tax": 5 }])).await;
    let id = o["id"].as_u64().unwrap();
    let body = json!({ "items": [{ "item_type": "ORDER", "amount": 1 }], "payments": [{ "provider_id": "custom", "amount": 1 }] });
    let path = format!("v3/orders/{id}/payment_actions/refunds");
    let (a, b) = tokio::join!(bc.post(&path, body.clone()), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        bc.post(&path, body.clone()).await
    });
    assert_eq!(a.status, 201);
    assert_eq!(b.status, 422);
    assert!(b.body["title"].as_str().unwrap().contains("already being processed"));
}
