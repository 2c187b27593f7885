//! CLI tests for `tmkit align`: every output format, documents and
//! `--lines`, dictionaries and memories, batches, bad input, and the F1 of
//! the development documents when `../shared` is present.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use support::{json_lines, outputs_of, stdout_of, tmkit};

fn fixture(name: &str) -> PathBuf {
    support::fixture_of("align", name)
}

fn bridge(cmd: &mut Command) -> &mut Command {
    cmd.args(["align", "--src", "en", "--tgt", "fr"])
        .arg(fixture("en_bridge.md"))
        .arg(fixture("fr_bridge.md"))
}

/// (source indices, target indices) of each JSONL bead.
fn beads(jsonl: &str) -> Vec<(Vec<usize>, Vec<usize>)> {
    json_lines(jsonl)
        .into_iter()
        .map(|v| {
            let ids = |k: &str| -> Vec<usize> {
                v[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as usize)
                    .collect()
            };
            assert!(v["score"].as_f64().is_some());
            (ids("src"), ids("tgt"))
        })
        .collect()
}

#[test]
fn jsonl_beads_of_a_markdown_article() {
    let out = stdout_of(bridge(&mut tmkit()).args(["--format", "jsonl"]));
    let got = beads(&out);
    let one = |i: usize, j: usize| (vec![i], vec![j]);
    let expected = vec![
        one(0, 0),
        one(1, 1),
        one(2, 2),
        (vec![3], vec![3, 4]),
        one(4, 5),
        one(5, 6),
        one(6, 7),
        one(7, 8),
        one(8, 9),
    ];
    assert_eq!(got, expected);
}

#[test]
fn dictionary_and_presegmented_alias_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (src, tgt) = (dir.path().join("src.txt"), dir.path().join("tgt.txt"));
    std::fs::write(
        &src,
        "The bridge reopened.\nThe mayor was proud.\nCars came back.\n",
    )
    .unwrap();
    std::fs::write(
        &tgt,
        "Le pont a rouvert.\nLa maire était fière.\nLes voitures sont revenues.\n",
    )
    .unwrap();
    let out = stdout_of(
        tmkit()
            .args([
                "align",
                "--presegmented",
                "--src-lang",
                "en",
                "--tgt-lang",
                "fr",
            ])
            .args(["--format", "jsonl", "--dict"])
            .arg(fixture("en-fr.dic"))
            .arg(&src)
            .arg(&tgt),
    );
    assert_eq!(
        beads(&out),
        vec![(vec![0], vec![0]), (vec![1], vec![1]), (vec![2], vec![2])]
    );
}

#[test]
fn tmx_output_has_scores_file_names_and_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bridge.tmx");
    bridge(&mut tmkit())
        .arg("--dict")
        .arg(fixture("en-fr.dic"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("<tu>").count(), 9, "{text}");
    assert!(text.contains("<prop type=\"x-alignment-score\">"));
    assert!(text.contains("en_bridge.md") && text.contains("fr_bridge.md"));
    assert!(text.contains(
        "Les ingénieurs ont remplacé les câbles d'acier. Ils ont aussi remplacé le tablier en bois."
    ));
    tmkit()
        .args(["tmx", "validate"])
        .arg(&out)
        .assert()
        .success();
    // No temporary file is left beside the output.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn tm_out_adds_beads_to_a_sqlite_store_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.tmdb");
    let run = || {
        let (stdout, stderr) = outputs_of(bridge(&mut tmkit()).arg("--tm-out").arg(&db));
        // Nothing on stdout without -o or --format; the summary on stderr.
        assert!(stdout.is_empty());
        stderr
    };
    let first = run();
    assert!(
        first.contains("9 unit(s) added, 0 already there"),
        "{first}"
    );
    let again = run();
    assert!(
        again.contains("0 unit(s) added, 9 already there"),
        "{again}"
    );
    let mut store = tmkit::store::open(&db.to_string_lossy()).unwrap();
    assert_eq!(store.count(&tmkit::store::Filter::default()).unwrap(), 9);
    let hits = store
        .search(&tmkit::store::SearchQuery::new("steel cables"))
        .unwrap();
    let unit = &hits[0].unit;
    assert!(unit.origin.as_deref().unwrap().ends_with("en_bridge.md"));
    assert!(
        unit.tu.tuvs[1]
            .seg
            .plain_text()
            .starts_with("Les ingénieurs ont remplacé les câbles d'acier.")
    );
    // Printing and storing together, and a path that is not a store.
    let out = stdout_of(
        bridge(&mut tmkit())
            .args(["--format", "jsonl", "--tm-out"])
            .arg(&db),
    );
    assert_eq!(beads(&out).len(), 9);
    bridge(&mut tmkit())
        .args(["--tm-out", "memory.tmx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a store"));
}

#[test]
fn tm_out_to_postgres_adds_nothing_the_second_time() {
    let Some(base) = std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        support::skipped("align --tm-out PostgreSQL", "TMKIT_TEST_PG is not set");
        return;
    };
    // A schema of its own: a store left in `public` would be found through
    // the other tests' search paths (`their_schema,public`) and shared.
    let schema = "tmkit_test_align_tm_out";
    tmkit::store::postgres::reset_schema(&base, schema).expect("reset the test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}%2Cpublic");
    let run = || {
        // Everything shown: standard output and error.
        let (stdout, stderr) = outputs_of(bridge(&mut tmkit()).args(["--tm-out", &url]));
        stdout + &stderr
    };
    let first = run();
    let again = run();
    assert!(
        again.contains("0 unit(s) added, 9 already there"),
        "{again}"
    );
    // Whatever the password is: the URL's own shapes of it never show.
    // (The password may be a common word, even "tmkit", so its mere
    // presence proves nothing here; `tm_out_errors_never_show_the_password`
    // checks for any trace of a distinctive one.)
    for out in [&first, &again] {
        for pw in url_passwords(&url) {
            for shown in [format!(":{pw}@"), format!("password={pw}")] {
                assert!(!out.contains(&shown), "password shown: {out}");
            }
        }
    }
}

/// The passwords a connection URL carries (in its user info, or as a
/// `password=` parameter), as written and percent-decoded.
fn url_passwords(url: &str) -> Vec<String> {
    let decode = |s: &str| -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let hex = (b[i] == b'%')
                .then(|| s.get(i + 1..i + 3))
                .flatten()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => {
                    out.push(b[i]);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let mut found = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, pw)) = userinfo.split_once(':')
    {
        found.push(pw.to_string());
    }
    if let Some((_, query)) = url.split_once('?') {
        for param in query.split('&') {
            if let Some(pw) = param.strip_prefix("password=") {
                found.push(pw.to_string());
            }
        }
    }
    let decoded: Vec<String> = found.iter().map(|p| decode(p)).collect();
    found.extend(decoded);
    found.retain(|p| !p.is_empty());
    found.sort();
    found.dedup();
    found
}

#[test]
fn tm_out_errors_never_show_the_password() {
    // No server listens on port 1: the connection fails, and the error must
    // name the store without either password, as written or decoded.
    let url = "postgres://tmkit:Zq8-pw%40first@127.0.0.1:1/nodb?password=Xy5-other-pw";
    assert_eq!(
        url_passwords(url),
        ["Xy5-other-pw", "Zq8-pw%40first", "Zq8-pw@first"]
    );
    let out = bridge(&mut tmkit())
        .args(["--tm-out", url])
        .assert()
        .failure()
        .get_output()
        .clone();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("127.0.0.1:1"), "{shown}");
    for pw in url_passwords(url) {
        assert!(!shown.contains(&pw), "password {pw} shown: {shown}");
    }
    for pw in ["Zq8", "Xy5"] {
        assert!(!shown.contains(pw), "part of a password shown: {shown}");
    }
}

#[test]
fn min_score_drops_weak_beads_from_tsv() {
    let all = stdout_of(bridge(&mut tmkit()).args(["--format", "tsv"]));
    assert_eq!(all.lines().count(), 9);
    assert!(all.lines().all(|l| l.split('\t').count() == 3));
    let scores: Vec<f32> = all
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().parse().unwrap())
        .collect();
    let (lo, hi) = scores
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &s| (a.min(s), b.max(s)));
    assert!(lo < hi, "{scores:?}");
    let threshold = (lo + hi) / 2.0;
    let kept = stdout_of(bridge(&mut tmkit()).args([
        "--format",
        "tsv",
        "--min-score",
        &threshold.to_string(),
    ]));
    assert!(kept.lines().count() < 9);
    assert!(
        kept.lines().all(|l| {
            l.rsplit('\t').next().unwrap().parse::<f32>().unwrap() >= threshold - 0.001
        })
    );
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr", "--min-score", "2"])
        .arg(fixture("en_bridge.md"))
        .arg(fixture("fr_bridge.md"))
        .assert()
        .code(2);
}

#[test]
fn text_output_shows_both_columns() {
    let out = stdout_of(bridge(&mut tmkit()).args(["--format", "text"]));
    assert!(out.contains("The bridge reopens") && out.contains("Le pont rouvre"));
    assert!(out.lines().any(|l| l.contains('│')));
}

#[test]
fn memory_gives_anchors_and_words() {
    let out = stdout_of(
        bridge(&mut tmkit())
            .args(["--format", "jsonl", "--tm"])
            .arg(fixture("en-fr.tsv")),
    );
    assert_eq!(beads(&out).len(), 9);
}

#[test]
fn a_large_dictionary_says_its_function_words_come_from_a_sample() {
    // 40,000 entries: the function words are counted over every second one,
    // and the run says so; a small dictionary is counted whole.
    let dir = tempfile::tempdir().unwrap();
    let large = dir.path().join("large.dic");
    let mut text = String::new();
    for i in 0..40_000 {
        text.push_str(&format!("le mot{i} @ das wort{i}\n"));
    }
    std::fs::write(&large, text).unwrap();
    let stderr = |dict: &Path| {
        outputs_of(
            bridge(&mut tmkit())
                .args(["--format", "jsonl", "--dict"])
                .arg(dict),
        )
        .1
    };
    let said = stderr(&large);
    assert!(
        said.contains(
            "large.dic: 40000 entries; function words counted over every 2 entries from the first (20000 entries"
        ) && said.contains(": 1 source, 1 target"),
        "{said}"
    );
    let said = stderr(&fixture("en-fr.dic"));
    assert!(
        said.contains("en-fr.dic:") && said.contains("function words counted over all of them"),
        "{said}"
    );
    // --quiet says nothing.
    let (_, said) = outputs_of(
        bridge(&mut tmkit())
            .args(["--quiet", "--format", "jsonl", "--dict"])
            .arg(&large),
    );
    assert!(said.is_empty(), "{said}");
}

#[test]
fn length_method_runs() {
    let out = stdout_of(bridge(&mut tmkit()).args(["--format", "jsonl", "--method", "length"]));
    let got = beads(&out);
    assert_eq!(got.iter().map(|b| b.0.len()).sum::<usize>(), 9);
    assert_eq!(got.iter().map(|b| b.1.len()).sum::<usize>(), 10);
}

#[test]
fn batch_goes_on_past_a_missing_file_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.tmx");
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr", "--pairs"])
        .arg(fixture("pairs.tsv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.md"));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("<tu>").count(), 9);
}

/// Folders `en` and `fr` in `dir`, each holding its side of the bridge
/// document under each of `names`.
fn bridge_folders(dir: &Path, names: &[&str]) -> (PathBuf, PathBuf) {
    let (en, fr) = (dir.join("en"), dir.join("fr"));
    std::fs::create_dir_all(&en).unwrap();
    std::fs::create_dir_all(&fr).unwrap();
    for name in names {
        std::fs::copy(fixture("en_bridge.md"), en.join(name)).unwrap();
        std::fs::copy(fixture("fr_bridge.md"), fr.join(name)).unwrap();
    }
    (en, fr)
}

#[test]
fn folders_are_paired_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let (en, fr) = bridge_folders(dir.path(), &["a.md", "b.md"]);
    let out = stdout_of(
        tmkit()
            .args(["align", "--src", "en", "--tgt", "fr", "--format", "jsonl"])
            .arg(&en)
            .arg(&fr),
    );
    assert_eq!(out.lines().count(), 18);
    assert!(out.contains("\"src_file\""));
}

#[test]
fn empty_side_and_swapped_languages_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    bridge(&mut tmkit())
        .args(["--format", "jsonl"])
        .assert()
        .success();
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr", "--format", "jsonl"])
        .arg(fixture("en_bridge.md"))
        .arg(&empty)
        .assert()
        .success()
        .stderr(predicate::str::contains("target side has no sentence"));
    let long_en =
        "The government announced on Tuesday a new reform of the pension system. ".repeat(6);
    let en = dir.path().join("en.txt");
    std::fs::write(&en, &long_en).unwrap();
    tmkit()
        .args(["align", "--src", "fr", "--tgt", "en", "--format", "jsonl"])
        .arg(&en)
        .arg(&en)
        .assert()
        .success()
        .stderr(predicate::str::contains("looks like en, not fr"));
}

#[test]
fn bad_usage_and_bad_dictionaries_fail_clearly() {
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr", "-", "-"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.dic");
    std::fs::write(&bad, "pont @ bridge\nno separator here\n").unwrap();
    bridge(&mut tmkit())
        .arg("--dict")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.dic:2:1"));
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr"])
        .arg(fixture("nope.md"))
        .arg(fixture("fr_bridge.md"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.md"));
}

/// Strict F1 of beads, as the scorer computes it (null beads split into
/// one-sentence beads; precision over all output beads, recall over gold
/// non-null beads).
fn strict_f1(gold: &[(Vec<usize>, Vec<usize>)], got: &[(Vec<usize>, Vec<usize>)]) -> f64 {
    let norm = |beads: &[(Vec<usize>, Vec<usize>)]| {
        let mut out = Vec::new();
        for (s, t) in beads {
            if s.is_empty() || t.is_empty() {
                out.extend(s.iter().map(|&i| (vec![i], vec![])));
                out.extend(t.iter().map(|&j| (vec![], vec![j])));
            } else {
                out.push((s.clone(), t.clone()));
            }
        }
        out
    };
    let (g, t) = (norm(gold), norm(got));
    let gold_nn: Vec<_> = g
        .iter()
        .filter(|b| !b.0.is_empty() && !b.1.is_empty())
        .collect();
    let p = t.iter().filter(|b| g.contains(b)).count() as f64 / t.len() as f64;
    let r = gold_nn.iter().filter(|b| t.contains(b)).count() as f64 / gold_nn.len() as f64;
    2.0 * p * r / (p + r)
}

#[test]
fn development_documents_align_above_a_floor() {
    let Some(data) = support::shared("data/align", "align F1 on the development documents") else {
        return;
    };
    // Floors a little under the figures of 2026-12-07 (.867, .990, .967).
    for (doc, sl, tl, floor) in [
        ("de-fr.textberg.dev", "de", "fr", 0.85),
        ("en-hu.dtm", "en", "hu", 0.97),
        ("zh-en.mac.001", "zh", "en", 0.95),
    ] {
        let dir = data.join(doc);
        let out = stdout_of(
            tmkit()
                .args([
                    "align", "--lines", "--quiet", "--format", "jsonl", "--src", sl, "--tgt", tl,
                ])
                .arg("--dict-dir")
                .arg(data.join("dicts"))
                .arg(dir.join("src.txt"))
                .arg(dir.join("tgt.txt")),
        );
        let gold = beads(
            &std::fs::read_to_string(dir.join("gold.jsonl"))
                .unwrap()
                .lines()
                .map(|l| l.replace('}', ", \"score\": 1}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let f1 = strict_f1(&gold, &beads(&out));
        assert!(f1 >= floor, "{doc}: strict F1 {f1:.3} < {floor}");
    }
}

#[test]
fn one_language_twice_is_a_usage_error() {
    tmkit()
        .args(["align", "--src", "en", "--tgt", "EN"])
        .arg(fixture("en_bridge.md"))
        .arg(fixture("fr_bridge.md"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("the same"));
    // Two regions of one language are a direction.
    tmkit()
        .args(["align", "--src", "en-US", "--tgt", "en-GB"])
        .arg(fixture("en_bridge.md"))
        .arg(fixture("en_bridge.md"))
        .assert()
        .success();
}

#[test]
fn an_output_that_is_an_input_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (en, fr) = (dir.path().join("en.md"), dir.path().join("fr.md"));
    std::fs::copy(fixture("en_bridge.md"), &en).unwrap();
    std::fs::copy(fixture("fr_bridge.md"), &fr).unwrap();
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr", "--format", "tsv"])
        .arg(&en)
        .arg(&fr)
        .arg("-o")
        .arg(&fr)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("also an input"));
    assert_eq!(
        std::fs::read(&fr).unwrap(),
        std::fs::read(fixture("fr_bridge.md")).unwrap()
    );
}

#[test]
fn folder_files_without_a_namesake_are_named_in_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (en, fr) = (dir.path().join("en"), dir.path().join("fr"));
    std::fs::create_dir_all(&en).unwrap();
    std::fs::create_dir_all(&fr).unwrap();
    std::fs::copy(fixture("en_bridge.md"), en.join("bridge.md")).unwrap();
    std::fs::copy(fixture("en_bridge.md"), en.join("only-en.md")).unwrap();
    std::fs::copy(fixture("fr_bridge.md"), fr.join("bridge.md")).unwrap();
    std::fs::copy(fixture("fr_bridge.md"), fr.join("only-fr.md")).unwrap();
    tmkit()
        .args(["align", "--src", "en", "--tgt", "fr", "--format", "tsv"])
        .arg(&en)
        .arg(&fr)
        .assert()
        .success()
        .stderr(predicate::str::contains("only-en.md: no namesake in"))
        .stderr(predicate::str::contains("only-fr.md: no namesake in"));
}

/// A dangling link in either folder is reported, naming it, and the other
/// pairs are still aligned; the run exits 1 at the end (it stopped the whole
/// run before).
#[test]
fn a_dangling_link_in_either_folder_fails_only_itself() {
    for side in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let (en, fr) = bridge_folders(dir.path(), &["a.md", "c.md"]);
        let broken = dir.path().join(side).join("b.md");
        std::os::unix::fs::symlink(dir.path().join("nowhere.md"), &broken).unwrap();
        let out = tmkit()
            .args(["align", "--src", "en", "--tgt", "fr", "--format", "jsonl"])
            .arg(&en)
            .arg(&fr)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "{}: dangling symbolic link",
                broken.display()
            )))
            .stderr(predicate::str::contains("namesake").not())
            .get_output()
            .clone();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 18, "{side}: {text}");
    }
}

/// TSV output escapes a backslash (`\\`) as every tmkit TSV writer does, so
/// `tm import` and `match --tm` read `C:\temp` back whole.
#[test]
fn tsv_output_escapes_backslashes() {
    let dir = tempfile::tempdir().unwrap();
    let (en, fr) = (dir.path().join("en.txt"), dir.path().join("fr.txt"));
    std::fs::write(&en, "Save it in C:\\temp now.\n").unwrap();
    std::fs::write(&fr, "Enregistrez-le dans C:\\temp maintenant.\n").unwrap();
    let out = tmkit()
        .args([
            "align", "--src", "en", "--tgt", "fr", "--format", "tsv", "--lines",
        ])
        .arg(&en)
        .arg(&fr)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let tsv = String::from_utf8(out.stdout).unwrap();
    assert!(
        tsv.starts_with("Save it in C:\\\\temp now.\tEnregistrez-le dans C:\\\\temp maintenant.\t"),
        "{tsv}"
    );
}
