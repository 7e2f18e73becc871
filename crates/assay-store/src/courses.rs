//! Courses of a school, their settings document, and the batched lookups the course JSON's `include[]` needs.
//!
//! A course's term is optional: Assay has no "Default Term" (Canvas puts a course without a term there), so a
//! course created without `term_id` has `enrollment_term_id` null until a term is given.

use std::collections::HashMap;

use assay_domain::{
    account::AccountPath,
    course::CourseState,
    course_settings::SettingsChange,
    enrollment::EnrollmentState,
    id_ref::{ExternalKey, IdRef},
    policy::CourseRole,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{account, course, course_section, enrollment, enrollment_term, user},
    events::{self, Actor},
    page::{self, Direction, KeyKind, SortColumn},
};

pub const ID_PREFIXES: assay_domain::id_ref::Prefixes =
    &[("sis_course_id", ExternalKey::Sis), ("sis_integration_id", ExternalKey::Integration)];

#[derive(Debug, Clone, Default)]
pub struct CourseFields {
    pub name: Option<String>,
    pub course_code: Option<String>,
    pub sis_course_id: Option<Option<String>>,
    pub integration_id: Option<Option<String>>,
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub time_zone: Option<Option<String>>,
    pub default_view: Option<String>,
    pub apply_assignment_group_weights: Option<bool>,
    pub hide_final_grades: Option<bool>,
    pub restrict_enrollments_to_course_dates: Option<bool>,
    pub is_public: Option<bool>,
    pub license: Option<Option<String>>,
    /// The term (`Some(None)`: none); it must be a live term of the school, checked in the write.
    pub term: Option<Option<IdRef>>,
    /// The grading standard of the course's letter and GPA grades (`Some(None)`: Canvas's default); one the
    /// course may use, checked by the caller.
    pub grading_standard_id: Option<Option<i64>>,
    /// The state to move to (already checked against the state machine).
    pub state: Option<CourseState>,
}

/// A course with the path of its account (for permission checks).
#[derive(Debug, Clone)]
pub struct CourseView {
    pub course: course::Model,
    pub account_path: AccountPath,
}

/// What an event says about a course.
pub fn payload(c: &course::Model) -> serde_json::Value {
    json!({
        "id": c.id, "name": c.name, "course_code": c.course_code, "account_id": c.account_id,
        "sis_course_id": c.sis_course_id, "workflow_state": c.workflow_state,
        "start_at": c.start_at, "end_at": c.end_at, "enrollment_term_id": c.enrollment_term_id,
        "hide_final_grades": c.hide_final_grades, "grading_standard_id": c.grading_standard_id,
        "settings": assay_domain::course_settings::parse_stored(c.settings.as_deref()),
    })
}

/// The id of the term `term` names, or a 422 on `course[term_id]` when it is not a live term of the school.
async fn resolve_term(
    txn: &DatabaseTransaction,
    scope: &Scope,
    term: Option<Option<IdRef>>,
) -> Result<Option<Option<i64>>, StoreError> {
    let Some(term) = term else { return Ok(None) };
    let Some(id) = term else { return Ok(Some(None)) };
    match crate::terms::find(txn, scope, &id).await {
        Ok(found) => Ok(Some(Some(found.id))),
        Err(StoreError::NotFound) => {
            Err(StoreError::Invalid { field: "course/term_id", message: "is not an active term of this school".into() })
        }
        Err(other) => Err(other),
    }
}

fn random_uuid() -> String {
    crate::secrets::short_id(40)
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    account: &account::Model,
    fields: CourseFields,
    actor: Actor,
) -> Result<course::Model, StoreError> {
    let now = crate::now();
    let term = resolve_term(txn, scope, fields.term).await?.flatten();
    let name = fields.name.unwrap_or_else(|| "Unnamed Course".to_owned());
    let created = course::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account.id),
        enrollment_term_id: Set(term),
        course_code: Set(fields.course_code.unwrap_or_else(|| name.clone())),
        name: Set(name),
        uuid: Set(random_uuid()),
        sis_course_id: Set(fields.sis_course_id.flatten()),
        integration_id: Set(fields.integration_id.flatten()),
        workflow_state: Set(fields.state.unwrap_or(CourseState::Unpublished).as_str().to_owned()),
        start_at: Set(fields.start_at.flatten()),
        end_at: Set(fields.end_at.flatten()),
        time_zone: Set(fields.time_zone.flatten()),
        default_view: Set(fields.default_view.unwrap_or_else(|| "modules".to_owned())),
        apply_assignment_group_weights: Set(fields.apply_assignment_group_weights.unwrap_or(false)),
        hide_final_grades: Set(fields.hide_final_grades.unwrap_or(false)),
        restrict_enrollments_to_course_dates: Set(fields.restrict_enrollments_to_course_dates.unwrap_or(false)),
        is_public: Set(fields.is_public.unwrap_or(false)),
        license: Set(fields.license.flatten()),
        grading_standard_id: Set(fields.grading_standard_id.flatten()),
        settings: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "course.created", created.id, actor, payload(&created)).await?;
    Ok(created)
}

/// Finds a course of the caller's school (deleted ones too when `include_deleted`).
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: &IdRef,
    include_deleted: bool,
) -> Result<CourseView, StoreError> {
    let mut select = course::Entity::find().filter(course::Column::RootAccountId.eq(scope.root_account_id()));
    if !include_deleted {
        select = select.filter(course::Column::WorkflowState.ne(CourseState::Deleted.as_str()));
    }
    let select = match id {
        IdRef::Id(id) => select.filter(course::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(course::Column::SisCourseId.eq(v.as_str())),
        IdRef::External(ExternalKey::Integration, v) => select.filter(course::Column::IntegrationId.eq(v.as_str())),
        IdRef::Current | IdRef::External(ExternalKey::Login, _) => return Err(StoreError::NotFound),
    };
    let found = select.one(conn).await?.ok_or(StoreError::NotFound)?;
    let account = crate::accounts::find(conn, scope, &IdRef::Id(found.account_id)).await?;
    Ok(CourseView { account_path: account.account_path(), course: found })
}

/// [`find`] outside a transaction, from the store's copy while it is current (see `read_cache`): nearly every
/// request names a course in its path.
pub async fn find_current(
    store: &crate::Store,
    scope: &Scope,
    id: &IdRef,
    include_deleted: bool,
) -> Result<CourseView, StoreError> {
    let key = (scope.root_account_id(), id.clone(), include_deleted);
    store.cached.courses.get_or_load(store, key, || find(store.read(), scope, id, include_deleted)).await
}

/// How an account's course list is ordered (Canvas's `sort`); the id breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CourseSort {
    #[default]
    Id,
    Name,
    SisCourseId,
    Status,
}

#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    /// States to include; empty: all but deleted.
    pub states: Vec<CourseState>,
    pub search_term: Option<String>,
    pub published: Option<bool>,
    pub term_id: Option<i64>,
    /// `Some(true)`: only courses with a live (not deleted) enrollment; `Some(false)`: only courses without.
    pub with_enrollments: Option<bool>,
    /// Only courses with a live enrollment of one of these types.
    pub enrollment_types: Vec<CourseRole>,
    /// Only courses in these accounts or below them (their stored paths).
    pub subaccount_paths: Vec<String>,
    pub starts_before: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_after: Option<chrono::DateTime<chrono::Utc>>,
    pub sort: CourseSort,
    pub direction: Direction,
}

/// `EXISTS (SELECT 1 FROM enrollments WHERE course_id = courses.id AND <live> [AND type IN types])`.
fn has_enrollment(scope: &Scope, types: &[CourseRole]) -> SimpleExpr {
    let mut sub = enrollment::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(
            Expr::col((enrollment::Entity, enrollment::Column::CourseId)).equals((course::Entity, course::Column::Id)),
        )
        .filter(enrollment::Column::WorkflowState.ne(EnrollmentState::Deleted.as_str()));
    if !types.is_empty() {
        sub = sub.filter(enrollment::Column::Type.is_in(types.iter().map(|r| r.enrollment_type())));
    }
    Expr::exists(sub.into_query())
}

/// `EXISTS` a term of the course matching `condition` (on the term's columns).
fn term_matches(condition: Condition) -> SimpleExpr {
    let sub = enrollment_term::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(
            Expr::col((enrollment_term::Entity, enrollment_term::Column::Id))
                .equals((course::Entity, course::Column::EnrollmentTermId)),
        )
        .filter(condition);
    Expr::exists(sub.into_query())
}

fn course_sort(sort: CourseSort) -> Vec<SortColumn<course::Model>> {
    let id = SortColumn::<course::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) };
    match sort {
        CourseSort::Id => vec![id],
        CourseSort::Name => vec![SortColumn { column: "name", kind: KeyKind::Text, key: |m| json!(m.name) }, id],
        CourseSort::SisCourseId => vec![
            SortColumn {
                column: "sis_course_id",
                kind: KeyKind::TextOrEmpty,
                key: |m| json!(m.sis_course_id.as_deref().unwrap_or("")),
            },
            id,
        ],
        CourseSort::Status => {
            vec![SortColumn { column: "workflow_state", kind: KeyKind::Text, key: |m| json!(m.workflow_state) }, id]
        }
    }
}

/// The courses of `account` and the accounts below it, by `filter.sort` then id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account: &account::Model,
    filter: &CourseFilter,
    request: &PageRequest,
) -> Result<Page<course::Model>, StoreError> {
    let mut paths = Condition::any();
    if filter.subaccount_paths.is_empty() {
        paths = paths.add(account::Column::Path.like(format!("{}%", account.path)));
    } else {
        for path in &filter.subaccount_paths {
            paths = paths.add(account::Column::Path.like(format!("{path}%")));
        }
    }
    let below = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Path.like(format!("{}%", account.path)))
        .filter(paths)
        .into_query();
    let mut select = course::Entity::find()
        .filter(course::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(course::Column::AccountId.in_subquery(below));
    if filter.states.is_empty() {
        select = select.filter(course::Column::WorkflowState.ne(CourseState::Deleted.as_str()));
    } else {
        select = select.filter(course::Column::WorkflowState.is_in(filter.states.iter().map(|s| s.as_str())));
    }
    if let Some(published) = filter.published {
        select = if published {
            select.filter(course::Column::WorkflowState.eq(CourseState::Available.as_str()))
        } else {
            select.filter(course::Column::WorkflowState.eq(CourseState::Unpublished.as_str()))
        };
    }
    if let Some(term) = &filter.search_term {
        let pattern =
            format!("%{}%", term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let like = |col: course::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(like(course::Column::Name))
                .add(like(course::Column::CourseCode))
                .add(like(course::Column::SisCourseId)),
        );
    }
    if let Some(term_id) = filter.term_id {
        select = select.filter(course::Column::EnrollmentTermId.eq(term_id));
    }
    match filter.with_enrollments {
        Some(true) => select = select.filter(has_enrollment(scope, &[])),
        Some(false) => select = select.filter(has_enrollment(scope, &[]).not()),
        None => {}
    }
    if !filter.enrollment_types.is_empty() {
        select = select.filter(has_enrollment(scope, &filter.enrollment_types));
    }
    // Canvas: the course's own date, else its term's, and a course with neither is always in.
    if let Some(at) = filter.starts_before {
        select = select.filter(
            Condition::any().add(course::Column::StartAt.lte(at)).add(
                Condition::all().add(course::Column::StartAt.is_null()).add(
                    Condition::any().add(course::Column::EnrollmentTermId.is_null()).add(term_matches(
                        Condition::any()
                            .add(enrollment_term::Column::StartAt.is_null())
                            .add(enrollment_term::Column::StartAt.lte(at)),
                    )),
                ),
            ),
        );
    }
    if let Some(at) = filter.ends_after {
        select = select.filter(
            Condition::any().add(course::Column::EndAt.gte(at)).add(
                Condition::all().add(course::Column::EndAt.is_null()).add(
                    Condition::any().add(course::Column::EnrollmentTermId.is_null()).add(term_matches(
                        Condition::any()
                            .add(enrollment_term::Column::EndAt.is_null())
                            .add(enrollment_term::Column::EndAt.gte(at)),
                    )),
                ),
            ),
        );
    }
    page::fetch_in(conn, select, "courses", &course_sort(filter.sort), request, filter.direction).await
}

/// Which of a user's enrollments count for `GET /courses` (`enrollment_type`, `enrollment_state`).
#[derive(Debug, Clone)]
pub struct EnrollmentFilter {
    pub user_id: i64,
    /// One enrollment type, or all.
    pub role: Option<CourseRole>,
    /// Enrollment states; Canvas's default is the current ones (active, invited, creation pending).
    pub states: Vec<&'static str>,
}

impl EnrollmentFilter {
    /// Canvas's default: the current enrollments (active, invited, pending).
    pub fn current() -> Vec<&'static str> {
        EnrollmentState::DEFAULT_LISTED.iter().map(|s| s.as_str()).collect()
    }

    fn select(&self, scope: &Scope) -> sea_orm::Select<enrollment::Entity> {
        let mut select = enrollment::Entity::find()
            .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(enrollment::Column::UserId.eq(self.user_id))
            .filter(enrollment::Column::WorkflowState.is_in(self.states.iter().copied()));
        if let Some(role) = self.role {
            select = select.filter(enrollment::Column::Type.eq(role.enrollment_type()));
        }
        select
    }

    /// The ids of the courses these enrollments are in, leaving out enrollments of the `except` types.
    fn course_ids(&self, scope: &Scope, except: Option<&[&str]>) -> sea_orm::sea_query::SelectStatement {
        let mut select = self.select(scope).select_only().column(enrollment::Column::CourseId);
        if let Some(types) = except {
            select = select.filter(enrollment::Column::Type.is_not_in(types.iter().copied()));
        }
        select.into_query()
    }
}

/// The courses a user is enrolled in (as `filter` counts enrollments), by id. With no `states`, Canvas's
/// default: a course where the user is only a student or observer is listed once it is available; other
/// courses unless deleted.
pub async fn list_for_user<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &EnrollmentFilter,
    states: &[CourseState],
    request: &PageRequest,
) -> Result<Page<course::Model>, StoreError> {
    let mut select = course::Entity::find().filter(course::Column::RootAccountId.eq(scope.root_account_id()));
    if states.is_empty() {
        let viewers: Vec<&str> =
            CourseRole::ENROLLABLE.iter().filter(|r| !r.sees_unpublished()).map(|r| r.enrollment_type()).collect();
        select = select.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(course::Column::WorkflowState.ne(CourseState::Deleted.as_str()))
                        .add(course::Column::Id.in_subquery(filter.course_ids(scope, Some(&viewers)))),
                )
                .add(
                    Condition::all()
                        .add(course::Column::WorkflowState.eq(CourseState::Available.as_str()))
                        .add(course::Column::Id.in_subquery(filter.course_ids(scope, None))),
                ),
        );
    } else {
        select = select
            .filter(course::Column::WorkflowState.is_in(states.iter().map(|s| s.as_str())))
            .filter(course::Column::Id.in_subquery(filter.course_ids(scope, None)));
    }
    page::fetch(conn, select, "courses", &course_sort(CourseSort::Id), request).await
}

/// The enrollments `filter` counts in these courses, by id.
pub async fn enrollments_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &EnrollmentFilter,
    course_ids: &[i64],
) -> Result<Vec<enrollment::Model>, StoreError> {
    if course_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(filter
        .select(scope)
        .filter(enrollment::Column::CourseId.is_in(course_ids.iter().copied()))
        .order_by_asc(enrollment::Column::Id)
        .all(conn)
        .await?)
}

/// Terms by id (deleted ones too: a course still shows the term it was in).
pub async fn terms_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, enrollment_term::Model>, StoreError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = enrollment_term::Entity::find()
        .filter(enrollment_term::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment_term::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(found.into_iter().map(|t| (t.id, t)).collect())
}

pub async fn accounts_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, account::Model>, StoreError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(found.into_iter().map(|a| (a.id, a)).collect())
}

pub async fn sections_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, course_section::Model>, StoreError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = course_section::Entity::find()
        .filter(course_section::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(course_section::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(found.into_iter().map(|s| (s.id, s)).collect())
}

/// The number of students (active or invited student enrollments, each user once) of each course; one
/// grouped query.
pub async fn student_counts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_ids: &[i64],
) -> Result<HashMap<i64, i64>, StoreError> {
    if course_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::CourseId)
        .expr(Expr::col(enrollment::Column::UserId).count_distinct())
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.is_in(course_ids.iter().copied()))
        .filter(enrollment::Column::Type.eq(CourseRole::Student.enrollment_type()))
        .filter(
            enrollment::Column::WorkflowState
                .is_in([EnrollmentState::Active.as_str(), EnrollmentState::Invited.as_str()]),
        )
        .group_by(enrollment::Column::CourseId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The teachers (active teacher enrollments) of each course, each user once, in enrollment order; two queries.
pub async fn teachers<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_ids: &[i64],
) -> Result<HashMap<i64, Vec<user::Model>>, StoreError> {
    if course_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<(i64, i64)> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::CourseId)
        .column(enrollment::Column::UserId)
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.is_in(course_ids.iter().copied()))
        .filter(enrollment::Column::Type.eq(CourseRole::Teacher.enrollment_type()))
        .filter(enrollment::Column::WorkflowState.eq(EnrollmentState::Active.as_str()))
        .order_by_asc(enrollment::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut user_ids: Vec<i64> = pairs.iter().map(|(_, u)| *u).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let users: HashMap<i64, user::Model> = if user_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(user::Column::Id.is_in(user_ids))
            .filter(user::Column::WorkflowState.ne(crate::accounts::DELETED))
            .all(conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };
    let mut by_course: HashMap<i64, Vec<user::Model>> = HashMap::new();
    for (course_id, user_id) in pairs {
        let list = by_course.entry(course_id).or_default();
        if let Some(u) = users.get(&user_id)
            && !list.iter().any(|seen| seen.id == user_id)
        {
            list.push(u.clone());
        }
    }
    Ok(by_course)
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &course::Model,
    fields: CourseFields,
    actor: Actor,
) -> Result<course::Model, StoreError> {
    let term = resolve_term(txn, scope, fields.term).await?;
    let mut model: course::ActiveModel = current.clone().into();
    crate::assign(&mut model.enrollment_term_id, term);
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.course_code, fields.course_code);
    crate::assign(&mut model.sis_course_id, fields.sis_course_id);
    crate::assign(&mut model.integration_id, fields.integration_id);
    crate::assign(&mut model.start_at, fields.start_at);
    crate::assign(&mut model.end_at, fields.end_at);
    crate::assign(&mut model.time_zone, fields.time_zone);
    crate::assign(&mut model.default_view, fields.default_view);
    crate::assign(&mut model.apply_assignment_group_weights, fields.apply_assignment_group_weights);
    crate::assign(&mut model.hide_final_grades, fields.hide_final_grades);
    crate::assign(&mut model.restrict_enrollments_to_course_dates, fields.restrict_enrollments_to_course_dates);
    crate::assign(&mut model.is_public, fields.is_public);
    crate::assign(&mut model.license, fields.license);
    crate::assign(&mut model.grading_standard_id, fields.grading_standard_id);
    crate::assign(&mut model.workflow_state, fields.state.map(|s| s.as_str().to_owned()));
    save(txn, scope, current, model, actor).await
}

/// Stores a validated settings change (the document and `hide_final_grades`) and records `course.updated`.
pub async fn update_settings(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &course::Model,
    change: SettingsChange,
    actor: Actor,
) -> Result<course::Model, StoreError> {
    let mut model: course::ActiveModel = current.clone().into();
    model.settings = Set(Some(serde_json::Value::Object(change.document).to_string()));
    crate::assign(&mut model.hide_final_grades, change.hide_final_grades);
    save(txn, scope, current, model, actor).await
}

async fn save(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &course::Model,
    mut model: course::ActiveModel,
    actor: Actor,
) -> Result<course::Model, StoreError> {
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "course",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}
