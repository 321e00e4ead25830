//! pos emulator (under construction).
