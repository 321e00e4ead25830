use std::sync::Arc;

use lambda_http::{Error, service_fn};
use posbridge_api::Api;
use posbridge_aws::wiring::{Backend, ports};
use posbridge_domain::model::MerchantId;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let ports = ports(&Backend::from_env()?).await?;
    let api = Arc::new(Api::new(ports.stores, ports.queue));
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
