//! `get_all?page_size&skip_count` → `{totalCount, items, next}` (PLATFORM-FACTS §5 "Pagination").

use serde_json::{Value, json};

use crate::common::Pos;

#[tokio::test]
async fn get_all_pages_until_next_is_absent() {
    let pos = Pos::start().await;
    let brands: Vec<Value> = (1..=5).map(|i| json!({"name": format!("Brand {i}")})).collect();
    pos.emu.seed(json!({ "brands": brands })).unwrap();

    let first = pos.get("/api/v1/brands/get_all?page_size=2").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["totalCount"], 5);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);

    // follow `next` links to the end
    let mut names = Vec::new();
    let mut next = Some(pos.url("/api/v1/brands/get_all?page_size=2"));
    let mut pages = 0;
    while let Some(url) = next {
        let page: Value = pos.http.get(&url).bearer_auth(&pos.token).send().await.unwrap().json().await.unwrap();
        names.extend(page["items"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_string()));
        next = page["next"].as_str().map(str::to_string);
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(names, (1..=5).map(|i| format!("Brand {i}")).collect::<Vec<_>>());

    // Hike clients also spell it Skip_count
    let last = pos.get("/api/v1/brands/get_all?page_size=2&Skip_count=4").await;
    assert_eq!(last.body["items"][0]["name"], "Brand 5");
    assert!(last.body["next"].is_null());
}

#[tokio::test]
async fn page_size_out_of_range_is_400() {
    let pos = Pos::start().await;
    for q in ["page_size=0", "page_size=1001", "page_size=abc", "skip_count=-1"] {
        let r = pos.get(&format!("/api/v1/outlets/get_all?{q}")).await;
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.body["error"]["code"], "validation_error");
    }
}
