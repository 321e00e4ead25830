//! Batch API: up to 500 sub-requests, ticket, polled status, `stopOnFirstFailure`.

use serde_json::{Value, json};

use crate::common::env;

async fn run(e: &crate::common::Env, query: &str, requests: Value) -> (u16, Value) {
    let (s, v) = e.post(&format!("/batch{query}"), requests).await;
    if s != 200 {
        return (s, v);
    }
    let ticket = v["ticket"].as_str().unwrap().to_string();
    e.get(&format!("/batch?ticket={ticket}")).await
}

#[tokio::test]
async fn batch_runs_requests_and_reports_each_result() {
    let e = env().await;
    let (s, v) = run(
        &e,
        "",
        json!([
            {"id": "create", "path": "/products", "method": "POST", "body": "{\"name\":\"From batch\",\"sku\":\"B1\"}"},
            {"id": "list", "path": "/products?sku=B1", "method": "GET"}
        ]),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["status"].clone(), v["totalRequests"].clone(), v["completedRequests"].clone()),
        (json!("COMPLETED"), json!(2), json!(2))
    );
    assert_eq!(v["responses"][0]["httpCode"], 200);
    assert!(v["responses"][0]["httpBody"]["id"].is_u64());
    assert_eq!(v["responses"][1]["httpBody"]["total"], 1);
}

#[tokio::test]
async fn stop_on_first_failure_skips_the_rest_unless_disabled() {
    let e = env().await;
    let reqs = json!([
        {"id": "a", "path": "/products", "method": "POST", "body": {"name": "A", "sku": "X"}},
        {"id": "b", "path": "/products", "method": "POST", "body": {"name": "B", "sku": "X"}},
        {"id": "c", "path": "/products", "method": "POST", "body": {"name": "C", "sku": "Y"}}
    ]);
    let (_, v) = run(&e, "", reqs.clone()).await;
    let statuses: Vec<&Value> = v["responses"].as_array().unwrap().iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!("COMPLETED"), &json!("FAILED"), &json!("NOT_EXECUTED")]);
    assert_eq!(v["responses"][1]["httpCode"], 409);
    let e = env().await; // a fresh store
    let (_, v) = run(&e, "?stopOnFirstFailure=false", reqs).await;
    assert_eq!(v["responses"][2]["status"], "COMPLETED");
    let (_, v2) = e.get("/batch?ticket=nope").await;
    assert!(v2["errorMessage"].is_string());
}

#[tokio::test]
async fn more_than_500_requests_or_a_bad_entry_is_rejected_and_escaped_json_works() {
    let e = env().await;
    let many: Vec<Value> = (0..501).map(|_| json!({"path": "/products", "method": "GET"})).collect();
    let (s, v) = e.post("/batch", Value::Array(many)).await;
    assert_eq!(s, 400);
    assert!(v["error_message"].is_string());
    let (s, _) = e.post("/batch", json!([{"path": "products", "method": "GET"}])).await;
    assert_eq!(s, 400);
    let (_, t) = e.post("/batch", json!([{"path": "/customer_groups", "method": "GET"}])).await;
    let (_, v) = e.get(&format!("/batch?ticket={}&escapedJson=true", t["ticket"].as_str().unwrap())).await;
    let escaped = v["responses"][0]["escapedHttpBody"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(escaped).unwrap()["total"], 1);
}
