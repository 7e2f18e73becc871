//! Courses of a school.

use assay_domain::{
    account::AccountPath,
    course::CourseState,
    id_ref::{ExternalKey, IdRef},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{account, course},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
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
        "start_at": c.start_at, "end_at": c.end_at,
    })
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
    let name = fields.name.unwrap_or_else(|| "Unnamed Course".to_owned());
    let created = course::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account.id),
        enrollment_term_id: Set(None),
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

#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    /// States to include; empty: all but deleted.
    pub states: Vec<CourseState>,
    pub search_term: Option<String>,
    pub published: Option<bool>,
}

/// The courses of `account` and the accounts below it, by id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account: &account::Model,
    filter: &CourseFilter,
    request: &PageRequest,
) -> Result<Page<course::Model>, StoreError> {
    let below = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Path.like(format!("{}%", account.path)))
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
    let sort = [SortColumn::<course::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "courses", &sort, request).await
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &course::Model,
    fields: CourseFields,
    actor: Actor,
) -> Result<course::Model, StoreError> {
    let mut model: course::ActiveModel = current.clone().into();
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
    crate::assign(&mut model.workflow_state, fields.state.map(|s| s.as_str().to_owned()));
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
