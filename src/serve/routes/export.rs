//! `GET /v1/tms/{tm}/export.tmx`: the units a filter selects as TMX,
//! streamed as the store reads them, with an ETag (the store's change
//! counter and the filter) so a client polling it (an OmegaT team project's
//! `tm/` folder) gets `304 Not Modified` until the memory changes.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::serve::error::{ApiPath, ApiQuery};
use crate::serve::{ApiError, Shared, blocking};
use crate::store::Filter;
use crate::store::export::{ExportFormat, export};

/// The largest `limit` (the stores take an i64; a power of ten keeps the
/// bound exact in the description, whose numbers are floats).
const MAX_LIMIT: u64 = 1_000_000_000_000_000;

/// The export filters (every one given must hold).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Units with a variant in this language.
    pub src: Option<String>,
    /// Units with a variant in this language too.
    pub tgt: Option<String>,
    /// Changed (or created) on or after this date (YYYY-MM-DD, or a TMX
    /// date: eight digits, dashes ignored, then anything).
    #[param(pattern = r"^(?:-*(?:[0-9]-*){8}[\s\S]*)?$")]
    pub since: Option<String>,
    /// Changed (or created) on or before this date (as `since`).
    #[param(pattern = r"^(?:-*(?:[0-9]-*){8}[\s\S]*)?$")]
    pub until: Option<String>,
    /// Created or changed by this user.
    pub user: Option<String>,
    /// In this project.
    pub project: Option<String>,
    /// For this client.
    pub client: Option<String>,
    /// In this domain.
    pub domain: Option<String>,
    /// Some variant contains this text (case- and accent-insensitive; no
    /// NUL character: the stores cannot search for one).
    #[param(pattern = r"^[^\u0000]*$")]
    pub search: Option<String>,
    /// At most this many units (the first by id).
    #[param(minimum = 0, maximum = 1e15)]
    pub limit: Option<u64>,
}

/// The one conversion of the export's parameters into the store's filter
/// (languages and dates checked, empty values as absent); the ETag is
/// computed from its result, so requests selecting alike share it.
impl TryFrom<ExportParams> for Filter {
    type Error = ApiError;

    fn try_from(p: ExportParams) -> Result<Filter, ApiError> {
        let lang = |v: Option<String>, what: &str| -> Result<Option<String>, ApiError> {
            v.filter(|v| !v.is_empty())
                .map(|v| super::lang(Some(&v), what).map(|t| t.to_string()))
                .transpose()
        };
        if p.limit.is_some_and(|l| l > MAX_LIMIT) {
            return Err(ApiError::bad_request(format!(
                "limit is larger than {MAX_LIMIT}"
            )));
        }
        // An empty date is no bound.
        let (since, until) = (
            p.since.filter(|d| !d.is_empty()),
            p.until.filter(|d| !d.is_empty()),
        );
        if p.search.as_deref().is_some_and(|s| s.contains('\0')) {
            // Refused before the answer starts: mid-stream, an error can
            // only cut the TMX short.
            return Err(ApiError::bad_request(
                "'search' must not contain a NUL character",
            ));
        }
        for d in [&since, &until].into_iter().flatten() {
            crate::store::date_key(d).map_err(ApiError::from)?;
        }
        Ok(Filter {
            src: lang(p.src, "src")?,
            tgt: lang(p.tgt, "tgt")?,
            since,
            until,
            user: p.user,
            project: p.project,
            client: p.client,
            domain: p.domain,
            search: p.search.filter(|s| !s.is_empty()),
            limit: p.limit,
            ..Filter::default()
        })
    }
}

/// Bytes sent per chunk of the stream.
const CHUNK: usize = 64 * 1024;

/// Writes into the response stream from a blocking thread.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// True when `If-None-Match` names `etag` (or is `*`).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// Exports units as TMX.
#[utoipa::path(get, path = "/v1/tms/{tm}/export.tmx", tag = "export",
    params(("tm" = String, Path, description = "Memory name"), ExportParams),
    responses(
        (status = 200, description = "TMX 1.4b, streamed", content_type = "application/x-tmx+xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 400, description = "Bad filter", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody)))]
pub async fn export_tmx(
    State(state): State<Shared>,
    ApiPath(tm_name): ApiPath<String>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let tm = state.tm(&tm_name)?;
    let filter = Filter::try_from(p)?;
    let reader = tm.clone();
    let (store_id, generation) =
        blocking(move || Ok(reader.read(|s| Ok((s.store_id().to_string(), s.generation()?)))?))
            .await?;
    // The same memory state and filter give the same units.
    let query_hash = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{filter:?}").hash(&mut h);
        h.finish()
    };
    let etag = format!("W/\"{store_id}-{generation}-{query_hash:016x}\"");
    let etag_value = HeaderValue::from_str(&etag).map_err(ApiError::internal)?;
    if not_modified(&headers, &etag) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut().insert(header::ETAG, etag_value);
        return Ok(r);
    }
    let mut store = tm.connect()?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let result = export(store.as_mut(), &filter, &ExportFormat::Tmx, &mut out)
            .and_then(|_| out.flush().map_err(|e| crate::Error::io("<response>", e)));
        if let Err(e) = result {
            if !e.is_broken_pipe() {
                crate::diag!("tmkit serve: export failed: {e}");
            }
            // An error after the first bytes can only cut the response short.
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tmx+xml"),
    );
    h.insert(header::ETAG, etag_value);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{tm_name}.tmx\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_star() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b-1\""),
        );
        assert!(not_modified(&h, "W/\"b-1\""));
        assert!(not_modified(&h, "\"a\""));
        assert!(!not_modified(&h, "W/\"b-2\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, "W/\"x\""));
        assert!(!not_modified(&HeaderMap::new(), "W/\"x\""));
    }
}
