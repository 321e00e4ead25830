//! [`Vault`] with envelope encryption under a KMS key: each seal asks KMS for a fresh data key
//! (`GenerateDataKey`, AES-256, with the integration id as encryption context), encrypts the
//! credentials locally with AES-256-GCM, and stores the KMS-wrapped data key beside the
//! ciphertext. Opening asks KMS to unwrap the data key (`Decrypt`, same context). The plaintext
//! data key never leaves memory; KMS never sees the credentials.
//!
//! Layout: `b"PBK1" || u16 wrapped-key length || wrapped key || nonce (12) || ciphertext+tag`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use posbridge_domain::ports::{Credentials, Vault, VaultError};
use rand::RngCore;

const MAGIC: &[u8; 4] = b"PBK1";

pub struct KmsVault {
    client: Client,
    key_id: String,
}

impl KmsVault {
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self { client, key_id: key_id.into() }
    }
}

fn unavailable<E: std::error::Error + Send + Sync + 'static>(e: E) -> VaultError {
    VaultError::Unavailable(Box::new(e))
}

#[async_trait]
impl Vault for KmsVault {
    async fn seal(&self, context: &str, creds: &Credentials) -> Result<Vec<u8>, VaultError> {
        let dk = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .encryption_context("integration", context)
            .send()
            .await
            .map_err(unavailable)?;
        let (Some(plain_key), Some(wrapped)) = (dk.plaintext, dk.ciphertext_blob) else {
            return Err(VaultError::Corrupt);
        };
        let cipher = Aes256Gcm::new_from_slice(plain_key.as_ref()).map_err(|_| VaultError::Corrupt)?;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: &creds.to_bytes(), aad: context.as_bytes() })
            .map_err(|_| VaultError::Corrupt)?;
        let wrapped = wrapped.into_inner();
        let len = u16::try_from(wrapped.len()).map_err(|_| VaultError::Corrupt)?;
        let mut out = Vec::with_capacity(4 + 2 + wrapped.len() + 12 + ct.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&wrapped);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    async fn open(&self, context: &str, sealed: &[u8]) -> Result<Credentials, VaultError> {
        if sealed.len() < 6 || &sealed[..4] != MAGIC {
            return Err(VaultError::Corrupt);
        }
        let len = usize::from(u16::from_be_bytes([sealed[4], sealed[5]]));
        let rest = &sealed[6..];
        if rest.len() < len + 12 + 16 {
            return Err(VaultError::Corrupt);
        }
        let (wrapped, rest) = rest.split_at(len);
        let (nonce, ct) = rest.split_at(12);
        let dk = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(wrapped.to_vec()))
            .encryption_context("integration", context)
            .send()
            .await
            .map_err(|e| {
                // A wrong context or a foreign key is the caller's data problem, not an outage.
                if e.as_service_error().is_some_and(|se| se.is_invalid_ciphertext_exception()) {
                    VaultError::Corrupt
                } else {
                    unavailable(e)
                }
            })?;
        let plain_key = dk.plaintext.ok_or(VaultError::Corrupt)?;
        let cipher = Aes256Gcm::new_from_slice(plain_key.as_ref()).map_err(|_| VaultError::Corrupt)?;
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() })
            .map_err(|_| VaultError::Corrupt)?;
        Credentials::from_bytes(&plain)
    }
}
