//! `make bench`: bulk pushes to the platform emulators running their rate limits, through the
//! connector clients with their pacing. Per platform it prints:
//! - requests sent / the minimum the platform's batch limits allow (target <= 1.05),
//! - 429 responses received (target 0),
//! - wall time / the rate-limit floor, the floor being minimum requests / allowed rate
//!   (target <= 1.1).
//!
//! The workload is issue 5's: 10,000 products with 30,000 variants, then 30,000 inventory levels.
//! At BigCommerce's real 150 requests per 30 s the floor is over half an hour, so the emulator's
//! window is shortened by `BENCH_TIME_SCALE` (default 100: 150 requests per 300 ms); the quota and
//! every ratio are unchanged by the scale. `BENCH_TIME_SCALE=1` runs at real speed.
//! `BENCH_PRODUCTS` shrinks the workload for a quick look.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use posbridge_connector_bigcommerce::{Client, ClientConfig, InventoryItem, ItemRef};
use posbridge_connector_core::{Budget, BudgetConfig, RetryPolicy};
use serde_json::json;

fn env_u64(k: &str, d: u64) -> anyhow::Result<u64> {
    match std::env::var(k) {
        Ok(v) => Ok(v.parse()?),
        Err(_) => Ok(d),
    }
}

struct Report {
    platform: &'static str,
    requests: u64,
    minimum: u64,
    throttled: u64,
    wall: Duration,
    floor: Duration,
}

impl Report {
    fn print(&self) {
        println!(
            "{:<12} requests/minimum {:.3} ({} / {})   429s {}   wall/floor {:.3} ({:.1}s / {:.1}s)",
            self.platform,
            self.requests as f64 / self.minimum as f64,
            self.requests,
            self.minimum,
            self.throttled,
            self.wall.as_secs_f64() / self.floor.as_secs_f64(),
            self.wall.as_secs_f64(),
            self.floor.as_secs_f64(),
        );
    }
}

async fn bigcommerce(products: usize, scale: u64, workers: usize) -> anyhow::Result<Report> {
    const QUOTA: u32 = 150;
    let window = Duration::from_millis(30_000 / scale);
    let emu = emu_bigcommerce::start(
        emu_bigcommerce::Config { rate_limit_quota: QUOTA, rate_limit_window: window, ..Default::default() },
        0,
    )
    .await?;
    let token = emu.create_store("bench");
    let mut cfg = ClientConfig::new(emu.base_url(), "bench", token);
    cfg.budget = Budget::new(BudgetConfig { quota: QUOTA, window });
    cfg.retry = RetryPolicy { timeout: Duration::from_secs(30), ..RetryPolicy::default() };
    let client = Client::new(cfg);
    emu.control.reset_counts();

    let started = Instant::now();
    // Products with their three variants inline: one create each (BigCommerce has no batch
    // create; `PUT /catalog/products` batches only updates).
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let client = client.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= products {
                    return Ok::<_, anyhow::Error>(());
                }
                let variants: Vec<_> = ["S", "M", "L"]
                    .iter()
                    .map(|size| {
                        json!({ "sku": format!("P{n}-{size}"), "price": 10,
                                "option_values": [{ "option_display_name": "Size", "label": size }] })
                    })
                    .collect();
                client
                    .create_product(&json!({
                        "name": format!("Product {n}"), "type": "physical", "weight": 1, "price": 10,
                        "sku": format!("P{n}"), "inventory_tracking": "variant", "variants": variants
                    }))
                    .await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    // Inventory: every variant's level, absolute, 2,000 items a request.
    let items: Vec<InventoryItem> = (0..products)
        .flat_map(|n| ["S", "M", "L"].map(|s| InventoryItem::new(ItemRef::Sku(format!("P{n}-{s}")), 7)))
        .collect();
    client.set_inventory(&items, "bench").await?;
    let wall = started.elapsed();

    let requests = emu.control.total_requests();
    let throttled = emu.control.status_counts().get(&429).copied().unwrap_or(0);
    let minimum = products as u64 + (products as u64 * 3).div_ceil(2_000);
    let floor = window.mul_f64(minimum as f64 / f64::from(QUOTA));
    Ok(Report { platform: "bigcommerce", requests, minimum, throttled, wall, floor })
}

async fn ecwid(products: usize, scale: u64, workers: usize) -> anyhow::Result<Report> {
    const QUOTA: u32 = 600;
    let window = Duration::from_millis(60_000 / scale);
    let emu =
        emu_ecwid::start(emu_ecwid::Config { rate_limit: QUOTA, rate_window: window, ..Default::default() }, 0).await?;
    let token = emu.issue_token(1003, &["read_catalog", "update_catalog", "create_catalog"]).access_token;
    let mut cfg = posbridge_connector_ecwid::ClientConfig::new(emu.base_url(), 1003, token);
    cfg.budget = Budget::new(BudgetConfig { quota: QUOTA, window });
    cfg.retry = RetryPolicy { timeout: Duration::from_secs(30), ..RetryPolicy::default() };
    let client = posbridge_connector_ecwid::Client::new(cfg);
    emu.control.reset_counts();

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let ids = Arc::new(std::sync::Mutex::new(Vec::with_capacity(products * 3)));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (client, next, ids) = (client.clone(), next.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= products {
                    return Ok::<_, anyhow::Error>(());
                }
                // Ecwid creates a product, then each combination, one request each.
                let pid = client
                    .create_product(&json!({
                        "name": format!("Product {n}"), "sku": format!("P{n}"), "price": 10,
                        "options": [{ "type": "SIZE", "name": "Size",
                                      "choices": [{"text": "S"}, {"text": "M"}, {"text": "L"}] }]
                    }))
                    .await?;
                for size in ["S", "M", "L"] {
                    let cid = client
                        .create_combination(
                            pid,
                            &json!({ "sku": format!("P{n}-{size}"),
                                     "options": [{ "name": "Size", "value": size }] }),
                        )
                        .await?;
                    ids.lock().unwrap_or_else(|p| p.into_inner()).push((pid, cid));
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    // Inventory: an absolute quantity per combination (Ecwid has no bulk stock endpoint).
    let ids: Vec<(u64, u64)> = std::mem::take(&mut *ids.lock().unwrap_or_else(|p| p.into_inner()));
    let chunks: Vec<Vec<(u64, u64)>> = ids.chunks(ids.len().div_ceil(workers).max(1)).map(<[_]>::to_vec).collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for (pid, cid) in chunk {
                client.set_combination_stock(pid, cid, 7).await?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let wall = started.elapsed();
    let requests = emu.control.total_requests();
    let throttled = emu.control.status_counts().get(&429).copied().unwrap_or(0);
    let minimum = products as u64 * (1 + 3 + 3);
    let floor = window.mul_f64(minimum as f64 / f64::from(QUOTA));
    Ok(Report { platform: "ecwid", requests, minimum, throttled, wall, floor })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let products = env_u64("BENCH_PRODUCTS", 10_000)? as usize;
    let scale = env_u64("BENCH_TIME_SCALE", 100)?.max(1);
    let workers = env_u64("BENCH_WORKERS", 16)? as usize;
    println!(
        "bulk push: {products} products x 3 variants, then {} inventory levels; time scale 1/{scale}; {workers} workers",
        products * 3
    );
    bigcommerce(products, scale, workers).await?.print();
    ecwid(products, scale, workers).await?.print();
    Ok(())
}
