//! Black-box API tests: every test starts the real server on an ephemeral port and talks HTTP to it, on SQLite
//! and (with `ASSAY_TEST_POSTGRES_URL`) on PostgreSQL. One test binary, a module per concern.

mod harness;

mod abconnect;
mod accounts;
mod appeals;
mod assignments;
mod bench;
mod canvasapi;
mod cli;
mod conventions;
mod courses;
mod enrollments;
mod events;
mod gradebook;
mod grading;
mod group_commit;
mod groups;
mod identity;
mod isolation;
mod openapi;
mod pagination;
mod qti;
mod question_banks;
mod quiz_submissions;
mod quizzes;
mod rate_limits;
mod schema;
mod seed;
mod sis_imports;
mod statistics;
mod submissions;
mod terms;
mod users;
