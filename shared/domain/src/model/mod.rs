//! The canonical model: plain data, no I/O, no platform JSON.

mod entities;
mod values;

pub use entities::*;
pub use values::*;
