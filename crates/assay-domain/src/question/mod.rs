//! Questions: the typed answer model of every question type (`model`), and — pure, no I/O — their validation,
//! scoring, formula evaluation and HTML sanitising.

pub mod formula;
pub mod model;
pub mod validate;

pub use model::{AnswerModel, Draw, QuestionBody, QuestionType, Response};
pub use validate::{sanitize_body, validate};
