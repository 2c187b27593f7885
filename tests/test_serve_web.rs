//! `tmkit serve` from the outside: the web page in headless Chromium
//! (tests/e2e/page.js through playwright-core) and every route of the
//! OpenAPI file fuzzed by schemathesis. Both run against the real binary
//! serving a real SQLite store built from the fixtures, on a port the
//! system picks; each skips with a printed reason when its tool is missing
//! (CI installs them all: .ci/run).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{skipped, tmkit};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A store with the fixtures' en -> fr news memory and the ar -> en one.
fn fixture_store(dir: &Path) -> PathBuf {
    let store = dir.join("web.tmdb");
    let fixtures = Path::new(ROOT).join("tests/fixtures/fuzzy");
    for (file, src, tgt) in [("memory.tsv", "en", "fr"), ("ar-en.tsv", "ar", "en")] {
        tmkit()
            .args(["-q", "tm", "import", "--tm"])
            .arg(&store)
            .args(["--src", src, "--tgt", tgt])
            .arg(fixtures.join(file))
            .assert()
            .success();
    }
    store
}

/// A running `tmkit serve`, stopped with SIGTERM when dropped.
struct Server {
    served: support::Served,
    base: String,
}

impl Server {
    /// Starts `tmkit serve --bind 127.0.0.1:0 --tm TM ARGS` and waits for the
    /// address it reports on standard error.
    fn start(tm: &Path, args: &[&str]) -> Server {
        let served = support::serve_tm_with(tm.as_os_str(), args);
        let base = served.base.clone();
        Server { served, base }
    }

    /// What the server logged so far (for a failure message).
    fn log(&self) -> String {
        self.served.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first, waiting up to 5 s for the exit; a server still running
        // then is killed at once when `ServeProcess` is dropped.
        let child = &mut self.served.process.0;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A plain HTTP/1.1 GET on loopback: (status, body).
fn get(base: &str, path: &str) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

fn node_ok() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

#[test]
fn the_page_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_store(dir.path());
    let server = Server::start(&store, &[]);
    let (status, body) = get(&server.base, "/");
    assert_eq!(status, 200, "{}", server.log());
    let page = std::fs::read_to_string(Path::new(ROOT).join("src/serve/page/index.html")).unwrap();
    assert_eq!(
        body, page,
        "GET / serves src/serve/page/index.html as written"
    );
    // Offline: nothing is fetched from elsewhere.
    for external in ["http://", "https://", "//cdn", "@import"] {
        assert!(
            !page.contains(external),
            "the page refers to {external}: it must work offline"
        );
    }
}

#[test]
fn the_page_works_in_headless_chromium() {
    const CHECK: &str = "web page in headless Chromium";
    let e2e = Path::new(ROOT).join("tests/e2e");
    if !node_ok() {
        return skipped(CHECK, "node is not installed");
    }
    if !e2e.join("node_modules/playwright-core").exists() {
        return skipped(
            CHECK,
            "tests/e2e/node_modules is absent (npm ci --prefix tests/e2e)",
        );
    }
    let Some(chromium) = chromium() else {
        return skipped(CHECK, "chromium is not installed (/usr/bin/chromium)");
    };
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_store(dir.path());
    let server = Server::start(&store, &[]);
    let shots = Path::new(ROOT).join("target/e2e");
    let out = Command::new("node")
        .arg(e2e.join("page.js"))
        .arg(&server.base)
        .arg(&shots)
        .env("CHROMIUM", chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser test failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log()
    );
    assert!(stdout.contains("e2e: all passed"), "{stdout}");
    // A tool whose route the server does not document yet is skipped by
    // the script: say so where it shows.
    for line in stdout.lines() {
        if let Some(why) = line.strip_prefix("e2e: SKIPPED ") {
            skipped(CHECK, why);
        }
    }
    for shot in ["page-desktop.png", "page-phone.png", "page-rtl.png"] {
        let png = std::fs::read(shots.join(shot)).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{shot} is a real screenshot"
        );
    }
}

/// Schema-valid requests the server refuses by design, as schemathesis
/// reports them (check code, the server's message): rules between two
/// values, which no JSON Schema of OpenAPI parameters can state. A unit
/// from a language into itself is not a translation (nor is a lookup of
/// one; a document of such a "pair" is answered with no matches instead); a TSV
/// upload's columns have no language of their own; an XLIFF upload's
/// languages go to the import as a pair, not one alone; translations in a
/// digest need the language to translate into; an export's date bound must
/// be a day of the calendar (the schema's pattern takes "month 59"). Any
/// other schemathesis failure, and any error, fails the test.
const REFUSED_BY_DESIGN: [(&str, &str); 5] = [
    ("ST202", "src and tgt are the same language"),
    ("ST202", ": not a date: "),
    ("ST202", "a TSV upload needs src and tgt"),
    ("ST202", "an XLIFF upload takes both query parameters"),
    ("ST202", "is required with 'tm'"),
];

/// The test cases schemathesis reported as failed in its JUnit reports under
/// `dir`: each case's text (check codes, the answer, the curl line).
fn failed_cases(dir: &Path) -> Vec<String> {
    let mut cases = Vec::new();
    let case_start = regex::Regex::new(r"\d+\. Test Case ID:").unwrap();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(xml) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for element in ["<failure", "<error"] {
            for part in xml.split(element).skip(1) {
                let text = part.split(['<']).next().unwrap_or_default();
                let starts: Vec<usize> = case_start.find_iter(text).map(|m| m.start()).collect();
                if starts.is_empty() {
                    cases.push(format!("{element}{text}"));
                }
                for (k, &at) in starts.iter().enumerate() {
                    let end = starts.get(k + 1).copied().unwrap_or(text.len());
                    cases.push(text[at..end].to_string());
                }
            }
        }
    }
    cases
}

/// True when `case` is one of [`REFUSED_BY_DESIGN`] and nothing else.
fn refused_by_design(case: &str) -> bool {
    let code = regex::Regex::new(r"(?m)^- (ST\d{3}) ").unwrap();
    let codes: Vec<&str> = code
        .captures_iter(case)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    !codes.is_empty()
        && codes.iter().all(|c| {
            REFUSED_BY_DESIGN
                .iter()
                .any(|(code, message)| c == code && case.contains(message))
        })
}

/// True when `case` is an error of schemathesis' own machinery (a Python
/// exception inside hypothesis, with no test case and no request behind it,
/// as hypothesis' lambda-source cache raised once in CI): not an answer of
/// the server. The server is asked once more after the run, so a crash
/// cannot hide behind such an error.
fn tool_internal_error(case: &str) -> bool {
    case.starts_with("<error")
        && case.contains("Runtime Error")
        && case.contains("site-packages/hypothesis/")
        && !case.contains("Test Case ID")
}

/// Every route of `/v1/openapi.json` fuzzed with valid and malformed input
/// (examples, coverage, fuzzing and stateful phases, every check): no
/// answer may be a 5xx or fail to arrive, and every answer must have the
/// documented content type and schema. Writes carry the token, so the
/// write routes are exercised past their authentication too. 50 s of
/// fuzzing at most.
#[test]
fn schemathesis_fuzzes_every_route_without_a_server_error() {
    const CHECK: &str = "schemathesis against /v1/openapi.json";
    if !support::python_has("schemathesis", CHECK) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_store(dir.path());
    let token = "schemathesis-token-0123456789";
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, token).unwrap();
    let server = Server::start(&store, &["--token-file", token_file.to_str().unwrap()]);
    let report = Path::new(ROOT).join("target/schemathesis");
    // Only this run's reports are read back.
    let _ = std::fs::remove_dir_all(&report);
    let out = Command::new("python3")
        .args(["-m", "schemathesis.cli", "run"])
        .arg(format!("{}/v1/openapi.json", server.base))
        .args(["--checks", "all", "--max-time", "50", "--seed", "20261206"])
        .args(["--workers", "2", "--request-timeout", "20"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report)
        .env("NO_COLOR", "1")
        .current_dir(dir.path()) // its .schemathesis cache stays out of the checkout
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let context = || {
        format!(
            "{stdout}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.log()
        )
    };
    assert!(
        stdout.contains("test cases") || stdout.contains("Test cases"),
        "schemathesis did not run:\n{}",
        context()
    );
    if out.status.success() {
        return;
    }
    let cases = failed_cases(&report);
    assert!(
        !cases.is_empty(),
        "schemathesis failed without a failed case reported (errors, a crash?):\n{}",
        context()
    );
    let blocking: Vec<&String> = cases
        .iter()
        .filter(|c| !refused_by_design(c) && !tool_internal_error(c))
        .collect();
    assert!(
        blocking.is_empty(),
        "schemathesis: {blocking:#?}\n{}",
        context()
    );
    assert_eq!(
        get(&server.base, "/v1/tms").0,
        200,
        "the server stopped answering:\n{}",
        context()
    );
    let mut err = std::io::stderr().lock();
    for case in cases.iter().filter(|c| tool_internal_error(c)) {
        let first = case.lines().take(3).collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            err,
            "NOTE schemathesis: an error of its own machinery, not the server's: {first}"
        );
    }
    for case in cases.iter().filter(|c| !tool_internal_error(c)) {
        let (code, message) = REFUSED_BY_DESIGN
            .iter()
            .find(|(_, m)| case.contains(m))
            .unwrap();
        let _ = writeln!(
            err,
            "NOTE schemathesis: {code} for a rule no schema states, refused by design: {message:?}"
        );
    }
}

/// The classifier of schemathesis' own errors takes the error CI met once
/// (hypothesis' lambda-source cache under Python 3.11) and nothing with a
/// test case or a server answer behind it.
#[test]
fn only_schemathesis_machinery_errors_are_set_aside() {
    let internal = "<error type=\"error\">Runtime Error\n\nAST constructor recursion depth mismatch \
                    (before=66, after=94)\n\n    Traceback (most recent call last):\n      File \
                    \"/usr/lib/python3.11/site-packages/hypothesis/internal/lambda_sources.py\", line 353";
    assert!(tool_internal_error(internal));
    let refused =
        "1. Test Case ID: GiCjQf\n\n- ST202 Schema-valid request rejected\n\n[400] Bad Request";
    assert!(!tool_internal_error(refused));
    let network = "<error type=\"error\">Network Error\n\nConnection refused";
    assert!(!tool_internal_error(network));
}
