//! An emulator per test and a client bound to its store, with test-sized timeouts and backoff.

use std::collections::BTreeMap;
use std::time::Duration;

use emu_bigcommerce::{Config, Emulator, start};
use posbridge_connector_bigcommerce::{Client, ClientConfig};
use posbridge_connector_core::RetryPolicy;
use serde_json::{Value, json};

pub const HASH: &str = "abc123";

/// Test-sized backoff. The timeout is short where a test makes answers late on purpose
/// ([`FAULT_TIMEOUT`]) and roomy elsewhere: the debug-built emulator serving several tests at once
/// can take a few hundred milliseconds for a page of 250 products.
pub fn policy(timeout: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        bare_429_wait: Duration::from_millis(40),
        timeout,
    }
}

/// A roomy quota so that only the pacing test meets the rate limit.
pub fn config() -> Config {
    Config { rate_limit_quota: 100_000, require_https_443: false, ..Config::default() }
}

pub const ROOMY_TIMEOUT: Duration = Duration::from_secs(5);
pub const FAULT_TIMEOUT: Duration = Duration::from_millis(600);

pub struct Env {
    pub emu: Emulator,
    pub client: Client,
    http: reqwest::Client,
}

impl Env {
    pub async fn new() -> Self {
        Self::with(config(), 250, ROOMY_TIMEOUT).await
    }

    /// For tests that delay answers past the client's timeout.
    pub async fn short_timeout() -> Self {
        Self::with(config(), 250, FAULT_TIMEOUT).await
    }

    pub async fn with(config: Config, page_size: usize, timeout: Duration) -> Self {
        let emu = start(config, 0).await.expect("emulator starts");
        let token = emu.create_store(HASH);
        let mut cfg = ClientConfig::new(emu.base_url(), HASH, token);
        cfg.retry = policy(timeout);
        cfg.page_size = page_size;
        Self { client: Client::new(cfg), emu, http: reqwest::Client::new() }
    }

    pub fn seed(&self, body: Value) -> Value {
        self.emu.seed(HASH, &body).expect("seed accepted")
    }

    pub fn snapshot(&self) -> Value {
        self.emu.snapshot(HASH).expect("store exists")
    }

    /// Queues one fault through the control API (`kind` as the kit's JSON).
    pub async fn fault(&self, method: &str, path_contains: &str, count: u32, kind: Value) {
        let f = json!([{ "method": method, "path_contains": path_contains, "count": count, "kind": kind }]);
        let r = self.http.post(format!("{}/_emulator/faults", self.emu.base_url())).json(&f).send().await.unwrap();
        assert!(r.status().is_success(), "fault accepted");
    }

    /// Request counts per `METHOD /route/template` (from `GET /_emulator/requests`).
    pub async fn counts(&self) -> BTreeMap<String, u64> {
        let r = self.http.get(format!("{}/_emulator/requests", self.emu.base_url())).send().await.unwrap();
        r.json().await.unwrap()
    }

    /// Requests to one route of this store, e.g. `count("PUT", "v3/catalog/products")`.
    pub async fn count(&self, method: &str, route: &str) -> u64 {
        let key = format!("{method} /stores/{{store_hash}}/{route}");
        self.counts().await.get(&key).copied().unwrap_or(0)
    }

    pub async fn reset_counts(&self) {
        let r = self.http.post(format!("{}/_emulator/requests/reset", self.emu.base_url())).send().await.unwrap();
        assert!(r.status().is_success());
    }
}

pub fn product(i: usize) -> Value {
    json!({ "name": format!("Product {i}"), "type": "physical", "weight": 1, "price": 10 + i, "sku": format!("SKU-{i}") })
}

pub fn customer(i: usize) -> Value {
    json!({ "email": format!("c{i}@example.com"), "first_name": "Cust", "last_name": format!("No{i}") })
}

pub fn respond(status: u16, headers: Value) -> Value {
    json!({ "type": "respond", "status": status, "headers": headers, "body": "" })
}

pub fn delay_after_apply(ms: u64) -> Value {
    json!({ "type": "delay_after_apply", "ms": ms })
}
