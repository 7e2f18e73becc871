"""Drives the real `canvasapi` client (PyPI) against a running Assay: accounts, users, courses, pagination and
errors, exactly as a school's existing Canvas scripts would. Run by tests/api/canvasapi.rs with ASSAY_BASE,
ASSAY_TOKEN and ASSAY_SCHOOL set; any failed assertion or exception fails the Rust test."""
import os

from canvasapi import Canvas
from canvasapi.exceptions import Conflict, InvalidAccessToken, ResourceDoesNotExist, Unauthorized, UnprocessableEntity

base, token, school = os.environ["ASSAY_BASE"], os.environ["ASSAY_TOKEN"], int(os.environ["ASSAY_SCHOOL"])
canvas = Canvas(base, token)

# Accounts: the school, sub-accounts, SIS ids.
me = canvas.get_current_user()
assert me.name == "Admin", me
account = canvas.get_account(school)
assert account.name == "School A" and account.parent_account_id is None
assert [a.id for a in canvas.get_accounts()] == [school]
science = account.create_subaccount(account={"name": "Science", "sis_account_id": "SCI"})
assert science.parent_account_id == school
assert canvas.get_account("SCI", use_sis_id=True).id == science.id
physics = science.create_subaccount(account={"name": "Physics"})
assert [a.id for a in account.get_subaccounts(recursive=True)] == [science.id, physics.id]
assert account.update(account={"name": "School A", "default_time_zone": "Europe/Amsterdam"})
assert canvas.get_account(school).default_time_zone == "Europe/Amsterdam"

# Terms: canvasapi reads the list from the `enrollment_terms` root key.
fall = account.create_enrollment_term(enrollment_term={"name": "Fall 2026", "start_at": "2026-09-01T00:00:00Z", "sis_term_id": "F26"})
spring = account.create_enrollment_term(enrollment_term={"name": "Spring 2027"})
assert [t.id for t in account.get_enrollment_terms()] == [fall.id, spring.id]
assert fall.edit(enrollment_term={"name": "Autumn 2026"}).name == "Autumn 2026"
assert spring.delete().workflow_state == "deleted"
assert [t.name for t in account.get_enrollment_terms()] == ["Autumn 2026"]

# Users: created with a login in one call, found by SIS id, edited.
ada = account.create_user(
    pseudonym={"unique_id": "ada@school.test", "sis_user_id": "S-1", "password": "analytical-engine"},
    user={"name": "Ada Lovelace"},
)
assert ada.sortable_name == "Lovelace, Ada" and ada.login_id == "ada@school.test"
assert canvas.get_user("S-1", "sis_user_id").id == ada.id
assert canvas.get_user(ada.id).name == "Ada Lovelace"
ada = ada.edit(user={"name": "Ada King Lovelace"})
assert ada.name == "Ada King Lovelace" and ada.sortable_name == "Lovelace, Ada King"
try:
    account.create_user(pseudonym={"unique_id": "ADA@school.test"}, user={"name": "Imposter"})
    raise AssertionError("a duplicate login was accepted")
except Conflict:
    pass
try:
    account.create_user(pseudonym={"unique_id": "x@school.test", "password": "short"}, user={"name": "X"})
    raise AssertionError("a short password was accepted")
except UnprocessableEntity:
    pass

# Pagination: canvasapi asks for per_page=100 and follows `next` links; 130 users span two pages.
for i in range(130):
    account.create_user(pseudonym={"unique_id": f"pupil{i:03d}@school.test"}, user={"name": f"Pupil {i:03d}"})
pupils = [u.name for u in account.get_users(search_term="pupil")]
assert pupils == [f"Pupil {i:03d}" for i in range(130)], pupils[:3]
assert len(list(account.get_users())) == 133  # the admin, the student the test made, Ada, 130 pupils

# Courses: create, find by SIS id, update, publish, list, conclude, delete.
algebra = account.create_course(course={"name": "Algebra", "course_code": "ALG", "sis_course_id": "ALG-1"})
assert algebra.workflow_state == "unpublished" and algebra.course_code == "ALG"
assert canvas.get_course("ALG-1", use_sis_id=True).id == algebra.id
assert algebra.update(course={"name": "Algebra I"}) == "Algebra I"
algebra.update(course={"event": "offer"})
biology = science.create_course(course={"name": "Biology"})
assert [c.id for c in account.get_courses()] == [algebra.id, biology.id]
assert [c.id for c in account.get_courses(published=True)] == [algebra.id]
assert [c.id for c in science.get_courses()] == [biology.id]
# Sections: create, list, find by SIS id, edit, delete.
group_a = algebra.create_course_section(course_section={"name": "Group A", "sis_section_id": "ALG-1-A"})
group_b = algebra.create_course_section(course_section={"name": "Group B"})
assert group_a.course_id == algebra.id
assert [s.id for s in algebra.get_sections()] == [group_a.id, group_b.id]
assert canvas.get_section("ALG-1-A", use_sis_id=True).id == group_a.id
assert group_a.edit(course_section={"name": "Group Alpha"}).name == "Group Alpha"
assert group_b.delete().id == group_b.id
assert [s.id for s in algebra.get_sections()] == [group_a.id]
assert algebra.conclude() is True
assert canvas.get_course(algebra.id).workflow_state == "completed"
assert biology.delete() is True
try:
    canvas.get_course(biology.id)
    raise AssertionError("a deleted course was found")
except ResourceDoesNotExist:
    pass

# Errors the way canvasapi reports them.
try:
    canvas.get_course(987654)
    raise AssertionError
except ResourceDoesNotExist:
    pass
try:
    Canvas(base, "assay_not-a-token").get_current_user()
    raise AssertionError
except InvalidAccessToken:
    pass
student_token = os.environ["ASSAY_STUDENT_TOKEN"]
try:
    Canvas(base, student_token).get_account(school)
    raise AssertionError
except Unauthorized:
    pass
print("canvasapi: accounts, terms, users, courses, sections, pagination and errors OK")
