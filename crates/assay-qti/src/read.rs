//! Packages: a zip (Canvas export, text2qti output) or a bare QTI document, into assessments and banks.

use std::io::{Cursor, Read};

use crate::{
    Assessment, Bank, Entry, Group, Item, Package, QtiError, Settings, Warning, item, numbers,
    xml::{self, Element},
};

/// Bounds on what a package may unpack to (a zip bomb is an error, not an allocation failure).
const MAX_ENTRIES: usize = 20_000;
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many file names are listed in the "not imported" warning.
const LISTED_FILES: usize = 10;

/// Reads a QTI package: a zip archive (an `imsmanifest.xml` with assessment documents, as Canvas exports and
/// `text2qti` write them; Canvas's `non_cc_assessments/*.xml.qti` and `assessment_meta.xml` included) or one bare
/// QTI XML document.
pub fn read_package(bytes: &[u8]) -> Result<Package, QtiError> {
    if bytes.starts_with(b"PK") {
        read_zip(bytes)
    } else {
        let root = xml::parse(bytes).map_err(|message| QtiError::Xml { file: "the document".into(), message })?;
        let mut reader = PackageReader::default();
        reader.document("the document", &root)?;
        reader.finish(Vec::new())
    }
}

fn read_zip(bytes: &[u8]) -> Result<Package, QtiError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| QtiError::Zip(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(QtiError::TooLarge(format!("the package holds more than {MAX_ENTRIES} files")));
    }
    let mut documents: Vec<(String, Vec<u8>)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| QtiError::Zip(e.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_owned();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".qti")) {
            others.push(name);
            continue;
        }
        let mut buf = Vec::new();
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| QtiError::Zip(format!("{name}: {e}")))?;
        if buf.len() as u64 > MAX_FILE_BYTES {
            return Err(QtiError::TooLarge(format!("{name} unpacks to more than {} MiB", MAX_FILE_BYTES >> 20)));
        }
        total += buf.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(QtiError::TooLarge(format!("the package unpacks to more than {} MiB", MAX_TOTAL_BYTES >> 20)));
        }
        documents.push((name, buf));
    }
    // Canvas exports a quiz twice: a Common Cartridge version (fewer question types) and its own full version under
    // non_cc_assessments/. Reading the full one first makes it the one kept.
    documents.sort_by_key(|(name, _)| !name.starts_with("non_cc_assessments/"));
    let mut reader = PackageReader::default();
    let mut metas: Vec<(String, Element)> = Vec::new();
    for (name, buf) in &documents {
        let root = xml::parse(buf).map_err(|message| QtiError::Xml { file: name.clone(), message })?;
        match root.name.as_str() {
            "questestinterop" => {
                reader.document(name, &root)?;
            }
            "quiz" => metas.push((name.clone(), root)),
            // The manifest lists the resources; the documents themselves say what they are.
            "manifest" => {}
            _ => others.push(name.clone()),
        }
    }
    for (name, meta) in metas {
        reader.attach_meta(&name, &meta);
    }
    reader.finish(others)
}

#[derive(Default)]
struct PackageReader {
    assessments: Vec<(String, Assessment)>,
    banks: Vec<Bank>,
    loose: Vec<Item>,
    /// Test entries that refer to bank items (`itemref`): (assessment index, entry index, linked ident).
    refs: Vec<(usize, usize, String)>,
    warnings: Vec<Warning>,
    counter: usize,
}

impl PackageReader {
    fn fallback_ident(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!("{kind}_{}", self.counter)
    }

    fn item(&mut self, el: &Element) -> Option<Item> {
        let fallback = self.fallback_ident("item");
        item::read_item(el, &fallback, &mut self.warnings)
    }

    /// One `questestinterop` document.
    fn document(&mut self, file: &str, root: &Element) -> Result<(), QtiError> {
        if root.name != "questestinterop" {
            return Err(QtiError::NotQti(format!(
                "{file} is not a QTI 1.2 document (its root element is <{}>, not <questestinterop>)",
                root.name
            )));
        }
        for child in root.elements() {
            match child.name.as_str() {
                "assessment" => self.assessment(file, child),
                "objectbank" => self.bank(child),
                "item" => {
                    if let Some(item) = self.item(child) {
                        self.loose.push(item);
                    }
                }
                "section" => {
                    for el in child.descendants_named("item") {
                        if let Some(item) = self.item(el) {
                            self.loose.push(item);
                        }
                    }
                }
                "qticomment" => {}
                other => self.warnings.push(Warning::package(format!(
                    "{file}: <{other}> is not part of QTI 1.2 as Assay reads it; it was not imported"
                ))),
            }
        }
        Ok(())
    }

    fn bank(&mut self, el: &Element) {
        let ident = match el.attr("ident") {
            Some(i) if !i.trim().is_empty() => i.to_owned(),
            _ => self.fallback_ident("bank"),
        };
        let title = metadata(el).into_iter().find(|(k, _)| k == "bank_title").map(|(_, v)| v).unwrap_or_default();
        let title = if title.is_empty() { ident.clone() } else { title };
        let mut items = Vec::new();
        for child in el.elements() {
            match child.name.as_str() {
                "item" => items.extend(self.item(child)),
                "section" => {
                    for item_el in child.descendants_named("item") {
                        items.extend(self.item(item_el));
                    }
                }
                _ => {}
            }
        }
        if self.banks.iter().any(|b| b.ident == ident) {
            return;
        }
        self.banks.push(Bank { ident, title, items });
    }

    fn assessment(&mut self, file: &str, el: &Element) {
        let ident = match el.attr("ident") {
            Some(i) if !i.trim().is_empty() => i.to_owned(),
            _ => self.fallback_ident("assessment"),
        };
        if self.assessments.iter().any(|(_, a)| a.ident == ident) {
            // The Common Cartridge copy of a quiz already read from non_cc_assessments/.
            return;
        }
        let mut settings = Settings::default();
        for (label, entry) in metadata(el) {
            match label.as_str() {
                "qmd_timelimit" => settings.time_limit = numbers::parse(&entry).map(|m| m.round() as i64),
                "cc_maxattempts" => {
                    settings.allowed_attempts =
                        if entry.eq_ignore_ascii_case("unlimited") { Some(-1) } else { entry.parse().ok() }
                }
                _ => {}
            }
        }
        let index = self.assessments.len();
        let mut entries = Vec::new();
        for section in el.children_named("section") {
            if is_group(section) {
                let group = self.group(section);
                entries.push(Entry::Group(group));
                continue;
            }
            for child in section.elements() {
                match child.name.as_str() {
                    "item" => {
                        if let Some(item) = self.item(child) {
                            entries.push(Entry::Item(item));
                        }
                    }
                    "section" => {
                        let group = self.group(child);
                        entries.push(Entry::Group(group));
                    }
                    "itemref" => {
                        let linked = child.attr("linkrefid").unwrap_or("").to_owned();
                        self.refs.push((index, entries.len(), linked));
                    }
                    other => self.unsupported_part(other, &ident),
                }
            }
        }
        for child in el.elements() {
            if !matches!(child.name.as_str(), "section" | "qtimetadata") {
                self.unsupported_part(&child.name, &ident);
            }
        }
        let title = el.attr("title").map(str::trim).filter(|t| !t.is_empty()).unwrap_or("Imported quiz").to_owned();
        self.assessments.push((file.to_owned(), Assessment { ident, title, description: None, settings, entries }));
    }

    /// Warns about a part of a test Assay does not read, unless it is bookkeeping that carries nothing.
    fn unsupported_part(&mut self, name: &str, assessment: &str) {
        const QUIET: [&str; 6] = [
            "qticomment",
            "qtimetadata",
            "selection_ordering",
            "sectioncontrol",
            "assessmentcontrol",
            "outcomes_processing",
        ];
        if !QUIET.contains(&name) {
            self.warnings.push(Warning::package(format!(
                "assessment {assessment:?} has <{name}>, which Assay does not import; it was left out"
            )));
        }
    }

    fn group(&mut self, section: &Element) -> Group {
        let ident = match section.attr("ident") {
            Some(i) if !i.trim().is_empty() => i.to_owned(),
            _ => self.fallback_ident("group"),
        };
        let title = section.attr("title").map(str::trim).filter(|t| !t.is_empty()).unwrap_or("Group").to_owned();
        let selection = section.path(&["selection_ordering", "selection"]);
        let mut items = Vec::new();
        for child in section.elements() {
            match child.name.as_str() {
                "item" => items.extend(self.item(child)),
                "section" => {
                    self.warnings.push(Warning::package(format!(
                        "group {title:?} holds a nested section; Assay's groups do not nest, so its questions were \
                         added to the group itself"
                    )));
                    for el in child.descendants_named("item") {
                        items.extend(self.item(el));
                    }
                }
                "itemref" => self.warnings.push(Warning::package(format!(
                    "group {title:?} refers to question {:?} by reference (itemref) inside a group, which is not \
                     supported; that question was not imported",
                    child.attr("linkrefid").unwrap_or("")
                ))),
                "selection_ordering" | "qticomment" | "qtimetadata" | "sectioncontrol" => {}
                other => self.warnings.push(Warning::package(format!(
                    "group {title:?} has <{other}>, which Assay does not import; it was left out"
                ))),
            }
        }
        let pick_count = selection
            .and_then(|s| s.child("selection_number"))
            .and_then(|n| n.value().parse::<u32>().ok())
            .unwrap_or(items.len() as u32);
        let points_per_item = selection
            .and_then(|s| s.path(&["selection_extension", "points_per_item"]))
            .and_then(|p| numbers::parse(&p.text()));
        let bank_ref = selection.and_then(|s| s.child("sourcebank_ref")).map(Element::value).filter(|r| !r.is_empty());
        let external = selection
            .and_then(|s| s.child("sourcebank_is_external"))
            .or_else(|| selection.and_then(|s| s.path(&["selection_extension", "sourcebank_is_external"])))
            .is_some_and(|e| e.value() == "true");
        if external {
            self.warnings.push(Warning::package(format!(
                "group {title:?} draws from a question bank of another Canvas course ({}), which cannot be imported; \
                 the group has no questions to draw from",
                bank_ref.as_deref().unwrap_or("unknown")
            )));
        }
        Group { ident, title, pick_count, points_per_item, bank_ref, items }
    }

    /// Canvas's `assessment_meta.xml`: the quiz's settings, matched to its assessment by identifier (or folder).
    fn attach_meta(&mut self, file: &str, meta: &Element) {
        let identifier = meta.attr("identifier").unwrap_or("");
        let folder = file.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
        let dir = |f: &str| f.rsplit_once('/').map(|(d, _)| d.to_owned());
        let index = self.assessments.iter().position(|(_, a)| a.ident == identifier).or_else(|| {
            // text2qti and Canvas keep the meta beside the assessment.
            self.assessments.iter().position(|(f, _)| !folder.is_empty() && dir(f).as_deref() == Some(folder))
        });
        let target = index.and_then(|i| self.assessments.get_mut(i));
        let Some((_, assessment)) = target else {
            self.warnings.push(Warning::package(format!(
                "{file} holds quiz settings for {identifier:?}, which is not an assessment in this package; they \
                 were not imported"
            )));
            return;
        };
        let s = &mut assessment.settings;
        let text = |name: &str| meta.child(name).map(Element::value).filter(|v| !v.is_empty());
        let flag = |name: &str| text(name).map(|v| v.eq_ignore_ascii_case("true"));
        if let Some(title) = text("title") {
            assessment.title = title;
        }
        assessment.description = meta.child("description").map(Element::text).filter(|d| !d.trim().is_empty());
        if let Some(v) = text("time_limit") {
            s.time_limit = numbers::parse(&v).map(|m| m.round() as i64);
        }
        if let Some(v) = text("allowed_attempts") {
            s.allowed_attempts = v.parse().ok();
        }
        s.shuffle_answers = flag("shuffle_answers").or(s.shuffle_answers);
        s.scoring_policy = text("scoring_policy");
        s.quiz_type = text("quiz_type");
        s.points_possible = text("points_possible").and_then(|p| numbers::parse(&p));
        s.show_correct_answers = flag("show_correct_answers");
        s.show_correct_answers_last_attempt = flag("show_correct_answers_last_attempt");
        s.hide_results = text("hide_results");
        s.one_question_at_a_time = flag("one_question_at_a_time");
        s.cant_go_back = flag("cant_go_back");
        s.one_time_results = flag("one_time_results");
        s.anonymous_submissions = flag("anonymous_submissions");
        s.access_code = text("access_code");
        s.ip_filter = text("ip_filter");
        s.due_at = text("due_at");
        s.unlock_at = text("unlock_at");
        s.lock_at = text("lock_at");
        s.published = flag("available");
        let title = assessment.title.clone();
        for lockdown in
            ["require_lockdown_browser", "require_lockdown_browser_for_results", "require_lockdown_browser_monitor"]
        {
            if flag(lockdown) == Some(true) {
                self.warnings.push(Warning::package(format!(
                    "quiz {title:?} sets {lockdown}, which Assay does not support; the setting was not imported"
                )));
            }
        }
        if meta.child("assignment_overrides").is_some_and(|o| o.elements().next().is_some()) {
            self.warnings
                .push(Warning::package(format!("quiz {title:?} has assignment overrides, which are not imported")));
        }
    }

    fn finish(mut self, others: Vec<String>) -> Result<Package, QtiError> {
        // Entries that name bank items, resolved now that every bank is read (later positions first, so earlier
        // indexes stay valid).
        let refs = std::mem::take(&mut self.refs);
        for (a, position, linked) in refs.into_iter().rev() {
            let found = self.banks.iter().flat_map(|b| b.items.iter()).find(|i| i.ident == linked).cloned();
            match found {
                Some(item) => self.assessments[a].1.entries.insert(position, Entry::Item(item)),
                None => self.warnings.push(Warning::package(format!(
                    "quiz {:?} refers to question {linked:?}, which is not in this package; it was not imported",
                    self.assessments[a].1.title
                ))),
            }
        }
        let bank_idents: Vec<String> = self.banks.iter().map(|b| b.ident.clone()).collect();
        for (_, assessment) in &self.assessments {
            for entry in &assessment.entries {
                if let Entry::Group(g) = entry
                    && let Some(bank) = &g.bank_ref
                    && !bank_idents.contains(bank)
                    && g.items.is_empty()
                {
                    self.warnings.push(Warning::package(format!(
                        "group {:?} of quiz {:?} draws from question bank {bank:?}, which is not in this package; \
                         the group has no questions to draw from",
                        g.title, assessment.title
                    )));
                }
            }
        }
        if !self.loose.is_empty() {
            let ident = self.fallback_ident("items");
            self.banks.push(Bank { ident, title: "Imported questions".into(), items: std::mem::take(&mut self.loose) });
        }
        if self.assessments.is_empty() && self.banks.is_empty() {
            return Err(QtiError::NotQti("the package holds no QTI assessment, question bank or item".into()));
        }
        if !others.is_empty() {
            let mut listed: Vec<&str> = others.iter().take(LISTED_FILES).map(String::as_str).collect();
            if others.len() > LISTED_FILES {
                listed.push("…");
            }
            self.warnings.push(Warning::package(format!(
                "{} file(s) in the package are not questions and were not imported (Assay imports quizzes and \
                 questions, not attached files): {}",
                others.len(),
                listed.join(", ")
            )));
        }
        Ok(Package {
            assessments: self.assessments.into_iter().map(|(_, a)| a).collect(),
            banks: self.banks,
            warnings: self.warnings,
        })
    }
}

/// A section that draws questions: it has a selection rule or a bank reference.
fn is_group(section: &Element) -> bool {
    section
        .path(&["selection_ordering", "selection"])
        .is_some_and(|s| s.child("selection_number").is_some() || s.child("sourcebank_ref").is_some())
}

/// An element's `qtimetadata` fields, in order.
fn metadata(el: &Element) -> Vec<(String, String)> {
    el.children_named("qtimetadata")
        .flat_map(|q| q.children_named("qtimetadatafield"))
        .map(|f| {
            (
                f.child("fieldlabel").map(Element::value).unwrap_or_default(),
                f.child("fieldentry").map(Element::value).unwrap_or_default(),
            )
        })
        .collect()
}
