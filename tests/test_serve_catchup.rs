//! `tmkit serve` on an SQLite store catches up with other processes' writes:
//! a unit `tmkit tm add` writes from another process is found by the
//! server's lookups within seconds, and one `tmkit tm delete` removes is no
//! longer found (through the store's change log, without a restart).

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::tmkit;

/// Kills the server however the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tmkit serve` on `store` and returns it with its base URL.
fn serve(store: &Path) -> (Killed, String) {
    let mut child = Killed(
        Command::new(assert_cmd::cargo::cargo_bin("tmkit"))
            .args(["serve", "--bind", "127.0.0.1:0", "--tm"])
            .arg(store)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server ended before listening")
            .unwrap();
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

/// The targets of the server's matches of at least 90% for `q`.
fn targets(base: &str, q: &str) -> Vec<String> {
    let url = format!(
        "{base}/v1/tms/default/lookup?src=en&tgt=fr&min=90&q={}",
        q.replace(' ', "%20")
    );
    let body = ureq::get(&url)
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"))
        .body_mut()
        .read_to_string()
        .unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap().to_string())
        .collect()
}

/// Asks until `done` holds for the answer to `q`, for at most 10 s.
fn eventually(base: &str, q: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let started = Instant::now();
    loop {
        let found = targets(base, q);
        if done(&found) || started.elapsed() > Duration::from_secs(10) {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn a_server_on_sqlite_sees_units_other_processes_add_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("team.tmdb");
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(&store)
        .arg(repo("tmx/en-fr.news.tmx"))
        .assert()
        .success();
    let (_server, base) = serve(&store);
    let new = "The zebra crossed the quartz bridge at noon.";
    let target = "Le zèbre a traversé le pont de quartz à midi.";
    // The first lookup opens the pair's index: the unit is not there yet.
    assert!(targets(&base, new).is_empty());

    // Another process adds it.
    tmkit()
        .args(["-q", "tm", "add", "--tm"])
        .arg(&store)
        .args(["--src", "en", "--tgt", "fr", new, target])
        .assert()
        .success();
    let found = eventually(&base, new, |t| !t.is_empty());
    assert_eq!(found.first().map(String::as_str), Some(target), "{found:?}");

    // Another process deletes it.
    tmkit()
        .args(["-q", "tm", "delete", "--tm"])
        .arg(&store)
        .args(["--search", "quartz bridge"])
        .assert()
        .success();
    let found = eventually(&base, new, |t| t.is_empty());
    assert!(found.is_empty(), "still found after the delete: {found:?}");

    // The units the import brought are still found (the server applied the
    // changes, it did not lose its base).
    let text = std::fs::read_to_string(repo("tmx/en-fr.news.tmx")).unwrap();
    let first = text
        .split("<seg>")
        .nth(1)
        .and_then(|s| s.split("</seg>").next())
        .unwrap()
        .to_string();
    assert!(!targets(&base, &first).is_empty(), "{first}");
}
