//! Gradebook reads: everything the gradebook arithmetic (`assay_domain::gradebook`) needs for some students in
//! some courses, loaded in a fixed number of queries whatever the number of students (a page of enrollments, or
//! every student of a course for the export).

use std::collections::HashMap;

use assay_domain::{
    assignment::{self as rules, DropRules, StudentPlace},
    gradebook::{self, BookAssignment, BookGroup, Gradebook, Grades, Mark},
    grading::GradingScheme,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    Scope, StoreError,
    assignments::{self, groups},
    entity::{assignment, assignment_group, course, submission},
    grading_standards,
    submissions::PENDING_REVIEW,
};

/// Ids sent in one `IN (…)` list; longer lists are split (SQLite takes at most 32,766 parameters).
const CHUNK: usize = 500;

/// One course's gradebook.
#[derive(Debug, Clone)]
pub struct CourseBook {
    pub course_id: i64,
    /// The course's available groups, by position.
    pub groups: Vec<assignment_group::Model>,
    /// Its published assignments in course order (group position, position, id), counting or not.
    pub assignments: Vec<assignment::Model>,
    /// What the arithmetic reads: the assignments that count, the groups' weights and drop rules.
    pub book: Gradebook,
    /// The course's grading scheme (its grading standard), which turns its percentages into letters; `None`: the
    /// course shows no letter grades (Canvas's `grading_standard_enabled` false).
    pub scheme: Option<GradingScheme>,
    /// Overrides of the assignments that are only for the students their overrides name.
    restricted: HashMap<i64, Vec<rules::Override>>,
    /// Where each student stands (sections, groups), loaded only when some assignment is restricted.
    places: HashMap<i64, StudentPlace>,
}

impl CourseBook {
    /// Whether the assignment is assigned to the student (always, unless only its overrides' students get it).
    pub fn is_assigned(&self, assignment_id: i64, user_id: i64) -> bool {
        let Some(overrides) = self.restricted.get(&assignment_id) else { return true };
        let place = self.places.get(&user_id).cloned().unwrap_or(StudentPlace { user_id, ..Default::default() });
        !rules::applicable(overrides, &place).is_empty()
    }

    /// The letter a course percentage earns in the course's grading scheme.
    pub fn letter(&self, percent: Option<f64>) -> Option<String> {
        Some(self.scheme.as_ref()?.name_for(percent? / 100.0)?.to_owned())
    }
}

/// Gradebooks of some courses with the submissions of some students in them.
#[derive(Debug, Clone, Default)]
pub struct Gradebooks {
    pub courses: HashMap<i64, CourseBook>,
    submissions: HashMap<(i64, i64), submission::Model>,
}

impl Gradebooks {
    /// The submission of a student on an assignment, if there is one.
    pub fn submission(&self, assignment_id: i64, user_id: i64) -> Option<&submission::Model> {
        self.submissions.get(&(assignment_id, user_id))
    }

    /// A student's mark on an assignment of a course. `posted_only`: the reader sees posted grades only.
    pub fn mark(&self, course: &CourseBook, assignment_id: i64, user_id: i64, posted_only: bool) -> Mark {
        if !course.is_assigned(assignment_id, user_id) {
            return Mark::NotAssigned;
        }
        match self.submission(assignment_id, user_id) {
            Some(s) => {
                Mark::of(s.score, s.excused, s.workflow_state == PENDING_REVIEW, s.posted_at.is_some(), posted_only)
            }
            None => Mark::Ungraded,
        }
    }

    /// A student's grades in a course (`None` when the course was not loaded).
    pub fn grades(&self, course_id: i64, user_id: i64, posted_only: bool) -> Option<Grades> {
        let course = self.courses.get(&course_id)?;
        Some(gradebook::grades(&course.book, |assignment_id| self.mark(course, assignment_id, user_id, posted_only)))
    }
}

/// Loads the gradebooks of `course_ids` and the submissions of `user_ids` in them.
pub async fn load<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_ids: &[i64],
    user_ids: &[i64],
) -> Result<Gradebooks, StoreError> {
    let mut course_ids = course_ids.to_vec();
    course_ids.sort_unstable();
    course_ids.dedup();
    if course_ids.is_empty() {
        return Ok(Gradebooks::default());
    }
    let root = scope.root_account_id();
    let courses = course::Entity::find()
        .filter(course::Column::RootAccountId.eq(root))
        .filter(course::Column::Id.is_in(course_ids.iter().copied()))
        .all(conn)
        .await?;
    let mut all_groups = assignment_group::Entity::find()
        .filter(assignment_group::Column::RootAccountId.eq(root))
        .filter(assignment_group::Column::CourseId.is_in(course_ids.iter().copied()))
        .filter(assignment_group::Column::WorkflowState.eq(groups::AVAILABLE))
        .order_by_asc(assignment_group::Column::Position)
        .order_by_asc(assignment_group::Column::Id)
        .all(conn)
        .await?;
    let all_assignments = assignment::Entity::find()
        .filter(assignment::Column::RootAccountId.eq(root))
        .filter(assignment::Column::CourseId.is_in(course_ids.iter().copied()))
        .filter(assignment::Column::WorkflowState.eq(rules::PUBLISHED))
        .all(conn)
        .await?;
    // Each course's standard was checked to be one it may use when it was set; a deleted one shows no letters.
    let standard_ids: Vec<i64> = courses.iter().filter_map(|c| c.grading_standard_id).collect();
    let schemes = grading_standards::schemes_in_school(conn, scope, &standard_ids).await?;
    let restricted_ids: Vec<i64> =
        all_assignments.iter().filter(|a| a.only_visible_to_overrides).map(|a| a.id).collect();
    let overrides = assignments::overrides::of_assignments(conn, scope, &restricted_ids).await?;

    let mut books = HashMap::new();
    for c in courses {
        let groups: Vec<assignment_group::Model> = {
            let (mine, rest): (Vec<_>, Vec<_>) = all_groups.into_iter().partition(|g| g.course_id == c.id);
            all_groups = rest;
            mine
        };
        let order: HashMap<i64, usize> = groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        let mut assignments: Vec<assignment::Model> =
            all_assignments.iter().filter(|a| a.course_id == c.id).cloned().collect();
        assignments
            .sort_by_key(|a| (order.get(&a.assignment_group_id).copied().unwrap_or(usize::MAX), a.position, a.id));
        let restricted: HashMap<i64, Vec<rules::Override>> = assignments
            .iter()
            .filter(|a| a.only_visible_to_overrides)
            .map(|a| {
                let views = overrides.get(&a.id).map(Vec::as_slice).unwrap_or_default();
                (a.id, views.iter().map(assignments::OverrideView::rule).collect())
            })
            .collect();
        let places = if restricted.is_empty() {
            HashMap::new()
        } else {
            assignments::student_places(conn, scope, c.id).await?.into_iter().map(|p| (p.user_id, p)).collect()
        };
        let book = Gradebook {
            groups: groups
                .iter()
                .map(|g| BookGroup {
                    id: g.id,
                    weight: g.group_weight,
                    rules: DropRules::from_stored(g.rules.as_deref()),
                })
                .collect(),
            assignments: assignments
                .iter()
                .filter(|a| gradebook::counts(&a.workflow_state, &a.grading_type, a.omit_from_final_grade))
                .map(|a| BookAssignment {
                    id: a.id,
                    group_id: a.assignment_group_id,
                    points_possible: a.points_possible.unwrap_or(0.0),
                })
                .collect(),
            weighted: c.apply_assignment_group_weights,
        };
        books.insert(
            c.id,
            CourseBook {
                course_id: c.id,
                groups,
                assignments,
                book,
                scheme: c.grading_standard_id.and_then(|id| schemes.get(&id).cloned()),
                restricted,
                places,
            },
        );
    }

    let mut submissions = HashMap::new();
    let mut user_ids = user_ids.to_vec();
    user_ids.sort_unstable();
    user_ids.dedup();
    for chunk in user_ids.chunks(CHUNK) {
        for s in submission::Entity::find()
            .filter(submission::Column::RootAccountId.eq(root))
            .filter(submission::Column::CourseId.is_in(course_ids.iter().copied()))
            .filter(submission::Column::UserId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            submissions.insert((s.assignment_id, s.user_id), s);
        }
    }
    Ok(Gradebooks { courses: books, submissions })
}
