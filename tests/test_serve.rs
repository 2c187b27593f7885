//! `tmkit serve`: the real binary on a free port over a real store, spoken to
//! over HTTP.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use serde_json::{Value, json};
use support::{comparable, http_agent as agent, news_sources, tmkit, urlencode};

/// A running server; killed when dropped.
struct Served {
    server: support::Served,
    _dir: Option<tempfile::TempDir>,
}

impl Served {
    /// Starts `tmkit serve --bind 127.0.0.1:0 --tm TM ARGS` and waits until it listens.
    fn start(tm: &str, args: &[&str]) -> Served {
        Served {
            server: support::serve_tm_with(tm.as_ref(), args),
            _dir: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    fn log(&self) -> Vec<String> {
        self.server.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        support::send_signal(self.server.process.0.id(), "TERM");
        wait_for(&mut self.server.process.0, Duration::from_secs(30))
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

/// A store with the news fixture imported by `tmkit tm import`: its 111
/// units (one source has two targets, both kept).
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
    let token = token.display().to_string();
    let mut args = vec!["--token-file", &token];
    args.extend(extra);
    let mut served = Served::start(&store.display().to_string(), &args);
    served._dir = Some(dir);
    (served, store)
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
            comparable(a.json()),
            comparable(cli[0].clone()),
            "query {q}"
        );
        // Each match carries its word diff: equal and deleted parts make the
        // memory's source, equal and inserted ones the query.
        for m in a.json()["matches"].as_array().unwrap() {
            let parts = m["diff"].as_array().unwrap();
            let join = |skip: &str| -> String {
                parts
                    .iter()
                    .filter(|p| p["kind"] != skip)
                    .map(|p| p["text"].as_str().unwrap())
                    .collect()
            };
            // Spaces and case may come from either text: compare without them.
            let norm = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            };
            let source = m["source"].as_str().unwrap();
            assert_eq!(norm(&join("insert")), norm(source), "{m}");
            assert_eq!(norm(&join("delete")), norm(q), "{m}");
        }
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
    let got = comparable(a.json());
    assert_eq!(got, comparable(cli));
    assert!(
        got.as_array()
            .unwrap()
            .iter()
            .any(|r| r["matches"][0]["score"] == 101),
        "the batch has consecutive memory sentences: a 101% match is expected"
    );
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
    assert_eq!(tms[0]["units"], 111);
    assert!(
        tms[0]["pairs"]
            .as_array()
            .unwrap()
            .iter()
            // The source variants' own tag (the TMX says srclang="en", its
            // variants are en-US): the store keeps the variant's.
            .any(|p| p["src"] == "en-US" && p["tgt"] == "fr-FR" && p["units"] == 111)
    );
}

/// A lookup from a language into itself is a bad request (400 with a JSON
/// error, as adding such a unit is; the description of the 400 says so);
/// the tmserver route and documents (analyze, pretranslate) answer no
/// matches, as for any pair the memory lacks.
#[test]
fn a_lookup_from_a_language_into_itself_is_refused_documents_find_nothing() {
    let (served, _) = serve_news(&[]);
    let q = urlencode(&news_sources()[0]);
    let a = get(&served.url(&format!("/v1/tms/default/lookup?q={q}&src=en&tgt=EN")));
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(
        a.json()["error"]["message"],
        "src and tgt are the same language"
    );
    let b = post_json(
        &served.url("/v1/tms/default/lookup"),
        &json!({"src": "fr", "tgt": "fr", "segments": ["a", "b"]}),
        None,
    );
    assert_eq!(b.status, 400, "{}", b.body);
    assert_eq!(b.json()["error"]["status"], 400);
    let c = get(&served.url(&format!("/tmserver/en/en/unit/{q}")));
    assert_eq!((c.status, c.json()), (200, json!([])));
    // Documents too: no matches.
    let s0 = &news_sources()[0];
    let post_text = |path: &str| answer(agent().post(&served.url(path)).send(s0.as_str()));
    let a = post_text("/v1/analyze?src=en&tgt=en");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["total"]["no match"]["segments"], 1);
    let p = post_text("/v1/pretranslate?src=en&tgt=en");
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("<trans-unit") && !p.body.contains("<target"));
    // A tag the OpenAPI pattern refuses is refused here too.
    let d = get(&served.url(&format!("/v1/tms/default/lookup?q={q}&src=0&tgt=fr")));
    assert_eq!(d.status, 400);
    assert!(
        d.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("src: ")
    );
}

/// What an OpenAPI client may send as the description allows it: a whole
/// number written `100.0`; and what it says is refused: an empty upload, a
/// NUL in an export's search (before the TMX starts).
#[test]
fn requests_the_description_allows_are_taken() {
    let (served, _) = serve_news(&[]);
    let b = post_json(
        &served.url("/v1/tms/default/lookup"),
        &json!({"src": "en", "tgt": "fr", "segments": [news_sources()[0]], "min": 100.0, "max": 1.0}),
        None,
    );
    assert_eq!(b.status, 200, "{}", b.body);
    assert_eq!(b.json()[0]["matches"].as_array().unwrap().len(), 1);
    let b = post_json(
        &served.url("/v1/tms/default/lookup"),
        &json!({"src": "en", "tgt": "fr", "segments": [], "min": 99.5}),
        None,
    );
    assert_eq!(b.status, 422, "{}", b.body);
    // An empty upload is refused, as the description's minLength says.
    let a = send(
        "POST",
        &served.url("/v1/tms/default/import?format=tsv&src=en&tgt=fr"),
        None,
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 400, "{}", a.body);
    // A TSV upload with only one of its languages is refused before any job.
    for langs in ["src=en", "tgt=fr"] {
        let t = answer(
            agent()
                .post(&served.url(&format!("/v1/tms/default/import?format=tsv&{langs}")))
                .header("authorization", "Bearer s3cret")
                .send("a cat\tun chat\n"),
        );
        assert_eq!(t.status, 400, "{langs}: {}", t.body);
        assert!(t.body.contains("needs src and tgt"), "{}", t.body);
    }
    let doc: Value = serde_json::from_str(&get(&served.url("/v1/openapi.json")).body).unwrap();
    let upload = &doc["paths"]["/v1/tms/{tm}/import"]["post"]["requestBody"]["content"];
    assert_eq!(upload["application/octet-stream"]["schema"]["minLength"], 1);
    let e = get(&served.url("/v1/tms/default/export.tmx?search=ab%00cd"));
    assert_eq!(e.status, 400, "{}", e.body);
    assert!(e.body.contains("NUL"), "{}", e.body);
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
            get(&served.url("/v1/tms/default/lookup?q=x&src=en%20&tgt=fr")),
            400,
        ),
        (
            get(&served.url("/v1/tms/default/concordance?q=a%00b&src=en")),
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
fn no_route_answers_with_the_store_directory() {
    let (served, store) = serve_news(&[]);
    let dir = store.parent().unwrap().display().to_string();
    let s0 = &news_sources()[0];
    let q = urlencode(s0);
    // A unit added since start, so lookups read the change levels too.
    let added = send(
        "POST",
        &served.url("/v1/tms/default/units"),
        Some(&json!({"src": "en", "tgt": "fr", "source": ZEBRA, "target": "Le zèbre."})),
        Some("s3cret"),
        &[],
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let text = |path: &str, body: &str| answer(agent().post(&served.url(path)).send(body));
    let doc = format!("{s0}\n{ZEBRA}\n");
    let mut answers = vec![
        added,
        get(&served.url("/v1/tms")),
        get(&served.url(&format!("/v1/tms/default/lookup?src=en&tgt=fr&q={q}"))),
        get(&served.url(&format!(
            "/v1/tms/default/lookup?src=en&tgt=fr&q={}",
            urlencode(ZEBRA)
        ))),
        post_json(
            &served.url("/v1/tms/default/lookup"),
            &json!({"src": "en", "tgt": "fr", "segments": [s0, ZEBRA]}),
            None,
        ),
        get(&served.url(&format!("/v1/tms/default/concordance?q={q}&src=en&tgt=fr"))),
        get(&served.url("/v1/tms/default/units/1")),
        get(&served.url("/v1/tms/default/export.tmx")),
        text("/v1/analyze?src=en&tgt=fr&lines=true", &doc),
        text("/v1/pretranslate?src=en&tgt=fr&lines=true", &doc),
        text("/v1/summarize?src=en&tgt=fr&sentences=1", &doc),
        get(&served.url(&format!("/tmserver/en/fr/unit/{q}"))),
        get(&served.url(&format!("/api/v1/en/fr/unit/{q}"))),
        get(&served.url(&format!("/translate?langpair=en|fr&q={q}"))),
        get(&served.url("/api/v1/languages/")),
        get(&served.url("/listPairs")),
        get(&served.url("/v1/jobs/1")),
        get(&served.url("/v1/openapi.json")),
        get(&served.url("/")),
        get(&served.url("/v1/tms/default/units/999999")),
    ];
    answers.push(text("/v1/pretranslate?src=en&tgt=fr", "<xliff"));
    let lookup = get(&served.url(&format!("/v1/tms/default/lookup?src=en&tgt=fr&q={q}")));
    let origin = lookup.json()["matches"][0]["origin"].clone();
    assert!(origin.as_str().unwrap().starts_with("default#"), "{origin}");
    let found = get(&served.url(&format!("/v1/tms/default/concordance?q={q}")));
    assert_eq!(found.json()[0]["unit"]["origin"], "en-fr.news.tmx");
    for a in answers {
        assert!(!a.body.contains(&dir), "{} {}", a.status, a.body);
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
    let addr = served.server.base.trim_start_matches("http://").to_string();
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
    support::send_signal(served.server.process.0.id(), "TERM");
    std::thread::sleep(Duration::from_millis(300));
    // Still running: it waits for the request.
    assert!(served.server.process.0.try_wait().unwrap().is_none());
    conn.write_all(rest.as_bytes()).unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"score\":100"), "{reply}");
    let status = wait_for(&mut served.server.process.0, Duration::from_secs(30));
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

fn send(
    method: &str,
    url: &str,
    body: Option<&Value>,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = match body {
        Some(b) => agent().run(
            req.header("content-type", "application/json")
                .body(b.to_string())
                .unwrap(),
        ),
        None => agent().run(req.body(()).unwrap()),
    };
    answer(r)
}

fn lookup(served: &Served, q: &str) -> Value {
    let a = get(&format!(
        "{}?src=en&tgt=fr&q={}",
        served.url("/v1/tms/default/lookup"),
        urlencode(q)
    ));
    assert_eq!(a.status, 200, "{}", a.body);
    a.json()
}

const ZEBRA: &str = "The zebra crossed the quartz bridge at noon.";

#[test]
fn writes_need_the_token_and_are_visible_to_the_next_lookup() {
    let (served, store) = serve_news(&[]);
    let units = served.url("/v1/tms/default/units");
    let unit = json!({"src": "en", "tgt": "fr", "source": ZEBRA,
        "target": "Le zèbre a traversé le pont de quartz à midi.", "project": "zoo", "user": "ana"});
    // No token, a wrong one (also one that is a prefix of the right one).
    for token in [None, Some("wrong"), Some("s3cre"), Some("s3cret-and-more")] {
        let a = send("POST", &units, Some(&unit), token, &[]);
        assert_eq!(a.status, 401, "{token:?}: {}", a.body);
        assert_eq!(a.header("www-authenticate").as_deref(), Some("Bearer"));
    }
    assert!(
        lookup(&served, ZEBRA)["matches"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let a = send("POST", &units, Some(&unit), Some("s3cret"), &[]);
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["ids"][0].as_i64().unwrap();
    assert_eq!(
        a.header("location"),
        Some(format!("/v1/tms/default/units/{id}"))
    );
    let m = lookup(&served, ZEBRA);
    assert_eq!(m["matches"][0]["score"], 100);
    assert_eq!(
        m["matches"][0]["target"],
        "Le zèbre a traversé le pont de quartz à midi."
    );
    // The same again is an exact duplicate.
    let a = send("POST", &units, Some(&unit), Some("s3cret"), &[]);
    assert_eq!(a.json()["duplicates"], 1);
    // Read, change, delete.
    let one = format!("{units}/{id}");
    let a = get(&one);
    assert_eq!(a.json()["project"], "zoo");
    assert_eq!(a.json()["variants"][0]["text"], ZEBRA);
    let edit = json!({"tgt": "fr", "target": "Le zèbre a franchi le pont."});
    assert_eq!(send("PUT", &one, Some(&edit), None, &[]).status, 401);
    let a = send("PUT", &one, Some(&edit), Some("s3cret"), &[]);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.json()["variants"][1]["text"],
        "Le zèbre a franchi le pont."
    );
    assert_eq!(
        lookup(&served, ZEBRA)["matches"][0]["target"],
        "Le zèbre a franchi le pont."
    );
    assert_eq!(send("DELETE", &one, None, None, &[]).status, 401);
    assert_eq!(send("DELETE", &one, None, Some("s3cret"), &[]).status, 204);
    assert!(
        lookup(&served, ZEBRA)["matches"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(send("DELETE", &one, None, Some("s3cret"), &[]).status, 404);
    assert_eq!(get(&one).status, 404);
    let bad = json!({"src": "en", "tgt": "fr", "source": " ", "target": "x"});
    assert_eq!(
        send("POST", &units, Some(&bad), Some("s3cret"), &[]).status,
        400
    );
    let mut served = served;
    assert!(served.terminate().success());
    // What the server wrote is in the store (deleted, here).
    let out = tmkit()
        .args(["tm", "search", "--tm"])
        .arg(&store)
        .arg("zebra")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

#[test]
fn after_adds_edits_and_deletes_lookups_still_equal_tmkit_match() {
    let (served, store) = serve_news(&[]);
    let sources = news_sources();
    // Open the pair first, so the changes go through the change levels.
    lookup(&served, &sources[0]);
    let units = served.url("/v1/tms/default/units");
    for (i, s) in sources.iter().take(6).enumerate() {
        let unit = json!({"src": "en", "tgt": "fr", "source": s.replace('.', "!"),
            "target": format!("variante {i}")});
        assert_eq!(
            send("POST", &units, Some(&unit), Some("s3cret"), &[]).status,
            201
        );
    }
    let edit = json!({"tgt": "fr", "target": "cible changée"});
    let a = send(
        "PUT",
        &format!("{units}/3"),
        Some(&edit),
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        send("DELETE", &format!("{units}/5"), None, Some("s3cret"), &[]).status,
        204
    );
    for q in sources.iter().take(8) {
        let cli = tmkit()
            .args([
                "match", "--format", "json", "--src", "en", "--tgt", "fr", "--tm",
            ])
            .arg(&store)
            .args(["--min", "30", "--max", "4", "--text", q])
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
        let a = get(&format!(
            "{}?src=en&tgt=fr&min=30&max=4&q={}",
            served.url("/v1/tms/default/lookup"),
            urlencode(q)
        ));
        assert_eq!(
            comparable(a.json()),
            comparable(cli[0].clone()),
            "query {q}"
        );
    }
}

/// A unit added while serving and then edited leaves its old entry behind in
/// an older change level; a lookup must look past it to that level's other
/// entries (a `max=1` lookup once came back empty here).
#[test]
fn an_edited_added_unit_does_not_hide_the_other_added_units() {
    let (served, _store) = serve_news(&[]);
    lookup(&served, ZEBRA);
    let units = served.url("/v1/tms/default/units");
    // Near matches of ZEBRA, then units that match nothing: whatever levels
    // they end up in, some level holds the exact one with no near one after it.
    let near = ["at noon", "at dawn", "at dusk", "at night"].map(|e| ZEBRA.replace("at noon", e));
    let far = [
        "Tax rates rose in every northern county.",
        "The orchestra tuned before the overture.",
        "Snow closed both mountain passes overnight.",
        "A new library opened beside the harbour.",
    ];
    let mut first = None;
    for (i, source) in near.iter().map(String::as_str).chain(far).enumerate() {
        let unit =
            json!({"src": "en", "tgt": "fr", "source": source, "target": format!("zèbre {i}")});
        let a = send("POST", &units, Some(&unit), Some("s3cret"), &[]);
        assert_eq!(a.status, 201, "{}", a.body);
        first.get_or_insert(a.json()["ids"][0].as_i64().unwrap());
    }
    // The exact match now says something else entirely.
    let edit = json!({"src": "en", "source": "Penguins never visit the desert in winter."});
    let a = send(
        "PUT",
        &format!("{units}/{}", first.unwrap()),
        Some(&edit),
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let a = get(&format!(
        "{}?src=en&tgt=fr&min=50&max=1&q={}",
        served.url("/v1/tms/default/lookup"),
        urlencode(ZEBRA)
    ));
    assert_eq!(a.status, 200, "{}", a.body);
    let m = a.json();
    let best = &m["matches"][0];
    assert!(best["score"].as_u64().unwrap() < 100, "{m}");
    assert_ne!(best["target"], "zèbre 0", "{m}");
    assert!(
        best["target"].as_str().unwrap().starts_with("zèbre "),
        "{m}"
    );
}

#[test]
fn a_read_only_server_refuses_every_write() {
    let (served, _) = serve_news(&["--read-only"]);
    let unit = json!({"src": "en", "tgt": "fr", "source": "a", "target": "b"});
    let units = served.url("/v1/tms/default/units");
    assert_eq!(
        send("POST", &units, Some(&unit), Some("s3cret"), &[]).status,
        403
    );
    assert_eq!(
        send(
            "PUT",
            &format!("{units}/1"),
            Some(&unit),
            Some("s3cret"),
            &[]
        )
        .status,
        403
    );
    assert_eq!(
        send("DELETE", &format!("{units}/1"), None, Some("s3cret"), &[]).status,
        403
    );
    let import = served.url("/v1/tms/default/import");
    let a = answer(
        agent()
            .post(&import)
            .header("authorization", "Bearer s3cret")
            .send("<tmx/>"),
    );
    assert_eq!(a.status, 403);
    assert_eq!(a.json()["error"]["message"], "this server is read-only");
    // Reads go on; the unit is still there.
    assert_eq!(get(&format!("{units}/1")).status, 200);
    assert_eq!(get(&served.url("/v1/tms")).json()[0]["writable"], false);
    // A method the API does not have is 405.
    assert_eq!(
        send("PATCH", &format!("{units}/1"), None, None, &[]).status,
        405
    );
}

#[test]
fn without_a_token_file_writes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = news_store(dir.path());
    let served = Served::start(&store.display().to_string(), &[]);
    let unit = json!({"src": "en", "tgt": "fr", "source": "a", "target": "b"});
    let a = send(
        "POST",
        &served.url("/v1/tms/default/units"),
        Some(&unit),
        Some("x"),
        &[],
    );
    assert_eq!(a.status, 403, "{}", a.body);
}

#[test]
fn cors_headers_only_for_the_configured_origin() {
    let origin = ("origin", "https://cat.example.org");
    let (plain, _) = serve_news(&[]);
    let a = send("GET", &plain.url("/v1/tms"), None, None, &[origin]);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("access-control-allow-origin"), None);
    let a = send("OPTIONS", &plain.url("/v1/tms"), None, None, &[origin]);
    assert_eq!(a.header("access-control-allow-origin"), None);
    drop(plain);
    let (cors, _) = serve_news(&["--cors", "https://cat.example.org"]);
    let a = send("GET", &cors.url("/v1/tms"), None, None, &[origin]);
    assert_eq!(
        a.header("access-control-allow-origin").as_deref(),
        Some("https://cat.example.org")
    );
    let a = send(
        "OPTIONS",
        &cors.url("/v1/tms/default/units"),
        None,
        None,
        &[origin, ("access-control-request-method", "POST")],
    );
    assert_eq!(a.status, 204);
    assert!(
        a.header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert!(
        a.header("access-control-allow-headers")
            .unwrap()
            .contains("Authorization")
    );
    let a = send(
        "GET",
        &cors.url("/v1/tms"),
        None,
        None,
        &[("origin", "https://evil.example")],
    );
    assert_eq!(a.header("access-control-allow-origin"), None);
}

#[test]
fn compatibility_routes_answer_in_their_clients_shapes() {
    let (served, _) = serve_news(&[]);
    let s0 = &news_sources()[0];
    // translate-toolkit tmserver and amaGama: the text in the path (Weblate,
    // Virtaal) or as ?source= (amaGama's own form); a list of candidates.
    for url in [
        served.url(&format!("/tmserver/en/fr/unit/{}", urlencode(s0))),
        served.url(&format!("/api/v1/en/fr/unit/{}", urlencode(s0))),
        served.url(&format!("/api/v1/en/fr/unit/?source={}", urlencode(s0))),
    ] {
        let a = get(&url);
        assert_eq!(a.status, 200, "{url}: {}", a.body);
        let list = a.json();
        let first = &list[0];
        assert_eq!(first["source"], s0.as_str());
        assert!(first["target"].as_str().unwrap().starts_with("Une grève"));
        assert_eq!(first["quality"].as_f64(), Some(100.0));
        assert!(first["rank"].is_number());
        assert_eq!(first.as_object().unwrap().len(), 4);
    }
    // A text with a slash in it stays one parameter.
    let a = get(&served.url("/tmserver/en/fr/unit/either%2For%20neither"));
    assert_eq!(a.status, 200);
    assert!(a.json().as_array().unwrap().is_empty());
    for path in ["/languages/", "/api/v1/languages/", "/tmserver/languages/"] {
        let a = get(&served.url(path)).json();
        assert_eq!(a["sourceLanguages"], json!(["en-US"]), "{path}");
        assert!(
            a["targetLanguages"]
                .as_array()
                .unwrap()
                .contains(&json!("fr-FR"))
        );
    }
    // Apertium-APy: the best match, numbers written the French way.
    let q = "About 15,000 dockworkers walked off the job at 6 a.m. on Monday.";
    let a = get(&served.url(&format!("/translate?langpair=en|fr&q={}", urlencode(q))));
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    assert_eq!(v["responseStatus"], 200);
    assert!(v["responseDetails"].is_null());
    let text = v["responseData"]["translatedText"].as_str().unwrap();
    let spaced = text.replace(['\u{202f}', '\u{a0}'], " ");
    assert!(spaced.contains("15 000"), "{text}");
    // OmegaT's connector as its code sends it: `q` form-encoded (spaces as
    // `+`), its own `markUnknown` and `key`, `|` as is, `en_US` for English (US).
    let omegat = format!(
        "/translate?q={}&markUnknown=no&langpair=en_US|fr&key=",
        urlencode(q).replace("%20", "+")
    );
    let a = get(&served.url(&omegat));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["responseData"]["translatedText"], text);
    let a = get(&served.url("/translate?langpair=en|fr&q=Zebras%20juggle%20quartz."));
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["responseStatus"], 404);
    let a = get(&served.url("/translate?langpair=enfr&q=x"));
    assert_eq!(a.json()["responseStatus"], 400);
    let pairs = get(&served.url("/listPairs")).json();
    assert_eq!(pairs["responseStatus"], 200);
    assert!(
        pairs["responseData"]
            .as_array()
            .unwrap()
            .contains(&json!({"sourceLanguage": "en-US", "targetLanguage": "fr-FR"}))
    );
}

/// The compatibility routes after a unit's source is edited through the
/// server: the base index still holds the old text, the store the new one.
/// No route answers 500 or offers the unit under its old source.
#[test]
fn compatibility_routes_skip_a_unit_whose_source_was_edited() {
    let (served, _) = serve_news(&[]);
    let sources = news_sources();
    let old = sources[10].as_str();
    let found = lookup(&served, old);
    let best = &found["matches"][0];
    assert_eq!(best["score"], 100, "{found}");
    let target = best["target"].as_str().unwrap().to_string();
    let origin = best["origin"].as_str().unwrap();
    let id = &origin[origin.rfind('#').unwrap() + 1..];
    let edit = json!({"src": "en", "source": "The ferry company bought two electric boats."});
    let unit = served.url(&format!("/v1/tms/default/units/{id}"));
    let a = send("PUT", &unit, Some(&edit), Some("s3cret"), &[]);
    assert_eq!(a.status, 200, "{}", a.body);
    for path in ["/tmserver/en/fr/unit/", "/api/v1/en/fr/unit/"] {
        let a = get(&served.url(&format!("{path}{}", urlencode(old))));
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        for c in a.json().as_array().unwrap() {
            assert_ne!(c["source"], old, "{path}: {}", a.body);
            assert_ne!(c["quality"].as_f64(), Some(100.0), "{path}: {}", a.body);
        }
    }
    let a = get(&served.url(&format!("/translate?langpair=en|fr&q={}", urlencode(old))));
    assert!(matches!(a.status, 200 | 404), "{}", a.body);
    if a.status == 200 {
        assert_ne!(a.json()["responseData"]["translatedText"], target.as_str());
    }
}

#[test]
fn export_streams_tmx_with_an_etag() {
    let (served, _) = serve_news(&[]);
    let url = served.url("/v1/tms/default/export.tmx");
    let a = get(&url);
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/x-tmx+xml")
    );
    let tus = |body: &str| body.matches("<tu ").count() + body.matches("<tu>").count();
    assert_eq!(tus(&a.body), 111);
    let etag = a.header("etag").unwrap();
    let again = send("GET", &url, None, None, &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let limited = get(&format!("{url}?limit=5&src=en&tgt=fr"));
    assert_eq!(tus(&limited.body), 5);
    assert_ne!(limited.header("etag"), Some(etag.clone()));
    // A change makes the old tag stale.
    let unit = json!({"src": "en", "tgt": "fr", "source": ZEBRA, "target": "Zèbre."});
    let a = send(
        "POST",
        &served.url("/v1/tms/default/units"),
        Some(&unit),
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 201);
    let after = send("GET", &url, None, None, &[("if-none-match", &etag)]);
    assert_eq!(after.status, 200);
    assert!(after.body.contains("Zèbre."));
    assert_eq!(get(&format!("{url}?since=yesterday")).status, 400);
    // Found by schemathesis: a date cut inside a character, a limit past i64.
    assert_eq!(
        get(&format!("{url}?since=i%C3%A2%F0%A3%B2%A9%F2%A0%BB%91x")).status,
        400
    );
    assert_eq!(get(&format!("{url}?limit=9223372036854775808")).status, 400);
    // The file parses as TMX.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.tmx");
    std::fs::write(&file, &after.body).unwrap();
    tmkit()
        .args(["tmx", "validate"])
        .arg(&file)
        .assert()
        .success();
}

fn wait_job(served: &Served, status_path: &str) -> Value {
    for _ in 0..600 {
        let s = get(&served.url(status_path)).json();
        if s["state"] != "running" {
            return s;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the job did not end");
}

#[test]
fn imports_run_as_jobs_to_completion() {
    let (served, _) = serve_news(&["--max-upload", "2000000"]);
    let lookup_q = "Tom is a teacher.";
    let tmx = std::fs::read(repo("tmx/en-fr.tatoeba.tmx")).unwrap();
    let import = served.url("/v1/tms/default/import?name=../../etc/tatoeba.tmx&project=tt");
    let a = answer(agent().post(&import).send("<tmx/>"));
    assert_eq!(a.status, 401);
    let a = answer(
        agent()
            .post(&import)
            .header("authorization", "Bearer s3cret")
            .send(&tmx[..]),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    let started = a.json();
    assert_eq!(
        a.header("location"),
        started["status"].as_str().map(str::to_string)
    );
    let done = wait_job(&served, started["status"].as_str().unwrap());
    assert_eq!(done["state"], "done", "{done}");
    let added = done["result"]["added"].as_u64().unwrap();
    assert!(added > 1000, "{done}");
    assert_eq!(
        done["units_read"].as_u64(),
        Some(added + done["result"]["duplicates"].as_u64().unwrap())
    );
    // Counts are refreshed in the background after a write.
    let mut units = 0;
    for _ in 0..100 {
        units = get(&served.url("/v1/tms")).json()[0]["units"]
            .as_u64()
            .unwrap();
        if units == 111 + added {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(units, 111 + added);
    // An imported sentence is found, and its origin is the given name, not a path.
    let text = String::from_utf8_lossy(&tmx).to_string();
    let seg = text
        .split("<seg>")
        .nth(1)
        .unwrap()
        .split("</seg>")
        .next()
        .unwrap();
    let m = lookup(&served, seg);
    assert_eq!(m["matches"][0]["score"], 100, "{m}");
    let found = get(&served.url(&format!(
        "/v1/tms/default/concordance?q={}&limit=1",
        urlencode(seg)
    )))
    .json();
    assert_eq!(found[0]["unit"]["origin"], "tatoeba.tmx");
    assert_eq!(found[0]["unit"]["project"], "tt");
    let _ = lookup_q;
    // A broken upload fails with its position, naming no server path.
    let a = answer(
        agent()
            .post(&served.url("/v1/tms/default/import"))
            .header("authorization", "Bearer s3cret")
            .send("<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<tu><tuv xml:lang=\"en\"><seg>x</tuv></tu></body></tmx>"),
    );
    let failed = wait_job(&served, a.json()["status"].as_str().unwrap());
    assert_eq!(failed["state"], "failed");
    let msg = failed["error"].as_str().unwrap();
    assert!(msg.starts_with("upload:2:"), "{msg}");
    assert!(!msg.contains("/tmp"), "{msg}");
    // Too large: refused from its declared length, before any byte is read.
    let addr = served.server.base.trim_start_matches("http://").to_string();
    let mut conn = TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /v1/tms/default/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 2100000\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("\"status\":413"), "{reply}");
    assert_eq!(get(&served.url("/v1/jobs/999")).status, 404);
}

/// What of an uploaded TMX the store cannot hold (an external entity, never
/// fetched) is in the job's result, as `tm import` reports it on stderr:
/// the server used to drop it, and the client could not know.
#[test]
fn an_import_reports_what_the_store_could_not_keep() {
    let (served, _) = serve_news(&[]);
    let tmx = r#"<?xml version="1.0"?>
<!DOCTYPE tmx [ <!ENTITY secret SYSTEM "file:///etc/hostname"> ]>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>
<tu><tuv xml:lang="en"><seg>Hello &secret;.</seg></tuv><tuv xml:lang="fr"><seg>Bonjour.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Good night.</seg></tuv><tuv xml:lang="fr"><seg>Bonne nuit.</seg></tuv></tu>
</body></tmx>
"#;
    let a = post_import(&served, "name=external.tmx", tmx);
    assert_eq!(a.status, 202, "{}", a.body);
    let done = wait_job(&served, a.json()["status"].as_str().unwrap());
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["result"]["added"], 2, "{done}");
    let lost = done["result"]["lost"].as_array().unwrap();
    assert_eq!(lost.len(), 1, "{done}");
    let what = lost[0].as_str().unwrap();
    assert!(what.contains("external entity"), "{what}");
    // Where, as errors say it: no server path.
    assert!(what.starts_with("upload:4:"), "{what}");
    // Nothing lost: an empty list.
    let a = post_import(
        &served,
        "format=tsv&src=en&tgt=fr",
        "The tide turns.\tLa marée tourne.\n",
    );
    let done = wait_job(&served, a.json()["status"].as_str().unwrap());
    assert_eq!(done["result"]["lost"], json!([]), "{done}");
}

/// The answer to an import of `body` with the query `params`.
fn post_import(served: &Served, params: &str, body: &str) -> Answer {
    answer(
        agent()
            .post(&served.url(&format!("/v1/tms/default/import?{params}")))
            .header("authorization", "Bearer s3cret")
            .send(body),
    )
}

/// Imports `body` with the query `params` as a job that adds one unit.
fn import_one(served: &Served, params: &str, body: &str) {
    let a = post_import(served, params, body);
    assert_eq!(a.status, 202, "{}", a.body);
    let done = wait_job(served, a.json()["status"].as_str().unwrap());
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["result"]["added"], 1, "{done}");
}

/// An XLIFF 1.2 job with one finished segment and one still to translate.
const FINISHED_XLF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="harbour.html" source-language="en" target-language="fr" datatype="html">
<body>
<trans-unit id="1"><source>The harbour master closed the <g id="b">north</g> gate.</source>
<target state="translated">La capitaine du port a fermé la porte <g id="b">nord</g>.</target></trans-unit>
<trans-unit id="2"><source>Pilots wait for the tide.</source><target state="new"></target></trans-unit>
</body>
</file>
</xliff>
"#;

#[test]
fn an_xliff_upload_imports_its_finished_segments() {
    let (served, store) = serve_news(&[]);
    // One language alone is refused before any job: the import takes both.
    for lone in ["src=en", "tgt=fr"] {
        let a = post_import(&served, &format!("format=xliff&{lone}"), FINISHED_XLF);
        assert_eq!(a.status, 400, "{lone}: {}", a.body);
        let msg = a.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(msg.contains("src and tgt") && !msg.contains("--"), "{msg}");
    }
    assert_eq!(get(&served.url("/v1/jobs/1")).status, 404);
    import_one(&served, "format=xliff&name=harbour.xlf", FINISHED_XLF);
    // Found as `tmkit match` finds it in the store (the memory source's
    // inline codes cost 2 points against a plain query).
    let q = "The harbour master closed the north gate.";
    let m = lookup(&served, q);
    assert_eq!(
        m["matches"][0]["target"],
        "La capitaine du port a fermé la porte nord."
    );
    assert_eq!(m["matches"][0]["score"], 98, "{m}");
    let cli = support::stdout_of(
        tmkit()
            .args(["match", "--format", "json", "--src", "en", "--tgt", "fr"])
            .arg("--tm")
            .arg(&store)
            .args(["--text", q]),
    );
    let cli: Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(comparable(m), comparable(cli[0].clone()));
    assert!(
        lookup(&served, "Pilots wait for the tide.")["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["score"].as_u64() < Some(100))
    );
    let a = answer(
        agent()
            .post(&served.url("/v1/tms/default/import?format=docx"))
            .header("authorization", "Bearer s3cret")
            .send("x"),
    );
    assert_eq!(a.status, 400, "{}", a.body);
}

/// An XLIFF 2.0 job: one finished segment (with inline codes) and one new.
const FINISHED_XLF2: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="fr">
<file id="f1" original="ferry.html">
<unit id="u1"><segment state="translated"><source>The ferry leaves the <pc id="1">old</pc> pier at noon.</source>
<target>Le bac quitte la <pc id="1">vieille</pc> jetée à midi.</target></segment></unit>
<unit id="u2"><segment state="initial"><source>Gulls follow the boat out of the bay.</source></segment></unit>
</file>
</xliff>
"#;

#[test]
fn an_xliff_2_upload_imports_its_finished_segments() {
    let (served, _) = serve_news(&[]);
    import_one(&served, "format=xliff&name=ferry.xlf", FINISHED_XLF2);
    let m = lookup(&served, "The ferry leaves the old pier at noon.");
    assert_eq!(
        m["matches"][0]["target"], "Le bac quitte la vieille jetée à midi.",
        "{m}"
    );
    let m = lookup(&served, "Gulls follow the boat out of the bay.");
    assert!(
        m["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["score"].as_u64() < Some(100)),
        "{m}"
    );
}

/// An XLIFF upload is read whole into memory: it has its own, lower bound
/// (`--max-xliff-upload`), whether its length is declared or not; TMX of
/// the same size is still taken.
#[test]
fn an_xliff_upload_above_its_own_bound_gets_413() {
    let limit = FINISHED_XLF.len() - 1;
    let (served, _) = serve_news(&["--max-xliff-upload", &limit.to_string()]);
    let a = post_import(&served, "format=xliff", FINISHED_XLF);
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(a.body.contains(&format!("{limit} bytes")), "{}", a.body);
    // Streamed without a declared length: refused once past the bound.
    let addr = served.server.base.trim_start_matches("http://").to_string();
    let mut conn = TcpStream::connect(&addr).unwrap();
    let chunk = FINISHED_XLF.as_bytes();
    write!(
        conn,
        "POST /v1/tms/default/import?format=xliff HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        chunk.len()
    )
    .unwrap();
    conn.write_all(chunk).unwrap();
    conn.write_all(b"\r\n0\r\n\r\n").unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert_eq!(get(&served.url("/v1/jobs/1")).status, 404);
    // Within the bound: taken.
    let small = FINISHED_XLF2.replace('\n', "");
    assert!(small.len() <= limit);
    let a = post_import(&served, "format=xliff", &small);
    assert_eq!(a.status, 202, "{}", a.body);
    // The bound is XLIFF's only: a larger TMX upload is taken.
    let tmx = format!(
        "<tmx version=\"1.4\"><header srclang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" \
         adminlang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" o-tmf=\"x\"/><body>{}</body></tmx>",
        "<tu><tuv xml:lang=\"en\"><seg>The tide turns at six.</seg></tuv>\
         <tuv xml:lang=\"fr\"><seg>La marée tourne à six heures.</seg></tuv></tu>"
            .repeat(8)
    );
    assert!(tmx.len() > limit);
    let a = post_import(&served, "format=tmx", &tmx);
    assert_eq!(a.status, 202, "{}", a.body);
}

#[test]
fn concordance_finds_text_in_either_language() {
    let (served, _) = serve_news(&[]);
    let a = get(&served.url("/v1/tms/default/concordance?q=DOCKERS&tgt=fr"));
    assert_eq!(a.status, 200);
    let hits = a.json();
    assert!(!hits.as_array().unwrap().is_empty());
    for h in hits.as_array().unwrap() {
        assert!(
            h["target"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("dockers"),
            "{h}"
        );
    }
    let en_only = get(&served.url("/v1/tms/default/concordance?q=dockers&src=en")).json();
    for h in en_only.as_array().unwrap() {
        assert!(
            h["source"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("dockers"),
            "{h}"
        );
    }
    assert_eq!(
        get(&served.url("/v1/tms/default/concordance?q=")).status,
        400
    );
    assert_eq!(
        get(&served.url("/v1/tms/default/concordance?q=x&limit=100000")).status,
        400
    );
}

#[test]
fn documents_are_analyzed_pretranslated_and_summarized() {
    let (served, _) = serve_news(&[]);
    let sources = news_sources();
    let doc = format!(
        "{}\n{}\n{}\nZebras juggle quartz in the moonlight.\n",
        sources[0], sources[1], sources[2]
    );
    let post_text = |path: &str| answer(agent().post(&served.url(path)).send(doc.as_str()));
    let a = post_text("/v1/analyze?src=en&tgt=fr&lines=true");
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    assert_eq!(
        v["total"]["101%"]["segments"].as_u64().unwrap()
            + v["total"]["100%"]["segments"].as_u64().unwrap(),
        3
    );
    assert_eq!(v["total"]["no match"]["segments"], 1);
    assert!(v["quote"]["weighted_words"].as_f64().unwrap() > 0.0);
    let a = post_text("/v1/pretranslate?src=en&tgt=fr&lines=true");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/xliff+xml")
    );
    assert_eq!(a.body.matches("<trans-unit").count(), 4);
    assert!(a.body.contains("state-qualifier=\"exact-match\""));
    let dir = tempfile::tempdir().unwrap();
    let xlf = dir.path().join("job.xlf");
    std::fs::write(&xlf, &a.body).unwrap();
    support::assert_valid(&[&xlf], Some("xliff12"));
    // An XLIFF file posted back is filled in place.
    let a = answer(
        agent()
            .post(&served.url("/v1/pretranslate?src=en&tgt=fr&to=xliff20"))
            .send(a.body.as_str()),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains("urn:oasis:names:tc:xliff:document:2.0"));
    let a = post_text("/v1/summarize?src=en&tgt=fr&sentences=2");
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    assert_eq!(v["sentences"].as_array().unwrap().len(), 2);
    assert!(
        v["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["translation"]["score"] == 100),
        "{v}"
    );
    let a = post_text("/v1/summarize?sentences=2");
    assert_eq!(a.status, 200);
    assert!(a.json()["sentences"][0]["translation"].is_null());
    assert_eq!(
        post_text("/v1/pretranslate?src=en&tgt=fr&to=pdf").status,
        400
    );
    let a = answer(
        agent()
            .post(&served.url("/v1/pretranslate?src=en&tgt=fr"))
            .send("<?xml version=\"1.0\"?><xliff version=\"1.2\"><file"),
    );
    assert_eq!(a.status, 422, "{}", a.body);
}

#[test]
fn analysis_sees_units_changed_since_start() {
    let (served, _) = serve_news(&[]);
    let analyze = || {
        let a = answer(
            agent()
                .post(&served.url("/v1/analyze?src=en&tgt=fr&lines=true"))
                .send(format!("{ZEBRA}\n")),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        a.json()["total"].clone()
    };
    // Open the pair first, so the unit goes to the change levels, not the base.
    assert_eq!(analyze()["no match"]["segments"], 1);
    let units = served.url("/v1/tms/default/units");
    let unit = json!({"src": "en", "tgt": "fr", "source": ZEBRA, "target": "Le zèbre."});
    let a = send("POST", &units, Some(&unit), Some("s3cret"), &[]);
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["ids"][0].as_i64().unwrap();
    let total = analyze();
    assert_eq!(total["100%"]["segments"], 1, "{total}");
    assert_eq!(total["no match"]["segments"], 0, "{total}");
    let a = send(
        "DELETE",
        &format!("{units}/{id}"),
        None,
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(analyze()["no match"]["segments"], 1);
}

#[test]
fn a_postgresql_store_is_served_too() {
    let Some(base) = std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        support::skipped("serve over PostgreSQL", "TMKIT_TEST_PG is not set");
        return;
    };
    let schema = "tmkit_test_serve";
    tmkit::store::postgres::reset_schema(&base, schema).unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let spec = format!("{base}{sep}options=-csearch_path%3D{schema}%2Cpublic");
    tmkit()
        .args(["tm", "import", "--tm", &spec])
        .arg(repo("tmx/en-fr.news.tmx"))
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret").unwrap();
    let served = Served::start(
        &format!("news={spec}"),
        &["--token-file", &token.display().to_string()],
    );
    let tms = get(&served.url("/v1/tms")).json();
    assert_eq!(tms[0]["name"], "news");
    assert_eq!(tms[0]["kind"], "postgres");
    assert_eq!(tms[0]["units"], 111);
    let s0 = &news_sources()[0];
    let url = |q: &str| {
        format!(
            "{}?src=en&tgt=fr&q={}",
            served.url("/v1/tms/news/lookup"),
            urlencode(q)
        )
    };
    assert_eq!(get(&url(s0)).json()["matches"][0]["score"], 100);
    let unit = json!({"src": "en", "tgt": "fr", "source": ZEBRA, "target": "Zèbre."});
    let a = send(
        "POST",
        &served.url("/v1/tms/news/units"),
        Some(&unit),
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(get(&url(ZEBRA)).json()["matches"][0]["target"], "Zèbre.");
    // The password never shows.
    assert!(!get(&served.url("/v1/tms")).body.contains("tmkit:tmkit"));
}

/// A memory with inline codes: paired (`<bpt>`/`<ept>`) and standalone
/// (`<ph>`) in TMX.
const CODED_TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="fixture" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="en" datatype="html"/><body>
<tu tuid="talks"><tuv xml:lang="en"><seg>Talks will resume on <bpt i="1">&lt;b&gt;</bpt>Thursday<ept i="1">&lt;/b&gt;</ept> in Baltimore.<ph x="2">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="fr"><seg>Les négociations reprendront <bpt i="1">&lt;b&gt;</bpt>jeudi<ept i="1">&lt;/b&gt;</ept> à Baltimore.<ph x="2">&lt;br/&gt;</ph></seg></tuv></tu>
<tu tuid="prices"><tuv xml:lang="en"><seg>Prices rose <bpt i="1">&lt;b&gt;</bpt>3.9<ept i="1">&lt;/b&gt;</ept> percent in the port of Lisbon.<ph x="2">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="fr"><seg>Les prix ont augmenté de <bpt i="1">&lt;b&gt;</bpt>3,9<ept i="1">&lt;/b&gt;</ept> pour cent dans le port de Lisbonne.<ph x="2">&lt;br/&gt;</ph></seg></tuv></tu>
<tu tuid="report"><tuv xml:lang="en"><seg>Click <bpt i="1">&lt;a href="r.html"&gt;</bpt>here<ept i="1">&lt;/a&gt;</ept> to read the <ph x="2">{year}</ph> annual report of the port.</seg></tuv>
<tuv xml:lang="fr"><seg>Cliquez <bpt i="1">&lt;a href="r.html"&gt;</bpt>ici<ept i="1">&lt;/a&gt;</ept> pour lire le rapport annuel <ph x="2">{year}</ph> du port.</seg></tuv></tu>
<tu tuid="stoppage"><tuv xml:lang="en"><seg>The stoppage is the first of its kind since 1977.</seg></tuv>
<tuv xml:lang="fr"><seg>Cet arrêt de travail est le premier de ce type depuis 1977.</seg></tuv></tu>
</body></tmx>
"#;

/// An XLIFF 1.2 job with `<g>`, `<x/>` and `<bpt>`/`<ept>` codes: exact and
/// fuzzy matches with codes, a plain exact match, one without a match.
const CODED_XLF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="port.html" source-language="en" target-language="fr" datatype="html">
<body>
<trans-unit id="1"><source>The stoppage is the first of its kind since 1977.</source></trans-unit>
<trans-unit id="2"><source>Talks will resume on <g id="1" ctype="bold">Thursday</g> in Baltimore.<x id="2" ctype="lb"/></source></trans-unit>
<trans-unit id="3"><source>Prices rose <bpt id="b">&lt;b&gt;</bpt>4.2<ept id="b">&lt;/b&gt;</ept> percent in the port of Lisbon.<x id="br"/></source></trans-unit>
<trans-unit id="4"><source>Click <g id="a">here</g> to read the <x id="y"/> annual report of the city.</source></trans-unit>
<trans-unit id="5"><source>Zebras juggle quartz in the moonlight.</source></trans-unit>
</body>
</file>
</xliff>
"#;

/// Candidate origins reduced to their unit (`origin="#tu2"`, `origin="#2"`):
/// the CLI names the memory by its path, the server by the memory's name
/// (a path never leaves the server).
fn without_origin_names(xliff: &str) -> String {
    let re = regex::Regex::new(r##"origin="[^"#]*#"##).unwrap();
    re.replace_all(xliff, r##"origin="#"##).into_owned()
}

#[test]
fn pretranslated_xliff_keeps_inline_codes_as_the_cli_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("memory.tmx");
    std::fs::write(&tmx, CODED_TMX).unwrap();
    let job = dir.path().join("job.xlf");
    std::fs::write(&job, CODED_XLF).unwrap();
    let store = dir.path().join("coded.tmdb");
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(&store)
        .arg(&tmx)
        .assert()
        .success();
    // A store (codes read from its units) and memory files (from the TMX).
    for memory in [&store, &tmx] {
        let served = Served::start(memory.to_str().unwrap(), &[]);
        for to in ["xliff12", "xliff20"] {
            let cli = dir.path().join(format!("cli-{to}.xlf"));
            tmkit()
                .args(["-q", "pretranslate", "--tm"])
                .arg(memory)
                .args(["--src", "en", "--tgt", "fr", "--to", to, "-o"])
                .arg(&cli)
                .arg(&job)
                .assert()
                .success();
            let cli = std::fs::read_to_string(&cli).unwrap();
            // Memory files: the coded units were read when the pair opened
            // (the first request); the TMX is not parsed again per request.
            let moved = dir.path().join("memory.tmx.moved");
            let files = memory == &tmx && to == "xliff20";
            if files {
                std::fs::rename(&tmx, &moved).unwrap();
            }
            let a = answer(
                agent()
                    .post(&served.url(&format!("/v1/pretranslate?src=en&tgt=fr&to={to}")))
                    .send(CODED_XLF),
            );
            if files {
                std::fs::rename(&moved, &tmx).unwrap();
            }
            assert_eq!(a.status, 200, "{}", a.body);
            let label = format!("{} as {to}", memory.display());
            assert_eq!(
                without_origin_names(&a.body),
                without_origin_names(&cli),
                "{label}"
            );
            // The comparison is not vacuous: codes restored in the targets.
            let coded_targets = match to {
                "xliff12" => [
                    r#"Les négociations reprendront <g id="1" ctype="bold">jeudi</g> à Baltimore.<x id="2" ctype="lb"/></target>"#,
                    // The document's <bpt>/<ept> pair, as the one code it is.
                    r#"Les prix ont augmenté de <g id="b">4,2</g> pour cent dans le port de Lisbonne.<x id="br"/></target>"#,
                ],
                _ => [
                    r#"<target>Les négociations reprendront <pc id="1">jeudi</pc> à Baltimore.<ph id="2"/></target>"#,
                    r#"<target>Les prix ont augmenté de <pc id="b""#,
                ],
            };
            for t in coded_targets {
                assert!(a.body.contains(t), "{label}: no {t} in\n{}", a.body);
            }
            if to == "xliff12" {
                assert!(
                    a.body.contains("state-qualifier=\"fuzzy-match\""),
                    "{label}"
                );
                assert!(a.body.contains(r#"<ph id="2">&lt;br/&gt;</ph>"#), "{label}");
            }
            let out = dir.path().join(format!("served-{to}.xlf"));
            std::fs::write(&out, &a.body).unwrap();
            support::assert_valid(&[&out], Some(to));
        }
    }
}

/// `/v1/analyze` of `doc` (as one file named `job.txt`) against the
/// default memory, and `tmkit analyze --format json` of the same document
/// against `store`, in comparable form (the CLI names the file by its path).
fn analyses(served: &Served, store: &Path, doc: &str) -> (Value, Value) {
    let a = answer(
        agent()
            .post(&served.url("/v1/analyze?src=en&tgt=fr&name=job.txt&rate=0.12"))
            .send(doc),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.txt");
    std::fs::write(&file, doc).unwrap();
    let out = tmkit()
        .args(["-q", "analyze", "--tm"])
        .arg(store)
        .args([
            "--src", "en", "--tgt", "fr", "--rate", "0.12", "--format", "json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    cli["files"][0]["name"] = json!("job.txt");
    (a.json(), cli)
}

#[test]
fn a_long_analysis_in_many_chunks_equals_tmkit_analyze() {
    // More segments than several rounds of chunks on every worker: the
    // scores come back in document order whatever chunk computed them.
    let (served, store) = serve_news(&[]);
    let s = news_sources();
    let doc: String = (0..400)
        .map(|i| {
            let source = &s[i % s.len()];
            match i % 3 {
                0 => source.clone(),
                1 => source.replacen(' ', &format!(" x{i} "), 1),
                _ => format!("Zebras number {i} juggle quartz in the moonlight."),
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let (served_json, cli) = analyses(&served, &store, &doc);
    assert_eq!(served_json, cli);
    let total = &cli["total"];
    assert_eq!(total["total"]["segments"], 400, "{total}");
    for band in ["100%", "85-94%", "no match"] {
        assert!(
            total[band]["segments"].as_u64().unwrap() > 0,
            "{band}: {total}"
        );
    }
}

#[test]
fn analysis_equals_tmkit_analyze_on_the_same_memory() {
    let (served, store) = serve_news(&[]);
    let s = news_sources();
    // In context (two memory neighbours in order), exact, fuzzy, a
    // repetition, an internal fuzzy match, no match.
    let doc = format!(
        "{} {} {} {} {}\n\n{} Zebras juggle quartz in the moonlight. Zebras juggle quartz in the sunlight. {}\n",
        s[1],
        s[2],
        s[9],
        s[6].replace("five", "six"),
        s[11].replace("economy", "government"),
        s[2],
        ZEBRA,
    );
    let (served_json, cli) = analyses(&served, &store, &doc);
    assert_eq!(served_json, cli);
    let total = &cli["total"];
    for band in ["101%", "100%", "repetitions", "no match"] {
        assert!(
            total[band]["segments"].as_u64().unwrap() > 0,
            "{band}: {total}"
        );
    }
    // After writes: a unit added (the change levels) and a base unit deleted
    // (hidden from the base), the server still reports what the CLI reads
    // from the store.
    let units = served.url("/v1/tms/default/units");
    let unit = json!({"src": "en", "tgt": "fr", "source": ZEBRA, "target": "Le zèbre."});
    let a = send("POST", &units, Some(&unit), Some("s3cret"), &[]);
    assert_eq!(a.status, 201, "{}", a.body);
    let best = lookup(&served, &s[9]);
    let origin = best["matches"][0]["origin"].as_str().unwrap().to_string();
    let id = &origin[origin.rfind('#').unwrap() + 1..];
    let a = send(
        "DELETE",
        &format!("{units}/{id}"),
        None,
        Some("s3cret"),
        &[],
    );
    assert_eq!(a.status, 204, "{}", a.body);
    let (after, cli_after) = analyses(&served, &store, &doc);
    assert_eq!(after, cli_after);
    assert_ne!(
        after["total"], served_json["total"],
        "the writes changed the analysis"
    );
}

/// A TSV upload is read with tmkit's TSV escapes, as `tm import` reads it:
/// `\t`, `\n` and `\\` decoded, `\d` kept.
#[test]
fn a_tsv_upload_decodes_the_tsv_escapes() {
    let (served, _) = serve_news(&[]);
    import_one(
        &served,
        "format=tsv&src=en&tgt=fr",
        "Open C:\\\\dir and \\d now.\tOuvrez\\tC:\\\\dir\\net \\d.\n",
    );
    let b = post_json(
        &served.url("/v1/tms/default/lookup"),
        &json!({"src": "en", "tgt": "fr", "segments": ["Open C:\\dir and \\d now."]}),
        None,
    );
    assert_eq!(b.status, 200, "{}", b.body);
    let m = &b.json()[0]["matches"][0];
    assert_eq!(m["source"], "Open C:\\dir and \\d now.", "{}", b.body);
    assert_eq!(m["target"], "Ouvrez\tC:\\dir\net \\d.", "{}", b.body);
}
