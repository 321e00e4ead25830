use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use posbridge_aws::wiring::{Backend, ports};
use posbridge_domain::apply::NoSyncEngine;
use posbridge_worker::{Worker, batch_response, from_sqs_event};

/// The production queue's maxReceiveCount (infra/template.yaml).
const MAX_RECEIVES: u32 = 5;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().json().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let ports = ports(&Backend::from_env()?).await?;
    let worker = Arc::new(Worker::new(ports.stores, Arc::new(NoSyncEngine), MAX_RECEIVES));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<aws_lambda_events::sqs::SqsEvent>| {
        let worker = worker.clone();
        async move { Ok::<_, Error>(batch_response(&worker.process_batch(from_sqs_event(event.payload)).await)) }
    }))
    .await
}
