//! [`Vault`] with a local AES-256-GCM key: the local stack's and tests' stand-in for KMS.
//! Layout: `b"PBV1" || nonce (12) || ciphertext+tag`, with the context as associated data.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use rand::RngCore;

use crate::ports::{Credentials, Vault, VaultError};

const MAGIC: &[u8; 4] = b"PBV1";

pub struct LocalVault {
    cipher: Aes256Gcm,
}

impl LocalVault {
    /// From a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: Aes256Gcm::new(key.into()) }
    }

    /// From 64 hex characters (e.g. `POSBRIDGE_LOCAL_KEY`).
    pub fn from_hex(hex_key: &str) -> Result<Self, String> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| "the key must be 64 hexadecimal characters".to_string())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| "the key must be 32 bytes (64 hex characters)".to_string())?;
        Ok(Self::new(&key))
    }

    /// A fresh random key (nothing survives a restart; fine for the local stack).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::new(&key)
    }
}

#[async_trait]
impl Vault for LocalVault {
    async fn seal(&self, context: &str, creds: &Credentials) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let plain = creds.to_bytes();
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: &plain, aad: context.as_bytes() })
            .map_err(|_| VaultError::Corrupt)?;
        let mut out = Vec::with_capacity(4 + 12 + ct.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    async fn open(&self, context: &str, sealed: &[u8]) -> Result<Credentials, VaultError> {
        if sealed.len() < 4 + 12 + 16 || &sealed[..4] != MAGIC {
            return Err(VaultError::Corrupt);
        }
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(&sealed[4..16]), Payload { msg: &sealed[16..], aad: context.as_bytes() })
            .map_err(|_| VaultError::Corrupt)?;
        Credentials::from_bytes(&plain)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::{ExposeSecret, SecretString};

    use super::*;

    fn creds() -> Credentials {
        Credentials {
            access_token: Some(SecretString::from("tok-SECRET-123")),
            webhook_secret: Some(SecretString::from("whsec-456")),
            expires_at: Some(42),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn sealed_credentials_round_trip_and_hide_the_plaintext() {
        let v = LocalVault::random();
        let sealed = v.seal("int-1", &creds()).await.unwrap();
        let hay = String::from_utf8_lossy(&sealed);
        assert!(!hay.contains("tok-SECRET-123") && !hay.contains("whsec"), "ciphertext leaks the secret");
        let back = v.open("int-1", &sealed).await.unwrap();
        assert_eq!(back.access_token.unwrap().expose_secret(), "tok-SECRET-123");
        assert_eq!(back.expires_at, Some(42));
        assert!(back.refresh_token.is_none());
        // Two seals of the same thing differ (fresh nonce).
        assert_ne!(sealed, v.seal("int-1", &creds()).await.unwrap());
    }

    #[tokio::test]
    async fn another_integration_another_key_or_a_flipped_bit_cannot_open() {
        let v = LocalVault::random();
        let sealed = v.seal("int-1", &creds()).await.unwrap();
        assert!(matches!(v.open("int-2", &sealed).await, Err(VaultError::Corrupt)), "context is bound");
        assert!(matches!(LocalVault::random().open("int-1", &sealed).await, Err(VaultError::Corrupt)));
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(v.open("int-1", &bad).await, Err(VaultError::Corrupt)));
        assert!(matches!(v.open("int-1", b"PBV1short").await, Err(VaultError::Corrupt)));
    }

    #[test]
    fn debug_never_prints_secrets() {
        let s = format!("{:?}", creds());
        assert!(!s.contains("SECRET") && !s.contains("whsec"), "{s}");
        assert!(s.contains("<set>"));
    }

    #[test]
    fn hex_keys_are_validated() {
        assert!(LocalVault::from_hex(&"ab".repeat(32)).is_ok());
        assert!(LocalVault::from_hex("abc").is_err());
        assert!(LocalVault::from_hex(&"zz".repeat(32)).is_err());
    }
}
