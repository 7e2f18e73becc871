"""Drives the real `canvasapi` client against a running Assay: classic quizzes (create, edit, list, delete),
questions of several types (create, list, edit, delete), question groups (create, get, update, reorder, delete,
questions in a group's pool), quiz extensions, and what a student may see. Run by tests/api/canvasapi.rs with
ASSAY_BASE, ASSAY_TOKEN, ASSAY_SCHOOL, ASSAY_STUDENT_TOKEN and ASSAY_STUDENT_ID set; any failed assertion or
exception fails the Rust test."""
import os

from canvasapi import Canvas
from canvasapi.exceptions import ResourceDoesNotExist, Unauthorized, UnprocessableEntity

base, token, school = os.environ["ASSAY_BASE"], os.environ["ASSAY_TOKEN"], int(os.environ["ASSAY_SCHOOL"])
canvas = Canvas(base, token)
student_canvas = Canvas(base, os.environ["ASSAY_STUDENT_TOKEN"])
student_id = int(os.environ["ASSAY_STUDENT_ID"])
account = canvas.get_account(school)

course = account.create_course(course={"name": "Quizzing 101", "course_code": "QZ"}, offer=True)
course.enroll_user(canvas.get_user(student_id), "StudentEnrollment", enrollment={"enrollment_state": "active"})

# Create and edit a quiz.
quiz = course.create_quiz(quiz={"title": "Week 1", "description": "<p>Read chapter 1</p>", "quiz_type": "assignment",
                                "time_limit": 30, "allowed_attempts": 2, "scoring_policy": "keep_highest",
                                "shuffle_answers": True, "access_code": "open-sesame", "due_at": "2030-01-10T12:00:00Z"})
assert quiz.title == "Week 1" and quiz.time_limit == 30 and quiz.allowed_attempts == 2, quiz
assert quiz.published is False and quiz.points_possible == 0 and quiz.question_count == 0
quiz = quiz.edit(quiz={"title": "Week 1 quiz", "one_question_at_a_time": True, "cant_go_back": True})
assert quiz.title == "Week 1 quiz" and quiz.one_question_at_a_time is True and quiz.cant_go_back is True
other = course.create_quiz(quiz={"title": "Practice", "quiz_type": "practice_quiz"})
assert sorted(q.title for q in course.get_quizzes()) == ["Practice", "Week 1 quiz"]
assert [q.id for q in course.get_quizzes(search_term="practice")] == [other.id]
assert course.get_quiz(quiz.id).title == "Week 1 quiz"

# Questions of several types.
mc = quiz.create_question(question={
    "question_name": "Capital", "question_type": "multiple_choice_question", "question_text": "<p>Capital of France?</p>",
    "points_possible": 2,
    "answers": [{"answer_text": "Paris", "answer_weight": 100, "answer_comments": "Yes"},
                {"answer_text": "Lyon", "answer_weight": 0}]})
assert mc.question_type == "multiple_choice_question" and mc.points_possible == 2 and mc.quiz_id == quiz.id
assert [a["answer_weight"] for a in mc.answers] == [100, 0], mc.answers
tf = quiz.create_question(question={
    "question_name": "Sky", "question_type": "true_false_question", "question_text": "The sky is blue.",
    "points_possible": 1,
    "answers": [{"answer_text": "True", "answer_weight": 100}, {"answer_text": "False", "answer_weight": 0}]})
num = quiz.create_question(question={
    "question_name": "Pi", "question_type": "numerical_question", "question_text": "Pi to two places?",
    "points_possible": 1,
    "answers": [{"numerical_answer_type": "exact_answer", "exact": 3.14, "margin": 0.01}]})
assert num.answers[0]["numerical_answer_type"] == "exact_answer" and num.answers[0]["exact"] == 3.14
blanks = quiz.create_question(question={
    "question_name": "Colours", "question_type": "fill_in_multiple_blanks_question",
    "question_text": "Roses are [a], violets are [b].", "points_possible": 2,
    "answers": [{"answer_text": "red", "blank_id": "a", "answer_weight": 100},
                {"answer_text": "blue", "blank_id": "b", "answer_weight": 100}]})
match = quiz.create_question(question={
    "question_name": "Pairs", "question_type": "matching_question", "question_text": "Match them", "points_possible": 2,
    "answers": [{"answer_match_left": "1+1", "answer_match_right": "2"},
                {"answer_match_left": "2+2", "answer_match_right": "4"}],
    "matching_answer_incorrect_matches": "5\n6"})
essay = quiz.create_question(question={"question_name": "Why", "question_type": "essay_question",
                                       "question_text": "Explain.", "points_possible": 5})
try:
    quiz.create_question(question={"question_name": "Bad", "question_type": "riddle_question"})
    raise AssertionError("an unknown question type was accepted")
except UnprocessableEntity:
    pass
try:
    quiz.create_question(question={"question_name": "No key", "question_type": "multiple_choice_question",
                                   "answers": [{"answer_text": "a", "answer_weight": 0}, {"answer_text": "b", "answer_weight": 0}]})
    raise AssertionError("a multiple-choice question without a correct answer was accepted")
except UnprocessableEntity:
    pass

questions = list(quiz.get_questions())
assert [q.question_name for q in questions] == ["Capital", "Sky", "Pi", "Colours", "Pairs", "Why"], questions
assert quiz.get_question(match.id).matching_answer_incorrect_matches == "5\n6"

# Edit a question: only the fields sent change.
mc.edit(question={"question_name": "Capital city", "points_possible": 3})
assert mc.question_name == "Capital city" and mc.points_possible == 3 and len(mc.answers) == 2
assert quiz.get_question(mc.id).question_name == "Capital city"

# Question groups: a pool with its own questions.
group = quiz.create_question_group([{"name": "Warm-up", "pick_count": 1, "question_points": 2}])
assert group.name == "Warm-up" and group.pick_count == 1 and group.quiz_id == quiz.id
p1 = quiz.create_question(question={"question_name": "Pool 1", "question_type": "short_answer_question",
                                    "question_text": "Say hi", "points_possible": 1, "quiz_group_id": group.id,
                                    "answers": [{"answer_text": "hi"}]})
p2 = quiz.create_question(question={"question_name": "Pool 2", "question_type": "short_answer_question",
                                    "question_text": "Say bye", "points_possible": 1, "quiz_group_id": group.id,
                                    "answers": [{"answer_text": "bye"}]})
assert p1.quiz_group_id == group.id and p2.quiz_group_id == group.id
assert group.update([{"name": "Warm-up pool", "pick_count": 2}]) is True
assert group.name == "Warm-up pool" and group.pick_count == 2
assert group.reorder_question_group([{"id": p2.id}, {"id": p1.id}]) is True
pool = [q.question_name for q in quiz.get_questions() if q.quiz_group_id == group.id]
assert pool == ["Pool 2", "Pool 1"], pool
fetched = quiz.get_quiz_group(group.id)
assert fetched.name == "Warm-up pool" and fetched.question_points == 2

# Points: fixed questions (3 + 1 + 1 + 2 + 2 + 5) plus 2 picked at 2 points.
quiz = course.get_quiz(quiz.id)
assert quiz.points_possible == 18 and quiz.question_count == 8, (quiz.points_possible, quiz.question_count)

# Delete a question and a second group.
assert essay.delete() is True
spare = quiz.create_question_group([{"name": "Spare", "pick_count": 0, "question_points": 1}])
assert spare.delete() is True
try:
    quiz.get_quiz_group(spare.id)
    raise AssertionError("a deleted group was found")
except ResourceDoesNotExist:
    pass
assert course.get_quiz(quiz.id).points_possible == 13

# Extensions.
extensions = quiz.set_extensions([{"user_id": student_id, "extra_time": 15, "extra_attempts": 1}])
assert extensions[0].user_id == student_id and extensions[0].extra_time == 15 and extensions[0].extra_attempts == 1

# Publish; the student sees the published quiz only, without its access code or its questions.
quiz = quiz.edit(quiz={"published": True})
assert quiz.published is True
student_course = student_canvas.get_course(course.id)
seen = list(student_course.get_quizzes())
assert [q.id for q in seen] == [quiz.id], seen
assert not hasattr(seen[0], "access_code")
try:
    list(student_course.get_quiz(quiz.id).get_questions())
    raise AssertionError("a student listed quiz questions")
except Unauthorized:
    pass
try:
    student_course.get_quiz(other.id)
    raise AssertionError("a student saw an unpublished quiz")
except ResourceDoesNotExist:
    pass

# Delete a quiz.
deleted = other.delete()
assert deleted.title == "Practice"
assert [q.id for q in course.get_quizzes()] == [quiz.id]
print("quizzes ok")
