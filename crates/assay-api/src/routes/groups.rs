//! Course groups (canvas-lms `group_categories_controller.rb`, `groups_controller.rb`,
//! `group_memberships_controller.rb`): group sets of a course, their groups, and who is in which group.
//!
//! Who may do what: anyone who may read the course sees its group sets, groups and members; changing them needs
//! `manage_groups` (teachers, TAs, designers, administrators). A student may join a group, or leave their own,
//! only in a set with `self_signup` on. `restricted` self sign-up is enforced as Canvas describes it: every
//! member of a group must share a course section.
//!
//! Differences from Canvas, on purpose: a user already in another group of the same set is refused (409) rather
//! than moved silently; a group set's `group_limit` applies to every group of the set that has no
//! `max_membership` of its own, however the member was added.

use std::collections::HashMap;

use assay_domain::{
    Code, IdRef, Validation,
    group::{ACCEPTED, AUTO_LEADER, JOIN_LEVELS, MEMBERSHIP_STATES, SELF_SIGNUP},
    policy::{Permission, Target},
};
use assay_store::{
    StoreError,
    entity::{group, group_category, group_membership, user},
    groups::{
        self, CATEGORY_ID_PREFIXES, CategoryFields, CategoryView, GROUP_ID_PREFIXES, GroupFields, GroupView, GroupsOf,
        Join, MembershipChanges, MembershipRef,
    },
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, courses, users};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::{PathParams, id_ref},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(show_category, update_category, delete_category))
        .routes(routes!(list_category_groups, create_group))
        .routes(routes!(list_course_groups))
        .routes(routes!(show_group, update_group, delete_group))
        .routes(routes!(list_memberships, create_membership))
        .routes(routes!(show_membership, update_membership, delete_membership))
        .routes(routes!(list_group_users))
        .routes(routes!(leave_group))
}

/// Canvas's group storage quota; Assay stores no group files, so the value is informational.
const STORAGE_QUOTA_MB: i64 = 50;

// ---- JSON shapes ----

/// A group set (Canvas "group category").
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupCategoryJson {
    pub id: i64,
    pub name: String,
    /// Canvas's special sets (`communities`, `student_organized`, `imported`); always null for a course's sets.
    pub role: Option<String>,
    /// `enabled`, `restricted` or null.
    pub self_signup: Option<String>,
    /// `first`, `random` or null.
    pub auto_leader: Option<String>,
    /// Always `Course`.
    pub context_type: &'static str,
    pub course_id: i64,
    pub group_limit: Option<i32>,
    pub groups_count: i64,
    /// Always false: a user is in at most one group of a set.
    pub allows_multiple_memberships: bool,
    pub protected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_group_category_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_import_id: Option<Option<i64>>,
}

fn render_category(c: &group_category::Model, groups_count: i64, sis: bool) -> GroupCategoryJson {
    GroupCategoryJson {
        id: c.id,
        name: c.name.clone(),
        role: None,
        self_signup: c.self_signup.clone(),
        auto_leader: c.auto_leader.clone(),
        context_type: "Course",
        course_id: c.course_id,
        group_limit: c.group_limit,
        groups_count,
        allows_multiple_memberships: false,
        protected: false,
        sis_group_category_id: sis.then(|| c.sis_group_category_id.clone()),
        sis_import_id: sis.then_some(None),
    }
}

/// A group's leader.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupLeaderJson {
    pub id: i64,
    pub name: String,
    pub display_name: String,
}

/// A group of a course.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupJson {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub is_public: bool,
    pub followed_by_user: bool,
    /// `invitation_only`, `parent_context_auto_join` or `parent_context_request`.
    pub join_level: String,
    /// Accepted members.
    pub members_count: i64,
    pub max_membership: Option<i32>,
    pub avatar_url: Option<String>,
    /// Always `Course`.
    pub context_type: &'static str,
    pub course_id: i64,
    pub role: Option<String>,
    pub group_category_id: i64,
    pub storage_quota_mb: i64,
    pub leader: Option<GroupLeaderJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_group_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_import_id: Option<Option<i64>>,
}

/// What a page of groups needs besides the rows: member counts and leaders' names.
struct GroupExtras {
    counts: HashMap<i64, i64>,
    leaders: HashMap<i64, user::Model>,
}

async fn group_extras(state: &AppState, caller: &Caller, groups: &[group::Model]) -> ApiResult<GroupExtras> {
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let leader_ids: Vec<i64> = groups.iter().filter_map(|g| g.leader_id).collect();
    let counts = groups::member_counts(state.store.read(), &caller.scope, &ids).await?;
    let leaders = groups::users_by_id(state.store.read(), &caller.scope, &leader_ids).await?;
    Ok(GroupExtras { counts, leaders })
}

fn render_group(g: &group::Model, extras: &GroupExtras, sis: bool) -> GroupJson {
    GroupJson {
        id: g.id,
        name: g.name.clone(),
        description: g.description.clone(),
        is_public: g.is_public,
        followed_by_user: false,
        join_level: g.join_level.clone(),
        members_count: extras.counts.get(&g.id).copied().unwrap_or(0),
        max_membership: g.max_membership,
        avatar_url: None,
        context_type: "Course",
        course_id: g.course_id,
        role: None,
        group_category_id: g.group_category_id,
        storage_quota_mb: STORAGE_QUOTA_MB,
        leader: g.leader_id.and_then(|id| extras.leaders.get(&id)).map(|u| GroupLeaderJson {
            id: u.id,
            name: u.name.clone(),
            display_name: u.short_name.clone(),
        }),
        sis_group_id: sis.then(|| g.sis_group_id.clone()),
        sis_import_id: sis.then_some(None),
    }
}

async fn render_one_group(state: &AppState, caller: &Caller, g: &group::Model, sis: bool) -> ApiResult<GroupJson> {
    let extras = group_extras(state, caller, std::slice::from_ref(g)).await?;
    Ok(render_group(g, &extras, sis))
}

/// A user's place in a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupMembershipJson {
    pub id: i64,
    pub group_id: i64,
    pub user_id: i64,
    /// `accepted`, `invited` or `requested`.
    pub workflow_state: String,
    pub moderator: bool,
    /// On create only: whether the user was just added (false: they were already a member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub just_created: Option<bool>,
    pub sis_import_id: Option<i64>,
}

fn render_membership(m: &group_membership::Model, just_created: Option<bool>) -> GroupMembershipJson {
    GroupMembershipJson {
        id: m.id,
        group_id: m.group_id,
        user_id: m.user_id,
        workflow_state: m.workflow_state.clone(),
        moderator: m.moderator,
        just_created,
        sis_import_id: None,
    }
}

/// A member of a group, as `GET /groups/:group_id/users` lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupUserJson {
    pub id: i64,
    pub name: String,
    pub sortable_name: String,
    pub short_name: String,
}

// ---- lookups and permissions ----

fn course_target(course: &assay_store::courses::CourseView) -> Target<'_> {
    Target::Course { course_id: course.course.id, account: &course.account_path }
}

fn may_read_sis(caller: &Caller, course: &assay_store::courses::CourseView) -> bool {
    caller.may(Permission::ReadSis, course_target(course))
}

async fn resolve_category(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<CategoryView> {
    let id = id_ref(raw, "group category", CATEGORY_ID_PREFIXES)?;
    groups::find_category(state.store.read(), &caller.scope, &id).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::not_found(Code::GroupCategoryNotFound),
        other => other.into(),
    })
}

async fn resolve_group(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<GroupView> {
    let id = id_ref(raw, "group", GROUP_ID_PREFIXES)?;
    groups::find_group(state.store.read(), &caller.scope, &id).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::not_found(Code::GroupNotFound),
        other => other.into(),
    })
}

/// Finds a membership of the group by id, or `self` (the caller's own).
async fn resolve_membership(
    state: &AppState,
    caller: &Caller,
    group: &group::Model,
    id: MembershipRef,
) -> ApiResult<group_membership::Model> {
    groups::find_membership(state.store.read(), &caller.scope, group.id, id).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::not_found(Code::GroupMembershipNotFound),
        other => other.into(),
    })
}

fn membership_ref(caller: &Caller, raw: &str) -> ApiResult<MembershipRef> {
    match id_ref(raw, "membership", &[])? {
        IdRef::Id(id) => Ok(MembershipRef::Id(id)),
        IdRef::Current => Ok(MembershipRef::User(caller.require_user()?.id)),
        IdRef::External(..) => Err(ApiError::new(Code::InvalidId, format!("`{raw}` is not a valid membership id"))),
    }
}

/// Whether the caller may change `user_id`'s membership in a group of `category` without `manage_groups`: their
/// own, in a set that lets students sign up.
fn is_self_signup(caller: &Caller, category: &group_category::Model, user_id: i64) -> bool {
    caller.user_id() == Some(user_id) && category.self_signup.is_some()
}

fn store_error(err: StoreError, not_found: Code) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::not_found(not_found),
        other => other.into(),
    }
}

// ---- parameters ----

/// Group set fields (top-level, as Canvas takes them).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GroupCategoryParams {
    /// Required on create.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `enabled`, `restricted`, or null/empty to turn self sign-up off.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub self_signup: Option<Option<String>>,
    /// `first`, `random`, or null/empty for none.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub auto_leader: Option<Option<String>>,
    /// The most members each group of the set may have (a positive integer), or null for no limit.
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub group_limit: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_group_category_id: Option<Option<String>>,
}

fn check_choice(v: &mut Validation, pointer: &str, value: Option<&Option<String>>, allowed: &[&str]) {
    if let Some(Some(value)) = value
        && !allowed.contains(&value.as_str())
    {
        v.add(pointer, format!("must be one of {} (or null)", allowed.join(", ")));
    }
}

fn check_limit(v: &mut Validation, pointer: &str, value: Option<Option<i64>>) -> Option<Option<i32>> {
    match value {
        Some(Some(n)) => match i32::try_from(n) {
            Ok(n) if n >= 1 => Some(Some(n)),
            _ => {
                v.add(pointer, "must be a positive integer (or null for no limit)");
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    }
}

impl GroupCategoryParams {
    fn into_fields(self, creating: bool) -> Result<CategoryFields, ApiError> {
        let mut v = Validation::new();
        v.text("/name", self.name.as_deref(), creating || self.name.is_some(), 255);
        check_choice(&mut v, "/self_signup", self.self_signup.as_ref(), SELF_SIGNUP);
        check_choice(&mut v, "/auto_leader", self.auto_leader.as_ref(), AUTO_LEADER);
        let group_limit = check_limit(&mut v, "/group_limit", self.group_limit);
        if let Some(Some(sis)) = &self.sis_group_category_id {
            v.identifier("/sis_group_category_id", Some(sis));
        }
        v.finish()?;
        Ok(CategoryFields {
            name: self.name.map(|s| s.trim().to_owned()),
            self_signup: self.self_signup,
            auto_leader: self.auto_leader,
            group_limit,
            sis_group_category_id: self.sis_group_category_id,
        })
    }
}

/// Group fields (top-level, as Canvas takes them).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GroupParams {
    /// Default on create: `Unnamed Group`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub is_public: Option<bool>,
    /// `invitation_only` (default), `parent_context_auto_join` or `parent_context_request`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub join_level: Option<String>,
    /// The most members the group may have (a positive integer), or null to use the set's `group_limit`.
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub max_membership: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_group_id: Option<Option<String>>,
}

impl GroupParams {
    fn into_fields(self) -> Result<GroupFields, ApiError> {
        let mut v = Validation::new();
        v.text("/name", self.name.as_deref(), self.name.is_some(), 255);
        if let Some(Some(description)) = &self.description {
            v.text("/description", Some(description), false, 65_536);
        }
        if let Some(level) = &self.join_level
            && !JOIN_LEVELS.contains(&level.as_str())
        {
            v.add("/join_level", format!("must be one of {}", JOIN_LEVELS.join(", ")));
        }
        let max_membership = check_limit(&mut v, "/max_membership", self.max_membership);
        if let Some(Some(sis)) = &self.sis_group_id {
            v.identifier("/sis_group_id", Some(sis));
        }
        v.finish()?;
        Ok(GroupFields {
            name: self.name.map(|s| s.trim().to_owned()),
            description: self.description,
            is_public: self.is_public,
            join_level: self.join_level,
            max_membership,
            sis_group_id: self.sis_group_id,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateMembershipParams {
    /// The user to add: an id, `self`, or `sis_user_id:X` (required).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateMembershipParams {
    /// Only `accepted`: accepts a request or an invitation.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub workflow_state: Option<String>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub moderator: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipListQuery {
    /// `accepted`, `invited`, `requested`; default: all three.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub filter_states: Vec<String>,
}

// ---- group sets ----

/// The group sets of a course.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/group_categories", tag = "Groups",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GroupCategoryJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_categories(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<GroupCategoryJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let sis = may_read_sis(&caller, &course);
    let page =
        groups::list_categories(state.store.read(), &caller.scope, course.course.id, &pagination.request).await?;
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    let counts = groups::group_counts(state.store.read(), &caller.scope, &ids).await?;
    Ok(Paginated::new(page.map(|c| render_category(&c, counts.get(&c.id).copied().unwrap_or(0), sis)), pagination))
}

/// Creates a group set in a course (`name` required).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/group_categories", tag = "Groups",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((GroupCategoryParams = "application/json"), (GroupCategoryParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = GroupCategoryJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_category(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<GroupCategoryParams>,
) -> ApiResult<Created<GroupCategoryJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageGroups, course_target(&course))?;
    let fields = params.into_fields(true)?;
    if fields.sis_group_category_id.is_some() {
        caller.require(Permission::ManageSis, course_target(&course))?;
    }
    let sis = may_read_sis(&caller, &course);
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let created = state
        .store
        .write(move |txn| Box::pin(async move { groups::create_category(txn, &scope, &parent, fields, actor).await }))
        .await?;
    let location = format!("{}/api/v1/group_categories/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render_category(&created, 0, sis) })
}

/// One group set, by id or `sis_group_category_id:X`.
#[utoipa::path(get, path = "/api/v1/group_categories/{id}", tag = "Groups",
    params(("id" = String, Path, description = "Group set id or `sis_group_category_id:X`")),
    responses((status = 200, body = GroupCategoryJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_category(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<GroupCategoryJson>> {
    let view = resolve_category(&state, &caller, &id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let counts = groups::group_counts(state.store.read(), &caller.scope, &[view.category.id]).await?;
    let count = counts.get(&view.category.id).copied().unwrap_or(0);
    Ok(Json(render_category(&view.category, count, may_read_sis(&caller, &view.course))))
}

/// Updates a group set; only the fields sent change.
#[utoipa::path(put, path = "/api/v1/group_categories/{id}", tag = "Groups",
    params(("id" = String, Path, description = "Group set id or `sis_group_category_id:X`")),
    request_body(content((GroupCategoryParams = "application/json"), (GroupCategoryParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = GroupCategoryJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_category(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<GroupCategoryParams>,
) -> ApiResult<Json<GroupCategoryJson>> {
    let view = resolve_category(&state, &caller, &id).await?;
    caller.require(Permission::ManageGroups, course_target(&view.course))?;
    let fields = params.into_fields(false)?;
    if fields.sis_group_category_id.is_some() {
        caller.require(Permission::ManageSis, course_target(&view.course))?;
    }
    let sis = may_read_sis(&caller, &view.course);
    let (scope, actor, current) = (caller.scope, caller.actor(), view.category);
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { groups::update_category(txn, &scope, &current, fields, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::GroupCategoryNotFound))?;
    let counts = groups::group_counts(state.store.read(), &caller.scope, &[updated.id]).await?;
    Ok(Json(render_category(&updated, counts.get(&updated.id).copied().unwrap_or(0), sis)))
}

/// Deletes a group set with all its groups (and their memberships); answers the deleted set.
#[utoipa::path(delete, path = "/api/v1/group_categories/{id}", tag = "Groups",
    params(("id" = String, Path, description = "Group set id or `sis_group_category_id:X`")),
    responses((status = 200, body = GroupCategoryJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_category(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<GroupCategoryJson>> {
    let view = resolve_category(&state, &caller, &id).await?;
    caller.require(Permission::ManageGroups, course_target(&view.course))?;
    let sis = may_read_sis(&caller, &view.course);
    let (scope, actor, current) = (caller.scope, caller.actor(), view.category);
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { groups::delete_category(txn, &scope, &current, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::GroupCategoryNotFound))?;
    Ok(Json(render_category(&deleted, 0, sis)))
}

// ---- groups ----

/// The groups of a group set.
#[utoipa::path(get, path = "/api/v1/group_categories/{group_category_id}/groups", tag = "Groups",
    params(("group_category_id" = String, Path, description = "Group set id or `sis_group_category_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GroupJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_category_groups(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(category_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<GroupJson>> {
    let view = resolve_category(&state, &caller, &category_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let sis = may_read_sis(&caller, &view.course);
    let of = GroupsOf::Category(view.category.id);
    let page = groups::list_groups(state.store.read(), &caller.scope, of, &pagination.request).await?;
    let extras = group_extras(&state, &caller, &page.items).await?;
    Ok(Paginated::new(page.map(|g| render_group(&g, &extras, sis)), pagination))
}

/// Creates a group in a group set.
#[utoipa::path(post, path = "/api/v1/group_categories/{group_category_id}/groups", tag = "Groups",
    params(("group_category_id" = String, Path, description = "Group set id or `sis_group_category_id:X`")),
    request_body(content((GroupParams = "application/json"), (GroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = GroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(category_id): PathParams<String>,
    Params(params): Params<GroupParams>,
) -> ApiResult<Created<GroupJson>> {
    let view = resolve_category(&state, &caller, &category_id).await?;
    caller.require(Permission::ManageGroups, course_target(&view.course))?;
    let fields = params.into_fields()?;
    if fields.sis_group_id.is_some() {
        caller.require(Permission::ManageSis, course_target(&view.course))?;
    }
    let sis = may_read_sis(&caller, &view.course);
    let (scope, actor, category) = (caller.scope, caller.actor(), view.category);
    let created = state
        .store
        .write(move |txn| Box::pin(async move { groups::create_group(txn, &scope, &category, fields, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::GroupCategoryNotFound))?;
    let location = format!("{}/api/v1/groups/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render_one_group(&state, &caller, &created, sis).await? })
}

/// The groups of a course, across its group sets.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/groups", tag = "Groups",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GroupJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_groups(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<GroupJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let sis = may_read_sis(&caller, &course);
    let of = GroupsOf::Course(course.course.id);
    let page = groups::list_groups(state.store.read(), &caller.scope, of, &pagination.request).await?;
    let extras = group_extras(&state, &caller, &page.items).await?;
    Ok(Paginated::new(page.map(|g| render_group(&g, &extras, sis)), pagination))
}

/// One group, by id or `sis_group_id:X`.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "Groups",
    params(("id" = String, Path, description = "Group id or `sis_group_id:X`")),
    responses((status = 200, body = GroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_group(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<GroupJson>> {
    let view = resolve_group(&state, &caller, &id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let sis = may_read_sis(&caller, &view.course);
    Ok(Json(render_one_group(&state, &caller, &view.group, sis).await?))
}

/// Updates a group; only the fields sent change.
#[utoipa::path(put, path = "/api/v1/groups/{id}", tag = "Groups",
    params(("id" = String, Path, description = "Group id or `sis_group_id:X`")),
    request_body(content((GroupParams = "application/json"), (GroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = GroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<GroupParams>,
) -> ApiResult<Json<GroupJson>> {
    let view = resolve_group(&state, &caller, &id).await?;
    caller.require(Permission::ManageGroups, course_target(&view.course))?;
    let fields = params.into_fields()?;
    if fields.sis_group_id.is_some() {
        caller.require(Permission::ManageSis, course_target(&view.course))?;
    }
    let sis = may_read_sis(&caller, &view.course);
    let (scope, actor, current) = (caller.scope, caller.actor(), view.group);
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { groups::update_group(txn, &scope, &current, fields, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::GroupNotFound))?;
    Ok(Json(render_one_group(&state, &caller, &updated, sis).await?))
}

/// Deletes a group and ends its memberships; answers the deleted group.
#[utoipa::path(delete, path = "/api/v1/groups/{id}", tag = "Groups",
    params(("id" = String, Path, description = "Group id or `sis_group_id:X`")),
    responses((status = 200, body = GroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<GroupJson>> {
    let view = resolve_group(&state, &caller, &id).await?;
    caller.require(Permission::ManageGroups, course_target(&view.course))?;
    let sis = may_read_sis(&caller, &view.course);
    let (scope, actor, current) = (caller.scope, caller.actor(), view.group);
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { groups::delete_group(txn, &scope, &current, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::GroupNotFound))?;
    Ok(Json(render_one_group(&state, &caller, &deleted, sis).await?))
}

// ---- memberships ----

/// The memberships of a group (`filter_states[]` narrows them).
#[utoipa::path(get, path = "/api/v1/groups/{group_id}/memberships", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), MembershipListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GroupMembershipJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_memberships(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(group_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<MembershipListQuery>,
) -> ApiResult<Paginated<GroupMembershipJson>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    if let Some(bad) = query.filter_states.iter().find(|s| !MEMBERSHIP_STATES.contains(&s.as_str())) {
        return Err(ApiError::invalid_field(
            "/filter_states",
            format!("`{bad}` is not one of {}", MEMBERSHIP_STATES.join(", ")),
        ));
    }
    let page = groups::list_memberships(
        state.store.read(),
        &caller.scope,
        view.group.id,
        &query.filter_states,
        &pagination.request,
    )
    .await?;
    Ok(Paginated::new(page.map(|m| render_membership(&m, None)), pagination))
}

/// Puts a user in a group (`user_id`: an id or `self`). A user already in the group gets their membership back
/// with `just_created: false`. Students may add only themselves, in a set with self sign-up.
#[utoipa::path(post, path = "/api/v1/groups/{group_id}/memberships", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`")),
    request_body(content((CreateMembershipParams = "application/json"), (CreateMembershipParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = GroupMembershipJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "In another group of the set, or the group is full"), (status = 422, body = ErrorBody, description = "Not enrolled in the course")),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_membership(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(group_id): PathParams<String>,
    Params(params): Params<CreateMembershipParams>,
) -> ApiResult<Json<GroupMembershipJson>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let Some(raw_user) = params.user_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(ApiError::invalid_field("/user_id", "is required"));
    };
    let member = users::resolve(&state, &caller, raw_user).await?;
    let manager = caller.may(Permission::ManageGroups, course_target(&view.course));
    if !manager && !is_self_signup(&caller, &view.category, member.user.id) {
        return Err(ApiError::unauthorized());
    }
    let join = Join { user_id: member.user.id, placed_by_manager: manager };
    let (scope, actor, group_id) = (caller.scope, caller.actor(), view.group.id);
    let (membership, just_created) = state
        .store
        .write(move |txn| Box::pin(async move { groups::add_member(txn, &scope, group_id, join, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::GroupNotFound))?;
    Ok(Json(render_membership(&membership, Some(just_created))))
}

/// One membership of a group, by id or `self`.
#[utoipa::path(get, path = "/api/v1/groups/{group_id}/memberships/{membership_id}", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), ("membership_id" = String, Path, description = "Membership id or `self`")),
    responses((status = 200, body = GroupMembershipJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_membership(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((group_id, membership_id)): PathParams<(String, String)>,
) -> ApiResult<Json<GroupMembershipJson>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let id = membership_ref(&caller, &membership_id)?;
    let membership = resolve_membership(&state, &caller, &view.group, id).await?;
    Ok(Json(render_membership(&membership, None)))
}

/// Accepts a membership (`workflow_state=accepted`) or sets `moderator`. Needs `manage_groups`, except that a
/// user may accept their own invitation.
#[utoipa::path(put, path = "/api/v1/groups/{group_id}/memberships/{membership_id}", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), ("membership_id" = String, Path, description = "Membership id or `self`")),
    request_body(content((UpdateMembershipParams = "application/json"), (UpdateMembershipParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = GroupMembershipJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_membership(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((group_id, membership_id)): PathParams<(String, String)>,
    Params(params): Params<UpdateMembershipParams>,
) -> ApiResult<Json<GroupMembershipJson>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let id = membership_ref(&caller, &membership_id)?;
    let current = resolve_membership(&state, &caller, &view.group, id).await?;
    if let Some(s) = &params.workflow_state
        && s != ACCEPTED
    {
        return Err(ApiError::invalid_field("/workflow_state", "may only be set to `accepted`"));
    }
    let accepting_own_invitation =
        caller.user_id() == Some(current.user_id) && current.workflow_state == "invited" && params.moderator.is_none();
    if !accepting_own_invitation {
        caller.require(Permission::ManageGroups, course_target(&view.course))?;
    }
    let changes = MembershipChanges { workflow_state: params.workflow_state, moderator: params.moderator };
    let (scope, actor, group) = (caller.scope, caller.actor(), view.group);
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(async move { groups::update_membership(txn, &scope, &group, &current, changes, actor).await })
        })
        .await
        .map_err(|err| store_error(err, Code::GroupMembershipNotFound))?;
    Ok(Json(render_membership(&updated, None)))
}

/// Takes someone out of a group (`self`: leave it). Students may leave only groups of a set with self sign-up.
/// Answers `{"ok": true}`, as Canvas does.
#[utoipa::path(delete, path = "/api/v1/groups/{group_id}/memberships/{membership_id}", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), ("membership_id" = String, Path, description = "Membership id or `self`")),
    responses((status = 200, description = "`{\"ok\": true}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_membership(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((group_id, membership_id)): PathParams<(String, String)>,
) -> ApiResult<Json<Value>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let id = membership_ref(&caller, &membership_id)?;
    remove(&state, &caller, view, id).await
}

/// Takes a user out of a group, named by user id or `self`; the same as deleting their membership.
#[utoipa::path(delete, path = "/api/v1/groups/{group_id}/users/{user_id}", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), ("user_id" = String, Path, description = "User id, `self` or `sis_user_id:X`")),
    responses((status = 200, description = "`{\"ok\": true}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn leave_group(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((group_id, user_id)): PathParams<(String, String)>,
) -> ApiResult<Json<Value>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let member = users::resolve(&state, &caller, &user_id).await?;
    remove(&state, &caller, view, MembershipRef::User(member.user.id)).await
}

async fn remove(state: &AppState, caller: &Caller, view: GroupView, id: MembershipRef) -> ApiResult<Json<Value>> {
    let current = resolve_membership(state, caller, &view.group, id).await?;
    if !is_self_signup(caller, &view.category, current.user_id) {
        caller.require(Permission::ManageGroups, course_target(&view.course))?;
    }
    let (scope, actor, group) = (caller.scope, caller.actor(), view.group);
    state
        .store
        .write(move |txn| {
            Box::pin(async move { groups::remove_membership(txn, &scope, &group, &current, actor).await })
        })
        .await
        .map_err(|err| store_error(err, Code::GroupMembershipNotFound))?;
    Ok(Json(json!({ "ok": true })))
}

/// The accepted members of a group, by sortable name.
#[utoipa::path(get, path = "/api/v1/groups/{group_id}/users", tag = "Groups",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GroupUserJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_group_users(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(group_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<GroupUserJson>> {
    let view = resolve_group(&state, &caller, &group_id).await?;
    caller.require(Permission::ViewCourse, course_target(&view.course))?;
    let page = groups::list_member_users(state.store.read(), &caller.scope, view.group.id, &pagination.request).await?;
    Ok(Paginated::new(
        page.map(|u| GroupUserJson {
            id: u.id,
            name: u.name,
            sortable_name: u.sortable_name,
            short_name: u.short_name,
        }),
        pagination,
    ))
}
