//! Every routed endpoint, one module per resource family. Routes are registered only through
//! `OpenApiRouter::routes`, which records each one in the OpenAPI document as it adds it to the router.

pub mod accounts;
pub mod api_keys;
pub mod appeals;
pub mod assignment_groups;
pub mod assignments;
pub mod content_migrations;
pub mod course_users;
pub mod courses;
pub mod developer_keys;
pub mod diagnostics;
pub mod enrollments;
pub mod events;
pub mod gradebook;
pub mod grading_standards;
pub mod groups;
pub mod late_policy;
pub mod logins;
pub mod oauth;
pub mod partners;
pub mod permissions;
pub mod progress;
pub mod qti;
pub mod question_banks;
pub mod quiz_results;
pub mod quiz_submissions;
pub mod quizzes;
pub mod rubrics;
pub mod sections;
pub mod sis_imports;
pub mod submissions;
pub mod terms;
pub mod tokens;
pub mod user_api_keys;
pub mod users;

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use crate::{AppState, openapi::BaseDoc};

pub fn router() -> OpenApiRouter<AppState> {
    use utoipa::OpenApi;
    OpenApiRouter::with_openapi(BaseDoc::openapi())
        .merge(diagnostics::router())
        .merge(accounts::router())
        .merge(users::router())
        .merge(courses::router())
        .merge(sections::router())
        .merge(enrollments::router())
        .merge(course_users::router())
        .merge(gradebook::router())
        .merge(appeals::router())
        .merge(groups::router())
        .merge(assignment_groups::router())
        .merge(assignments::router())
        .merge(submissions::router())
        .merge(grading_standards::router())
        .merge(late_policy::router())
        .merge(rubrics::router())
        .merge(terms::router())
        .merge(events::router())
        .merge(tokens::router())
        .merge(oauth::router())
        .merge(developer_keys::router())
        .merge(api_keys::router())
        .merge(user_api_keys::router())
        .merge(logins::router())
        .merge(permissions::router())
        .merge(partners::router())
        .merge(sis_imports::router())
        .merge(progress::router())
        .merge(quizzes::router())
        .merge(quiz_results::router())
        .merge(quiz_submissions::router())
        .merge(question_banks::router())
        .merge(content_migrations::router())
        .merge(qti::router())
        .merge(crate::abconnect::router())
        .merge(crate::openapi::router())
}

/// A 201 with `Location` pointing at the new resource.
pub struct Created<T> {
    pub location: String,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut response = (StatusCode::CREATED, Json(self.body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&self.location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}
