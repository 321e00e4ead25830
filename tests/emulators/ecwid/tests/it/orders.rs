//! Orders: create/update/delete, payment and fulfillment statuses, stock deduction, items
//! replacement, search filters.

use serde_json::{Value, json};

use crate::common::{STORE, env};

#[tokio::test]
async fn placing_an_order_deducts_stock_of_product_and_variation() {
    let e = env().await;
    let pid = e.emu.seed_product(
        STORE,
        json!({"name": "Tee", "sku": "TEE", "price": 20, "quantity": 10,
               "combinations": [{"options": [{"name": "Size", "value": "L"}], "sku": "TEE-L", "quantity": 4}]}),
    );
    let unlimited = e.emu.seed_product(STORE, json!({"name": "Gift wrap", "sku": "WRAP", "price": 1}));
    let (s, v) = e
        .post(
            "/orders",
            json!({"email": "a@b.c", "paymentStatus": "PAID", "items": [
                {"sku": "TEE", "quantity": 2, "price": 20},
                {"productId": pid, "quantity": 1, "price": 22, "selectedOptions": [{"name": "Size", "value": "L"}]},
                {"sku": "WRAP", "quantity": 1, "price": 1}
            ]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let number = v["id"].as_u64().unwrap();
    let p = e.emu.product(STORE, pid).unwrap();
    assert_eq!(p["quantity"], 8);
    assert_eq!(p["combinations"][0]["quantity"], 3);
    assert_eq!(e.emu.product(STORE, unlimited).unwrap()["unlimited"], true);
    let (_, o) = e.get(&format!("/orders/{number}")).await;
    assert_eq!(o["orderNumber"], number);
    assert_eq!(o["items"][1]["sku"], "TEE-L", "item SKU is the variation SKU");
    assert_eq!(o["items"][1]["quantityInStock"], 3);
    assert_eq!(o["subtotal"], 63);
    assert_eq!(o["fulfillmentStatus"], "AWAITING_PROCESSING");
    // The alphanumeric id of current stores addresses the same order.
    let (_, by_id) = e.get(&format!("/orders/{}", o["id"].as_str().unwrap())).await;
    assert_eq!(by_id["orderNumber"], number);
}

#[tokio::test]
async fn unfinished_orders_do_not_deduct_stock_and_are_hidden_from_default_search() {
    let e = env().await;
    let pid = e.emu.seed_product(STORE, json!({"name": "Pen", "sku": "PEN", "quantity": 5}));
    e.create("/orders", json!({"paymentStatus": "INCOMPLETE", "items": [{"sku": "PEN", "quantity": 2}]})).await;
    assert_eq!(e.emu.product(STORE, pid).unwrap()["quantity"], 5);
    assert_eq!(e.get("/orders").await.1["total"], 0);
    assert_eq!(e.get("/orders?paymentStatus=INCOMPLETE").await.1["total"], 1);
}

#[tokio::test]
async fn every_documented_status_is_accepted_and_others_are_400() {
    let e = env().await;
    let n = e.create("/orders", json!({"items": []})).await;
    for ps in [
        "AWAITING_PAYMENT",
        "PAID",
        "CANCELLED",
        "REFUNDED",
        "PARTIALLY_REFUNDED",
        "INCOMPLETE",
        "CUSTOM_PAYMENT_STATUS_2",
    ] {
        assert_eq!(e.put(&format!("/orders/{n}"), json!({"paymentStatus": ps})).await.0, 200, "{ps}");
    }
    for fs in [
        "AWAITING_PROCESSING",
        "PROCESSING",
        "SHIPPED",
        "DELIVERED",
        "WILL_NOT_DELIVER",
        "RETURNED",
        "READY_FOR_PICKUP",
        "OUT_FOR_DELIVERY",
        "CUSTOM_FULFILLMENT_STATUS_1",
    ] {
        assert_eq!(e.put(&format!("/orders/{n}"), json!({"fulfillmentStatus": fs})).await.0, 200, "{fs}");
    }
    let (s, v) = e.put(&format!("/orders/{n}"), json!({"paymentStatus": "QUEUED"})).await;
    assert_eq!(s, 400);
    assert!(v["errorMessage"].as_str().unwrap().contains("AWAITING_PAYMENT"));
    assert_eq!(e.put(&format!("/orders/{n}"), json!({"fulfillmentStatus": "LOST"})).await.0, 400);
}

#[tokio::test]
async fn update_is_partial_but_items_are_replaced_wholesale() {
    let e = env().await;
    let n = e
        .create("/orders", json!({"email": "a@b.c", "items": [{"name": "A", "quantity": 1, "price": 1}, {"name": "B", "quantity": 1, "price": 2}]}))
        .await;
    assert_eq!(e.put(&format!("/orders/{n}"), json!({"paymentStatus": "PAID"})).await.1, json!({"updateCount": 1}));
    let (_, o) = e.get(&format!("/orders/{n}")).await;
    assert_eq!((o["email"].clone(), o["items"].as_array().unwrap().len()), (json!("a@b.c"), 2));
    e.put(&format!("/orders/{n}"), json!({"items": [{"name": "B", "quantity": 3, "price": 2}]})).await;
    let (_, o) = e.get(&format!("/orders/{n}")).await;
    let names: Vec<&Value> = o["items"].as_array().unwrap().iter().map(|i| &i["name"]).collect();
    assert_eq!(names, vec![&json!("B")], "omitted items are removed");
    assert_eq!(e.post("/orders", json!({"items": [{"name": "no qty"}]})).await.0, 400);
    assert_eq!(e.delete(&format!("/orders/{n}")).await.1, json!({"deleteCount": 1}));
    assert_eq!(e.get(&format!("/orders/{n}")).await.0, 404);
}

#[tokio::test]
async fn order_search_filters() {
    let e = env().await;
    let pid = e.emu.seed_product(STORE, json!({"name": "Pen", "sku": "PEN"}));
    let a = e.emu.seed_order(
        STORE,
        json!({"email": "x@y.z", "paymentStatus": "PAID", "items": [{"sku": "PEN", "quantity": 1}]}),
    );
    let b = e.emu.seed_order(
        STORE,
        json!({"email": "q@y.z", "paymentStatus": "AWAITING_PAYMENT", "fulfillmentStatus": "SHIPPED"}),
    );
    let nums = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|o| o["orderNumber"].as_u64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(nums(&e.get("/orders?paymentStatus=PAID,AWAITING_PAYMENT").await.1), vec![b, a], "newest first");
    assert_eq!(nums(&e.get("/orders?fulfillmentStatus=SHIPPED").await.1), vec![b]);
    assert_eq!(nums(&e.get("/orders?email=x@y.z").await.1), vec![a]);
    assert_eq!(nums(&e.get(&format!("/orders?productId={pid}")).await.1), vec![a]);
    assert_eq!(
        nums(&e.get(&format!("/orders?orderNumber={a}&email=nobody")).await.1),
        vec![a],
        "orderNumber overrides"
    );
    assert_eq!(e.get("/orders?createdFrom=yesterday").await.0, 400);
}
