//! Writing packages in the layout and the item shapes Canvas's quiz export uses (which `text2qti` copies).

use std::io::{Cursor, Write};

use assay_domain::question::model::{AnswerModel, Choice, NumericAnswer, PartialCredit, Tolerance};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::{
    Assessment, Bank, Entry, Group, Item, Package, QtiError, Settings, Warning, answer_sets,
    item::{
        FB_CORRECT, FB_INCORRECT, FB_NEUTRAL, META_ALLOWED_EXTENSIONS, META_CASE_SENSITIVE, META_NORMALIZE_WHITESPACE,
        META_PARTIAL_CREDIT,
    },
    numbers::{self, fmt},
    xml::Writer,
};

const QTI_NS: &str = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const QTI_SCHEMA: &str =
    "http://www.imsglobal.org/xsd/ims_qtiasiv1p2 http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd";
const CANVAS_NS: &str = "http://canvas.instructure.com/xsd/cccv1p0";
const CANVAS_SCHEMA: &str = "http://canvas.instructure.com/xsd/cccv1p0 https://canvas.instructure.com/xsd/cccv1p0.xsd";
const LEARNING_APPLICATION_RESOURCE: &str = "associatedcontent/imscc_xmlv1p1/learning-application-resource";

/// A written package and what could not be written as Canvas reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub bytes: Vec<u8>,
    pub warnings: Vec<Warning>,
}

/// Writes tests and banks as a Canvas-style QTI 1.2 zip (see the crate documentation for the layout). Idents that
/// are not safe as file names are replaced; groups' bank references follow their bank.
pub fn write_package(package: &Package) -> Result<Written, QtiError> {
    if package.assessments.is_empty() && package.banks.is_empty() {
        return Err(QtiError::Write("there is nothing to write: no test and no question bank".into()));
    }
    let mut warnings = Vec::new();
    let mut used: Vec<String> = Vec::new();
    let mut unique = |ident: &str, kind: &str| -> String {
        let safe = !ident.is_empty()
            && ident.len() <= 200
            && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let mut candidate = if safe { ident.to_owned() } else { format!("assay_{kind}_{}", used.len() + 1) };
        while used.contains(&candidate) {
            candidate = format!("{candidate}_{}", used.len() + 1);
        }
        used.push(candidate.clone());
        candidate
    };
    let banks: Vec<(String, &Bank)> = package.banks.iter().map(|b| (unique(&b.ident, "bank"), b)).collect();
    let assessments: Vec<(String, &Assessment)> =
        package.assessments.iter().map(|a| (unique(&a.ident, "assessment"), a)).collect();
    let bank_ident = |original: &str| {
        banks
            .iter()
            .find(|(_, b)| b.ident == original)
            .map(|(new, _)| new.clone())
            .unwrap_or_else(|| original.to_owned())
    };

    let mut files: Vec<(String, String)> = Vec::new();
    let mut manifest = Writer::new();
    manifest.open(
        "manifest",
        &[
            ("identifier", "assay_qti_manifest"),
            ("xmlns", "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"),
            ("xmlns:imsmd", "http://www.imsglobal.org/xsd/imsmd_v1p2"),
            ("xmlns:xsi", XSI),
        ],
    );
    manifest.open("metadata", &[]);
    manifest.leaf("schema", &[], "IMS Content");
    manifest.leaf("schemaversion", &[], "1.1.3");
    manifest.close();
    manifest.leaf("organizations", &[], "");
    manifest.open("resources", &[]);
    for (ident, assessment) in &assessments {
        let qti_path = format!("{ident}/{ident}.xml");
        let meta_path = format!("{ident}/assessment_meta.xml");
        let dependency = format!("{ident}_meta");
        manifest.open("resource", &[("identifier", ident), ("type", "imsqti_xmlv1p2")]);
        manifest.leaf("file", &[("href", &qti_path)], "");
        manifest.leaf("dependency", &[("identifierref", &dependency)], "");
        manifest.close();
        manifest.open(
            "resource",
            &[("identifier", &dependency), ("type", LEARNING_APPLICATION_RESOURCE), ("href", &meta_path)],
        );
        manifest.leaf("file", &[("href", &meta_path)], "");
        manifest.close();
        files.push((qti_path, assessment_document(ident, assessment, &bank_ident, &mut warnings)));
        files.push((meta_path, assessment_meta(ident, assessment, &mut warnings)));
    }
    for (ident, bank) in &banks {
        let path = format!("non_cc_assessments/{ident}.xml.qti");
        manifest.open("resource", &[("identifier", ident), ("type", LEARNING_APPLICATION_RESOURCE), ("href", &path)]);
        manifest.leaf("file", &[("href", &path)], "");
        manifest.close();
        files.push((path, bank_document(ident, bank, &mut warnings)));
    }
    let (manifest, _) = manifest.finish();
    files.insert(0, ("imsmanifest.xml".into(), manifest));

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let err = |e: &dyn std::fmt::Display| QtiError::Write(e.to_string());
    for (path, content) in files {
        zip.start_file(path, options).map_err(|e| err(&e))?;
        zip.write_all(content.as_bytes()).map_err(|e| err(&e))?;
    }
    let bytes = zip.finish().map_err(|e| err(&e))?.into_inner();
    Ok(Written { bytes, warnings })
}

fn questestinterop(w: &mut Writer) {
    w.open("questestinterop", &[("xmlns", QTI_NS), ("xmlns:xsi", XSI), ("xsi:schemaLocation", QTI_SCHEMA)]);
}

fn field(w: &mut Writer, label: &str, entry: &str) {
    w.open("qtimetadatafield", &[]);
    w.leaf("fieldlabel", &[], label);
    w.leaf("fieldentry", &[], entry);
    w.close();
}

fn finish(w: Writer, what: &str, warnings: &mut Vec<Warning>) -> String {
    let (out, replaced) = w.finish();
    if replaced {
        warnings.push(Warning::package(format!(
            "{what} holds characters XML cannot carry (control characters); they were written as U+FFFD"
        )));
    }
    out
}

fn assessment_document(
    ident: &str,
    a: &Assessment,
    bank_ident: &dyn Fn(&str) -> String,
    warnings: &mut Vec<Warning>,
) -> String {
    let mut w = Writer::new();
    questestinterop(&mut w);
    w.open("assessment", &[("ident", ident), ("title", &a.title)]);
    w.open("qtimetadata", &[]);
    if let Some(t) = a.settings.time_limit {
        field(&mut w, "qmd_timelimit", &t.to_string());
    }
    let attempts = match a.settings.allowed_attempts {
        Some(-1) => "unlimited".to_owned(),
        Some(n) => n.to_string(),
        None => "1".to_owned(),
    };
    field(&mut w, "cc_maxattempts", &attempts);
    w.close();
    w.open("section", &[("ident", "root_section")]);
    for entry in &a.entries {
        match entry {
            Entry::Item(item) => write_item(&mut w, item, warnings),
            Entry::Group(group) => write_group(&mut w, group, bank_ident, warnings),
        }
    }
    w.close();
    w.close();
    finish(w, &format!("quiz {:?}", a.title), warnings)
}

fn write_group(w: &mut Writer, g: &Group, bank_ident: &dyn Fn(&str) -> String, warnings: &mut Vec<Warning>) {
    w.open("section", &[("ident", &g.ident), ("title", &g.title)]);
    w.open("selection_ordering", &[]);
    w.open("selection", &[]);
    if let Some(bank) = &g.bank_ref {
        w.leaf("sourcebank_ref", &[], &bank_ident(bank));
    }
    w.leaf("selection_number", &[], &g.pick_count.to_string());
    w.open("selection_extension", &[]);
    if let Some(points) = g.points_per_item {
        w.leaf("points_per_item", &[], &fmt(points));
    }
    w.close();
    w.close();
    w.close();
    for item in &g.items {
        write_item(w, item, warnings);
    }
    w.close();
}

fn bank_document(ident: &str, bank: &Bank, warnings: &mut Vec<Warning>) -> String {
    let mut w = Writer::new();
    questestinterop(&mut w);
    w.open("objectbank", &[("ident", ident)]);
    w.open("qtimetadata", &[]);
    field(&mut w, "bank_title", &bank.title);
    w.close();
    for item in &bank.items {
        write_item(&mut w, item, warnings);
    }
    w.close();
    finish(w, &format!("question bank {:?}", bank.title), warnings)
}

fn assessment_meta(ident: &str, a: &Assessment, warnings: &mut Vec<Warning>) -> String {
    let s: &Settings = &a.settings;
    let mut w = Writer::new();
    w.open(
        "quiz",
        &[("identifier", ident), ("xmlns", CANVAS_NS), ("xmlns:xsi", XSI), ("xsi:schemaLocation", CANVAS_SCHEMA)],
    );
    w.leaf("title", &[], &a.title);
    w.leaf("description", &[], a.description.as_deref().unwrap_or(""));
    let flag = |b: bool| if b { "true" } else { "false" };
    let opt = |w: &mut Writer, name: &str, v: Option<String>| {
        if let Some(v) = v {
            w.leaf(name, &[], &v);
        }
    };
    opt(&mut w, "due_at", s.due_at.clone());
    opt(&mut w, "lock_at", s.lock_at.clone());
    opt(&mut w, "unlock_at", s.unlock_at.clone());
    opt(&mut w, "shuffle_answers", s.shuffle_answers.map(|b| flag(b).to_owned()));
    opt(&mut w, "scoring_policy", Some(s.scoring_policy.clone().unwrap_or_else(|| "keep_highest".into())));
    opt(&mut w, "hide_results", Some(s.hide_results.clone().unwrap_or_default()));
    let quiz_type = s.quiz_type.clone().unwrap_or_else(|| "assignment".into());
    opt(&mut w, "quiz_type", Some(quiz_type.clone()));
    let points = s.points_possible.unwrap_or_else(|| total_points(a));
    opt(&mut w, "points_possible", Some(fmt(points)));
    opt(&mut w, "access_code", s.access_code.clone());
    opt(&mut w, "ip_filter", s.ip_filter.clone());
    opt(&mut w, "show_correct_answers", s.show_correct_answers.map(|b| flag(b).to_owned()));
    opt(&mut w, "anonymous_submissions", s.anonymous_submissions.map(|b| flag(b).to_owned()));
    opt(&mut w, "time_limit", s.time_limit.map(|t| t.to_string()));
    opt(&mut w, "allowed_attempts", Some(s.allowed_attempts.unwrap_or(1).to_string()));
    opt(&mut w, "one_question_at_a_time", Some(flag(s.one_question_at_a_time.unwrap_or(false)).to_owned()));
    opt(&mut w, "cant_go_back", Some(flag(s.cant_go_back.unwrap_or(false)).to_owned()));
    opt(&mut w, "available", Some(flag(s.published.unwrap_or(false)).to_owned()));
    opt(&mut w, "one_time_results", Some(flag(s.one_time_results.unwrap_or(false)).to_owned()));
    opt(
        &mut w,
        "show_correct_answers_last_attempt",
        Some(flag(s.show_correct_answers_last_attempt.unwrap_or(false)).to_owned()),
    );
    if matches!(quiz_type.as_str(), "assignment" | "graded_survey") {
        // A graded quiz is an assignment in Canvas; its importer creates it from this.
        let assignment = format!("{ident}_assignment");
        w.open("assignment", &[("identifier", &assignment)]);
        w.leaf("title", &[], &a.title);
        w.leaf("workflow_state", &[], if s.published == Some(true) { "published" } else { "unpublished" });
        w.leaf("quiz_identifierref", &[], ident);
        w.leaf("points_possible", &[], &fmt(points));
        w.leaf("grading_type", &[], "points");
        w.leaf("submission_types", &[], "online_quiz");
        w.close();
    }
    finish(w, &format!("quiz {:?}", a.title), warnings)
}

/// What the test is worth: its questions, and each group's picks at the group's points.
fn total_points(a: &Assessment) -> f64 {
    a.entries
        .iter()
        .map(|e| match e {
            Entry::Item(i) => i.body.points_possible,
            Entry::Group(g) => {
                let per = g.points_per_item.or_else(|| g.items.first().map(|i| i.body.points_possible)).unwrap_or(0.0);
                per * f64::from(g.pick_count)
            }
        })
        .sum()
}

fn mattext(w: &mut Writer, text: &str, html: bool) {
    w.open("material", &[]);
    w.leaf("mattext", &[("texttype", if html { "text/html" } else { "text/plain" })], text);
    w.close();
}

fn fib(w: &mut Writer, decimal: bool) {
    w.open("response_str", &[("ident", "response1"), ("rcardinality", "Single")]);
    if decimal {
        w.open("render_fib", &[("fibtype", "Decimal")]);
        w.leaf("response_label", &[("ident", "answer1")], "");
    } else {
        w.open("render_fib", &[]);
        w.leaf("response_label", &[("ident", "answer1"), ("rshuffle", "No")], "");
    }
    w.close();
    w.close();
}

fn choice_list(w: &mut Writer, respident: &str, cardinality: Option<&str>, labels: &[(String, String, bool)]) {
    let mut attrs = vec![("ident", respident)];
    if let Some(c) = cardinality {
        attrs.push(("rcardinality", c));
    }
    w.open("response_lid", &attrs);
    w.open("render_choice", &[]);
    for (ident, text, html) in labels {
        w.open("response_label", &[("ident", ident)]);
        mattext(w, text, *html);
        w.close();
    }
    w.close();
    w.close();
}

fn html_labels(choices: &[Choice]) -> Vec<(String, String, bool)> {
    choices.iter().map(|c| (c.id.clone(), c.text.clone(), true)).collect()
}

/// `<respcondition>` with a condition written by `var`, an optional score, and feedback links.
fn condition(
    w: &mut Writer,
    continue_: Option<&str>,
    var: impl FnOnce(&mut Writer),
    score: Option<(&str, &str)>,
    feedback: &[&str],
) {
    match continue_ {
        Some(c) => w.open("respcondition", &[("continue", c)]),
        None => w.open("respcondition", &[]),
    }
    w.open("conditionvar", &[]);
    var(w);
    w.close();
    if let Some((action, value)) = score {
        w.leaf("setvar", &[("action", action), ("varname", "SCORE")], value);
    }
    for id in feedback {
        w.leaf("displayfeedback", &[("feedbacktype", "Response"), ("linkrefid", id)], "");
    }
    w.close();
}

fn other(w: &mut Writer) {
    w.leaf("other", &[], "");
}

fn varequal(w: &mut Writer, respident: &str, value: &str) {
    w.leaf("varequal", &[("respident", respident)], value);
}

fn feedback_conditions(w: &mut Writer, respident: &str, choices: &[Choice]) {
    for c in choices.iter().filter(|c| c.feedback.is_some()) {
        let link = format!("{}_fb", c.id);
        condition(w, Some("Yes"), |w| varequal(w, respident, &c.id), None, &[&link]);
    }
}

fn itemfeedback(w: &mut Writer, ident: &str, html: &str) {
    w.open("itemfeedback", &[("ident", ident)]);
    w.open("flow_mat", &[]);
    mattext(w, html, true);
    w.close();
    w.close();
}

/// One question, as Canvas's exporter writes it.
pub(crate) fn write_item(w: &mut Writer, item: &Item, warnings: &mut Vec<Warning>) {
    let b = &item.body;
    let kind = b.answer.question_type();
    let fb = &b.feedback;
    let correct_fb: Vec<&str> = if fb.correct.is_some() { vec![FB_CORRECT] } else { vec![] };
    let correct_fb = correct_fb.as_slice();
    let score_100 = Some(("Set", "100"));

    w.open("item", &[("ident", &item.ident), ("title", &b.name)]);
    w.open("itemmetadata", &[]);
    w.open("qtimetadata", &[]);
    field(w, "question_type", kind.canvas_name());
    field(w, "points_possible", &fmt(b.points_possible));
    field(w, "original_answer_ids", &answer_ids(&b.answer).join(","));
    if let Some(r) = &item.bank_item_ref {
        field(w, "assessment_question_identifierref", r);
    }
    match &b.answer {
        AnswerModel::ShortAnswer { text_match, .. } | AnswerModel::FillInMultipleBlanks { text_match, .. } => {
            field(w, META_CASE_SENSITIVE, if text_match.case_sensitive { "true" } else { "false" });
            field(w, META_NORMALIZE_WHITESPACE, if text_match.normalize_whitespace { "true" } else { "false" });
        }
        AnswerModel::MultipleAnswers { partial_credit, .. } => {
            let v = match partial_credit {
                PartialCredit::CorrectMinusIncorrect => "correct_minus_incorrect",
                PartialCredit::AllOrNothing => "all_or_nothing",
                PartialCredit::PerChoice => "per_choice",
            };
            field(w, META_PARTIAL_CREDIT, v);
        }
        AnswerModel::FileUpload { allowed_extensions } if !allowed_extensions.is_empty() => {
            field(w, META_ALLOWED_EXTENSIONS, &allowed_extensions.join(","));
        }
        _ => {}
    }
    w.close();
    w.close();

    // Presentation.
    w.open("presentation", &[]);
    mattext(w, &b.text, true);
    match &b.answer {
        AnswerModel::MultipleChoice { choices } => choice_list(w, "response1", Some("Single"), &html_labels(choices)),
        AnswerModel::MultipleAnswers { choices, .. } => {
            choice_list(w, "response1", Some("Multiple"), &html_labels(choices))
        }
        AnswerModel::TrueFalse { .. } => choice_list(
            w,
            "response1",
            Some("Single"),
            &[("true".into(), "True".into(), false), ("false".into(), "False".into(), false)],
        ),
        AnswerModel::ShortAnswer { .. } | AnswerModel::Essay => fib(w, false),
        AnswerModel::Numerical { .. } | AnswerModel::Calculated { .. } => fib(w, true),
        AnswerModel::FillInMultipleBlanks { blanks, .. } => {
            for blank in blanks {
                let labels: Vec<(String, String, bool)> = blank
                    .accepted
                    .iter()
                    .enumerate()
                    .map(|(n, a)| (format!("{}_{}", blank.id, n + 1), a.clone(), false))
                    .collect();
                lid_with_title(w, &format!("response_{}", blank.id), &blank.id, &labels);
            }
        }
        AnswerModel::MultipleDropdowns { dropdowns } => {
            for d in dropdowns {
                lid_with_title(w, &format!("response_{}", d.id), &d.id, &html_labels(&d.choices));
            }
        }
        AnswerModel::Matching { pairs, distractors } => {
            let rights = matching_rights(pairs.iter().map(|p| &p.right).chain(distractors.iter()));
            let labels: Vec<(String, String, bool)> =
                rights.iter().map(|(id, text)| (id.clone(), text.clone(), false)).collect();
            for p in pairs {
                lid_with_title(w, &format!("response_{}", p.id), &p.left, &labels);
            }
        }
        AnswerModel::Ordering { items } => {
            warnings.push(Warning::item(
                &item.ident,
                "is an ordering question, which classic Canvas quizzes do not have; it was written as a QTI 1.2 \
                 ordered response with question_type ordering_question, which Assay reads back but Canvas does not",
            ));
            // Ordering items are plain text in the model, as matching sides are.
            let labels: Vec<(String, String, bool)> =
                items.iter().map(|i| (i.id.clone(), i.text.clone(), false)).collect();
            choice_list(w, "response1", Some("Ordered"), &labels);
        }
        AnswerModel::FileUpload { .. } | AnswerModel::TextOnly => {}
    }
    w.close();

    // Scoring.
    if !matches!(b.answer, AnswerModel::TextOnly) {
        w.open("resprocessing", &[]);
        w.open("outcomes", &[]);
        w.leaf("decvar", &[("maxvalue", "100"), ("minvalue", "0"), ("varname", "SCORE"), ("vartype", "Decimal")], "");
        w.close();
        if fb.neutral.is_some() {
            condition(w, Some("Yes"), other, None, &[FB_NEUTRAL]);
        }
        let mut incorrect_condition = true;
        match &b.answer {
            AnswerModel::MultipleChoice { choices } => {
                feedback_conditions(w, "response1", choices);
                let correct: Vec<&Choice> = choices.iter().filter(|c| c.correct).collect();
                condition(
                    w,
                    Some("No"),
                    |w| match correct.as_slice() {
                        [one] => varequal(w, "response1", &one.id),
                        several => {
                            w.open("or", &[]);
                            for c in several {
                                varequal(w, "response1", &c.id);
                            }
                            w.close();
                        }
                    },
                    score_100,
                    correct_fb,
                );
            }
            AnswerModel::TrueFalse { correct } => {
                let id = if *correct { "true" } else { "false" };
                condition(w, Some("No"), |w| varequal(w, "response1", id), score_100, correct_fb);
            }
            AnswerModel::MultipleAnswers { choices, .. } => {
                feedback_conditions(w, "response1", choices);
                condition(
                    w,
                    Some("No"),
                    |w| {
                        w.open("and", &[]);
                        for c in choices {
                            if c.correct {
                                varequal(w, "response1", &c.id);
                            } else {
                                w.open("not", &[]);
                                varequal(w, "response1", &c.id);
                                w.close();
                            }
                        }
                        w.close();
                    },
                    score_100,
                    correct_fb,
                );
            }
            AnswerModel::ShortAnswer { accepted, text_match } => {
                let case: &[(&str, &str)] = if text_match.case_sensitive { &[("case", "Yes")] } else { &[] };
                condition(
                    w,
                    Some("No"),
                    |w| {
                        for a in accepted {
                            let mut attrs = vec![("respident", "response1")];
                            attrs.extend_from_slice(case);
                            w.leaf("varequal", &attrs, a);
                        }
                    },
                    score_100,
                    correct_fb,
                );
            }
            AnswerModel::Essay | AnswerModel::FileUpload { .. } => {
                if matches!(b.answer, AnswerModel::Essay) {
                    condition(w, Some("No"), other, None, &[]);
                }
            }
            AnswerModel::Numerical { answers } => {
                for a in answers {
                    condition(w, Some("No"), |w| numeric_condition(w, a), score_100, correct_fb);
                }
            }
            AnswerModel::Calculated { .. } => {
                w.open("respcondition", &[("title", "correct")]);
                w.open("conditionvar", &[]);
                other(w);
                w.close();
                w.leaf("setvar", &[("action", "Set"), ("varname", "SCORE")], "100");
                w.close();
                w.open("respcondition", &[("title", "incorrect")]);
                w.open("conditionvar", &[]);
                w.open("not", &[]);
                other(w);
                w.close();
                w.close();
                w.leaf("setvar", &[("action", "Set"), ("varname", "SCORE")], "0");
                w.close();
            }
            AnswerModel::FillInMultipleBlanks { blanks, .. } => {
                incorrect_condition = false;
                let share = format!("{:.2}", 100.0 / blanks.len().max(1) as f64);
                for blank in blanks.iter().filter(|b| !b.accepted.is_empty()) {
                    let respident = format!("response_{}", blank.id);
                    let first = format!("{}_1", blank.id);
                    condition(w, None, |w| varequal(w, &respident, &first), Some(("Add", &share)), &[]);
                }
            }
            AnswerModel::MultipleDropdowns { dropdowns } => {
                incorrect_condition = false;
                let share = format!("{:.2}", 100.0 / dropdowns.len().max(1) as f64);
                for d in dropdowns {
                    let respident = format!("response_{}", d.id);
                    feedback_conditions(w, &respident, &d.choices);
                    if let Some(c) = d.choices.iter().find(|c| c.correct) {
                        condition(w, None, |w| varequal(w, &respident, &c.id), Some(("Add", &share)), &[]);
                    }
                }
            }
            AnswerModel::Matching { pairs, distractors } => {
                incorrect_condition = false;
                let rights = matching_rights(pairs.iter().map(|p| &p.right).chain(distractors.iter()));
                let share = format!("{:.2}", 100.0 / pairs.len().max(1) as f64);
                for p in pairs {
                    let respident = format!("response_{}", p.id);
                    let match_id = rights.iter().find(|(_, t)| t == &p.right).map(|(id, _)| id.as_str()).unwrap_or("");
                    condition(w, None, |w| varequal(w, &respident, match_id), Some(("Add", &share)), &[]);
                }
            }
            AnswerModel::Ordering { items } => {
                condition(
                    w,
                    Some("No"),
                    |w| {
                        w.open("and", &[]);
                        for i in items {
                            varequal(w, "response1", &i.id);
                        }
                        w.close();
                    },
                    score_100,
                    correct_fb,
                );
            }
            AnswerModel::TextOnly => {}
        }
        if fb.incorrect.is_some() && incorrect_condition {
            condition(w, Some("Yes"), other, None, &[FB_INCORRECT]);
        }
        w.close();
    }

    if let AnswerModel::Calculated { variables, formula, tolerance, decimal_places } = &b.answer {
        let tolerance_model = tolerance;
        w.open("itemproc_extension", &[]);
        w.open("calculated", &[]);
        let tolerance = match tolerance {
            Tolerance::Absolute { value } => fmt(*value),
            Tolerance::Percent { value } => format!("{}%", fmt(*value)),
        };
        w.leaf("answer_tolerance", &[], &tolerance);
        w.open("formulas", &[("decimal_places", &decimal_places.to_string())]);
        w.leaf("formula", &[], formula);
        w.close();
        w.open("vars", &[]);
        for v in variables {
            w.open("var", &[("name", &v.name), ("scale", &v.scale.to_string())]);
            w.leaf("min", &[], &fmt(v.min));
            w.leaf("max", &[], &fmt(v.max));
            w.close();
        }
        w.close();
        // Canvas delivers a calculated question from these sets; Assay draws its own values when a test is taken.
        let sets = answer_sets::generate(variables, formula, *tolerance_model, *decimal_places);
        w.open("var_sets", &[]);
        for (i, set) in sets.iter().enumerate() {
            w.open("var_set", &[("ident", &(i + 1).to_string())]);
            for (name, value) in &set.values {
                w.leaf("var", &[("name", name)], value);
            }
            w.leaf("answer", &[], &set.answer);
            w.close();
        }
        w.close();
        w.close();
        w.close();
        if sets.is_empty() {
            warnings.push(Warning::item(
                &item.ident,
                "is a calculated question whose formula could not be evaluated for any drawn values, so it was \
                 written without answer sets (var_sets); Canvas cannot deliver it until answers are generated there",
            ));
        }
    }

    if let Some(f) = &fb.neutral {
        itemfeedback(w, FB_NEUTRAL, f);
    }
    if let Some(f) = &fb.correct {
        itemfeedback(w, FB_CORRECT, f);
    }
    if let Some(f) = &fb.incorrect {
        itemfeedback(w, FB_INCORRECT, f);
    }
    let choices: Vec<&Choice> = match &b.answer {
        AnswerModel::MultipleChoice { choices } | AnswerModel::MultipleAnswers { choices, .. } => {
            choices.iter().collect()
        }
        AnswerModel::MultipleDropdowns { dropdowns } => dropdowns.iter().flat_map(|d| d.choices.iter()).collect(),
        _ => Vec::new(),
    };
    for c in choices {
        if let Some(f) = &c.feedback {
            itemfeedback(w, &format!("{}_fb", c.id), f);
        }
    }
    w.close();
}

/// A response list whose own material names it (a blank, a dropdown, a matching left side), as Canvas writes them.
fn lid_with_title(w: &mut Writer, respident: &str, title: &str, labels: &[(String, String, bool)]) {
    w.open("response_lid", &[("ident", respident)]);
    mattext(w, title, false);
    w.open("render_choice", &[]);
    for (ident, text, html) in labels {
        w.open("response_label", &[("ident", ident)]);
        mattext(w, text, *html);
        w.close();
    }
    w.close();
    w.close();
}

/// The right-hand options of a matching question, each once, numbered as Canvas numbers match ids.
fn matching_rights<'a>(texts: impl Iterator<Item = &'a String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for t in texts {
        if !out.iter().any(|(_, x)| x == t) {
            out.push(((out.len() + 1).to_string(), t.clone()));
        }
    }
    out
}

fn numeric_condition(w: &mut Writer, a: &NumericAnswer) {
    match *a {
        NumericAnswer::Exact { value, margin } => {
            let slack = numbers::slack(&[value, margin]);
            w.open("or", &[]);
            varequal(w, "response1", &fmt(value));
            w.open("and", &[]);
            w.leaf("vargte", &[("respident", "response1")], &fmt(numbers::snap(value - margin, slack)));
            w.leaf("varlte", &[("respident", "response1")], &fmt(numbers::snap(value + margin, slack)));
            w.close();
            w.close();
        }
        NumericAnswer::Range { start, end } => {
            w.leaf("vargte", &[("respident", "response1")], &fmt(start));
            w.leaf("varlte", &[("respident", "response1")], &fmt(end));
        }
        NumericAnswer::Precision { value, precision } => {
            let (lo, hi) = numbers::precision_bounds(value, precision);
            w.open("or", &[]);
            varequal(w, "response1", &fmt(value));
            w.open("and", &[]);
            w.leaf("vargt", &[("respident", "response1")], &fmt(lo));
            w.leaf("varlte", &[("respident", "response1")], &fmt(hi));
            w.close();
            w.close();
        }
    }
}

/// Canvas's `original_answer_ids`: the ids of the answers as the package names them.
fn answer_ids(answer: &AnswerModel) -> Vec<String> {
    match answer {
        AnswerModel::MultipleChoice { choices } | AnswerModel::MultipleAnswers { choices, .. } => {
            choices.iter().map(|c| c.id.clone()).collect()
        }
        AnswerModel::TrueFalse { .. } => vec!["true".into(), "false".into()],
        AnswerModel::MultipleDropdowns { dropdowns } => {
            dropdowns.iter().flat_map(|d| d.choices.iter().map(|c| c.id.clone())).collect()
        }
        AnswerModel::FillInMultipleBlanks { blanks, .. } => {
            blanks.iter().flat_map(|b| (1..=b.accepted.len()).map(move |n| format!("{}_{n}", b.id))).collect()
        }
        AnswerModel::Matching { pairs, .. } => pairs.iter().map(|p| p.id.clone()).collect(),
        AnswerModel::Ordering { items } => items.iter().map(|i| i.id.clone()).collect(),
        _ => Vec::new(),
    }
}
