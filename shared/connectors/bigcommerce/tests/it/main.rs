//! Contract tests of the BigCommerce client against the emulator (`emu-bigcommerce`), over real
//! HTTP on a free port: every method, paging, batch splitting, 429/5xx bursts, pacing, and creates
//! whose answer is lost that must not leave a duplicate.

mod catalog;
mod common;
mod customers;
mod faults;
mod hooks;
mod mapping;
mod orders;
