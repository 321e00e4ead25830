//! In-memory store and the shared application handle (clock, site URL, webhook queue).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use emulator_kit::Control;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, mpsc};

use crate::Config;
use crate::util::fmt_date;

/// One stored resource: its writable/derived fields in `data`, plus bookkeeping.
#[derive(Debug, Clone)]
pub struct Rec {
    pub id: u64,
    /// Owning resource: variation → product, term → attribute, refund → order; 0 otherwise.
    pub parent: u64,
    pub data: Map<String, Value>,
    pub created: i64,
    pub modified: i64,
}

/// A REST API key (`woocommerce_api_keys` row).
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyRow {
    pub key_id: u64,
    pub user_id: u64,
    pub description: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub permissions: String,
}

/// A webhook with its write-only secret and delivery bookkeeping.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hook {
    pub id: u64,
    pub name: String,
    pub status: String,
    pub topic: String,
    pub delivery_url: String,
    pub secret: String,
    pub failure_count: u32,
    pub created: i64,
    pub modified: i64,
}

/// Everything the emulated shop holds.
#[derive(Debug, Default)]
pub struct Store {
    /// WordPress post ids, shared by products, variations, orders and refunds.
    pub next_post: u64,
    /// Term ids, shared by categories, tags and attribute terms.
    pub next_term: u64,
    pub next_user: u64,
    pub next_attr: u64,
    pub next_tax: u64,
    pub next_hook: u64,
    pub next_item: u64,
    pub next_meta: u64,
    pub next_key: u64,
    pub products: BTreeMap<u64, Rec>,
    pub variations: BTreeMap<u64, Rec>,
    pub categories: BTreeMap<u64, Rec>,
    pub tags: BTreeMap<u64, Rec>,
    pub attributes: BTreeMap<u64, Rec>,
    pub terms: BTreeMap<u64, Rec>,
    pub customers: BTreeMap<u64, Rec>,
    pub orders: BTreeMap<u64, Rec>,
    pub refunds: BTreeMap<u64, Rec>,
    pub taxes: BTreeMap<u64, Rec>,
    /// `(slug, name)` in display order; `standard` is implicit and always first.
    pub tax_classes: Vec<(String, String)>,
    pub gateways: Vec<Map<String, Value>>,
    pub webhooks: BTreeMap<u64, Hook>,
    pub keys: Vec<KeyRow>,
    /// Used OAuth nonces per consumer key, with the timestamp they came with.
    pub nonces: HashMap<String, Vec<(i64, String)>>,
}

impl Store {
    pub fn new(cfg: &Config) -> Self {
        let mut s = Store {
            next_post: 10,
            next_term: 10,
            next_user: 2, // user 1 is the shop admin who owns the API keys
            next_attr: 1,
            next_tax: 1,
            next_hook: 1,
            next_item: 1,
            next_meta: 1,
            next_key: 1,
            ..Default::default()
        };
        s.tax_classes = vec![
            ("standard".into(), "Standard Rate".into()),
            ("reduced-rate".into(), "Reduced Rate".into()),
            ("zero-rate".into(), "Zero Rate".into()),
        ];
        s.gateways = crate::settings::default_gateways();
        for k in &cfg.keys {
            s.add_key(k.user_id, &k.description, &k.consumer_key, &k.consumer_secret, k.permissions.as_str());
        }
        s
    }

    pub fn add_key(&mut self, user_id: u64, description: &str, ck: &str, cs: &str, perms: &str) -> KeyRow {
        let row = KeyRow {
            key_id: self.next_key,
            user_id,
            description: description.into(),
            consumer_key: ck.into(),
            consumer_secret: cs.into(),
            permissions: perms.into(),
        };
        self.next_key += 1;
        self.keys.push(row.clone());
        row
    }

    pub fn post_id(&mut self) -> u64 {
        self.next_post += 1;
        self.next_post
    }

    pub fn term_id(&mut self) -> u64 {
        self.next_term += 1;
        self.next_term
    }

    pub fn item_id(&mut self) -> u64 {
        self.next_item += 1;
        self.next_item
    }

    pub fn meta_id(&mut self) -> u64 {
        self.next_meta += 1;
        self.next_meta
    }

    /// Gives every `meta_data` entry without an id a fresh one.
    pub fn number_meta(&mut self, v: &mut Value) {
        if let Some(items) = v.as_array_mut() {
            for m in items {
                if let Some(o) = m.as_object_mut()
                    && o.get("id").and_then(Value::as_u64).is_none()
                {
                    let id = self.meta_id();
                    o.insert("id".into(), json!(id));
                }
            }
        }
    }
}

/// A change that may trigger webhooks: `resource.event` plus the delivered body.
#[derive(Debug, Clone)]
pub struct Event {
    pub resource: &'static str,
    pub event: &'static str,
    pub resource_id: u64,
    pub body: Value,
}

/// One queued outgoing request of the webhook worker.
#[derive(Debug)]
pub enum Job {
    Deliver { hook_id: u64, topic: String, body: Vec<u8> },
    Ping { hook_id: u64, url: String },
}

/// State shared by every handler.
#[derive(Debug)]
pub struct App {
    pub cfg: Config,
    pub site: OnceLock<String>,
    pub store: Mutex<Store>,
    pub control: Control,
    clock_offset: AtomicI64,
    pub approve_wc_auth: AtomicBool,
    jobs: mpsc::UnboundedSender<Job>,
    pending: AtomicUsize,
    idle: Notify,
    pub http: reqwest::Client,
}

impl App {
    pub fn new(cfg: Config, control: Control) -> (Self, mpsc::UnboundedReceiver<Job>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .timeout(cfg.webhook_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client builds with static settings");
        let app = App {
            store: Mutex::new(Store::new(&cfg)),
            approve_wc_auth: AtomicBool::new(cfg.wc_auth_approve),
            cfg,
            site: OnceLock::new(),
            control,
            clock_offset: AtomicI64::new(0),
            jobs: tx,
            pending: AtomicUsize::new(0),
            idle: Notify::new(),
            http,
        };
        (app, rx)
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        emulator_kit::lock(&self.store)
    }

    /// Site URL without trailing slash (`home_url`).
    pub fn site(&self) -> &str {
        self.site.get().map(String::as_str).unwrap_or("http://127.0.0.1")
    }

    /// Absolute URL of an API path such as `/products/7`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/wp-json/wc/v3{path}", self.site())
    }

    /// Unix seconds, shifted by the test clock.
    pub fn now(&self) -> i64 {
        let real =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        real + self.clock_offset.load(Ordering::SeqCst)
    }

    pub fn advance_clock(&self, secs: i64) {
        self.clock_offset.fetch_add(secs, Ordering::SeqCst);
    }

    /// Writes `{prefix}` (site zone) and `{prefix}_gmt` into `m`.
    pub fn put_date(&self, m: &mut Map<String, Value>, prefix: &str, t: Option<i64>) {
        let (l, g) = match t {
            Some(t) => (json!(fmt_date(t, self.cfg.utc_offset_minutes)), json!(fmt_date(t, 0))),
            None => (Value::Null, Value::Null),
        };
        m.insert(prefix.into(), l);
        m.insert(format!("{prefix}_gmt"), g);
    }

    /// `_links` with `self`, `collection` and the optional extra relations.
    pub fn links(&self, self_path: Option<&str>, collection: &str, extra: &[(&str, String)]) -> Value {
        let mut l = Map::new();
        if let Some(p) = self_path {
            l.insert("self".into(), json!([{ "href": self.api(p) }]));
        }
        l.insert("collection".into(), json!([{ "href": self.api(collection) }]));
        for (rel, p) in extra {
            l.insert((*rel).into(), json!([{ "href": self.api(p) }]));
        }
        Value::Object(l)
    }

    /// Queues deliveries of `ev` to every active webhook subscribed to its topic.
    pub fn emit(&self, st: &Store, ev: &Event) {
        let topic = format!("{}.{}", ev.resource, ev.event);
        let body = if ev.event == "deleted" { json!({ "id": ev.resource_id }) } else { ev.body.clone() };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        for h in st.webhooks.values() {
            if h.status == "active" && h.topic == topic {
                self.enqueue(Job::Deliver { hook_id: h.id, topic: topic.clone(), body: bytes.clone() });
            }
        }
    }

    pub fn enqueue(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.jobs.send(job).is_err() {
            self.job_done();
        }
    }

    pub fn job_done(&self) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
        self.idle.notify_waiters();
    }

    /// Waits until every queued webhook job has been attempted.
    pub async fn flush(&self) {
        loop {
            let n = self.idle.notified();
            if self.pending.load(Ordering::SeqCst) == 0 {
                return;
            }
            n.await;
        }
    }
}
