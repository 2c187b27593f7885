//! `tmkit tm import` of the formats beyond TMX and TSV: XLIFF 1.2/2.0 (Trados,
//! memoQ, Okapi), PO and CSV. What goes into the store is what `tmx convert`
//! makes of the same file (finished segments, inline codes, notes, ids), a
//! re-import changes nothing, and a file that does not say its languages is
//! refused by name. SQLite always; PostgreSQL too when `TMKIT_TEST_PG` is set.

use std::path::{Path, PathBuf};

use tmkit::store::{self, Filter, SearchQuery};
use tmkit::tmx::{Tmx, Tu};

mod support;
use support::tmkit;

fn xliff_fixture(name: &str) -> PathBuf {
    support::fixture(name)
}

/// A fresh SQLite store, and a fresh PostgreSQL schema when `TMKIT_TEST_PG` is set.
fn engines(dir: &Path, name: &str) -> Vec<String> {
    let mut specs = vec![
        dir.join(format!("{name}.tmdb"))
            .to_string_lossy()
            .into_owned(),
    ];
    match std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let schema = format!("tmkit_test_import_{name}");
            store::postgres::reset_schema(&base, &schema).expect("reset the test schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            specs.push(format!(
                "{base}{sep}options=-csearch_path%3D{schema}%2Cpublic"
            ));
        }
        None => support::skipped("store import on PostgreSQL", "TMKIT_TEST_PG is not set"),
    }
    specs
}

fn read_tmx(path: &Path) -> Tmx {
    Tmx::parse_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// What a comparison looks at: tuid, notes, and each variant's language
/// (case-folded) and segment with its inline codes.
fn key(tu: &Tu) -> (Option<String>, Vec<String>, Vec<(String, String)>) {
    (
        tu.tuid.clone(),
        tu.notes.iter().map(|n| n.text.clone()).collect(),
        tu.tuvs
            .iter()
            .map(|v| (v.lang.to_ascii_lowercase(), v.seg.text_with_placeholders()))
            .collect(),
    )
}

#[test]
fn xliff_and_po_units_match_tmx_convert_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        "job20.xlf",
        "trados.sdlxliff",
        "memoq.mqxliff",
        "okapi-extract.xlf",
        "messages.po",
    ];
    // The reference: `tmx convert` of each file.
    let mut expected = Vec::new();
    for f in files {
        let out = dir.path().join(format!("{f}.tmx"));
        // PO names only its target language; the XLIFF files declare both.
        let mut cmd = tmkit();
        cmd.args(["-q", "tmx", "convert"]);
        if f.ends_with(".po") {
            cmd.args(["--src", "en", "--tgt", "fr"]);
        }
        cmd.arg(xliff_fixture(f)).arg(&out).assert().success();
        expected.extend(read_tmx(&out).tus.iter().map(key));
    }
    assert!(expected.len() >= 8, "{expected:?}");
    assert!(
        expected
            .iter()
            .any(|(_, _, v)| v.iter().any(|(_, s)| s.contains('{'))),
        "the fixtures have inline codes"
    );
    assert!(expected.iter().any(|(_, notes, _)| !notes.is_empty()));
    for spec in engines(dir.path(), "bilingual") {
        for round in 0..2 {
            let mut cmd = tmkit();
            cmd.args(["tm", "import", "--tm", &spec, "--src", "en", "--tgt", "fr"]);
            for f in files {
                cmd.arg(xliff_fixture(f));
            }
            let out = cmd.assert().success().get_output().clone();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("segment(s) left out: not finished"), "{err}");
            if round == 1 {
                assert!(err.contains("imported 0 unit(s)"), "{spec}: {err}");
            }
        }
        let out = dir.path().join("export.tmx");
        tmkit()
            .args(["-q", "tm", "export", "--tm", &spec, "-o"])
            .arg(&out)
            .assert()
            .success();
        let mut got: Vec<_> = read_tmx(&out).tus.iter().map(key).collect();
        let mut want = expected.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{spec}");

        // The file's `original` and the segment's state are kept as fields.
        let mut db = store::open(&spec).unwrap();
        let hit = db
            .search(&SearchQuery::new("first of its kind"))
            .unwrap()
            .into_iter()
            .next()
            .expect("the PO unit is found");
        assert!(
            hit.unit
                .origin
                .as_deref()
                .is_some_and(|o| o.ends_with("messages.po"))
        );
        let trados = db
            .count(&Filter {
                fields: vec![("state".into(), "ApprovedSignOff".into())],
                ..Filter::default()
            })
            .unwrap();
        let states: Vec<String> = {
            let mut all = Vec::new();
            db.for_each_unit(&Filter::default(), &mut |u| {
                all.extend(
                    u.unit
                        .fields
                        .iter()
                        .filter(|(k, _)| k == "state")
                        .map(|(_, v)| v.clone()),
                );
                Ok(())
            })
            .unwrap();
            all
        };
        assert!(!states.is_empty(), "{spec}: states kept");
        assert_eq!(
            trados,
            states.iter().filter(|s| *s == "ApprovedSignOff").count() as u64
        );
    }
}

/// Runs an import expected to fail with exit 1; its standard error.
fn import_fails(db: &Path, file: &Path) -> String {
    let out = tmkit()
        .args(["tm", "import", "--tm"])
        .arg(db)
        .arg(file)
        .assert()
        .code(1)
        .get_output()
        .clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_po_file_without_its_source_language_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("po.tmdb");
    let err = import_fails(&db, &xliff_fixture("messages.po"));
    assert!(
        err.contains("messages.po") && err.contains("--src and --tgt"),
        "{err}"
    );
    assert_eq!(
        store::open(&db.to_string_lossy())
            .unwrap()
            .count(&Filter::default())
            .unwrap(),
        0
    );
}

#[test]
fn csv_rows_with_a_language_header_and_note_column_import_once() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("glossary.csv");
    std::fs::write(
        &csv,
        "en-GB,fr-FR,comment\n\"Strike, general\",Grève générale,labour\nUnion,Syndicat,\n\"He said \"\"no\"\"\",Il a dit « non »,quote\n",
    )
    .unwrap();
    for spec in engines(dir.path(), "csv") {
        for _ in 0..2 {
            tmkit()
                .args(["-q", "tm", "import", "--tm", &spec])
                .arg(&csv)
                .assert()
                .success();
        }
        let mut db = store::open(&spec).unwrap();
        assert_eq!(db.count(&Filter::default()).unwrap(), 3, "{spec}");
        let hit = &db.search(&SearchQuery::new("strike, GEN")).unwrap()[0];
        let tu = &hit.unit.tu;
        assert_eq!(tu.tuvs[0].lang, "en-GB");
        assert_eq!(tu.tuvs[1].seg.plain_text(), "Grève générale");
        assert_eq!(tu.notes[0].text, "labour");
        assert_eq!(hit.unit.origin_position, Some(1));
        let quoted = &db.search(&SearchQuery::new("said \"no\"")).unwrap();
        assert_eq!(quoted.len(), 1, "{spec}");
        // A fuzzy lookup from the store finds the rows.
        let out = tmkit()
            .args([
                "match",
                "--tm",
                &spec,
                "--src",
                "en-GB",
                "--tgt",
                "fr-FR",
                "--format",
                "jsonl",
                "Strike, general",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert!(
            String::from_utf8_lossy(&out).contains("Grève générale"),
            "{spec}"
        );
    }
}

#[test]
fn csv_without_languages_needs_src_and_tgt_and_folders_take_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let csv = inputs.join("terms.csv");
    std::fs::write(&csv, "walkout,débrayage\n").unwrap();
    let db = dir.path().join("f.tmdb");
    let err = import_fails(&db, &csv);
    assert!(
        err.contains("terms.csv") && err.contains("no language pair"),
        "{err}"
    );
    std::fs::copy(xliff_fixture("job20.xlf"), inputs.join("job20.xlf")).unwrap();
    std::fs::copy(xliff_fixture("messages.po"), inputs.join("messages.po")).unwrap();
    std::fs::write(inputs.join("notes.md"), "not a memory").unwrap();
    tmkit()
        .args(["-q", "tm", "import", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(&db)
        .arg(&inputs)
        .assert()
        .success();
    let mut db = store::open(&db.to_string_lossy()).unwrap();
    let origins: std::collections::BTreeSet<String> = {
        let mut all = std::collections::BTreeSet::new();
        db.for_each_unit(&Filter::default(), &mut |u| {
            let origin = PathBuf::from(u.unit.origin.clone().unwrap_or_default());
            all.insert(origin.file_name().unwrap().to_string_lossy().into_owned());
            Ok(())
        })
        .unwrap();
        all
    };
    assert_eq!(
        origins.into_iter().collect::<Vec<_>>(),
        ["job20.xlf", "messages.po", "terms.csv"]
    );
}

#[test]
fn a_unit_replaced_by_a_later_one_of_the_same_import_leaves_a_sound_index() {
    // Two units whose sources differ only by inline codes: the second, newer,
    // replaces the first (--on-duplicate newest). Into a store that holds a
    // unit already (no index built beside), the first's concordance row was
    // left behind: `tm check` then found the index malformed.
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("codes.tmx");
    std::fs::write(
        &tmx,
        r#"<?xml version="1.0"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>
<tu creationdate="20240101T000000Z"><tuv xml:lang="en"><seg>A simple sentence.</seg></tuv><tuv xml:lang="fr"><seg>Une phrase simple.</seg></tuv></tu>
<tu creationdate="20240202T000000Z"><tuv xml:lang="en"><seg>A <bpt i="1">&lt;b&gt;</bpt>simple<ept i="1">&lt;/b&gt;</ept> sentence.</seg></tuv><tuv xml:lang="fr"><seg>Une phrase <bpt i="1">&lt;b&gt;</bpt>simple<ept i="1">&lt;/b&gt;</ept>.</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
    for db in engines(dir.path(), "replace") {
        tmkit()
            .args(["tm", "add", "--tm", &db, "--src", "en", "--tgt", "fr"])
            .args(["Good morning.", "Bonjour."])
            .assert()
            .success();
        tmkit()
            .args(["tm", "import", "--on-duplicate", "newest", "--tm", &db])
            .arg(&tmx)
            .assert()
            .success();
        tmkit()
            .args(["tm", "check", "--tm", &db])
            .assert()
            .success();
        let found = tmkit()
            .args(["tm", "search", "--tm", &db, "simple sentence"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&found.stdout).lines().count(), 1);
    }
}

/// What a TMX file holds that the store cannot (here an external entity,
/// never fetched) is named with its position on stderr, as `tmx convert`
/// names it, instead of being imported as if the text were whole.
#[test]
fn tmx_content_the_store_does_not_hold_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("external.tmx");
    std::fs::write(
        &tmx,
        r#"<?xml version="1.0"?>
<!DOCTYPE tmx [ <!ENTITY secret SYSTEM "file:///etc/hostname"> ]>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>
<tu><tuv xml:lang="en"><seg>Hello &secret;.</seg></tuv><tuv xml:lang="fr"><seg>Bonjour.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Good night.</seg></tuv><tuv xml:lang="fr"><seg>Bonne nuit.</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
    let db = dir.path().join("t.tmdb");
    let out = tmkit()
        .args(["tm", "import", "--tm"])
        .arg(&db)
        .arg(&tmx)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: ") && stderr.contains("external.tmx:4:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("external entity") && stderr.contains("(not in the store)"),
        "{stderr}"
    );
    // The file's other units are imported all the same.
    assert!(stderr.contains("imported 2 unit(s)"), "{stderr}");
}

/// A TSV file whose first row is the pair's language codes, as `tmx
/// convert` writes it: the row gives the pair when neither the name nor
/// `--src/--tgt` does, and it is never imported as a translation. It was
/// stored as a unit `en-GB` → `fr-FR` (with `--src/--tgt`), and without
/// them the file was refused as not saying its languages.
#[test]
fn a_tsv_header_row_of_language_codes_names_the_pair_and_is_no_unit() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("glossary.tsv");
    std::fs::write(
        &tsv,
        "en-GB\tfr-FR\nGeneral strike\tGrève générale\nTrade union\tSyndicat\n",
    )
    .unwrap();
    for (name, flags) in [
        ("header", &[][..]),
        ("flags", &["--src", "en", "--tgt", "fr"][..]),
    ] {
        let db = dir.path().join(format!("{name}.tmdb"));
        tmkit()
            .args(["-q", "tm", "import", "--tm"])
            .arg(&db)
            .args(flags)
            .arg(&tsv)
            .assert()
            .success();
        let mut db = store::open(&db.to_string_lossy()).unwrap();
        assert_eq!(db.count(&Filter::default()).unwrap(), 2, "{name}");
        assert!(
            db.search(&SearchQuery::new("en-GB")).unwrap().is_empty(),
            "{name}"
        );
        let hit = &db.search(&SearchQuery::new("trade union")).unwrap()[0];
        assert_eq!(hit.unit.origin_position, Some(3), "{name}: file line");
        if name == "header" {
            assert_eq!(hit.unit.tu.tuvs[0].lang, "en-GB");
            assert_eq!(hit.unit.tu.tuvs[1].lang, "fr-FR");
        }
    }
}

/// A header naming the declared languages the other way round (`fr<TAB>en`
/// with `--src en --tgt fr`) says the columns are swapped and is no unit;
/// it was stored as a unit and the file imported reversed.
#[test]
fn a_tsv_header_row_in_the_other_order_swaps_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("glossary.tsv");
    std::fs::write(&tsv, "fr\ten\nGrève générale\tGeneral strike\n").unwrap();
    let db = dir.path().join("swapped.tmdb");
    tmkit()
        .args(["-q", "tm", "import", "--src", "en", "--tgt", "fr", "--tm"])
        .arg(&db)
        .arg(&tsv)
        .assert()
        .success();
    let mut db = store::open(&db.to_string_lossy()).unwrap();
    assert_eq!(db.count(&Filter::default()).unwrap(), 1);
    let hit = &db.search(&SearchQuery::new("general strike")).unwrap()[0];
    assert_eq!(hit.unit.tu.tuvs[0].lang, "en");
    assert_eq!(hit.unit.tu.tuvs[0].seg.plain_text(), "General strike");
    assert_eq!(hit.unit.tu.tuvs[1].seg.plain_text(), "Grève générale");
}

/// With no pair given, a first row of short words is not taken for
/// language codes: `Yes<TAB>Oui` made every unit `yes` → `oui`.
#[test]
fn a_first_row_of_words_is_no_language_header() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("glossary.tsv");
    std::fs::write(&tsv, "Yes\tOui\nno\tnon\n").unwrap();
    let err = import_fails(&dir.path().join("words.tmdb"), &tsv);
    assert!(err.contains("does not say its languages"), "{err}");
}

/// A CSV file in UTF-16 with a byte-order mark (a spreadsheet's "Unicode
/// text") is imported as TSV files are; it was read as UTF-8 and refused.
#[test]
fn a_utf16_csv_file_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("glossary.csv");
    let text = "en-GB,fr-FR\r\n\"Strike, general\",Grève générale\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&csv, bytes).unwrap();
    let db = dir.path().join("u16.tmdb");
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(&db)
        .arg(&csv)
        .assert()
        .success();
    let mut db = store::open(&db.to_string_lossy()).unwrap();
    let hit = &db.search(&SearchQuery::new("strike")).unwrap()[0];
    assert_eq!(hit.unit.tu.tuvs[1].seg.plain_text(), "Grève générale");
}

/// `tm import -` reads standard input, whose format its first characters
/// say (TMX, XLIFF, PO, else TSV): it was always taken for TSV, so a TMX
/// piped in was refused as 'a TSV file [that] does not say its languages'.
#[test]
fn standard_input_is_imported_in_the_format_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<tu><tuv xml:lang=\"en\"><seg>Open</seg></tuv><tuv xml:lang=\"fr\"><seg>Ouvrir</seg></tuv></tu>\n</body></tmx>\n";
    let xliff = "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><file original=\"x\" source-language=\"en\" target-language=\"de\" datatype=\"plaintext\"><body>\n<trans-unit id=\"1\"><source>Close</source><target state=\"translated\">Schließen</target></trans-unit>\n</body></file></xliff>\n";
    let tsv = "en\tes\nSave\tGuardar\n";
    let db = dir.path().join("stdin.tmdb");
    for input in [tmx, xliff, tsv] {
        tmkit()
            .args(["-q", "tm", "import", "--tm"])
            .arg(&db)
            .arg("-")
            .write_stdin(input)
            .assert()
            .success();
    }
    let mut db = store::open(&db.to_string_lossy()).unwrap();
    for (word, lang, text) in [
        ("open", "fr", "Ouvrir"),
        ("close", "de", "Schließen"),
        ("save", "es", "Guardar"),
    ] {
        let hit = &db.search(&SearchQuery::new(word)).unwrap()[0];
        assert_eq!(hit.unit.tu.tuvs[1].lang, lang, "{word}");
        assert_eq!(hit.unit.tu.tuvs[1].seg.plain_text(), text, "{word}");
    }
}

/// A TSV on standard input whose first segment starts with `<` or `#` (a
/// software string with markup, a number sign) is still TSV: its first line
/// holds a tab. It was parsed as TMX or PO and refused.
#[test]
fn standard_input_tsv_starting_with_markup_is_tsv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stdin.tmdb");
    let tsv = "<b>Save</b>\t<b>Salva</b>\n#1 seller\t#1 venditore\n";
    tmkit()
        .args(["-q", "tm", "import", "--src", "en", "--tgt", "it", "--tm"])
        .arg(&db)
        .arg("-")
        .write_stdin(tsv)
        .assert()
        .success();
    let mut db = store::open(&db.to_string_lossy()).unwrap();
    for (word, text) in [("save", "<b>Salva</b>"), ("seller", "#1 venditore")] {
        let hit = &db.search(&SearchQuery::new(word)).unwrap()[0];
        assert_eq!(hit.unit.tu.tuvs[1].seg.plain_text(), text, "{word}");
    }
}

/// Every unit of a store, its origin left out (`<stdin>` or the file's name).
fn units_without_origin(spec: &Path) -> Vec<tmkit::store::Unit> {
    let mut db = store::open(&spec.to_string_lossy()).unwrap();
    let mut units = Vec::new();
    db.for_each_unit(&Filter::default(), &mut |u| {
        units.push(tmkit::store::Unit {
            origin: None,
            ..u.unit
        });
        Ok(())
    })
    .unwrap();
    units
}

/// `tm import -` streams standard input after reading its first 4 KiB
/// ahead to tell the format; whatever the format, it stores what importing
/// the same bytes from a file stores. The inputs are longer than what is
/// read ahead, so units straddle the two; UTF-16 is decoded either way.
#[test]
fn standard_input_imports_the_units_of_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let n = 300;
    let mut tmx = String::from(
        "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n",
    );
    let mut xliff = String::from(
        "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><file original=\"x\" source-language=\"en\" target-language=\"fr\" datatype=\"plaintext\"><body>\n",
    );
    let mut po = String::from("# a catalogue\nmsgid \"\"\nmsgstr \"\"\n\"Language: fr\\n\"\n\n");
    let mut tsv = String::new();
    for i in 0..n {
        tmx.push_str(&format!("<tu tuid=\"t{i}\"><tuv xml:lang=\"en\"><seg>File {i} <ph x=\"1\">&lt;br/&gt;</ph>saved</seg></tuv><tuv xml:lang=\"fr\"><seg>Fichier {i} enregistré</seg></tuv></tu>\n"));
        xliff.push_str(&format!("<trans-unit id=\"u{i}\"><source>Row {i} deleted</source><target state=\"translated\">Ligne {i} supprimée</target></trans-unit>\n"));
        po.push_str(&format!(
            "msgid \"Page {i} printed\"\nmsgstr \"Page {i} imprimée\"\n\n"
        ));
        tsv.push_str(&format!("Item {i} moved\tÉlément {i} déplacé\n"));
    }
    tmx.push_str("</body></tmx>\n");
    xliff.push_str("</body></file></xliff>\n");
    let utf16 = |text: &str| {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    };
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("memory.tmx", tmx.clone().into_bytes()),
        (
            "memory16.tmx",
            utf16(&tmx.replacen("?>", " encoding=\"UTF-16\"?>", 1)),
        ),
        ("memory.xlf", xliff.into_bytes()),
        ("memory.po", po.into_bytes()),
        ("memory.tsv", tsv.clone().into_bytes()),
        ("memory16.tsv", utf16(&tsv)),
    ];
    for (name, bytes) in inputs {
        assert!(bytes.len() > 4096, "{name}: longer than the read-ahead");
        let file = dir.path().join(name);
        std::fs::write(&file, &bytes).unwrap();
        let from_file = dir.path().join(format!("{name}.file.tmdb"));
        let from_stdin = dir.path().join(format!("{name}.stdin.tmdb"));
        let import = |db: &Path| {
            let mut cmd = tmkit();
            cmd.args(["-q", "tm", "import", "--src", "en", "--tgt", "fr", "--tm"])
                .arg(db);
            cmd
        };
        import(&from_file).arg(&file).assert().success();
        import(&from_stdin)
            .arg("-")
            .write_stdin(bytes)
            .assert()
            .success();
        let mut want = units_without_origin(&from_file);
        assert_eq!(want.len(), n, "{name}");
        if name.ends_with(".po") {
            // A PO file's `original` is its name, which standard input lacks.
            for unit in &mut want {
                unit.fields.retain(|(k, _)| k != "original");
            }
        }
        let got = units_without_origin(&from_stdin);
        let first_difference = got.iter().zip(&want).position(|(g, w)| g != w);
        assert!(
            got.len() == want.len() && first_difference.is_none(),
            "{name}: {} units from stdin, {} from the file; first difference at {first_difference:?}",
            got.len(),
            want.len()
        );
    }
}

/// Standard input is imported as it arrives, a batch at a time, as a file
/// is: units are stored while the input is still open. (It was read to its
/// end first, holding a whole memory in memory, twice over for TMX.)
#[test]
fn standard_input_is_stored_before_it_ends() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("open.tmdb");
    // A store that holds a unit already is written a batch at a time.
    tmkit()
        .args(["-q", "tm", "import", "--tm"])
        .arg(&db)
        .arg("-")
        .write_stdin("en\tfr\nFirst\tPremier\n")
        .assert()
        .success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tmkit"))
        .env("TMKIT_NO_CACHE", "1")
        .env("XDG_CACHE_HOME", support::cache_home())
        .args(["-q", "tm", "import", "--batch", "10", "--tm"])
        .arg(&db)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut head = String::from("<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n");
    for i in 0..100 {
        head.push_str(&format!("<tu><tuv xml:lang=\"en\"><seg>Line {i} of a long memory</seg></tuv><tuv xml:lang=\"fr\"><seg>Ligne {i} d'une longue mémoire</seg></tuv></tu>\n"));
    }
    stdin.write_all(head.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let stored = || {
        store::open(&db.to_string_lossy())
            .unwrap()
            .count(&Filter::default())
            .unwrap()
    };
    let waited = std::time::Instant::now();
    while stored() < 11 && waited.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let while_open = stored();
    stdin.write_all(b"</body></tmx>\n").unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert!(
        while_open > 1,
        "no unit stored while standard input was open"
    );
    assert_eq!(stored(), 101);
}

/// By default nothing is lost: a second target of a stored source (undated
/// TSV rows, which tie) is kept as an alternative, which `tm conflicts` and
/// `tm stats` then show; the message counts what happened. `--on-duplicate
/// newest` keeps the stored one on the tie and says so.
#[test]
fn alternative_translations_are_kept_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("en-fr.tsv");
    std::fs::write(
        &tsv,
        "Run!\tCours !\nRun!\tCourez !\nWho?\tQui ?\nRun!\tCours !\n",
    )
    .unwrap();
    for db in engines(dir.path(), "alternatives") {
        tmkit()
            .args(["tm", "import", "--tm", &db])
            .arg(&tsv)
            .assert()
            .success()
            .stderr(predicates::str::contains(
                "imported 3 unit(s)",
            ))
            .stderr(predicates::str::contains(
                "1 exact duplicate(s) skipped; 1 source(s) already stored with other targets: each added beside them",
            ));
        let mut store = store::open(&db).unwrap();
        assert_eq!(store.count(&store::Filter::default()).unwrap(), 3, "{db}");
        assert_eq!(store.stats().unwrap().conflicts, 1, "{db}");
        let conflicts = store.conflicts(10).unwrap();
        let mut targets: Vec<String> = conflicts[0]
            .units
            .iter()
            .map(|u| u.unit.tu.tuvs[1].seg.plain_text())
            .collect();
        targets.sort();
        assert_eq!(targets, ["Courez !", "Cours !"], "{db}");
    }
    for db in engines(dir.path(), "alternatives_newest") {
        tmkit()
            .args(["tm", "import", "--on-duplicate", "newest", "--tm", &db])
            .arg(&tsv)
            .assert()
            .success()
            .stderr(predicates::str::contains(
                "imported 2 unit(s)",
            ))
            .stderr(predicates::str::contains(
                "0 stored unit(s) replaced, 1 incoming unit(s) not stored (the store has 2 unit(s) more)",
            ));
        assert_eq!(store::open(&db).unwrap().stats().unwrap().conflicts, 0);
    }
}

/// A dangling link in a folder is reported and skipped: `tm import` and
/// `tmx merge` take the other files and exit 1 at the end, as for a
/// malformed file (they imported and wrote nothing).
#[cfg(unix)]
#[test]
fn a_dangling_link_in_a_folder_is_skipped_and_the_rest_goes_in() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("memories");
    std::fs::create_dir(&folder).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("tmx/en-fr.news.tmx"), folder.join("a.tmx")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/gone.tmx", folder.join("b.tmx")).unwrap();
    std::fs::copy(
        repo.join("tests/fixtures/store/rich.tmx"),
        folder.join("c.tmx"),
    )
    .unwrap();
    let db = dir.path().join("team.tmdb");
    tmkit()
        .args(["tm", "import", "--tm"])
        .arg(&db)
        .arg(&folder)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("b.tmx: dangling symbolic link"));
    // The news memory's 111 units and rich.tmx's.
    let mut store = store::open(db.to_str().unwrap()).unwrap();
    assert!(store.count(&Filter::default()).unwrap() > 111);
    let merged = dir.path().join("all.tmx");
    tmkit()
        .args(["tmx", "merge"])
        .arg(&folder)
        .arg("-o")
        .arg(&merged)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("b.tmx: dangling symbolic link"));
    let tmx = read_tmx(&merged);
    assert!(tmx.tus.len() > 111);
}
