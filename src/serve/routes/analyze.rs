//! `POST /v1/analyze`: how much of a posted document a memory covers, by
//! match band, with a weighted word count (what `tmkit analyze --format
//! json` reports for one file).

use axum::Json;
use axum::extract::State;

use super::{DocParams, document_segments, lang};
use crate::fuzzy::analysis::{Analyzer, WeightGrid};
use crate::serve::error::ApiQuery;
use crate::serve::{ApiError, Shared, blocking};

/// Analyzes a document.
#[utoipa::path(post, path = "/v1/analyze", tag = "documents",
    params(DocParams),
    request_body(content = String, description = "The document: plain text, Markdown or HTML", content_type = "text/plain"),
    responses(
        (status = 200, description = "Bands and quote, as `tmkit analyze --format json`", body = Object),
        (status = 400, description = "Bad parameters", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody),
        (status = 413, description = "Document too large", body = crate::serve::error::ErrorBody)))]
pub async fn analyze(
    State(state): State<Shared>,
    ApiQuery(p): ApiQuery<DocParams>,
    body: String,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tm = state.tm(p.tm.as_deref().unwrap_or("default"))?;
    let (src, tgt) = (
        lang(p.src.as_deref(), "src")?,
        lang(p.tgt.as_deref(), "tgt")?,
    );
    let grid: WeightGrid = match &p.weights {
        Some(w) => w.parse().map_err(ApiError::from)?,
        None => WeightGrid::default(),
    };
    if p.rate.is_some_and(|r| !r.is_finite() || r < 0.0) {
        return Err(ApiError::bad_request("rate must be a number >= 0"));
    }
    blocking(move || {
        let segments = document_segments(&body, &p, &src);
        let index = tm.pair(&src, &tgt)?;
        // The analysis reads the base index (with its 101% context): units
        // changed since it was built count from the next rebuild.
        let view = index.view();
        let mut analyzer = Analyzer::new(&view.base);
        let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let name = p.name.clone().unwrap_or_else(|| "document".into());
        let file = analyzer.add_file(&name, &refs);
        let total = analyzer.total().clone();
        Ok(Json(serde_json::json!({
            "files": [{
                "name": file.name,
                "bands": file.bands,
                "quote": file.bands.quote(&grid, p.rate),
            }],
            "total": total,
            "quote": total.quote(&grid, p.rate),
            "rate": p.rate,
            "failed": [],
        })))
    })
    .await
}
