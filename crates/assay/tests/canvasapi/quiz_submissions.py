"""Drives the real `canvasapi` client against a running Assay through a quiz attempt: the student starts a quiz
submission, reads its questions (no answer keys), answers them in Canvas's answer formats, flags one, checks the
time left and completes it; the teacher lists the quiz's submissions, reads the score, and grades the essay by
hand. Run by tests/api/canvasapi.rs with ASSAY_BASE, ASSAY_TOKEN, ASSAY_SCHOOL, ASSAY_STUDENT_TOKEN and
ASSAY_STUDENT_ID set; any failed assertion or exception fails the Rust test."""
import json
import os

from canvasapi import Canvas
from canvasapi.exceptions import CanvasException, Conflict, ResourceDoesNotExist

base, token, school = os.environ["ASSAY_BASE"], os.environ["ASSAY_TOKEN"], int(os.environ["ASSAY_SCHOOL"])
canvas = Canvas(base, token)
student_canvas = Canvas(base, os.environ["ASSAY_STUDENT_TOKEN"])
student_id = int(os.environ["ASSAY_STUDENT_ID"])
account = canvas.get_account(school)

course = account.create_course(course={"name": "Sitting 101", "course_code": "ST"}, offer=True)
course.enroll_user(canvas.get_user(student_id), "StudentEnrollment", enrollment={"enrollment_state": "active"})
quiz = course.create_quiz(quiz={"title": "Midterm", "quiz_type": "assignment", "time_limit": 20,
                                "access_code": "open-sesame"})
quiz.create_question(question={
    "question_name": "Capital", "question_type": "multiple_choice_question", "question_text": "<p>Capital of France?</p>",
    "points_possible": 2,
    "answers": [{"answer_text": "Paris", "answer_weight": 100, "answer_comments": "Yes"},
                {"answer_text": "Lyon", "answer_weight": 0}]})
quiz.create_question(question={
    "question_name": "Primes", "question_type": "multiple_answers_question", "question_text": "<p>Primes?</p>",
    "points_possible": 2,
    "answers": [{"answer_text": "2", "answer_weight": 100}, {"answer_text": "3", "answer_weight": 100},
                {"answer_text": "4", "answer_weight": 0}]})
quiz.create_question(question={
    "question_name": "Colours", "question_type": "fill_in_multiple_blanks_question",
    "question_text": "Roses are [a], violets are [b].", "points_possible": 2,
    "answers": [{"answer_text": "red", "blank_id": "a", "answer_weight": 100},
                {"answer_text": "blue", "blank_id": "b", "answer_weight": 100}]})
quiz.create_question(question={
    "question_name": "Pairs", "question_type": "matching_question", "question_text": "Match them", "points_possible": 2,
    "answers": [{"answer_match_left": "1+1", "answer_match_right": "2"},
                {"answer_match_left": "2+2", "answer_match_right": "4"}],
    "matching_answer_incorrect_matches": "5"})
quiz.create_question(question={
    "question_name": "Pi", "question_type": "numerical_question", "question_text": "Pi to two places?",
    "points_possible": 1, "answers": [{"numerical_answer_type": "exact_answer", "exact": 3.14, "margin": 0.01}]})
quiz.create_question(question={"question_name": "Why", "question_type": "essay_question",
                               "question_text": "Explain.", "points_possible": 3})
quiz.edit(quiz={"published": True})

# The student starts (the access code is checked), and a second start returns the same attempt.
student_quiz = student_canvas.get_course(course.id).get_quiz(quiz.id)
try:
    student_quiz.create_submission()
    raise AssertionError("started without the access code")
except CanvasException as err:
    assert "access_code" in str(err) or "access code" in str(err), err
submission = student_quiz.create_submission(access_code="open-sesame")
assert submission.workflow_state == "untaken" and submission.attempt == 1 and submission.user_id == student_id
assert submission.validation_token and submission.end_at
again = student_quiz.create_submission(access_code="open-sesame")
assert again.id == submission.id and again.validation_token == submission.validation_token

# The questions, as the candidate sees them: no key anywhere.
questions = {q.question_name: q for q in submission.get_submission_questions()}
assert sorted(questions) == ["Capital", "Colours", "Pairs", "Pi", "Primes", "Why"], sorted(questions)
for q in questions.values():
    shown = json.dumps({k: v for k, v in vars(q).items() if not k.startswith("_")}, default=str)
    for leak in ("weight", "correct", "Yes", "accepted"):
        assert leak not in shown, (leak, shown)


def option(name, text):
    return next(a["id"] for a in questions[name].answers if a["text"] == text)


pairs = questions["Pairs"]
match_id = {m["text"]: m["match_id"] for m in pairs.matches}
left_id = {a["text"]: a["id"] for a in pairs.answers}
answered = submission.answer_submission_questions(quiz_questions=[
    {"id": questions["Capital"].id, "answer": option("Capital", "Paris")},
    {"id": questions["Primes"].id, "answer": [option("Primes", "2"), option("Primes", "3")]},
    {"id": questions["Colours"].id, "answer": {"a": "red", "b": "blue"}},
    {"id": questions["Pairs"].id, "answer": [{"answer_id": left_id["1+1"], "match_id": match_id["2"]},
                                             {"answer_id": left_id["2+2"], "match_id": match_id["4"]}]},
    {"id": questions["Pi"].id, "answer": 3.14},
    {"id": questions["Why"].id, "answer": "<p>Because it is.</p>"},
])
assert len(answered) == 6 and all(q.answer is not None for q in answered), [vars(q) for q in answered]
flagged = next(q for q in answered if q.question_name == "Why")
assert flagged.flag() and flagged.flagged is True
assert flagged.unflag() and flagged.flagged is False
times = submission.get_times()
assert 0 < times["time_left"] <= 20 * 60 and times["end_at"] == submission.end_at, times

done = submission.complete()
assert done.workflow_state == "pending_review", vars(done)  # the essay waits for a grader
assert done.score == 9, done.score
try:
    submission.answer_submission_questions(quiz_questions=[{"id": questions["Pi"].id, "answer": 3}])
    raise AssertionError("answered a submitted attempt")
except Conflict:
    pass

# The teacher lists the quiz's submissions and reads the score, then grades the essay.
listed = list(quiz.get_submissions())
assert [s.id for s in listed] == [submission.id] and listed[0].score == 9, [vars(s) for s in listed]
mine = student_quiz.get_quiz_submission(submission.id)
assert mine.id == submission.id
graded = listed[0].update_score_and_comments(quiz_submissions=[{
    "attempt": 1, "fudge_points": 0,
    "questions": {str(questions["Why"].id): {"score": 3, "comment": "Fine."}}}])
assert graded.workflow_state == "complete" and graded.score == 12, vars(graded)
assert quiz.get_quiz_submission(submission.id).kept_score == 12

# An attempt that is not the student's does not exist for them.
try:
    student_quiz.get_quiz_submission(submission.id + 1000)
    raise AssertionError("saw an attempt that does not exist")
except ResourceDoesNotExist:
    pass
