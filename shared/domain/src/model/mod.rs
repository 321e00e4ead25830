//! The canonical model: plain data, no I/O, no platform JSON.

mod entities;
mod options;
mod values;

pub use entities::*;
pub use options::*;
pub use values::*;
