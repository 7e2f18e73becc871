//! The one table of error codes. Every error any surface returns names a `Code`; the wire name, HTTP status,
//! title and documentation anchor all come from here, so a code cannot be invented ad hoc in a handler.

macro_rules! error_codes {
    ($( $variant:ident => $wire:literal, $status:literal, $title:literal, $description:literal; )+) => {
        /// A stable, machine-readable error kind. The wire name never changes once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $( $variant, )+ }

        impl Code {
            /// Every code, in table order (used by the docs page and the uniqueness test).
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )+ ];

            /// The snake_case name clients match on.
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $wire, )+ }
            }

            /// The HTTP status this code is always sent with.
            pub const fn status(self) -> u16 {
                match self { $( Code::$variant => $status, )+ }
            }

            /// The short title (the HTTP reason phrase of the status, as JSON:API `title`).
            pub const fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )+ }
            }

            /// What the code means and what the caller can do about it.
            pub const fn description(self) -> &'static str {
                match self { $( Code::$variant => $description, )+ }
            }
        }
    };
}

error_codes! {
    BadRequest => "bad_request", 400, "Bad Request",
        "The request could not be understood: a parameter has the wrong shape or an impossible value.";
    MalformedJson => "malformed_json", 400, "Bad Request",
        "The body was sent as application/json but is not valid JSON.";
    MalformedParameters => "malformed_parameters", 400, "Bad Request",
        "Form or query parameters use conflicting Rails bracket keys (for example `a=1&a[b]=2`) or nest too deeply.";
    InvalidPagination => "invalid_pagination", 400, "Bad Request",
        "`page`, `per_page` or `limit` is not a positive integer (per_page at most 1000, served as at most 100) or the page bookmark is not one this server issued.";
    InvalidId => "invalid_id", 400, "Bad Request",
        "An id in the path is neither a number, `self`, nor a supported `sis_*_id:` / `external_id:` reference.";
    Unauthenticated => "unauthenticated", 401, "Unauthorized",
        "No valid credential was sent, or the token is unknown, revoked or expired. Send `Authorization: Bearer <token>`; a `WWW-Authenticate` header says what was wrong.";
    Unauthorized => "unauthorized", 401, "Unauthorized",
        "The credential is valid but its user may not perform this action (Canvas answers 401 here, and so does Assay).";
    NotFound => "not_found", 404, "Not Found",
        "The specified resource does not exist, or the caller may not see it.";
    RouteNotFound => "route_not_found", 404, "Not Found",
        "No endpoint is routed at this method and path. See /api/openapi.json.";
    AccountNotFound => "account_not_found", 404, "Not Found",
        "The account does not exist in the caller's school, or the caller may not see it.";
    CourseNotFound => "course_not_found", 404, "Not Found",
        "The course does not exist in the caller's school (or was deleted), or the caller may not see it.";
    SectionNotFound => "section_not_found", 404, "Not Found",
        "The section does not exist in the caller's school (or was deleted), or the caller may not see it.";
    GroupCategoryNotFound => "group_category_not_found", 404, "Not Found",
        "The group set does not exist in the caller's school (or was deleted, or its course was), or the caller may not see it.";
    GroupNotFound => "group_not_found", 404, "Not Found",
        "The group does not exist in the caller's school (or was deleted, or its course was), or the caller may not see it.";
    GroupMembershipNotFound => "group_membership_not_found", 404, "Not Found",
        "The user is not a member of this group (or left it), or the membership id belongs to another group.";
    AssignmentGroupNotFound => "assignment_group_not_found", 404, "Not Found",
        "The assignment group does not exist in the course (or was deleted), or the caller may not see it.";
    AssignmentNotFound => "assignment_not_found", 404, "Not Found",
        "The assignment does not exist in the course (or was deleted, or is not published or not assigned to the calling student), or the caller may not see it.";
    AssignmentOverrideNotFound => "assignment_override_not_found", 404, "Not Found",
        "The assignment has no such override (or none for this group or section), or the caller may not see it.";
    UserNotFound => "user_not_found", 404, "Not Found",
        "The user does not exist in the caller's school, or the caller may not see it.";
    EnrollmentNotFound => "enrollment_not_found", 404, "Not Found",
        "The enrollment does not exist in the course (or the caller's school), or the caller may not see it.";
    PartnerNotFound => "partner_not_found", 404, "Not Found",
        "The AB Connect partner does not exist in the caller's school, was revoked, or the caller may not see it.";
    SisImportNotFound => "sis_import_not_found", 404, "Not Found",
        "The SIS import does not exist in the caller's school, or the caller may not see it.";
    ProgressNotFound => "progress_not_found", 404, "Not Found",
        "The Progress object does not exist in the caller's school, or the caller may not see it.";
    QuestionBankNotFound => "question_bank_not_found", 404, "Not Found",
        "The question bank does not exist in the caller's school (or was deleted), or the caller may not see it.";
    QuestionNotFound => "question_not_found", 404, "Not Found",
        "The question does not exist in this bank or quiz (or was deleted), or the caller may not see it.";
    QuizNotFound => "quiz_not_found", 404, "Not Found",
        "The quiz does not exist in the course (or was deleted), or the caller may not see it.";
    QuizGroupNotFound => "quiz_group_not_found", 404, "Not Found",
        "The question group does not exist in this quiz (or was deleted).";
    QuizSubmissionNotFound => "quiz_submission_not_found", 404, "Not Found",
        "The quiz attempt does not exist in this quiz (or the caller's school), or the caller may not see it: a student sees only their own attempts.";
    ContentMigrationNotFound => "content_migration_not_found", 404, "Not Found",
        "The content migration does not exist in this course, or the caller may not see it.";
    MigrationIssueNotFound => "migration_issue_not_found", 404, "Not Found",
        "The migration issue does not exist in this content migration.";
    SubmissionNotFound => "submission_not_found", 404, "Not Found",
        "The user has no submission on this assignment (they are not one of its students), or the caller may not see it.";
    SubmissionFileNotFound => "submission_file_not_found", 404, "Not Found",
        "The submission file does not exist (or is not uploaded yet), or the upload token is unknown, already used or expired.";
    RubricNotFound => "rubric_not_found", 404, "Not Found",
        "The rubric does not exist in the course (or was deleted), or the caller may not see it.";
    GradingStandardNotFound => "grading_standard_not_found", 404, "Not Found",
        "The grading standard does not exist in this course or account (or one above it), or was deleted.";
    LatePolicyNotFound => "late_policy_not_found", 404, "Not Found",
        "The course has no late policy yet; create one with POST.";
    AssignmentLocked => "assignment_locked", 403, "Forbidden",
        "The assignment does not take submissions from this student now: it is not unlocked yet, or its lock date (with the student's overrides) has passed.";
    NoAttemptsLeft => "no_attempts_left", 403, "Forbidden",
        "The student has used every attempt the assignment allows (`allowed_attempts`, plus any extension's extra attempts).";
    AppealNotFound => "appeal_not_found", 404, "Not Found",
        "The appeal does not exist on this result (or the caller may not see it).";
    ExplanationNotFound => "explanation_not_found", 404, "Not Found",
        "The explanation does not exist on this result, or the caller may not see it (a candidate sees explanations once the result is posted).";
    MethodNotAllowed => "method_not_allowed", 405, "Method Not Allowed",
        "The path exists but does not accept this HTTP method.";
    Conflict => "conflict", 409, "Conflict",
        "The change conflicts with existing data, for example a `sis_*_id` that another object in the school already has.";
    ResultNotAppealable => "result_not_appealable", 409, "Conflict",
        "The result cannot be appealed (it has no grade yet, is not posted to the candidate, or is excused) or explained (it has no grade yet).";
    AppealAlreadyOpen => "appeal_already_open", 409, "Conflict",
        "The candidate already has an open appeal on this result (or on this question of it): withdraw it or wait for a grader to answer it.";
    AppealClosed => "appeal_closed", 409, "Conflict",
        "The appeal was already resolved, rejected or withdrawn; a closed appeal never changes again.";
    AttemptClosed => "attempt_closed", 409, "Conflict",
        "The attempt no longer takes answers: it was submitted, its deadline passed (it has then been submitted with what was saved), or the `attempt` sent is not the one in progress.";
    AttemptsExhausted => "attempts_exhausted", 409, "Conflict",
        "Every attempt this quiz allows the student (`allowed_attempts` plus any extra attempts) has been used.";
    QuizLocked => "quiz_locked", 403, "Forbidden",
        "The quiz cannot be started now: it is not published, not yet unlocked, or its lock date (with any extension) has passed.";
    InvalidAccessCode => "invalid_access_code", 403, "Forbidden",
        "The quiz needs an access code and `access_code` was missing or wrong.";
    IpNotAllowed => "ip_not_allowed", 403, "Forbidden",
        "The quiz may only be taken from the addresses in its IP filter, and the request came from elsewhere.";
    InvalidValidationToken => "invalid_validation_token", 403, "Forbidden",
        "`validation_token` is missing or is not the token of this attempt (it comes with the attempt when it starts).";
    PayloadTooLarge => "payload_too_large", 413, "Payload Too Large",
        "The request body is larger than the server accepts (see `max_body_bytes`).";
    HeadersTooLarge => "headers_too_large", 431, "Request Header Fields Too Large",
        "The request's headers are larger than the server accepts (16 KiB in all).";
    UnsupportedMediaType => "unsupported_media_type", 415, "Unsupported Media Type",
        "Request bodies must be application/json, application/x-www-form-urlencoded or multipart/form-data (SIS import uploads may also be sent raw as text/csv, application/zip or application/octet-stream).";
    ValidationFailed => "validation_failed", 422, "Unprocessable Entity",
        "One or more fields are invalid; each error's `source.pointer` names the field.";
    RateLimited => "rate_limited", 429, "Too Many Requests",
        "Rate Limit Exceeded. Wait for the number of seconds in `Retry-After`.";
    Internal => "internal", 500, "Internal Server Error",
        "The server failed unexpectedly. The failure is logged with the request id of this response; report it with that id.";
    Unavailable => "unavailable", 503, "Service Unavailable",
        "A dependency (the database) is not reachable. Retry after a short wait.";
    RequestTimeout => "request_timeout", 408, "Request Timeout",
        "The request took longer than the server allows (see `request_timeout_secs`).";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn wire_names_are_unique_snake_case_and_documented() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name} is not snake_case");
            assert!(!code.description().is_empty());
            assert!((400..600).contains(&code.status()));
        }
    }
}
