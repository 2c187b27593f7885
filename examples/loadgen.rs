//! A closed-loop HTTP/1.1 load generator for `tmkit serve` (and, with the
//! same queries, for other memory servers), used by `bench/server.sh`.
//!
//! Each of `--connections` threads keeps one keep-alive connection to a
//! loopback address and sends requests back to back until `--seconds` have
//! passed, recording each request's latency (send to last byte of the body).
//! Lookups cycle through `--queries` (one query a line, every thread starting
//! at a different line). With `--add-every N`, every Nth request of a thread
//! is instead a `POST` of a new unit whose source is unique to the run; the
//! sources of the adds the server accepted are written to `--add-log`, so the
//! caller can check afterwards that each one is in the store.
//!
//! ```sh
//! cargo run --release --example loadgen -- --addr 127.0.0.1:8765 --connections 16 --seconds 30 \
//!   --queries queries.txt --get '/v1/tms/default/lookup?src=en&tgt=fr&min=50&max=5&q={q}'
//! ```
//!
//! Prints one JSON object: requests, rps, latency percentiles in ms,
//! errors (connection or protocol failures) and non-2xx answers.
//! Only the standard library and serde_json: nothing to install.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    addr: String,
    connections: usize,
    seconds: f64,
    queries: PathBuf,
    get: String,
    add_every: usize,
    add_path: String,
    add_src: String,
    add_tgt: String,
    token: Option<String>,
    add_log: Option<PathBuf>,
    tag: String,
}

fn usage(msg: &str) -> ! {
    eprintln!("loadgen: {msg}");
    eprintln!(
        "usage: loadgen --addr HOST:PORT --queries FILE --get PATH_WITH_{{q}} [--connections 16] \
         [--seconds 10] [--add-every N --add-path PATH --token T --add-log FILE --tag TAG \
         --src en --tgt fr]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: String::new(),
        connections: 16,
        seconds: 10.0,
        queries: PathBuf::new(),
        get: String::new(),
        add_every: 0,
        add_path: "/v1/tms/default/units".into(),
        add_src: "en".into(),
        add_tgt: "fr".into(),
        token: None,
        add_log: None,
        tag: format!("loadgen{}", std::process::id()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--addr" => args.addr = value(),
            "--connections" => {
                args.connections = value().parse().unwrap_or_else(|_| usage("--connections"))
            }
            "--seconds" => args.seconds = value().parse().unwrap_or_else(|_| usage("--seconds")),
            "--queries" => args.queries = value().into(),
            "--get" => args.get = value(),
            "--add-every" => {
                args.add_every = value().parse().unwrap_or_else(|_| usage("--add-every"))
            }
            "--add-path" => args.add_path = value(),
            "--src" => args.add_src = value(),
            "--tgt" => args.add_tgt = value(),
            "--token" => args.token = Some(value()),
            "--add-log" => args.add_log = Some(value().into()),
            "--tag" => args.tag = value(),
            _ => usage(&format!("unknown argument {flag}")),
        }
    }
    if args.addr.is_empty() || args.get.is_empty() || args.queries.as_os_str().is_empty() {
        usage("--addr, --queries and --get are required");
    }
    if args.connections == 0 {
        usage("--connections must be at least 1");
    }
    args
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so a
/// query fits a query string and a path segment alike.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What one connection did.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    non_2xx: u64,
    statuses: std::collections::BTreeMap<u16, u64>,
    adds: u64,
    added: Vec<String>,
}

struct Conn {
    addr: String,
    reader: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn stream(&mut self) -> std::io::Result<&mut BufReader<TcpStream>> {
        if self.reader.is_none() {
            let s = TcpStream::connect(&self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            self.reader = Some(BufReader::new(s));
        }
        Ok(self.reader.as_mut().unwrap())
    }

    /// Sends one request and reads the whole answer: (status, body).
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        let result = self.try_exchange(request);
        if result.is_err() {
            self.reader = None; // reconnect next time
        }
        result
    }

    fn try_exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        let r = self.stream()?;
        r.get_mut().write_all(request)?;
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        let mut line = String::new();
        r.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            if r.read_line(&mut line)? == 0 {
                return Err(bad("connection closed in the headers"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (name, value) = l.split_once(':').ok_or_else(|| bad("bad header"))?;
            let (name, value) = (name.to_ascii_lowercase(), value.trim().to_ascii_lowercase());
            match name.as_str() {
                "content-length" => length = value.parse().ok(),
                "transfer-encoding" => chunked = value.contains("chunked"),
                "connection" => close = value == "close",
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                r.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| bad("bad chunk size"))?;
                let start = body.len();
                body.resize(start + size, 0);
                r.read_exact(&mut body[start..])?;
                line.clear();
                r.read_line(&mut line)?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            r.read_exact(&mut body)?;
        } else {
            r.read_to_end(&mut body)?;
            close = true;
        }
        if close {
            self.reader = None;
        }
        Ok((status, body))
    }
}

fn run_connection(id: usize, args: &Args, queries: &[String], deadline: Instant) -> Tally {
    let mut conn = Conn {
        addr: args.addr.clone(),
        reader: None,
    };
    let mut tally = Tally::default();
    let host = &args.addr;
    let auth = args
        .token
        .as_ref()
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    // Threads start far apart in the query list so they do not ask the same.
    let mut next = id * queries.len() / args.connections.max(1);
    let mut n = 0usize;
    while Instant::now() < deadline {
        let q = &queries[next % queries.len()];
        next += 1;
        n += 1;
        let add = args.add_every > 0 && n.is_multiple_of(args.add_every);
        let (request, source) = if add {
            let source = format!("{q} ({} {id}-{n})", args.tag);
            let body = serde_json::json!({
                "src": args.add_src,
                "tgt": args.add_tgt,
                "source": source,
                "target": format!("{q} [{} {id}-{n}]", args.tag),
            })
            .to_string();
            let req = format!(
                "POST {} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                args.add_path,
                body.len()
            );
            (req, Some(source))
        } else {
            let path = args.get.replace("{q}", &encode(q));
            (format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"), None)
        };
        let t0 = Instant::now();
        let result = conn.exchange(request.as_bytes());
        let us = t0.elapsed().as_micros().min(u32::MAX as u128) as u32;
        if add {
            tally.adds += 1;
        }
        match result {
            Ok((status, _body)) => {
                tally.latencies_us.push(us);
                *tally.statuses.entry(status).or_default() += 1;
                if !(200..300).contains(&status) {
                    tally.non_2xx += 1;
                } else if let Some(s) = source {
                    tally.added.push(s);
                }
            }
            Err(_) => tally.errors += 1,
        }
    }
    tally
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn main() {
    let args = Arc::new(parse_args());
    let text = std::fs::read_to_string(&args.queries)
        .unwrap_or_else(|e| usage(&format!("{}: {e}", args.queries.display())));
    let queries: Arc<Vec<String>> = Arc::new(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    );
    if queries.is_empty() {
        usage("the queries file is empty");
    }
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.seconds);
    let handles: Vec<_> = (0..args.connections)
        .map(|id| {
            let (args, queries) = (Arc::clone(&args), Arc::clone(&queries));
            std::thread::spawn(move || run_connection(id, &args, &queries, deadline))
        })
        .collect();
    let mut all = Tally::default();
    for h in handles {
        let t = h.join().expect("a load thread panicked");
        all.latencies_us.extend(t.latencies_us);
        all.errors += t.errors;
        all.non_2xx += t.non_2xx;
        all.adds += t.adds;
        all.added.extend(t.added);
        for (s, c) in t.statuses {
            *all.statuses.entry(s).or_default() += c;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    if let Some(path) = &args.add_log {
        let mut log = all.added.join("\n");
        log.push('\n');
        std::fs::write(path, log).unwrap_or_else(|e| usage(&format!("{}: {e}", path.display())));
    }
    let done = all.latencies_us.len();
    let report = serde_json::json!({
        "connections": args.connections,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "requests": done,
        "rps": (done as f64 / elapsed).round(),
        "p50_ms": percentile(&all.latencies_us, 50.0),
        "p90_ms": percentile(&all.latencies_us, 90.0),
        "p99_ms": percentile(&all.latencies_us, 99.0),
        "max_ms": percentile(&all.latencies_us, 100.0),
        "errors": all.errors,
        "non_2xx": all.non_2xx,
        "statuses": all.statuses,
        "adds_sent": all.adds,
        "adds_accepted": all.added.len(),
    });
    println!("{report}");
}
