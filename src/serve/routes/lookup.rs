//! `GET /v1/tms/{tm}/lookup` (one segment) and `POST` (a batch): fuzzy
//! matches with the results, scores and penalties of `tmkit match`.

use axum::Json;
use axum::extract::State;

use super::{distinct, lang};
use crate::fuzzy::MatchOptions;
use crate::fuzzy::json::LookupJson;
use crate::serve::error::{ApiJson, ApiPath, ApiQuery};
use crate::serve::state::LookupQuery;
use crate::serve::{ApiError, Shared, blocking};

/// Most matches a lookup returns per segment.
pub const MAX_RESULTS: usize = 50;
/// Most segments in one batch.
pub const MAX_BATCH: usize = 10_000;

/// Parameters of a lookup.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The segment to match.
    #[param(required = true, min_length = 1, pattern = r"\S")]
    pub q: Option<String>,
    /// Source language (BCP-47).
    #[param(required = true, min_length = 1)]
    pub src: Option<String>,
    /// Target language (BCP-47).
    #[param(required = true, min_length = 1)]
    pub tgt: Option<String>,
    /// Lowest score returned, 0-100 (default 50).
    #[param(minimum = 0, maximum = 100)]
    pub min: Option<u8>,
    /// Most matches returned, 1-50 (default 5).
    #[param(minimum = 1, maximum = 50)]
    pub max: Option<usize>,
    /// The segment before this one in the document: an exact match whose
    /// predecessor in the memory is this segment scores 101, as in a batch.
    pub prev: Option<String>,
}

/// A batch lookup.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct BatchRequest {
    /// Source language (BCP-47).
    pub src: String,
    /// Target language (BCP-47).
    pub tgt: String,
    /// The segments, in document order.
    #[schema(max_items = 10000)]
    pub segments: Vec<String>,
    /// Lowest score returned, 0-100 (default 50).
    #[schema(minimum = 0, maximum = 100)]
    #[serde(default, deserialize_with = "super::whole_number")]
    pub min: Option<u8>,
    /// Most matches returned per segment, 1-50 (default 5).
    #[schema(minimum = 1, maximum = 50)]
    #[serde(default, deserialize_with = "super::whole_number")]
    pub max: Option<usize>,
    /// Raise an exact match to 101 when the segment before it in the batch
    /// precedes it in the memory too, as `tmkit match` does (default true).
    pub context: Option<bool>,
}

pub(crate) fn options(min: Option<u8>, max: Option<usize>) -> Result<MatchOptions, ApiError> {
    let min = min.unwrap_or(50);
    let max = max.unwrap_or(5);
    if min > 100 {
        return Err(ApiError::bad_request("min must be 0-100"));
    }
    if max == 0 || max > MAX_RESULTS {
        return Err(ApiError::bad_request(format!(
            "max must be 1-{MAX_RESULTS}"
        )));
    }
    Ok(MatchOptions {
        min_score: min,
        max_results: max,
        exhaustive: false,
    })
}

/// Looks up one segment.
#[utoipa::path(get, path = "/v1/tms/{tm}/lookup", tag = "lookup",
    params(("tm" = String, Path, description = "Memory name"), LookupParams),
    responses(
        (status = 200, description = "The matches, best first", body = LookupJson),
        (status = 400, description = "Bad parameters (src and tgt the same language among them)", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody)))]
pub async fn lookup(
    State(state): State<Shared>,
    ApiPath(tm): ApiPath<String>,
    ApiQuery(p): ApiQuery<LookupParams>,
) -> Result<Json<LookupJson>, ApiError> {
    let tm = state.tm(&tm)?;
    let q =
        p.q.filter(|q| !q.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request("'q' (the segment to match) is required"))?;
    let (src, tgt) = (
        lang(p.src.as_deref(), "src")?,
        lang(p.tgt.as_deref(), "tgt")?,
    );
    distinct(&src, &tgt)?;
    let options = options(p.min, p.max)?;
    blocking(move || {
        let index = tm.pair(&src, &tgt)?;
        let query = LookupQuery {
            text: &q,
            previous: p.prev.as_deref().filter(|prev| !prev.trim().is_empty()),
            codes: 0,
        };
        let mut results = index.lookup(&[query], &options);
        Ok(Json(results.remove(0)))
    })
    .await
}

/// Looks up a batch of segments.
#[utoipa::path(post, path = "/v1/tms/{tm}/lookup", tag = "lookup",
    params(("tm" = String, Path, description = "Memory name")),
    request_body = BatchRequest,
    responses(
        (status = 200, description = "Per segment, in order, its matches", body = Vec<LookupJson>),
        (status = 400, description = "Bad request (src and tgt the same language among them)", body = crate::serve::error::ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = crate::serve::error::ErrorBody),
        (status = 422, description = "Body is JSON but not of this shape", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody),
        (status = 413, description = "Body too large", body = crate::serve::error::ErrorBody)))]
pub async fn batch(
    State(state): State<Shared>,
    ApiPath(tm): ApiPath<String>,
    ApiJson(req): ApiJson<BatchRequest>,
) -> Result<Json<Vec<LookupJson>>, ApiError> {
    let tm = state.tm(&tm)?;
    let (src, tgt) = (lang(Some(&req.src), "src")?, lang(Some(&req.tgt), "tgt")?);
    distinct(&src, &tgt)?;
    let options = options(req.min, req.max)?;
    if req.segments.len() > MAX_BATCH {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {MAX_BATCH} segments per batch"),
        ));
    }
    let context = req.context.unwrap_or(true);
    blocking(move || {
        let index = tm.pair(&src, &tgt)?;
        let queries: Vec<LookupQuery<'_>> = req
            .segments
            .iter()
            .enumerate()
            .map(|(i, text)| LookupQuery {
                text,
                previous: context
                    .then(|| i.checked_sub(1).map(|p| req.segments[p].as_str()))
                    .flatten(),
                codes: 0,
            })
            .collect();
        Ok(Json(index.lookup(&queries, &options)))
    })
    .await
}
