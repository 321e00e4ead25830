//! Activation end to end: posbridge's activation served over HTTP, the four emulators over HTTP.

mod flows;
mod harness;
