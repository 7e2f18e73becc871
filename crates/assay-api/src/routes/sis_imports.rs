//! Bulk provisioning (canvas-lms `sis_imports_api_controller.rb`, `enrollments_api#bulk_enrollment`):
//! - `POST /api/v1/accounts/:account_id/sis_imports`: a school's roster in one request, as a zip of CSV files or
//!   one CSV file, in Canvas's SIS CSV format (`import_type=instructure_csv`, the default) or OneRoster 1.2 CSV
//!   (`oneroster_csv`, also detected from the file names). Sent as multipart (`attachment` file part) or as the
//!   raw body (`Content-Type: text/csv` or `application/zip`, `extension=csv|zip`). Uploads may be up to
//!   `max_import_bytes` (500 MiB by default), not the usual `max_body_bytes`. A file that cannot be read at all
//!   is refused with 422; problems with single rows are reported on the import (`processing_errors`,
//!   `processing_warnings`) and the good rows are imported.
//! - `GET /api/v1/accounts/:account_id/sis_imports[/:id]`: the imports, newest first (`{"sis_imports": […]}`).
//! - `POST /api/v1/accounts/:account_id/bulk_enrollment`: every user of `user_ids[]` in every course of
//!   `course_ids[]`; returns a Progress.
//!
//! Imports run in the background (see `assay-jobs`); poll the Progress (`GET /api/v1/progress/:id`) or the
//! import. They are idempotent: running the same file again changes nothing. SIS imports need `manage_sis` on the
//! school's root account.

use std::collections::{HashMap, HashSet};

use assay_domain::{
    Code,
    policy::{Permission, Target},
};
use assay_store::{
    entity::{account, progress, sis_import, user},
    sis_imports::{self, NewJob},
};
use axum::{
    Json,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, header},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{accounts, progress::ProgressJson};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_imports, create_import))
        .routes(routes!(show_import))
        .routes(routes!(bulk_enrollment))
}

/// What an import holds (Canvas `SisImportData`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SisImportData {
    pub import_type: String,
    pub supplied_batches: Vec<String>,
    /// Rows processed per kind; null until the import ends.
    #[schema(value_type = Option<Object>)]
    pub counts: Option<serde_json::Value>,
}

/// The user who started an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct SisImportUser {
    pub id: i64,
    pub name: String,
    pub sortable_name: String,
    pub short_name: String,
}

/// A SIS import (Canvas `SisImport`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SisImportJson {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// `created`, `importing`, `imported`, `imported_with_messages`, `failed_with_messages` or `failed`.
    pub workflow_state: String,
    pub data: SisImportData,
    /// Changes per object type (`created`, `updated`, `concluded`, `deactivated`, `restored`, `deleted`) and
    /// `total_state_changes`; null until the import ends.
    #[schema(value_type = Option<Object>)]
    pub statistics: Option<serde_json::Value>,
    /// Percent done, 0 to 100.
    pub progress: i64,
    pub progress_id: i64,
    pub errors_attachment: Option<serde_json::Value>,
    /// `[[file, message]]`.
    pub processing_warnings: Vec<[String; 2]>,
    /// `[[file, message]]`.
    pub processing_errors: Vec<[String; 2]>,
    pub batch_mode: bool,
    pub batch_mode_term_id: Option<String>,
    pub multi_term_batch_mode: bool,
    pub skip_deletes: bool,
    pub override_sis_stickiness: bool,
    pub add_sis_stickiness: bool,
    pub clear_sis_stickiness: bool,
    pub diffing_data_set_identifier: Option<String>,
    pub diffed_against_import_id: Option<i64>,
    pub csv_attachments: Vec<serde_json::Value>,
    pub user: Option<SisImportUser>,
}

fn json_text<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Option<T> {
    raw.and_then(|r| serde_json::from_str(r).ok())
}

fn render(i: &sis_import::Model, p: Option<&progress::Model>, u: Option<&user::Model>) -> SisImportJson {
    SisImportJson {
        id: i.id,
        created_at: i.created_at,
        started_at: i.started_at,
        ended_at: i.ended_at,
        updated_at: i.updated_at,
        workflow_state: i.workflow_state.clone(),
        data: SisImportData {
            import_type: i.import_type.clone(),
            supplied_batches: json_text(i.supplied_batches.as_deref()).unwrap_or_default(),
            counts: json_text(i.counts.as_deref()),
        },
        statistics: json_text(i.statistics.as_deref()),
        progress: p.map_or(0, |p| p.completion.floor() as i64),
        progress_id: i.progress_id,
        errors_attachment: None,
        processing_warnings: json_text(i.processing_warnings.as_deref()).unwrap_or_default(),
        processing_errors: json_text(i.processing_errors.as_deref()).unwrap_or_default(),
        batch_mode: false,
        batch_mode_term_id: None,
        multi_term_batch_mode: false,
        skip_deletes: false,
        override_sis_stickiness: false,
        add_sis_stickiness: false,
        clear_sis_stickiness: false,
        diffing_data_set_identifier: None,
        diffed_against_import_id: None,
        csv_attachments: Vec::new(),
        user: u.map(|u| SisImportUser {
            id: u.id,
            name: u.name.clone(),
            sortable_name: u.sortable_name.clone(),
            short_name: u.short_name.clone(),
        }),
    }
}

/// Renders imports with their Progress and user, loaded in two queries.
async fn render_all(state: &AppState, imports: Vec<sis_import::Model>) -> ApiResult<Vec<SisImportJson>> {
    let (progress, users) = sis_imports::details(state.store.read(), &imports).await?;
    Ok(imports
        .iter()
        .map(|i| render(i, progress.get(&i.progress_id), i.user_id.and_then(|id| users.get(&id))))
        .collect())
}

/// The school's root account named in the path, after checking `permission` on it.
async fn school(state: &AppState, caller: &Caller, raw: &str, permission: Permission) -> ApiResult<account::Model> {
    let account = accounts::resolve(state, caller, raw).await?;
    caller.require(permission, Target::Account(&account.account_path()))?;
    if !account.is_root() {
        return Err(ApiError::invalid_field(
            "/account_id",
            format!("SIS imports run on the school's root account ({})", account.root_account_id),
        ));
    }
    Ok(account)
}

/// An upload: the file and the parameters sent with it.
struct Upload {
    data: Vec<u8>,
    file_name: Option<String>,
    params: HashMap<String, String>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        Code::PayloadTooLarge,
        format!("The upload is larger than this server accepts ({limit} bytes, `max_import_bytes`)."),
    )
}

/// Reads the body of an import request: multipart (the file in `attachment`), or the raw file.
async fn read_upload(req: Request, limit: usize) -> ApiResult<Upload> {
    let mut params: HashMap<String, String> =
        req.uri().query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Body = req.into_body();
    let mime: Option<mime::Mime> = content_type.as_deref().and_then(|c| c.parse().ok());
    if let Some(m) = mime.as_ref().filter(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA) {
        let boundary = m
            .get_param(mime::BOUNDARY)
            .map(|b| b.as_str().to_owned())
            .ok_or_else(|| ApiError::new(Code::BadRequest, "The multipart body has no boundary parameter."))?;
        let constraints = multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
        let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
        let mut data = None;
        let mut file_name = None;
        let bad = |err: multer::Error| match err {
            multer::Error::StreamSizeExceeded { .. } => too_large(limit),
            other => ApiError::new(Code::BadRequest, format!("The multipart body is malformed: {other}")),
        };
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if field.file_name().is_some() || name == "attachment" {
                if name != "attachment" {
                    return Err(ApiError::bad_request(
                        Code::BadRequest,
                        format!("Send the file in the `attachment` part, not `{name}`."),
                        Some(format!("/{name}")),
                    ));
                }
                file_name = field.file_name().map(str::to_owned);
                data = Some(field.bytes().await.map_err(bad)?.to_vec());
            } else {
                let text = field.text().await.map_err(bad)?;
                params.insert(name, text);
            }
        }
        let data = data.ok_or_else(|| ApiError::invalid_field("/attachment", "the `attachment` file is required"))?;
        Ok(Upload { data, file_name, params })
    } else {
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| too_large(limit))?;
        if bytes.is_empty() {
            return Err(ApiError::invalid_field(
                "/attachment",
                "send the file as multipart `attachment`, or as the body with Content-Type text/csv or application/zip",
            ));
        }
        let extension = params.get("extension").cloned();
        let file_name = match extension.as_deref() {
            Some("zip") => Some("upload.zip".to_owned()),
            _ => Some("upload.csv".to_owned()),
        };
        Ok(Upload { data: bytes.to_vec(), file_name, params })
    }
}

/// Starts a SIS import (Canvas CSV or OneRoster CSV); answers the SisImport at once, before it runs.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/sis_imports", tag = "SIS imports",
    params(
        ("account_id" = String, Path, description = "The school's root account id or `self`"),
        ("import_type" = Option<String>, Query, description = "`instructure_csv` (default) or `oneroster_csv` (detected from the file names when omitted)"),
        ("extension" = Option<String>, Query, description = "`csv` or `zip`, for a raw body"),
    ),
    request_body(description = "multipart/form-data with the file in `attachment`, or the raw file (text/csv, application/zip)", content_type = "multipart/form-data"),
    responses((status = 200, body = SisImportJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_import(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    req: Request,
) -> ApiResult<Json<SisImportJson>> {
    let account = school(&state, &caller, &account_id, Permission::ManageSis).await?;
    let upload = read_upload(req, state.limits.max_import_bytes).await?;
    let import_type = match upload.params.get("import_type").map(String::as_str) {
        None | Some("") => None,
        Some(t @ (assay_jobs::INSTRUCTURE_CSV | assay_jobs::ONEROSTER_CSV)) => Some(t.to_owned()),
        Some(other) => {
            return Err(ApiError::invalid_field(
                "/import_type",
                format!("`{other}` is not a supported import type (instructure_csv or oneroster_csv)"),
            ));
        }
    };
    if let Some(ext) = upload.params.get("extension")
        && !matches!(ext.as_str(), "csv" | "zip")
    {
        return Err(ApiError::invalid_field("/extension", format!("`{ext}` is not csv or zip")));
    }
    let Upload { data, file_name, .. } = upload;
    let (data, file_name, inspected) = tokio::task::spawn_blocking(move || {
        let inspected = assay_jobs::inspect(&data, file_name.as_deref(), import_type.as_deref());
        (data, file_name, inspected)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let inspected = inspected.map_err(|message| ApiError::invalid_field("/attachment", message))?;
    let scope = caller.scope;
    let job = NewJob {
        account_id: account.id,
        user_id: caller.user_id(),
        import_type: inspected.import_type.to_owned(),
        tag: "sis_import",
        file_name,
        data,
        supplied_batches: inspected.supplied_batches.iter().map(|s| (*s).to_owned()).collect(),
    };
    let (import, progress) =
        state.store.write(move |txn| Box::pin(async move { sis_imports::enqueue(txn, &scope, job).await })).await?;
    let user = caller.user().cloned();
    Ok(Json(render(&import, Some(&progress), user.as_ref())))
}

/// The school's SIS imports, newest first, wrapped as Canvas does: `{"sis_imports": [...]}`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/sis_imports", tag = "SIS imports",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"), crate::pagination::PageQuery),
    responses((status = 200, description = "`{\"sis_imports\": [SisImport]}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_imports(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<SisImportJson>> {
    let account = school(&state, &caller, &account_id, Permission::ManageSis).await?;
    let page = sis_imports::list(state.store.read(), &caller.scope, account.id, &pagination.request).await?;
    let assay_store::Page { items, has_more, total, last_key } = page;
    let rendered = render_all(&state, items).await?;
    Ok(Paginated {
        page: assay_store::Page { items: rendered, has_more, total, last_key },
        pagination,
        root_key: Some("sis_imports"),
    })
}

/// One SIS import: its state, counts, statistics and per-row messages.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/sis_imports/{id}", tag = "SIS imports",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"), ("id" = i64, Path, description = "SIS import id")),
    responses((status = 200, body = SisImportJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_import(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<SisImportJson>> {
    let account = school(&state, &caller, &account_id, Permission::ManageSis).await?;
    let not_found = || ApiError::not_found(Code::SisImportNotFound);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let found = sis_imports::find(state.store.read(), &caller.scope, id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    if found.account_id != account.id {
        return Err(not_found());
    }
    let mut rendered = render_all(&state, vec![found]).await?;
    rendered.pop().map(Json).ok_or_else(not_found)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BulkEnrollmentParams {
    /// The users to enroll (Assay ids).
    #[serde(default, deserialize_with = "de::string_list")]
    pub user_ids: Vec<String>,
    /// The courses to enroll them in (Assay ids), below the account.
    #[serde(default, deserialize_with = "de::string_list")]
    pub course_ids: Vec<String>,
    /// `StudentEnrollment` (default), `TeacherEnrollment`, `TaEnrollment`, `DesignerEnrollment` or
    /// `ObserverEnrollment`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub enrollment_type: Option<String>,
}

/// Most users and courses one bulk enrollment takes, and most enrollments it makes.
const MAX_BULK_USERS: usize = 10_000;
const MAX_BULK_COURSES: usize = 500;
const MAX_BULK_ENROLLMENTS: usize = 200_000;

fn ids(raw: &[String], pointer: &str, max: usize) -> ApiResult<Vec<i64>> {
    if raw.is_empty() {
        return Err(ApiError::invalid_field(pointer, "at least one id is required"));
    }
    if raw.len() > max {
        return Err(ApiError::invalid_field(pointer, format!("at most {max} ids are accepted")));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut seen = HashSet::new();
    for (i, r) in raw.iter().enumerate() {
        let id: i64 = r
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid_field(&format!("{pointer}/{i}"), format!("`{r}` is not an id")))?;
        if seen.insert(id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Enrolls every user of `user_ids[]` in every course of `course_ids[]` (in each course's default section) as a
/// background job; answers its Progress. Enrolling someone already enrolled changes nothing.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/bulk_enrollment", tag = "SIS imports",
    params(("account_id" = String, Path, description = "Account id or `self`")),
    request_body(content((BulkEnrollmentParams = "application/json"), (BulkEnrollmentParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = ProgressJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn bulk_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<BulkEnrollmentParams>,
) -> ApiResult<Json<ProgressJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageEnrollments, Target::Account(&account.account_path()))?;
    let user_ids = ids(&params.user_ids, "/user_ids", MAX_BULK_USERS)?;
    let course_ids = ids(&params.course_ids, "/course_ids", MAX_BULK_COURSES)?;
    if user_ids.len() * course_ids.len() > MAX_BULK_ENROLLMENTS {
        return Err(ApiError::invalid_field(
            "/user_ids",
            format!("one request makes at most {MAX_BULK_ENROLLMENTS} enrollments (users × courses)"),
        ));
    }
    let enrollment_type = params.enrollment_type.unwrap_or_else(|| "StudentEnrollment".to_owned());
    if assay_domain::policy::CourseRole::from_enrollment_type(&enrollment_type).is_none() {
        return Err(ApiError::invalid_field(
            "/enrollment_type",
            format!("`{enrollment_type}` is not an enrollment type"),
        ));
    }
    // Every id must name a live user of the school and a live course below the account.
    let (bad_user, bad_course) =
        sis_imports::first_unknown(state.store.read(), &caller.scope, &account, &user_ids, &course_ids).await?;
    if let Some(i) = bad_user {
        return Err(ApiError::invalid_field(
            &format!("/user_ids/{i}"),
            format!("no user {} in this school", user_ids[i]),
        ));
    }
    if let Some(i) = bad_course {
        return Err(ApiError::invalid_field(
            &format!("/course_ids/{i}"),
            format!("no course {} in this account", course_ids[i]),
        ));
    }
    let input = assay_jobs::BulkEnrollment { user_ids, course_ids, enrollment_type };
    let data = serde_json::to_vec(&input).map_err(|_| ApiError::internal())?;
    let scope = caller.scope;
    let job = NewJob {
        account_id: account.id,
        user_id: caller.user_id(),
        import_type: sis_imports::BULK_ENROLLMENT.to_owned(),
        tag: "bulk_enrollment",
        file_name: None,
        data,
        supplied_batches: vec!["enrollment".to_owned()],
    };
    let (_, progress) =
        state.store.write(move |txn| Box::pin(async move { sis_imports::enqueue(txn, &scope, job).await })).await?;
    Ok(Json(super::progress::render(&progress, &state.base_url.resolve(&headers))))
}
