//! Conventions every subcommand shares: help, version, completions, exit codes.

use assert_cmd::Command;
use predicates::prelude::*;

fn tmkit() -> Command {
    Command::cargo_bin("tmkit").expect("binary built")
}

#[test]
fn version_names_the_tool() {
    tmkit()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "tmkit {}",
            env!("CARGO_PKG_VERSION")
        )));
}

#[test]
fn help_lists_every_command_with_examples() {
    let assert = tmkit().arg("--help").assert().success();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    for cmd in [
        "segment",
        "tmx",
        "match",
        "analyze",
        "summarize",
        "completions",
        "Examples:",
    ] {
        assert!(out.contains(cmd), "--help lacks {cmd}:\n{out}");
    }
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for cmd in [
        "segment",
        "tmx",
        "match",
        "analyze",
        "summarize",
        "completions",
    ] {
        tmkit()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    tmkit()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_tmkit"));
    tmkit()
        .args(["completions", "zsh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#compdef tmkit"));
    tmkit()
        .args(["completions", "fish"])
        .assert()
        .success()
        .stdout(predicate::str::contains("complete -c tmkit"));
}

#[test]
fn bad_usage_exits_with_status_2() {
    tmkit()
        .arg("no-such-command")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error"));
    tmkit()
        .args(["completions", "tcsh-of-the-future"])
        .assert()
        .code(2);
    tmkit().assert().code(2);
}
