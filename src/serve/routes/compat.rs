//! Routes that existing clients call unmodified, on the `default` memory
//! (else the first one served):
//! - amaGama / translate-toolkit tmserver (Weblate's, Virtaal's and Okapi's
//!   connectors): `GET /tmserver/{src}/{tgt}/unit/{text}` and
//!   `/api/v1/{src}/{tgt}/unit/{text}` (or `.../unit/?source=TEXT`) →
//!   `[{source, target, quality, rank}]`, best first; `/languages/` →
//!   `{sourceLanguages, targetLanguages}`.
//! - Apertium-APy (OmegaT's Apertium connector pointed at this server):
//!   `GET /translate?q=TEXT&langpair=en|fr` → `{responseData: {translatedText},
//!   responseDetails, responseStatus}` with the best match's target, and
//!   `GET /listPairs`.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::lang;
use crate::fuzzy::MatchOptions;
use crate::serve::error::{ApiPath, ApiQuery};
use crate::serve::state::LookupQuery;
use crate::serve::{ApiError, Shared, blocking};

/// One tmserver/amaGama candidate.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TmserverUnit {
    /// The memory's source.
    pub source: String,
    /// Its translation.
    pub target: String,
    /// The match score (0-101).
    pub quality: f64,
    /// The score again (amaGama's full-text rank has no equivalent here).
    pub rank: f64,
}

/// tmserver/amaGama options.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TmserverParams {
    /// The text, for `.../unit/?source=TEXT`.
    pub source: Option<String>,
    /// Lowest quality returned (default 70; below 30 counts as 30 and above
    /// 100 as 100, as amaGama does).
    #[param(minimum = 0, maximum = 255)]
    pub min_similarity: Option<u8>,
    /// Most candidates (default 5; 0 counts as 1 and more than 30 as 30).
    #[param(minimum = 0, maximum = 4294967295.0)]
    pub max_candidates: Option<u32>,
}

/// Languages, as amaGama lists them.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Languages {
    /// Source languages of the memory's pairs.
    pub source_languages: Vec<String>,
    /// Target languages of the memory's pairs.
    pub target_languages: Vec<String>,
}

async fn candidates(
    state: Shared,
    src: String,
    tgt: String,
    text: String,
    min: u8,
    max: usize,
) -> Result<Vec<crate::fuzzy::json::MatchJson>, ApiError> {
    let (src, tgt) = (
        lang(Some(&src), "source language")?,
        lang(Some(&tgt), "target language")?,
    );
    if text.trim().is_empty() {
        return Err(ApiError::not_found("no text to look up"));
    }
    if src == tgt {
        // A language into itself is a pair no memory holds: no candidates.
        return Ok(Vec::new());
    }
    let tm = state.default_tm();
    let options = MatchOptions {
        min_score: min,
        max_results: max,
        exhaustive: false,
    };
    blocking(move || {
        let index = tm.pair(&src, &tgt)?;
        let query = LookupQuery {
            text: &text,
            previous: None,
            codes: 0,
        };
        Ok(index.lookup(&[query], &options).remove(0).matches)
    })
    .await
}

async fn tmserver_unit(
    state: Shared,
    (src, tgt, text): (String, String, String),
    p: TmserverParams,
) -> Result<Json<Vec<TmserverUnit>>, ApiError> {
    let min = p.min_similarity.unwrap_or(70).clamp(30, 100);
    let max = p.max_candidates.unwrap_or(5).clamp(1, 30) as usize;
    let found = candidates(state, src, tgt, text, min, max).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|m| TmserverUnit {
                source: m.source,
                target: m.target,
                quality: f64::from(m.score),
                rank: f64::from(m.score),
            })
            .collect(),
    ))
}

/// translate-toolkit tmserver: candidates for a unit.
#[utoipa::path(get, path = "/tmserver/{src}/{tgt}/unit/{text}", tag = "compatibility",
    params(("src" = String, Path), ("tgt" = String, Path), ("text" = String, Path, description = "The source text, URL-encoded"), TmserverParams),
    responses((status = 200, description = "Candidates, best first", body = Vec<TmserverUnit>),
        (status = 400, description = "Bad language", body = crate::serve::error::ErrorBody)))]
pub async fn tmserver(
    State(state): State<Shared>,
    ApiPath(path): ApiPath<(String, String, String)>,
    ApiQuery(p): ApiQuery<TmserverParams>,
) -> Result<Json<Vec<TmserverUnit>>, ApiError> {
    tmserver_unit(state, path, p).await
}

/// amaGama: candidates for a unit.
#[utoipa::path(get, path = "/api/v1/{src}/{tgt}/unit/{text}", tag = "compatibility",
    params(("src" = String, Path), ("tgt" = String, Path), ("text" = String, Path, description = "The source text, URL-encoded"), TmserverParams),
    responses((status = 200, description = "Candidates, best first", body = Vec<TmserverUnit>),
        (status = 400, description = "Bad language", body = crate::serve::error::ErrorBody)))]
pub async fn amagama(
    State(state): State<Shared>,
    ApiPath(path): ApiPath<(String, String, String)>,
    ApiQuery(p): ApiQuery<TmserverParams>,
) -> Result<Json<Vec<TmserverUnit>>, ApiError> {
    tmserver_unit(state, path, p).await
}

/// amaGama: candidates for `?source=TEXT`.
#[utoipa::path(get, path = "/api/v1/{src}/{tgt}/unit/", tag = "compatibility",
    params(("src" = String, Path), ("tgt" = String, Path), TmserverParams),
    responses((status = 200, description = "Candidates, best first", body = Vec<TmserverUnit>),
        (status = 400, description = "Bad language", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No source given", body = crate::serve::error::ErrorBody)))]
pub async fn amagama_query(
    State(state): State<Shared>,
    ApiPath((src, tgt)): ApiPath<(String, String)>,
    ApiQuery(p): ApiQuery<TmserverParams>,
) -> Result<Json<Vec<TmserverUnit>>, ApiError> {
    let text = p.source.clone().unwrap_or_default();
    tmserver_unit(state, (src, tgt, text), p).await
}

/// amaGama: the languages of the memory.
#[utoipa::path(get, path = "/api/v1/languages/", tag = "compatibility",
    responses((status = 200, description = "Source and target languages", body = Languages)))]
pub async fn languages(State(state): State<Shared>) -> Result<Json<Languages>, ApiError> {
    let tm = state.default_tm();
    blocking(move || {
        let pairs: Vec<(String, String)> = match tm.stats()? {
            Some(stats) => stats.pairs.into_iter().map(|(s, t, _)| (s, t)).collect(),
            None => tm
                .opened_pairs()
                .into_iter()
                .map(|(s, t, _)| (s, t))
                .collect(),
        };
        let sources: BTreeSet<String> = pairs.iter().map(|p| p.0.clone()).collect();
        let targets: BTreeSet<String> = pairs.iter().map(|p| p.1.clone()).collect();
        Ok(Json(Languages {
            source_languages: sources.into_iter().collect(),
            target_languages: targets.into_iter().collect(),
        }))
    })
    .await
}

/// Apertium-APy's translate parameters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TranslateParams {
    /// The text.
    pub q: Option<String>,
    /// `SRC|TGT`, e.g. `en|fr`.
    pub langpair: Option<String>,
    /// Lowest score used (default 75; above 100 counts as 100).
    #[param(minimum = 0, maximum = 255)]
    pub min: Option<u8>,
}

/// APy's answer.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApyResponse {
    /// The translation.
    pub response_data: ApyData,
    /// Why there is none (null on success).
    pub response_details: Option<String>,
    /// 200, or the error status.
    pub response_status: u16,
}

/// APy's translation.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApyData {
    /// The best match's target (numbers adapted to the text), empty when none.
    pub translated_text: String,
}

fn apy(status: StatusCode, text: String, details: Option<String>) -> Response {
    let body = ApyResponse {
        response_data: ApyData {
            translated_text: text,
        },
        response_details: details,
        response_status: status.as_u16(),
    };
    (status, Json(body)).into_response()
}

/// Apertium-APy: the best memory match as a translation.
#[utoipa::path(get, path = "/translate", tag = "compatibility",
    params(TranslateParams),
    responses((status = 200, description = "The best match's target", body = ApyResponse),
        (status = 400, description = "Bad langpair", body = ApyResponse),
        (status = 404, description = "No match", body = ApyResponse)))]
pub async fn translate(
    State(state): State<Shared>,
    query: Result<ApiQuery<TranslateParams>, ApiError>,
) -> Response {
    // Every answer in APy's shape, a malformed query too.
    let p = match query {
        Ok(ApiQuery(p)) => p,
        Err(e) => return apy(e.status, String::new(), Some(e.message)),
    };
    let Some((src, tgt)) = p.langpair.as_deref().and_then(|l| l.split_once('|')) else {
        return apy(
            StatusCode::BAD_REQUEST,
            String::new(),
            Some("langpair must be SRC|TGT, e.g. en|fr".into()),
        );
    };
    let text = p.q.unwrap_or_default();
    let min = p.min.unwrap_or(75).min(100);
    match candidates(state, src.into(), tgt.into(), text, min, 1).await {
        Ok(found) => match found.into_iter().next() {
            Some(best) => apy(
                StatusCode::OK,
                best.adapted_target.unwrap_or(best.target),
                None,
            ),
            None => apy(
                StatusCode::NOT_FOUND,
                String::new(),
                Some(format!("no match at {min}% or more")),
            ),
        },
        Err(e) => apy(e.status, String::new(), Some(e.message)),
    }
}

/// One APy pair.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApyPair {
    /// Source language.
    pub source_language: String,
    /// Target language.
    pub target_language: String,
}

/// APy's list of pairs.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApyPairs {
    /// The pairs.
    pub response_data: Vec<ApyPair>,
    /// Always null.
    pub response_details: Option<String>,
    /// 200.
    pub response_status: u16,
}

/// Apertium-APy: the language pairs.
#[utoipa::path(get, path = "/listPairs", tag = "compatibility",
    responses((status = 200, description = "The memory's pairs", body = ApyPairs)))]
pub async fn list_pairs(State(state): State<Shared>) -> Result<Json<ApyPairs>, ApiError> {
    let tm = state.default_tm();
    blocking(move || {
        let pairs = tm
            .stats()?
            .map(|s| {
                s.pairs
                    .into_iter()
                    .map(|(a, b, _)| (a, b))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| {
                tm.opened_pairs()
                    .into_iter()
                    .map(|(a, b, _)| (a, b))
                    .collect()
            });
        Ok(Json(ApyPairs {
            response_data: pairs
                .into_iter()
                .map(|(s, t)| ApyPair {
                    source_language: s,
                    target_language: t,
                })
                .collect(),
            response_details: None,
            response_status: 200,
        }))
    })
    .await
}
