//! Question banks (Ans item banks in Assay's native vocabulary, Canvas's assessment question banks):
//!
//! - `GET/POST /api/v1/accounts/:account_id/question_banks`, `GET/POST /api/v1/courses/:course_id/question_banks`
//!   (search: `search_term` in the title, `tag[]`);
//! - `GET/PUT/DELETE /api/v1/question_banks/:id` (`external_id:X` ids);
//! - `GET/POST /api/v1/question_banks/:id/questions` (filters `question_type[]`, `tag[]`, `search_term` over name
//!   and text), `GET/PUT/DELETE …/questions/:question_id`, `GET …/questions/:question_id/versions`;
//! - `POST …/questions/copy` and `…/questions/move` (`question_ids[]`, `to_bank_id`).
//!
//! Questions are sent and returned in Canvas's question shape (`question[question_type]`, `question[answers][]`,
//! …, see `canvas_question`); a JSON request may instead send the typed document as `question[body]` (the
//! `QuestionBody` of the domain model), which then wins over the Canvas fields. Responses carry both. Banks are
//! for those who manage their owner: course banks for the course's teachers and designers, account banks for
//! the account's administrators.

use assay_domain::{
    Code, Validation,
    policy::{Permission, Target},
    question::QuestionBody,
};
use assay_store::{
    entity::{question_bank, question_version},
    question_banks::{self, BankFields, BankFilter, Owner},
    questions::{self, Home, NewQuestion, QuestionChange, QuestionFilter, QuestionView},
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts, courses};
use crate::{
    AppState,
    auth::Caller,
    canvas_question::{self, CanvasQuestionJson},
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::{PathParams, id_ref},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_account_banks, create_account_bank))
        .routes(routes!(list_course_banks, create_course_bank))
        .routes(routes!(show_bank, update_bank, delete_bank))
        .routes(routes!(list_bank_questions, create_bank_question))
        .routes(routes!(show_bank_question, update_bank_question, delete_bank_question))
        .routes(routes!(list_question_versions))
        .routes(routes!(copy_questions))
        .routes(routes!(move_questions))
}

const ID_PREFIXES: assay_domain::id_ref::Prefixes = &[];

/// Whether the caller manages the bank's owner (and so may read, change and draw from the bank).
pub async fn may_manage_bank(state: &AppState, caller: &Caller, bank: &question_bank::Model) -> ApiResult<bool> {
    match Owner::of(bank) {
        Owner::Course(course_id) => {
            let course = courses::resolve(state, caller, &course_id.to_string(), false).await?;
            Ok(caller.may(Permission::ManageCourse, Target::Course { course_id, account: &course.account_path }))
        }
        Owner::Account(account_id) => {
            let account = accounts::resolve(state, caller, &account_id.to_string()).await?;
            Ok(caller.may(Permission::ManageCourse, Target::Account(&account.account_path())))
        }
    }
}

async fn load_bank(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<question_bank::Model> {
    let id = id_ref(raw, "question bank", ID_PREFIXES)?;
    let bank = question_banks::find(state.store.read(), &caller.scope, &id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::QuestionBankNotFound),
        other => other.into(),
    })?;
    if !may_manage_bank(state, caller, &bank).await? {
        return Err(ApiError::unauthorized());
    }
    Ok(bank)
}

// ---- Banks -----------------------------------------------------------------------------------------------------

/// A question bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankJson {
    pub id: i64,
    pub title: String,
    /// `Account` or `Course`.
    pub context_type: String,
    pub context_id: i64,
    pub account_id: Option<i64>,
    pub course_id: Option<i64>,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    pub question_count: u64,
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn render_bank(b: &question_bank::Model, count: u64) -> BankJson {
    let (context_type, context_id) = match Owner::of(b) {
        Owner::Account(id) => ("Account", id),
        Owner::Course(id) => ("Course", id),
    };
    BankJson {
        id: b.id,
        title: b.title.clone(),
        context_type: context_type.to_owned(),
        context_id,
        account_id: b.account_id,
        course_id: b.course_id,
        external_id: b.external_id.clone(),
        tags: question_banks::tags_of(&b.tags),
        question_count: count,
        workflow_state: b.workflow_state.clone(),
        created_at: b.created_at,
        updated_at: b.updated_at,
    }
}

async fn bank_json(state: &AppState, caller: &Caller, b: &question_bank::Model) -> ApiResult<BankJson> {
    let counts = question_banks::question_counts(state.store.read(), &caller.scope, &[b.id]).await?;
    Ok(render_bank(b, counts.get(&b.id).copied().unwrap_or(0)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BankParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::opt_string_list")]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BankParams {
    #[serde(default)]
    pub question_bank: BankParamsFields,
}

fn check_tags(v: &mut Validation, pointer: &str, tags: Option<&Vec<String>>) {
    if let Some(tags) = tags {
        if tags.len() > 100 {
            v.add(pointer, "must have at most 100 tags");
        }
        for (i, t) in tags.iter().enumerate() {
            v.text(&format!("{pointer}/{i}"), Some(t), true, 100);
        }
    }
}

impl BankParamsFields {
    fn validate(&self, create: bool) -> Result<(), ApiError> {
        let mut v = Validation::new();
        v.text("/question_bank/title", self.title.as_deref(), create, 255);
        if let Some(Some(id)) = &self.external_id {
            v.identifier("/question_bank/external_id", Some(id));
        }
        check_tags(&mut v, "/question_bank/tags", self.tags.as_ref());
        Ok(v.finish()?)
    }

    fn into_store(self) -> BankFields {
        BankFields {
            title: self.title.map(|t| t.trim().to_owned()),
            external_id: self.external_id,
            tags: self.tags.map(|t| t.into_iter().map(|s| s.trim().to_owned()).collect()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct BankListParams {
    /// Part of the title.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
    /// Banks carrying all these tags.
    #[serde(default, rename = "tag[]", alias = "tag", deserialize_with = "de::string_list")]
    pub tag: Vec<String>,
}

async fn list_banks(
    state: &AppState,
    caller: &Caller,
    owner: Owner,
    params: BankListParams,
    pagination: Pagination,
) -> ApiResult<Paginated<BankJson>> {
    let filter = BankFilter { search_term: params.search_term.filter(|s| !s.trim().is_empty()), tags: params.tag };
    let page = question_banks::list(state.store.read(), &caller.scope, owner, &filter, &pagination.request).await?;
    let ids: Vec<i64> = page.items.iter().map(|b| b.id).collect();
    let counts = question_banks::question_counts(state.store.read(), &caller.scope, &ids).await?;
    Ok(Paginated::new(page.map(|b| render_bank(&b, counts.get(&b.id).copied().unwrap_or(0))), pagination))
}

async fn create_bank(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    owner: Owner,
    params: BankParams,
) -> ApiResult<Created<BankJson>> {
    params.question_bank.validate(true)?;
    let fields = params.question_bank.into_store();
    let (scope, actor) = (caller.scope, caller.actor());
    let created = state
        .store
        .write(move |txn| Box::pin(async move { question_banks::create(txn, &scope, owner, fields, actor).await }))
        .await?;
    let location = format!("{}/api/v1/question_banks/{}", state.base_url.resolve(headers), created.id);
    Ok(Created { location, body: render_bank(&created, 0) })
}

/// The account's question banks (account administrators).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/question_banks", tag = "Question banks",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), BankListParams, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<BankJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_account_banks(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
    Params(params): Params<BankListParams>,
) -> ApiResult<Paginated<BankJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCourse, Target::Account(&account.account_path()))?;
    list_banks(&state, &caller, Owner::Account(account.id), params, pagination).await
}

/// Creates an account question bank (`question_bank[title]`, `question_bank[external_id]`,
/// `question_bank[tags][]`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/question_banks", tag = "Question banks",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`")),
    request_body(content((BankParams = "application/json"), (BankParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = BankJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_account_bank(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<BankParams>,
) -> ApiResult<Created<BankJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCourse, Target::Account(&account.account_path()))?;
    create_bank(&state, &caller, &headers, Owner::Account(account.id), params).await
}

/// The course's question banks (course managers).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/question_banks", tag = "Question banks",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), BankListParams, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<BankJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_banks(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(params): Params<BankListParams>,
) -> ApiResult<Paginated<BankJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ManageCourse,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    list_banks(&state, &caller, Owner::Course(course.course.id), params, pagination).await
}

/// Creates a course question bank.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/question_banks", tag = "Question banks",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((BankParams = "application/json"), (BankParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = BankJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_course_bank(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<BankParams>,
) -> ApiResult<Created<BankJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ManageCourse,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    create_bank(&state, &caller, &headers, Owner::Course(course.course.id), params).await
}

/// One question bank, by id or `external_id:X`.
#[utoipa::path(get, path = "/api/v1/question_banks/{id}", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`")),
    responses((status = 200, body = BankJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_bank(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<BankJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    Ok(Json(bank_json(&state, &caller, &bank).await?))
}

/// Changes a bank's title, external id or tags.
#[utoipa::path(put, path = "/api/v1/question_banks/{id}", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`")),
    request_body(content((BankParams = "application/json"), (BankParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = BankJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_bank(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<BankParams>,
) -> ApiResult<Json<BankJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    params.question_bank.validate(false)?;
    let fields = params.question_bank.into_store();
    let (scope, actor) = (caller.scope, caller.actor());
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { question_banks::update(txn, &scope, &bank, fields, actor).await }))
        .await?;
    Ok(Json(bank_json(&state, &caller, &updated).await?))
}

/// Deletes a bank with its questions; refused (409) while a quiz group draws from it.
#[utoipa::path(delete, path = "/api/v1/question_banks/{id}", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`")),
    responses((status = 200, body = BankJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_bank(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<BankJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    let body = bank_json(&state, &caller, &bank).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    state
        .store
        .write(move |txn| Box::pin(async move { question_banks::delete(txn, &scope, &bank, actor).await }))
        .await?;
    Ok(Json(BankJson { workflow_state: assay_store::accounts::DELETED.to_owned(), ..body }))
}

// ---- Bank questions --------------------------------------------------------------------------------------------

/// A question of a bank: Canvas's question fields, Assay's typed `body`, and its bookkeeping.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankQuestionJson {
    pub id: i64,
    pub bank_id: Option<i64>,
    pub position: i32,
    pub tags: Vec<String>,
    pub external_id: Option<String>,
    /// The current version's number; editing a delivered version makes a new one.
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    pub question: CanvasQuestionJson,
    #[schema(value_type = Object)]
    pub body: QuestionBody,
}

fn render_question(v: &QuestionView) -> BankQuestionJson {
    BankQuestionJson {
        id: v.question.id,
        bank_id: v.question.bank_id,
        position: v.question.position,
        tags: question_banks::tags_of(&v.question.tags),
        external_id: v.question.external_id.clone(),
        version: v.version.version,
        created_at: v.question.created_at,
        updated_at: v.question.updated_at,
        question: canvas_question::to_canvas(&v.body),
        body: v.body.clone(),
    }
}

/// `question[...]`: Canvas question fields, or `body` (a `QuestionBody` document, JSON only); plus `tags[]`,
/// `external_id`, `position`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BankQuestionParams {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub question: Map<String, Value>,
}

/// The bookkeeping fields of a bank question request.
#[derive(Debug, Default, Deserialize)]
struct QuestionMeta {
    #[serde(default, deserialize_with = "de::opt_string_list")]
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    position: Option<i64>,
}

fn meta(fields: &Map<String, Value>) -> ApiResult<QuestionMeta> {
    let mut picked = Map::new();
    for key in ["tags", "external_id", "position"] {
        if let Some(v) = fields.get(key) {
            picked.insert(key.to_owned(), v.clone());
        }
    }
    let prefixed: Map<String, Value> = [("question".to_owned(), Value::Object(picked))].into_iter().collect();
    #[derive(Deserialize)]
    struct Wrapper {
        question: QuestionMeta,
    }
    let meta = crate::params::from_tree::<Wrapper>(prefixed)?.question;
    let mut v = Validation::new();
    check_tags(&mut v, "/question/tags", meta.tags.as_ref());
    if let Some(Some(id)) = &meta.external_id {
        v.identifier("/question/external_id", Some(id));
    }
    v.finish()?;
    Ok(meta)
}

/// The question's content from a request: `body` when sent, else the Canvas fields (over `current` on edits).
fn body_from(fields: &Map<String, Value>, current: Option<&QuestionBody>) -> ApiResult<Option<QuestionBody>> {
    let body = if let Some(raw) = fields.get("body") {
        let body: QuestionBody = serde_json::from_value(raw.clone())
            .map_err(|err| ApiError::invalid_field("/question/body", format!("is not a question document: {err}")))?;
        body
    } else if !canvas_question::names_content(fields) && current.is_some() {
        return Ok(None);
    } else {
        match current {
            Some(c) => canvas_question::merge_canvas(c, fields, "/question")?,
            None => canvas_question::from_canvas(fields, "/question")?,
        }
    };
    Ok(Some(canvas_question::prepare(body, "/question")?))
}

async fn load_question(
    state: &AppState,
    caller: &Caller,
    bank: &question_bank::Model,
    id: i64,
) -> ApiResult<QuestionView> {
    let found = questions::find(state.store.read(), &caller.scope, id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::QuestionNotFound),
        other => other.into(),
    })?;
    if found.question.bank_id != Some(bank.id) {
        return Err(ApiError::not_found(Code::QuestionNotFound));
    }
    Ok(found)
}

#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct QuestionListParams {
    /// Canvas type names, e.g. `multiple_choice_question`.
    #[serde(default, rename = "question_type[]", alias = "question_type", deserialize_with = "de::string_list")]
    pub question_type: Vec<String>,
    #[serde(default, rename = "tag[]", alias = "tag", deserialize_with = "de::string_list")]
    pub tag: Vec<String>,
    /// Part of the name or the text.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
}

/// The bank's questions by position, filtered by `question_type[]`, `tag[]` and `search_term`.
#[utoipa::path(get, path = "/api/v1/question_banks/{id}/questions", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`"), QuestionListParams, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<BankQuestionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_bank_questions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    pagination: Pagination,
    Params(params): Params<QuestionListParams>,
) -> ApiResult<Paginated<BankQuestionJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    for (i, t) in params.question_type.iter().enumerate() {
        if assay_domain::question::QuestionType::from_canvas_name(t).is_none() {
            return Err(ApiError::invalid_field(
                &format!("/question_type/{i}"),
                format!("`{t}` is not a question type"),
            ));
        }
    }
    let filter = QuestionFilter {
        question_types: params.question_type,
        tags: params.tag,
        search_term: params.search_term.filter(|s| !s.trim().is_empty()),
    };
    let page = questions::list(state.store.read(), &caller.scope, bank.id, &filter, &pagination.request).await?;
    Ok(Paginated::new(page.map(|q| render_question(&q)), pagination))
}

/// Adds a question to the bank.
#[utoipa::path(post, path = "/api/v1/question_banks/{id}/questions", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`")),
    request_body(content((BankQuestionParams = "application/json"), (BankQuestionParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = BankQuestionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_bank_question(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<BankQuestionParams>,
) -> ApiResult<Created<BankQuestionJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    let meta = meta(&params.question)?;
    let Some(body) = body_from(&params.question, None)? else {
        return Err(ApiError::invalid_field("/question", "is required"));
    };
    let new = NewQuestion {
        body,
        tags: meta.tags.unwrap_or_default(),
        external_id: meta.external_id.flatten(),
        position: meta.position.map(|p| i32::try_from(p).unwrap_or(i32::MAX)),
    };
    let (scope, actor, bank_id) = (caller.scope, caller.actor(), bank.id);
    let created = state
        .store
        .write(move |txn| {
            Box::pin(async move { questions::create(txn, &scope, Home::Bank(bank_id), new, actor).await })
        })
        .await?;
    let location = format!(
        "{}/api/v1/question_banks/{}/questions/{}",
        state.base_url.resolve(&headers),
        bank.id,
        created.question.id
    );
    Ok(Created { location, body: render_question(&created) })
}

/// One question of the bank.
#[utoipa::path(get, path = "/api/v1/question_banks/{id}/questions/{question_id}", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`"), ("question_id" = i64, Path)),
    responses((status = 200, body = BankQuestionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_bank_question(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, question_id)): PathParams<(String, i64)>,
) -> ApiResult<Json<BankQuestionJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    Ok(Json(render_question(&load_question(&state, &caller, &bank, question_id).await?)))
}

/// Changes a question: a version already delivered to a candidate is kept and a new version made.
#[utoipa::path(put, path = "/api/v1/question_banks/{id}/questions/{question_id}", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`"), ("question_id" = i64, Path)),
    request_body(content((BankQuestionParams = "application/json"), (BankQuestionParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = BankQuestionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_bank_question(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, question_id)): PathParams<(String, i64)>,
    Params(params): Params<BankQuestionParams>,
) -> ApiResult<Json<BankQuestionJson>> {
    let bank = load_bank(&state, &caller, &id).await?;
    let current = load_question(&state, &caller, &bank, question_id).await?;
    let meta = meta(&params.question)?;
    let body = body_from(&params.question, Some(&current.body))?;
    let change = QuestionChange {
        body,
        tags: meta.tags,
        external_id: meta.external_id,
        position: meta.position.map(|p| i32::try_from(p).unwrap_or(i32::MAX)),
    };
    let (scope, actor) = (caller.scope, caller.actor());
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { questions::update(txn, &scope, &current, change, actor).await }))
        .await?;
    Ok(Json(render_question(&updated)))
}

/// Deletes a question (its versions stay for the attempts that saw them).
#[utoipa::path(delete, path = "/api/v1/question_banks/{id}/questions/{question_id}", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`"), ("question_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_bank_question(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, question_id)): PathParams<(String, i64)>,
) -> ApiResult<StatusCode> {
    let bank = load_bank(&state, &caller, &id).await?;
    let current = load_question(&state, &caller, &bank, question_id).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    state
        .store
        .write(move |txn| Box::pin(async move { questions::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One version of a question.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionVersionJson {
    pub id: i64,
    pub version: i32,
    pub points_possible: f64,
    /// Shown to a candidate: frozen.
    pub delivered: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    pub question: CanvasQuestionJson,
    #[schema(value_type = Object)]
    pub body: QuestionBody,
}

fn render_version(v: &question_version::Model) -> ApiResult<QuestionVersionJson> {
    let body = questions::body_of(v)?;
    Ok(QuestionVersionJson {
        id: v.id,
        version: v.version,
        points_possible: v.points_possible,
        delivered: v.delivered,
        created_at: v.created_at,
        question: canvas_question::to_canvas(&body),
        body,
    })
}

/// Every version of a question, oldest first.
#[utoipa::path(get, path = "/api/v1/question_banks/{id}/questions/{question_id}/versions", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`"), ("question_id" = i64, Path)),
    responses((status = 200, body = Vec<QuestionVersionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_question_versions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, question_id)): PathParams<(String, i64)>,
) -> ApiResult<Json<Vec<QuestionVersionJson>>> {
    let bank = load_bank(&state, &caller, &id).await?;
    let current = load_question(&state, &caller, &bank, question_id).await?;
    let versions = questions::versions(state.store.read(), current.question.id).await?;
    Ok(Json(versions.iter().map(render_version).collect::<ApiResult<Vec<_>>>()?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TransferParams {
    #[serde(default, rename = "question_ids", alias = "question_ids[]", deserialize_with = "de::string_list")]
    pub question_ids: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub to_bank_id: Option<String>,
}

/// Reads a copy/move request: the questions (all of this bank) and the target bank (one the caller manages).
async fn transfer(
    state: &AppState,
    caller: &Caller,
    raw_bank: &str,
    params: TransferParams,
) -> ApiResult<(Vec<QuestionView>, question_bank::Model)> {
    let bank = load_bank(state, caller, raw_bank).await?;
    let Some(to) = params.to_bank_id else {
        return Err(ApiError::invalid_field("/to_bank_id", "is required"));
    };
    let target = match load_bank(state, caller, &to).await {
        Ok(b) => b,
        Err(err) if err.code == Code::QuestionBankNotFound || err.code == Code::InvalidId => {
            return Err(ApiError::invalid_field("/to_bank_id", "is not a question bank"));
        }
        Err(err) if err.code == Code::Unauthorized => {
            return Err(ApiError::invalid_field("/to_bank_id", "is not a question bank you may change"));
        }
        Err(err) => return Err(err),
    };
    if params.question_ids.is_empty() {
        return Err(ApiError::invalid_field("/question_ids", "is required: the questions to copy or move"));
    }
    let mut ids = Vec::with_capacity(params.question_ids.len());
    for (i, raw) in params.question_ids.iter().enumerate() {
        let id = raw
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_field(&format!("/question_ids/{i}"), "must be a question id"))?;
        ids.push(id);
    }
    let found = questions::find_many(state.store.read(), &caller.scope, &ids).await?;
    let mut ordered = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        match found.iter().find(|q| q.question.id == *id && q.question.bank_id == Some(bank.id)) {
            Some(q) => {
                if !ordered.iter().any(|o: &QuestionView| o.question.id == *id) {
                    ordered.push(q.clone());
                }
            }
            None => {
                return Err(ApiError::invalid_field(&format!("/question_ids/{i}"), "is not a question of this bank"));
            }
        }
    }
    Ok((ordered, target))
}

/// Copies questions into another bank (new questions with the same content and tags). Answers the copies.
#[utoipa::path(post, path = "/api/v1/question_banks/{id}/questions/copy", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`")),
    request_body(content((TransferParams = "application/json"), (TransferParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = Vec<BankQuestionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn copy_questions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<TransferParams>,
) -> ApiResult<Json<Vec<BankQuestionJson>>> {
    let (list, target) = transfer(&state, &caller, &id, params).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    let copies = state
        .store
        .write(move |txn| Box::pin(async move { questions::copy_to_bank(txn, &scope, &list, target.id, actor).await }))
        .await?;
    Ok(Json(copies.iter().map(render_question).collect()))
}

/// Moves questions into another bank (same ids, versions and external ids). Answers the moved questions.
#[utoipa::path(post, path = "/api/v1/question_banks/{id}/questions/move", tag = "Question banks",
    params(("id" = String, Path, description = "Bank id or `external_id:X`")),
    request_body(content((TransferParams = "application/json"), (TransferParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = Vec<BankQuestionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn move_questions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<TransferParams>,
) -> ApiResult<Json<Vec<BankQuestionJson>>> {
    let (list, target) = transfer(&state, &caller, &id, params).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    let moved = state
        .store
        .write(move |txn| Box::pin(async move { questions::move_to_bank(txn, &scope, &list, target.id, actor).await }))
        .await?;
    Ok(Json(moved.iter().map(render_question).collect()))
}
