//! The gradebook on the wire: the `grades` object of student enrollments (Canvas), and the gradebook export
//! `GET /api/v1/courses/:course_id/gradebook_export.csv` (one row per student, for those who see every grade).
//!
//! Who sees which numbers: `current_score`/`final_score` are computed from posted grades only, as the student sees
//! them; graders (`view_all_grades` on the student's section) also get `unposted_current_score` and
//! `unposted_final_score`, computed from every grade. A student sees the `grades` of their own enrollments only
//! (with null scores while the course hides final grades), and nobody else's.

use std::collections::HashMap;

use assay_domain::{
    account::AccountPath,
    gradebook::{Grades, Mark},
    policy::{self, CourseRole, Permission, Target},
};
use assay_store::{
    PageRequest, Position,
    enrollments::{self, EnrollmentFilter, Related},
    entity::enrollment,
    gradebook::{self, Gradebooks},
};
use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::courses;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    path::PathParams,
};
use assay_store::courses::CourseView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_gradebook))
}

/// The scores of a student enrollment, as percentages rounded to two decimals; null while nothing counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradesJson {
    pub html_url: String,
    /// Graded work only, posted grades only.
    pub current_score: Option<f64>,
    /// Ungraded work counted as 0, posted grades only.
    pub final_score: Option<f64>,
    /// The letter of `current_score` in the course's grading scheme (null without one).
    pub current_grade: Option<String>,
    pub final_grade: Option<String>,
    /// Graders only: the current score with grades not posted yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unposted_current_score: Option<Option<f64>>,
    /// Graders only: the final score with grades not posted yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unposted_final_score: Option<Option<f64>>,
    /// The letter of `unposted_current_score` (graders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unposted_current_grade: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unposted_final_grade: Option<Option<String>>,
}

/// A percentage as the API shows it: two decimals.
pub fn round_percent(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// How a caller sees one student's grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// Sees every grade (posted or not).
    Grader,
    /// The student themselves: posted grades only; `hidden` when the course hides final grades from students.
    Student { hidden: bool },
}

/// The `grades` objects of the student enrollments among `rows` that the caller may see, by enrollment id. Loads
/// the gradebooks of all their courses at once (a fixed number of queries for the whole page).
pub async fn enrollment_grades(
    state: &AppState,
    caller: &Caller,
    base: &str,
    course_path: &(dyn Fn(i64) -> Option<AccountPath> + Sync),
    related: &Related,
    rows: &[enrollment::Model],
) -> ApiResult<HashMap<i64, GradesJson>> {
    let mut readers: Vec<(&enrollment::Model, Reader)> = Vec::new();
    for e in rows {
        if CourseRole::from_enrollment_type(&e.r#type) != Some(CourseRole::Student) {
            continue;
        }
        let Some(account) = course_path(e.course_id) else { continue };
        let target = Target::Section { course_id: e.course_id, section_id: e.course_section_id, account: &account };
        let reader = if caller.may(Permission::ViewAllGrades, target) {
            Reader::Grader
        } else if caller.user_id() == Some(e.user_id) {
            let hidden = related.courses.get(&e.course_id).is_none_or(|c| c.hide_final_grades);
            Reader::Student { hidden }
        } else {
            continue;
        };
        readers.push((e, reader));
    }
    if readers.is_empty() {
        return Ok(HashMap::new());
    }
    let course_ids: Vec<i64> = readers.iter().map(|(e, _)| e.course_id).collect();
    let user_ids: Vec<i64> = readers.iter().map(|(e, _)| e.user_id).collect();
    let books = gradebook::load(state.store.read(), &caller.scope, &course_ids, &user_ids).await?;
    Ok(readers
        .into_iter()
        .map(|(e, reader)| {
            let posted = books.grades(e.course_id, e.user_id, true);
            let percent = |g: &Option<Grades>, current: bool| {
                g.as_ref()
                    .and_then(|g| if current { g.current.percent } else { g.final_total.percent })
                    .map(round_percent)
            };
            let hidden = matches!(reader, Reader::Student { hidden: true });
            let all = (reader == Reader::Grader).then(|| books.grades(e.course_id, e.user_id, false));
            let letter = |p: Option<f64>| books.courses.get(&e.course_id).and_then(|c| c.letter(p));
            let (current_score, final_score) =
                if hidden { (None, None) } else { (percent(&posted, true), percent(&posted, false)) };
            let json = GradesJson {
                html_url: format!("{base}/courses/{}/grades/{}", e.course_id, e.user_id),
                current_score,
                final_score,
                current_grade: letter(current_score),
                final_grade: letter(final_score),
                unposted_current_score: all.as_ref().map(|g| percent(g, true)),
                unposted_final_score: all.as_ref().map(|g| percent(g, false)),
                unposted_current_grade: all.as_ref().map(|g| letter(percent(g, true))),
                unposted_final_grade: all.as_ref().map(|g| letter(percent(g, false))),
            };
            (e.id, json)
        })
        .collect())
}

/// The students a section-limited grader reaches (`None`: every student of the course).
pub(crate) async fn reachable_students(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    permission: Permission,
) -> ApiResult<Option<Vec<i64>>> {
    let Some(sections) = policy::reachable_sections(&caller.grants, permission, course.course.id, &course.account_path)
    else {
        return Ok(None);
    };
    let students = student_enrollments(state, caller, course.course.id, Some(sections)).await?;
    Ok(Some(students.into_iter().map(|e| e.user_id).collect()))
}

// ---- Export ----------------------------------------------------------------------------------------------------

/// Every student enrollment of a course a list shows by default (active and invited), walked page by page.
pub(crate) async fn student_enrollments(
    state: &AppState,
    caller: &Caller,
    course_id: i64,
    within_sections: Option<Vec<i64>>,
) -> ApiResult<Vec<enrollment::Model>> {
    let filter = EnrollmentFilter {
        course_id: Some(course_id),
        roles: vec![CourseRole::Student],
        within_sections,
        ..EnrollmentFilter::default()
    };
    let mut all = Vec::new();
    let mut request = PageRequest { position: Position::Offset(0), per_page: 1000, total_hint: Some(None) };
    loop {
        let page = enrollments::list(state.store.read(), &caller.scope, &filter, &request).await?;
        all.extend(page.items);
        match (page.has_more, page.last_key) {
            (true, Some(key)) => request.position = Position::After(key),
            _ => return Ok(all),
        }
    }
}

/// A text cell a spreadsheet will not run: a leading `=`, `+`, `-`, `@`, tab or carriage return is escaped with
/// a `'` (OWASP's advice against CSV injection).
pub(crate) fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

/// A number as the export writes it: up to two decimals, no trailing zeros.
fn number_cell(x: f64) -> String {
    let rounded = round_percent(x);
    if rounded == rounded.trunc() { format!("{rounded:.0}") } else { rounded.to_string() }
}

fn percent_cell(x: Option<f64>) -> String {
    x.map(number_cell).unwrap_or_default()
}

/// Writes the export of a course: a header, a `Points Possible` row, then one row per student.
fn write_export(
    books: &Gradebooks,
    course_id: i64,
    related: &Related,
    students: &[enrollment::Model],
    show_sis: bool,
) -> Result<Vec<u8>, csv::Error> {
    let Some(course) = books.courses.get(&course_id) else { return Ok(Vec::new()) };
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["Student", "ID", "SIS User ID", "Section"].map(str::to_owned).to_vec();
    for a in &course.assignments {
        header.push(text_cell(&format!("{} ({})", a.name, a.id)));
    }
    for g in &course.groups {
        for column in ["Current Score", "Unposted Current Score", "Final Score", "Unposted Final Score"] {
            header.push(text_cell(&format!("{} {column}", g.name)));
        }
    }
    header
        .extend(["Current Score", "Unposted Current Score", "Final Score", "Unposted Final Score"].map(str::to_owned));
    // Letters only where the course has a grading scheme (as Canvas's export adds its `Grade` columns).
    let letters = course.scheme.is_some();
    if letters {
        header.extend(
            ["Current Grade", "Unposted Current Grade", "Final Grade", "Unposted Final Grade"].map(str::to_owned),
        );
    }
    out.write_record(&header)?;
    let mut points = vec!["Points Possible".to_owned(), String::new(), String::new(), String::new()];
    points.extend(course.assignments.iter().map(|a| a.points_possible.map(number_cell).unwrap_or_default()));
    points.resize(header.len(), String::new());
    out.write_record(&points)?;

    // One row per student, whatever the number of their enrollments (sections) in the course.
    let mut sections_of: HashMap<i64, Vec<String>> = HashMap::new();
    for e in students {
        let name = related.sections.get(&e.course_section_id).map(|s| s.name.clone()).unwrap_or_default();
        let names = sections_of.entry(e.user_id).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut user_ids: Vec<i64> = sections_of.keys().copied().collect();
    user_ids.sort_by_key(|id| (related.users.get(id).map(|u| u.sortable_name.to_lowercase()), *id));
    for user_id in user_ids {
        let person = related.users.get(&user_id);
        let mut row = vec![
            text_cell(&person.map(|u| u.name.clone()).unwrap_or_default()),
            user_id.to_string(),
            if show_sis {
                text_cell(&person.and_then(|u| u.sis_user_id.clone()).unwrap_or_default())
            } else {
                String::new()
            },
            text_cell(&sections_of[&user_id].join(", ")),
        ];
        for a in &course.assignments {
            row.push(match books.mark(course, a.id, user_id, false) {
                Mark::Scored(points) => number_cell(points),
                Mark::Excused => "EX".to_owned(),
                Mark::Ungraded | Mark::NotAssigned => String::new(),
            });
        }
        let posted = books.grades(course_id, user_id, true);
        let all = books.grades(course_id, user_id, false);
        for (i, _) in course.groups.iter().enumerate() {
            let group = |g: &Option<Grades>, current: bool| {
                g.as_ref().and_then(|g| if current { &g.current } else { &g.final_total }.groups.get(i)?.percent())
            };
            row.push(percent_cell(group(&posted, true)));
            row.push(percent_cell(group(&all, true)));
            row.push(percent_cell(group(&posted, false)));
            row.push(percent_cell(group(&all, false)));
        }
        let total = |g: &Option<Grades>, current: bool| {
            g.as_ref().and_then(|g| if current { g.current.percent } else { g.final_total.percent })
        };
        let totals = [total(&posted, true), total(&all, true), total(&posted, false), total(&all, false)]
            .map(|p| p.map(round_percent));
        row.extend(totals.iter().map(|p| percent_cell(*p)));
        if letters {
            row.extend(totals.iter().map(|p| course.letter(*p).unwrap_or_default()));
        }
        out.write_record(&row)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The course's gradebook as CSV, for those who see every grade (teachers, TAs; a section-limited TA gets the
/// students of their sections). Columns: `Student`, `ID`, `SIS User ID` (empty without `read_sis`), `Section`
/// (all of the student's sections), one column per published assignment (`Name (id)`: points, `EX` when excused,
/// empty when ungraded), per assignment group its current and final score (posted grades, then every grade), and
/// the course's `Current Score`, `Unposted Current Score`, `Final Score`, `Unposted Final Score` (percentages),
/// and, when the course has a grading scheme, the letters of those four (`Current Grade` …).
/// The second row gives each assignment's points possible. Students are active and invited ones, by sortable name.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/gradebook_export.csv", tag = "Gradebook",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    responses((status = 200, description = "The gradebook (text/csv)", content_type = "text/csv"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn export_gradebook(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
) -> ApiResult<Response> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    let target = Target::Course { course_id: course.course.id, account: &course.account_path };
    caller.require(Permission::ViewAllGrades, target)?;
    let sections =
        policy::reachable_sections(&caller.grants, Permission::ViewAllGrades, course.course.id, &course.account_path);
    let students = student_enrollments(&state, &caller, course.course.id, sections).await?;
    let related = enrollments::related(state.store.read(), &caller.scope, &students).await?;
    let user_ids: Vec<i64> = students.iter().map(|e| e.user_id).collect();
    let books = gradebook::load(state.store.read(), &caller.scope, &[course.course.id], &user_ids).await?;
    let show_sis = caller.may(Permission::ReadSis, target);
    let bytes = write_export(&books, course.course.id, &related, &students, show_sis).map_err(|err| {
        tracing::error!(error = %err, "writing the gradebook export failed");
        ApiError::internal()
    })?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::OK;
    let headers: &mut HeaderMap = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"gradebook-{}.csv\"", course.course.id)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
