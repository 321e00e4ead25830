//! Credentials at rest: envelope encryption behind a port. Production seals with a KMS data key
//! (the adapter lives with the AWS adapters); the local stack and tests seal with a configured
//! AES-256-GCM key ([`crate::embedded::LocalVault`]). Plain credentials exist only in memory,
//! wrapped in [`SecretString`], and are never `Debug`-printed or logged.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// What posbridge holds to act on a merchant's behalf on one side.
#[derive(Clone, Default)]
pub struct Credentials {
    pub access_token: Option<SecretString>,
    pub refresh_token: Option<SecretString>,
    /// Unix seconds; `None` for tokens that do not expire (BigCommerce, Ecwid, WooCommerce keys).
    pub expires_at: Option<i64>,
    /// WooCommerce consumer key / secret.
    pub consumer_key: Option<SecretString>,
    pub consumer_secret: Option<SecretString>,
    /// The secret posbridge set on its webhook subscriptions (WooCommerce, POS).
    pub webhook_secret: Option<SecretString>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<SecretString>| if o.is_some() { "<set>" } else { "<none>" };
        f.debug_struct("Credentials")
            .field("access_token", &set(&self.access_token))
            .field("refresh_token", &set(&self.refresh_token))
            .field("expires_at", &self.expires_at)
            .field("consumer_key", &set(&self.consumer_key))
            .field("consumer_secret", &set(&self.consumer_secret))
            .field("webhook_secret", &set(&self.webhook_secret))
            .finish()
    }
}

/// The plaintext layout sealed by a vault. Private: only `to_bytes`/`from_bytes` see it.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Plain {
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_secret: Option<String>,
}

impl Credentials {
    /// The plaintext a vault seals.
    pub fn to_bytes(&self) -> Vec<u8> {
        let e = |o: &Option<SecretString>| o.as_ref().map(|s| s.expose_secret().to_string());
        let p = Plain {
            access_token: e(&self.access_token),
            refresh_token: e(&self.refresh_token),
            expires_at: self.expires_at,
            consumer_key: e(&self.consumer_key),
            consumer_secret: e(&self.consumer_secret),
            webhook_secret: e(&self.webhook_secret),
        };
        serde_json::to_vec(&p).unwrap_or_default()
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, VaultError> {
        let p: Plain = serde_json::from_slice(b).map_err(|_| VaultError::Corrupt)?;
        let s = |o: Option<String>| o.map(SecretString::from);
        Ok(Self {
            access_token: s(p.access_token),
            refresh_token: s(p.refresh_token),
            expires_at: p.expires_at,
            consumer_key: s(p.consumer_key),
            consumer_secret: s(p.consumer_secret),
            webhook_secret: s(p.webhook_secret),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Wrong key, tampered or truncated ciphertext. Never says more (no oracle).
    #[error("the sealed credentials could not be opened")]
    Corrupt,
    #[error("the key service is temporarily unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Seals and opens credentials. `context` (the integration id) is bound into the ciphertext, so
/// one integration's sealed credentials cannot be pasted onto another's record.
#[async_trait]
pub trait Vault: Send + Sync {
    async fn seal(&self, context: &str, creds: &Credentials) -> Result<Vec<u8>, VaultError>;
    async fn open(&self, context: &str, sealed: &[u8]) -> Result<Credentials, VaultError>;
}
