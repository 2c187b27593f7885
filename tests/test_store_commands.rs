//! The commands that look memories up, given a store for `--tm`:
//! `pretranslate` (with `--update-usage`) and `summarize --tm` answer from an
//! SQLite store exactly what they answer from the files it was imported from
//! (inline codes included), and usage counts record what was used.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use tmkit::store::{self, Filter};

mod support;
use support::tmkit;

fn xliff_fixture(name: &str) -> PathBuf {
    support::fixture(name)
}

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// `text` with the value of every `origin="…"` attribute emptied: a store
/// names its units `team.tmdb#12`, files `memory.tmx#tu1`.
fn without_origins(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("origin=\"") {
        let value = at + "origin=\"".len();
        out.push_str(&rest[..value]);
        let end = rest[value..].find('"').map_or(rest.len(), |e| value + e);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Usage count of each unit of `db` whose source contains `text`.
fn usage_of(db: &str, text: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    store::open(db)
        .unwrap()
        .for_each_unit(
            &Filter {
                search: Some(text.into()),
                ..Filter::default()
            },
            &mut |u| {
                out.push(u.unit.tu.usagecount.clone());
                Ok(())
            },
        )
        .unwrap();
    out
}

/// The store `db` with `memory` imported into it.
fn imported(db: &Path, memory: &Path) -> PathBuf {
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(db)
        .arg(memory)
        .assert()
        .success();
    db.to_path_buf()
}

fn pretranslate(tm: &Path, input: &Path, out: &Path, extra: &[&str]) {
    tmkit()
        .args(["-q", "pretranslate", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(tm)
        .args(extra)
        .arg(input)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn pretranslate_from_a_store_equals_pretranslate_from_its_files_and_counts_usage() {
    let dir = tempfile::tempdir().unwrap();
    let memory = xliff_fixture("memory-codes.tmx");
    let db = imported(&dir.path().join("team.tmdb"), &memory);
    let input = dir.path().join("article.txt");
    std::fs::write(
        &input,
        "Talks will resume on Thursday in Baltimore. The stoppage is the first of its kind since 1977. \
         Nothing in the memory looks like this sentence.",
    )
    .unwrap();
    for to in ["xliff12", "xliff20", "tmx"] {
        let (from_files, from_store) = (
            dir.path().join(format!("files.{to}")),
            dir.path().join(format!("store.{to}")),
        );
        pretranslate(&memory, &input, &from_files, &["--to", to]);
        pretranslate(&db, &input, &from_store, &["--to", to]);
        let (a, b) = (
            std::fs::read_to_string(&from_files).unwrap(),
            std::fs::read_to_string(&from_store).unwrap(),
        );
        // The codes of the memory's unit come back from the store.
        assert!(a.contains("jeudi") && b.contains("Thursday"), "{to}: {b}");
        if to != "tmx" {
            assert_eq!(without_origins(&a), without_origins(&b), "{to}");
        } else {
            // TMX output names the match's origin in a prop.
            let strip = |t: &str| {
                t.lines()
                    .filter(|l| !l.contains("x-tmkit-origin"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(&a), strip(&b));
        }
    }
    let store_xlf = std::fs::read_to_string(dir.path().join("store.xliff12")).unwrap();
    assert!(
        store_xlf.contains("<bpt") || store_xlf.contains("<g "),
        "{store_xlf}"
    );

    // Each run with --update-usage counts one use of each unit written as a target.
    let spec = db.to_string_lossy().into_owned();
    assert_eq!(usage_of(&spec, "first of its kind"), [None]);
    for _ in 0..2 {
        pretranslate(
            &db,
            &input,
            &dir.path().join("job.xlf"),
            &["--update-usage"],
        );
    }
    assert_eq!(
        usage_of(&spec, "first of its kind"),
        [Some("2".to_string())]
    );
    assert_eq!(usage_of(&spec, "Baltimore"), [Some("2".to_string())]);
    // Memory files have no usage counts to update.
    tmkit()
        .args([
            "pretranslate",
            "--src",
            "en",
            "--tgt",
            "fr",
            "--update-usage",
            "--tm",
        ])
        .arg(&memory)
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("x.xlf"))
        .assert()
        .code(2);
}

#[test]
fn summarize_translates_from_a_store_as_from_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("storm.txt");
    std::fs::write(
        &article,
        "Storm closes port\n\n\
         The port of Eastham closed on Monday because of a violent storm. \
         More than 40 cargo ships waited at anchor off the coast. \
         Engineers inspected the cranes overnight and found only minor damage. \
         A local baker said business was slow.",
    )
    .unwrap();
    let memory = dir.path().join("en-fr.tsv");
    std::fs::write(
        &memory,
        "The port of Eastham closed on Monday because of a violent storm.\tLe port d'Eastham a fermé lundi à cause d'une violente tempête.\n\
         Engineers inspected the cranes overnight and found only small damage.\tLes ingénieurs ont inspecté les grues pendant la nuit et n'ont trouvé que de petits dégâts.\n",
    )
    .unwrap();
    let db = imported(&dir.path().join("news.tmdb"), &memory);
    for format in ["text", "json"] {
        let run = |tm: &Path| {
            stdout_of(
                tmkit()
                    .args(["summarize", "--tgt", "fr", "--format", format, "--tm"])
                    .arg(tm)
                    .arg(&article),
            )
        };
        let (from_files, from_store) = (run(&memory), run(&db));
        assert!(from_store.contains("petits dégâts"), "{from_store}");
        assert_eq!(from_files, from_store, "{format}");
    }
}

#[test]
fn a_store_reports_region_fallback_as_memory_files_do() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("regions.tmx");
    std::fs::write(
        &tmx,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"/><body>
<tu><tuv xml:lang="en-GB"><seg>The colour of the harbour changed.</seg></tuv><tuv xml:lang="fr-CA"><seg>La couleur du port a changé.</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>The color of the sky changed.</seg></tuv><tuv xml:lang="fr"><seg>La couleur du ciel a changé.</seg></tuv></tu>
</body></tmx>"#,
    )
    .unwrap();
    let db = imported(&dir.path().join("regions.tmdb"), &tmx);
    let run = |tm: &Path| {
        let out = tmkit()
            .args([
                "match", "--src", "en-US", "--tgt", "fr-FR", "--format", "jsonl",
            ])
            .arg("--tm")
            .arg(tm)
            .arg("--text")
            .arg("The colour of the harbour changed.")
            .assert()
            .success()
            .get_output()
            .clone();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let matches: Vec<(u64, String)> = json["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["score"].as_u64().unwrap(), m["penalties"].to_string()))
            .collect();
        let notices: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("another region"))
            .map(str::to_string)
            .collect();
        (matches, notices)
    };
    let from_files = run(&tmx);
    assert_eq!(from_files.1.len(), 2, "{from_files:?}");
    assert!(
        from_files.0[0]
            .1
            .contains("en-GB for en-US, fr-CA for fr-FR")
    );
    // Built from the store, then read back from its persisted index.
    assert_eq!(run(&db), from_files);
    assert_eq!(run(&db), from_files);
}

/// Makes a folder immutable (`chattr +i`: no file can be created in it,
/// even by root) for as long as it lives.
struct Immutable(PathBuf);

impl Immutable {
    /// `None` where `chattr` is missing or not permitted.
    fn new(dir: &Path) -> Option<Immutable> {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Immutable(dir.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// A store in a folder the user may not write (a team's memory on a
/// read-only share) is read: stats, concordance and match answer, and a
/// write fails naming the store. SQLite could not open its `-shm` file
/// there, and the store's open took a write lock: every command failed
/// ('unable to open database file', 'attempt to write a readonly database').
#[test]
fn a_store_in_a_read_only_folder_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    let db = share.join("team.tmdb");
    tmkit()
        .args(["-q", "tm", "add", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(&db)
        .args(["The port is closed.", "Le port est fermé."])
        .assert()
        .success();
    let Some(_guard) = Immutable::new(&share) else {
        eprintln!("skipped: chattr +i is not available here");
        return;
    };
    let stats = stdout_of(tmkit().args(["tm", "stats", "--tm"]).arg(&db));
    assert!(stats.starts_with("units: 1\n"), "{stats}");
    let found = stdout_of(tmkit().args(["tm", "search", "--tm"]).arg(&db).arg("port"));
    assert!(found.contains("Le port est fermé."), "{found}");
    let matched = stdout_of(
        tmkit()
            .args([
                "match",
                "--src",
                "en",
                "--tgt",
                "fr",
                "--text",
                "The port is closed.",
                "--tm",
            ])
            .arg(&db),
    );
    assert!(matched.contains("Le port est fermé."), "{matched}");
    tmkit()
        .args(["tm", "check", "--tm"])
        .arg(&db)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "concordance index was not checked",
        ));
    tmkit()
        .args(["tm", "add", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(&db)
        .args(["Hello", "Bonjour"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("team.tmdb").and(predicate::str::contains("readonly")));
}
