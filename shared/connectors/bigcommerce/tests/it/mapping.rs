//! The mapping's bodies are what the emulator (shaped after the platform's OpenAPI) accepts.

use posbridge_connector_bigcommerce::{
    BcOptions, Lookups, ShippingDetails, Write, customer_from_bc, customer_to_bc, product_from_bc, product_to_bc,
};
use posbridge_domain::model::{Address, Customer, MappingOptions, Sku};
use serde_json::json;

use crate::common::Env;

#[tokio::test]
async fn a_mapped_product_create_is_accepted_and_reads_back_the_same() {
    let env = Env::new().await;
    let (opts, bc, lookups) = (MappingOptions::default(), BcOptions::default(), Lookups::default());
    let seeded = env
        .client
        .create_product(&json!({ "name": "Mug", "type": "physical", "weight": 0.35, "price": 12.5, "cost_price": 4.25,
            "sku": "MUG-1", "upc": "9300000000017", "inventory_tracking": "product", "description": "<p>A mug</p>" }))
        .await
        .unwrap();
    let mut p = product_from_bc(&seeded, &opts, &bc, &lookups).unwrap().value.product;
    p.name = "Mug copy".into();
    p.sku = Some(Sku::parse("MUG-2").unwrap());
    let body = product_to_bc(&p, &ShippingDetails::default(), Write::Create, &opts, &bc, &lookups).unwrap().value;
    let created = env.client.create_product_settled(&body).await.unwrap();
    assert!(created.was_created());
    let back = product_from_bc(
        &env.client.get_product(created.get()["id"].as_u64().unwrap()).await.unwrap(),
        &opts,
        &bc,
        &lookups,
    )
    .unwrap()
    .value
    .product;
    assert_eq!((back.name.as_str(), back.sku.as_ref().map(|s| s.to_string())), ("Mug copy", Some("MUG-2".into())));
    assert_eq!(back.prices, p.prices);
    assert_eq!(back.barcode, p.barcode);
}

#[tokio::test]
async fn a_mapped_customer_create_is_accepted() {
    let env = Env::new().await;
    let c = Customer {
        id: None,
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        email: Some("ada@example.com".into()),
        phone: Some("0400000000".into()),
        company: None,
        group: None,
        billing: Some(Address {
            line1: Some("1 Main St".into()),
            city: Some("Sydney".into()),
            postcode: Some("2000".into()),
            country_code: Some("AU".into()),
            ..Address::default()
        }),
        shipping: None,
    };
    let lookups = Lookups::default();
    let body = customer_to_bc(&c, Write::Create, &lookups).unwrap().value;
    let created = env.client.create_customer_settled(&body).await.unwrap().into_inner();
    let got = env.client.get_customer(created["id"].as_u64().unwrap()).await.unwrap();
    let back = customer_from_bc(&got, &lookups).unwrap().value;
    assert_eq!((back.email, back.last_name), (c.email, c.last_name));
    assert_eq!(back.billing.and_then(|a| a.city), Some("Sydney".into()));
}
