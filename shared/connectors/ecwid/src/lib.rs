//! ecwid connector (mapping first; the client follows).
