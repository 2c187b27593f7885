//! `tmkit tm export -o OUT.xlf`: XLIFF 1.2 (one `<file>` per language pair)
//! and 2.0 from a real SQLite store, checked against the official schemas,
//! read back by translate-toolkit, filtered like the TMX/TSV exports, and
//! imported into a new store with the same units.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tmkit::store::{self, Filter};
use tmkit::text::LanguageTag;

mod support;
use support::tmkit;

/// A store with `tests/fixtures/store/rich.tmx` imported (en-fr, en-ja,
/// en-ar; inline codes, a note, tuids, dates; two sources with different
/// targets, of which the import keeps the newest).
fn rich_store(dir: &Path) -> PathBuf {
    let db = dir.join("team.tmdb");
    tmkit()
        .args(["-q", "tm", "import", "--on-duplicate", "newest", "--tm"])
        .arg(&db)
        .args(["--project", "atlas", "--client", "acme", "--domain", "law"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/rich.tmx"))
        .assert()
        .success();
    db
}

/// `db` with `file` imported into it.
fn import_into(db: &Path, file: &Path) -> PathBuf {
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(db)
        .arg(file)
        .assert()
        .success();
    db.to_path_buf()
}

fn export(db: &Path, out: &Path, extra: &[&str]) {
    tmkit()
        .args(["-q", "tm", "export", "--tm"])
        .arg(db)
        .args(extra)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

/// For the units of `db` holding `src` and `tgt`: source and target with
/// inline codes as placeholders, and the notes.
/// Imports `n` en-fr units into `db`, the TSV line of each made by `line`.
fn import_many(db: &Path, n: usize, line: impl Fn(usize) -> String) {
    let tsv = db.with_extension("many.tsv");
    std::fs::write(&tsv, (0..n).map(line).collect::<String>()).unwrap();
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(db)
        .args(["--src", "en", "--tgt", "fr"])
        .arg(&tsv)
        .assert()
        .success();
}

fn pair_units(db: &Path, src: &str, tgt: &str) -> BTreeSet<(String, String, Vec<String>)> {
    let (s, t): (LanguageTag, LanguageTag) = (src.parse().unwrap(), tgt.parse().unwrap());
    let mut out = BTreeSet::new();
    store::open(db.to_str().unwrap())
        .unwrap()
        .for_each_unit(
            &Filter {
                src: Some(src.into()),
                tgt: Some(tgt.into()),
                ..Filter::default()
            },
            &mut |u| {
                let tu = &u.unit.tu;
                out.insert((
                    tu.variant(&s).unwrap().seg.text_with_placeholders(),
                    tu.variant(&t).unwrap().seg.text_with_placeholders(),
                    tu.notes.iter().map(|n| n.text.clone()).collect(),
                ));
                Ok(())
            },
        )
        .unwrap();
    out
}

#[test]
fn xliff12_export_has_a_file_per_pair_with_codes_ids_notes_and_states() {
    let dir = tempfile::tempdir().unwrap();
    let db = rich_store(dir.path());
    let xlf = dir.path().join("all.xlf");
    export(&db, &xlf, &[]);
    let xml = std::fs::read_to_string(&xlf).unwrap();
    assert!(xml.contains("<xliff version=\"1.2\""), "{xml}");
    for pair in [
        "source-language=\"en\" target-language=\"fr\"",
        "source-language=\"en\" target-language=\"ja\"",
        "source-language=\"en\" target-language=\"ar\"",
    ] {
        assert_eq!(xml.matches(pair).count(), 1, "{pair} in\n{xml}");
    }
    assert_eq!(xml.matches("<file ").count(), 3, "{xml}");
    assert!(xml.contains("original=\"team.tmdb (en-ja)\""), "{xml}");
    // 3 en-fr units (the older of the two ministers was not imported), 2 en-ja, 1 en-ar.
    assert_eq!(xml.matches("<trans-unit ").count(), 6, "{xml}");
    assert_eq!(xml.matches("state=\"translated\"").count(), 6, "{xml}");
    assert!(
        xml.contains("<source>Press <g id=\"1\">OK</g> to continue.</source>"),
        "{xml}"
    );
    assert!(xml.contains("resname=\"1\""), "{xml}");
    assert!(xml.contains("<note>Checked by legal.</note>"), "{xml}");
    support::assert_valid(&[&xlf], None);

    if let Some(units) = support::translate_toolkit_units(&xlf) {
        assert_eq!(units.len(), 6, "{units:?}");
        let pairs: BTreeSet<(String, String)> = units.into_iter().map(|(_, s, t)| (s, t)).collect();
        for (s, t) in [
            ("The élan of the committee.", "L'élan du comité."),
            ("The élan of the committee.", "委員会の熱意。"),
            ("The minister resigned.", "La ministre a démissionné."),
            ("Peace be upon you", "السلام عليكم"),
        ] {
            assert!(
                pairs.contains(&(s.into(), t.into())),
                "{s} → {t} in {pairs:?}"
            );
        }
    }
}

#[test]
fn every_filter_selects_for_xliff_what_it_selects_for_tsv() {
    let dir = tempfile::tempdir().unwrap();
    let db = rich_store(dir.path());
    let cases: &[&[&str]] = &[
        &[],
        &["--since", "2024-02-01"],
        &["--until", "2024-02-01"],
        &["--user", "bob"],
        &["--project", "atlas"],
        &["--project", "other"],
        &["--client", "acme"],
        &["--domain", "law"],
        &["--field", "x-domain=law"],
        &["--search", "elan"],
        &["--search", "minister"],
        &["--id", "1"],
    ];
    let mut nonempty = 0;
    for extra in cases {
        let mut args = vec!["--src", "en", "--tgt", "fr"];
        args.extend_from_slice(extra);
        let (tsv, xlf) = (dir.path().join("f.tsv"), dir.path().join("f.xlf"));
        export(&db, &tsv, &args);
        export(&db, &xlf, &args);
        let text = std::fs::read_to_string(&tsv).unwrap();
        assert!(
            text.starts_with("en\tfr\n"),
            "{extra:?}: no header row\n{text}"
        );
        let lines = text.lines().count() - 1;
        let xml = std::fs::read_to_string(&xlf).unwrap();
        assert_eq!(
            xml.matches("<trans-unit ").count(),
            lines,
            "{extra:?}: XLIFF and TSV disagree\n{xml}"
        );
        assert_eq!(xml.matches("<file ").count(), 1, "{extra:?}\n{xml}");
        if lines > 0 {
            nonempty += 1;
        }
        support::assert_valid(&[&xlf], None);
    }
    // The filters really narrow: not every case is all or nothing.
    assert!(nonempty >= 6, "{nonempty}");
    let xlf = dir.path().join("since.xlf");
    export(
        &db,
        &xlf,
        &["--src", "en", "--tgt", "fr", "--since", "2024-02-01"],
    );
    let xml = std::fs::read_to_string(&xlf).unwrap();
    assert_eq!(xml.matches("<trans-unit ").count(), 2, "{xml}");
    assert!(!xml.contains("élan"), "{xml}");
}

#[test]
fn xliff20_export_is_valid_and_needs_one_pair() {
    let dir = tempfile::tempdir().unwrap();
    let db = rich_store(dir.path());
    let xlf = dir.path().join("fr.xlf");
    export(
        &db,
        &xlf,
        &["--src", "en", "--tgt", "fr", "--xliff-version", "2.0"],
    );
    let xml = std::fs::read_to_string(&xlf).unwrap();
    assert!(xml.contains("version=\"2.0\""), "{xml}");
    assert!(xml.contains("trgLang=\"fr\""), "{xml}");
    assert!(xml.contains("original=\"team.tmdb\""), "{xml}");
    // The placeholder of a file without units is not left in one with units.
    assert!(!xml.contains("<group id=\"empty\"/>"), "{xml}");
    support::assert_valid(&[&xlf], None);
    if let Some(units) = support::translate_toolkit_units20(&xlf) {
        assert_eq!(units.len(), 3, "{units:?}");
    }
    let out = tmkit()
        .args(["tm", "export", "--tm"])
        .arg(&db)
        .args(["--xliff-version", "2.0", "-o"])
        .arg(dir.path().join("all.xlf"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("one language pair"), "{err}");
    assert!(!dir.path().join("all.xlf").exists());
    tmkit()
        .args(["tm", "export", "--tm"])
        .arg(&db)
        .args(["--xliff-version", "2.0", "-o"])
        .arg(dir.path().join("all.tmx"))
        .assert()
        .code(2);
}

#[test]
fn store_to_xliff_to_a_new_store_keeps_the_units() {
    let dir = tempfile::tempdir().unwrap();
    let db = rich_store(dir.path());
    let xlf = dir.path().join("all.xlf");
    export(&db, &xlf, &[]);
    let copy = import_into(&dir.path().join("copy.tmdb"), &xlf);
    for (s, t, n) in [("en", "fr", 3), ("en", "ja", 2), ("en", "ar", 1)] {
        let before = pair_units(&db, s, t);
        assert_eq!(before.len(), n, "{s}-{t}: {before:?}");
        assert_eq!(pair_units(&copy, s, t), before, "{s}-{t}");
    }
    // Inline codes survived as codes, not as text.
    assert!(
        pair_units(&copy, "en", "fr")
            .iter()
            .any(|(s, _, _)| s == "Press {1}OK{/1} to continue."),
        "{:?}",
        pair_units(&copy, "en", "fr")
    );
}

#[test]
fn a_large_export_is_written_in_chunks_with_ids_running_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = rich_store(dir.path());
    // More units than one chunk of the streaming writer (2,000).
    import_many(&db, 4_500, |i| {
        format!("Sentence number {i} & <more>.\tPhrase numéro {i} & <plus>.\n")
    });
    let xlf = dir.path().join("all.xlf");
    export(&db, &xlf, &[]);
    let xml = std::fs::read_to_string(&xlf).unwrap();
    assert_eq!(xml.matches("<file ").count(), 3);
    assert_eq!(xml.matches("<trans-unit ").count(), 4_503 + 2 + 1);
    // en-fr ids run 1..=4503 without a repeat.
    let fr = &xml[..xml.find("target-language=\"ja\"").unwrap()];
    for id in [1, 2_000, 2_001, 4_000, 4_001, 4_503] {
        assert_eq!(
            fr.matches(&format!("<trans-unit id=\"{id}\"")).count(),
            1,
            "id {id}"
        );
    }
    assert!(!fr.contains("<trans-unit id=\"4504\""));
    assert!(xml.contains("<source>Sentence number 4499 &amp; &lt;more&gt;.</source>"));
    assert_eq!(xml.matches("<xliff ").count(), 1);
    assert_eq!(xml.matches("</xliff>").count(), 1);
    support::assert_valid(&[&xlf], None);
    let copy = import_into(&dir.path().join("copy.tmdb"), &xlf);
    assert_eq!(pair_units(&copy, "en", "fr"), pair_units(&db, "en", "fr"));
}

/// A TMX whose `srclang` is `en` while its variants are `en-US` and
/// `fr-FR` (as `tmx/en-fr.news.tmx`), one unit listing French first: the
/// store takes `en-US` as the source language. It kept `en`, which named no
/// variant: `tm stats` listed an `en → en-US` pair and counted no source
/// words, and an export without `--src/--tgt` wrote an `en → en-US` XLIFF
/// file whose targets were the English sources, marked translated.
#[test]
fn a_source_language_in_another_region_names_the_source_variant() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("regions.tmx");
    std::fs::write(
        &tmx,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" adminlang="en" datatype="plaintext" segtype="sentence" o-tmf="x" creationtool="test" creationtoolversion="1"/><body>
<tu><tuv xml:lang="en-US"><seg>The port is closed.</seg></tuv><tuv xml:lang="fr-FR"><seg>Le port est fermé.</seg></tuv></tu>
<tu><tuv xml:lang="fr-FR"><seg>La grève continue.</seg></tuv><tuv xml:lang="en-US"><seg>The strike goes on.</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
    let db = import_into(&dir.path().join("team.tmdb"), &tmx);
    let stats = support::stdout_of(
        tmkit()
            .args(["tm", "stats", "--format", "json", "--tm"])
            .arg(&db),
    );
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["pairs"], serde_json::json!([["en-US", "fr-FR", 2]]));
    assert_eq!(stats["source_words"], 8);
    let xlf = dir.path().join("all.xlf");
    export(&db, &xlf, &[]);
    let written = std::fs::read_to_string(&xlf).unwrap();
    assert_eq!(written.matches("<file ").count(), 1, "{written}");
    assert!(written.contains(r#"source-language="en-US" target-language="fr-FR""#));
    assert!(written.contains("<source>The strike goes on.</source>"));
    assert!(!written.contains(r#"<target state="translated">The"#));
}

/// One TSV convention end to end: `tmx convert` TMX → TSV, `tm import`,
/// `tm export` TSV, `match --tm` on that TSV give back a tab, a line break,
/// a backslash and a backslash-n written literally in the TMX (escaped
/// `\\n`, so it is no line break); a third-party TSV holding `C:\path`
/// reads unchanged.
#[test]
fn tsv_escapes_survive_convert_import_export_and_match() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = [
        ("Press the tab key.", "Appuyez sur\tTab."),
        ("Two lines here.", "Deux\nlignes ici."),
        ("Open C:\\path now.", "Ouvrez C:\\path maintenant."),
        ("Type \\n to break.", "Tapez \\n pour couper."),
    ];
    let mut tmx = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header srclang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" adminlang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" o-tmf=\"t\"/><body>\n",
    );
    for (en, fr) in pairs {
        tmx += &format!(
            "<tu><tuv xml:lang=\"en\"><seg>{en}</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv></tu>\n"
        );
    }
    tmx += "</body></tmx>\n";
    let d = dir.path();
    std::fs::write(d.join("in.tmx"), tmx).unwrap();
    tmkit()
        .args([
            "-q", "tmx", "convert", "in.tmx", "a.tsv", "--src", "en", "--tgt", "fr",
        ])
        .current_dir(d)
        .assert()
        .success();
    let converted = std::fs::read_to_string(d.join("a.tsv")).unwrap();
    assert!(
        converted.contains("Tapez \\\\n pour couper.") && converted.lines().count() == 5,
        "{converted}"
    );
    let db = import_into(&d.join("team.tmdb"), &d.join("a.tsv"));
    let exported = d.join("b.tsv");
    export(&db, &exported, &["--src", "en", "--tgt", "fr"]);
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), converted);
    let third_party = d.join("c.tsv");
    std::fs::write(
        &third_party,
        "Open C:\\path now.\tOuvrez C:\\path maintenant.\n",
    )
    .unwrap();
    let doc = d.join("doc.txt");
    let text: Vec<&str> = pairs.iter().map(|(en, _)| *en).collect();
    std::fs::write(&doc, text.join(" ") + "\n").unwrap();
    for (memory, expected) in [(&exported, &pairs[..]), (&third_party, &pairs[2..3])] {
        let out = tmkit()
            .args([
                "-q", "match", "--src", "en", "--tgt", "fr", "--format", "jsonl", "--tm",
            ])
            .arg(memory)
            .arg(&doc)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let got: Vec<(String, String)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let m = v["matches"].get(0)?;
                (m["score"].as_u64()? >= 100).then(|| {
                    (
                        m["source"].as_str().unwrap().to_string(),
                        m["target"].as_str().unwrap().to_string(),
                    )
                })
            })
            .collect();
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(s, t)| (s.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, want, "{}", memory.display());
    }
}

/// `--src en --tgt fr` to XLIFF over `en-US`/`fr-FR` variants: the file is
/// in `en-US` and `fr-FR` when every unit written agrees (as `tmx convert`
/// writes), else in the tags asked for, and in either case one well-formed
/// `<file>`: a chunk whose units agreed wrote a second file head before.
#[test]
fn a_pair_export_to_xliff_names_the_variants_own_tags_when_they_agree() {
    for (units, expected) in [(2, ("en-US", "fr-FR")), (2_001, ("en", "fr-FR"))] {
        let dir = tempfile::tempdir().unwrap();
        let mut tmx = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header srclang=\"en-US\" datatype=\"plaintext\" segtype=\"sentence\" adminlang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" o-tmf=\"t\"/><body>\n",
        );
        for i in 0..units {
            // More than one chunk (2,000): the last unit is in another region.
            let en = if i == 2_000 { "en-GB" } else { "en-US" };
            tmx += &format!(
                "<tu><tuv xml:lang=\"{en}\"><seg>Colour {i}</seg></tuv><tuv xml:lang=\"fr-FR\"><seg>Couleur {i}</seg></tuv></tu>\n"
            );
        }
        tmx += "</body></tmx>\n";
        let file = dir.path().join("us.tmx");
        std::fs::write(&file, tmx).unwrap();
        let db = import_into(&dir.path().join("team.tmdb"), &file);
        let xlf = dir.path().join("us.xlf");
        export(&db, &xlf, &["--src", "en", "--tgt", "fr"]);
        let xml = std::fs::read_to_string(&xlf).unwrap();
        assert_eq!(xml.matches("<file ").count(), 1, "{units}");
        let head = format!(
            "source-language=\"{}\" target-language=\"{}\"",
            expected.0, expected.1
        );
        assert!(xml.contains(&head), "{units}: {}", &xml[..400]);
        assert_eq!(xml.matches("<trans-unit ").count(), units);
        support::assert_valid(&[&xlf], None);
    }
}

/// XLIFF 2.0 files of no, one and many units (more than a chunk of the
/// streaming writer) validate: the writer puts its placeholder group in a
/// file without units only, and the export takes each file's end from it.
#[test]
fn xliff20_export_of_no_one_and_many_units_validates() {
    let dir = tempfile::tempdir().unwrap();
    let db = rich_store(dir.path());
    import_many(&db, 2_100, |i| format!("Line {i}.\tLigne {i}.\n"));
    for (tgt, units) in [("de", 0), ("ar", 1), ("fr", 2_103)] {
        let xlf = dir.path().join(format!("{tgt}.xlf"));
        export(
            &db,
            &xlf,
            &["--src", "en", "--tgt", tgt, "--xliff-version", "2.0"],
        );
        let xml = std::fs::read_to_string(&xlf).unwrap();
        assert_eq!(xml.matches("<unit ").count(), units, "{tgt}");
        assert_eq!(
            xml.contains("<group id=\"empty\"/>"),
            units == 0,
            "{tgt}: {xml}"
        );
        assert!(xml.ends_with("  </file>\n</xliff>\n"), "{tgt}");
        support::assert_valid(&[&xlf], None);
    }
}

/// The TSV export's header row names the variants' own tags when every
/// pair exported has the same, else the language they share: it named
/// --src/--tgt as given (en, fr for en-US and fr-FR units).
#[test]
fn a_tsv_export_names_the_variants_own_tags_else_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("regions.tmx");
    let unit = |en: &str, text: &str| {
        format!(
            "<tu><tuv xml:lang=\"{en}\"><seg>{text}</seg></tuv><tuv xml:lang=\"fr-FR\"><seg>{text} fr</seg></tuv></tu>\n"
        )
    };
    std::fs::write(
        &tmx,
        format!(
            "<tmx version=\"1.4\"><header srclang=\"en-US\"/><body>\n{}{}</body></tmx>\n",
            unit("en-US", "Color"),
            unit("en-GB", "Colour")
        ),
    )
    .unwrap();
    let db = import_into(&dir.path().join("team.tmdb"), &tmx);
    let first_row = |extra: &[&str]| {
        let tsv = dir.path().join("out.tsv");
        export(&db, &tsv, extra);
        let text = std::fs::read_to_string(&tsv).unwrap();
        text.lines().next().unwrap().to_string()
    };
    assert_eq!(first_row(&["--src", "en", "--tgt", "fr"]), "en\tfr-FR");
    assert_eq!(
        first_row(&["--src", "en-US", "--tgt", "fr"]),
        "en-US\tfr-FR"
    );
    // A region asked selects that region's units only.
    assert_eq!(
        first_row(&["--src", "en-GB", "--tgt", "fr-FR"]),
        "en-GB\tfr-FR"
    );
    assert_eq!(
        first_row(&["--src", "en", "--tgt", "fr", "--search", "Colour"]),
        "en-GB\tfr-FR"
    );
}
