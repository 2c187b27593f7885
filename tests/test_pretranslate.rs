//! `tmkit pretranslate`: documents and existing XLIFF files into bilingual
//! files, checked against the official schemas and read back with
//! translate-toolkit (both skipped with a reason when absent).

mod support;

use std::path::Path;

use predicates::prelude::*;
use support::{assert_valid, fixture, tmkit, translate_toolkit_units, translate_toolkit_units20};
use tmkit::xliff::{Document, State};

fn news_tm() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tmx/en-fr.news.tmx")
}

/// The flags of an English-to-French pretranslation with memory `tm`, then `extra`.
fn en_fr<'a>(tm: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut flags = vec!["--tm", tm, "--src", "en", "--tgt", "fr"];
    flags.extend_from_slice(extra);
    flags
}

fn run(args: &[&str], inputs: &[&Path], out: &Path) -> assert_cmd::assert::Assert {
    tmkit()
        .arg("pretranslate")
        .args(args)
        .args(inputs)
        .arg("-o")
        .arg(out)
        .assert()
}

#[test]
fn text_markdown_and_html_become_one_valid_xliff12_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job.xlf");
    let (md, html) = (fixture("article.md"), fixture("article.html"));
    let txt = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/en-port-strike.txt");
    run(
        &[
            "--tm",
            news_tm().to_str().unwrap(),
            "--src",
            "en",
            "--tgt",
            "fr",
            "--min",
            "60",
        ],
        &[&txt, &md, &html],
        &out,
    )
    .success()
    .stderr(predicate::str::contains("exact"));
    assert_valid(&[&out], Some("xliff12"));
    let doc = Document::read(&out).unwrap();
    assert_eq!(doc.files.len(), 3);
    let datatypes: Vec<_> = doc
        .files
        .iter()
        .map(|f| f.datatype.clone().unwrap())
        .collect();
    assert_eq!(datatypes, ["plaintext", "x-markdown", "html"]);
    let html_units = &doc.files[2].units;
    // The page's navigation and footer are not sentences of the article.
    assert!(
        html_units
            .iter()
            .all(|u| !u.segments[0].source.plain_text().contains("Home"))
    );
    let exact = html_units
        .iter()
        .flat_map(|u| &u.segments)
        .find(|s| s.source.plain_text() == "The stoppage is the first of its kind since 1977.")
        .unwrap();
    assert_eq!(exact.state, State::Translated);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains(r#"state="translated" state-qualifier="exact-match""#));
    assert!(text.contains(r#"state="needs-review-translation" state-qualifier="fuzzy-match""#));
    assert!(text.contains("<alt-trans match-quality="));
    // translate-toolkit sees the same units and targets.
    if let Some(units) = translate_toolkit_units(&out) {
        let ours: Vec<(String, String)> = doc
            .segments()
            .map(|(_, _, s)| {
                let t = s
                    .target
                    .as_ref()
                    .map(|t| t.plain_text())
                    .unwrap_or_default();
                (s.source.plain_text(), t)
            })
            .collect();
        let theirs: Vec<(String, String)> = units.into_iter().map(|(_, s, t)| (s, t)).collect();
        assert_eq!(theirs, ours);
    }
}

#[test]
fn ids_and_resnames_are_stable_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlf"), dir.path().join("b.xlf"));
    let md = fixture("article.md");
    let tm = news_tm();
    let args = ["--tm", tm.to_str().unwrap(), "--src", "en", "--tgt", "fr"];
    run(&args, &[&md], &a).success();
    run(&args, &[&md], &b).success();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let doc = Document::read(&a).unwrap();
    let names: Vec<_> = doc.files[0]
        .units
        .iter()
        .map(|u| u.name.clone().unwrap())
        .collect();
    let mut distinct = names.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), names.len());
}

#[test]
fn xliff20_output_has_translation_candidates_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job.xlf");
    let md = fixture("article.md");
    run(
        &[
            "--tm",
            news_tm().to_str().unwrap(),
            "--src",
            "en",
            "--tgt",
            "fr",
            "--to",
            "xliff20",
            "--max",
            "2",
        ],
        &[&md],
        &out,
    )
    .success();
    assert_valid(&[&out], Some("xliff20"));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains(r##"<mtc:match ref="#s1" similarity="100" type="tm""##),
        "{text}"
    );
    assert!(text.contains(r#"state="translated" subState="tmkit:exact-match""#));
    let doc = Document::read(&out).unwrap();
    assert_eq!(doc.format, Some(tmkit::xliff::Format::Xliff20));
}

#[test]
fn tmx_output_holds_the_translated_segments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job.tmx");
    run(
        &[
            "--tm",
            news_tm().to_str().unwrap(),
            "--src",
            "en",
            "--tgt",
            "fr",
        ],
        &[&fixture("article.md")],
        &out,
    )
    .success();
    assert_valid(&[&out], Some("tmx"));
    let tmx = tmkit::tmx::Tmx::read(&out).unwrap();
    assert!(!tmx.tus.is_empty());
    assert!(
        tmx.tus
            .iter()
            .all(|tu| tu.tuvs.len() == 2 && tu.prop_values("x-tmkit-score").count() == 1)
    );
}

#[test]
fn copy_source_fills_unmatched_segments_with_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job.xlf");
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "Zebras eat grass near the river.\n").unwrap();
    let tm = news_tm();
    let args = en_fr(tm.to_str().unwrap(), &["--copy-source"]);
    run(&args, &[&input], &out).success();
    assert_valid(&[&out], Some("xliff12"));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains(
            r#"<target state="needs-translation">Zebras eat grass near the river.</target>"#
        ),
        "{text}"
    );
}

#[test]
fn existing_xliff12_gets_its_empty_targets_and_keeps_every_other_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("filled.xlf");
    let input = fixture("okapi-extract.xlf");
    run(
        &[
            "--tm",
            fixture("memory-codes.tmx").to_str().unwrap(),
            "--src",
            "en",
            "--tgt",
            "fr",
        ],
        &[&input],
        &out,
    )
    .success()
    .stderr(predicate::str::contains(
        "2 exact, 0 fuzzy, 1 without a match",
    ))
    .stderr(predicate::str::contains("1 already translated"));
    let before = std::fs::read_to_string(&input).unwrap();
    let after = std::fs::read_to_string(&out).unwrap();
    // Every line without a filled target is unchanged.
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 2, "{changed:#?}");
    assert!(
        changed
            .iter()
            .all(|(_, b)| b.contains("<target xml:lang=\"fr-FR\" state=\"translated\""))
    );
    // The memory's codes take the document's ids (and the source's ctype).
    assert!(after.contains(r#"Les négociations reprendront <g id="1" ctype="bold">jeudi</g> à Baltimore.<x id="2" ctype="lb"/></target>"#), "{after}");
    // The candidate shows the memory's own markup.
    assert!(after.contains(r#"<ph id="2">&lt;br/&gt;</ph></target></alt-trans>"#));
    assert_valid(&[&out], Some("xliff12-transitional"));
    if let Some(units) = translate_toolkit_units(&out) {
        assert_eq!(units.len(), 4);
        assert!(units[0].2.starts_with("Cet arrêt de travail"));
        assert_eq!(units[3].2, "Déjà fait.");
    }
}

#[test]
fn existing_xliff20_and_trados_files_are_filled_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let tm = fixture("memory-codes.tmx");
    let args = ["--tm", tm.to_str().unwrap(), "--src", "en", "--tgt", "fr"];
    let out = dir.path().join("filled20.xlf");
    run(&args, &[&fixture("job20.xlf")], &out).success();
    assert_valid(&[&out], Some("xliff20"));
    let doc = Document::read(&out).unwrap();
    let segs: Vec<_> = doc.segments().map(|(_, _, s)| s.clone()).collect();
    assert_eq!(segs[0].state, State::Translated);
    assert_eq!(
        segs[1].state,
        State::Final,
        "a finished segment is left alone"
    );
    assert!(segs[2].target.is_none());
    let sdl = dir.path().join("filled.sdlxliff");
    run(&args, &[&fixture("trados.sdlxliff")], &sdl).success();
    let text = std::fs::read_to_string(&sdl).unwrap();
    assert!(text.contains(r#"<mrk mtype="seg" mid="2">Cet arrêt de travail est le premier de ce type depuis 1977.</mrk>"#));
    assert!(text.contains(r#"<sdl:seg id="2" conf="Translated" origin="tm" percent="100"/>"#));
    assert!(text.contains(r#"<sdl:seg id="1" conf="ApprovedSignOff" origin="interactive"/>"#));
}

#[test]
fn a_folder_output_gets_one_file_per_input_and_a_bad_input_fails_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out/");
    let bad = fixture("malformed/missing-id.xlf");
    tmkit()
        .arg("pretranslate")
        .args([
            "--tm",
            news_tm().to_str().unwrap(),
            "--src",
            "en",
            "--tgt",
            "fr",
        ])
        .arg(fixture("article.md"))
        .arg(&bad)
        .arg(fixture("article.html"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "missing-id.xlf:2:1: <trans-unit> without the required id",
        ));
    let made = [out.join("article.md.xlf"), out.join("article.html.xlf")];
    for path in &made {
        assert!(path.is_file(), "{}", path.display());
    }
    assert!(!out.join("missing-id.xlf").exists());
    assert_valid(&[&made[0], &made[1]], Some("xliff12"));
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    tmkit()
        .args(["pretranslate", "--tm"])
        .arg(news_tm())
        .args(["--src", "en", "--tgt", "fr", "--max", "0"])
        .arg(fixture("article.md"))
        .arg("-o")
        .arg(dir.path().join("x.xlf"))
        .assert()
        .code(2);
    tmkit()
        .args(["pretranslate", "--tm"])
        .arg(news_tm())
        .args(["--src", "en", "--tgt", "fr"])
        .arg(fixture("article.md"))
        .arg("-o")
        .arg(dir.path().join("x.docx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--to xliff12|xliff20|tmx"));
}

/// Regression: XLIFF 2.0 fill dropped the penalty notes of a unit that
/// already had `<notes>` (a unit may hold only one), and wrote the target's
/// codes without `dataRef`, so they no longer pointed at the unit's native code.
#[test]
fn xliff20_fill_keeps_notes_and_data_refs() {
    let dir = tempfile::tempdir().unwrap();
    let tm = fixture("memory-codes.tmx");
    let out = dir.path().join("filled.xlf");
    let args = ["--tm", tm.to_str().unwrap(), "--src", "en", "--tgt", "fr"];
    run(&args, &[&fixture("job20-notes.xlf")], &out).success();
    assert_valid(&[&out], Some("xliff20"));
    let text = std::fs::read_to_string(&out).unwrap();
    // One <notes> per unit, the unit's own note first, the penalty after it.
    assert_eq!(text.matches("<notes>").count(), 2, "{text}");
    assert!(
        text.contains(
            "<note category=\"context\">Headline of the article.</note>\n      <note category=\"tmkit\">tmkit penalty number"
        ),
        "{text}"
    );
    // The target's codes point at the unit's data, under the unit's ids.
    assert!(
        text.contains(r#"<target>Les négociations reprendront <pc id="7" dataRefStart="b1" dataRefEnd="b2">jeudi</pc> à Baltimore.<ph id="8" dataRef="br"/></target>"#),
        "{text}"
    );
    // Nothing added to the unit's data (the candidate carries its own).
    assert!(text.contains("<data id=\"br\">&lt;br/&gt;</data>\n      </originalData>"));
    let doc = Document::read(&out).unwrap();
    let units = &doc.files[0].units;
    assert_eq!(units[0].notes[0], "Headline of the article.");
    assert!(units[0].notes[1].starts_with("tmkit penalty number"));
    assert_eq!(
        units[0].segments[0].target.as_ref().unwrap().plain_text(),
        "Cet arrêt de travail est le premier de ce type depuis 1978."
    );
    // Read back, the target's codes carry the source's native code.
    let natives = |seg: &tmkit::tmx::Seg| -> Vec<String> {
        seg.parts
            .iter()
            .filter_map(|p| match p {
                tmkit::tmx::SegPart::Inline(i) => Some(
                    tmkit::tmx::Seg {
                        parts: i.content.clone(),
                        attrs: Vec::new(),
                    }
                    .plain_text(),
                ),
                _ => None,
            })
            .collect()
    };
    let seg = &units[1].segments[0];
    assert_eq!(
        natives(seg.target.as_ref().unwrap()),
        ["<b>", "</b>", "<br/>"]
    );
    assert_eq!(natives(seg.target.as_ref().unwrap()), natives(&seg.source));
    if let Some(units) = translate_toolkit_units20(&out) {
        assert_eq!(units.len(), 2);
        assert_eq!(
            units[1].2,
            "Les négociations reprendront jeudi à Baltimore."
        );
    }
}

/// A folder with a dangling link and a link loop: each is reported, the
/// readable documents are still pretranslated, and the run exits 1 with the
/// batch summary (pretranslate walks its inputs as the other batch commands do).
#[cfg(unix)]
#[test]
fn folder_inputs_report_bad_entries_and_go_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    std::fs::copy(fixture("article.md"), docs.join("a.md")).unwrap();
    std::fs::copy(fixture("article.html"), docs.join("sub/b.html")).unwrap();
    symlink(docs.join("gone.txt"), docs.join("dangling.txt")).unwrap();
    symlink(&docs, docs.join("sub/loop")).unwrap();
    let out = dir.path().join("out/");
    let tm = news_tm();
    let args = ["--tm", tm.to_str().unwrap(), "--src", "en", "--tgt", "fr"];
    let run = run(&args, &[&docs], &out).code(1);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(
        stderr.contains("dangling.txt: dangling symbolic link"),
        "{stderr}"
    );
    assert!(stderr.contains("symbolic link loop"), "{stderr}");
    assert!(
        stderr.contains("pretranslate: 2 succeeded, 2 failed"),
        "{stderr}"
    );
    let made = [out.join("a.md.xlf"), out.join("sub/b.html.xlf")];
    for path in &made {
        assert!(path.is_file(), "{}", path.display());
    }
    assert_valid(&[&made[0], &made[1]], Some("xliff12"));
}

/// Regression: a fuzzy match whose numbers were adapted lost the memory's
/// inline codes (the adapted target was plain text); the new numbers now go
/// into the memory's markup, which takes the document's codes.
#[test]
fn adapted_numbers_keep_the_inline_codes() {
    let dir = tempfile::tempdir().unwrap();
    let tm = dir.path().join("tm.tmx");
    std::fs::write(&tm, r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="en" datatype="html"/><body>
<tu><tuv xml:lang="en"><seg>Prices rose <bpt i="1">&lt;b&gt;</bpt>3.9<ept i="1">&lt;/b&gt;</ept> percent in the port of Lisbon.<ph x="2">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="fr"><seg>Les prix ont augmenté de <bpt i="1">&lt;b&gt;</bpt>3,9<ept i="1">&lt;/b&gt;</ept> pour cent dans le port de Lisbonne.<ph x="2">&lt;br/&gt;</ph></seg></tuv></tu>
</body></tmx>
"#).unwrap();
    let job = dir.path().join("job.xlf");
    std::fs::write(&job, r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="prices.html" source-language="en" target-language="fr" datatype="html"><body>
<trans-unit id="1"><source>Prices rose <g id="b">4.2</g> percent in the port of Lisbon.<x id="br"/></source></trans-unit>
</body></file></xliff>
"#).unwrap();
    let out = dir.path().join("filled.xlf");
    let args = ["--tm", tm.to_str().unwrap(), "--src", "en", "--tgt", "fr"];
    run(&args, &[&job], &out).success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains(r#"state-qualifier="fuzzy-match">Les prix ont augmenté de <g id="b">4,2</g> pour cent dans le port de Lisbonne.<x id="br"/></target>"#),
        "{text}"
    );
    assert_valid(&[&out], Some("xliff12"));
    if let Some(units) = translate_toolkit_units(&out) {
        assert_eq!(
            units[0].2,
            "Les prix ont augmenté de 4,2 pour cent dans le port de Lisbonne."
        );
    }
}

/// `-o` naming the memory, or an input by another spelling (`./job.xlf`),
/// is refused before any work and both files are left as they were; the
/// memory was replaced by the pretranslated output, and `./job.xlf` passed
/// the check that compared paths as written.
#[test]
fn an_output_that_is_the_memory_or_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let memory = dir.path().join("memory.tmx");
    std::fs::copy(news_tm(), &memory).unwrap();
    let article = dir.path().join("article.txt");
    std::fs::write(&article, "Dockworkers strike shuts two East Coast ports.\n").unwrap();
    let job = dir.path().join("job.xlf");
    let tm = memory.to_str().unwrap();
    let flags = ["--tm", tm, "--src", "en", "--tgt", "fr"];
    run(&flags, &[&article], &memory)
        .code(2)
        .stderr(predicate::str::contains("also an input"));
    assert_eq!(
        std::fs::read(&memory).unwrap(),
        std::fs::read(news_tm()).unwrap()
    );
    run(&flags, &[&article], &job).success();
    let before = std::fs::read(&job).unwrap();
    // A memory that now translates the sentence: writing onto the job
    // would change it.
    let other = dir.path().join("other.tsv");
    std::fs::write(
        &other,
        "Dockworkers strike shuts two East Coast ports.\tGrève.\n",
    )
    .unwrap();
    let other_flags = [
        "--tm",
        other.to_str().unwrap(),
        "--src",
        "en",
        "--tgt",
        "fr",
    ];
    run(&other_flags, &[&job], &dir.path().join(".").join("job.xlf"))
        .code(2)
        .stderr(predicate::str::contains("also an input"));
    assert_eq!(std::fs::read(&job).unwrap(), before);
}

/// An article without a sentence (empty, or blank lines only) gives a
/// valid XLIFF 2.0 file: its `<file>` holds an empty group, as the schema
/// wants something there (it was an empty `<file>`, which fails
/// validation), and reading it back gives no segment.
#[test]
fn an_empty_article_gives_valid_xliff20() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("empty.txt");
    std::fs::write(&article, "  \n\n").unwrap();
    let out = dir.path().join("empty.xlf");
    let tm = news_tm();
    let flags = en_fr(tm.to_str().unwrap(), &["--to", "xliff20"]);
    run(&flags, &[&article], &out).success();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("<group id=\"empty\"/>"), "{written}");
    assert_valid(&[&out], Some("xliff20"));
    let doc = Document::read(&out).unwrap();
    assert_eq!(doc.files[0].units.len(), 0);
}

/// Pretranslating a folder into a folder inside it, twice: the jobs written
/// by the first run are not inputs of the second.
#[test]
fn output_folder_inside_the_input_folder() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("jobs");
    std::fs::create_dir(&jobs).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/en-port-strike.txt"),
        jobs.join("en-port-strike.txt"),
    )
    .unwrap();
    let out = jobs.join("out");
    let mut out_arg = out.clone().into_os_string();
    out_arg.push("/");
    for _ in 0..2 {
        tmkit()
            .args(["pretranslate", "-q", "--src", "en", "--tgt", "fr", "--tm"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tmx/en-fr.news.tmx"))
            .arg(&jobs)
            .arg("-o")
            .arg(&out_arg)
            .assert()
            .success();
    }
    let written: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(written.len(), 1);
}

/// The JSON report of an English-to-French `analyze` of `input` with memory `tm`.
fn analyze_json(tm: &str, input: &Path) -> serde_json::Value {
    let out = tmkit()
        .args(["analyze", "-q", "--format", "json"])
        .args(en_fr(tm, &[]))
        .arg(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A quote counts what is translated: `analyze`, `segment` and `match` see
/// the same segments of a page or a Markdown file as `pretranslate` writes,
/// the headline included and no markup (no URL words).
#[test]
fn analyze_segment_and_match_see_the_segments_pretranslate_writes() {
    let dir = tempfile::tempdir().unwrap();
    let tm = news_tm();
    let tm = tm.to_str().unwrap();
    let html_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
    for name in ["headline_page.html", "headline_notes.md"] {
        let input = html_dir.join(name);
        let xlf = dir.path().join(format!("{name}.xlf"));
        run(&en_fr(tm, &[]), &[&input], &xlf).success();
        let doc = Document::read(&xlf).unwrap();
        let sources: Vec<String> = doc.files[0]
            .units
            .iter()
            .map(|u| u.segments[0].source.plain_text())
            .collect();
        assert_eq!(sources[0], "Council backs the new bridge", "{name}");
        assert_eq!(sources.len(), 4, "{name}: {sources:?}");

        let v = analyze_json(tm, &input);
        let total = &v["total"]["total"];
        assert_eq!(total["segments"], sources.len(), "{name}");
        let words: u64 = sources
            .iter()
            .map(|s| tmkit::text::tokenize::count_words(s).words)
            .sum();
        assert_eq!(total["words"], words, "{name}");

        let out = tmkit()
            .args(["segment", "--lang", "en"])
            .arg(&input)
            .output()
            .unwrap();
        let lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(lines, sources, "{name}");

        let out = tmkit()
            .args(["match", "--format", "jsonl"])
            .args(en_fr(tm, &[]))
            .arg(&input)
            .output()
            .unwrap();
        let queries: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["query"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(queries, sources, "{name}");
    }
}

/// A folder: analyze counts the files pretranslate takes from it (pages too).
#[test]
fn analyze_counts_the_files_pretranslate_takes_from_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job");
    std::fs::create_dir(&job).unwrap();
    let html_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
    for name in ["headline_page.html", "headline_notes.md"] {
        std::fs::copy(html_dir.join(name), job.join(name)).unwrap();
    }
    let tm = news_tm();
    let tm = tm.to_str().unwrap();
    let out = dir.path().join("out/");
    run(&en_fr(tm, &[]), &[&job], &out).success();
    let written: usize = ["headline_page.html.xlf", "headline_notes.md.xlf"]
        .iter()
        .map(|f| Document::read(&out.join(f)).unwrap().files[0].units.len())
        .sum();
    let v = analyze_json(tm, &job);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["total"]["total"]["segments"], written);
}

/// Pretranslates the fixture `name` with a memory whose euro sign ISO-8859-1
/// cannot hold; returns the input's and the output's bytes.
fn pretranslate_encoded(name: &str) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let memory = dir.path().join("en-fr.tsv");
    std::fs::write(
        &memory,
        "The price is 5 euros.\tLe prix : 5 €, à payer.\nGood morning.\tBonjour à tous.\n",
    )
    .unwrap();
    let input = fixture(name);
    let out = dir.path().join(name);
    run(&en_fr(memory.to_str().unwrap(), &[]), &[&input], &out)
        .success()
        .stderr(predicate::str::contains("2 exact"));
    assert_valid(&[&out], Some("xliff12-transitional"));
    (std::fs::read(&input).unwrap(), std::fs::read(&out).unwrap())
}

/// Checks that `xml` is well-formed (quick-xml, end tags matched) and that
/// the unit 1 and 2 targets are the memory's.
fn assert_filled(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
    let doc = Document::parse_str(xml, None).unwrap();
    let targets: Vec<String> = doc.files[0]
        .units
        .iter()
        .map(|u| {
            u.segments[0]
                .target
                .as_ref()
                .map(|t| t.plain_text())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        targets,
        [
            "Le prix : 5 €, à payer.",
            "Bonjour à tous.",
            "Déjà traduit."
        ]
    );
}

/// The bytes of `input` before its first `<target/>` and from unit 3 on are
/// the output's first and last bytes (`enc` encodes a marker as the file does).
fn assert_kept_outside_targets(input: &[u8], output: &[u8], enc: impl Fn(&str) -> Vec<u8>) {
    let find = |needle: Vec<u8>| {
        input
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
            .unwrap()
    };
    let (first, unit3) = (find(enc("<target/>")), find(enc("   <trans-unit id=\"3\"")));
    assert_eq!(output[..first], input[..first]);
    assert!(output.ends_with(&input[unit3..]));
}

#[test]
fn a_utf16_xliff_is_written_back_in_utf16_with_its_bom() {
    let (input, output) = pretranslate_encoded("utf16.xlf");
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    assert!(output.starts_with(b"\xFF\xFE<\0?\0x\0m\0l\0"));
    assert_kept_outside_targets(&input, &output, utf16);
    let units: Vec<u16> = output[2..]
        .chunks(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(text.contains("\r\n   <trans-unit id=\"2\">"), "{text}");
    assert_filled(&text);
}

#[test]
fn a_latin1_xliff_is_written_back_in_latin1_with_references_for_the_rest() {
    let (input, output) = pretranslate_encoded("latin1.xlf");
    let latin1 = |s: &str| -> Vec<u8> { s.chars().map(|c| c as u8).collect() };
    assert_kept_outside_targets(&input, &output, latin1);
    // The é of the target is one byte; the euro sign, which ISO-8859-1 cannot hold, a reference.
    let text: String = output.iter().map(|&b| char::from(b)).collect();
    assert!(text.contains("5 &#x20AC;, \u{e0} payer."), "{text}");
    assert!(!output.windows(2).any(|w| w == "é".as_bytes()));
    assert_filled(&text);
}
