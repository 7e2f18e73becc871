//! The crate's tests: packages made by the real text2qti, round trips of every question type, and what malformed or
//! unsupported input gives.

mod malformed;
mod roundtrip;
mod text2qti;

use assay_domain::question::{
    QuestionBody,
    model::{
        AnswerModel, Blank, Choice, Dropdown, Feedback, MatchPair, NumericAnswer, OrderItem, PartialCredit, TextMatch,
        Tolerance, Variable,
    },
};

use crate::Item;

fn choice(id: &str, text: &str, correct: bool, feedback: Option<&str>) -> Choice {
    Choice { id: id.into(), text: text.into(), correct, feedback: feedback.map(Into::into) }
}

fn body(name: &str, text: &str, points: f64, answer: AnswerModel) -> QuestionBody {
    QuestionBody {
        name: name.into(),
        text: text.into(),
        points_possible: points,
        feedback: Feedback::default(),
        answer,
    }
}

fn item(ident: &str, body: QuestionBody) -> Item {
    Item {
        ident: ident.into(),
        canvas_type: Some(body.answer.question_type().canvas_name().into()),
        bank_item_ref: None,
        body,
    }
}

/// One question of every type the model has, with the options each type has.
pub(crate) fn every_type() -> Vec<Item> {
    let mut mc = body(
        "Capital",
        "<p>Which is the capital of <b>France</b> &amp; its largest city?</p>",
        2.0,
        AnswerModel::MultipleChoice {
            choices: vec![
                choice("a1", "<p>Lyon</p>", false, Some("<p>Too far south.</p>")),
                choice("a2", "<p>Paris</p>", true, None),
                choice("a3", "Nice &lt; Paris", false, None),
            ],
        },
    );
    mc.feedback = Feedback {
        correct: Some("<p>Yes.</p>".into()),
        incorrect: Some("<p>No.</p>".into()),
        neutral: Some("<p>See chapter 2.</p>".into()),
    };
    let mut essay = body("Essay", "<p>Explain.\nUse two paragraphs.</p>", 10.0, AnswerModel::Essay);
    essay.feedback.neutral = Some("<p>Graded by hand.</p>".into());
    vec![
        item("q_mc", mc),
        item("q_tf_true", body("TF", "<p>The sky is blue.</p>", 1.0, AnswerModel::TrueFalse { correct: true })),
        item("q_tf_false", body("TF 2", "<p>Water is dry.</p>", 1.5, AnswerModel::TrueFalse { correct: false })),
        item(
            "q_ma",
            body(
                "Primes",
                "<p>Pick the primes.</p>",
                3.0,
                AnswerModel::MultipleAnswers {
                    choices: vec![
                        choice("p2", "2", true, None),
                        choice("p4", "4", false, Some("<p>4 = 2 × 2</p>")),
                        choice("p5", "5", true, None),
                    ],
                    partial_credit: PartialCredit::AllOrNothing,
                },
            ),
        ),
        item(
            "q_sa",
            body(
                "Short",
                "<p>Name the capital of Japan.</p>",
                1.0,
                AnswerModel::ShortAnswer {
                    accepted: vec!["Tokyo".into(), "  Edo  ".into(), "東京".into()],
                    text_match: TextMatch { case_sensitive: true, normalize_whitespace: false },
                },
            ),
        ),
        item(
            "q_fimb",
            body(
                "Blanks",
                "<p>Roses are [color1], violets are [color2].</p>",
                2.0,
                AnswerModel::FillInMultipleBlanks {
                    blanks: vec![
                        Blank { id: "color1".into(), accepted: vec!["red".into(), "crimson".into()] },
                        Blank { id: "color2".into(), accepted: vec!["blue".into()] },
                    ],
                    text_match: TextMatch::default(),
                },
            ),
        ),
        item(
            "q_dd",
            body(
                "Dropdowns",
                "<p>[animal] says [sound].</p>",
                2.0,
                AnswerModel::MultipleDropdowns {
                    dropdowns: vec![
                        Dropdown {
                            id: "animal".into(),
                            choices: vec![
                                choice("d1", "A cat", true, None),
                                choice("d2", "A fish", false, Some("<p>Fish are quiet.</p>")),
                            ],
                        },
                        Dropdown {
                            id: "sound".into(),
                            choices: vec![choice("d3", "woof", false, None), choice("d4", "meow", true, None)],
                        },
                    ],
                },
            ),
        ),
        item(
            "q_match",
            body(
                "Matching",
                "<p>Match the countries and capitals.</p>",
                3.0,
                AnswerModel::Matching {
                    pairs: vec![
                        MatchPair { id: "m1".into(), left: "France".into(), right: "Paris".into() },
                        MatchPair { id: "m2".into(), left: "Japan".into(), right: "Tokyo".into() },
                        MatchPair { id: "m3".into(), left: "Monaco".into(), right: "Monaco".into() },
                    ],
                    distractors: vec!["Berlin".into(), "Rome & Milan".into()],
                },
            ),
        ),
        item(
            "q_order",
            body(
                "Ordering",
                "<p>Put in order, smallest first.</p>",
                2.0,
                AnswerModel::Ordering {
                    items: vec![
                        OrderItem { id: "o1".into(), text: "one < two".into() },
                        OrderItem { id: "o2".into(), text: "two".into() },
                        OrderItem { id: "o3".into(), text: "three & more".into() },
                    ],
                },
            ),
        ),
        item(
            "q_num",
            body(
                "Numbers",
                "<p>Give g.</p>",
                4.0,
                AnswerModel::Numerical {
                    answers: vec![
                        NumericAnswer::Exact { value: 9.80665, margin: 0.001 },
                        NumericAnswer::Exact { value: 22.0, margin: 0.0 },
                        NumericAnswer::Range { start: -3.2, end: 3.2 },
                        NumericAnswer::Precision { value: 9.80665, precision: 3 },
                        NumericAnswer::Precision { value: 0.000271828, precision: 4 },
                        NumericAnswer::Exact { value: 1.0e6, margin: 2.5e3 },
                    ],
                },
            ),
        ),
        item(
            "q_calc",
            body(
                "Formula",
                "<p>What is [x] + [y] times 2?</p>",
                2.0,
                AnswerModel::Calculated {
                    variables: vec![
                        Variable { name: "x".into(), min: 1.0, max: 10.0, scale: 0 },
                        Variable { name: "y".into(), min: -2.5, max: 2.5, scale: 2 },
                    ],
                    formula: "x + y * 2".into(),
                    tolerance: Tolerance::Percent { value: 5.0 },
                    decimal_places: 2,
                },
            ),
        ),
        item(
            "q_calc_abs",
            body(
                "Formula 2",
                "<p>sqrt([a])?</p>",
                1.0,
                AnswerModel::Calculated {
                    variables: vec![Variable { name: "a".into(), min: 4.0, max: 100.0, scale: 1 }],
                    formula: "sqrt(a)".into(),
                    tolerance: Tolerance::Absolute { value: 0.01 },
                    decimal_places: 0,
                },
            ),
        ),
        item("q_essay", essay),
        item(
            "q_upload",
            body(
                "Upload",
                "<p>Upload your lab report.</p>",
                5.0,
                AnswerModel::FileUpload { allowed_extensions: vec!["pdf".into(), "docx".into()] },
            ),
        ),
        item(
            "q_upload_any",
            body("Upload 2", "<p>Any file.</p>", 1.0, AnswerModel::FileUpload { allowed_extensions: vec![] }),
        ),
        item("q_text", body("Read this", "<h2>Part 2</h2><p>Questions about maps.</p>", 0.0, AnswerModel::TextOnly)),
    ]
}
