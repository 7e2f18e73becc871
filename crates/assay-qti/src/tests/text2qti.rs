//! Packages made by the real `text2qti` (from PyPI, pinned in tests/text2qti/requirements.txt): the test makes its
//! own virtualenv under the target directory the first time it runs; a missing Python or PyPI is a failure, not a
//! skip.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use assay_domain::question::model::{AnswerModel, Feedback, NumericAnswer, PartialCredit, TextMatch};

use crate::{Entry, Item, Package, read_package, write_package};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/text2qti");

/// `target/tmp`, where Cargo keeps test scratch space (unit tests are not given CARGO_TARGET_TMPDIR).
fn target_tmp() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    // target/<profile>/deps/<test binary>
    let target = exe.ancestors().nth(3).expect("the target directory");
    target.join("tmp")
}

/// The virtualenv's `text2qti`, installed once per test run.
fn text2qti() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let requirements = Path::new(DIR).join("requirements.txt");
        let pinned = std::fs::read_to_string(&requirements).expect("requirements");
        let version = pinned
            .lines()
            .find_map(|l| l.trim().strip_prefix("text2qti=="))
            .expect("a pinned text2qti version")
            .to_owned();
        let venv = target_tmp().join(format!("text2qti-{version}-venv"));
        let bin = venv.join("bin");
        let ready = |bin: &Path| {
            Command::new(bin.join("python"))
                .args(["-c", &format!("import text2qti.version as v, sys; sys.exit(v.__version__ != '{version}')")])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !ready(&bin) {
            std::fs::create_dir_all(target_tmp()).expect("target/tmp");
            let status =
                Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 must be installed");
            assert!(status.success(), "creating the virtualenv failed");
            let out = Command::new(bin.join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements)
                .output()
                .expect("pip");
            assert!(out.status.success(), "installing text2qti failed: {}", String::from_utf8_lossy(&out.stderr));
            assert!(ready(&bin), "text2qti {version} is not importable after installing it");
        }
        bin.join("text2qti")
    })
}

/// Runs text2qti on a quiz source (with the image it shows) and returns the zip it writes.
fn generate(source: &str) -> Vec<u8> {
    let dir = target_tmp().join(format!("text2qti-run-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("dot.png"), b"\x89PNG\r\n\x1a\nnot really an image").expect("image");
    let quiz = dir.join("quiz.md");
    std::fs::write(&quiz, source).expect("quiz source");
    let out = Command::new(text2qti()).arg(&quiz).current_dir(&dir).output().expect("run text2qti");
    assert!(
        out.status.success(),
        "text2qti failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let zip = std::fs::read(dir.join("quiz.zip")).expect("text2qti writes quiz.zip");
    std::fs::remove_dir_all(&dir).ok();
    zip
}

fn coverage_package() -> Vec<u8> {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        let source = std::fs::read_to_string(Path::new(DIR).join("quiz.md")).expect("quiz.md");
        generate(&source)
    })
    .clone()
}

fn items(package: &Package) -> Vec<&Item> {
    package.assessments[0]
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Item(i) => Some(i),
            Entry::Group(_) => None,
        })
        .collect()
}

fn choice_texts(answer: &AnswerModel) -> Vec<(String, bool)> {
    match answer {
        AnswerModel::MultipleChoice { choices } | AnswerModel::MultipleAnswers { choices, .. } => {
            choices.iter().map(|c| (c.text.clone(), c.correct)).collect()
        }
        other => panic!("not a choice question: {other:?}"),
    }
}

#[test]
fn reads_every_type_text2qti_produces() {
    let package = read_package(&coverage_package()).expect("the text2qti package reads");
    assert!(package.banks.is_empty());
    assert_eq!(package.assessments.len(), 1);
    let quiz = &package.assessments[0];
    assert_eq!(quiz.title, "Assay coverage quiz");
    assert_eq!(quiz.description.as_deref(), Some("<p>Every question type <em>text2qti</em> can produce.</p>"));
    let s = &quiz.settings;
    assert_eq!(s.shuffle_answers, Some(true));
    assert_eq!(s.show_correct_answers, Some(false));
    assert_eq!(s.one_question_at_a_time, Some(true));
    assert_eq!(s.cant_go_back, Some(true));
    assert_eq!(s.allowed_attempts, Some(1));
    assert_eq!(s.quiz_type.as_deref(), Some("assignment"));
    assert_eq!(s.scoring_policy.as_deref(), Some("keep_highest"));
    assert_eq!(s.hide_results.as_deref(), Some("always"));
    // As text2qti computes it: 2 + 1 + 3 + 1 + 4×1 + 5 + 1, the group's pick of 1 at 3 points, and (text2qti's
    // own slip) the group's two questions at their 1 point each.
    assert_eq!(s.points_possible, Some(22.0));

    let items = items(&package);
    let body = |n: usize| &items[n].body;
    assert_eq!(items.len(), 11);

    // Text region.
    assert_eq!(items[0].canvas_type.as_deref(), Some("text_only_question"));
    assert_eq!(body(0).name, "Instructions");
    assert_eq!(body(0).text, "<p>Read each question <strong>carefully</strong>.</p>");
    assert_eq!(body(0).points_possible, 0.0);
    assert_eq!(body(0).answer, AnswerModel::TextOnly);

    // Multiple choice, with every kind of feedback.
    assert_eq!(body(1).name, "Capitals");
    assert_eq!(body(1).text, "<p>What is the capital of France?</p>");
    assert_eq!(body(1).points_possible, 2.0);
    assert_eq!(
        body(1).feedback,
        Feedback {
            correct: Some("<p>Well done.</p>".into()),
            incorrect: Some("<p>Not quite.</p>".into()),
            neutral: Some("<p>General feedback.</p>".into()),
        }
    );
    assert_eq!(
        choice_texts(&body(1).answer),
        vec![("<p>London</p>".into(), false), ("<p>Paris</p>".into(), true), ("<p>Berlin</p>".into(), false)]
    );
    let AnswerModel::MultipleChoice { choices } = &body(1).answer else { unreachable!() };
    assert_eq!(choices[0].feedback.as_deref(), Some("<p>London is in England.</p>"));
    assert!(choices[0].id.starts_with("text2qti_choice_"));
    assert_eq!(choices[1].feedback, None);
    assert!(items[1].bank_item_ref.as_deref().is_some_and(|r| r.starts_with("text2qti_question_ref_")));

    // True/false.
    assert_eq!(body(2).name, "Arithmetic fact");
    assert_eq!(body(2).answer, AnswerModel::TrueFalse { correct: true });
    assert_eq!(body(2).points_possible, 1.0);

    // Multiple answers.
    assert_eq!(body(3).points_possible, 3.0);
    assert_eq!(
        choice_texts(&body(3).answer),
        vec![
            ("<p>2</p>".into(), true),
            ("<p>4</p>".into(), false),
            ("<p>3</p>".into(), true),
            ("<p>9</p>".into(), false)
        ]
    );
    let AnswerModel::MultipleAnswers { partial_credit, .. } = &body(3).answer else { unreachable!() };
    assert_eq!(*partial_credit, PartialCredit::CorrectMinusIncorrect);

    // Short answer.
    assert_eq!(
        body(4).answer,
        AnswerModel::ShortAnswer { accepted: vec!["Tokyo".into(), "Edo".into()], text_match: TextMatch::default() }
    );

    // Numerical: an integer, a margin, a range, a percentage margin.
    let numerical = |n: usize| match &body(n).answer {
        AnswerModel::Numerical { answers } => answers.clone(),
        other => panic!("question {n} is not numerical: {other:?}"),
    };
    assert_eq!(numerical(5), vec![NumericAnswer::Exact { value: 5.0, margin: 0.0 }]);
    assert_eq!(numerical(6), vec![NumericAnswer::Exact { value: 9.81, margin: 0.01 }]);
    assert_eq!(numerical(7), vec![NumericAnswer::Range { start: 1.0, end: 2.5 }]);
    assert_eq!(numerical(8), vec![NumericAnswer::Exact { value: 100.0, margin: 5.0 }]);

    // Essay (with general feedback and an image from the package), file upload.
    assert_eq!(body(9).answer, AnswerModel::Essay);
    assert_eq!(body(9).points_possible, 5.0);
    assert_eq!(body(9).feedback.neutral.as_deref(), Some("<p>Graded by hand.</p>"));
    assert!(body(9).text.contains("%24IMS-CC-FILEBASE%24/images/dot.png"), "{}", body(9).text);
    assert_eq!(body(10).answer, AnswerModel::FileUpload { allowed_extensions: vec![] });

    // The group.
    let Some(Entry::Group(group)) = quiz.entries.last() else { panic!("the quiz ends with a group") };
    assert_eq!(group.pick_count, 1);
    assert_eq!(group.points_per_item, Some(3.0));
    assert_eq!(group.bank_ref, None);
    assert_eq!(group.items.len(), 2);
    assert_eq!(choice_texts(&group.items[1].body.answer)[1], ("<p>yes</p>".into(), true));

    // Every question is one Assay accepts as it stands.
    for item in &items {
        let body = assay_domain::question::sanitize_body(item.body.clone());
        assert!(
            assay_domain::question::validate(&body).is_ok(),
            "{}: {:?}",
            item.ident,
            assay_domain::question::validate(&body)
        );
    }

    // What Assay does not carry is said: the image file, and the essay's reference to it. Nothing else.
    let messages: Vec<String> = package.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("images/dot.png") && m.contains("not imported")), "{messages:#?}");
    assert!(
        package.warnings.iter().any(|w| w.item.as_ref() == Some(&items[9].ident) && w.message.contains("file")),
        "{messages:#?}"
    );
}

#[test]
fn text2qti_packages_round_trip() {
    let first = read_package(&coverage_package()).expect("reads");
    let written = write_package(&first).expect("writes");
    assert!(written.warnings.is_empty(), "{:#?}", written.warnings);
    let second = read_package(&written.bytes).expect("reads back");
    assert_eq!(second.assessments, first.assessments);
    assert_eq!(second.banks, first.banks);
    // The essay still refers to the image that was never imported; the image file itself is gone.
    let item_warnings: Vec<_> = first.warnings.iter().filter(|w| w.item.is_some()).cloned().collect();
    assert_eq!(second.warnings, item_warnings);
}

#[test]
fn writes_the_text2qti_layout() {
    // The layout text2qti writes (and Canvas imports): the assessment and its settings in a folder of its own.
    let first = read_package(&coverage_package()).expect("reads");
    let written = write_package(&first).expect("writes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(written.bytes)).expect("a zip");
    let names: Vec<String> = (0..archive.len()).map(|i| archive.by_index(i).unwrap().name().to_owned()).collect();
    let ident = &first.assessments[0].ident;
    assert!(names.contains(&"imsmanifest.xml".to_owned()));
    assert!(names.contains(&format!("{ident}/{ident}.xml")));
    assert!(names.contains(&format!("{ident}/assessment_meta.xml")));
}
