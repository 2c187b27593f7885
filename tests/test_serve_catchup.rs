//! `tmkit serve` on an SQLite store catches up with other processes' writes:
//! a unit `tmkit tm add` writes from another process is found by the
//! server's lookups within seconds, and one `tmkit tm delete` removes is no
//! longer found (through the store's change log, without a restart), and the
//! unit it added is a 101% match after the store's last unit, as `tmkit
//! match` says.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::tmkit;

/// Starts `tmkit serve` on `store` and returns it with its base URL.
fn serve(store: &Path) -> (support::ServeProcess, String) {
    support::serve_tm(store.as_os_str())
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
    // It follows the store's last unit: 101% after it, as `tmkit match` says.
    let last = support::news_sources().pop().unwrap();
    let served = support::http_agent()
        .post(&format!("{base}/v1/tms/default/lookup"))
        .header("content-type", "application/json")
        .send(serde_json::json!({"src": "en", "tgt": "fr", "segments": [last, new]}).to_string())
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let job = dir.path().join("job.txt");
    std::fs::write(&job, format!("{last}\n{new}\n")).unwrap();
    let cli = support::stdout_of(
        tmkit()
            .args(["-q", "match", "--format", "json", "--lines", "--src", "en"])
            .args(["--tgt", "fr", "--tm"])
            .arg(&store)
            .arg(&job),
    );
    let served = support::comparable(serde_json::from_str(&served).unwrap());
    assert_eq!(
        served,
        support::comparable(serde_json::from_str(&cli).unwrap())
    );
    assert_eq!(served[1]["matches"][0]["score"], 101, "{served}");

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
