//! `GET /v1/tms`: the memories served, their language pairs and counts.

use axum::Json;
use axum::extract::State;

use crate::serve::state::Source;
use crate::serve::{ApiError, Shared, blocking};

/// One memory.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TmInfo {
    /// Its name in URLs.
    pub name: String,
    /// `sqlite`, `postgres` or `files` (files are read-only and serve lookups only).
    pub kind: String,
    /// True when units can be added, edited, deleted and imported.
    pub writable: bool,
    /// Units (for files: segments of the pairs opened so far).
    pub units: u64,
    /// Language pairs with their unit counts.
    pub pairs: Vec<PairInfo>,
}

/// A language pair of a memory.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PairInfo {
    /// Source language.
    pub src: String,
    /// Target language.
    pub tgt: String,
    /// Units holding both.
    pub units: u64,
}

/// Lists the memories.
#[utoipa::path(get, path = "/v1/tms", tag = "memories",
    responses((status = 200, description = "The memories served", body = Vec<TmInfo>)))]
pub async fn list(State(state): State<Shared>) -> Result<Json<Vec<TmInfo>>, ApiError> {
    let s = state.clone();
    blocking(move || {
        let writable = !s.options.read_only && s.options.token.is_some();
        let mut out = Vec::new();
        for tm in &s.tms {
            let info = match (tm.source(), tm.stats()?) {
                (Source::Store(loc), Some(stats)) => TmInfo {
                    name: tm.name().into(),
                    kind: match loc {
                        crate::store::StoreLocation::Sqlite(_) => "sqlite",
                        crate::store::StoreLocation::Postgres(_) => "postgres",
                    }
                    .into(),
                    writable,
                    units: stats.units,
                    pairs: stats
                        .pairs
                        .iter()
                        .map(|(src, tgt, n)| PairInfo {
                            src: src.clone(),
                            tgt: tgt.clone(),
                            units: *n,
                        })
                        .collect(),
                },
                _ => {
                    let pairs: Vec<PairInfo> = tm
                        .opened_pairs()
                        .into_iter()
                        .map(|(src, tgt, n)| PairInfo {
                            src,
                            tgt,
                            units: n as u64,
                        })
                        .collect();
                    TmInfo {
                        name: tm.name().into(),
                        kind: "files".into(),
                        writable: false,
                        units: pairs.iter().map(|p| p.units).max().unwrap_or(0),
                        pairs,
                    }
                }
            };
            out.push(info);
        }
        Ok(Json(out))
    })
    .await
}
