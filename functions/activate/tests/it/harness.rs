use std::sync::Arc;

use posbridge_activate::{Activation, ActivationConfig, OAuthApp};
use posbridge_domain::embedded::{LocalVault, MemoryOAuthStates, MemoryStore};
use posbridge_domain::model::MerchantId;
use posbridge_domain::ports::{Integration, Stores, Vault};

pub const RETURN: &str = "https://app.posbridge.test/settings";

pub struct World {
    pub base: String,
    pub stores: Stores,
    pub vault: Arc<dyn Vault>,
    pub act: Arc<Activation>,
    pub bc: emu_bigcommerce::Emulator,
    /// Kept alive for the test's duration.
    pub _ecwid: emu_ecwid::Emulator,
    pub woo: emu_woocommerce::Emulator,
    pub pos: emu_pos::Emulator,
    pub http: reqwest::Client,
}

/// Starts the emulators and posbridge's activation; `public_base` overrides the address the
/// platforms are told to call back (an unreachable one for the bad case).
pub async fn world_with(public_base: Option<&str>) -> World {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let public = public_base.unwrap_or(&base).to_string();
    let bc = emu_bigcommerce::start(
        emu_bigcommerce::Config {
            auth_callback_url: format!("{public}/activate/bigcommerce/callback"),
            require_https_443: false,
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    let ecwid = emu_ecwid::start(Default::default(), 0).await.unwrap();
    let woo = emu_woocommerce::start(Default::default(), 0).await.unwrap();
    let pos = emu_pos::start(Default::default(), 0).await.unwrap();
    let bcc = emu_bigcommerce::Config::default();
    let ec = emu_ecwid::Config::default();
    let pc = emu_pos::Config::default();
    let config = ActivationConfig {
        public_base_url: public,
        return_allow_list: vec![RETURN.into()],
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
            scopes: "read_store_profile read_catalog update_catalog".into(),
        }),
        pos: Some(OAuthApp {
            client_id: pc.client_id,
            client_secret: pc.client_secret.into(),
            authorize_url: format!("{}/oauth/authorize", pos.base_url()),
            token_url: format!("{}/oauth/token", pos.base_url()),
            scopes: "all".into(),
        }),
        woocommerce_app_name: "posbridge".into(),
        woocommerce_require_https: false,
        state_ttl_secs: 600,
    };
    let stores = MemoryStore::new().stores();
    let vault: Arc<dyn Vault> = Arc::new(LocalVault::random());
    let act = Arc::new(Activation::new(stores.clone(), Arc::new(MemoryOAuthStates::new()), vault.clone(), config));
    let served = act.clone();
    let router = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let act = served.clone();
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            let req = http::Request::from_parts(parts, bytes.to_vec());
            // Test tokens: `Bearer as-{merchant}`.
            let caller = posbridge_edge::bearer(&req)
                .and_then(|t| t.strip_prefix("as-"))
                .and_then(|m| MerchantId::parse(m).ok());
            let (p, b) = act.handle(caller.as_ref(), req).await.into_parts();
            axum::response::IntoResponse::into_response((p.status, p.headers, b))
        }
    });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    World { base, stores, vault, act, bc, _ecwid: ecwid, woo, pos, http }
}

pub async fn world() -> World {
    world_with(None).await
}

impl World {
    pub async fn get(&self, url: &str, merchant: Option<&str>) -> reqwest::Response {
        let mut rb = self.http.get(url);
        if let Some(m) = merchant {
            rb = rb.bearer_auth(format!("as-{m}"));
        }
        rb.send().await.unwrap()
    }

    pub async fn start(&self, platform: &str, merchant: &str, extra: &str) -> reqwest::Response {
        self.get(&format!("{}/activate/{platform}/start?{extra}", self.base), Some(merchant)).await
    }

    pub async fn integrations(&self, merchant: &str) -> Vec<Integration> {
        self.stores.integrations.list_for_merchant(&MerchantId::parse(merchant).unwrap()).await.unwrap()
    }
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").expect("a redirect").to_str().unwrap().to_string()
}

pub async fn code_of(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let v: serde_json::Value = r.json().await.unwrap_or_default();
    (status, v["code"].as_str().unwrap_or("").to_string())
}
