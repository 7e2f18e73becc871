//! Course sections.

use assay_domain::id_ref::{ExternalKey, IdRef};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    courses::CourseView,
    entity::{course, course_section},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

pub const ID_PREFIXES: assay_domain::id_ref::Prefixes =
    &[("sis_section_id", ExternalKey::Sis), ("sis_integration_id", ExternalKey::Integration)];

#[derive(Debug, Clone, Default)]
pub struct SectionFields {
    pub name: Option<String>,
    pub sis_section_id: Option<Option<String>>,
    pub integration_id: Option<Option<String>>,
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub restrict_enrollments_to_section_dates: Option<bool>,
}

/// A section with its course (and the course's account path, for permissions).
#[derive(Debug, Clone)]
pub struct SectionView {
    pub section: course_section::Model,
    pub course: CourseView,
}

pub fn payload(s: &course_section::Model) -> serde_json::Value {
    json!({"id": s.id, "course_id": s.course_id, "name": s.name, "sis_section_id": s.sis_section_id, "workflow_state": s.workflow_state})
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    fields: SectionFields,
    actor: Actor,
) -> Result<course_section::Model, StoreError> {
    let now = crate::now();
    let created = course_section::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course.id),
        name: Set(fields.name.unwrap_or_else(|| course.name.clone())),
        sis_section_id: Set(fields.sis_section_id.flatten()),
        integration_id: Set(fields.integration_id.flatten()),
        start_at: Set(fields.start_at.flatten()),
        end_at: Set(fields.end_at.flatten()),
        restrict_enrollments_to_section_dates: Set(fields.restrict_enrollments_to_section_dates.unwrap_or(false)),
        workflow_state: Set(ACTIVE.to_owned()),
        default_section: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "section.created", created.id, actor, payload(&created))
        .await?;
    Ok(created)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    request: &PageRequest,
) -> Result<Page<course_section::Model>, StoreError> {
    let select = course_section::Entity::find()
        .filter(course_section::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(course_section::Column::CourseId.eq(course_id))
        .filter(course_section::Column::WorkflowState.eq(ACTIVE));
    let sort = [SortColumn::<course_section::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "course_sections", &sort, request).await
}

/// Finds an active section of the caller's school, with its (not deleted) course.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: &IdRef) -> Result<SectionView, StoreError> {
    let select = course_section::Entity::find()
        .filter(course_section::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(course_section::Column::WorkflowState.eq(ACTIVE));
    let select = match id {
        IdRef::Id(id) => select.filter(course_section::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(course_section::Column::SisSectionId.eq(v.as_str())),
        IdRef::External(ExternalKey::Integration, v) => {
            select.filter(course_section::Column::IntegrationId.eq(v.as_str()))
        }
        IdRef::Current | IdRef::External(ExternalKey::Login, _) => return Err(StoreError::NotFound),
    };
    let section = select.one(conn).await?.ok_or(StoreError::NotFound)?;
    let course = crate::courses::find(conn, scope, &IdRef::Id(section.course_id), false).await?;
    Ok(SectionView { section, course })
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &course_section::Model,
    fields: SectionFields,
    actor: Actor,
) -> Result<course_section::Model, StoreError> {
    let mut model: course_section::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.sis_section_id, fields.sis_section_id);
    crate::assign(&mut model.integration_id, fields.integration_id);
    crate::assign(&mut model.start_at, fields.start_at);
    crate::assign(&mut model.end_at, fields.end_at);
    crate::assign(&mut model.restrict_enrollments_to_section_dates, fields.restrict_enrollments_to_section_dates);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "section",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a section (kept, marked deleted).
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &course_section::Model,
    actor: Actor,
) -> Result<course_section::Model, StoreError> {
    let mut model: course_section::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    // Free the SIS id for reuse: the unique index covers deleted rows too.
    model.sis_section_id = Set(None);
    model.integration_id = Set(None);
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "section.deleted", deleted.id, actor, payload(current)).await?;
    Ok(deleted)
}

/// The course's default section: the one enrollments join when they name no section. Made on first use, named
/// after the course (as Canvas does), without an event of its own (it is bookkeeping, not a teacher's change).
pub async fn default_for(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
) -> Result<course_section::Model, StoreError> {
    let existing = course_section::Entity::find()
        .filter(course_section::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(course_section::Column::CourseId.eq(course.id))
        .filter(course_section::Column::DefaultSection.eq(true))
        .filter(course_section::Column::WorkflowState.eq(ACTIVE))
        .one(txn)
        .await?;
    if let Some(section) = existing {
        return Ok(section);
    }
    let now = crate::now();
    Ok(course_section::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course.id),
        name: Set(course.name.clone()),
        sis_section_id: Set(None),
        integration_id: Set(None),
        start_at: Set(None),
        end_at: Set(None),
        restrict_enrollments_to_section_dates: Set(false),
        workflow_state: Set(ACTIVE.to_owned()),
        default_section: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}
