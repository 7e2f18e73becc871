//! Results of a test, for those who grade it (`view_all_grades` in the course, or a `grade` contributor of the
//! test):
//!
//! - `GET /api/v1/courses/:course_id/quizzes/:quiz_id/statistics` — Canvas's Quiz Statistics shape
//!   (`{"quiz_statistics": [{…, "question_statistics": […], "submission_statistics": {…}}]}`) over the completed
//!   attempts: each candidate's latest, or every attempt with `all_versions=true`. Per question: difficulty
//!   (p-value), discrimination (point-biserial against the attempt's total), the answer distribution and, for
//!   choice questions, each choice's point-biserial (see `assay_domain::statistics`).
//! - `GET /api/v1/courses/:course_id/quizzes/:quiz_id/results` — one item per candidate with an attempt, by user
//!   id: the attempts, the kept score (the result in the quiz's assignment, which delivery keeps by the scoring
//!   policy; for an ungraded quiz, the policy applied here) and the per-question scores of the kept attempt (the
//!   latest finished one when no result names one).
//!
//! A section-limited grader sees the candidates of their sections only.

use std::collections::{BTreeMap, HashMap};

use assay_domain::{
    attempt::{DrawnQuestion, ScoringPolicy, kept_score},
    policy::Permission,
    question::Response,
    statistics::{self, AttemptSummary, Observation},
};
use assay_store::{
    attempts::{self, COMPLETE, UNTAKEN},
    entity::{quiz_answer, quiz_submission, submission, user},
    results,
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    gradebook::reachable_students,
    quizzes::{self, QuizCtx},
};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(quiz_statistics)).routes(routes!(quiz_results))
}

/// Loads the test and checks that the caller grades it; returns the candidates they may see (`None`: all).
async fn load_for_grader(
    state: &AppState,
    caller: &Caller,
    course_id: &str,
    quiz_id: i64,
) -> ApiResult<(QuizCtx, Option<Vec<i64>>)> {
    let ctx = quizzes::load(state, caller, course_id, quiz_id).await?;
    caller.require(Permission::ViewAllGrades, ctx.target())?;
    // A grade contributor of the test grades every candidate of it.
    let within = if ctx.contributor.is_some() {
        None
    } else {
        reachable_students(state, caller, &ctx.course, Permission::ViewAllGrades).await?
    };
    Ok((ctx, within))
}

/// An attempt's total: its score, or the sum of its answers' scores while it has none.
fn total_of(attempt: &quiz_submission::Model, answers: &[quiz_answer::Model]) -> f64 {
    attempt.score.unwrap_or_else(|| answers.iter().filter_map(|a| a.score).sum())
}

// ---- Statistics ------------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// Every completed attempt (true) or each candidate's latest (false, the default).
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub all_versions: Option<bool>,
}

/// How many gave one answer (or typed it).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerStatisticsJson {
    /// The choice's id (as the question shows it), the typed answer, or `none` for blank responses.
    #[schema(value_type = Object)]
    pub id: Value,
    pub text: String,
    /// Whether it is a correct answer; null where the question has no key for it (typed numbers, essays).
    pub correct: Option<bool>,
    pub responses: usize,
}

/// The answers given in one blank, dropdown or matching pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerSetJson {
    pub id: String,
    pub text: String,
    pub answers: Vec<AnswerStatisticsJson>,
}

/// A choice's point-biserial correlation with the total score.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointBiserialJson {
    #[schema(value_type = Object)]
    pub answer_id: Value,
    pub point_biserial: Option<f64>,
    pub correct: bool,
    pub distractor: bool,
}

/// One question's statistics (Canvas QuestionStatistics, plus Assay's `discrimination_index`).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionStatisticsJson {
    /// The question's id (as attempts record it).
    pub id: String,
    pub question_type: String,
    pub question_name: String,
    pub question_text: String,
    pub position: u32,
    pub points_possible: f64,
    /// Candidates who answered.
    pub responses: usize,
    pub answered_student_count: usize,
    /// Candidates shown the question.
    pub participant_count: usize,
    pub correct_student_count: usize,
    pub partially_correct_student_count: usize,
    pub incorrect_student_count: usize,
    /// Responses still waiting for a grader.
    pub ungraded_count: usize,
    pub correct_student_ratio: Option<f64>,
    pub incorrect_student_ratio: Option<f64>,
    /// The p-value: mean fraction of the points earned (1 easy, 0 hard).
    pub difficulty_index: Option<f64>,
    /// The correlation of the question's score with the attempt's total (point-biserial for right-or-wrong
    /// questions).
    pub discrimination_index: Option<f64>,
    pub mean_score: Option<f64>,
    pub variance: Option<f64>,
    pub stdev: Option<f64>,
    pub answers: Vec<AnswerStatisticsJson>,
    /// Blanks, dropdowns and matching pairs: the answers per blank.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer_sets: Vec<AnswerSetJson>,
    /// Choice questions: each choice's point-biserial.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub point_biserials: Vec<PointBiserialJson>,
}

/// The attempts' scores (Canvas SubmissionStatistics).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionStatisticsJson {
    /// Attempts counted.
    pub unique_count: usize,
    pub score_average: Option<f64>,
    pub score_high: Option<f64>,
    pub score_low: Option<f64>,
    pub score_stdev: Option<f64>,
    /// Seconds from start to finish.
    pub duration_average: Option<f64>,
    pub correct_count_average: Option<f64>,
    pub incorrect_count_average: Option<f64>,
    /// How many attempts scored each whole percentage.
    pub scores: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizStatisticsLinksJson {
    pub quiz: String,
}

/// The statistics of a test (Canvas QuizStatistics).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizStatisticsJson {
    pub id: String,
    pub url: String,
    pub html_url: String,
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub includes_all_versions: bool,
    pub multiple_attempts_exist: bool,
    pub anonymous_survey: bool,
    /// The test's points as it stands now.
    pub points_possible: f64,
    pub question_statistics: Vec<QuestionStatisticsJson>,
    pub submission_statistics: SubmissionStatisticsJson,
    pub links: QuizStatisticsLinksJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizStatisticsListJson {
    pub quiz_statistics: Vec<QuizStatisticsJson>,
}

fn id_value(id: &str) -> Value {
    id.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(id))
}

fn answer_json(a: &statistics::AnswerCount) -> AnswerStatisticsJson {
    AnswerStatisticsJson { id: id_value(&a.id), text: a.text.clone(), correct: a.correct, responses: a.responses }
}

/// The statistics of a test's completed attempts, in Canvas's shape (see the module doc).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/statistics", tag = "Quiz results",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path, description = "Quiz id"), StatisticsQuery),
    responses((status = 200, body = QuizStatisticsListJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn quiz_statistics(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, quiz_id)): PathParams<(String, i64)>,
    Params(query): Params<StatisticsQuery>,
) -> ApiResult<Json<QuizStatisticsListJson>> {
    let (ctx, within) = load_for_grader(&state, &caller, &course_id, quiz_id).await?;
    let read = state.store.read();
    let all_versions = query.all_versions.unwrap_or(false);
    let finished = results::attempts(read, &caller.scope, ctx.quiz.id, &[COMPLETE], within.as_deref()).await?;
    let multiple_attempts_exist = finished.windows(2).any(|w| w[0].user_id == w[1].user_id);
    // Attempts come by user then number: the last of each user's run is their latest.
    let counted: Vec<&quiz_submission::Model> = if all_versions {
        finished.iter().collect()
    } else {
        finished
            .iter()
            .enumerate()
            .filter(|(i, a)| finished.get(i + 1).is_none_or(|next| next.user_id != a.user_id))
            .map(|(_, a)| a)
            .collect()
    };
    let ids: Vec<i64> = counted.iter().map(|a| a.id).collect();
    let answers = results::answers(read, &caller.scope, &ids).await?;
    let no_answers = Vec::new();

    // Every question any counted attempt showed, at the highest version shown (choice ids are stable across
    // versions), placed where it first appeared.
    let mut drawn: BTreeMap<i64, (i32, u32, f64)> = BTreeMap::new();
    let draws: HashMap<i64, Vec<DrawnQuestion>> = counted.iter().map(|a| (a.id, results::draw_of(a))).collect();
    for d in draws.values().flatten() {
        let entry = drawn.entry(d.question_id).or_insert((d.question_version, d.position, d.points));
        entry.0 = entry.0.max(d.question_version);
        entry.1 = entry.1.min(d.position);
        entry.2 = entry.2.max(d.points);
    }
    let wanted: Vec<(i64, i32)> = drawn.iter().map(|(id, (version, _, _))| (*id, *version)).collect();
    let shown = results::shown_questions(read, &caller.scope, &wanted).await?;

    let mut question_statistics = Vec::new();
    for (question_id, (version, position, points)) in &drawn {
        let Some(question) = shown.get(&(*question_id, *version)) else { continue };
        let mut responses: Vec<(f64, Option<f64>, Option<Response>)> = Vec::new();
        for attempt in &counted {
            if !draws[&attempt.id].iter().any(|d| d.question_id == *question_id) {
                continue;
            }
            let given = answers.get(&attempt.id).unwrap_or(&no_answers);
            let answer = given.iter().find(|a| a.question_id == *question_id);
            responses.push((
                total_of(attempt, given),
                answer.and_then(|a| a.score),
                answer.and_then(attempts::response_of),
            ));
        }
        let observations: Vec<Observation<'_>> = responses
            .iter()
            .map(|(total, score, response)| Observation { total: *total, score: *score, response: response.as_ref() })
            .collect();
        let stats = statistics::question_statistics(&question.body, *points, &observations);
        let ratio = |n: usize| (stats.participants > 0).then(|| n as f64 / stats.participants as f64);
        question_statistics.push(QuestionStatisticsJson {
            id: question_id.to_string(),
            question_type: question.body.answer.question_type().canvas_name().to_owned(),
            question_name: question.body.name.clone(),
            question_text: question.body.text.clone(),
            position: *position,
            points_possible: *points,
            responses: stats.answered,
            answered_student_count: stats.answered,
            participant_count: stats.participants,
            correct_student_count: stats.correct,
            partially_correct_student_count: stats.partially_correct,
            incorrect_student_count: stats.incorrect,
            ungraded_count: stats.ungraded,
            correct_student_ratio: ratio(stats.correct),
            incorrect_student_ratio: ratio(stats.incorrect),
            difficulty_index: stats.difficulty,
            discrimination_index: stats.discrimination,
            mean_score: stats.mean_score,
            variance: stats.variance,
            stdev: stats.stdev,
            answers: stats.answers.iter().map(answer_json).collect(),
            answer_sets: stats
                .answer_sets
                .iter()
                .map(|set| AnswerSetJson {
                    id: set.id.clone(),
                    text: set.text.clone(),
                    answers: set.answers.iter().map(answer_json).collect(),
                })
                .collect(),
            point_biserials: stats
                .point_biserials
                .iter()
                .map(|pb| PointBiserialJson {
                    answer_id: id_value(&pb.answer_id),
                    point_biserial: pb.point_biserial,
                    correct: pb.correct,
                    distractor: !pb.correct,
                })
                .collect(),
        });
    }
    question_statistics.sort_by_key(|q| (q.position, q.id.clone()));

    let summaries: Vec<AttemptSummary> = counted
        .iter()
        .map(|attempt| {
            let given = answers.get(&attempt.id).unwrap_or(&no_answers);
            let fractions: Vec<f64> = draws[&attempt.id]
                .iter()
                .filter(|d| d.points > 0.0)
                .filter_map(|d| {
                    let score = given.iter().find(|a| a.question_id == d.question_id).map_or(Some(0.0), |a| a.score);
                    score.map(|s| s / d.points)
                })
                .collect();
            AttemptSummary {
                score: total_of(attempt, given),
                points_possible: attempt.points_possible,
                duration_seconds: attempt
                    .finished_at
                    .map(|finished| (finished - attempt.started_at).num_milliseconds() as f64 / 1000.0),
                correct_count: fractions.iter().filter(|f| **f >= 1.0 - 1e-9).count(),
                incorrect_count: fractions.iter().filter(|f| **f <= 1e-9).count(),
            }
        })
        .collect();
    let summary = statistics::test_statistics(&summaries);
    let base = state.base_url.resolve(&headers);
    let course_id = ctx.course.course.id;
    let quiz_url = format!("{base}/api/v1/courses/{course_id}/quizzes/{}", ctx.quiz.id);
    let points_possible = assay_store::quizzes::summary(read, &caller.scope, ctx.quiz.id).await?.points_possible;
    Ok(Json(QuizStatisticsListJson {
        quiz_statistics: vec![QuizStatisticsJson {
            id: ctx.quiz.id.to_string(),
            url: format!("{quiz_url}/statistics"),
            html_url: format!("{base}/courses/{course_id}/quizzes/{}/statistics", ctx.quiz.id),
            generated_at: assay_store::now(),
            includes_all_versions: all_versions,
            multiple_attempts_exist,
            anonymous_survey: false,
            points_possible,
            question_statistics,
            submission_statistics: SubmissionStatisticsJson {
                unique_count: summary.unique_count,
                score_average: summary.score_average,
                score_high: summary.score_high,
                score_low: summary.score_low,
                score_stdev: summary.score_stdev,
                duration_average: summary.duration_average,
                correct_count_average: summary.correct_count_average,
                incorrect_count_average: summary.incorrect_count_average,
                scores: summary.scores.into_iter().map(|(percent, n)| (percent.to_string(), n)).collect(),
            },
            links: QuizStatisticsLinksJson { quiz: quiz_url },
        }],
    }))
}

// ---- Per-candidate results -------------------------------------------------------------------------------------

/// A candidate, as results show them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateJson {
    pub id: i64,
    pub name: String,
    pub sortable_name: String,
    /// Only for callers who may read SIS ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_user_id: Option<Option<String>>,
}

/// One attempt of a candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResultJson {
    /// The quiz submission id.
    pub id: i64,
    pub attempt: i32,
    /// `untaken` (in progress), `pending_review` or `complete`.
    pub workflow_state: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub score: Option<f64>,
    pub points_possible: f64,
    pub fudge_points: f64,
    /// Submitted by the server when the deadline passed.
    pub overdue: bool,
}

/// A question of the kept attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionResultJson {
    pub question_id: i64,
    pub position: u32,
    pub points_possible: f64,
    /// Null while waiting for a grader.
    pub score: Option<f64>,
    /// `correct`, `partial`, `incorrect`, or null.
    pub correct: Option<String>,
    pub answered: bool,
}

/// The result in the quiz's assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeptResultJson {
    pub submission_id: i64,
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub workflow_state: String,
    pub excused: bool,
    pub posted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One candidate's results on a test.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateResultJson {
    pub user: CandidateJson,
    /// The score kept for the candidate: the result in the quiz's assignment (null before there is one), or for an
    /// ungraded quiz the scoring policy's pick of the finished attempts' scores.
    pub kept_score: Option<f64>,
    /// The attempt kept (the one the result came from, else the latest finished one), whose questions follow.
    pub kept_attempt: Option<i32>,
    pub result: Option<KeptResultJson>,
    pub attempts: Vec<AttemptResultJson>,
    pub questions: Vec<QuestionResultJson>,
}

/// Each candidate's results on a test, by user id (see the module doc).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/results", tag = "Quiz results",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path, description = "Quiz id"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CandidateResultJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn quiz_results(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, quiz_id)): PathParams<(String, i64)>,
    pagination: Pagination,
) -> ApiResult<Paginated<CandidateResultJson>> {
    let (ctx, within) = load_for_grader(&state, &caller, &course_id, quiz_id).await?;
    let read = state.store.read();
    let mut candidates = results::candidates(read, &caller.scope, ctx.quiz.id).await?;
    if let Some(reachable) = &within {
        candidates.retain(|id| reachable.contains(id));
    }
    let page = Paginated::from_vec(candidates, pagination);
    let user_ids = page.page.items.clone();
    let attempts = results::attempts(read, &caller.scope, ctx.quiz.id, &[], Some(&user_ids)).await?;
    let kept_results: HashMap<i64, submission::Model> = match ctx.quiz.assignment_id {
        Some(assignment_id) => results::submissions_of(read, &caller.scope, assignment_id, &user_ids).await?,
        None => HashMap::new(),
    };
    let mut by_user: HashMap<i64, Vec<quiz_submission::Model>> = HashMap::new();
    for a in attempts {
        by_user.entry(a.user_id).or_default().push(a);
    }
    // The attempt whose questions are shown: the one the result came from, else the latest finished one.
    let kept_attempts: HashMap<i64, &quiz_submission::Model> = by_user
        .iter()
        .filter_map(|(user_id, list)| {
            let from_result = kept_results
                .get(user_id)
                .and_then(|s| s.quiz_submission_id)
                .and_then(|id| list.iter().find(|a| a.id == id));
            let latest = list.iter().rev().find(|a| attempts::is_finished(a));
            from_result.or(latest).map(|a| (*user_id, a))
        })
        .collect();
    let kept_ids: Vec<i64> = kept_attempts.values().map(|a| a.id).collect();
    let answers = results::answers(read, &caller.scope, &kept_ids).await?;
    let users = results::users_by_id(read, &caller.scope, &user_ids).await?;
    let show_sis = caller.may(Permission::ReadSis, ctx.target());
    let items: Vec<CandidateResultJson> = user_ids
        .iter()
        .map(|user_id| {
            let person: Option<&user::Model> = users.get(user_id);
            let kept = kept_attempts.get(user_id).copied();
            let result = kept_results.get(user_id);
            let questions = kept
                .map(|attempt| {
                    let given = answers.get(&attempt.id);
                    results::draw_of(attempt)
                        .into_iter()
                        .map(|d| {
                            let answer = given.and_then(|list| list.iter().find(|a| a.question_id == d.question_id));
                            QuestionResultJson {
                                question_id: d.question_id,
                                position: d.position,
                                points_possible: d.points,
                                score: match answer {
                                    Some(a) => a.score,
                                    // Not answered: nothing earned, once the attempt is finished.
                                    None => (attempt.workflow_state != UNTAKEN).then_some(0.0),
                                },
                                correct: answer.and_then(|a| a.correct.clone()),
                                answered: answer.is_some_and(|a| a.answer.is_some()),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            CandidateResultJson {
                user: CandidateJson {
                    id: *user_id,
                    name: person.map(|u| u.name.clone()).unwrap_or_default(),
                    sortable_name: person.map(|u| u.sortable_name.clone()).unwrap_or_default(),
                    sis_user_id: show_sis.then(|| person.and_then(|u| u.sis_user_id.clone())),
                },
                kept_score: match (ctx.quiz.assignment_id, result) {
                    (Some(_), result) => result.and_then(|s| s.score),
                    // An ungraded quiz keeps no result: its kept score follows the scoring policy.
                    (None, _) => by_user.get(user_id).and_then(|list| {
                        let scores: Vec<f64> =
                            list.iter().filter(|a| attempts::is_finished(a)).filter_map(|a| a.score).collect();
                        kept_score(ScoringPolicy::parse(&ctx.quiz.scoring_policy), &scores)
                    }),
                },
                kept_attempt: kept.map(|a| a.attempt),
                result: result.map(|s| KeptResultJson {
                    submission_id: s.id,
                    score: s.score,
                    grade: s.grade.clone(),
                    workflow_state: s.workflow_state.clone(),
                    excused: s.excused,
                    posted_at: s.posted_at,
                }),
                attempts: by_user
                    .get(user_id)
                    .map(|list| {
                        list.iter()
                            .map(|a| AttemptResultJson {
                                id: a.id,
                                attempt: a.attempt,
                                workflow_state: a.workflow_state.clone(),
                                started_at: a.started_at,
                                finished_at: a.finished_at,
                                score: a.score,
                                points_possible: a.points_possible,
                                fudge_points: a.fudge_points,
                                overdue: a.overdue,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                questions,
            }
        })
        .collect();
    Ok(Paginated { page: page.page.with_items(items), pagination: page.pagination, root_key: None })
}
