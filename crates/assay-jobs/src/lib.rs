//! Background jobs: SIS imports (Canvas SIS CSV and OneRoster 1.2 CSV) and bulk enrollment, and the worker that
//! runs them. A job is a `sis_imports` row with a Progress; the worker claims queued jobs, applies them in short
//! chunked transactions, reports completion on the Progress, and takes over jobs whose worker died (imports are
//! idempotent, so running one again is safe).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod apply;
pub mod batch;
pub mod parse;
pub mod qti_import;
mod sql;
pub mod worker;

pub use parse::{INSTRUCTURE_CSV, Inspected, ONEROSTER_CSV, inspect};
pub use worker::{BulkEnrollment, spawn_worker};
