//! What grading an assignment's submissions needs beyond the submissions: the grading type and points, the
//! grading scheme (the assignment's standard, else the course's, else Canvas's default), the course's late
//! policy, and who the assignment is assigned to with each student's effective dates.

use std::collections::HashMap;

use assay_domain::{
    assignment::{self as dates_rules, Dates, StudentPlace},
    grading::{GradingScheme, GradingType, LatePolicy},
};
use sea_orm::ConnectionTrait;

use crate::{
    Scope, StoreError, assignments,
    entity::{assignment, course},
    grading_standards::{self, Visible},
    late_policies,
};

/// How one assignment is graded.
#[derive(Debug, Clone)]
pub struct GradingRules {
    pub grading_type: GradingType,
    pub points_possible: f64,
    /// `None`: Canvas's default scheme.
    pub scheme: Option<GradingScheme>,
    pub late_policy: Option<LatePolicy>,
    /// Grades wait for a grader to post them (the assignment's post policy).
    pub post_manually: bool,
    /// Students hand work in through Assay (a missing submission is one they did not hand in).
    pub expects_submission: bool,
    pub quiz: bool,
}

impl GradingRules {
    fn of(a: &assignment::Model, scheme: Option<GradingScheme>, late_policy: Option<LatePolicy>) -> GradingRules {
        let types = assignments::submission_types(a);
        GradingRules {
            grading_type: GradingType::parse(&a.grading_type).unwrap_or(GradingType::Points),
            points_possible: a.points_possible.unwrap_or(0.0),
            scheme,
            late_policy,
            post_manually: a.post_manually,
            expects_submission: dates_rules::expects_submission(&types, &a.grading_type),
            quiz: types.iter().any(|t| t == "online_quiz"),
        }
    }
}

/// The places whose grading standards a course may use: its own and its accounts'.
pub fn visible_standards(course: &course::Model, account_ids: &[i64]) -> Visible {
    Visible { course_id: Some(course.id), account_ids: account_ids.to_vec() }
}

/// The grading rules of each of `list` (one query for the schemes, one for the late policy).
pub async fn for_assignments<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    list: &[assignment::Model],
) -> Result<HashMap<i64, GradingRules>, StoreError> {
    let wanted: Vec<i64> =
        list.iter().filter_map(|a| a.grading_standard_id).chain(course.grading_standard_id).collect();
    let schemes =
        grading_standards::schemes_by_id(conn, scope, &visible_standards(course, account_ids), &wanted).await?;
    let late_policy = late_policies::find(conn, scope, course.id).await?.map(|p| late_policies::policy(&p));
    let course_scheme = course.grading_standard_id.and_then(|id| schemes.get(&id).cloned());
    Ok(list
        .iter()
        .map(|a| {
            let scheme =
                a.grading_standard_id.and_then(|id| schemes.get(&id).cloned()).or_else(|| course_scheme.clone());
            (a.id, GradingRules::of(a, scheme, late_policy.clone()))
        })
        .collect())
}

/// The grading rules of one assignment.
pub async fn for_assignment<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    a: &assignment::Model,
) -> Result<GradingRules, StoreError> {
    let mut all = for_assignments(conn, scope, course, account_ids, std::slice::from_ref(a)).await?;
    all.remove(&a.id).ok_or(StoreError::NotFound)
}

/// Who each assignment is assigned to and their effective dates: the course's students (or the `only` ones
/// among them) to whom the published assignment is visible.
pub async fn assigned<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    list: &[assignment::Model],
    only: Option<&[i64]>,
) -> Result<HashMap<i64, Vec<(i64, Dates)>>, StoreError> {
    let places: Vec<StudentPlace> = match only {
        Some([one]) => assignments::student_place(conn, scope, course_id, *one).await?.into_iter().collect(),
        Some(users) => {
            let wanted: std::collections::HashSet<i64> = users.iter().copied().collect();
            assignments::student_places(conn, scope, course_id)
                .await?
                .into_iter()
                .filter(|p| wanted.contains(&p.user_id))
                .collect()
        }
        None => assignments::student_places(conn, scope, course_id).await?,
    };
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let overrides = assignments::overrides::of_assignments(conn, scope, &ids).await?;
    let mut out = HashMap::with_capacity(list.len());
    for a in list {
        let rules: Vec<dates_rules::Override> =
            overrides.get(&a.id).map(|v| v.iter().map(|o| o.rule()).collect()).unwrap_or_default();
        let published = a.workflow_state == dates_rules::PUBLISHED;
        let base = assignments::dates(a);
        let students: Vec<(i64, Dates)> = places
            .iter()
            .filter_map(|place| {
                let applicable = dates_rules::applicable(&rules, place);
                dates_rules::visible_to_student(published, a.only_visible_to_overrides, &applicable)
                    .then(|| (place.user_id, dates_rules::effective_dates(&base, &applicable)))
            })
            .collect();
        out.insert(a.id, students);
    }
    Ok(out)
}
