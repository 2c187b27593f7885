//! Conventions every subcommand shares: help, version, completions, man
//! pages, exit codes; and the shared mechanisms every command relies on: the
//! atomic writer (signals, permissions), the input walker, the output plan,
//! text decoding, SRX validation.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

mod support;

use support::tmkit;

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

#[test]
fn subcommand_version_names_the_program() {
    for args in [
        &["tmx", "-V"][..],
        &["tmx", "convert", "--version"],
        &["match", "-V"],
    ] {
        tmkit()
            .args(args)
            .assert()
            .success()
            .stdout(format!("tmkit {}\n", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn man_pages_are_written_for_every_command() {
    tmkit().arg("man").assert().success().stdout(
        predicate::str::starts_with(".ie \\n(.g .ds Aq")
            .and(predicate::str::contains(".TH tmkit 1")),
    );
    let dir = tempfile::tempdir().unwrap();
    tmkit()
        .args(["man", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    for page in [
        "tmkit.1",
        "tmkit-segment.1",
        "tmkit-tmx.1",
        "tmkit-tmx-convert.1",
        "tmkit-man.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(text.contains(".SH NAME"), "{page}");
    }
}

/// A TMX memory of `units` en/fr units, big enough that converting it takes a while.
fn write_memory(path: &Path, units: usize) {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header srclang=\"en\" \
         creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"x\" \
         adminlang=\"en\" datatype=\"plaintext\"/><body>\n",
    );
    for i in 0..units {
        xml.push_str(&format!(
            "<tu tuid=\"{i}\"><tuv xml:lang=\"en-US\"><seg>The strike number {i} closed the port of Porto for a day.</seg></tuv>\
             <tuv xml:lang=\"fr-FR\"><seg>La grève numéro {i} a fermé le port de Porto pendant une journée.</seg></tuv></tu>\n"
        ));
    }
    xml.push_str("</body></tmx>\n");
    std::fs::write(path, xml).unwrap();
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_signal_during_a_long_convert_leaves_no_temporary_and_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.tmx");
    write_memory(&input, 300_000);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let output = out_dir.join("pairs.tsv");
    for signal in ["TERM", "INT"] {
        std::fs::write(&output, "old\n").unwrap();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tmkit"))
            .args(["tmx", "convert", "--src", "en", "--tgt", "fr"])
            .arg(&input)
            .arg(&output)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the output's temporary file exists: the write is under way.
        let started = std::time::Instant::now();
        while !names_in(&out_dir).iter().any(|n| n.ends_with(".part")) {
            assert!(
                started.elapsed().as_secs() < 60,
                "no temporary file appeared"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "convert ended before the signal"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal}: {status}");
        assert_eq!(names_in(&out_dir), ["pairs.tsv"], "SIG{signal}");
        assert_eq!(std::fs::read_to_string(&output).unwrap(), "old\n");
    }
}

#[cfg(unix)]
#[test]
fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.tmx");
    write_memory(&input, 3);
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for (umask, want) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let out = dir.path().join(format!("new-{umask}.tsv"));
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" tmx convert --src en --tgt fr \"$1\" \"$2\""
            ))
            .arg(&bin)
            .arg(&input)
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(mode(&out), want, "umask {umask}");
    }
    for existing in [0o644, 0o640] {
        let out = dir.path().join(format!("old-{existing:o}.tsv"));
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(existing)).unwrap();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("umask 077 && exec \"$0\" tmx convert --src en --tgt fr \"$1\" \"$2\"")
            .arg(&bin)
            .arg(&input)
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(mode(&out), existing);
        assert!(std::fs::read_to_string(&out).unwrap().contains("grève"));
    }
}

#[test]
fn an_unwritable_output_is_named_not_its_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.tmx");
    write_memory(&input, 2);
    tmkit()
        .args(["tmx", "convert", "--src", "en", "--tgt", "fr"])
        .arg(&input)
        .arg("/nonexistent/out.tsv")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("/nonexistent/out.tsv: no folder /nonexistent to write into")
                .and(predicate::str::contains(".part").not()),
        );
}

const ARTICLE: &str = "Dockers strike in Porto\n\nDock workers in Porto began a strike on Monday over pay. \
The port authority said ships would wait outside the harbour. Unions expect the strike to last a week. \
Exporters fear losses of several million euros. The government called for talks on Tuesday.\n";

fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn one_output_per_input_never_collides() {
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news");
    for f in ["a/x.txt", "b/x.txt", "b/story.txt"] {
        let p = news.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, ARTICLE.replace("Porto", f)).unwrap();
    }
    std::fs::write(
        news.join("b/story.html"),
        format!(
            "<html><body><h1>Story</h1><p>{}</p></body></html>",
            ARTICLE.replace("Porto", "Lisbon")
        ),
    )
    .unwrap();
    // Files given one by one from two folders, and a folder: both mirror the tree.
    let out = dir.path().join("digests");
    tmkit()
        .args(["summarize", "--out-dir"])
        .arg(&out)
        .arg(news.join("a/x.txt"))
        .arg(news.join("b/x.txt"))
        .assert()
        .success();
    assert_eq!(files_under(&out), ["a/x.txt", "b/x.txt"]);
    assert!(
        std::fs::read_to_string(out.join("b/x.txt"))
            .unwrap()
            .contains("b/x.txt")
    );
    let out = dir.path().join("all");
    tmkit()
        .args(["summarize", "--format", "json", "--out-dir"])
        .arg(&out)
        .arg(&news)
        .assert()
        .success()
        .stderr(predicate::str::contains("4 succeeded, 0 failed"));
    assert_eq!(
        files_under(&out),
        [
            "a/x.json",
            "b/story.html.json",
            "b/story.txt.json",
            "b/x.json"
        ]
    );
    assert!(
        std::fs::read_to_string(out.join("b/story.html.json"))
            .unwrap()
            .contains("Lisbon")
    );
    // The output folder is the input folder: nothing is overwritten, each input fails.
    let before = std::fs::read_to_string(news.join("b/x.txt")).unwrap();
    tmkit()
        .args(["summarize", "--out-dir"])
        .arg(news.join("b"))
        .arg(news.join("b/x.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("would overwrite an input"));
    assert_eq!(
        std::fs::read_to_string(news.join("b/x.txt")).unwrap(),
        before
    );
}

#[cfg(unix)]
#[test]
fn folder_runs_report_bad_entries_and_go_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news");
    std::fs::create_dir_all(news.join("sub")).unwrap();
    std::fs::write(news.join("a.txt"), ARTICLE).unwrap();
    std::fs::write(news.join("sub/b.txt"), ARTICLE).unwrap();
    symlink(news.join("gone.txt"), news.join("dangling.txt")).unwrap();
    symlink(&news, news.join("sub/loop")).unwrap();
    let tm = dir.path().join("tm.tsv");
    std::fs::write(&tm, "Dock workers in Porto began a strike on Monday over pay.\tLes dockers de Porto ont commencé une grève lundi.\n").unwrap();
    let runs: [(&[&str], &str); 3] = [
        (&["summarize"], "summarize: 2 succeeded, 2 failed"),
        (
            &["segment", "--lang", "en"],
            "segment: 2 succeeded, 2 failed",
        ),
        (
            &[
                "analyze",
                "--src",
                "en",
                "--tgt",
                "fr",
                "--tm",
                tm.to_str().unwrap(),
            ],
            "analyze: 2 succeeded, 2 failed",
        ),
    ];
    for (args, summary) in runs {
        let out = tmkit().args(args).arg(&news).assert().code(1);
        let out = out.get_output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("dangling.txt: dangling symbolic link"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("symbolic link loop"), "{args:?}: {stderr}");
        assert!(stderr.contains(summary), "{args:?}: {stderr}");
        assert!(
            !out.stdout.is_empty(),
            "{args:?}: no output for the good files"
        );
    }
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

#[test]
fn text_inputs_in_any_encoding() {
    let text = "Grève au port. Les navires attendent.\n";
    let dir = tempfile::tempdir().unwrap();
    let with_bom = dir.path().join("bom.txt");
    std::fs::write(&with_bom, utf16le(text, true)).unwrap();
    let without = dir.path().join("nobom.txt");
    std::fs::write(&without, utf16le(text, false)).unwrap();
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"Gr\xe8ve au port. Les navires attendent.\n").unwrap();
    let want = "Grève au port.\nLes navires attendent.\n";
    tmkit()
        .args(["segment", "--lang", "fr"])
        .arg(&with_bom)
        .assert()
        .success()
        .stdout(want);
    // Streamed (segment) and whole-file (summarize) readers agree.
    tmkit()
        .args(["summarize", "-n", "2", "--lang", "fr"])
        .arg(&with_bom)
        .assert()
        .success()
        .stdout(predicate::str::contains("Grève au port."));
    tmkit()
        .args(["segment", "--lang", "fr"])
        .arg(&without)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("nobom.txt: looks like UTF-16LE")
                .and(predicate::str::contains("--encoding utf-16le")),
        );
    tmkit()
        .args(["segment", "--lang", "fr", "--encoding", "utf-16le"])
        .arg(&without)
        .assert()
        .success()
        .stdout(want);
    tmkit()
        .args(["segment", "--lang", "fr", "--encoding", "latin1"])
        .arg(&latin1)
        .assert()
        .success()
        .stdout(want);
    tmkit()
        .args(["segment", "--lang", "fr"])
        .arg(&latin1)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("latin1.txt:1:3: not valid UTF-8"));
    tmkit()
        .args(["segment", "--encoding", "klingon"])
        .arg(&latin1)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown encoding"));
    // Standard input too.
    tmkit()
        .args(["segment", "--lang", "fr"])
        .write_stdin(utf16le(text, true))
        .assert()
        .success()
        .stdout(want);
}

fn invalid_srx_fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment/invalid-srx");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn invalid_srx_files_are_refused_like_the_schema_does() {
    let files = invalid_srx_fixtures();
    assert_eq!(files.len(), 17);
    for file in &files {
        let out = tmkit()
            .args(["segment", "--lang", "en", "--srx"])
            .arg(file)
            .write_stdin("One. Two.")
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        let located = format!("{}:", file.display());
        let rest = stderr
            .split_once(&located)
            .map(|(_, r)| r)
            .unwrap_or_default();
        let mut parts = rest.splitn(3, ':');
        let (line, col) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        assert!(
            line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok(),
            "{}: no line:column in {stderr}",
            file.display()
        );
    }
    // The reference validator agrees that each one is invalid.
    let check = "test_cli::invalid_srx_files_are_refused_like_the_schema_does (validate.py)";
    let Some(schemas) = support::shared("schemas/validate.py", check) else {
        return;
    };
    if !support::python_has("lxml", check) {
        return;
    }
    let out = std::process::Command::new("python3")
        .arg(&schemas)
        .args(["--kind", "srx"])
        .args(&files)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("validate: 0/17 files valid"), "{report}");
    let valid = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment/rules.srx");
    let out = std::process::Command::new("python3")
        .arg(&schemas)
        .arg(&valid)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A memory whose English is en-US, Portuguese pt-BR, Chinese zh-CN (Simplified).
fn write_regional_memory(path: &Path) {
    std::fs::write(
        path,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en-US" creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"/><body>
<tu tuid="1"><tuv xml:lang="en-US"><seg>The dock workers went on strike.</seg></tuv><tuv xml:lang="pt-BR"><seg>Os estivadores entraram em greve.</seg></tuv><tuv xml:lang="zh-CN"><seg>码头工人举行了罢工。</seg></tuv></tu>
<tu tuid="2"><tuv xml:lang="en-US"><seg>The port is closed.</seg></tuv><tuv xml:lang="pt-PT"><seg>O porto está encerrado.</seg></tuv><tuv xml:lang="pt-BR"><seg>O porto está fechado.</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
}

#[test]
fn one_language_resolver_for_convert_filter_and_match() {
    let dir = tempfile::tempdir().unwrap();
    let tm = dir.path().join("m.tmx");
    write_regional_memory(&tm);
    // Another region only when nothing closer exists, and said on stderr.
    tmkit()
        .args([
            "tmx", "convert", "--to", "tsv", "--src", "en-GB", "--tgt", "pt-PT",
        ])
        .arg(&tm)
        .assert()
        .success()
        .stdout(
            "en-GB\tpt-PT\n\
             The dock workers went on strike.\tOs estivadores entraram em greve.\n\
             The port is closed.\tO porto está encerrado.\n",
        )
        .stderr(predicate::str::contains("notice: 2 unit(s)"));
    // Never another script: Traditional Chinese is not served by zh-CN text.
    tmkit()
        .args([
            "tmx", "convert", "--to", "tsv", "--src", "en", "--tgt", "zh-TW",
        ])
        .arg(&tm)
        .assert()
        .success()
        .stdout("en\tzh-TW\n");
    tmkit()
        .args([
            "tmx", "convert", "--to", "tsv", "--src", "en", "--tgt", "zh-Hans",
        ])
        .arg(&tm)
        .assert()
        .success()
        .stdout("en\tzh-Hans\nThe dock workers went on strike.\t码头工人举行了罢工。\n");
    // filter keeps what convert writes, and only the closest variant.
    let out = tmkit()
        .args(["tmx", "filter", "--src", "en-GB", "--tgt", "pt-PT"])
        .arg(&tm)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("2 kept").and(predicate::str::contains("notice: 2 unit(s)")),
        );
    let kept = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        kept.contains("O porto está encerrado.") && !kept.contains("fechado"),
        "{kept}"
    );
    assert!(!kept.contains("zh-CN"), "{kept}");
    tmkit()
        .args(["tmx", "filter", "--src", "en", "--tgt", "zh-TW"])
        .arg(&tm)
        .assert()
        .success()
        .stderr(predicate::str::contains("0 kept"));
    // match: the fallback is announced and marked on each match.
    let out = tmkit()
        .args([
            "match", "--format", "jsonl", "--src", "en-GB", "--tgt", "pt-PT", "--tm",
        ])
        .arg(&tm)
        .args(["--text", "The dock workers went on strike."])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "use en-US for en-GB (another region)",
        ));
    let line = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let json: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let first = &json["matches"][0];
    // Another region's text costs one point: no exact match.
    assert_eq!(first["score"], 99);
    assert_eq!(first["target"], "Os estivadores entraram em greve.");
    let penalty = &first["penalties"][0];
    assert_eq!(penalty["kind"], "region-fallback");
    assert_eq!(penalty["points"], 1);
    assert_eq!(penalty["detail"], "en-US for en-GB, pt-BR for pt-PT");
    tmkit()
        .args([
            "match", "--format", "jsonl", "--src", "en-US", "--tgt", "zh-TW", "--tm",
        ])
        .arg(&tm)
        .args(["--text", "The dock workers went on strike."])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"matches\":[]"));
}

#[test]
fn language_names_and_one_language_twice_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let tm = dir.path().join("m.tmx");
    write_regional_memory(&tm);
    let runs: [&[&str]; 4] = [
        &[
            "match", "--src", "english", "--tgt", "fr", "--text", "x", "--tm",
        ],
        &["analyze", "--src", "en", "--tgt", "en", "--tm"],
        &[
            "tmx", "convert", "--to", "tsv", "--src", "en", "--tgt", "en-US",
        ],
        &["tmx", "filter", "--src", "english", "--tgt", "fr"],
    ];
    for args in runs {
        let out = tmkit()
            .args(args)
            .arg(&tm)
            .write_stdin("x")
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            stderr.contains("did you mean en?") || stderr.contains("the same"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_missing_file_is_not_taken_for_the_query() {
    let dir = tempfile::tempdir().unwrap();
    let tm = dir.path().join("m.tmx");
    write_regional_memory(&tm);
    tmkit()
        .args(["match", "--src", "en", "--tgt", "pt", "--tm"])
        .arg(&tm)
        .arg("samples/en-port-strik.txt")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("samples/en-port-strik.txt: no such file")
                .and(predicate::str::contains("--text")),
        );
    tmkit()
        .args([
            "match", "--src", "en", "--tgt", "pt", "--format", "jsonl", "--tm",
        ])
        .arg(&tm)
        .args(["--text", "samples/en-port-strik.txt"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\"query\":\"samples/en-port-strik.txt\"",
        ));
}

#[test]
fn pretranslate_to_a_folder_keeps_same_named_documents_apart() {
    let dir = tempfile::tempdir().unwrap();
    let tm = dir.path().join("m.tmx");
    write_regional_memory(&tm);
    for (sub, text) in [
        ("a", "The port is closed."),
        ("b", "The dock workers went on strike."),
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("story.txt"), text).unwrap();
    }
    let out = dir.path().join("out");
    tmkit()
        .args(["pretranslate", "--src", "en", "--tgt", "pt-BR", "--tm"])
        .arg(&tm)
        .arg(dir.path().join("a/story.txt"))
        .arg(dir.path().join("b/story.txt"))
        .arg("-o")
        .arg(format!("{}/", out.display()))
        .assert()
        .success();
    assert_eq!(files_under(&out), ["a/story.txt.xlf", "b/story.txt.xlf"]);
    let a = std::fs::read_to_string(out.join("a/story.txt.xlf")).unwrap();
    assert!(a.contains("O porto está fechado."), "{a}");
}

#[test]
fn batches_go_on_past_a_missing_file_and_exit_1() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let article = root.join("samples/en-port-strike.txt");
    let missing = root.join("samples/no-such-article.txt");
    let runs: [(&[&str], &str); 3] = [
        (&["segment", "--lang", "en"], "Dockworkers"),
        (&["summarize", "--lang", "en"], "dockworkers"),
        (
            &[
                "analyze",
                "--tm",
                "tmx/en-fr.news.tmx",
                "--src",
                "en",
                "--tgt",
                "fr",
            ],
            "en-port-strike.txt",
        ),
    ];
    for (args, expected) in runs {
        tmkit()
            .current_dir(root)
            .args(args)
            .arg(&missing)
            .arg(&article)
            .assert()
            .code(1)
            .stdout(predicate::str::contains(expected))
            .stderr(predicate::str::contains("no-such-article.txt"))
            .stderr(predicate::str::contains("1 failed"));
    }
}

/// Diagnostics that cannot be written (stderr is a pipe whose reader has gone)
/// are dropped: the command still ends with its own exit status, never the
/// 101 of a panic, and still writes its results.
#[test]
fn a_broken_stderr_does_not_make_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("a.txt");
    std::fs::write(&article, "One sentence. Another one.\n").unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("tmkit"))
        .env("NO_COLOR", "1")
        .args(["segment", "--lang", "en", "no-such-file.txt"])
        .arg(&article)
        .stderr(writer)
        .output()
        .unwrap();
    // One input is missing: a failure of the work (1), reported at the end.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "One sentence.\nAnother one.\n"
    );
}

/// `-` twice would read standard input twice, the second time empty: the
/// commands that take several inputs refuse it as bad usage.
#[test]
fn standard_input_named_twice_is_bad_usage() {
    for args in [
        &["segment", "--lang", "en", "-", "-"][..],
        &[
            "analyze",
            "--tm",
            "tmx/en-fr.news.tmx",
            "--src",
            "en",
            "--tgt",
            "fr",
            "-",
            "-",
        ],
        &[
            "pretranslate",
            "--tm",
            "tmx/en-fr.news.tmx",
            "--src",
            "en",
            "--tgt",
            "fr",
            "-o",
            "never.xlf",
            "-",
            "-",
        ],
        &["summarize", "-", "-"],
        // Checked where every batch walks its inputs, not by hand.
        &["tmx", "stats", "-", "-"],
        &["tmx", "validate", "-", "-"],
    ] {
        tmkit()
            .args(args)
            .write_stdin("One. Two.\n")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("can be read only once"));
    }
}

/// Numeric options whose bounds are fixed are checked by clap: a value out
/// of range exits 2 with clap's message naming the option, before anything
/// is read. Counts start at 1 and stop at what a store's SQL LIMIT takes (a
/// larger --limit wrapped round to -1 on its way to SQLite, 'no limit');
/// sizes of a server's requests start at 1 (0 refused every request).
#[test]
fn numeric_options_out_of_range_are_clap_usage_errors() {
    // i64::MAX + 1 is the first --limit too large.
    let cases = [
        ("tm search --tm x.tmdb --limit 0 word", "--limit"),
        ("tm search --tm x.tmdb --limit=-1 word", "--limit"),
        (
            "tm search --tm x.tmdb --limit 9223372036854775808 word",
            "--limit",
        ),
        ("tm conflicts --tm x.tmdb --limit 0", "--limit"),
        ("tm import --tm x.tmdb --batch 0 a.tmx", "--batch"),
        ("match --tm a.tsv --src en --tgt fr --max 0 a.txt", "--max"),
        (
            "pretranslate --tm a.tsv --src en --tgt fr --max 0 a.md -o a.xlf",
            "--max",
        ),
        (
            "align --src en --tgt fr --min-score 1.5 a.txt b.txt",
            "--min-score",
        ),
        (
            "align --src en --tgt fr --min-score NaN a.txt b.txt",
            "--min-score",
        ),
        ("serve --tm x.tmdb --max-body 0", "--max-body"),
        ("serve --tm x.tmdb --max-upload 0", "--max-upload"),
        (
            "serve --tm x.tmdb --max-xliff-upload 0",
            "--max-xliff-upload",
        ),
        ("serve --tm x.tmdb --threads 0", "--threads"),
    ];
    for (args, option) in cases {
        let out = tmkit()
            .args(args.split(' '))
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("invalid value") && err.contains(&format!("'{option} <")),
            "{args}: {err}"
        );
    }
}

/// A new store and its -wal/-shm files follow the umask as other outputs
/// do (SQLite gave 0644 whatever it was, so a group could not write it).
#[cfg(unix)]
#[test]
fn a_new_store_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.tmx");
    write_memory(&input, 3);
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for (umask, want) in [("002", 0o664), ("022", 0o644), ("000", 0o666)] {
        let store = dir.path().join(format!("team-{umask}.tmdb"));
        // A reader left open keeps the -wal and -shm files while the import writes.
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" -q tm import --tm \"$1\" \"$2\""
            ))
            .arg(&bin)
            .arg(&store)
            .arg(&input)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(mode(&store), want, "umask {umask}");
        let conn = rusqlite::Connection::open(&store).unwrap();
        conn.query_row("SELECT count(*) FROM units", [], |r| r.get::<_, i64>(0))
            .unwrap();
        for side in ["-wal", "-shm"] {
            let mut name = store.clone().into_os_string();
            name.push(side);
            if let Ok(m) = std::fs::metadata(&name) {
                assert_eq!(m.permissions().mode() & 0o777, want, "{side} umask {umask}");
            }
        }
    }
}
