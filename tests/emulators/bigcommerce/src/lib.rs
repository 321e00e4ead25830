//! bigcommerce emulator (under construction).
