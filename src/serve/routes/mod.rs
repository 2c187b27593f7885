//! The routes, one file per resource. Each handler carries its OpenAPI
//! description (`#[utoipa::path]`), gathered in [`super::openapi`].

use axum::Router;
use axum::routing::{get, post};

use super::{ApiError, Shared};
use crate::text::LanguageTag;

pub mod analyze;
pub mod compat;
pub mod concordance;
pub mod export;
pub mod import;
pub mod lookup;
pub mod page;
pub mod pretranslate;
pub mod summarize;
pub mod tms;
pub mod units;

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
        .route("/v1/tms/{tm}/concordance", get(concordance::concordance))
        .route("/v1/tms/{tm}/units", post(units::add))
        .route(
            "/v1/tms/{tm}/units/{id}",
            get(units::get).put(units::put).delete(units::delete),
        )
        .route("/v1/tms/{tm}/import", post(import::import))
        .route("/v1/jobs/{id}", get(import::job))
        .route("/v1/tms/{tm}/export.tmx", get(export::export_tmx))
        .route("/tmserver/{src}/{tgt}/unit/{*text}", get(compat::tmserver))
        .route("/api/v1/{src}/{tgt}/unit/{*text}", get(compat::amagama))
        .route("/api/v1/{src}/{tgt}/unit/", get(compat::amagama_query))
        .route("/tmserver/languages/", get(compat::languages))
        .route("/api/v1/languages/", get(compat::languages))
        .route("/languages/", get(compat::languages))
        .route("/v1/analyze", post(analyze::analyze))
        .route("/v1/pretranslate", post(pretranslate::pretranslate))
        .route("/v1/summarize", post(summarize::summarize))
        .route("/translate", get(compat::translate))
        .route("/listPairs", get(compat::list_pairs))
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

/// What a posted document is and how to treat it (`/v1/analyze`,
/// `/v1/pretranslate`, `/v1/summarize`).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocParams {
    /// The memory (default: `default`).
    pub tm: Option<String>,
    /// The document's language (BCP-47; summarize also takes `auto`, the default there).
    pub src: Option<String>,
    /// The target language.
    pub tgt: Option<String>,
    /// `text`, `markdown` or `html` (default: guessed from the content).
    pub format: Option<String>,
    /// A name for the document (a label in the results).
    pub name: Option<String>,
    /// One segment per line instead of sentence splitting.
    pub lines: Option<bool>,
    /// Lowest match score used (pretranslate and summarize: default 75).
    pub min: Option<u8>,
    /// Pretranslate: most candidates per segment (default 3).
    pub max: Option<usize>,
    /// Pretranslate: `xliff12` (default), `xliff20` or `tmx`.
    pub to: Option<String>,
    /// Pretranslate: segments without a match get their source as target.
    pub copy_source: Option<bool>,
    /// Analyze: the weight grid, as `tmkit analyze --weights`.
    pub weights: Option<String>,
    /// Analyze: the price per weighted word.
    pub rate: Option<f64>,
    /// Summarize: sentences in the digest (default 3).
    pub sentences: Option<usize>,
}

/// The format of a posted document: `format`, else guessed from its content.
pub(crate) fn doc_format(body: &str, p: &DocParams) -> crate::summarize::input::InputFormat {
    use crate::summarize::input::InputFormat;
    match p.format.as_deref() {
        Some("html") => InputFormat::Html,
        Some("markdown" | "md") => InputFormat::Markdown,
        Some("text" | "txt") => InputFormat::Text,
        _ => InputFormat::sniff(body),
    }
}

/// The segments of a posted document: sentences (or lines with `lines`),
/// of its text (Markdown and HTML reduced as `tmkit` reduces them).
pub(crate) fn document_segments(body: &str, p: &DocParams, src: &LanguageTag) -> Vec<String> {
    let text = crate::pretranslate::document_text(body, doc_format(body, p));
    if p.lines.unwrap_or(false) {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    } else {
        crate::segment::Segmenter::for_language(src)
            .segments(&text)
            .map(|s| s.text.to_string())
            .collect()
    }
}
