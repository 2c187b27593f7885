//! Every shell example of the README runs as written from the repository
//! root: each line of each ```sh block is run with `tmkit` (and `cargo run
//! --release --`) standing for the binary under test, in a scratch folder
//! that links the repository's files, so outputs the examples write
//! (`digest.md`, `all.tmx`, ...) land there and not in the checkout.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The commands of the README's ```sh blocks, one per line, without comments.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if !in_sh || trimmed.is_empty() {
            continue;
        }
        // A comment starts with `#` after two spaces (a `#` in a word stays).
        let command = match trimmed.find("  #") {
            Some(i) => trimmed[..i].trim_end(),
            None => trimmed,
        };
        if !command.starts_with('#') {
            out.push(command.to_string());
        }
    }
    out
}

/// `command` with the binary under test in place of `tmkit` and `cargo run --release --`;
/// `None` for commands that are about building (cargo test, cargo install).
fn with_binary(command: &str, bin: &Path) -> Option<String> {
    let bin = format!("'{}'", bin.display());
    let command = command.replace("cargo run --release --", &bin);
    if command.starts_with("cargo ") {
        return None;
    }
    let mut out = String::new();
    for (i, part) in command.split(" | ").enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        match part.strip_prefix("tmkit ") {
            Some(rest) => {
                out.push_str(&bin);
                out.push(' ');
                out.push_str(rest);
            }
            None => out.push_str(part),
        }
    }
    Some(out)
}

#[test]
fn commands_are_extracted_and_rewritten() {
    let readme = "text\n```sh\ntmkit segment x.txt   # comment\ncargo test\ncat a | tmkit match -\n```\n```\ntmkit not-sh\n```\n";
    let cmds = readme_commands(readme);
    assert_eq!(
        cmds,
        ["tmkit segment x.txt", "cargo test", "cat a | tmkit match -"]
    );
    let bin = Path::new("/b/tmkit");
    assert_eq!(
        with_binary(&cmds[0], bin).unwrap(),
        "'/b/tmkit' segment x.txt"
    );
    assert_eq!(with_binary(&cmds[1], bin), None);
    assert_eq!(
        with_binary(&cmds[2], bin).unwrap(),
        "cat a | '/b/tmkit' match -"
    );
}

#[test]
fn every_readme_example_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let scratch = tempfile::tempdir().unwrap();
    // The repository's files, seen from the scratch folder (outputs stay there).
    for entry in std::fs::read_dir(&root).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name != "target" && name != ".git" {
            std::os::unix::fs::symlink(entry.path(), scratch.path().join(&name)).unwrap();
        }
    }
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 20, "too few examples found: {commands:?}");
    let mut failures = Vec::new();
    for command in &commands {
        let Some(run) = with_binary(command, &bin) else {
            continue;
        };
        // pipefail: a failing tmkit before a `| head` still fails the example.
        let out = Command::new("bash")
            .args(["-c", &format!("set -o pipefail; {run}")])
            .current_dir(scratch.path())
            .env("NO_COLOR", "1")
            // Index caches (`match --tm` of a large memory) go to the tests'
            // cache under target/tmp, not the user's ~/.cache.
            .env(
                "XDG_CACHE_HOME",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
            )
            .output()
            .unwrap();
        // `| head` closes the pipe early: tmkit ends quietly, and that is success.
        if !out.status.success() {
            failures.push(format!(
                "{command}\n  exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "README examples that fail:\n{}",
        failures.join("\n")
    );
}
