use std::sync::Arc;

use lambda_http::{Error, service_fn};
use posbridge_activate::{Activation, ActivationConfig, OAuthApp};
use posbridge_aws::wiring::{Backend, ports, vault_from_env};
use posbridge_domain::model::MerchantId;

fn var(k: &str) -> Result<String, Error> {
    std::env::var(k).ok().filter(|v| !v.is_empty()).ok_or_else(|| format!("{k} must be set").into())
}

/// An app's settings from `{P}_CLIENT_ID`, `{P}_CLIENT_SECRET`, `{P}_AUTHORIZE_URL`, `{P}_TOKEN_URL`,
/// `{P}_SCOPES`; absent when no client id is configured.
fn app(p: &str) -> Result<Option<OAuthApp>, Error> {
    if std::env::var(format!("{p}_CLIENT_ID")).is_err() {
        return Ok(None);
    }
    Ok(Some(OAuthApp {
        client_id: var(&format!("{p}_CLIENT_ID"))?,
        client_secret: var(&format!("{p}_CLIENT_SECRET"))?.into(),
        authorize_url: var(&format!("{p}_AUTHORIZE_URL"))?,
        token_url: var(&format!("{p}_TOKEN_URL"))?,
        scopes: std::env::var(format!("{p}_SCOPES")).unwrap_or_default(),
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let config = ActivationConfig {
        public_base_url: var("POSBRIDGE_PUBLIC_URL")?,
        return_allow_list: var("POSBRIDGE_RETURN_URLS")?.split(',').map(|s| s.trim().to_string()).collect(),
        bigcommerce: app("BIGCOMMERCE")?,
        ecwid: app("ECWID")?,
        pos: app("POS")?,
        woocommerce_app_name: std::env::var("WOOCOMMERCE_APP_NAME").unwrap_or_else(|_| "posbridge".into()),
        woocommerce_require_https: true,
        state_ttl_secs: 600,
    };
    let ports = ports(&Backend::from_env()?).await?;
    let table = var("POSBRIDGE_TABLE")?;
    let ddb = aws_sdk_dynamodb::Client::new(&posbridge_aws::load_config().await);
    let states = Arc::new(posbridge_aws::DynamoOAuthStates::new(ddb, table));
    let app = Arc::new(Activation::new(ports.stores, states, vault_from_env().await?, config));
    lambda_http::run(service_fn(move |req: lambda_http::Request| {
        let app = app.clone();
        async move {
            let caller = posbridge_edge::jwt_claims(&req).get("sub").and_then(|s| MerchantId::parse(s.as_str()).ok());
            Ok::<_, Error>(posbridge_edge::to_lambda(
                app.handle(caller.as_ref(), posbridge_edge::from_lambda(req)).await,
            ))
        }
    }))
    .await
}
