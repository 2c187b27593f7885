//! `tmkit serve`: the real binary on a free port over a real store, spoken to
//! over HTTP.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use support::tmkit;

/// A running server; killed when dropped.
struct Served {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
    _dir: Option<tempfile::TempDir>,
}

impl Served {
    /// Starts `tmkit serve --bind 127.0.0.1:0 ARGS` and waits until it listens.
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tmkit"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on http://") {
                    let addr = line[at + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .to_string();
                    let _ = tx.send(addr);
                }
                lines.lock().unwrap().push(line);
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start: {:?}", log.lock().unwrap());
            }
        };
        Served {
            child,
            base,
            log,
            _dir: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        wait_for(&mut self.child, Duration::from_secs(30))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An HTTP client that returns error statuses as answers.
fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build(),
    )
}

/// An answer: status, headers we look at, body.
struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut r = r.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

fn get(url: &str) -> Answer {
    answer(agent().get(url).call())
}

fn post_json(url: &str, body: &Value, token: Option<&str>) -> Answer {
    let mut req = agent().post(url).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    answer(req.send(body.to_string()))
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A store with the news fixture imported by `tmkit tm import`.
fn news_store(dir: &Path) -> PathBuf {
    let store = dir.join("team.tmdb");
    tmkit()
        .args(["tm", "import", "--tm"])
        .arg(&store)
        .arg(repo("tmx/en-fr.news.tmx"))
        .assert()
        .success();
    store
}

/// The news store served, with a token file (token `s3cret`).
fn serve_news(extra: &[&str]) -> (Served, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = news_store(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let mut args = vec![
        "--tm".to_string(),
        store.display().to_string(),
        "--token-file".to_string(),
        token.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut served = Served::start(&args);
    served._dir = Some(dir);
    (served, store)
}

/// The sources of the news fixture.
fn news_sources() -> Vec<String> {
    let text = std::fs::read_to_string(repo("tmx/en-fr.news.tmx")).unwrap();
    let mut out = Vec::new();
    for tu in text.split("<tu").skip(1) {
        let Some(en) = tu.find("xml:lang=\"en") else {
            continue;
        };
        let seg = &tu[en..];
        let start = seg.find("<seg>").unwrap() + 5;
        let end = seg.find("</seg>").unwrap();
        out.push(seg[start..end].to_string());
    }
    out
}

/// The JSON of `tmkit match --format json` with `ms` removed.
fn without_ms(mut v: Value) -> Value {
    if let Some(items) = v.as_array_mut() {
        for item in items {
            item.as_object_mut().unwrap().remove("ms");
        }
    } else if let Some(o) = v.as_object_mut() {
        o.remove("ms");
    }
    v
}

/// Variants of the fixture's sentences: exact, fuzzy, numbers changed.
fn queries() -> Vec<String> {
    let sources = news_sources();
    let mut q = vec![
        sources[0].clone(),
        sources[1].replace("the", "a"),
        sources[2].to_uppercase(),
        format!("{} today", sources[3]),
        "Nothing like anything in the memory, zebra quartz.".to_string(),
    ];
    q.extend(sources.iter().skip(10).take(5).map(|s| s.replace('.', "")));
    q
}

#[test]
fn lookups_give_what_tmkit_match_gives() {
    let (served, store) = serve_news(&[]);
    let queries = queries();
    // One at a time (GET) against `tmkit match --text`.
    for q in &queries {
        let cli = tmkit()
            .args([
                "match", "--format", "json", "--src", "en", "--tgt", "fr", "--tm",
            ])
            .arg(&store)
            .args(["--min", "40", "--max", "3", "--text", q])
            .output()
            .unwrap();
        assert!(cli.status.success());
        let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
        let url = format!(
            "{}?src=en&tgt=fr&min=40&max=3&q={}",
            served.url("/v1/tms/default/lookup"),
            urlencode(q)
        );
        let a = get(&url);
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(
            without_ms(a.json()),
            without_ms(cli[0].clone()),
            "query {q}"
        );
    }
    // A batch (POST) against `tmkit match --lines` on the same segments,
    // 101% context marks included.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = news_sources()[..6].to_vec();
    lines.extend(queries.clone());
    let file = dir.path().join("job.txt");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let cli = tmkit()
        .args([
            "match", "--format", "json", "--lines", "--src", "en", "--tgt", "fr", "--tm",
        ])
        .arg(&store)
        .arg(&file)
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let a = post_json(
        &served.url("/v1/tms/default/lookup"),
        &json!({"src": "en", "tgt": "fr", "segments": lines}),
        None,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let got = without_ms(a.json());
    assert_eq!(got, without_ms(cli));
    assert!(
        got.as_array()
            .unwrap()
            .iter()
            .any(|r| r["matches"][0]["score"] == 101),
        "the batch has consecutive memory sentences: a 101% match is expected"
    );
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[test]
fn tms_lists_names_pairs_and_counts() {
    let (served, _) = serve_news(&[]);
    let a = get(&served.url("/v1/tms"));
    assert_eq!(a.status, 200);
    let tms = a.json();
    assert_eq!(tms[0]["name"], "default");
    assert_eq!(tms[0]["kind"], "sqlite");
    assert_eq!(tms[0]["writable"], true);
    assert_eq!(tms[0]["units"], 110);
    assert!(
        tms[0]["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["src"] == "en" && p["tgt"] == "fr-FR" && p["units"] == 110)
    );
}

#[test]
fn errors_are_json_and_name_no_server_path() {
    let (served, store) = serve_news(&[]);
    let store_name = store.display().to_string();
    let cases = [
        (
            get(&served.url("/v1/tms/nope/lookup?q=x&src=en&tgt=fr")),
            404,
        ),
        (
            get(&served.url("/v1/tms/default/lookup?src=en&tgt=fr")),
            400,
        ),
        (
            get(&served.url("/v1/tms/default/lookup?q=x&src=en&tgt=fr&max=0")),
            400,
        ),
        (
            get(&served.url("/v1/tms/default/lookup?q=x&src=%%&tgt=fr")),
            400,
        ),
        (
            get(&served.url("/v1/tms/default/lookup?q=x&src=en&tgt=en")),
            400,
        ),
        (get(&served.url("/no/such/route")), 404),
        (
            post_json(
                &served.url("/v1/tms/default/lookup"),
                &json!({"src": 1}),
                None,
            ),
            422,
        ),
        (answer(agent().delete(&served.url("/v1/tms")).call()), 405),
    ];
    for (a, status) in cases {
        assert_eq!(a.status, status, "{}", a.body);
        assert!(
            a.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let v = a.json();
        assert_eq!(v["error"]["status"], status);
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        assert!(!a.body.contains(&store_name), "{}", a.body);
    }
}

#[test]
fn limits_answer_413_and_414() {
    let (served, _) = serve_news(&["--max-body", "10000"]);
    let long = "a".repeat(9000);
    let a = get(&served.url(&format!("/v1/tms/default/lookup?src=en&tgt=fr&q={long}")));
    assert_eq!(a.status, 414, "{}", a.body);
    assert_eq!(a.json()["error"]["status"], 414);
    let big = json!({"src": "en", "tgt": "fr", "segments": ["word ".repeat(3000)]});
    let a = post_json(&served.url("/v1/tms/default/lookup"), &big, None);
    assert_eq!(a.status, 413, "{}", a.body);
    assert_eq!(a.json()["error"]["status"], 413);
}

#[test]
fn openapi_is_served_and_matches_the_checked_in_file() {
    let (served, _) = serve_news(&[]);
    let a = get(&served.url("/v1/openapi.json"));
    assert_eq!(a.status, 200);
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(repo("docs/openapi.json")).unwrap()).unwrap();
    assert_eq!(a.json(), on_disk);
    let printed = tmkit().args(["serve", "--print-openapi"]).output().unwrap();
    assert_eq!(
        String::from_utf8(printed.stdout).unwrap(),
        std::fs::read_to_string(repo("docs/openapi.json")).unwrap()
    );
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    let (mut served, _) = serve_news(&[]);
    let addr = served.base.trim_start_matches("http://").to_string();
    let body = json!({"src": "en", "tgt": "fr", "segments": [news_sources()[0]]}).to_string();
    let mut conn = TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /v1/tms/default/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // Half the body: the request is in flight when the signal comes.
    let (first, rest) = body.split_at(body.len() / 2);
    conn.write_all(first.as_bytes()).unwrap();
    conn.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Still running: it waits for the request.
    assert!(served.child.try_wait().unwrap().is_none());
    conn.write_all(rest.as_bytes()).unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"score\":100"), "{reply}");
    let status = wait_for(&mut served.child, Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));
    let log = served.log();
    assert!(
        log.iter()
            .any(|l| l.contains("POST /v1/tms/default/lookup 200")),
        "{log:?}"
    );
    assert!(log.iter().any(|l| l.contains("stopped")), "{log:?}");
}

#[test]
fn sigterm_on_an_idle_server_exits_zero() {
    let (mut served, _) = serve_news(&[]);
    assert_eq!(get(&served.url("/v1/tms")).status, 200);
    assert!(served.terminate().success());
}
