//! `tmkit serve`: translation memories over HTTP, for CAT tools, scripts and
//! a browser.
//!
//! - [`Server::open`] opens the memories (`[NAME=]STORE`, see [`TmSpec`]);
//!   [`Server::router`] gives the axum [`Router`] an embedder can mount, and
//!   [`Server::run`] serves it on a listener until a shutdown future ends,
//!   letting in-flight requests finish and closing the stores.
//! - The native API is under `/v1` (one file per resource in [`routes`]),
//!   described by an OpenAPI 3 document generated from the route code
//!   ([`openapi::document`], served at `/v1/openapi.json`); compatibility
//!   routes speak the amaGama/tmserver and Apertium-APy dialects.
//! - Security: every write needs the bearer token ([`ServeOptions::token`],
//!   compared in constant time) and is refused on a read-only server; request
//!   bodies, uploads and URIs are bounded; no request names a file; CORS only
//!   for the configured origin; errors are JSON and never show server paths.
//! - Speed: lookups run on blocking threads over a fuzzy index shared
//!   read-only by all of them; writes are serialised and reach the index
//!   incrementally (see [`state`]).
//!
//! ```no_run
//! # async fn demo() -> tmkit::Result<()> {
//! use tmkit::serve::{ServeOptions, Server, TmSpec};
//! let server = Server::open(&["team=team.tmdb".parse()?], ServeOptions::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8765").await.map_err(|e| tmkit::Error::Usage(e.to_string()))?;
//! server.run(listener, std::future::pending()).await.map_err(|e| tmkit::Error::Usage(e.to_string()))?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;

use crate::error::{Error, Result};

mod delta;
pub mod error;
pub mod jobs;
pub mod openapi;
pub mod routes;
pub mod state;

pub use error::ApiError;
pub use state::{ServedTm, Source};

/// A memory to serve: `NAME=STORE`, or `STORE` alone (named `default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmSpec {
    /// The name in URLs (`/v1/tms/NAME/...`).
    pub name: String,
    /// What `--tm` names: a store (`team.tmdb`, `postgres://…`) or memory files.
    pub spec: String,
}

impl FromStr for TmSpec {
    type Err = Error;

    /// `team=team.tmdb` → (`team`, `team.tmdb`); `team.tmdb` → (`default`,
    /// `team.tmdb`). A URI's own `=` (`postgres://…?password=x`) is not a name.
    ///
    /// ```
    /// use tmkit::serve::TmSpec;
    /// let t: TmSpec = "news=postgres://u@db/tm?sslmode=disable".parse().unwrap();
    /// assert_eq!((t.name.as_str(), t.spec.as_str()), ("news", "postgres://u@db/tm?sslmode=disable"));
    /// let t: TmSpec = "postgres://u@db/tm?password=x".parse().unwrap();
    /// assert_eq!(t.name, "default");
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        if let Some((name, spec)) = s.split_once('=')
            && !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            if spec.is_empty() {
                return Err(Error::Usage(format!("--tm {s}: no store after '='")));
            }
            return Ok(TmSpec {
                name: name.to_string(),
                spec: spec.to_string(),
            });
        }
        if s.is_empty() {
            return Err(Error::Usage("--tm: empty".into()));
        }
        Ok(TmSpec {
            name: "default".into(),
            spec: s.to_string(),
        })
    }
}

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The bearer token every write must carry; `None`: writes are refused.
    pub token: Option<String>,
    /// Refuse every write (403).
    pub read_only: bool,
    /// The one origin browsers may call the API from (`*` for any); `None`: no CORS.
    pub cors: Option<String>,
    /// Largest request body, in bytes (JSON, documents), else 413.
    pub max_body: usize,
    /// Largest upload to import, in bytes, else 413.
    pub max_upload: u64,
    /// Largest XLIFF upload to import, in bytes, else 413 (an XLIFF file is
    /// read whole into memory; the lower of this and `max_upload` applies).
    pub max_xliff_upload: u64,
    /// Longest request target (path and query), in bytes, else 414.
    pub max_uri: usize,
    /// Log one line per request on stderr.
    pub log: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            token: None,
            read_only: false,
            cors: None,
            max_body: 8 << 20,
            max_upload: 1 << 30,
            max_xliff_upload: 64 << 20,
            max_uri: 8 << 10,
            log: true,
        }
    }
}

/// What every request handler sees.
pub struct AppState {
    /// The memories, in the order given.
    pub tms: Vec<Arc<ServedTm>>,
    /// The options.
    pub options: ServeOptions,
    /// Background jobs (imports).
    pub jobs: jobs::Jobs,
}

impl AppState {
    /// The memory named `name` (404 otherwise).
    pub fn tm(&self, name: &str) -> std::result::Result<Arc<ServedTm>, ApiError> {
        self.tms
            .iter()
            .find(|t| t.name() == name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("no memory named '{name}'")))
    }

    /// The memory the compatibility routes serve: `default`, else the first.
    pub fn default_tm(&self) -> Arc<ServedTm> {
        self.tms
            .iter()
            .find(|t| t.name() == "default")
            .unwrap_or(&self.tms[0])
            .clone()
    }
}

/// The shared state, as handlers take it.
pub type Shared = Arc<AppState>;

/// A server over some memories.
pub struct Server {
    state: Shared,
}

impl Server {
    /// Opens the memories (checking each store now; fuzzy indexes load on
    /// a pair's first lookup). Names must be distinct.
    pub fn open(tms: &[TmSpec], options: ServeOptions) -> Result<Server> {
        if tms.is_empty() {
            return Err(Error::Usage("no memory to serve (--tm)".into()));
        }
        let mut served: Vec<Arc<ServedTm>> = Vec::new();
        for t in tms {
            if served.iter().any(|s| s.name() == t.name) {
                return Err(Error::Usage(format!(
                    "two memories named '{}': name them (--tm NAME=STORE)",
                    t.name
                )));
            }
            served.push(Arc::new(ServedTm::open(&t.name, Source::of_spec(&t.spec))?));
        }
        // Start counting each store's units now: a listing that comes while
        // the count runs waits for it, one after it is answered at once.
        for tm in served.iter().filter(|t| t.is_store()) {
            let tm = tm.clone();
            let _ = std::thread::Builder::new()
                .name("tmkit-stats".into())
                .spawn(move || {
                    if let Err(e) = tm.stats() {
                        crate::diag!(
                            "tmkit serve: counting the units of '{}' failed: {e}",
                            tm.name()
                        );
                    }
                });
        }
        Ok(Server {
            state: Arc::new(AppState {
                tms: served,
                options,
                jobs: jobs::Jobs::default(),
            }),
        })
    }

    /// The state handlers share.
    pub fn state(&self) -> &Shared {
        &self.state
    }

    /// Opens the index of `src`→`tgt` for every memory that holds that
    /// pair now (blocking), so the first lookups do not wait for it.
    pub fn preload(&self, src: &str, tgt: &str) -> Result<()> {
        let (src, tgt) = (src.parse()?, tgt.parse()?);
        for tm in &self.state.tms {
            tm.pair(&src, &tgt)?;
        }
        Ok(())
    }

    /// The routes, with the middleware (limits, CORS, logging, JSON errors).
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serves until `shutdown` completes, then lets in-flight requests and
    /// running jobs finish before returning (the stores close when the
    /// server is dropped).
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        let jobs = self.state.jobs.clone();
        tokio::task::spawn_blocking(move || jobs.wait_all())
            .await
            .map_err(std::io::Error::other)?;
        if self.state.options.log {
            // What the writes since start cost in memory (bench/server.sh
            // compares it with the growth of the process).
            for tm in &self.state.tms {
                for (pair, changes, bytes) in tm.change_levels() {
                    crate::diag!(
                        "tmkit serve: {} {pair}: {changes} changes held in the change levels, {} KB",
                        tm.name(),
                        bytes / 1024
                    );
                }
            }
        }
        Ok(())
    }
}

/// The routes over `state`, with the middleware.
pub fn router(state: Shared) -> Router {
    let max_body = state.options.max_body;
    routes::routes()
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Every request: the URI bound (414), CORS, JSON for error answers that
/// have no body of their own (405, 413 from the body limit), one log line.
async fn guard(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let origin = req.headers().get(header::ORIGIN).cloned();
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let mut response = if uri_len > state.options.max_uri {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "the request target is longer than {} bytes",
                state.options.max_uri
            ),
        )
        .into_response()
    } else if method == Method::OPTIONS && cors_allows(&state, origin.as_ref()) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        // A panic in a handler answers 500 rather than dropping the connection.
        match std::panic::AssertUnwindSafe(next.run(req))
            .catch_unwind()
            .await
        {
            Ok(r) => r,
            Err(_) => {
                ApiError::internal(format!("a handler panicked on {method} {path}")).into_response()
            }
        }
    };
    if response.status().as_u16() >= 400
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|ct| !ct.as_bytes().starts_with(b"application/json"))
    {
        let status = response.status();
        let message = match status {
            StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this path".to_string(),
            StatusCode::PAYLOAD_TOO_LARGE => format!(
                "the request body is larger than {} bytes",
                state.options.max_body
            ),
            s => s.canonical_reason().unwrap_or("error").to_lowercase(),
        };
        let mut fresh = ApiError::new(status, message).into_response();
        if let Some(allow) = response.headers().get(header::ALLOW) {
            fresh.headers_mut().insert(header::ALLOW, allow.clone());
        }
        response = fresh;
    }
    if cors_allows(&state, origin.as_ref())
        && let Some(origin) = origin
    {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, If-None-Match"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Location"),
        );
    }
    if state.options.log {
        log_line(peer, &method, &path, response.status(), started);
    }
    response
}

/// Writes one request's log line to stderr in a single `write`: stderr is
/// unbuffered, and `eprintln!` issues one system call per formatted piece
/// (about ten a line), which under load cost more than routing the request.
fn log_line(
    peer: Option<std::net::IpAddr>,
    method: &Method,
    path: &str,
    status: StatusCode,
    started: Instant,
) {
    use std::fmt::Write as _;
    use std::io::Write as _;
    thread_local! {
        static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    LINE.with_borrow_mut(|line| {
        line.clear();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let _ = match peer {
            Some(ip) => writeln!(line, "{ip} {method} {path} {} {ms:.1}ms", status.as_u16()),
            None => writeln!(line, "- {method} {path} {} {ms:.1}ms", status.as_u16()),
        };
        let _ = std::io::stderr().write_all(line.as_bytes());
    });
}

fn cors_allows(state: &AppState, origin: Option<&HeaderValue>) -> bool {
    match (&state.options.cors, origin) {
        (Some(allowed), Some(origin)) => allowed == "*" || allowed.as_bytes() == origin.as_bytes(),
        _ => false,
    }
}

/// Proof that a request may write: the server is not read-only and the
/// request carries the bearer token. Handlers that change a memory take it.
pub struct WriteAccess;

impl FromRequestParts<Shared> for WriteAccess {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> std::result::Result<Self, Response> {
        if state.options.read_only {
            return Err(
                ApiError::new(StatusCode::FORBIDDEN, "this server is read-only").into_response(),
            );
        }
        let Some(token) = &state.options.token else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "writes are disabled: the server was started without --token-file",
            )
            .into_response());
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match given {
            Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(WriteAccess),
            _ => {
                let mut r = ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "writes need 'Authorization: Bearer <token>' with the server's token",
                )
                .into_response();
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                Err(r)
            }
        }
    }
}

/// Compares in time that depends only on the lengths, so a client cannot
/// find the token byte by byte from response times.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u64;
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= u64::from(std::hint::black_box(x ^ y));
    }
    diff == 0
}

/// Runs blocking work (store reads, matching) off the async runtime.
///
/// Lookups too, short as most are: on a blocking thread the OS shares the
/// cores among the searches in progress, so a rare slow query (tens of ms
/// at 1M segments) does not hold up the quick ones queued behind it on an
/// async worker. Measured open loop at 500 req/s on the loaded 2 cores,
/// searching inline on the workers gave p99 224-545 ms against 26-156 ms
/// here, for about 0.15 ms less CPU per request (docs/PERFORMANCE.md).
pub(crate) async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<R, ApiError> + Send + 'static,
) -> std::result::Result<R, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_equal_only_when_equal() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"s3cret", b"s3cret-and-more"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn tm_specs_take_a_name_or_default() {
        let t: TmSpec = "team=/data/team.tmdb".parse().unwrap();
        assert_eq!(
            (t.name.as_str(), t.spec.as_str()),
            ("team", "/data/team.tmdb")
        );
        let t: TmSpec = "/data/a=b.tmdb".parse().unwrap();
        assert_eq!(
            (t.name.as_str(), t.spec.as_str()),
            ("default", "/data/a=b.tmdb")
        );
        assert!("team=".parse::<TmSpec>().is_err());
    }
}
