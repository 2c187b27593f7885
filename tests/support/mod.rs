//! What several test files share: finding `../shared`, reporting a
//! cross-check that cannot run, and the outside checks written XLIFF goes
//! through (the official schemas and translate-toolkit).
//!
//! libtest captures what a test prints with `eprintln!` and shows it only for
//! failing tests, so a skipped cross-check would pass as a silent `ok`.
//! [`skipped`] writes to the process's standard error through its file handle,
//! which libtest does not capture: the line shows in every `cargo test` run
//! and in CI logs, next to the test's `ok`.

#![allow(dead_code)] // Each test file uses a part.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

/// `../shared` (beside the checkout, as in CI) or `$TMKIT_SHARED`, with `rel`
/// under it; `None` (after reporting the skip) when absent.
pub fn shared(rel: &str, check: &str) -> Option<PathBuf> {
    let candidates = [
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        std::env::var_os("TMKIT_SHARED").map(PathBuf::from),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .map(|root| root.join(rel))
        .find(|p| p.exists());
    if found.is_none() {
        skipped(check, &format!("../shared/{rel} is absent"));
    }
    found
}

/// Reports on the terminal (uncaptured) that cross-check `check` was skipped, and why.
pub fn skipped(check: &str, why: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "SKIPPED cross-check {check}: {why}");
}

/// True when `python3` can import `module` (else reports the skip of `check`).
pub fn python_has(module: &str, check: &str) -> bool {
    let ok = StdCommand::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skipped(check, &format!("python3 with {module} is not installed"));
    }
    ok
}

/// A fixture of the XLIFF tests, `tests/fixtures/xliff/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xliff")
        .join(name)
}

/// The tmkit binary, colours off.
pub fn tmkit() -> Command {
    let mut cmd = Command::cargo_bin("tmkit").unwrap();
    cmd.env("NO_COLOR", "1");
    // Tests never write into the user's cache; those of the cache name one.
    cmd.env("TMKIT_NO_CACHE", "1");
    // The index of a PostgreSQL store is kept in the user's cache whatever
    // TMKIT_NO_CACHE says: it goes to the tests' own.
    cmd.env("XDG_CACHE_HOME", cache_home());
    cmd
}

/// The `XDG_CACHE_HOME` of the tmkit processes tests start (under cargo's
/// temporary folder for tests, `target/tmp`), so a run leaves nothing in
/// the user's `~/.cache`: the fuzzy index of a PostgreSQL store lands in
/// `cache_home()/tmkit/<store id>.<src>_<tgt>.fzi`.
pub fn cache_home() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache")
}

/// Checks `files` against the official schemas (`kind` as validate.py
/// names it, or `None` to guess from the root); skips with a printed reason
/// when the validator, Python or lxml is missing.
pub fn assert_valid(files: &[&Path], kind: Option<&str>) {
    let Some(script) = shared("schemas/validate.py", "schema validation") else {
        return;
    };
    if !python_has("lxml", "schema validation") {
        return;
    }
    let mut cmd = StdCommand::new("python3");
    cmd.arg(script);
    if let Some(k) = kind {
        cmd.args(["--kind", k]);
    }
    let out = cmd.args(files).output().unwrap();
    assert!(
        out.status.success(),
        "schema validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads an XLIFF 1.2 file with translate-toolkit: for each unit (headers
/// left out), its id, source and target, as translate-toolkit sees them.
/// `None` (with a printed reason) when translate-toolkit is missing.
pub fn translate_toolkit_units(file: &Path) -> Option<Vec<(String, String, String)>> {
    translate_toolkit_read(file, "xliff", "xliff.xlifffile")
}

/// Reads an XLIFF 2.0 file with translate-toolkit (`translate.storage.xliff2`):
/// for each unit, its id, source and target. `None` (with a printed reason)
/// when translate-toolkit is missing.
pub fn translate_toolkit_units20(file: &Path) -> Option<Vec<(String, String, String)>> {
    translate_toolkit_read(file, "xliff2", "xliff2.Xliff2File")
}

/// Reads a PO file with translate-toolkit (`translate.storage.po`):
/// for each entry, its id, msgid and msgstr. `None` (with a printed reason)
/// when translate-toolkit is missing.
pub fn translate_toolkit_po_units(file: &Path) -> Option<Vec<(String, String, String)>> {
    translate_toolkit_read(file, "po", "po.pofile")
}

/// The units of `file` as translate-toolkit's `class` (in
/// `translate.storage.MODULE`) reads them: id, source, target.
fn translate_toolkit_read(
    file: &Path,
    module: &str,
    class: &str,
) -> Option<Vec<(String, String, String)>> {
    let check = format!("translate-toolkit reading {class}");
    if !python_has(&format!("translate.storage.{module}"), &check) {
        return None;
    }
    let script = format!(
        r#"
import json, sys
from translate.storage import {module}
store = {class}.parsefile(sys.argv[1])
print(json.dumps([[u.getid(), u.source or "", u.target or ""] for u in store.units if not u.isheader()]))
"#
    );
    let out = StdCommand::new("python3")
        .args(["-c", &script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "translate-toolkit could not read {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// `tests/fixtures/KIND/NAME` (KIND: `align`, `tmx`, ...).
pub fn fixture_of(kind: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name)
}

/// Runs `cmd`, checks that it succeeds, and returns its standard output.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Each line of `text` as a JSON value.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `cmd`, checks that it succeeds, and returns its standard output
/// and standard error.
pub fn outputs_of(cmd: &mut Command) -> (String, String) {
    let out = cmd.assert().success().get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Sends `signal` (`INT`, `TERM`, ...) to process `pid` with kill(1).
pub fn send_signal(pid: u32, signal: &str) {
    let sent = StdCommand::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal} {pid}");
}

/// A `tmkit serve` started by a test, killed however the test ends.
pub struct ServeProcess(pub std::process::Child);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tmkit serve --bind 127.0.0.1:0 --tm TM` and returns it with the
/// base URL its log announces; the rest of its log is drained.
pub fn serve_tm(tm: &std::ffi::OsStr) -> (ServeProcess, String) {
    let served = serve_tm_with(tm, &[]);
    (served.process, served.base)
}

/// A server [`serve_tm_with`] started: the process, its base URL
/// (`http://127.0.0.1:PORT`) and every line of its log so far.
pub struct Served {
    pub process: ServeProcess,
    pub base: String,
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// Starts `tmkit serve --bind 127.0.0.1:0 --tm TM ARGS` (a token file, `--read-only`,
/// ...) and waits (at most 60 s) until its log says where it listens; the
/// log's lines are kept in [`Served::log`].
pub fn serve_tm_with(tm: &std::ffi::OsStr, args: &[&str]) -> Served {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    let mut process = ServeProcess(
        StdCommand::new(assert_cmd::cargo::cargo_bin("tmkit"))
            .args(["serve", "--bind", "127.0.0.1:0", "--tm"])
            .arg(tm)
            .args(args)
            .env("XDG_CACHE_HOME", cache_home())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stderr = process.0.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let lines = log.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on ") {
                let base = line[at + "listening on ".len()..].split_whitespace().next();
                let _ = tx.send(base.unwrap_or_default().to_string());
            }
            lines.lock().unwrap().push(line);
        }
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(base) => Served { process, base, log },
        Err(_) => panic!("the server did not start: {:?}", log.lock().unwrap()),
    }
}

/// The English sources of the news fixture (`tmx/en-fr.news.tmx`), in unit order.
pub fn news_sources() -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tmx/en-fr.news.tmx"))
            .unwrap();
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

/// Lookup JSON (one lookup or a list) in a form comparable between
/// `tmkit match --format json` and the server: `ms` removed, and each origin
/// reduced to its unit id (the CLI names the store by its path, the server
/// by the memory's name).
pub fn comparable(mut v: serde_json::Value) -> serde_json::Value {
    let one = |item: &mut serde_json::Value| {
        let o = item.as_object_mut().unwrap();
        o.remove("ms");
        for m in o["matches"].as_array_mut().unwrap() {
            let origin = m["origin"].as_str().unwrap();
            let id = origin[origin.rfind('#').unwrap()..].to_string();
            m["origin"] = serde_json::Value::String(id);
        }
    };
    match v.as_array_mut() {
        Some(items) => items.iter_mut().for_each(one),
        None => one(&mut v),
    }
    v
}

/// `s` percent-encoded for a URL's query (every byte but the unreserved ones).
pub fn urlencode(s: &str) -> String {
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

/// An HTTP client (for a test's server) that returns error statuses as
/// answers, with a 120 s bound on each request.
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(120)))
            .build(),
    )
}

/// What [`change_log_scenario`] saw: the generations before and after the
/// other handle's add, edit and delete, and what the replacing add logged,
/// for an engine's own checks.
pub struct ChangeLogRun {
    /// The reader's generation before the writes.
    pub before: u64,
    /// The generation `changes_since(before)` brought the reader to.
    pub after: u64,
    /// The generation after the replacing add.
    pub replaced: u64,
    /// What `changes_since(after)` returned after the replacing add, as
    /// returned (the scenario compares it sorted).
    pub replace_changes: Vec<i64>,
    /// The unit the add replaced, then the new one.
    pub replace_units: Vec<i64>,
}

/// The change log as a reader sees it, on any engine: `writer` and `reader`
/// are two handles on one empty store. The writer adds three units, then
/// (one write each) adds, edits and deletes; the reader gets exactly those
/// units back from `changes_since`, reads the new state with `scan_ids`
/// (the deleted one missing), and is then caught up. Usage is not a change;
/// a replacing add logs both units; a generation the log does not reach asks
/// for a rebuild; a store created with the log has every change since 0.
/// Generations are only asserted to rise (PostgreSQL's need not be
/// consecutive); the engine checks the rest from the returned run.
pub fn change_log_scenario(
    writer: &mut dyn tmkit::store::Store,
    reader: &mut dyn tmkit::store::Store,
) -> ChangeLogRun {
    use tmkit::store::{DuplicatePolicy, Edit, Filter, Unit};
    let unit = |s: &str, t: &str| Unit::new(&[("en", s), ("fr", t)]);
    let first = writer
        .add_units(
            &[
                unit("One", "Un"),
                unit("Two", "Deux"),
                unit("Three", "Trois"),
            ],
            DuplicatePolicy::default(),
        )
        .unwrap()
        .ids;
    assert_eq!(first.len(), 3);
    let g0 = reader.generation().unwrap();
    assert!(g0 > 0, "the first add raised the generation");
    assert_eq!(reader.changes_since(g0).unwrap(), Some((g0, vec![])));
    // Another handle adds, edits and deletes.
    let added = writer
        .add_units(&[unit("Four", "Quatre")], DuplicatePolicy::default())
        .unwrap()
        .ids;
    assert_eq!(added.len(), 1);
    let edit = Edit {
        variants: vec![("fr".into(), "Deux !".into())],
        ..Default::default()
    };
    assert_eq!(
        writer.edit(&Filter::of_ids(vec![first[1]]), &edit).unwrap(),
        1
    );
    assert_eq!(writer.delete(&Filter::of_ids(vec![first[2]])).unwrap(), 1);
    let (g1, changed) = reader.changes_since(g0).unwrap().expect("a logged store");
    assert!(g1 > g0, "generation {g1} after {g0}");
    assert_eq!(g1, writer.generation().unwrap());
    let mut expected = vec![added[0], first[1], first[2]];
    expected.sort_unstable();
    assert_eq!(changed, expected);
    // Reading them back gives the new state; a deleted unit is missing.
    let mut seen = Vec::new();
    reader
        .scan_ids(&changed, &mut |u| {
            seen.push((u.id, u.variants[1].1.clone()));
        })
        .unwrap();
    seen.sort();
    let mut want = vec![
        (added[0], "Quatre".to_string()),
        (first[1], "Deux !".to_string()),
    ];
    want.sort();
    assert_eq!(seen, want);
    // Caught up: nothing more.
    assert_eq!(reader.changes_since(g1).unwrap(), Some((g1, vec![])));
    // Usage is not a change.
    writer.record_usage(&first, "20250101T000000Z").unwrap();
    assert_eq!(reader.changes_since(g1).unwrap(), Some((g1, vec![])));
    // A replacing add logs the unit it replaces and the new one.
    let replacing = writer
        .add_units(&[unit("One", "Une")], DuplicatePolicy::Overwrite)
        .unwrap()
        .ids;
    assert_eq!(replacing.len(), 1);
    let (g2, replace_changes) = reader.changes_since(g1).unwrap().unwrap();
    assert!(g2 > g1, "generation {g2} after {g1}");
    let replace_units = vec![first[0], replacing[0]];
    let mut sorted = (replace_changes.clone(), replace_units.clone());
    sorted.0.sort_unstable();
    sorted.1.sort_unstable();
    assert_eq!(sorted.0, sorted.1);
    // A generation the log does not reach asks for a rebuild.
    assert_eq!(reader.changes_since(g2 + 1000).unwrap(), None);
    // A store created with the log has every change since generation 0.
    let (_, all) = reader.changes_since(0).unwrap().unwrap();
    let mut every = [first.clone(), added, replacing].concat();
    every.sort_unstable();
    assert_eq!(all, every);
    ChangeLogRun {
        before: g0,
        after: g1,
        replaced: g2,
        replace_changes,
        replace_units,
    }
}

/// A unit that cannot be written as TMX (an extra attribute whose name is not
/// an XML name) fails its add with an error naming the unit, and nothing of
/// the add is stored, on any engine: `db` is an empty store.
pub fn unwritable_unit_scenario(db: &mut dyn tmkit::store::Store) {
    use tmkit::store::{DuplicatePolicy, Filter, Unit};
    use tmkit::tmx::model::Attr;
    let good = Unit::new(&[("en", "Good"), ("fr", "Bon")]);
    let mut bad = Unit::new(&[("en", "Bad"), ("fr", "Mauvais")]);
    bad.tu.tuid = Some("bad-1".into());
    bad.tu.extra = vec![Attr::new("bad name", "x")];
    let err = db
        .add_units(&[good, bad], DuplicatePolicy::default())
        .expect_err("an unwritable unit is refused")
        .to_string();
    assert!(err.contains("\"bad-1\""), "{err}");
    assert_eq!(db.count(&Filter::default()).unwrap(), 0, "{err}");
}

/// Runs `tmkit ARGS | head -c 10` in bash (ARGS as the shell reads them,
/// quoted where needed) with `env` set, and asserts that tmkit, whose reader
/// stopped early, ended quietly: exit 0 and nothing on stderr. `what` names
/// the case in failures.
pub fn assert_closed_pipe_ends_quietly(what: &str, args: &str, env: &[(&str, &Path)]) {
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let mut cmd = StdCommand::new("bash");
    cmd.arg("-c").arg(format!(
        "'{}' {args} | head -c 10 >/dev/null; exit ${{PIPESTATUS[0]}}",
        bin.display()
    ));
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{what}: exit status {:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
