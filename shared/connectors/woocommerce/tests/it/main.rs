//! Contract tests of the WooCommerce client against `emu-woocommerce` over real HTTP.

mod batch;
mod crud;
mod faults;
mod mapping;
mod paging;
mod settle;
mod support;
