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
    /// Some submission was handed in at least once.
    pub any_submitted: bool,
    pub any_graded: bool,
    /// Handed in and waiting for a grader (`submitted`, `pending_review`); counted only when asked for.
    pub needs_grading: i64,
}

/// What these assignments' submissions amount to, in one query whose cost does not grow with the number of
/// students: the two "is there any" questions are index seeks (`ix_submissions_assignment_handed_in`,
/// `ix_submissions_assignment_state`), and the count of work to grade, which only graders see, reads only that work.
/// Every student's assignment list asks this, so a count over all of a large course's submissions would make each
/// of those pages cost as much as the course is big.
pub async fn counts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_ids: &[i64],
    with_needs_grading: bool,
) -> Result<HashMap<i64, Counts>, StoreError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

    use crate::entity::assignment;
    if assignment_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // The submissions of the assignment on the outer row, as `s`.
    let s = || Alias::new("s");
    let of_this_assignment = || {
        Query::select()
            .from_as(submission::Entity, s())
            .and_where(
                Expr::col((s(), submission::Column::AssignmentId)).equals((assignment::Entity, assignment::Column::Id)),
            )
            .to_owned()
    };
    let exists = |mut select: SelectStatement| Expr::exists(select.expr(Expr::val(1)).limit(1).to_owned());
    let handed_in = exists(
        of_this_assignment().and_where(Expr::col((s(), submission::Column::SubmittedAt)).is_not_null()).to_owned(),
    );
    let graded = exists(
        of_this_assignment()
            .and_where(Expr::col((s(), submission::Column::WorkflowState)).eq(super::GRADED))
            .to_owned(),
    );
    let needs_grading = if with_needs_grading {
        Expr::SubQuery(
            None,
            Box::new(
                of_this_assignment()
                    .expr(Expr::col((s(), submission::Column::Id)).count())
                    .and_where(
                        Expr::col((s(), submission::Column::WorkflowState))
                            .is_in([super::SUBMITTED, super::PENDING_REVIEW]),
                    )
                    .to_owned()
                    .into(),
            ),
        )
    } else {
        Expr::val(0i64)
    };
    let rows: Vec<(i64, bool, bool, i64)> = assignment::Entity::find()
        .select_only()
        .column(assignment::Column::Id)
        .expr_as(handed_in, "handed_in")
        .expr_as(graded, "graded")
        .expr_as(needs_grading, "needs_grading")
        .filter(assignment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(assignment::Column::Id.is_in(assignment_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, any_submitted, any_graded, needs_grading)| (id, Counts { any_submitted, any_graded, needs_grading }))
        .collect())
}
