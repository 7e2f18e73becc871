//! The OpenAPI 3.1 document, assembled from the handlers' annotations as the router is built (so a routed
//! endpoint cannot be missing from it), and the offline documentation page.

use assay_domain::Code;
use axum::{
    Json,
    extract::State,
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use utoipa::openapi::{
    ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder,
    security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, docs_page};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Assay API",
        description = "The native REST API of Assay, a self-hosted digital assessment platform. `/api/v1` follows \
                       the Canvas LMS wire format: JSON or Rails-style form bodies, `Authorization: Bearer` tokens, \
                       JSON arrays with `Link` pagination headers, and one error shape with stable codes (see \
                       /api/docs#error-codes).",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct BaseDoc;

/// Adds what the annotations cannot: the security schemes, the version, and the error response every operation
/// can give (bad media type, oversized body, timeout, …) as each operation's `default` response.
pub fn finish(mut document: OpenApi) -> OpenApi {
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    crate::test_vocabulary::document_test_paths(&mut document);
    let error = ResponseBuilder::new()
        .description("Any error, in the one error shape (see /api/docs#error-codes).")
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build();
    for item in document.paths.paths.values_mut() {
        for operation in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            operation.responses.responses.entry("default".to_owned()).or_insert_with(|| RefOr::T(error.clone()));
        }
    }
    let components = document.components.get_or_insert_with(Default::default);
    components
        .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    components
        .add_security_scheme("access_token", SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::new("access_token"))));
    document
}

/// The documentation routes; the document itself is put into `AppState::openapi` once every route is known.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json)).routes(routes!(docs)).routes(routes!(rapidoc_js))
}

/// The OpenAPI 3.1 document of every endpoint, generated from the code.
#[utoipa::path(get, path = "/api/openapi.json", tag = "Documentation", responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json(State(state): State<AppState>) -> Json<OpenApi> {
    Json(state.openapi.get().cloned().unwrap_or_default())
}

/// The API documentation page (works offline: every asset is served by this server).
#[utoipa::path(get, path = "/api/docs", tag = "Documentation", responses((status = 200, description = "HTML page", content_type = "text/html")))]
async fn docs() -> Html<String> {
    let errors: Vec<docs_page::ErrorDoc<'_>> = Code::ALL
        .iter()
        .map(|c| docs_page::ErrorDoc {
            code: c.as_str(),
            status: c.status(),
            title: c.title(),
            description: c.description(),
        })
        .collect();
    Html(docs_page::render("/api/openapi.json", env!("CARGO_PKG_VERSION"), &errors))
}

/// The documentation page's script (RapiDoc 9.3.8, vendored from npm, MIT).
#[utoipa::path(get, path = "/api/docs/assets/rapidoc-9.3.8.min.js", tag = "Documentation", responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn rapidoc_js() -> Response {
    let mut response = docs_page::RAPIDOC_JS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}
