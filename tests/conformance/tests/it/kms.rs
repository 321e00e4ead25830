//! The KMS envelope vault against the local AWS-compatible server's KMS.

use posbridge_aws::KmsVault;
use posbridge_domain::ports::{Credentials, Vault, VaultError};
use secrecy::{ExposeSecret, SecretString};

#[tokio::test]
async fn kms_vault_seals_with_a_fresh_data_key_bound_to_the_integration() {
    assert!(std::env::var("AWS_ENDPOINT_URL").is_ok(), "AWS_ENDPOINT_URL is not set: run through `make test`");
    let conf = posbridge_aws::load_config().await;
    let kms = aws_sdk_kms::Client::new(&conf);
    let key = kms.create_key().description("posbridge conformance").send().await.unwrap();
    let key_id = key.key_metadata.unwrap().key_id;
    let vault = KmsVault::new(kms.clone(), key_id);
    let creds = Credentials {
        access_token: Some(SecretString::from("tok-VERY-SECRET")),
        refresh_token: Some(SecretString::from("refresh-1")),
        expires_at: Some(99),
        ..Default::default()
    };
    let sealed = vault.seal("int-1", &creds).await.unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("VERY-SECRET"));
    assert_ne!(sealed, vault.seal("int-1", &creds).await.unwrap(), "a fresh data key and nonce each time");
    let back = vault.open("int-1", &sealed).await.unwrap();
    assert_eq!(back.access_token.unwrap().expose_secret(), "tok-VERY-SECRET");
    assert_eq!(back.expires_at, Some(99));
    // Bound to the integration: another context cannot open it; tampering is detected.
    assert!(matches!(vault.open("int-2", &sealed).await, Err(VaultError::Corrupt)));
    let mut bad = sealed.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(vault.open("int-1", &bad).await, Err(VaultError::Corrupt)));
}
