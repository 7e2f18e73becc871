//! Table mappings. Rows are plain data; the rules about them live in `assay-domain` and in the store modules.

pub mod access_token;
pub mod account;
pub mod account_user;
pub mod api_key;
pub mod assignment;
pub mod assignment_extension;
pub mod assignment_group;
pub mod assignment_override;
pub mod assignment_override_student;
pub mod content_migration;
pub mod course;
pub mod course_section;
pub mod developer_key;
pub mod enrollment;
pub mod enrollment_term;
pub mod event;
pub mod group;
pub mod group_category;
pub mod group_membership;
pub mod login;
pub mod migration_issue;
pub mod partner;
pub mod progress;
pub mod sis_import;
pub mod user;
pub mod user_api_key;
