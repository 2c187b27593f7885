//! `tmkit serve`: serves memories over HTTP (see [`tmkit::serve`]).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context as _;
use tmkit::serve::{ServeOptions, Server, TmSpec};

use super::common::{self, Context};

const EXAMPLES: &str = "\
Examples:
  tmkit serve --tm team.tmdb
  tmkit serve --tm team=team.tmdb --tm news=postgres://tm@db/news --token-file ~/.tmkit-token
  tmkit serve --tm team.tmdb --bind 0.0.0.0:8765 --read-only --cors https://cat.example.org
  curl 'http://127.0.0.1:8765/v1/tms/default/lookup?src=en&tgt=fr&q=The+port+is+closed.'
  tmkit serve --print-openapi > docs/openapi.json

The address is printed on standard error once the server listens (--bind
127.0.0.1:0 picks a free port). Writes (adding, editing, deleting units,
imports) need --token-file and the header 'Authorization: Bearer TOKEN'.
SIGTERM or Ctrl-C stops accepting connections, lets requests and imports in
progress finish, and closes the stores; a second one ends at once.";

/// Arguments of `tmkit serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// A memory to serve, [NAME=]STORE (a .tmdb file, postgres://..., or memory files,
    /// read-only); repeatable; an unnamed one is 'default'.
    #[arg(
        long = "tm",
        value_name = "[NAME=]STORE",
        required_unless_present = "print_openapi"
    )]
    pub tm: Vec<String>,
    /// Address and port to listen on (loopback by default; 0.0.0.0 opens it to the network).
    #[arg(long, default_value = "127.0.0.1:8765", value_name = "ADDR:PORT")]
    pub bind: SocketAddr,
    /// File holding the bearer token that writes must carry (without it, writes are refused).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Refuse every write (403).
    #[arg(long)]
    pub read_only: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=512))]
    pub threads: Option<u16>,
    /// Let browsers on this origin call the API (e.g. https://cat.example.org, or '*').
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Load the index of a language pair at start (SRC:TGT, e.g. en:fr; repeatable),
    /// rather than on its first lookup.
    #[arg(long, value_name = "SRC:TGT")]
    pub preload: Vec<String>,
    /// Largest request body in bytes (documents, batches); larger ones get 413.
    #[arg(long, default_value_t = 8 << 20, value_name = "BYTES", value_parser = common::count())]
    pub max_body: usize,
    /// Largest import upload in bytes; larger ones get 413.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_upload: u64,
    /// Largest XLIFF import upload in bytes (read whole into memory, unlike
    /// TMX and TSV; default 64 MiB); larger ones get 413.
    #[arg(long, default_value_t = 64 << 20, value_name = "BYTES",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_xliff_upload: u64,
    /// Print the OpenAPI description of the API and exit.
    #[arg(long)]
    pub print_openapi: bool,
}

/// Set while a server runs: the first SIGINT/SIGTERM starts its shutdown.
static SHUTDOWN: Mutex<Option<tokio::sync::oneshot::Sender<()>>> = Mutex::new(None);

/// Called by the process's signal handler: true when a server was running
/// and has begun a graceful shutdown (the process must not exit yet).
pub fn interrupt() -> bool {
    let tx = SHUTDOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    match tx {
        Some(tx) => {
            tmkit::diag!(
                "tmkit serve: shutting down (requests in progress finish; signal again to stop at once)"
            );
            let _ = tx.send(());
            true
        }
        None => false,
    }
}

/// Runs `tmkit serve`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    if args.print_openapi {
        // A closed pipe (`| head`) ends the output quietly, as in every command.
        std::io::stdout()
            .lock()
            .write_all(tmkit::serve::openapi::document().as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let token = match &args.token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| tmkit::Error::io(path, e))?;
            let token = text.trim().to_string();
            if token.is_empty() {
                return Err(common::usage(format!(
                    "{}: the token file is empty",
                    path.display()
                )));
            }
            Some(token)
        }
        None => None,
    };
    let mut preload = Vec::new();
    for p in &args.preload {
        let (s, t) = p
            .split_once(':')
            .ok_or_else(|| common::usage(format!("--preload {p}: expected SRC:TGT, e.g. en:fr")))?;
        preload.push((s.to_string(), t.to_string()));
    }
    let specs = args
        .tm
        .iter()
        .map(|s| s.parse::<TmSpec>())
        .collect::<Result<Vec<_>, _>>()?;
    let options = ServeOptions {
        token,
        read_only: args.read_only,
        cors: args.cors.clone(),
        max_body: args.max_body,
        max_upload: args.max_upload,
        max_xliff_upload: args.max_xliff_upload,
        log: !ctx.quiet,
        ..ServeOptions::default()
    };
    let server = Server::open(&specs, options)?;
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        // Lookups and store work run here: a few more than the cores, so a
        // long export or a write waiting on its lock does not stall lookups.
        .max_blocking_threads(threads + 4)
        .thread_name("tmkit-serve")
        .enable_all()
        .build()
        .context("starting the server's threads")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        *SHUTDOWN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(tx);
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        tmkit::diag!(
            "tmkit serve: listening on http://{addr} (memories: {}; writes {})",
            names.join(", "),
            if args.read_only {
                "refused: read-only"
            } else if args.token_file.is_some() {
                "need the token"
            } else {
                "refused: no --token-file"
            }
        );
        if !preload.is_empty() {
            let state = server.state().clone();
            tokio::task::spawn_blocking(move || {
                for (s, t) in preload {
                    let started = std::time::Instant::now();
                    let result = (|| -> tmkit::Result<()> {
                        let (src, tgt) = (s.parse()?, t.parse()?);
                        for tm in &state.tms {
                            tm.pair(&src, &tgt)?;
                        }
                        Ok(())
                    })();
                    match result {
                        Ok(()) => tmkit::diag!(
                            "tmkit serve: {s}:{t} loaded in {:.2}s",
                            started.elapsed().as_secs_f64()
                        ),
                        Err(e) => tmkit::diag!("tmkit serve: --preload {s}:{t}: {e}"),
                    }
                }
            });
        }
        server
            .run(listener, async {
                let _ = rx.await;
            })
            .await?;
        tmkit::diag!("tmkit serve: stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
