//! The `assay` binary's building blocks, as a library so tests can start the real server in-process.

pub mod admin;
pub mod config;
pub mod demo;
pub mod server;

pub use config::Config;
pub use server::Server;
