//! One valid question of every type, for tests, the demo and benchmarks.

use super::model::*;

pub fn choice(id: &str, correct: bool) -> Choice {
    Choice { id: id.to_owned(), text: format!("<p>Choice {id}</p>"), correct, feedback: Some(format!("fb {id}")) }
}

pub fn body(text: &str, points: f64, answer: AnswerModel) -> QuestionBody {
    QuestionBody {
        name: "Sample".to_owned(),
        text: text.to_owned(),
        points_possible: points,
        feedback: Feedback {
            correct: Some("yes".to_owned()),
            incorrect: Some("no".to_owned()),
            neutral: Some("hm".to_owned()),
        },
        answer,
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub fn multiple_choice() -> QuestionBody {
    body(
        "<p>Pick b</p>",
        2.0,
        AnswerModel::MultipleChoice { choices: vec![choice("a", false), choice("b", true), choice("c", false)] },
    )
}

pub fn multiple_answers(partial_credit: PartialCredit) -> QuestionBody {
    body(
        "<p>Pick a and c</p>",
        3.0,
        AnswerModel::MultipleAnswers {
            choices: vec![choice("a", true), choice("b", false), choice("c", true), choice("d", false)],
            partial_credit,
        },
    )
}

pub fn fill_in_blanks() -> QuestionBody {
    body(
        "<p>Roses are [c1], violets are [c2].</p>",
        2.0,
        AnswerModel::FillInMultipleBlanks {
            blanks: vec![
                Blank { id: "c1".to_owned(), accepted: strings(&["red", "crimson"]) },
                Blank { id: "c2".to_owned(), accepted: strings(&["blue"]) },
            ],
            text_match: TextMatch::default(),
        },
    )
}

pub fn dropdowns() -> QuestionBody {
    body(
        "<p>[d1] is a [d2].</p>",
        1.0,
        AnswerModel::MultipleDropdowns {
            dropdowns: vec![
                Dropdown { id: "d1".to_owned(), choices: vec![choice("x", true), choice("y", false)] },
                Dropdown { id: "d2".to_owned(), choices: vec![choice("x", false), choice("z", true)] },
            ],
        },
    )
}

pub fn matching() -> QuestionBody {
    let pair = |id: &str, left: &str, right: &str| MatchPair {
        id: id.to_owned(),
        left: left.to_owned(),
        right: right.to_owned(),
    };
    body(
        "<p>Capitals</p>",
        3.0,
        AnswerModel::Matching {
            pairs: vec![pair("p1", "France", "Paris"), pair("p2", "Italy", "Rome"), pair("p3", "Vatican City", "Rome")],
            distractors: strings(&["Berlin", "Athens"]),
        },
    )
}

pub fn ordering() -> QuestionBody {
    let item = |id: &str, text: &str| OrderItem { id: id.to_owned(), text: text.to_owned() };
    body(
        "<p>Smallest first</p>",
        4.0,
        AnswerModel::Ordering {
            items: vec![item("i3", "one"), item("i1", "two"), item("i4", "three"), item("i2", "four")],
        },
    )
}

pub fn numerical() -> QuestionBody {
    body(
        "<p>Numbers</p>",
        1.0,
        AnswerModel::Numerical {
            answers: vec![
                NumericAnswer::Exact { value: 10.0, margin: 0.5 },
                NumericAnswer::Range { start: -3.0, end: -1.0 },
                NumericAnswer::Precision { value: 1234.5678, precision: 3 },
            ],
        },
    )
}

pub fn calculated() -> QuestionBody {
    body(
        "<p>What is [x] divided by [y]?</p>",
        2.0,
        AnswerModel::Calculated {
            variables: vec![
                Variable { name: "x".to_owned(), min: 1.0, max: 100.0, scale: 0 },
                Variable { name: "y".to_owned(), min: 1.0, max: 9.0, scale: 1 },
            ],
            formula: "x / y".to_owned(),
            tolerance: Tolerance::Absolute { value: 0.01 },
            decimal_places: 2,
        },
    )
}

/// One of each type (multiple answers once per partial-credit rule).
pub fn all() -> Vec<QuestionBody> {
    vec![
        multiple_choice(),
        body("<p>Sky is blue</p>", 1.0, AnswerModel::TrueFalse { correct: true }),
        multiple_answers(PartialCredit::CorrectMinusIncorrect),
        multiple_answers(PartialCredit::AllOrNothing),
        multiple_answers(PartialCredit::PerChoice),
        body(
            "<p>Capital of France?</p>",
            1.0,
            AnswerModel::ShortAnswer {
                accepted: strings(&["Paris", "Paris, France"]),
                text_match: TextMatch::default(),
            },
        ),
        fill_in_blanks(),
        dropdowns(),
        matching(),
        ordering(),
        numerical(),
        calculated(),
        body("<p>Discuss</p>", 5.0, AnswerModel::Essay),
        body("<p>Upload</p>", 5.0, AnswerModel::FileUpload { allowed_extensions: strings(&["pdf"]) }),
        body("<p>Read this</p>", 0.0, AnswerModel::TextOnly),
    ]
}
