//! Questions: the typed answer model of every question type (`model`), and — pure, no I/O — their validation,
//! scoring, formula evaluation and HTML sanitising.

pub mod formula;
pub mod model;
pub mod score;
pub mod validate;
pub mod view;

/// One valid question of every type: for tests, the demo and benchmarks.
pub mod samples;

pub use model::{AnswerModel, Draw, QuestionBody, QuestionType, Response};
pub use score::{Outcome, Score, correct_response, score};
pub use validate::{sanitize_body, validate};
pub use view::{CandidateAnswer, CandidateView, candidate_view};
