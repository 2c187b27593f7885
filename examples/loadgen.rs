//! An HTTP/1.1 load generator for `tmkit serve` (and, with the same
//! queries, for other memory servers), used by `bench/server.sh`.
//!
//! Each of `--connections` threads keeps one keep-alive connection to a
//! loopback address until `--seconds` have passed. Two modes:
//! - closed loop (the default): each connection sends its next request as
//!   soon as the previous answer is in, so the run measures the most the
//!   server answers; latency is send to last byte of the body;
//! - open loop, `--rate R` (as wrk2 does): the connections together send R
//!   requests a second on a fixed schedule, each connection every
//!   `connections / R` s, and latency is measured from the time a request
//!   *should* have been sent. A request that waits for a slow answer ahead
//!   of it on its connection counts that wait, so a stall is not hidden by
//!   the sender slowing down (coordinated omission); `service_*` gives the
//!   time from the actual send as well.
//!
//! Lookups cycle through `--queries` (one query a line, every thread starting
//! at a different line). With `--add-every N`, every Nth request of a thread
//! is instead a `POST` of a new unit whose source is unique to the run; the
//! sources of the adds the server accepted are written to `--add-log`, so the
//! caller can check afterwards that each one is in the store. With
//! `--delete-added`, the request after each accepted add deletes the units
//! it added, so the memory ends as it began (a run that must leave the
//! server's memory use flat); a delete is a request of its own (in open
//! loop it takes its own slot of the schedule), and `--add-log` then lists
//! only the sources still in the store (an add the run ended before
//! deleting, or whose delete failed).
//!
//! ```sh
//! cargo run --release --example loadgen -- --addr 127.0.0.1:8765 --connections 16 --seconds 30 \
//!   --queries queries.txt --get '/v1/tms/default/lookup?src=en&tgt=fr&min=50&max=5&q={q}'
//! cargo run --release --example loadgen -- --addr 127.0.0.1:8765 --connections 16 --seconds 30 \
//!   --rate 2000 --queries queries.txt --get '/v1/tms/default/lookup?src=en&tgt=fr&q={q}'
//! ```
//!
//! Prints one JSON object: requests, rps, latency percentiles in ms,
//! errors (connection or protocol failures) and non-2xx answers; with
//! `--rate`, the rate asked and how many requests were sent late.
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
    /// Open loop: requests a second, all connections together.
    rate: Option<f64>,
    queries: PathBuf,
    get: String,
    add_every: usize,
    add_path: String,
    add_src: String,
    add_tgt: String,
    token: Option<String>,
    add_log: Option<PathBuf>,
    tag: String,
    delete_added: bool,
}

fn usage(msg: &str) -> ! {
    eprintln!("loadgen: {msg}");
    eprintln!(
        "usage: loadgen --addr HOST:PORT --queries FILE --get PATH_WITH_{{q}} [--connections 16] \
         [--seconds 10] [--rate REQ_PER_S] [--add-every N --add-path PATH --token T --add-log FILE --tag TAG \
         --src en --tgt fr [--delete-added]]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: String::new(),
        connections: 16,
        seconds: 10.0,
        rate: None,
        queries: PathBuf::new(),
        get: String::new(),
        add_every: 0,
        add_path: "/v1/tms/default/units".into(),
        add_src: "en".into(),
        add_tgt: "fr".into(),
        token: None,
        add_log: None,
        tag: format!("loadgen{}", std::process::id()),
        delete_added: false,
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
            "--rate" => {
                let r: f64 = value().parse().unwrap_or_else(|_| usage("--rate"));
                if !(r > 0.0 && r.is_finite()) {
                    usage("--rate must be a positive number of requests a second");
                }
                args.rate = Some(r);
            }
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
            "--delete-added" => args.delete_added = true,
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
    /// Per answered request: from the intended send time (open loop) or
    /// the send (closed loop) to the last byte of the answer.
    latencies_us: Vec<u32>,
    /// Per answered request: from the actual send to the last byte.
    service_us: Vec<u32>,
    /// Open loop: requests sent more than 1 ms after their intended time.
    late: u64,
    errors: u64,
    non_2xx: u64,
    statuses: std::collections::BTreeMap<u16, u64>,
    adds: u64,
    /// Adds the server accepted, and the units they made.
    adds_ok: u64,
    units_added: u64,
    /// Sources of the accepted adds still in the store (not deleted).
    added: Vec<String>,
    deletes: u64,
    deletes_ok: u64,
}

struct Conn {
    addr: String,
    reader: Option<BufReader<TcpStream>>,
    /// Reused for the status and header lines.
    line: Vec<u8>,
    /// Reused for the body (read whole, then dropped).
    body: Vec<u8>,
}

impl Conn {
    fn stream(&mut self) -> std::io::Result<&mut BufReader<TcpStream>> {
        if self.reader.is_none() {
            let s = TcpStream::connect(&self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            self.reader = Some(BufReader::with_capacity(64 << 10, s));
        }
        Ok(self.reader.as_mut().unwrap())
    }

    /// Sends one request and reads the whole answer: its status (the body
    /// is left in `self.body`).
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<u16> {
        let result = self.try_exchange(request);
        if result.is_err() {
            self.reader = None; // reconnect next time
        }
        result
    }

    fn read_line(&mut self) -> std::io::Result<usize> {
        self.line.clear();
        let r = self.reader.as_mut().unwrap();
        r.read_until(b'\n', &mut self.line)
    }

    fn try_exchange(&mut self, request: &[u8]) -> std::io::Result<u16> {
        self.stream()?.get_mut().write_all(request)?;
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        self.read_line()?;
        let status: u16 = std::str::from_utf8(&self.line)
            .ok()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            if self.read_line()? == 0 {
                return Err(bad("connection closed in the headers"));
            }
            let l = self.line.trim_ascii_end();
            if l.is_empty() {
                break;
            }
            let colon = l
                .iter()
                .position(|&b| b == b':')
                .ok_or_else(|| bad("bad header"))?;
            let (name, value) = (&l[..colon], l[colon + 1..].trim_ascii());
            if name.eq_ignore_ascii_case(b"content-length") {
                length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
            } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
                chunked = value
                    .to_ascii_lowercase()
                    .windows(7)
                    .any(|w| w == b"chunked");
            } else if name.eq_ignore_ascii_case(b"connection") {
                close = value.eq_ignore_ascii_case(b"close");
            }
        }
        self.body.clear();
        // No body, whatever the headers say (a 204 has no Content-Length).
        if status == 204 || status == 304 || (100..200).contains(&status) {
            return Ok(status);
        }
        if chunked {
            loop {
                self.read_line()?;
                let size = std::str::from_utf8(&self.line)
                    .ok()
                    .and_then(|l| usize::from_str_radix(l.trim().split(';').next()?, 16).ok())
                    .ok_or_else(|| bad("bad chunk size"))?;
                let start = self.body.len();
                self.body.resize(start + size, 0);
                let r = self.reader.as_mut().unwrap();
                r.read_exact(&mut self.body[start..])?;
                self.read_line()?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            self.body.resize(n, 0);
            let r = self.reader.as_mut().unwrap();
            r.read_exact(&mut self.body)?;
        } else {
            let r = self.reader.as_mut().unwrap();
            r.read_to_end(&mut self.body)?;
            close = true;
        }
        if close {
            self.reader = None;
        }
        Ok(status)
    }
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// Each connection sends its share of the requests: the whole loop runs in
/// one thread per connection, requests prepared before the clock starts so
/// the generator spends its CPU on the exchange, not on formatting.
fn run_connection(
    id: usize,
    args: &Args,
    lookups: &[Vec<u8>],
    queries: &[String],
    start: Instant,
    deadline: Instant,
) -> Tally {
    let mut conn = Conn {
        addr: args.addr.clone(),
        reader: None,
        line: Vec::with_capacity(256),
        body: Vec::with_capacity(16 << 10),
    };
    let mut tally = Tally::default();
    let host = &args.addr;
    let auth = args
        .token
        .as_ref()
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    // Open loop: this connection's requests are `interval` apart, the
    // connections' schedules interleaved so the total rate is even.
    let interval = args
        .rate
        .map(|r| Duration::from_secs_f64(args.connections as f64 / r));
    let offset = args
        .rate
        .map_or(Duration::ZERO, |r| Duration::from_secs_f64(id as f64 / r));
    // Threads start far apart in the query list so they do not ask the same.
    let mut next = id * queries.len() / args.connections.max(1);
    // Lookups and adds sent (every `add_every`-th is an add).
    let mut n = 0usize;
    // Requests sent, deletes included: each takes a slot of the schedule.
    let mut slot = 0u32;
    // The last accepted add's source and the units it made still to delete
    // (`--delete-added`); the source goes to the log unless all are deleted.
    let mut pending: Option<(String, Vec<i64>)> = None;
    loop {
        let intended = match interval {
            Some(every) => start + offset + every * slot,
            None => Instant::now(),
        };
        if intended >= deadline {
            break;
        }
        slot += 1;
        if interval.is_some() {
            let now = Instant::now();
            if intended > now {
                std::thread::sleep(intended - now);
            } else if now - intended > Duration::from_millis(1) {
                tally.late += 1;
            }
        }
        let mut source = None;
        let added_request;
        let deleting = pending.as_ref().and_then(|(_, ids)| ids.first().copied());
        let mut add = false;
        let request: &[u8] = if let Some(unit) = deleting {
            // One unit per add (its source is new); any others go by the
            // following requests.
            added_request = format!(
                "DELETE {}/{unit} HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n",
                args.add_path
            );
            added_request.as_bytes()
        } else {
            n += 1;
            add = args.add_every > 0 && n.is_multiple_of(args.add_every);
            let i = next % queries.len();
            next += 1;
            if add {
                let q = &queries[i];
                let s = format!("{q} ({} {id}-{n})", args.tag);
                let body = serde_json::json!({
                    "src": args.add_src,
                    "tgt": args.add_tgt,
                    "source": s,
                    "target": format!("{q} [{} {id}-{n}]", args.tag),
                })
                .to_string();
                source = Some(s);
                added_request = format!(
                    "POST {} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                    args.add_path,
                    body.len()
                );
                added_request.as_bytes()
            } else {
                &lookups[i]
            }
        };
        let sent = Instant::now();
        let result = conn.exchange(request);
        let done = Instant::now();
        if add {
            tally.adds += 1;
        }
        if deleting.is_some() {
            tally.deletes += 1;
        }
        let ok = match result {
            Ok(status) => {
                tally.latencies_us.push(micros(done - intended.min(sent)));
                tally.service_us.push(micros(done - sent));
                *tally.statuses.entry(status).or_default() += 1;
                if !(200..300).contains(&status) {
                    tally.non_2xx += 1;
                }
                (200..300).contains(&status)
            }
            Err(_) => {
                tally.errors += 1;
                false
            }
        };
        if deleting.is_some() {
            let Some((s, mut ids)) = pending.take() else {
                unreachable!("a delete has its pending add")
            };
            if ok {
                tally.deletes_ok += 1;
                ids.remove(0);
                if ids.is_empty() {
                    continue; // all gone: not in the store afterwards
                }
                pending = Some((s, ids));
            } else {
                // Still in the store: the log says so; no retry.
                tally.added.push(s);
            }
        } else if let (true, Some(s)) = (ok, source) {
            let ids: Vec<i64> = serde_json::from_slice::<serde_json::Value>(&conn.body)
                .ok()
                .and_then(|v| {
                    v["ids"]
                        .as_array()
                        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
                })
                .unwrap_or_default();
            tally.adds_ok += 1;
            tally.units_added += ids.len() as u64;
            if args.delete_added && !ids.is_empty() {
                pending = Some((s, ids));
            } else {
                tally.added.push(s);
            }
        }
    }
    // The run ended before the last add's units were all deleted.
    if let Some((s, _)) = pending {
        tally.added.push(s);
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
    let lookups: Arc<Vec<Vec<u8>>> = Arc::new(
        queries
            .iter()
            .map(|q| {
                let path = args.get.replace("{q}", &encode(q));
                format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", args.addr).into_bytes()
            })
            .collect(),
    );
    // Threads start together a little after they are made.
    let start = Instant::now() + Duration::from_millis(20);
    let deadline = start + Duration::from_secs_f64(args.seconds);
    let handles: Vec<_> = (0..args.connections)
        .map(|id| {
            let (args, queries, lookups) = (
                Arc::clone(&args),
                Arc::clone(&queries),
                Arc::clone(&lookups),
            );
            std::thread::spawn(move || {
                if let Some(wait) = start.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                run_connection(id, &args, &lookups, &queries, start, deadline)
            })
        })
        .collect();
    let mut all = Tally::default();
    for h in handles {
        let t = h.join().expect("a load thread panicked");
        all.latencies_us.extend(t.latencies_us);
        all.service_us.extend(t.service_us);
        all.late += t.late;
        all.errors += t.errors;
        all.non_2xx += t.non_2xx;
        all.adds += t.adds;
        all.adds_ok += t.adds_ok;
        all.units_added += t.units_added;
        all.added.extend(t.added);
        all.deletes += t.deletes;
        all.deletes_ok += t.deletes_ok;
        for (s, c) in t.statuses {
            *all.statuses.entry(s).or_default() += c;
        }
    }
    let elapsed = Instant::now()
        .saturating_duration_since(start)
        .as_secs_f64();
    all.latencies_us.sort_unstable();
    all.service_us.sort_unstable();
    if let Some(path) = &args.add_log {
        let log: String = all.added.iter().map(|s| format!("{s}\n")).collect();
        std::fs::write(path, log).unwrap_or_else(|e| usage(&format!("{}: {e}", path.display())));
    }
    let done = all.latencies_us.len();
    let mut report = serde_json::json!({
        "mode": if args.rate.is_some() { "open loop" } else { "closed loop" },
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
        "adds_accepted": all.adds_ok,
        "units_added": all.units_added,
        // Sources of accepted adds still in the store (what --add-log lists).
        "adds_kept": all.added.len(),
    });
    if args.delete_added {
        report["deletes_sent"] = all.deletes.into();
        report["deletes_accepted"] = all.deletes_ok.into();
    }
    // The store's unit count moves by this much over the run.
    report["units_net"] = (all.units_added as i64 - all.deletes_ok as i64).into();
    if let Some(rate) = args.rate {
        report["rate"] = rate.into();
        report["late_sends"] = all.late.into();
        report["service_p50_ms"] = percentile(&all.service_us, 50.0).into();
        report["service_p99_ms"] = percentile(&all.service_us, 99.0).into();
    }
    println!("{report}");
}
