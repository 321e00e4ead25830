//! The management API. Every route is scoped to the calling merchant: an integration that is
//! not the caller's answers 404, exactly like one that does not exist, so ids cannot be probed.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/health` | liveness (no auth) |
//! | `GET /api/integrations` | the caller's integrations and their state |
//! | `GET /api/integrations/{id}` | one integration |
//! | `GET /api/integrations/{id}/status/{entity}?state=&limit=&cursor=` | per-record green/red view |
//! | `GET /api/integrations/{id}/errors?entity=&unresolved=&limit=&cursor=` | the error log |
//! | `GET /api/integrations/{id}/process-log?limit=&cursor=` | the sync process log |
//! | `GET /api/integrations/{id}/first-sync` | first-time sync progress |
//! | `POST /api/integrations/{id}/sync-now` `{entity, record_id}` | SYNC NOW for one record |
//! | `GET /api/integrations/{id}/choices` | what both sides offer (outlets, registers, tax rules, payment types), read live |
//! | `GET /api/integrations/{id}/settings` | the saved settings and the version to send back |
//! | `PUT /api/integrations/{id}/settings` (optional `If-Match: {version}`) | validate against live choices; 422 names every problem; saves and moves a new integration to "configured" |

use http::{Method, StatusCode};
use posbridge_domain::model::{EntityKind, IntegrationId, MerchantId, Side};
use posbridge_domain::ports::*;
use posbridge_domain::settings;
use posbridge_edge::{FieldError, Request, Response, error, invalid_fields, json, query, segments};
use serde::{Deserialize, Serialize};

/// The largest page any listing returns.
pub const MAX_PAGE: usize = 100;

pub struct Api {
    stores: Stores,
    queue: std::sync::Arc<dyn JobQueue>,
    choices: std::sync::Arc<dyn ChoicesSource>,
}

/// An integration as the API shows it: never the credentials.
#[derive(Debug, Serialize)]
struct IntegrationView<'a> {
    id: &'a IntegrationId,
    platform: posbridge_domain::model::Platform,
    store: &'a str,
    state: IntegrationState,
    settings: &'a serde_json::Value,
    created_at: i64,
    updated_at: i64,
}

impl<'a> From<&'a Integration> for IntegrationView<'a> {
    fn from(i: &'a Integration) -> Self {
        Self {
            id: &i.id,
            platform: i.platform,
            store: &i.store_ref,
            state: i.state,
            settings: &i.settings,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Serialize)]
struct PageView<T> {
    items: Vec<T>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct SyncNow {
    entity: String,
    record_id: String,
}

/// A refusal, turned into the standard error body at the edge of [`Api::handle`].
#[derive(Debug)]
struct Fail {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<FieldError>,
}

impl Fail {
    fn with_fields(code: &'static str, message: impl Into<String>, fields: Vec<FieldError>) -> Self {
        Fail { status: StatusCode::UNPROCESSABLE_ENTITY, code, message: message.into(), fields }
    }
}

fn fail(status: StatusCode, code: &'static str, message: impl Into<String>) -> Fail {
    Fail { status, code, message: message.into(), fields: Vec::new() }
}

fn stale_settings() -> Fail {
    fail(StatusCode::CONFLICT, "settings_changed", "The settings were changed elsewhere; reload them and save again")
}

fn choices_error(e: ChoicesError) -> Fail {
    let code = match e {
        ChoicesError::Unavailable { .. } => "choices_unavailable",
        ChoicesError::Unauthorized { .. } => "reconnect_needed",
    };
    fail(StatusCode::SERVICE_UNAVAILABLE, code, e.to_string())
}

fn store_error(e: StoreError) -> Fail {
    tracing::error!(error = %e, "storage error");
    if e.is_retryable() {
        fail(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "Storage is busy; try again in a few seconds")
    } else {
        fail(StatusCode::INTERNAL_SERVER_ERROR, "storage_error", "Something went wrong on our side; it has been logged")
    }
}

fn not_found() -> Fail {
    fail(StatusCode::NOT_FOUND, "not_found", "Nothing here belongs to your account; check the integration id")
}

fn limit(q: &std::collections::HashMap<String, String>) -> Result<usize, Fail> {
    match q.get("limit") {
        None => Ok(25),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(fail(
                StatusCode::BAD_REQUEST,
                "invalid_limit",
                format!("limit must be a whole number from 1 to {MAX_PAGE}"),
            )),
        },
    }
}

fn entity(s: &str) -> Result<EntityKind, Fail> {
    EntityKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = EntityKind::ALL.iter().map(|e| e.as_str()).collect();
        fail(StatusCode::BAD_REQUEST, "invalid_entity", format!("entity must be one of: {}", all.join(", ")))
    })
}

fn respond(f: Fail) -> Response {
    if f.fields.is_empty() { error(f.status, f.code, f.message) } else { invalid_fields(f.code, f.message, f.fields) }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Api {
    pub fn new(
        stores: Stores,
        queue: std::sync::Arc<dyn JobQueue>,
        choices: std::sync::Arc<dyn ChoicesSource>,
    ) -> Self {
        Self { stores, queue, choices }
    }

    /// Handles one request for `caller` (the merchant the edge authenticated, or `None`).
    pub async fn handle(&self, caller: Option<&MerchantId>, req: Request) -> Response {
        let path = req.uri().path().to_string();
        let Some(seg) = segments(&path, "/api") else { return respond(not_found()) };
        if req.method() == Method::GET && seg == ["health"] {
            return json(StatusCode::OK, &serde_json::json!({"status": "ok"}));
        }
        let Some(merchant) = caller else {
            return error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Send your API token as 'Authorization: Bearer <token>'",
            );
        };
        self.route(merchant, &req, &seg).await.unwrap_or_else(respond)
    }

    async fn route(&self, merchant: &MerchantId, req: &Request, seg: &[&str]) -> Result<Response, Fail> {
        let q = query(req);
        let m = req.method();
        match seg {
            ["integrations"] if m == Method::GET => {
                let list = self.stores.integrations.list_for_merchant(merchant).await.map_err(store_error)?;
                let views: Vec<IntegrationView> = list.iter().map(IntegrationView::from).collect();
                Ok(json(StatusCode::OK, &serde_json::json!({ "items": views })))
            }
            ["integrations", id, rest @ ..] => {
                let i = self.owned(merchant, id).await?;
                match (m, rest) {
                    (&Method::GET, []) => Ok(json(StatusCode::OK, &IntegrationView::from(&i))),
                    (&Method::GET, ["status", e]) => {
                        let e = entity(e)?;
                        let state = match q.get("state").map(String::as_str) {
                            None => None,
                            Some("synced") => Some(SyncState::Synced),
                            Some("failed") => Some(SyncState::Failed),
                            Some(_) => {
                                return Err(fail(
                                    StatusCode::BAD_REQUEST,
                                    "invalid_state",
                                    "state must be synced or failed",
                                ));
                            }
                        };
                        let p = self
                            .stores
                            .status
                            .list(&i.id, e, state, limit(&q)?, q.get("cursor").map(String::as_str))
                            .await
                            .map_err(store_error)?;
                        Ok(json(StatusCode::OK, &PageView { items: p.items, next_cursor: p.next }))
                    }
                    (&Method::GET, ["errors"]) => {
                        let filter = ErrorFilter {
                            entity: q.get("entity").map(|e| entity(e)).transpose()?,
                            unresolved_only: q.get("unresolved").is_some_and(|v| v == "true" || v == "1"),
                        };
                        let p = self
                            .stores
                            .errors
                            .list(&i.id, &filter, limit(&q)?, q.get("cursor").map(String::as_str))
                            .await
                            .map_err(store_error)?;
                        Ok(json(StatusCode::OK, &PageView { items: p.items, next_cursor: p.next }))
                    }
                    (&Method::GET, ["process-log"]) => {
                        let p = self
                            .stores
                            .process_log
                            .list(&i.id, limit(&q)?, q.get("cursor").map(String::as_str))
                            .await
                            .map_err(store_error)?;
                        Ok(json(StatusCode::OK, &PageView { items: p.items, next_cursor: p.next }))
                    }
                    (&Method::GET, ["first-sync"]) => {
                        let items = self.stores.first_sync.list(&i.id).await.map_err(store_error)?;
                        Ok(json(StatusCode::OK, &serde_json::json!({ "items": items })))
                    }
                    (&Method::POST, ["sync-now"]) => self.sync_now(&i, req).await,
                    (&Method::GET, ["choices"]) => {
                        let c = self.choices.choices(&i).await.map_err(choices_error)?;
                        Ok(json(StatusCode::OK, &c))
                    }
                    (&Method::GET, ["settings"]) => Ok(json(
                        StatusCode::OK,
                        &serde_json::json!({ "settings": i.settings, "version": i.version, "state": i.state }),
                    )),
                    (&Method::PUT, ["settings"]) => self.put_settings(i, req).await,
                    _ => Err(fail(
                        StatusCode::NOT_FOUND,
                        "no_route",
                        "No such route; the routes are listed in docs/ARCHITECTURE.md",
                    )),
                }
            }
            _ => Err(fail(
                StatusCode::NOT_FOUND,
                "no_route",
                "No such route; the routes are listed in docs/ARCHITECTURE.md",
            )),
        }
    }

    /// The integration with this id if it belongs to `merchant`; 404 otherwise.
    async fn owned(&self, merchant: &MerchantId, id: &str) -> Result<Integration, Fail> {
        let Ok(id) = IntegrationId::parse(id) else { return Err(not_found()) };
        match self.stores.integrations.get(&id).await.map_err(store_error)? {
            Some(i) if &i.merchant_id == merchant => Ok(i),
            _ => Err(not_found()),
        }
    }

    async fn put_settings(&self, mut i: Integration, req: &Request) -> Result<Response, Fail> {
        if let Some(v) = req.headers().get(http::header::IF_MATCH) {
            let want = v.to_str().ok().map(|s| s.trim_matches('"')).and_then(|s| s.parse::<u64>().ok());
            match want {
                Some(w) if w == i.version => {}
                Some(_) => return Err(stale_settings()),
                None => {
                    return Err(fail(
                        StatusCode::BAD_REQUEST,
                        "invalid_if_match",
                        "If-Match must be the settings version",
                    ));
                }
            }
        }
        let settings: settings::Settings = serde_json::from_slice(req.body()).map_err(|e| {
            let fields = vec![FieldError { field: "body".into(), code: "invalid_json".into(), message: e.to_string() }];
            Fail::with_fields(
                "invalid_settings",
                "The settings could not be read; fix the field named below and save again",
                fields,
            )
        })?;
        let choices = self.choices.choices(&i).await.map_err(choices_error)?;
        let valid = settings::validate(&settings, &choices).map_err(|errors| {
            let n = errors.len();
            let fields = errors
                .into_iter()
                .map(|e| FieldError { field: e.field, code: e.code.as_str().to_string(), message: e.message })
                .collect();
            Fail::with_fields(
                "invalid_settings",
                format!("{n} setting(s) need attention before the settings can be saved"),
                fields,
            )
        })?;
        i.settings = serde_json::to_value(valid.settings()).map_err(|e| {
            tracing::error!(error = %e, "settings do not serialise");
            fail(StatusCode::INTERNAL_SERVER_ERROR, "storage_error", "Something went wrong on our side")
        })?;
        if i.state == IntegrationState::Connected {
            i.state = IntegrationState::Configured;
        }
        i.updated_at = now();
        let version = match self.stores.integrations.update(&i).await {
            Ok(v) => v,
            Err(StoreError::Conflict(_)) => return Err(stale_settings()),
            Err(e) => return Err(store_error(e)),
        };
        Ok(json(
            StatusCode::OK,
            &serde_json::json!({ "version": version, "state": i.state, "notices": valid.notices() }),
        ))
    }

    async fn sync_now(&self, i: &Integration, req: &Request) -> Result<Response, Fail> {
        let body: SyncNow = serde_json::from_slice(req.body()).map_err(|e| {
            fail(StatusCode::BAD_REQUEST, "invalid_body", format!("Send JSON {{\"entity\", \"record_id\"}}: {e}"))
        })?;
        let e = entity(&body.entity)?;
        if body.record_id.trim().is_empty() || body.record_id.len() > 256 {
            return Err(fail(StatusCode::BAD_REQUEST, "invalid_record_id", "record_id must be 1 to 256 characters"));
        }
        let job = Job {
            integration_id: i.id.clone(),
            entity: e,
            record_id: body.record_id.trim().to_string(),
            source: Side::Pos,
            change: "sync_now".into(),
            // Each press is its own event: pressing again re-syncs.
            event_id: format!("sync-now:{}:{}", now(), uuid::Uuid::new_v4()),
            priority: 0,
        };
        self.queue.send(&job).await.map_err(|e| {
            tracing::error!(error = %e, "enqueue failed");
            fail(StatusCode::SERVICE_UNAVAILABLE, "queue_unavailable", "Could not queue the sync; try again shortly")
        })?;
        Ok(json(StatusCode::ACCEPTED, &serde_json::json!({ "queued": true, "event_id": job.event_id })))
    }
}
