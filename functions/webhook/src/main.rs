use std::sync::Arc;

use lambda_http::{Error, service_fn};
use posbridge_aws::wiring::{Backend, ports};
use posbridge_webhook::{AppSecrets, Webhooks};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let ports = ports(&Backend::from_env()?).await?;
    let vault = posbridge_aws::wiring::vault_from_env().await?;
    let hooks = Arc::new(Webhooks::new(ports.stores, ports.queue, vault, AppSecrets::from_env()));
    lambda_http::run(service_fn(move |req: lambda_http::Request| {
        let hooks = hooks.clone();
        async move { Ok::<_, Error>(posbridge_edge::to_lambda(hooks.handle(posbridge_edge::from_lambda(req)).await)) }
    }))
    .await
}
