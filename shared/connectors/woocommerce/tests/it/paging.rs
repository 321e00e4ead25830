//! Lists walk every page at WordPress's maximum page size.

use serde_json::json;

use crate::support::shop;

#[tokio::test]
async fn lists_walk_to_the_last_page_at_100_per_page() {
    let s = shop().await;
    for i in 0..250 {
        s.emu.seed_product(json!({ "name": format!("P{i}"), "sku": format!("SKU-{i:03}") })).unwrap();
    }
    s.reset_counts().await;
    let all = s.client.list_products(&[]).await.unwrap();
    assert_eq!(all.len(), 250);
    let mut skus: Vec<&str> = all.iter().map(|p| p["sku"].as_str().unwrap()).collect();
    skus.sort_unstable();
    skus.dedup();
    assert_eq!(skus.len(), 250, "no item twice, none missing");
    assert_eq!(s.count("GET", "/products").await, 3, "pages of 100: 100 + 100 + 50");

    let first = s.client.list_page("/products", &[], 1, 100).await.unwrap();
    assert_eq!((first.total, first.total_pages, first.has_next), (Some(250), Some(3), true));
    let last = s.client.list_page("/products", &[], 3, 100).await.unwrap();
    assert_eq!((last.items.len(), last.has_next), (50, false));
    let capped = s.client.list_page("/products", &[], 1, 500).await.unwrap();
    assert_eq!(capped.items.len(), 100, "per_page above 100 is capped, not refused");
}

#[tokio::test]
async fn filters_travel_with_every_page() {
    let s = shop().await;
    for i in 0..130 {
        let status = if i % 2 == 0 { "publish" } else { "draft" };
        s.emu.seed_product(json!({ "name": format!("P{i}"), "status": status })).unwrap();
    }
    let published = s.client.list_products(&[("status", "publish")]).await.unwrap();
    assert_eq!(published.len(), 65);
    assert!(published.iter().all(|p| p["status"] == "publish"));
    assert!(s.client.list_orders(&[]).await.unwrap().is_empty(), "an empty collection is one empty page");
}
