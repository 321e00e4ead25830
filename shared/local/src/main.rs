//! `make run`: the local stack in one process.

use posbridge_local::{LocalConfig, start};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cfg = LocalConfig::from_env()?;
    let backend = format!("{:?}", cfg.backend);
    let stack = start(cfg).await?;
    println!("posbridge local stack (storage and queue: {backend})");
    for line in stack.describe() {
        println!("  {line}");
    }
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    stack.shutdown().await;
    Ok(())
}
