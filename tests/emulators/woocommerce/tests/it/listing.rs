//! Collection paging (`per_page` ≤ 100, `X-WP-Total`, `X-WP-TotalPages`, `Link`) and filters.

use serde_json::json;

use crate::support::shop;

#[tokio::test]
async fn per_page_above_100_or_below_1_is_rest_invalid_param() {
    let s = shop().await;
    for bad in ["101", "0", "abc"] {
        let r = s.get(&format!("/products?per_page={bad}")).await;
        assert_eq!((r.status, r.body["code"].as_str()), (400, Some("rest_invalid_param")), "per_page={bad}");
        assert!(r.body["data"]["params"]["per_page"].is_string());
    }
    assert_eq!(s.get("/products?per_page=100").await.status, 200);
}

#[tokio::test]
async fn lists_carry_total_headers_and_rfc5988_links() {
    let s = shop().await;
    for i in 0..25 {
        s.emu.seed_product(json!({ "name": format!("P{i:02}") })).unwrap();
    }
    let first = s.get("/products").await;
    assert_eq!(first.body.as_array().unwrap().len(), 10, "default per_page is 10");
    assert_eq!((first.header("x-wp-total"), first.header("x-wp-totalpages")), ("25", "3"));
    assert!(!first.header("link").contains("rel=\"prev\""));

    let second = s.get("/products?per_page=10&page=2").await;
    let link = second.header("link").to_string();
    let base = s.url("/products");
    for (page, rel) in [(3, "next"), (1, "prev"), (1, "first"), (3, "last")] {
        let want = format!("<{base}?per_page=10&page={page}>; rel=\"{rel}\"");
        assert!(link.contains(&want), "{want} in {link}");
    }
    let last = s.get("/products?page=3").await.body;
    assert_eq!(last.as_array().unwrap().len(), 5);
    let offset = s.get("/products?offset=20&per_page=10").await.body;
    assert_eq!(offset.as_array().unwrap().len(), 5);
    let beyond = s.get("/products?page=9").await;
    assert_eq!((beyond.status, beyond.body.as_array().map(Vec::len)), (200, Some(0)));

    let ids: Vec<u64> = s
        .get("/products?per_page=100")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first by default");
}

#[tokio::test]
async fn modified_after_finds_only_later_changes() {
    let s = shop().await;
    let a = s.emu.seed_product(json!({ "name": "A" })).unwrap();
    let b = s.emu.seed_product(json!({ "name": "B" })).unwrap();
    s.emu.advance_clock(120);
    s.put(&format!("/products/{}", b["id"]), json!({ "regular_price": "5.00" })).await;
    let since = a["date_modified_gmt"].as_str().unwrap();
    let changed = s.get(&format!("/products?modified_after={since}&dates_are_gmt=true")).await.body;
    let ids: Vec<_> = changed.as_array().unwrap().iter().map(|p| p["id"].clone()).collect();
    assert_eq!(ids, vec![b["id"].clone()]);
    let bad = s.get("/products?modified_after=yesterday").await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn collection_filters_select_by_sku_status_type_and_include() {
    let s = shop().await;
    let a = s.emu.seed_product(json!({ "name": "A", "sku": "A-1" })).unwrap();
    let b = s.emu.seed_product(json!({ "name": "B", "status": "draft", "type": "variable" })).unwrap();
    s.emu.seed_product(json!({ "name": "C" })).unwrap();
    let count = |v: serde_json::Value| v.as_array().unwrap().len();
    assert_eq!(count(s.get("/products?sku=A-1").await.body), 1);
    assert_eq!(count(s.get("/products?status=draft").await.body), 1);
    assert_eq!(count(s.get("/products?type=variable").await.body), 1);
    assert_eq!(count(s.get(&format!("/products?include={},{}", a["id"], b["id"])).await.body), 2);
    assert_eq!(count(s.get("/products?search=b").await.body), 1);
}
