//! CLI tests for `tmkit tmx ...`.

mod support;

use std::path::PathBuf;

use predicates::prelude::*;
use support::{json_lines, stdout_of, tmkit};

fn fixture(name: &str) -> PathBuf {
    support::fixture_of("tmx", name)
}

fn jsonl(args: &[&str]) -> Vec<serde_json::Value> {
    json_lines(&stdout_of(tmkit().args(args)))
}

/// `tmkit tmx convert --to jsonl` of a fixture, one value per unit.
fn fixture_jsonl(name: &str) -> Vec<serde_json::Value> {
    let path = fixture(name);
    jsonl(&["tmx", "convert", "--to", "jsonl", path.to_str().unwrap()])
}

#[test]
fn jsonl_reads_tmx11_lang_attributes_and_drops_ut_codes() {
    let f = fixture("tmx11_lang.tmx");
    let rows = jsonl(&["tmx", "convert", "--to", "jsonl", f.to_str().unwrap(), "-"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["tuid"], "1");
    assert_eq!(rows[0]["variants"][0]["lang"], "EN-US");
    assert_eq!(rows[0]["variants"][0]["text"], "Open the file.");
    assert_eq!(rows[0]["variants"][1]["text"], "Öffnen Sie die Datei.");
}

#[test]
fn jsonl_decodes_every_encoding_the_same() {
    let utf8 = fixture_jsonl("utf8_bom.tmx");
    let utf16 = fixture_jsonl("utf16le_bom.tmx");
    assert_eq!(utf8, utf16);
    let cp = fixture_jsonl("windows1252.tmx");
    assert_eq!(
        cp[0]["variants"][0]["text"],
        "\u{201c}Smart\u{201d} quotes € 5 – café"
    );
    let latin = fixture_jsonl("latin1.tmx");
    assert_eq!(latin[0]["variants"][0]["text"], "Grüße aus Köln");
}

#[test]
fn jsonl_keeps_hi_and_sub_text_and_rtl_scripts() {
    let rows = fixture_jsonl("inline_codes.tmx");
    assert_eq!(
        rows[0]["variants"][0]["text"],
        "Click here, then  really nested kept."
    );
    assert_eq!(rows[0]["variants"][1]["text"], "انقر هنا");
    // Two variants in the same language are both kept.
    assert_eq!(rows[0]["variants"].as_array().unwrap().len(), 3);
    assert_eq!(rows[1]["variants"][1]["text"], "");
}

#[test]
fn entities_with_markup_become_inline_elements() {
    let f = fixture("doctype_markup_entity.tmx");
    let tmx = tmkit::tmx::Tmx::read(&f).unwrap();
    let seg = &tmx.tus[0].tuvs[0].seg;
    assert_eq!(seg.plain_text(), "ab");
    assert_eq!(seg.text_with_placeholders(), "a{1}b");
}

#[test]
fn crlf_line_ends_are_normalized_and_comments_dropped() {
    let rows = fixture_jsonl("crlf.tmx");
    assert_eq!(rows[0]["variants"][0]["text"], "beforeafter end");
    assert_eq!(
        rows[1]["variants"][0]["text"],
        "Line one\nline two\n with CRLF and a lone\nCR"
    );
}

#[test]
fn round_trip_through_tmx_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "inline_codes.tmx",
        "namespaced.tmx",
        "tmx11_lang.tmx",
        "doctype_entities.tmx",
    ] {
        let out = dir.path().join(name);
        tmkit()
            .args(["tmx", "convert"])
            .arg(fixture(name))
            .arg(&out)
            .assert()
            .success();
        let a = tmkit::tmx::Tmx::read(&fixture(name)).unwrap();
        let b = tmkit::tmx::Tmx::read(&out).unwrap();
        assert_eq!(a.tus, b.tus, "{name}");
        assert_eq!(a.header.extra, b.header.extra, "{name}");
        assert_eq!(a.header.props, b.header.props, "{name}");
        assert_eq!(b.header.version.as_deref(), Some("1.4"));
    }
}

#[test]
fn malformed_files_fail_with_file_line_and_column() {
    for (name, line_col, what) in [
        ("malformed/unescaped_amp.tmx", ":1:", "'&'"),
        ("malformed/undeclared_nbsp.tmx", ":1:64:", "&nbsp;"),
        ("malformed/mismatched.tmx", ":1:", "</seg>"),
        ("malformed/control_char.tmx", ":3:33:", "U+0007"),
        ("malformed/bad_utf8.tmx", ":1:66:", "UTF-8"),
        ("malformed/truncated.tmx", ":3:", "truncated"),
        ("malformed/billion_laughs.tmx", ":2:1:", "expansion bomb"),
        ("malformed/cdata_end.tmx", ":1:", "']]>'"),
        ("malformed/late_decl.tmx", ":2:", "XML declaration"),
        ("malformed/ext_dtd_nbsp.tmx", ":3:", "&nbsp;"),
        ("malformed/charref0.tmx", ":1:", "&#0;"),
        ("malformed/dashdash.tmx", ":1:", "--"),
        ("malformed/dup_attr.tmx", ":1:", "appears twice in <tuv>"),
        ("malformed/lt_attr.tmx", ":1:", "'<'"),
        ("malformed/unquoted.tmx", ":1:", "attribute"),
        (
            "malformed/two_roots.tmx",
            ":1:",
            "after the end of the root",
        ),
        ("malformed/trailing.tmx", ":1:", "after the end of the root"),
        (
            "malformed/undeclared_attr_prefix.tmx",
            ":1:",
            "prefix \"x\"",
        ),
        (
            "malformed/undeclared_elem_prefix.tmx",
            ":1:",
            "prefix \"t\"",
        ),
        ("malformed/ws_before_decl.tmx", ":3:", "XML declaration"),
        (
            "malformed/utf16_declared_utf8_bytes.tmx",
            "",
            "UTF-16 byte-order mark",
        ),
    ] {
        let f = fixture(name);
        let file = f.file_name().unwrap().to_str().unwrap().to_string();
        tmkit()
            .args(["tmx", "convert", "--to", "jsonl"])
            .arg(&f)
            .arg("-")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("{file}{line_col}")))
            .stderr(predicate::str::contains(what))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn strict_failure_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(fixture("malformed/control_char.tmx"))
        .arg(&out)
        .assert()
        .code(1);
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn lenient_skips_the_broken_unit_and_reports_it() {
    tmkit()
        .args(["tmx", "convert", "--lenient", "--to", "jsonl"])
        .arg(fixture("malformed/control_char.tmx"))
        .arg("-")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"text\":\"ok\""))
        .stderr(predicate::str::contains("skipped a broken unit"))
        .stderr(predicate::str::contains("control_char.tmx:3:33"));
}

#[test]
fn lenient_resumes_after_each_kind_of_broken_unit() {
    let out = tmkit()
        .args(["tmx", "convert", "--lenient", "--to", "jsonl"])
        .arg(fixture("malformed/three_broken_units.tmx"))
        .arg("-")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("three_broken_units.tmx:3:"))
        .stderr(predicate::str::contains("three_broken_units.tmx:4:"))
        .stderr(predicate::str::contains("three_broken_units.tmx:6:"))
        .stderr(predicate::str::contains("3 broken unit(s) skipped"))
        .get_output()
        .stdout
        .clone();
    let tuids: Vec<String> = json_lines(&String::from_utf8(out).unwrap())
        .iter()
        .map(|v| v["tuid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tuids, ["1", "4", "6"]);
}

#[test]
fn tsv_csv_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("pairs.tsv");
    tmkit()
        .args(["tmx", "convert"])
        .arg(fixture("tmx11_lang.tmx"))
        .arg(&tsv)
        .args(["--tgt", "de"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&tsv).unwrap();
    assert_eq!(
        text,
        "en-US\tde\nOpen the file.\tÖffnen Sie die Datei.\nSave\tSpeichern\n"
    );
    let with_codes = tmkit()
        .args([
            "tmx",
            "convert",
            "--to",
            "tsv",
            "--placeholders",
            "--src",
            "en-us",
            "--tgt",
            "de-de",
        ])
        .arg(fixture("tmx11_lang.tmx"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(with_codes)
            .unwrap()
            .starts_with("en-US\tde-DE\nOpen the {1}file{2}.")
    );
    let csv = dir.path().join("pairs.csv");
    std::fs::write(
        &csv,
        "\"Hello, world\",\"Bonjour, \"\"monde\"\"\"\n\"Two\nlines\",Deux lignes\n",
    )
    .unwrap();
    let tmx = dir.path().join("pairs.tmx");
    tmkit()
        .args(["tmx", "convert", "--src", "en", "--tgt", "fr"])
        .arg(&csv)
        .arg(&tmx)
        .assert()
        .success();
    let back = tmkit::tmx::Tmx::read(&tmx).unwrap();
    assert_eq!(back.tus.len(), 2);
    assert_eq!(back.tus[0].tuvs[1].seg.plain_text(), "Bonjour, \"monde\"");
    assert_eq!(back.tus[1].tuvs[0].seg.plain_text(), "Two\nlines");
    assert!(back.header.missing_required().is_empty());
}

#[test]
fn convert_usage_errors_exit_2() {
    tmkit()
        .args(["tmx", "convert"])
        .arg(fixture("tmx11_lang.tmx"))
        .arg("-")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--to"));
    tmkit()
        .args(["tmx", "convert", "--to", "tsv"])
        .arg(fixture("tmx11_lang.tmx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--tgt"));
    let f = fixture("tmx11_lang.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&f)
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn stdin_works_for_convert_and_stats() {
    let input = std::fs::read(fixture("tmx11_lang.tmx")).unwrap();
    tmkit()
        .args(["tmx", "convert", "--to", "jsonl", "-"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains("Speichern"));
    tmkit()
        .args(["tmx", "stats"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout(predicate::str::contains("<stdin>"));
}

#[test]
fn stats_counts_per_language_in_json() {
    let out = tmkit()
        .args(["tmx", "stats", "--format", "json"])
        .arg(fixture("tmx11_lang.tmx"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["units"], 2);
    assert_eq!(v["languages"][0]["lang"], "de-DE");
    assert_eq!(v["languages"][1]["words"], 4);
    assert_eq!(v["inline_elements"]["ut"], 4);
    assert_eq!(v["header"]["version"], "1.1");
}

#[test]
fn stats_batch_goes_on_past_a_bad_file_and_exits_1() {
    tmkit()
        .args(["tmx", "stats"])
        .arg(fixture("malformed"))
        .arg(fixture("namespaced.tmx"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("namespaced.tmx"))
        .stderr(predicate::str::contains("1 succeeded, 22 failed"));
}

#[test]
fn a_folder_without_memories_is_a_usage_error_not_an_empty_success() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a memory").unwrap();
    for cmd in ["stats", "validate"] {
        tmkit()
            .args(["tmx", cmd])
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no input files found"));
    }
    let out = dir.path().join("merged.tmx");
    tmkit()
        .args(["tmx", "merge"])
        .arg(dir.path())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists(), "no empty memory is written");
}

#[test]
fn stats_and_validate_go_on_past_a_missing_file() {
    let missing = fixture("no-such-memory.tmx");
    for (cmd, summary) in [
        ("stats", "1 succeeded, 1 failed"),
        ("validate", "1 unreadable"),
    ] {
        tmkit()
            .args(["tmx", cmd])
            .arg(&missing)
            .arg(fixture("namespaced.tmx"))
            .assert()
            .code(1)
            .stdout(predicate::str::contains("namespaced.tmx"))
            .stderr(predicate::str::contains("no-such-memory.tmx"))
            .stderr(predicate::str::contains(summary));
    }
}

#[test]
fn an_external_entity_is_reported_not_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("external.tmx");
    std::fs::write(
        &tmx,
        r#"<?xml version="1.0"?>
<!DOCTYPE tmx [ <!ENTITY secret SYSTEM "file:///etc/hostname"> ]>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>
<tu><tuv xml:lang="en"><seg>Hello &secret;.</seg></tuv><tuv xml:lang="fr"><seg>Bonjour.</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
    let out = dir.path().join("out.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&tmx)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("external.tmx:4:"))
        .stderr(predicate::str::contains("&secret; is an external entity"));
    assert!(!out.exists());
    tmkit()
        .args(["tmx", "validate"])
        .arg(&tmx)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("external entity"));
}

#[test]
fn stats_of_several_files_ends_with_a_total() {
    tmkit()
        .args(["tmx", "stats"])
        .arg(fixture("tmx11_lang.tmx"))
        .arg(fixture("header_ude.tmx"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "total of 2 files\n  units         3",
        ))
        .stdout(predicate::str::contains(
            "  en-US                  3        3          7",
        ));
}

#[test]
fn stats_lenient_counts_what_can_be_read() {
    tmkit()
        .args(["tmx", "stats", "--lenient"])
        .arg(fixture("malformed/three_broken_units.tmx"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("units         3"))
        .stdout(predicate::str::contains("broken units  3 (skipped)"))
        .stderr(predicate::str::contains("three_broken_units.tmx:6:"));
}

#[test]
fn stats_without_lenient_rejects_a_malformed_file() {
    tmkit()
        .args(["tmx", "stats"])
        .arg(fixture("malformed/three_broken_units.tmx"))
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("three_broken_units.tmx:3:41:"))
        .stderr(predicate::str::contains("skipped").not());
}

#[test]
fn validate_reports_problems_with_positions() {
    tmkit()
        .args(["tmx", "validate"])
        .arg(fixture("inline_codes.tmx"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "inline_codes.tmx:10:1: error: the fr <tuv> has no <seg>",
        ));
    tmkit()
        .args(["tmx", "validate"])
        .arg(fixture("tmx11_lang.tmx"))
        .assert()
        .success()
        .stdout(predicate::str::contains("valid"));
    let out = tmkit()
        .args(["tmx", "validate", "--format", "json"])
        .arg(fixture("malformed/truncated.tmx"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["malformed"], true);
    assert!(v["problems"].as_array().unwrap().iter().any(|p| {
        p["location"]
            .as_str()
            .unwrap()
            .ends_with("truncated.tmx:3:32")
    }));
}

#[test]
fn merge_removes_duplicates_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tmx");
    let b = dir.path().join("b.tmx");
    std::fs::write(&a, r#"<tmx version="1.4"><header srclang="en"/><body>
<tu changedate="20200101T000000Z"><prop type="x-from">a</prop><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="fr"><seg>Bonjour</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Bye</seg></tuv><tuv xml:lang="fr"><seg>Au revoir</seg></tuv></tu>
</body></tmx>"#).unwrap();
    std::fs::write(&b, r#"<tmx version="1.4"><header srclang="EN"/><body>
<tu changedate="20240101T000000Z"><prop type="x-from">b</prop><tuv xml:lang="EN"><seg>Hello</seg></tuv><tuv xml:lang="fr"><seg>Bonjour</seg></tuv></tu>
</body></tmx>"#).unwrap();
    let out = dir.path().join("m.tmx");
    tmkit()
        .args(["tmx", "merge"])
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 duplicate(s) removed"));
    let m = tmkit::tmx::Tmx::read(&out).unwrap();
    assert_eq!(m.tus.len(), 2);
    // The newest is kept where it stands: after a.tmx's units.
    assert_eq!(m.tus[1].changedate(), Some("20240101T000000Z"));
    assert_eq!(m.tus[1].props.len(), 2);

    // A bilingual memory merged into a multilingual one: its pairs are inside
    // the larger units, which are kept whole.
    let multi = dir.path().join("multi.tmx");
    std::fs::write(&multi, r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>Bye</seg></tuv><tuv xml:lang="de"><seg>Tschüss</seg></tuv><tuv xml:lang="fr"><seg>Au revoir</seg></tuv></tu>
</body></tmx>"#).unwrap();
    tmkit()
        .args(["tmx", "merge"])
        .arg(&a)
        .arg(&multi)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 merged into a larger unit, 2 written",
        ));
    let m = tmkit::tmx::Tmx::read(&out).unwrap();
    assert_eq!(m.tus[1].tuvs.len(), 3);
}

#[test]
fn merge_reads_stdin_given_twice_and_inputs_at_once() {
    // Inputs are read on several threads at once: standard input, given
    // twice, must be read twice in full (a shared file offset would split
    // it between the two readers), and the result must be what merging the
    // memory alone gives, whatever the threads' timing.
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from(r#"<tmx version="1.4"><header srclang="en"/><body>"#);
    for i in 0..6000 {
        doc.push_str(&format!(
            r#"<tu><prop type="x-n">{}</prop><tuv xml:lang="en"><seg>Sentence {} of a long memory</seg></tuv><tuv xml:lang="fr"><seg>Phrase {}</seg></tuv></tu>"#,
            i % 7,
            i % 2500,
            i % 2500
        ));
    }
    doc.push_str("</body></tmx>");
    let file = dir.path().join("tm.tmx");
    std::fs::write(&file, &doc).unwrap();
    let alone = dir.path().join("alone.tmx");
    tmkit()
        .args(["tmx", "merge"])
        .arg(&file)
        .arg("-o")
        .arg(&alone)
        .assert()
        .success()
        .stderr(predicate::str::contains("3500 duplicate(s) removed"));
    let merged = dir.path().join("merged.tmx");
    tmkit()
        .args(["tmx", "merge", "-", "-"])
        .arg(&file)
        .arg("-o")
        .arg(&merged)
        .write_stdin(doc)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "18000 unit(s) read, 15500 duplicate(s) removed",
        ));
    assert_eq!(
        std::fs::read(&alone).unwrap(),
        std::fs::read(&merged).unwrap()
    );
}

#[test]
fn merge_interrupted_while_reading_stdin_leaves_nothing_in_tmpdir() {
    // Standard input is kept for the passes in a temporary file; a signal
    // that ends the run must leave nothing behind in TMPDIR.
    for signal in ["INT", "TERM"] {
        let tmp = tempfile::tempdir().unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tmkit"))
            .args(["tmx", "merge", "-", "-o"])
            .arg(out_dir.path().join("merged.tmx"))
            .env("TMPDIR", tmp.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // 1 MiB, 16 times what a pipe holds: once written, most of it has
        // been read, so the spool exists and the merge is still reading.
        let mut doc = String::from(r#"<tmx version="1.4"><header srclang="en"/><body>"#);
        while doc.len() < 1 << 20 {
            doc.push_str(r#"<tu><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="fr"><seg>b</seg></tuv></tu>"#);
        }
        std::io::Write::write_all(&mut stdin, doc.as_bytes()).unwrap();
        support::send_signal(child.id(), signal);
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(130), "SIG{signal}: {status:?}");
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?} in TMPDIR");
        let written: Vec<_> = std::fs::read_dir(out_dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(written.is_empty(), "SIG{signal} left {written:?}");
    }
}

#[test]
fn filter_keeps_a_pair_and_drops_untranslated() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.tmx");
    std::fs::write(&input, r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en-US"><seg>Hello</seg></tuv><tuv xml:lang="de"><seg>Hallo</seg></tuv><tuv xml:lang="fr-FR"><seg>Bonjour</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>OK</seg></tuv><tuv xml:lang="fr"><seg>OK</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only English</seg></tuv><tuv xml:lang="de"><seg>Nur Deutsch</seg></tuv></tu>
</body></tmx>"#).unwrap();
    let out = tmkit()
        .args([
            "tmx",
            "filter",
            "--src",
            "en",
            "--tgt",
            "fr",
            "--drop-identical",
        ])
        .arg(&input)
        .assert()
        .success()
        .stderr(predicate::str::contains("3 unit(s) read, 1 kept"))
        .get_output()
        .stdout
        .clone();
    let kept = tmkit::tmx::Tmx::parse_str(std::str::from_utf8(&out).unwrap()).unwrap();
    assert_eq!(kept.tus.len(), 1);
    let langs: Vec<&str> = kept.tus[0].tuvs.iter().map(|t| t.lang.as_str()).collect();
    assert_eq!(langs, ["en-US", "fr-FR"]);
    tmkit()
        .args(["tmx", "filter", "--since", "2024-13-01"])
        .arg(&input)
        .assert()
        .code(2);
}

/// A pair no unit holds gives an output without units, as any filter may
/// (exit 0), but a warning names the pair and the languages the units do
/// hold: a mistyped language wrote a header-only file without a word.
#[test]
fn a_pair_no_unit_holds_is_warned_about_naming_the_languages_found() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.tmx");
    std::fs::write(&input, r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en-US"><seg>Hello</seg></tuv><tuv xml:lang="fr-FR"><seg>Bonjour</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only English</seg></tuv><tuv xml:lang="de"><seg>Nur Deutsch</seg></tuv></tu>
</body></tmx>"#).unwrap();
    let warning =
        "in.tmx: no unit holds en/es, so none was written; its units hold: de, en, en-US, fr-FR";
    for args in [
        &[
            "tmx", "convert", "--to", "tsv", "--src", "en", "--tgt", "es", "--quiet",
        ][..],
        &["tmx", "filter", "--src", "en", "--tgt", "es", "--quiet"],
    ] {
        let out = tmkit()
            .args(args)
            .arg(&input)
            .assert()
            .success()
            .stderr(predicate::str::contains("tmkit: warning: "))
            .stderr(predicate::str::contains(format!("/{warning}")))
            .get_output()
            .stdout
            .clone();
        assert!(!String::from_utf8_lossy(&out).contains("Hello"));
    }
    // A pair some unit holds: no warning; nor when units were dropped for
    // another reason (their languages were never looked at).
    for args in [
        &[
            "tmx", "convert", "--to", "tsv", "--src", "en", "--tgt", "de",
        ][..],
        &["tmx", "filter", "--src", "en", "--tgt", "de"],
        &[
            "tmx",
            "filter",
            "--src",
            "en",
            "--tgt",
            "de",
            "--since",
            "2020-01-01",
        ],
    ] {
        tmkit()
            .args(args)
            .arg(&input)
            .assert()
            .success()
            .stderr(predicate::str::contains("warning").not());
    }
}

#[test]
fn output_to_a_closed_pipe_is_quiet() {
    // `head` closing the pipe must not produce a panic message.
    let big: String = (0..20_000)
        .map(|i| format!("<tu><tuv xml:lang=\"en\"><seg>unit {i}</seg></tuv></tu>"))
        .collect();
    let doc = format!("<tmx version=\"1.4\"><header/><body>{big}</body></tmx>");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.tmx");
    std::fs::write(&f, doc).unwrap();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} tmx convert --to jsonl {} - | head -n 1",
            assert_cmd::cargo::cargo_bin("tmkit").display(),
            f.display()
        ))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("unit 0"));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

/// Every element TMX does not define, in each place it can stand, and a
/// second `<seg>`: a TMX → TMX conversion must keep each byte for byte.
#[test]
fn convert_keeps_vendor_extensions_and_a_second_seg_byte_for_byte() {
    let input = fixture("vendor_extensions.tmx");
    let original = std::fs::read_to_string(&input).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&input)
        .arg(&out)
        .assert()
        .success();
    let written = std::fs::read_to_string(&out).unwrap();
    for raw in [
        r#"<x-header-ext a="1">keep <b>me</b></x-header-ext>"#,
        "<x-root-ext/>",
        r#"<x-group-meta id="g1">group info</x-group-meta>"#,
        r#"<v:origin app="cat">MT &amp; post-edit</v:origin>"#,
        "<x-tuv-ext/>",
        "<seg>Second</seg>",
        "<x-between>b</x-between>",
        "<x-after-last/>",
        "<x-tail>t</x-tail>",
        "<x-after-body/>",
    ] {
        assert!(original.contains(raw), "{raw}");
        assert!(written.contains(raw), "lost {raw}:\n{written}");
    }
    // A second pass changes nothing: the places are kept too.
    let again = dir.path().join("again.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&out)
        .arg(&again)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&again).unwrap(), written);
}

#[test]
fn convert_to_a_flat_format_refuses_to_lose_extensions_unless_lenient() {
    let input = fixture("vendor_extensions.tmx");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&input)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "vendor_extensions.tmx:12:54: error: not in the output: a second <seg>",
        ))
        .stderr(predicate::str::contains(
            "vendor_extensions.tmx:11:7: error: not in the output: <v:origin> in <tu>",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!out.exists());
    tmkit()
        .args(["tmx", "convert", "--lenient"])
        .arg(&input)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: not in the output"));
    assert!(std::fs::read_to_string(&out).unwrap().contains("Bonjour"));
}

#[test]
fn convert_reports_text_and_markup_it_cannot_keep() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("stray.tmx");
    std::fs::write(
        &input,
        "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n\
         <tu>stray words<tuv xml:lang=\"en\"><seg>a</seg></tuv><note>n <b>bold</b></note></tu>\n\
         </body></tmx>\n",
    )
    .unwrap();
    let out = dir.path().join("out.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&input)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "stray.tmx:2:5: error: not in the output: text where TMX allows only elements",
        ))
        .stderr(predicate::str::contains("markup inside <note>"));
    assert!(!out.exists());
}

#[test]
fn csv_export_has_a_bom_and_a_header_that_import_recognizes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("pairs.csv");
    tmkit()
        .args(["tmx", "convert", "--src", "en-US", "--tgt", "de-DE"])
        .arg(fixture("tmx11_lang.tmx"))
        .arg(&csv)
        .assert()
        .success();
    let bytes = std::fs::read(&csv).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFen-US,de-DE\r\n"),
        "{bytes:?}"
    );
    // No --src/--tgt: the header row gives the pair, and is not a unit.
    let tmx = dir.path().join("back.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&csv)
        .arg(&tmx)
        .assert()
        .success();
    let back = tmkit::tmx::Tmx::read(&tmx).unwrap();
    assert_eq!(back.tus.len(), 2);
    assert_eq!(back.tus[0].tuvs[0].lang, "en-US");
    assert_eq!(back.tus[0].tuvs[1].lang, "de-DE");
    assert_eq!(back.tus[1].tuvs[1].seg.plain_text(), "Speichern");
}

#[test]
fn glossary_extra_columns_become_notes_and_props() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("terms.csv");
    std::fs::write(
        &csv,
        "source,target,domain,comment\nfile,Datei,IT,menu\nsave,speichern,,\n",
    )
    .unwrap();
    let tmx = dir.path().join("terms.tmx");
    tmkit()
        .args(["tmx", "convert", "--src", "en", "--tgt", "de"])
        .arg(&csv)
        .arg(&tmx)
        .assert()
        .success();
    let back = tmkit::tmx::Tmx::read(&tmx).unwrap();
    assert_eq!(back.tus.len(), 2);
    assert_eq!(back.tus[0].props[0].kind, "x-domain");
    assert_eq!(back.tus[0].props[0].value, "IT");
    assert_eq!(back.tus[0].notes[0].text, "menu");
    // --columns says otherwise: the third column is ignored, the fourth a prop.
    tmkit()
        .args(["tmx", "convert", "--src", "en", "--tgt", "de"])
        .args(["--columns", "source,target,ignore,prop:x-note"])
        .arg(&csv)
        .arg(&tmx)
        .assert()
        .success();
    let back = tmkit::tmx::Tmx::read(&tmx).unwrap();
    assert_eq!(back.tus[0].props.len(), 1);
    assert_eq!(back.tus[0].props[0].kind, "x-note");
    assert!(back.tus[0].notes.is_empty());
    tmkit()
        .args([
            "tmx",
            "convert",
            "--src",
            "en",
            "--tgt",
            "de",
            "--columns",
            "source,bogus",
        ])
        .arg(&csv)
        .arg(&tmx)
        .assert()
        .code(2);
}

#[test]
fn placeholders_come_back_as_inline_codes_through_tsv_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("tmx11_lang.tmx");
    let original = tmkit::tmx::Tmx::read(&input).unwrap();
    for ext in ["tsv", "jsonl"] {
        let flat = dir.path().join(format!("codes.{ext}"));
        let mut cmd = tmkit();
        cmd.args(["tmx", "convert", "--placeholders"])
            .arg(&input)
            .arg(&flat);
        if ext == "tsv" {
            cmd.args(["--src", "en-US", "--tgt", "de-DE"]);
        }
        cmd.assert().success();
        let tmx = dir.path().join(format!("back-{ext}.tmx"));
        tmkit()
            .args(["tmx", "convert", "--placeholders"])
            .arg(&flat)
            .arg(&tmx)
            .assert()
            .success();
        let back = tmkit::tmx::Tmx::read(&tmx).unwrap();
        let texts = |doc: &tmkit::tmx::Tmx| -> Vec<String> {
            doc.tus
                .iter()
                .flat_map(|tu| tu.tuvs.iter())
                .filter(|v| v.seg.has_inline_codes())
                .map(|v| v.seg.text_with_placeholders())
                .collect()
        };
        let got = texts(&back);
        assert!(!got.is_empty(), "{ext}");
        for t in &got {
            assert!(texts(&original).contains(t), "{ext}: {t}");
        }
    }
}

#[test]
fn merge_updates_a_memory_in_place_and_lists_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.tmx");
    let update = dir.path().join("update.tmx");
    let unit = |en: &str, fr: &str, date: &str| {
        format!(
            "<tu changedate=\"{date}\"><tuv xml:lang=\"en\"><seg>{en}</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv></tu>\n"
        )
    };
    let tmx = |units: &str| {
        format!("<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n{units}</body></tmx>\n")
    };
    std::fs::write(
        &main,
        tmx(&(unit("Open", "Ouvrir", "20200101T000000Z")
            + &unit("Close", "Fermer", "20200101T000000Z"))),
    )
    .unwrap();
    std::fs::write(
        &update,
        tmx(&(unit("Open", "Ouvrez", "20240101T000000Z")
            + &unit("Save", "Enregistrer", "20240101T000000Z"))),
    )
    .unwrap();
    let conflicts = dir.path().join("review.tsv");
    tmkit()
        .args(["tmx", "merge"])
        .arg(&main)
        .arg(&update)
        .arg("-o")
        .arg(&main)
        .args(["--policy", "newest", "--conflicts"])
        .arg(&conflicts)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 conflict(s): 2 unit(s)"));
    let merged = tmkit::tmx::Tmx::read(&main).unwrap();
    let texts: Vec<String> = merged
        .tus
        .iter()
        .map(|t| t.tuvs[1].seg.plain_text())
        .collect();
    assert_eq!(texts, ["Fermer", "Ouvrez", "Enregistrer"]);
    let review = std::fs::read_to_string(&conflicts).unwrap();
    let rows: Vec<&str> = review.lines().collect();
    assert_eq!(rows.len(), 3, "{review}");
    assert!(rows[0].starts_with("group\tkept\tfile"));
    assert!(rows[1].starts_with("1\tfalse\t"), "{review}");
    assert!(
        rows[1].contains("main.tmx\t2\t\t20200101T000000Z\ten\tOpen\tfr\tOuvrir"),
        "{review}"
    );
    assert!(rows[2].starts_with("1\ttrue\t"), "{review}");
    assert!(rows[2].contains("update.tmx\t2\t"), "{review}");
    // JSONL by extension; filter may write over its input too.
    let jsonl = dir.path().join("review.jsonl");
    tmkit()
        .args(["tmx", "merge"])
        .arg(&update)
        .arg(fixture("tmx11_lang.tmx"))
        .arg("-o")
        .arg(&update)
        .arg("--conflicts")
        .arg(&jsonl)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&jsonl).unwrap(), "");
    tmkit()
        .args(["tmx", "filter"])
        .arg(&update)
        .arg("-o")
        .arg(&update)
        .args(["--langs", "en,fr"])
        .assert()
        .success();
    assert_eq!(tmkit::tmx::Tmx::read(&update).unwrap().tus.len(), 2);
}

#[test]
fn match_json_gives_targets_with_their_inline_codes() {
    let rows = jsonl(&[
        "match",
        "--tm",
        fixture("tmx11_lang.tmx").to_str().unwrap(),
        "--src",
        "en",
        "--tgt",
        "de",
        "--format",
        "jsonl",
        "Open the file.",
        "Save",
    ]);
    let first = &rows[0]["matches"][0];
    assert_eq!(first["target"], "Öffnen Sie die Datei.");
    assert_eq!(first["target_placeholders"], "Öffnen Sie die {1}Datei{2}.");
    assert_eq!(
        first["target_xml"],
        "Öffnen Sie die <ut>{\\b </ut>Datei<ut>}</ut>."
    );
    // A target without codes: the same text, escaped for XML where needed.
    let second = &rows[1]["matches"][0];
    assert_eq!(second["target_placeholders"], "Speichern");
    assert_eq!(second["target_xml"], "Speichern");
}

#[test]
fn filter_and_merge_keep_extensions_and_refuse_to_lose_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.tmx");
    for args in [&["filter"][..], &["merge"][..]] {
        tmkit()
            .arg("tmx")
            .args(args)
            .arg(fixture("vendor_extensions.tmx"))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let written = std::fs::read_to_string(&out).unwrap();
        for raw in ["<x-tail>t</x-tail>", "<x-after-body/>", "<seg>Second</seg>"] {
            assert!(written.contains(raw), "{args:?} lost {raw}");
        }
    }
    let stray = dir.path().join("stray.tmx");
    std::fs::write(
        &stray,
        "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<tu>words<tuv xml:lang=\"en\"><seg>a</seg></tuv></tu>\n</body></tmx>\n",
    )
    .unwrap();
    std::fs::remove_file(&out).unwrap();
    for args in [&["filter"][..], &["merge"][..]] {
        tmkit()
            .arg("tmx")
            .args(args)
            .arg(&stray)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "stray.tmx:2:5: error: not in the output",
            ));
        assert!(!out.exists());
    }
}

/// `tmx merge --conflicts` naming an input (or the output) is refused and
/// the input left alone: the conflicts TSV replaced the memory.
#[test]
fn merge_refuses_a_conflicts_list_over_an_input_or_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.tmx");
    std::fs::copy(fixture("inline_codes.tmx"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = dir.path().join("out.tmx");
    for conflicts in [dir.path().join(".").join("a.tmx"), out.clone()] {
        tmkit()
            .args(["tmx", "merge"])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--conflicts")
            .arg(&conflicts)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--conflicts"));
        assert_eq!(std::fs::read(&input).unwrap(), before);
        assert!(!out.exists());
    }
}

/// `tmx convert job.xlf job.xlf` is refused as `tmx convert a.tmx a.tmx`
/// is; the XLIFF and PO path skipped the check and rewrote the input.
#[test]
fn convert_refuses_an_xliff_output_that_is_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.xlf");
    std::fs::copy(support::fixture_of("xliff", "okapi-extract.xlf"), &job).unwrap();
    let before = std::fs::read(&job).unwrap();
    tmkit()
        .args(["tmx", "convert"])
        .arg(&job)
        .arg(dir.path().join(".").join("job.xlf"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must not be the input"));
    assert_eq!(std::fs::read(&job).unwrap(), before);
}

/// UTF-16 with a byte-order mark, as a spreadsheet saves "Unicode text".
fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// TSV and CSV input of `tmx convert` is decoded as every text input is:
/// a UTF-16 byte-order mark, or `--encoding` without one. Both were read as
/// UTF-8 ('not valid UTF-8 text'), though `--encoding` says marks are always
/// honoured and `match --tm` read the same file.
#[test]
fn convert_reads_utf16_tsv_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = "en\tfr\nThe port is closed.\tLe port est fermé.\n";
    let csv = "en,fr\r\n\"Strikes, again\",\"Grèves, encore\"\r\n";
    let cases: [(&str, Vec<u8>, &[&str], &str); 3] = [
        ("bom.tsv", utf16le_with_bom(tsv), &[], "Le port est fermé."),
        ("bom.csv", utf16le_with_bom(csv), &[], "Grèves, encore"),
        (
            "plain16.tsv",
            utf16le_with_bom(tsv)[2..].to_vec(),
            &["--encoding", "utf-16le"],
            "Le port est fermé.",
        ),
    ];
    for (name, bytes, flags, french) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let rows = json_lines(&stdout_of(
            tmkit()
                .args(flags)
                .args(["tmx", "convert", "--to", "jsonl"])
                .arg(&path)
                .arg("-"),
        ));
        assert_eq!(rows.len(), 1, "{name}");
        assert_eq!(rows[0]["variants"][1]["lang"], "fr", "{name}");
        assert_eq!(rows[0]["variants"][1]["text"], french, "{name}");
    }
}

/// `--lenient` holds for XLIFF and PO outputs too: the broken unit is
/// reported and skipped, the others are written, and the exit status is 1,
/// as for TMX, TSV and CSV; it was ignored there (nothing written).
#[test]
fn lenient_skips_a_broken_unit_into_xliff_and_po() {
    let dir = tempfile::tempdir().unwrap();
    // The second unit holds U+000B, which XML 1.0 does not allow.
    let tmx = dir.path().join("broken.tmx");
    std::fs::write(
        &tmx,
        "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n\
         <tu><tuv xml:lang=\"en\"><seg>Open</seg></tuv><tuv xml:lang=\"fr\"><seg>Ouvrir</seg></tuv></tu>\n\
         <tu><tuv xml:lang=\"en\"><seg>Bell\u{b}</seg></tuv><tuv xml:lang=\"fr\"><seg>Cloche</seg></tuv></tu>\n\
         </body></tmx>\n",
    )
    .unwrap();
    for name in ["out.xlf", "out.po"] {
        let out = dir.path().join(name);
        tmkit()
            .args(["tmx", "convert", "--lenient", "--tgt", "fr"])
            .arg(&tmx)
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("skipped a broken unit"))
            .stderr(predicate::str::contains("broken.tmx:3:"));
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(written.contains("Ouvrir"), "{name}: {written}");
        assert!(!written.contains("Cloche"), "{name}: {written}");
    }
}

#[test]
fn jsonl_carries_attributes_props_and_notes_back_to_tmx() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.tmx");
    std::fs::write(
        &input,
        r#"<tmx version="1.4"><header srclang="en" creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"/><body>
<tu tuid="1" creationdate="20240131T120000Z" creationid="ana" usagecount="2" x-origin="mt">
<note>checked</note><prop type="x-Domain">legal</prop><prop type="x-Domain" xml:lang="en">tax</prop>
<tuv xml:lang="en" changedate="20240201T090000Z" changeid="bo"><prop type="x-Status">final</prop><seg>Hello</seg></tuv>
<tuv xml:lang="fr"><note xml:lang="fr">formel</note><seg>Bonjour</seg></tuv>
</tu>
<tu tuid="2"><tuv xml:lang="en"><seg>Yes</seg></tuv><tuv xml:lang="fr"><seg>Oui</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
    let jsonl = dir.path().join("units.jsonl");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&input)
        .arg(&jsonl)
        .assert()
        .success();
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let rows = json_lines(&text);
    assert_eq!(rows[0]["creationdate"], "20240131T120000Z");
    assert_eq!(rows[0]["usagecount"], "2");
    assert_eq!(rows[0]["extra"]["x-origin"], "mt");
    assert_eq!(rows[0]["props"][1]["lang"], "en");
    assert_eq!(rows[0]["variants"][0]["changeid"], "bo");
    // A unit with texts only is the line it always was.
    assert_eq!(
        text.lines().nth(1).unwrap(),
        r#"{"tuid":"2","variants":[{"lang":"en","text":"Yes"},{"lang":"fr","text":"Oui"}]}"#
    );
    let back = dir.path().join("back.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&jsonl)
        .arg(&back)
        .assert()
        .success();
    let tmx = std::fs::read_to_string(&back).unwrap();
    for kept in [
        r#"tuid="1" usagecount="2" creationdate="20240131T120000Z" creationid="ana" x-origin="mt""#,
        "<note>checked</note>",
        r#"<prop type="x-Domain">legal</prop>"#,
        r#"<prop type="x-Domain" xml:lang="en">tax</prop>"#,
        r#"changedate="20240201T090000Z" changeid="bo""#,
        r#"<prop type="x-Status">final</prop>"#,
        r#"<note xml:lang="fr">formel</note>"#,
    ] {
        assert!(tmx.contains(kept), "{kept} not in\n{tmx}");
    }
}

/// `tmx filter --src` writes a header srclang every kept unit has: the
/// variants' own tag when they agree, the language asked when each unit has
/// a variant in it, else `*all*` (en-US units kept for en-GB).
#[test]
fn filter_writes_a_srclang_every_kept_unit_has() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.tmx");
    std::fs::write(&input, r#"<tmx version="1.4"><header srclang="en-US"/><body>
<tu tuid="gb"><tuv xml:lang="en-GB"><seg>Colour</seg></tuv><tuv xml:lang="fr"><seg>Couleur</seg></tuv></tu>
<tu tuid="us" srclang="en-US"><tuv xml:lang="en-US"><seg>Color</seg></tuv><tuv xml:lang="fr"><seg>Couleur</seg></tuv><tuv xml:lang="de"><seg>Farbe</seg></tuv></tu>
</body></tmx>"#).unwrap();
    let srclang = |args: &[&str]| {
        let out = stdout_of(tmkit().args(["tmx", "filter"]).args(args).arg(&input));
        let doc = tmkit::tmx::Tmx::parse_str(&out).unwrap();
        let units: Vec<(String, Option<String>)> = doc
            .tus
            .iter()
            .map(|t| (t.tuid.clone().unwrap(), t.srclang.clone()))
            .collect();
        (doc.header.srclang.unwrap(), units)
    };
    let us = || ("us".to_string(), Some("en-US".to_string()));
    // Both units kept for en-GB, one through its en-US variant.
    assert_eq!(
        srclang(&["--src", "en-GB", "--tgt", "fr"]),
        ("*all*".into(), vec![("gb".into(), None), us()])
    );
    // en over en-GB and en-US: each unit has it.
    assert_eq!(srclang(&["--src", "en", "--tgt", "fr"]).0, "en");
    // Only en-US units: their tag.
    assert_eq!(
        srclang(&["--src", "en", "--tgt", "de"]),
        ("en-US".into(), vec![us()])
    );
    // The unit's own srclang names a variant it keeps, or goes.
    assert_eq!(
        srclang(&["--src", "fr", "--tgt", "de"]),
        ("fr".into(), vec![("us".into(), Some("fr".into()))])
    );
    assert_eq!(
        srclang(&["--langs", "fr,de"]),
        ("*all*".into(), vec![("us".into(), None)])
    );
}

/// `tmx stats` counts as duplicates exactly the units `tmx merge` of the
/// same file removes as duplicates: same text with inline codes as
/// placeholders, languages compared case-insensitively, in any order. Stats
/// compared plain text (codes dropped) and left units without variants
/// out, so a file whose units differ only by their codes was "1 duplicate"
/// that merge kept.
#[test]
fn stats_counts_the_duplicates_merge_removes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.tmx");
    std::fs::write(&file, r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>Open <bpt i="1">&lt;b&gt;</bpt>now<ept i="1">&lt;/b&gt;</ept></seg></tuv><tuv xml:lang="fr"><seg>Ouvrir</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Open now</seg></tuv><tuv xml:lang="fr"><seg>Ouvrir</seg></tuv></tu>
<tu tuid="x"><tuv xml:lang="FR"><seg>Ouvrir</seg></tuv><tuv xml:lang="en"><seg>Open now</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Open now</seg></tuv><tuv xml:lang="fr"><seg>ouvrir</seg></tuv></tu>
<tu></tu>
<tu></tu>
<tu></tu>
<tu><tuv xml:lang="en"><seg>Close</seg></tuv><tuv xml:lang="de"><seg>Schließen</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Close</seg></tuv><tuv xml:lang="de"><seg>Schließen</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Close</seg></tuv><tuv xml:lang="de"><seg>Schließen</seg></tuv></tu>
</body></tmx>"#).unwrap();
    let stats = tmkit()
        .args(["tmx", "stats", "--format", "json"])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stats: serde_json::Value = serde_json::from_slice(&stats).unwrap();
    let merged = tmkit()
        .args(["tmx", "merge", "-o"])
        .arg(dir.path().join("m.tmx"))
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let merged = String::from_utf8(merged).unwrap();
    let removed: u64 = merged
        .split(" duplicate(s) removed")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of duplicates removed: {merged}"));
    // The second "Open now" (FR, other order), two of the three units
    // without variants, the second en "Close".
    assert_eq!(removed, 4, "{merged}");
    assert_eq!(stats["duplicate_units"], removed, "{stats}");
}

/// A flat output holds no inline codes: converting units that have some
/// without --placeholders says how many lost them, even with --quiet; with
/// --placeholders, or when no unit has codes, nothing is said.
#[test]
fn flat_outputs_say_how_many_units_lost_their_inline_codes() {
    let input = fixture("inline_codes.tmx");
    for (to, pair) in [("tsv", true), ("csv", true), ("jsonl", false)] {
        let mut args = vec!["-q", "tmx", "convert", "--to", to];
        if pair {
            args.extend(["--src", "en", "--tgt", "ar"]);
        }
        let out = tmkit()
            .args(&args)
            .arg(&input)
            .arg("-")
            .assert()
            .success()
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("warning: 1 unit(s) had inline codes") && err.contains("--placeholders"),
            "{to}: {err}"
        );
        tmkit()
            .args(&args)
            .arg("--placeholders")
            .arg(&input)
            .arg("-")
            .assert()
            .success()
            .stderr(predicate::str::is_empty());
    }
    // Its English-French unit has no codes.
    tmkit()
        .args([
            "-q", "tmx", "convert", "--to", "tsv", "--src", "en", "--tgt", "fr",
        ])
        .arg(&input)
        .arg("-")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}
