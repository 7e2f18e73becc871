//! QTI 1.2 in the Canvas flavour: reading packages (Canvas quiz exports, `text2qti` output, bare QTI documents) into
//! Assay's question model, and writing tests and banks as packages Canvas and `text2qti`-style readers accept.
//!
//! Pure: bytes in, values out. Anything a package holds that the model cannot carry becomes a [`Warning`]; nothing
//! is dropped silently. A package that is not a readable zip or XML document is a [`QtiError`].
//!
//! The package layout written is Canvas's (and `text2qti`'s): `imsmanifest.xml`; for each test
//! `<ident>/<ident>.xml` (a `questestinterop` with one `assessment`) and `<ident>/assessment_meta.xml` (Canvas's
//! quiz settings); for each bank `non_cc_assessments/<ident>.xml.qti` (a `questestinterop` with one `objectbank`), as
//! Canvas course exports place banks.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod answer_sets;
mod item;
mod numbers;
mod read;
mod write;
mod xml;

#[cfg(test)]
mod tests;

use assay_domain::question::QuestionBody;

pub use read::read_package;
pub use write::{Written, write_package};

/// What a package holds: tests (assessments), question banks, and warnings about what could not be carried over.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Package {
    pub assessments: Vec<Assessment>,
    pub banks: Vec<Bank>,
    /// Reading: everything unsupported or changed on the way in. Ignored when writing.
    pub warnings: Vec<Warning>,
}

/// A test: its settings and its entries (questions and question groups) in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assessment {
    pub ident: String,
    pub title: String,
    /// HTML.
    pub description: Option<String>,
    pub settings: Settings,
    pub entries: Vec<Entry>,
}

/// One entry of a test's root section.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Item(Item),
    Group(Group),
}

/// A question group: `pick_count` questions drawn from its own items or from a bank.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub ident: String,
    pub title: String,
    pub pick_count: u32,
    /// Points each drawn question is worth in this test (overrides the questions' own).
    pub points_per_item: Option<f64>,
    /// The bank the group draws from (`sourcebank_ref`): the ident of a bank of this package, or as written when the
    /// bank is not in it (a warning says so).
    pub bank_ref: Option<String>,
    pub items: Vec<Item>,
}

/// A question bank (`objectbank`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bank {
    pub ident: String,
    pub title: String,
    pub items: Vec<Item>,
}

/// One question.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub ident: String,
    /// Canvas's `question_type` as the package wrote it (absent in generic QTI).
    pub canvas_type: Option<String>,
    /// Canvas's `assessment_question_identifierref`: the bank question this test question was made from.
    pub bank_item_ref: Option<String>,
    pub body: QuestionBody,
}

/// Canvas's quiz settings (`assessment_meta.xml` and the assessment's `qtimetadata`); absent when not given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// Minutes.
    pub time_limit: Option<i64>,
    /// -1: unlimited.
    pub allowed_attempts: Option<i64>,
    pub shuffle_answers: Option<bool>,
    /// `keep_highest`, `keep_latest`, `keep_average`.
    pub scoring_policy: Option<String>,
    /// `assignment`, `practice_quiz`, `graded_survey`, `survey`.
    pub quiz_type: Option<String>,
    pub points_possible: Option<f64>,
    pub show_correct_answers: Option<bool>,
    pub show_correct_answers_last_attempt: Option<bool>,
    /// `always`, `until_after_last_attempt`, or none.
    pub hide_results: Option<String>,
    pub one_question_at_a_time: Option<bool>,
    pub cant_go_back: Option<bool>,
    pub one_time_results: Option<bool>,
    pub anonymous_submissions: Option<bool>,
    pub access_code: Option<String>,
    pub ip_filter: Option<String>,
    /// ISO 8601, as written.
    pub due_at: Option<String>,
    pub unlock_at: Option<String>,
    pub lock_at: Option<String>,
    /// Canvas's `available` (published).
    pub published: Option<bool>,
}

/// Something in a package that Assay could not carry over as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The item (question) ident, when the warning is about one.
    pub item: Option<String>,
    pub message: String,
}

impl Warning {
    pub(crate) fn package(message: impl Into<String>) -> Warning {
        Warning { item: None, message: message.into() }
    }

    pub(crate) fn item(ident: &str, message: impl Into<String>) -> Warning {
        Warning { item: Some(ident.to_owned()), message: message.into() }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{item}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a package could not be read or written at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QtiError {
    #[error("the package is not a readable zip archive: {0}")]
    Zip(String),
    #[error("{file} is not well-formed XML: {message}")]
    Xml { file: String, message: String },
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    NotQti(String),
    #[error("writing the package failed: {0}")]
    Write(String),
}
