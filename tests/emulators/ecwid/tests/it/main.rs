//! Integration tests: the emulator driven over real HTTP, one test per documented behaviour.

mod auth;
mod batch;
mod catalog;
mod common;
mod control;
mod customers;
mod limits;
mod oauth;
mod orders;
mod reference;
mod shape;
mod webhooks;
