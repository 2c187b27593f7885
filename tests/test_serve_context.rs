//! 101% (in-context) matches from `tmkit serve` after writes through it:
//! a served batch lookup and `/v1/analyze` must give what `tmkit match` and
//! `tmkit analyze` give on the same store afterwards, whose neighbour order
//! is the store's unit order. Each scenario runs on SQLite, and on
//! PostgreSQL when `TMKIT_TEST_PG` is set.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{comparable, http_agent as agent, news_sources, tmkit, urlencode};

const TOKEN: &str = "s3cret";

/// A server over a store holding the news fixture, the pair opened (so
/// writes go to its change levels, not to a rebuilt index).
struct Setup {
    served: support::Served,
    /// What `--tm` takes for the store.
    tm: String,
    dir: tempfile::TempDir,
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The news fixture served from SQLite, then (when `TMKIT_TEST_PG` is set)
/// from PostgreSQL in schema `tmkit_test_ctx_{name}`.
fn setups(name: &str) -> Vec<Setup> {
    setups_of(name, &repo("tmx/en-fr.news.tmx"), &[])
}

/// [`setups`] of the memory file `tmx` instead of the news fixture, imported
/// with `import_args`.
fn setups_of(name: &str, tmx: &Path, import_args: &[&str]) -> Vec<Setup> {
    // `None`: an SQLite store in the setup's own folder.
    let mut specs = vec![None];
    match std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let schema = format!("tmkit_test_ctx_{name}");
            tmkit::store::postgres::reset_schema(&base, &schema).unwrap();
            let sep = if base.contains('?') { '&' } else { '?' };
            specs.push(Some(format!(
                "{base}{sep}options=-csearch_path%3D{schema}%2Cpublic"
            )));
        }
        None => support::skipped(
            &format!("101% after writes ({name}) over PostgreSQL"),
            "TMKIT_TEST_PG is not set",
        ),
    }
    specs
        .into_iter()
        .map(|spec| {
            let dir = tempfile::tempdir().unwrap();
            let tm = spec.unwrap_or_else(|| dir.path().join("team.tmdb").display().to_string());
            tmkit()
                .args(["tm", "import", "--tm", &tm])
                .args(import_args)
                .arg(tmx)
                .assert()
                .success();
            let token = dir.path().join("token");
            std::fs::write(&token, TOKEN).unwrap();
            let served =
                support::serve_tm_with(tm.as_ref(), &["--token-file", token.to_str().unwrap()]);
            let setup = Setup { served, tm, dir };
            setup.lookup(&news_sources()[0]);
            setup
        })
        .collect()
}

/// Status and body of `method url` with `body` (JSON) and the token.
fn send(method: &str, url: &str, body: Option<&Value>) -> (u16, String) {
    let req = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json");
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut r = agent().run(req.body(body).unwrap()).unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap())
}

impl Setup {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.served.base)
    }

    /// The GET lookup of `q` (its best three matches, as [`Setup::cli_match`]
    /// asks for).
    fn lookup(&self, q: &str) -> Value {
        self.lookup_after(q, None)
    }

    /// The GET lookup of `q` with `prev` (the segment before it in the
    /// document) when given.
    fn lookup_after(&self, q: &str, prev: Option<&str>) -> Value {
        let mut url = format!(
            "{}?src=en&tgt=fr&max=3&q={}",
            self.url("/v1/tms/default/lookup"),
            urlencode(q)
        );
        if let Some(prev) = prev {
            url.push_str("&prev=");
            url.push_str(&urlencode(prev));
        }
        let (status, body) = send("GET", &url, None);
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// The unit id of `source`'s exact match.
    fn id_of(&self, source: &str) -> i64 {
        let found = self.lookup(source);
        let best = &found["matches"][0];
        assert_eq!(best["score"], 100, "{found}");
        let origin = best["origin"].as_str().unwrap();
        origin[origin.rfind('#').unwrap() + 1..].parse().unwrap()
    }

    /// Sends a write through the server; returns its JSON answer.
    fn write(&self, method: &str, path: &str, body: Option<Value>, expected: u16) -> Value {
        let (status, text) = send(method, &self.url(path), body.as_ref());
        assert_eq!(status, expected, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Edits unit `id` through the server; returns the unit.
    fn put_unit(&self, id: i64, edit: Value) -> Value {
        self.write(
            "PUT",
            &format!("/v1/tms/default/units/{id}"),
            Some(edit),
            200,
        )
    }

    /// `tmkit match --lines --max 3` of `segments` on the store, in
    /// comparable form.
    fn cli_match(&self, segments: &[&str]) -> Value {
        let file = self.dir.path().join("job.txt");
        std::fs::write(&file, segments.join("\n") + "\n").unwrap();
        let out = tmkit()
            .args(["-q", "match", "--format", "json", "--lines", "--max", "3"])
            .args(["--src", "en", "--tgt", "fr", "--tm", &self.tm])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        comparable(serde_json::from_slice(&out.stdout).unwrap())
    }

    /// The server's batch lookup of `segments` (101% in context) and `tmkit
    /// match --lines` on the store, in comparable form; checked equal.
    fn batch_scores(&self, segments: &[&str]) -> Vec<u64> {
        let (status, body) = send(
            "POST",
            &self.url("/v1/tms/default/lookup"),
            Some(&json!({"src": "en", "tgt": "fr", "segments": segments, "max": 3})),
        );
        assert_eq!(status, 200, "{body}");
        let served = comparable(serde_json::from_str(&body).unwrap());
        let cli = self.cli_match(segments);
        assert_eq!(served, cli, "{segments:?}");
        // One segment at a time with `prev`, as a CAT tool asks while the
        // translator moves down the document: the same results.
        for (i, segment) in segments.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| segments[p]);
            let one = comparable(self.lookup_after(segment, prev));
            assert_eq!(one, served[i], "{segment:?} after {prev:?}");
        }
        cli.as_array()
            .unwrap()
            .iter()
            .map(|r| r["matches"][0]["score"].as_u64().unwrap_or(0))
            .collect()
    }

    /// `/v1/analyze` of `segments` (one a line) and `tmkit analyze --lines
    /// --format json` of them on the store; checked equal. Returns the
    /// number of 101% segments.
    fn analysis_in_context(&self, segments: &[&str]) -> u64 {
        let doc = segments.join("\n") + "\n";
        let url = self.url("/v1/analyze?src=en&tgt=fr&lines=true&name=job.txt&rate=0.1");
        let mut r = agent().post(&url).send(doc.as_str()).unwrap();
        let body = r.body_mut().read_to_string().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{body}");
        let served: Value = serde_json::from_str(&body).unwrap();
        let file = self.dir.path().join("job.txt");
        std::fs::write(&file, &doc).unwrap();
        let out = tmkit()
            .args([
                "-q", "analyze", "--lines", "--format", "json", "--rate", "0.1",
            ])
            .args(["--src", "en", "--tgt", "fr", "--tm", &self.tm])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let mut cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        cli["files"][0]["name"] = json!("job.txt");
        assert_eq!(served, cli, "{segments:?}");
        cli["total"]["101%"]["segments"].as_u64().unwrap()
    }
}

/// (a) A unit in context edited through the server keeps its 101%: its
/// target changed (it now lives in a change level), or its source changed
/// (the new source follows the same neighbour).
#[test]
fn an_edited_unit_keeps_its_context_match() {
    let s = news_sources();
    for setup in setups("put") {
        let (a, b) = (s[20].as_str(), s[21].as_str());
        assert_eq!(setup.batch_scores(&[a, b]), [100, 101]);
        let id = setup.id_of(b);
        let edit = json!({"tgt": "fr", "target": "Une cible révisée."});
        setup.put_unit(id, edit);
        assert_eq!(setup.batch_scores(&[a, b]), [100, 101]);
        // A new source for another unit: in context after its neighbour.
        let (c, d) = (s[40].as_str(), s[41].as_str());
        let fresh = "The harbour pilots agreed to a new roster on Monday.";
        let edit = json!({"src": "en", "source": fresh});
        let id = setup.id_of(d);
        setup.put_unit(id, edit);
        assert_eq!(setup.batch_scores(&[c, fresh]), [100, 101]);
        assert_eq!(setup.analysis_in_context(&[a, b, c, fresh]), 2);
    }
}

/// (b) Once the unit before an exact match is deleted through the server,
/// the match is in context after the unit before that one, no longer after
/// the deleted one.
#[test]
fn deleting_the_neighbour_moves_the_context() {
    let s = news_sources();
    for setup in setups("delete") {
        let (x, y, z) = (s[60].as_str(), s[61].as_str(), s[62].as_str());
        assert_eq!(setup.batch_scores(&[y, z])[1], 101);
        assert_eq!(setup.batch_scores(&[x, z])[1], 100);
        let id = setup.id_of(y);
        setup.write("DELETE", &format!("/v1/tms/default/units/{id}"), None, 204);
        assert_eq!(setup.batch_scores(&[y, z])[1], 100);
        assert_eq!(setup.batch_scores(&[x, z])[1], 101);
        assert_eq!(setup.analysis_in_context(&[y, z]), 0);
        assert_eq!(setup.analysis_in_context(&[x, z]), 1);
    }
}

/// (c) Units added through the server follow the store's last unit, and
/// each other, in context.
#[test]
fn added_units_are_in_context_after_the_last_unit() {
    let s = news_sources();
    for setup in setups("post") {
        let last = s.last().unwrap().as_str();
        let (n1, n2) = (
            "The ferry timetable changes next spring.",
            "Night crossings will stop in March.",
        );
        for (i, source) in [n1, n2].into_iter().enumerate() {
            let unit = json!({"src": "en", "tgt": "fr", "source": source,
                "target": format!("Traduction {i}.")});
            setup.write("POST", "/v1/tms/default/units", Some(unit), 201);
        }
        assert_eq!(setup.batch_scores(&[last, n1, n2]), [100, 101, 101]);
        assert_eq!(setup.batch_scores(&[n2, n1]), [100, 100]);
        assert_eq!(setup.analysis_in_context(&[last, n1, n2]), 2);
    }
}

/// A TMX of `pairs` (source, target), each unit dated `date`.
fn tmx_of(pairs: &[(String, String)], date: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let tus: String = pairs
        .iter()
        .map(|(s, t)| {
            format!(
                "<tu changedate=\"{date}\"><tuv xml:lang=\"en\"><seg>{}</seg></tuv>\
                 <tuv xml:lang=\"fr\"><seg>{}</seg></tuv></tu>\n",
                esc(s),
                esc(t)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\
         <header srclang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" \
         adminlang=\"en\" creationtool=\"test\" creationtoolversion=\"1\" o-tmf=\"x\"/>\
         <body>\n{tus}</body></tmx>\n"
    )
}

/// (d) Among more exact duplicates than the 101% check examines (UI
/// strings), the server examines those `tmkit match` examines: newest
/// changedate first, then unit order. A copy of "Cancel" edited through the
/// server is the newest, so it is in context after its own neighbour.
#[test]
fn many_duplicates_follow_the_matchers_tie_order() {
    let files = tempfile::tempdir().unwrap();
    let mut pairs = Vec::new();
    for k in 1..=70 {
        pairs.push((
            format!("Step {k} of the wizard."),
            format!("Étape {k} de l'assistant."),
        ));
        // Distinct targets: the import skips exact duplicates.
        pairs.push(("Cancel".to_string(), format!("Annuler ({k})")));
    }
    let tmx = files.path().join("ui.tmx");
    std::fs::write(&tmx, tmx_of(&pairs, "20240101T000000Z")).unwrap();
    for setup in setups_of("dups", &tmx, &["--on-duplicate", "add"]) {
        let (first, last) = ("Step 1 of the wizard.", "Step 70 of the wizard.");
        // Equal dates: the 64 lowest units are examined, the 70th is not.
        assert_eq!(setup.batch_scores(&[first, "Cancel"]), [100, 101]);
        assert_eq!(setup.batch_scores(&[last, "Cancel"]), [100, 100]);
        // The 70th copy edited: now the newest, examined first.
        let id = setup.id_of(last) + 1;
        let edit = json!({"tgt": "fr", "target": "Annuler l'opération"});
        let unit = setup.put_unit(id, edit);
        assert_eq!(unit["variants"][0]["text"], "Cancel", "{unit}");
        assert_eq!(setup.batch_scores(&[last, "Cancel"]), [100, 101]);
        assert_eq!(setup.batch_scores(&[first, "Cancel"]), [100, 101]);
        assert_eq!(setup.analysis_in_context(&[last, "Cancel"]), 1);
    }
}

/// (e) The neighbour edited while the match stays in the base: a new source
/// on `a` puts `a`'s new text, not its old one, before `b`.
#[test]
fn an_edited_neighbour_gives_its_new_source_as_context() {
    let s = news_sources();
    for setup in setups("neighbour") {
        let (a, b) = (s[30].as_str(), s[31].as_str());
        assert_eq!(setup.batch_scores(&[a, b]), [100, 101]);
        let fresh = "The lock keepers went on strike at dawn.";
        let id = setup.id_of(a);
        let edit = json!({"src": "en", "source": fresh});
        setup.put_unit(id, edit);
        assert_eq!(setup.batch_scores(&[a, b])[1], 100);
        assert_eq!(setup.batch_scores(&[fresh, b]), [100, 101]);
        assert_eq!(setup.analysis_in_context(&[a, b]), 0);
        assert_eq!(setup.analysis_in_context(&[fresh, b]), 1);
    }
}

/// (f) The store's first unit has no neighbour: never in context, before or
/// after an edit that moves it to a change level; what follows it still is.
#[test]
fn the_first_unit_is_never_in_context() {
    let s = news_sources();
    for setup in setups("first") {
        let (first, second, last) = (s[0].as_str(), s[1].as_str(), s.last().unwrap().as_str());
        assert_eq!(setup.batch_scores(&[last, first, second]), [100, 100, 101]);
        let id = setup.id_of(first);
        let edit = json!({"tgt": "fr", "target": "Une autre traduction."});
        setup.put_unit(id, edit);
        assert_eq!(setup.batch_scores(&[last, first, second]), [100, 100, 101]);
        assert_eq!(setup.analysis_in_context(&[last, first, second]), 1);
    }
}

/// (g) A unit of another language pair added between two units is no
/// neighbour for this pair: the second follows the first in context.
#[test]
fn a_unit_of_another_pair_in_between_is_skipped() {
    let s = news_sources();
    for setup in setups("otherpair") {
        let (n1, other, n2) = (
            "The canal reopens to barges on Friday.",
            "The museum ship gets a new mast.",
            "Tolls stay at last year's level.",
        );
        let units = [
            json!({"src": "en", "tgt": "fr", "source": n1, "target": "Le canal rouvre vendredi."}),
            json!({"src": "en", "tgt": "de", "source": other, "target": "Das Museumsschiff bekommt einen neuen Mast."}),
            json!({"src": "en", "tgt": "fr", "source": n2, "target": "Les péages restent au niveau de l'an dernier."}),
        ];
        for unit in units {
            setup.write("POST", "/v1/tms/default/units", Some(unit), 201);
        }
        assert_eq!(setup.batch_scores(&[n1, n2]), [100, 101]);
        assert_eq!(setup.batch_scores(&[other, n2])[1], 100);
        assert_eq!(setup.batch_scores(&[s.last().unwrap(), n1]), [100, 101]);
        assert_eq!(setup.analysis_in_context(&[n1, n2]), 1);
    }
}

/// (h) The same unit edited twice: only its latest source is in context.
#[test]
fn a_unit_edited_twice_is_in_context_with_its_latest_source() {
    let s = news_sources();
    for setup in setups("twice") {
        let (c, d) = (s[50].as_str(), s[51].as_str());
        let id = setup.id_of(d);
        let (first, second) = (
            "The quay was resurfaced over the winter.",
            "The quay was resurfaced over the summer.",
        );
        for source in [first, second] {
            let edit = json!({"src": "en", "source": source});
            setup.put_unit(id, edit);
        }
        assert_eq!(setup.batch_scores(&[c, second]), [100, 101]);
        assert_ne!(setup.batch_scores(&[c, first])[1], 101);
        assert_eq!(setup.analysis_in_context(&[c, second]), 1);
    }
}

/// (i) A unit's source edited through the server, then its old source
/// looked up: the base index still scores the old text, the store now holds
/// the new one. Every route answers 200 without the edited unit under its
/// old text, and as `tmkit match`/`tmkit analyze` answer on the store.
#[test]
fn the_old_source_of_an_edited_unit_is_not_matched() {
    let s = news_sources();
    for setup in setups("stale") {
        let (c, old) = (s[45].as_str(), s[46].as_str());
        assert_eq!(setup.batch_scores(&[c, old]), [100, 101]);
        let id = setup.id_of(old);
        let fresh = "The ferry company bought two electric boats this year.";
        setup.put_unit(id, json!({"src": "en", "source": fresh}));
        // Status 200 is asserted by `lookup`.
        let served = comparable(setup.lookup(old));
        let unit = format!("#{id}");
        for m in served["matches"].as_array().unwrap() {
            assert!(
                m["origin"] != unit.as_str() || m["source"] == fresh,
                "{served}"
            );
            assert_ne!(m["score"], 100, "{served}");
        }
        assert_eq!(
            served,
            setup.cli_match(&[old])[0],
            "GET against tmkit match"
        );
        // The batch and the analysis compare themselves with the CLI.
        let scores = setup.batch_scores(&[c, old]);
        assert!(scores[1] < 100, "{scores:?}");
        assert_eq!(setup.analysis_in_context(&[c, old]), 0);
        assert_eq!(setup.batch_scores(&[c, fresh]), [100, 101]);
    }
}
