//! Customers V3 and customer groups V2.

use serde_json::json;

use crate::common::Bc;

#[tokio::test]
async fn create_requires_email_first_and_last_name() {
    let bc = Bc::new().await;
    let r = bc
        .post(
            "v3/customers",
            json!([{ "email": "a@example.com", "first_name": "A" }, { "first_name": "B", "last_name": "C" }]),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["title"], "Create customers failed.");
    assert!(r.body["errors"].get("[0].last_name").is_some(), "{}", r.raw);
    assert!(r.body["errors"].get("[1].email").is_some());
    assert_eq!(bc.get("v3/customers").await.body["data"].as_array().unwrap().len(), 0, "nothing created");
    let ok = bc.post("v3/customers", json!([{ "email": "a@example.com", "first_name": "A", "last_name": "B" }])).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["data"][0]["email"], "a@example.com");
    let dup = bc.post("v3/customers", json!([{ "email": "A@example.com", "first_name": "A", "last_name": "B" }])).await;
    assert_eq!(dup.status, 422, "email is unique case-insensitively");
}

#[tokio::test]
async fn batches_are_limited_to_10() {
    let bc = Bc::new().await;
    let many: Vec<_> =
        (0..11).map(|i| json!({ "email": format!("c{i}@example.com"), "first_name": "F", "last_name": "L" })).collect();
    assert_eq!(bc.post("v3/customers", json!(many)).await.status, 413);
    let r = bc.post("v3/customers", json!(many[..10].to_vec())).await;
    assert_eq!(r.status, 200);
    let upd: Vec<_> = (1..=11).map(|id| json!({ "id": id, "notes": "x" })).collect();
    assert_eq!(bc.put("v3/customers", json!(upd)).await.status, 413);
}

#[tokio::test]
async fn update_filter_and_delete_customers() {
    let bc = Bc::new().await;
    let g = bc.post("v2/customer_groups", json!({ "name": "Wholesale" })).await;
    assert_eq!(g.status, 200);
    let gid = g.body["id"].as_u64().unwrap();
    let r = bc.post("v3/customers", json!([
        { "email": "a@example.com", "first_name": "A", "last_name": "B", "customer_group_id": gid },
        { "email": "b@example.com", "first_name": "C", "last_name": "D",
          "addresses": [{ "first_name": "C", "last_name": "D", "address1": "1 Main", "city": "Austin", "country_code": "US", "postal_code": "78701", "state_or_province": "Texas" }] },
    ])).await;
    let b_id = r.body["data"][1]["id"].as_u64().unwrap();
    let f = bc.get(&format!("v3/customers?customer_group_id:in={gid}")).await;
    assert_eq!(f.body["data"].as_array().unwrap().len(), 1);
    let f = bc.get("v3/customers?email:in=B@example.com&include=addresses").await;
    assert_eq!(f.body["data"][0]["addresses"][0]["city"], "Austin");
    assert_eq!(f.body["data"][0]["address_count"], 1);
    let u = bc.put("v3/customers", json!([{ "id": b_id, "first_name": "Cee" }])).await;
    assert_eq!(u.body["data"][0]["first_name"], "Cee");
    assert_eq!(bc.put("v3/customers", json!([{ "id": b_id, "email": "a@example.com" }])).await.status, 422);
    assert_eq!(bc.call("DELETE", &format!("v3/customers?id:in={b_id}"), None).await.status, 204);
    assert_eq!(bc.get("v3/customers").await.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn customer_groups_are_bare_v2_shapes() {
    let bc = Bc::new().await;
    let empty = bc.get("v2/customer_groups").await;
    assert_eq!(empty.status, 204, "empty v2 collections answer 204");
    let g = bc.post("v2/customer_groups", json!({ "name": "Retail" })).await;
    assert!(g.body.get("data").is_none() && g.body["id"].is_u64());
    assert!(g.body["date_created"].as_str().unwrap().ends_with("+0000"));
    let gid = g.body["id"].as_u64().unwrap();
    assert_eq!(bc.post("v2/customer_groups", json!({ "name": "retail" })).await.status, 409);
    assert!(bc.get("v2/customer_groups").await.body.is_array());
    assert_eq!(bc.get("v2/customer_groups/count").await.body["count"], 1);
    assert_eq!(
        bc.put(&format!("v2/customer_groups/{gid}"), json!({ "name": "Retail 2" })).await.body["name"],
        "Retail 2"
    );
    assert_eq!(bc.call("DELETE", &format!("v2/customer_groups/{gid}"), None).await.status, 204);
    assert_eq!(bc.get(&format!("v2/customer_groups/{gid}")).await.status, 404);
}
