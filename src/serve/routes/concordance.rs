//! `GET /v1/tms/{tm}/concordance`: units with a variant containing a text
//! (case- and accent-insensitive), as `tmkit tm search` finds them.

use axum::Json;
use axum::extract::State;

use super::units::UnitJson;
use crate::serve::error::{ApiPath, ApiQuery};
use crate::serve::{ApiError, Shared, blocking};
use crate::store::SearchQuery;
use crate::text::LanguageTag;
use crate::tm::best_variant;

/// Most units a concordance search returns.
pub const MAX_LIMIT: usize = 500;

/// Parameters of a concordance search.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcordanceParams {
    /// The text looked for.
    /// (Not only spaces; no NUL character: the stores cannot search for one.)
    #[param(
        required = true,
        min_length = 1,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
    )]
    pub q: Option<String>,
    /// Look in variants of this language only; it is also the `source` shown.
    pub src: Option<String>,
    /// The language shown as `target`.
    pub tgt: Option<String>,
    /// Most units returned, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// One unit found.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConcordanceHit {
    /// The `src` variant's text (else the unit's source).
    pub source: Option<String>,
    /// The `tgt` variant's text, when asked for and present.
    pub target: Option<String>,
    /// The whole unit.
    pub unit: UnitJson,
}

/// Searches a memory's texts.
#[utoipa::path(get, path = "/v1/tms/{tm}/concordance", tag = "concordance",
    params(("tm" = String, Path, description = "Memory name"), ConcordanceParams),
    responses(
        (status = 200, description = "The units found, oldest first", body = Vec<ConcordanceHit>),
        (status = 400, description = "Bad parameters", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody)))]
pub async fn concordance(
    State(state): State<Shared>,
    ApiPath(tm): ApiPath<String>,
    ApiQuery(p): ApiQuery<ConcordanceParams>,
) -> Result<Json<Vec<ConcordanceHit>>, ApiError> {
    let tm = state.tm(&tm)?;
    let text =
        p.q.filter(|q| !q.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request("'q' (the text to look for) is required"))?;
    // The stores cannot search for a NUL character (SQLite ends C strings at it).
    if text.contains('\0') {
        return Err(ApiError::bad_request(
            "'q' must not contain a NUL character",
        ));
    }
    let parse = |v: Option<String>, what: &str| -> Result<Option<LanguageTag>, ApiError> {
        v.filter(|v| !v.is_empty())
            .map(|v| super::lang(Some(&v), what))
            .transpose()
    };
    let (src, tgt) = (parse(p.src, "src")?, parse(p.tgt, "tgt")?);
    let limit = p.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be 1-{MAX_LIMIT}"
        )));
    }
    blocking(move || {
        let query = SearchQuery {
            text,
            lang: src.as_ref().map(ToString::to_string),
            limit,
        };
        let units = tm.read(|store| store.search(&query))?;
        let text_in = |u: &crate::store::StoredUnit, lang: &LanguageTag| {
            best_variant(u.unit.tu.tuvs.iter().map(|v| (v.lang.as_str(), v)), lang)
                .map(|v| v.seg.plain_text())
        };
        let hits = units
            .iter()
            .map(|u| ConcordanceHit {
                source: match &src {
                    Some(l) => text_in(u, l),
                    None => u.unit.source_text(),
                },
                target: tgt.as_ref().and_then(|l| text_in(u, l)),
                unit: UnitJson::of(u),
            })
            .collect();
        Ok(Json(hits))
    })
    .await
}
