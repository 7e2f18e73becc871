//! Enrollments: who holds which role in which course section (Canvas §2.10), and the course roles they grant.

use std::collections::HashMap;

use assay_domain::{
    course::CourseState,
    enrollment::{self, EnrollmentAction, EnrollmentState},
    policy::{CourseGrant, CourseRole},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, QueryTrait,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::DELETED as USER_DELETED,
    entity::{course, course_section, enrollment as row, user},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

/// What a new enrollment asks for.
#[derive(Debug, Clone)]
pub struct NewEnrollment {
    pub user_id: i64,
    pub role: CourseRole,
    pub state: EnrollmentState,
    pub limit_privileges_to_course_section: bool,
    pub associated_user_id: Option<i64>,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl NewEnrollment {
    /// An active enrollment in `role`, with nothing else special (what provisioning code makes most).
    pub fn active(user_id: i64, role: CourseRole) -> NewEnrollment {
        NewEnrollment {
            user_id,
            role,
            state: EnrollmentState::Active,
            limit_privileges_to_course_section: false,
            associated_user_id: None,
            start_at: None,
            end_at: None,
        }
    }
}

fn payload(e: &row::Model) -> serde_json::Value {
    event_payload(&EnrollmentFacts {
        id: e.id,
        course_id: e.course_id,
        course_section_id: e.course_section_id,
        user_id: e.user_id,
        kind: &e.r#type,
        state: &e.workflow_state,
        limit_privileges_to_course_section: e.limit_privileges_to_course_section,
        associated_user_id: e.associated_user_id,
    })
}

/// What an enrollment event records about it (bulk imports build it without loading a row).
pub struct EnrollmentFacts<'a> {
    pub id: i64,
    pub course_id: i64,
    pub course_section_id: i64,
    pub user_id: i64,
    pub kind: &'a str,
    pub state: &'a str,
    pub limit_privileges_to_course_section: bool,
    pub associated_user_id: Option<i64>,
}

/// The payload of `enrollment.*` events, the same whichever path made the change.
pub fn event_payload(e: &EnrollmentFacts<'_>) -> serde_json::Value {
    json!({
        "id": e.id, "course_id": e.course_id, "course_section_id": e.course_section_id, "user_id": e.user_id,
        "type": e.kind, "role": e.kind, "enrollment_state": e.state,
        "limit_privileges_to_course_section": e.limit_privileges_to_course_section,
        "associated_user_id": e.associated_user_id,
    })
}

fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid { field, message: message.into() }
}

/// Enrolls a user in `section` of `course`. Enrolling again in the same section with the same type updates that
/// enrollment instead of adding a second one (a deleted or concluded one starts over; a live one is never
/// demoted), so a retried request changes nothing. Returns the enrollment and whether it was created.
pub async fn enroll(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    section: &course_section::Model,
    new: NewEnrollment,
    actor: Actor,
) -> Result<(row::Model, bool), StoreError> {
    if section.course_id != course.id {
        return Err(invalid("course_section_id", "the section belongs to another course"));
    }
    if course.workflow_state == CourseState::Completed.as_str() {
        return Err(invalid("course_id", "the course is concluded: it takes no new enrollments"));
    }
    let person = user::Entity::find()
        .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(user::Column::Id.eq(new.user_id))
        .one(txn)
        .await?;
    match person {
        None => return Err(invalid("user_id", "no such user")),
        Some(u) if u.workflow_state == USER_DELETED => return Err(invalid("user_id", "the user was deleted")),
        Some(_) => {}
    }
    if let Some(observed) = new.associated_user_id {
        if new.role != CourseRole::Observer {
            return Err(invalid("associated_user_id", "only an observer enrollment observes a student"));
        }
        let observes_student = row::Entity::find()
            .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(row::Column::CourseId.eq(course.id))
            .filter(row::Column::UserId.eq(observed))
            .filter(row::Column::Type.eq(CourseRole::Student.enrollment_type()))
            .filter(row::Column::WorkflowState.is_not_in([EnrollmentState::Deleted.as_str(), "rejected"]))
            .one(txn)
            .await?;
        if observes_student.is_none() {
            return Err(invalid("associated_user_id", "is not a student of this course"));
        }
    }
    let now = crate::now();
    let existing = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseSectionId.eq(section.id))
        .filter(row::Column::UserId.eq(new.user_id))
        .filter(row::Column::Type.eq(new.role.enrollment_type()))
        .one(txn)
        .await?;
    if let Some(current) = existing {
        let from = EnrollmentState::parse(&current.workflow_state).unwrap_or(EnrollmentState::Deleted);
        let state = enrollment::reenroll(from, new.state);
        let mut model: row::ActiveModel = current.clone().into();
        model.workflow_state = Set(state.as_str().to_owned());
        model.limit_privileges_to_course_section = Set(new.limit_privileges_to_course_section);
        if new.associated_user_id.is_some() {
            model.associated_user_id = Set(new.associated_user_id);
        }
        if new.start_at.is_some() {
            model.start_at = Set(new.start_at);
        }
        if new.end_at.is_some() {
            model.end_at = Set(new.end_at);
        }
        if state != EnrollmentState::Completed {
            model.completed_at = Set(None);
        }
        model.updated_at = Set(now);
        if !model.is_changed() {
            return Ok((current, false));
        }
        let updated = model.update(txn).await?;
        events::record_update(
            txn,
            scope.root_account_id(),
            "enrollment",
            updated.id,
            actor,
            payload(&current),
            payload(&updated),
        )
        .await?;
        return Ok((updated, false));
    }
    let created = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course.id),
        course_section_id: Set(section.id),
        user_id: Set(new.user_id),
        r#type: Set(new.role.enrollment_type().to_owned()),
        role: Set(new.role.enrollment_type().to_owned()),
        workflow_state: Set(new.state.as_str().to_owned()),
        limit_privileges_to_course_section: Set(new.limit_privileges_to_course_section),
        associated_user_id: Set(new.associated_user_id),
        start_at: Set(new.start_at),
        end_at: Set(new.end_at),
        last_activity_at: Set(None),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "enrollment.created", created.id, actor, payload(&created))
        .await?;
    Ok((created, true))
}

/// Finds an enrollment of the school (deleted ones too: Canvas shows them to admins who ask).
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<row::Model, StoreError> {
    row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Moves an enrollment through its state machine and records `enrollment.<verb>`.
pub async fn apply(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    action: EnrollmentAction,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let from = EnrollmentState::parse(&current.workflow_state).unwrap_or(EnrollmentState::Deleted);
    let to = enrollment::transition(from, action).map_err(|why| invalid("enrollment_state", why))?;
    let now = crate::now();
    let mut model: row::ActiveModel = current.clone().into();
    model.workflow_state = Set(to.as_str().to_owned());
    model.completed_at = Set((to == EnrollmentState::Completed).then_some(now));
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    if matches!(to, EnrollmentState::Deleted | EnrollmentState::Rejected)
        && !still_enrolled(txn, scope, updated.course_id, updated.user_id).await?
    {
        // Group members are course members: leaving the course leaves its groups.
        crate::groups::remove_user_from_course(txn, scope, updated.course_id, updated.user_id, actor).await?;
    }
    events::record_change(
        txn,
        scope.root_account_id(),
        action.event(),
        updated.id,
        actor,
        json!({"enrollment": payload(&updated), "from": from.as_str()}),
    )
    .await?;
    Ok(updated)
}

/// Whether the user holds any enrollment in the course that is not deleted or rejected.
async fn still_enrolled<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    user_id: i64,
) -> Result<bool, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::UserId.eq(user_id))
        .filter(
            row::Column::WorkflowState
                .is_not_in([EnrollmentState::Deleted.as_str(), EnrollmentState::Rejected.as_str()]),
        )
        .one(conn)
        .await?
        .is_some())
}

/// Which enrollments a list shows.
#[derive(Debug, Clone, Default)]
pub struct EnrollmentFilter {
    pub course_id: Option<i64>,
    pub section_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Types to include; empty: all.
    pub roles: Vec<CourseRole>,
    /// States to include; empty: active and invited.
    pub states: Vec<EnrollmentState>,
    /// `Some(sections)`: only enrollments in these sections (a section-limited caller's view).
    pub within_sections: Option<Vec<i64>>,
}

impl EnrollmentFilter {
    fn condition(&self, scope: &Scope) -> Condition {
        let mut all = Condition::all().add(row::Column::RootAccountId.eq(scope.root_account_id()));
        if let Some(id) = self.course_id {
            all = all.add(row::Column::CourseId.eq(id));
        }
        if let Some(id) = self.section_id {
            all = all.add(row::Column::CourseSectionId.eq(id));
        }
        if let Some(id) = self.user_id {
            all = all.add(row::Column::UserId.eq(id));
        }
        if !self.roles.is_empty() {
            all = all.add(row::Column::Type.is_in(self.roles.iter().map(|r| r.enrollment_type())));
        }
        let states: Vec<&str> = if self.states.is_empty() {
            EnrollmentState::DEFAULT_LISTED.iter().map(|s| s.as_str()).collect()
        } else {
            self.states.iter().map(|s| s.as_str()).collect()
        };
        all = all.add(row::Column::WorkflowState.is_in(states));
        if let Some(sections) = &self.within_sections {
            all = all.add(row::Column::CourseSectionId.is_in(sections.iter().copied()));
        }
        all
    }
}

/// Enrollments by id, as Canvas lists them.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &EnrollmentFilter,
    request: &PageRequest,
) -> Result<Page<row::Model>, StoreError> {
    // Enrollments in deleted courses are gone for every list.
    let live_courses = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(course::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(course::Column::WorkflowState.ne(CourseState::Deleted.as_str()))
        .into_query();
    let select =
        row::Entity::find().filter(filter.condition(scope)).filter(row::Column::CourseId.in_subquery(live_courses));
    let sort = [SortColumn::<row::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "enrollments", &sort, request).await
}

/// The users of a course that a filter's enrollments name, in user-list order (sortable name, id).
pub async fn course_users<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &EnrollmentFilter,
    search_term: Option<&str>,
    user_ids: &[i64],
    request: &PageRequest,
) -> Result<Page<crate::users::UserView>, StoreError> {
    let enrolled =
        row::Entity::find().select_only().column(row::Column::UserId).filter(filter.condition(scope)).into_query();
    let mut select = crate::users::search_select(scope, search_term).filter(user::Column::Id.in_subquery(enrolled));
    if !user_ids.is_empty() {
        select = select.filter(user::Column::Id.is_in(user_ids.iter().copied()));
    }
    let page = page::fetch(conn, select, "users", &crate::users::SORT, request).await?;
    let views = crate::users::with_details(conn, scope, page.items).await?;
    Ok(Page { items: views, has_more: page.has_more, total: page.total, last_key: page.last_key })
}

/// The enrollments (of a filter) of the given users, grouped by user: one query for a page of users.
pub async fn of_users<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &EnrollmentFilter,
    user_ids: &[i64],
) -> Result<HashMap<i64, Vec<row::Model>>, StoreError> {
    let mut by_user: HashMap<i64, Vec<row::Model>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(by_user);
    }
    for e in row::Entity::find()
        .filter(filter.condition(scope))
        .filter(row::Column::UserId.is_in(user_ids.iter().copied()))
        .all(conn)
        .await?
    {
        by_user.entry(e.user_id).or_default().push(e);
    }
    for list in by_user.values_mut() {
        list.sort_by_key(|e| e.id);
    }
    Ok(by_user)
}

/// What an enrollment's JSON shows besides the row: the user, and the SIS ids of its course and section.
#[derive(Debug, Clone, Default)]
pub struct Related {
    pub users: HashMap<i64, user::Model>,
    pub courses: HashMap<i64, course::Model>,
    pub sections: HashMap<i64, course_section::Model>,
}

/// Loads what `enrollments` refer to in three queries, whatever their number.
pub async fn related<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    enrollments: &[row::Model],
) -> Result<Related, StoreError> {
    if enrollments.is_empty() {
        return Ok(Related::default());
    }
    let root = scope.root_account_id();
    let users = user::Entity::find()
        .filter(user::Column::RootAccountId.eq(root))
        .filter(user::Column::Id.is_in(enrollments.iter().map(|e| e.user_id)))
        .all(conn)
        .await?;
    let courses = course::Entity::find()
        .filter(course::Column::RootAccountId.eq(root))
        .filter(course::Column::Id.is_in(enrollments.iter().map(|e| e.course_id)))
        .all(conn)
        .await?;
    let sections = course_section::Entity::find()
        .filter(course_section::Column::RootAccountId.eq(root))
        .filter(course_section::Column::Id.is_in(enrollments.iter().map(|e| e.course_section_id)))
        .all(conn)
        .await?;
    Ok(Related {
        users: users.into_iter().map(|u| (u.id, u)).collect(),
        courses: courses.into_iter().map(|c| (c.id, c)).collect(),
        sections: sections.into_iter().map(|s| (s.id, s)).collect(),
    })
}

/// The course roles a user's enrollments grant, for the permission check of every request.
///
/// Only active enrollments act; a concluded one (or any in a concluded course, or past its end date) reads but
/// changes nothing; invitations, inactive, rejected and deleted enrollments grant nothing. Students and observers
/// get nothing from an unpublished course, which they cannot see until it is published.
pub async fn course_grants<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    user_id: i64,
) -> Result<Vec<CourseGrant>, StoreError> {
    let rows: Vec<(row::Model, Option<course::Model>)> = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::UserId.eq(user_id))
        .filter(
            row::Column::WorkflowState.is_in([EnrollmentState::Active.as_str(), EnrollmentState::Completed.as_str()]),
        )
        .find_also_related(course::Entity)
        .all(conn)
        .await?;
    let now = crate::now();
    let mut grants = Vec::with_capacity(rows.len());
    for (e, course) in rows {
        let (Some(course), Some(role)) = (course, CourseRole::from_enrollment_type(&e.r#type)) else { continue };
        let course_state = CourseState::parse(&course.workflow_state).unwrap_or(CourseState::Deleted);
        let hidden =
            course_state == CourseState::Unpublished && matches!(role, CourseRole::Student | CourseRole::Observer);
        if course_state == CourseState::Deleted || hidden {
            continue;
        }
        let read_only = e.workflow_state == EnrollmentState::Completed.as_str()
            || course_state == CourseState::Completed
            || e.end_at.is_some_and(|end| end < now);
        grants.push(CourseGrant {
            course_id: e.course_id,
            role,
            section_id: e.limit_privileges_to_course_section.then_some(e.course_section_id),
            read_only,
        });
    }
    Ok(grants)
}
