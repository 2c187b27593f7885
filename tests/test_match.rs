//! `tmkit match`: CLI behaviour on the fixtures in `tests/fixtures/fuzzy/`,
//! agreement of the score with the Python reference, and the index against
//! brute force on real sentences.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use predicates::prelude::*;
use serde_json::Value;
use tmkit::fuzzy::{MatchOptions, Matcher};
use tmkit::tm::{LanguagePair, MemoryTm, TranslationMemory, parse_tsv};

mod support;

use support::tmkit;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzzy")
        .join(name)
}

fn jsonl(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn text_output_shows_scores_diffs_targets_and_adapted_numbers() {
    tmkit()
        .args(["match", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--src", "en", "--tgt", "fr"])
        .arg(fixture("article.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            " 80%  The minister resigned on [-Monday-]{+Friday+}.",
        ))
        .stdout(predicate::str::contains("Le ministre a démissionné lundi."))
        .stdout(predicate::str::contains(
            "adapted: Les prix ont augmenté de 15 pour cent en 2023.",
        ))
        .stdout(predicate::str::contains("no match at 50% or more"))
        .stderr(predicate::str::contains("memory: 6 segments"));
}

#[test]
fn jsonl_has_one_object_per_segment_in_order_with_all_fields() {
    let out = tmkit()
        .args(["match", "-q", "--format", "jsonl", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--sl", "en", "--tl", "fr"])
        .arg(fixture("article.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "--quiet keeps stderr empty");
    let rows = jsonl(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["query"], "The minister resigned on Friday.");
    let m = &rows[0]["matches"][0];
    assert_eq!(m["score"], 80);
    assert_eq!(m["source"], "The minister resigned on Monday.");
    assert_eq!(
        m["origin"],
        format!("{}:1", fixture("memory.tsv").display())
    );
    for key in [
        "tuid",
        "changedate",
        "penalties",
        "adapted_target",
        "target",
    ] {
        assert!(m.get(key).is_some(), "missing {key}");
    }
    assert!(rows[0]["ms"].as_f64().unwrap() >= 0.0);
    let prices = &rows[1]["matches"][0];
    // One number changed: 99, with the number put into the target.
    assert_eq!(prices["score"], 99);
    assert_eq!(
        prices["penalties"],
        serde_json::json!([{"kind": "number", "points": 1, "detail": "12 → 15"}])
    );
    assert_eq!(
        prices["adapted_target"],
        "Les prix ont augmenté de 15 pour cent en 2023."
    );
    assert_eq!(rows[2]["matches"].as_array().unwrap().len(), 0);
}

#[test]
fn lines_mode_keeps_each_line_whole_and_skips_blank_lines() {
    let out = tmkit()
        .args(["match", "-q", "--lines", "--format", "jsonl", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--src", "en", "--tgt", "fr", "-"])
        .write_stdin("The storm left thousands without power.\n\n  \nUnrelated words here.\n")
        .output()
        .unwrap();
    let rows = jsonl(&out.stdout);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["matches"][0]["score"], 100);
    assert_eq!(rows[1]["query"], "Unrelated words here.");
}

#[test]
fn json_is_one_array() {
    let out = tmkit()
        .args(["match", "-q", "--format", "json", "--min", "90", "--tm"])
        .arg(fixture("memory.tsv"))
        .args([
            "--src",
            "en",
            "--tgt",
            "fr",
            "the minister resigned on monday.",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    // Same tokens, different case: 99, never 100.
    assert_eq!(arr[0]["matches"][0]["score"], 99);
    assert_eq!(arr[0]["matches"].as_array().unwrap().len(), 1, "--min 90");
}

#[test]
fn tmx_region_fallback_ties_by_newest_changedate_and_inline_codes() {
    let out = tmkit()
        .args(["match", "-q", "--format", "jsonl", "--tm"])
        .arg(fixture("memory.tmx"))
        .args(["--src", "en-US", "--tgt", "fr"])
        .args(["Click Save to keep your changes?"])
        .output()
        .unwrap();
    let rows = jsonl(&out.stdout);
    let m = rows[0]["matches"].as_array().unwrap();
    assert_eq!(m.len(), 2, "en-GB does not serve en-US");
    assert_eq!(
        (m[0]["score"].as_u64(), m[1]["score"].as_u64()),
        (Some(99), Some(99))
    );
    assert_eq!(m[0]["penalties"][0]["kind"], "punctuation");
    assert_eq!(m[0]["penalties"][0]["detail"], "\"!\" → \"?\"");
    assert_eq!(m[0]["tuid"], "new", "the newer unit wins the tie");
    assert_eq!(m[0]["changedate"], "20240601T120000Z");
    assert!(m[0]["origin"].as_str().unwrap().ends_with("memory.tmx#tu2"));

    let out = tmkit()
        .args(["match", "-q", "--format", "jsonl", "--tm"])
        .arg(fixture("memory.tmx"))
        .args(["--src", "en", "--tgt", "ja", "Press OK to continue."])
        .output()
        .unwrap();
    let rows = jsonl(&out.stdout);
    let m = &rows[0]["matches"][0];
    // Two inline codes the plain-text query lacks: two points.
    assert_eq!(m["score"], 98);
    assert_eq!(m["target"], "続行するにはOKを押してください。");
    assert_eq!(m["penalties"][0]["kind"], "inline-code");
    assert_eq!(m["penalties"][0]["points"], 2);
}

#[test]
fn spaceless_and_right_to_left_scripts() {
    let out = tmkit()
        .args(["match", "-q", "--format", "jsonl", "--tm"])
        .arg(fixture("ja-th-en.tsv"))
        .args(["--src", "ja", "--tgt", "en", "東京は日本の都市です。"])
        .output()
        .unwrap();
    let rows = jsonl(&out.stdout);
    // 10 character words ("。" is punctuation), two edits (首 deleted, 市
    // inserted): floor(100 * 8 / 10) = 80.
    assert_eq!(rows[0]["matches"][0]["score"], 80);

    tmkit()
        .args(["match", "--tm"])
        .arg(fixture("ar-en.tsv"))
        .args([
            "--src",
            "ar",
            "--tgt",
            "en",
            "ارتفعت الأسعار بنسبة 15 في المئة.",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("[-12-]{+15+}"))
        .stdout(predicate::str::contains(
            "adapted: Prices rose by 15 percent.",
        ));
}

#[test]
fn several_inputs_get_a_header_each_in_text_mode() {
    tmkit()
        .args(["match", "-q", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--src", "en", "--tgt", "fr"])
        .arg(fixture("job1.txt"))
        .arg(fixture("job2.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("job1.txt =="))
        .stdout(predicate::str::contains("job2.txt =="));
}

#[test]
fn bad_memory_names_file_line_and_column() {
    tmkit()
        .args(["match", "--tm"])
        .arg(fixture("bad.tsv"))
        .args(["--src", "en", "--tgt", "fr", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.tsv:2:21: expected a tab"));
}

#[test]
fn a_bad_input_is_reported_and_the_others_are_matched() {
    tmkit()
        .args(["match", "-q", "--format", "jsonl", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--src", "en", "--tgt", "fr"])
        .arg(fixture("invalid-utf8.txt"))
        .arg(fixture("job2.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid-utf8.txt:1:13"))
        .stdout(predicate::str::contains("Talks between the two parties"));
}

#[test]
fn usage_errors_exit_2() {
    tmkit()
        .args(["match", "--src", "en", "--tgt", "fr", "x"])
        .assert()
        .code(2);
    tmkit()
        .args([
            "match", "--tm", "x.tsv", "--src", "en", "--tgt", "fr", "--min", "101",
        ])
        .assert()
        .code(2);
    tmkit()
        .args(["match", "--tm", "x.tsv", "--src", "e!", "--tgt", "fr"])
        .assert()
        .code(2);
}

#[test]
fn closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.txt");
    let lines: String = (0..20_000)
        .map(|i| format!("The minister resigned on day {i}.\n"))
        .collect();
    std::fs::write(&input, lines).unwrap();
    for format in ["text", "jsonl", "json"] {
        support::assert_closed_pipe_ends_quietly(
            format,
            &format!(
                "match -q --lines --format {format} --tm '{}' --src en --tgt fr '{}'",
                fixture("memory.tsv").display(),
                input.display()
            ),
            &[],
        );
    }
}

/// The shared data: `../shared` as in CI, or `$TMKIT_SHARED` (a worktree elsewhere).
fn shared_dir() -> Option<PathBuf> {
    support::shared("", module_path!())
}

/// A small deterministic generator (xorshift), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Random text mixing scripts, marks, punctuation, width forms and spaces.
fn random_text(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "the",
        "The",
        "THE",
        "cat",
        "Straße",
        "STRASSE",
        "ﬁle",
        "file",
        "ＡＢＣ",
        "abc",
        "１２３",
        "123",
        "12",
        "東",
        "京",
        "に",
        "行",
        "く",
        "カタカナ",
        "ｶﾀｶﾅ",
        "한국어",
        "สวัสดี",
        "ครับ",
        "مرحبا",
        "بالعالم",
        "مَرْحَبًا",
        "שָׁלוֹם",
        "नमस्ते",
        "e\u{301}",
        "é",
        "İ",
        "ς",
        "Σ",
        ".",
        ",",
        "!",
        "?",
        "«",
        "»",
        "—",
        "'",
        "\"",
        "(",
        ")",
        "…",
        "3.9",
        "4,200,000",
        "1\u{2019}000",
        "12.05.2024",
        "\u{201C}",
        "\u{2013}",
        "-",
        "%",
        "$",
        "\u{200f}",
        "\u{00a0}",
        "_",
        "a_b",
        "x²",
        "½",
        "Ⅻ",
        "🙂",
        "\u{1c}",
        "\t",
        "  ",
    ];
    let n = rng.below(12);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(PIECES[rng.below(PIECES.len())]);
        match rng.below(4) {
            0 => {}
            1 => s.push_str("  "),
            _ => s.push(' '),
        }
    }
    s
}

/// A near copy of `a` as an editor would make it: a number, a punctuation
/// mark, quotes or case changed, or a word added.
fn near_copy(rng: &mut Rng, a: &str) -> String {
    match rng.below(6) {
        0 => a.to_uppercase(),
        1 => format!("{a}."),
        2 => a.replace('1', "7").replace(',', ";"),
        3 => format!("\u{201C}{a}\u{201D}"),
        4 => a.replace(' ', "  ").replace('-', "\u{2013}"),
        _ => format!("{a} x"),
    }
}

#[test]
fn score_agrees_with_the_python_reference() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/score_ref.py");
    let probe = StdCommand::new("python3").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        support::skipped(
            module_path!(),
            "python3 is not available to run scripts/score_ref.py",
        );
        return;
    }
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut rows: Vec<(String, u16, String, u16)> = Vec::new();
    for _ in 0..3000 {
        let a = random_text(&mut rng);
        let b = if rng.below(3) == 0 {
            near_copy(&mut rng, &a)
        } else {
            random_text(&mut rng)
        };
        let codes = |rng: &mut Rng| {
            if rng.below(5) == 0 {
                rng.below(3) as u16
            } else {
                0
            }
        };
        let (ca, cb) = (codes(&mut rng), codes(&mut rng));
        rows.push((a, ca, b, cb));
    }
    if let Some(shared) = shared_dir()
        && let Ok(text) = std::fs::read_to_string(shared.join("data/tm/en-fr.tsv"))
    {
        let real: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
        for i in (0..real.len().saturating_sub(1)).step_by(97).take(1500) {
            rows.push((real[i].to_string(), 0, real[i + 1].to_string(), 0));
            let edited = near_copy(&mut rng, real[i]);
            rows.push((real[i].to_string(), 0, edited, 0));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pairs.jsonl");
    let lines: Vec<String> = rows
        .iter()
        .map(|(a, ca, b, cb)| serde_json::to_string(&(a, ca, b, cb)).unwrap())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = StdCommand::new("python3")
        .arg(&script)
        .arg("--jsonl")
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<u8> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(expected.len(), rows.len());
    let pair = LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap());
    let mut disagreements = Vec::new();
    for ((a, ca, b, cb), want) in rows.iter().zip(&expected) {
        let got = tmkit::fuzzy::score_with_codes(a, *ca, b, *cb);
        // The explained score (what `match` prints) is the same number.
        let explained = tmkit::fuzzy::assess(
            tmkit::fuzzy::Query {
                text: a,
                codes: *ca,
            },
            b,
            *cb,
            "",
            &pair,
        );
        if got != *want || explained.score != *want {
            disagreements.push(format!(
                "{a:?} ({ca}) vs {b:?} ({cb}): tmkit {got}/{}, reference {want}",
                explained.score
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree, e.g. {:?}",
        disagreements.len(),
        rows.len(),
        &disagreements[..disagreements.len().min(5)]
    );
}

/// 20,000 real segments of `en-fr.tsv` plus 10,000 joined pairs (like the
/// benchmark's memories), indexed once for every case of the property below.
fn real_matcher() -> Option<&'static (Matcher<MemoryTm>, Vec<String>)> {
    static MEMORY: std::sync::OnceLock<Option<(Matcher<MemoryTm>, Vec<String>)>> =
        std::sync::OnceLock::new();
    MEMORY
        .get_or_init(|| {
            let shared = shared_dir()?;
            let Ok(text) = std::fs::read_to_string(shared.join("data/tm/en-fr.tsv")) else {
                support::skipped(module_path!(), "no en-fr.tsv in shared data");
                return None;
            };
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.contains('\t'))
                .take(20_000)
                .collect();
            let mut tsv: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let mut rng = Rng(42);
            for _ in 0..10_000 {
                let (a, b) = (lines[rng.below(lines.len())], lines[rng.below(lines.len())]);
                let (sa, ta) = a.split_once('\t').unwrap();
                let (sb, tb) = b.split_once('\t').unwrap();
                tsv.push_str(&format!("{sa} {sb}\t{ta} {tb}\n"));
            }
            let mut tm = MemoryTm::new(LanguagePair::new(
                "en".parse().unwrap(),
                "fr".parse().unwrap(),
            ));
            let file = tm.add_file("real.tsv").unwrap();
            let mut entries = Vec::new();
            parse_tsv(&tsv, None, file, &mut entries).unwrap();
            entries.into_iter().for_each(|e| tm.push(e));
            let words = lines
                .iter()
                .flat_map(|l| l.split('\t').next().unwrap_or("").split(' '))
                .map(str::to_string)
                .collect();
            Some((Matcher::new(tm), words))
        })
        .as_ref()
}

/// One editor's change to a query: a word replaced, removed or added, a
/// punctuation mark or a number changed, quotes added, case changed.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, usize),
    Remove(usize),
    Insert(usize, usize),
    Punctuation(usize, char),
    Number(usize, u32),
    Quotes,
    Upper,
}

fn apply(words: &[String], sentence: &str, edits: &[Edit]) -> String {
    let mut w: Vec<String> = sentence.split(' ').map(str::to_string).collect();
    for e in edits {
        let at = |i: usize, w: &Vec<String>| i % w.len().max(1);
        match *e {
            Edit::Replace(i, j) if !w.is_empty() => {
                let k = at(i, &w);
                w[k] = words[j % words.len()].clone();
            }
            Edit::Remove(i) if w.len() > 1 => {
                let k = at(i, &w);
                w.remove(k);
            }
            Edit::Insert(i, j) => {
                let k = at(i, &w);
                w.insert(k, words[j % words.len()].clone());
            }
            Edit::Punctuation(i, c) if !w.is_empty() => {
                let k = at(i, &w);
                w[k].push(c);
            }
            Edit::Number(i, n) => {
                let k = at(i, &w);
                w.insert(k, format!("{}.{}", n / 10, n % 10));
            }
            Edit::Quotes if !w.is_empty() => {
                w[0] = format!("\u{201C}{}\u{201D}", w[0]);
            }
            Edit::Upper if !w.is_empty() => {
                w[0] = w[0].to_uppercase();
            }
            _ => {}
        }
    }
    w.join(" ")
}

fn edit() -> impl proptest::strategy::Strategy<Value = Edit> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Replace(i, j)),
        any::<usize>().prop_map(Edit::Remove),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Insert(i, j)),
        (
            any::<usize>(),
            prop::sample::select(vec![',', '.', ';', '!', '?', '%'])
        )
            .prop_map(|(i, c)| Edit::Punctuation(i, c)),
        (any::<usize>(), 0u32..200).prop_map(|(i, n)| Edit::Number(i, n)),
        Just(Edit::Quotes),
        Just(Edit::Upper),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(150))]
    /// On real data, the index returns exactly what scoring every segment returns.
    #[test]
    fn index_equals_exhaustive_scan_on_real_sentences(
        pick in proptest::prelude::any::<usize>(),
        salad in proptest::prelude::any::<bool>(),
        edits in proptest::collection::vec(edit(), 0..5),
    ) {
        let Some((matcher, words)) = real_matcher() else { return Ok(()) };
        let tm = matcher.memory();
        let base = if salad {
            (0..8).map(|i| words[(pick / 7 + i * 7919) % words.len()].as_str()).collect::<Vec<_>>().join(" ")
        } else {
            tm.entry((pick % tm.len()) as u32).unwrap().source.clone()
        };
        let query = apply(words, &base, &edits);
        let mut session = matcher.session();
        for (k, min) in [(5, 50), (1, 70), (10, 30), (3, 95)] {
            let mut options = MatchOptions { min_score: min, max_results: k, exhaustive: false };
            let fast = session.best(&query, &options);
            options.exhaustive = true;
            let slow = session.best(&query, &options);
            proptest::prop_assert_eq!(fast, slow, "query {:?} k={} min={}", query, k, min);
        }
    }
}

#[test]
fn exhaustive_flag_prints_the_same_matches() {
    let run = |extra: &[&str]| {
        let out = tmkit()
            .args(["match", "-q", "--format", "jsonl", "--min", "0", "--tm"])
            .arg(fixture("memory.tsv"))
            .args(["--src", "en", "--tgt", "fr"])
            .args(extra)
            .arg(fixture("article.txt"))
            .output()
            .unwrap();
        assert!(out.status.success());
        jsonl(&out.stdout)
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("ms");
                r
            })
            .collect::<Vec<_>>()
    };
    let indexed = run(&[]);
    assert_eq!(indexed.len(), 3);
    assert_eq!(indexed, run(&["--exhaustive"]));
}

/// 101% context matches do not stop at the matcher's internal batches: the
/// previous segment of line 2049 (the first of the second batch of 2048) is
/// line 2048 of the whole input.
#[test]
fn context_matches_cross_batch_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let sources: Vec<String> = (0..2100)
        .map(|i| format!("Item {i} of the long parts list is in stock."))
        .collect();
    let tsv: String = sources
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{s}\tArticle {i} en stock.\n"))
        .collect();
    std::fs::write(dir.path().join("x.tsv"), tsv).unwrap();
    std::fs::write(dir.path().join("job.txt"), sources.join("\n") + "\n").unwrap();
    let out = tmkit()
        .current_dir(dir.path())
        .args(["-q", "match", "--tm", "x.tsv", "--src", "en", "--tgt", "fr"])
        .args(["--lines", "--format", "jsonl", "--max", "1", "job.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let scores: Vec<u64> = jsonl(&out.stdout)
        .iter()
        .map(|r| r["matches"][0]["score"].as_u64().unwrap())
        .collect();
    assert_eq!(scores.len(), 2100);
    assert_eq!(scores[0], 100);
    // Line 2049 (index 2048) among them: every line follows its context.
    let not_in_context: Vec<usize> = (1..2100).filter(|&i| scores[i] != 101).collect();
    assert_eq!(not_in_context, Vec::<usize>::new());
}

#[test]
fn a_memory_folder_without_memory_files_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "no memory here").unwrap();
    tmkit()
        .args(["match", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(dir.path())
        .args(["--text", "The port is closed."])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("no memory file"));
}

/// An XLIFF job is looked up segment by segment (its sources, units marked
/// translate="no" left out), not read as a text whose markup becomes
/// queries: `match job.xlf` looked up `<?xml version=...` and the like.
#[test]
fn an_xliff_job_is_looked_up_by_its_source_segments() {
    let assert = tmkit()
        .args(["match", "-q", "--format", "jsonl", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--src", "en", "--tgt", "fr"])
        .arg(fixture("job1.xlf"))
        .assert();
    let rows = jsonl(&assert.success().get_output().stdout);
    let queries: Vec<&str> = rows.iter().map(|r| r["query"].as_str().unwrap()).collect();
    let job: Vec<&str> = include_str!("fixtures/fuzzy/job1.txt").lines().collect();
    assert_eq!(queries, job);
    assert_eq!(rows[1]["matches"][0]["score"], 100);
}

/// A TSV memory serves the pair it declares (by its name, else a header row
/// of language codes), columns swapped for the reverse pair; a memory of
/// another pair is skipped with a message, and is an error when it is the
/// only one; a header row is never a unit. Alone (kept as text) and beside a
/// TMX memory (loaded whole), the same.
#[test]
fn a_tsv_memory_serves_the_pair_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("mem.tsv"), "en\tfr\nGood morning.\tBonjour.\n").unwrap();
    std::fs::write(path("rev.tsv"), "fr\ten\nBonjour.\tGood morning.\n").unwrap();
    std::fs::write(path("en-ja.tsv"), "Good morning.\tおはよう。\n").unwrap();
    std::fs::write(path("fr-en.tsv"), "Bonsoir.\tGood evening.\n").unwrap();
    let tmx = fixture("memory.tmx");
    let lookup = |pair: [&str; 2], tms: &[PathBuf], text: &str| {
        let mut cmd = tmkit();
        cmd.args([
            "match", "--format", "jsonl", "--src", pair[0], "--tgt", pair[1],
        ]);
        for tm in tms {
            cmd.arg("--tm").arg(tm);
        }
        cmd.args(["--text", text]).assert()
    };
    let target = |out: &[u8]| jsonl(out)[0]["matches"][0]["target"].clone();
    for extra in [None, Some(tmx.as_path())] {
        let with = |name: &str| {
            let mut tms = vec![dir.path().join(name)];
            tms.extend(extra.map(Path::to_path_buf));
            tms
        };
        // The declared pair, and its reverse.
        for (name, pair, text, want) in [
            ("mem.tsv", ["en", "fr"], "Good morning.", "Bonjour."),
            ("rev.tsv", ["en", "fr"], "Good morning.", "Bonjour."),
            ("mem.tsv", ["fr", "en"], "Bonjour.", "Good morning."),
            ("fr-en.tsv", ["en", "fr"], "Good evening.", "Bonsoir."),
        ] {
            let out = lookup(pair, &with(name), text).success();
            assert_eq!(target(&out.get_output().stdout), want, "{name} {pair:?}");
        }
        // The header row is no unit.
        let out = lookup(["en", "fr"], &with("mem.tsv"), "en").success();
        assert_eq!(
            jsonl(&out.get_output().stdout)[0]["matches"],
            Value::Array(vec![])
        );
        // Another pair: skipped beside another memory, an error alone.
        let other = lookup(["en", "de"], &with("mem.tsv"), "Good morning.");
        if extra.is_some() {
            let out = lookup(["en", "fr"], &with("en-ja.tsv"), "Good morning.")
                .success()
                .stderr(predicate::str::contains("skipped"))
                .stderr(predicate::str::contains(
                    "en-ja.tsv: it holds en-ja, not en → fr",
                ));
            assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("おはよう"));
            other.success().stderr(predicate::str::contains(
                "mem.tsv: it holds en-fr, not en → de",
            ));
        } else {
            other
                .code(1)
                .stdout("")
                .stderr(predicate::str::contains("it holds en-fr, not en → de"));
        }
    }
}

/// A U+FEFF inside a text (two files with a byte-order mark joined by
/// `cat`) is dropped as the leading one is: the sentence after it is an
/// exact match, and its XLIFF source has no invisible character.
#[test]
fn a_bom_inside_the_text_is_not_text() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("joined.txt");
    std::fs::write(
        &doc,
        "\u{FEFF}Introduction.\n\u{FEFF}Click Save to keep your changes.\n",
    )
    .unwrap();
    let out = tmkit()
        .args([
            "match", "-q", "--format", "jsonl", "--src", "en", "--tgt", "fr", "--tm",
        ])
        .arg(fixture("memory.tmx"))
        .arg(&doc)
        .assert()
        .success();
    let rows = jsonl(&out.get_output().stdout);
    let row = rows
        .iter()
        .find(|r| r["matches"].as_array().is_some_and(|m| !m.is_empty()))
        .unwrap();
    assert_eq!(row["matches"][0]["score"], 100, "{row}");
    let xlf = dir.path().join("joined.xlf");
    tmkit()
        .args(["pretranslate", "-q", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(fixture("memory.tmx"))
        .arg(&doc)
        .arg("-o")
        .arg(&xlf)
        .assert()
        .success();
    let xml = std::fs::read_to_string(&xlf).unwrap();
    assert!(!xml.contains('\u{FEFF}'), "{xml}");
    assert!(xml.contains("state-qualifier=\"exact-match\""), "{xml}");
}
