//! QTI imports (content migrations of type `qti_converter`): the package read by `assay-qti`, then in one
//! transaction its questions written into banks and, unless only a bank was asked for, each assessment made a quiz
//! with its settings, questions and groups. Everything the package holds that Assay cannot hold is a migration
//! issue; a package that cannot be read at all fails the migration with an `error` issue.

use std::collections::HashMap;

use assay_domain::{
    html,
    id_ref::IdRef,
    question::{QuestionBody, sanitize_body, validate},
};
use assay_qti::{Assessment, Entry, Item, Package, Settings, read_package};
use assay_store::{
    DatabaseTransaction, Scope, Store, StoreError,
    content_migrations::{self, ISSUE_ERROR, ISSUE_WARNING, NewIssue},
    entity::content_migration,
    events::Actor,
    question_banks::{self, BankFields, Owner},
    questions::{self, Home, NewQuestion},
    quizzes::{self, GroupFields, QuizFields},
    sis_imports,
};
use serde::Deserialize;

/// The settings a migration was started with (`content_migrations.settings`).
#[derive(Debug, Default, Deserialize)]
struct MigrationSettings {
    question_bank_id: Option<i64>,
    question_bank_name: Option<String>,
    #[serde(default)]
    destination: Option<String>,
}

/// What an import made.
#[derive(Debug, Default)]
struct Made {
    bank_ids: Vec<i64>,
    quiz_ids: Vec<i64>,
    questions: u64,
    issues: Vec<NewIssue>,
}

impl Made {
    fn warn(&mut self, description: String) {
        self.issues.push(NewIssue { issue_type: ISSUE_WARNING, description, error_message: None });
    }
}

/// Why an import stopped.
enum Failure {
    /// The package or the settings: reported on the migration.
    Input {
        description: String,
        detail: String,
    },
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Failure::Store(err)
    }
}

/// Runs one claimed migration and records its outcome; failures are recorded on the migration, never lost.
pub async fn run(store: &Store, job: content_migration::Model) {
    let started = std::time::Instant::now();
    tracing::info!(migration = job.id, "content migration started");
    let progress = job.progress_id;
    let marked = store
        .write(move |txn| {
            Box::pin(
                async move { sis_imports::set_progress(txn, progress, sis_imports::RUNNING, 0.0, None, None).await },
            )
        })
        .await;
    if let Err(err) = marked {
        tracing::warn!(error = %err, migration = job.id, "marking a migration running failed");
    }
    let outcome = execute(store, &job).await;
    let (state, results, issues, message) = match outcome {
        Ok(made) => {
            let results = serde_json::json!({
                "question_bank_ids": made.bank_ids,
                "quiz_ids": made.quiz_ids,
                "questions_imported": made.questions,
            });
            let message = format!(
                "{} questions imported into {} bank(s) and {} quiz(zes); {} issue(s)",
                made.questions,
                made.bank_ids.len(),
                made.quiz_ids.len(),
                made.issues.len()
            );
            (content_migrations::COMPLETED, results, made.issues, message)
        }
        Err(Failure::Input { description, detail }) => (
            content_migrations::FAILED,
            serde_json::json!({}),
            vec![NewIssue { issue_type: ISSUE_ERROR, description: description.clone(), error_message: Some(detail) }],
            description,
        ),
        Err(Failure::Store(err)) => {
            tracing::error!(error = %err, migration = job.id, "content migration failed");
            let description = "The import stopped on a database error; nothing was imported.".to_owned();
            (
                content_migrations::FAILED,
                serde_json::json!({}),
                vec![NewIssue { issue_type: ISSUE_ERROR, description: description.clone(), error_message: None }],
                description,
            )
        }
    };
    let id = job.id;
    let progress_state =
        if state == content_migrations::COMPLETED { sis_imports::COMPLETED } else { sis_imports::FAILED };
    let result = store
        .write(move |txn| {
            Box::pin(async move {
                content_migrations::finish(txn, &job, state, &results, issues).await?;
                let mut progress_results = results.clone();
                progress_results["content_migration_id"] = serde_json::json!(job.id);
                sis_imports::set_progress(
                    txn,
                    job.progress_id,
                    progress_state,
                    100.0,
                    Some(message),
                    Some(progress_results),
                )
                .await
            })
        })
        .await;
    if let Err(err) = result {
        tracing::error!(error = %err, migration = id, "recording the end of a migration failed");
    }
    tracing::info!(migration = id, elapsed_ms = started.elapsed().as_millis() as u64, "content migration finished");
}

async fn execute(store: &Store, job: &content_migration::Model) -> Result<Made, Failure> {
    let settings: MigrationSettings = serde_json::from_str(&job.settings).unwrap_or_default();
    let scope = Scope::school(job.root_account_id);
    // The bank the request named must still be one of the course's.
    if let Some(id) = settings.question_bank_id {
        let bank = question_banks::find(store.read(), &scope, &IdRef::Id(id)).await.map_err(|err| match err {
            StoreError::NotFound => Failure::Input {
                description: format!("Question bank {id} no longer exists; nothing was imported."),
                detail: "settings[question_bank_id] names a deleted bank".into(),
            },
            other => Failure::Store(other),
        })?;
        if bank.course_id != Some(job.course_id) {
            return Err(Failure::Input {
                description: format!("Question bank {id} is not a bank of this course; nothing was imported."),
                detail: "settings[question_bank_id] names another course's bank".into(),
            });
        }
    }
    let data = content_migrations::input(store.read(), job.id).await?;
    // Unzipping and parsing is CPU work: off the async threads.
    let package = tokio::task::spawn_blocking(move || read_package(&data))
        .await
        .map_err(|e| Failure::Input { description: "The package could not be read.".into(), detail: e.to_string() })?
        .map_err(|e| Failure::Input {
            description: "The package could not be read as QTI; nothing was imported.".into(),
            detail: e.to_string(),
        })?;
    let job = job.clone();
    Ok(store.write(move |txn| Box::pin(async move { apply(txn, &job, settings, package).await })).await?)
}

/// Writes the package in one transaction: a failure leaves nothing behind.
async fn apply(
    txn: &DatabaseTransaction,
    job: &content_migration::Model,
    settings: MigrationSettings,
    package: Package,
) -> Result<Made, StoreError> {
    let scope = Scope::school(job.root_account_id);
    let actor = Actor { user_id: job.user_id };
    let course_id = job.course_id;
    let mut made = Made::default();
    for w in &package.warnings {
        made.warn(w.to_string());
    }
    let only_bank = settings.destination.as_deref() == Some("bank");

    // The one bank everything goes into, when the request named one (`execute` checked an id).
    let target = match (settings.question_bank_id, settings.question_bank_name.as_deref()) {
        (Some(id), _) => Some(id),
        (None, Some(name)) => Some(new_bank(txn, &scope, course_id, name, actor, &mut made).await?),
        (None, None) => None,
    };

    // Banks of the package (objectbanks): their questions, and the ids groups refer to them by.
    let mut bank_ids: HashMap<String, i64> = HashMap::new();
    for bank in &package.banks {
        let bank_id = match target {
            Some(id) => id,
            None => new_bank(txn, &scope, course_id, &bank.title, actor, &mut made).await?,
        };
        bank_ids.insert(bank.ident.clone(), bank_id);
        for item in &bank.items {
            add_to_bank(txn, &scope, bank_id, item, actor, &mut made).await?;
        }
    }

    for assessment in &package.assessments {
        let items: Vec<&Item> = assessment
            .entries
            .iter()
            .flat_map(|entry| match entry {
                Entry::Item(item) => std::slice::from_ref(item).iter(),
                Entry::Group(group) => group.items.iter(),
            })
            .collect();
        // Canvas puts a quiz's questions in a bank of the quiz's name as well.
        if !items.is_empty() {
            let bank_id = match target {
                Some(id) => id,
                None => new_bank(txn, &scope, course_id, &assessment.title, actor, &mut made).await?,
            };
            for item in items {
                add_to_bank(txn, &scope, bank_id, item, actor, &mut made).await?;
            }
        }
        if only_bank {
            made.warn(format!(
                "\"{}\": only its questions were imported (destination bank); its quiz settings and question groups \
                 were not",
                assessment.title
            ));
            continue;
        }
        let quiz_id = make_quiz(txn, &scope, course_id, assessment, &bank_ids, actor, &mut made).await?;
        made.quiz_ids.push(quiz_id);
    }
    Ok(made)
}

async fn new_bank(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    title: &str,
    actor: Actor,
    made: &mut Made,
) -> Result<i64, StoreError> {
    let title: String = title.trim().chars().take(255).collect();
    let fields = BankFields {
        title: Some(if title.is_empty() { "Imported questions".to_owned() } else { title }),
        ..Default::default()
    };
    let bank = question_banks::create(txn, scope, Owner::Course(course_id), fields, actor).await?;
    made.bank_ids.push(bank.id);
    Ok(bank.id)
}

/// The body as Assay stores it (sanitised), or why it cannot be stored (an issue, and the question is skipped).
fn checked(item: &Item, made: &mut Made) -> Option<QuestionBody> {
    let body = sanitize_body(item.body.clone());
    match validate(&body) {
        Ok(()) => Some(body),
        Err(errors) => {
            let reasons: Vec<String> = errors.iter().map(|e| format!("{} {}", e.pointer, e.message)).collect();
            made.warn(format!(
                "Question \"{}\" ({}) was not imported: {}",
                item.body.name,
                item.ident,
                reasons.join("; ")
            ));
            None
        }
    }
}

async fn add_to_bank(
    txn: &DatabaseTransaction,
    scope: &Scope,
    bank_id: i64,
    item: &Item,
    actor: Actor,
    made: &mut Made,
) -> Result<(), StoreError> {
    let Some(body) = checked(item, made) else { return Ok(()) };
    let new = NewQuestion { body, tags: Vec::new(), external_id: None, position: None };
    questions::create(txn, scope, Home::Bank(bank_id), new, actor).await?;
    made.questions += 1;
    Ok(())
}

fn parse_time(
    raw: &Option<String>,
    what: &str,
    title: &str,
    made: &mut Made,
) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
    let raw = raw.as_deref()?;
    match chrono::DateTime::parse_from_rfc3339(raw) {
        Ok(t) => Some(Some(t.with_timezone(&chrono::Utc))),
        Err(_) => {
            made.warn(format!("\"{title}\": {what} {raw:?} is not a date and time; it was not imported"));
            None
        }
    }
}

/// The quiz settings Assay holds, from Canvas's; the others are issues.
fn quiz_fields(a: &Assessment, made: &mut Made) -> QuizFields {
    let s: &Settings = &a.settings;
    let title = a.title.clone();
    let mut f = QuizFields {
        title: Some(title.chars().take(255).collect()),
        description: a.description.as_deref().map(html::sanitize),
        ..Default::default()
    };
    match s.quiz_type.as_deref() {
        None => {}
        Some(t @ ("assignment" | "practice_quiz" | "graded_survey" | "survey")) => f.quiz_type = Some(t.to_owned()),
        Some(other) => {
            made.warn(format!("\"{title}\": quiz type {other:?} is not known; it was imported as a graded quiz"))
        }
    }
    if let Some(t) = s.time_limit {
        match i32::try_from(t) {
            Ok(t) if t > 0 => f.time_limit = Some(Some(t)),
            _ => made.warn(format!("\"{title}\": time limit {t} is out of range; the quiz has none")),
        }
    }
    if let Some(n) = s.allowed_attempts {
        match i32::try_from(n) {
            Ok(n) if n == -1 || n > 0 => f.allowed_attempts = Some(n),
            _ => made.warn(format!("\"{title}\": allowed attempts {n} is out of range; one attempt is allowed")),
        }
    }
    match s.scoring_policy.as_deref() {
        None => {}
        Some(p @ ("keep_highest" | "keep_latest" | "keep_average")) => f.scoring_policy = Some(p.to_owned()),
        Some(other) => made.warn(format!("\"{title}\": scoring policy {other:?} is not known; keep_highest is used")),
    }
    match s.hide_results.as_deref() {
        None | Some("") => {}
        Some(h @ ("always" | "until_after_last_attempt")) => f.hide_results = Some(Some(h.to_owned())),
        Some(other) => made.warn(format!("\"{title}\": hide_results {other:?} is not known; results are shown")),
    }
    f.shuffle_answers = s.shuffle_answers;
    f.one_question_at_a_time = s.one_question_at_a_time;
    f.cant_go_back = s.cant_go_back;
    f.show_correct_answers = s.show_correct_answers;
    f.show_correct_answers_last_attempt = s.show_correct_answers_last_attempt;
    f.one_time_results = s.one_time_results;
    f.access_code = s.access_code.clone().map(Some);
    f.ip_filter = s.ip_filter.clone().map(Some);
    f.due_at = parse_time(&s.due_at, "due_at", &title, made);
    f.unlock_at = parse_time(&s.unlock_at, "unlock_at", &title, made);
    f.lock_at = parse_time(&s.lock_at, "lock_at", &title, made);
    // Imported quizzes arrive unpublished, for a teacher to check first.
    f.published = Some(false);
    if s.published == Some(true) {
        made.warn(format!("\"{title}\" was published where it came from; it was imported unpublished"));
    }
    if s.anonymous_submissions == Some(true) {
        made.warn(format!("\"{title}\": anonymous submissions are not supported; the setting was not imported"));
    }
    f
}

async fn make_quiz(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    a: &Assessment,
    bank_ids: &HashMap<String, i64>,
    actor: Actor,
    made: &mut Made,
) -> Result<i64, StoreError> {
    let fields = quiz_fields(a, made);
    let quiz = quizzes::create(txn, scope, course_id, fields, actor).await?;
    for entry in &a.entries {
        match entry {
            Entry::Item(item) => {
                if let Some(body) = checked_quiet(item) {
                    let new = NewQuestion { body, tags: Vec::new(), external_id: None, position: None };
                    quizzes::add_question(txn, scope, &quiz, None, None, new, actor).await?;
                }
            }
            Entry::Group(group) => {
                let bank_id = group.bank_ref.as_ref().and_then(|r| bank_ids.get(r)).copied();
                let fields = GroupFields {
                    name: Some(group.title.chars().take(255).collect()),
                    pick_count: Some(i32::try_from(group.pick_count).unwrap_or(i32::MAX)),
                    question_points: group.points_per_item,
                    bank_id: Some(bank_id),
                    position: None,
                };
                let created = quizzes::create_group(txn, scope, &quiz, fields, actor).await?;
                if bank_id.is_none() {
                    for item in &group.items {
                        if let Some(body) = checked_quiet(item) {
                            let new = NewQuestion { body, tags: Vec::new(), external_id: None, position: None };
                            quizzes::add_question(txn, scope, &quiz, Some(created.id), None, new, actor).await?;
                        }
                    }
                }
            }
        }
    }
    Ok(quiz.id)
}

/// As [`checked`], for the quiz's copy: the bank's copy already reported why a question was left out.
fn checked_quiet(item: &Item) -> Option<QuestionBody> {
    let body = sanitize_body(item.body.clone());
    validate(&body).ok().map(|()| body)
}
