//! Integration tests: drive the BigCommerce emulator over real HTTP.

mod auth;
mod catalog;
mod common;
mod conformance;
mod customers;
mod inventory;
mod limits;
mod openapi;
mod orders;
mod webhooks;
