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

    // Writing warns about what Canvas will not read as written: ordering questions and calculated answer sets,
    // once per copy (test and bank).
    let ordering = written.warnings.iter().filter(|w| w.item.as_deref() == Some("q_order")).count();
    assert_eq!(ordering, 2, "{:#?}", written.warnings);
    let calculated = written.warnings.iter().filter(|w| w.message.contains("var_sets")).count();
    assert_eq!(calculated, 4, "{:#?}", written.warnings);
    assert_eq!(written.warnings.len(), 6, "{:#?}", written.warnings);
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
