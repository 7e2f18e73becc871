//! The lists of the Submissions API. Each page is one indexed query (plus the count on a walk's first page):
//! a course's submissions walk `(course_id, id)`, an assignment's walk `(assignment_id, user_id)`. Which students
//! count is decided in the same query (a subquery on the course's student enrollments), so a large course costs
//! no more per page than a small one.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{enrollment, submission, submission_version},
    page::{self, KeyKind, SortColumn},
};

type Time = chrono::DateTime<chrono::Utc>;

/// The enrollment states that make a current student.
const STUDENT_STATES: [&str; 2] = ["active", "invited"];

/// Whose submissions a list shows.
#[derive(Debug, Clone)]
pub enum Students {
    /// The course's current students, or only those in these sections.
    All { sections: Option<Vec<i64>> },
    /// These users (who must still be students of the course).
    Only(Vec<i64>),
}

/// A list's filters (Canvas `GET /courses/:id/students/submissions`).
#[derive(Debug, Clone)]
pub struct Filter {
    pub course_id: i64,
    pub students: Students,
    /// The assignments to list (the ones the caller sees, narrowed by `assignment_ids[]`).
    pub assignment_ids: Vec<i64>,
    pub workflow_state: Option<String>,
    pub submitted_since: Option<Time>,
    pub graded_since: Option<Time>,
}

/// The course's current students (in `sections` when given), as a subquery.
fn student_ids(scope: &Scope, course_id: i64, sections: Option<&[i64]>) -> sea_orm::sea_query::SelectStatement {
    let mut select = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::UserId)
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .filter(enrollment::Column::Type.eq("StudentEnrollment"))
        .filter(enrollment::Column::WorkflowState.is_in(STUDENT_STATES));
    if let Some(sections) = sections {
        select = select.filter(enrollment::Column::CourseSectionId.is_in(sections.iter().copied()));
    }
    select.into_query()
}

fn students_filter(
    select: sea_orm::Select<submission::Entity>,
    scope: &Scope,
    course_id: i64,
    students: &Students,
) -> sea_orm::Select<submission::Entity> {
    match students {
        Students::All { sections } => {
            select.filter(submission::Column::UserId.in_subquery(student_ids(scope, course_id, sections.as_deref())))
        }
        Students::Only(users) => select
            .filter(submission::Column::UserId.is_in(users.iter().copied()))
            .filter(submission::Column::UserId.in_subquery(student_ids(scope, course_id, None))),
    }
}

fn by_id() -> [SortColumn<submission::Model>; 1] {
    [SortColumn { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }]
}

fn by_user() -> [SortColumn<submission::Model>; 1] {
    [SortColumn { column: "user_id", kind: KeyKind::Integer, key: |m| json!(m.user_id) }]
}

/// One page of a course's submissions, by id.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &Filter,
    request: &PageRequest,
) -> Result<Page<submission::Model>, StoreError> {
    if filter.assignment_ids.is_empty() {
        return Ok(Page { items: Vec::new(), has_more: false, total: Some(0), last_key: None });
    }
    let mut select = submission::Entity::find()
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::CourseId.eq(filter.course_id))
        .filter(submission::Column::AssignmentId.is_in(filter.assignment_ids.iter().copied()));
    select = students_filter(select, scope, filter.course_id, &filter.students);
    if let Some(state) = &filter.workflow_state {
        select = select.filter(submission::Column::WorkflowState.eq(state.as_str()));
    }
    if let Some(since) = filter.submitted_since {
        select = select.filter(submission::Column::SubmittedAt.gt(since));
    }
    if let Some(since) = filter.graded_since {
        select = select.filter(submission::Column::GradedAt.gt(since));
    }
    page::fetch(conn, select, "submissions", &by_id(), request).await
}

/// One page of an assignment's submissions, by student.
pub async fn of_assignment<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    assignment_id: i64,
    students: &Students,
    request: &PageRequest,
) -> Result<Page<submission::Model>, StoreError> {
    let select = submission::Entity::find()
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::AssignmentId.eq(assignment_id));
    let select = students_filter(select, scope, course_id, students);
    page::fetch(conn, select, "submissions", &by_user(), request).await
}

/// The submissions of these students on these assignments (a page of a grouped list), by student then
/// assignment.
pub async fn of_students<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    users: &[i64],
    assignment_ids: &[i64],
) -> Result<Vec<submission::Model>, StoreError> {
    if users.is_empty() || assignment_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(submission::Entity::find()
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::CourseId.eq(course_id))
        .filter(submission::Column::UserId.is_in(users.iter().copied()))
        .filter(submission::Column::AssignmentId.is_in(assignment_ids.iter().copied()))
        .order_by_asc(submission::Column::UserId)
        .order_by_asc(submission::Column::AssignmentId)
        .all(conn)
        .await?)
}

/// The course's current students (in `sections` when given), by id.
pub async fn students<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    sections: Option<&[i64]>,
) -> Result<Vec<i64>, StoreError> {
    let mut select = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::UserId)
        .distinct()
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .filter(enrollment::Column::Type.eq("StudentEnrollment"))
        .filter(enrollment::Column::WorkflowState.is_in(STUDENT_STATES));
    if let Some(sections) = sections {
        select = select.filter(enrollment::Column::CourseSectionId.is_in(sections.iter().copied()));
    }
    let mut ids: Vec<i64> = select.order_by_asc(enrollment::Column::UserId).into_tuple().all(conn).await?;
    ids.dedup();
    Ok(ids)
}

/// The sections each of these users is a student in.
pub async fn sections_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    users: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    if users.is_empty() {
        return Ok(out);
    }
    for e in enrollment::Entity::find()
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .filter(enrollment::Column::Type.eq("StudentEnrollment"))
        .filter(enrollment::Column::WorkflowState.is_in(STUDENT_STATES))
        .filter(enrollment::Column::UserId.is_in(users.iter().copied()))
        .all(conn)
        .await?
    {
        let sections = out.entry(e.user_id).or_default();
        if !sections.contains(&e.course_section_id) {
            sections.push(e.course_section_id);
        }
    }
    Ok(out)
}

/// The history of these submissions, oldest first, by submission.
pub async fn versions_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<submission_version::Model>>, StoreError> {
    let mut out: HashMap<i64, Vec<submission_version::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for v in submission_version::Entity::find()
            .filter(submission_version::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(submission_version::Column::SubmissionId.is_in(chunk.iter().copied()))
            .order_by_asc(submission_version::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(v.submission_id).or_default().push(v);
        }
    }
    Ok(out)
}

/// What an assignment's submissions amount to, for the assignment's own fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Handed in at least once.
    pub submitted: i64,
    /// Handed in and waiting for a grader (`submitted`, `pending_review`).
    pub needs_grading: i64,
    pub graded: i64,
}

/// The counts of these assignments' submissions (one grouped query).
pub async fn counts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_ids: &[i64],
) -> Result<HashMap<i64, Counts>, StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let mut out: HashMap<i64, Counts> = HashMap::new();
    if assignment_ids.is_empty() {
        return Ok(out);
    }
    let handed_in = Expr::col(submission::Column::SubmittedAt).is_not_null();
    let rows: Vec<(i64, String, bool, i64)> = submission::Entity::find()
        .select_only()
        .column(submission::Column::AssignmentId)
        .column(submission::Column::WorkflowState)
        .expr_as(handed_in.clone(), "handed_in")
        .expr_as(Expr::col(submission::Column::Id).count(), "n")
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::AssignmentId.is_in(assignment_ids.iter().copied()))
        .group_by(submission::Column::AssignmentId)
        .group_by(submission::Column::WorkflowState)
        .group_by(handed_in)
        .into_tuple()
        .all(conn)
        .await?;
    for (assignment_id, state, handed_in, n) in rows {
        let counts = out.entry(assignment_id).or_default();
        if handed_in {
            counts.submitted += n;
        }
        match state.as_str() {
            super::SUBMITTED | super::PENDING_REVIEW => counts.needs_grading += n,
            super::GRADED => counts.graded += n,
            _ => {}
        }
    }
    Ok(out)
}
