use proptest::prelude::*;

use super::*;

#[test]
fn grade_text_in_every_grading_type() {
    assert_eq!(grade_text(GradingType::Points, 8.5, 10.0, None).as_deref(), Some("8.5"));
    assert_eq!(grade_text(GradingType::Points, 8.0, 10.0, None).as_deref(), Some("8"));
    assert_eq!(grade_text(GradingType::Percent, 8.5, 10.0, None).as_deref(), Some("85%"));
    assert_eq!(grade_text(GradingType::Percent, 1.0, 3.0, None).as_deref(), Some("33.33%"));
    assert_eq!(grade_text(GradingType::LetterGrade, 9.4, 10.0, None).as_deref(), Some("A"));
    assert_eq!(grade_text(GradingType::LetterGrade, 9.39, 10.0, None).as_deref(), Some("A-"));
    assert_eq!(grade_text(GradingType::LetterGrade, 0.0, 10.0, None).as_deref(), Some("F"));
    assert_eq!(grade_text(GradingType::LetterGrade, 12.0, 10.0, None).as_deref(), Some("A"));
    assert_eq!(grade_text(GradingType::PassFail, 10.0, 10.0, None).as_deref(), Some("complete"));
    assert_eq!(grade_text(GradingType::PassFail, 9.0, 10.0, None).as_deref(), Some("incomplete"));
    assert_eq!(grade_text(GradingType::NotGraded, 9.0, 10.0, None), None);
    assert_eq!(grade_text(GradingType::Percent, 1.0, 0.0, None), None);
}

#[test]
fn a_custom_scheme_names_scores() {
    let scheme = GradingScheme {
        entries: vec![
            SchemeEntry { name: "Pass with merit".into(), value: 0.75 },
            SchemeEntry { name: "Pass".into(), value: 0.5 },
            SchemeEntry { name: "Fail".into(), value: 0.0 },
        ],
    };
    assert_eq!(scheme.validate(), Ok(()));
    assert_eq!(grade_text(GradingType::LetterGrade, 15.0, 20.0, Some(&scheme)).as_deref(), Some("Pass with merit"));
    assert_eq!(grade_text(GradingType::GpaScale, 10.0, 20.0, Some(&scheme)).as_deref(), Some("Pass"));
    assert_eq!(parse_posted_grade("pass", GradingType::LetterGrade, 20.0, Some(&scheme)), Ok(Some(20.0)));
    assert_eq!(parse_posted_grade("Pass with merit", GradingType::LetterGrade, 20.0, Some(&scheme)), Ok(Some(15.0)));
}

#[test]
fn bad_schemes_are_refused_with_the_entry_at_fault() {
    let entry = |name: &str, value: f64| SchemeEntry { name: name.into(), value };
    assert!(GradingScheme { entries: vec![] }.validate().is_err());
    assert_eq!(
        GradingScheme { entries: vec![entry("A", 0.9), entry("B", 0.95), entry("F", 0.0)] }.validate().unwrap_err().0,
        1
    );
    assert_eq!(
        GradingScheme { entries: vec![entry("A", 0.9), entry("A", 0.5), entry("F", 0.0)] }.validate().unwrap_err().0,
        1
    );
    assert_eq!(GradingScheme { entries: vec![entry("A", 0.9), entry("F", 0.1)] }.validate().unwrap_err().0, 1);
    assert_eq!(GradingScheme { entries: vec![entry("A", 1.5), entry("F", 0.0)] }.validate().unwrap_err().0, 0);
    assert_eq!(GradingScheme { entries: vec![entry(" ", 0.0)] }.validate().unwrap_err().0, 0);
    assert_eq!(GradingScheme::canvas_default().validate(), Ok(()));
}

#[test]
fn posted_grades_become_scores() {
    let p = |s: &str, t: GradingType| parse_posted_grade(s, t, 20.0, None);
    assert_eq!(p("15", GradingType::Points), Ok(Some(15.0)));
    assert_eq!(p("15.5", GradingType::LetterGrade), Ok(Some(15.5)));
    assert_eq!(p("75%", GradingType::Points), Ok(Some(15.0)));
    assert_eq!(p("B", GradingType::LetterGrade), Ok(Some(16.8)));
    assert_eq!(p("b", GradingType::LetterGrade), Ok(Some(16.8)));
    assert_eq!(p("complete", GradingType::PassFail), Ok(Some(20.0)));
    assert_eq!(p("incomplete", GradingType::PassFail), Ok(Some(0.0)));
    assert_eq!(p("", GradingType::Points), Ok(None));
    assert_eq!(p("B", GradingType::Points), Err(PostedGradeError::Unrecognised("B".into())));
    assert_eq!(p("lots", GradingType::LetterGrade), Err(PostedGradeError::Unrecognised("lots".into())));
    assert_eq!(p("NaN", GradingType::Points), Err(PostedGradeError::NotFinite));
    assert_eq!(p("inf%", GradingType::Points), Err(PostedGradeError::NotFinite));
    assert_eq!(parse_posted_grade("50%", GradingType::Percent, 0.0, None), Err(PostedGradeError::NoPoints));
}

#[test]
fn gpa_names_that_look_like_numbers_are_scheme_steps() {
    let gpa = GradingScheme::from_percent_entries(vec![
        ("4.0".into(), 90.0),
        ("3.0".into(), 80.0),
        ("2.0".into(), 70.0),
        ("0.0".into(), 0.0),
    ])
    .unwrap();
    assert_eq!(parse_posted_grade("3.0", GradingType::GpaScale, 50.0, Some(&gpa)), Ok(Some(40.0)));
    assert_eq!(parse_posted_grade("3.5", GradingType::GpaScale, 50.0, Some(&gpa)), Ok(Some(3.5)), "not a step: points");
    assert_eq!(parse_posted_grade("3.0", GradingType::Points, 50.0, Some(&gpa)), Ok(Some(3.0)));
}

#[test]
fn entered_grades_in_every_grading_type() {
    let e = |s: &str, t: GradingType, points: f64| enter_grade(s, t, points, None);
    let entered = |score: f64, grade: &str| Ok(Some(EnteredGrade { score, grade: grade.to_owned() }));
    assert_eq!(e("7", GradingType::Points, 10.0), entered(7.0, "7"));
    assert_eq!(e("70%", GradingType::Percent, 10.0), entered(7.0, "70%"));
    assert_eq!(e("7", GradingType::Percent, 10.0), entered(7.0, "70%"));
    assert_eq!(e("B+", GradingType::LetterGrade, 100.0), entered(87.0, "B+"));
    assert_eq!(e("95", GradingType::LetterGrade, 100.0), entered(95.0, "A"));
    assert_eq!(e("A", GradingType::GpaScale, 10.0), entered(9.4, "A"));
    assert_eq!(e("pass", GradingType::PassFail, 10.0), entered(10.0, "complete"));
    assert_eq!(e("incomplete", GradingType::PassFail, 10.0), entered(0.0, "incomplete"));
    assert_eq!(e("complete", GradingType::PassFail, 0.0), entered(0.0, "complete"), "the word is kept at 0 points");
    assert_eq!(e("fail", GradingType::PassFail, 0.0), entered(0.0, "incomplete"));
    assert_eq!(e("", GradingType::Points, 10.0), Ok(None));
    assert_eq!(e("5", GradingType::NotGraded, 10.0), Err(PostedGradeError::NotGraded));
    assert_eq!(e("", GradingType::NotGraded, 10.0), Ok(None));
}

#[test]
fn deductions_rename_the_grade() {
    let entered = enter_grade("A", GradingType::LetterGrade, 100.0, None).unwrap().unwrap();
    assert_eq!(after_deduction(&entered, 0.0, GradingType::LetterGrade, 100.0, None), (94.0, "A".to_owned()));
    assert_eq!(after_deduction(&entered, 10.0, GradingType::LetterGrade, 100.0, None), (84.0, "B".to_owned()));
    let points = enter_grade("9", GradingType::Points, 10.0, None).unwrap().unwrap();
    assert_eq!(after_deduction(&points, 1.5, GradingType::Points, 10.0, None), (7.5, "7.5".to_owned()));
}

#[test]
fn canvas_percent_entries_become_a_scheme() {
    let entries = vec![("Fail".to_owned(), 0.0), ("Distinction".to_owned(), 80.0), ("Pass".to_owned(), 50.0)];
    let scheme = GradingScheme::from_percent_entries(entries).unwrap();
    assert_eq!(scheme.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Distinction", "Pass", "Fail"]);
    assert_eq!(scheme.entries[0].value, 0.8);
    assert_eq!(GradingScheme::from_percent_entries(vec![("A".into(), 120.0)]).unwrap_err().0, 0);
    // The entry at fault is named in the order it was sent.
    let duplicate = vec![("F".into(), 0.0), ("A".into(), 90.0), ("A".into(), 50.0)];
    assert_eq!(GradingScheme::from_percent_entries(duplicate).unwrap_err().0, 2);
    let no_floor = vec![("A".into(), 90.0), ("B".into(), 50.0)];
    assert_eq!(GradingScheme::from_percent_entries(no_floor).unwrap_err().0, 1);
}

proptest! {
    /// Whatever a late policy deducts, the grade shown is the grade of the score kept.
    #[test]
    fn deducted_grades_match_their_score(entered in 0.0f64..=100.0, deducted in 0.0f64..=100.0) {
        let deducted = deducted.min(entered);
        let posted = format!("{entered}");
        let grade = enter_grade(&posted, GradingType::LetterGrade, 100.0, None).unwrap().unwrap();
        let (score, text) = after_deduction(&grade, deducted, GradingType::LetterGrade, 100.0, None);
        prop_assert!((score - (entered - deducted)).abs() < 1e-6);
        prop_assert_eq!(Some(text), grade_text(GradingType::LetterGrade, score, 100.0, None));
    }

    /// A letter grade posted back gives a score whose letter is that grade: the two directions agree.
    #[test]
    fn letters_round_trip(score in 0.0f64..=100.0) {
        let scheme = GradingScheme::canvas_default();
        let letter = grade_text(GradingType::LetterGrade, score, 100.0, Some(&scheme)).unwrap();
        let back = parse_posted_grade(&letter, GradingType::LetterGrade, 100.0, Some(&scheme)).unwrap().unwrap();
        prop_assert_eq!(grade_text(GradingType::LetterGrade, back, 100.0, Some(&scheme)).unwrap(), letter);
        prop_assert!(back <= score + 1e-9);
    }

    /// A percentage posted back gives the score it came from (to the two decimals the text keeps).
    #[test]
    fn percentages_round_trip(score in 0.0f64..=50.0, points in 1.0f64..=200.0) {
        let text = grade_text(GradingType::Percent, score, points, None).unwrap();
        let back = parse_posted_grade(&text, GradingType::Percent, points, None).unwrap().unwrap();
        prop_assert!((back - score).abs() <= points * 0.0001 + 1e-9);
    }
}
