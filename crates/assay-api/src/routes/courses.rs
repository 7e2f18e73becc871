//! Courses (Canvas §2.6, §2.7, §6.2 rows 5–10): create and list under an account, the caller's (or a user's)
//! courses through their enrollments, show, update (including `course[event]=offer|claim|conclude|delete|undelete`
//! and `course[term_id]`), `DELETE` with `event=delete|conclude`, and the settings document.
//!
//! `include[]` adds `term`, `total_students`, `teachers`, `account`, `concluded`, `syllabus_body` (always null:
//! Assay stores no syllabus yet), `permissions` (show only) and `sections` (the enrolled user's lists only). Each
//! is loaded once per page, never once per course.

use std::collections::{BTreeMap, HashMap};

use assay_domain::{
    Code, IdRef, Validation,
    account::validate_time_zone,
    course::{CourseEvent, CourseState, transition},
    course_settings,
    enrollment::EnrollmentState,
    policy::{CourseRole, Permission, Target},
};
use assay_store::{
    courses::{self, CourseFields, CourseFilter, CourseSort, CourseView, EnrollmentFilter, ID_PREFIXES},
    entity::{account, course, course_section, enrollment, enrollment_term, user},
    page::Direction,
    terms,
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts, users};
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
        .routes(routes!(list_account_courses, create_course))
        .routes(routes!(list_my_courses))
        .routes(routes!(list_user_courses))
        .routes(routes!(show_course, update_course, delete_course))
        .routes(routes!(show_settings, update_settings))
}

/// A course.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseJson {
    pub id: i64,
    pub name: String,
    pub course_code: String,
    pub uuid: String,
    /// `unpublished`, `available`, `completed` or `deleted`.
    pub workflow_state: String,
    pub account_id: i64,
    pub root_account_id: i64,
    /// Null for a course in no term (Assay has no "Default Term").
    pub enrollment_term_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    pub time_zone: Option<String>,
    pub default_view: String,
    pub apply_assignment_group_weights: bool,
    pub hide_final_grades: bool,
    pub restrict_enrollments_to_course_dates: bool,
    pub is_public: bool,
    pub license: Option<String>,
    pub grading_standard_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_course_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Option<String>>,
    /// The listed user's enrollments in the course (`GET /courses`, `GET /users/:id/courses`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollments: Option<Vec<CourseEnrollmentJson>>,
    /// `include[]=term`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<Option<TermBrief>>,
    /// `include[]=total_students`: active and invited students.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_students: Option<i64>,
    /// `include[]=teachers`: active teachers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teachers: Option<Vec<UserDisplay>>,
    /// `include[]=sections`: the sections the listed user is enrolled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<SectionBrief>>,
    /// `include[]=account`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<accounts::AccountJson>,
    /// `include[]=concluded`: completed, or past its end date (the course's when it restricts enrollments to
    /// its dates, its term's otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concluded: Option<bool>,
    /// `include[]=syllabus_body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub syllabus_body: Option<Option<String>>,
    /// `include[]=permissions` (show only): Canvas permission names the caller holds in the course.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
}

/// A user's enrollment, as a course lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseEnrollmentJson {
    /// `teacher`, `student`, `ta`, `observer` or `designer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The enrollment type, e.g. `StudentEnrollment`.
    pub role: String,
    /// The base role's id (Canvas's numbering: student 3, teacher 4, TA 5, designer 6, observer 7).
    pub role_id: i64,
    pub user_id: i64,
    pub enrollment_state: String,
    pub limit_privileges_to_course_section: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermBrief {
    pub id: i64,
    pub name: String,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Canvas's UserDisplay.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDisplay {
    pub id: i64,
    pub display_name: String,
    pub avatar_image_url: Option<String>,
    pub html_url: String,
    pub pronouns: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionBrief {
    pub id: i64,
    pub name: String,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The enrollment type the user holds in the section.
    pub enrollment_role: String,
}

fn render(view: &CourseView, caller: &Caller) -> CourseJson {
    let c = &view.course;
    let sis = caller.may(Permission::ReadSis, Target::Course { course_id: c.id, account: &view.account_path });
    CourseJson {
        id: c.id,
        name: c.name.clone(),
        course_code: c.course_code.clone(),
        uuid: c.uuid.clone(),
        workflow_state: c.workflow_state.clone(),
        account_id: c.account_id,
        root_account_id: c.root_account_id,
        enrollment_term_id: c.enrollment_term_id,
        created_at: c.created_at,
        start_at: c.start_at,
        end_at: c.end_at,
        time_zone: c.time_zone.clone(),
        default_view: c.default_view.clone(),
        apply_assignment_group_weights: c.apply_assignment_group_weights,
        hide_final_grades: c.hide_final_grades,
        restrict_enrollments_to_course_dates: c.restrict_enrollments_to_course_dates,
        is_public: c.is_public,
        license: c.license.clone(),
        grading_standard_id: c.grading_standard_id,
        sis_course_id: sis.then(|| c.sis_course_id.clone()),
        integration_id: sis.then(|| c.integration_id.clone()),
        enrollments: None,
        term: None,
        total_students: None,
        teachers: None,
        sections: None,
        account: None,
        concluded: None,
        syllabus_body: None,
        permissions: None,
    }
}

/// Which lists an `include[]` value is honoured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    Show,
    Account,
    Enrolled,
}

/// What `include[]` asks for; values a list does not offer are ignored, as Canvas ignores them.
#[derive(Debug, Clone, Copy, Default)]
struct Includes {
    term: bool,
    total_students: bool,
    teachers: bool,
    sections: bool,
    account: bool,
    concluded: bool,
    syllabus_body: bool,
    permissions: bool,
}

impl Includes {
    fn parse(values: &[String], surface: Surface) -> Includes {
        let has = |name: &str| values.iter().any(|v| v == name);
        Includes {
            term: has("term"),
            total_students: has("total_students"),
            teachers: has("teachers"),
            sections: surface == Surface::Enrolled && has("sections"),
            account: has("account"),
            concluded: has("concluded"),
            syllabus_body: has("syllabus_body"),
            permissions: surface == Surface::Show && has("permissions"),
        }
    }
}

/// What one page of courses needs for its includes, loaded in one query per kind.
#[derive(Default)]
struct Extras {
    terms: HashMap<i64, enrollment_term::Model>,
    accounts: HashMap<i64, account::Model>,
    students: HashMap<i64, i64>,
    teachers: HashMap<i64, Vec<user::Model>>,
    sections: HashMap<i64, course_section::Model>,
    /// The listed user's enrollments (enrolled lists only).
    enrollments: Option<Vec<enrollment::Model>>,
    base_url: String,
}

impl Extras {
    async fn load(
        state: &AppState,
        caller: &Caller,
        courses: &[course::Model],
        inc: Includes,
        enrollments: Option<Vec<enrollment::Model>>,
        base_url: String,
    ) -> ApiResult<Extras> {
        let conn = state.store.read();
        let scope = &caller.scope;
        let ids: Vec<i64> = courses.iter().map(|c| c.id).collect();
        let mut extras = Extras { base_url, ..Extras::default() };
        if inc.term || inc.concluded {
            extras.terms =
                courses::terms_by_id(conn, scope, courses.iter().filter_map(|c| c.enrollment_term_id)).await?;
        }
        extras.accounts = courses::accounts_by_id(conn, scope, courses.iter().map(|c| c.account_id)).await?;
        if inc.total_students {
            extras.students = courses::student_counts(conn, scope, &ids).await?;
        }
        if inc.teachers {
            extras.teachers = courses::teachers(conn, scope, &ids).await?;
        }
        if inc.sections
            && let Some(list) = &enrollments
        {
            extras.sections = courses::sections_by_id(conn, scope, list.iter().map(|e| e.course_section_id)).await?;
        }
        extras.enrollments = enrollments;
        Ok(extras)
    }

    fn view(&self, c: course::Model) -> CourseView {
        let account_path = self
            .accounts
            .get(&c.account_id)
            .map(account::Model::account_path)
            .unwrap_or_else(|| assay_domain::account::AccountPath::root(c.root_account_id));
        CourseView { course: c, account_path }
    }

    fn render(&self, view: &CourseView, caller: &Caller, inc: Includes) -> CourseJson {
        let c = &view.course;
        let mut json = render(view, caller);
        let term = c.enrollment_term_id.and_then(|id| self.terms.get(&id));
        if inc.term {
            json.term = Some(term.map(|t| TermBrief {
                id: t.id,
                name: t.name.clone(),
                start_at: t.start_at,
                end_at: t.end_at,
            }));
        }
        if inc.total_students {
            json.total_students = Some(self.students.get(&c.id).copied().unwrap_or(0));
        }
        if inc.teachers {
            json.teachers = Some(
                self.teachers
                    .get(&c.id)
                    .into_iter()
                    .flatten()
                    .map(|u| UserDisplay {
                        id: u.id,
                        display_name: u.short_name.clone(),
                        avatar_image_url: None,
                        html_url: format!("{}/courses/{}/users/{}", self.base_url, c.id, u.id),
                        pronouns: None,
                    })
                    .collect(),
            );
        }
        if inc.account {
            json.account = self.accounts.get(&c.account_id).map(|a| accounts::render(a, caller));
        }
        if inc.concluded {
            let end = if c.restrict_enrollments_to_course_dates && c.end_at.is_some() {
                c.end_at
            } else {
                term.and_then(|t| t.end_at)
            };
            json.concluded = Some(
                c.workflow_state == CourseState::Completed.as_str() || end.is_some_and(|end| end < chrono::Utc::now()),
            );
        }
        if inc.syllabus_body {
            json.syllabus_body = Some(None);
        }
        if inc.permissions {
            let target = Target::Course { course_id: c.id, account: &view.account_path };
            json.permissions =
                Some(Permission::COURSE.iter().map(|p| (p.as_str().to_owned(), caller.may(*p, target))).collect());
        }
        if let Some(all) = &self.enrollments {
            let mine: Vec<&enrollment::Model> = all.iter().filter(|e| e.course_id == c.id).collect();
            json.enrollments = Some(
                mine.iter()
                    .map(|e| {
                        let role = CourseRole::from_enrollment_type(&e.r#type);
                        CourseEnrollmentJson {
                            kind: role.map(CourseRole::short_name).unwrap_or_default().to_owned(),
                            role: e.role.clone(),
                            role_id: role.map(CourseRole::base_role_id).unwrap_or_default(),
                            user_id: e.user_id,
                            enrollment_state: e.workflow_state.clone(),
                            limit_privileges_to_course_section: e.limit_privileges_to_course_section,
                        }
                    })
                    .collect(),
            );
            if inc.sections {
                json.sections = Some(
                    mine.iter()
                        .filter_map(|e| {
                            self.sections.get(&e.course_section_id).map(|s| SectionBrief {
                                id: s.id,
                                name: s.name.clone(),
                                start_at: s.start_at,
                                end_at: s.end_at,
                                enrollment_role: e.role.clone(),
                            })
                        })
                        .collect(),
                );
            }
        }
        json
    }
}

/// Finds a course of the caller's school from a path id, or 404.
pub async fn resolve(state: &AppState, caller: &Caller, raw: &str, include_deleted: bool) -> ApiResult<CourseView> {
    let id = id_ref(raw, "course", ID_PREFIXES)?;
    courses::find_current(&state.store, &caller.scope, &id, include_deleted).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::CourseNotFound),
        other => other.into(),
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CourseParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub course_code: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_course_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub integration_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Option<Option<String>>,
    /// `feed`, `wiki`, `modules`, `syllabus` or `assignments`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub default_view: Option<String>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub apply_assignment_group_weights: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub hide_final_grades: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub restrict_enrollments_to_course_dates: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub is_public: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub license: Option<Option<String>>,
    /// The term: its id or `sis_term_id:X` (an active term of the school); empty or null: no term.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub term_id: Option<Option<String>>,
    /// Update only: `offer`, `claim`, `conclude`, `delete` or `undelete`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub event: Option<String>,
    /// The grading standard of the course's letter and GPA grades (one of the course's or its accounts'); null:
    /// Canvas's default scheme.
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub grading_standard_id: Option<Option<i64>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CourseParams {
    #[serde(default)]
    pub course: CourseParamsFields,
    /// Create only: publish the course at once.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub offer: Option<bool>,
    /// Create only: enroll the caller in the new course as an active teacher.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub enroll_me: Option<bool>,
}

const VIEWS: &[&str] = &["feed", "wiki", "modules", "syllabus", "assignments"];

/// What `validate` found: the event to apply and the term named.
struct Checked {
    event: Option<CourseEvent>,
    term: Option<Option<IdRef>>,
}

impl CourseParamsFields {
    fn validate(&self, current: Option<&CourseView>) -> Result<Checked, ApiError> {
        let mut v = Validation::new();
        let mut term = None;
        match &self.term_id {
            None => {}
            Some(None) => term = Some(None),
            Some(Some(raw)) => match IdRef::parse(raw.trim(), "term", terms::ID_PREFIXES) {
                Ok(id) => term = Some(Some(id)),
                Err(err) => v.add("/course/term_id", err.to_string()),
            },
        }
        v.text("/course/name", self.name.as_deref(), false, 255);
        v.text("/course/course_code", self.course_code.as_deref(), false, 255);
        if let Some(Some(sis)) = &self.sis_course_id {
            v.identifier("/course/sis_course_id", Some(sis));
        }
        if let Some(Some(id)) = &self.integration_id {
            v.identifier("/course/integration_id", Some(id));
        }
        if let Some(Some(tz)) = &self.time_zone {
            validate_time_zone(&mut v, "/course/time_zone", Some(tz));
        }
        if let Some(view) = &self.default_view
            && !VIEWS.contains(&view.as_str())
        {
            v.add("/course/default_view", format!("must be one of {}", VIEWS.join(", ")));
        }
        let start = self.start_at.unwrap_or_else(|| current.and_then(|c| c.course.start_at));
        let end = self.end_at.unwrap_or_else(|| current.and_then(|c| c.course.end_at));
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            v.add("/course/end_at", "must not be before start_at");
        }
        let mut event = None;
        if let Some(raw) = &self.event {
            match (CourseEvent::parse(raw), current) {
                (None, _) => v.add("/course/event", "must be offer, claim, conclude, delete or undelete"),
                (Some(_), None) => v.add("/course/event", "is for updates; create with `offer=true` to publish"),
                (Some(e), Some(c)) => {
                    let from = CourseState::parse(&c.course.workflow_state).unwrap_or(CourseState::Unpublished);
                    match transition(from, e) {
                        Ok(_) => event = Some(e),
                        Err(why) => v.add("/course/event", why),
                    }
                }
            }
        }
        v.finish()?;
        Ok(Checked { event, term })
    }

    fn into_store(self, state: Option<CourseState>, term: Option<Option<IdRef>>) -> CourseFields {
        CourseFields {
            name: self.name.map(|s| s.trim().to_owned()),
            course_code: self.course_code.map(|s| s.trim().to_owned()),
            sis_course_id: self.sis_course_id,
            integration_id: self.integration_id,
            start_at: self.start_at,
            end_at: self.end_at,
            time_zone: self.time_zone,
            default_view: self.default_view,
            apply_assignment_group_weights: self.apply_assignment_group_weights,
            hide_final_grades: self.hide_final_grades,
            restrict_enrollments_to_course_dates: self.restrict_enrollments_to_course_dates,
            is_public: self.is_public,
            license: self.license,
            term,
            grading_standard_id: self.grading_standard_id,
            state,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseListQuery {
    /// `unpublished` (or Canvas's `created`, `claimed`), `available`, `completed`, `deleted`, `all`; default: all
    /// but deleted.
    #[serde(default, rename = "state", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub states: Vec<String>,
    /// Part of the name, course code or SIS id, ignoring case.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
    /// Only published (`true`) or unpublished (`false`) courses.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub published: Option<bool>,
    /// Only courses in this term: its id or `sis_term_id:X`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub enrollment_term_id: Option<String>,
    /// `true`: only courses with at least one (not deleted) enrollment; `false`: only courses without.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub with_enrollments: Option<bool>,
    /// Only courses with an enrollment of one of these types: `teacher`, `student`, `ta`, `observer`, `designer`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub enrollment_type: Vec<String>,
    /// Only courses in these sub-accounts (ids or `sis_account_id:X`) or below them.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub by_subaccounts: Vec<String>,
    /// Only courses that start (or whose term starts) at or before this time, or have no start.
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub starts_before: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// Only courses that end (or whose term ends) at or after this time, or have no end.
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub ends_after: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// `course_name`, `sis_course_id` or `course_status`; default: by id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub order: Option<String>,
    /// `term`, `total_students`, `teachers`, `account`, `concluded`, `syllabus_body`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

/// Reads `state[]` values; an unknown one is a 422 on `/state`.
fn parse_states(values: &[String]) -> ApiResult<Vec<CourseState>> {
    let mut states = Vec::new();
    for raw in values {
        let found = CourseState::parse_filter(raw).ok_or_else(|| {
            ApiError::invalid_field(
                "/state",
                format!("`{raw}` is not unpublished, created, claimed, available, completed, deleted or all"),
            )
        })?;
        for state in found {
            if !states.contains(state) {
                states.push(*state);
            }
        }
    }
    Ok(states)
}

fn parse_role(raw: &str, pointer: &str) -> ApiResult<CourseRole> {
    assay_domain::enrollment::parse_short_type(raw).ok_or_else(|| {
        ApiError::invalid_field(pointer, format!("`{raw}` is not teacher, student, ta, observer or designer"))
    })
}

/// A term of the caller's school named by a filter, or a 422 on `pointer`.
async fn filter_term(state: &AppState, caller: &Caller, raw: &str, pointer: &str) -> ApiResult<i64> {
    let id = IdRef::parse(raw.trim(), "term", terms::ID_PREFIXES)
        .map_err(|err| ApiError::invalid_field(pointer, err.to_string()))?;
    match terms::find(state.store.read(), &caller.scope, &id).await {
        Ok(term) => Ok(term.id),
        Err(assay_store::StoreError::NotFound) => {
            Err(ApiError::invalid_field(pointer, format!("`{raw}` is not an active term of this school")))
        }
        Err(other) => Err(other.into()),
    }
}

/// The courses of an account and its sub-accounts.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/courses", tag = "Courses",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), CourseListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CourseJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_account_courses(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<CourseListQuery>,
) -> ApiResult<Paginated<CourseJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    caller.require(Permission::ViewCourse, Target::Account(&path))?;
    let states = parse_states(&query.states)?;
    let term_id = match query.enrollment_term_id.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(raw) => Some(filter_term(&state, &caller, raw, "/enrollment_term_id").await?),
        None => None,
    };
    let enrollment_types =
        query.enrollment_type.iter().map(|raw| parse_role(raw, "/enrollment_type")).collect::<ApiResult<Vec<_>>>()?;
    if query.by_subaccounts.len() > 100 {
        return Err(ApiError::invalid_field("/by_subaccounts", "name at most 100 accounts"));
    }
    let mut subaccount_paths = Vec::new();
    for raw in &query.by_subaccounts {
        let not_below =
            || ApiError::invalid_field("/by_subaccounts", format!("`{raw}` is not an account within this one"));
        let id = IdRef::parse(raw.trim(), "account", assay_store::accounts::ID_PREFIXES).map_err(|_| not_below())?;
        let sub = match assay_store::accounts::find(state.store.read(), &caller.scope, &id).await {
            Ok(sub) => sub,
            Err(assay_store::StoreError::NotFound) => return Err(not_below()),
            Err(other) => return Err(other.into()),
        };
        if !sub.account_path().is_within(&path) {
            return Err(not_below());
        }
        subaccount_paths.push(sub.path);
    }
    let sort = match query.sort.as_deref() {
        None | Some("") => CourseSort::Id,
        Some("course_name") => CourseSort::Name,
        Some("sis_course_id") => CourseSort::SisCourseId,
        Some("course_status") => CourseSort::Status,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "/sort",
                format!("`{other}` is not course_name, sis_course_id or course_status"),
            ));
        }
    };
    let direction = match query.order.as_deref() {
        None | Some("") | Some("asc") => Direction::Asc,
        Some("desc") => Direction::Desc,
        Some(other) => return Err(ApiError::invalid_field("/order", format!("`{other}` is not asc or desc"))),
    };
    let search_term = query.search_term.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if search_term.as_ref().is_some_and(|t| t.chars().count() > 255) {
        return Err(ApiError::invalid_field("/search_term", "must be at most 255 characters"));
    }
    let filter = CourseFilter {
        states,
        search_term,
        published: query.published,
        term_id,
        with_enrollments: query.with_enrollments,
        enrollment_types,
        subaccount_paths,
        starts_before: query.starts_before.flatten(),
        ends_after: query.ends_after.flatten(),
        sort,
        direction,
    };
    let page = courses::list(state.store.read(), &caller.scope, &account, &filter, &pagination.request).await?;
    let inc = Includes::parse(&query.include, Surface::Account);
    let extras = Extras::load(&state, &caller, &page.items, inc, None, state.base_url.resolve(&headers)).await?;
    Ok(Paginated::new(page.map(|c| extras.render(&extras.view(c), &caller, inc)), pagination))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolledCoursesQuery {
    /// Only courses where the user has this role: `teacher`, `student`, `ta`, `observer` or `designer`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub enrollment_type: Option<String>,
    /// Only enrollments in this state: `active`, `invited_or_pending` or `completed`; default: active, invited
    /// and pending.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub enrollment_state: Option<String>,
    /// Course states (as for account lists). Default: `available` where the user is only a student or
    /// observer, all but deleted otherwise.
    #[serde(default, rename = "state", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub states: Vec<String>,
    /// `term`, `total_students`, `teachers`, `sections`, `account`, `concluded`, `syllabus_body`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

/// One page of a user's courses, each with that user's enrollments in it.
async fn enrolled_courses(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    user_id: i64,
    query: EnrolledCoursesQuery,
    pagination: Pagination,
) -> ApiResult<Paginated<CourseJson>> {
    let role = query.enrollment_type.as_deref().map(|raw| parse_role(raw, "/enrollment_type")).transpose()?;
    let enrollment_states = match query.enrollment_state.as_deref() {
        None | Some("") => EnrollmentFilter::current(),
        Some("active") => vec![EnrollmentState::Active.as_str()],
        Some("invited_or_pending") => {
            vec![EnrollmentState::Invited.as_str(), EnrollmentState::CreationPending.as_str()]
        }
        Some("completed") => vec![EnrollmentState::Completed.as_str()],
        Some(other) => {
            return Err(ApiError::invalid_field(
                "/enrollment_state",
                format!("`{other}` is not active, invited_or_pending or completed"),
            ));
        }
    };
    let states = parse_states(&query.states)?;
    let filter = EnrollmentFilter { user_id, role, states: enrollment_states };
    let conn = state.store.read();
    let page = courses::list_for_user(conn, &caller.scope, &filter, &states, &pagination.request).await?;
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    let enrollments = courses::enrollments_of(conn, &caller.scope, &filter, &ids).await?;
    let inc = Includes::parse(&query.include, Surface::Enrolled);
    let extras =
        Extras::load(state, caller, &page.items, inc, Some(enrollments), state.base_url.resolve(headers)).await?;
    Ok(Paginated::new(page.map(|c| extras.render(&extras.view(c), caller, inc)), pagination))
}

/// The caller's courses, through their enrollments (Canvas's "active courses for the current user"), by id.
#[utoipa::path(get, path = "/api/v1/courses", tag = "Courses",
    params(EnrolledCoursesQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CourseJson>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_my_courses(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    pagination: Pagination,
    Params(query): Params<EnrolledCoursesQuery>,
) -> ApiResult<Paginated<CourseJson>> {
    let user_id = caller.require_user()?.id;
    enrolled_courses(&state, &headers, &caller, user_id, query, pagination).await
}

/// A user's courses, through their enrollments: the user themself, or an administrator who may see the user.
#[utoipa::path(get, path = "/api/v1/users/{user_id}/courses", tag = "Courses",
    params(("user_id" = String, Path, description = "User id, `self` or `sis_user_id:X`"), EnrolledCoursesQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CourseJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_user_courses(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<EnrolledCoursesQuery>,
) -> ApiResult<Paginated<CourseJson>> {
    caller.require_user()?;
    let view = users::resolve(&state, &caller, &user_id).await?;
    caller.require(Permission::ViewUsers, Target::User { user_id: view.user.id, account: &view.account_path })?;
    enrolled_courses(&state, &headers, &caller, view.user.id, query, pagination).await
}

/// Creates a course in an account (unpublished unless `offer=true`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/courses", tag = "Courses",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`")),
    request_body(content((CourseParams = "application/json"), (CourseParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = CourseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_course(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<CourseParams>,
) -> ApiResult<Created<CourseJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    caller.require(Permission::ManageCourse, Target::Account(&path))?;
    let fields = params.course;
    let checked = fields.validate(None)?;
    if fields.sis_course_id.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&path))?;
    }
    if let Some(Some(standard)) = fields.grading_standard_id {
        let visible = assay_store::grading_standards::Visible { course_id: None, account_ids: path.ids() };
        super::grading_standards::check_visible(&state, &caller, &visible, standard, "/course/grading_standard_id")
            .await?;
    }
    let initial = params.offer.unwrap_or(false).then_some(CourseState::Available);
    let store_fields = fields.into_store(initial, checked.term);
    // `enroll_me` needs a person to enroll: an API key has none.
    let enroll_me = match params.enroll_me {
        Some(true) => Some(caller.require_user()?.id),
        _ => None,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let created = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                let course = courses::create(txn, &scope, &account, store_fields, actor).await?;
                if let Some(user_id) = enroll_me {
                    let section = assay_store::sections::default_for(txn, &scope, &course).await?;
                    let me = assay_store::enrollments::NewEnrollment::active(
                        user_id,
                        assay_domain::policy::CourseRole::Teacher,
                    );
                    assay_store::enrollments::enroll(txn, &scope, &course, &section, me, actor).await?;
                }
                Ok(course)
            })
        })
        .await?;
    let location = format!("{}/api/v1/courses/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render(&CourseView { course: created, account_path: path }, &caller) })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShowCourseQuery {
    /// `term`, `total_students`, `teachers`, `account`, `concluded`, `syllabus_body`, `permissions`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

/// One course, by id, `sis_course_id:X` or `external_id:X`; a deleted course is not found.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "Courses",
    params(("id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`"), ShowCourseQuery),
    responses((status = 200, body = CourseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_course(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(query): Params<ShowCourseQuery>,
) -> ApiResult<Json<CourseJson>> {
    let view = resolve(&state, &caller, &id, false).await?;
    caller
        .require(Permission::ViewCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    let inc = Includes::parse(&query.include, Surface::Show);
    let courses = std::slice::from_ref(&view.course);
    let extras = Extras::load(&state, &caller, courses, inc, None, state.base_url.resolve(&headers)).await?;
    Ok(Json(extras.render(&view, &caller, inc)))
}

/// Updates a course; `course[event]` moves it through Canvas's states. Returns the whole course.
#[utoipa::path(put, path = "/api/v1/courses/{id}", tag = "Courses",
    params(("id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    request_body(content((CourseParams = "application/json"), (CourseParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = CourseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_course(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<CourseParams>,
) -> ApiResult<Json<CourseJson>> {
    // Only `undelete` may address a deleted course.
    let undeleting = params.course.event.as_deref() == Some("undelete");
    let view = resolve(&state, &caller, &id, undeleting).await?;
    let target = Target::Course { course_id: view.course.id, account: &view.account_path };
    caller.require(Permission::ManageCourse, target)?;
    let fields = params.course;
    let checked = fields.validate(Some(&view))?;
    if fields.sis_course_id.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, target)?;
    }
    if let Some(Some(standard)) = fields.grading_standard_id {
        super::grading_standards::check_usable(&state, &caller, &view, standard, "/course/grading_standard_id").await?;
    }
    let from = CourseState::parse(&view.course.workflow_state).unwrap_or(CourseState::Unpublished);
    let next = checked
        .event
        .map(|e| transition(from, e))
        .transpose()
        .map_err(|why| ApiError::invalid_field("/course/event", why))?;
    let store_fields = fields.into_store(next, checked.term);
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.course.clone();
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { courses::update(txn, &scope, &current, store_fields, actor).await }))
        .await?;
    Ok(Json(render(&CourseView { course: updated, ..view }, &caller)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeleteCourseParams {
    /// `delete` or `conclude` (required).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub event: Option<String>,
}

/// Deletes (`event=delete`) or concludes (`event=conclude`) a course; answers `{"delete": true}` or
/// `{"conclude": true}` as Canvas does.
#[utoipa::path(delete, path = "/api/v1/courses/{id}", tag = "Courses",
    params(("id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    request_body(content((DeleteCourseParams = "application/x-www-form-urlencoded"), (DeleteCourseParams = "application/json"))),
    responses((status = 200, description = "`{\"delete\": true}` or `{\"conclude\": true}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_course(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<DeleteCourseParams>,
) -> ApiResult<Json<Value>> {
    let view = resolve(&state, &caller, &id, false).await?;
    caller
        .require(Permission::ManageCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    let (event, key) = match params.event.as_deref() {
        Some("delete") => (CourseEvent::Delete, "delete"),
        Some("conclude") => (CourseEvent::Conclude, "conclude"),
        _ => return Err(ApiError::invalid_field("/event", "must be `delete` or `conclude`")),
    };
    let from = CourseState::parse(&view.course.workflow_state).unwrap_or(CourseState::Unpublished);
    let next = transition(from, event).map_err(|why| ApiError::invalid_field("/event", why))?;
    let fields = CourseFields { state: Some(next), ..CourseFields::default() };
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.course;
    state
        .store
        .write(move |txn| Box::pin(async move { courses::update(txn, &scope, &current, fields, actor).await }))
        .await?;
    Ok(Json(json!({ key: true })))
}

/// The course's settings (Canvas §2.7): every key, with Canvas's defaults for those never set.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/settings", tag = "Courses",
    params(("course_id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    responses((status = 200, description = "`{\"allow_student_discussion_topics\": true, …}`", body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_settings(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
) -> ApiResult<Json<Map<String, Value>>> {
    let view = resolve(&state, &caller, &course_id, false).await?;
    caller
        .require(Permission::ViewCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    Ok(Json(settings_json(&view.course)))
}

fn settings_json(c: &course::Model) -> Map<String, Value> {
    course_settings::effective(
        &course_settings::parse_stored(c.settings.as_deref()),
        c.hide_final_grades,
        c.grading_standard_id,
    )
}

/// Changes settings: top-level parameters named as in the response (`hide_final_grades=true`). Unknown names
/// are ignored, as Canvas ignores them; a value of the wrong type is a 422 naming the setting. Answers the
/// settings.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/settings", tag = "Courses",
    params(("course_id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    request_body(content((Object = "application/x-www-form-urlencoded"), (Object = "application/json"))),
    responses((status = 200, description = "The settings, as `GET` shows them", body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Map<String, Value>>> {
    let view = resolve(&state, &caller, &course_id, false).await?;
    caller
        .require(Permission::ManageCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    let stored = course_settings::parse_stored(view.course.settings.as_deref());
    let change = course_settings::apply(&stored, &params)?;
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.course;
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { courses::update_settings(txn, &scope, &current, change, actor).await }))
        .await?;
    Ok(Json(settings_json(&updated)))
}
