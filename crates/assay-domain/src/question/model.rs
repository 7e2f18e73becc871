//! The shape of a question: one typed answer model per question type. This is what the store keeps (as JSON, one
//! document per question version), what scoring reads, and what QTI and the Canvas surface translate to and from.
//! Field names are stable: stored documents must keep deserializing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Canvas's `question_type` names, and Assay's own for the one type classic Canvas lacks (ordering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    MultipleChoice,
    TrueFalse,
    MultipleAnswers,
    ShortAnswer,
    FillInMultipleBlanks,
    MultipleDropdowns,
    Matching,
    Ordering,
    Numerical,
    Calculated,
    Essay,
    FileUpload,
    TextOnly,
}

impl QuestionType {
    pub const ALL: [QuestionType; 13] = [
        QuestionType::MultipleChoice,
        QuestionType::TrueFalse,
        QuestionType::MultipleAnswers,
        QuestionType::ShortAnswer,
        QuestionType::FillInMultipleBlanks,
        QuestionType::MultipleDropdowns,
        QuestionType::Matching,
        QuestionType::Ordering,
        QuestionType::Numerical,
        QuestionType::Calculated,
        QuestionType::Essay,
        QuestionType::FileUpload,
        QuestionType::TextOnly,
    ];

    /// The Canvas `question_type` string (`multiple_choice_question`, …).
    pub const fn canvas_name(self) -> &'static str {
        match self {
            QuestionType::MultipleChoice => "multiple_choice_question",
            QuestionType::TrueFalse => "true_false_question",
            QuestionType::MultipleAnswers => "multiple_answers_question",
            QuestionType::ShortAnswer => "short_answer_question",
            QuestionType::FillInMultipleBlanks => "fill_in_multiple_blanks_question",
            QuestionType::MultipleDropdowns => "multiple_dropdowns_question",
            QuestionType::Matching => "matching_question",
            QuestionType::Ordering => "ordering_question",
            QuestionType::Numerical => "numerical_question",
            QuestionType::Calculated => "calculated_question",
            QuestionType::Essay => "essay_question",
            QuestionType::FileUpload => "file_upload_question",
            QuestionType::TextOnly => "text_only_question",
        }
    }

    pub fn from_canvas_name(s: &str) -> Option<QuestionType> {
        QuestionType::ALL.into_iter().find(|t| t.canvas_name() == s)
    }

    /// Whether scoring needs a person (essay, file upload).
    pub const fn is_manually_scored(self) -> bool {
        matches!(self, QuestionType::Essay | QuestionType::FileUpload)
    }
}

/// A question as authored: the prompt, the points it is worth, feedback, and its typed answer model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionBody {
    /// Short name shown to authors (`question_name`).
    pub name: String,
    /// The prompt, as sanitised HTML. Blanks and dropdowns are marked `[id]` in it, as Canvas does.
    pub text: String,
    pub points_possible: f64,
    #[serde(default)]
    pub feedback: Feedback,
    pub answer: AnswerModel,
}

/// Comments shown after answering.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorrect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral: Option<String>,
}

/// One option of a choice question. `id` is stable across versions (Canvas's answer `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    /// Sanitised HTML.
    pub text: String,
    pub correct: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// How multiple-answers questions give partial credit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialCredit {
    /// Canvas's rule: each correct choice picked earns its share, each wrong choice picked costs a share; never
    /// below zero.
    #[default]
    CorrectMinusIncorrect,
    /// Points only when exactly the correct set is picked.
    AllOrNothing,
    /// Each choice (picked correctly or left out correctly) earns its share.
    PerChoice,
}

/// How typed answers are compared with the accepted ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMatch {
    /// Case matters (Canvas: no).
    #[serde(default)]
    pub case_sensitive: bool,
    /// Runs of whitespace count as one space and leading/trailing whitespace is ignored (Canvas: yes).
    #[serde(default = "yes")]
    pub normalize_whitespace: bool,
}

fn yes() -> bool {
    true
}

impl Default for TextMatch {
    fn default() -> Self {
        TextMatch { case_sensitive: false, normalize_whitespace: true }
    }
}

/// A blank of a fill-in-multiple-blanks question: the `[id]` in the text and what is accepted there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blank {
    pub id: String,
    pub accepted: Vec<String>,
}

/// A dropdown of a multiple-dropdowns question: the `[id]` in the text and its options (exactly one correct).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropdown {
    pub id: String,
    pub choices: Vec<Choice>,
}

/// A left-hand item of a matching question and the right-hand text that matches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchPair {
    pub id: String,
    pub left: String,
    pub right: String,
}

/// An item of an ordering question; the correct order is the order of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub id: String,
    pub text: String,
}

/// One accepted numerical answer (Canvas's `numerical_answer_type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NumericAnswer {
    /// `value ± margin` (inclusive).
    Exact { value: f64, margin: f64 },
    /// `start ≤ x ≤ end`.
    Range { start: f64, end: f64 },
    /// `value` to `precision` significant digits.
    Precision { value: f64, precision: u32 },
}

/// A variable of a calculated (formula) question, drawn per candidate from `[min, max]` rounded to `scale`
/// decimal places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub scale: u32,
}

/// How far a calculated answer may be from the formula's value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tolerance {
    Absolute {
        value: f64,
    },
    /// A percentage of the correct value.
    Percent {
        value: f64,
    },
}

/// The answer model of each question type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerModel {
    MultipleChoice {
        choices: Vec<Choice>,
    },
    TrueFalse {
        correct: bool,
    },
    MultipleAnswers {
        choices: Vec<Choice>,
        #[serde(default)]
        partial_credit: PartialCredit,
    },
    ShortAnswer {
        accepted: Vec<String>,
        #[serde(default)]
        text_match: TextMatch,
    },
    FillInMultipleBlanks {
        blanks: Vec<Blank>,
        #[serde(default)]
        text_match: TextMatch,
    },
    MultipleDropdowns {
        dropdowns: Vec<Dropdown>,
    },
    Matching {
        pairs: Vec<MatchPair>,
        /// Right-hand options that match nothing.
        #[serde(default)]
        distractors: Vec<String>,
    },
    Ordering {
        items: Vec<OrderItem>,
    },
    Numerical {
        answers: Vec<NumericAnswer>,
    },
    Calculated {
        variables: Vec<Variable>,
        /// An arithmetic expression over the variables (`+ - * / ^`, parentheses, and functions such as
        /// `sqrt`, `abs`, `sin`, `ln`, `log`, `exp`, `round`, `min`, `max`); evaluated by Assay's own parser.
        formula: String,
        tolerance: Tolerance,
        /// Decimal places of the displayed correct answer.
        decimal_places: u32,
    },
    Essay,
    FileUpload {
        /// Allowed file extensions without the dot; empty: any.
        #[serde(default)]
        allowed_extensions: Vec<String>,
    },
    TextOnly,
}

impl AnswerModel {
    pub const fn question_type(&self) -> QuestionType {
        match self {
            AnswerModel::MultipleChoice { .. } => QuestionType::MultipleChoice,
            AnswerModel::TrueFalse { .. } => QuestionType::TrueFalse,
            AnswerModel::MultipleAnswers { .. } => QuestionType::MultipleAnswers,
            AnswerModel::ShortAnswer { .. } => QuestionType::ShortAnswer,
            AnswerModel::FillInMultipleBlanks { .. } => QuestionType::FillInMultipleBlanks,
            AnswerModel::MultipleDropdowns { .. } => QuestionType::MultipleDropdowns,
            AnswerModel::Matching { .. } => QuestionType::Matching,
            AnswerModel::Ordering { .. } => QuestionType::Ordering,
            AnswerModel::Numerical { .. } => QuestionType::Numerical,
            AnswerModel::Calculated { .. } => QuestionType::Calculated,
            AnswerModel::Essay => QuestionType::Essay,
            AnswerModel::FileUpload { .. } => QuestionType::FileUpload,
            AnswerModel::TextOnly => QuestionType::TextOnly,
        }
    }
}

/// A candidate's response to one question, in the shape of its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Response {
    /// Multiple choice: the chosen choice id.
    Choice(String),
    /// True/false.
    Bool(bool),
    /// Multiple answers: the chosen choice ids.
    Choices(Vec<String>),
    /// Short answer and essay: the text typed.
    Text(String),
    /// Fill in multiple blanks: blank id → text; multiple dropdowns: dropdown id → choice id.
    Blanks(BTreeMap<String, String>),
    /// Matching: pair id → the right-hand text chosen.
    Matches(BTreeMap<String, String>),
    /// Ordering: item ids in the candidate's order.
    Order(Vec<String>),
    /// Numerical and calculated: the number typed, as typed (parsed by scoring).
    Number(String),
    /// File upload: ids of the uploaded files.
    Files(Vec<i64>),
}

/// The values drawn for a calculated question in one attempt (variable name → value).
pub type Draw = BTreeMap<String, f64>;
