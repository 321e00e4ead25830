//! Runs the conformance suite against both adapters of every port.
//!
//! The AWS half talks to the local AWS-compatible server that `make test` starts (moto); it
//! needs `AWS_ENDPOINT_URL` and fails with a clear message without it.

mod aws;
mod embedded;
mod kms;
mod rate;
