//! woocommerce connector (mapping first; the client follows).
