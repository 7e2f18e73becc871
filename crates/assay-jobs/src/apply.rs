//! Applying a [`Batch`] to the store.
//!
//! Idempotent by SIS id: every object is looked up by its `sis_*_id` (enrollments by section, user and type), a
//! row that matches what is stored changes nothing and records no event, and running the same import twice
//! leaves the database as the first run left it. Rows are applied in chunks, each in its own short write
//! transaction, so the single SQLite writer is never held for long; users and enrollments (the bulk of a
//! roster) go in with multi-row statements, matched against maps of what already exists that are loaded once.
//! A bad row is reported and skipped; the good rows around it are applied.

use std::collections::{BTreeMap, HashMap, HashSet};

use assay_domain::user::{normalize_login, sortable_name};
use assay_store::{
    Scope, Store, StoreError,
    accounts::{self, AccountChanges, NewAccount},
    entity::{account, course, course_section, enrollment_term, login, user},
    events::{self, Actor},
    sis_imports,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Value,
};
use serde::Serialize;
use serde_json::json;

use crate::{
    batch::{Batch, CourseStatus, DateField, EnrollmentRow, Key, Located, Message, UserRow},
    sql::{self, Event},
};

/// Rows per write transaction for the bulk kinds (users, enrollments).
pub const CHUNK: usize = 2_000;
/// Rows per write transaction for kinds written row by row (accounts, terms, courses, sections).
const SMALL_CHUNK: usize = 250;

/// Canvas's per-object statistics (`SisImportStatistic`), plus `updated` for changed fields.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Stat {
    pub created: u64,
    pub updated: u64,
    pub concluded: u64,
    pub deactivated: u64,
    pub restored: u64,
    pub deleted: u64,
}

impl Stat {
    pub fn total(&self) -> u64 {
        self.created + self.updated + self.concluded + self.deactivated + self.restored + self.deleted
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    /// Rows processed per kind (Canvas's `counts`).
    pub counts: BTreeMap<&'static str, u64>,
    /// Changes per object type, keyed by Canvas's class names.
    pub stats: BTreeMap<&'static str, Stat>,
    pub errors: Vec<Message>,
    pub warnings: Vec<Message>,
}

impl Report {
    pub fn total_changes(&self) -> u64 {
        self.stats.values().map(Stat::total).sum()
    }

    pub fn counts_json(&self) -> serde_json::Value {
        let mut counts = serde_json::Map::new();
        for key in ["accounts", "terms", "abstract_courses", "courses", "sections", "xlists", "users", "enrollments"] {
            counts.insert(key.to_owned(), json!(self.counts.get(key).copied().unwrap_or(0)));
        }
        for key in ["admins", "group_memberships", "groups", "user_observers", "logins", "change_sis_ids"] {
            counts.insert(key.to_owned(), json!(0));
        }
        counts.insert("error_count".into(), json!(self.errors.len()));
        counts.insert("warning_count".into(), json!(self.warnings.len()));
        serde_json::Value::Object(counts)
    }

    pub fn statistics_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        out.insert("total_state_changes".into(), json!(self.total_changes()));
        for key in ["Account", "EnrollmentTerm", "Course", "CourseSection", "Pseudonym", "Enrollment"] {
            out.insert(key.to_owned(), json!(self.stats.get(key).copied().unwrap_or_default()));
        }
        serde_json::Value::Object(out)
    }
}

/// The job an import runs for: whose school, who asked, and the Progress it reports to.
#[derive(Debug, Clone, Copy)]
pub struct JobRef {
    pub import_id: i64,
    pub progress_id: i64,
    pub root_account_id: i64,
    pub actor: Actor,
}

struct CourseInfo {
    id: i64,
    deleted: bool,
}

struct SectionInfo {
    id: i64,
    course_id: i64,
    deleted: bool,
}

#[derive(Clone, Copy)]
struct UserInfo {
    id: i64,
    deleted: bool,
}

struct Importer<'s> {
    store: &'s Store,
    scope: Scope,
    job: JobRef,
    root: account::Model,
    total: usize,
    done: usize,
    report: Report,
    /// Account SIS id → account (the root's aliases included).
    accounts: HashMap<String, account::Model>,
    aliases: HashSet<String>,
    terms: HashMap<String, i64>,
    courses: HashMap<String, CourseInfo>,
    sections: HashMap<String, SectionInfo>,
    users: Option<HashMap<String, UserInfo>>,
}

/// Applies `batch` for `job`, reporting progress as it goes.
pub async fn apply(store: &Store, job: JobRef, batch: Batch) -> Result<Report, StoreError> {
    let scope = Scope::school(job.root_account_id);
    let root = accounts::find_unscoped(store.read(), job.root_account_id).await?;
    let mut importer = Importer {
        store,
        scope,
        job,
        root,
        total: batch.rows().max(1),
        done: 0,
        report: Report { errors: batch.errors, warnings: batch.warnings, ..Report::default() },
        accounts: HashMap::new(),
        aliases: batch.root_aliases.into_iter().collect(),
        terms: HashMap::new(),
        courses: HashMap::new(),
        sections: HashMap::new(),
        users: None,
    };
    importer.load_small().await?;
    importer.accounts(batch.accounts).await?;
    importer.terms(batch.terms).await?;
    importer.courses(batch.courses).await?;
    importer.sections(batch.sections).await?;
    importer.users(batch.users).await?;
    importer.enrollments(batch.enrollments).await?;
    Ok(importer.report)
}

fn same_time(field: DateField, current: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match field {
        None => current,
        Some(v) => v,
    }
}

/// Reports in-file duplicates of a SIS id: the first row wins, later ones are errors.
fn first_of_each<T>(
    rows: Vec<Located<T>>,
    key: impl Fn(&T) -> String,
    what: &str,
    errors: &mut Vec<Message>,
) -> Vec<Located<T>> {
    let mut seen: HashMap<String, (std::sync::Arc<str>, u64)> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let k = key(&row.row);
        if let Some((file, line)) = seen.get(&k) {
            errors.push(row.error(format!("duplicate {what} `{k}` (first given in {file} row {line}); row skipped")));
            continue;
        }
        seen.insert(k, (row.file.clone(), row.line));
        out.push(row);
    }
    out
}

impl Importer<'_> {
    fn stat(&mut self, kind: &'static str) -> &mut Stat {
        self.report.stats.entry(kind).or_default()
    }

    fn count(&mut self, kind: &'static str, n: u64) {
        *self.report.counts.entry(kind).or_default() += n;
    }

    fn root_id(&self) -> i64 {
        self.scope.root_account_id()
    }

    async fn load_small(&mut self) -> Result<(), StoreError> {
        let conn = self.store.read();
        let root = self.root_id();
        for a in account::Entity::find()
            .filter(account::Column::RootAccountId.eq(root))
            .filter(account::Column::SisAccountId.is_not_null())
            .all(conn)
            .await?
        {
            if let Some(sis) = a.sis_account_id.clone() {
                self.accounts.insert(sis, a);
            }
        }
        for t in enrollment_term::Entity::find()
            .filter(enrollment_term::Column::RootAccountId.eq(root))
            .filter(enrollment_term::Column::SisTermId.is_not_null())
            .all(conn)
            .await?
        {
            if let Some(sis) = t.sis_term_id {
                self.terms.insert(sis, t.id);
            }
        }
        let rows: Vec<(i64, Option<String>, String)> = course::Entity::find()
            .select_only()
            .columns([course::Column::Id, course::Column::SisCourseId, course::Column::WorkflowState])
            .filter(course::Column::RootAccountId.eq(root))
            .filter(course::Column::SisCourseId.is_not_null())
            .into_tuple()
            .all(conn)
            .await?;
        for (id, sis, state) in rows {
            if let Some(sis) = sis {
                self.courses.insert(sis, CourseInfo { id, deleted: state == "deleted" });
            }
        }
        let rows: Vec<(i64, i64, Option<String>, String)> = course_section::Entity::find()
            .select_only()
            .columns([
                course_section::Column::Id,
                course_section::Column::CourseId,
                course_section::Column::SisSectionId,
                course_section::Column::WorkflowState,
            ])
            .filter(course_section::Column::RootAccountId.eq(root))
            .filter(course_section::Column::SisSectionId.is_not_null())
            .into_tuple()
            .all(conn)
            .await?;
        for (id, course_id, sis, state) in rows {
            if let Some(sis) = sis {
                self.sections.insert(sis, SectionInfo { id, course_id, deleted: state == "deleted" });
            }
        }
        Ok(())
    }

    /// The account a row names: none or a root alias → the school's root account.
    fn account_for(&self, sis: Option<&str>) -> Option<account::Model> {
        match sis {
            None => Some(self.root.clone()),
            Some(s) if self.aliases.contains(s) => Some(self.root.clone()),
            Some(s) => self.accounts.get(s).filter(|a| a.workflow_state != accounts::DELETED).cloned(),
        }
    }

    async fn accounts(&mut self, rows: Vec<Located<crate::batch::AccountRow>>) -> Result<(), StoreError> {
        let rows = first_of_each(rows, |r| r.sis_id.clone(), "account_id", &mut self.report.errors);
        for chunk in rows.chunks(SMALL_CHUNK) {
            let chunk = chunk.to_vec();
            let mut known = std::mem::take(&mut self.accounts);
            let aliases = self.aliases.clone();
            let root = self.root.clone();
            let scope = self.scope;
            let actor = self.job.actor;
            let (known, messages, stat, counted) = self
                .store
                .write(move |txn| {
                    Box::pin(async move {
                        let mut messages = Vec::new();
                        let mut stat = Stat::default();
                        let mut counted = 0;
                        for located in chunk {
                            let row = &located.row;
                            if aliases.contains(&row.sis_id) {
                                counted += 1;
                                continue;
                            }
                            let parent = match row.parent.as_deref() {
                                None => Some(root.clone()),
                                Some(p) if aliases.contains(p) => Some(root.clone()),
                                Some(p) => known.get(p).filter(|a| a.workflow_state != accounts::DELETED).cloned(),
                            };
                            let Some(parent) = parent else {
                                messages.push(located.error(format!(
                                    "parent account `{}` does not exist; list parents before their sub-accounts",
                                    row.parent.as_deref().unwrap_or_default()
                                )));
                                continue;
                            };
                            let current = known.get(&row.sis_id).cloned();
                            let result = match (current, row.deleted) {
                                (None, true) => Ok(None),
                                (None, false) => {
                                    if parent.account_path().depth() + 1 > assay_domain::account::MAX_DEPTH {
                                        messages.push(located.error("the account would nest too deeply"));
                                        continue;
                                    }
                                    let new = NewAccount {
                                        name: row.name.clone(),
                                        sis_account_id: Some(row.sis_id.clone()),
                                        ..NewAccount::default()
                                    };
                                    stat.created += 1;
                                    accounts::create_sub_account(txn, &scope, &parent, new, actor).await.map(Some)
                                }
                                (Some(current), true) if current.workflow_state == accounts::DELETED => {
                                    Ok(Some(current))
                                }
                                (Some(current), true) => {
                                    let busy = account::Entity::find()
                                        .filter(account::Column::ParentAccountId.eq(current.id))
                                        .filter(account::Column::WorkflowState.ne(accounts::DELETED))
                                        .one(txn)
                                        .await?;
                                    if busy.is_some() {
                                        messages.push(located.error(
                                            "the account still has active sub-accounts; delete them first",
                                        ));
                                        continue;
                                    }
                                    stat.deleted += 1;
                                    accounts::delete(txn, &scope, &current, actor).await.map(Some)
                                }
                                (Some(mut current), false) => {
                                    if current.workflow_state == accounts::DELETED {
                                        let mut model: account::ActiveModel = current.clone().into();
                                        model.workflow_state = Set(accounts::ACTIVE.to_owned());
                                        model.updated_at = Set(assay_store::now());
                                        let restored = model.update(txn).await?;
                                        events::record_change(
                                            txn,
                                            scope.root_account_id(),
                                            "account.updated",
                                            restored.id,
                                            actor,
                                            json!({"account": accounts::event_payload(&restored), "changes": {"workflow_state": ["deleted", "active"]}}),
                                        )
                                        .await?;
                                        stat.restored += 1;
                                        current = restored;
                                    }
                                    let moved = current.parent_account_id != Some(parent.id);
                                    if moved && parent.account_path().is_within(&current.account_path()) {
                                        messages.push(located.error("an account cannot move below itself"));
                                        continue;
                                    }
                                    if current.name != row.name || moved {
                                        stat.updated += 1;
                                        let changes = AccountChanges {
                                            name: (current.name != row.name).then(|| row.name.clone()),
                                            parent: moved.then_some(parent),
                                            ..AccountChanges::default()
                                        };
                                        accounts::update(txn, &scope, &current, changes, actor).await.map(Some)
                                    } else {
                                        Ok(Some(current))
                                    }
                                }
                            };
                            counted += 1;
                            if let Some(model) = result? {
                                known.insert(row.sis_id.clone(), model);
                            }
                        }
                        Ok((known, messages, stat, counted))
                    })
                })
                .await?;
            self.accounts = known;
            self.report.errors.extend(messages);
            add(self.stat("Account"), stat);
            self.count("accounts", counted);
            self.done += SMALL_CHUNK.min(rows.len());
            self.tick().await?;
        }
        Ok(())
    }

    async fn tick(&self) -> Result<(), StoreError> {
        let done = self.done.min(self.total);
        let this = JobRef { ..self.job };
        let total = self.total;
        self.store
            .write(move |txn| {
                Box::pin(async move {
                    let completion = (done as f64 / total as f64 * 100.0).min(99.0);
                    sis_imports::set_progress(
                        txn,
                        this.progress_id,
                        sis_imports::RUNNING,
                        (completion * 10.0).round() / 10.0,
                        None,
                        None,
                    )
                    .await?;
                    sis_imports::heartbeat(txn, this.import_id).await
                })
            })
            .await
    }

    async fn terms(&mut self, rows: Vec<Located<crate::batch::TermRow>>) -> Result<(), StoreError> {
        let rows = first_of_each(rows, |r| r.sis_id.clone(), "term_id", &mut self.report.errors);
        let root = self.root_id();
        for chunk in rows.chunks(SMALL_CHUNK) {
            let chunk = chunk.to_vec();
            let scope = self.scope;
            let actor = self.job.actor;
            let (ids, stat, counted) = self
                .store
                .write(move |txn| {
                    Box::pin(async move {
                        let mut stat = Stat::default();
                        let mut ids = Vec::new();
                        let mut counted = 0;
                        for located in chunk {
                            let row = located.row;
                            counted += 1;
                            let current = enrollment_term::Entity::find()
                                .filter(enrollment_term::Column::RootAccountId.eq(root))
                                .filter(enrollment_term::Column::SisTermId.eq(row.sis_id.as_str()))
                                .one(txn)
                                .await?;
                            let Some(current) = current else {
                                if row.deleted {
                                    continue;
                                }
                                let created = assay_store::terms::create(
                                    txn,
                                    &scope,
                                    assay_store::terms::TermFields {
                                        name: Some(row.name.clone()),
                                        sis_term_id: Some(Some(row.sis_id.clone())),
                                        start_at: Some(row.start_at.flatten()),
                                        end_at: Some(row.end_at.flatten()),
                                    },
                                    actor,
                                )
                                .await?;
                                stat.created += 1;
                                ids.push((row.sis_id, created.id));
                                continue;
                            };
                            ids.push((row.sis_id.clone(), current.id));
                            let state = if row.deleted { "deleted" } else { "active" };
                            let start_at = same_time(row.start_at, current.start_at);
                            let end_at = same_time(row.end_at, current.end_at);
                            if current.name == row.name
                                && current.workflow_state == state
                                && current.start_at == start_at
                                && current.end_at == end_at
                            {
                                continue;
                            }
                            if current.workflow_state != state {
                                if row.deleted {
                                    stat.deleted += 1;
                                } else {
                                    stat.restored += 1;
                                }
                            } else {
                                stat.updated += 1;
                            }
                            let mut model: enrollment_term::ActiveModel = current.clone().into();
                            model.name = Set(row.name);
                            model.workflow_state = Set(state.to_owned());
                            model.start_at = Set(start_at);
                            model.end_at = Set(end_at);
                            model.updated_at = Set(assay_store::now());
                            let updated = model.update(txn).await?;
                            let event = if row.deleted && current.workflow_state != state {
                                events::record_change(
                                    txn,
                                    root,
                                    "term.deleted",
                                    updated.id,
                                    actor,
                                    assay_store::terms::payload(&updated),
                                )
                                .await
                            } else {
                                events::record_update(
                                    txn,
                                    root,
                                    "term",
                                    updated.id,
                                    actor,
                                    assay_store::terms::payload(&current),
                                    assay_store::terms::payload(&updated),
                                )
                                .await
                            };
                            event?;
                        }
                        Ok((ids, stat, counted))
                    })
                })
                .await?;
            self.terms.extend(ids);
            add(self.stat("EnrollmentTerm"), stat);
            self.count("terms", counted);
            self.done += SMALL_CHUNK.min(rows.len());
            self.tick().await?;
        }
        Ok(())
    }

    async fn courses(&mut self, rows: Vec<Located<crate::batch::CourseRow>>) -> Result<(), StoreError> {
        let rows = first_of_each(rows, |r| r.sis_id.clone(), "course_id", &mut self.report.errors);
        let root = self.root_id();
        for chunk in rows.chunks(SMALL_CHUNK) {
            // Resolve references before the transaction; a bad reference skips the row.
            let mut ready = Vec::new();
            for located in chunk {
                let row = &located.row;
                let Some(account) = self.account_for(row.account.as_deref()) else {
                    self.report.errors.push(
                        located
                            .error(format!("account `{}` does not exist", row.account.as_deref().unwrap_or_default())),
                    );
                    continue;
                };
                let term = match row.term.as_deref() {
                    None => None,
                    Some(t) => match self.terms.get(t) {
                        Some(id) => Some(*id),
                        None => {
                            self.report.errors.push(located.error(format!("term `{t}` does not exist")));
                            continue;
                        }
                    },
                };
                ready.push((located.clone(), account.id, term));
            }
            let actor = self.job.actor;
            let (infos, stat, counted) = self
                .store
                .write(move |txn| {
                    Box::pin(async move {
                        let mut stat = Stat::default();
                        let mut infos = Vec::new();
                        let mut counted = 0;
                        for (located, account_id, term) in ready {
                            let row = located.row;
                            counted += 1;
                            let current = course::Entity::find()
                                .filter(course::Column::RootAccountId.eq(root))
                                .filter(course::Column::SisCourseId.eq(row.sis_id.as_str()))
                                .one(txn)
                                .await?;
                            let now = assay_store::now();
                            let Some(current) = current else {
                                let state = match row.status {
                                    CourseStatus::Deleted => continue,
                                    CourseStatus::Active => "unpublished",
                                    CourseStatus::Published => "available",
                                    CourseStatus::Completed => "completed",
                                };
                                let created = course::ActiveModel {
                                    root_account_id: Set(root),
                                    account_id: Set(account_id),
                                    enrollment_term_id: Set(term),
                                    name: Set(row.name),
                                    course_code: Set(row.course_code),
                                    uuid: Set(assay_store::secrets::short_id(40)),
                                    sis_course_id: Set(Some(row.sis_id.clone())),
                                    integration_id: Set(None),
                                    workflow_state: Set(state.to_owned()),
                                    start_at: Set(row.start_at.flatten()),
                                    end_at: Set(row.end_at.flatten()),
                                    time_zone: Set(None),
                                    default_view: Set("modules".to_owned()),
                                    apply_assignment_group_weights: Set(false),
                                    hide_final_grades: Set(false),
                                    restrict_enrollments_to_course_dates: Set(false),
                                    is_public: Set(false),
                                    license: Set(None),
                                    settings: Set(None),
                                    created_at: Set(now),
                                    updated_at: Set(now),
                                    ..Default::default()
                                }
                                .insert(txn)
                                .await?;
                                events::record_change(
                                    txn,
                                    root,
                                    "course.created",
                                    created.id,
                                    actor,
                                    assay_store::courses::payload(&created),
                                )
                                .await?;
                                stat.created += 1;
                                infos.push((row.sis_id, CourseInfo { id: created.id, deleted: false }));
                                continue;
                            };
                            let state = match (row.status, current.workflow_state.as_str()) {
                                (CourseStatus::Deleted, _) => "deleted",
                                (CourseStatus::Completed, _) => "completed",
                                (CourseStatus::Published, _) => "available",
                                (CourseStatus::Active, "deleted" | "completed") => "unpublished",
                                (CourseStatus::Active, other) => {
                                    if other == "available" {
                                        "available"
                                    } else {
                                        "unpublished"
                                    }
                                }
                            };
                            let mut next = current.clone();
                            next.name = row.name;
                            next.course_code = row.course_code;
                            next.account_id = account_id;
                            if term.is_some() {
                                next.enrollment_term_id = term;
                            }
                            next.workflow_state = state.to_owned();
                            next.start_at = same_time(row.start_at, current.start_at);
                            next.end_at = same_time(row.end_at, current.end_at);
                            infos
                                .push((row.sis_id.clone(), CourseInfo { id: current.id, deleted: state == "deleted" }));
                            if next == current {
                                continue;
                            }
                            if next.workflow_state != current.workflow_state {
                                match state {
                                    "deleted" => stat.deleted += 1,
                                    "completed" => stat.concluded += 1,
                                    _ if matches!(current.workflow_state.as_str(), "deleted" | "completed") => {
                                        stat.restored += 1
                                    }
                                    _ => stat.updated += 1,
                                }
                            } else {
                                stat.updated += 1;
                            }
                            next.updated_at = now;
                            let model: course::ActiveModel = next.clone().into();
                            let mut model = model.reset_all();
                            model.id = sea_orm::ActiveValue::Unchanged(current.id);
                            let updated = model.update(txn).await?;
                            if state == "deleted" && current.workflow_state != "deleted" {
                                events::record_change(
                                    txn,
                                    root,
                                    "course.deleted",
                                    updated.id,
                                    actor,
                                    assay_store::courses::payload(&updated),
                                )
                                .await?;
                            } else {
                                events::record_update(
                                    txn,
                                    root,
                                    "course",
                                    updated.id,
                                    actor,
                                    assay_store::courses::payload(&current),
                                    assay_store::courses::payload(&updated),
                                )
                                .await?;
                            }
                        }
                        Ok((infos, stat, counted))
                    })
                })
                .await?;
            self.courses.extend(infos);
            add(self.stat("Course"), stat);
            self.count("courses", counted);
            self.done += chunk.len();
            self.tick().await?;
        }
        Ok(())
    }

    async fn sections(&mut self, rows: Vec<Located<crate::batch::SectionRow>>) -> Result<(), StoreError> {
        let rows = first_of_each(rows, |r| r.sis_id.clone(), "section_id", &mut self.report.errors);
        let root = self.root_id();
        for chunk in rows.chunks(SMALL_CHUNK) {
            let mut ready = Vec::new();
            for located in chunk {
                match self.courses.get(&located.row.course) {
                    Some(c) if !c.deleted => ready.push((located.clone(), c.id)),
                    Some(_) => {
                        self.report.errors.push(located.error(format!("course `{}` is deleted", located.row.course)))
                    }
                    None => self
                        .report
                        .errors
                        .push(located.error(format!("course `{}` does not exist", located.row.course))),
                }
            }
            let actor = self.job.actor;
            let (infos, stat, counted) = self
                .store
                .write(move |txn| {
                    Box::pin(async move {
                        let mut stat = Stat::default();
                        let mut infos = Vec::new();
                        let mut counted = 0;
                        for (located, course_id) in ready {
                            let row = located.row;
                            counted += 1;
                            let current = course_section::Entity::find()
                                .filter(course_section::Column::RootAccountId.eq(root))
                                .filter(course_section::Column::SisSectionId.eq(row.sis_id.as_str()))
                                .one(txn)
                                .await?;
                            let now = assay_store::now();
                            let state = if row.deleted { "deleted" } else { "active" };
                            let Some(current) = current else {
                                if row.deleted {
                                    continue;
                                }
                                let created = course_section::ActiveModel {
                                    root_account_id: Set(root),
                                    course_id: Set(course_id),
                                    name: Set(row.name),
                                    sis_section_id: Set(Some(row.sis_id.clone())),
                                    integration_id: Set(None),
                                    start_at: Set(row.start_at.flatten()),
                                    end_at: Set(row.end_at.flatten()),
                                    restrict_enrollments_to_section_dates: Set(false),
                                    workflow_state: Set(state.to_owned()),
                                    default_section: Set(false),
                                    created_at: Set(now),
                                    updated_at: Set(now),
                                    ..Default::default()
                                }
                                .insert(txn)
                                .await?;
                                events::record_change(
                                    txn,
                                    root,
                                    "section.created",
                                    created.id,
                                    actor,
                                    assay_store::sections::payload(&created),
                                )
                                .await?;
                                stat.created += 1;
                                infos.push((row.sis_id, SectionInfo { id: created.id, course_id, deleted: false }));
                                continue;
                            };
                            let mut next = current.clone();
                            next.name = row.name;
                            next.course_id = course_id;
                            next.workflow_state = state.to_owned();
                            next.start_at = same_time(row.start_at, current.start_at);
                            next.end_at = same_time(row.end_at, current.end_at);
                            infos.push((
                                row.sis_id.clone(),
                                SectionInfo { id: current.id, course_id, deleted: row.deleted },
                            ));
                            if next == current {
                                continue;
                            }
                            if next.workflow_state != current.workflow_state {
                                if row.deleted {
                                    stat.deleted += 1;
                                } else {
                                    stat.restored += 1;
                                }
                            } else {
                                stat.updated += 1;
                            }
                            next.updated_at = now;
                            let model: course_section::ActiveModel = next.into();
                            let mut model = model.reset_all();
                            model.id = sea_orm::ActiveValue::Unchanged(current.id);
                            let updated = model.update(txn).await?;
                            if row.deleted && current.workflow_state != "deleted" {
                                events::record_change(
                                    txn,
                                    root,
                                    "section.deleted",
                                    updated.id,
                                    actor,
                                    assay_store::sections::payload(&updated),
                                )
                                .await?;
                            } else {
                                events::record_update(
                                    txn,
                                    root,
                                    "section",
                                    updated.id,
                                    actor,
                                    assay_store::sections::payload(&current),
                                    assay_store::sections::payload(&updated),
                                )
                                .await?;
                            }
                        }
                        Ok((infos, stat, counted))
                    })
                })
                .await?;
            self.sections.extend(infos);
            add(self.stat("CourseSection"), stat);
            self.count("sections", counted);
            self.done += chunk.len();
            self.tick().await?;
        }
        Ok(())
    }

    /// Every user of the school with a SIS id.
    async fn user_map(&mut self) -> Result<&mut HashMap<String, UserInfo>, StoreError> {
        if self.users.is_none() {
            let rows: Vec<(i64, Option<String>, String)> = user::Entity::find()
                .select_only()
                .columns([user::Column::Id, user::Column::SisUserId, user::Column::WorkflowState])
                .filter(user::Column::RootAccountId.eq(self.root_id()))
                .filter(user::Column::SisUserId.is_not_null())
                .into_tuple()
                .all(self.store.read())
                .await?;
            self.users = Some(
                rows.into_iter()
                    .filter_map(|(id, sis, state)| sis.map(|s| (s, UserInfo { id, deleted: state == "deleted" })))
                    .collect(),
            );
        }
        Ok(self.users.get_or_insert_with(HashMap::new))
    }

    async fn users(&mut self, rows: Vec<Located<UserRow>>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let rows = first_of_each(rows, |r| r.sis_id.clone(), "user_id", &mut self.report.errors);
        let root = self.root_id();
        let conn = self.store.read();
        // What exists: users with SIS ids (whole models, to compare), every login name, integration ids.
        let mut existing: HashMap<String, user::Model> = user::Entity::find()
            .filter(user::Column::RootAccountId.eq(root))
            .filter(user::Column::SisUserId.is_not_null())
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|u| u.sis_user_id.clone().map(|s| (s, u)))
            .collect();
        let mut login_owner: HashMap<String, i64> = HashMap::new();
        let mut first_login: HashMap<i64, login::Model> = HashMap::new();
        for l in login::Entity::find()
            .filter(login::Column::RootAccountId.eq(root))
            .filter(login::Column::WorkflowState.eq(accounts::ACTIVE))
            .all(conn)
            .await?
        {
            login_owner.insert(l.unique_id_normalized.clone(), l.user_id);
            match first_login.get(&l.user_id) {
                Some(f) if f.id < l.id => {}
                _ => {
                    first_login.insert(l.user_id, l);
                }
            }
        }
        let integration_rows: Vec<(i64, Option<String>)> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::IntegrationId])
            .filter(user::Column::RootAccountId.eq(root))
            .filter(user::Column::IntegrationId.is_not_null())
            .into_tuple()
            .all(conn)
            .await?;
        let mut integration_owner: HashMap<String, i64> =
            integration_rows.into_iter().filter_map(|(id, i)| i.map(|i| (i, id))).collect();
        // Logins claimed by rows of this import that create users (no id yet): normalized name → SIS id.
        let mut claimed: HashMap<String, String> = HashMap::new();
        let mut claimed_integration: HashMap<String, String> = HashMap::new();

        for chunk in rows.chunks(CHUNK) {
            let mut plan = UserPlan::default();
            for located in chunk {
                let row = &located.row;
                let login_norm = normalize_login(&row.login_id);
                let current = existing.get(&row.sis_id);
                let owner_ok = |owner: Option<&i64>| match (owner, current) {
                    (None, _) => true,
                    (Some(owner), Some(u)) => *owner == u.id,
                    (Some(_), None) => false,
                };
                if !owner_ok(login_owner.get(&login_norm))
                    || claimed.get(&login_norm).is_some_and(|sis| *sis != row.sis_id)
                {
                    self.report
                        .errors
                        .push(located.error(format!("login_id `{}` is already in use by another user", row.login_id)));
                    continue;
                }
                if let Some(Some(integration)) = &row.integration_id
                    && (!owner_ok(integration_owner.get(integration))
                        || claimed_integration.get(integration).is_some_and(|sis| *sis != row.sis_id))
                {
                    self.report.errors.push(
                        located.error(format!("integration_id `{integration}` is already in use by another user")),
                    );
                    continue;
                }
                match current {
                    None if row.deleted => {}
                    None => {
                        claimed.insert(login_norm, row.sis_id.clone());
                        if let Some(Some(integration)) = &row.integration_id {
                            claimed_integration.insert(integration.clone(), row.sis_id.clone());
                        }
                        plan.new.push(located.clone());
                    }
                    Some(u) => {
                        plan.existing.push((located.clone(), u.clone(), first_login.get(&u.id).cloned()));
                    }
                }
            }
            // Passwords: hashed (or checked against the stored hash) off the async threads, before the
            // transaction, so the writer is not held while argon2 works.
            let hashes = hash_passwords(&plan).await;
            let actor = self.job.actor;
            let done = self.done + chunk.len();
            let total = self.total;
            let job = self.job;
            let (created, updated, messages, stat, counted) = self
                .store
                .write(move |txn| {
                    Box::pin(async move { apply_users(txn, root, actor, plan, hashes, job, done, total).await })
                })
                .await?;
            self.report.errors.extend(messages);
            for (model, login) in created {
                if let Some(l) = &login {
                    login_owner.insert(l.unique_id_normalized.clone(), model.id);
                    first_login.insert(model.id, l.clone());
                }
                if let Some(i) = &model.integration_id {
                    integration_owner.insert(i.clone(), model.id);
                }
                if let Some(sis) = model.sis_user_id.clone() {
                    existing.insert(sis, model);
                }
            }
            for (model, login) in updated {
                if let Some(l) = login {
                    login_owner.insert(l.unique_id_normalized.clone(), model.id);
                    first_login.insert(model.id, l);
                }
                if let Some(sis) = model.sis_user_id.clone() {
                    existing.insert(sis, model);
                }
            }
            add(self.stat("Pseudonym"), stat);
            self.count("users", counted);
            self.done = done;
        }
        self.users = Some(
            existing
                .into_iter()
                .map(|(sis, u)| (sis, UserInfo { id: u.id, deleted: u.workflow_state == "deleted" }))
                .collect(),
        );
        Ok(())
    }

    async fn enrollments(&mut self, rows: Vec<Located<EnrollmentRow>>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let root = self.root_id();
        let conn = self.store.read();
        // Users named by Assay id (bulk enrollment).
        let ids: Vec<i64> = rows
            .iter()
            .flat_map(|r| [Some(&r.row.user), r.row.associated_user.as_ref()])
            .flatten()
            .filter_map(|k| match k {
                Key::Id(id) => Some(*id),
                Key::Sis(_) => None,
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut by_id: HashMap<i64, UserInfo> = HashMap::new();
        for chunk in ids.chunks(10_000) {
            let found: Vec<(i64, String)> = user::Entity::find()
                .select_only()
                .columns([user::Column::Id, user::Column::WorkflowState])
                .filter(user::Column::RootAccountId.eq(root))
                .filter(user::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(conn)
                .await?;
            by_id.extend(found.into_iter().map(|(id, s)| (id, UserInfo { id, deleted: s == "deleted" })));
        }
        // Courses named by Assay id (bulk enrollment).
        let course_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| match &r.row.course {
                Some(Key::Id(id)) => Some(*id),
                _ => None,
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut courses_by_id: HashMap<i64, bool> = HashMap::new();
        if !course_ids.is_empty() {
            let found: Vec<(i64, String)> = course::Entity::find()
                .select_only()
                .columns([course::Column::Id, course::Column::WorkflowState])
                .filter(course::Column::RootAccountId.eq(root))
                .filter(course::Column::Id.is_in(course_ids))
                .into_tuple()
                .all(conn)
                .await?;
            courses_by_id.extend(found.into_iter().map(|(id, s)| (id, s == "deleted")));
        }
        // Default sections of the school's courses.
        let defaults: Vec<(i64, i64)> = course_section::Entity::find()
            .select_only()
            .columns([course_section::Column::CourseId, course_section::Column::Id])
            .filter(course_section::Column::RootAccountId.eq(root))
            .filter(course_section::Column::DefaultSection.eq(true))
            .filter(course_section::Column::WorkflowState.eq(accounts::ACTIVE))
            .into_tuple()
            .all(conn)
            .await?;
        let mut default_sections: HashMap<i64, i64> = defaults.into_iter().collect();
        // What is enrolled: (section, user, type) → the row's changeable fields.
        let stored: Vec<StoredRow> = assay_store::entity::enrollment::Entity::find()
            .select_only()
            .columns([
                assay_store::entity::enrollment::Column::Id,
                assay_store::entity::enrollment::Column::CourseSectionId,
                assay_store::entity::enrollment::Column::UserId,
                assay_store::entity::enrollment::Column::Type,
                assay_store::entity::enrollment::Column::WorkflowState,
                assay_store::entity::enrollment::Column::LimitPrivilegesToCourseSection,
                assay_store::entity::enrollment::Column::AssociatedUserId,
            ])
            .filter(assay_store::entity::enrollment::Column::RootAccountId.eq(root))
            .into_tuple()
            .all(conn)
            .await?;
        let mut enrolled: HashMap<(i64, i64, &'static str), Stored> = stored
            .into_iter()
            .filter_map(|(id, section, user, kind, state, limit, associated)| {
                let kind = enrollment_kind(&kind)?;
                Some(((section, user, kind), Stored { id, state, limit, associated }))
            })
            .collect();
        let users = self.user_map().await?.clone_map();
        let mut seen: HashMap<(i64, i64, &'static str), u64> = HashMap::new();

        for chunk in rows.chunks(CHUNK) {
            let mut plan = EnrollmentPlan::default();
            for located in chunk {
                let row = &located.row;
                let resolve_user = |key: &Key| -> Result<i64, String> {
                    let info = match key {
                        Key::Sis(s) => users.get(s).copied(),
                        Key::Id(id) => by_id.get(id).copied(),
                    };
                    match info {
                        Some(u) if !u.deleted => Ok(u.id),
                        Some(_) => Err(format!("user {key} is deleted")),
                        None => Err(format!("user {key} does not exist")),
                    }
                };
                let user_id = match resolve_user(&row.user) {
                    Ok(id) => id,
                    Err(message) => {
                        self.report.errors.push(located.error(message));
                        continue;
                    }
                };
                let associated = match &row.associated_user {
                    None => None,
                    Some(key) => match resolve_user(key) {
                        Ok(id) => Some(id),
                        Err(message) => {
                            self.report.warnings.push(located.error(format!("associated_user_id: {message}; ignored")));
                            None
                        }
                    },
                };
                let course = match &row.course {
                    None => None,
                    Some(Key::Sis(s)) => match self.courses.get(s) {
                        Some(c) if !c.deleted => Some(c.id),
                        Some(_) => {
                            self.report.errors.push(located.error(format!("course `{s}` is deleted")));
                            continue;
                        }
                        None => {
                            self.report.errors.push(located.error(format!("course `{s}` does not exist")));
                            continue;
                        }
                    },
                    Some(Key::Id(id)) => match courses_by_id.get(id) {
                        Some(false) => Some(*id),
                        _ => {
                            self.report.errors.push(located.error(format!("course {id} does not exist")));
                            continue;
                        }
                    },
                };
                let section = match &row.section {
                    None => None,
                    Some(key) => {
                        let found = match key {
                            Key::Sis(s) => self.sections.get(s),
                            Key::Id(_) => None,
                        };
                        match found {
                            Some(s) if !s.deleted => Some((s.id, s.course_id)),
                            Some(_) => {
                                self.report.errors.push(located.error(format!("section {key} is deleted")));
                                continue;
                            }
                            None => {
                                self.report.errors.push(located.error(format!("section {key} does not exist")));
                                continue;
                            }
                        }
                    }
                };
                let (course_id, section_id) = match (course, section) {
                    (Some(c), Some((_, sc))) if c != sc => {
                        self.report.errors.push(located.error("the section does not belong to the course"));
                        continue;
                    }
                    (_, Some((s, sc))) => (sc, Some(s)),
                    (Some(c), None) => (c, default_sections.get(&c).copied()),
                    (None, None) => continue,
                };
                let target = Target {
                    course_id,
                    section_id,
                    user_id,
                    kind: row.kind,
                    state: row.state,
                    limit: row.limit_section_privileges,
                    associated,
                };
                if let Some(section_id) = section_id {
                    let key = (section_id, user_id, row.kind);
                    if let Some(line) = seen.get(&key) {
                        self.report.errors.push(located.error(format!(
                            "duplicate enrollment of the same user, section and role (first given in row {line}); row skipped"
                        )));
                        continue;
                    }
                    seen.insert(key, located.line);
                    match enrolled.get(&key) {
                        Some(current) => plan.existing.push((target, current.clone())),
                        None if row.state == "deleted" => plan.unchanged += 1,
                        None => plan.new.push(target),
                    }
                } else if row.state == "deleted" {
                    plan.unchanged += 1;
                } else {
                    // The course has no default section yet: it is made in this chunk's transaction.
                    let key = (-course_id, user_id, row.kind);
                    if let Some(line) = seen.get(&key) {
                        self.report.errors.push(located.error(format!(
                            "duplicate enrollment of the same user, section and role (first given in row {line}); row skipped"
                        )));
                        continue;
                    }
                    seen.insert(key, located.line);
                    plan.new.push(target);
                }
            }
            let actor = self.job.actor;
            let done = self.done + chunk.len();
            let total = self.total;
            let job = self.job;
            let (made_defaults, new_rows, changed, stat, counted) = self
                .store
                .write(move |txn| {
                    Box::pin(async move { apply_enrollments(txn, root, actor, plan, job, done, total).await })
                })
                .await?;
            default_sections.extend(made_defaults);
            for (key, stored) in new_rows.into_iter().chain(changed) {
                enrolled.insert(key, stored);
            }
            add(self.stat("Enrollment"), stat);
            self.count("enrollments", counted);
            self.done = done;
        }
        Ok(())
    }
}

trait CloneMap {
    fn clone_map(&self) -> HashMap<String, UserInfo>;
}

impl CloneMap for HashMap<String, UserInfo> {
    fn clone_map(&self) -> HashMap<String, UserInfo> {
        self.clone()
    }
}

fn add(into: &mut Stat, from: Stat) {
    into.created += from.created;
    into.updated += from.updated;
    into.concluded += from.concluded;
    into.deactivated += from.deactivated;
    into.restored += from.restored;
    into.deleted += from.deleted;
}

fn enrollment_kind(kind: &str) -> Option<&'static str> {
    ["StudentEnrollment", "TeacherEnrollment", "TaEnrollment", "DesignerEnrollment", "ObserverEnrollment"]
        .into_iter()
        .find(|k| *k == kind)
}

#[derive(Default)]
struct UserPlan {
    new: Vec<Located<UserRow>>,
    existing: Vec<(Located<UserRow>, user::Model, Option<login::Model>)>,
}

/// Password work done before a users chunk's transaction: SIS id → the new hash to store.
type Hashes = HashMap<String, String>;

async fn hash_passwords(plan: &UserPlan) -> Hashes {
    let mut work = Vec::new();
    for located in &plan.new {
        if let Some(p) = &located.row.password {
            work.push((located.row.sis_id.clone(), p.clone(), None));
        }
    }
    for (located, _, login) in &plan.existing {
        if let Some(p) = &located.row.password {
            work.push((located.row.sis_id.clone(), p.clone(), login.as_ref().and_then(|l| l.password_hash.clone())));
        }
    }
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(sis, password, current)| {
            tokio::task::spawn_blocking(move || {
                use argon2::{
                    Argon2,
                    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
                };
                // The stored hash already matches: nothing to change (a second run of the import is a no-op).
                if let Some(current) = current
                    && PasswordHash::new(&current)
                        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                {
                    return None;
                }
                Argon2::default().hash_password(password.as_bytes()).ok().map(|h| (sis, h.to_string()))
            })
        })
        .collect();
    let mut out = HashMap::new();
    for task in tasks {
        if let Ok(Some((sis, hash))) = task.await {
            out.insert(sis, hash);
        }
    }
    out
}

type UserChunk =
    (Vec<(user::Model, Option<login::Model>)>, Vec<(user::Model, Option<login::Model>)>, Vec<Message>, Stat, u64);

#[allow(clippy::too_many_arguments)]
async fn apply_users(
    txn: &DatabaseTransaction,
    root: i64,
    actor: Actor,
    plan: UserPlan,
    hashes: Hashes,
    job: JobRef,
    done: usize,
    total: usize,
) -> Result<UserChunk, StoreError> {
    let now = assay_store::now();
    let mut stat = Stat::default();
    let mut counted = 0u64;
    let mut events_out: Vec<Event> = Vec::new();
    let mut created_pairs: Vec<(user::Model, Option<login::Model>)> = Vec::new();
    // New users: one multi-row insert, then their logins.
    if !plan.new.is_empty() {
        let mut created = Vec::new();
        let mut rows = Vec::with_capacity(plan.new.len());
        let mut pending: HashMap<String, user::Model> = HashMap::new();
        for located in &plan.new {
            let r = &located.row;
            let sortable = r.sortable_name.clone().unwrap_or_else(|| sortable_name(&r.name));
            let model = user::Model {
                id: 0,
                root_account_id: root,
                account_id: root,
                name: r.name.clone(),
                sort_key: sortable.to_lowercase(),
                sortable_name: sortable,
                short_name: r.short_name.clone().unwrap_or_else(|| r.name.clone()),
                sis_user_id: Some(r.sis_id.clone()),
                integration_id: r.integration_id.clone().flatten(),
                email: r.email.clone(),
                locale: None,
                time_zone: None,
                workflow_state: "registered".to_owned(),
                created_at: now,
                updated_at: now,
            };
            rows.push(vec![
                Value::from(model.root_account_id),
                model.account_id.into(),
                model.name.clone().into(),
                model.sortable_name.clone().into(),
                model.sort_key.clone().into(),
                model.short_name.clone().into(),
                model.sis_user_id.clone().into(),
                model.integration_id.clone().into(),
                model.email.clone().into(),
                model.workflow_state.clone().into(),
                now.into(),
                now.into(),
            ]);
            pending.insert(r.sis_id.clone(), model);
        }
        let returned = sql::insert(
            txn,
            "users",
            &[
                "root_account_id",
                "account_id",
                "name",
                "sortable_name",
                "sort_key",
                "short_name",
                "sis_user_id",
                "integration_id",
                "email",
                "workflow_state",
                "created_at",
                "updated_at",
            ],
            rows,
            &["id", "sis_user_id"],
        )
        .await?;
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(returned.len());
        for row in returned {
            let id: i64 = row.try_get("", "id")?;
            let sis: String = row.try_get("", "sis_user_id")?;
            ids.insert(sis, id);
        }
        let mut login_rows = Vec::with_capacity(plan.new.len());
        let mut logins_of: HashMap<i64, login::Model> = HashMap::new();
        for located in &plan.new {
            let r = &located.row;
            let (Some(id), Some(mut model)) = (ids.get(&r.sis_id).copied(), pending.remove(&r.sis_id)) else {
                continue;
            };
            model.id = id;
            let login = login::Model {
                id: 0,
                root_account_id: root,
                user_id: id,
                unique_id: r.login_id.trim().to_owned(),
                unique_id_normalized: normalize_login(&r.login_id),
                password_hash: hashes.get(&r.sis_id).cloned(),
                workflow_state: accounts::ACTIVE.to_owned(),
                created_at: now,
                updated_at: now,
            };
            login_rows.push(vec![
                Value::from(root),
                id.into(),
                login.unique_id.clone().into(),
                login.unique_id_normalized.clone().into(),
                login.password_hash.clone().into(),
                login.workflow_state.clone().into(),
                now.into(),
                now.into(),
            ]);
            events_out.push(Event {
                event_type: "user.created",
                subject_id: id,
                payload: assay_store::users::event_payload(&model),
            });
            logins_of.insert(id, login);
            created.push(model);
            stat.created += 1;
            counted += 1;
        }
        let returned = sql::insert(
            txn,
            "logins",
            &[
                "root_account_id",
                "user_id",
                "unique_id",
                "unique_id_normalized",
                "password_hash",
                "workflow_state",
                "created_at",
                "updated_at",
            ],
            login_rows,
            &["id", "user_id"],
        )
        .await?;
        for row in returned {
            let id: i64 = row.try_get("", "id")?;
            let user_id: i64 = row.try_get("", "user_id")?;
            if let Some(l) = logins_of.get_mut(&user_id) {
                l.id = id;
            }
        }
        created_pairs = created
            .into_iter()
            .map(|u| {
                let l = logins_of.remove(&u.id);
                (u, l)
            })
            .collect();
    }
    let context = UsersDone { root, actor, now, job, done, total };
    finish_users(txn, context, plan.existing, hashes, created_pairs, events_out, stat, counted).await
}

/// Where a users chunk stands when its new users are in.
struct UsersDone {
    root: i64,
    actor: Actor,
    now: DateTime<Utc>,
    job: JobRef,
    done: usize,
    total: usize,
}

#[allow(clippy::too_many_arguments)]
async fn finish_users(
    txn: &DatabaseTransaction,
    context: UsersDone,
    existing: Vec<(Located<UserRow>, user::Model, Option<login::Model>)>,
    hashes: Hashes,
    created: Vec<(user::Model, Option<login::Model>)>,
    mut events_out: Vec<Event>,
    mut stat: Stat,
    mut counted: u64,
) -> Result<UserChunk, StoreError> {
    let UsersDone { root, actor, now, job, done, total } = context;
    let mut updated_out = Vec::new();
    let mut deleted_users = Vec::new();
    for (located, current, current_login) in existing {
        let r = located.row;
        counted += 1;
        let mut next = current.clone();
        next.name = r.name.clone();
        let sortable = r.sortable_name.clone().unwrap_or_else(|| sortable_name(&r.name));
        next.sort_key = sortable.to_lowercase();
        next.sortable_name = sortable;
        next.short_name = r.short_name.clone().unwrap_or_else(|| r.name.clone());
        if r.email.is_some() {
            next.email = r.email.clone();
        }
        if let Some(integration) = r.integration_id.clone() {
            next.integration_id = integration;
        }
        next.workflow_state = if r.deleted {
            "deleted".to_owned()
        } else if current.workflow_state == "deleted" {
            "registered".to_owned()
        } else {
            current.workflow_state.clone()
        };
        let mut login_out = None;
        // The login: the user's first active one carries the SIS login name.
        let normalized = normalize_login(&r.login_id);
        let new_hash = hashes.get(&r.sis_id).cloned();
        match current_login {
            Some(l)
                if l.unique_id_normalized == normalized && l.unique_id == r.login_id.trim() && new_hash.is_none() => {}
            Some(l) => {
                let mut model: login::ActiveModel = l.clone().into();
                model.unique_id = Set(r.login_id.trim().to_owned());
                model.unique_id_normalized = Set(normalized);
                if let Some(h) = new_hash.clone() {
                    model.password_hash = Set(Some(h));
                }
                model.updated_at = Set(now);
                let saved = model.update(txn).await?;
                let mut after = assay_store::logins::payload(&saved);
                if new_hash.is_some() {
                    after["password_changed_at"] = json!(saved.updated_at);
                }
                let before = assay_store::logins::payload(&l);
                let changes = sql::changes(&before, &after);
                if !changes.is_empty() {
                    events_out.push(Event {
                        event_type: "login.updated",
                        subject_id: saved.id,
                        payload: json!({"login": after, "changes": changes}),
                    });
                }
                stat.updated += u64::from(next == current);
                login_out = Some(saved);
            }
            None => {
                let saved = login::ActiveModel {
                    root_account_id: Set(root),
                    user_id: Set(current.id),
                    unique_id: Set(r.login_id.trim().to_owned()),
                    unique_id_normalized: Set(normalized),
                    password_hash: Set(new_hash),
                    workflow_state: Set(accounts::ACTIVE.to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                events_out.push(Event {
                    event_type: "login.created",
                    subject_id: saved.id,
                    payload: assay_store::logins::payload(&saved),
                });
                stat.updated += u64::from(next == current);
                login_out = Some(saved);
            }
        }
        if next == current {
            if login_out.is_some() {
                updated_out.push((current, login_out));
            }
            continue;
        }
        next.updated_at = now;
        let model: user::ActiveModel = next.clone().into();
        let mut model = model.reset_all();
        model.id = sea_orm::ActiveValue::Unchanged(current.id);
        let saved = model.update(txn).await?;
        let (before, after) = (assay_store::users::event_payload(&current), assay_store::users::event_payload(&saved));
        if saved.workflow_state == "deleted" && current.workflow_state != "deleted" {
            stat.deleted += 1;
            deleted_users.push(saved.id);
            events_out.push(Event { event_type: "user.deleted", subject_id: saved.id, payload: after });
        } else {
            if current.workflow_state == "deleted" {
                stat.restored += 1;
            } else {
                stat.updated += 1;
            }
            events_out.push(Event {
                event_type: "user.updated",
                subject_id: saved.id,
                payload: json!({"user": after.clone(), "changes": sql::changes(&before, &after)}),
            });
        }
        updated_out.push((saved, login_out));
    }
    // A deleted user's enrollments are deleted with it (Canvas does the same).
    if !deleted_users.is_empty() {
        events_out.extend(delete_enrollments_of(txn, root, &deleted_users, now).await?);
    }
    sql::events(txn, root, actor.user_id, events_out).await?;
    set_running(txn, job, done, total).await?;
    Ok((created, updated_out, Vec::new(), stat, counted))
}

async fn set_running(txn: &DatabaseTransaction, job: JobRef, done: usize, total: usize) -> Result<(), StoreError> {
    let completion = (done as f64 / total.max(1) as f64 * 100.0).min(99.0);
    sis_imports::set_progress(
        txn,
        job.progress_id,
        sis_imports::RUNNING,
        (completion * 10.0).round() / 10.0,
        None,
        None,
    )
    .await?;
    sis_imports::heartbeat(txn, job.import_id).await
}

/// What an event says about an enrollment.
#[allow(clippy::too_many_arguments)]
fn enrollment_payload(
    id: i64,
    course_id: i64,
    section_id: i64,
    user_id: i64,
    kind: &str,
    state: &str,
    limit: bool,
    associated: Option<i64>,
) -> serde_json::Value {
    assay_store::enrollments::event_payload(&assay_store::enrollments::EnrollmentFacts {
        id,
        course_id,
        course_section_id: section_id,
        user_id,
        kind,
        state,
        limit_privileges_to_course_section: limit,
        associated_user_id: associated,
    })
}

async fn delete_enrollments_of(
    txn: &DatabaseTransaction,
    root: i64,
    user_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<Event>, StoreError> {
    use assay_store::entity::enrollment;
    let rows = enrollment::Entity::find()
        .filter(enrollment::Column::RootAccountId.eq(root))
        .filter(enrollment::Column::UserId.is_in(user_ids.to_vec()))
        .filter(enrollment::Column::WorkflowState.ne("deleted"))
        .all(txn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    sql::update_ids(txn, "enrollments", &[("workflow_state", "deleted".into()), ("updated_at", now.into())], &ids)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| Event {
            event_type: "enrollment.deleted",
            subject_id: e.id,
            payload: enrollment_payload(
                e.id,
                e.course_id,
                e.course_section_id,
                e.user_id,
                &e.r#type,
                "deleted",
                e.limit_privileges_to_course_section,
                e.associated_user_id,
            ),
        })
        .collect())
}

/// An enrollment as loaded: id, section, user, type, state, limit_privileges, associated user.
type StoredRow = (i64, i64, i64, String, String, bool, Option<i64>);

#[derive(Clone)]
struct Stored {
    id: i64,
    state: String,
    limit: bool,
    associated: Option<i64>,
}

struct Target {
    course_id: i64,
    /// `None`: the course's default section, made in the chunk's transaction.
    section_id: Option<i64>,
    user_id: i64,
    kind: &'static str,
    state: &'static str,
    limit: bool,
    associated: Option<i64>,
}

#[derive(Default)]
struct EnrollmentPlan {
    new: Vec<Target>,
    existing: Vec<(Target, Stored)>,
    unchanged: u64,
}

type EnrollmentKey = (i64, i64, &'static str);
type EnrollmentChunk = (Vec<(i64, i64)>, Vec<(EnrollmentKey, Stored)>, Vec<(EnrollmentKey, Stored)>, Stat, u64);

async fn apply_enrollments(
    txn: &DatabaseTransaction,
    root: i64,
    actor: Actor,
    plan: EnrollmentPlan,
    job: JobRef,
    done: usize,
    total: usize,
) -> Result<EnrollmentChunk, StoreError> {
    let now = assay_store::now();
    let mut stat = Stat::default();
    let mut counted = plan.unchanged;
    let mut events_out = Vec::new();
    // Default sections for courses that have none yet (named after the course, as `sections::default_for`).
    let missing: Vec<i64> = plan
        .new
        .iter()
        .filter(|t| t.section_id.is_none())
        .map(|t| t.course_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut made_defaults: Vec<(i64, i64)> = Vec::new();
    if !missing.is_empty() {
        let names: Vec<(i64, String)> = course::Entity::find()
            .select_only()
            .columns([course::Column::Id, course::Column::Name])
            .filter(course::Column::Id.is_in(missing.clone()))
            .into_tuple()
            .all(txn)
            .await?;
        let rows = names
            .into_iter()
            .map(|(course_id, name)| {
                vec![
                    Value::from(root),
                    course_id.into(),
                    name.into(),
                    false.into(),
                    accounts::ACTIVE.into(),
                    true.into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        let returned = sql::insert(
            txn,
            "course_sections",
            &[
                "root_account_id",
                "course_id",
                "name",
                "restrict_enrollments_to_section_dates",
                "workflow_state",
                "default_section",
                "created_at",
                "updated_at",
            ],
            rows,
            &["id", "course_id"],
        )
        .await?;
        for row in returned {
            made_defaults.push((row.try_get("", "course_id")?, row.try_get("", "id")?));
        }
    }
    let default_of: HashMap<i64, i64> = made_defaults.iter().copied().collect();
    // New enrollments: one multi-row insert.
    let mut created = Vec::new();
    if !plan.new.is_empty() {
        let rows: Vec<Vec<Value>> = plan
            .new
            .iter()
            .filter_map(|t| {
                let section = t.section_id.or_else(|| default_of.get(&t.course_id).copied())?;
                Some(vec![
                    Value::from(root),
                    t.course_id.into(),
                    section.into(),
                    t.user_id.into(),
                    t.kind.into(),
                    t.kind.into(),
                    t.state.into(),
                    t.limit.into(),
                    t.associated.into(),
                    (t.state == "completed").then_some(now).into(),
                    now.into(),
                    now.into(),
                ])
            })
            .collect();
        let returned = sql::insert(
            txn,
            "enrollments",
            &[
                "root_account_id",
                "course_id",
                "course_section_id",
                "user_id",
                "type",
                "role",
                "workflow_state",
                "limit_privileges_to_course_section",
                "associated_user_id",
                "completed_at",
                "created_at",
                "updated_at",
            ],
            rows,
            &[
                "id",
                "course_id",
                "course_section_id",
                "user_id",
                "type",
                "workflow_state",
                "limit_privileges_to_course_section",
                "associated_user_id",
            ],
        )
        .await?;
        for row in returned {
            let id: i64 = row.try_get("", "id")?;
            let course_id: i64 = row.try_get("", "course_id")?;
            let section: i64 = row.try_get("", "course_section_id")?;
            let user_id: i64 = row.try_get("", "user_id")?;
            let kind: String = row.try_get("", "type")?;
            let state: String = row.try_get("", "workflow_state")?;
            let limit: bool = row.try_get("", "limit_privileges_to_course_section")?;
            let associated: Option<i64> = row.try_get("", "associated_user_id")?;
            let Some(kind) = enrollment_kind(&kind) else { continue };
            events_out.push(Event {
                event_type: "enrollment.created",
                subject_id: id,
                payload: enrollment_payload(id, course_id, section, user_id, kind, &state, limit, associated),
            });
            created.push(((section, user_id, kind), Stored { id, state, limit, associated }));
            stat.created += 1;
            counted += 1;
        }
    }
    // Changed enrollments, grouped by their new values: one UPDATE per group.
    let mut groups: HashMap<(&'static str, bool, Option<i64>), Vec<i64>> = HashMap::new();
    let mut changed = Vec::new();
    for (t, current) in plan.existing {
        counted += 1;
        if current.state == t.state && current.limit == t.limit && current.associated == t.associated {
            continue;
        }
        match (current.state.as_str(), t.state) {
            (a, b) if a == b => stat.updated += 1,
            (_, "deleted") => stat.deleted += 1,
            (_, "completed") => stat.concluded += 1,
            (_, "inactive") => stat.deactivated += 1,
            (_, _) => stat.restored += 1,
        }
        groups.entry((t.state, t.limit, t.associated)).or_default().push(current.id);
        let section = t.section_id.unwrap_or_default();
        let event_type = if t.state == "deleted" { "enrollment.deleted" } else { "enrollment.updated" };
        let after =
            enrollment_payload(current.id, t.course_id, section, t.user_id, t.kind, t.state, t.limit, t.associated);
        let before = enrollment_payload(
            current.id,
            t.course_id,
            section,
            t.user_id,
            t.kind,
            &current.state,
            current.limit,
            current.associated,
        );
        let payload = if t.state == "deleted" {
            after
        } else {
            json!({"enrollment": after.clone(), "changes": sql::changes(&before, &after)})
        };
        events_out.push(Event { event_type, subject_id: current.id, payload });
        changed.push((
            (section, t.user_id, t.kind),
            Stored { id: current.id, state: t.state.to_owned(), limit: t.limit, associated: t.associated },
        ));
    }
    for ((state, limit, associated), ids) in groups {
        let completed_at: Option<DateTime<Utc>> = (state == "completed").then_some(now);
        sql::update_ids(
            txn,
            "enrollments",
            &[
                ("workflow_state", state.into()),
                ("limit_privileges_to_course_section", limit.into()),
                ("associated_user_id", associated.into()),
                ("completed_at", completed_at.into()),
                ("updated_at", now.into()),
            ],
            &ids,
        )
        .await?;
    }
    sql::events(txn, root, actor.user_id, events_out).await?;
    set_running(txn, job, done, total).await?;
    Ok((made_defaults, created, changed, stat, counted))
}
