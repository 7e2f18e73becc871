"""Drives the real `canvasapi` client against a running Assay, teacher and student side of submissions: a student
submits a text entry (and a double click is not another attempt) and a file through Canvas's upload workflow; the
teacher lists the assignment's submissions, grades one with a letter grade and a comment through
`Submission.edit`, lists many students' submissions (flat and grouped), regrades in bulk (a job with a Progress),
sets a late policy; the student reads the posted grade and the comments. Run by tests/api/canvasapi.rs with ASSAY_BASE, ASSAY_TOKEN, ASSAY_SCHOOL,
ASSAY_STUDENT_TOKEN and ASSAY_STUDENT_ID set; any failed assertion or exception fails the Rust test."""
import os
import tempfile
import time

from canvasapi import Canvas
from canvasapi.exceptions import Unauthorized, UnprocessableEntity

base, token, school = os.environ["ASSAY_BASE"], os.environ["ASSAY_TOKEN"], int(os.environ["ASSAY_SCHOOL"])
canvas = Canvas(base, token)
student_canvas = Canvas(base, os.environ["ASSAY_STUDENT_TOKEN"])
student_id = int(os.environ["ASSAY_STUDENT_ID"])
account = canvas.get_account(school)

course = account.create_course(course={"name": "Submissions 101", "course_code": "SUB"}, offer=True)
course.enroll_user(canvas.get_user(student_id), "StudentEnrollment", enrollment={"enrollment_state": "active"})
essay = course.create_assignment(assignment={
    "name": "Essay", "points_possible": 10, "grading_type": "letter_grade", "published": True,
    "submission_types": ["online_text_entry", "online_upload"], "allowed_extensions": ["txt"],
})

# The student submits a text entry; the same work sent again at once is the same attempt.
student_essay = student_canvas.get_course(course.id).get_assignment(essay.id)
submitted = student_essay.submit({"submission_type": "online_text_entry", "body": "<p>My essay</p><script>x()</script>"})
assert str(submitted) == f"{essay.id}-{student_id}", str(submitted)
assert submitted.attempt == 1 and submitted.workflow_state == "submitted", submitted.workflow_state
assert submitted.body == "<p>My essay</p>" and submitted.course_id == course.id
again = student_essay.submit({"submission_type": "online_text_entry", "body": "<p>My essay</p><script>x()</script>"})
assert again.attempt == 1 and again.submitted_at == submitted.submitted_at
try:
    student_essay.submit({"submission_type": "online_url", "url": "https://example.com"})
    raise AssertionError("a submission type the assignment does not take was accepted")
except UnprocessableEntity:
    pass

# A file, through Canvas's upload workflow (announce, then POST the bytes to the upload URL without credentials).
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
    handle.write("My essay, as a file")
    path = handle.name
with_file = student_essay.submit({"submission_type": "online_upload"}, file=path)
os.unlink(path)
assert with_file.attempt == 2 and with_file.submission_type == "online_upload"
assert len(with_file.attachments) == 1 and with_file.attachments[0].size == 19, with_file.attachments

# The teacher lists the assignment's submissions and grades with a letter and a comment.
submissions = list(essay.get_submissions(include=["user"]))
assert [s.user_id for s in submissions] == [student_id], [s.user_id for s in submissions]
mine = submissions[0]
assert mine.course_id == course.id and mine.user["id"] == student_id and mine.attempt == 2
mine.edit(submission={"posted_grade": "B"}, comment={"text_comment": "Solid argument"})
assert mine.grade == "B" and mine.score == 8.4 and mine.workflow_state == "graded", (mine.grade, mine.score)
assert mine.submission_comments[0]["comment"] == "Solid argument"
try:
    mine.edit(submission={"posted_grade": "Q+"})
    raise AssertionError("a grade outside the scheme was accepted")
except UnprocessableEntity:
    pass
assert essay.get_submission(student_id).grade == "B"

# Many assignments and students at once, flat and grouped.
quiz_like = course.create_assignment(assignment={"name": "On paper", "published": True, "submission_types": ["on_paper"]})
flat = list(course.get_multiple_submissions(student_ids=["all"], assignment_ids=[essay.id, quiz_like.id]))
assert sorted(s.assignment_id for s in flat) == sorted([essay.id, quiz_like.id]), [s.assignment_id for s in flat]
graded = list(course.get_multiple_submissions(student_ids=["all"], workflow_state="graded"))
assert [s.assignment_id for s in graded] == [essay.id]
grouped = list(course.get_multiple_submissions(student_ids=["all"], grouped=True))
assert len(grouped) == 1 and grouped[0].user_id == student_id and len(grouped[0].submissions) == 2
assert str(grouped[0]) == f"2 submission(s) for User #{student_id}"

# Bulk grading: a background job with a Progress the client polls.
progress = essay.submissions_bulk_update(grade_data={student_id: {"posted_grade": "A-", "text_comment": "Regraded"}})
assert progress.tag == "submissions_update" and progress.workflow_state in ("queued", "running", "completed")
deadline = time.time() + 30
while progress.workflow_state not in ("completed", "failed"):
    assert time.time() < deadline, "the bulk update did not finish"
    time.sleep(0.05)
    progress = progress.query()
assert progress.workflow_state == "completed", progress.message
assert essay.get_submission(student_id).grade == "A-"

# The late policy, Canvas's way (PATCH answers 204).
policy = course.create_late_policy(late_policy={"late_submission_deduction_enabled": True, "late_submission_deduction": 10})
assert policy.late_submission_deduction == 10 and policy.late_submission_interval == "day"
assert course.edit_late_policy(late_policy={"late_submission_interval": "hour"}) is True
assert course.get_late_policy().late_submission_interval == "hour"

# The student reads the posted grade and the comment, and nobody else's submissions.
student_course = student_canvas.get_course(course.id)
read = student_course.get_assignment(essay.id).get_submission(student_id, include=["submission_comments"])
assert read.grade == "A-" and read.score == 9.0 and read.posted_at, (read.grade, read.posted_at)
assert [c["comment"] for c in read.submission_comments] == ["Solid argument", "Regraded"]
own = list(student_course.get_multiple_submissions())
assert {s.user_id for s in own} == {student_id} and len(own) == 2
try:
    list(student_course.get_multiple_submissions(student_ids=["all"]))
    raise AssertionError("a student listed every student's submissions")
except Unauthorized:
    pass
print("submissions.py: ok")
