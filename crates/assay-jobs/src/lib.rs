//! Background jobs: SIS imports (Canvas SIS CSV and OneRoster 1.2 CSV) and bulk enrollment, QTI imports, and the
//! jobs of the generic job table (bulk date changes of assignments), and the worker that runs them. A SIS job is a
//! `sis_imports` row with a Progress; the worker claims queued jobs, applies them in short chunked transactions,
//! reports completion on the Progress, and takes over jobs whose worker died (imports are idempotent, so running
//! one again is safe). Generic jobs (`jobs` table) are dispatched by kind (see `queue`).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod apply;
mod assignment_dates;
pub mod batch;
pub mod parse;
pub mod qti_import;
pub mod queue;
mod sql;
pub mod worker;

pub use parse::{INSTRUCTURE_CSV, Inspected, ONEROSTER_CSV, inspect};
pub use worker::{BulkEnrollment, spawn_worker};
