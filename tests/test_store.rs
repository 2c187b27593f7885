//! `tmkit tm` and the store library: import/export round trips, duplicate
//! policies, concordance, fuzzy lookups from a store against the in-memory
//! index, refusal of foreign files, migrations and crash safety (concurrent
//! writers: test_store_concurrency.rs). SQLite always; the same checks against PostgreSQL when
//! `TMKIT_TEST_PG` names a database (skipped with a printed reason otherwise).

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tmkit::store::sqlite::{SCHEMA_VERSION, SqliteStore};
use tmkit::store::{self, DuplicatePolicy, Filter, SearchQuery, Store, Unit};

mod support;
use support::tmkit;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/store")
        .join(name)
}

fn jsonl(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Store specs to run a check against: a fresh SQLite file, and a fresh
/// PostgreSQL schema when `TMKIT_TEST_PG` is set.
fn engines(dir: &Path, name: &str) -> Vec<String> {
    let mut specs = vec![
        dir.join(format!("{name}.tmdb"))
            .to_string_lossy()
            .into_owned(),
    ];
    match pg_spec(name) {
        Some(pg) => specs.push(pg),
        None => eprintln!("PostgreSQL part skipped: TMKIT_TEST_PG is not set"),
    }
    specs
}

/// A PostgreSQL URI for a test of its own (a schema named after it, emptied first).
fn pg_spec(name: &str) -> Option<String> {
    let base = std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())?;
    let schema = format!("tmkit_test_{name}");
    tmkit::store::postgres::reset_schema(&base, &schema).expect("reset the test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{sep}options=-csearch_path%3D{schema}%2Cpublic"
    ))
}

fn count(spec: &str) -> u64 {
    store::open(spec)
        .unwrap()
        .count(&Filter::default())
        .unwrap()
}

#[test]
fn tmx_round_trips_through_the_store_with_everything_kept() {
    let dir = tempfile::tempdir().unwrap();
    for spec in engines(dir.path(), "roundtrip") {
        tmkit()
            .args(["-q", "tm", "import", "--tm", &spec, "--on-duplicate", "add"])
            .arg(fixture("rich.tmx"))
            .assert()
            .success();
        let out = dir.path().join("out.tmx");
        tmkit()
            .args(["-q", "tm", "export", "--tm", &spec, "-o"])
            .arg(&out)
            .assert()
            .success();
        let original =
            tmkit::tmx::Tmx::parse_str(&std::fs::read_to_string(fixture("rich.tmx")).unwrap())
                .unwrap();
        let back = tmkit::tmx::Tmx::parse_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(back.header, original.header, "{spec}");
        assert_eq!(back.tus, original.tus, "{spec}");
    }
}

#[test]
fn reimport_changes_nothing_and_newest_target_wins_with_newest() {
    let dir = tempfile::tempdir().unwrap();
    for spec in engines(dir.path(), "policy") {
        for _ in 0..3 {
            tmkit()
                .args([
                    "-q",
                    "tm",
                    "import",
                    "--on-duplicate",
                    "newest",
                    "--tm",
                    &spec,
                ])
                .arg(fixture("rich.tmx"))
                .assert()
                .success();
        }
        // Six units, of which two share their source: the 2024 one stays.
        assert_eq!(count(&spec), 5, "{spec}");
        let mut db = store::open(&spec).unwrap();
        let hits = db.search(&SearchQuery::new("minister resigned")).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(
            hits[0].unit.tu.tuvs[1].seg.plain_text(),
            "La ministre a démissionné."
        );
        assert_eq!(db.stats().unwrap().conflicts, 0);

        // keep: an incoming unit never replaces; add: both stay and are a conflict.
        let older = Unit {
            tu: {
                let mut u = Unit::new(&[
                    ("en", "The minister resigned."),
                    ("fr", "Le ministre est parti."),
                ])
                .tu;
                u.changedate = Some("20250101T000000Z".into());
                u
            },
            source_lang: "en".into(),
            ..Unit::default()
        };
        let r = db
            .add_units(std::slice::from_ref(&older), DuplicatePolicy::Keep)
            .unwrap();
        assert_eq!((r.added, r.conflicts), (0, 1));
        let r = db
            .add_units(std::slice::from_ref(&older), DuplicatePolicy::Add)
            .unwrap();
        assert_eq!(r.added, 1);
        assert_eq!(db.stats().unwrap().conflicts, 1);
        assert_eq!(db.conflicts(10).unwrap()[0].units.len(), 2);
        let newer = Unit::new(&[("en", "The minister resigned."), ("fr", "Démission.")]);
        let r = db.add_units(&[newer], DuplicatePolicy::Overwrite).unwrap();
        assert_eq!((r.added, r.replaced), (1, 2));
        assert_eq!(db.stats().unwrap().conflicts, 0);
    }
}

#[test]
fn concordance_ignores_case_and_accents_and_serves_short_and_cjk_queries() {
    let dir = tempfile::tempdir().unwrap();
    for spec in engines(dir.path(), "concordance") {
        tmkit()
            .args(["-q", "tm", "import", "--tm", &spec])
            .arg(fixture("rich.tmx"))
            .assert()
            .success();
        let search = |text: &str, lang: Option<&str>| -> Vec<String> {
            let mut args = vec!["tm", "search", "--tm", &spec, "--format", "jsonl"];
            if let Some(l) = lang {
                args.extend(["--lang", l]);
            }
            args.push(text);
            let out = tmkit().args(&args).output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            jsonl(&out.stdout)
                .iter()
                .map(|u| u["tuid"].as_str().unwrap_or("-").to_string() + &u["id"].to_string())
                .collect()
        };
        assert_eq!(search("ELAN", None).len(), 1, "{spec}");
        assert_eq!(search("comite", Some("fr")).len(), 1);
        assert_eq!(search("comite", Some("en")).len(), 0);
        assert_eq!(
            search("東京", None).len(),
            1,
            "two CJK characters: the fallback scan"
        );
        assert_eq!(
            search("ok", None).len(),
            2,
            "under three characters: Press OK, Tokyo"
        );
        assert_eq!(search("عليكم", None).len(), 1);
        assert!(search("no such text", None).is_empty());
    }
}

/// `count` sentences, some near each other, from a fixed generator.
fn corpus(count: usize) -> Vec<(String, String)> {
    let words = [
        "the",
        "minister",
        "said",
        "on",
        "Monday",
        "that",
        "talks",
        "would",
        "resume",
        "in",
        "Paris",
        "after",
        "a",
        "long",
        "pause",
        "new",
        "budget",
        "vote",
        "parliament",
        "élan",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|i| {
            let n = 4 + (next() % 9) as usize;
            let s: Vec<&str> = (0..n)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect();
            (format!("{} {i}.", s.join(" ")), format!("cible {i}"))
        })
        .collect()
}

#[test]
fn fuzzy_lookup_from_a_store_equals_the_in_memory_index() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("en-fr.tsv");
    let rows = corpus(3000);
    let text: String = rows.iter().map(|(s, t)| format!("{s}\t{t}\n")).collect();
    std::fs::write(&tsv, text).unwrap();
    let queries: String = rows
        .iter()
        .step_by(97)
        .map(|(s, _)| s.replace("the", "a").replace("Monday", "Tuesday") + "\n")
        .collect();
    let first_query = queries.lines().next().unwrap().to_string();
    let queries_path = dir.path().join("q.txt");
    std::fs::write(&queries_path, queries).unwrap();
    let lookup = |tm: &str| -> Vec<Value> {
        let out = tmkit()
            .args([
                "match", "--tm", tm, "--src", "en", "--tgt", "fr", "--lines", "--format", "jsonl",
                "--min", "40",
            ])
            .arg(&queries_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        jsonl(&out.stdout)
            .into_iter()
            .map(|r| {
                let m: Vec<Value> = r["matches"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| serde_json::json!([m["score"], m["source"], m["target"]]))
                    .collect();
                Value::Array(m)
            })
            .collect()
    };
    let expected = lookup(&tsv.to_string_lossy());
    assert!(expected.iter().any(|m| !m.as_array().unwrap().is_empty()));
    for spec in engines(dir.path(), "fuzzy") {
        // Several batches: into an empty SQLite store the index is built from
        // each batch during the import.
        let out = tmkit()
            .args(["tm", "import", "--batch", "700", "--tm", &spec])
            .arg(&tsv)
            .output()
            .unwrap();
        let note = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{note}");
        if !spec.starts_with("postgres") {
            assert!(note.contains("segment(s) during the import"), "{note}");
        }
        let pair = tmkit::tm::LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap());
        if spec.starts_with("postgres") {
            // Opened here, the index would be looked for in this process's
            // cache (the user's): the import's is in the tests' own.
            let id = store::open(&spec).unwrap().store_id().to_string();
            let index = support::cache_home()
                .join("tmkit")
                .join(format!("{id}.en_fr.fzi"));
            assert!(index.is_file(), "{spec}: no index at {}", index.display());
        } else {
            let (_, _, source) =
                store::StoreMemory::open(store::open(&spec).unwrap(), pair).unwrap();
            assert_eq!(
                source,
                store::IndexSource::Loaded,
                "{spec}: the import wrote a current index"
            );
        }
        // Loaded from the index file written at import, then rebuilt after a change.
        assert_eq!(lookup(&spec), expected, "{spec}");
        let mut db = store::open(&spec).unwrap();
        let gen_before = db.generation().unwrap();
        db.add_units(
            &[Unit::new(&[("en", first_query.trim()), ("fr", "nouveau")])],
            DuplicatePolicy::default(),
        )
        .unwrap();
        assert!(db.generation().unwrap() > gen_before);
        let after = lookup(&spec);
        assert!(
            after
                .iter()
                .flat_map(|m| m.as_array().unwrap().clone())
                .any(|m| m[2] == "nouveau"),
            "{spec}: the stale index was rebuilt"
        );
    }
}

#[test]
fn update_usage_counts_uses_of_the_best_match() {
    let dir = tempfile::tempdir().unwrap();
    for spec in engines(dir.path(), "usage") {
        tmkit()
            .args([
                "-q",
                "tm",
                "add",
                "--tm",
                &spec,
                "--src",
                "en",
                "--tgt",
                "fr",
                "Good morning",
                "Bonjour",
            ])
            .assert()
            .success();
        for _ in 0..2 {
            tmkit()
                .args([
                    "-q",
                    "match",
                    "--tm",
                    &spec,
                    "--src",
                    "en",
                    "--tgt",
                    "fr",
                    "--update-usage",
                    "Good morning!",
                ])
                .assert()
                .success();
        }
        let unit = store::open(&spec).unwrap().unit(1).unwrap().unwrap();
        assert_eq!(unit.unit.tu.usagecount.as_deref(), Some("2"), "{spec}");
        assert!(unit.unit.tu.lastusagedate.is_some());
    }
}

#[test]
fn add_edit_delete_and_filtered_export() {
    let dir = tempfile::tempdir().unwrap();
    for spec in engines(dir.path(), "edit") {
        let lines = "{\"source\": \"One\", \"target\": \"Un\", \"project\": \"p1\"}\n{\"source\": \"Two\", \"target\": \"Deux\", \"fields\": {\"status\": \"final\"}}\n";
        tmkit()
            .args([
                "-q", "tm", "add", "--tm", &spec, "--src", "en", "--tgt", "fr", "--user", "ana",
            ])
            .write_stdin(lines)
            .assert()
            .success();
        tmkit()
            .args([
                "-q",
                "tm",
                "edit",
                "--tm",
                &spec,
                "--field",
                "status=final",
                "--set-text",
                "fr=Deux !",
                "--set-project",
                "p2",
                "--by",
                "bob",
            ])
            .assert()
            .success();
        let out = dir.path().join("p2.tsv");
        tmkit()
            .args([
                "-q",
                "tm",
                "export",
                "--tm",
                &spec,
                "--project",
                "p2",
                "--src",
                "en",
                "--tgt",
                "fr",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "en\tfr\nTwo\tDeux !\n",
            "{spec}"
        );
        let out = dir.path().join("by-bob.tmx");
        tmkit()
            .args([
                "-q",
                "tm",
                "export",
                "--tm",
                &spec,
                "--user",
                "bob",
                "--since",
                "2000-01-01",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let tmx = std::fs::read_to_string(&out).unwrap();
        assert!(tmx.contains("Deux !") && !tmx.contains(">Un<"), "{tmx}");
        tmkit()
            .args(["tm", "delete", "--tm", &spec])
            .assert()
            .code(2);
        tmkit()
            .args(["-q", "tm", "delete", "--tm", &spec, "--project", "p1"])
            .assert()
            .success();
        assert_eq!(count(&spec), 1);
        tmkit()
            .args(["-q", "tm", "check", "--tm", &spec])
            .assert()
            .success();
    }
}

#[test]
fn foreign_files_and_newer_schemas_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.tmdb");
    std::fs::write(&text, "not a database\n").unwrap();
    let other = dir.path().join("other.tmdb");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let newer = dir.path().join("newer.tmdb");
    {
        store::create(&newer.to_string_lossy()).unwrap();
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    for (path, why) in [
        (&text, "not an SQLite database"),
        (&other, "not a tmkit store"),
        (&newer, "newer than this tmkit"),
    ] {
        let before = std::fs::read(path).unwrap();
        let out = tmkit()
            .args(["tm", "add", "--tm"])
            .arg(path)
            .args(["--src", "en", "--tgt", "fr", "a", "b"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(why) && err.contains(&*path.to_string_lossy()),
            "{err}"
        );
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "{} was modified",
            path.display()
        );
    }
    tmkit()
        .args(["tm", "stats", "--tm"])
        .arg(dir.path().join("missing.tmdb"))
        .assert()
        .code(1);
}

/// Writes `units` into a store of an older schema `version` the way that
/// version's tmkit did (raw rows: today's code writes today's schema).
fn old_store_with(path: &Path, version: u32, units: &[Unit]) {
    let db = SqliteStore::open_at_version(path, true, version).unwrap();
    assert_eq!(db.schema_version(), version);
    for (i, unit) in units.iter().enumerate() {
        let id = i as i64 + 1;
        let hashes = tmkit::store::unit::unit_hashes(unit);
        db.connection()
            .execute(
                "INSERT INTO units (id, source_lang, content_hash, source_hash) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, unit.source_lang, hashes.content as i64, hashes.source as i64],
            )
            .unwrap();
        for (place, tuv) in unit.tu.tuvs.iter().enumerate() {
            // Version 1 to 3 kept a text hash; the FTS triggers index the variant.
            db.connection()
                .execute(
                    "INSERT INTO variants (id, lang, text, codes, text_hash) VALUES (?1, ?2, ?3, 0, 0)",
                    rusqlite::params![id * 256 + place as i64, tuv.lang, tuv.seg.plain_text()],
                )
                .unwrap();
        }
    }
}

#[test]
fn a_version_1_store_is_migrated_with_its_units() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.tmdb");
    old_store_with(&path, 1, &[Unit::new(&[("en", "Old"), ("fr", "Vieux")])]);
    let mut db = SqliteStore::open(&path, false).unwrap();
    assert_eq!(db.schema_version(), SCHEMA_VERSION);
    assert_eq!(db.count(&Filter::default()).unwrap(), 1);
    assert!(db.check().unwrap().is_empty());
    // Version 5: the unit is below the concordance mark; the change log
    // starts at the generation of the migration.
    assert_eq!(concordance_mark(&db), 1);
    let g = db.generation().unwrap();
    assert_eq!(db.changes_since(g).unwrap(), Some((g, vec![])));
    let added = db
        .add_units(
            &[Unit::new(&[("en", "New"), ("fr", "Neuf")])],
            DuplicatePolicy::default(),
        )
        .unwrap()
        .ids;
    assert_eq!(db.changes_since(g).unwrap(), Some((g + 1, added)));
    assert_eq!(found(&mut db, "OLD"), vec![1]);
    let indexes: i64 = db
        .connection()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'units_change_date'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 1);
}

#[test]
fn a_version_3_store_gets_one_concordance_row_per_unit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.tmdb");
    old_store_with(
        &path,
        3,
        &[
            Unit::new(&[("en", "The old mill"), ("fr", "Le vieux moulin")]),
            Unit::new(&[("en", "A new day"), ("fr", "Un jour nouveau")]),
            Unit::new(&[("en", "The mill pond"), ("fr", "L'étang du moulin")]),
        ],
    );
    let mut db = SqliteStore::open(&path, false).unwrap();
    assert_eq!(db.schema_version(), SCHEMA_VERSION);
    assert!(db.check().unwrap().is_empty());
    let fts_rows: i64 = db
        .connection()
        .query_row("SELECT count(*) FROM units_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fts_rows, 3, "one row per unit, built by the migration");
    let ids = |db: &mut SqliteStore, text: &str, lang: Option<&str>| -> Vec<i64> {
        let mut q = SearchQuery::new(text);
        q.lang = lang.map(str::to_string);
        db.search(&q).unwrap().iter().map(|u| u.id).collect()
    };
    assert_eq!(ids(&mut db, "MOULIN", None), vec![1, 3]);
    assert_eq!(ids(&mut db, "moulin", Some("en")), Vec::<i64>::new());
    assert_eq!(ids(&mut db, "etang", Some("fr")), vec![3]);
    // Across the two variants of a unit is not a match ("mill\nLe").
    assert!(ids(&mut db, "mill Le", None).is_empty());
    // A deleted unit leaves the index with it; an added one enters it.
    assert_eq!(db.delete(&Filter::of_ids(vec![1])).unwrap(), 1);
    db.add_units(
        &[Unit::new(&[("en", "Water mill"), ("fr", "Moulin à eau")])],
        DuplicatePolicy::default(),
    )
    .unwrap();
    assert_eq!(ids(&mut db, "moulin", None), vec![3, 4]);
    assert!(db.check().unwrap().is_empty());
    let mut limited = SearchQuery::new("moulin");
    limited.limit = 1;
    assert_eq!(db.search(&limited).unwrap()[0].id, 3);
}

/// A TMX of `n` distinct units.
fn write_tmx(path: &Path, n: usize) {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header srclang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" datatype=\"plaintext\"/><body>\n",
    );
    for (i, (src, tgt)) in corpus(n).into_iter().enumerate() {
        s.push_str(&format!("<tu tuid=\"{i}\"><tuv xml:lang=\"en\"><seg>{src}</seg></tuv><tuv xml:lang=\"fr\"><seg>{tgt}</seg></tuv></tu>\n"));
    }
    s.push_str("</body></tmx>\n");
    std::fs::write(path, s).unwrap();
}

#[test]
fn kill_9_during_import_leaves_whole_batches_and_reimport_completes() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    let total = 60_000;
    write_tmx(&tmx, total);
    let spec = dir.path().join("crash.tmdb");
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("tmkit"))
        .args(["-q", "tm", "import", "--batch", "1000", "--tm"])
        .arg(&spec)
        .arg(&tmx)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches are in, while it is still writing.
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let n = SqliteStore::open(&spec, false)
            .and_then(|mut s| s.count(&Filter::default()))
            .unwrap_or(0);
        if n >= 3000 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let mut db = SqliteStore::open(&spec, false).unwrap();
    let ok: String = db
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // The units of the committed batches are found by a concordance search
    // before anything indexes them (above the mark, they are scanned).
    let first = &corpus(1)[0].0;
    assert_eq!(
        db.search(&SearchQuery::new(first.as_str())).unwrap()[0].id,
        1,
        "{first}"
    );
    assert!(db.check().unwrap().is_empty());
    let n = db.count(&Filter::default()).unwrap();
    if status.success() {
        eprintln!("the import finished before the kill; checking the complete store");
        assert_eq!(n, total as u64);
    } else {
        assert_eq!(n % 1000, 0, "{n} units: a batch was half written");
        assert!(n < total as u64);
        // Exactly the first n units of the file.
        let mut tuids = Vec::new();
        db.for_each_unit(&Filter::default(), &mut |u| {
            tuids.push(u.unit.tu.tuid.unwrap());
            Ok(())
        })
        .unwrap();
        assert!(tuids.iter().enumerate().all(|(i, t)| *t == i.to_string()));
    }
    drop(db);
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(&spec)
        .arg(&tmx)
        .assert()
        .success();
    tmkit()
        .args(["-q", "tm", "check", "--tm"])
        .arg(&spec)
        .assert()
        .success();
    let mut db = SqliteStore::open(&spec, false).unwrap();
    assert_eq!(db.count(&Filter::default()).unwrap(), total as u64);
    assert_eq!(db.dedupe().unwrap(), 0, "no duplicate after the re-import");
}

/// The concordance mark of an SQLite store.
fn concordance_mark(db: &SqliteStore) -> i64 {
    db.connection()
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM tmkit_meta WHERE key = 'concordance_through'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// The definition of an SQLite store's concordance view, as its connection
/// sees it.
fn unit_texts_sql(db: &SqliteStore) -> String {
    db.connection()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'unit_texts'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Ids of the units a concordance search finds.
fn found(db: &mut dyn Store, text: &str) -> Vec<i64> {
    db.search(&SearchQuery::new(text))
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect()
}

#[test]
fn an_import_into_an_empty_store_moves_its_concordance_index_in() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    write_tmx(&tmx, 3000);
    let options = store::import::ImportOptions {
        batch: 400,
        ..Default::default()
    };
    let path = dir.path().join("bulk.tmdb");
    let mut db = SqliteStore::open(&path, true).unwrap();
    let mut marks = Vec::new();
    let report = store::import::import_observed(
        &mut db,
        &tmx,
        "big.tmx",
        &options,
        &mut |_| {},
        &mut |_| marks.push(concordance_mark(&SqliteStore::open(&path, false).unwrap())),
    )
    .unwrap();
    // The index is moved in on another thread; a second call waits for it.
    db.finish_import().unwrap();
    assert_eq!(report.added, 3000);
    // Copied in, not indexed afterwards by settle (which would pass too).
    assert_eq!(db.moved_index(), Some(true));
    assert!(
        marks.iter().all(|&m| m == 0),
        "{marks:?}: indexed beside the store"
    );
    assert_eq!(concordance_mark(&db), 3000);
    assert!(db.check().unwrap().is_empty());
    let corpus = corpus(3000);
    for i in [0, 1234, 2999] {
        assert!(
            found(&mut db, &corpus[i].0).contains(&(i as i64 + 1)),
            "{i}"
        );
    }
    // Later writes go on from the moved-in index.
    db.delete(&Filter::of_ids(vec![1235])).unwrap();
    db.add_units(
        &[Unit::new(&[
            ("en", "A quartz zebra"),
            ("fr", "Un zèbre de quartz"),
        ])],
        DuplicatePolicy::default(),
    )
    .unwrap();
    assert_eq!(found(&mut db, "quartz zebra"), vec![3001]);
    assert!(found(&mut db, &corpus[1234].0).is_empty());
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn a_failed_move_of_the_side_index_is_a_warning_and_the_units_are_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    write_tmx(&tmx, 1000);
    let options = store::import::ImportOptions {
        batch: 300,
        ..Default::default()
    };
    let path = dir.path().join("bulk.tmdb");
    let mut db = SqliteStore::open(&path, true).unwrap();
    db.fail_next_index_move();
    let report = store::import::import_file(&mut db, &tmx, &options, &mut |_| {}).unwrap();
    db.finish_import().unwrap();
    assert_eq!(report.added, 1000);
    let warnings = db.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("could not be moved in"),
        "{warnings:?}"
    );
    assert_eq!(db.moved_index(), Some(false));
    // The tail indexing took over: the mark covers every unit.
    assert_eq!(concordance_mark(&db), 1000);
    assert!(db.check().unwrap().is_empty());
    let corpus = corpus(1000);
    for i in [0, 500, 999] {
        assert!(
            found(&mut db, &corpus[i].0).contains(&(i as i64 + 1)),
            "{i}"
        );
    }
}

#[test]
fn a_store_dropped_while_its_move_is_locked_out_stays_whole() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    write_tmx(&tmx, 600);
    let options = store::import::ImportOptions {
        batch: 200,
        ..Default::default()
    };
    let path = dir.path().join("bulk.tmdb");
    let mut db = SqliteStore::open(&path, true).unwrap();
    let mut added = 0;
    let mut locker = None;
    store::import::import_observed(&mut db, &tmx, "big.tmx", &options, &mut |_| {}, &mut |r| {
        added += r.added;
        if added == 600 {
            // Another writer holds the store when the move starts.
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch("BEGIN IMMEDIATE").unwrap();
            locker = Some(c);
        }
    })
    .unwrap();
    // Waits for the move only until it gives up (a short busy timeout).
    drop(db);
    drop(locker.expect("the last batch was seen"));
    let mut db = SqliteStore::open(&path, false).unwrap();
    assert_eq!(concordance_mark(&db), 0);
    assert!(db.check().unwrap().is_empty());
    let corpus = corpus(600);
    for i in [0, 599] {
        assert!(
            found(&mut db, &corpus[i].0).contains(&(i as i64 + 1)),
            "{i}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_store_at_a_non_utf8_path_imports_without_the_side_index() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    write_tmx(&tmx, 500);
    let options = store::import::ImportOptions {
        batch: 200,
        ..Default::default()
    };
    // Its lossy form (with U+FFFD) would name another file.
    let sub = dir.path().join(std::ffi::OsStr::from_bytes(b"st\xffore"));
    std::fs::create_dir(&sub).unwrap();
    let path = sub.join("bulk.tmdb");
    let mut db = SqliteStore::open(&path, true).unwrap();
    store::import::import_file(&mut db, &tmx, &options, &mut |_| {}).unwrap();
    db.finish_import().unwrap();
    assert_eq!(db.moved_index(), None);
    assert!(db.take_warnings().is_empty());
    assert_eq!(concordance_mark(&db), 500);
    assert!(db.check().unwrap().is_empty());
    let corpus = corpus(500);
    assert!(found(&mut db, &corpus[499].0).contains(&500));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn another_clients_write_during_a_bulk_import_ends_the_side_index() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    write_tmx(&tmx, 2000);
    let options = store::import::ImportOptions {
        batch: 250,
        ..Default::default()
    };
    let corpus = corpus(2000);
    // After the 2nd batch another client adds a unit; in the second run it
    // deletes one of the import's units instead (a write that indexes nothing).
    for deleting in [false, true] {
        let path = dir.path().join(format!("mixed-{deleting}.tmdb"));
        let mut db = SqliteStore::open(&path, true).unwrap();
        let mut batches = 0;
        store::import::import_observed(
            &mut db,
            &tmx,
            "big.tmx",
            &options,
            &mut |_| {},
            &mut |_| {
                batches += 1;
                if batches == 2 {
                    let mut other = SqliteStore::open(&path, false).unwrap();
                    if deleting {
                        assert_eq!(other.delete(&Filter::of_ids(vec![7])).unwrap(), 1);
                    } else {
                        other
                            .add_units(
                                &[Unit::new(&[("en", "A quartz zebra"), ("fr", "Un zèbre")])],
                                DuplicatePolicy::default(),
                            )
                            .unwrap();
                    }
                }
            },
        )
        .unwrap();
        // Ids: the import's first 500, the other client's unit, the rest.
        let (units, last) = if deleting { (1999, 2000) } else { (2001, 2001) };
        assert_eq!(db.count(&Filter::default()).unwrap(), units);
        assert!(db.check().unwrap().is_empty(), "deleting: {deleting}");
        assert_eq!(concordance_mark(&db), last);
        assert_eq!(found(&mut db, "quartz zebra").len(), usize::from(!deleting));
        assert_eq!(found(&mut db, &corpus[6].0).is_empty(), deleting);
        assert!(found(&mut db, &corpus[1999].0).contains(&last));
    }
}

#[test]
fn a_unit_replaced_during_a_bulk_import_leaves_the_side_index_too() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("dated.tmx");
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" datatype=\"plaintext\"/><body>\n",
    );
    for (src, tgt, date) in [
        ("The red mill", "Le moulin rouge", "20200101T000000Z"),
        ("A blue door", "Une porte bleue", "20200101T000000Z"),
        ("The red mill", "Le moulin vermillon", "20240101T000000Z"),
    ] {
        s.push_str(&format!("<tu changedate=\"{date}\"><tuv xml:lang=\"en\"><seg>{src}</seg></tuv><tuv xml:lang=\"fr\"><seg>{tgt}</seg></tuv></tu>\n"));
    }
    s.push_str("</body></tmx>\n");
    std::fs::write(&tmx, s).unwrap();
    let mut db = SqliteStore::open(&dir.path().join("r.tmdb"), true).unwrap();
    let options = store::import::ImportOptions {
        batch: 2,
        policy: DuplicatePolicy::Newest,
        ..Default::default()
    };
    let report = store::import::import_file(&mut db, &tmx, &options, &mut |_| {}).unwrap();
    assert_eq!((report.added, report.replaced), (3, 1));
    assert!(db.check().unwrap().is_empty());
    assert!(found(&mut db, "rouge").is_empty());
    assert_eq!(found(&mut db, "vermillon"), vec![3]);
}

#[test]
fn sqlite_logs_the_units_other_handles_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.tmdb");
    let mut writer = SqliteStore::open(&path, true).unwrap();
    let mut reader = SqliteStore::open(&path, false).unwrap();
    let run = support::change_log_scenario(&mut writer, &mut reader);
    // SQLite raises the generation by one per write: add, edit, delete;
    // the replacing add is one write too.
    assert_eq!(run.after, run.before + 3);
    assert_eq!(run.replaced, run.after + 1);
    // It logs the replaced unit and the new one, in id order.
    assert_eq!(run.replace_changes, run.replace_units);
}

#[test]
fn the_change_log_keeps_the_last_10000_generations() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = SqliteStore::open(&dir.path().join("prune.tmdb"), true).unwrap();
    let unit = |s: &str| Unit::new(&[("en", s), ("fr", s)]);
    let old = db
        .add_units(&[unit("Old")], DuplicatePolicy::default())
        .unwrap()
        .ids;
    assert_eq!(db.generation().unwrap(), 1);
    // Jump to just before a pruning generation (10,240 = 40 × 256).
    db.connection()
        .execute(
            "UPDATE tmkit_meta SET value = '10239' WHERE key = 'generation'",
            [],
        )
        .unwrap();
    assert_eq!(db.changes_since(0).unwrap().unwrap().1, old);
    let new = db
        .add_units(&[unit("New")], DuplicatePolicy::default())
        .unwrap()
        .ids;
    assert_eq!(db.generation().unwrap(), 10_240);
    // Generation 1's entry is gone: a reader that old rebuilds.
    assert_eq!(db.changes_since(0).unwrap(), None);
    assert_eq!(db.changes_since(239).unwrap(), None);
    assert_eq!(db.changes_since(240).unwrap(), Some((10_240, new.clone())));
    assert_eq!(db.changes_since(10_239).unwrap(), Some((10_240, new)));
    let rows: i64 = db
        .connection()
        .query_row("SELECT count(*) FROM tmkit_changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn check_leaves_a_store_with_an_unindexed_tail_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tail.tmdb");
    {
        let mut db = SqliteStore::open(&path, true).unwrap();
        let units: Vec<Unit> = (1..=5)
            .map(|i| {
                Unit::new(&[
                    ("en", format!("Tail sentence number {i}").as_str()),
                    ("fr", format!("Phrase de queue numéro {i}").as_str()),
                ])
            })
            .collect();
        db.add_units(&units, DuplicatePolicy::default()).unwrap();
        // Units 3 to 5 leave the index, as after an import killed before it
        // moved its index in.
        db.connection()
            .execute_batch(
                "INSERT INTO units_fts(units_fts, rowid, text) \
                 SELECT 'delete', id, text FROM unit_texts WHERE id > 2; \
                 UPDATE tmkit_meta SET value = '2' WHERE key = 'concordance_through';",
            )
            .unwrap();
        assert_eq!(concordance_mark(&db), 2);
    }
    let bytes = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    tmkit()
        .args(["-q", "tm", "check", "--tm"])
        .arg(&path)
        .assert()
        .success();
    assert!(
        std::fs::read(&path).unwrap() == bytes,
        "tm check changed the store's bytes"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
    let mut db = SqliteStore::open(&path, false).unwrap();
    assert_eq!(concordance_mark(&db), 2, "the check indexed the tail");
    // The tail is still found (scanned), the indexed part through the index.
    assert_eq!(found(&mut db, "sentence number 4"), vec![4]);
    assert_eq!(found(&mut db, "sentence number 2"), vec![2]);
    let view = unit_texts_sql(&db);
    // The check still compares the index with the units up to the mark: an
    // indexed unit missing from the index is a problem.
    db.connection()
        .execute(
            "INSERT INTO units_fts(units_fts, rowid, text) \
             SELECT 'delete', id, text FROM unit_texts WHERE id = 1",
            [],
        )
        .unwrap();
    let problems = db.check().unwrap();
    assert!(
        problems.iter().any(|p| p.contains("concordance index")),
        "{problems:?}"
    );
    assert_eq!(concordance_mark(&db), 2);
    // The check's bounded view was rolled back on this connection too: the
    // view is the schema's again (no bound by the mark) and a search still
    // finds the tail.
    assert_eq!(unit_texts_sql(&db), view);
    assert!(!view.contains("<="), "{view}");
    assert_eq!(found(&mut db, "sentence number 4"), vec![4]);
    assert_eq!(found(&mut db, "sentence number 5"), vec![5]);
}

#[test]
fn a_check_racing_with_writes_never_reports_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.tmdb");
    let mut db = SqliteStore::open(&path, true).unwrap();
    let unit = |i: usize| {
        Unit::new(&[
            ("en", format!("Racing sentence {i}").as_str()),
            ("fr", format!("Phrase en course {i}").as_str()),
        ])
    };
    db.add_units(&[unit(0)], DuplicatePolicy::default())
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut w = SqliteStore::open(&path, false).unwrap();
            let mut i = 1;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && i < 400 {
                // An add indexes the tail and raises the mark; then the last
                // unit leaves the index again, as a side-index import leaves
                // its committed batches, so the next check sees a tail.
                w.add_units(&[unit(i)], DuplicatePolicy::default()).unwrap();
                w.connection()
                    .execute_batch(
                        "BEGIN IMMEDIATE; \
                         INSERT INTO units_fts(units_fts, rowid, text) \
                         SELECT 'delete', id, text FROM unit_texts \
                         WHERE id = (SELECT max(id) FROM units); \
                         UPDATE tmkit_meta SET value = (SELECT max(id) - 1 FROM units) \
                         WHERE key = 'concordance_through'; COMMIT;",
                    )
                    .unwrap();
                i += 1;
            }
            i
        })
    };
    let mut checks = 0;
    while !writer.is_finished() {
        let problems = db.check().unwrap();
        assert!(problems.is_empty(), "check {checks}: {problems:?}");
        checks += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let added = writer.join().unwrap();
    assert!(checks > 0 && added > 1, "{checks} checks, {added} adds");
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn sqlite_refuses_a_unit_it_cannot_write_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = SqliteStore::open(&dir.path().join("bad.tmdb"), true).unwrap();
    support::unwritable_unit_scenario(&mut db);
}

#[test]
fn check_bounds_the_concordance_view_whatever_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = SqliteStore::open(&dir.path().join("view.tmdb"), true).unwrap();
    let units: Vec<Unit> = (1..=4)
        .map(|i| Unit::new(&[("en", format!("View {i}").as_str()), ("fr", "Vue")]))
        .collect();
    db.add_units(&units, DuplicatePolicy::default()).unwrap();
    // The same view written otherwise (an `AS` alias), and a tail above the
    // mark so the check bounds it.
    let view = unit_texts_sql(&db);
    let respelled = view.replace("FROM units u", "FROM units AS u\n");
    assert_ne!(respelled, view);
    db.connection()
        .execute_batch(&format!(
            "DROP VIEW unit_texts; {respelled}; \
             INSERT INTO units_fts(units_fts, rowid, text) \
             SELECT 'delete', id, text FROM unit_texts WHERE id > 2; \
             UPDATE tmkit_meta SET value = '2' WHERE key = 'concordance_through';"
        ))
        .unwrap();
    assert_eq!(db.check().unwrap(), Vec::<String>::new());
    assert_eq!(concordance_mark(&db), 2);
}

#[test]
fn one_language_twice_is_refused_before_the_store_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("same.tmdb");
    tmkit()
        .args(["tm", "add", "--tm"])
        .arg(&db)
        .args(["--src", "en", "--tgt", "EN", "Good morning.", "Bonjour."])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the same"));
    let tsv = dir.path().join("pairs.tsv");
    std::fs::write(&tsv, "Good morning.\tBonjour.\n").unwrap();
    tmkit()
        .args(["tm", "import", "--tm"])
        .arg(&db)
        .args(["--src", "en", "--tgt", "en"])
        .arg(&tsv)
        .assert()
        .code(2);
    assert!(!db.exists(), "no store is created");
}

#[test]
fn tm_add_refuses_an_empty_source_or_target() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.tmdb");
    for (source, target) in [("", "Bonjour."), ("Good morning.", "  ")] {
        tmkit()
            .args(["tm", "add", "--tm"])
            .arg(&db)
            .args(["--src", "en", "--tgt", "fr", source, target])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("must not be empty"));
    }
    tmkit()
        .args(["tm", "add", "--tm"])
        .arg(&db)
        .args(["--src", "en", "--tgt", "fr"])
        .write_stdin(
            "{\"source\":\"Hello.\",\"target\":\"Bonjour.\"}\n{\"source\":\"\",\"target\":\"x\"}\n",
        )
        .assert()
        .code(1)
        .stderr(predicates::str::contains("<stdin>:2:"));
    assert!(!db.exists(), "nothing is stored");
}

#[test]
fn tm_export_refuses_an_output_extension_it_does_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.tmdb");
    tmkit()
        .args(["-q", "tm", "add", "--tm"])
        .arg(&db)
        .args(["--src", "en", "--tgt", "fr", "Good morning.", "Bonjour."])
        .assert()
        .success();
    let export = |out: &Path| {
        tmkit()
            .args(["tm", "export", "--tm"])
            .arg(&db)
            .arg("-o")
            .arg(out)
            .assert()
    };
    for name in ["pairs.csv", "messages.po"] {
        let out = dir.path().join(name);
        export(&out)
            .code(2)
            .stderr(predicates::str::contains("cannot tell the format"));
        assert!(!out.exists(), "no TMX under the name {name}");
    }
    let out = dir.path().join("memory.TMX");
    export(&out).success();
    assert!(std::fs::read_to_string(&out).unwrap().contains("<tmx"));
}

/// `tm add` reads its JSON lines as every text input is read: a UTF-8
/// byte-order mark is dropped and UTF-16 with one is decoded (both were
/// refused: 'expected value at line 1 column 1', 'stream did not contain
/// valid UTF-8'); a bad line is named as `<stdin>:LINE:COLUMN`.
#[test]
fn tm_add_reads_json_lines_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bom.tmdb");
    let add = |stdin: Vec<u8>| {
        let mut cmd = tmkit();
        cmd.args(["-q", "tm", "add", "--src", "en", "--tgt", "fr", "--tm"])
            .arg(&db)
            .write_stdin(stdin);
        cmd
    };
    add(b"\xEF\xBB\xBF{\"source\":\"Strike\",\"target\":\"Gr\xC3\xA8ve\"}\n".to_vec())
        .assert()
        .success();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        "{\"source\":\"Union\",\"target\":\"Syndicat\"}\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    add(utf16).assert().success();
    let mut store = tmkit::store::open(&db.to_string_lossy()).unwrap();
    assert_eq!(store.count(&tmkit::store::Filter::default()).unwrap(), 2);
    add(b"{\"source\":\"a\",\"target\":\"b\"}\n{\"source\":\"c\",\n".to_vec())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("<stdin>:2:14: expected"));
}

/// `tm search --limit 0` and `tm conflicts --limit 0` are bad usage (exit
/// 2), as `match --max 0` is; they printed nothing and succeeded, which
/// reads as 'nothing found'.
#[test]
fn a_limit_of_zero_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limit.tmdb");
    tmkit()
        .args(["-q", "tm", "add", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(&db)
        .args(["Good morning.", "Bonjour."])
        .assert()
        .success();
    for command in [&["search", "morning"][..], &["conflicts"][..]] {
        tmkit()
            .arg("tm")
            .arg(command[0])
            .args(["--limit", "0", "--tm"])
            .arg(&db)
            .args(&command[1..])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "invalid value '0' for '--limit <N>'",
            ));
    }
}
