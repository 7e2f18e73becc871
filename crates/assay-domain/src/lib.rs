//! Assay's domain: pure types and rules shared by every surface. No I/O, no async, no SQL.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented)]
// Tests may unwrap: a failing test should stop at the failure.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod account;
pub mod api_scope;
pub mod appeal;
pub mod assignment;
pub mod attempt;
pub mod course;
pub mod course_settings;
pub mod enrollment;
pub mod error_code;
pub mod gradebook;
pub mod grading;
pub mod group;
pub mod html;
pub mod id_ref;
pub mod policy;
pub mod question;
pub mod statistics;
pub mod user;
pub mod validation;

pub use error_code::Code;
pub use id_ref::{IdRef, ParseIdRefError};
pub use validation::{FieldError, Validation};
