//! `POST /v1/tms/{tm}/import`: a TMX, XLIFF or TSV upload, streamed to a temporary
//! file and imported as a background job (what `tmkit tm import` does);
//! `GET /v1/jobs/{id}` reports its progress and outcome.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::serve::error::{ApiPath, ApiQuery};
use crate::serve::jobs::{ImportResult, JobStatus};
use crate::serve::{ApiError, Shared, WriteAccess};
use crate::store::DuplicatePolicy;
use crate::store::import::{ImportOptions, import_named};
use crate::tm::LanguagePair;

/// How an upload is imported.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `tmx` (default), `xliff` (1.2 or 2.x: its finished segments; read whole
    /// into memory, so at most `--max-xliff-upload` bytes, 64 MiB by default,
    /// else 413) or `tsv`.
    #[param(pattern = "^(?:[Tt][Mm][Xx]|[Xx][Ll][Ii][Ff][Ff]|[Tt][Ss][Vv])?$")]
    pub format: Option<String>,
    /// The name the units' origin is recorded under (a file name, no folders;
    /// default `upload-N.FORMAT`).
    pub name: Option<String>,
    /// TSV: the language of the first column (XLIFF: of sources, when the
    /// file does not declare it; given with `tgt` or not at all).
    pub src: Option<String>,
    /// TSV: the language of the second column (XLIFF: of targets, when the
    /// file does not declare it; given with `src` or not at all).
    pub tgt: Option<String>,
    /// A source already stored with other targets: `newest` (default),
    /// `add`, `keep` or `overwrite`.
    #[param(pattern = "^(?:newest|add|keep|overwrite)?$")]
    pub policy: Option<String>,
    /// Project tag for every unit.
    pub project: Option<String>,
    /// Client tag.
    pub client: Option<String>,
    /// Domain tag.
    pub domain: Option<String>,
}

/// A started job.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct JobStarted {
    /// The job's id.
    pub job: u64,
    /// Where to poll it.
    pub status: String,
}

/// Keeps a client's name as a label: letters, digits, `.`, `-`, `_` only.
fn label(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// A notice about the upload as its client may read it: the temporary
/// file's path is the server's, and reads `upload` (as in error messages).
fn as_uploaded(notice: &str, upload: &std::path::Path) -> String {
    notice.replace(&*upload.to_string_lossy(), "upload")
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the upload is larger than {limit} bytes"),
    )
}

/// Starts an import.
#[utoipa::path(post, path = "/v1/tms/{tm}/import", tag = "import",
    params(("tm" = String, Path, description = "Memory name"), ImportParams),
    request_body(content = Vec<u8>, description = "The TMX, XLIFF or TSV file", content_type = "application/octet-stream"),
    security(("token" = [])),
    responses(
        (status = 202, description = "Import started", body = JobStarted),
        (status = 400, description = "Bad parameters", body = crate::serve::error::ErrorBody),
        (status = 401, description = "No or wrong token", body = crate::serve::error::ErrorBody),
        (status = 403, description = "Read-only server, or writes disabled", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody),
        (status = 413, description = "Upload too large (`--max-upload`; XLIFF: `--max-xliff-upload`, 64 MiB by default)", body = crate::serve::error::ErrorBody)))]
pub async fn import(
    State(state): State<Shared>,
    _: WriteAccess,
    ApiPath(tm_name): ApiPath<String>,
    ApiQuery(p): ApiQuery<ImportParams>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let tm = state.tm(&tm_name)?;
    // An empty parameter (`?format=`) is the default, as the description says.
    let format = p
        .format
        .as_deref()
        .filter(|f| !f.is_empty())
        .unwrap_or("tmx")
        .to_ascii_lowercase();
    // The library reads an upload by its file's extension.
    let ext = match format.as_str() {
        "tmx" | "tsv" => format.clone(),
        "xliff" => "xlf".to_string(),
        _ => return Err(ApiError::bad_request("format must be tmx, xliff or tsv")),
    };
    // TMX and TSV are streamed; an XLIFF file is read whole into memory.
    let limit = match format.as_str() {
        "xliff" => state.options.max_upload.min(state.options.max_xliff_upload),
        _ => state.options.max_upload,
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    if !tm.is_store() {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "this memory is served from files: only a store takes imports",
        ));
    }
    let policy = match p
        .policy
        .as_deref()
        .filter(|f| !f.is_empty())
        .unwrap_or("add")
    {
        "newest" => DuplicatePolicy::Newest,
        "add" => DuplicatePolicy::Add,
        "keep" => DuplicatePolicy::Keep,
        "overwrite" => DuplicatePolicy::Overwrite,
        other => {
            return Err(ApiError::bad_request(format!(
                "policy '{other}': expected newest, add, keep or overwrite"
            )));
        }
    };
    // Languages given are checked whatever the format (an empty one is none).
    let given = |v: &Option<String>, what| {
        v.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| super::lang(Some(v), what))
            .transpose()
    };
    let tsv_pair = match (given(&p.src, "src")?, given(&p.tgt, "tgt")?) {
        (Some(s), Some(t)) => Some(LanguagePair::new(s, t)),
        // One of the two alone would start a job that can only fail.
        _ if format == "tsv" => {
            return Err(ApiError::bad_request("a TSV upload needs src and tgt"));
        }
        // The library takes XLIFF languages as a pair: one alone would be
        // dropped, and the job would fail on a file that does not declare it.
        (Some(_), None) | (None, Some(_)) if format == "xliff" => {
            return Err(ApiError::bad_request(
                "an XLIFF upload takes both query parameters src and tgt (the languages \
                 of sources and targets when the file does not declare them) or neither",
            ));
        }
        _ => None,
    };
    let options = ImportOptions {
        policy,
        project: p.project,
        client: p.client,
        domain: p.domain,
        tsv_pair,
        batch: 0,
    };
    // The upload goes to a file of ours, named by us: nothing of the
    // request names a path.
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join(format!("upload.{ext}"));
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(ApiError::internal)?;
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("reading the upload: {e}")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large(limit));
        }
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.flush().await.map_err(ApiError::internal)?;
    drop(file);
    // The description says so (`minLength`).
    if size == 0 {
        return Err(ApiError::bad_request("the upload is empty"));
    }
    let given = p.name.as_deref().map(label).filter(|n| !n.is_empty());
    let job_tm = tm.clone();
    let id = state
        .jobs
        .start("import", &tm_name, size, move |job| {
            let _keep = &dir;
            let name = given.unwrap_or_else(|| format!("upload-{}.{ext}", job.id()));
            let outcome = job_tm.write(|store| {
                let report = import_named(store, &path, &name, &options, &mut |n| job.progress(n))?;
                let ids = report.ids.clone();
                Ok((report, ids))
            });
            match outcome {
                Ok(report) => {
                    if report.replaced > 0 {
                        job_tm.rebase_all();
                    }
                    Ok(ImportResult {
                        added: report.added,
                        duplicates: report.duplicates,
                        conflicts: report.conflicts,
                        replaced: report.replaced,
                        lost: report.lost.iter().map(|n| as_uploaded(n, &path)).collect(),
                    })
                }
                Err(e) => Err(ApiError::from_library(e, Some(&path)).message),
            }
        })
        .map_err(ApiError::internal)?;
    let status = format!("/v1/jobs/{id}");
    let mut r = (
        StatusCode::ACCEPTED,
        Json(JobStarted {
            job: id,
            status: status.clone(),
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&status) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// A job's progress and outcome.
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "import",
    params(("id" = u64, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobStatus),
        (status = 400, description = "Malformed id", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such job", body = crate::serve::error::ErrorBody)))]
pub async fn job(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<JobStatus>, ApiError> {
    state
        .jobs
        .get(id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no job {id}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn notices_name_the_upload_not_the_server_path() {
        let path = std::path::Path::new("/tmp/.tmpX/upload.tmx");
        assert_eq!(
            super::as_uploaded("/tmp/.tmpX/upload.tmx:4:35: lost", path),
            "upload:4:35: lost"
        );
    }

    #[test]
    fn names_become_labels_without_folders() {
        assert_eq!(super::label("../../etc/passwd"), "passwd");
        assert_eq!(super::label("C:\\tm\\team memory.tmx"), "teammemory.tmx");
        assert_eq!(super::label(".hidden"), "hidden");
    }
}
