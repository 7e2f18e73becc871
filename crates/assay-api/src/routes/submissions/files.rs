//! Files for `online_upload` submissions, in Canvas's upload workflow (§1.16 of the Canvas extract):
//!
//! 1. `POST /api/v1/courses/:course_id/assignments/:assignment_id/submissions/self/files` with `name`, `size`,
//!    `content_type`: answers `upload_url` and `upload_params` (a one-time `upload_token`, valid 30 minutes).
//!    Sent as multipart with the file in a `file` part instead, it stores the file at once and answers it (201).
//! 2. `POST` the `upload_params` and the file (part `file`) as multipart to `upload_url`, without credentials:
//!    the token stands for the student's permission, as Canvas's signed upload URLs do. Answers the file (201),
//!    whose `id` goes in `submission[file_ids][]`.
//!
//! Files are kept in the database, each at most the server's request body limit (`max_body_bytes`), and must
//! have one of the assignment's `allowed_extensions` when it names any. The student who uploaded a file and the
//! course's graders download it from its `url`.

use assay_domain::{Code, IdRef, policy::Permission};
use assay_store::{
    StoreError, assignments,
    entity::{assignment, submission_file},
    submissions::files::{self, FileMeta, Owner},
};
use axum::{
    Json,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Reach, may_see, path_user, reach};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    params::{self, de},
    path::{PathParams, id_ref},
    routes::assignments::{Viewer, course_target, resolve_assignment, seen},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(announce_file)).routes(routes!(upload_file)).routes(routes!(download_file))
}

/// An uploaded file (Canvas `File`, the fields an upload answers).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionFileJson {
    pub id: i64,
    pub display_name: String,
    pub filename: String,
    #[serde(rename = "content-type")]
    pub content_type: String,
    pub size: i64,
    /// Where the student and the course's graders download it (authenticated).
    pub url: String,
    pub upload_status: &'static str,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Where to send an announced file's bytes.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadTicketJson {
    /// POST the `upload_params` and the file (part `file_param`) here as multipart/form-data, without credentials.
    pub upload_url: String,
    #[schema(value_type = Object)]
    pub upload_params: Value,
    pub file_param: &'static str,
}

fn file_url(base: &str, f: &submission_file::Model) -> String {
    format!(
        "{base}/api/v1/courses/{}/assignments/{}/submissions/{}/files/{}",
        f.course_id, f.assignment_id, f.user_id, f.id
    )
}

fn render(base: &str, f: &submission_file::Model) -> SubmissionFileJson {
    SubmissionFileJson {
        id: f.id,
        display_name: f.display_name.clone(),
        filename: f.display_name.clone(),
        content_type: f.content_type.clone(),
        size: f.size,
        url: file_url(base, f),
        upload_status: "success",
        created_at: f.created_at,
        updated_at: f.updated_at,
    }
}

fn created(base: &str, f: &submission_file::Model) -> Response {
    let mut response = (StatusCode::CREATED, Json(render(base, f))).into_response();
    if let Ok(value) = HeaderValue::from_str(&file_url(base, f)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(Code::PayloadTooLarge, format!("Files may be at most {limit} bytes (`max_body_bytes`)."))
}

/// A request's parameters and the file part it carries, if any (with its file name and type).
struct Upload {
    tree: Map<String, Value>,
    file: Option<(Option<String>, Option<String>, Vec<u8>)>,
}

async fn read_upload(req: Request, state: &AppState) -> ApiResult<Upload> {
    let limit = state.limits.max_body_bytes;
    let mut tree = params::query_tree(req.uri().query())?;
    let mime: Option<mime::Mime> =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|c| c.parse().ok());
    let Some(m) = mime.filter(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA) else {
        let body = params::read_tree(req, state).await?;
        params::merge_trees(&mut tree, body);
        return Ok(Upload { tree, file: None });
    };
    let boundary = m
        .get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_owned())
        .ok_or_else(|| ApiError::new(Code::BadRequest, "The multipart body has no boundary parameter."))?;
    let body: Body = req.into_body();
    let constraints = multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
    let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let bad = |err: multer::Error| match err {
        multer::Error::StreamSizeExceeded { .. } => too_large(limit),
        other => ApiError::new(Code::BadRequest, format!("The multipart body is malformed: {other}")),
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() || name == "file" {
            if file.is_some() {
                return Err(ApiError::invalid_field("/file", "send one file per upload"));
            }
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(ToString::to_string);
            file = Some((file_name, content_type, field.bytes().await.map_err(bad)?.to_vec()));
        } else {
            pairs.push((name, field.text().await.map_err(bad)?));
        }
    }
    params::merge_trees(&mut tree, params::tree_from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?);
    Ok(Upload { tree, file })
}

/// What announcing a file says about it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnnounceParams {
    /// The file's name (required unless the file itself is sent).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// Its size in bytes.
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub size: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub content_type: Option<String>,
}

/// Checks a file's name against the assignment's allowed extensions.
fn check_name(a: &assignment::Model, name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_field("/name", "a file name of 1 to 255 characters is required"));
    }
    let allowed = assignments::allowed_extensions(a);
    if !allowed.is_empty() {
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
        if !allowed.contains(&extension) {
            return Err(ApiError::invalid_field(
                "/name",
                format!("this assignment takes only {} files", allowed.join(", ")),
            ));
        }
    }
    Ok(name.to_owned())
}

/// The assignment a student uploads for, checked: theirs, taking uploads, open now.
async fn upload_target(
    state: &AppState,
    caller: &Caller,
    reach: &Reach,
    assignment_id: &str,
    user: &str,
) -> ApiResult<(assignment::Model, Owner)> {
    caller.require(Permission::Submit, course_target(&reach.view))?;
    let me = caller.require_user()?.id;
    if path_user(state, caller, user).await? != me {
        return Err(ApiError::unauthorized());
    }
    let place = assignments::student_place(state.store.read(), &caller.scope, reach.view.course.id, me)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let student = Viewer::Student(Some(place));
    let a = resolve_assignment(state, caller, &reach.view, &student, assignment_id).await?;
    if !assignments::submission_types(&a).iter().any(|t| t == "online_upload") {
        return Err(ApiError::invalid_field("/name", "this assignment does not take file uploads"));
    }
    let own = assignments::overrides::of_assignment(state.store.read(), &caller.scope, a.id).await?;
    let dates = seen(&a, &own, &student).ok_or_else(|| ApiError::not_found(Code::AssignmentNotFound))?;
    if !assay_domain::grading::submission::open_at(dates.unlock_at, dates.lock_at, assay_store::now()) {
        return Err(ApiError::new(
            Code::AssignmentLocked,
            "This assignment is locked: it does not take submissions now.",
        ));
    }
    let owner = Owner { course_id: reach.view.course.id, assignment_id: a.id, user_id: me };
    Ok((a, owner))
}

/// Step 1 of an upload: announces a file (`name`, `size`, `content_type`) and answers where to send it; or,
/// with the file in a multipart `file` part, stores it at once and answers it.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/files", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("user_id" = String, Path, description = "`self` (students upload their own files)")),
    request_body(content((AnnounceParams = "application/x-www-form-urlencoded"), (AnnounceParams = "application/json"), (AnnounceParams = "multipart/form-data"))),
    responses((status = 200, body = UploadTicketJson), (status = 201, body = SubmissionFileJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn announce_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id, user)): PathParams<(String, String, String)>,
    req: Request,
) -> ApiResult<Response> {
    let reach = reach(&state, &caller, &course_id).await?;
    let (a, owner) = upload_target(&state, &caller, &reach, &assignment_id, &user).await?;
    let upload = read_upload(req, &state).await?;
    let p: AnnounceParams = params::from_tree(upload.tree)?;
    let limit = state.limits.max_body_bytes;
    let base = state.base_url.resolve(&headers);
    let (scope, actor) = (caller.scope, caller.actor());
    if let Some((file_name, part_type, data)) = upload.file {
        let name = check_name(&a, p.name.as_deref().or(file_name.as_deref()).unwrap_or_default())?;
        if data.is_empty() {
            return Err(ApiError::invalid_field("/file", "the file is empty"));
        }
        let meta = FileMeta {
            display_name: name,
            content_type: p.content_type.or(part_type).unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: i64::try_from(data.len()).unwrap_or(i64::MAX),
        };
        let stored = state
            .store
            .write(move |txn| Box::pin(async move { files::store_now(txn, &scope, &owner, meta, data, actor).await }))
            .await?;
        return Ok(created(&base, &stored));
    }
    let name = check_name(&a, p.name.as_deref().unwrap_or_default())?;
    let size = p.size.unwrap_or(0);
    if size < 0 {
        return Err(ApiError::invalid_field("/size", "must be 0 or more bytes"));
    }
    if usize::try_from(size).is_ok_and(|s| s > limit) {
        return Err(ApiError::invalid_field("/size", format!("files may be at most {limit} bytes")));
    }
    let meta = FileMeta {
        display_name: name,
        content_type: p.content_type.unwrap_or_else(|| "application/octet-stream".to_owned()),
        size,
    };
    let (file, token) =
        state.store.write(move |txn| Box::pin(async move { files::announce(txn, &scope, &owner, meta).await })).await?;
    Ok(Json(UploadTicketJson {
        upload_url: format!("{base}/api/v1/submission_uploads/{}", file.id),
        upload_params: json!({ "upload_token": token }),
        file_param: "file",
    })
    .into_response())
}

/// Step 2 of an upload: the announced file's bytes (multipart: `upload_token` and the `file` part). Needs no
/// credentials: the one-time token is the permission. Answers the file (201).
#[utoipa::path(post, path = "/api/v1/submission_uploads/{id}", tag = "Submissions",
    params(("id" = i64, Path, description = "The announced file's id (from `upload_url`)")),
    request_body(description = "multipart/form-data: `upload_token` and the file in `file`", content_type = "multipart/form-data"),
    responses((status = 201, body = SubmissionFileJson), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    req: Request,
) -> ApiResult<Response> {
    let IdRef::Id(id) = id_ref(&id, "file", &[])? else {
        return Err(ApiError::not_found(Code::SubmissionFileNotFound));
    };
    let upload = read_upload(req, &state).await?;
    let token = upload.tree.get("upload_token").and_then(Value::as_str).unwrap_or_default().to_owned();
    let pending = match files::pending_by_token(state.store.read(), &token).await? {
        Some(f) if f.id == id && !token.is_empty() => f,
        _ => return Err(ApiError::not_found(Code::SubmissionFileNotFound)),
    };
    let Some((_, part_type, data)) = upload.file else {
        return Err(ApiError::invalid_field("/file", "the file is required (multipart part `file`)"));
    };
    if data.is_empty() {
        return Err(ApiError::invalid_field("/file", "the file is empty"));
    }
    let content_type = part_type.filter(|t| t != "application/octet-stream");
    let received = state
        .store
        .write(move |txn| Box::pin(async move { files::receive(txn, &pending, content_type, data).await }))
        .await?
        .ok_or_else(|| ApiError::not_found(Code::SubmissionFileNotFound))?;
    Ok(created(&state.base_url.resolve(&headers), &received))
}

/// A submission file's bytes, for the student who uploaded it and the course's graders.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/files/{id}", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("user_id" = String, Path, description = "User id, `self` or `sis_user_id:X`"), ("id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn download_file(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, user, id)): PathParams<(String, String, String, String)>,
) -> ApiResult<Response> {
    let reach = reach(&state, &caller, &course_id).await?;
    let viewer = crate::routes::assignments::viewer(&state, &caller, &reach.view).await?;
    let a = resolve_assignment(&state, &caller, &reach.view, &viewer, &assignment_id).await?;
    let user_id = path_user(&state, &caller, &user).await?;
    let sections = submissions_sections(&state, &caller, &reach, user_id).await?;
    may_see(&caller, &reach, user_id, &sections)?;
    let IdRef::Id(file_id) = id_ref(&id, "file", &[])? else {
        return Err(ApiError::not_found(Code::SubmissionFileNotFound));
    };
    let file = match files::find(state.store.read(), &caller.scope, a.id, file_id).await {
        Ok(f) if f.user_id == user_id => f,
        Ok(_) | Err(StoreError::NotFound) => return Err(ApiError::not_found(Code::SubmissionFileNotFound)),
        Err(other) => return Err(other.into()),
    };
    let data = files::content(state.store.read(), &file).await?;
    let mut response = (StatusCode::OK, data).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let safe: String = file.display_name.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The sections a user is a student in (none when they are not one).
async fn submissions_sections(state: &AppState, caller: &Caller, reach: &Reach, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(assay_store::submissions::list::sections_of(state.store.read(), &caller.scope, reach.view.course.id, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default())
}
