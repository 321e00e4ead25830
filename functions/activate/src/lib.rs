//! Activation: connecting a merchant's web store (BigCommerce app install, Ecwid OAuth2,
//! WooCommerce key delivery) and the POS side (OAuth2 with refresh) to posbridge.
//!
//! | route | what |
//! |---|---|
//! | `GET /activate/{platform}/start` | authenticated merchant; creates a single-use `state` bound to merchant and platform, 302 to the platform |
//! | `GET /activate/{platform}/callback` | takes the state, exchanges the code, seals the credentials, creates or updates the integration, 302 to an allow-listed return URL |
//! | `POST /activate/woocommerce/keys?state=` | WooCommerce's server-side key delivery for a pending state |
//! | `GET /bigcommerce/{load,uninstall,remove_user}` | `signed_payload_jwt` verified (HS256, client secret, `aud`, `exp`/`nbf`); uninstall disconnects |
//!
//! Every refusal answers a JSON error with a code and stores nothing. Tokens and keys exist only
//! as `SecretString`s and sealed bytes; nothing here logs them.

// Refusals are finished HTTP responses carried in `Err` (parse, call, map); boxing them would
// only add noise to every `?`.
#![allow(clippy::result_large_err)]

mod jwt;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use http::{HeaderValue, Method, StatusCode, header};
use posbridge_domain::model::{IntegrationId, MerchantId, Platform};
use posbridge_domain::ports::{
    Credentials, Integration, IntegrationState, OAuthState, OAuthStates, StoreError, Stores, Vault,
};
use posbridge_edge::{Request, Response, error, json, query, segments};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

pub use jwt::{JwtError, verify as verify_jwt};

/// One OAuth application registered with a platform.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: SecretString,
    /// Where the merchant's browser is sent (BigCommerce: the app's install page).
    pub authorize_url: String,
    pub token_url: String,
    /// Space-separated scopes to ask for (Ecwid; `all` for the POS).
    pub scopes: String,
}

/// What activation needs to know, read once at cold start.
#[derive(Clone)]
pub struct ActivationConfig {
    /// posbridge's public base URL; callbacks are `{public_base_url}/activate/...`.
    pub public_base_url: String,
    /// Return targets: a return URL must have the scheme, host and port of one entry and start
    /// with its path. The first entry is the default.
    pub return_allow_list: Vec<String>,
    pub bigcommerce: Option<OAuthApp>,
    pub ecwid: Option<OAuthApp>,
    pub pos: Option<OAuthApp>,
    /// The app name WooCommerce shows the merchant.
    pub woocommerce_app_name: String,
    /// Refuse plain-HTTP WooCommerce shops (true in production).
    pub woocommerce_require_https: bool,
    /// How long a started activation may take, seconds.
    pub state_ttl_secs: i64,
}

const FLOWS: [&str; 4] = ["bigcommerce", "ecwid", "woocommerce", "pos"];
const BC_COOKIE: &str = "posbridge_bc_state";

type Fail = Response;

pub struct Activation {
    stores: Stores,
    states: Arc<dyn OAuthStates>,
    vault: Arc<dyn Vault>,
    config: ActivationConfig,
    http: reqwest::Client,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn redirect(to: &str) -> Response {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn bad_state(code: &str, msg: &str) -> Fail {
    error(StatusCode::BAD_REQUEST, code, msg.to_string())
}

fn storage(e: StoreError) -> Fail {
    tracing::error!(error = %e, "storage error");
    error(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "Try again in a moment")
}

fn new_state() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            u.query_pairs_mut().extend_pairs(pairs);
            u.to_string()
        }
        Err(_) => base.to_string(),
    }
}

fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        },
    )
}

/// Why a code exchange failed.
enum Exchange {
    Rejected(String),
    Unreachable,
}

impl Exchange {
    fn into_response(self, platform: &str) -> Fail {
        match self {
            Exchange::Rejected(why) => error(
                StatusCode::BAD_REQUEST,
                "code_rejected",
                format!("{platform} refused the authorization ({why}); start the connection again"),
            ),
            Exchange::Unreachable => error(
                StatusCode::BAD_GATEWAY,
                "platform_unreachable",
                format!("{platform} could not be reached to finish the connection; try again"),
            ),
        }
    }
}

impl Activation {
    pub fn new(stores: Stores, states: Arc<dyn OAuthStates>, vault: Arc<dyn Vault>, config: ActivationConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { stores, states, vault, config, http }
    }

    /// Handles one request; `caller` is the merchant the edge authenticated, if any.
    pub async fn handle(&self, caller: Option<&MerchantId>, req: Request) -> Response {
        let path = req.uri().path().to_string();
        let m = req.method().clone();
        let r = if let Some(seg) = segments(&path, "/activate") {
            match (&m, seg.as_slice()) {
                (&Method::GET, [p, "start"]) if FLOWS.contains(p) => self.start(caller, p, &req).await,
                (&Method::GET, [p, "callback"]) if FLOWS.contains(p) => self.callback(caller, p, &req).await,
                (&Method::POST, ["woocommerce", "keys"]) => self.woocommerce_keys(&req).await,
                _ => Err(error(StatusCode::NOT_FOUND, "no_route", "No such activation route")),
            }
        } else if let Some(seg) = segments(&path, "/bigcommerce") {
            match (&m, seg.as_slice()) {
                (&Method::GET, [kind @ ("load" | "uninstall" | "remove_user")]) => {
                    self.bigcommerce_callback(kind, &req).await
                }
                _ => Err(error(StatusCode::NOT_FOUND, "no_route", "No such BigCommerce callback")),
            }
        } else {
            Err(error(StatusCode::NOT_FOUND, "no_route", "No such activation route"))
        };
        r.unwrap_or_else(|f| f)
    }

    fn app(&self, platform: &str) -> Result<&OAuthApp, Fail> {
        let app = match platform {
            "bigcommerce" => self.config.bigcommerce.as_ref(),
            "ecwid" => self.config.ecwid.as_ref(),
            "pos" => self.config.pos.as_ref(),
            _ => None,
        };
        app.ok_or_else(|| {
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "platform_not_configured",
                format!("Connecting {platform} is not configured on this posbridge"),
            )
        })
    }

    fn callback_url(&self, platform: &str) -> String {
        format!("{}/activate/{platform}/callback", self.config.public_base_url.trim_end_matches('/'))
    }

    /// The allow-listed return target, or the default one.
    fn return_target(&self, asked: Option<&String>) -> Result<String, Fail> {
        let default = self.config.return_allow_list.first().cloned().unwrap_or_else(|| "/".into());
        let Some(asked) = asked else { return Ok(default) };
        let refuse = || {
            error(
                StatusCode::BAD_REQUEST,
                "return_url_not_allowed",
                "return_to is not one of posbridge's allowed return addresses",
            )
        };
        let u = url::Url::parse(asked).map_err(|_| refuse())?;
        if !u.username().is_empty() || u.password().is_some() {
            return Err(refuse());
        }
        let ok = self.config.return_allow_list.iter().filter_map(|a| url::Url::parse(a).ok()).any(|a| {
            a.scheme() == u.scheme()
                && a.host_str() == u.host_str()
                && a.port_or_known_default() == u.port_or_known_default()
                && u.path().starts_with(a.path())
        });
        if ok { Ok(asked.clone()) } else { Err(refuse()) }
    }

    async fn start(&self, caller: Option<&MerchantId>, platform: &str, req: &Request) -> Result<Response, Fail> {
        let Some(merchant) = caller else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign in to posbridge before connecting a store",
            ));
        };
        let q = query(req);
        let return_to = self.return_target(q.get("return_to"))?;
        let mut st = OAuthState {
            state: new_state(),
            merchant_id: merchant.clone(),
            platform: platform.to_string(),
            integration_id: None,
            store_ref: None,
            return_to,
            created_at: now(),
            expires_at: now() + self.config.state_ttl_secs,
        };
        let location = match platform {
            "bigcommerce" => self.app(platform)?.authorize_url.clone(),
            "ecwid" => {
                let app = self.app(platform)?;
                let redirect_uri = with_query(&self.callback_url("ecwid"), &[("state", &st.state)]);
                with_query(
                    &app.authorize_url,
                    &[
                        ("client_id", &app.client_id),
                        ("redirect_uri", &redirect_uri),
                        ("response_type", "code"),
                        ("scope", &app.scopes),
                    ],
                )
            }
            "pos" => {
                let app = self.app(platform)?;
                let id = q.get("integration").ok_or_else(|| {
                    error(StatusCode::BAD_REQUEST, "integration_required", "Name the integration to connect the POS to")
                })?;
                let i = self.owned(merchant, id).await?;
                st.integration_id = Some(i.id);
                with_query(
                    &app.authorize_url,
                    &[
                        ("response_type", "code"),
                        ("client_id", &app.client_id),
                        ("redirect_uri", &self.callback_url("pos")),
                        ("state", &st.state),
                        ("scope", &app.scopes),
                    ],
                )
            }
            _ => {
                let shop = self.woocommerce_shop(q.get("store_url"))?;
                st.store_ref = Some(shop.clone());
                let base = self.config.public_base_url.trim_end_matches('/');
                with_query(
                    &format!("{shop}/wc-auth/v1/authorize"),
                    &[
                        ("app_name", &self.config.woocommerce_app_name),
                        ("scope", "read_write"),
                        ("user_id", &st.state),
                        ("return_url", &with_query(&self.callback_url("woocommerce"), &[("state", &st.state)])),
                        (
                            "callback_url",
                            &with_query(&format!("{base}/activate/woocommerce/keys"), &[("state", &st.state)]),
                        ),
                    ],
                )
            }
        };
        self.states.create(&st).await.map_err(storage)?;
        tracing::info!(platform, merchant_id = %merchant, "activation started");
        let mut r = redirect(&location);
        if platform == "bigcommerce" {
            // BigCommerce's auth callback carries no state of ours, so the browser keeps it.
            let c = format!(
                "{BC_COOKIE}={}; Path=/activate/bigcommerce; Max-Age={}; HttpOnly; Secure; SameSite=None",
                st.state, self.config.state_ttl_secs
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
        }
        Ok(r)
    }

    /// A WooCommerce shop URL, normalised (`scheme://host[:port][/path]`, no trailing slash).
    fn woocommerce_shop(&self, raw: Option<&String>) -> Result<String, Fail> {
        let refuse = |m: &str| error(StatusCode::BAD_REQUEST, "invalid_store_url", m.to_string());
        let raw = raw.ok_or_else(|| refuse("store_url (your shop's address) is required"))?;
        let u = url::Url::parse(raw).map_err(|_| refuse("store_url is not a web address"))?;
        let https = u.scheme() == "https";
        if !(https || (u.scheme() == "http" && !self.config.woocommerce_require_https)) {
            return Err(refuse("store_url must start with https://"));
        }
        if u.host_str().is_none() || !u.username().is_empty() || u.query().is_some() || u.fragment().is_some() {
            return Err(refuse("store_url must be the plain address of the shop"));
        }
        Ok(u.as_str().trim_end_matches('/').to_string())
    }

    async fn owned(&self, merchant: &MerchantId, id: &str) -> Result<Integration, Fail> {
        let missing = || error(StatusCode::NOT_FOUND, "not_found", "No integration with that id belongs to you");
        let id = IntegrationId::parse(id).map_err(|_| missing())?;
        match self.stores.integrations.get(&id).await.map_err(storage)? {
            Some(i) if &i.merchant_id == merchant => Ok(i),
            _ => Err(missing()),
        }
    }

    /// Consumes the state and checks it belongs to this flow (and to the caller, when known).
    async fn take_state(
        &self,
        caller: Option<&MerchantId>,
        platform: &str,
        state: Option<String>,
    ) -> Result<OAuthState, Fail> {
        let Some(state) = state.filter(|s| !s.is_empty()) else {
            return Err(bad_state("state_missing", "The activation has no state; start connecting from posbridge"));
        };
        let Some(st) = self.states.take(&state, now()).await.map_err(storage)? else {
            return Err(bad_state(
                "state_invalid",
                "This activation link was already used or has expired; start connecting again",
            ));
        };
        if st.platform != platform || caller.is_some_and(|c| c != &st.merchant_id) {
            tracing::warn!(platform, "activation state presented by another flow or merchant");
            return Err(error(
                StatusCode::FORBIDDEN,
                "state_foreign",
                "This activation was started by another account or for another platform",
            ));
        }
        Ok(st)
    }

    async fn callback(&self, caller: Option<&MerchantId>, platform: &str, req: &Request) -> Result<Response, Fail> {
        let q = query(req);
        let state = match platform {
            "bigcommerce" => q.get("state").cloned().or_else(|| cookie(req, BC_COOKIE)),
            _ => q.get("state").cloned(),
        };
        if platform == "woocommerce" {
            return self.woocommerce_return(caller, state, &q).await;
        }
        let st = self.take_state(caller, platform, state).await?;
        if let Some(e) = q.get("error") {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "authorization_denied",
                format!("The authorization was not granted ({e}); nothing was connected"),
            ));
        }
        let code = q
            .get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, "code_missing", "The platform sent no authorization code"))?;
        let app = self.app(platform)?.clone();
        let i = match platform {
            "bigcommerce" => {
                let context = q.get("context").cloned().unwrap_or_default();
                let body = serde_json::json!({
                    "client_id": app.client_id, "client_secret": app.client_secret.expose_secret(),
                    "code": code, "context": context, "scope": q.get("scope").cloned().unwrap_or_default(),
                    "grant_type": "authorization_code", "redirect_uri": self.callback_url("bigcommerce"),
                });
                let v = self
                    .token_call(self.http.post(&app.token_url).json(&body))
                    .await
                    .map_err(|e| e.into_response("BigCommerce"))?;
                let ctx = v.get("context").and_then(|c| c.as_str()).unwrap_or(&context);
                let hash = ctx
                    .strip_prefix("stores/")
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| error(StatusCode::BAD_GATEWAY, "unexpected_answer", "BigCommerce named no store"))?;
                let creds = Credentials { access_token: secret(&v, "access_token"), ..Default::default() };
                self.connect(&st.merchant_id, Platform::BigCommerce, hash, creds).await?
            }
            "ecwid" => {
                let redirect_uri = with_query(&self.callback_url("ecwid"), &[("state", &st.state)]);
                let form = [
                    ("client_id", app.client_id.as_str()),
                    ("client_secret", app.client_secret.expose_secret()),
                    ("code", code),
                    ("redirect_uri", &redirect_uri),
                    ("grant_type", "authorization_code"),
                ];
                let v = self
                    .token_call(
                        self.http
                            .post(&app.token_url)
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .body(form_body(&form)),
                    )
                    .await
                    .map_err(|e| e.into_response("Ecwid"))?;
                let store = match v.get("store_id") {
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
                    _ => return Err(error(StatusCode::BAD_GATEWAY, "unexpected_answer", "Ecwid named no store")),
                };
                let creds = Credentials { access_token: secret(&v, "access_token"), ..Default::default() };
                self.connect(&st.merchant_id, Platform::Ecwid, &store, creds).await?
            }
            _ => {
                let form = [
                    ("grant_type", "authorization_code"),
                    ("client_id", app.client_id.as_str()),
                    ("client_secret", app.client_secret.expose_secret()),
                    ("code", code),
                    ("redirect_uri", &self.callback_url("pos")),
                ];
                let v = self.pos_token(&app, &form).await.map_err(|e| e.into_response("The POS"))?;
                let id = st
                    .integration_id
                    .clone()
                    .ok_or_else(|| bad_state("state_invalid", "The state names no integration"))?;
                self.store_pos_tokens(&st.merchant_id, &id, &v).await?
            }
        };
        tracing::info!(platform, integration_id = %i.id, "connected");
        Ok(redirect(&with_query(&st.return_to, &[("connected", platform), ("integration", i.id.as_str())])))
    }

    async fn token_call(&self, rb: reqwest::RequestBuilder) -> Result<serde_json::Value, Exchange> {
        let resp = rb.send().await.map_err(|_| Exchange::Unreachable)?;
        let status = resp.status();
        let v: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            let why = v
                .get("error_description")
                .or_else(|| v.get("error"))
                .and_then(|e| e.as_str())
                .unwrap_or("no reason given")
                .to_string();
            return Err(Exchange::Rejected(why));
        }
        if v.get("access_token").and_then(|t| t.as_str()).is_none_or(str::is_empty) {
            return Err(Exchange::Rejected("no access token in the answer".into()));
        }
        Ok(v)
    }

    async fn pos_token(&self, app: &OAuthApp, form: &[(&str, &str)]) -> Result<serde_json::Value, Exchange> {
        self.token_call(
            self.http
                .post(&app.token_url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form_body(form)),
        )
        .await
    }

    /// The POS side: the refresh token and the access token's expiry join the integration's
    /// sealed credentials. The record has one access-token slot, which belongs to the web store,
    /// so the POS access token is obtained through [`Activation::refresh_pos`] when needed.
    async fn store_pos_tokens(
        &self,
        merchant: &MerchantId,
        id: &IntegrationId,
        v: &serde_json::Value,
    ) -> Result<Integration, Fail> {
        let refresh = secret(v, "refresh_token")
            .ok_or_else(|| error(StatusCode::BAD_GATEWAY, "unexpected_answer", "The POS sent no refresh token"))?;
        let expires_at = now() + v.get("expires_in").and_then(|e| e.as_i64()).unwrap_or(7 * 24 * 3600);
        for _ in 0..3 {
            let mut i = self.owned(merchant, id.as_str()).await?;
            let mut creds = self.open(&i).await?;
            creds.refresh_token = Some(refresh.clone());
            creds.expires_at = Some(expires_at);
            i.credentials = self.seal(&i.id, &creds).await?;
            i.updated_at = now();
            match self.stores.integrations.update(&i).await {
                Ok(v) => {
                    i.version = v;
                    return Ok(i);
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(storage(e)),
            }
        }
        Err(error(StatusCode::CONFLICT, "integration_busy", "The integration changed meanwhile; try again"))
    }

    /// A fresh POS access token for an integration: refreshes with the stored (single-use,
    /// rotating) refresh token and stores the new one. A refused refresh means the merchant
    /// disconnected posbridge in the POS: the integration becomes `Disconnected`.
    pub async fn refresh_pos(&self, id: &IntegrationId) -> Result<SecretString, Response> {
        let app = self.app("pos")?.clone();
        let i = self
            .stores
            .integrations
            .get(id)
            .await
            .map_err(storage)?
            .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", "No such integration"))?;
        let creds = self.open(&i).await?;
        let Some(rt) = creds.refresh_token.clone() else {
            return Err(error(StatusCode::CONFLICT, "pos_not_connected", "The POS is not connected"));
        };
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.expose_secret()),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose_secret()),
        ];
        match self.pos_token(&app, &form).await {
            Ok(v) => {
                let access = secret(&v, "access_token")
                    .ok_or_else(|| error(StatusCode::BAD_GATEWAY, "unexpected_answer", "No access token"))?;
                self.store_pos_tokens(&i.merchant_id, &i.id, &v).await?;
                tracing::info!(integration_id = %i.id, "POS token refreshed");
                Ok(access)
            }
            Err(Exchange::Rejected(_)) => {
                self.disconnect(&i.id).await?;
                Err(error(
                    StatusCode::CONFLICT,
                    "pos_disconnected",
                    "The POS no longer accepts posbridge's authorization; connect the POS again",
                ))
            }
            Err(e) => Err(e.into_response("The POS")),
        }
    }

    /// Marks an integration disconnected and forgets its credentials (BigCommerce uninstall, a
    /// revoked WooCommerce key, a POS disconnect).
    pub async fn disconnect(&self, id: &IntegrationId) -> Result<(), Response> {
        for _ in 0..3 {
            let Some(mut i) = self.stores.integrations.get(id).await.map_err(storage)? else { return Ok(()) };
            if i.state == IntegrationState::Disconnected {
                return Ok(());
            }
            i.state = IntegrationState::Disconnected;
            i.credentials = self.seal(&i.id, &Credentials::default()).await?;
            i.updated_at = now();
            match self.stores.integrations.update(&i).await {
                Ok(_) => {
                    tracing::info!(integration_id = %i.id, platform = %i.platform, "disconnected");
                    return Ok(());
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(storage(e)),
            }
        }
        Err(error(StatusCode::CONFLICT, "integration_busy", "The integration changed meanwhile; try again"))
    }

    async fn seal(&self, id: &IntegrationId, c: &Credentials) -> Result<Vec<u8>, Fail> {
        self.vault.seal(id.as_str(), c).await.map_err(|e| {
            tracing::error!(error = %e, "could not seal credentials");
            error(StatusCode::SERVICE_UNAVAILABLE, "vault_unavailable", "Try again in a moment")
        })
    }

    async fn open(&self, i: &Integration) -> Result<Credentials, Fail> {
        self.vault.open(i.id.as_str(), &i.credentials).await.map_err(|e| {
            tracing::error!(error = %e, "could not open credentials");
            error(StatusCode::SERVICE_UNAVAILABLE, "vault_unavailable", "Try again in a moment")
        })
    }

    /// Creates the integration of a store, or reconnects the existing one (same id, so its links
    /// and settings are kept). A store connected by another merchant is refused.
    async fn connect(
        &self,
        merchant: &MerchantId,
        platform: Platform,
        store_ref: &str,
        fresh: Credentials,
    ) -> Result<Integration, Fail> {
        for _ in 0..3 {
            match self.stores.integrations.find_by_store(platform, store_ref).await.map_err(storage)? {
                Some(i) if &i.merchant_id != merchant => {
                    return Err(error(
                        StatusCode::CONFLICT,
                        "store_connected_elsewhere",
                        "This store is already connected to another posbridge account",
                    ));
                }
                Some(mut i) => {
                    // Keep the POS side and the webhook secret; replace the store's credentials.
                    let old = self.open(&i).await.unwrap_or_default();
                    let creds = Credentials {
                        refresh_token: old.refresh_token,
                        expires_at: old.expires_at,
                        webhook_secret: old.webhook_secret,
                        ..fresh.clone()
                    };
                    i.credentials = self.seal(&i.id, &creds).await?;
                    i.state = match i.state {
                        IntegrationState::Disconnected => IntegrationState::Connected,
                        s => s,
                    };
                    i.updated_at = now();
                    match self.stores.integrations.update(&i).await {
                        Ok(v) => {
                            i.version = v;
                            return Ok(i);
                        }
                        Err(StoreError::Conflict(_)) => continue,
                        Err(e) => return Err(storage(e)),
                    }
                }
                None => {
                    let id = IntegrationId::parse(uuid::Uuid::new_v4().to_string())
                        .map_err(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "id"))?;
                    let t = now();
                    let i = Integration {
                        credentials: self.seal(&id, &fresh).await?,
                        id,
                        merchant_id: merchant.clone(),
                        platform,
                        store_ref: store_ref.to_string(),
                        state: IntegrationState::Connected,
                        settings: serde_json::Value::Null,
                        version: 0,
                        created_at: t,
                        updated_at: t,
                    };
                    match self.stores.integrations.create(&i).await {
                        Ok(()) => return Ok(i),
                        Err(StoreError::Conflict(_)) => continue,
                        Err(e) => return Err(storage(e)),
                    }
                }
            }
        }
        Err(error(StatusCode::CONFLICT, "integration_busy", "The integration changed meanwhile; try again"))
    }

    /// WooCommerce POSTs the keys server-side before sending the browser back.
    async fn woocommerce_keys(&self, req: &Request) -> Result<Response, Fail> {
        let state = query(req).get("state").cloned();
        let st = self.take_state(None, "woocommerce", state).await?;
        let v: serde_json::Value = serde_json::from_slice(req.body())
            .map_err(|_| error(StatusCode::BAD_REQUEST, "invalid_body", "The key delivery is not JSON"))?;
        let user = match v.get("user_id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let ck = secret(&v, "consumer_key");
        let cs = secret(&v, "consumer_secret");
        let (Some(ck), Some(cs)) = (ck, cs) else {
            return Err(error(StatusCode::BAD_REQUEST, "invalid_body", "The key delivery has no keys"));
        };
        if user != st.state {
            return Err(error(StatusCode::FORBIDDEN, "state_foreign", "The keys were issued for another activation"));
        }
        if !matches!(v.get("key_permissions").and_then(|p| p.as_str()), Some("read_write")) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "insufficient_permissions",
                "posbridge needs read and write access to the shop",
            ));
        }
        let shop = st.store_ref.clone().ok_or_else(|| bad_state("state_invalid", "The state names no shop"))?;
        let creds = Credentials { consumer_key: Some(ck), consumer_secret: Some(cs), ..Default::default() };
        let i = self.connect(&st.merchant_id, Platform::WooCommerce, &shop, creds).await?;
        // The browser comes back next, with the same state: leave it a one-time receipt.
        let receipt = OAuthState {
            state: format!("done.{}", st.state),
            integration_id: Some(i.id.clone()),
            created_at: now(),
            ..st
        };
        self.states.create(&receipt).await.map_err(storage)?;
        tracing::info!(platform = "woocommerce", integration_id = %i.id, "connected");
        Ok(json(StatusCode::OK, &serde_json::json!({ "ok": true })))
    }

    async fn woocommerce_return(
        &self,
        caller: Option<&MerchantId>,
        state: Option<String>,
        q: &HashMap<String, String>,
    ) -> Result<Response, Fail> {
        let Some(state) = state.filter(|s| !s.is_empty()) else {
            return Err(bad_state("state_missing", "The activation has no state; start connecting from posbridge"));
        };
        let receipt = self.take_state(caller, "woocommerce", Some(format!("done.{state}"))).await;
        match receipt {
            Ok(r) if q.get("success").map(String::as_str) == Some("1") => {
                let id = r.integration_id.as_ref().map(|i| i.as_str().to_string()).unwrap_or_default();
                Ok(redirect(&with_query(&r.return_to, &[("connected", "woocommerce"), ("integration", &id)])))
            }
            _ => {
                // The keys never arrived (or the merchant declined): the pending state is spent.
                let _ = self.states.take(&state, now()).await;
                Err(error(
                    StatusCode::BAD_REQUEST,
                    "woocommerce_keys_not_delivered",
                    "WooCommerce did not deliver the API keys to posbridge; nothing was connected. Check that your shop can reach posbridge and try again",
                ))
            }
        }
    }

    async fn bigcommerce_callback(&self, kind: &str, req: &Request) -> Result<Response, Fail> {
        let app = self.app("bigcommerce")?;
        let token = query(req)
            .get("signed_payload_jwt")
            .cloned()
            .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "jwt_missing", "signed_payload_jwt is required"))?;
        let claims =
            jwt::verify(&token, app.client_secret.expose_secret().as_bytes(), &app.client_id, now()).map_err(|e| {
                tracing::warn!(kind, code = e.code(), "refused a BigCommerce callback");
                error(StatusCode::UNAUTHORIZED, e.code(), "The signed payload could not be verified")
            })?;
        let hash = claims
            .get("sub")
            .and_then(|s| s.as_str())
            .and_then(|s| s.strip_prefix("stores/"))
            .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "jwt_malformed", "The signed payload names no store"))?;
        let found = self.stores.integrations.find_by_store(Platform::BigCommerce, hash).await.map_err(storage)?;
        match kind {
            "load" => match found {
                Some(i) if i.state != IntegrationState::Disconnected => {
                    Ok(json(StatusCode::OK, &serde_json::json!({ "integration_id": i.id, "state": i.state })))
                }
                _ => Err(error(
                    StatusCode::NOT_FOUND,
                    "not_connected",
                    "This store is not connected to posbridge; install the app again",
                )),
            },
            "uninstall" => {
                if let Some(i) = found {
                    self.disconnect(&i.id).await?;
                }
                Ok(json(StatusCode::OK, &serde_json::json!({ "ok": true })))
            }
            _ => Ok(json(StatusCode::OK, &serde_json::json!({ "ok": true }))),
        }
    }
}

fn secret(v: &serde_json::Value, k: &str) -> Option<SecretString> {
    v.get(k).and_then(|s| s.as_str()).filter(|s| !s.is_empty()).map(SecretString::from)
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}
