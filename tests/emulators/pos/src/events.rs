//! Webhook delivery: one worker sends queued events in order through the kit's outbox (so its
//! drop, duplicate and hold faults apply), signing each request.
//!
//! Signature scheme (our design; Hike publishes no webhooks): for a subscription with secret `S`,
//! `X-Pos-Signature: sha256=<hex HMAC-SHA256(S, "{X-Pos-Timestamp}.{raw body}")>`, with
//! `X-Pos-Timestamp` in unix seconds and `X-Pos-Event-Id` = the event's cursor id (dedupe key).
//! One attempt per delivery, no retries: a receiver that misses one polls `GET /api/v1/events`.

use emulator_kit::{Control, Delivery};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::store::Dispatch;
use crate::values::now_unix;

/// hex HMAC-SHA256 of `"{timestamp}.{body}"`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Spawns the delivery worker; it ends when every sender (the store) is gone.
pub fn spawn_worker(mut rx: UnboundedReceiver<Dispatch>, control: Control) {
    tokio::spawn(async move {
        while let Some(d) = rx.recv().await {
            for (url, secret) in d.targets {
                let ts = now_unix();
                let headers = vec![
                    ("Content-Type".to_string(), "application/json".to_string()),
                    ("X-Pos-Event-Id".to_string(), d.event_id.to_string()),
                    ("X-Pos-Event-Type".to_string(), d.event_type.clone()),
                    ("X-Pos-Timestamp".to_string(), ts.to_string()),
                    ("X-Pos-Signature".to_string(), format!("sha256={}", sign(&secret, ts, &d.body))),
                ];
                control.outbox().send(Delivery { url, headers, body: d.body.clone() }).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_covers_timestamp_and_body() {
        let a = sign("s3cret", 1_700_000_000, b"{\"id\":1}");
        assert_eq!(a.len(), 64);
        assert_ne!(a, sign("s3cret", 1_700_000_001, b"{\"id\":1}"));
        assert_ne!(a, sign("s3cret", 1_700_000_000, b"{\"id\":2}"));
        assert_ne!(a, sign("other", 1_700_000_000, b"{\"id\":1}"));
        // RFC 4231 test case 2 style check of the primitive: key "Jefe"
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
