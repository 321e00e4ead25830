//! Integration tests: each drives a real emulator over HTTP.

mod auth;
mod batch;
mod catalog;
mod control;
mod listing;
mod sales;
mod shape;
mod support;
mod webhooks;
