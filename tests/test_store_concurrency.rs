//! Many processes on one store at once, for a minute: 8 on one SQLite file
//! (3 importing, 3 adding, 2 matching) and 16 clients on one PostgreSQL
//! database (6, 6 and 4; skipped with a printed reason without
//! `TMKIT_TEST_PG`). Every writer goes over a fixed set of units again and
//! again until the minute is up (a repeat changes nothing), so the end state
//! is deterministic whatever the interleaving: no process fails, every
//! lookup answers, and the store holds each unit exactly once (count, and a
//! checksum of every source and target). `TMKIT_SOAK_SECS` shortens the run.

use std::path::Path;
use std::process::{Child, Command as StdCommand};

use tmkit::store::{self, Filter};

mod support;
use support::tmkit;

/// How long the processes keep going (60 s unless `TMKIT_SOAK_SECS` says).
fn soak_secs() -> u64 {
    std::env::var("TMKIT_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

/// The units of importer `k`: distinct sentences, some near each other.
fn import_rows(k: usize, n: usize) -> Vec<(String, String)> {
    let words = [
        "the", "minister", "said", "on", "Monday", "that", "talks", "would", "resume", "in",
        "Paris", "after", "a", "long", "pause", "budget", "vote", "élan",
    ];
    (0..n)
        .map(|i| {
            let mut x = (k * 1_000_003 + i).wrapping_mul(2_654_435_761) as u64;
            let len = 4 + (x % 7) as usize;
            let s: Vec<&str> = (0..len)
                .map(|_| {
                    x = x.rotate_left(7) ^ 0x9E37_79B9;
                    words[(x % words.len() as u64) as usize]
                })
                .collect();
            (
                format!("{} (import {k}, {i}).", s.join(" ")),
                format!("cible {k}/{i}"),
            )
        })
        .collect()
}

/// The units of adder `k`.
fn add_rows(k: usize, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("added by {k}: line {i}"),
                format!("ajouté par {k} : ligne {i}"),
            )
        })
        .collect()
}

/// FNV-1a over sorted `source\ttarget` lines: the checksum of a store's content.
fn checksum(mut rows: Vec<String>) -> (usize, u64) {
    rows.sort();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in rows.iter().flat_map(|r| r.bytes().chain([b'\n'])) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    (rows.len(), h)
}

/// A shell loop running `cmd` until the deadline, at least once; it stops at
/// the first failure.
fn looping(cmd: &str, deadline: u64, stdin: Option<String>) -> Child {
    let script = format!(
        "n=0; while :; do {cmd} || {{ echo \"failed after $n runs\" >&2; exit 1; }}; n=$((n+1)); \
         [ \"$(date +%s)\" -lt {deadline} ] || break; done; echo \"$n runs\" >&2"
    );
    let mut c = StdCommand::new("sh");
    c.arg("-c").arg(script);
    c.env("XDG_CACHE_HOME", support::cache_home());
    if let Some(lines) = stdin {
        c.env("LINES_IN", lines);
    }
    c.spawn().unwrap()
}

fn run_soak(spec: &str, dir: &Path, importers: usize, adders: usize, matchers: usize) {
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let bin = bin.display();
    // Create the store first so every process opens the same schema.
    tmkit()
        .args([
            "-q", "tm", "add", "--tm", spec, "--src", "en", "--tgt", "fr", "seed", "graine",
        ])
        .assert()
        .success();
    let mut expected = vec!["seed\tgraine".to_string()];
    let per_file = 2000;
    let per_adder = 25;
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + soak_secs();
    let mut children = Vec::new();
    for k in 0..importers {
        let rows = import_rows(k, per_file);
        let tsv = dir.join(format!("en-fr.part{k}.tsv"));
        let text: String = rows.iter().map(|(s, t)| format!("{s}\t{t}\n")).collect();
        std::fs::write(&tsv, text).unwrap();
        expected.extend(rows.iter().map(|(s, t)| format!("{s}\t{t}")));
        children.push(looping(
            &format!(
                "{bin} -q tm import --batch 250 --tm '{spec}' '{}'",
                tsv.display()
            ),
            deadline,
            None,
        ));
    }
    for k in 0..adders {
        let rows = add_rows(k, per_adder);
        let lines: String = rows
            .iter()
            .map(|(s, t)| serde_json::json!({"source": s, "target": t}).to_string() + "\n")
            .collect();
        expected.extend(rows.iter().map(|(s, t)| format!("{s}\t{t}")));
        children.push(looping(
            &format!("printf '%s' \"$LINES_IN\" | {bin} -q tm add --tm '{spec}' --src en --tgt fr >/dev/null"),
            deadline,
            Some(lines),
        ));
    }
    for _ in 0..matchers {
        // Every lookup must answer with the seed's exact match.
        children.push(looping(
            &format!(
                "{bin} -q match --tm '{spec}' --src en --tgt fr --format jsonl --text seed | grep -q graine"
            ),
            deadline,
            None,
        ));
    }
    for mut c in children {
        assert!(c.wait().unwrap().success(), "{spec}: a process failed");
    }
    let mut db = store::open(spec).unwrap();
    let mut rows = Vec::new();
    db.for_each_unit(&Filter::default(), &mut |u| {
        let texts: Vec<String> = u.unit.tu.tuvs.iter().map(|v| v.seg.plain_text()).collect();
        rows.push(texts.join("\t"));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        checksum(rows),
        checksum(expected),
        "{spec}: count and checksum"
    );
    assert_eq!(db.dedupe().unwrap(), 0, "{spec}");
    assert!(db.check().unwrap().is_empty(), "{spec}");
}

#[test]
fn a_minute_of_concurrent_importers_adders_and_matchers_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("soak.tmdb");
    run_soak(&sqlite.to_string_lossy(), dir.path(), 3, 3, 2);
    match std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let schema = "tmkit_test_soak";
            store::postgres::reset_schema(&base, schema).expect("reset the test schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            let spec = format!("{base}{sep}options=-csearch_path%3D{schema}%2Cpublic");
            let pg_dir = dir.path().join("pg");
            std::fs::create_dir(&pg_dir).unwrap();
            run_soak(&spec, &pg_dir, 6, 6, 4);
        }
        None => support::skipped(
            "store concurrency on PostgreSQL",
            "TMKIT_TEST_PG is not set",
        ),
    }
}
