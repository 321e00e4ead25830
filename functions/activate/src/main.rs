use std::sync::Arc;

use lambda_http::{Error, service_fn};
use posbridge_activate::Activation;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let app = Arc::new(Activation);
    lambda_http::run(service_fn(move |req: lambda_http::Request| {
        let app = app.clone();
        async move { Ok::<_, Error>(posbridge_edge::to_lambda(app.handle(posbridge_edge::from_lambda(req)).await)) }
    }))
    .await
}
