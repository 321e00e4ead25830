//! Signature checks on the raw request bytes, one per source, all constant-time
//! (`Mac::verify_slice`). Sources: PLATFORM-FACTS.md §1.2 (BigCommerce: Standard Webhooks),
//! §2.2 (Ecwid: `{eventCreated}.{eventId}`), §3 (WooCommerce: the raw body), and the POS
//! emulator's contract (tests/emulators/pos/openapi.yaml: `{timestamp}.{raw body}`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery was refused (all answer 401; the code says which).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("the {0} header is missing")]
    Missing(&'static str),
    #[error("the {0} header is malformed")]
    Malformed(&'static str),
    #[error("the signature does not match")]
    Mismatch,
    #[error("the timestamp is outside the allowed window")]
    Stale,
}

impl SigError {
    pub fn code(&self) -> &'static str {
        match self {
            SigError::Missing(_) => "missing_signature",
            SigError::Malformed(_) => "malformed_signature",
            SigError::Mismatch => "invalid_signature",
            SigError::Stale => "stale_signature",
        }
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        m.update(p);
    }
    m
}

/// Replay window of Standard Webhooks and the POS (the reference libraries use 5 minutes).
pub const TOLERANCE_SECS: i64 = 300;

/// BigCommerce (Standard Webhooks): `webhook-signature` holds space-separated `v1,<base64>`
/// entries over `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the app's client secret.
pub fn standard_webhooks(
    secret: &[u8],
    id: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SigError> {
    let id = id.ok_or(SigError::Missing("webhook-id"))?;
    let ts_raw = timestamp.ok_or(SigError::Missing("webhook-timestamp"))?;
    let sigs = signature.ok_or(SigError::Missing("webhook-signature"))?;
    let ts: i64 = ts_raw.parse().map_err(|_| SigError::Malformed("webhook-timestamp"))?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(SigError::Stale);
    }
    let mut any_v1 = false;
    for entry in sigs.split(' ').filter(|s| !s.is_empty()) {
        let Some(b64) = entry.strip_prefix("v1,") else { continue };
        any_v1 = true;
        let Ok(given) = B64.decode(b64) else { continue };
        if mac(secret, &[id.as_bytes(), b".", ts_raw.as_bytes(), b".", body]).verify_slice(&given).is_ok() {
            return Ok(());
        }
    }
    if any_v1 { Err(SigError::Mismatch) } else { Err(SigError::Malformed("webhook-signature")) }
}

/// Ecwid: `X-Ecwid-Webhook-Signature = base64(HMAC-SHA256(client_secret, "{eventCreated}.{eventId}"))`.
/// The body is not signed: only the event's identity is, which is why the worker re-reads the
/// entity instead of trusting the body.
pub fn ecwid(secret: &[u8], signature: Option<&str>, event_created: &str, event_id: &str) -> Result<(), SigError> {
    let sig = signature.ok_or(SigError::Missing("X-Ecwid-Webhook-Signature"))?;
    let given = B64.decode(sig.trim()).map_err(|_| SigError::Malformed("X-Ecwid-Webhook-Signature"))?;
    mac(secret, &[event_created.as_bytes(), b".", event_id.as_bytes()])
        .verify_slice(&given)
        .map_err(|_| SigError::Mismatch)
}

/// WooCommerce: `X-WC-Webhook-Signature = base64(HMAC-SHA256(webhook secret, raw body))`.
pub fn woocommerce(secret: &[u8], signature: Option<&str>, body: &[u8]) -> Result<(), SigError> {
    let sig = signature.ok_or(SigError::Missing("X-WC-Webhook-Signature"))?;
    let given = B64.decode(sig.trim()).map_err(|_| SigError::Malformed("X-WC-Webhook-Signature"))?;
    mac(secret, &[body]).verify_slice(&given).map_err(|_| SigError::Mismatch)
}

/// POS: `X-Pos-Signature: sha256=<hex HMAC-SHA256(secret, "{X-Pos-Timestamp}.{raw body}")>`.
pub fn pos(
    secret: &[u8],
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SigError> {
    let sig = signature.ok_or(SigError::Missing("X-Pos-Signature"))?;
    let ts_raw = timestamp.ok_or(SigError::Missing("X-Pos-Timestamp"))?;
    let ts: i64 = ts_raw.parse().map_err(|_| SigError::Malformed("X-Pos-Timestamp"))?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(SigError::Stale);
    }
    let hex_sig = sig.trim().strip_prefix("sha256=").ok_or(SigError::Malformed("X-Pos-Signature"))?;
    let given = hex::decode(hex_sig).map_err(|_| SigError::Malformed("X-Pos-Signature"))?;
    mac(secret, &[ts_raw.as_bytes(), b".", body]).verify_slice(&given).map_err(|_| SigError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64mac(key: &[u8], msg: &[u8]) -> String {
        B64.encode(mac(key, &[msg]).finalize().into_bytes())
    }

    #[test]
    fn standard_webhooks_accepts_the_right_signature_among_several() {
        let body = br#"{"scope":"store/product/updated"}"#;
        let good = b64mac(b"s3cret", b"msg_1.1700000000.{\"scope\":\"store/product/updated\"}");
        let header = format!("v1,AAAA v1,{good}");
        assert_eq!(
            standard_webhooks(b"s3cret", Some("msg_1"), Some("1700000000"), Some(&header), body, 1700000100),
            Ok(())
        );
        // Each ingredient matters.
        // (key, webhook-id, timestamp, body, now, expected error)
        type Case<'a> = (&'a [u8], &'a str, &'a str, &'a [u8], i64, SigError);
        let cases: [Case; 5] = [
            (b"other", "msg_1", "1700000000", body, 1700000000, SigError::Mismatch),
            (b"s3cret", "msg_2", "1700000000", body, 1700000000, SigError::Mismatch),
            (b"s3cret", "msg_1", "1700000000", b"{}", 1700000000, SigError::Mismatch),
            (b"s3cret", "msg_1", "1700000000", body, 1700000301, SigError::Stale),
            (b"s3cret", "msg_1", "soon", body, 1700000000, SigError::Malformed("webhook-timestamp")),
        ];
        for (key, id, ts, b, now, want) in cases {
            assert_eq!(standard_webhooks(key, Some(id), Some(ts), Some(&header), b, now), Err(want));
        }
        assert_eq!(
            standard_webhooks(b"s3cret", Some("msg_1"), Some("1700000000"), None, body, 1700000000),
            Err(SigError::Missing("webhook-signature"))
        );
        assert_eq!(
            standard_webhooks(b"s3cret", Some("msg_1"), Some("1700000000"), Some("v2,abc"), body, 1700000000),
            Err(SigError::Malformed("webhook-signature"))
        );
    }

    #[test]
    fn ecwid_signs_the_event_identity() {
        let sig = b64mac(b"app-secret", b"1234567.evt-1");
        assert_eq!(ecwid(b"app-secret", Some(&sig), "1234567", "evt-1"), Ok(()));
        assert_eq!(ecwid(b"app-secret", Some(&sig), "1234567", "evt-2"), Err(SigError::Mismatch));
        assert_eq!(ecwid(b"app-secret", Some("***"), "1234567", "evt-1").unwrap_err().code(), "malformed_signature");
        assert_eq!(ecwid(b"app-secret", None, "1", "e").unwrap_err().code(), "missing_signature");
    }

    #[test]
    fn woocommerce_signs_the_raw_body() {
        let body = br#"{"id":42}"#;
        let sig = b64mac(b"wh", body);
        assert_eq!(woocommerce(b"wh", Some(&sig), body), Ok(()));
        assert_eq!(woocommerce(b"wh", Some(&sig), br#"{"id": 42}"#), Err(SigError::Mismatch), "bytes, not JSON");
    }

    #[test]
    fn pos_signs_timestamp_and_body_in_hex() {
        let body = br#"{"id":7}"#;
        let sig = format!("sha256={}", hex::encode(mac(b"k", &[b"100.", body]).finalize().into_bytes()));
        assert_eq!(pos(b"k", Some(&sig), Some("100"), body, 150), Ok(()));
        assert_eq!(pos(b"k", Some(&sig), Some("100"), body, 1000), Err(SigError::Stale));
        assert_eq!(pos(b"k", Some(&sig), Some("101"), body, 150), Err(SigError::Mismatch));
        assert_eq!(pos(b"k", Some(&sig[7..]), Some("100"), body, 150), Err(SigError::Malformed("X-Pos-Signature")));
    }
}
