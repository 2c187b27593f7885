//! `tmkit analyze`: match bands per file and in total, repetitions across
//! files, report formats, and a batch that goes on past a bad file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzzy")
        .join(name)
}

fn analyze() -> Command {
    let mut cmd = Command::cargo_bin("tmkit").unwrap();
    cmd.env("NO_COLOR", "1")
        .args(["analyze", "-q", "--tm"])
        .arg(fixture("memory.tsv"))
        .args(["--src", "en", "--tgt", "fr"]);
    cmd
}

#[test]
fn json_report_counts_bands_repetitions_and_words() {
    let out = analyze()
        .args(["--format", "json"])
        .arg(fixture("job1.txt"))
        .arg(fixture("job2.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let job1 = &v["files"][0]["bands"];
    // Two exact sentences (5 + 6 words), the first one repeated, one unknown sentence.
    assert_eq!(job1["100%"]["segments"], 2);
    assert_eq!(job1["100%"]["words"], 11);
    assert_eq!(job1["repetitions"]["segments"], 1);
    assert_eq!(job1["no match"]["words"], 6);
    let job2 = &v["files"][1]["bands"];
    // The storm sentence already occurred in job1: a repetition across files.
    assert_eq!(job2["repetitions"]["segments"], 1);
    // "...collapsed today." against "...collapsed.": 7 of 8 tokens, 87%.
    assert_eq!(job2["85-94%"]["segments"], 1);
    assert_eq!(v["total"]["total"]["segments"], 6);
    assert_eq!(v["total"]["total"]["words"], 35);
    assert_eq!(v["failed"].as_array().unwrap().len(), 0);
}

#[test]
fn text_table_has_every_band_and_a_total() {
    analyze()
        .arg(fixture("job1.txt"))
        .arg(fixture("job2.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Total (2 files)"))
        .stdout(predicate::str::is_match(r"repetitions +2 +11 +31\.4%").unwrap())
        .stdout(predicate::str::contains("95-99%"))
        .stdout(predicate::str::contains("no match"));
}

#[test]
fn csv_has_a_row_per_file_and_band() {
    let out = analyze()
        .args(["--format", "csv"])
        .arg(fixture("job1.txt"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "file,band,segments,words");
    assert_eq!(
        rows.len(),
        1 + 8 * 2,
        "8 bands for the file and for the total"
    );
    assert!(rows.iter().any(|r| r.ends_with("job1.txt,100%,2,11")));
    assert!(rows.contains(&"TOTAL,no match,1,6"));
    assert!(rows.iter().any(|r| r.ends_with("job1.txt,101%,0,0")));
}

#[test]
fn a_bad_file_is_reported_and_the_batch_goes_on() {
    analyze()
        .args(["--format", "csv"])
        .arg(fixture("job1.txt"))
        .arg(fixture("invalid-utf8.txt"))
        .arg(fixture("job2.txt"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("job2.txt,85-94%,1,7"))
        .stderr(predicate::str::contains("invalid-utf8.txt:1:13"))
        .stderr(predicate::str::contains("2 succeeded, 1 failed"));
}

#[test]
fn lines_mode_and_stdin() {
    let out = analyze()
        .args(["--lines", "--format", "json", "-"])
        .write_stdin("The minister resigned on Monday. The storm left thousands without power.\n")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // One line is one segment; it matches neither memory sentence well enough for 75%.
    assert_eq!(v["total"]["total"]["segments"], 1);
    assert_eq!(v["total"]["50-74%"]["segments"], 1);
}

#[test]
fn missing_memory_is_an_error() {
    Command::cargo_bin("tmkit")
        .unwrap()
        .args([
            "analyze",
            "--tm",
            "/nonexistent.tmx",
            "--src",
            "en",
            "--tgt",
            "fr",
        ])
        .arg(fixture("job1.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/nonexistent.tmx"));
}
