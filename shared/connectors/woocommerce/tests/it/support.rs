//! A running emulator, a client with a test-sized retry policy, and the emulator's control API.

use std::time::Duration;

use emu_woocommerce::{Config, Emulator, READ_WRITE_KEY};
use posbridge_connector_core::RetryPolicy;
use posbridge_connector_woocommerce::{Client, ClientConfig};
use serde_json::{Value, json};

/// Client timeout in tests; `delay_after_apply` longer than this is a timeout on a write that landed.
pub const TIMEOUT_MS: u64 = 300;

pub struct Shop {
    pub emu: Emulator,
    pub client: Client,
    http: reqwest::Client,
}

pub fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(20),
        bare_429_wait: Duration::from_millis(20),
        timeout: Duration::from_millis(TIMEOUT_MS),
    }
}

pub fn client_for(emu: &Emulator, key: (&str, &str)) -> Client {
    let mut cfg = ClientConfig::new(emu.api_url(), key.0, key.1);
    cfg.retry = policy();
    Client::new(cfg)
}

pub async fn shop() -> Shop {
    let emu =
        emu_woocommerce::start(Config { webhook_ping: false, ..Config::default() }, 0).await.expect("emulator starts");
    let client = client_for(&emu, READ_WRITE_KEY);
    Shop { emu, client, http: reqwest::Client::new() }
}

impl Shop {
    fn control(&self, path: &str) -> String {
        format!("{}/_emulator/{path}", self.emu.running.base_url())
    }

    /// Queues one fault (`kind` as the kit's JSON) for `count` requests of `method` on paths
    /// containing `path`.
    pub async fn fault(&self, method: &str, path: &str, count: u32, kind: Value) {
        let f = json!([{ "method": method, "path_contains": path, "count": count, "kind": kind }]);
        let r = self.http.post(self.control("faults")).json(&f).send().await.expect("control API");
        assert!(r.status().is_success(), "fault accepted: {}", r.status());
    }

    /// Requests the emulator served per `METHOD /route`.
    pub async fn counts(&self) -> serde_json::Map<String, Value> {
        let r = self.http.get(self.control("requests")).send().await.expect("control API");
        r.json::<Value>().await.expect("counts JSON").as_object().cloned().unwrap_or_default()
    }

    /// Requests of `method` whose route ends with `route_suffix`.
    pub async fn count(&self, method: &str, route_suffix: &str) -> u64 {
        self.counts()
            .await
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{method} ")) && k.ends_with(route_suffix))
            .map(|(_, v)| v.as_u64().unwrap_or(0))
            .sum()
    }

    pub async fn reset_counts(&self) {
        self.http.post(self.control("requests/reset")).send().await.expect("control API");
    }

    /// The emulator's stored records of one kind.
    pub fn stored(&self, kind: &str) -> Vec<Value> {
        self.emu.state()[kind].as_array().cloned().unwrap_or_default()
    }

    /// Waits until a held (delayed) answer has been released, so later counts are stable.
    pub async fn settle_down(&self) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn id(v: &Value) -> u64 {
    v["id"].as_u64().unwrap_or_else(|| panic!("no id in {v}"))
}
