//! Canvas's own export shapes, broken input (errors), and constructs Assay cannot hold (warnings, never silence).

use std::io::{Cursor, Write};

use assay_domain::question::model::{AnswerModel, NumericAnswer, Tolerance};

use crate::{Entry, Package, QtiError, read_package};

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn wrap(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">{body}</questestinterop>"#
    )
}

fn meta(fields: &[(&str, &str)]) -> String {
    let fields: String = fields
        .iter()
        .map(|(k, v)| {
            format!("<qtimetadatafield><fieldlabel>{k}</fieldlabel><fieldentry>{v}</fieldentry></qtimetadatafield>")
        })
        .collect();
    format!("<itemmetadata><qtimetadata>{fields}</qtimetadata></itemmetadata>")
}

/// A bank and a quiz as Canvas's exporter (lib/cc/qti) writes them: the types text2qti cannot produce.
fn canvas_export() -> String {
    let matching = format!(
        r#"<item ident="i_match" title="Match">{}
<presentation><material><mattext texttype="text/html">&lt;div&gt;Match them&lt;/div&gt;</mattext></material>
<response_lid ident="response_11"><material><mattext texttype="text/plain">France</mattext></material>
  <render_choice><response_label ident="501"><material><mattext>Paris</mattext></material></response_label>
  <response_label ident="502"><material><mattext>Rome</mattext></material></response_label>
  <response_label ident="503"><material><mattext>Berlin</mattext></material></response_label></render_choice></response_lid>
<response_lid ident="response_12"><material><mattext texttype="text/plain">Italy</mattext></material>
  <render_choice><response_label ident="501"><material><mattext>Paris</mattext></material></response_label>
  <response_label ident="502"><material><mattext>Rome</mattext></material></response_label>
  <response_label ident="503"><material><mattext>Berlin</mattext></material></response_label></render_choice></response_lid>
</presentation>
<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
<respcondition><conditionvar><varequal respident="response_11">501</varequal></conditionvar><setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
<respcondition><conditionvar><varequal respident="response_12">502</varequal></conditionvar><setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
</resprocessing></item>"#,
        meta(&[("question_type", "matching_question"), ("points_possible", "2.0"), ("original_answer_ids", "11,12")])
    );
    let dropdowns = format!(
        r#"<item ident="i_dd" title="Dropdowns">{}
<presentation><material><mattext texttype="text/html">&lt;div&gt;A [a] says [b]&lt;/div&gt;</mattext></material>
<response_lid ident="response_a"><material><mattext>a</mattext></material><render_choice>
  <response_label ident="21"><material><mattext texttype="text/plain">cat</mattext></material></response_label>
  <response_label ident="22"><material><mattext texttype="text/plain">fish</mattext></material></response_label></render_choice></response_lid>
<response_lid ident="response_b"><material><mattext>b</mattext></material><render_choice>
  <response_label ident="23"><material><mattext texttype="text/plain">meow</mattext></material></response_label>
  <response_label ident="24"><material><mattext texttype="text/plain">a &lt; b</mattext></material></response_label></render_choice></response_lid>
</presentation>
<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
<respcondition><conditionvar><varequal respident="response_a">21</varequal></conditionvar><setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
<respcondition><conditionvar><varequal respident="response_b">23</varequal></conditionvar><setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
</resprocessing></item>"#,
        meta(&[("question_type", "multiple_dropdowns_question"), ("points_possible", "1.0")])
    );
    // Canvas scores only the first answer of each blank; the others are listed.
    let blanks = format!(
        r#"<item ident="i_fimb" title="Blanks">{}
<presentation><material><mattext texttype="text/html">&lt;p&gt;Roses are [c1]&lt;/p&gt;</mattext></material>
<response_lid ident="response_c1"><material><mattext>c1</mattext></material><render_choice>
  <response_label ident="31"><material><mattext texttype="text/plain">red</mattext></material></response_label>
  <response_label ident="32"><material><mattext texttype="text/plain">crimson</mattext></material></response_label></render_choice></response_lid>
</presentation>
<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
<respcondition><conditionvar><varequal respident="response_c1">31</varequal></conditionvar><setvar varname="SCORE" action="Add">100.00</setvar></respcondition>
</resprocessing></item>"#,
        meta(&[("question_type", "fill_in_multiple_blanks_question"), ("points_possible", "1.0")])
    );
    let numerical = format!(
        r#"<item ident="i_num" title="Numbers">{}
<presentation><material><mattext texttype="text/html">&lt;p&gt;n?&lt;/p&gt;</mattext></material>
<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal"><response_label ident="answer1"/></render_fib></response_str></presentation>
<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
<respcondition continue="No"><conditionvar><or><varequal respident="response1">3.0</varequal></or></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>
<respcondition continue="No"><conditionvar><or><varequal respident="response1">13.4</varequal><and><vargt respident="response1">13.395</vargt><varlte respident="response1">13.405</varlte></and></or></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>
<respcondition continue="No"><conditionvar><vargte respident="response1">1.0</vargte><varlte respident="response1">2.0</varlte></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>
</resprocessing></item>"#,
        meta(&[("question_type", "numerical_question"), ("points_possible", "1.0")])
    );
    let calculated = format!(
        r#"<item ident="i_calc" title="Formula">{}
<presentation><material><mattext texttype="text/html">&lt;p&gt;[x] + 1?&lt;/p&gt;</mattext></material>
<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal"><response_label ident="answer1"/></render_fib></response_str></presentation>
<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
<respcondition title="correct"><conditionvar><other/></conditionvar><setvar varname="SCORE" action="Set">100</setvar></respcondition>
<respcondition title="incorrect"><conditionvar><not><other/></not></conditionvar><setvar varname="SCORE" action="Set">0</setvar></respcondition>
</resprocessing>
<itemproc_extension><calculated><answer_tolerance>0.5</answer_tolerance>
<formulas decimal_places="1"><formula>x + 1</formula></formulas>
<vars><var name="x" scale="1"><min>1.0</min><max>5.0</max></var></vars>
<var_sets><var_set ident="7001"><var name="x">2.5</var><answer>3.5</answer></var_set></var_sets>
</calculated></itemproc_extension></item>"#,
        meta(&[("question_type", "calculated_question"), ("points_possible", "3.0")])
    );
    wrap(&format!(
        r#"<objectbank ident="bank_a"><qtimetadata><qtimetadatafield><fieldlabel>bank_title</fieldlabel><fieldentry>Canvas bank</fieldentry></qtimetadatafield></qtimetadata>
{matching}{dropdowns}{blanks}{numerical}{calculated}</objectbank>"#
    ))
}

fn canvas_quiz() -> String {
    wrap(
        r#"<assessment ident="quiz_a" title="Canvas quiz"><qtimetadata>
<qtimetadatafield><fieldlabel>qmd_timelimit</fieldlabel><fieldentry>30</fieldentry></qtimetadatafield>
<qtimetadatafield><fieldlabel>cc_maxattempts</fieldlabel><fieldentry>unlimited</fieldentry></qtimetadatafield></qtimetadata>
<section ident="root_section">
<section ident="grp" title="From the bank"><selection_ordering><selection><sourcebank_ref>bank_a</sourcebank_ref>
<selection_number>2</selection_number><selection_extension><points_per_item>1.5</points_per_item></selection_extension></selection></selection_ordering></section>
</section></assessment>"#,
    )
}

#[test]
fn reads_the_types_canvas_exports() {
    let package = read_package(&zip(&[
        ("imsmanifest.xml", b"<manifest identifier=\"m\"><resources/></manifest>"),
        ("non_cc_assessments/bank_a.xml.qti", canvas_export().as_bytes()),
        ("quiz_a/quiz_a.xml", canvas_quiz().as_bytes()),
    ]))
    .expect("reads");
    assert!(package.warnings.is_empty(), "{:#?}", package.warnings);
    let bank = &package.banks[0];
    assert_eq!(bank.title, "Canvas bank");
    let answer = |ident: &str| &bank.items.iter().find(|i| i.ident == ident).unwrap().body.answer;

    let AnswerModel::Matching { pairs, distractors } = answer("i_match") else { panic!() };
    assert_eq!(
        pairs.iter().map(|p| (p.id.as_str(), p.left.as_str(), p.right.as_str())).collect::<Vec<_>>(),
        vec![("11", "France", "Paris"), ("12", "Italy", "Rome")]
    );
    assert_eq!(distractors, &vec!["Berlin".to_owned()]);

    let AnswerModel::MultipleDropdowns { dropdowns } = answer("i_dd") else { panic!() };
    assert_eq!(dropdowns.len(), 2);
    assert_eq!(dropdowns[0].id, "a");
    assert!(dropdowns[0].choices[0].correct && !dropdowns[0].choices[1].correct);
    assert_eq!(dropdowns[1].choices[1].text, "a &lt; b");

    let AnswerModel::FillInMultipleBlanks { blanks, .. } = answer("i_fimb") else { panic!() };
    assert_eq!(blanks[0].id, "c1");
    assert_eq!(blanks[0].accepted, vec!["red".to_owned(), "crimson".to_owned()]);

    assert_eq!(
        answer("i_num"),
        &AnswerModel::Numerical {
            answers: vec![
                NumericAnswer::Exact { value: 3.0, margin: 0.0 },
                NumericAnswer::Precision { value: 13.4, precision: 4 },
                NumericAnswer::Range { start: 1.0, end: 2.0 },
            ]
        }
    );
    let AnswerModel::Calculated { variables, formula, tolerance, decimal_places } = answer("i_calc") else { panic!() };
    assert_eq!(formula, "x + 1");
    assert_eq!(*tolerance, Tolerance::Absolute { value: 0.5 });
    assert_eq!(*decimal_places, 1);
    assert_eq!((variables[0].min, variables[0].max, variables[0].scale), (1.0, 5.0, 1));

    let quiz = &package.assessments[0];
    assert_eq!(quiz.settings.time_limit, Some(30));
    assert_eq!(quiz.settings.allowed_attempts, Some(-1));
    let Entry::Group(group) = &quiz.entries[0] else { panic!() };
    assert_eq!((group.pick_count, group.points_per_item, group.bank_ref.as_deref()), (2, Some(1.5), Some("bank_a")));
}

fn err(bytes: &[u8]) -> QtiError {
    read_package(bytes).expect_err("should not read")
}

#[test]
fn broken_input_is_an_error() {
    assert!(matches!(err(b""), QtiError::Xml { .. }));
    assert!(matches!(err(b"hello"), QtiError::Xml { .. }));
    assert!(matches!(err(b"PK\x03\x04 not a zip at all"), QtiError::Zip(_)));
    assert!(matches!(err(b"<questestinterop><item></questestinterop>"), QtiError::Xml { .. }));
    assert!(matches!(err(b"<html><body>hi</body></html>"), QtiError::NotQti(_)));
    assert!(matches!(err(b"<questestinterop/>"), QtiError::NotQti(_)));
    assert!(matches!(err(b"\xff\xfe<\x00"), QtiError::Xml { .. }));
    // A zip without QTI in it, and a zip whose QTI is broken (the error names the file).
    assert!(matches!(err(&zip(&[("images/a.png", b"png")])), QtiError::NotQti(_)));
    match err(&zip(&[("quiz/quiz.xml", b"<questestinterop><assessment ident='a'>")])) {
        QtiError::Xml { file, .. } => assert_eq!(file, "quiz/quiz.xml"),
        other => panic!("{other:?}"),
    }
    // A truncated zip.
    let good = zip(&[("quiz/quiz.xml", canvas_quiz().as_bytes())]);
    assert!(matches!(err(&good[..good.len() / 2]), QtiError::Zip(_)));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("<questestinterop>{}{}</questestinterop>", "<a>".repeat(10_000), "</a>".repeat(10_000));
    assert!(matches!(err(deep.as_bytes()), QtiError::Xml { .. }));
}

fn warnings_for(package: &Package, item: &str) -> Vec<String> {
    package.warnings.iter().filter(|w| w.item.as_deref() == Some(item)).map(|w| w.message.clone()).collect()
}

#[test]
fn unsupported_constructs_are_warned_about() {
    let hotspot = format!(
        r#"<item ident="i_hot" title="Hotspot">{}<presentation><material><mattext>Click</mattext></material>
<response_xy ident="r" rcardinality="Single"><render_hotspot/></response_xy></presentation></item>"#,
        meta(&[("question_type", "hot_spot_question")])
    );
    let unknown_type = format!(
        r#"<item ident="i_unknown" title="Unknown">{}<presentation><material><mattext texttype="text/html">x</mattext>
<matimage uri="a.png"/></material>
<response_lid ident="response1" rcardinality="Single"><render_choice>
<response_label ident="c1"><material><mattext>one</mattext></material></response_label>
<response_label ident="c2"><material><mattext>two</mattext></material></response_label></render_choice></response_lid></presentation>
<resprocessing><respcondition><conditionvar><varequal respident="response1">c1</varequal></conditionvar><setvar action="Set">100</setvar></respcondition></resprocessing></item>"#,
        meta(&[("question_type", "likert_question"), ("points_possible", "1")])
    );
    let tf_feedback = format!(
        r#"<item ident="i_tf" title="TF">{}<presentation><material><mattext>Sky blue?</mattext></material>
<response_lid ident="response1" rcardinality="Single"><render_choice>
<response_label ident="t"><material><mattext>True</mattext></material></response_label>
<response_label ident="f"><material><mattext>False</mattext></material></response_label></render_choice></response_lid></presentation>
<resprocessing><respcondition continue="Yes"><conditionvar><varequal respident="response1">f</varequal></conditionvar><displayfeedback linkrefid="f_fb"/></respcondition>
<respcondition><conditionvar><varequal respident="response1">t</varequal></conditionvar><setvar action="Set">100</setvar></respcondition></resprocessing>
<itemfeedback ident="f_fb"><flow_mat><material><mattext>It is blue.</mattext></material></flow_mat></itemfeedback>
<itemfeedback ident="stray"><flow_mat><material><mattext>Nobody points here.</mattext></material></flow_mat></itemfeedback></item>"#,
        meta(&[("question_type", "true_false_question"), ("points_possible", "1")])
    );
    let bad_number = format!(
        r#"<item ident="i_num" title="Num">{}<presentation><material><mattext>n</mattext></material>
<response_str ident="response1"><render_fib fibtype="Decimal"/></response_str></presentation>
<resprocessing><respcondition><conditionvar><varequal respident="response1">about five</varequal></conditionvar><setvar action="Set">100</setvar></respcondition></resprocessing></item>"#,
        meta(&[("question_type", "numerical_question"), ("points_possible", "1")])
    );
    let formulas = format!(
        r#"<item ident="i_calc" title="Calc">{}<presentation><material><mattext>x</mattext></material></presentation>
<itemproc_extension><calculated><answer_tolerance>1%</answer_tolerance><formulas decimal_places="2"><formula>y = x * 2</formula><formula>y + 1</formula></formulas>
<vars><var name="x" scale="0"><min>1</min><max>2</max></var></vars></calculated></itemproc_extension></item>"#,
        meta(&[("question_type", "calculated_question"), ("points_possible", "1")])
    );
    let no_points = r#"<item ident="i_nopoints" title="Essay"><presentation><material><mattext>Write</mattext></material>
<response_str ident="response1"><render_fib/></response_str></presentation><rubric><material><mattext>Be kind</mattext></material></rubric></item>"#;
    let doc = wrap(&format!(
        r#"<assessment ident="quiz_b" title="Odd quiz"><presentation_material><flow_mat><material><mattext>Intro</mattext></material></flow_mat></presentation_material><section ident="root_section">
{hotspot}{unknown_type}{tf_feedback}{bad_number}{formulas}{no_points}
<itemref linkrefid="missing_item"/>
<section ident="g" title="Elsewhere"><selection_ordering><selection><sourcebank_ref>missing_bank</sourcebank_ref><selection_number>1</selection_number></selection></selection_ordering></section>
</section></assessment>"#
    ));
    let quiz_meta = br#"<quiz identifier="quiz_b"><title>Odd quiz</title><require_lockdown_browser>true</require_lockdown_browser></quiz>"#;
    let package = read_package(&zip(&[
        ("quiz_b/quiz_b.xml", doc.as_bytes()),
        ("quiz_b/assessment_meta.xml", quiz_meta),
        ("quiz_b/notes.txt", b"hello"),
    ]))
    .expect("reads, with warnings");
    let all: Vec<String> = package.warnings.iter().map(ToString::to_string).collect();

    // The hotspot cannot be held: left out, and said so.
    let items: Vec<&str> = package.assessments[0]
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Item(i) => Some(i.ident.as_str()),
            Entry::Group(_) => None,
        })
        .collect();
    assert_eq!(items, vec!["i_unknown", "i_tf", "i_num", "i_calc", "i_nopoints"]);
    assert!(
        warnings_for(&package, "i_hot").iter().any(|m| m.contains("response_xy") && m.contains("not imported")),
        "{all:#?}"
    );
    // An unknown type is read by its shape, and the image material is named.
    let unknown = warnings_for(&package, "i_unknown");
    assert!(
        unknown.iter().any(|m| m.contains("likert_question") && m.contains("multiple_choice_question")),
        "{all:#?}"
    );
    assert!(unknown.iter().any(|m| m.contains("matimage")), "{all:#?}");
    // True/false choice feedback and feedback nothing refers to.
    let tf = warnings_for(&package, "i_tf");
    assert!(tf.iter().any(|m| m.contains("True/False choices")), "{all:#?}");
    assert!(tf.iter().any(|m| m.contains("\"stray\"")), "{all:#?}");
    assert!(warnings_for(&package, "i_num").iter().any(|m| m.contains("about five")), "{all:#?}");
    assert!(warnings_for(&package, "i_calc").iter().any(|m| m.contains("2 formula lines")), "{all:#?}");
    let no_points = warnings_for(&package, "i_nopoints");
    assert!(no_points.iter().any(|m| m.contains("1 point")), "{all:#?}");
    assert!(no_points.iter().any(|m| m.contains("<rubric>")), "{all:#?}");
    // Package-level: the missing item and bank, the lockdown setting, the file that is not a question.
    for needle in
        ["missing_item", "missing_bank", "require_lockdown_browser", "quiz_b/notes.txt", "<presentation_material>"]
    {
        assert!(all.iter().any(|m| m.contains(needle)), "no warning mentions {needle}: {all:#?}");
    }
}

#[test]
fn a_bare_document_of_loose_items_becomes_a_bank() {
    let doc = wrap(
        r#"<item ident="only" title="Lone"><presentation><material><mattext>Say hi</mattext></material>
<response_str ident="response1"><render_fib/></response_str></presentation>
<resprocessing><respcondition><conditionvar><varequal respident="response1" case="Yes">Hi</varequal></conditionvar><setvar action="Set">1</setvar></respcondition></resprocessing></item>"#,
    );
    let package = read_package(doc.as_bytes()).unwrap();
    assert_eq!(package.banks.len(), 1);
    let item = &package.banks[0].items[0];
    // No Canvas metadata: the type comes from the shape, and plain text becomes HTML.
    let AnswerModel::ShortAnswer { accepted, text_match } = &item.body.answer else { panic!("{item:?}") };
    assert_eq!(accepted, &vec!["Hi".to_owned()]);
    assert!(text_match.case_sensitive);
    assert_eq!(item.body.text, "Say hi");
    assert_eq!(item.canvas_type, None);
}

#[test]
fn an_answer_set_that_disagrees_with_its_formula_is_a_warning() {
    let item = |sets: &str| {
        format!(
            r#"<objectbank ident="b"><item ident="i_calc" title="Formula">{}
<presentation><material><mattext texttype="text/html">&lt;p&gt;[x] times 2?&lt;/p&gt;</mattext></material>
<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal"><response_label ident="answer1"/></render_fib></response_str></presentation>
<itemproc_extension><calculated><answer_tolerance>0</answer_tolerance>
<formulas decimal_places="0"><formula>x * 2</formula></formulas>
<vars><var name="x" scale="0"><min>1</min><max>9</max></var></vars>
<var_sets>{sets}</var_sets></calculated></itemproc_extension></item></objectbank>"#,
            meta(&[("question_type", "calculated_question"), ("points_possible", "1")])
        )
    };
    let read = |sets: &str| {
        read_package(&zip(&[("non_cc_assessments/b.xml.qti", wrap(&item(sets)).as_bytes())])).expect("reads")
    };
    let fine = read(r#"<var_set ident="1"><var name="x">3</var><answer>6</answer></var_set>"#);
    assert!(fine.warnings.is_empty(), "{:#?}", fine.warnings);
    let off = read(
        r#"<var_set ident="1"><var name="x">3</var><answer>6</answer></var_set>
<var_set ident="2"><var name="x">4</var><answer>9</answer></var_set>
<var_set ident="3"><var name="y">4</var><answer>8</answer></var_set>"#,
    );
    // The question is still read, with the formula; each set that does not fit is named.
    assert!(matches!(off.banks[0].items[0].body.answer, AnswerModel::Calculated { .. }));
    let messages: Vec<&str> = off.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].contains("answer set (2)") && messages[0].contains("answer 9") && messages[0].contains("(8)"));
    assert!(messages[1].contains("answer set (3)"), "{messages:#?}");
}
