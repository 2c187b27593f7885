//! `tmkit match`: CLI behaviour on the fixtures in `tests/fixtures/fuzzy/`,
//! agreement of the score with the Python reference, and the index against
//! brute force on real sentences.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tmkit::fuzzy::{MatchOptions, Matcher};
use tmkit::tm::{LanguagePair, MemoryTm, TranslationMemory, parse_tsv};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzzy")
        .join(name)
}

fn tmkit() -> Command {
    let mut cmd = Command::cargo_bin("tmkit").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
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
            "83%  The minister resigned on [-Monday-]{+Friday+}.",
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
    assert_eq!(m["score"], 83);
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
    assert_eq!(prices["penalties"][0]["kind"], "numbers");
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
        (Some(85), Some(85))
    );
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
    assert_eq!(m["score"], 100);
    assert_eq!(m["target"], "続行するにはOKを押してください。");
    assert_eq!(m["penalties"][0]["kind"], "inline_codes");
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
    // 11 character tokens, two edits (首 deleted, 市 inserted): floor(100 * 9 / 11) = 81.
    assert_eq!(rows[0]["matches"][0]["score"], 81);

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
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    for format in ["text", "jsonl", "json"] {
        let out = StdCommand::new("bash")
            .arg("-c")
            .arg(format!(
                "'{}' match -q --lines --format {format} --tm '{}' --src en --tgt fr '{}' | head -c 100 >/dev/null; exit ${{PIPESTATUS[0]}}",
                bin.display(),
                fixture("memory.tsv").display(),
                input.display()
            ))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: exit status {:?}",
            out.status
        );
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
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

#[test]
fn score_agrees_with_the_python_reference() {
    let Some(shared) = shared_dir() else { return };
    let script = shared.join("eval/fuzzy/score.py");
    if !script.is_file() {
        eprintln!("skipped: {} is absent", script.display());
        return;
    }
    let probe = StdCommand::new("python3")
        .args(["-c", "import rapidfuzz"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 with rapidfuzz is not available");
        return;
    }
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for _ in 0..3000 {
        let a = random_text(&mut rng);
        let b = if rng.below(3) == 0 {
            // A near copy: exercises 99/100 and small distances.
            let mut b = a.to_uppercase();
            if rng.below(2) == 0 {
                b.push_str(" x");
            }
            b
        } else {
            random_text(&mut rng)
        };
        pairs.push((a, b));
    }
    if let Ok(text) = std::fs::read_to_string(shared.join("data/tm/en-fr.tsv")) {
        let real: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
        for i in (0..real.len().saturating_sub(1)).step_by(97).take(1500) {
            pairs.push((real[i].to_string(), real[i + 1].to_string()));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pairs.jsonl");
    let lines: Vec<String> = pairs
        .iter()
        .map(|(a, b)| serde_json::to_string(&[a, b]).unwrap())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let code = format!(
        "import sys, json; sys.path.insert(0, {:?}); import score\n\
         for line in open({:?}, encoding='utf-8'):\n    a, b = json.loads(line); print(score.score(a, b))",
        script.parent().unwrap().display().to_string(),
        input.display().to_string()
    );
    let out = StdCommand::new("python3")
        .args(["-c", &code])
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
    assert_eq!(expected.len(), pairs.len());
    let mut disagreements = Vec::new();
    for ((a, b), want) in pairs.iter().zip(&expected) {
        let got = tmkit::fuzzy::score(a, b);
        if got != *want {
            disagreements.push(format!("{a:?} vs {b:?}: tmkit {got}, reference {want}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree, e.g. {:?}",
        disagreements.len(),
        pairs.len(),
        &disagreements[..disagreements.len().min(5)]
    );
}

#[test]
fn index_equals_exhaustive_scan_on_real_sentences() {
    let Some(shared) = shared_dir() else { return };
    let Ok(text) = std::fs::read_to_string(shared.join("data/tm/en-fr.tsv")) else {
        eprintln!("skipped: no en-fr.tsv in shared data");
        return;
    };
    // 20,000 real segments plus joined pairs, like the benchmark's memories.
    let mut tsv = String::new();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains('\t'))
        .take(20_000)
        .collect();
    for l in &lines {
        tsv.push_str(l);
        tsv.push('\n');
    }
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
    let matcher = Matcher::new(tm);
    let mut session = matcher.session();
    let words: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.split('\t').next().unwrap_or("").split(' '))
        .collect();
    for q in 0..300 {
        // Real sentences with word edits, and word salad.
        let query = if q % 5 == 4 {
            (0..6 + rng.below(8))
                .map(|_| words[rng.below(words.len())])
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let src = matcher
                .memory()
                .entry(rng.below(matcher.memory().len()) as u32)
                .unwrap()
                .source
                .clone();
            let mut w: Vec<&str> = src.split(' ').collect();
            for _ in 0..rng.below(4) {
                let at = rng.below(w.len());
                match rng.below(3) {
                    0 => w[at] = words[rng.below(words.len())],
                    1 if w.len() > 1 => {
                        w.remove(at);
                    }
                    _ => w.insert(at, words[rng.below(words.len())]),
                }
            }
            w.join(" ")
        };
        for (k, min) in [(5, 50), (1, 70), (10, 30)] {
            let mut options = MatchOptions {
                min_score: min,
                max_results: k,
                exhaustive: false,
            };
            let fast = session.best(&query, &options);
            options.exhaustive = true;
            let slow = session.best(&query, &options);
            assert_eq!(fast, slow, "query {query:?} k={k} min={min}");
        }
    }
}
