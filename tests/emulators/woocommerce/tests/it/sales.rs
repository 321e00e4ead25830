//! Customers, orders (statuses, totals, stock) and refunds.

use serde_json::{Value, json};

use crate::support::{Shop, shop};

#[tokio::test]
async fn customers_need_a_unique_email() {
    let s = shop().await;
    let missing = s.post("/customers", json!({ "first_name": "No" })).await;
    assert_eq!((missing.status, missing.body["code"].as_str()), (400, Some("rest_missing_callback_param")));
    let c = s
        .create("/customers", json!({ "email": "jo@example.com", "first_name": "Jo", "billing": { "phone": "123" } }))
        .await;
    assert_eq!(
        (c["username"].as_str(), c["role"].as_str(), c["billing"]["phone"].as_str()),
        (Some("jo"), Some("customer"), Some("123"))
    );
    let dup = s.post("/customers", json!({ "email": "JO@example.com" })).await;
    assert_eq!((dup.status, dup.body["code"].as_str()), (400, Some("registration-error-email-exists")));
    let other = s.create("/customers", json!({ "email": "al@example.com" })).await;
    let clash = s.put(&format!("/customers/{}", other["id"]), json!({ "email": "jo@example.com" })).await;
    assert_eq!((clash.status, clash.body["code"].as_str()), (400, Some("woocommerce_rest_customer_invalid_email")));
    let found = s.get("/customers?email=al@example.com").await.body;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let invalid = s.post("/customers", json!({ "email": "not-an-email" })).await;
    assert_eq!(invalid.status, 400);
}

#[tokio::test]
async fn orders_accept_every_documented_status_and_reject_others() {
    let s = shop().await;
    let o = s.create("/orders", json!({})).await;
    assert_eq!(o["status"], "pending");
    let path = format!("/orders/{}", o["id"]);
    for status in ["processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft", "pending"]
    {
        let r = s.put(&path, json!({ "status": status })).await;
        assert_eq!((r.status, r.body["status"].as_str()), (200, Some(status)));
    }
    let done = s.put(&path, json!({ "status": "completed" })).await.body;
    assert!(done["date_completed"].is_string() && done["date_paid"].is_string());
    let bad = s.put(&path, json!({ "status": "shipped" })).await;
    assert_eq!((bad.status, bad.body["code"].as_str()), (400, Some("rest_invalid_param")));
    assert_eq!(s.get("/orders?status=pending").await.body.as_array().unwrap().len(), 0);
    assert_eq!(s.get("/orders?status=completed").await.body.as_array().unwrap().len(), 1);
}

async fn stocked(s: &Shop, sku: &str, qty: i64, price: &str) -> Value {
    s.create(
        "/products",
        json!({ "name": sku, "sku": sku, "regular_price": price, "manage_stock": true, "stock_quantity": qty }),
    )
    .await
}

#[tokio::test]
async fn order_lines_shipping_and_payment_make_the_totals() {
    let s = shop().await;
    let a = stocked(&s, "A", 10, "3.00").await;
    let b = stocked(&s, "B", 10, "12.50").await;
    let o = s
        .create(
            "/orders",
            json!({
                "payment_method": "bacs", "payment_method_title": "Direct Bank Transfer",
                "line_items": [{ "product_id": a["id"], "quantity": 2 }, { "sku": "B", "quantity": 1 }],
                "shipping_lines": [{ "method_id": "flat_rate", "method_title": "Flat Rate", "total": "10.00" }]
            }),
        )
        .await;
    assert_eq!(o["total"], "28.50");
    assert_eq!(o["shipping_total"], "10.00");
    assert_eq!(o["line_items"][0]["subtotal"], "6.00");
    assert_eq!(o["line_items"][0]["price"], 3);
    assert_eq!(o["line_items"][1]["product_id"], b["id"]);
    assert_eq!(o["line_items"][1]["price"], 12.5);
    assert_eq!(
        (o["payment_method"].as_str(), o["payment_method_title"].as_str()),
        (Some("bacs"), Some("Direct Bank Transfer"))
    );
    assert!(o["date_paid"].is_null(), "pending orders are unpaid");
    let bad = s.post("/orders", json!({ "line_items": [{ "product_id": 9999, "quantity": 1 }] })).await;
    assert_eq!((bad.status, bad.body["code"].as_str()), (400, Some("woocommerce_rest_invalid_product_id")));
}

#[tokio::test]
async fn paid_orders_reduce_stock_and_cancellation_restores_it() {
    let s = shop().await;
    let p = stocked(&s, "S", 10, "5.00").await;
    let ppath = format!("/products/{}", p["id"]);
    let o = s
        .create("/orders", json!({ "set_paid": true, "line_items": [{ "product_id": p["id"], "quantity": 3 }] }))
        .await;
    assert_eq!(o["status"], "processing");
    assert!(o["date_paid"].is_string());
    let after = s.get(&ppath).await.body;
    assert_eq!((after["stock_quantity"].as_i64(), after["total_sales"].as_i64()), (Some(7), Some(3)));
    s.put(&format!("/orders/{}", o["id"]), json!({ "status": "completed" })).await;
    assert_eq!(s.get(&ppath).await.body["stock_quantity"], 7, "stock is reduced once");
    s.put(&format!("/orders/{}", o["id"]), json!({ "status": "cancelled" })).await;
    assert_eq!(s.get(&ppath).await.body["stock_quantity"], 10);
}

#[tokio::test]
async fn partial_and_full_refunds_follow_the_order_total() {
    let s = shop().await;
    let p = stocked(&s, "R", 5, "10.00").await;
    let o = s.create("/orders", json!({ "set_paid": true, "payment_method": "bacs", "line_items": [{ "product_id": p["id"], "quantity": 2 }] })).await;
    let rpath = format!("/orders/{}/refunds", o["id"]);

    let gateway = s.post(&rpath, json!({ "amount": "5.00" })).await;
    assert_eq!(
        (gateway.status, gateway.body["code"].as_str()),
        (500, Some("woocommerce_rest_cannot_create_order_refund"))
    );
    assert_eq!(gateway.body["message"], "The payment gateway for this order does not support automatic refunds.");

    let part = s.create(&rpath, json!({ "amount": "5.00", "reason": "scratch", "api_refund": false })).await;
    assert_eq!((part["amount"].as_str(), part["refunded_payment"].as_bool()), (Some("5.00"), Some(false)));
    let order = s.get(&format!("/orders/{}", o["id"])).await.body;
    assert_eq!(order["status"], "processing", "a partial refund keeps the status");
    assert_eq!(order["refunds"], json!([{ "id": part["id"], "refund": "scratch", "total": "-5.00" }]));

    let too_much = s.post(&rpath, json!({ "amount": "15.01", "api_refund": false })).await;
    assert_eq!((too_much.status, too_much.body["message"].as_str()), (500, Some("Invalid refund amount.")));
    let zero = s.post(&rpath, json!({ "amount": "0", "api_refund": false })).await;
    assert_eq!((zero.status, zero.body["code"].as_str()), (400, Some("woocommerce_rest_invalid_order_refund")));

    let item = order["line_items"][0]["id"].clone();
    let rest = s
        .create(
            &rpath,
            json!({ "api_refund": false, "line_items": [{ "id": item, "quantity": 1, "refund_total": 15 }] }),
        )
        .await;
    assert_eq!(rest["amount"], "15.00", "amount defaults to the line totals");
    assert_eq!(rest["line_items"][0]["quantity"], -1);
    assert_eq!(rest["line_items"][0]["meta_data"][0]["key"], "_refunded_item_id");
    assert_eq!(s.get(&format!("/orders/{}", o["id"])).await.body["status"], "refunded");
    assert_eq!(s.get(&format!("/products/{}", p["id"])).await.body["stock_quantity"], 4, "api_restock puts one back");
    assert_eq!(s.get(&rpath).await.body.as_array().unwrap().len(), 2);
    let del = s.delete(&format!("{rpath}/{}", part["id"])).await;
    assert_eq!(del.status, 501, "refunds need force=true");
}

#[tokio::test]
async fn payment_gateways_list_and_update() {
    let s = shop().await;
    let all = s.get("/payment_gateways").await.body;
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["bacs", "cheque", "cod", "paypal"]);
    let upd = s.put("/payment_gateways/cheque", json!({ "enabled": true })).await.body;
    assert_eq!(upd["enabled"], true);
    assert_eq!(s.get("/payment_gateways/nope").await.status, 404);
}

#[tokio::test]
async fn taxes_and_tax_classes() {
    let s = shop().await;
    let classes = s.get("/taxes/classes").await.body;
    assert_eq!(classes.as_array().unwrap().len(), 3);
    let cls = s.create("/taxes/classes", json!({ "name": "Zero Rated Food" })).await;
    assert_eq!(cls["slug"], "zero-rated-food");
    let rate =
        s.create("/taxes", json!({ "country": "GB", "rate": "20", "name": "VAT", "class": "zero-rated-food" })).await;
    assert_eq!(rate["rate"], "20.0000");
    let bad = s.post("/taxes", json!({ "rate": "1", "class": "nope" })).await;
    assert_eq!(bad.status, 400);
    assert_eq!(s.get("/taxes?class=zero-rated-food").await.body.as_array().unwrap().len(), 1);
    assert_eq!(s.delete("/taxes/classes/zero-rated-food?force=true").await.status, 200);
    assert_eq!(s.get("/taxes").await.body.as_array().unwrap().len(), 0, "rates of a deleted class go too");
}
