//! `tmkit tmx validate` against the TMX 1.4b DTD: every fixture under
//! `tests/fixtures/tmx/dtd/` (each described in its README) gets the verdict
//! it should, with a positioned error, and the same verdict as the
//! reference validator (`../shared/schemas/validate.py`, lxml with the
//! official DTD) when Python with lxml and `../shared` are there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tmx/dtd")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tmx"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// tmkit's verdict (true: valid) and its report.
fn tmkit_validate(file: &Path) -> (bool, String) {
    let out = assert_cmd::Command::cargo_bin("tmkit")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["tmx", "validate", "--no-warnings"])
        .arg(file)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code == 0 || code == 1, "{}: exit {code}", file.display());
    (code == 0, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn every_dtd_violation_is_an_error_with_its_position() {
    for file in fixtures("invalid") {
        let (valid, report) = tmkit_validate(&file);
        assert!(!valid, "{} was called valid:\n{report}", file.display());
        let name = file.to_string_lossy();
        let positioned = report.lines().any(|l| {
            l.strip_prefix(name.as_ref())
                .and_then(|rest| rest.strip_prefix(':'))
                .and_then(|rest| rest.split_once(": error: "))
                .is_some_and(|(pos, _)| {
                    pos.split(':').count() == 2 && pos.split(':').all(|n| n.parse::<u64>().is_ok())
                })
        });
        assert!(
            positioned,
            "{}: no line:column error:\n{report}",
            file.display()
        );
    }
    for file in fixtures("valid") {
        let (valid, report) = tmkit_validate(&file);
        assert!(valid, "{}:\n{report}", file.display());
    }
}

#[test]
fn older_versions_are_judged_by_their_own_rules() {
    for file in fixtures("older") {
        let (valid, report) = tmkit_validate(&file);
        let expected = file.to_string_lossy().ends_with("_valid.tmx");
        assert_eq!(valid, expected, "{}:\n{report}", file.display());
    }
    // `lang` without `xml:lang` is TMX 1.3 (valid above) but not 1.4.
    for file in fixtures("stricter") {
        assert!(!tmkit_validate(&file).0, "{}", file.display());
    }
}

/// The reference validator's verdicts, or `None` (with the reason printed)
/// when it cannot run here.
fn reference_verdicts(files: &[PathBuf]) -> Option<BTreeMap<PathBuf, bool>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/validate.py");
    if !script.exists() {
        eprintln!(
            "skipped the DTD cross-check: {} not found",
            script.display()
        );
        return None;
    }
    let lxml = Command::new("python3").args(["-c", "import lxml"]).status();
    if !lxml.is_ok_and(|s| s.success()) {
        eprintln!("skipped the DTD cross-check: python3 with lxml is not available");
        return None;
    }
    let out = Command::new("python3")
        .arg(&script)
        .args(["--kind", "tmx"])
        .args(files)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut verdicts = BTreeMap::new();
    for line in stdout.lines() {
        let (valid, rest) = if let Some(rest) = line.strip_prefix("OK   ") {
            (true, rest)
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            (false, rest)
        } else {
            continue;
        };
        let file = rest.split(" (").next().unwrap();
        verdicts.insert(PathBuf::from(file), valid);
    }
    assert_eq!(verdicts.len(), files.len(), "{stdout}");
    Some(verdicts)
}

#[test]
fn tmkit_and_the_reference_validator_agree_on_every_fixture() {
    let mut files = fixtures("invalid");
    files.extend(fixtures("valid"));
    let stricter = fixtures("stricter");
    files.extend(stricter.iter().cloned());
    let Some(reference) = reference_verdicts(&files) else {
        return;
    };
    for file in &files {
        let ours = tmkit_validate(file).0;
        let theirs = reference[file];
        if stricter.contains(file) {
            // libxml2 does not enforce #REQUIRED on xml:lang; the DTD does.
            assert!(theirs && !ours, "{}: the known gap changed", file.display());
        } else {
            assert_eq!(
                ours,
                theirs,
                "{}: tmkit {ours}, validate.py {theirs}",
                file.display()
            );
        }
    }
}
