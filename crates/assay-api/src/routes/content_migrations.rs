//! Content migrations (Canvas §4.2, `content_migrations_controller.rb`), for QTI imports into a course:
//! - `POST /api/v1/courses/:course_id/content_migrations` with `migration_type=qti_converter` and the package
//!   either in the same request (multipart: a file part, `file` or `attachment`; or the raw body with
//!   `Content-Type: application/zip` or an XML type) or, Canvas's way, announced with `pre_attachment[name]` and
//!   then uploaded to the returned `pre_attachment.upload_url` (multipart `file` part). Settings:
//!   `settings[question_bank_id]` (an existing bank of the course gets the questions; it wins over the name),
//!   `settings[question_bank_name]` (a new bank with that title), `settings[destination]` (`quiz`, the default:
//!   a quiz per assessment with its settings and groups, and the questions in a bank, as Canvas imports QTI; or
//!   `bank`: the questions only).
//! - `GET /api/v1/courses/:course_id/content_migrations[/:id]`: the migrations, newest first.
//! - `GET|PUT …/content_migrations/:id/migration_issues[/:id]`: what the import could not carry over as written.
//!
//! The import runs in the background (`assay-jobs`); poll `progress_url`. A package that cannot be read at all
//! fails the migration with an `error` issue; anything the package holds that Assay cannot hold becomes a
//! `warning` issue. Everything here needs `manage_course` on the course.

use assay_domain::{
    Code, IdRef,
    policy::{Permission, Target},
};
use assay_store::{
    content_migrations::{self, NewMigration},
    courses::CourseView,
    entity::{content_migration, migration_issue},
    question_banks::{self, Owner},
};
use axum::{
    Json,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, header},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::courses;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{self, Params, de},
    path::PathParams,
};

/// The one migration type Assay runs.
pub const QTI_CONVERTER: &str = "qti_converter";
/// Canvas's other migration types: named, so that asking for one says it is not supported here.
const CANVAS_TYPES: [&str; 5] = [
    "canvas_cartridge_importer",
    "common_cartridge_importer",
    "course_copy_importer",
    "zip_file_importer",
    "moodle_converter",
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_migrations, create_migration))
        .routes(routes!(show_migration))
        .routes(routes!(upload_file))
        .routes(routes!(list_issues))
        .routes(routes!(show_issue, update_issue))
}

/// Where a `pre_attachment` upload goes.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreAttachmentJson {
    /// POST the file here as multipart/form-data, in the part named by `file_param`.
    pub upload_url: String,
    #[schema(value_type = Object)]
    pub upload_params: Value,
    pub file_param: String,
    pub filename: Option<String>,
}

/// A content migration (Canvas `ContentMigration`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentMigrationJson {
    pub id: i64,
    pub migration_type: String,
    pub migration_type_title: String,
    pub migration_issues_url: String,
    pub migration_issues_count: i32,
    /// The uploaded package (not kept as a file: always null).
    #[schema(value_type = Option<Object>)]
    pub attachment: Option<Value>,
    pub progress_url: String,
    pub user_id: Option<i64>,
    /// `pre_processing` (waiting for its file), `pre_processed` (queued), `running`, `completed` or `failed`.
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Present while the migration waits for its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_attachment: Option<PreAttachmentJson>,
    /// The settings it was started with.
    #[schema(value_type = Object)]
    pub settings: Value,
    /// What the import made (`question_bank_ids`, `quiz_ids`); null until it ends.
    #[schema(value_type = Option<Object>)]
    pub results: Option<Value>,
}

/// A migration issue (Canvas `MigrationIssue`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MigrationIssueJson {
    pub id: i64,
    pub content_migration_url: String,
    pub description: String,
    /// `active` or `resolved`.
    pub workflow_state: String,
    pub fix_issue_html_url: Option<String>,
    /// `warning` (something was left out or changed) or `error` (the import failed).
    pub issue_type: String,
    pub error_report_html_url: Option<String>,
    pub error_message: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn migrations_url(base: &str, course_id: i64) -> String {
    format!("{base}/api/v1/courses/{course_id}/content_migrations")
}

fn render(m: &content_migration::Model, base: &str) -> ContentMigrationJson {
    let url = format!("{}/{}", migrations_url(base, m.course_id), m.id);
    ContentMigrationJson {
        id: m.id,
        migration_type: m.migration_type.clone(),
        migration_type_title: "QTI Zip File".to_owned(),
        migration_issues_url: format!("{url}/migration_issues"),
        migration_issues_count: m.issues_count,
        attachment: None,
        progress_url: format!("{base}/api/v1/progress/{}", m.progress_id),
        user_id: m.user_id,
        workflow_state: m.workflow_state.clone(),
        created_at: m.created_at,
        started_at: m.started_at,
        finished_at: m.finished_at,
        pre_attachment: (m.workflow_state == content_migrations::PRE_PROCESSING).then(|| PreAttachmentJson {
            upload_url: format!("{url}/file"),
            upload_params: Value::Object(Map::new()),
            file_param: "file".to_owned(),
            filename: m.file_name.clone(),
        }),
        settings: serde_json::from_str(&m.settings).unwrap_or(Value::Object(Map::new())),
        results: m.results.as_deref().and_then(|r| serde_json::from_str(r).ok()),
    }
}

fn render_issue(i: &migration_issue::Model, course_id: i64, base: &str) -> MigrationIssueJson {
    MigrationIssueJson {
        id: i.id,
        content_migration_url: format!("{}/{}", migrations_url(base, course_id), i.content_migration_id),
        description: i.description.clone(),
        workflow_state: i.workflow_state.clone(),
        fix_issue_html_url: None,
        issue_type: i.issue_type.clone(),
        error_report_html_url: None,
        error_message: i.error_message.clone(),
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

/// The course in the path, after checking that the caller may manage its content.
async fn course(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<CourseView> {
    let view = courses::resolve(state, caller, raw, false).await?;
    caller
        .require(Permission::ManageCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    Ok(view)
}

async fn migration(
    state: &AppState,
    caller: &Caller,
    course_id: i64,
    raw: &str,
) -> ApiResult<content_migration::Model> {
    let not_found = || ApiError::not_found(Code::ContentMigrationNotFound);
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    content_migrations::find(state.store.read(), &caller.scope, course_id, id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => not_found(),
        other => other.into(),
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MigrationSettingsParams {
    /// A question bank of the course to put the questions in (wins over `question_bank_name`).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub question_bank_id: Option<String>,
    /// The title of a new bank for the questions.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub question_bank_name: Option<String>,
    /// `quiz` (default): quizzes and a bank; `bank`: the questions only.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub destination: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PreAttachmentParams {
    /// The package's file name; announces an upload to `pre_attachment.upload_url`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub size: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateMigrationParams {
    /// `qti_converter`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub migration_type: Option<String>,
    #[serde(default)]
    pub settings: MigrationSettingsParams,
    #[serde(default)]
    pub pre_attachment: Option<PreAttachmentParams>,
}

/// A request's parameters and the file it carries, if any.
struct Upload {
    tree: Map<String, Value>,
    file: Option<(Option<String>, Vec<u8>)>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        Code::PayloadTooLarge,
        format!("The upload is larger than this server accepts ({limit} bytes, `max_import_bytes`)."),
    )
}

/// Reads a request that may carry a package: multipart (any file part), a raw package body, or plain parameters.
async fn read_upload(req: Request, state: &AppState) -> ApiResult<Upload> {
    let limit = state.limits.max_import_bytes;
    let mut tree = params::query_tree(req.uri().query())?;
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mime: Option<mime::Mime> = content_type.as_deref().and_then(|c| c.parse().ok());
    if let Some(m) = mime.as_ref().filter(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA) {
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
            if field.file_name().is_some() || matches!(name.as_str(), "file" | "attachment") {
                if file.is_some() {
                    return Err(ApiError::invalid_field(&format!("/{name}"), "send one package per migration"));
                }
                let file_name = field.file_name().map(str::to_owned);
                file = Some((file_name, field.bytes().await.map_err(bad)?.to_vec()));
            } else {
                let text = field.text().await.map_err(bad)?;
                pairs.push((name, text));
            }
        }
        params::merge_trees(&mut tree, params::tree_from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?);
        Ok(Upload { tree, file })
    } else if crate::middleware::is_raw_file(req.headers()) {
        let bytes = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| too_large(limit))?;
        Ok(Upload { tree, file: (!bytes.is_empty()).then(|| (None, bytes.to_vec())) })
    } else {
        let body = params::read_tree(req, state).await?;
        params::merge_trees(&mut tree, body);
        Ok(Upload { tree, file: None })
    }
}

/// A bank of this course for the questions (`settings[question_bank_id]`).
async fn check_bank(state: &AppState, caller: &Caller, view: &CourseView, bank_id: i64) -> ApiResult<()> {
    let pointer = "/settings/question_bank_id";
    let bank =
        question_banks::find(state.store.read(), &caller.scope, &IdRef::Id(bank_id)).await.map_err(
            |err| match err {
                assay_store::StoreError::NotFound => {
                    ApiError::invalid_field(pointer, format!("no question bank {bank_id} in this course"))
                }
                other => other.into(),
            },
        )?;
    if Owner::of(&bank) != Owner::Course(view.course.id) {
        return Err(ApiError::invalid_field(pointer, format!("no question bank {bank_id} in this course")));
    }
    Ok(())
}

/// Checks what the package can be checked for before it is queued: that it is not empty.
fn check_package(data: &[u8], pointer: &str) -> ApiResult<()> {
    if data.is_empty() {
        return Err(ApiError::invalid_field(pointer, "the uploaded package is empty"));
    }
    Ok(())
}

/// Starts a QTI import into the course; answers the ContentMigration at once, before it runs.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/content_migrations", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((CreateMigrationParams = "multipart/form-data"), (CreateMigrationParams = "application/json"), (CreateMigrationParams = "application/x-www-form-urlencoded")),
        description = "The parameters, with the package as a multipart file part (`file`), as the raw body (application/zip, application/xml), or announced with `pre_attachment[name]` and uploaded to `pre_attachment.upload_url`"),
    responses((status = 200, body = ContentMigrationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_migration(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    req: Request,
) -> ApiResult<Json<ContentMigrationJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let upload = read_upload(req, &state).await?;
    let p: CreateMigrationParams = params::from_tree(upload.tree)?;
    match p.migration_type.as_deref() {
        Some(QTI_CONVERTER) => {}
        None => return Err(ApiError::invalid_field("/migration_type", "migration_type is required (qti_converter)")),
        Some(t) if CANVAS_TYPES.contains(&t) => {
            return Err(ApiError::invalid_field(
                "/migration_type",
                format!("`{t}` is not supported; Assay imports QTI packages (qti_converter)"),
            ));
        }
        Some(t) => return Err(ApiError::invalid_field("/migration_type", format!("`{t}` is not a migration type"))),
    }
    let destination = p.settings.destination.clone().unwrap_or_else(|| "quiz".to_owned());
    if !matches!(destination.as_str(), "quiz" | "bank") {
        return Err(ApiError::invalid_field("/settings/destination", "destination is `quiz` or `bank`"));
    }
    let mut settings = serde_json::json!({"destination": destination});
    if let Some(raw) = &p.settings.question_bank_id {
        let bank_id: i64 = raw
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid_field("/settings/question_bank_id", format!("`{raw}` is not an id")))?;
        check_bank(&state, &caller, &view, bank_id).await?;
        settings["question_bank_id"] = Value::from(bank_id);
    }
    if let Some(name) = p.settings.question_bank_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > 255 {
            return Err(ApiError::invalid_field("/settings/question_bank_name", "at most 255 characters"));
        }
        settings["question_bank_name"] = Value::from(name);
    }
    let (file_name, data) = match (upload.file, p.pre_attachment) {
        (Some((name, data)), _) => {
            check_package(&data, "/file")?;
            (name, Some(data))
        }
        (None, Some(PreAttachmentParams { name: Some(name), .. })) => (Some(name), None),
        (None, _) => {
            return Err(ApiError::invalid_field(
                "/pre_attachment/name",
                "a QTI package is required: send it as a multipart `file` part, as the body, or announce it with \
                 pre_attachment[name]",
            ));
        }
    };
    let scope = caller.scope;
    let new = NewMigration {
        course_id: view.course.id,
        user_id: caller.user_id(),
        migration_type: QTI_CONVERTER.to_owned(),
        settings,
        file_name,
        data,
    };
    let (migration, _progress) = state
        .store
        .write(move |txn| Box::pin(async move { content_migrations::create(txn, &scope, new).await }))
        .await?;
    Ok(Json(render(&migration, &state.base_url.resolve(&headers))))
}

/// Uploads the package of a migration created with `pre_attachment` (multipart, file part `file`); queues it.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/content_migrations/{id}/file", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Content migration id")),
    request_body(description = "multipart/form-data with the package in `file`, or the raw package", content_type = "multipart/form-data"),
    responses((status = 200, body = ContentMigrationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn upload_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    req: Request,
) -> ApiResult<Json<ContentMigrationJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let found = migration(&state, &caller, view.course.id, &id).await?;
    let upload = read_upload(req, &state).await?;
    let Some((name, data)) = upload.file else {
        return Err(ApiError::invalid_field("/file", "the package is required (multipart part `file`)"));
    };
    check_package(&data, "/file")?;
    let name = name.or_else(|| found.file_name.clone());
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { content_migrations::attach_file(txn, &found, name, data).await }))
        .await?;
    Ok(Json(render(&updated, &state.base_url.resolve(&headers))))
}

/// The course's content migrations, newest first.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/content_migrations", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = [ContentMigrationJson]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_migrations(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<ContentMigrationJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let page = content_migrations::list(state.store.read(), &caller.scope, view.course.id, &pagination.request).await?;
    let base = state.base_url.resolve(&headers);
    Ok(Paginated::new(page.map(|m| render(&m, &base)), pagination))
}

/// One content migration.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/content_migrations/{id}", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Content migration id")),
    responses((status = 200, body = ContentMigrationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_migration(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<ContentMigrationJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let found = migration(&state, &caller, view.course.id, &id).await?;
    Ok(Json(render(&found, &state.base_url.resolve(&headers))))
}

/// What a migration could not carry over as written, in the order it was found.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/content_migrations/{content_migration_id}/migration_issues", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("content_migration_id" = i64, Path, description = "Content migration id"), crate::pagination::PageQuery),
    responses((status = 200, body = [MigrationIssueJson]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_issues(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    pagination: Pagination,
) -> ApiResult<Paginated<MigrationIssueJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let found = migration(&state, &caller, view.course.id, &id).await?;
    let page = content_migrations::issues(state.store.read(), &caller.scope, found.id, &pagination.request).await?;
    let base = state.base_url.resolve(&headers);
    Ok(Paginated::new(page.map(|i| render_issue(&i, found.course_id, &base)), pagination))
}

async fn issue(
    state: &AppState,
    caller: &Caller,
    migration: &content_migration::Model,
    raw: &str,
) -> ApiResult<migration_issue::Model> {
    let not_found = || ApiError::not_found(Code::MigrationIssueNotFound);
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    content_migrations::find_issue(state.store.read(), &caller.scope, migration.id, id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => not_found(),
        other => other.into(),
    })
}

/// One migration issue.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/content_migrations/{content_migration_id}/migration_issues/{id}", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("content_migration_id" = i64, Path, description = "Content migration id"), ("id" = i64, Path, description = "Migration issue id")),
    responses((status = 200, body = MigrationIssueJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, migration_id, id)): PathParams<(String, String, String)>,
) -> ApiResult<Json<MigrationIssueJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let found = migration(&state, &caller, view.course.id, &migration_id).await?;
    let issue = issue(&state, &caller, &found, &id).await?;
    Ok(Json(render_issue(&issue, found.course_id, &state.base_url.resolve(&headers))))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateIssueParams {
    /// `active` or `resolved`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub workflow_state: Option<String>,
}

/// Marks a migration issue resolved (or active again).
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/content_migrations/{content_migration_id}/migration_issues/{id}", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("content_migration_id" = i64, Path, description = "Content migration id"), ("id" = i64, Path, description = "Migration issue id")),
    request_body(content((UpdateIssueParams = "application/json"), (UpdateIssueParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = MigrationIssueJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, migration_id, id)): PathParams<(String, String, String)>,
    Params(p): Params<UpdateIssueParams>,
) -> ApiResult<Json<MigrationIssueJson>> {
    let view = course(&state, &caller, &course_id).await?;
    let found = migration(&state, &caller, view.course.id, &migration_id).await?;
    let current = issue(&state, &caller, &found, &id).await?;
    let new_state = match p.workflow_state.as_deref() {
        Some(s @ (content_migrations::ISSUE_ACTIVE | content_migrations::ISSUE_RESOLVED)) => s.to_owned(),
        _ => return Err(ApiError::invalid_field("/workflow_state", "workflow_state is `active` or `resolved`")),
    };
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { content_migrations::set_issue_state(txn, &current, &new_state).await }))
        .await?;
    Ok(Json(render_issue(&updated, found.course_id, &state.base_url.resolve(&headers))))
}
