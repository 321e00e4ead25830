//! woocommerce emulator (under construction).
