//! placeholder
pub mod error;
pub mod minhash;
pub mod lsh;
