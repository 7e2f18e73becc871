"""Drives the real `canvasapi` client against a running Assay: enrollments in courses and sections, their state
machine (accept, reject, deactivate, reactivate), list filters, the people of a course (`search_users`) and
enrollment lists longer than one page. Run by tests/api/canvasapi.rs with ASSAY_BASE, ASSAY_TOKEN, ASSAY_SCHOOL,
ASSAY_STUDENT_TOKEN and ASSAY_STUDENT_ID set; any failed assertion or exception fails the Rust test."""
import os

from canvasapi import Canvas
from canvasapi.exceptions import ResourceDoesNotExist, Unauthorized, UnprocessableEntity

base, token, school = os.environ["ASSAY_BASE"], os.environ["ASSAY_TOKEN"], int(os.environ["ASSAY_SCHOOL"])
canvas = Canvas(base, token)
student_canvas = Canvas(base, os.environ["ASSAY_STUDENT_TOKEN"])
student_id = int(os.environ["ASSAY_STUDENT_ID"])
account = canvas.get_account(school)

course = account.create_course(course={"name": "Rostering 101", "course_code": "ROS", "sis_course_id": "ROS-1"}, offer=True)
section = course.create_course_section(course_section={"name": "Evening", "sis_section_id": "ROS-1-EVE"})
teacher = account.create_user(pseudonym={"unique_id": "teacher@school.test", "sis_user_id": "T-1"}, user={"name": "Tess Teacher"})
student = canvas.get_user(student_id)

# Enroll in the course (default section) and in a named section.
t_enr = course.enroll_user(teacher, "TeacherEnrollment", enrollment={"enrollment_state": "active"})
assert t_enr.type == "TeacherEnrollment" and t_enr.enrollment_state == "active" and t_enr.course_id == course.id
s_enr = section.enroll_user(student, enrollment={"type": "StudentEnrollment"})
assert s_enr.enrollment_state == "invited" and s_enr.course_section_id == section.id

# The student answers their invitation through their own client.
mine = list(student_canvas.get_user("self").get_enrollments())
assert [e.id for e in mine] == [s_enr.id], mine
assert mine[0].accept() is True
assert canvas.get_course(course.id).get_enrollments(user_id=student_id)[0].enrollment_state == "active"

# Filters.
assert [e.id for e in course.get_enrollments(type=["TeacherEnrollment"])] == [t_enr.id]
assert [e.id for e in course.get_enrollments(type=["StudentEnrollment"], state=["active"])] == [s_enr.id]
assert [e.id for e in section.get_enrollments()] == [s_enr.id]
assert [e.id for e in course.get_enrollments(role=["TeacherEnrollment"])] == [t_enr.id]
assert account.get_enrollment(s_enr.id).user_id == student_id

# Deactivate, reactivate, conclude, delete.
enr = course.get_enrollments(user_id=student_id)[0]
assert enr.deactivate("inactivate").enrollment_state == "inactive"
assert enr.reactivate().enrollment_state == "active"
assert enr.deactivate("conclude").enrollment_state == "completed"
assert enr.reactivate().enrollment_state == "active"
try:
    enr.reactivate()
    raise AssertionError("an active enrollment was reactivated")
except UnprocessableEntity:
    pass

# Reject: an observer invitation the student declines.
obs = course.enroll_user(student, "ObserverEnrollment")
rejected = [e for e in student_canvas.get_user("self").get_enrollments() if e.id == obs.id][0]
assert rejected.reject() is True
assert [e.id for e in course.get_enrollments(state=["rejected"])] == [obs.id]

# The people of the course: canvasapi's get_users() calls /search_users.
pupils = [account.create_user(pseudonym={"unique_id": f"r{i:03d}@school.test"}, user={"name": f"Pupil {i:03d}"}) for i in range(110)]
for p in pupils:
    course.enroll_user(p, "StudentEnrollment", enrollment={"enrollment_state": "active"})
students = list(course.get_users(enrollment_type=["student"]))
assert len(students) == 111, len(students)  # more than one page of 100
assert [u.name for u in course.get_users(search_term="Tess")] == ["Tess Teacher"]
with_enr = list(course.get_users(enrollment_type=["teacher"], include=["enrollments"]))
assert with_enr[0].enrollments[0]["type"] == "TeacherEnrollment"
assert len(list(course.get_enrollments())) == 112  # paginated past 100
assert len(list(course.get_enrollments(state=["active", "rejected"]))) == 113

# The caller's courses (GET /courses) and a user's courses, with the caller's enrollments in each.
theirs = list(student_canvas.get_courses())
assert [c.id for c in theirs] == [course.id], theirs
assert {e["type"] for e in theirs[0].enrollments} == {"student"}, theirs[0].enrollments
assert [c.id for c in canvas.get_user(student_id).get_courses()] == [course.id]
shown = canvas.get_course(course.id, include=["total_students", "teachers", "term"])
assert shown.total_students == 111, shown.total_students
assert [t["display_name"] for t in shown.teachers] == ["Tess Teacher"], shown.teachers
assert [c.id for c in account.get_courses(with_enrollments=True)] == [course.id]

# Settings.
assert course.get_settings()["hide_final_grades"] is False
assert course.update_settings(hide_final_grades=True)["hide_final_grades"] is True
assert canvas.get_course(course.id).hide_final_grades is True

# enroll_me: the creator becomes the new course's teacher.
mine_now = account.create_course(course={"name": "Made by me"}, enroll_me=True)
assert [e.type for e in mine_now.get_enrollments()] == ["TeacherEnrollment"]

# A SIS import through canvasapi's own upload call, polled until it finishes.
import tempfile, time
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("user_id,login_id,full_name,status\nSIS-U1,sisu1@school.test,Sis Person,active\n")
sis = account.create_sis_import(f.name, extension="csv")
for _ in range(200):
    sis = account.get_sis_import(sis.id)
    if sis.workflow_state not in ("created", "importing", "initializing"):
        break
    time.sleep(0.05)
assert sis.workflow_state == "imported", vars(sis)
assert canvas.get_user("SIS-U1", "sis_user_id").name == "Sis Person"

# Deleting an enrollment; errors as canvasapi reports them.
assert t_enr.deactivate("delete").enrollment_state == "deleted"
assert [e.id for e in course.get_enrollments(type=["TeacherEnrollment"])] == []
try:
    course.enroll_user(teacher, "WizardEnrollment")
    raise AssertionError("an unknown type was accepted")
except UnprocessableEntity:
    pass
try:
    student_canvas.get_course(course.id).enroll_user(teacher, "StudentEnrollment")
    raise AssertionError("a student enrolled someone")
except Unauthorized:
    pass
try:
    account.get_enrollment(987654)
    raise AssertionError
except ResourceDoesNotExist:
    pass
print("canvasapi: enrollments, course users and their pagination OK")
