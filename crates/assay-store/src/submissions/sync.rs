//! Brings a course's submission rows up to date before they are read: a row for every student an assignment is
//! assigned to (Canvas keeps one per assigned student; Assay makes them when first needed), each with the
//! student's current effective due date, and the late policy's score on submissions that are missing (taken
//! away again from those no longer missing). The plan is made from reads; a write happens only when there is
//! something to change, so reading an up-to-date course writes nothing.

use std::collections::HashMap;

use assay_domain::grading::submission::{Timing, UNSUBMITTED};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, sea_query::Expr,
};

use super::{
    grade::{self, missing_grade, settle},
    rules::{self, GradingRules},
};
use crate::{
    Scope, Store, StoreError,
    entity::{assignment, course, submission},
    events::Actor,
};

type Time = chrono::DateTime<chrono::Utc>;

/// The columns the plan looks at (not the handed-in work).
#[derive(Debug, Clone, FromQueryResult)]
struct RowFacts {
    id: i64,
    assignment_id: i64,
    user_id: i64,
    cached_due_at: Option<Time>,
    submitted_at: Option<Time>,
    score: Option<f64>,
    excused: bool,
    late_policy_status: Option<String>,
    seconds_late_override: Option<i64>,
    missing_policy_applied: bool,
    submission_type: Option<String>,
}

/// What the rows need.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// (assignment, user, due date): rows to make.
    create: Vec<(i64, i64, Option<Time>)>,
    /// (submission, due date): rows whose due date moved.
    due: Vec<(i64, Option<Time>)>,
    /// (assignment, user): rows whose missing-policy score must be given, changed or taken away.
    missing: Vec<(i64, i64)>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.due.is_empty() && self.missing.is_empty()
    }
}

/// The missing-policy score a row should hold now: `Some(score)` to hold one, `None` to hold none.
fn missing_target(facts: &Timing, has_grader_score: bool, rules: &GradingRules, now: Time) -> Option<f64> {
    if !facts.missing(now, rules.expects_submission, has_grader_score) {
        return None;
    }
    missing_grade(rules).map(|g| g.score)
}

/// Plans the changes for `list` (assignments of `course`) and their students (or the `only` ones).
pub async fn plan<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    list: &[assignment::Model],
    only: Option<&[i64]>,
) -> Result<(Plan, HashMap<i64, GradingRules>), StoreError> {
    let now = crate::now();
    let mut out = Plan::default();
    if list.is_empty() {
        return Ok((out, HashMap::new()));
    }
    let assigned = rules::assigned(conn, scope, course.id, list, only).await?;
    let grading = rules::for_assignments(conn, scope, course, account_ids, list).await?;
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let mut select = submission::Entity::find()
        .select_only()
        .columns([
            submission::Column::Id,
            submission::Column::AssignmentId,
            submission::Column::UserId,
            submission::Column::CachedDueAt,
            submission::Column::SubmittedAt,
            submission::Column::Score,
            submission::Column::Excused,
            submission::Column::LatePolicyStatus,
            submission::Column::SecondsLateOverride,
            submission::Column::MissingPolicyApplied,
            submission::Column::SubmissionType,
        ])
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::CourseId.eq(course.id))
        .filter(submission::Column::AssignmentId.is_in(ids));
    if let Some(users) = only {
        select = select.filter(submission::Column::UserId.is_in(users.iter().copied()));
    }
    let rows: HashMap<(i64, i64), RowFacts> = select
        .into_model::<RowFacts>()
        .all(conn)
        .await?
        .into_iter()
        .map(|r| ((r.assignment_id, r.user_id), r))
        .collect();
    for a in list {
        let Some(rules) = grading.get(&a.id) else { continue };
        let gives_missing_scores = missing_grade(rules).is_some();
        for (user_id, dates) in assigned.get(&a.id).map(Vec::as_slice).unwrap_or_default() {
            let due = dates.due_at;
            let Some(row) = rows.get(&(a.id, *user_id)) else {
                out.create.push((a.id, *user_id, due));
                let nothing = Timing { due_at: due, ..Timing::default() };
                if gives_missing_scores && missing_target(&nothing, false, rules, now).is_some() {
                    out.missing.push((a.id, *user_id));
                }
                continue;
            };
            if row.cached_due_at != due {
                out.due.push((row.id, due));
            }
            let facts = Timing {
                submitted_at: row.submitted_at,
                due_at: due,
                late_policy_status: row.late_policy_status.clone(),
                seconds_late_override: row.seconds_late_override,
                excused: row.excused,
                quiz: row.submission_type.as_deref() == Some("online_quiz"),
            };
            // As `holds_missing_score`: the flag means something only on work never handed in.
            let policy_score = row.missing_policy_applied && row.submitted_at.is_none() && row.score.is_some();
            let grader_score = row.score.is_some() && !policy_score;
            let target = missing_target(&facts, grader_score, rules, now);
            let held = if policy_score { row.score } else { None };
            let wants_change = match (target, held) {
                (Some(t), Some(h)) => (t - h).abs() > 1e-9,
                (Some(_), None) => row.score.is_none(),
                (None, Some(_)) => true,
                (None, None) => false,
            };
            if wants_change {
                out.missing.push((a.id, *user_id));
            }
        }
    }
    Ok((out, grading))
}

/// Carries out a plan (in the caller's write transaction). Each row is looked at again before it changes, so a
/// plan made from a read that has gone stale does no harm.
pub async fn apply(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    plan: Plan,
    grading: &HashMap<i64, GradingRules>,
    actor: Actor,
) -> Result<(), StoreError> {
    let now = crate::now();
    for chunk in plan.create.chunks(200) {
        let rows = chunk.iter().map(|(assignment_id, user_id, due)| submission::ActiveModel {
            root_account_id: Set(scope.root_account_id()),
            course_id: Set(course_id),
            assignment_id: Set(*assignment_id),
            user_id: Set(*user_id),
            attempt: Set(0),
            workflow_state: Set(UNSUBMITTED.to_owned()),
            cached_due_at: Set(*due),
            grade_matches_current_submission: Set(true),
            excused: Set(false),
            missing_policy_applied: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        submission::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([submission::Column::AssignmentId, submission::Column::UserId])
            .exec_without_returning(txn)
            .await?;
    }
    for (id, due) in plan.due {
        submission::Entity::update_many()
            .col_expr(submission::Column::CachedDueAt, Expr::val(due))
            .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(submission::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }
    for (assignment_id, user_id) in plan.missing {
        let Some(rules) = grading.get(&assignment_id) else { continue };
        let Some(current) = super::find(txn, scope, assignment_id, user_id).await? else { continue };
        apply_missing(txn, scope, &current, rules, actor, now).await?;
    }
    Ok(())
}

/// Gives, changes or takes away the late policy's score on one submission, if it (still) needs it.
pub(crate) async fn apply_missing(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &submission::Model,
    rules: &GradingRules,
    actor: Actor,
    now: Time,
) -> Result<Option<submission::Model>, StoreError> {
    let timing = super::timing(current);
    let target = missing_target(&timing, super::graded_by_grader(current), rules, now);
    let held = if super::holds_missing_score(current) { current.score } else { None };
    let mut model: submission::ActiveModel = current.clone().into();
    match (target, held) {
        (Some(t), Some(h)) if (t - h).abs() <= 1e-9 => return Ok(None),
        (Some(_), _) => {
            let fields = settle(missing_grade(rules).as_ref(), &timing, rules, now);
            model.entered_score = Set(fields.entered_score);
            model.entered_grade = Set(fields.entered_grade);
            model.score = Set(fields.score);
            model.grade = Set(fields.grade);
            model.points_deducted = Set(None);
            model.grader_id = Set(None);
            model.missing_policy_applied = Set(true);
        }
        (None, Some(_)) => {
            model.entered_score = Set(None);
            model.entered_grade = Set(None);
            model.score = Set(None);
            model.grade = Set(None);
            model.points_deducted = Set(None);
            model.missing_policy_applied = Set(false);
        }
        (None, None) => return Ok(None),
    }
    grade::save_grade(txn, scope, current, model, rules, actor, "missing_policy").await.map(Some)
}

/// Plans and, when needed, carries out the changes for `list` and their students (or the `only` ones).
pub async fn sync(
    store: &Store,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    list: &[assignment::Model],
    only: Option<&[i64]>,
) -> Result<(), StoreError> {
    let (plan, grading) = plan(store.read(), scope, course, account_ids, list, only).await?;
    if plan.is_empty() {
        return Ok(());
    }
    let (scope, course_id) = (*scope, course.id);
    store
        .write(move |txn| Box::pin(async move { apply(txn, &scope, course_id, plan, &grading, Actor::system()).await }))
        .await
}

/// Brings a course's rows up to date inside a write transaction that is changing the rules (a new late policy).
pub async fn sync_in(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    list: &[assignment::Model],
    actor: Actor,
) -> Result<(), StoreError> {
    let (plan, grading) = plan(txn, scope, course, account_ids, list, None).await?;
    apply(txn, scope, course.id, plan, &grading, actor).await
}
