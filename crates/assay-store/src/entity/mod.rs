//! Table mappings. Rows are plain data; the rules about them live in `assay-domain` and in the store modules.

pub mod access_token;
pub mod account;
pub mod account_user;
pub mod event;
pub mod login;
pub mod user;
