//! Integration tests: drive the POS emulator over real HTTP.

mod common;

mod auth;
mod catalog;
mod contract;
mod control;
mod events;
mod faults;
mod paging;
mod sales;
mod stock;
