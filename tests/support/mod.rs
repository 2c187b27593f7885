//! What several test files share: finding `../shared` and reporting a
//! cross-check that cannot run.
//!
//! libtest captures what a test prints with `eprintln!` and shows it only for
//! failing tests, so a skipped cross-check would pass as a silent `ok`.
//! [`skipped`] writes to the process's standard error through its file handle,
//! which libtest does not capture: the line shows in every `cargo test` run
//! and in CI logs, next to the test's `ok`.

#![allow(dead_code)] // Each test file uses a part.

use std::io::Write;
use std::path::PathBuf;

/// `../shared` (beside the checkout, as in CI) or `$TMKIT_SHARED`, with `rel`
/// under it; `None` (after reporting the skip) when absent.
pub fn shared(rel: &str, check: &str) -> Option<PathBuf> {
    let candidates = [
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        std::env::var_os("TMKIT_SHARED").map(PathBuf::from),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .map(|root| root.join(rel))
        .find(|p| p.exists());
    if found.is_none() {
        skipped(check, &format!("../shared/{rel} is absent"));
    }
    found
}

/// Reports on the terminal (uncaptured) that cross-check `check` was skipped, and why.
pub fn skipped(check: &str, why: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "SKIPPED cross-check {check}: {why}");
}

/// True when `python3` can import `module` (else reports the skip of `check`).
pub fn python_has(module: &str, check: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skipped(check, &format!("python3 with {module} is not installed"));
    }
    ok
}
