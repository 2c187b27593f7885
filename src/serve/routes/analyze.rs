//! `POST /v1/analyze`: how much of a posted document a memory covers, by
//! match band, with a weighted word count (what `tmkit analyze --format
//! json` reports for one file).

use axum::Json;
use axum::extract::State;

use super::{DocParams, document_segments, lang};
use crate::fuzzy::analysis::{ANALYSIS_MIN_SCORE, Analyzer};
use crate::serve::error::ApiQuery;
use crate::serve::state::LookupQuery;
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
    let checked = p.check()?;
    let tm = state.tm(p.tm.as_deref().unwrap_or("default"))?;
    let (src, tgt) = (
        lang(p.src.as_deref(), "src")?,
        lang(p.tgt.as_deref(), "tgt")?,
    );
    let grid = checked.grid;
    blocking(move || {
        let segments = document_segments(&body, &p, &src);
        let index = tm.pair(&src, &tgt)?;
        // Each segment's best score as a lookup finds it (the persisted index
        // and the changes since, 101% in context), so units added, edited or
        // deleted since start count at once; scored on every core, and the
        // analyzer adds repetitions and internal fuzzy matches as it does
        // for `tmkit analyze`.
        let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let queries: Vec<LookupQuery<'_>> = refs
            .iter()
            .enumerate()
            .map(|(i, text)| LookupQuery {
                text,
                previous: i.checked_sub(1).map(|p| refs[p]),
                codes: 0,
            })
            .collect();
        let scores = index.best_scores(&queries, ANALYSIS_MIN_SCORE);
        // The scores are given, so the analyzer's own lookup sessions go
        // unused: over an empty memory of the pair they cost nothing, where
        // over the base each one allocated and cleared 6 bytes per segment
        // (6 MB a thread at 1M) for every request.
        let empty = crate::fuzzy::Matcher::new(crate::tm::MemoryTm::new(index.pair().clone()));
        let mut analyzer = Analyzer::new(&empty);
        let name = p.name.clone().unwrap_or_else(|| "document".into());
        let file = analyzer.add_file_scored(&name, &refs, &scores);
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
