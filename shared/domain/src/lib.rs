//! posbridge domain.
