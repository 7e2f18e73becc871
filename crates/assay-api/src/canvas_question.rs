//! The one translation between Canvas's question JSON (`question_name`, `question_type`, `answers[]` with
//! `answer_weight`, `blank_id`, `answer_match_left`, `numerical_answer_type`, `variables`, `formulas`, …) and
//! Assay's typed [`QuestionBody`]. Banks and quizzes both use it, in both directions.
//!
//! Canvas sends `answers` as a list or as a hash keyed by index (`question[answers][0][answer_text]`); both are
//! read, as are the short names Canvas itself returns (`text`, `weight`, `comments`, `left`, `right`). An answer
//! counts as correct when its weight is above zero. Answer ids that are missing are numbered after the highest
//! id sent, so ids stay stable across edits when clients send them back.
//!
//! Assay additions on the Canvas shape: `partial_credit` (multiple answers), `case_sensitive` and
//! `normalize_whitespace` (short answer, fill in multiple blanks), `allowed_extensions` (file upload), and the
//! `ordering_question` type (answers in their correct order).

use assay_domain::{
    FieldError,
    question::{
        AnswerModel, QuestionBody, QuestionType,
        model::{
            Blank, Choice, Dropdown, Feedback, MatchPair, NumericAnswer, OrderItem, PartialCredit, TextMatch,
            Tolerance, Variable,
        },
    },
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// One Canvas answer, as rendered.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AnswerJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_weight: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_comments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blank_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_match_left: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_match_right: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerical_answer_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
}

/// The Canvas fields of a question (what both quiz questions and bank questions render).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CanvasQuestionJson {
    pub question_name: String,
    pub question_type: String,
    pub question_text: String,
    pub points_possible: f64,
    pub correct_comments: Option<String>,
    pub incorrect_comments: Option<String>,
    pub neutral_comments: Option<String>,
    pub answers: Vec<AnswerJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching_answer_incorrect_matches: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub variables: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub formulas: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub answer_tolerance: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula_decimal_places: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub partial_credit: Option<PartialCredit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_sensitive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalize_whitespace: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_extensions: Option<Vec<String>>,
}

fn id_json(id: &str) -> Value {
    id.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(id))
}

fn choice_answer(c: &Choice, blank: Option<&str>) -> AnswerJson {
    AnswerJson {
        id: Some(id_json(&c.id)),
        answer_text: Some(c.text.clone()),
        answer_weight: Some(if c.correct { 100.0 } else { 0.0 }),
        answer_comments: c.feedback.clone(),
        blank_id: blank.map(str::to_owned),
        ..AnswerJson::default()
    }
}

fn text_answer(id: usize, text: &str, blank: Option<&str>) -> AnswerJson {
    AnswerJson {
        id: Some(Value::from(id)),
        answer_text: Some(text.to_owned()),
        answer_weight: Some(100.0),
        blank_id: blank.map(str::to_owned),
        ..AnswerJson::default()
    }
}

/// Renders a body in Canvas's shape.
pub fn to_canvas(body: &QuestionBody) -> CanvasQuestionJson {
    let mut out = CanvasQuestionJson {
        question_name: body.name.clone(),
        question_type: body.answer.question_type().canvas_name().to_owned(),
        question_text: body.text.clone(),
        points_possible: body.points_possible,
        correct_comments: body.feedback.correct.clone(),
        incorrect_comments: body.feedback.incorrect.clone(),
        neutral_comments: body.feedback.neutral.clone(),
        answers: Vec::new(),
        matching_answer_incorrect_matches: None,
        variables: None,
        formulas: None,
        answer_tolerance: None,
        formula_decimal_places: None,
        partial_credit: None,
        case_sensitive: None,
        normalize_whitespace: None,
        allowed_extensions: None,
    };
    match &body.answer {
        AnswerModel::MultipleChoice { choices } => {
            out.answers = choices.iter().map(|c| choice_answer(c, None)).collect()
        }
        AnswerModel::MultipleAnswers { choices, partial_credit } => {
            out.answers = choices.iter().map(|c| choice_answer(c, None)).collect();
            out.partial_credit = Some(*partial_credit);
        }
        AnswerModel::TrueFalse { correct } => {
            out.answers = [("1", "True", *correct), ("2", "False", !*correct)]
                .into_iter()
                .map(|(id, text, correct)| {
                    choice_answer(&Choice { id: id.to_owned(), text: text.to_owned(), correct, feedback: None }, None)
                })
                .collect();
        }
        AnswerModel::ShortAnswer { accepted, text_match } => {
            out.answers = accepted.iter().enumerate().map(|(i, a)| text_answer(i + 1, a, None)).collect();
            out.case_sensitive = Some(text_match.case_sensitive);
            out.normalize_whitespace = Some(text_match.normalize_whitespace);
        }
        AnswerModel::FillInMultipleBlanks { blanks, text_match } => {
            let mut n = 0;
            for blank in blanks {
                for a in &blank.accepted {
                    n += 1;
                    out.answers.push(text_answer(n, a, Some(&blank.id)));
                }
            }
            out.case_sensitive = Some(text_match.case_sensitive);
            out.normalize_whitespace = Some(text_match.normalize_whitespace);
        }
        AnswerModel::MultipleDropdowns { dropdowns } => {
            for d in dropdowns {
                out.answers.extend(d.choices.iter().map(|c| choice_answer(c, Some(&d.id))));
            }
        }
        AnswerModel::Matching { pairs, distractors } => {
            out.answers = pairs
                .iter()
                .map(|p| AnswerJson {
                    id: Some(id_json(&p.id)),
                    answer_match_left: Some(p.left.clone()),
                    answer_match_right: Some(p.right.clone()),
                    answer_weight: Some(100.0),
                    ..AnswerJson::default()
                })
                .collect();
            out.matching_answer_incorrect_matches = Some(distractors.join("\n"));
        }
        AnswerModel::Ordering { items } => {
            out.answers = items
                .iter()
                .map(|i| AnswerJson {
                    id: Some(id_json(&i.id)),
                    answer_text: Some(i.text.clone()),
                    answer_weight: Some(100.0),
                    ..AnswerJson::default()
                })
                .collect();
        }
        AnswerModel::Numerical { answers } => {
            out.answers = answers
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let base = AnswerJson {
                        id: Some(Value::from(i + 1)),
                        answer_weight: Some(100.0),
                        ..AnswerJson::default()
                    };
                    match a {
                        NumericAnswer::Exact { value, margin } => AnswerJson {
                            numerical_answer_type: Some("exact_answer".to_owned()),
                            exact: Some(*value),
                            margin: Some(*margin),
                            ..base
                        },
                        NumericAnswer::Range { start, end } => AnswerJson {
                            numerical_answer_type: Some("range_answer".to_owned()),
                            start: Some(*start),
                            end: Some(*end),
                            ..base
                        },
                        NumericAnswer::Precision { value, precision } => AnswerJson {
                            numerical_answer_type: Some("precision_answer".to_owned()),
                            approximate: Some(*value),
                            precision: Some(*precision),
                            ..base
                        },
                    }
                })
                .collect();
        }
        AnswerModel::Calculated { variables, formula, tolerance, decimal_places } => {
            out.variables = Some(
                variables
                    .iter()
                    .map(|v| json!({"name": v.name, "min": v.min, "max": v.max, "scale": v.scale}))
                    .collect(),
            );
            out.formulas = Some(vec![json!({"formula": formula})]);
            out.answer_tolerance = Some(match tolerance {
                Tolerance::Absolute { value } => json!(value),
                Tolerance::Percent { value } => json!(format!("{value}%")),
            });
            out.formula_decimal_places = Some(*decimal_places);
        }
        AnswerModel::FileUpload { allowed_extensions } => out.allowed_extensions = Some(allowed_extensions.clone()),
        AnswerModel::Essay | AnswerModel::TextOnly => {}
    }
    out
}

/// Reads Canvas question fields. `prefix` is the JSON pointer of the question object (`/question`).
pub fn from_canvas(fields: &Map<String, Value>, prefix: &str) -> Result<QuestionBody, Vec<FieldError>> {
    let mut r = Reader { prefix, errors: Vec::new() };
    let type_name = r.text(fields, &["question_type"]);
    let Some(type_name) = type_name else {
        r.err("/question_type", "is required");
        return Err(r.errors);
    };
    let Some(kind) = QuestionType::from_canvas_name(type_name.trim()) else {
        r.err(
            "/question_type",
            format!(
                "`{type_name}` is not a question type; use one of {}",
                QuestionType::ALL.iter().map(|t| t.canvas_name()).collect::<Vec<_>>().join(", ")
            ),
        );
        return Err(r.errors);
    };
    let name = r.text(fields, &["question_name"]).unwrap_or_else(|| "Question".to_owned());
    let text = r.text(fields, &["question_text"]).unwrap_or_default();
    let points_possible = r.number(fields, "/points_possible", &["points_possible"]).unwrap_or(0.0);
    let feedback = Feedback {
        correct: r.text(fields, &["correct_comments"]).filter(|s| !s.is_empty()),
        incorrect: r.text(fields, &["incorrect_comments"]).filter(|s| !s.is_empty()),
        neutral: r.text(fields, &["neutral_comments"]).filter(|s| !s.is_empty()),
    };
    let answers = list(fields.get("answers"));
    let mut ids = IdGen::new(&answers);
    let answer = match kind {
        QuestionType::MultipleChoice => AnswerModel::MultipleChoice { choices: r.choices(&answers, &mut ids) },
        QuestionType::MultipleAnswers => {
            let partial_credit = match r.text(fields, &["partial_credit"]) {
                None => PartialCredit::default(),
                Some(p) => serde_json::from_value(Value::String(p.clone())).unwrap_or_else(|_| {
                    r.err("/partial_credit", "must be correct_minus_incorrect, all_or_nothing or per_choice");
                    PartialCredit::default()
                }),
            };
            AnswerModel::MultipleAnswers { choices: r.choices(&answers, &mut ids), partial_credit }
        }
        QuestionType::TrueFalse => {
            let choices = r.choices(&answers, &mut ids);
            let marked =
                |label: &str| choices.iter().find(|c| c.text.trim().eq_ignore_ascii_case(label)).map(|c| c.correct);
            let correct = match (marked("true"), marked("false")) {
                (Some(true), _) => true,
                (_, Some(true)) => false,
                _ if choices.len() == 2 => choices[0].correct,
                _ => {
                    r.err("/answers", "give the answers True and False, one with answer_weight 100");
                    true
                }
            };
            AnswerModel::TrueFalse { correct }
        }
        QuestionType::ShortAnswer => AnswerModel::ShortAnswer {
            accepted: answers.iter().filter_map(|a| r.text(a, &["answer_text", "text"])).collect(),
            text_match: r.text_match(fields),
        },
        QuestionType::FillInMultipleBlanks => {
            let mut blanks: Vec<Blank> = Vec::new();
            for (i, a) in answers.iter().enumerate() {
                let Some(blank_id) = r.text(a, &["blank_id"]) else {
                    r.err(&format!("/answers/{i}/blank_id"), "is required: the [blank] the answer fills");
                    continue;
                };
                let accepted = r.text(a, &["answer_text", "text"]).unwrap_or_default();
                match blanks.iter_mut().find(|b| b.id == blank_id) {
                    Some(b) => b.accepted.push(accepted),
                    None => blanks.push(Blank { id: blank_id, accepted: vec![accepted] }),
                }
            }
            AnswerModel::FillInMultipleBlanks { blanks, text_match: r.text_match(fields) }
        }
        QuestionType::MultipleDropdowns => {
            let mut dropdowns: Vec<Dropdown> = Vec::new();
            for (i, a) in answers.iter().enumerate() {
                let Some(blank_id) = r.text(a, &["blank_id"]) else {
                    r.err(&format!("/answers/{i}/blank_id"), "is required: the [dropdown] the option belongs to");
                    continue;
                };
                let choice = r.choice(a, i, &mut ids);
                match dropdowns.iter_mut().find(|d| d.id == blank_id) {
                    Some(d) => d.choices.push(choice),
                    None => dropdowns.push(Dropdown { id: blank_id, choices: vec![choice] }),
                }
            }
            AnswerModel::MultipleDropdowns { dropdowns }
        }
        QuestionType::Matching => {
            let pairs = answers
                .iter()
                .enumerate()
                .map(|(i, a)| MatchPair {
                    id: ids.take(a),
                    left: r.required(a, &["answer_match_left", "left"], &format!("/answers/{i}/answer_match_left")),
                    right: r.required(a, &["answer_match_right", "right"], &format!("/answers/{i}/answer_match_right")),
                })
                .collect();
            let distractors = r
                .text(fields, &["matching_answer_incorrect_matches"])
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            AnswerModel::Matching { pairs, distractors }
        }
        QuestionType::Ordering => AnswerModel::Ordering {
            items: answers
                .iter()
                .enumerate()
                .map(|(i, a)| OrderItem {
                    id: ids.take(a),
                    text: r.required(a, &["answer_text", "text", "answer_html"], &format!("/answers/{i}/answer_text")),
                })
                .collect(),
        },
        QuestionType::Numerical => AnswerModel::Numerical {
            answers: answers.iter().enumerate().filter_map(|(i, a)| r.numeric(a, i)).collect(),
        },
        QuestionType::Calculated => r.calculated(fields),
        QuestionType::Essay => AnswerModel::Essay,
        QuestionType::FileUpload => {
            AnswerModel::FileUpload { allowed_extensions: string_list(fields.get("allowed_extensions")) }
        }
        QuestionType::TextOnly => AnswerModel::TextOnly,
    };
    if r.errors.is_empty() { Ok(QuestionBody { name, text, points_possible, feedback, answer }) } else { Err(r.errors) }
}

/// Sanitises a question read from a request (every HTML field) and validates it with the domain's rules; error
/// pointers are the domain's (`/answer/choices`, `/points_possible`, …) under `prefix`.
pub fn prepare(body: QuestionBody, prefix: &str) -> Result<QuestionBody, Vec<FieldError>> {
    let body = assay_domain::question::sanitize_body(body);
    assay_domain::question::validate(&body).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError { pointer: format!("{prefix}{}", e.pointer), message: e.message })
            .collect::<Vec<_>>()
    })?;
    Ok(body)
}

/// Sanitises rich text (descriptions).
pub fn sanitize_html(html: &str) -> String {
    assay_domain::html::sanitize(html)
}

/// `question.edit` sends only the fields that change: they are laid over the current question in Canvas shape
/// and the result read again.
pub fn merge_canvas(
    current: &QuestionBody,
    changes: &Map<String, Value>,
    prefix: &str,
) -> Result<QuestionBody, Vec<FieldError>> {
    let mut fields = match serde_json::to_value(to_canvas(current)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for (key, value) in changes {
        fields.insert(key.clone(), value.clone());
    }
    from_canvas(&fields, prefix)
}

/// The Canvas question fields a request names (any of them means the question's content changes).
pub fn names_content(fields: &Map<String, Value>) -> bool {
    const CONTENT: &[&str] = &[
        "question_name",
        "question_text",
        "question_type",
        "points_possible",
        "correct_comments",
        "incorrect_comments",
        "neutral_comments",
        "answers",
        "matching_answer_incorrect_matches",
        "variables",
        "formulas",
        "answer_tolerance",
        "formula_decimal_places",
        "partial_credit",
        "case_sensitive",
        "normalize_whitespace",
        "allowed_extensions",
    ];
    CONTENT.iter().any(|k| fields.contains_key(*k))
}

/// A list sent as a JSON array or as a hash keyed by index (`answers[0][…]`), as objects.
fn list(value: Option<&Value>) -> Vec<Map<String, Value>> {
    let items: Vec<&Value> = match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(map)) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| k.parse::<i64>().unwrap_or(i64::MAX));
            entries.into_iter().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    };
    items.into_iter().filter_map(|v| v.as_object().cloned()).collect()
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(Value::String(s)) => {
            s.split(',').map(|p| p.trim().trim_start_matches('.').to_owned()).filter(|p| !p.is_empty()).collect()
        }
        _ => Vec::new(),
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Numbers answers that come without an id after the highest numeric id sent.
struct IdGen {
    next: i64,
}

impl IdGen {
    fn new(answers: &[Map<String, Value>]) -> IdGen {
        let max = answers
            .iter()
            .filter_map(|a| a.get("id").and_then(as_text))
            .filter_map(|id| id.parse::<i64>().ok())
            .max()
            .unwrap_or(0);
        IdGen { next: max.max(0) + 1 }
    }

    fn take(&mut self, answer: &Map<String, Value>) -> String {
        match answer.get("id").and_then(as_text).filter(|s| !s.trim().is_empty()) {
            Some(id) => id,
            None => {
                let id = self.next;
                self.next += 1;
                id.to_string()
            }
        }
    }
}

struct Reader<'p> {
    prefix: &'p str,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn err(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(FieldError { pointer: format!("{}{pointer}", self.prefix), message: message.into() });
    }

    fn text(&self, map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| map.get(*k).and_then(as_text))
    }

    fn required(&mut self, map: &Map<String, Value>, keys: &[&str], pointer: &str) -> String {
        match self.text(map, keys) {
            Some(t) if !t.trim().is_empty() => t,
            _ => {
                self.err(pointer, "is required");
                String::new()
            }
        }
    }

    fn number(&mut self, map: &Map<String, Value>, pointer: &str, keys: &[&str]) -> Option<f64> {
        let value = keys.iter().find_map(|k| map.get(*k)).filter(|v| !v.is_null())?;
        if matches!(value, Value::String(s) if s.trim().is_empty()) {
            return None;
        }
        let n = as_number(value);
        if n.is_none() {
            self.err(pointer, format!("must be a number, found {value}"));
        }
        n
    }

    fn weight(&mut self, a: &Map<String, Value>, i: usize) -> f64 {
        self.number(a, &format!("/answers/{i}/answer_weight"), &["answer_weight", "weight"]).unwrap_or(0.0)
    }

    fn choice(&mut self, a: &Map<String, Value>, i: usize, ids: &mut IdGen) -> Choice {
        Choice {
            id: ids.take(a),
            text: self.text(a, &["answer_text", "text", "answer_html", "html"]).unwrap_or_default(),
            correct: self.weight(a, i) > 0.0,
            feedback: self.text(a, &["answer_comments", "comments"]).filter(|s| !s.is_empty()),
        }
    }

    fn choices(&mut self, answers: &[Map<String, Value>], ids: &mut IdGen) -> Vec<Choice> {
        answers.iter().enumerate().map(|(i, a)| self.choice(a, i, ids)).collect()
    }

    fn flag(&mut self, map: &Map<String, Value>, key: &str) -> Option<bool> {
        let value = map.get(key)?;
        let parsed = assay_domain::validation::parse_bool(value);
        if parsed.is_none() {
            self.err(&format!("/{key}"), "must be true or false");
        }
        parsed
    }

    fn text_match(&mut self, fields: &Map<String, Value>) -> TextMatch {
        let default = TextMatch::default();
        TextMatch {
            case_sensitive: self.flag(fields, "case_sensitive").unwrap_or(default.case_sensitive),
            normalize_whitespace: self.flag(fields, "normalize_whitespace").unwrap_or(default.normalize_whitespace),
        }
    }

    fn numeric(&mut self, a: &Map<String, Value>, i: usize) -> Option<NumericAnswer> {
        let at = |f: &str| format!("/answers/{i}/{f}");
        let kind = self.text(a, &["numerical_answer_type"]).unwrap_or_else(|| "exact_answer".to_owned());
        match kind.as_str() {
            "exact_answer" => {
                let value = self.number(a, &at("exact"), &["exact", "answer_exact"]);
                let margin = self.number(a, &at("margin"), &["margin", "answer_error_margin"]).unwrap_or(0.0);
                match value {
                    Some(value) => Some(NumericAnswer::Exact { value, margin }),
                    None => {
                        self.err(&at("exact"), "is required for an exact_answer");
                        None
                    }
                }
            }
            "range_answer" => {
                let start = self.number(a, &at("start"), &["start", "answer_range_start"]);
                let end = self.number(a, &at("end"), &["end", "answer_range_end"]);
                match (start, end) {
                    (Some(start), Some(end)) => Some(NumericAnswer::Range { start, end }),
                    _ => {
                        self.err(&at("start"), "start and end are required for a range_answer");
                        None
                    }
                }
            }
            "precision_answer" => {
                let value = self.number(a, &at("approximate"), &["approximate", "answer_approximate"]);
                let precision = self.number(a, &at("precision"), &["precision", "answer_precision"]);
                match (value, precision) {
                    (Some(value), Some(p)) if p >= 0.0 && p.fract() == 0.0 && p <= 16.0 => {
                        Some(NumericAnswer::Precision { value, precision: p as u32 })
                    }
                    _ => {
                        self.err(&at("precision"), "approximate and a whole precision (0 to 16) are required");
                        None
                    }
                }
            }
            other => {
                self.err(
                    &at("numerical_answer_type"),
                    format!("`{other}` is not exact_answer, range_answer or precision_answer"),
                );
                None
            }
        }
    }

    fn calculated(&mut self, fields: &Map<String, Value>) -> AnswerModel {
        let variables = list(fields.get("variables"))
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = |f: &str| format!("/variables/{i}/{f}");
                let scale = self.number(v, &at("scale"), &["scale"]).unwrap_or(0.0);
                if scale < 0.0 || scale.fract() != 0.0 || scale > 10.0 {
                    self.err(&at("scale"), "must be a whole number of decimal places from 0 to 10");
                }
                Variable {
                    name: self.required(v, &["name"], &at("name")),
                    min: self.number(v, &at("min"), &["min"]).unwrap_or(0.0),
                    max: self.number(v, &at("max"), &["max"]).unwrap_or(0.0),
                    scale: scale.clamp(0.0, 10.0) as u32,
                }
            })
            .collect();
        let formula = match fields.get("formulas") {
            Some(Value::Array(items)) => items.first().cloned(),
            Some(Value::Object(map)) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by_key(|(k, _)| k.parse::<i64>().unwrap_or(i64::MAX));
                entries.first().map(|(_, v)| (*v).clone())
            }
            Some(other) => Some(other.clone()),
            None => None,
        }
        .and_then(|f| match f {
            Value::Object(map) => map.get("formula").and_then(as_text),
            other => as_text(&other),
        })
        .unwrap_or_default();
        if formula.trim().is_empty() {
            self.err("/formulas", "a formula is required");
        }
        let tolerance = match fields.get("answer_tolerance") {
            None | Some(Value::Null) => Tolerance::Absolute { value: 0.0 },
            Some(Value::String(s)) if s.trim().ends_with('%') => {
                match s.trim().trim_end_matches('%').trim().parse::<f64>() {
                    Ok(value) => Tolerance::Percent { value },
                    Err(_) => {
                        self.err("/answer_tolerance", "must be a number or a percentage such as 5%");
                        Tolerance::Absolute { value: 0.0 }
                    }
                }
            }
            Some(value) => match as_number(value) {
                Some(value) => Tolerance::Absolute { value },
                None => {
                    self.err("/answer_tolerance", "must be a number or a percentage such as 5%");
                    Tolerance::Absolute { value: 0.0 }
                }
            },
        };
        let places = self.number(fields, "/formula_decimal_places", &["formula_decimal_places"]).unwrap_or(0.0);
        if places < 0.0 || places.fract() != 0.0 || places > 10.0 {
            self.err("/formula_decimal_places", "must be a whole number from 0 to 10");
        }
        AnswerModel::Calculated { variables, formula, tolerance, decimal_places: places.clamp(0.0, 10.0) as u32 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_type() -> Vec<QuestionBody> {
        let choice = |id: &str, text: &str, correct: bool| Choice {
            id: id.to_owned(),
            text: text.to_owned(),
            correct,
            feedback: None,
        };
        let answers = vec![
            AnswerModel::MultipleChoice { choices: vec![choice("1", "A", true), choice("2", "B", false)] },
            AnswerModel::TrueFalse { correct: false },
            AnswerModel::MultipleAnswers {
                choices: vec![choice("1", "A", true), choice("2", "B", true), choice("3", "C", false)],
                partial_credit: PartialCredit::AllOrNothing,
            },
            AnswerModel::ShortAnswer {
                accepted: vec!["Paris".into(), "paris".into()],
                text_match: TextMatch::default(),
            },
            AnswerModel::FillInMultipleBlanks {
                blanks: vec![
                    Blank { id: "a".into(), accepted: vec!["x".into()] },
                    Blank { id: "b".into(), accepted: vec!["y".into(), "z".into()] },
                ],
                text_match: TextMatch { case_sensitive: true, normalize_whitespace: false },
            },
            AnswerModel::MultipleDropdowns {
                dropdowns: vec![Dropdown {
                    id: "c".into(),
                    choices: vec![choice("1", "red", true), choice("2", "blue", false)],
                }],
            },
            AnswerModel::Matching {
                pairs: vec![MatchPair { id: "1".into(), left: "1+1".into(), right: "2".into() }],
                distractors: vec!["3".into(), "4".into()],
            },
            AnswerModel::Ordering {
                items: vec![
                    OrderItem { id: "1".into(), text: "first".into() },
                    OrderItem { id: "2".into(), text: "second".into() },
                ],
            },
            AnswerModel::Numerical {
                answers: vec![
                    NumericAnswer::Exact { value: 3.5, margin: 0.1 },
                    NumericAnswer::Range { start: 1.0, end: 2.0 },
                    NumericAnswer::Precision { value: 2.71, precision: 3 },
                ],
            },
            AnswerModel::Calculated {
                variables: vec![Variable { name: "x".into(), min: 1.0, max: 10.0, scale: 1 }],
                formula: "x * 2".into(),
                tolerance: Tolerance::Percent { value: 5.0 },
                decimal_places: 2,
            },
            AnswerModel::Essay,
            AnswerModel::FileUpload { allowed_extensions: vec!["pdf".into()] },
            AnswerModel::TextOnly,
        ];
        answers
            .into_iter()
            .map(|answer| QuestionBody {
                name: "Q".into(),
                text: "<p>Text [a] [b] [c]</p>".into(),
                points_possible: 2.0,
                feedback: Feedback { correct: Some("Well done".into()), incorrect: None, neutral: None },
                answer,
            })
            .collect()
    }

    #[test]
    fn every_type_round_trips_through_canvas_json() {
        for body in every_type() {
            let json = serde_json::to_value(to_canvas(&body)).unwrap();
            let back = from_canvas(json.as_object().unwrap(), "/question").unwrap();
            assert_eq!(back, body, "{json}");
            assert_eq!(prepare(back, "/question").unwrap(), body, "a valid sample is kept as it is");
        }
    }

    #[test]
    fn reads_form_shaped_answers_and_names_bad_fields() {
        let form: Value = json!({
            "question_type": "multiple_choice_question", "question_name": "Capital", "points_possible": "3",
            "answers": {"0": {"answer_text": "Paris", "answer_weight": "100"}, "1": {"answer_text": "Rome", "answer_weight": "0"}}
        });
        let body = from_canvas(form.as_object().unwrap(), "/question").unwrap();
        let AnswerModel::MultipleChoice { choices } = &body.answer else { panic!() };
        assert_eq!((choices[0].id.as_str(), choices[0].correct, choices[1].id.as_str()), ("1", true, "2"));
        assert_eq!(body.points_possible, 3.0);

        let err =
            from_canvas(json!({"question_type": "riddle_question"}).as_object().unwrap(), "/question").unwrap_err();
        assert_eq!(err[0].pointer, "/question/question_type");
        let err = from_canvas(
            json!({"question_type": "numerical_question", "answers": [{"numerical_answer_type": "range_answer"}]})
                .as_object()
                .unwrap(),
            "/question",
        )
        .unwrap_err();
        assert_eq!(err[0].pointer, "/question/answers/0/start");
    }

    #[test]
    fn edits_merge_over_the_current_question() {
        let current = every_type().remove(0);
        let changed =
            merge_canvas(&current, json!({"question_name": "Renamed"}).as_object().unwrap(), "/question").unwrap();
        assert_eq!(changed.name, "Renamed");
        assert_eq!(changed.answer, current.answer);
    }
}
