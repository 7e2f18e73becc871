//! Write → read gives the same questions, answers and points, for every type of the model.

use assay_domain::question::QuestionType;

use super::every_type;
use crate::{Assessment, Bank, Entry, Group, Package, Settings, read_package, write_package};

fn quiz() -> Assessment {
    let items = every_type();
    let (grouped, loose) = items.split_at(2);
    let mut entries: Vec<Entry> = loose.iter().cloned().map(Entry::Item).collect();
    entries.insert(
        3,
        Entry::Group(Group {
            ident: "g1".into(),
            title: "Warm-up".into(),
            pick_count: 1,
            points_per_item: Some(2.5),
            bank_ref: None,
            items: grouped.to_vec(),
        }),
    );
    entries.push(Entry::Group(Group {
        ident: "g2".into(),
        title: "From the bank".into(),
        pick_count: 2,
        points_per_item: Some(1.0),
        bank_ref: Some("bank_1".into()),
        items: vec![],
    }));
    Assessment {
        ident: "quiz_1".into(),
        title: "Every type: \"quoted\" & <escaped>".into(),
        description: Some("<p>All of them.</p>".into()),
        settings: Settings {
            time_limit: Some(45),
            allowed_attempts: Some(-1),
            shuffle_answers: Some(true),
            scoring_policy: Some("keep_latest".into()),
            quiz_type: Some("assignment".into()),
            points_possible: Some(99.5),
            show_correct_answers: Some(false),
            show_correct_answers_last_attempt: Some(true),
            hide_results: Some("until_after_last_attempt".into()),
            one_question_at_a_time: Some(true),
            cant_go_back: Some(true),
            one_time_results: Some(true),
            anonymous_submissions: Some(false),
            access_code: Some("s3cret".into()),
            ip_filter: Some("10.0.0.0/8".into()),
            due_at: Some("2026-12-01T23:59:00Z".into()),
            unlock_at: Some("2026-11-01T08:00:00Z".into()),
            lock_at: Some("2026-12-02T00:00:00Z".into()),
            published: Some(true),
        },
        entries,
    }
}

fn bank() -> Bank {
    Bank { ident: "bank_1".into(), title: "Unit 1 bank".into(), items: every_type() }
}

#[test]
fn every_question_type_round_trips_through_a_test_and_a_bank() {
    let package = Package { assessments: vec![quiz()], banks: vec![bank()], warnings: vec![] };
    let written = write_package(&package).expect("writes");
    let back = read_package(&written.bytes).expect("reads back");
    assert_eq!(back.banks, package.banks);
    assert_eq!(back.assessments.len(), 1);
    let (got, want) = (&back.assessments[0], &package.assessments[0]);
    assert_eq!(got.title, want.title);
    assert_eq!(got.description, want.description);
    assert_eq!(got.settings, want.settings);
    assert_eq!(got.entries.len(), want.entries.len());
    for (g, w) in got.entries.iter().zip(&want.entries) {
        assert_eq!(g, w);
    }
    assert!(back.warnings.is_empty(), "{:#?}", back.warnings);

    // Writing warns about what Canvas will not read as written: ordering questions, once per copy (test and
    // bank). Calculated questions carry their answer sets, so they need no warning.
    let ordering = written.warnings.iter().filter(|w| w.item.as_deref() == Some("q_order")).count();
    assert_eq!(ordering, 2, "{:#?}", written.warnings);
    assert_eq!(written.warnings.len(), 2, "{:#?}", written.warnings);
}

/// The `<item>`s of a written bank, by ident.
fn written_items(bytes: &[u8]) -> Vec<crate::xml::Element> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut items = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if !file.name().ends_with(".xml.qti") {
            continue;
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text).unwrap();
        let doc = crate::xml::parse(&text).unwrap();
        items.extend(doc.descendants_named("item").into_iter().cloned());
    }
    items
}

#[test]
fn calculated_questions_carry_canvas_answer_sets_and_round_trip() {
    use assay_domain::question::{
        Response, formula,
        model::{AnswerModel, Draw},
        score::{Outcome, score},
    };
    let calculated: Vec<crate::Item> =
        every_type().into_iter().filter(|i| matches!(i.body.answer, AnswerModel::Calculated { .. })).collect();
    assert_eq!(calculated.len(), 2);
    let package = Package {
        assessments: vec![],
        banks: vec![Bank { ident: "calc".into(), title: "Formulas".into(), items: calculated.clone() }],
        warnings: vec![],
    };
    let written = write_package(&package).expect("writes");
    assert!(written.warnings.is_empty(), "{:#?}", written.warnings);
    for element in written_items(&written.bytes) {
        let ident = element.attr("ident").unwrap();
        let item = calculated.iter().find(|i| i.ident == ident).unwrap();
        let AnswerModel::Calculated { variables, formula: source, decimal_places, .. } = &item.body.answer else {
            unreachable!()
        };
        let sets: Vec<&crate::xml::Element> = element
            .path(&["itemproc_extension", "calculated", "var_sets"])
            .unwrap()
            .children_named("var_set")
            .collect();
        assert_eq!(sets.len(), crate::answer_sets::COUNT, "{ident}");
        let mut distinct = std::collections::BTreeSet::new();
        for (seed, set) in (1u64..).zip(&sets) {
            // The values are Assay's own seeded draw, written with each variable's scale …
            let drawn = formula::draw(variables, seed);
            let values: Vec<(String, String)> =
                set.children_named("var").map(|v| (v.attr("name").unwrap().to_owned(), v.text())).collect();
            let want: Vec<(String, String)> = variables
                .iter()
                .map(|v| (v.name.clone(), format!("{:.*}", v.scale as usize, drawn[&v.name])))
                .collect();
            assert_eq!(values, want, "{ident} set {seed}");
            // … and the answer is the formula's, at the question's decimal places, which Assay scores correct.
            let draw: Draw = values.iter().map(|(n, v)| (n.clone(), v.parse::<f64>().unwrap())).collect();
            let exact = formula::parse(source).unwrap().eval(&draw).unwrap();
            let answer = set.child("answer").unwrap().text();
            assert_eq!(
                answer,
                format!("{:.*}", *decimal_places as usize, formula::round_to(exact, *decimal_places as i32))
            );
            let judged = score(&item.body, Some(&Response::Number(answer.clone())), &draw);
            assert_eq!(judged.outcome, Outcome::Correct, "{ident}: {answer} at {values:?}");
            distinct.insert(format!("{values:?}"));
        }
        assert!(distinct.len() > 1, "{ident}: every set has the same values");
    }
    // Read back: the same questions, and the sets raise no warning.
    let back = read_package(&written.bytes).expect("reads back");
    assert_eq!(back.banks[0].items, calculated);
    assert!(back.warnings.is_empty(), "{:#?}", back.warnings);
    // Written again from what was read: the same package, byte for byte in its items.
    let again = write_package(&back).expect("writes again");
    let (first, second) = (written_items(&written.bytes), written_items(&again.bytes));
    assert_eq!(first, second);
}

#[test]
fn the_round_trip_cases_are_valid_questions() {
    // Round-tripping invalid questions would prove little: each case is one the domain accepts.
    for item in every_type() {
        let body = assay_domain::question::sanitize_body(item.body.clone());
        assert_eq!(body, item.body, "{} changes when sanitised", item.ident);
        assert!(
            assay_domain::question::validate(&body).is_ok(),
            "{}: {:?}",
            item.ident,
            assay_domain::question::validate(&body)
        );
    }
}

#[test]
fn every_type_is_covered() {
    let mut types: Vec<QuestionType> = every_type().iter().map(|i| i.body.answer.question_type()).collect();
    types.dedup();
    for t in QuestionType::ALL {
        assert!(types.contains(&t), "{t:?} has no round-trip case");
    }
}

#[test]
fn a_bank_alone_round_trips_and_unsafe_idents_are_replaced() {
    let mut b = bank();
    b.ident = "../escape me".into();
    let package = Package { assessments: vec![], banks: vec![b.clone()], warnings: vec![] };
    let written = write_package(&package).expect("writes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(written.bytes.clone())).unwrap();
    for i in 0..archive.len() {
        let name = archive.by_index(i).unwrap().name().to_owned();
        assert!(!name.contains(".."), "{name}");
    }
    let back = read_package(&written.bytes).expect("reads back");
    assert_eq!(back.banks.len(), 1);
    assert_eq!(back.banks[0].title, b.title);
    assert_eq!(back.banks[0].items, b.items);
    assert!(back.assessments.is_empty());
}

#[test]
fn a_group_follows_its_renamed_bank() {
    let mut q = quiz();
    let mut b = bank();
    b.ident = "bank with spaces".into();
    for e in &mut q.entries {
        if let Entry::Group(g) = e
            && g.bank_ref.is_some()
        {
            g.bank_ref = Some(b.ident.clone());
        }
    }
    let written = write_package(&Package { assessments: vec![q], banks: vec![b], warnings: vec![] }).unwrap();
    let back = read_package(&written.bytes).unwrap();
    let bank_ident = back.banks[0].ident.clone();
    let group_ref = back.assessments[0].entries.iter().find_map(|e| match e {
        Entry::Group(g) => g.bank_ref.clone(),
        Entry::Item(_) => None,
    });
    assert_eq!(group_ref, Some(bank_ident));
    assert!(back.warnings.is_empty(), "{:#?}", back.warnings);
}

#[test]
fn writing_nothing_is_an_error() {
    assert!(write_package(&Package::default()).is_err());
}
