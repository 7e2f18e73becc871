//! Reading an upload: a zip of CSV files or one CSV file, in Canvas's SIS CSV format (`instructure_csv`) or the
//! OneRoster 1.2 CSV binding (`oneroster_csv`), into a [`Batch`].
//!
//! A file that cannot be read at all (not a zip, no header, an unknown kind of CSV) is refused when the import is
//! posted ([`inspect`]); problems with single rows are reported per row and the good rows are still imported.

use std::{collections::HashMap, io::Read, sync::Arc};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::batch::{
    AccountRow, Batch, CourseRow, CourseStatus, DateField, EnrollmentRow, Key, Located, Message, SectionRow, TermRow,
    UserRow,
};

pub const INSTRUCTURE_CSV: &str = "instructure_csv";
pub const ONEROSTER_CSV: &str = "oneroster_csv";

/// Largest uncompressed size of one file inside a zip (a guard against zip bombs).
const MAX_ENTRY_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// One CSV file of an upload.
pub struct CsvFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What `inspect` learned about an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub import_type: &'static str,
    pub supplied_batches: Vec<&'static str>,
}

/// The CSV files of an upload: the entries of a zip (by its magic bytes), or the upload itself.
pub fn files(data: &[u8], file_name: Option<&str>) -> Result<Vec<CsvFile>, String> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data))
            .map_err(|e| format!("the zip file cannot be read: {e}"))?;
        let mut out = Vec::new();
        for i in 0..archive.len() {
            let entry = archive.by_index(i).map_err(|e| format!("the zip file cannot be read: {e}"))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().rsplit('/').next().unwrap_or_default().to_owned();
            // Hidden files and macOS resource forks are not data.
            if name.starts_with('.') || entry.name().starts_with("__MACOSX") || !name.to_lowercase().ends_with(".csv") {
                continue;
            }
            if entry.size() > MAX_ENTRY_BYTES {
                return Err(format!("{name} is larger than {MAX_ENTRY_BYTES} bytes uncompressed"));
            }
            let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
            entry
                .take(MAX_ENTRY_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{name} in the zip file cannot be read: {e}"))?;
            out.push(CsvFile { name, bytes });
        }
        if out.is_empty() {
            return Err("the zip file holds no .csv files".into());
        }
        // Canvas's order of work does not depend on the order in the zip; a stable order keeps reports stable.
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    } else {
        if data.is_empty() {
            return Err("the upload is empty".into());
        }
        Ok(vec![CsvFile { name: file_name.unwrap_or("upload.csv").to_owned(), bytes: data.to_vec() }])
    }
}

const ONEROSTER_FILES: &[&str] =
    &["manifest.csv", "orgs.csv", "academicsessions.csv", "classes.csv", "enrollments.csv", "courses.csv", "users.csv"];

fn looks_like_oneroster(files: &[CsvFile]) -> bool {
    files.iter().any(|f| {
        let name = f.name.to_lowercase();
        name == "manifest.csv" || name == "academicsessions.csv" || name == "classes.csv" || name == "orgs.csv"
    })
}

/// The header of a CSV file, lower-cased and trimmed (a UTF-8 byte-order mark is dropped).
fn header(file: &CsvFile) -> Result<Vec<String>, String> {
    let mut reader = reader(&file.bytes);
    let headers = reader.byte_headers().map_err(|e| format!("{}: the header row cannot be read: {e}", file.name))?;
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) } else { h };
            String::from_utf8_lossy(h).trim().to_lowercase()
        })
        .collect();
    if names.iter().all(String::is_empty) {
        return Err(format!("{}: the file has no header row", file.name));
    }
    Ok(names)
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(bytes)
}

/// The kind of a Canvas CSV, from its header (Canvas also tells files apart by their columns, not their names).
fn canvas_kind(cols: &[String]) -> Option<&'static str> {
    let has = |c: &str| cols.iter().any(|x| x == c);
    if has("user_id") && (has("role") || has("role_id")) && (has("course_id") || has("section_id")) {
        Some("enrollment")
    } else if has("section_id") && has("course_id") {
        Some("section")
    } else if has("course_id") && (has("short_name") || has("long_name")) {
        Some("course")
    } else if has("user_id") && has("login_id") {
        Some("user")
    } else if has("account_id") && has("parent_account_id") {
        Some("account")
    } else if has("term_id") {
        Some("term")
    } else {
        None
    }
}

fn oneroster_kind(name: &str) -> Option<&'static str> {
    match name.to_lowercase().as_str() {
        "orgs.csv" => Some("account"),
        "academicsessions.csv" => Some("term"),
        "classes.csv" => Some("course"),
        "users.csv" => Some("user"),
        "enrollments.csv" => Some("enrollment"),
        _ => None,
    }
}

/// Checks that an upload can be read at all and says what it holds. `import_type` is the client's (validated)
/// choice, if any; otherwise the format is detected from the file names.
pub fn inspect(data: &[u8], file_name: Option<&str>, import_type: Option<&str>) -> Result<Inspected, String> {
    let files = files(data, file_name)?;
    let import_type = match import_type {
        Some(ONEROSTER_CSV) => ONEROSTER_CSV,
        Some(_) => INSTRUCTURE_CSV,
        None if looks_like_oneroster(&files) => ONEROSTER_CSV,
        None => INSTRUCTURE_CSV,
    };
    let mut supplied = Vec::new();
    for file in &files {
        let cols = header(file)?;
        let kind = if import_type == ONEROSTER_CSV {
            if !ONEROSTER_FILES.contains(&file.name.to_lowercase().as_str()) {
                continue;
            }
            if !cols.iter().any(|c| c == "sourcedid" || c == "propertyname") {
                return Err(format!("{}: a OneRoster file needs a sourcedId column", file.name));
            }
            oneroster_kind(&file.name)
        } else {
            Some(canvas_kind(&cols).ok_or_else(|| {
                format!(
                    "{}: the columns ({}) do not match any SIS CSV format (users, accounts, terms, courses, sections, enrollments)",
                    file.name,
                    cols.join(", ")
                )
            })?)
        };
        if let Some(kind) = kind
            && !supplied.contains(&kind)
        {
            supplied.push(kind);
        }
    }
    if supplied.is_empty() {
        return Err("the upload holds no file this import understands".into());
    }
    Ok(Inspected { import_type, supplied_batches: supplied })
}

/// Reads an upload (already inspected) into a batch. Problems with single rows land in `errors`/`warnings`.
pub fn parse(data: &[u8], file_name: Option<&str>, import_type: &str) -> Result<Batch, String> {
    let files = files(data, file_name)?;
    let mut batch = Batch::default();
    if import_type == ONEROSTER_CSV {
        oneroster(&files, &mut batch)?;
    } else {
        for file in &files {
            let cols = header(file)?;
            let Some(kind) = canvas_kind(&cols) else {
                batch.errors.push(Message::file(&file.name, "the columns do not match any SIS CSV format"));
                continue;
            };
            batch.supply(kind);
            let table = Table::read(file, cols, &mut batch.errors);
            match kind {
                "account" => canvas_accounts(&table, &mut batch),
                "term" => canvas_terms(&table, &mut batch),
                "course" => canvas_courses(&table, &mut batch),
                "section" => canvas_sections(&table, &mut batch),
                "user" => canvas_users(&table, &mut batch),
                _ => canvas_enrollments(&table, &mut batch),
            }
        }
    }
    // Problems found while reading come out in file and row order, whichever check found them.
    batch.errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    batch.warnings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(batch)
}

/// A CSV file's good rows, as cells by column name.
struct Table {
    file: Arc<str>,
    cols: HashMap<String, usize>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    fn read(file: &CsvFile, cols: Vec<String>, errors: &mut Vec<Message>) -> Table {
        let width = cols.len();
        let index: HashMap<String, usize> = cols.into_iter().enumerate().map(|(i, c)| (c, i)).collect();
        let mut reader = reader(&file.bytes);
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    if record.len() != width {
                        errors.push(Message::at(
                            &file.name,
                            line,
                            format!("the row has {} fields; the header has {width}", record.len()),
                        ));
                        continue;
                    }
                    match record.iter().map(|f| std::str::from_utf8(f).map(|s| s.trim().to_owned())).collect() {
                        Ok(cells) => rows.push((line, cells)),
                        Err(_) => errors.push(Message::at(&file.name, line, "the row is not valid UTF-8")),
                    }
                }
                Err(err) => {
                    let line = err.position().map_or(0, |p| p.line());
                    errors.push(Message::at(&file.name, line, format!("the row cannot be read: {err}")));
                    if !matches!(err.kind(), csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }) {
                        break;
                    }
                }
            }
        }
        Table { file: Arc::from(file.name.as_str()), cols: index, rows }
    }

    fn has(&self, col: &str) -> bool {
        self.cols.contains_key(col)
    }

    /// The cell, or "" when the column is absent.
    fn get<'a>(&self, row: &'a [String], col: &str) -> &'a str {
        self.cols.get(col).and_then(|&i| row.get(i)).map_or("", String::as_str)
    }

    fn opt(&self, row: &[String], col: &str) -> Option<String> {
        let v = self.get(row, col);
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn at<T>(&self, line: u64, row: T) -> Located<T> {
        Located { file: self.file.clone(), line, row }
    }

    fn err(&self, line: u64, message: impl std::fmt::Display) -> Message {
        Message::at(&self.file, line, message)
    }

    /// A date column: absent → leave alone, blank → clear, unreadable → leave alone with a warning.
    fn date(&self, row: &[String], col: &str, line: u64, warnings: &mut Vec<Message>) -> DateField {
        if !self.has(col) {
            return None;
        }
        let raw = self.get(row, col);
        if raw.is_empty() {
            return Some(None);
        }
        match parse_time(raw) {
            Some(t) => Some(Some(t)),
            None => {
                warnings.push(self.err(line, format!("bad date `{raw}` in {col} (use YYYY-MM-DDTHH:MM:SSZ); ignored")));
                None
            }
        }
    }
}

/// ISO 8601 times as SIS files write them: `2024-01-02T03:04:05Z`, with an offset, with a space, or a bare date
/// (midnight UTC).
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(t) = DateTime::parse_from_str(raw, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, fmt) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

/// `active` / `deleted` (the status column of accounts, terms, sections and users).
fn active_or_deleted(table: &Table, row: &[String], line: u64, errors: &mut Vec<Message>) -> Option<bool> {
    match table.get(row, "status").to_lowercase().as_str() {
        "active" => Some(false),
        "deleted" => Some(true),
        "" => {
            errors.push(table.err(line, "status is required (active or deleted)"));
            None
        }
        other => {
            errors.push(table.err(line, format!("unknown status `{other}` (use active or deleted)")));
            None
        }
    }
}

fn required(table: &Table, row: &[String], col: &str, line: u64, errors: &mut Vec<Message>) -> Option<String> {
    let v = table.opt(row, col);
    if v.is_none() {
        errors.push(table.err(line, format!("{col} is required")));
    }
    v
}

fn canvas_accounts(t: &Table, b: &mut Batch) {
    for (line, row) in &t.rows {
        let line = *line;
        let Some(sis_id) = required(t, row, "account_id", line, &mut b.errors) else { continue };
        let Some(deleted) = active_or_deleted(t, row, line, &mut b.errors) else { continue };
        let Some(name) = required(t, row, "name", line, &mut b.errors) else { continue };
        b.accounts.push(t.at(line, AccountRow { sis_id, parent: t.opt(row, "parent_account_id"), name, deleted }));
    }
}

fn canvas_terms(t: &Table, b: &mut Batch) {
    for (line, row) in &t.rows {
        let line = *line;
        let Some(sis_id) = required(t, row, "term_id", line, &mut b.errors) else { continue };
        let Some(deleted) = active_or_deleted(t, row, line, &mut b.errors) else { continue };
        let Some(name) = required(t, row, "name", line, &mut b.errors) else { continue };
        let start_at = t.date(row, "start_date", line, &mut b.warnings);
        let end_at = t.date(row, "end_date", line, &mut b.warnings);
        b.terms.push(t.at(line, TermRow { sis_id, name, deleted, start_at, end_at }));
    }
}

fn canvas_courses(t: &Table, b: &mut Batch) {
    for (line, row) in &t.rows {
        let line = *line;
        let Some(sis_id) = required(t, row, "course_id", line, &mut b.errors) else { continue };
        let status = match t.get(row, "status").to_lowercase().as_str() {
            "active" => CourseStatus::Active,
            "published" => CourseStatus::Published,
            "completed" => CourseStatus::Completed,
            "deleted" => CourseStatus::Deleted,
            "" => {
                b.errors.push(t.err(line, "status is required (active, deleted, completed or published)"));
                continue;
            }
            other => {
                b.errors.push(
                    t.err(line, format!("unknown status `{other}` (use active, deleted, completed or published)")),
                );
                continue;
            }
        };
        let short = t.opt(row, "short_name");
        let long = t.opt(row, "long_name");
        let (course_code, name) = match (short, long) {
            (Some(s), Some(l)) => (s, l),
            (Some(s), None) => (s.clone(), s),
            (None, Some(l)) => (l.clone(), l),
            (None, None) => {
                b.errors.push(t.err(line, "short_name or long_name is required"));
                continue;
            }
        };
        let start_at = t.date(row, "start_date", line, &mut b.warnings);
        let end_at = t.date(row, "end_date", line, &mut b.warnings);
        b.courses.push(t.at(
            line,
            CourseRow {
                sis_id,
                course_code,
                name,
                account: t.opt(row, "account_id"),
                term: t.opt(row, "term_id"),
                status,
                start_at,
                end_at,
            },
        ));
    }
}

fn canvas_sections(t: &Table, b: &mut Batch) {
    for (line, row) in &t.rows {
        let line = *line;
        let Some(sis_id) = required(t, row, "section_id", line, &mut b.errors) else { continue };
        let Some(course) = required(t, row, "course_id", line, &mut b.errors) else { continue };
        let Some(deleted) = active_or_deleted(t, row, line, &mut b.errors) else { continue };
        let Some(name) = required(t, row, "name", line, &mut b.errors) else { continue };
        let start_at = t.date(row, "start_date", line, &mut b.warnings);
        let end_at = t.date(row, "end_date", line, &mut b.warnings);
        b.sections.push(t.at(line, SectionRow { sis_id, course, name, deleted, start_at, end_at }));
    }
}

/// A user's display name from full_name or first_name + last_name; the sortable name follows the parts given.
fn names(first: Option<String>, last: Option<String>, full: Option<String>) -> Option<(String, Option<String>)> {
    match (full, first, last) {
        (Some(full), _, _) => Some((full, None)),
        (None, Some(f), Some(l)) => Some((format!("{f} {l}"), Some(format!("{l}, {f}")))),
        (None, Some(only), None) | (None, None, Some(only)) => Some((only, None)),
        (None, None, None) => None,
    }
}

fn canvas_users(t: &Table, b: &mut Batch) {
    for (line, row) in &t.rows {
        let line = *line;
        let Some(sis_id) = required(t, row, "user_id", line, &mut b.errors) else { continue };
        let Some(login_id) = required(t, row, "login_id", line, &mut b.errors) else { continue };
        let Some(deleted) = active_or_deleted(t, row, line, &mut b.errors) else { continue };
        let Some((name, derived_sortable)) =
            names(t.opt(row, "first_name"), t.opt(row, "last_name"), t.opt(row, "full_name"))
        else {
            b.errors.push(t.err(line, "a name is required: full_name, or first_name and last_name"));
            continue;
        };
        b.users.push(t.at(
            line,
            UserRow {
                sis_id,
                login_id,
                password: t.opt(row, "password"),
                name,
                sortable_name: t.opt(row, "sortable_name").or(derived_sortable),
                short_name: t.opt(row, "short_name"),
                email: t.opt(row, "email"),
                integration_id: t.has("integration_id").then(|| t.opt(row, "integration_id")),
                deleted,
            },
        ));
    }
}

/// Canvas's SIS role names.
fn canvas_role(role: &str) -> Option<&'static str> {
    match role.to_lowercase().as_str() {
        "student" => Some("StudentEnrollment"),
        "teacher" => Some("TeacherEnrollment"),
        "ta" => Some("TaEnrollment"),
        "observer" => Some("ObserverEnrollment"),
        "designer" => Some("DesignerEnrollment"),
        _ => None,
    }
}

fn canvas_enrollments(t: &Table, b: &mut Batch) {
    for (line, row) in &t.rows {
        let line = *line;
        let Some(user) = required(t, row, "user_id", line, &mut b.errors) else { continue };
        let course = t.opt(row, "course_id");
        let section = t.opt(row, "section_id");
        if course.is_none() && section.is_none() {
            b.errors.push(t.err(line, "course_id or section_id is required"));
            continue;
        }
        let role = t.get(row, "role");
        let Some(kind) = canvas_role(role) else {
            b.errors.push(t.err(
                line,
                if role.is_empty() {
                    "role is required (student, teacher, ta, observer or designer)".to_owned()
                } else {
                    format!("unknown role `{role}` (use student, teacher, ta, observer or designer)")
                },
            ));
            continue;
        };
        let state = match t.get(row, "status").to_lowercase().as_str() {
            "active" => "active",
            "deleted" => "deleted",
            "completed" => "completed",
            "inactive" => "inactive",
            other => {
                b.errors.push(
                    t.err(line, format!("unknown status `{other}` (use active, deleted, completed or inactive)")),
                );
                continue;
            }
        };
        let limit = matches!(t.get(row, "limit_section_privileges").to_lowercase().as_str(), "true" | "1");
        b.enrollments.push(t.at(
            line,
            EnrollmentRow {
                course: course.map(Key::Sis),
                section: section.map(Key::Sis),
                user: Key::Sis(user),
                kind,
                state,
                associated_user: t.opt(row, "associated_user_id").map(Key::Sis),
                limit_section_privileges: limit,
            },
        ));
    }
}

/// OneRoster `status`: blank or `active` is live, `tobedeleted` (and 1.0's `inactive`) deletes.
fn oneroster_deleted(t: &Table, row: &[String], line: u64, errors: &mut Vec<Message>) -> Option<bool> {
    match t.get(row, "status").to_lowercase().as_str() {
        "" | "active" => Some(false),
        "tobedeleted" | "inactive" => Some(true),
        other => {
            errors.push(t.err(line, format!("unknown status `{other}` (use active or tobedeleted)")));
            None
        }
    }
}

/// The OneRoster 1.2 CSV binding, mapped onto Canvas's objects:
/// - `orgs.csv` → accounts. An org without a parent (the district, or the school of a single-school export) is
///   the school's root account itself: it is not created, and classes and orgs that name it land on the root.
///   Every other org becomes a sub-account (`sis_account_id` = sourcedId) below its parent org.
/// - `academicSessions.csv` → enrollment terms (`sis_term_id` = sourcedId), for the types `term`, `semester` and
///   `schoolYear`; grading periods are skipped with a warning.
/// - `classes.csv` → courses (`sis_course_id` = sourcedId, name = title, code = classCode, else the OneRoster
///   course's courseCode, else the title; account = schoolSourcedId; term = the first of termSourcedIds).
///   Enrollments without a section land in the course's default section.
/// - `users.csv` → users with one login (`sis_user_id` = sourcedId, login = username, name = givenName
///   familyName, password when the optional column is filled).
/// - `enrollments.csv` → enrollments: student → StudentEnrollment, teacher → TeacherEnrollment, aide →
///   TaEnrollment, guardian/parent/relative → ObserverEnrollment; administrator and proctor are skipped with a
///   warning (account roles are granted through the accounts API, not by a roster).
fn oneroster(files: &[CsvFile], b: &mut Batch) -> Result<(), String> {
    let by_name = |name: &str| files.iter().find(|f| f.name.eq_ignore_ascii_case(name));
    let table = |f: &CsvFile, errors: &mut Vec<Message>| -> Result<Table, String> {
        let cols = header(f)?;
        Ok(Table::read(f, cols, errors))
    };
    if let Some(f) = by_name("orgs.csv") {
        b.supply("account");
        let t = table(f, &mut b.errors)?;
        for (line, row) in &t.rows {
            let line = *line;
            let Some(sis_id) = required(&t, row, "sourcedid", line, &mut b.errors) else { continue };
            let Some(deleted) = oneroster_deleted(&t, row, line, &mut b.errors) else { continue };
            match t.opt(row, "parentsourcedid") {
                None => b.root_aliases.push(sis_id),
                Some(parent) => {
                    let name = t.opt(row, "name").unwrap_or_else(|| sis_id.clone());
                    b.accounts.push(t.at(line, AccountRow { sis_id, parent: Some(parent), name, deleted }));
                }
            }
        }
    }
    if let Some(f) = by_name("academicSessions.csv") {
        b.supply("term");
        let t = table(f, &mut b.errors)?;
        for (line, row) in &t.rows {
            let line = *line;
            let Some(sis_id) = required(&t, row, "sourcedid", line, &mut b.errors) else { continue };
            let Some(deleted) = oneroster_deleted(&t, row, line, &mut b.errors) else { continue };
            match t.get(row, "type").to_lowercase().as_str() {
                "term" | "semester" | "schoolyear" | "" => {}
                "gradingperiod" => {
                    b.warnings.push(t.err(line, format!("grading period `{sis_id}` is not imported")));
                    continue;
                }
                other => {
                    b.errors.push(t.err(line, format!("unknown academic session type `{other}`")));
                    continue;
                }
            }
            let name = t.opt(row, "title").unwrap_or_else(|| sis_id.clone());
            let start_at = t.date(row, "startdate", line, &mut b.warnings);
            let end_at = t.date(row, "enddate", line, &mut b.warnings);
            b.terms.push(t.at(line, TermRow { sis_id, name, deleted, start_at, end_at }));
        }
    }
    let mut course_codes: HashMap<String, String> = HashMap::new();
    if let Some(f) = by_name("courses.csv") {
        let t = table(f, &mut b.errors)?;
        for (_, row) in &t.rows {
            if let (Some(id), Some(code)) = (t.opt(row, "sourcedid"), t.opt(row, "coursecode")) {
                course_codes.insert(id, code);
            }
        }
    }
    if let Some(f) = by_name("classes.csv") {
        b.supply("course");
        b.supply("section");
        let t = table(f, &mut b.errors)?;
        for (line, row) in &t.rows {
            let line = *line;
            let Some(sis_id) = required(&t, row, "sourcedid", line, &mut b.errors) else { continue };
            let Some(deleted) = oneroster_deleted(&t, row, line, &mut b.errors) else { continue };
            let Some(name) = required(&t, row, "title", line, &mut b.errors) else { continue };
            let course_code = t
                .opt(row, "classcode")
                .or_else(|| t.opt(row, "coursesourcedid").and_then(|c| course_codes.get(&c).cloned()))
                .unwrap_or_else(|| name.clone());
            let term =
                t.get(row, "termsourcedids").split(',').map(str::trim).find(|s| !s.is_empty()).map(str::to_owned);
            b.courses.push(t.at(
                line,
                CourseRow {
                    sis_id,
                    course_code,
                    name,
                    account: t.opt(row, "schoolsourcedid"),
                    term,
                    status: if deleted { CourseStatus::Deleted } else { CourseStatus::Active },
                    start_at: None,
                    end_at: None,
                },
            ));
        }
    }
    if let Some(f) = by_name("users.csv") {
        b.supply("user");
        let t = table(f, &mut b.errors)?;
        for (line, row) in &t.rows {
            let line = *line;
            let Some(sis_id) = required(&t, row, "sourcedid", line, &mut b.errors) else { continue };
            let Some(deleted) = oneroster_deleted(&t, row, line, &mut b.errors) else { continue };
            let Some(login_id) = required(&t, row, "username", line, &mut b.errors) else { continue };
            let Some((name, sortable)) = names(t.opt(row, "givenname"), t.opt(row, "familyname"), None) else {
                b.errors.push(t.err(line, "givenName or familyName is required"));
                continue;
            };
            b.users.push(t.at(
                line,
                UserRow {
                    sis_id,
                    login_id,
                    password: t.opt(row, "password"),
                    name,
                    sortable_name: sortable,
                    short_name: None,
                    email: t.opt(row, "email"),
                    integration_id: None,
                    deleted,
                },
            ));
        }
    }
    if let Some(f) = by_name("enrollments.csv") {
        b.supply("enrollment");
        let t = table(f, &mut b.errors)?;
        for (line, row) in &t.rows {
            let line = *line;
            let Some(deleted) = oneroster_deleted(&t, row, line, &mut b.errors) else { continue };
            let Some(class) = required(&t, row, "classsourcedid", line, &mut b.errors) else { continue };
            let Some(user) = required(&t, row, "usersourcedid", line, &mut b.errors) else { continue };
            let role = t.get(row, "role").to_lowercase();
            let kind = match role.as_str() {
                "student" => "StudentEnrollment",
                "teacher" => "TeacherEnrollment",
                "aide" => "TaEnrollment",
                "guardian" | "parent" | "relative" => "ObserverEnrollment",
                "administrator" | "proctor" => {
                    b.warnings.push(t.err(line, format!("role `{role}` is not a course role; the row is skipped")));
                    continue;
                }
                "" => {
                    b.errors.push(t.err(line, "role is required"));
                    continue;
                }
                other => {
                    b.errors.push(t.err(line, format!("unknown role `{other}`")));
                    continue;
                }
            };
            b.enrollments.push(t.at(
                line,
                EnrollmentRow {
                    course: Some(Key::Sis(class)),
                    section: None,
                    user: Key::Sis(user),
                    kind,
                    state: if deleted { "deleted" } else { "active" },
                    associated_user: None,
                    limit_section_privileges: false,
                },
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_canvas_csv_and_reports_bad_rows() {
        let csv = "user_id,login_id,first_name,last_name,email,status\n\
                   u1,alice,Alice,Smith,a@x.org,active\n\
                   ,bob,Bob,Jones,,active\n\
                   u3,carol,Carol,,,suspended\n\
                   u4,dave,Dave,Hill,,deleted,extra\n";
        let inspected = inspect(csv.as_bytes(), Some("users.csv"), None).unwrap();
        assert_eq!(inspected.import_type, INSTRUCTURE_CSV);
        assert_eq!(inspected.supplied_batches, vec!["user"]);
        let batch = parse(csv.as_bytes(), Some("users.csv"), INSTRUCTURE_CSV).unwrap();
        assert_eq!(batch.users.len(), 1);
        assert_eq!(batch.users[0].row.name, "Alice Smith");
        assert_eq!(batch.users[0].row.sortable_name.as_deref(), Some("Smith, Alice"));
        assert_eq!(batch.errors.len(), 3, "{:?}", batch.errors);
        assert!(batch.errors[0].message.starts_with("row 3:"), "{:?}", batch.errors);
    }

    #[test]
    fn refuses_unreadable_uploads() {
        assert!(inspect(b"", None, None).is_err());
        assert!(inspect(b"foo,bar\n1,2\n", None, None).is_err());
        assert!(inspect(b"PK\x03\x04garbage", None, None).is_err());
    }

    #[test]
    fn reads_times() {
        assert!(parse_time("2024-01-02T03:04:05Z").is_some());
        assert!(parse_time("2013-05-03 00:00:00-06:00").is_some());
        assert!(parse_time("2024-01-02").is_some());
        assert!(parse_time("next tuesday").is_none());
    }
}
