//! Assignments and assignment groups (Canvas §3): the vocabularies (grading and submission types, buckets), the
//! date rules, and how overrides turn an assignment's dates into one student's dates — all without a database.
//!
//! Effective dates follow canvas-lms `AssignmentOverrideApplicator`: every active override that applies to a
//! student counts (their ad-hoc override, their group's, each of their sections'); for each date, the overrides
//! that override it are collapsed to the most lenient value — the latest `due_at` and `lock_at`, the earliest
//! `unlock_at`, and an override that sets a date to null (no date) beats any date. A date no applicable
//! override touches stays the assignment's own. A student no override applies to gets the assignment's dates.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub type Time = DateTime<Utc>;

/// `grading_type` values; `points` is the default.
pub const GRADING_TYPES: &[&str] = &["points", "percent", "letter_grade", "gpa_scale", "pass_fail", "not_graded"];
pub const DEFAULT_GRADING_TYPE: &str = "points";

/// Submission types that stand alone: an assignment with one of these has exactly that one.
pub const EXCLUSIVE_SUBMISSION_TYPES: &[&str] =
    &["online_quiz", "none", "on_paper", "discussion_topic", "external_tool"];
/// Online submission types, combinable with each other.
pub const ONLINE_SUBMISSION_TYPES: &[&str] =
    &["online_upload", "online_text_entry", "online_url", "media_recording", "student_annotation"];
/// What an assignment takes when nothing is said (Canvas's default).
pub const DEFAULT_SUBMISSION_TYPE: &str = "none";

/// Assignment states.
pub const PUBLISHED: &str = "published";
pub const UNPUBLISHED: &str = "unpublished";
pub const DELETED: &str = "deleted";

/// `bucket` values of the assignment list.
pub const BUCKETS: &[&str] = &["past", "overdue", "undated", "ungraded", "unsubmitted", "upcoming", "future"];

/// `order_by` values of the assignment list.
pub const ORDERS: &[&str] = &["position", "name", "due_at"];

/// Checks a list of submission types against §3.4; `Err` says what is wrong.
pub fn check_submission_types(types: &[String]) -> Result<(), String> {
    if types.is_empty() {
        return Err("must name at least one submission type".into());
    }
    for t in types {
        if !EXCLUSIVE_SUBMISSION_TYPES.contains(&t.as_str()) && !ONLINE_SUBMISSION_TYPES.contains(&t.as_str()) {
            return Err(format!(
                "`{t}` is not a submission type: use one of {} alone, or any of {}",
                EXCLUSIVE_SUBMISSION_TYPES.join(", "),
                ONLINE_SUBMISSION_TYPES.join(", ")
            ));
        }
    }
    if types.len() > 1 && types.iter().any(|t| EXCLUSIVE_SUBMISSION_TYPES.contains(&t.as_str())) {
        return Err(format!(
            "{} cannot be combined with other submission types",
            EXCLUSIVE_SUBMISSION_TYPES.join(", ")
        ));
    }
    Ok(())
}

/// Whether students hand something in through Assay (Canvas `expects_submission?`).
pub fn expects_submission(types: &[String], grading_type: &str) -> bool {
    grading_type != "not_graded" && !types.iter().all(|t| matches!(t.as_str(), "none" | "on_paper" | "not_graded"))
}

/// Whether extra attempts can be granted (§3.9: not for discussions or quizzes, which have their own).
pub fn takes_extensions(types: &[String]) -> bool {
    !types.iter().any(|t| t == "discussion_topic" || t == "online_quiz")
}

/// An assignment's (or an override's) three dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dates {
    pub unlock_at: Option<Time>,
    pub due_at: Option<Time>,
    pub lock_at: Option<Time>,
}

/// Checks `unlock_at ≤ due_at ≤ lock_at` (and `unlock_at ≤ lock_at`) for the dates that are set; returns the
/// field to blame and why, for each problem.
pub fn check_order(dates: &Dates) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if let (Some(unlock), Some(due)) = (dates.unlock_at, dates.due_at)
        && unlock > due
    {
        problems.push(("unlock_at", "must be before the due date (due_at)".to_owned()));
    }
    if let (Some(due), Some(lock)) = (dates.due_at, dates.lock_at)
        && due > lock
    {
        problems.push(("lock_at", "must be after the due date (due_at)".to_owned()));
    } else if let (Some(unlock), Some(lock)) = (dates.unlock_at, dates.lock_at)
        && unlock > lock
    {
        problems.push(("lock_at", "must be after the unlock date (unlock_at)".to_owned()));
    }
    problems
}

/// One overridden date: `None` leaves the assignment's date alone; `Some(None)` overrides it to "no date".
pub type Overridden = Option<Option<Time>>;

/// What an override changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OverrideDates {
    pub unlock_at: Overridden,
    pub due_at: Overridden,
    pub lock_at: Overridden,
}

impl OverrideDates {
    /// The dates as they apply on top of `base`, for order checks.
    pub fn over(&self, base: &Dates) -> Dates {
        Dates {
            unlock_at: self.unlock_at.unwrap_or(base.unlock_at),
            due_at: self.due_at.unwrap_or(base.due_at),
            lock_at: self.lock_at.unwrap_or(base.lock_at),
        }
    }
}

/// Whom an override is for. An override has exactly one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Students(Vec<i64>),
    Group(i64),
    Section(i64),
}

impl Target {
    /// Canvas's `set_type`.
    pub fn set_type(&self) -> &'static str {
        match self {
            Target::Students(_) => "ADHOC",
            Target::Group(_) => "Group",
            Target::Section(_) => "CourseSection",
        }
    }

    /// Chooses the target of a request that may name several: the most specific wins (students, then group,
    /// then section) and the others are ignored, as Canvas documents. `None` when none is named.
    pub fn choose(student_ids: Option<Vec<i64>>, group_id: Option<i64>, section_id: Option<i64>) -> Option<Target> {
        match (student_ids, group_id, section_id) {
            (Some(ids), _, _) => Some(Target::Students(ids)),
            (None, Some(g), _) => Some(Target::Group(g)),
            (None, None, Some(s)) => Some(Target::Section(s)),
            (None, None, None) => None,
        }
    }
}

/// An override as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: i64,
    pub target: Target,
    pub dates: OverrideDates,
}

/// Where a student stands in a course: the sections they are enrolled in as a student, and their groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudentPlace {
    pub user_id: i64,
    pub section_ids: Vec<i64>,
    pub group_ids: Vec<i64>,
}

impl Override {
    /// Whether the override applies to the student.
    pub fn applies_to(&self, place: &StudentPlace) -> bool {
        match &self.target {
            Target::Students(ids) => ids.contains(&place.user_id),
            Target::Group(g) => place.group_ids.contains(g),
            Target::Section(s) => place.section_ids.contains(s),
        }
    }
}

/// The overrides that apply to a student, most specific first (ad hoc, group, sections).
pub fn applicable<'a>(overrides: &'a [Override], place: &StudentPlace) -> Vec<&'a Override> {
    let mut found: Vec<&Override> = overrides.iter().filter(|o| o.applies_to(place)).collect();
    found.sort_by_key(|o| match o.target {
        Target::Students(_) => 0,
        Target::Group(_) => 1,
        Target::Section(_) => 2,
    });
    found
}

/// Collapses one date over the overrides that override it: `latest` picks the latest date (due, lock), otherwise
/// the earliest (unlock); an override to "no date" is the most lenient of all.
fn collapse(base: Option<Time>, values: impl Iterator<Item = Overridden>, latest: bool) -> Option<Time> {
    let set: Vec<Option<Time>> = values.flatten().collect();
    if set.is_empty() {
        return base;
    }
    if set.iter().any(Option::is_none) {
        return None;
    }
    let dates = set.into_iter().flatten();
    if latest { dates.max() } else { dates.min() }
}

/// The dates that apply to a student given the overrides that apply to them (see the module doc).
pub fn effective_dates(base: &Dates, applicable: &[&Override]) -> Dates {
    Dates {
        unlock_at: collapse(base.unlock_at, applicable.iter().map(|o| o.dates.unlock_at), false),
        due_at: collapse(base.due_at, applicable.iter().map(|o| o.dates.due_at), true),
        lock_at: collapse(base.lock_at, applicable.iter().map(|o| o.dates.lock_at), true),
    }
}

/// Whether a student sees an assignment: it is published and, if it is only for the students its overrides
/// name, one of them applies to the student.
pub fn visible_to_student(published: bool, only_visible_to_overrides: bool, applicable: &[&Override]) -> bool {
    published && (!only_visible_to_overrides || !applicable.is_empty())
}

/// Canvas's `all_day` / `all_day_date` for a due date: due at 23:59 in the course's time zone (UTC when it has
/// none), and the local date it is due on.
pub fn all_day(due_at: Option<Time>, time_zone: Option<&str>) -> (bool, Option<chrono::NaiveDate>) {
    use chrono::Timelike;
    let Some(due) = due_at else { return (false, None) };
    let zone: chrono_tz::Tz = time_zone.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC);
    let local = due.with_timezone(&zone);
    (local.hour() == 23 && local.minute() == 59, Some(local.date_naive()))
}

/// Whether an assignment falls in a list `bucket` for one viewer, from its (viewer's) dates. Assay has no
/// submissions yet, so "not submitted" holds for everyone: `overdue` is past due and expecting a submission,
/// `unsubmitted` is expecting a submission, `ungraded` (submitted but not graded) is empty.
pub fn in_bucket(bucket: &str, dates: &Dates, expects_submission: bool, now: Time) -> bool {
    let due = dates.due_at;
    match bucket {
        "past" => due.is_some_and(|d| d < now),
        "overdue" => expects_submission && due.is_some_and(|d| d < now),
        "undated" => due.is_none(),
        "ungraded" => false,
        "unsubmitted" => expects_submission,
        "upcoming" => due.is_some_and(|d| d >= now && d <= now + chrono::TimeDelta::weeks(1)),
        "future" => due.is_none_or(|d| d >= now),
        _ => false,
    }
}

/// An assignment group's drop rules (§3.11 GradingRules).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_lowest: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_highest: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_drop: Vec<i64>,
}

impl DropRules {
    pub fn is_empty(&self) -> bool {
        self.drop_lowest.unwrap_or(0) == 0 && self.drop_highest.unwrap_or(0) == 0 && self.never_drop.is_empty()
    }

    /// Reads rules from a request: a JSON object or a Rails form hash (every leaf a string), or a JSON text of
    /// either. Unknown keys are refused, so a typo is not silently dropped. `Err` names the key and the problem.
    pub fn parse(value: &serde_json::Value) -> Result<DropRules, (String, String)> {
        use serde_json::Value;
        let object = match value {
            Value::Null => return Ok(DropRules::default()),
            Value::String(s) if s.trim().is_empty() => return Ok(DropRules::default()),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(map)) => map,
                _ => return Err((String::new(), "must be an object such as {\"drop_lowest\": 1}".into())),
            },
            Value::Object(map) => map.clone(),
            _ => return Err((String::new(), "must be an object such as {\"drop_lowest\": 1}".into())),
        };
        let count = |key: &str, v: &Value| -> Result<Option<u32>, (String, String)> {
            let n = match v {
                Value::Null => return Ok(None),
                Value::Number(n) => n.as_u64(),
                Value::String(s) if s.trim().is_empty() => return Ok(None),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            };
            n.and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| (key.to_owned(), "must be a whole number of scores, 0 or more".to_owned()))
        };
        let mut rules = DropRules::default();
        for (key, v) in &object {
            match key.as_str() {
                "drop_lowest" => rules.drop_lowest = count(key, v)?,
                "drop_highest" => rules.drop_highest = count(key, v)?,
                "never_drop" => {
                    let items: Vec<Value> = match v {
                        Value::Array(items) => items.clone(),
                        Value::Null => Vec::new(),
                        other => vec![other.clone()],
                    };
                    for item in items {
                        let id = match &item {
                            Value::Number(n) => n.as_i64(),
                            Value::String(s) => s.trim().parse().ok(),
                            _ => None,
                        };
                        match id {
                            Some(id) if id > 0 => rules.never_drop.push(id),
                            _ => return Err((key.clone(), format!("`{item}` is not an assignment id"))),
                        }
                    }
                }
                other => {
                    return Err((
                        other.to_owned(),
                        "is not a drop rule (use drop_lowest, drop_highest, never_drop)".into(),
                    ));
                }
            }
        }
        Ok(rules)
    }

    /// The stored form (`None` when empty).
    pub fn to_stored(&self) -> Option<String> {
        (!self.is_empty()).then(|| serde_json::to_string(self).unwrap_or_default())
    }

    pub fn from_stored(stored: Option<&str>) -> DropRules {
        stored.and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
    }
}

/// Checks an `integration_data` value: an object of strings (Canvas keeps it as a string map).
pub fn parse_integration_data(value: &serde_json::Value) -> Result<Option<BTreeMap<String, String>>, String> {
    use serde_json::Value;
    let object = match value {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(map)) => map,
            _ => return Err("must be an object of strings, e.g. {\"5678\": \"0954\"}".into()),
        },
        Value::Object(map) => map.clone(),
        _ => return Err("must be an object of strings, e.g. {\"5678\": \"0954\"}".into()),
    };
    let mut out = BTreeMap::new();
    for (k, v) in object {
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(format!("`{k}` must be a string")),
        };
        out.insert(k, text);
    }
    Ok((!out.is_empty()).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(day: u32) -> Time {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
    }

    fn section(id: i64, section: i64, dates: OverrideDates) -> Override {
        Override { id, target: Target::Section(section), dates }
    }

    #[test]
    fn submission_types() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_submission_types(&s(&["online_upload", "online_url"])).is_ok());
        assert!(check_submission_types(&s(&["online_quiz"])).is_ok());
        assert!(check_submission_types(&s(&["online_quiz", "online_url"])).is_err());
        assert!(check_submission_types(&s(&["carrier_pigeon"])).is_err());
        assert!(check_submission_types(&[]).is_err());
        assert!(!expects_submission(&s(&["none"]), "points"));
        assert!(expects_submission(&s(&["online_url"]), "points"));
        assert!(!expects_submission(&s(&["online_url"]), "not_graded"));
        assert!(!takes_extensions(&s(&["online_quiz"])));
    }

    #[test]
    fn date_order() {
        let ok = Dates { unlock_at: Some(at(1)), due_at: Some(at(2)), lock_at: Some(at(3)) };
        assert!(check_order(&ok).is_empty());
        let late_unlock = Dates { unlock_at: Some(at(3)), due_at: Some(at(2)), lock_at: None };
        assert_eq!(check_order(&late_unlock)[0].0, "unlock_at");
        let early_lock = Dates { unlock_at: None, due_at: Some(at(2)), lock_at: Some(at(1)) };
        assert_eq!(check_order(&early_lock)[0].0, "lock_at");
        let no_due = Dates { unlock_at: Some(at(2)), due_at: None, lock_at: Some(at(1)) };
        assert_eq!(check_order(&no_due)[0].0, "lock_at");
    }

    #[test]
    fn target_choice_prefers_the_most_specific() {
        assert_eq!(Target::choose(Some(vec![1]), Some(2), Some(3)), Some(Target::Students(vec![1])));
        assert_eq!(Target::choose(None, Some(2), Some(3)), Some(Target::Group(2)));
        assert_eq!(Target::choose(None, None, Some(3)), Some(Target::Section(3)));
        assert_eq!(Target::choose(None, None, None), None);
    }

    #[test]
    fn student_in_section_group_and_adhoc_override() {
        let base = Dates { unlock_at: Some(at(1)), due_at: Some(at(10)), lock_at: Some(at(20)) };
        let overrides = vec![
            section(1, 100, OverrideDates { due_at: Some(Some(at(12))), ..Default::default() }),
            section(
                2,
                101,
                OverrideDates { due_at: Some(Some(at(15))), unlock_at: Some(Some(at(5))), ..Default::default() },
            ),
            Override {
                id: 3,
                target: Target::Group(7),
                dates: OverrideDates { due_at: Some(Some(at(11))), ..Default::default() },
            },
            Override {
                id: 4,
                target: Target::Students(vec![42]),
                dates: OverrideDates { lock_at: Some(None), ..Default::default() },
            },
        ];
        let student = StudentPlace { user_id: 42, section_ids: vec![100, 101], group_ids: vec![7] };
        let applied = applicable(&overrides, &student);
        assert_eq!(applied.iter().map(|o| o.id).collect::<Vec<_>>(), vec![4, 3, 1, 2]);
        let dates = effective_dates(&base, &applied);
        assert_eq!(dates.due_at, Some(at(15)), "the latest due date wins");
        assert_eq!(dates.unlock_at, Some(at(5)), "only one override sets unlock_at, and it wins over the base");
        assert_eq!(dates.lock_at, None, "an override to no date is the most lenient");
        let outsider = StudentPlace { user_id: 9, section_ids: vec![555], group_ids: vec![] };
        assert!(applicable(&overrides, &outsider).is_empty());
        assert_eq!(effective_dates(&base, &[]), base);
        assert!(!visible_to_student(true, true, &[]));
        assert!(visible_to_student(true, true, &applied));
        assert!(!visible_to_student(false, false, &applied));
    }

    #[test]
    fn all_day_follows_the_course_zone() {
        let due = Utc.with_ymd_and_hms(2026, 3, 2, 5, 59, 0).unwrap();
        assert_eq!(all_day(Some(due), Some("America/Chicago")), (true, chrono::NaiveDate::from_ymd_opt(2026, 3, 1)));
        assert_eq!(all_day(Some(due), None), (false, chrono::NaiveDate::from_ymd_opt(2026, 3, 2)));
        assert_eq!(all_day(None, None), (false, None));
    }

    #[test]
    fn buckets() {
        let now = at(10);
        let past = Dates { due_at: Some(at(9)), ..Default::default() };
        let soon = Dates { due_at: Some(at(12)), ..Default::default() };
        let undated = Dates::default();
        assert!(in_bucket("past", &past, true, now));
        assert!(in_bucket("overdue", &past, true, now));
        assert!(!in_bucket("overdue", &past, false, now));
        assert!(in_bucket("upcoming", &soon, true, now));
        assert!(in_bucket("future", &soon, true, now) && in_bucket("future", &undated, true, now));
        assert!(in_bucket("undated", &undated, true, now));
        assert!(!in_bucket("ungraded", &soon, true, now));
    }

    #[test]
    fn drop_rules_from_forms_and_json() {
        let form = serde_json::json!({"drop_lowest": "1", "never_drop": ["33", "17"]});
        let rules = DropRules::parse(&form).unwrap();
        assert_eq!(rules, DropRules { drop_lowest: Some(1), drop_highest: None, never_drop: vec![33, 17] });
        let text = serde_json::json!("{\"drop_highest\": 2}");
        assert_eq!(DropRules::parse(&text).unwrap().drop_highest, Some(2));
        assert_eq!(DropRules::parse(&serde_json::json!({"drop_lowest": -1})).unwrap_err().0, "drop_lowest");
        assert_eq!(DropRules::parse(&serde_json::json!({"drop_worst": 1})).unwrap_err().0, "drop_worst");
        let stored = rules.to_stored();
        assert_eq!(DropRules::from_stored(stored.as_deref()), rules);
        assert_eq!(DropRules::default().to_stored(), None);
    }

    fn overridden() -> impl Strategy<Value = Overridden> {
        prop_oneof![Just(None), Just(Some(None)), (1u32..28).prop_map(|d| Some(Some(at(d))))]
    }

    fn any_override() -> impl Strategy<Value = Override> {
        (0i64..3, 1i64..4, overridden(), overridden(), overridden()).prop_map(|(kind, id, unlock, due, lock)| {
            let target = match kind {
                0 => Target::Students(vec![id]),
                1 => Target::Group(id),
                _ => Target::Section(id),
            };
            Override { id, target, dates: OverrideDates { unlock_at: unlock, due_at: due, lock_at: lock } }
        })
    }

    proptest! {
        /// The collapse is the most lenient applicable value, whatever the order of the overrides, and a date no
        /// applicable override touches is the base date.
        #[test]
        fn effective_dates_are_the_most_lenient(
            overrides in proptest::collection::vec(any_override(), 0..6),
            base_due in proptest::option::of(1u32..28),
            sections in proptest::collection::vec(1i64..4, 0..3),
            groups in proptest::collection::vec(1i64..4, 0..2),
        ) {
            let base = Dates { unlock_at: Some(at(1)), due_at: base_due.map(at), lock_at: None };
            let student = StudentPlace { user_id: 2, section_ids: sections, group_ids: groups };
            let applied = applicable(&overrides, &student);
            let dates = effective_dates(&base, &applied);
            let mut reversed = applied.clone();
            reversed.reverse();
            prop_assert_eq!(effective_dates(&base, &reversed), dates);
            let dues: Vec<Option<Time>> = applied.iter().filter_map(|o| o.dates.due_at).collect();
            if dues.is_empty() {
                prop_assert_eq!(dates.due_at, base.due_at);
            } else if dues.contains(&None) {
                prop_assert_eq!(dates.due_at, None);
            } else {
                prop_assert!(dues.iter().all(|d| *d <= dates.due_at));
                prop_assert!(dues.contains(&dates.due_at));
            }
            let unlocks: Vec<Option<Time>> = applied.iter().filter_map(|o| o.dates.unlock_at).collect();
            if let Some(unlock) = dates.unlock_at {
                prop_assert!(unlocks.iter().all(|u| u.is_some_and(|u| unlock <= u)));
            }
            // Every override that applies is one whose target names the student.
            for o in &overrides {
                prop_assert_eq!(applied.iter().any(|a| std::ptr::eq(*a, o)), o.applies_to(&student));
            }
            // Specific before general.
            let ranks: Vec<u8> = applied.iter().map(|o| match o.target { Target::Students(_) => 0, Target::Group(_) => 1, Target::Section(_) => 2 }).collect();
            prop_assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
