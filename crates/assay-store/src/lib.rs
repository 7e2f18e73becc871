//! Assay's persistence: one query layer for SQLite and PostgreSQL, migrations for both, transactions, the event
//! outbox. Functions over tenant-owned rows take a [`Scope`] and never return another school's rows.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented)]
// Tests may unwrap: a failing test should stop at the failure.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod api_keys;
mod connect;
pub mod courses;
pub mod developer_keys;
pub mod entity;
mod error;
pub mod events;
pub mod logins;
pub mod migration;
pub mod page;
pub mod partners;
mod scope;
pub mod secrets;
pub mod tokens;
pub mod user_api_keys;
pub mod users;

pub use connect::{Backend, Store, StoreOptions, redact as redact_url};
pub use error::StoreError;
pub use page::{Page, PageRequest, Position};
pub use scope::Scope;
pub use sea_orm::{ConnectionTrait, DatabaseTransaction};

/// Sets an active-model field when a change names it; leaves it untouched otherwise.
pub(crate) fn assign<T: Into<sea_orm::Value>>(field: &mut sea_orm::ActiveValue<T>, change: Option<T>) {
    if let Some(value) = change {
        *field = sea_orm::ActiveValue::Set(value);
    }
}

/// Time as the store records it: UTC, microsecond precision (the precision both databases keep).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
