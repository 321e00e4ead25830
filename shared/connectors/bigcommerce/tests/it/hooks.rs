use std::collections::BTreeMap;

use serde_json::json;

use crate::common::Env;

#[tokio::test]
async fn hooks_are_subscribed_once_and_managed() {
    let env = Env::new().await;
    let c = &env.client;
    let headers = BTreeMap::from([("x-posbridge".to_string(), "s3cret".to_string())]);
    let dest = "http://127.0.0.1:9/hooks";
    let h = c.ensure_hook("store/product/*", dest, &headers).await.unwrap();
    assert!(h.was_created());
    let id = h.get()["id"].as_u64().unwrap();
    assert_eq!(h.get()["headers"]["x-posbridge"], "s3cret");
    // Again: the same hook, nothing new.
    let again = c.ensure_hook("store/product/*", dest, &headers).await.unwrap();
    assert!(!again.was_created());
    assert_eq!(again.get()["id"], id);
    assert_eq!(c.list_hooks().await.unwrap().len(), 1);
    // Deactivated by the platform: ensure re-enables it.
    c.update_hook(id, &json!({ "is_active": false })).await.unwrap();
    let re = c.ensure_hook("store/product/*", dest, &headers).await.unwrap();
    assert_eq!(re.get()["is_active"], true);
    assert_eq!(c.get_hook(id).await.unwrap()["is_active"], true);
    c.create_hook("store/order/*", dest, &BTreeMap::new()).await.unwrap();
    assert_eq!(c.list_hooks().await.unwrap().len(), 2);
    c.delete_hook(id).await.unwrap();
    assert_eq!(c.list_hooks().await.unwrap().len(), 1);
    assert!(c.find_hook("store/product/*", dest).await.unwrap().is_none());
}
