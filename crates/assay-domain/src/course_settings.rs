//! Course settings (`GET`/`PUT /courses/:id/settings`, Canvas §2.7): the one table of keys, their types and
//! defaults, the validation of a `PUT` and the merge of a change into the stored document.
//!
//! The stored document (`courses.settings`, JSON) holds only keys that were set; absent keys take the defaults
//! below. Two keys live elsewhere: `hide_final_grades` is the course's column of that name, and the grading
//! standard keys are derived from the course's grading standard (read-only here, as in Canvas).

use serde_json::{Map, Value};

use crate::{FieldError, validation::parse_bool};

/// The type, default and storage of one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A boolean in the settings document.
    Bool(bool),
    /// A non-negative integer in the settings document.
    Count(i64),
    /// `HH:MM:SS` or `inherit`, in the settings document.
    DueTime(&'static str),
    /// A boolean kept in the course's column of the same name.
    Column(bool),
    /// Shown, never set through this endpoint: derived from the course's grading standard.
    Derived,
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub key: &'static str,
    pub kind: Kind,
}

const fn s(key: &'static str, kind: Kind) -> Setting {
    Setting { key, kind }
}

/// Every setting, in the order `GET` shows them. Defaults are Canvas's.
pub const SETTINGS: &[Setting] = &[
    s("allow_final_grade_override", Kind::Bool(false)),
    s("allow_student_discussion_topics", Kind::Bool(true)),
    s("allow_student_forum_attachments", Kind::Bool(true)),
    s("allow_student_discussion_editing", Kind::Bool(true)),
    s("allow_student_organized_groups", Kind::Bool(true)),
    s("allow_student_discussion_reporting", Kind::Bool(true)),
    s("allow_student_anonymous_discussion_topics", Kind::Bool(false)),
    s("filter_speed_grader_by_student_group", Kind::Bool(false)),
    s("grading_standard_enabled", Kind::Derived),
    s("grading_standard_id", Kind::Derived),
    s("hide_final_grades", Kind::Column(false)),
    s("hide_distribution_graphs", Kind::Bool(false)),
    s("hide_sections_on_course_users_page", Kind::Bool(false)),
    s("lock_all_announcements", Kind::Bool(false)),
    s("usage_rights_required", Kind::Bool(false)),
    s("restrict_student_past_view", Kind::Bool(false)),
    s("restrict_student_future_view", Kind::Bool(false)),
    s("show_announcements_on_home_page", Kind::Bool(false)),
    s("home_page_announcement_limit", Kind::Count(3)),
    s("syllabus_course_summary", Kind::Bool(true)),
    s("homeroom_course", Kind::Bool(false)),
    s("default_due_time", Kind::DueTime("23:59:59")),
    s("conditional_release", Kind::Bool(false)),
];

/// A validated `PUT`: the new stored document and the new value of `hide_final_grades`, if it was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsChange {
    pub document: Map<String, Value>,
    pub hide_final_grades: Option<bool>,
}

fn is_due_time(s: &str) -> bool {
    s == "inherit" || chrono::NaiveTime::parse_from_str(s, "%H:%M:%S").is_ok() && s.len() == 8
}

/// Reads one sent value for `kind`, or says what is wrong with it.
fn read(kind: Kind, value: &Value) -> Result<Value, &'static str> {
    match kind {
        Kind::Bool(_) | Kind::Column(_) => parse_bool(value).map(Value::Bool).ok_or("must be true or false"),
        Kind::Count(_) => {
            let n = match value {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if (0..=1_000_000).contains(&n) => Ok(Value::from(n)),
                _ => Err("must be a non-negative integer"),
            }
        }
        Kind::DueTime(_) => match value {
            Value::String(s) if is_due_time(s.trim()) => Ok(Value::String(s.trim().to_owned())),
            _ => Err("must be a time of day as HH:MM:SS, or `inherit`"),
        },
        Kind::Derived => Err("cannot be set here"),
    }
}

/// Checks the parameters of a `PUT` (the whole parameter tree: keys are top-level, as Canvas sends them) and
/// merges them into `stored`. Unknown keys and read-only keys are ignored, as Canvas ignores them; a known key
/// with a value of the wrong type is an error naming it.
pub fn apply(stored: &Map<String, Value>, params: &Map<String, Value>) -> Result<SettingsChange, Vec<FieldError>> {
    let mut document = stored.clone();
    let mut hide_final_grades = None;
    let mut errors = Vec::new();
    for setting in SETTINGS {
        let Some(value) = params.get(setting.key) else { continue };
        if setting.kind == Kind::Derived {
            continue;
        }
        match read(setting.kind, value) {
            Ok(Value::Bool(b)) if matches!(setting.kind, Kind::Column(_)) => hide_final_grades = Some(b),
            Ok(v) => {
                document.insert(setting.key.to_owned(), v);
            }
            Err(message) => {
                errors.push(FieldError { pointer: format!("/{}", setting.key), message: message.to_owned() })
            }
        }
    }
    if errors.is_empty() { Ok(SettingsChange { document, hide_final_grades }) } else { Err(errors) }
}

/// The settings as `GET` shows them: every key, the stored value where one is set (and still valid), the
/// default otherwise.
pub fn effective(
    stored: &Map<String, Value>,
    hide_final_grades: bool,
    grading_standard_id: Option<i64>,
) -> Map<String, Value> {
    SETTINGS
        .iter()
        .map(|setting| {
            let value = match setting.kind {
                Kind::Column(_) => Value::Bool(hide_final_grades),
                Kind::Derived if setting.key == "grading_standard_enabled" => {
                    Value::Bool(grading_standard_id.is_some())
                }
                Kind::Derived => grading_standard_id.map(Value::from).unwrap_or(Value::Null),
                kind => stored.get(setting.key).and_then(|v| read(kind, v).ok()).unwrap_or_else(|| default(kind)),
            };
            (setting.key.to_owned(), value)
        })
        .collect()
}

fn default(kind: Kind) -> Value {
    match kind {
        Kind::Bool(b) | Kind::Column(b) => Value::Bool(b),
        Kind::Count(n) => Value::from(n),
        Kind::DueTime(t) => Value::String(t.to_owned()),
        Kind::Derived => Value::Null,
    }
}

/// Reads a stored document; anything that is not a JSON object counts as empty.
pub fn parse_stored(raw: Option<&str>) -> Map<String, Value> {
    match raw.and_then(|r| serde_json::from_str::<Value>(r).ok()) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn defaults_are_canvas_s() {
        let all = effective(&Map::new(), false, None);
        assert_eq!(all.len(), SETTINGS.len());
        assert_eq!(all["allow_student_discussion_topics"], json!(true));
        assert_eq!(all["home_page_announcement_limit"], json!(3));
        assert_eq!(all["default_due_time"], json!("23:59:59"));
        assert_eq!(all["grading_standard_id"], Value::Null);
        assert_eq!(all["grading_standard_enabled"], json!(false));
        assert_eq!(effective(&Map::new(), true, Some(4))["hide_final_grades"], json!(true));
    }

    #[test]
    fn puts_are_checked_and_merged() {
        let stored = obj(json!({"lock_all_announcements": true}));
        let change = apply(
            &stored,
            &obj(json!({"syllabus_course_summary": "false", "home_page_announcement_limit": "5",
                "default_due_time": "inherit", "hide_final_grades": "1", "grading_standard_id": 9, "bogus": 1})),
        )
        .unwrap();
        assert_eq!(change.hide_final_grades, Some(true));
        assert_eq!(
            change.document,
            obj(json!({"lock_all_announcements": true, "syllabus_course_summary": false,
                "home_page_announcement_limit": 5, "default_due_time": "inherit"}))
        );
        let errors = apply(
            &stored,
            &obj(json!({"usage_rights_required": "maybe", "home_page_announcement_limit": -1,
                "default_due_time": "25:00:00"})),
        )
        .unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/usage_rights_required", "/home_page_announcement_limit", "/default_due_time"]);
        for bad in ["9:00:00", "09:00", "09:00:00Z", "nonsense"] {
            assert!(apply(&stored, &obj(json!({ "default_due_time": bad }))).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_stored_values_fall_back_to_defaults() {
        let stored = parse_stored(Some(r#"{"home_page_announcement_limit": "lots", "homeroom_course": true}"#));
        let all = effective(&stored, false, None);
        assert_eq!(
            (all["home_page_announcement_limit"].clone(), all["homeroom_course"].clone()),
            (json!(3), json!(true))
        );
        assert!(parse_stored(Some("[1]")).is_empty());
    }
}
