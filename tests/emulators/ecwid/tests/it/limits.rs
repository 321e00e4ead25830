//! Offset/limit paging with the `{total,count,offset,limit,items}` envelope, and the per-token
//! rate limit with 429 + `Retry-After`.

use std::time::Duration;

use serde_json::json;

use crate::common::{STORE, config, env, env_with};

#[tokio::test]
async fn offset_limit_paging_with_envelope_and_limit_capped_at_100() {
    let e = env().await;
    for i in 0..105 {
        e.emu.seed_product(STORE, json!({"name": format!("P{i:03}")}));
    }
    let (_, v) = e.get("/products").await;
    assert_eq!(
        (v["total"].clone(), v["count"].clone(), v["offset"].clone(), v["limit"].clone()),
        (json!(105), json!(100), json!(0), json!(100))
    );
    let (_, v) = e.get("/products?offset=100&limit=500").await;
    assert_eq!((v["count"].clone(), v["offset"].clone(), v["limit"].clone()), (json!(5), json!(100), json!(100)));
    let (_, v) = e.get("/products?offset=10&limit=3&sortBy=NAME_ASC").await;
    let names: Vec<_> =
        v["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["P010", "P011", "P012"]);
    let mut seen = std::collections::BTreeSet::new();
    let mut offset = 0;
    loop {
        let (_, v) = e.get(&format!("/products?offset={offset}&limit=40")).await;
        let items = v["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        seen.extend(items.iter().map(|p| p["id"].as_u64().unwrap()));
        offset += items.len();
    }
    assert_eq!(seen.len(), 105, "paging visits every product once");
}

#[tokio::test]
async fn orders_and_groups_use_the_same_envelope() {
    let e = env().await;
    for _ in 0..3 {
        e.emu.seed_order(STORE, json!({"items": []}));
    }
    let (_, v) = e.get("/orders?limit=2&offset=1").await;
    assert_eq!(
        (v["total"].clone(), v["count"].clone(), v["offset"].clone(), v["limit"].clone()),
        (json!(3), json!(2), json!(1), json!(2))
    );
    let (_, v) = e.get("/customer_groups").await;
    assert_eq!(v["limit"], 10);
}

#[tokio::test]
async fn rate_limit_per_token_answers_429_with_retry_after() {
    let mut cfg = config();
    cfg.rate_limit = 3;
    cfg.rate_window = Duration::from_millis(400);
    let e = env_with(cfg).await;
    for _ in 0..3 {
        assert_eq!(e.get("/products").await.0, 200);
    }
    let r = e.http.get(e.url("/products")).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let other = e.emu.issue_token(STORE, &["read_catalog"]).access_token;
    assert_eq!(
        e.call_as(&other, reqwest::Method::GET, "/products", None).await.0,
        200,
        "another token has its own budget"
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(e.get("/products").await.0, 200, "a new window opens");
}

#[tokio::test]
async fn default_rate_limit_is_600_per_minute() {
    let c = emu_ecwid::Config::default();
    assert_eq!((c.rate_limit, c.rate_window), (600, Duration::from_secs(60)));
    let s = emu_ecwid::default_retry_schedule();
    assert_eq!(&s[..3], &[Duration::from_secs(900), Duration::from_secs(1800), Duration::from_secs(2700)]);
    let total: u64 = s.iter().map(Duration::as_secs).sum();
    assert!(total <= 24 * 3600 && total > 23 * 3600, "{total}");
}
