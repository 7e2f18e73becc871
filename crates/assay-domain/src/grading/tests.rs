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

proptest! {
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
