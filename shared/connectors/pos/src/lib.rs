//! pos connector (mapping first; the client follows).
