//! Assignments (canvas-lms `assignments_api_controller.rb`, §3.1–3.9 of the Canvas extract): a course's
//! assignments, their per-student/group/section date overrides, extra attempts, bulk date changes and each
//! student's effective due dates.
//!
//! Who sees what: staff (`manage_content` or `view_all_grades`: teachers, TAs, designers, administrators) see
//! every assignment that is not deleted, with its own dates. Everyone else who may read the course (students,
//! observers) sees only published assignments, and of those that are `only_visible_to_overrides` only the ones an
//! override assigns to them; their `due_at`/`unlock_at`/`lock_at` are their effective dates (see
//! `assay_domain::assignment`). Changing anything needs `manage_content`. Overrides are read and written by
//! staff only (students learn their dates from the assignment itself).
//!
//! Differences from Canvas, on purpose or for now: `bucket` is computed from the caller's dates, not from their
//! submissions (`overdue` = past due and expecting a submission, `unsubmitted` = expecting one, `ungraded` =
//! none); overrides are deleted outright, not soft-deleted. `needs_grading_count`, `has_submitted_submissions`
//! and `graded_submissions_exist` come from the submissions.
//!
//! `bulk_update` checks the whole request first (422, nothing queued), then queues a background job (the generic
//! job table, run by `assay-jobs`) and answers its Progress; the job applies every date or none.
//!
//! The batch override endpoints (`GET/POST/PUT /courses/:id/assignments/overrides`) apply the single-override
//! rules to each item in one transaction: one refused item refuses the batch (422 at
//! `/assignment_overrides/<i>/<field>`) and nothing is written.

use std::collections::{HashMap, HashSet};

use assay_domain::{
    Code, IdRef, Validation,
    assignment::{self as rules, Dates, OverrideDates, StudentPlace, Target},
    policy::{Permission, Target as PolicyTarget},
};
use assay_store::{
    StoreError,
    assignments::{self, AssignmentFields, BulkDates, OverrideInput, OverrideView, groups as assignment_groups},
    courses::CourseView,
    entity::{assignment, assignment_extension},
};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, courses};
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
        .routes(routes!(list_assignments, create_assignment))
        .routes(routes!(list_group_assignments))
        .routes(routes!(show_assignment, update_assignment, delete_assignment))
        .routes(routes!(duplicate_assignment))
        .routes(routes!(bulk_update))
        .routes(routes!(batch_show_overrides, batch_create_overrides, batch_update_overrides))
        .routes(routes!(list_overrides, create_override))
        .routes(routes!(show_override, update_override, delete_override))
        .routes(routes!(group_override_redirect))
        .routes(routes!(section_override_redirect))
        .routes(routes!(effective_due_dates))
        .routes(routes!(create_extensions))
}

// ---- who is looking ----

pub(crate) fn course_target(course: &CourseView) -> PolicyTarget<'_> {
    PolicyTarget::Course { course_id: course.course.id, account: &course.account_path }
}

/// How the caller sees a course's assignments.
#[derive(Debug, Clone)]
pub(crate) enum Viewer {
    /// Sees every assignment, with its own dates.
    Staff,
    /// Sees published assignments assigned to them, with their dates; `None` for a reader who is not a
    /// student (an observer), to whom no override applies.
    Student(Option<StudentPlace>),
}

pub(crate) async fn viewer(state: &AppState, caller: &Caller, course: &CourseView) -> ApiResult<Viewer> {
    if sees_as_staff(caller, course)? {
        return Ok(Viewer::Staff);
    }
    student_viewer(state, caller, course).await
}

/// Whether the caller sees the course's assignments as staff (every one, with its own dates); an error when they
/// may not see the course at all.
fn sees_as_staff(caller: &Caller, course: &CourseView) -> ApiResult<bool> {
    caller.require(Permission::ViewCourse, course_target(course))?;
    Ok(caller.may(Permission::ManageCourse, course_target(course))
        || caller.may(Permission::ViewAllGrades, course_target(course)))
}

async fn student_viewer(state: &AppState, caller: &Caller, course: &CourseView) -> ApiResult<Viewer> {
    let place = match caller.user_id() {
        Some(user_id) => {
            assignments::student_place(state.store.read(), &caller.scope, course.course.id, user_id).await?
        }
        None => None,
    };
    Ok(Viewer::Student(place))
}

/// As [`viewer`], for a list whose overrides are `overrides`: a student's place in the course (sections, groups)
/// only decides which overrides apply, so with none it is not read.
async fn list_viewer(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    staff: bool,
    overrides: &HashMap<i64, Vec<OverrideView>>,
) -> ApiResult<Viewer> {
    match (staff, overrides.values().all(Vec::is_empty)) {
        (true, _) => Ok(Viewer::Staff),
        (false, true) => Ok(Viewer::Student(None)),
        (false, false) => student_viewer(state, caller, course).await,
    }
}

fn rule_overrides(views: &[OverrideView]) -> Vec<rules::Override> {
    views.iter().map(OverrideView::rule).collect()
}

/// An assignment as one viewer sees it: whether they see it at all, and their dates.
pub(crate) fn seen(a: &assignment::Model, overrides: &[OverrideView], viewer: &Viewer) -> Option<Dates> {
    match viewer {
        Viewer::Staff => Some(assignments::dates(a)),
        Viewer::Student(place) => {
            let all = rule_overrides(overrides);
            let applicable = match place {
                Some(place) => rules::applicable(&all, place),
                None => Vec::new(),
            };
            let published = a.workflow_state == rules::PUBLISHED;
            rules::visible_to_student(published, a.only_visible_to_overrides, &applicable)
                .then(|| rules::effective_dates(&assignments::dates(a), &applicable))
        }
    }
}

// ---- JSON shapes ----

/// One of an assignment's dates (`include[]=all_dates`): the base date (`base: true`, "Everyone" or "Everyone
/// else") or an override's (`id`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentDateJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<bool>,
    pub title: String,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub unlock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lock_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_edit: Option<bool>,
}

/// An override: its target (exactly one of `student_ids`, `group_id`, `course_section_id`) and only the dates
/// it overrides (a key present with null removes that date).
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentOverrideJson {
    pub id: i64,
    pub assignment_id: i64,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student_ids: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course_section_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub due_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_day: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub all_day_date: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub unlock_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub lock_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

pub(crate) fn render_override(o: &OverrideView) -> AssignmentOverrideJson {
    let r = &o.row;
    let target = o.target();
    AssignmentOverrideJson {
        id: r.id,
        assignment_id: r.assignment_id,
        title: r.title.clone(),
        student_ids: matches!(target, Target::Students(_)).then(|| o.student_ids.clone()),
        group_id: r.group_id,
        course_section_id: r.course_section_id,
        due_at: r.due_at_overridden.then_some(r.due_at),
        all_day: r.due_at_overridden.then_some(r.all_day),
        all_day_date: r.due_at_overridden.then(|| r.all_day_date.clone()),
        unlock_at: r.unlock_at_overridden.then_some(r.unlock_at),
        lock_at: r.lock_at_overridden.then_some(r.lock_at),
    }
}

/// Canvas's lock details, when the assignment is locked for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct LockInfoJson {
    pub asset_string: String,
    pub unlock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub manually_locked: bool,
}

/// An assignment (§3.1; the fields of features Assay does not have — plagiarism tools, rubrics, submissions —
/// carry their "off" values).
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentJson {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The caller's dates (their effective dates when overrides apply to them).
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub unlock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub has_overrides: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_dates: Option<Vec<AssignmentDateJson>>,
    pub course_id: i64,
    pub html_url: String,
    pub submissions_download_url: String,
    pub assignment_group_id: i64,
    pub due_date_required: bool,
    pub allowed_extensions: Vec<String>,
    pub max_name_length: i32,
    pub grade_group_students_individually: bool,
    pub external_tool_tag_attributes: Option<Value>,
    pub peer_reviews: bool,
    pub automatic_peer_reviews: bool,
    pub intra_group_peer_reviews: bool,
    pub group_category_id: Option<i64>,
    /// Graders only: submissions handed in and waiting for a grader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_grading_count: Option<i64>,
    pub position: i32,
    pub post_to_sis: bool,
    pub integration_id: Option<String>,
    pub integration_data: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub sis_assignment_id: Option<Option<String>>,
    pub points_possible: Option<f64>,
    pub submission_types: Vec<String>,
    pub has_submitted_submissions: bool,
    pub grading_type: String,
    pub grading_standard_id: Option<i64>,
    pub published: bool,
    pub unpublishable: bool,
    pub only_visible_to_overrides: bool,
    pub locked_for_user: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_info: Option<LockInfoJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_explanation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiz_id: Option<i64>,
    pub is_quiz_assignment: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous_submissions: Option<bool>,
    pub frozen: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment_visibility: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Vec<AssignmentOverrideJson>>,
    pub omit_from_final_grade: bool,
    pub hide_in_gradebook: bool,
    pub moderated_grading: bool,
    pub grader_count: i32,
    pub anonymous_grading: bool,
    pub allowed_attempts: i32,
    pub post_manually: bool,
    pub anonymize_students: bool,
    pub require_lockdown_browser: bool,
    pub important_dates: bool,
    pub muted: bool,
    pub anonymous_peer_reviews: bool,
    pub anonymous_instructor_annotations: bool,
    pub graded_submissions_exist: bool,
    pub in_closed_grading_period: bool,
    pub can_duplicate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_edit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_course_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_assignment_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_assignment_name: Option<String>,
    /// `published`, `unpublished` or `deleted`.
    pub workflow_state: String,
}

/// What `include[]` asks for.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Includes {
    pub all_dates: bool,
    pub overrides: bool,
    pub visibility: bool,
    pub can_edit: bool,
}

impl Includes {
    pub fn parse(include: &[String], all_dates: bool) -> Includes {
        let has = |s: &str| include.iter().any(|i| i == s);
        Includes {
            all_dates: all_dates || has("all_dates"),
            overrides: has("overrides"),
            visibility: has("assignment_visibility"),
            can_edit: has("can_edit"),
        }
    }
}

/// What the caller asked to see.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RenderOptions {
    pub includes: Includes,
    /// `override_assignment_dates` (default true).
    pub apply_overrides: bool,
}

/// Everything rendering a set of assignments for one caller needs, loaded in bulk.
pub(crate) struct RenderContext {
    pub base_url: String,
    pub viewer: Viewer,
    pub overrides: HashMap<i64, Vec<OverrideView>>,
    pub includes: Includes,
    /// `override_assignment_dates=false` shows a student the assignment's own dates.
    pub apply_overrides: bool,
    pub may_edit: bool,
    pub read_sis: bool,
    /// Every student of the course, for `assignment_visibility`.
    pub students: Vec<StudentPlace>,
    /// The originals of duplicates, by id.
    pub originals: HashMap<i64, String>,
    /// What each assignment's submissions amount to.
    pub submission_counts: HashMap<i64, assay_store::submissions::list::Counts>,
}

impl RenderContext {
    pub async fn load(
        state: &AppState,
        caller: &Caller,
        course: &CourseView,
        viewer: Viewer,
        list: &[assignment::Model],
        options: RenderOptions,
        base_url: String,
    ) -> ApiResult<RenderContext> {
        let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
        let overrides = assignments::overrides::of_assignments(state.store.read(), &caller.scope, &ids).await?;
        Self::load_with(state, caller, course, viewer, overrides, list, options, base_url).await
    }

    /// As [`RenderContext::load`], with the list's overrides already read.
    #[allow(clippy::too_many_arguments)]
    async fn load_with(
        state: &AppState,
        caller: &Caller,
        course: &CourseView,
        viewer: Viewer,
        overrides: HashMap<i64, Vec<OverrideView>>,
        list: &[assignment::Model],
        options: RenderOptions,
        base_url: String,
    ) -> ApiResult<RenderContext> {
        let RenderOptions { includes, apply_overrides } = options;
        let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
        let students = if includes.visibility && matches!(viewer, Viewer::Staff) {
            assignments::student_places(state.store.read(), &caller.scope, course.course.id).await?
        } else {
            Vec::new()
        };
        let original_ids: Vec<i64> = list.iter().filter_map(|a| a.duplicate_of_id).collect();
        let originals = assignments::names_by_id(state.store.read(), &caller.scope, &original_ids).await?;
        let staff = matches!(viewer, Viewer::Staff);
        let submission_counts =
            assay_store::submissions::list::counts(state.store.read(), &caller.scope, &ids, staff).await?;
        Ok(RenderContext {
            base_url,
            may_edit: caller.may(Permission::ManageCourse, course_target(course)),
            read_sis: caller.may(Permission::ReadSis, course_target(course)),
            viewer,
            overrides,
            includes,
            apply_overrides,
            students,
            originals,
            submission_counts,
        })
    }

    fn overrides_of(&self, id: i64) -> &[OverrideView] {
        self.overrides.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The caller's dates, or `None` when the caller does not see the assignment.
    pub fn dates_for(&self, a: &assignment::Model) -> Option<Dates> {
        let dates = seen(a, self.overrides_of(a.id), &self.viewer)?;
        Some(if self.apply_overrides { dates } else { assignments::dates(a) })
    }

    pub fn render(&self, a: &assignment::Model) -> AssignmentJson {
        let own = self.overrides_of(a.id);
        let counts = self.submission_counts.get(&a.id).copied().unwrap_or_default();
        let dates = self.dates_for(a).unwrap_or_else(|| assignments::dates(a));
        let staff = matches!(self.viewer, Viewer::Staff);
        let now = assay_store::now();
        let locked = !staff && (dates.unlock_at.is_some_and(|u| u > now) || dates.lock_at.is_some_and(|l| l < now));
        let types = assignments::submission_types(a);
        let all_rules = rule_overrides(own);
        let applicable: Vec<i64> = match &self.viewer {
            Viewer::Staff => all_rules.iter().map(|o| o.id).collect(),
            Viewer::Student(Some(place)) => rules::applicable(&all_rules, place).iter().map(|o| o.id).collect(),
            Viewer::Student(None) => Vec::new(),
        };
        let all_dates = self.includes.all_dates.then(|| {
            let base = assignments::dates(a);
            let mut out = Vec::new();
            let base_applies = match &self.viewer {
                Viewer::Staff => !a.only_visible_to_overrides,
                Viewer::Student(_) => applicable.is_empty(),
            };
            if base_applies {
                out.push(AssignmentDateJson {
                    id: None,
                    base: Some(true),
                    title: if own.is_empty() { "Everyone" } else { "Everyone else" }.to_owned(),
                    due_at: base.due_at,
                    unlock_at: base.unlock_at,
                    lock_at: base.lock_at,
                    set_type: None,
                    set_id: None,
                    can_edit: self.includes.can_edit.then_some(self.may_edit),
                });
            }
            for o in own.iter().filter(|o| applicable.contains(&o.row.id)) {
                let d = o.dates().over(&base);
                out.push(AssignmentDateJson {
                    id: Some(o.row.id),
                    base: None,
                    title: o.row.title.clone(),
                    due_at: d.due_at,
                    unlock_at: d.unlock_at,
                    lock_at: d.lock_at,
                    set_type: Some(o.row.set_type.clone()),
                    set_id: o.row.course_section_id.or(o.row.group_id),
                    can_edit: self.includes.can_edit.then_some(self.may_edit),
                });
            }
            out
        });
        let visibility = (self.includes.visibility && staff).then(|| {
            self.students
                .iter()
                .filter(|p| !a.only_visible_to_overrides || !rules::applicable(&all_rules, p).is_empty())
                .map(|p| p.user_id)
                .collect()
        });
        let html_url = format!("{}/courses/{}/assignments/{}", self.base_url, a.course_id, a.id);
        AssignmentJson {
            id: a.id,
            name: a.name.clone(),
            description: a.description.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            due_at: dates.due_at,
            lock_at: dates.lock_at,
            unlock_at: dates.unlock_at,
            has_overrides: !own.is_empty(),
            all_dates,
            course_id: a.course_id,
            submissions_download_url: format!("{html_url}/submissions?zip=1"),
            html_url,
            assignment_group_id: a.assignment_group_id,
            due_date_required: false,
            allowed_extensions: assignments::allowed_extensions(a),
            max_name_length: 255,
            grade_group_students_individually: false,
            external_tool_tag_attributes: None,
            peer_reviews: a.peer_reviews,
            automatic_peer_reviews: false,
            intra_group_peer_reviews: false,
            group_category_id: a.group_category_id,
            needs_grading_count: staff.then_some(counts.needs_grading),
            position: a.position,
            post_to_sis: false,
            integration_id: a.integration_id.clone(),
            integration_data: a
                .integration_data
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_else(|| json!({})),
            sis_assignment_id: self.read_sis.then(|| a.sis_assignment_id.clone()),
            points_possible: a.points_possible,
            is_quiz_assignment: types.iter().any(|t| t == "online_quiz"),
            anonymous_submissions: a.quiz_id.map(|_| false),
            submission_types: types,
            has_submitted_submissions: counts.any_submitted,
            grading_type: a.grading_type.clone(),
            grading_standard_id: a.grading_standard_id,
            published: a.workflow_state == rules::PUBLISHED,
            // Canvas: an assignment students have submitted to cannot be unpublished.
            unpublishable: !counts.any_submitted,
            only_visible_to_overrides: a.only_visible_to_overrides,
            locked_for_user: locked,
            lock_info: locked.then(|| LockInfoJson {
                asset_string: format!("assignment_{}", a.id),
                unlock_at: dates.unlock_at,
                lock_at: dates.lock_at,
                manually_locked: false,
            }),
            lock_explanation: locked.then(|| match dates.unlock_at {
                Some(u) if u > now => {
                    format!("This assignment is locked until {}.", u.format("%B %-d, %Y at %H:%M UTC"))
                }
                _ => "This assignment was locked.".to_owned(),
            }),
            quiz_id: a.quiz_id,
            frozen: false,
            assignment_visibility: visibility,
            overrides: (self.includes.overrides && staff).then(|| own.iter().map(render_override).collect()),
            omit_from_final_grade: a.omit_from_final_grade,
            hide_in_gradebook: a.hide_in_gradebook,
            moderated_grading: a.moderated_grading,
            grader_count: 0,
            anonymous_grading: a.anonymous_grading,
            allowed_attempts: a.allowed_attempts,
            post_manually: a.post_manually,
            anonymize_students: a.anonymous_grading,
            require_lockdown_browser: false,
            important_dates: false,
            muted: a.post_manually,
            anonymous_peer_reviews: false,
            anonymous_instructor_annotations: false,
            graded_submissions_exist: counts.any_graded,
            in_closed_grading_period: false,
            can_duplicate: self.may_edit && a.quiz_id.is_none(),
            can_edit: self.includes.can_edit.then_some(self.may_edit),
            original_course_id: a.duplicate_of_id.map(|_| a.course_id),
            original_assignment_id: a.duplicate_of_id,
            original_assignment_name: a.duplicate_of_id.and_then(|id| self.originals.get(&id).cloned()),
            workflow_state: a.workflow_state.clone(),
        }
    }
}

// ---- in-memory lists ----

fn compare_keys(a: &[Value], b: &[Value]) -> Option<std::cmp::Ordering> {
    for (x, y) in a.iter().zip(b) {
        let ordering = match (x, y) {
            (Value::Number(x), Value::Number(y)) => x.as_i64()?.cmp(&y.as_i64()?),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            _ => return None,
        };
        if ordering != std::cmp::Ordering::Equal {
            return Some(ordering);
        }
    }
    Some(a.len().cmp(&b.len()))
}

/// One page of a list already filtered and sorted in memory by `key` (ascending, unique, the id last): the same
/// bookmarks as the database lists, so `next` links behave alike.
pub(crate) fn page_in_memory<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> Vec<Value>,
    request: &assay_store::PageRequest,
) -> ApiResult<assay_store::Page<T>> {
    let total = items.len() as u64;
    let bad = || {
        ApiError::bad_request(
            Code::InvalidPagination,
            "`page` holds a bookmark this list cannot use",
            Some("/page".into()),
        )
    };
    let start = match &request.position {
        assay_store::Position::Offset(skip) => usize::try_from(*skip).unwrap_or(usize::MAX).min(items.len()),
        assay_store::Position::After(after) => {
            let mut start = items.len();
            for (i, item) in items.iter().enumerate() {
                match compare_keys(&key(item), after) {
                    Some(std::cmp::Ordering::Greater) => {
                        start = i;
                        break;
                    }
                    Some(_) => {}
                    None => return Err(bad()),
                }
            }
            start
        }
    };
    let per_page = usize::try_from(request.per_page).unwrap_or(usize::MAX);
    let has_more = items.len() > start.saturating_add(per_page);
    let page: Vec<T> = items.into_iter().skip(start).take(per_page).collect();
    let last_key = page.last().map(&key);
    Ok(assay_store::Page { items: page, has_more, total: Some(total), last_key })
}

fn time_key(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    // Fixed width, so text order is time order; undated sorts last.
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()).unwrap_or_else(|| "~".to_owned())
}

// ---- lookups ----

fn store_error(err: StoreError, not_found: Code) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::not_found(not_found),
        other => other.into(),
    }
}

/// An assignment of the course, as the caller may see it: staff see any that is not deleted; others only those
/// they see in the list (404 otherwise).
pub(crate) async fn resolve_assignment(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    viewer: &Viewer,
    raw: &str,
) -> ApiResult<assignment::Model> {
    let id = id_ref(raw, "assignment", assignments::ID_PREFIXES)?;
    let a = assignments::find(state.store.read(), &caller.scope, course.course.id, &id)
        .await
        .map_err(|err| store_error(err, Code::AssignmentNotFound))?;
    if !matches!(viewer, Viewer::Staff) {
        let own = assignments::overrides::of_assignment(state.store.read(), &caller.scope, a.id).await?;
        if seen(&a, &own, viewer).is_none() {
            return Err(ApiError::not_found(Code::AssignmentNotFound));
        }
    }
    Ok(a)
}

async fn render_one(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    viewer: Viewer,
    a: &assignment::Model,
    options: RenderOptions,
    headers: &HeaderMap,
) -> ApiResult<AssignmentJson> {
    let base = state.base_url.resolve(headers);
    let ctx = RenderContext::load(state, caller, course, viewer, std::slice::from_ref(a), options, base).await?;
    Ok(ctx.render(a))
}

// ---- parameters ----

/// `assignment[...]` on create and update (§3.3). Only `name` is required, on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AssignmentParams {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// Position within the group (1-based); the others move to make room.
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub position: Option<i64>,
    /// One of online_quiz, none, on_paper, discussion_topic, external_tool; or any of online_upload,
    /// online_text_entry, online_url, media_recording, student_annotation.
    #[serde(default, deserialize_with = "de::opt_string_list")]
    #[schema(value_type = Option<Vec<String>>)]
    pub submission_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de::opt_string_list")]
    #[schema(value_type = Option<Vec<String>>)]
    pub allowed_extensions: Option<Vec<String>>,
    /// A JSON object of strings (or its JSON text).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub integration_data: Option<Value>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub integration_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_assignment_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub peer_reviews: Option<bool>,
    /// A group set of the course: makes this a group assignment.
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub group_category_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::nullable_f64")]
    #[schema(value_type = Option<f64>)]
    pub points_possible: Option<Option<f64>>,
    /// points (default), percent, letter_grade, gpa_scale, pass_fail or not_graded.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub grading_type: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub due_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub lock_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub unlock_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// HTML; scripts, event handlers and `javascript:` URLs are removed.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Default: the course's first group.
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub assignment_group_id: Option<i64>,
    /// A list of overrides (`assignment_override` fields, plus `id` to keep one on update). On update, the
    /// assignment's overrides become exactly this list; leave the key out to keep them.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub assignment_overrides: Option<Value>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub only_visible_to_overrides: Option<bool>,
    /// Unpublished assignments are hidden from students. Default on create: false.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub published: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub grading_standard_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub omit_from_final_grade: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub hide_in_gradebook: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub moderated_grading: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub anonymous_grading: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub post_manually: Option<bool>,
    /// -1 (or null) for unlimited.
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub allowed_attempts: Option<Option<i64>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AssignmentBody {
    #[serde(default)]
    pub assignment: Option<AssignmentParams>,
}

fn int_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A date key of an override: absent → not overridden; null or empty → overridden to no date.
fn override_date(obj: &Map<String, Value>, key: &str, pointer: &str, v: &mut Validation) -> rules::Overridden {
    let value = obj.get(key)?;
    match value {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => match de::parse_time(s) {
            Some(t) => Some(Some(t)),
            None => {
                v.add(format!("{pointer}/{key}"), "must be an ISO 8601 time such as 2026-01-31T23:59:00Z, or null");
                None
            }
        },
        _ => {
            v.add(format!("{pointer}/{key}"), "must be an ISO 8601 time or null");
            None
        }
    }
}

/// Reads one override from request parameters (`assignment_override[...]` or an item of a list).
fn parse_override(value: &Value, pointer: &str, v: &mut Validation, creating: bool) -> OverrideInput {
    let Value::Object(obj) = value else {
        v.add(pointer, "must be an object");
        return OverrideInput::default();
    };
    let id_of = |key: &str, v: &mut Validation| -> Option<i64> {
        let raw = obj.get(key)?;
        if raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty()) {
            return None;
        }
        match int_of(raw) {
            Some(n) if n > 0 => Some(n),
            _ => {
                v.add(format!("{pointer}/{key}"), "must be an id");
                None
            }
        }
    };
    let student_ids = match obj.get("student_ids") {
        None | Some(Value::Null) => None,
        Some(raw) => {
            let items: Vec<Value> = match raw {
                Value::Array(items) => items.clone(),
                Value::String(s) if s.trim().is_empty() => Vec::new(),
                other => vec![other.clone()],
            };
            let mut ids = Vec::with_capacity(items.len());
            for item in &items {
                match int_of(item) {
                    Some(n) if n > 0 => ids.push(n),
                    _ => v.add(format!("{pointer}/student_ids"), format!("`{item}` is not a user id")),
                }
            }
            Some(ids)
        }
    };
    let group_id = id_of("group_id", v);
    let section_id = id_of("course_section_id", v);
    let target = Target::choose(student_ids, group_id, section_id);
    if creating && target.is_none() {
        v.add(pointer, "name one target: student_ids, group_id or course_section_id");
    }
    let title = obj.get("title").and_then(|t| match t {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    if let Some(t) = &title {
        v.text(&format!("{pointer}/title"), Some(t), false, 255);
    }
    let dates = OverrideDates {
        due_at: override_date(obj, "due_at", pointer, v),
        unlock_at: override_date(obj, "unlock_at", pointer, v),
        lock_at: override_date(obj, "lock_at", pointer, v),
    };
    OverrideInput { id: id_of("id", v), target, title, dates }
}

/// A list parameter that may come as an array or as a hash keyed by index (`x[0][a]=…`).
fn list_items(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) => {
            let mut entries: Vec<(i64, Value)> = Vec::with_capacity(map.len());
            for (k, v) in map {
                entries.push((k.parse().ok()?, v.clone()));
            }
            entries.sort_by_key(|(k, _)| *k);
            Some(entries.into_iter().map(|(_, v)| v).collect())
        }
        Value::Null => Some(Vec::new()),
        Value::String(s) if s.trim().is_empty() => Some(Vec::new()),
        _ => None,
    }
}

impl AssignmentParams {
    fn into_fields(self, creating: bool) -> Result<AssignmentFields, ApiError> {
        let mut v = Validation::new();
        v.text("/assignment/name", self.name.as_deref(), creating || self.name.is_some(), 255);
        if let Some(Some(d)) = &self.description
            && d.len() > 1_048_576
        {
            v.add("/assignment/description", "must be at most 1 MiB");
        }
        if let Some(t) = &self.grading_type
            && !rules::GRADING_TYPES.contains(&t.as_str())
        {
            v.add("/assignment/grading_type", format!("must be one of {}", rules::GRADING_TYPES.join(", ")));
        }
        if let Some(types) = &self.submission_types
            && let Err(message) = rules::check_submission_types(types)
        {
            v.add("/assignment/submission_types", message);
        }
        if let Some(Some(p)) = self.points_possible
            && p < 0.0
        {
            v.add("/assignment/points_possible", "must not be negative");
        }
        let allowed_attempts = match self.allowed_attempts {
            None => None,
            Some(None) => Some(-1),
            Some(Some(n)) if n == -1 || (1..=i64::from(i32::MAX)).contains(&n) => i32::try_from(n).ok(),
            Some(Some(_)) => {
                v.add("/assignment/allowed_attempts", "must be -1 (unlimited) or a positive number");
                None
            }
        };
        let position = match self.position {
            Some(p) if (1..=i64::from(i32::MAX)).contains(&p) => i32::try_from(p).ok(),
            Some(_) => {
                v.add("/assignment/position", "must be a positive number");
                None
            }
            None => None,
        };
        let dates = Dates {
            unlock_at: self.unlock_at.flatten(),
            due_at: self.due_at.flatten(),
            lock_at: self.lock_at.flatten(),
        };
        for (field, message) in rules::check_order(&dates) {
            v.add(format!("/assignment/{field}"), message);
        }
        let integration_data = match &self.integration_data {
            None => None,
            Some(value) => match rules::parse_integration_data(value) {
                Ok(map) => Some(map.map(|m| serde_json::to_string(&m).unwrap_or_default())),
                Err(message) => {
                    v.add("/assignment/integration_data", message);
                    None
                }
            },
        };
        if let Some(Some(sis)) = &self.sis_assignment_id {
            v.identifier("/assignment/sis_assignment_id", Some(sis));
        }
        if let Some(Some(id)) = &self.integration_id {
            v.identifier("/assignment/integration_id", Some(id));
        }
        let overrides = match &self.assignment_overrides {
            None => None,
            Some(raw) => match list_items(raw) {
                Some(items) => Some(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let pointer = format!("/assignment/assignment_overrides/{i}");
                            let creating_item = item.get("id").is_none_or(Value::is_null);
                            parse_override(item, &pointer, &mut v, creating_item)
                        })
                        .collect(),
                ),
                None => {
                    v.add("/assignment/assignment_overrides", "must be a list of overrides");
                    None
                }
            },
        };
        v.finish()?;
        Ok(AssignmentFields {
            name: self.name.map(|n| n.trim().to_owned()),
            description: self.description,
            position,
            assignment_group_id: self.assignment_group_id,
            points_possible: self.points_possible,
            grading_type: self.grading_type,
            grading_standard_id: self.grading_standard_id,
            submission_types: self.submission_types,
            allowed_extensions: self.allowed_extensions.map(|exts| {
                exts.into_iter()
                    .map(|e| e.trim().trim_start_matches('.').to_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect()
            }),
            allowed_attempts,
            due_at: self.due_at,
            unlock_at: self.unlock_at,
            lock_at: self.lock_at,
            only_visible_to_overrides: self.only_visible_to_overrides,
            published: self.published,
            omit_from_final_grade: self.omit_from_final_grade,
            hide_in_gradebook: self.hide_in_gradebook,
            post_manually: self.post_manually,
            anonymous_grading: self.anonymous_grading,
            moderated_grading: self.moderated_grading,
            peer_reviews: self.peer_reviews,
            group_category_id: self.group_category_id,
            quiz_id: None,
            integration_id: self.integration_id,
            integration_data,
            sis_assignment_id: self.sis_assignment_id,
            overrides,
        })
    }
}

/// `include[]`, `override_assignment_dates` and `all_dates` of the single-assignment endpoints.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShowQuery {
    /// all_dates, overrides, assignment_visibility, can_edit.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
    /// Default true: the caller's effective dates.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub override_assignment_dates: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub all_dates: Option<bool>,
}

/// Filters and order of the assignment lists (§3.2).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// all_dates, overrides, assignment_visibility, can_edit.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
    /// Part of the name, case-insensitive.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
    /// Default true: the caller's effective dates.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub override_assignment_dates: Option<bool>,
    /// past, overdue, undated, ungraded, unsubmitted, upcoming or future (by the caller's dates).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub bucket: Option<String>,
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub assignment_ids: Vec<String>,
    /// position (default), name or due_at.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub order_by: Option<String>,
}

fn parse_ids(raw: &[String], pointer: &str) -> ApiResult<Option<HashSet<i64>>> {
    if raw.is_empty() {
        return Ok(None);
    }
    let mut ids = HashSet::new();
    for item in raw.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        ids.insert(
            item.parse::<i64>().map_err(|_| ApiError::invalid_field(pointer, format!("`{item}` is not an id")))?,
        );
    }
    Ok(Some(ids))
}

// ---- assignments ----

/// An assignment in a list, with the caller's dates.
type Listed = (assignment::Model, Dates);

/// The sort key of a listed assignment.
type ListKey = Box<dyn Fn(&Listed) -> Vec<Value>>;

async fn list_for(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    group_id: Option<i64>,
    query: ListQuery,
    pagination: Pagination,
    headers: &HeaderMap,
) -> ApiResult<Paginated<AssignmentJson>> {
    let staff = sees_as_staff(caller, course)?;
    if let Some(b) = &query.bucket
        && !rules::BUCKETS.contains(&b.as_str())
    {
        return Err(ApiError::invalid_field("/bucket", format!("must be one of {}", rules::BUCKETS.join(", "))));
    }
    let order = query.order_by.as_deref().unwrap_or("position");
    if !rules::ORDERS.contains(&order) {
        return Err(ApiError::invalid_field("/order_by", format!("must be one of {}", rules::ORDERS.join(", "))));
    }
    let ids = parse_ids(&query.assignment_ids, "/assignment_ids")?;
    let (mut all, groups) =
        assignments::in_course_with_groups(state.store.read(), &caller.scope, course.course.id).await?;
    let group_index: HashMap<i64, i64> = groups.iter().enumerate().map(|(i, g)| (g.id, i as i64)).collect();
    if let Some(g) = group_id {
        all.retain(|a| a.assignment_group_id == g);
    }
    if let Some(ids) = &ids {
        all.retain(|a| ids.contains(&a.id));
    }
    if let Some(term) = query.search_term.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let term = term.to_lowercase();
        all.retain(|a| a.name.to_lowercase().contains(&term));
    }
    let includes = Includes::parse(&query.include, false);
    let base = state.base_url.resolve(headers);
    let apply = query.override_assignment_dates.unwrap_or(true);
    let options = RenderOptions { includes, apply_overrides: apply };
    let ids: Vec<i64> = all.iter().map(|a| a.id).collect();
    let overrides = assignments::overrides::of_assignments(state.store.read(), &caller.scope, &ids).await?;
    let viewer = list_viewer(state, caller, course, staff, &overrides).await?;
    let ctx = RenderContext::load_with(state, caller, course, viewer, overrides, &all, options, base).await?;
    let now = assay_store::now();
    let mut visible: Vec<(assignment::Model, Dates)> =
        all.into_iter().filter_map(|a| ctx.dates_for(&a).map(|d| (a, d))).collect();
    if let Some(bucket) = &query.bucket {
        visible.retain(|(a, d)| {
            rules::in_bucket(
                bucket,
                d,
                rules::expects_submission(&assignments::submission_types(a), &a.grading_type),
                now,
            )
        });
    }
    let key: ListKey = match order {
        "name" => Box::new(|(a, _)| vec![json!(a.name.to_lowercase()), json!(a.id)]),
        "due_at" => Box::new(|(a, d)| vec![json!(time_key(d.due_at)), json!(a.id)]),
        _ => Box::new(move |(a, _)| {
            vec![
                json!(group_index.get(&a.assignment_group_id).copied().unwrap_or(i64::MAX)),
                json!(a.position),
                json!(a.id),
            ]
        }),
    };
    visible.sort_by(|x, y| compare_keys(&key(x), &key(y)).unwrap_or(std::cmp::Ordering::Equal));
    let page = page_in_memory(visible, key, &pagination.request)?;
    Ok(Paginated::new(page.map(|(a, _)| ctx.render(&a)), pagination))
}

/// The assignments of a course the caller sees, by group position then position (or `order_by`).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AssignmentJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_assignments(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<ListQuery>,
) -> ApiResult<Paginated<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    list_for(&state, &caller, &course, None, query, pagination, &headers).await
}

/// The assignments of one assignment group (same parameters as the course list).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}/assignments", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_group_id" = i64, Path), ListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AssignmentJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_group_assignments(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, group_id)): PathParams<(String, String)>,
    pagination: Pagination,
    Params(query): Params<ListQuery>,
) -> ApiResult<Paginated<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let group = resolve_group(&state, &caller, &course, &group_id).await?;
    list_for(&state, &caller, &course, Some(group.id), query, pagination, &headers).await
}

pub(crate) async fn resolve_group(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    raw: &str,
) -> ApiResult<assay_store::entity::assignment_group::Model> {
    let IdRef::Id(id) = id_ref(raw, "assignment group", &[])? else {
        return Err(ApiError::not_found(Code::AssignmentGroupNotFound));
    };
    assignment_groups::find(state.store.read(), &caller.scope, course.course.id, id)
        .await
        .map_err(|err| store_error(err, Code::AssignmentGroupNotFound))
}

/// One assignment (`include[]`, `all_dates`, `override_assignment_dates`).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ShowQuery),
    responses((status = 200, body = AssignmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(query): Params<ShowQuery>,
) -> ApiResult<Json<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    let viewer = viewer(&state, &caller, &course).await?;
    let a = resolve_assignment(&state, &caller, &course, &viewer, &id).await?;
    let includes = Includes::parse(&query.include, query.all_dates.unwrap_or(false));
    let apply = query.override_assignment_dates.unwrap_or(true);
    let options = RenderOptions { includes, apply_overrides: apply };
    Ok(Json(render_one(&state, &caller, &course, viewer, &a, options, &headers).await?))
}

/// What a write answers: the assignment with its overrides.
fn written() -> RenderOptions {
    RenderOptions {
        includes: Includes { all_dates: false, overrides: true, visibility: false, can_edit: false },
        apply_overrides: true,
    }
}

/// Creates an assignment (`assignment[name]` required), with inline `assignment[assignment_overrides][]`.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((AssignmentBody = "application/json"), (AssignmentBody = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = AssignmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(body): Params<AssignmentBody>,
) -> ApiResult<Created<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let fields = body.assignment.unwrap_or_default().into_fields(true)?;
    if fields.sis_assignment_id.is_some() || fields.integration_data.is_some() {
        caller.require(Permission::ManageSis, course_target(&course))?;
    }
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let created = state
        .store
        .write(move |txn| Box::pin(async move { assignments::create(txn, &scope, &parent, fields, actor).await }))
        .await?;
    let location =
        format!("{}/api/v1/courses/{}/assignments/{}", state.base_url.resolve(&headers), course.course.id, created.id);
    let body = render_one(&state, &caller, &course, Viewer::Staff, &created, written(), &headers).await?;
    Ok(Created { location, body })
}

/// Changes an assignment; only the fields sent change. `assignment[assignment_overrides]` replaces the list
/// of overrides. Answers the full assignment.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/assignments/{id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    request_body(content((AssignmentBody = "application/json"), (AssignmentBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = AssignmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(body): Params<AssignmentBody>,
) -> ApiResult<Json<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let current = resolve_assignment(&state, &caller, &course, &Viewer::Staff, &id).await?;
    let fields = body.assignment.unwrap_or_default().into_fields(false)?;
    if fields.sis_assignment_id.is_some() || fields.integration_data.is_some() {
        caller.require(Permission::ManageSis, course_target(&course))?;
    }
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(async move { assignments::update(txn, &scope, &parent, &current, fields, actor).await })
        })
        .await
        .map_err(|err| store_error(err, Code::AssignmentNotFound))?;
    Ok(Json(render_one(&state, &caller, &course, Viewer::Staff, &updated, written(), &headers).await?))
}

/// Deletes an assignment (kept as `deleted`, hidden from lists); answers it.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/assignments/{id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    responses((status = 200, body = AssignmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let current = resolve_assignment(&state, &caller, &course, &Viewer::Staff, &id).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { assignments::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render_one(&state, &caller, &course, Viewer::Staff, &deleted, written(), &headers).await?))
}

/// Copies an assignment ("<name> Copy", unpublished, right after the original); answers the copy with its
/// `original_*` fields.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/duplicate", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    responses((status = 200, body = AssignmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn duplicate_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<AssignmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let original = resolve_assignment(&state, &caller, &course, &Viewer::Staff, &id).await?;
    if original.quiz_id.is_some() {
        return Err(ApiError::invalid_field("/assignment_id", "a quiz's assignment is duplicated with its quiz"));
    }
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let copy = state
        .store
        .write(move |txn| Box::pin(async move { assignments::duplicate(txn, &scope, &parent, &original, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::AssignmentNotFound))?;
    Ok(Json(render_one(&state, &caller, &course, Viewer::Staff, &copy, written(), &headers).await?))
}

/// Changes the dates of many assignments and of their overrides at once (§3.6). The body is a JSON array of
/// `{id, all_dates: [{base: true, due_at, …}, {id: <override id>, due_at, …}]}`; a date left out keeps its
/// value, `null` clears it. Everything is checked first; any problem answers 422 with every problem, and nothing
/// is queued. Otherwise the change is queued as a background job and the answer is its Progress (`queued`; poll
/// `/api/v1/progress/:id` for `completed` with `results.updated`, or `failed` with `results.errors` if the course
/// changed meanwhile so that the dates no longer fit — then nothing was changed).
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/assignments/bulk_update", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content = Vec<Object>, content_type = "application/json"),
    responses((status = 200, body = super::progress::ProgressJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn bulk_update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<super::progress::ProgressJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
    let parsed: Value = if body.is_empty() {
        Value::Array(Vec::new())
    } else if is_json {
        serde_json::from_slice(&body)
            .map_err(|err| ApiError::new(Code::MalformedJson, format!("The body is not valid JSON: {err}")))?
    } else {
        return Err(ApiError::new(Code::UnsupportedMediaType, "Send the list of assignments as application/json."));
    };
    let items = match parsed {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("assignments").or_else(|| map.remove("_json")) {
            Some(Value::Array(items)) => items,
            _ => return Err(ApiError::new(Code::BadRequest, "The body must be a JSON array of assignments.")),
        },
        _ => return Err(ApiError::new(Code::BadRequest, "The body must be a JSON array of assignments.")),
    };
    let mut v = Validation::new();
    let mut plan = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pointer = format!("/{i}");
        let Some(id) = item.get("id").and_then(int_of) else {
            v.add(format!("{pointer}/id"), "is required: the assignment's id");
            continue;
        };
        let mut entry = BulkDates { assignment_id: id, ..Default::default() };
        let Some(dates) = item.get("all_dates").and_then(Value::as_array) else {
            v.add(format!("{pointer}/all_dates"), "is required: a list of dates");
            continue;
        };
        for (j, date) in dates.iter().enumerate() {
            let pointer = format!("{pointer}/all_dates/{j}");
            let Some(obj) = date.as_object() else {
                v.add(pointer, "must be an object");
                continue;
            };
            let parsed = OverrideDates {
                due_at: override_date(obj, "due_at", &pointer, &mut v),
                unlock_at: override_date(obj, "unlock_at", &pointer, &mut v),
                lock_at: override_date(obj, "lock_at", &pointer, &mut v),
            };
            let base = obj.get("base").is_some_and(|b| de::parse_bool(b) == Some(true));
            match (base, obj.get("id").and_then(int_of)) {
                (true, _) => entry.base = Some(parsed),
                (false, Some(override_id)) => entry.overrides.push((override_id, parsed)),
                (false, None) => v.add(pointer, "needs `base: true` or the `id` of an override"),
            }
        }
        plan.push(entry);
    }
    v.finish()?;
    // Checked now, so a bad request queues nothing; the job checks again against the course as it is then.
    if let Err(problems) =
        assignments::check_bulk_dates(state.store.read(), &caller.scope, course.course.id, &plan).await?
    {
        return Err(ApiError::invalid(
            problems
                .into_iter()
                .map(|p| assay_domain::FieldError { pointer: format!("/{}/{}", p.index, p.field), message: p.message })
                .collect(),
        ));
    }
    let job = assay_store::jobs::NewJob {
        kind: assignments::BULK_UPDATE_JOB,
        context_type: "Course",
        context_id: course.course.id,
        user_id: caller.user_id(),
        payload: assignments::BulkUpdateJob { course_id: course.course.id, items: plan }.to_payload(),
    };
    let scope = caller.scope;
    let (_, progress) = state
        .store
        .write(move |txn| Box::pin(async move { assay_store::jobs::enqueue(txn, &scope, job).await }))
        .await?;
    Ok(Json(super::progress::render(&progress, &state.base_url.resolve(&headers))))
}

// ---- overrides ----

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OverrideBody {
    /// `student_ids[]` | `group_id` | `course_section_id` (one target), `title`, `due_at`, `unlock_at`,
    /// `lock_at` (absent: not overridden; null: overridden to no date).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub assignment_override: Option<Value>,
}

/// Overrides are read by staff only: those who manage the course or see all its grades.
fn require_staff(caller: &Caller, course: &CourseView) -> ApiResult<()> {
    if caller.may(Permission::ManageCourse, course_target(course))
        || caller.may(Permission::ViewAllGrades, course_target(course))
    {
        Ok(())
    } else {
        Err(ApiError::unauthorized())
    }
}

async fn staff_assignment(
    state: &AppState,
    caller: &Caller,
    course_id: &str,
    assignment_id: &str,
) -> ApiResult<(CourseView, assignment::Model)> {
    let course = courses::resolve(state, caller, course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let a = resolve_assignment(state, caller, &course, &Viewer::Staff, assignment_id).await?;
    require_staff(caller, &course)?;
    Ok((course, a))
}

fn override_id(raw: &str) -> ApiResult<i64> {
    match id_ref(raw, "override", &[])? {
        IdRef::Id(id) => Ok(id),
        _ => Err(ApiError::not_found(Code::AssignmentOverrideNotFound)),
    }
}

fn override_input(body: OverrideBody, creating: bool) -> ApiResult<OverrideInput> {
    let mut v = Validation::new();
    let input = match body.assignment_override {
        Some(value) => parse_override(&value, "/assignment_override", &mut v, creating),
        None => {
            v.add("/assignment_override", "is required");
            OverrideInput::default()
        }
    };
    v.finish()?;
    Ok(input)
}

// ---- batch overrides ----

/// The most items one batch takes: they are written in one transaction.
const MAX_BATCH: usize = 500;

/// `assignment_overrides[]` of the batch endpoints.
#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchOverridesParams {
    /// Batch create: each item has `assignment_id` and the fields of an `assignment_override`. Batch update:
    /// each also has the override's `id`. Batch retrieve: `assignment_overrides[][id]` and
    /// `assignment_overrides[][assignment_id]`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    #[param(value_type = Option<Vec<Object>>)]
    pub assignment_overrides: Option<Value>,
}

fn batch_list(raw: Option<&Value>) -> ApiResult<Vec<Value>> {
    let items = raw.and_then(list_items).filter(|items| !items.is_empty()).ok_or_else(|| {
        ApiError::invalid_field(
            "/assignment_overrides",
            "is required: a list of overrides, each with its assignment_id",
        )
    })?;
    if items.len() > MAX_BATCH {
        return Err(ApiError::invalid_field(
            "/assignment_overrides",
            format!("must list at most {MAX_BATCH} overrides"),
        ));
    }
    Ok(items)
}

/// A positive id at `key` of a batch item, or a problem at its pointer.
fn batch_id(item: &Value, pointer: &str, key: &str, what: &str, v: &mut Validation) -> i64 {
    match item.get(key).and_then(int_of).filter(|n| *n > 0) {
        Some(id) => id,
        None => {
            v.add(format!("{pointer}/{key}"), format!("is required: {what}"));
            0
        }
    }
}

/// Reads the items of a batch create (`creating`) or update, every problem at once.
fn batch_items(body: &BatchOverridesParams, creating: bool) -> ApiResult<Vec<assignments::overrides::BatchItem>> {
    let items = batch_list(body.assignment_overrides.as_ref())?;
    let mut v = Validation::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pointer = format!("/assignment_overrides/{i}");
        if !item.is_object() {
            v.add(pointer, "must be an object");
            continue;
        }
        let assignment_id = batch_id(item, &pointer, "assignment_id", "the id of an assignment of this course", &mut v);
        // A malformed `id` is reported by `parse_override`; a missing one here.
        if !creating && item.get("id").is_none_or(Value::is_null) {
            v.add(format!("{pointer}/id"), "is required: the id of the override to change");
        }
        let input = parse_override(item, &pointer, &mut v, creating);
        out.push(assignments::overrides::BatchItem { assignment_id, input });
    }
    v.finish()?;
    Ok(out)
}

/// Several overrides of the course at once, each named by `assignment_overrides[][id]` and
/// `assignment_overrides[][assignment_id]`; answers them in the order asked, with `null` for one that does not
/// exist (staff only).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/overrides", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), BatchOverridesParams),
    responses((status = 200, body = Vec<AssignmentOverrideJson>, description = "The overrides asked for, `null` where not found"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn batch_show_overrides(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(query): Params<BatchOverridesParams>,
) -> ApiResult<Json<Vec<Option<AssignmentOverrideJson>>>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    require_staff(&caller, &course)?;
    let items = batch_list(query.assignment_overrides.as_ref())?;
    let mut v = Validation::new();
    let wanted: Vec<(i64, i64)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let pointer = format!("/assignment_overrides/{i}");
            let id = batch_id(item, &pointer, "id", "the id of an override", &mut v);
            (id, batch_id(item, &pointer, "assignment_id", "the id of the override's assignment", &mut v))
        })
        .collect();
    v.finish()?;
    let found =
        assignments::overrides::find_batch(state.store.read(), &caller.scope, course.course.id, &wanted).await?;
    Ok(Json(found.iter().map(|o| o.as_ref().map(render_override)).collect()))
}

/// Creates overrides of several assignments of the course in one transaction, all or none: each item is an
/// `assignment_override` with its `assignment_id`. Any refused item: 422 pointing at it
/// (`/assignment_overrides/<i>/<field>`), and nothing is created.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/overrides", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((BatchOverridesParams = "application/json"), (BatchOverridesParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = Vec<AssignmentOverrideJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn batch_create_overrides(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(body): Params<BatchOverridesParams>,
) -> ApiResult<(StatusCode, Json<Vec<AssignmentOverrideJson>>)> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let items = batch_items(&body, true)?;
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let created = state
        .store
        .write(move |txn| {
            Box::pin(async move { assignments::overrides::create_batch(txn, &scope, &parent, items, actor).await })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created.iter().map(render_override).collect())))
}

/// Updates overrides of several assignments of the course in one transaction, all or none: each item names the
/// override (`id`) and its `assignment_id`, and replaces its dates as the single update does. Any refused item:
/// 422 pointing at it, and nothing changes.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/assignments/overrides", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((BatchOverridesParams = "application/json"), (BatchOverridesParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = Vec<AssignmentOverrideJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn batch_update_overrides(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(body): Params<BatchOverridesParams>,
) -> ApiResult<Json<Vec<AssignmentOverrideJson>>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let items = batch_items(&body, false)?;
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(async move { assignments::overrides::update_batch(txn, &scope, &parent, items, actor).await })
        })
        .await?;
    Ok(Json(updated.iter().map(render_override).collect()))
}

/// The overrides of an assignment, by id (staff only).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AssignmentOverrideJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_overrides(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    pagination: Pagination,
) -> ApiResult<Paginated<AssignmentOverrideJson>> {
    let (_, a) = staff_assignment(&state, &caller, &course_id, &assignment_id).await?;
    let all = assignments::overrides::of_assignment(state.store.read(), &caller.scope, a.id).await?;
    let page = page_in_memory(all, |o| vec![json!(o.row.id)], &pagination.request)?;
    Ok(Paginated::new(page.map(|o| render_override(&o)), pagination))
}

/// Creates an override: one target (`student_ids[]` with a `title`, `group_id` of the assignment's group set, or
/// `course_section_id`) and the dates it overrides.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    request_body(content((OverrideBody = "application/json"), (OverrideBody = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = AssignmentOverrideJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_override(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    Params(body): Params<OverrideBody>,
) -> ApiResult<Created<AssignmentOverrideJson>> {
    let (course, a) = staff_assignment(&state, &caller, &course_id, &assignment_id).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let input = override_input(body, true)?;
    let (scope, actor, zone) = (caller.scope, caller.actor(), course.course.time_zone.clone());
    let created = state
        .store
        .write(move |txn| {
            Box::pin(
                async move { assignments::overrides::create(txn, &scope, &a, input, zone.as_deref(), actor).await },
            )
        })
        .await?;
    let location = format!(
        "{}/api/v1/courses/{}/assignments/{}/overrides/{}",
        state.base_url.resolve(&headers),
        course.course.id,
        created.row.assignment_id,
        created.row.id
    );
    Ok(Created { location, body: render_override(&created) })
}

/// One override of an assignment.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides/{id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = AssignmentOverrideJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_override(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, id)): PathParams<(String, String, String)>,
) -> ApiResult<Json<AssignmentOverrideJson>> {
    let (_, a) = staff_assignment(&state, &caller, &course_id, &assignment_id).await?;
    let found = assignments::overrides::find(state.store.read(), &caller.scope, a.id, override_id(&id)?)
        .await
        .map_err(|err| store_error(err, Code::AssignmentOverrideNotFound))?;
    Ok(Json(render_override(&found)))
}

/// Replaces an override's dates: a date left out is no longer overridden, `null` overrides it to no date. The
/// title changes if sent; an ad-hoc override's students change if `student_ids` is sent; a group or section
/// target cannot change.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides/{id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("id" = i64, Path)),
    request_body(content((OverrideBody = "application/json"), (OverrideBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = AssignmentOverrideJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_override(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, id)): PathParams<(String, String, String)>,
    Params(body): Params<OverrideBody>,
) -> ApiResult<Json<AssignmentOverrideJson>> {
    let (course, a) = staff_assignment(&state, &caller, &course_id, &assignment_id).await?;
    let current = assignments::overrides::find(state.store.read(), &caller.scope, a.id, override_id(&id)?)
        .await
        .map_err(|err| store_error(err, Code::AssignmentOverrideNotFound))?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let body =
        if body.assignment_override.is_none() { OverrideBody { assignment_override: Some(json!({})) } } else { body };
    let input = override_input(body, false)?;
    let (scope, actor, zone) = (caller.scope, caller.actor(), course.course.time_zone.clone());
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                assignments::overrides::update(txn, &scope, &a, &current, input, zone.as_deref(), actor).await
            })
        })
        .await
        .map_err(|err| store_error(err, Code::AssignmentOverrideNotFound))?;
    Ok(Json(render_override(&updated)))
}

/// Deletes an override; answers what it was.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides/{id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = AssignmentOverrideJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_override(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, id)): PathParams<(String, String, String)>,
) -> ApiResult<Json<AssignmentOverrideJson>> {
    let (course, a) = staff_assignment(&state, &caller, &course_id, &assignment_id).await?;
    let current = assignments::overrides::find(state.store.read(), &caller.scope, a.id, override_id(&id)?)
        .await
        .map_err(|err| store_error(err, Code::AssignmentOverrideNotFound))?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let (scope, actor) = (caller.scope, caller.actor());
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { assignments::overrides::delete(txn, &scope, &current, actor).await }))
        .await
        .map_err(|err| store_error(err, Code::AssignmentOverrideNotFound))?;
    Ok(Json(render_override(&deleted)))
}

fn redirect_to(state: &AppState, headers: &HeaderMap, o: &OverrideView, course_id: i64) -> Response {
    let url = format!(
        "{}/api/v1/courses/{}/assignments/{}/overrides/{}",
        state.base_url.resolve(headers),
        course_id,
        o.row.assignment_id,
        o.row.id
    );
    let mut response = Redirect::to(&url).into_response();
    *response.status_mut() = StatusCode::FOUND;
    *response.body_mut() = axum::body::Body::from(json!({ "location": url }).to_string());
    response.headers_mut().insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    response
}

/// Redirects (302) to the override of an assignment for a group, or 404.
#[utoipa::path(get, path = "/api/v1/groups/{group_id}/assignments/{assignment_id}/override", tag = "Assignments",
    params(("group_id" = String, Path, description = "Group id or `sis_group_id:X`"), ("assignment_id" = String, Path, description = "Assignment id")),
    responses((status = 302, description = "To the override"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn group_override_redirect(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((group_id, assignment_id)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    let id = id_ref(&group_id, "group", assay_store::groups::GROUP_ID_PREFIXES)?;
    let group = assay_store::groups::find_group(state.store.read(), &caller.scope, &id)
        .await
        .map_err(|err| store_error(err, Code::GroupNotFound))?;
    let group_id = group.group.id;
    redirect_to_override(&state, &headers, &caller, group.course.course.id, &assignment_id, |o| {
        o.row.group_id == Some(group_id)
    })
    .await
}

/// Redirects (302) to the override of an assignment for a section, or 404.
#[utoipa::path(get, path = "/api/v1/sections/{course_section_id}/assignments/{assignment_id}/override", tag = "Assignments",
    params(("course_section_id" = String, Path, description = "Section id or `sis_section_id:X`"), ("assignment_id" = String, Path, description = "Assignment id")),
    responses((status = 302, description = "To the override"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn section_override_redirect(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((section_id, assignment_id)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    let id = id_ref(&section_id, "section", assay_store::sections::ID_PREFIXES)?;
    let section = assay_store::sections::find(state.store.read(), &caller.scope, &id)
        .await
        .map_err(|err| store_error(err, Code::SectionNotFound))?;
    let section_id = section.section.id;
    redirect_to_override(&state, &headers, &caller, section.course.course.id, &assignment_id, |o| {
        o.row.course_section_id == Some(section_id)
    })
    .await
}

/// The redirect to the one override of an assignment that `matches` (the group's or the section's), or 404.
async fn redirect_to_override(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    course_id: i64,
    assignment_id: &str,
    matches: impl Fn(&OverrideView) -> bool,
) -> ApiResult<Response> {
    let (course, a) = staff_assignment(state, caller, &course_id.to_string(), assignment_id).await?;
    let all = assignments::overrides::of_assignment(state.store.read(), &caller.scope, a.id).await?;
    let found = all.iter().find(|o| matches(o)).ok_or_else(|| ApiError::not_found(Code::AssignmentOverrideNotFound))?;
    Ok(redirect_to(state, headers, found, course.course.id))
}

// ---- effective due dates, extensions ----

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EffectiveDueDatesQuery {
    /// Default: every assignment of the course.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub assignment_ids: Vec<String>,
}

/// For each assignment, each assigned student's effective due date: `{assignment_id: {student_id: {due_at,
/// grading_period_id, in_closed_grading_period}}}` (Assay has no grading periods: null and false).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/effective_due_dates", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), EffectiveDueDatesQuery),
    responses((status = 200, description = "Assignment id → student id → date"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn effective_due_dates(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(query): Params<EffectiveDueDatesQuery>,
) -> ApiResult<Json<Value>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    if !caller.may(Permission::ManageCourse, course_target(&course))
        && !caller.may(Permission::ViewAllGrades, course_target(&course))
    {
        return Err(ApiError::unauthorized());
    }
    let ids = parse_ids(&query.assignment_ids, "/assignment_ids")?;
    let mut list = assignments::in_course(state.store.read(), &caller.scope, course.course.id).await?;
    if let Some(ids) = &ids {
        list.retain(|a| ids.contains(&a.id));
    }
    let all_ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let overrides = assignments::overrides::of_assignments(state.store.read(), &caller.scope, &all_ids).await?;
    let students = assignments::student_places(state.store.read(), &caller.scope, course.course.id).await?;
    let mut out = Map::new();
    for a in &list {
        let own = rule_overrides(overrides.get(&a.id).map(Vec::as_slice).unwrap_or(&[]));
        let mut per_student = Map::new();
        for p in &students {
            let applicable = rules::applicable(&own, p);
            if a.only_visible_to_overrides && applicable.is_empty() {
                continue;
            }
            let dates = rules::effective_dates(&assignments::dates(a), &applicable);
            per_student.insert(
                p.user_id.to_string(),
                json!({"due_at": dates.due_at, "grading_period_id": null, "in_closed_grading_period": false}),
            );
        }
        out.insert(a.id.to_string(), Value::Object(per_student));
    }
    Ok(Json(Value::Object(out)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExtensionsBody {
    /// `[{user_id, extra_attempts}]`, both required.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub assignment_extensions: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentExtensionJson {
    pub assignment_id: i64,
    pub user_id: i64,
    pub extra_attempts: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionsJson {
    pub assignment_extensions: Vec<AssignmentExtensionJson>,
}

fn render_extension(e: &assignment_extension::Model) -> AssignmentExtensionJson {
    AssignmentExtensionJson { assignment_id: e.assignment_id, user_id: e.user_id, extra_attempts: e.extra_attempts }
}

/// Grants students extra attempts on an assignment beyond `allowed_attempts` (§3.9), replacing what each had.
/// Not for quiz or discussion assignments. Any invalid entry: 400 and nothing changes.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/extensions", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    request_body(content((ExtensionsBody = "application/json"), (ExtensionsBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = ExtensionsJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_extensions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    Params(body): Params<ExtensionsBody>,
) -> ApiResult<Json<ExtensionsJson>> {
    let (course, a) = staff_assignment(&state, &caller, &course_id, &assignment_id).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let bad = |pointer: String, message: String| ApiError::bad_request(Code::BadRequest, message, Some(pointer));
    if !rules::takes_extensions(&assignments::submission_types(&a)) {
        return Err(bad(
            "/assignment_extensions".into(),
            "quiz and discussion assignments take no assignment extensions (quizzes have quiz extensions)".into(),
        ));
    }
    let items = body.assignment_extensions.as_ref().and_then(list_items).filter(|items| !items.is_empty()).ok_or_else(
        || bad("/assignment_extensions".into(), "is required: a list of {user_id, extra_attempts}".into()),
    )?;
    let mut grants = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let user = item.get("user_id").and_then(int_of).filter(|n| *n > 0);
        let extra = item
            .get("extra_attempts")
            .and_then(int_of)
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| (0..=1000).contains(n));
        match (user, extra) {
            (Some(user), Some(extra)) => grants.push((user, extra)),
            (None, _) => {
                return Err(bad(format!("/assignment_extensions/{i}/user_id"), "is required: a user id".into()));
            }
            (_, None) => {
                return Err(bad(
                    format!("/assignment_extensions/{i}/extra_attempts"),
                    "is required: a number from 0 to 1000".into(),
                ));
            }
        }
    }
    let (scope, actor) = (caller.scope, caller.actor());
    let outcome = state
        .store
        .write(move |txn| Box::pin(async move { assignments::grant_extensions(txn, &scope, &a, grants, actor).await }))
        .await?;
    let saved = outcome
        .map_err(|i| bad(format!("/assignment_extensions/{i}/user_id"), "is not a student of this course".into()))?;
    Ok(Json(ExtensionsJson { assignment_extensions: saved.iter().map(render_extension).collect() }))
}
