//! The routes, one file per resource. Each handler carries its OpenAPI
//! description (`#[utoipa::path]`), gathered in [`super::openapi`].

use axum::Router;
use axum::routing::get;

use super::{ApiError, Shared};
use crate::text::LanguageTag;

pub mod lookup;
pub mod page;
pub mod tms;

/// Every route (without the middleware: see [`super::router`]).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(page::index))
        .route("/v1/openapi.json", get(super::openapi::serve))
        .route("/v1/tms", get(tms::list))
        .route(
            "/v1/tms/{tm}/lookup",
            get(lookup::lookup).post(lookup::batch),
        )
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

/// A language tag from a request parameter (400 naming the parameter).
pub(crate) fn lang(value: Option<&str>, param: &str) -> Result<LanguageTag, ApiError> {
    let value = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        ApiError::bad_request(format!("'{param}' (a language, e.g. en) is required"))
    })?;
    value
        .parse()
        .map_err(|e| ApiError::bad_request(format!("{param}: {e}")))
}
