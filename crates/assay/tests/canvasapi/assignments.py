"""Drives the real `canvasapi` client against a running Assay: assignment groups (create, list with assignments,
edit, delete moving assignments), assignments (create with fields and inline overrides, edit returning the full
object, list per course and per group, delete), overrides (create, list, edit as a full replacement, delete),
what a student sees, and an assignment list longer than one page. Run by tests/api/canvasapi.rs with ASSAY_BASE,
ASSAY_TOKEN, ASSAY_SCHOOL, ASSAY_STUDENT_TOKEN and ASSAY_STUDENT_ID set; any failed assertion or exception fails
the Rust test."""
import datetime
import os

from canvasapi import Canvas
from canvasapi.exceptions import ResourceDoesNotExist, UnprocessableEntity

base, token, school = os.environ["ASSAY_BASE"], os.environ["ASSAY_TOKEN"], int(os.environ["ASSAY_SCHOOL"])
canvas = Canvas(base, token)
student_canvas = Canvas(base, os.environ["ASSAY_STUDENT_TOKEN"])
student_id = int(os.environ["ASSAY_STUDENT_ID"])
account = canvas.get_account(school)

course = account.create_course(course={"name": "Assignments 101", "course_code": "ASG"}, offer=True)
section = course.create_course_section(course_section={"name": "Late risers"})
section.enroll_user(canvas.get_user(student_id), enrollment={"type": "StudentEnrollment", "enrollment_state": "active"})

# Assignment groups: weights, rules, positions.
homework = course.create_assignment_group(name="Homework", group_weight=40)
exams = course.create_assignment_group(name="Exams", group_weight=60, rules={"drop_lowest": 1})
assert str(homework) == f"Homework ({homework.id})" and homework.course_id == course.id
assert exams.rules == {"drop_lowest": 1}, exams.rules
assert [g.name for g in course.get_assignment_groups()] == ["Homework", "Exams"]

# Assignments with canvasapi's own encoding (assignment[submission_types][]=…, datetimes from isoformat()).
due = datetime.datetime(2030, 5, 1, 23, 59)
essay = course.create_assignment(assignment={
    "name": "Essay", "points_possible": 20, "grading_type": "points", "submission_types": ["online_upload", "online_text_entry"],
    "allowed_extensions": ["pdf", "docx"], "due_at": due, "assignment_group_id": homework.id, "published": True,
    "description": "<p>Write <script>evil()</script>well</p>",
})
assert essay.course_id == course.id and essay.name == "Essay" and essay.published is True
assert essay.due_at == "2030-05-01T23:59:00Z", essay.due_at
assert essay.submission_types == ["online_upload", "online_text_entry"]
assert "script" not in essay.description
midterm = course.create_assignment(assignment={
    "name": "Midterm", "assignment_group_id": exams.id, "published": True, "due_at": "2030-06-01T10:00:00Z",
    "lock_at": "2030-06-01T12:00:00Z",
    "assignment_overrides": [{"course_section_id": section.id, "due_at": "2030-06-02T10:00:00Z", "lock_at": "2030-06-02T12:00:00Z"}],
})
assert midterm.has_overrides is True and [str(o) for o in midterm.overrides] == [f"Late risers ({midterm.overrides[0].id})"]
draft = course.create_assignment(assignment={"name": "Draft", "assignment_group_id": homework.id})
assert draft.published is False

# Edit returns the full object and refreshes the local one.
edited = essay.edit(assignment={"name": "Essay (final)", "points_possible": 25})
assert edited.name == "Essay (final)" and edited.points_possible == 25 and edited.submission_types == essay.submission_types
assert essay.name == "Essay (final)"
try:
    essay.edit(assignment={"grading_type": "vibes"})
    raise AssertionError("an unknown grading type was accepted")
except UnprocessableEntity:
    pass

# Overrides.
override = essay.create_override(assignment_override={"student_ids": [student_id], "title": "Extra week", "due_at": "2030-05-08T23:59:00Z"})
assert override.title == "Extra week" and override.student_ids == [student_id] and override.assignment_id == essay.id
assert [o.id for o in essay.get_overrides()] == [override.id]
override.edit(assignment_override={"title": "Extra two weeks", "due_at": "2030-05-15T23:59:00Z", "lock_at": None})
assert override.title == "Extra two weeks" and override.due_at == "2030-05-15T23:59:00Z"
mine = student_canvas.get_course(course.id).get_assignment(essay.id)
assert mine.due_at == "2030-05-15T23:59:00Z", mine.due_at
assert student_canvas.get_course(course.id).get_assignment(midterm.id).due_at == "2030-06-02T10:00:00Z"
deleted = override.delete()
assert deleted.id == override.id
assert list(essay.get_overrides()) == []
assert student_canvas.get_course(course.id).get_assignment(essay.id).due_at == "2030-05-01T23:59:00Z"

# What a student sees: published assignments only.
assert sorted(a.name for a in student_canvas.get_course(course.id).get_assignments()) == ["Essay (final)", "Midterm"]
try:
    student_canvas.get_course(course.id).get_assignment(draft.id)
    raise AssertionError("a student saw an unpublished assignment")
except ResourceDoesNotExist:
    pass

# Lists: per course, per group, groups with their assignments.
assert [a.name for a in course.get_assignments()] == ["Essay (final)", "Draft", "Midterm"]
assert [a.name for a in course.get_assignments_for_group(homework)] == ["Essay (final)", "Draft"]
groups = list(course.get_assignment_groups(include=["assignments"]))
assert [[a["name"] for a in g.assignments] for g in groups] == [["Essay (final)", "Draft"], ["Midterm"]]
assert course.get_assignment_group(exams.id).name == "Exams"

# Group edit and delete (moving the assignments).
exams.edit(name="Exams and finals", group_weight=50)
assert exams.name == "Exams and finals" and exams.group_weight == 50
gone = homework.delete(move_assignments_to=exams.id)
assert gone.id == homework.id
assert [a.name for a in course.get_assignments_for_group(exams)] == ["Midterm", "Essay (final)", "Draft"]

# Deleting an assignment.
removed = draft.delete()
assert removed.workflow_state == "deleted"
try:
    course.get_assignment(draft.id)
    raise AssertionError("a deleted assignment was found")
except ResourceDoesNotExist:
    pass

# A list longer than canvasapi's pages of 100.
for i in range(105):
    course.create_assignment(assignment={"name": f"Exercise {i:03d}", "assignment_group_id": exams.id})
everything = list(course.get_assignments())
assert len(everything) == 107, len(everything)
assert len({a.id for a in everything}) == 107
print("ok")
