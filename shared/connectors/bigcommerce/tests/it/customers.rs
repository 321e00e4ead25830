use serde_json::{Value, json};

use crate::common::{Env, customer};

#[tokio::test]
async fn customers_create_in_tens_list_every_page_and_update() {
    let env = Env::new().await;
    let bodies: Vec<Value> = (0..23).map(customer).collect();
    let out = env.client.create_customers_settled(&bodies).await.unwrap();
    assert_eq!(out.len(), 23);
    assert!(out.iter().all(|s| s.was_created()));
    for (i, s) in out.iter().enumerate() {
        assert_eq!(s.get()["email"], format!("c{i}@example.com"), "results in input order");
    }
    assert_eq!(env.count("POST", "v3/customers").await, 3, "10 + 10 + 3");

    env.seed(json!({ "customers": (100..380).map(customer).collect::<Vec<_>>() }));
    env.reset_counts().await;
    assert_eq!(env.client.list_customers(&[]).await.unwrap().len(), 303);
    assert_eq!(env.count("GET", "v3/customers").await, 2);

    let updates: Vec<Value> = out.iter().take(12).map(|s| json!({ "id": s.get()["id"], "company": "Acme" })).collect();
    env.reset_counts().await;
    assert_eq!(env.client.update_customers(&updates).await.unwrap().len(), 12);
    assert_eq!(env.count("PUT", "v3/customers").await, 2, "10 + 2");
    let id = out[3].get()["id"].as_u64().unwrap();
    assert_eq!(env.client.get_customer(id).await.unwrap()["company"], "Acme");
    let found = env.client.find_customers_by_email(&["C5@example.com", "c6@example.com"]).await.unwrap();
    assert_eq!(found.len(), 2);
}

#[tokio::test]
async fn one_customer_with_addresses() {
    let env = Env::new().await;
    let body = json!({ "email": "a@example.com", "first_name": "A", "last_name": "B",
        "addresses": [{ "first_name": "A", "last_name": "B", "address1": "1 Main", "city": "Austin", "country_code": "US" }] });
    let c = env.client.create_customer_settled(&body).await.unwrap();
    assert!(c.was_created());
    let id = c.get()["id"].as_u64().unwrap();
    assert_eq!(env.client.get_customer(id).await.unwrap()["addresses"][0]["city"], "Austin");
    // The email is taken now: the platform's 422 comes back as it is.
    let e = env.client.create_customer_settled(&body).await.unwrap_err();
    assert!(matches!(e, posbridge_connector_core::ConnectorError::Rejected { status: 422, .. }), "{e:?}");
}

#[tokio::test]
async fn customer_groups() {
    let env = Env::new().await;
    assert!(env.client.list_customer_groups().await.unwrap().is_empty(), "204 reads as empty");
    let g = env.client.create_customer_group_settled(&json!({ "name": "Wholesale" })).await.unwrap();
    let id = g.get()["id"].as_u64().unwrap();
    env.client.update_customer_group(id, &json!({ "name": "Trade" })).await.unwrap();
    assert_eq!(env.client.get_customer_group(id).await.unwrap()["name"], "Trade");
    assert_eq!(env.client.list_customer_groups().await.unwrap().len(), 1);
}
