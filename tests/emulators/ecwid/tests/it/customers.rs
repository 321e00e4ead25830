//! Customers and customer groups.

use serde_json::json;

use crate::common::env;

#[tokio::test]
async fn customer_groups_crud_with_general_group_zero() {
    let e = env().await;
    let (_, v) = e.get("/customer_groups").await;
    assert_eq!(v["items"], json!([{"id": 0, "name": "General"}]));
    let vip = e.create("/customer_groups", json!({"name": "VIP"})).await;
    let (_, g) = e.get(&format!("/customer_groups/{vip}")).await;
    assert_eq!(g, json!({"id": vip, "name": "VIP"}));
    assert_eq!(e.put(&format!("/customer_groups/{vip}"), json!({"name": "Gold"})).await.1, json!({"updateCount": 1}));
    assert_eq!(e.get(&format!("/customer_groups/{vip}")).await.1["name"], "Gold");
    assert_eq!(e.delete(&format!("/customer_groups/{vip}")).await.1, json!({"deleteCount": 1}));
    assert_eq!(e.get(&format!("/customer_groups/{vip}")).await.0, 404);
    assert_eq!(e.post("/customer_groups", json!({})).await.0, 400);
}

#[tokio::test]
async fn customers_crud_partial_update_and_group_name() {
    let e = env().await;
    let vip = e.create("/customer_groups", json!({"name": "VIP"})).await;
    let id = e
        .create(
            "/customers",
            json!({"email": "jane@example.com", "password": "x", "customerGroupId": vip,
                   "billingPerson": {"name": "Jane Roe", "city": "Bucket"}, "acceptMarketing": true}),
        )
        .await;
    let (s, c) = e.get(&format!("/customers/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(c["name"], "Jane Roe");
    assert_eq!(c["customerGroupName"], "VIP");
    assert!(c.get("password").is_none(), "password is write-only");
    assert_eq!(e.put(&format!("/customers/{id}"), json!({"taxExempt": true})).await.1, json!({"updateCount": 1}));
    let (_, c) = e.get(&format!("/customers/{id}")).await;
    assert_eq!((c["taxExempt"].clone(), c["email"].clone()), (json!(true), json!("jane@example.com")));
    assert_eq!(e.put(&format!("/customers/{id}"), json!({"taxExempt": "yes"})).await.0, 400, "wrong type");
    assert_eq!(e.post("/customers", json!({"email": "jane@example.com"})).await.0, 409, "email taken");
    assert_eq!(e.post("/customers", json!({"billingPerson": {"name": "No Email"}})).await.0, 400);
    let (_, v) = e.get("/customers?email=jane@example.com").await;
    assert_eq!(v["total"], 1);
    assert_eq!(e.delete(&format!("/customers/{id}")).await.1, json!({"deleteCount": 1}));
}

#[tokio::test]
async fn customer_lists_default_to_ten_per_page() {
    let e = env().await;
    for i in 0..12 {
        e.emu.seed_customer(
            crate::common::STORE,
            json!({"email": format!("c{i:02}@example.com"), "billingPerson": {"name": format!("C{i:02}")}}),
        );
    }
    let (_, v) = e.get("/customers").await;
    assert_eq!((v["total"].clone(), v["count"].clone(), v["limit"].clone()), (json!(12), json!(10), json!(10)));
    assert_eq!(v["items"][0]["name"], "C00", "sorted by name");
    let (_, v) = e.get("/customers?offset=10").await;
    assert_eq!(v["count"], 2);
}
