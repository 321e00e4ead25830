//! posbridge's domain: the canonical model, the ports (storage and queue traits) and their
//! embedded adapters. Pure code here knows nothing of AWS or HTTP; production adapters live in
//! `posbridge-aws`, platform clients at the edges.

pub mod apply;
pub mod embedded;
pub mod model;
pub mod ports;
pub mod settings;
