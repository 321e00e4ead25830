//! Inbound webhooks: `POST /webhooks/{source}` and `POST /webhooks/{source}/{integration_id}`.
//!
//! Signature verification per platform, deduplication and enqueueing come with the live-sync
//! work (issue 7). Until then a known source is refused with 503 and a code that says why, so a
//! platform keeps retrying (BigCommerce for 48 h, Ecwid for 24 h) instead of believing the
//! change was taken: nothing is accepted that is not processed.

use http::{Method, StatusCode};
use posbridge_edge::{Request, Response, error, segments};

/// The sources posbridge takes webhooks from.
pub const SOURCES: [&str; 4] = ["pos", "bigcommerce", "woocommerce", "ecwid"];

#[derive(Default)]
pub struct Webhooks;

impl Webhooks {
    pub async fn handle(&self, req: Request) -> Response {
        let path = req.uri().path().to_string();
        let Some(seg) = segments(&path, "/webhooks") else {
            return error(StatusCode::NOT_FOUND, "no_route", "Webhooks are posted to /webhooks/{source}");
        };
        let source = match seg.as_slice() {
            [s] | [s, _] => *s,
            _ => return error(StatusCode::NOT_FOUND, "no_route", "Webhooks are posted to /webhooks/{source}"),
        };
        if !SOURCES.contains(&source) {
            return error(
                StatusCode::NOT_FOUND,
                "unknown_source",
                format!("Unknown webhook source {source:?}; expected one of {}", SOURCES.join(", ")),
            );
        }
        if req.method() != Method::POST {
            return error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Webhooks are delivered with POST");
        }
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "webhooks_not_enabled",
            format!("Webhook intake for {source} is not enabled in this build; the platform will retry the delivery"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, uri: &str) -> Request {
        http::Request::builder().method(method).uri(uri).body(Vec::new()).unwrap()
    }

    #[tokio::test]
    async fn routes_and_refusals() {
        let w = Webhooks;
        assert_eq!(w.handle(req("POST", "/webhooks/shopify")).await.status(), 404);
        assert_eq!(w.handle(req("GET", "/webhooks/ecwid")).await.status(), 405);
        assert_eq!(w.handle(req("POST", "/webhooks/a/b/c")).await.status(), 404);
        let r = w.handle(req("POST", "/webhooks/woocommerce/int-1")).await;
        assert_eq!(r.status(), 503, "not accepted, so the platform retries");
    }
}
