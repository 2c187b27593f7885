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
    assert_eq!(job1["repetitions"]["words"], 5);
    assert_eq!(job1["no match"]["words"], 6);
    let job2 = &v["files"][1]["bands"];
    // The storm sentence already occurred in job1: a repetition across files.
    assert_eq!(job2["cross-file repetitions"]["segments"], 1);
    assert_eq!(job2["repetitions"]["segments"], 0);
    // "...collapsed today." against "...collapsed.": 6 of 7 words, 85%.
    assert_eq!(job2["85-94%"]["segments"], 1);
    // Default weights: 100% at 0.1, repetitions as 100%, 85% at 0.6, new at 1.
    let quote = &v["quote"];
    let weighted = quote["weighted_words"].as_f64().unwrap();
    let expected = 0.1 * 11.0 + 0.1 * 5.0 + 0.1 * 6.0 + 0.6 * 7.0 + 6.0;
    assert!(
        (weighted - expected).abs() < 1e-9,
        "{weighted} vs {expected}"
    );
    assert!(quote["price"].is_null(), "no --rate, no price");
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
        .stdout(
            predicate::str::is_match(r"\n  repetitions +1 +5 +0 +14\.3% +0\.1 +0\.5\n").unwrap(),
        )
        .stdout(predicate::str::is_match(r"cross-file repetitions +1 +6 +0 +17\.1%").unwrap())
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
    assert_eq!(
        rows[0],
        "file,band,segments,words,cjk_chars,weight,weighted_words"
    );
    assert_eq!(
        rows.len(),
        1 + 12 * 2,
        "12 bands for the file and for the total"
    );
    assert!(
        rows.iter()
            .any(|r| r.ends_with("job1.txt,100%,2,11,0,0.1,1.10"))
    );
    assert!(rows.contains(&"TOTAL,no match,1,6,0,1,6.00"));
    assert!(
        rows.iter()
            .any(|r| r.ends_with("job1.txt,101%,0,0,0,0,0.00"))
    );
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
        .stdout(predicate::str::contains("job2.txt,85-94%,1,7,0,0.6,4.20"))
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
fn internal_fuzzy_context_gmx_words_weights_and_price() {
    let out = analyze()
        .args(["--lines", "--format", "json", "--rate", "0.1"])
        .args(["--weights", "101:0,100:0.2,75:0.5,new:1"])
        .arg(fixture("job-internal.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bands = &v["files"][0]["bands"];
    // "The U.S. economy grew 4,200,000 jobs, and O'Hare's new terminal didn't
    // open.": 12 words per GMX-V, and nothing like it in the memory.
    assert_eq!(bands["no match"]["words"], 12);
    assert_eq!(bands["100%"]["segments"], 1);
    // Tuesday follows Monday in the memory as in the job: in context.
    assert_eq!(bands["101%"]["segments"], 1);
    // The last line is 84% of the first (two words, a number and an apostrophe).
    assert_eq!(bands["internal 75-84%"]["segments"], 1);
    assert_eq!(bands["internal 75-84%"]["words"], 13);
    let quote = &v["quote"];
    let weighted = 0.2 * 5.0 + 0.5 * 13.0 + 12.0;
    assert!((quote["weighted_words"].as_f64().unwrap() - weighted).abs() < 1e-9);
    assert!((quote["price"].as_f64().unwrap() - 0.1 * weighted).abs() < 1e-9);
    assert_eq!(v["rate"], 0.1);
}

#[test]
fn cjk_characters_are_counted_apart_from_words() {
    let out = Command::cargo_bin("tmkit")
        .unwrap()
        .args(["analyze", "-q", "--lines", "--format", "json", "--tm"])
        .arg(fixture("ja-th-en.tsv"))
        .args(["--src", "ja", "--tgt", "en", "-"])
        .write_stdin("東京は日本の首都です。\n大阪は日本の首都です。\nOK\n")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"]["100%"]["cjk_chars"], 10);
    assert_eq!(v["total"]["75-84%"]["cjk_chars"], 10);
    assert_eq!(v["total"]["total"]["words"], 1, "OK is a word");
}

#[test]
fn bad_weights_and_rate_are_usage_errors() {
    for (arg, named) in [
        ("--weights=100", "weights"),
        ("--weights=abc:1", "weights"),
        // (`--rate -1` reads -1 as an option: not the value checked.)
        ("--rate=-1", "--rate"),
        // Finite, but the price would not be (it printed `inf`).
        ("--rate=1e308", "--rate"),
        ("--rate=inf", "--rate"),
        ("--rate=NaN", "--rate"),
        ("--weights=new:1e308", "weights"),
        // Not a band's lowest score: it weighed no band, silently.
        (
            "--weights=75:0.5,60:0.9",
            "\"60\" is not a key: a band's lowest score (101, 100, 95, 85, 75, 50), new, rep or xrep",
        ),
    ] {
        analyze()
            .arg(arg)
            .arg(fixture("job1.txt"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(named));
    }
}

/// The HTML report as Chromium renders it: `None` (with the reason printed)
/// when Chromium is not installed.
fn chromium_dom(page: &Path) -> Option<String> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file());
    let Some(chromium) = chromium else {
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return None;
    };
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("report.png");
    let base = |cmd: &mut std::process::Command| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()));
    };
    let mut screenshot = std::process::Command::new(chromium);
    base(&mut screenshot);
    let status = screenshot
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1000,1400")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "a real screenshot"
    );
    let mut dump = std::process::Command::new(chromium);
    base(&mut dump);
    let out = dump
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn html_report_is_one_page_that_chromium_renders() {
    let out = analyze()
        .args(["--format", "html", "--rate", "0.08"])
        .arg(fixture("job1.txt"))
        .arg(fixture("job2.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for outside in ["http://", "https://", "<script", "<link", "@import"] {
        let allowed = outside == "http://" && html.matches(outside).count() == 1; // the SVG namespace
        assert!(
            !html.contains(outside) || allowed,
            "self-contained: {outside}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("quote.html");
    std::fs::write(&page, &html).unwrap();
    let Some(dom) = chromium_dom(&page) else {
        return;
    };
    // One bar per file and the total, each split into its non-empty bands:
    // job1 has 100%, repetitions and no match; job2 a cross-file repetition
    // and an 85-94% match; the total all five.
    let bars = dom.matches("<rect class=\"bar\"").count();
    assert_eq!(bars, 3 + 2 + 5, "{dom}");
    assert!(dom.contains("data-band=\"cross-file repetitions\""));
    assert!(dom.contains("<span id=\"total-words\">35</span>"));
    // 0.1*11 + 0.1*5 + 0.1*6 + 0.6*7 + 6 = 12.4 weighted words, at 0.08.
    assert!(dom.contains("<span id=\"price\">0.99</span>"), "{dom}");
    assert!(dom.contains("Total (2 files)"));
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

/// A bilingual job (XLIFF, PO) is analysed by its source segments, as the
/// same sentences in a text file are: it was read as text, so its XML
/// markup was counted as words, in segments of no match.
#[test]
fn an_xliff_or_po_job_is_analysed_by_its_source_segments() {
    let bands = |input: &Path| {
        let assert = analyze().args(["--format", "json"]).arg(input).assert();
        let v: Value = serde_json::from_slice(&assert.success().get_output().stdout).unwrap();
        v["files"][0]["bands"].clone()
    };
    let text = bands(&fixture("job1.txt"));
    assert_eq!(bands(&fixture("job1.xlf")), text, "XLIFF");
    assert_eq!(bands(&fixture("job1.po")), text, "PO");
}

/// The CSV's price row follows the total's rows only: a file named TOTAL
/// (the name of the total in the file column) got a price row of its own,
/// so the CSV held two.
#[test]
fn csv_prices_the_total_only_when_a_file_is_named_total() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("TOTAL"),
        std::fs::read(fixture("job1.txt")).unwrap(),
    )
    .unwrap();
    let out = analyze()
        .current_dir(dir.path())
        .args(["--format", "csv", "--rate", "0.1", "TOTAL"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let prices: Vec<&str> = text
        .lines()
        .filter(|r| r.starts_with("TOTAL,price"))
        .collect();
    assert_eq!(prices.len(), 1, "{text}");
    assert!(text.trim_end().ends_with(prices[0]), "{text}");
}
