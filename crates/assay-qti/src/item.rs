//! One QTI 1.2 `<item>` into a [`QuestionBody`]: Canvas's flavour first (`question_type` metadata, its response and
//! scoring shapes), generic QTI 1.2 by the shape of the presentation where the metadata is missing.

use std::collections::{BTreeMap, BTreeSet};

use assay_domain::question::{
    QuestionBody, QuestionType,
    model::{
        AnswerModel, Blank, Choice, Dropdown, Feedback, MatchPair, NumericAnswer, OrderItem, PartialCredit, TextMatch,
        Tolerance, Variable,
    },
};

use crate::{Item, Warning, numbers, xml::Element};

/// Assay's own metadata fields: what the model holds and Canvas's QTI has no place for. Other readers ignore them.
pub(crate) const META_CASE_SENSITIVE: &str = "assay_case_sensitive";
pub(crate) const META_NORMALIZE_WHITESPACE: &str = "assay_normalize_whitespace";
pub(crate) const META_PARTIAL_CREDIT: &str = "assay_partial_credit";
pub(crate) const META_ALLOWED_EXTENSIONS: &str = "assay_allowed_extensions";

/// Feedback idents Canvas gives the question-level comments.
pub(crate) const FB_NEUTRAL: &str = "general_fb";
pub(crate) const FB_CORRECT: &str = "correct_fb";
pub(crate) const FB_INCORRECT: &str = "general_incorrect_fb";

/// Response elements Assay has no question type for.
const UNSUPPORTED_RESPONSES: [&str; 3] = ["response_xy", "response_grp", "response_extension"];

/// Text from `<material>`, HTML or not.
fn material_parts(material: &Element, warnings: &mut Vec<String>) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for child in material.elements() {
        match child.name.as_str() {
            "mattext" | "matemtext" => {
                let html = child.attr("texttype").is_some_and(|t| t.eq_ignore_ascii_case("text/html"));
                out.push((child.text(), html));
            }
            "matbreak" => out.push(("<br>".into(), true)),
            "matref" => warnings.push(format!(
                "refers to material {:?} elsewhere in the document (matref), which is not supported; it was left out",
                child.attr("linkrefid").unwrap_or("")
            )),
            other => warnings.push(format!("has <{other}> material, which is not supported; it was left out")),
        }
    }
    out
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A material as HTML (plain text escaped).
fn material_html(material: &Element, warnings: &mut Vec<String>) -> String {
    material_parts(material, warnings).into_iter().map(|(t, html)| if html { t } else { escape_html(&t) }).collect()
}

/// A material's text as written (for plain-text fields: matching sides, blank answers).
fn material_raw(material: &Element, warnings: &mut Vec<String>) -> String {
    material_parts(material, warnings).into_iter().map(|(t, _)| t).collect()
}

/// Text without tags, for recognising "True"/"False".
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// A `respcondition`, summarised.
struct Condition<'a> {
    var: Option<&'a Element>,
    /// The SCORE it sets or adds.
    score: Option<f64>,
    feedback: Vec<String>,
}

impl Condition<'_> {
    fn positive(&self) -> bool {
        self.score.is_some_and(|s| s > 0.0)
    }

    /// `varequal`s in the condition: (respident, value, negated).
    fn equals(&self) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        fn walk(el: &Element, negated: bool, out: &mut Vec<(String, String, bool)>) {
            for child in el.elements() {
                match child.name.as_str() {
                    "varequal" => {
                        out.push((child.attr("respident").unwrap_or("").to_owned(), child.text(), negated));
                    }
                    "not" => walk(child, !negated, out),
                    "and" | "or" => walk(child, negated, out),
                    _ => {}
                }
            }
        }
        if let Some(var) = self.var {
            walk(var, false, &mut out);
        }
        out
    }

    /// The condition is a single `varequal` (how Canvas keys per-answer feedback).
    fn single_equal(&self) -> Option<(String, String)> {
        let var = self.var?;
        let kids: Vec<&Element> = var.elements().collect();
        match kids.as_slice() {
            [only] if only.name == "varequal" => Some((only.attr("respident").unwrap_or("").to_owned(), only.text())),
            _ => None,
        }
    }

    fn case_sensitive(&self) -> bool {
        self.var.is_some_and(|var| {
            var.descendants_named("varequal")
                .iter()
                .any(|v| v.attr("case").is_some_and(|c| c.eq_ignore_ascii_case("yes")))
        })
    }
}

struct Reader<'a> {
    el: &'a Element,
    meta: BTreeMap<String, String>,
    conditions: Vec<Condition<'a>>,
    /// itemfeedback ident → HTML.
    feedback: BTreeMap<String, String>,
    used_feedback: BTreeSet<String>,
    notes: Vec<String>,
}

impl<'a> Reader<'a> {
    fn new(el: &'a Element) -> Reader<'a> {
        let mut notes = Vec::new();
        let mut meta = BTreeMap::new();
        if let Some(q) = el.path(&["itemmetadata", "qtimetadata"]) {
            for field in q.children_named("qtimetadatafield") {
                let label = field.child("fieldlabel").map(Element::value).unwrap_or_default();
                let entry = field.child("fieldentry").map(Element::value).unwrap_or_default();
                meta.insert(label, entry);
            }
        }
        let mut conditions = Vec::new();
        for res in el.children_named("resprocessing") {
            for cond in res.children_named("respcondition") {
                let score = cond.children_named("setvar").find_map(|s| numbers::parse(&s.text()));
                let feedback = cond
                    .children_named("displayfeedback")
                    .filter_map(|d| d.attr("linkrefid").map(str::to_owned))
                    .collect();
                conditions.push(Condition { var: cond.child("conditionvar"), score, feedback });
            }
        }
        let mut feedback = BTreeMap::new();
        for fb in el.children_named("itemfeedback") {
            let id = fb.attr("ident").unwrap_or("").to_owned();
            let html: String = fb
                .descendants_named("material")
                .into_iter()
                .map(|m| material_html(m, &mut notes))
                .collect::<Vec<_>>()
                .join("");
            for extra in ["solution", "hint"] {
                if !fb.descendants_named(extra).is_empty() {
                    notes.push(format!("has a <{extra}> in feedback {id:?}, which is not supported; it was left out"));
                }
            }
            feedback.insert(id, html);
        }
        Reader { el, meta, conditions, feedback, used_feedback: BTreeSet::new(), notes }
    }

    fn warn(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    fn meta(&self, label: &str) -> Option<&str> {
        self.meta.get(label).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Takes an itemfeedback's HTML (empty feedback counts as none).
    fn take_feedback(&mut self, id: &str) -> Option<String> {
        let html = self.feedback.get(id)?.clone();
        self.used_feedback.insert(id.to_owned());
        (!html.trim().is_empty()).then_some(html)
    }

    fn presentation(&self) -> Option<&'a Element> {
        self.el.child("presentation")
    }

    /// The prompt: materials of the presentation (and its `flow`s) outside the response elements.
    fn question_text(&mut self) -> String {
        let mut out = String::new();
        let mut notes = Vec::new();
        fn walk(el: &Element, out: &mut String, notes: &mut Vec<String>) {
            for child in el.elements() {
                match child.name.as_str() {
                    "material" => out.push_str(&material_html(child, notes)),
                    "flow" => walk(child, out, notes),
                    _ => {}
                }
            }
        }
        if let Some(p) = self.presentation() {
            walk(p, &mut out, &mut notes);
        }
        self.notes.extend(notes);
        out
    }

    fn responses(&self, name: &str) -> Vec<&'a Element> {
        self.presentation().map(|p| p.descendants_named(name)).unwrap_or_default()
    }

    /// `response_label`s of a response: (ident, material element).
    fn labels(response: &'a Element) -> Vec<(String, Option<&'a Element>)> {
        response
            .descendants_named("response_label")
            .into_iter()
            .map(|l| (l.attr("ident").unwrap_or("").to_owned(), l.child("material")))
            .collect()
    }

    fn label_html(&mut self, material: Option<&Element>) -> String {
        let mut notes = Vec::new();
        let html = material.map(|m| material_html(m, &mut notes)).unwrap_or_default();
        self.notes.extend(notes);
        html
    }

    fn label_raw(&mut self, material: Option<&Element>) -> String {
        let mut notes = Vec::new();
        let raw = material.map(|m| material_raw(m, &mut notes)).unwrap_or_default();
        self.notes.extend(notes);
        raw
    }

    /// Values scored correct (non-negated `varequal`s of positive conditions), optionally for one respident.
    fn correct_values(&self, respident: Option<&str>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for cond in self.conditions.iter().filter(|c| c.positive()) {
            for (resp, value, negated) in cond.equals() {
                if !negated && respident.is_none_or(|r| r == resp) && !out.contains(&value) {
                    out.push(value);
                }
            }
        }
        out
    }

    /// Per-answer feedback: a condition on a single `varequal` showing a feedback other than the question-level
    /// ones, or an itemfeedback named `<answer>_fb`.
    fn answer_feedback(&mut self, respident: Option<&str>, value: &str) -> Option<String> {
        let linked: Vec<String> = self
            .conditions
            .iter()
            .filter(|c| {
                c.single_equal().is_some_and(|(r, v)| v.trim() == value.trim() && respident.is_none_or(|x| x == r))
            })
            .flat_map(|c| c.feedback.clone())
            .filter(|id| ![FB_NEUTRAL, FB_CORRECT, FB_INCORRECT].contains(&id.as_str()))
            .collect();
        let conventional = format!("{value}_fb");
        linked.iter().chain(std::iter::once(&conventional)).find_map(|id| self.take_feedback(id))
    }

    fn text_match(&self, case_sensitive: bool) -> TextMatch {
        let mut m = TextMatch { case_sensitive, ..TextMatch::default() };
        if let Some(v) = self.meta(META_CASE_SENSITIVE) {
            m.case_sensitive = v == "true";
        }
        if let Some(v) = self.meta(META_NORMALIZE_WHITESPACE) {
            m.normalize_whitespace = v != "false";
        }
        m
    }

    /// The question type from Canvas's metadata, or from the presentation's shape.
    fn question_type(&mut self) -> Result<QuestionType, String> {
        for name in UNSUPPORTED_RESPONSES {
            if !self.responses(name).is_empty() {
                return Err(format!("uses <{name}>, which Assay has no question type for"));
            }
        }
        for render in ["render_hotspot", "render_slider", "render_extension"] {
            if !self.responses(render).is_empty() {
                return Err(format!("uses <{render}>, which Assay has no question type for"));
            }
        }
        if let Some(name) = self.meta("question_type").map(str::to_owned) {
            if let Some(t) = QuestionType::from_canvas_name(&name) {
                return Ok(t);
            }
            let inferred = self.infer_type();
            self.warn(format!(
                "has question_type {name:?}, which Assay does not know; it was read as {} from its shape",
                inferred.canvas_name()
            ));
            return Ok(inferred);
        }
        Ok(self.infer_type())
    }

    fn infer_type(&self) -> QuestionType {
        let lids = self.responses("response_lid");
        let strs: Vec<&Element> =
            self.responses("response_str").into_iter().chain(self.responses("response_num")).collect();
        if lids.len() > 1 {
            let first: Vec<String> = Self::labels(lids[0]).into_iter().map(|(id, _)| id).collect();
            let same = lids.iter().all(|l| Self::labels(l).into_iter().map(|(id, _)| id).collect::<Vec<_>>() == first);
            return if same { QuestionType::Matching } else { QuestionType::MultipleDropdowns };
        }
        if let Some(lid) = lids.first() {
            return match lid.attr("rcardinality").unwrap_or("Single") {
                "Multiple" => QuestionType::MultipleAnswers,
                "Ordered" => QuestionType::Ordering,
                _ => QuestionType::MultipleChoice,
            };
        }
        if strs.len() > 1 {
            return QuestionType::FillInMultipleBlanks;
        }
        if let Some(s) = strs.first() {
            let numeric = s.name == "response_num"
                || s.descendants_named("render_fib")
                    .iter()
                    .any(|r| r.attr("fibtype").is_some_and(|t| matches!(t, "Decimal" | "Integer" | "Scientific")));
            if numeric {
                return QuestionType::Numerical;
            }
            return if self.correct_values(None).is_empty() { QuestionType::Essay } else { QuestionType::ShortAnswer };
        }
        QuestionType::TextOnly
    }

    /// The choices of a response; `respident` restricts scoring and feedback to it (dropdowns), `None` reads the
    /// item's only response.
    fn choices(&mut self, lid: &'a Element, respident: Option<&str>) -> Vec<Choice> {
        let correct = self.correct_values(respident);
        let mut out = Vec::new();
        for (id, material) in Self::labels(lid) {
            let text = self.label_html(material);
            let feedback = self.answer_feedback(respident, &id);
            out.push(Choice { correct: correct.iter().any(|c| c.trim() == id), id, text, feedback });
        }
        out
    }

    fn single_lid(&mut self) -> Option<&'a Element> {
        let lids = self.responses("response_lid");
        if lids.len() > 1 {
            self.warn(format!("has {} choice lists where one was expected; only the first was read", lids.len()));
        }
        if lids.is_empty() {
            self.warn("has no choices (no <response_lid>)");
        }
        lids.first().copied()
    }

    fn answer(&mut self, kind: QuestionType) -> Result<AnswerModel, String> {
        Ok(match kind {
            QuestionType::MultipleChoice => {
                let choices = match self.single_lid() {
                    Some(lid) => self.choices(lid, None),
                    None => Vec::new(),
                };
                if !choices.is_empty() && !choices.iter().any(|c| c.correct) {
                    self.warn("has no choice scored correct");
                }
                AnswerModel::MultipleChoice { choices }
            }
            QuestionType::TrueFalse => {
                let choices = match self.single_lid() {
                    Some(lid) => self.choices(lid, None),
                    None => Vec::new(),
                };
                let truth = |c: &Choice| match strip_tags(&c.text).to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                };
                let readable = choices.len() == 2 && choices.iter().all(|c| truth(c).is_some());
                match choices.iter().filter(|c| c.correct).collect::<Vec<_>>().as_slice() {
                    [only] if readable => {
                        if choices.iter().any(|c| c.feedback.is_some()) {
                            self.warn(
                                "has feedback on its True/False choices, which Assay's true/false questions do not \
                                 keep; it was left out",
                            );
                        }
                        AnswerModel::TrueFalse { correct: truth(only) == Some(true) }
                    }
                    _ => {
                        self.warn(
                            "is a true/false question whose choices are not exactly True and False with one \
                             correct; it was read as multiple choice",
                        );
                        AnswerModel::MultipleChoice { choices }
                    }
                }
            }
            QuestionType::MultipleAnswers => {
                let choices = match self.single_lid() {
                    Some(lid) => self.choices(lid, None),
                    None => Vec::new(),
                };
                let partial_credit = match self.meta(META_PARTIAL_CREDIT) {
                    Some("all_or_nothing") => PartialCredit::AllOrNothing,
                    Some("per_choice") => PartialCredit::PerChoice,
                    _ => PartialCredit::CorrectMinusIncorrect,
                };
                AnswerModel::MultipleAnswers { choices, partial_credit }
            }
            QuestionType::ShortAnswer => {
                let accepted = self.correct_values(None);
                if accepted.is_empty() {
                    self.warn("has no accepted answer");
                }
                self.warn_answer_feedback(&accepted, None);
                let case = self.conditions.iter().filter(|c| c.positive()).any(Condition::case_sensitive);
                AnswerModel::ShortAnswer { accepted, text_match: self.text_match(case) }
            }
            QuestionType::FillInMultipleBlanks => {
                let mut blanks = Vec::new();
                for lid in self.responses("response_lid") {
                    let respident = lid.attr("ident").unwrap_or("");
                    let id = respident.strip_prefix("response_").unwrap_or(respident).to_owned();
                    let mut accepted = Vec::new();
                    for (label, material) in Self::labels(lid) {
                        let text = self.label_raw(material);
                        if self.answer_feedback(Some(respident), &label).is_some() {
                            self.warn(format!(
                                "has feedback on answer {text:?} of blank {id:?}, which Assay does not keep; it \
                                 was left out"
                            ));
                        }
                        if !accepted.contains(&text) {
                            accepted.push(text);
                        }
                    }
                    blanks.push(Blank { id, accepted });
                }
                // Generic QTI: one text entry per blank, accepted answers in the scoring.
                for s in self.responses("response_str") {
                    let id = s.attr("ident").unwrap_or("").to_owned();
                    let accepted = self.correct_values(Some(&id));
                    blanks.push(Blank { id, accepted });
                }
                let case = self.conditions.iter().filter(|c| c.positive()).any(Condition::case_sensitive);
                AnswerModel::FillInMultipleBlanks { blanks, text_match: self.text_match(case) }
            }
            QuestionType::MultipleDropdowns => {
                let mut dropdowns = Vec::new();
                for lid in self.responses("response_lid") {
                    let respident = lid.attr("ident").unwrap_or("");
                    let id = respident.strip_prefix("response_").unwrap_or(respident).to_owned();
                    let choices = self.choices(lid, Some(respident));
                    if !choices.iter().any(|c| c.correct) {
                        self.warn(format!("has no correct choice for dropdown {id:?}"));
                    }
                    dropdowns.push(Dropdown { id, choices });
                }
                AnswerModel::MultipleDropdowns { dropdowns }
            }
            QuestionType::Matching => {
                let mut pairs = Vec::new();
                let mut rights: Vec<String> = Vec::new();
                for lid in self.responses("response_lid") {
                    let respident = lid.attr("ident").unwrap_or("");
                    let id = respident.strip_prefix("response_").unwrap_or(respident).to_owned();
                    let mut notes = Vec::new();
                    let left = lid.child("material").map(|m| material_raw(m, &mut notes)).unwrap_or_default();
                    self.notes.extend(notes);
                    let mut options = BTreeMap::new();
                    for (label, material) in Self::labels(lid) {
                        let text = self.label_raw(material);
                        if !rights.contains(&text) {
                            rights.push(text.clone());
                        }
                        options.insert(label, text);
                    }
                    if self.take_feedback(&format!("{id}_fb")).is_some() {
                        self.warn(format!(
                            "has feedback on matching answer {left:?}, which Assay does not keep; it was left out"
                        ));
                    }
                    match self.correct_values(Some(respident)).first().and_then(|m| options.get(m.trim())) {
                        Some(right) => pairs.push(MatchPair { id, left, right: right.clone() }),
                        None => self.warn(format!("has no correct match for {left:?}; that pair was left out")),
                    }
                }
                let distractors = rights.into_iter().filter(|r| !pairs.iter().any(|p| &p.right == r)).collect();
                AnswerModel::Matching { pairs, distractors }
            }
            QuestionType::Ordering => {
                let lid = self.single_lid();
                let mut items = Vec::new();
                if let Some(lid) = lid {
                    for (id, material) in Self::labels(lid) {
                        let text = self.label_raw(material);
                        items.push(OrderItem { id, text });
                    }
                    // The correct order, when the scoring gives one covering every item.
                    let order: Vec<String> =
                        self.correct_values(lid.attr("ident")).iter().map(|o| o.trim().to_owned()).collect();
                    if order.len() == items.len() && items.iter().all(|i| order.contains(&i.id)) {
                        items.sort_by_key(|i| order.iter().position(|o| o == &i.id));
                    }
                }
                AnswerModel::Ordering { items }
            }
            QuestionType::Numerical => {
                let mut answers = Vec::new();
                let mut notes = Vec::new();
                let mut feedback_ids = Vec::new();
                for cond in self.conditions.iter().filter(|c| c.positive()) {
                    match cond.var.map(numeric_answer) {
                        Some(Ok(answer)) => answers.push(answer),
                        Some(Err(why)) => notes.push(format!("has a numerical answer Assay cannot read ({why})")),
                        None => notes.push("has a scoring condition without a conditionvar".into()),
                    }
                    feedback_ids.extend(cond.feedback.iter().filter(|f| f.as_str() != FB_CORRECT).cloned());
                }
                self.notes.extend(notes);
                for id in feedback_ids {
                    if self.take_feedback(&id).is_some() {
                        self.warn("has feedback on a numerical answer, which Assay does not keep; it was left out");
                    }
                }
                if answers.is_empty() {
                    self.warn("has no numerical answer Assay can read");
                }
                AnswerModel::Numerical { answers }
            }
            QuestionType::Calculated => self.calculated()?,
            QuestionType::Essay => AnswerModel::Essay,
            QuestionType::FileUpload => AnswerModel::FileUpload {
                allowed_extensions: self
                    .meta(META_ALLOWED_EXTENSIONS)
                    .map(|v| v.split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect())
                    .unwrap_or_default(),
            },
            QuestionType::TextOnly => AnswerModel::TextOnly,
        })
    }

    fn warn_answer_feedback(&mut self, accepted: &[String], respident: Option<&str>) {
        for answer in accepted {
            if self.answer_feedback(respident, answer).is_some() {
                self.warn(format!("has feedback on answer {answer:?}, which Assay does not keep; it was left out"));
            }
        }
    }

    fn calculated(&mut self) -> Result<AnswerModel, String> {
        let Some(calc) = self.el.path(&["itemproc_extension", "calculated"]) else {
            return Err("is a calculated question without its definition (itemproc_extension/calculated)".into());
        };
        let tolerance_raw = calc.child("answer_tolerance").map(Element::value).unwrap_or_default();
        let tolerance = match tolerance_raw.strip_suffix('%') {
            Some(p) => Tolerance::Percent { value: numbers::parse(p).unwrap_or(0.0) },
            None => Tolerance::Absolute { value: numbers::parse(&tolerance_raw).unwrap_or(0.0) },
        };
        let formulas_el = calc.child("formulas");
        let decimal_places =
            formulas_el.and_then(|f| f.attr("decimal_places")).and_then(|d| d.trim().parse::<u32>().ok()).unwrap_or(0);
        let formulas: Vec<String> = formulas_el
            .map(|f| f.children_named("formula").map(Element::value).filter(|f| !f.is_empty()).collect())
            .unwrap_or_default();
        let Some(formula) = formulas.last().cloned() else {
            return Err("is a calculated question without a formula".into());
        };
        if formulas.len() > 1 {
            self.warn(format!(
                "has {} formula lines; Assay keeps one formula, so only the last ({formula:?}) was kept",
                formulas.len()
            ));
        }
        let mut variables = Vec::new();
        for var in calc.path(&["vars"]).map(|v| v.children_named("var").collect::<Vec<_>>()).unwrap_or_default() {
            let name = var.attr("name").unwrap_or("").to_owned();
            let scale = var.attr("scale").and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(0);
            let min = var.child("min").and_then(|m| numbers::parse(&m.text()));
            let max = var.child("max").and_then(|m| numbers::parse(&m.text()));
            match (min, max) {
                (Some(min), Some(max)) => variables.push(Variable { name, min, max, scale }),
                _ => return Err(format!("has variable {name:?} without a numeric min and max")),
            }
        }
        let answer = AnswerModel::Calculated { variables, formula, tolerance, decimal_places };
        // The package's answer sets are not kept (Assay draws its own values); an answer Assay would not accept
        // at its set's values means the package and Assay disagree about the question, which the author should see.
        let sets =
            calc.path(&["var_sets"]).map(|v| v.children_named("var_set").collect::<Vec<_>>()).unwrap_or_default();
        for set in sets {
            let read = crate::answer_sets::AnswerSet {
                values: set
                    .children_named("var")
                    .map(|v| (v.attr("name").unwrap_or("").to_owned(), v.text().trim().to_owned()))
                    .collect(),
                answer: set.child("answer").map(|a| a.text().trim().to_owned()).unwrap_or_default(),
            };
            if let Err(why) = crate::answer_sets::check(&answer, &read) {
                self.warn(format!(
                    "has an answer set ({}) that does not fit its formula: {why}; Assay computes answers from the \
                     formula, so it will score that set differently",
                    set.attr("ident").unwrap_or("")
                ));
            }
        }
        Ok(answer)
    }
}

/// A numerical answer from a scoring condition, in the shapes Canvas and text2qti write.
fn numeric_answer(var: &Element) -> Result<NumericAnswer, String> {
    let kids: Vec<&Element> = var.elements().filter(|e| e.name != "other").collect();
    let num = |e: &Element| numbers::parse(&e.text()).ok_or_else(|| format!("{:?} is not a number", e.value()));
    match kids.as_slice() {
        [or] if or.name == "or" => {
            let parts: Vec<&Element> = or.elements().collect();
            let value = parts.iter().find(|p| p.name == "varequal").ok_or("an <or> without <varequal>")?;
            let value = num(value)?;
            match parts.iter().find(|p| p.name == "and") {
                None => Ok(NumericAnswer::Exact { value, margin: 0.0 }),
                Some(and) => {
                    let (lo, lo_strict, hi) = bounds(&and.elements().collect::<Vec<_>>())?;
                    if lo_strict {
                        let precision =
                            numbers::precision_from_bounds(value, lo, hi).ok_or("precision bounds out of order")?;
                        Ok(NumericAnswer::Precision { value, precision })
                    } else {
                        let slack = numbers::slack(&[value, lo, hi]);
                        let margin = numbers::snap((hi - value).max(value - lo).max(0.0), slack);
                        Ok(NumericAnswer::Exact { value, margin })
                    }
                }
            }
        }
        [only] if only.name == "varequal" => Ok(NumericAnswer::Exact { value: num(only)?, margin: 0.0 }),
        [and] if and.name == "and" => {
            let (start, _, end) = bounds(&and.elements().collect::<Vec<_>>())?;
            Ok(NumericAnswer::Range { start, end })
        }
        parts => {
            let (start, _, end) = bounds(parts)?;
            Ok(NumericAnswer::Range { start, end })
        }
    }
}

/// Lower and upper bounds from `vargte`/`vargt` and `varlte`/`varlt`: (lower, lower is strict, upper).
fn bounds(parts: &[&Element]) -> Result<(f64, bool, f64), String> {
    let mut lo = None;
    let mut hi = None;
    for p in parts {
        let v = numbers::parse(&p.text()).ok_or_else(|| format!("{:?} is not a number", p.value()))?;
        match p.name.as_str() {
            "vargte" => lo = Some((v, false)),
            "vargt" => lo = Some((v, true)),
            "varlte" | "varlt" => hi = Some(v),
            other => return Err(format!("<{other}> in a numerical condition")),
        }
    }
    match (lo, hi) {
        (Some((lo, strict)), Some(hi)) => Ok((lo, strict, hi)),
        _ => Err("a range without both bounds".into()),
    }
}

/// Whether HTML refers to a file inside the package (Canvas's `$IMS-CC-FILEBASE$`, escaped or not).
pub(crate) fn refers_to_package_file(html: &str) -> bool {
    html.contains("IMS-CC-FILEBASE") || html.contains("IMS_CC_FILEBASE")
}

/// Reads an item. `None` (with a warning saying so) when the item is a kind Assay cannot hold.
pub(crate) fn read_item(el: &Element, fallback_ident: &str, warnings: &mut Vec<Warning>) -> Option<Item> {
    let ident = el.attr("ident").filter(|i| !i.trim().is_empty()).unwrap_or(fallback_ident).to_owned();
    let mut r = Reader::new(el);
    let result = read_body(&mut r);
    let notes = std::mem::take(&mut r.notes);
    warnings.extend(notes.into_iter().map(|n| Warning::item(&ident, n)));
    match result {
        Ok((body, canvas_type)) => {
            let bank_item_ref = r.meta("assessment_question_identifierref").map(str::to_owned);
            Some(Item { ident, canvas_type, bank_item_ref, body })
        }
        Err(why) => {
            warnings.push(Warning::item(&ident, format!("{why}; the question was not imported")));
            None
        }
    }
}

/// Item children that carry nothing the model holds and need no warning (control and bookkeeping elements).
const QUIET_ITEM_PARTS: [&str; 8] = [
    "itemmetadata",
    "presentation",
    "resprocessing",
    "itemfeedback",
    "itemproc_extension",
    "qticomment",
    "itemcontrol",
    "duration",
];

fn read_body(r: &mut Reader<'_>) -> Result<(QuestionBody, Option<String>), String> {
    for child in r.el.elements() {
        if !QUIET_ITEM_PARTS.contains(&child.name.as_str()) {
            r.warn(format!("has <{}>, which Assay does not import; it was left out", child.name));
        }
    }
    let kind = r.question_type()?;
    let text = r.question_text();
    let answer = r.answer(kind)?;
    let points_possible = match r.meta("points_possible").map(str::to_owned) {
        Some(p) => match numbers::parse(&p) {
            Some(v) => v,
            None => {
                r.warn(format!("has points_possible {p:?}, which is not a number; 0 points were used"));
                0.0
            }
        },
        None if matches!(answer, AnswerModel::TextOnly) => 0.0,
        None => {
            r.warn("gives no points_possible; 1 point was used");
            1.0
        }
    };
    let feedback = Feedback {
        correct: r.take_feedback(FB_CORRECT),
        incorrect: r.take_feedback(FB_INCORRECT),
        neutral: r.take_feedback(FB_NEUTRAL),
    };
    let unused: Vec<String> = r.feedback.keys().filter(|k| !r.used_feedback.contains(*k)).cloned().collect();
    for id in unused {
        if r.feedback.get(&id).is_some_and(|f| !f.trim().is_empty()) {
            r.warn(format!(
                "has feedback {id:?} that Assay could not attach to the question or an answer; it was left out"
            ));
        }
    }
    if refers_to_package_file(&text) {
        r.warn(
            "refers to a file in the package (an image or attachment); files are not imported, so the reference \
             was kept as written and will not display until the file is uploaded",
        );
    }
    let name = r.el.attr("title").map(str::trim).filter(|t| !t.is_empty()).unwrap_or("Question").to_owned();
    let canvas_type = r.meta("question_type").map(str::to_owned);
    Ok((QuestionBody { name, text, points_possible, feedback, answer }, canvas_type))
}
