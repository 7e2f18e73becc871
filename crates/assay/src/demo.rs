//! `assay serve --demo`: a school to try every surface with, seeded into an empty database.

use assay_domain::{
    policy::CourseRole,
    question::{AnswerModel, QuestionBody},
};
use assay_store::{
    Scope, Store, accounts, api_keys, courses, developer_keys, enrollments,
    entity::user,
    events::Actor,
    logins, partners, question_banks,
    questions::{self, Home, NewQuestion},
    quizzes, sections, terms, user_api_keys,
    users::{self, NewLogin, NewUser},
};

pub const DEMO_SCHOOL: &str = "Demo School";
pub const DEMO_ADMIN_LOGIN: &str = "admin@demo.assay.invalid";

const TEACHERS: &[(&str, &str)] =
    &[("Grace Hopper", "grace@demo.assay.invalid"), ("Alan Turing", "alan@demo.assay.invalid")];
/// Thirty students: every first name with the last name beside it, then shifted, so names are distinct.
const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Katherine",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "John",
    "Radia",
    "Ken",
    "Margaret",
    "Tim",
    "Hedy",
    "Dennis",
    "Shafi",
    "Leslie",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Johnson",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Backus",
    "Perlman",
    "Thompson",
    "Hamilton",
    "Berners-Lee",
    "Lamarr",
    "Ritchie",
    "Goldwasser",
    "Lamport",
];
const STUDENT_COUNT: usize = 30;

/// The demo students: (name, login, SIS id).
fn students() -> Vec<(String, String, String)> {
    (0..STUDENT_COUNT)
        .map(|i| {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i + i / LAST_NAMES.len()) % LAST_NAMES.len()];
            let login = format!("{}.{}@demo.assay.invalid", first.to_lowercase(), last.to_lowercase());
            (format!("{first} {last}"), login, format!("S{}", 1001 + i))
        })
        .collect()
}

/// The demo administrator's password, for the password grants (it is a demo: it is printed, and documented).
pub const DEMO_ADMIN_PASSWORD: &str = "demo-password";

/// What a newcomer needs to start: a working credential of every kind Assay accepts.
#[derive(Debug)]
pub struct DemoAccess {
    pub school_id: i64,
    pub admin_user_id: i64,
    /// A personal access token (`Authorization: Bearer`).
    pub token: String,
    /// The administrator's API key, exchanged at `/api/authenticate/token` (Inspera).
    pub user_api_key: String,
    /// A developer key (OAuth client) for `/login/oauth2/token`.
    pub client_id: String,
    pub client_secret: String,
    /// An account-wide `Api-Key` (Momotor).
    pub api_key: String,
    /// An AB Connect partner for signed `/rest/v4.1` requests.
    pub partner_id: String,
    pub partner_key: String,
    /// False when the school already existed and only fresh credentials were issued.
    pub seeded: bool,
}

/// Seeds the demo school on an empty database, or issues a fresh admin token for an existing demo school.
/// Returns `None` when the database holds other data (nothing is changed then).
pub async fn ensure(store: &Store) -> anyhow::Result<Option<DemoAccess>> {
    if !accounts::is_empty(store.read()).await? {
        let existing = users::find_by_login_unscoped(store.read(), DEMO_ADMIN_LOGIN).await?;
        let Some(admin) = existing.into_iter().next() else {
            return Ok(None);
        };
        return Ok(Some(credentials(store, admin, false).await?));
    }
    let created = crate::admin::create_school(store, DEMO_SCHOOL, "Ada Admin", DEMO_ADMIN_LOGIN).await?;
    let school = created.school.clone();
    store
        .write(move |txn| {
            Box::pin(async move {
                let scope = Scope::school(school.id);
                let person = |name: &str, login: &str, sis: Option<&str>| NewUser {
                    name: name.to_owned(),
                    email: Some(login.to_owned()),
                    sis_user_id: sis.map(str::to_owned),
                    login: Some(NewLogin { unique_id: login.to_owned(), password_hash: None }),
                    ..NewUser::default()
                };
                let mut teachers = Vec::new();
                for (name, login) in TEACHERS {
                    teachers
                        .push(users::create(txn, &scope, &school, person(name, login, None), Actor::system()).await?);
                }
                let mut pupils = Vec::new();
                for (name, login, sis) in students() {
                    pupils.push(
                        users::create(txn, &scope, &school, person(&name, &login, Some(&sis)), Actor::system()).await?,
                    );
                }
                let term = terms::TermFields {
                    name: Some("Demo Term".into()),
                    sis_term_id: Some(Some("DEMO-TERM".into())),
                    ..Default::default()
                };
                let term = terms::create(txn, &scope, term, Actor::system()).await?;
                // Everyone takes the introduction; the first half also takes programming. Each course has a
                // teacher, and its students are split between its two sections.
                for (index, (name, code, offered)) in
                    [("Introduction to Assay", "ASSAY-101", true), ("Programming 1", "PROG-1", false)]
                        .into_iter()
                        .enumerate()
                {
                    let fields = courses::CourseFields {
                        name: Some(name.into()),
                        course_code: Some(code.into()),
                        sis_course_id: Some(Some(code.into())),
                        state: offered.then_some(assay_domain::course::CourseState::Available),
                        term: Some(Some(assay_domain::IdRef::Id(term.id))),
                        ..Default::default()
                    };
                    let course = courses::create(txn, &scope, &school, fields, Actor::system()).await?;
                    let mut groups = Vec::new();
                    for group in ["Group A", "Group B"] {
                        let section = sections::SectionFields { name: Some(group.into()), ..Default::default() };
                        groups.push(sections::create(txn, &scope, &course, section, Actor::system()).await?);
                    }
                    let active = enrollments::NewEnrollment::active;
                    let teacher = active(teachers[index].id, CourseRole::Teacher);
                    enrollments::enroll(txn, &scope, &course, &groups[0], teacher, Actor::system()).await?;
                    let taking = if index == 0 { &pupils[..] } else { &pupils[..pupils.len() / 2] };
                    for (i, pupil) in taking.iter().enumerate() {
                        let student = active(pupil.id, CourseRole::Student);
                        enrollments::enroll(txn, &scope, &course, &groups[i % 2], student, Actor::system()).await?;
                    }
                    let quiz = authoring(txn, &scope, &course).await?;
                    // The first eight students of the introduction have sat its test.
                    if index == 0 {
                        sittings(txn, &scope, &quiz, &taking[..8]).await?;
                    }
                }
                Ok(())
            })
        })
        .await?;
    Ok(Some(credentials(store, created.admin, true).await?))
}

/// Issues a fresh credential of every kind for the demo administrator (secrets are shown once, so a restart
/// issues new ones).
async fn credentials(store: &Store, admin: user::Model, seeded: bool) -> anyhow::Result<DemoAccess> {
    let password_hash = tokio::task::spawn_blocking(|| {
        use argon2::{Argon2, password_hash::PasswordHasher};
        Argon2::default().hash_password(DEMO_ADMIN_PASSWORD.as_bytes()).map(|h| h.to_string())
    })
    .await?
    .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    let token = crate::admin::create_token(store, admin.clone(), "demo".into(), None).await?;
    let (school_id, admin_user_id) = (admin.root_account_id, admin.id);
    let scope = Scope::school(school_id);
    let actor = Actor::user(admin_user_id);
    let (user_api_key, (key, client_secret), api_key, partner) = store
        .write(move |txn| {
            Box::pin(async move {
                // The administrator's login gets the demo password (for /api/token and the OAuth password grant).
                for login in logins::list_for_user(txn, &scope, admin.id).await? {
                    logins::update(txn, &scope, &login, None, Some(password_hash.clone()), actor).await?;
                }
                let (_, user_api_key) = user_api_keys::generate(txn, &scope, &admin, actor).await?;
                let fields = developer_keys::KeyFields { name: Some("Demo integration".into()), ..Default::default() };
                let developer_key = developer_keys::create(txn, &scope, school_id, admin.id, fields, actor).await?;
                let (_, api_key) = api_keys::create(txn, &scope, school_id, None, "Demo grader".into(), actor).await?;
                let partner = partners::create(
                    txn,
                    &scope,
                    partners::NewPartner { name: "Demo partner".into(), partner_id: None, max_lifetime_secs: 86_400 },
                    actor,
                )
                .await?;
                Ok((user_api_key, developer_key, api_key, partner))
            })
        })
        .await?;
    Ok(DemoAccess {
        school_id,
        admin_user_id,
        token,
        user_api_key,
        client_id: key.id.to_string(),
        client_secret,
        api_key,
        partner_id: partner.partner_id,
        partner_key: partner.signing_key,
        seeded,
    })
}

/// One question of every type, each valid by the domain's rules.
fn demo_questions() -> Vec<QuestionBody> {
    use assay_domain::question::model::{
        Blank, Choice, Dropdown, Feedback, MatchPair, NumericAnswer, OrderItem, PartialCredit, TextMatch, Tolerance,
        Variable,
    };
    let choice = |id: &str, text: &str, correct: bool| Choice {
        id: id.to_owned(),
        text: text.to_owned(),
        correct,
        feedback: None,
    };
    let q = |name: &str, text: &str, points: f64, answer: AnswerModel| QuestionBody {
        name: name.to_owned(),
        text: text.to_owned(),
        points_possible: points,
        feedback: Feedback::default(),
        answer,
    };
    vec![
        q(
            "Capital of France",
            "<p>What is the capital of France?</p>",
            1.0,
            AnswerModel::MultipleChoice {
                choices: vec![choice("1", "Paris", true), choice("2", "Lyon", false), choice("3", "Marseille", false)],
            },
        ),
        q("Water boils", "<p>Water boils at 100 °C at sea level.</p>", 1.0, AnswerModel::TrueFalse { correct: true }),
        q(
            "Prime numbers",
            "<p>Which of these are prime?</p>",
            2.0,
            AnswerModel::MultipleAnswers {
                choices: vec![choice("1", "2", true), choice("2", "3", true), choice("3", "4", false)],
                partial_credit: PartialCredit::CorrectMinusIncorrect,
            },
        ),
        q(
            "Largest planet",
            "<p>Name the largest planet of the solar system.</p>",
            1.0,
            AnswerModel::ShortAnswer { accepted: vec!["Jupiter".into()], text_match: TextMatch::default() },
        ),
        q(
            "Colours",
            "<p>Roses are [rose], violets are [violet].</p>",
            2.0,
            AnswerModel::FillInMultipleBlanks {
                blanks: vec![
                    Blank { id: "rose".into(), accepted: vec!["red".into()] },
                    Blank { id: "violet".into(), accepted: vec!["blue".into()] },
                ],
                text_match: TextMatch::default(),
            },
        ),
        q(
            "Sorting",
            "<p>Quicksort runs in [average] time on average.</p>",
            1.0,
            AnswerModel::MultipleDropdowns {
                dropdowns: vec![Dropdown {
                    id: "average".into(),
                    choices: vec![choice("1", "O(n log n)", true), choice("2", "O(n²)", false)],
                }],
            },
        ),
        q(
            "Capitals",
            "<p>Match each country with its capital.</p>",
            2.0,
            AnswerModel::Matching {
                pairs: vec![
                    MatchPair { id: "1".into(), left: "Norway".into(), right: "Oslo".into() },
                    MatchPair { id: "2".into(), left: "Kenya".into(), right: "Nairobi".into() },
                ],
                distractors: vec!["Lima".into()],
            },
        ),
        q(
            "Software lifecycle",
            "<p>Put these steps in order.</p>",
            2.0,
            AnswerModel::Ordering {
                items: vec![
                    OrderItem { id: "1".into(), text: "Design".into() },
                    OrderItem { id: "2".into(), text: "Build".into() },
                    OrderItem { id: "3".into(), text: "Test".into() },
                ],
            },
        ),
        q(
            "Division",
            "<p>What is 7 ÷ 4 as a decimal number?</p>",
            1.0,
            AnswerModel::Numerical { answers: vec![NumericAnswer::Exact { value: 1.75, margin: 0.0 }] },
        ),
        q(
            "Rectangle",
            "<p>What is the area of a rectangle [w] by [h]?</p>",
            2.0,
            AnswerModel::Calculated {
                variables: vec![
                    Variable { name: "w".into(), min: 1.0, max: 10.0, scale: 0 },
                    Variable { name: "h".into(), min: 1.0, max: 10.0, scale: 0 },
                ],
                formula: "w * h".into(),
                tolerance: Tolerance::Absolute { value: 0.0 },
                decimal_places: 0,
            },
        ),
        q("Reflection", "<p>What did you learn this week?</p>", 5.0, AnswerModel::Essay),
        q(
            "Lab report",
            "<p>Upload your lab report.</p>",
            5.0,
            AnswerModel::FileUpload { allowed_extensions: vec!["pdf".into()] },
        ),
        q("Instructions", "<p>Answer every question; no aids are allowed.</p>", 0.0, AnswerModel::TextOnly),
    ]
}

/// A course's demo authoring: a bank with one question of every type, and a published test with some fixed
/// questions and a group drawing two questions from the bank.
async fn authoring(
    txn: &assay_store::DatabaseTransaction,
    scope: &Scope,
    course: &assay_store::entity::course::Model,
) -> Result<assay_store::entity::quiz::Model, assay_store::StoreError> {
    let actor = Actor::system();
    let bank = question_banks::BankFields {
        title: Some(format!("{} question bank", course.course_code)),
        external_id: Some(Some(format!("{}-BANK", course.course_code))),
        tags: Some(vec!["demo".into()]),
    };
    let bank = question_banks::create(txn, scope, question_banks::Owner::Course(course.id), bank, actor).await?;
    let all = demo_questions();
    for body in &all {
        let new = NewQuestion { body: body.clone(), tags: vec!["demo".into()], external_id: None, position: None };
        questions::create(txn, scope, Home::Bank(bank.id), new, actor).await?;
    }
    let fields = quizzes::QuizFields {
        title: Some("Week 1 test".into()),
        description: Some("<p>A short test on the first week.</p>".into()),
        time_limit: Some(Some(30)),
        allowed_attempts: Some(2),
        published: Some(true),
        ..Default::default()
    };
    let quiz = quizzes::create(txn, scope, course.id, fields, actor).await?;
    for body in all.iter().filter(|b| {
        matches!(
            b.answer,
            AnswerModel::TextOnly
                | AnswerModel::MultipleChoice { .. }
                | AnswerModel::TrueFalse { .. }
                | AnswerModel::Essay
        )
    }) {
        let new = NewQuestion { body: body.clone(), tags: Vec::new(), external_id: None, position: None };
        quizzes::add_question(txn, scope, &quiz, None, None, new, actor).await?;
    }
    let group = quizzes::GroupFields {
        name: Some("From the bank".into()),
        pick_count: Some(2),
        question_points: Some(1.0),
        bank_id: Some(Some(bank.id)),
        position: None,
    };
    quizzes::create_group(txn, scope, &quiz, group, actor).await?;
    Ok(quiz)
}

/// Some students have already sat the test, so results, grading and appeals can be tried at once: a few
/// answer everything correctly, others get some wrong or leave questions out, and everyone who answers the
/// essay waits for a grader (`pending_review`).
async fn sittings(
    txn: &assay_store::DatabaseTransaction,
    scope: &Scope,
    quiz: &assay_store::entity::quiz::Model,
    students: &[user::Model],
) -> Result<(), assay_store::StoreError> {
    use assay_domain::question::{Response, correct_response};
    use assay_store::attempts::{self, AnswerSave, Finish, StartOutcome, StartRules};
    let rules =
        StartRules { allowed_attempts: quiz.allowed_attempts, time_limit: quiz.time_limit, ..Default::default() };
    for (i, student) in students.iter().enumerate() {
        let attempt = match attempts::start(txn, scope, quiz, student.id, &rules, None, Actor::user(student.id)).await?
        {
            StartOutcome::Started(a) | StartOutcome::Resumed(a) => a,
            StartOutcome::NoAttemptsLeft => continue,
        };
        let draw = attempts::drawn(&attempt)?;
        let bodies = attempts::versions(txn, &draw).await?;
        let mut saves = Vec::new();
        for (k, drawn) in draw.iter().enumerate() {
            let Some(version) = bodies.get(&drawn.question_id) else { continue };
            let body = &version.1;
            let variables = attempts::variables(&attempt, body, drawn.question_id);
            let response = match &body.answer {
                AnswerModel::Essay => Some(Response::Text(format!("<p>My answer, by {}.</p>", student.name))),
                // Student i gets question k wrong when (i + k) % 3 == 0 (a wrong choice is the first one that is
                // not the correct response), and leaves the last question out when i is odd.
                _ if i % 2 == 1 && k + 1 == draw.len() => None,
                _ if (i + k) % 3 == 0 => wrong_response(body),
                _ => correct_response(body, &variables),
            };
            if response.is_some() {
                saves.push(AnswerSave { question_id: drawn.question_id, response, seq: Some(k as i64 + 1) });
            }
        }
        attempts::save_answers(txn, scope, attempt.id, &saves).await?;
        attempts::finish(txn, scope, attempt.id, Finish::Submitted, Actor::user(student.id)).await?;
    }
    Ok(())
}

/// A response that scores nothing, for the demo's wrong answers (none for types without choices).
fn wrong_response(body: &QuestionBody) -> Option<assay_domain::question::Response> {
    use assay_domain::question::Response;
    match &body.answer {
        AnswerModel::MultipleChoice { choices, .. } => {
            choices.iter().find(|c| !c.correct).map(|c| Response::Choice(c.id.clone()))
        }
        AnswerModel::TrueFalse { correct } => Some(Response::Bool(!correct)),
        _ => Some(Response::Text("I do not know".into())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_questions_cover_every_type_and_are_valid() {
        let all = super::demo_questions();
        for kind in assay_domain::question::QuestionType::ALL {
            assert!(all.iter().any(|q| q.answer.question_type() == kind), "{kind:?} has no demo question");
        }
        for q in &all {
            assert_eq!(assay_domain::question::validate(q), Ok(()), "{}", q.name);
            assert_eq!(&assay_domain::question::sanitize_body(q.clone()), q, "{} changes when sanitised", q.name);
        }
    }
}
