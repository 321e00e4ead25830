//! ecwid emulator (under construction).
