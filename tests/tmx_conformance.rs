//! Runs the shared conformance harness (`../shared/eval/tmx/conformance.py`,
//! an independent lxml reader) against `tmkit tmx convert`, in read mode and
//! in round-trip mode, on the shared corpus and on our own fixtures. Skipped
//! when Python with lxml or `../shared` (or `$TMKIT_SHARED`) is not there.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

fn shared() -> Option<PathBuf> {
    // `../shared`, else `$TMKIT_SHARED` (a git worktree's `..` is not the
    // checkout's), as the other cross-checks find it.
    let harness = support::shared("eval/tmx/conformance.py", module_path!())?;
    let dir = harness.ancestors().nth(3)?.to_path_buf();
    let lxml = Command::new("python3").args(["-c", "import lxml"]).status();
    if !lxml.is_ok_and(|s| s.success()) {
        support::skipped(module_path!(), "python3 with lxml is not available");
        return None;
    }
    Some(dir)
}

fn run_harness(shared: &Path, corpus: &Path, mode: &str, template: &str) {
    let output = Command::new("python3")
        .arg(shared.join("eval/tmx/conformance.py"))
        .arg("--corpus")
        .arg(corpus)
        .arg(mode)
        .arg(template)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "conformance {mode} on {} failed:\n{stdout}\n{}",
        corpus.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn reads_and_round_trips_like_the_reference() {
    let Some(shared) = shared() else { return };
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let bin = bin.display();
    // Our fixtures hold what a strict conversion refuses to lose (a wrapper
    // around units, vendor elements in a flat output): the harness compares
    // what is read, so they are converted with --lenient. The real
    // memories must convert strictly.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tmx");
    let mut corpora = vec![(fixtures, " --lenient")];
    let data = shared.join("data/tmx");
    if data.exists() {
        corpora.push((data, ""));
    }
    for (corpus, flags) in &corpora {
        let read = format!("{bin} --quiet tmx convert{flags} --to jsonl {{file}} -");
        let roundtrip = format!("{bin} --quiet tmx convert{flags} {{in}} {{out}}");
        run_harness(&shared, corpus, "--cmd", &read);
        run_harness(&shared, corpus, "--roundtrip-cmd", &roundtrip);
    }
}
