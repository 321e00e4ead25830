//! Inbound webhooks: `POST /webhooks/{source}` (BigCommerce and Ecwid: one app URL for every
//! store) and `POST /webhooks/{source}/{integration_id}` (WooCommerce and the POS: a subscription
//! per integration, with its own secret).
//!
//! Each delivery is verified on its raw bytes (`verify`), turned into jobs (`events`), and
//! enqueued; only then does it get a 2xx. A failure to enqueue answers 503 so the platform retries:
//! nothing is acknowledged that is not queued. Payloads are thin or untrusted, so a job names the
//! record and the worker re-reads it. Duplicate deliveries carry the same event id, so they
//! collapse in the queue's deduplication window and in the worker's idempotency claim.

// Handlers short-circuit with a ready HTTP response as their error; it is built once per
// refused request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

pub mod events;
pub mod verify;

use std::sync::Arc;

use http::{Method, StatusCode};
use posbridge_domain::model::{IntegrationId, Platform};
use posbridge_domain::ports::{Integration, IntegrationState, JobQueue, Stores, Vault};
use posbridge_edge::{Request, Response, error, json, segments};
use secrecy::{ExposeSecret, SecretString};

/// The sources posbridge takes webhooks from.
pub const SOURCES: [&str; 4] = ["pos", "bigcommerce", "woocommerce", "ecwid"];

/// App-level secrets: BigCommerce and Ecwid sign every store's webhooks with the app's client
/// secret.
#[derive(Clone, Default)]
pub struct AppSecrets {
    pub bigcommerce_client_secret: Option<SecretString>,
    pub ecwid_client_secret: Option<SecretString>,
}

impl AppSecrets {
    /// `POSBRIDGE_BC_CLIENT_SECRET`, `POSBRIDGE_ECWID_CLIENT_SECRET`.
    pub fn from_env() -> Self {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty()).map(SecretString::from);
        Self {
            bigcommerce_client_secret: get("POSBRIDGE_BC_CLIENT_SECRET"),
            ecwid_client_secret: get("POSBRIDGE_ECWID_CLIENT_SECRET"),
        }
    }
}

pub struct Webhooks {
    stores: Stores,
    queue: Arc<dyn JobQueue>,
    vault: Arc<dyn Vault>,
    secrets: AppSecrets,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn unauthorized(e: &verify::SigError) -> Response {
    error(StatusCode::UNAUTHORIZED, e.code(), format!("Webhook refused: {e}"))
}

impl Webhooks {
    pub fn new(stores: Stores, queue: Arc<dyn JobQueue>, vault: Arc<dyn Vault>, secrets: AppSecrets) -> Self {
        Self { stores, queue, vault, secrets }
    }

    #[tracing::instrument(skip_all, fields(path = %req.uri().path()))]
    pub async fn handle(&self, req: Request) -> Response {
        let path = req.uri().path().to_string();
        let Some(seg) = segments(&path, "/webhooks") else {
            return error(StatusCode::NOT_FOUND, "no_route", "Webhooks are posted to /webhooks/{source}");
        };
        let (source, integration) = match seg.as_slice() {
            [s] => (*s, None),
            [s, i] => (*s, Some(*i)),
            _ => return error(StatusCode::NOT_FOUND, "no_route", "Webhooks are posted to /webhooks/{source}"),
        };
        if !SOURCES.contains(&source) {
            return error(
                StatusCode::NOT_FOUND,
                "unknown_source",
                format!("Unknown webhook source {source:?}; expected one of {}", SOURCES.join(", ")),
            );
        }
        if req.method() != Method::POST {
            return error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Webhooks are delivered with POST");
        }
        let result = match (source, integration) {
            ("bigcommerce", None) => self.bigcommerce(&req).await,
            ("ecwid", None) => self.ecwid(&req).await,
            ("woocommerce", Some(i)) => self.woocommerce(&req, i).await,
            ("pos", Some(i)) => self.pos(&req, i).await,
            _ => Err(error(
                StatusCode::NOT_FOUND,
                "no_route",
                "BigCommerce and Ecwid post to /webhooks/{source}; WooCommerce and the POS to /webhooks/{source}/{integration_id}",
            )),
        };
        result.unwrap_or_else(|r| r)
    }

    fn app_secret(&self, s: &Option<SecretString>, source: &str) -> Result<Vec<u8>, Response> {
        s.as_ref().map(|s| s.expose_secret().as_bytes().to_vec()).ok_or_else(|| {
            tracing::error!(source, "app client secret not configured");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "source_not_configured",
                format!("posbridge is not configured to receive {source} webhooks yet; the platform will retry"),
            )
        })
    }

    /// The webhook secret of an integration addressed by path; unknown integrations look exactly
    /// like a bad signature.
    async fn integration_secret(
        &self,
        id: &str,
        platform: Option<Platform>,
    ) -> Result<(Integration, Vec<u8>), Response> {
        let refuse = || unauthorized(&verify::SigError::Mismatch);
        let id = IntegrationId::parse(id).map_err(|_| refuse())?;
        let i = self.stores.integrations.get(&id).await.map_err(|e| self.unavailable(e))?.ok_or_else(refuse)?;
        if platform.is_some_and(|p| p != i.platform) {
            return Err(refuse());
        }
        let creds = self.vault.open(i.id.as_str(), &i.credentials).await.map_err(|e| {
            tracing::error!(error = %e, "could not open credentials");
            error(StatusCode::SERVICE_UNAVAILABLE, "credentials_unavailable", "Try again later")
        })?;
        let secret = creds.webhook_secret.ok_or_else(refuse)?;
        Ok((i, secret.expose_secret().as_bytes().to_vec()))
    }

    fn unavailable(&self, e: impl std::fmt::Display) -> Response {
        tracing::error!(error = %e, "storage error");
        error(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "Try again later")
    }

    async fn enqueue(&self, i: &Integration, jobs: Vec<posbridge_domain::ports::Job>) -> Result<Response, Response> {
        if matches!(i.state, IntegrationState::Disconnected) {
            return Ok(json(
                StatusCode::OK,
                &serde_json::json!({"accepted": 0, "ignored": "integration disconnected"}),
            ));
        }
        let n = jobs.len();
        for job in &jobs {
            self.queue.send(job).await.map_err(|e| {
                tracing::error!(error = %e, "enqueue failed");
                error(StatusCode::SERVICE_UNAVAILABLE, "queue_unavailable", "Could not queue the change; retry")
            })?;
        }
        tracing::info!(integration_id = %i.id, accepted = n, "webhook accepted");
        Ok(json(StatusCode::OK, &serde_json::json!({ "accepted": n })))
    }

    async fn by_store(&self, platform: Platform, store: &str) -> Result<Option<Integration>, Response> {
        self.stores.integrations.find_by_store(platform, store).await.map_err(|e| self.unavailable(e))
    }

    async fn bigcommerce(&self, req: &Request) -> Result<Response, Response> {
        let secret = self.app_secret(&self.secrets.bigcommerce_client_secret, "BigCommerce")?;
        verify::standard_webhooks(
            &secret,
            header(req, "webhook-id"),
            header(req, "webhook-timestamp"),
            header(req, "webhook-signature"),
            req.body(),
            now(),
        )
        .map_err(|e| unauthorized(&e))?;
        let ev = events::bigcommerce(req.body()).map_err(bad_body)?;
        let Some(i) = self.by_store(Platform::BigCommerce, &ev.store).await? else {
            return Ok(ignored("no live integration for this store"));
        };
        if ev.uninstalled {
            return self.disconnect(i).await;
        }
        self.enqueue(&i, ev.jobs(&i.id)).await
    }

    async fn ecwid(&self, req: &Request) -> Result<Response, Response> {
        let secret = self.app_secret(&self.secrets.ecwid_client_secret, "Ecwid")?;
        let ev = events::ecwid(req.body()).map_err(bad_body)?;
        verify::ecwid(&secret, header(req, "x-ecwid-webhook-signature"), &ev.event_created, &ev.event_id)
            .map_err(|e| unauthorized(&e))?;
        let Some(i) = self.by_store(Platform::Ecwid, &ev.store).await? else {
            return Ok(ignored("no live integration for this store"));
        };
        if ev.uninstalled {
            return self.disconnect(i).await;
        }
        self.enqueue(&i, ev.jobs(&i.id)).await
    }

    async fn woocommerce(&self, req: &Request, id: &str) -> Result<Response, Response> {
        // The creation ping is a form post (`webhook_id=N`) without a signature.
        let is_ping = header(req, "x-wc-webhook-signature").is_none()
            && std::str::from_utf8(req.body()).is_ok_and(|b| b.starts_with("webhook_id="));
        if is_ping {
            return Ok(json(StatusCode::OK, &serde_json::json!({"ping": "ok"})));
        }
        let (i, secret) = self.integration_secret(id, Some(Platform::WooCommerce)).await?;
        verify::woocommerce(&secret, header(req, "x-wc-webhook-signature"), req.body())
            .map_err(|e| unauthorized(&e))?;
        let ev =
            events::woocommerce(header(req, "x-wc-webhook-topic"), header(req, "x-wc-webhook-delivery-id"), req.body())
                .map_err(bad_body)?;
        self.enqueue(&i, ev.jobs(&i.id)).await
    }

    async fn pos(&self, req: &Request, id: &str) -> Result<Response, Response> {
        let (i, secret) = self.integration_secret(id, None).await?;
        verify::pos(&secret, header(req, "x-pos-signature"), header(req, "x-pos-timestamp"), req.body(), now())
            .map_err(|e| unauthorized(&e))?;
        let ev = events::pos(header(req, "x-pos-event-id"), req.body()).map_err(bad_body)?;
        self.enqueue(&i, ev.jobs(&i.id)).await
    }

    /// The platform says the app was removed: stop syncing this integration.
    async fn disconnect(&self, mut i: Integration) -> Result<Response, Response> {
        i.state = IntegrationState::Disconnected;
        i.updated_at = now();
        match self.stores.integrations.update(&i).await {
            Ok(_) | Err(posbridge_domain::ports::StoreError::Conflict(_)) => {}
            Err(e) => return Err(self.unavailable(e)),
        }
        tracing::info!(integration_id = %i.id, "integration disconnected by the platform");
        Ok(json(StatusCode::OK, &serde_json::json!({"disconnected": true})))
    }
}

fn ignored(why: &str) -> Response {
    json(StatusCode::OK, &serde_json::json!({ "accepted": 0, "ignored": why }))
}

fn bad_body(e: events::EventError) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_body", format!("The webhook body could not be read: {e}"))
}
