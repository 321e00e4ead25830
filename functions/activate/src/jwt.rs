//! BigCommerce `signed_payload_jwt`: HS256 with the app's client secret, `aud` = client id,
//! `exp` and `nbf` checked. The signature is compared in constant time (`Mac::verify_slice`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Clock skew tolerated on `nbf` and `exp`, seconds.
const LEEWAY: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    Malformed,
    Algorithm,
    Signature,
    Expired,
    NotYetValid,
    Audience,
}

impl JwtError {
    pub fn code(self) -> &'static str {
        match self {
            JwtError::Malformed => "jwt_malformed",
            JwtError::Algorithm => "jwt_unsupported_algorithm",
            JwtError::Signature => "jwt_bad_signature",
            JwtError::Expired => "jwt_expired",
            JwtError::NotYetValid => "jwt_not_yet_valid",
            JwtError::Audience => "jwt_wrong_audience",
        }
    }
}

/// Verifies the token and returns its claims.
pub fn verify(token: &str, secret: &[u8], audience: &str, now: i64) -> Result<serde_json::Value, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Malformed);
    };
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| JwtError::Malformed)?)
            .map_err(|_| JwtError::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(JwtError::Algorithm);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| JwtError::Signature)?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(c.as_bytes());
    mac.verify_slice(&sig).map_err(|_| JwtError::Signature)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).map_err(|_| JwtError::Malformed)?)
            .map_err(|_| JwtError::Malformed)?;
    let aud_ok = match claims.get("aud") {
        Some(serde_json::Value::String(a)) => a == audience,
        Some(serde_json::Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(JwtError::Audience);
    }
    let exp = claims.get("exp").and_then(|v| v.as_i64()).ok_or(JwtError::Malformed)?;
    if now > exp + LEEWAY {
        return Err(JwtError::Expired);
    }
    if claims.get("nbf").and_then(|v| v.as_i64()).is_some_and(|nbf| now + LEEWAY < nbf) {
        return Err(JwtError::NotYetValid);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(alg: &str, claims: serde_json::Value, key: &[u8]) -> String {
        let h = URL_SAFE_NO_PAD.encode(serde_json::json!({"alg": alg, "typ": "JWT"}).to_string());
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{h}.{c}").as_bytes());
        format!("{h}.{c}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn each_bad_token_is_named() {
        let ok = serde_json::json!({"aud": "cid", "exp": 2_000, "nbf": 1_000, "sub": "stores/x"});
        assert!(verify(&make("HS256", ok.clone(), b"k"), b"k", "cid", 1_500).is_ok());
        assert_eq!(verify(&make("HS256", ok.clone(), b"other"), b"k", "cid", 1_500), Err(JwtError::Signature));
        assert_eq!(verify(&make("HS256", ok.clone(), b"k"), b"k", "cid", 2_100), Err(JwtError::Expired));
        assert_eq!(verify(&make("HS256", ok.clone(), b"k"), b"k", "cid", 900), Err(JwtError::NotYetValid));
        assert_eq!(verify(&make("HS256", ok.clone(), b"k"), b"k", "nope", 1_500), Err(JwtError::Audience));
        assert_eq!(verify(&make("none", ok.clone(), b"k"), b"k", "cid", 1_500), Err(JwtError::Algorithm));
        assert_eq!(verify("a.b", b"k", "cid", 1_500), Err(JwtError::Malformed));
        let mut t = make("HS256", ok, b"k");
        t.pop();
        t.push('A');
        assert!(verify(&t, b"k", "cid", 1_500).is_err());
    }
}
