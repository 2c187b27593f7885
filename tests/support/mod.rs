//! Shared by the XLIFF and pretranslation tests: the fixtures, the binary,
//! and the two outside checks every written file goes through — the official
//! schemas (`../shared/schemas/validate.py`) and translate-toolkit.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xliff")
        .join(name)
}

pub fn tmkit() -> Command {
    let mut cmd = Command::cargo_bin("tmkit").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The schema validator: `../shared/schemas/validate.py` beside the
/// checkout (as in CI), else the machine's `/work/shared`.
fn validator() -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        repo.join("../shared/schemas/validate.py"),
        PathBuf::from("/work/shared/schemas/validate.py"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn python_has(module: &str) -> bool {
    StdCommand::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Checks `files` against the official schemas (`kind` as validate.py
/// names it, or `None` to guess from the root); skips with a printed reason
/// when the validator, Python or lxml is missing.
pub fn assert_valid(files: &[&Path], kind: Option<&str>) {
    let Some(script) = validator() else {
        eprintln!("skipped schema validation: ../shared/schemas/validate.py is absent");
        return;
    };
    if !python_has("lxml") {
        eprintln!("skipped schema validation: python3 with lxml is not installed");
        return;
    }
    let mut cmd = StdCommand::new("python3");
    cmd.arg(script);
    if let Some(k) = kind {
        cmd.args(["--kind", k]);
    }
    let out = cmd.args(files).output().unwrap();
    assert!(
        out.status.success(),
        "schema validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads an XLIFF 1.2 file with translate-toolkit: for each unit (headers
/// left out), its id, source and target, as translate-toolkit sees them.
/// `None` (with a printed reason) when translate-toolkit is missing.
pub fn translate_toolkit_units(file: &Path) -> Option<Vec<(String, String, String)>> {
    if !python_has("translate.storage.xliff") {
        eprintln!("skipped translate-toolkit check: pip install translate-toolkit");
        return None;
    }
    let script = r#"
import json, sys
from translate.storage import xliff
store = xliff.xlifffile.parsefile(sys.argv[1])
print(json.dumps([[u.getid(), u.source or "", u.target or ""] for u in store.units if not u.isheader()]))
"#;
    let out = StdCommand::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "translate-toolkit could not read {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}
