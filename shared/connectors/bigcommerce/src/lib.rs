//! bigcommerce connector (mapping first; the client follows).
