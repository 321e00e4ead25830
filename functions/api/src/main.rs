use std::sync::Arc;

use lambda_http::{Error, service_fn};
use posbridge_api::Api;
use posbridge_aws::wiring::{Backend, ports};
use posbridge_domain::model::MerchantId;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let ports = ports(&Backend::from_env()?).await?;
    // Choices are read live from both sides through the platform clients; until that source is
    // wired, none are known and the settings routes answer 503 `choices_unavailable`.
    let choices = Arc::new(posbridge_domain::ports::StaticChoices::default());
    let api = Arc::new(Api::new(ports.stores, ports.queue, choices));
    lambda_http::run(service_fn(move |req: lambda_http::Request| {
        let api = api.clone();
        async move {
            // The HTTP API's JWT authorizer has verified the token; the merchant is its subject.
            let caller = posbridge_edge::jwt_claims(&req).get("sub").and_then(|s| MerchantId::parse(s.as_str()).ok());
            let resp = api.handle(caller.as_ref(), posbridge_edge::from_lambda(req)).await;
            Ok::<_, Error>(posbridge_edge::to_lambda(resp))
        }
    }))
    .await
}
