//! The one internal model every roster format is read into: rows of accounts, terms, courses, sections, users and
//! enrollments, each remembering the file and line it came from so problems are reported against the input.

use std::sync::Arc;

use chrono::{DateTime, Utc};

/// A problem with one row (or one file): `[file, message]` on the wire, as Canvas reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub file: String,
    /// The row the message is about (0: the whole file); reports are sorted by it.
    pub line: u64,
    pub message: String,
}

impl Message {
    pub fn at(file: &str, line: u64, message: impl std::fmt::Display) -> Message {
        Message { file: file.to_owned(), line, message: format!("row {line}: {message}") }
    }

    pub fn file(file: &str, message: impl std::fmt::Display) -> Message {
        Message { file: file.to_owned(), line: 0, message: message.to_string() }
    }

    pub fn pair(&self) -> [String; 2] {
        [self.file.clone(), self.message.clone()]
    }
}

/// A row with where it came from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub file: Arc<str>,
    /// 1-based line of the row in its file (the header is line 1).
    pub line: u64,
    pub row: T,
}

impl<T> Located<T> {
    pub fn error(&self, message: impl std::fmt::Display) -> Message {
        Message::at(&self.file, self.line, message)
    }
}

/// A reference to an object: by SIS id (CSV imports) or by Assay id (bulk enrollment).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Sis(String),
    Id(i64),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Sis(s) => write!(f, "`{s}`"),
            Key::Id(id) => write!(f, "id {id}"),
        }
    }
}

/// A date column: absent (leave the stored value), blank (clear it) or a time.
pub type DateField = Option<Option<DateTime<Utc>>>;

#[derive(Debug, Clone)]
pub struct AccountRow {
    pub sis_id: String,
    /// `None`: the school's root account.
    pub parent: Option<String>,
    pub name: String,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct TermRow {
    pub sis_id: String,
    pub name: String,
    pub deleted: bool,
    pub start_at: DateField,
    pub end_at: DateField,
}

/// Canvas's course statuses: `active` keeps a live course as it is (a new one starts unpublished), `published`
/// makes it available, `completed` concludes it, `deleted` deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseStatus {
    Active,
    Published,
    Completed,
    Deleted,
}

#[derive(Debug, Clone)]
pub struct CourseRow {
    pub sis_id: String,
    pub course_code: String,
    pub name: String,
    /// `None`: the root account.
    pub account: Option<String>,
    pub term: Option<String>,
    pub status: CourseStatus,
    pub start_at: DateField,
    pub end_at: DateField,
}

#[derive(Debug, Clone)]
pub struct SectionRow {
    pub sis_id: String,
    pub course: String,
    pub name: String,
    pub deleted: bool,
    pub start_at: DateField,
    pub end_at: DateField,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub sis_id: String,
    pub login_id: String,
    pub password: Option<String>,
    pub name: String,
    pub sortable_name: Option<String>,
    pub short_name: Option<String>,
    pub email: Option<String>,
    /// `None`: the column is absent (leave the stored value).
    pub integration_id: Option<Option<String>>,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct EnrollmentRow {
    pub course: Option<Key>,
    pub section: Option<Key>,
    pub user: Key,
    /// `StudentEnrollment`, `TeacherEnrollment`, …
    pub kind: &'static str,
    /// `active`, `deleted`, `completed` or `inactive`.
    pub state: &'static str,
    pub associated_user: Option<Key>,
    pub limit_section_privileges: bool,
}

/// Everything one import asks for, in the order it is applied.
#[derive(Debug, Default)]
pub struct Batch {
    pub accounts: Vec<Located<AccountRow>>,
    pub terms: Vec<Located<TermRow>>,
    pub courses: Vec<Located<CourseRow>>,
    pub sections: Vec<Located<SectionRow>>,
    pub users: Vec<Located<UserRow>>,
    pub enrollments: Vec<Located<EnrollmentRow>>,
    /// Account SIS ids that stand for the school's root account itself (OneRoster orgs without a parent).
    pub root_aliases: Vec<String>,
    /// Canvas's `supplied_batches`: `account`, `term`, `course`, `section`, `user`, `enrollment`.
    pub supplied: Vec<&'static str>,
    pub errors: Vec<Message>,
    pub warnings: Vec<Message>,
}

impl Batch {
    pub fn supply(&mut self, kind: &'static str) {
        if !self.supplied.contains(&kind) {
            self.supplied.push(kind);
        }
    }

    pub fn rows(&self) -> usize {
        self.accounts.len()
            + self.terms.len()
            + self.courses.len()
            + self.sections.len()
            + self.users.len()
            + self.enrollments.len()
    }
}
