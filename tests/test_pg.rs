//! The PostgreSQL store's own paths: the bulk load of an import into an
//! empty store (same result as unit-by-unit adds, indexes built afterwards,
//! idempotent, kill -9 keeps whole transactions), the change log another
//! client's index catches up from, and the concordance plan. Needs
//! `TMKIT_TEST_PG` (skipped with a printed reason otherwise); each test has
//! a schema of its own.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use tmkit::store::postgres::PgStore;
use tmkit::store::{self, DuplicatePolicy, Filter, SearchQuery, Store, Unit};

mod support;
use support::tmkit;

/// A URI whose search path is a fresh schema named after the test.
fn pg_spec(name: &str) -> Option<String> {
    let Some(base) = std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        support::skipped(name, "TMKIT_TEST_PG is not set");
        return None;
    };
    let schema = format!("tmkit_pg_{name}");
    store::postgres::reset_schema(&base, &schema).expect("reset the test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{sep}options=-csearch_path%3D{schema}%2Cpublic"
    ))
}

/// A TMX of `n` units, tuid = position; every 7th repeats an earlier unit
/// exactly and every 11th gives an earlier source another, newer target.
fn write_tmx(path: &Path, n: usize) {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header srclang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"x\" adminlang=\"en\" datatype=\"plaintext\"/><body>\n",
    );
    for i in 0..n {
        let (src, tgt, date) = if i > 0 && i % 7 == 0 {
            let j = i / 2;
            (
                format!("Sentence number {j} is here."),
                format!("La phrase numéro {j} est là."),
                "20240101T000000Z",
            )
        } else if i > 0 && i % 11 == 0 {
            let j = i / 3;
            (
                format!("Sentence number {j} is here."),
                format!("Phrase {j}, nouvelle traduction."),
                "20250101T000000Z",
            )
        } else {
            (
                format!("Sentence number {i} is here."),
                format!("La phrase numéro {i} est là."),
                "20240101T000000Z",
            )
        };
        s.push_str(&format!(
            "<tu tuid=\"{i}\" changedate=\"{date}\"><prop type=\"x-n\">{i}</prop><tuv xml:lang=\"en\"><seg>{src}</seg></tuv><tuv xml:lang=\"fr\"><seg>{tgt}</seg></tuv></tu>\n"
        ));
    }
    s.push_str("</body></tmx>\n");
    std::fs::write(path, s).unwrap();
}

/// (tuid, source, target, props) of every unit, in id order.
fn contents(store: &mut dyn Store) -> Vec<(String, String, String, usize)> {
    let mut out = Vec::new();
    store
        .for_each_unit(&Filter::default(), &mut |u| {
            let tuvs = &u.unit.tu.tuvs;
            out.push((
                u.unit.tu.tuid.clone().unwrap_or_default(),
                tuvs[0].seg.plain_text(),
                tuvs[1].seg.plain_text(),
                u.unit.tu.props.len(),
            ));
            Ok(())
        })
        .unwrap();
    out
}

fn psql_one(spec: &str, sql: &str) -> String {
    let mut client = postgres::Client::connect(spec, postgres::NoTls).unwrap();
    let row = client.query_one(sql, &[]).unwrap();
    row.get::<_, Option<String>>(0).unwrap_or_default()
}

/// The secondary indexes and foreign keys of the schema the spec names.
fn schema_objects(spec: &str) -> String {
    psql_one(
        spec,
        "SELECT string_agg(name, ',' ORDER BY name) FROM ( \
           SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() \
           UNION ALL SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = current_schema() AND contype = 'f') s",
    )
}

#[test]
fn bulk_import_into_an_empty_store_equals_unit_by_unit_adds() {
    let (Some(bulk), Some(plain)) = (pg_spec("bulk_equal"), pg_spec("bulk_plain")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("m.tmx");
    write_tmx(&tmx, 6000);
    let indexes_before = {
        drop(store::create(&bulk).unwrap());
        schema_objects(&bulk)
    };
    // Batches of 1000 into an empty store: a bulk load.
    let out = tmkit()
        .args(["tm", "import", "--batch", "1000", "--tm", &bulk])
        .arg(&tmx)
        .assert()
        .success();
    let note = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    // Batches of 999: one at a time through the ordinary path.
    tmkit()
        .args(["-q", "tm", "import", "--batch", "999", "--tm", &plain])
        .arg(&tmx)
        .assert()
        .success();
    let mut b = store::open(&bulk).unwrap();
    let mut p = store::open(&plain).unwrap();
    let (cb, cp) = (contents(b.as_mut()), contents(p.as_mut()));
    assert!(cb.len() > 4000 && cb.len() < 6000, "{} units", cb.len());
    assert_eq!(cb, cp, "bulk and plain imports differ");
    assert!(note.contains("exact duplicate"), "{note}");
    assert_eq!(b.stats().unwrap(), p.stats().unwrap());
    // Every index and foreign key is back; nothing is left marked.
    assert_eq!(schema_objects(&bulk), indexes_before);
    assert_eq!(
        psql_one(
            &bulk,
            "SELECT string_agg(key, ',') FROM tmkit_meta WHERE key = 'bulk_load'"
        ),
        ""
    );
    assert!(b.check().unwrap().is_empty());
    // Concordance and fuzzy lookups work from the bulk-loaded store.
    assert_eq!(
        b.search(&SearchQuery::new("NUMERO 4321 EST"))
            .unwrap()
            .len(),
        1
    );
    tmkit()
        .args([
            "-q", "match", "--tm", &bulk, "--src", "en", "--tgt", "fr", "--format", "jsonl",
        ])
        .arg("Sentence number 4321 is here.")
        .assert()
        .success()
        .stdout(predicates::str::contains("numéro 4321"));
    // Re-importing changes nothing (and the deletes cascade: the keys are back).
    let generation = b.generation().unwrap();
    drop(b);
    tmkit()
        .args(["-q", "tm", "import", "--batch", "1000", "--tm", &bulk])
        .arg(&tmx)
        .assert()
        .success();
    let mut b = store::open(&bulk).unwrap();
    assert_eq!(b.generation().unwrap(), generation);
    assert_eq!(contents(b.as_mut()), cp);
    assert_eq!(b.delete(&Filter::of_ids(vec![1, 2])).unwrap(), 2);
    assert_eq!(
        psql_one(
            &bulk,
            "SELECT count(*)::text FROM variants WHERE unit_id IN (1, 2)"
        ),
        "0"
    );
}

#[test]
fn kill_9_during_a_bulk_import_keeps_whole_transactions_and_reimport_completes() {
    let Some(spec) = pg_spec("bulk_kill") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("big.tmx");
    let total = 60_000;
    write_tmx(&tmx, total);
    // Only distinct units, so that every position is kept.
    let text = std::fs::read_to_string(&tmx).unwrap();
    let distinct: String = text
        .lines()
        .map(|l| {
            if let Some(rest) = l.strip_prefix("<tu tuid=\"") {
                let i: usize = rest[..rest.find('"').unwrap()].parse().unwrap();
                format!("<tu tuid=\"{i}\"><tuv xml:lang=\"en\"><seg>Unit {i} of the crash test.</seg></tuv><tuv xml:lang=\"fr\"><seg>Unité {i}.</seg></tuv></tu>")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&tmx, distinct).unwrap();
    drop(store::create(&spec).unwrap());
    let objects = schema_objects(&spec);
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("tmkit"))
        .env("XDG_CACHE_HOME", support::cache_home())
        .args(["-q", "tm", "import", "--batch", "1000", "--tm", &spec])
        .arg(&tmx)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a transaction (5 batches) is in, while it is still writing.
    let started = Instant::now();
    let mut client = postgres::Client::connect(&spec, postgres::NoTls).unwrap();
    loop {
        std::thread::sleep(Duration::from_millis(10));
        let n: i64 = client
            .query_one("SELECT count(*) FROM units", &[])
            .map(|r| r.get(0))
            .unwrap_or(0);
        if n >= 5000 || started.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    drop(client);
    // Opening repairs what the load left out.
    let mut db = PgStore::connect(&spec).unwrap();
    assert_eq!(schema_objects(&spec), objects);
    assert!(db.check().unwrap().is_empty());
    let n = db.count(&Filter::default()).unwrap();
    if status.success() {
        eprintln!("the import finished before the kill; checking the complete store");
        assert_eq!(n, total as u64);
    } else {
        assert_eq!(n % 5000, 0, "{n} units: a transaction was half written");
        assert!(n < total as u64);
        let tuids: Vec<String> = contents(&mut db).into_iter().map(|c| c.0).collect();
        assert!(tuids.iter().enumerate().all(|(i, t)| *t == i.to_string()));
    }
    drop(db);
    tmkit()
        .args(["-q", "tm", "import", "--tm", &spec])
        .arg(&tmx)
        .assert()
        .success();
    tmkit()
        .args(["-q", "tm", "check", "--tm", &spec])
        .assert()
        .success();
    let mut db = PgStore::connect(&spec).unwrap();
    assert_eq!(db.count(&Filter::default()).unwrap(), total as u64);
    assert_eq!(db.dedupe().unwrap(), 0, "no duplicate after the re-import");
}

fn unit(src: &str, tgt: &str) -> Unit {
    Unit::new(&[("en", src), ("fr", tgt)])
}

#[test]
fn another_handle_catches_up_with_writes_through_the_change_log() {
    let Some(spec) = pg_spec("changes") else {
        return;
    };
    let mut writer = PgStore::connect(&spec).unwrap();
    // The reader goes through the boxed trait, as `tmkit serve` does.
    let mut reader = store::open(&spec).unwrap();
    support::change_log_scenario(&mut writer, reader.as_mut());
}

#[test]
fn postgres_refuses_a_unit_it_cannot_write_whole() {
    let Some(spec) = pg_spec("unwritable") else {
        return;
    };
    let mut db = PgStore::connect(&spec).unwrap();
    support::unwritable_unit_scenario(&mut db);
}

#[test]
fn concordance_uses_the_trigram_index() {
    let Some(spec) = pg_spec("plan") else {
        return;
    };
    let mut db = PgStore::connect(&spec).unwrap();
    let units: Vec<Unit> = (0..3000)
        .map(|i| {
            unit(
                &format!("Report number {i} was filed."),
                &format!("Rapport numéro {i} déposé."),
            )
        })
        .collect();
    db.add_units(&units, DuplicatePolicy::default()).unwrap();
    let hits = db.search(&SearchQuery::new("NUMERO 2999 DEPOSE")).unwrap();
    assert_eq!(hits.len(), 1);
    let plan = db.explain_search(&SearchQuery::new("numero 2999")).unwrap();
    assert!(plan.contains("variants_folded"), "{plan}");
}

/// The body of a GET, with a 2xx status.
fn get(url: &str) -> String {
    let mut answer = ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    answer.body_mut().read_to_string().unwrap()
}

#[test]
fn a_server_finds_units_another_client_wrote_without_a_rebuild() {
    let Some(spec) = pg_spec("serve_catch_up") else {
        return;
    };
    let mut writer = PgStore::connect(&spec).unwrap();
    let units: Vec<Unit> = (0..50)
        .map(|i| {
            unit(
                &format!("The meeting number {i} starts."),
                &format!("La réunion {i} commence."),
            )
        })
        .collect();
    writer
        .add_units(&units, DuplicatePolicy::default())
        .unwrap();
    let (mut child, base) = support::serve_tm(spec.as_ref());
    let lookup = |q: &str| {
        get(&format!(
            "{base}/v1/tms/default/lookup?src=en&tgt=fr&min=90&q={}",
            q.replace(' ', "%20")
        ))
    };
    let new = "The new budget was approved today.";
    assert!(!lookup(new).contains("nouveau budget"), "not there yet");
    // Another client adds a unit and deletes one.
    writer
        .add_units(
            &[unit(new, "Le nouveau budget a été approuvé.")],
            DuplicatePolicy::default(),
        )
        .unwrap();
    let deleted = writer
        .delete(&Filter {
            search: Some("meeting number 7 starts".into()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(deleted, 1);
    std::thread::sleep(Duration::from_millis(200));
    // The first lookup after the interval catches up; keep asking briefly.
    let started = Instant::now();
    let found = loop {
        let body = lookup(new);
        if body.contains("nouveau budget") || started.elapsed() > Duration::from_secs(5) {
            break body;
        }
        std::thread::sleep(Duration::from_millis(30));
    };
    assert!(found.contains("\"score\":100"), "{found}");
    let gone = lookup("The meeting number 7 starts.");
    assert!(
        !gone.contains("\"source\":\"The meeting number 7 starts.\""),
        "{gone}"
    );
    assert!(gone.contains("meeting number 0 starts"), "{gone}");
    // SIGTERM: the server closes its PostgreSQL connections and exits cleanly.
    support::send_signal(child.0.id(), "TERM");
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// Every unit `filter` selects as (id, unit), read through `for_each_unit`.
fn selected(store: &mut dyn Store, filter: &Filter) -> Vec<(i64, Unit)> {
    let mut out = Vec::new();
    store
        .for_each_unit(filter, &mut |u| {
            out.push((u.id, u.unit));
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn a_large_selection_streamed_by_copy_equals_the_paged_reads() {
    let Some(spec) = pg_spec("stream_copy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("in.tmx");
    write_tmx(&tmx, 40);
    tmkit()
        .args(["-q", "tm", "import", "--tm", &spec, "--on-duplicate", "add"])
        .arg(&tmx)
        .assert()
        .success();
    // A project whose name a literal must quote (a quote, a backslash,
    // non-ASCII letters; built here, not by the server), a free field, and a unit
    // read from its rows (no TMX kept) whose source variant now has the
    // larger id (read back after the target).
    let odd = "it's $1::text \\ $2 — Ünï 日本";
    let mut client = postgres::Client::connect(&spec, postgres::NoTls).unwrap();
    client
        .execute("UPDATE units SET project = $1 WHERE id % 3 = 0", &[&odd])
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO fields (unit_id, kind, name, value) VALUES (5, 'field', 'status', 'final'); \
             UPDATE variants SET id = id + 1000000 WHERE unit_id = 4 AND lang = 'en'; \
             UPDATE units SET tmx = NULL WHERE id = 4",
        )
        .unwrap();
    let mut db = store::open(&spec).unwrap();
    // No limit (or one above a page) streams; a limit of a page reads pages.
    let paged = |filter: &Filter| Filter {
        limit: Some(5000),
        ..filter.clone()
    };
    let everything = Filter::default();
    let odd_project = Filter {
        project: Some(odd.to_string()),
        src: Some("en".into()),
        ..Filter::default()
    };
    for filter in [&everything, &odd_project] {
        let streamed = selected(db.as_mut(), filter);
        assert_eq!(streamed, selected(db.as_mut(), &paged(filter)));
        assert!(!streamed.is_empty());
    }
    let all = selected(db.as_mut(), &everything);
    // 40 units less the 3 exact copies (units 7, 21 and 35 repeat 3, 10
    // and 17 word for word), which no import policy stores twice.
    assert_eq!(all.len(), 37);
    // Origin names (looked up by id, the units' COPY has no join).
    let origins: Vec<_> = all.iter().map(|(_, u)| u.origin.clone()).collect();
    assert!(
        origins
            .iter()
            .all(|o| o.as_deref().is_some_and(|o| o.ends_with("in.tmx"))),
        "{origins:?}"
    );
    let in_odd_project = all.iter().filter(|(id, _)| id % 3 == 0).count();
    assert_eq!(selected(db.as_mut(), &odd_project).len(), in_odd_project);
    assert!(in_odd_project >= 12);
    let four = &all.iter().find(|(id, _)| *id == 4).unwrap().1;
    assert_eq!(four.tu.tuvs[0].lang, "fr");
    let five = &all.iter().find(|(id, _)| *id == 5).unwrap().1;
    assert_eq!(
        five.fields,
        vec![("status".to_string(), "final".to_string())]
    );
    // A limit above a page streams too, and stops there.
    let limited = Filter {
        limit: Some(5001),
        ..Filter::default()
    };
    assert_eq!(selected(db.as_mut(), &limited), all);
}

/// A new store at `spec` with `n` two-variant units (ids 1 to n) in
/// project `project`, written by SQL (an import of so many is slow);
/// returns a client of it.
fn fill_store(spec: &str, n: u32, project: &str) -> postgres::Client {
    drop(store::create(spec).unwrap());
    let mut client = postgres::Client::connect(spec, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!(
            "INSERT INTO units (id, source_lang, project, content_hash, source_hash) \
               SELECT i, 'en', '{project}', i, i FROM generate_series(1, {n}) i; \
             INSERT INTO variants (unit_id, lang, text, text_hash, folded) \
               SELECT i, l, 'Sentence number ' || i || ' in ' || l, i, 'sentence' \
               FROM generate_series(1, {n}) i, (VALUES ('en'), ('fr')) v(l)"
        ))
        .unwrap();
    client
}

/// `tmkit tm export --project project` of `spec` into a FIFO in `dir`,
/// started; the FIFO opened for reading (the export stops once every
/// buffer is full until it is read).
fn export_to_fifo(spec: &str, project: &str, dir: &Path) -> (std::process::Child, std::fs::File) {
    let fifo = dir.join("out.tmx");
    let made = StdCommand::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("tmkit"))
        .env("XDG_CACHE_HOME", support::cache_home())
        .args([
            "-q",
            "tm",
            "export",
            "--project",
            project,
            "--tm",
            spec,
            "-o",
        ])
        .arg(&fifo)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = std::fs::File::open(&fifo).unwrap();
    (child, out)
}

#[cfg(target_os = "linux")]
#[test]
fn an_export_reads_its_copies_on_one_thread_and_builds_units_on_the_main_one() {
    let Some(spec) = pg_spec("export_one_thread") else {
        return;
    };
    let marker = "export-one-thread-marker";
    fill_store(&spec, 100_000, marker);
    let dir = tempfile::tempdir().unwrap();
    let (child, mut out) = export_to_fifo(&spec, marker, dir.path());
    // Well into the units: the COPYs are streaming, the export waits for
    // this reader.
    let mut head = vec![0u8; 256 * 1024];
    std::io::Read::read_exact(&mut out, &mut head).unwrap();
    // The threads: the main one (which builds and writes every unit, so
    // their strings are freed where they were allocated), the one reading
    // the COPYs' sockets, the Ctrl-C handler's, and tokio's blocking pool,
    // which a host name to resolve may start. An unnamed thread carries
    // the process's name.
    let proc = format!("/proc/{}", child.id());
    let name = std::fs::read_to_string(format!("{proc}/comm")).unwrap();
    let names: Vec<String> = std::fs::read_dir(format!("{proc}/task"))
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("comm")).ok())
        .collect();
    let count = |n: &str| names.iter().filter(|c| c.trim() == n.trim()).count();
    std::io::copy(&mut out, &mut std::io::sink()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        count(&name),
        1,
        "unnamed threads while exporting: {names:?}"
    );
    assert_eq!(count("tmkit-pg-copy"), 1, "{names:?}");
}

#[test]
fn an_export_reads_pages_when_the_role_may_open_too_few_connections() {
    let Some(spec) = pg_spec("export_limited") else {
        return;
    };
    // More than a page: a full export streams when it can.
    let mut client = fill_store(&spec, 6_000, "limited");
    let (Some((scheme, _)), Some(at)) = (spec.split_once("://"), spec.find('@')) else {
        support::skipped("export_limited", "TMKIT_TEST_PG names no user@host");
        return;
    };
    let host = &spec[at + 1..];
    let role = "tmkit_pg_limited_export";
    let schema = "tmkit_pg_export_limited";
    let limited = format!("{scheme}://{role}:limited@{host}");
    let dir = tempfile::tempdir().unwrap();
    let export = |uri: &str, name: &str| {
        let out = dir.path().join(name);
        let run = tmkit()
            .args(["-q", "tm", "export", "--tm", uri, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{run:?}");
        std::fs::read(out).unwrap()
    };
    let full = export(&spec, "full.tmx");
    // The role may hold 2 sessions (the export's own and one more: too
    // few for its 2 COPYs), then 3 (enough).
    for limit in [2, 3] {
        client
            .batch_execute(&format!(
                "DROP OWNED BY {role} CASCADE; DROP ROLE IF EXISTS {role}; \
                 CREATE ROLE {role} LOGIN PASSWORD 'limited' CONNECTION LIMIT {limit}; \
                 GRANT USAGE ON SCHEMA {schema} TO {role}; \
                 GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"
            ))
            .or_else(|_| {
                client.batch_execute(&format!(
                    "CREATE ROLE {role} LOGIN PASSWORD 'limited' CONNECTION LIMIT {limit}; \
                     GRANT USAGE ON SCHEMA {schema} TO {role}; \
                     GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"
                ))
            })
            .unwrap();
        assert!(
            export(&limited, &format!("limited{limit}.tmx")) == full,
            "limit {limit}: another export"
        );
    }
    client
        .batch_execute(&format!("DROP OWNED BY {role} CASCADE; DROP ROLE {role}"))
        .unwrap();
}

#[test]
fn a_backend_killed_during_an_export_is_a_failure_of_the_work_not_bad_usage() {
    let Some(spec) = pg_spec("export_killed") else {
        return;
    };
    // 200,000 units (far more than the pipe, the reader's batches and the
    // sockets hold), in a project named for this test so that only its
    // COPY backends are ended.
    let marker = "export-killed-marker";
    let mut client = fill_store(&spec, 200_000, marker);
    let dir = tempfile::tempdir().unwrap();
    let (child, mut out) = export_to_fifo(&spec, marker, dir.path());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut ended = 0;
    while ended == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        ended = client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE query LIKE 'COPY (%' AND query LIKE $1 AND pid <> pg_backend_pid()",
                &[&format!("%{marker}%")],
            )
            .unwrap()
            .len();
    }
    assert!(ended > 0, "no COPY backend to end");
    std::io::copy(&mut out, &mut std::io::sink()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    // What the server said, not tokio-postgres's bare "db error".
    assert!(stderr.contains("terminat"), "{stderr}");
}
