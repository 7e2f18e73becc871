use sea_orm::{DbErr, SqlErr};

/// What the store can report. Constraint violations are classified here, once, for both backends.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in the caller's scope.
    #[error("not found")]
    NotFound,
    /// A unique value is already taken; `field` is the request field it came from (e.g. `sis_user_id`).
    #[error("`{field}` is already in use")]
    Conflict { field: &'static str },
    /// The object is in a state that does not allow the change (e.g. deleting an account with sub-accounts).
    #[error("{message}")]
    Busy { message: String },
    /// A page bookmark that does not fit the list it was sent to.
    #[error("malformed page bookmark: {0}")]
    BadBookmark(&'static str),
    /// A value is impossible for reasons only the store can see (e.g. moving an account below itself).
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// `Invalid`, for one item of a batch: `field` is the whole path (`assignment_overrides/2/due_at`).
    #[error("{message}")]
    InvalidItem { field: String, message: String },
    /// The database cannot be reached (no connection could be made or acquired in time).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbErr),
    #[error("database error: {0}")]
    Database(#[source] DbErr),
    #[error("migration error: {0}")]
    Migration(String),
}

/// Unique indexes whose violation is a caller's mistake, with the field to blame. SQLite names the columns in
/// its message (`UNIQUE constraint failed: users.root_account_id, users.sis_user_id`) while PostgreSQL names the
/// index (`duplicate key value violates unique constraint "ux_users_sis_user_id"`), so each row carries both.
const UNIQUE_FIELDS: &[(&str, &str, &str)] = &[
    ("ux_accounts_sis_account_id", "accounts.sis_account_id", "sis_account_id"),
    ("ux_accounts_integration_id", "accounts.integration_id", "integration_id"),
    ("ux_users_sis_user_id", "users.sis_user_id", "sis_user_id"),
    ("ux_users_integration_id", "users.integration_id", "integration_id"),
    ("ux_logins_unique_id", "logins.unique_id_normalized", "unique_id"),
    ("ux_courses_sis_course_id", "courses.sis_course_id", "sis_course_id"),
    ("ux_courses_integration_id", "courses.integration_id", "integration_id"),
    ("ux_sections_sis_section_id", "course_sections.sis_section_id", "sis_section_id"),
    ("ux_sections_integration_id", "course_sections.integration_id", "integration_id"),
    ("ux_terms_sis_term_id", "enrollment_terms.sis_term_id", "sis_term_id"),
    ("ux_group_categories_sis_id", "group_categories.sis_group_category_id", "sis_group_category_id"),
    ("ux_groups_sis_group_id", "groups.sis_group_id", "sis_group_id"),
    (
        "ux_assignments_sis_assignment_id",
        "assignments.root_account_id, assignments.sis_assignment_id",
        "sis_assignment_id",
    ),
    (
        "ux_assignment_overrides_section",
        "assignment_overrides.assignment_id, assignment_overrides.course_section_id",
        "course_section_id",
    ),
    ("ux_assignment_overrides_group", "assignment_overrides.assignment_id, assignment_overrides.group_id", "group_id"),
    (
        "ux_assignment_override_students_user",
        "assignment_override_students.assignment_id, assignment_override_students.user_id",
        "student_ids",
    ),
    ("ux_group_memberships_group_user", "group_memberships.group_id, group_memberships.user_id", "user_id"),
    ("ux_question_banks_external_id", "question_banks.root_account_id, question_banks.external_id", "external_id"),
    ("ux_questions_bank_external_id", "questions.bank_id, questions.external_id", "external_id"),
    ("ux_quiz_extensions_quiz_user", "quiz_extensions.quiz_id, quiz_extensions.user_id", "user_id"),
    ("ux_quiz_contributors_quiz_user", "quiz_contributors.quiz_id, quiz_contributors.user_id", "user_id"),
    ("ux_late_policies_course", "late_policies.course_id", "late_policy"),
    (
        "ux_rubric_associations_target",
        "rubric_associations.association_type, rubric_associations.association_id",
        "rubric_association/association_id",
    ),
    // An expression index: SQLite names it (`UNIQUE constraint failed: index 'ux_appeals_open'`) like PostgreSQL.
    ("ux_appeals_open", "ux_appeals_open", "appeal"),
];

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
            for (index, columns, field) in UNIQUE_FIELDS {
                if message.contains(index) || message.contains(columns) {
                    return StoreError::Conflict { field };
                }
            }
        }
        if matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) {
            return StoreError::Unavailable(err);
        }
        StoreError::Database(err)
    }
}

impl<E: Into<StoreError> + std::fmt::Display + std::fmt::Debug> From<sea_orm::TransactionError<E>> for StoreError {
    fn from(err: sea_orm::TransactionError<E>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner.into(),
        }
    }
}
