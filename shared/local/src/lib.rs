//! The local stack: the five functions served over HTTP on localhost under the same routes as
//! the HTTP API, the queue feeding the worker, the scheduler ticking, and the four platform
//! emulators. Storage and queue are embedded unless the environment names DynamoDB and SQS
//! (`posbridge_aws::wiring`), e.g. the local AWS-compatible server with `POSBRIDGE_TABLE` and
//! `POSBRIDGE_BOOTSTRAP=1`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use posbridge_aws::wiring::{Backend, LOCAL_VISIBILITY, Ports};
use posbridge_domain::apply::NoSyncEngine;
use posbridge_domain::embedded::{MemoryQueue, MemoryStore, QueueConfig};
use posbridge_domain::model::MerchantId;

/// Where things listen; 0 picks a free port (tests).
#[derive(Debug, Clone)]
pub struct LocalConfig {
    pub functions_port: u16,
    pub bigcommerce_port: u16,
    pub woocommerce_port: u16,
    pub ecwid_port: u16,
    pub pos_port: u16,
    /// API tokens of the local stack: token -> merchant (in AWS a JWT authorizer does this).
    pub tokens: HashMap<String, String>,
    pub scheduler_tick: Duration,
    pub backend: Backend,
}

impl LocalConfig {
    /// Defaults for `make run`, overridable from the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let port = |k: &str, d: u16| -> anyhow::Result<u16> {
            match std::env::var(k) {
                Ok(v) => v.parse().with_context(|| format!("{k}={v:?} is not a port number")),
                Err(_) => Ok(d),
            }
        };
        let tokens = std::env::var("POSBRIDGE_LOCAL_TOKENS").unwrap_or_else(|_| "demo-token:demo-merchant".into());
        let tokens = tokens
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.split_once(':')
                    .map(|(t, m)| (t.to_string(), m.to_string()))
                    .with_context(|| format!("POSBRIDGE_LOCAL_TOKENS entry {p:?} is not token:merchant"))
            })
            .collect::<anyhow::Result<_>>()?;
        let tick = match std::env::var("POSBRIDGE_SCHEDULER_TICK_SECS") {
            Ok(v) => Duration::from_secs(v.parse().with_context(|| format!("POSBRIDGE_SCHEDULER_TICK_SECS={v:?}"))?),
            Err(_) => Duration::from_secs(60),
        };
        Ok(Self {
            functions_port: port("POSBRIDGE_PORT", 7000)?,
            bigcommerce_port: port("POSBRIDGE_BC_PORT", 7101)?,
            woocommerce_port: port("POSBRIDGE_WC_PORT", 7102)?,
            ecwid_port: port("POSBRIDGE_ECWID_PORT", 7103)?,
            pos_port: port("POSBRIDGE_POS_PORT", 7104)?,
            tokens,
            scheduler_tick: tick,
            backend: Backend::from_env()?,
        })
    }

    /// Everything on free ports, embedded backend (tests).
    pub fn ephemeral() -> Self {
        Self {
            functions_port: 0,
            bigcommerce_port: 0,
            woocommerce_port: 0,
            ecwid_port: 0,
            pos_port: 0,
            tokens: HashMap::from([("demo-token".to_string(), "demo-merchant".to_string())]),
            scheduler_tick: Duration::from_secs(3600),
            backend: Backend::Embedded,
        }
    }
}

struct Functions {
    api: posbridge_api::Api,
    webhooks: posbridge_webhook::Webhooks,
    activation: posbridge_activate::Activation,
    tokens: HashMap<String, MerchantId>,
}

/// A running local stack; dropping it stops everything.
pub struct LocalStack {
    pub functions_addr: SocketAddr,
    pub ports: Ports,
    /// What the settings screen offers per integration (the local stack serves fixed choices).
    pub choices: Arc<posbridge_domain::ports::StaticChoices>,
    /// Seals credentials of integrations created in the local stack.
    pub vault: Arc<dyn posbridge_domain::ports::Vault>,
    pub bigcommerce: emu_bigcommerce::Emulator,
    pub woocommerce: emu_woocommerce::Emulator,
    pub ecwid: emu_ecwid::Emulator,
    pub pos: emu_pos::Emulator,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl LocalStack {
    pub fn functions_url(&self) -> String {
        format!("http://{}", self.functions_addr)
    }

    /// What listens where, one line each.
    pub fn describe(&self) -> Vec<String> {
        let f = self.functions_url();
        vec![
            format!(
                "management API     {f}/api/...   (try: curl -H 'Authorization: Bearer demo-token' {f}/api/integrations)"
            ),
            format!("webhooks           {f}/webhooks/{{pos|bigcommerce|woocommerce|ecwid}}[/{{integration}}]"),
            format!("activation         {f}/activate/..., {f}/bigcommerce/{{load|uninstall|remove_user}}"),
            "worker             consuming the job queue in process".to_string(),
            "scheduler          ticking register_reminders and reconcile in process".to_string(),
            format!("BigCommerce emu    {}", self.bigcommerce.base_url()),
            format!("WooCommerce emu    {}", self.woocommerce.base_url()),
            format!("Ecwid emu          {}", self.ecwid.base_url()),
            format!("POS emu            {}", self.pos.base_url()),
        ]
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn ports_for(backend: &Backend) -> anyhow::Result<Ports> {
    Ok(match backend {
        // The local stack uses a short visibility timeout so a failed job is retried within a demo.
        Backend::Embedded => Ports {
            stores: MemoryStore::new().stores(),
            queue: Arc::new(MemoryQueue::new(QueueConfig {
                visibility_timeout: LOCAL_VISIBILITY,
                ..Default::default()
            })),
        },
        other => posbridge_aws::wiring::ports(other).await.map_err(|e| anyhow::anyhow!(e))?,
    })
}

/// Starts everything.
pub async fn start(cfg: LocalConfig) -> anyhow::Result<LocalStack> {
    let bigcommerce = emu_bigcommerce::start(
        emu_bigcommerce::Config { require_https_443: false, ..Default::default() },
        cfg.bigcommerce_port,
    )
    .await
    .context("starting the BigCommerce emulator")?;
    let woocommerce = emu_woocommerce::start(Default::default(), cfg.woocommerce_port)
        .await
        .context("starting the WooCommerce emulator")?;
    let ecwid = emu_ecwid::start(Default::default(), cfg.ecwid_port).await.context("starting the Ecwid emulator")?;
    let pos = emu_pos::start(Default::default(), cfg.pos_port).await.context("starting the POS emulator")?;

    let ports = ports_for(&cfg.backend).await?;
    let choices = Arc::new(posbridge_domain::ports::StaticChoices::default());
    let vault: Arc<dyn posbridge_domain::ports::Vault> = Arc::new(posbridge_domain::embedded::LocalVault::random());
    // The local stack is the emulators' registered app: it verifies their webhooks with their secrets.
    let bc_secret = emu_bigcommerce::Config::default().client_secret;
    let ecwid_secret = emu_ecwid::Config::default().client_secret;
    let tokens = cfg
        .tokens
        .iter()
        .map(|(t, m)| Ok((t.clone(), MerchantId::parse(m.as_str()).map_err(|e| anyhow::anyhow!("{m:?}: {e}"))?)))
        .collect::<anyhow::Result<_>>()?;
    // Bound first: OAuth redirects and webhook destinations need the real port.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.functions_port))
        .await
        .with_context(|| format!("binding the functions' port {}", cfg.functions_port))?;
    let functions_addr = listener.local_addr()?;
    let functions = Arc::new(Functions {
        api: posbridge_api::Api::new(ports.stores.clone(), ports.queue.clone(), choices.clone()),
        webhooks: posbridge_webhook::Webhooks::new(
            ports.stores.clone(),
            ports.queue.clone(),
            vault.clone(),
            posbridge_webhook::AppSecrets {
                bigcommerce_client_secret: Some(bc_secret.into()),
                ecwid_client_secret: Some(ecwid_secret.into()),
            },
        ),
        activation: posbridge_activate::Activation::new(
            ports.stores.clone(),
            Arc::new(posbridge_domain::embedded::MemoryOAuthStates::new()),
            vault.clone(),
            activation_config(functions_addr, &bigcommerce, &ecwid, &pos),
        ),
        tokens,
    });
    let router = Router::new().fallback(dispatch).with_state(functions);

    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    let mut http_stop = stop_rx.clone();
    tasks.push(tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = http_stop.wait_for(|s| *s).await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "functions server stopped");
        }
    }));
    let worker = Arc::new(posbridge_worker::Worker::new(ports.stores.clone(), Arc::new(NoSyncEngine), 5));
    tasks.push(tokio::spawn(posbridge_worker::run_queue(worker, ports.queue.clone(), stop_rx.clone())));
    let tick = cfg.scheduler_tick;
    let mut sched_stop = stop_rx;
    tasks.push(tokio::spawn(async move {
        let mut every = tokio::time::interval(tick);
        every.tick().await;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = sched_stop.changed() => return,
            }
            for job in ["register_reminders", "reconcile"] {
                match posbridge_scheduler::run(&serde_json::json!({ "job": job })).await {
                    Ok(r) => tracing::info!(?r, "scheduler tick"),
                    Err(e) => tracing::error!(error = %e, "scheduler tick failed"),
                }
            }
        }
    }));
    Ok(LocalStack { functions_addr, ports, choices, vault, bigcommerce, woocommerce, ecwid, pos, stop, tasks })
}

/// Routes a request to the function that owns its path, as the HTTP API does.
async fn dispatch(State(f): State<Arc<Functions>>, req: Request) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, 6 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return to_axum(posbridge_edge::error(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Request bodies are limited to 6 MB, as in AWS Lambda",
            ));
        }
    };
    let req = http::Request::from_parts(parts, bytes.to_vec());
    let path = req.uri().path().to_string();
    let resp = if path.starts_with("/api/") || path == "/api" {
        let caller = posbridge_edge::bearer(&req).and_then(|t| f.tokens.get(t)).cloned();
        f.api.handle(caller.as_ref(), req).await
    } else if path.starts_with("/webhooks/") {
        f.webhooks.handle(req).await
    } else if path.starts_with("/activate/") || path.starts_with("/bigcommerce/") {
        let caller = posbridge_edge::bearer(&req).and_then(|t| f.tokens.get(t)).cloned();
        f.activation.handle(caller.as_ref(), req).await
    } else {
        posbridge_edge::error(http::StatusCode::NOT_FOUND, "no_route", "No such route on the posbridge HTTP API")
    };
    to_axum(resp)
}

fn to_axum(resp: posbridge_edge::Response) -> axum::response::Response {
    let (parts, body) = resp.into_parts();
    (parts.status, parts.headers, body).into_response()
}

/// The local stack is the emulators' registered app for every platform.
fn activation_config(
    functions_addr: SocketAddr,
    bc: &emu_bigcommerce::Emulator,
    ecwid: &emu_ecwid::Emulator,
    pos: &emu_pos::Emulator,
) -> posbridge_activate::ActivationConfig {
    use posbridge_activate::OAuthApp;
    let (bcc, ec, pc) = (emu_bigcommerce::Config::default(), emu_ecwid::Config::default(), emu_pos::Config::default());
    let public = format!("http://{functions_addr}");
    posbridge_activate::ActivationConfig {
        return_allow_list: vec![format!("{public}/")],
        public_base_url: public,
        bigcommerce: Some(OAuthApp {
            client_id: bcc.client_id,
            client_secret: bcc.client_secret.into(),
            authorize_url: format!("{}/apps/posbridge/install", bc.base_url()),
            token_url: format!("{}/oauth2/token", bc.base_url()),
            scopes: String::new(),
        }),
        ecwid: Some(OAuthApp {
            client_id: ec.client_id,
            client_secret: ec.client_secret.into(),
            authorize_url: format!("{}/api/oauth/authorize", ecwid.base_url()),
            token_url: format!("{}/api/oauth/token", ecwid.base_url()),
            scopes: "read_store_profile read_catalog update_catalog create_catalog read_orders update_orders read_customers update_customers create_customers".into(),
        }),
        pos: Some(OAuthApp {
            client_id: pc.client_id,
            client_secret: pc.client_secret.into(),
            authorize_url: format!("{}/oauth/authorize", pos.base_url()),
            token_url: format!("{}/oauth/token", pos.base_url()),
            scopes: "all".into(),
        }),
        woocommerce_app_name: "posbridge (local)".into(),
        woocommerce_require_https: false,
        state_ttl_secs: 600,
    }
}
