//! XLIFF and PO in and out: `tmx convert` both ways, `--tm job.xlf` and
//! `--tm messages.po`, the Trados and memoQ dialects, errors with positions,
//! and round trips of the readers and writers on generated documents.

mod support;

use predicates::prelude::*;
use proptest::prelude::*;
use support::{assert_valid, fixture, stdout_of, tmkit, translate_toolkit_units};
use tmkit::tmx::{Attr, Inline, InlineKind, Seg, SegPart, Tmx};
use tmkit::xliff::{Document, File, Segment, State, Unit, po, write_xliff12, write_xliff20};

fn variants(tmx: &Tmx) -> Vec<(String, String)> {
    tmx.tus
        .iter()
        .map(|tu| {
            (
                tu.tuvs[0].seg.text_with_placeholders(),
                tu.tuvs[1].seg.text_with_placeholders(),
            )
        })
        .collect()
}

#[test]
fn finished_trados_segments_become_tmx_with_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("memory.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(fixture("trados.sdlxliff"))
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 segment(s) written, 2 in other states left out",
        ));
    assert_valid(&[&out], Some("tmx"));
    let tmx = Tmx::read(&out).unwrap();
    assert_eq!(
        variants(&tmx),
        [(
            "Dockworkers walked off the job.".to_string(),
            "Les dockers ont cessé le travail.".to_string()
        )]
    );
    assert_eq!(tmx.tus[0].tuvs[0].lang, "en-US");
    // --states takes the draft too, with its inline code.
    tmkit()
        .args(["tmx", "convert", "--states", "draft,signed-off"])
        .arg(fixture("trados.sdlxliff"))
        .arg(&out)
        .assert()
        .success();
    let tmx = Tmx::read(&out).unwrap();
    assert_eq!(tmx.tus.len(), 2);
    assert_eq!(
        tmx.tus[1].tuvs[1].seg.text_with_placeholders(),
        "Le port de {1}Baltimore{/1} est fermé."
    );
    assert_eq!(tmx.tus[1].tuid.as_deref(), Some("9f3c1a2e-0002"));
}

#[test]
fn memoq_statuses_decide_what_is_finished() {
    let doc = Document::read(&fixture("memoq.mqxliff")).unwrap();
    let states: Vec<State> = doc.segments().map(|(_, _, s)| s.state).collect();
    assert_eq!(states, [State::Translated, State::Reviewed, State::Draft]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(fixture("memoq.mqxliff"))
        .arg(&out)
        .assert()
        .success();
    assert_eq!(Tmx::read(&out).unwrap().tus.len(), 2);
}

#[test]
fn po_becomes_tmx_and_xliff_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let tmx_out = dir.path().join("po.tmx");
    tmkit()
        .args(["tmx", "convert", "--src", "en"])
        .arg(fixture("messages.po"))
        .arg(&tmx_out)
        .assert()
        .success()
        .stderr(predicate::str::contains("4 segment(s) written"));
    assert_valid(&[&tmx_out], Some("tmx"));
    let tmx = Tmx::read(&tmx_out).unwrap();
    // Contexts are kept as tuids, plural forms as segments of the unit.
    assert_eq!(tmx.tus[0].tuid.as_deref(), Some("button"));
    assert_eq!(tmx.tus[2].tuvs[1].seg.plain_text(), "%d ports sont fermés.");
    let xlf = dir.path().join("messages.xlf");
    tmkit()
        .args(["tmx", "convert"])
        .arg(fixture("messages.po"))
        .arg(&xlf)
        .assert()
        .success();
    assert_valid(&[&xlf], Some("xliff12"));
    if let Some(units) = translate_toolkit_units(&xlf) {
        assert_eq!(units.len(), 5);
        assert_eq!(units[0].2, "Ouvrir le fil");
    }
    let po_back = dir.path().join("back.po");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&tmx_out)
        .args(["--tgt", "fr"])
        .arg(&po_back)
        .assert()
        .success();
    let back = po::parse(&std::fs::read_to_string(&po_back).unwrap(), None).unwrap();
    assert_eq!(back.files[0].units[0].name.as_deref(), Some("button"));
    assert_eq!(back.files[0].target_language.as_deref(), Some("fr"));
}

#[test]
fn a_memory_with_hi_markup_converts_to_strict_xliff_12() {
    // en-fr.news.tmx has <hi type="italic"> and <hi type="b">: XLIFF 1.2's
    // strict schema takes only its listed mtype values or x-… ones.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("news.xlf");
    let tm = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tmx/en-fr.news.tmx");
    tmkit()
        .args(["tmx", "convert", "--src", "en", "--tgt", "fr"])
        .arg(&tm)
        .arg(&out)
        .assert()
        .success();
    let xlf = std::fs::read_to_string(&out).unwrap();
    assert!(xlf.contains(r#"<mrk mtype="x-italic">"#), "{xlf}");
    assert!(!xlf.contains(r#"mtype="italic""#));
    assert_valid(&[&out], Some("xliff12"));
}

#[test]
fn a_memory_converts_to_xliff_20_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("news.xlf");
    let tm = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tmx/en-fr.news.tmx");
    tmkit()
        .args(["tmx", "convert", "--tgt", "fr", "--xliff-version", "2.0"])
        .arg(&tm)
        .arg(&out)
        .assert()
        .success();
    assert_valid(&[&out], Some("xliff20"));
    let doc = Document::read(&out).unwrap();
    assert_eq!(doc.files[0].units.len(), Tmx::read(&tm).unwrap().tus.len());
}

#[test]
fn xliff_and_po_files_serve_as_memories() {
    // The XLIFF 2.0 memory entry has three inline codes the plain query lacks.
    for (memory, query, expected, score) in [
        (
            fixture("trados.sdlxliff"),
            "Dockworkers walked off the job.",
            "Les dockers ont cessé le travail.",
            100,
        ),
        (
            fixture("messages.po"),
            "Open the feed",
            "Ouvrir le fil",
            100,
        ),
        (
            fixture("job20.xlf"),
            "Talks resume.",
            "Reprise des négociations.",
            97,
        ),
    ] {
        let out = tmkit()
            .args([
                "match", "--format", "jsonl", "--src", "en", "--tgt", "fr", "--tm",
            ])
            .arg(&memory)
            .arg(query)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["matches"][0]["score"], score, "{line}");
        assert_eq!(line["matches"][0]["target"], expected);
    }
    // Drafts are not a memory: the fuzzy PO entry is not offered.
    tmkit()
        .args([
            "match", "--format", "jsonl", "--src", "en", "--tgt", "fr", "--min", "90", "--tm",
        ])
        .arg(fixture("messages.po"))
        .arg("Talks resume next week.")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"matches\":[]"));
}

#[test]
fn malformed_inputs_are_errors_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for (name, expected) in [
        (
            "malformed/mismatched-tag.xlf",
            "mismatched-tag.xlf:4:46: malformed XML",
        ),
        (
            "malformed/missing-id.xlf",
            "missing-id.xlf:2:1: <trans-unit> without the required id",
        ),
        (
            "malformed/version-3.xlf",
            "version-3.xlf:1:1: unsupported XLIFF version \"3.0\"",
        ),
        (
            "malformed/bad-escape.po",
            "bad-escape.po:4:12: unknown escape \\q",
        ),
    ] {
        tmkit()
            .args(["tmx", "convert", "--src", "en"])
            .arg(fixture(name))
            .arg(dir.path().join("out.tmx"))
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expected));
        assert!(!dir.path().join("out.tmx").exists(), "no partial output");
    }
}

fn text() -> impl Strategy<Value = String> {
    // Letters of several scripts, spaces inside, XML's special characters.
    proptest::string::string_regex("[a-zA-Zéß日本語عربى<>&\"' ]{1,12}")
        .unwrap()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("text", |s| !s.is_empty())
}

fn code(kind: InlineKind, attrs: Vec<(&str, String)>, content: Vec<SegPart>) -> SegPart {
    SegPart::Inline(Inline {
        kind,
        attrs: attrs.into_iter().map(|(k, v)| Attr::new(k, v)).collect(),
        content,
    })
}

/// Segments as the XLIFF readers produce them: text, paired codes (`g`,
/// `pc`), placeholders with and without native code.
fn seg() -> impl Strategy<Value = Seg> {
    prop::collection::vec((text(), 0u8..4), 1..4).prop_map(|pieces| {
        let mut parts = Vec::new();
        let (mut i, mut pairs) = (0u32, 0u32);
        for (t, kind) in pieces {
            i += 1;
            let id = format!("c{i}");
            match kind {
                0 => parts.push(SegPart::Text(t)),
                1 => {
                    // The reader numbers pairs in order from 1.
                    pairs += 1;
                    let n = pairs.to_string();
                    parts.push(code(
                        InlineKind::Bpt,
                        vec![("i", n.clone()), ("x", id)],
                        vec![],
                    ));
                    parts.push(SegPart::Text(t));
                    parts.push(code(InlineKind::Ept, vec![("i", n)], vec![]));
                }
                2 => {
                    parts.push(SegPart::Text(t));
                    parts.push(code(InlineKind::Ph, vec![("x", id)], vec![]));
                }
                _ => {
                    parts.push(code(
                        InlineKind::Ph,
                        vec![("x", id)],
                        vec![SegPart::Text("<br/>".into())],
                    ));
                    parts.push(SegPart::Text(t));
                }
            }
        }
        // Adjacent text runs are merged, as the reader does.
        let mut merged: Vec<SegPart> = Vec::new();
        for p in parts {
            match (merged.last_mut(), p) {
                (Some(SegPart::Text(a)), SegPart::Text(b)) => a.push_str(&b),
                (_, p) => merged.push(p),
            }
        }
        Seg {
            parts: merged,
            attrs: vec![],
        }
    })
}

fn document() -> impl Strategy<Value = Document> {
    let segment = (seg(), prop::option::of(seg()), 0usize..4).prop_map(|(source, target, s)| {
        let state = if target.is_some() {
            [
                State::Translated,
                State::NeedsReview,
                State::Final,
                State::SignedOff,
            ][s]
        } else {
            State::New
        };
        Segment {
            source,
            target,
            state,
            ..Segment::default()
        }
    });
    prop::collection::vec(
        (
            segment,
            prop::option::of(text()),
            prop::collection::vec(text(), 0..2),
        ),
        1..6,
    )
    .prop_map(|units| Document {
        files: vec![File {
            original: "doc.html".into(),
            source_language: Some("en".into()),
            target_language: Some("ja".into()),
            datatype: Some("html".into()),
            units: units
                .into_iter()
                .enumerate()
                .map(|(k, (segment, name, notes))| Unit {
                    id: (k + 1).to_string(),
                    name,
                    segments: vec![segment],
                    notes,
                    translate: true,
                    ..Unit::default()
                })
                .collect(),
            ..File::default()
        }],
        ..Document::default()
    })
}

/// What survives any of the formats: per unit, its name, notes, and each
/// segment's source, target and state.
type UnitContent = (Option<String>, Vec<String>, Vec<(Seg, Option<Seg>, State)>);

fn content(doc: &Document) -> Vec<UnitContent> {
    doc.files
        .iter()
        .flat_map(|f| &f.units)
        .map(|u| {
            let segs = u
                .segments
                .iter()
                .map(|s| (s.source.clone(), s.target.clone(), s.state))
                .collect();
            (u.name.clone(), u.notes.clone(), segs)
        })
        .collect()
}

/// PO source text: entries with comment lines of every kind whose text
/// holds bare `\r` (inside and at the end), `fuzzy` among other flags, line
/// endings `\n`, `\r\n` and `\r\r\n`, optional `msgctxt`, strings with
/// escapes (named, octal) and raw control characters, split over
/// continuation lines, and plural entries with their strings in the usual
/// and in odd orders (`msgstr` before `msgid_plural`, `msgstr[1]` first, one
/// form only).
fn po_text() -> impl Strategy<Value = String> {
    let end = prop::sample::select(vec!["\n", "\r\n", "\r\r\n"]);
    let comment = prop_oneof![
        (
            prop::sample::select(vec![
                "#", "# ", "#.", "#. ", "#:", "#: ", "#,", "#, ", "#|", "#| ",
            ]),
            proptest::string::string_regex("[a-zé \r,]{0,8}").unwrap(),
        )
            .prop_map(|(prefix, body)| format!("{prefix}{body}")),
        prop::sample::select(vec![
            "#, fuzzy",
            "#,fuzzy",
            "#, c-format, fuzzy",
            "#, fuzzy, no-wrap",
        ])
        .prop_map(String::from),
    ];
    let comment = (comment, end.clone()).prop_map(|(c, end)| format!("{c}{end}"));
    // Quoted-string bodies: no raw `\n` (it ends the line) or `"`.
    let string = || {
        proptest::string::string_regex(
            "([a-zé 7]|\\\\[nrtabfv\"\\\\]|\\\\[0-3][0-7][0-7]|[\x01-\x09\x0b-\x1f\x7f])*",
        )
        .unwrap()
    };
    // A string as one line or as `""` followed by continuation lines.
    let value = || {
        (string(), string(), any::<bool>()).prop_map(|(a, b, split)| {
            if split {
                vec![String::new(), a, b]
            } else {
                vec![format!("{a}{b}")]
            }
        })
    };
    // Targets that are only whitespace or control characters: non-empty,
    // so translations (drafts when fuzzy), though `has_target` says no.
    let blank = || {
        proptest::string::string_regex("([ \t\x0b\x0c\r]|\\\\[ntrvf]){1,3}")
            .unwrap()
            .prop_map(|s| vec![s])
    };
    let target = move || prop_oneof![2 => value(), 1 => blank()];
    let entry = (
        prop::collection::vec(comment, 0..4),
        prop::option::of(string()),
        (string(), value(), target(), target()),
        0usize..5,
        end,
    )
        .prop_map(|(comments, ctxt, (id, plural, s0, s1), order, end)| {
            let field = |keyword: &str, parts: &[String]| {
                let quoted: Vec<String> = parts.iter().map(|p| format!("\"{p}\"")).collect();
                format!("{keyword} {}{end}", quoted.join(end))
            };
            let mut e = comments.concat();
            if let Some(c) = ctxt {
                e.push_str(&format!("msgctxt \"{c}\"{end}"));
            }
            e.push_str(&format!("msgid \"x{id}\"{end}"));
            let p = || field("msgid_plural", &plural);
            match order {
                0 => e.push_str(&field("msgstr", &s0)),
                1 => e.extend([p(), field("msgstr[0]", &s0), field("msgstr[1]", &s1)]),
                // The po_reader fuzz target's find: msgstr, then msgid_plural, then msgstr again.
                2 => e.extend([field("msgstr", &s0), p(), field("msgstr", &s1)]),
                3 => e.extend([p(), field("msgstr[1]", &s1), field("msgstr[0]", &s0)]),
                _ => e.extend([p(), field("msgstr[0]", &s0)]),
            }
            e.push_str(end);
            e
        });
    prop::collection::vec(entry, 1..5).prop_map(|entries| entries.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The po_reader fuzz target's property: what the reader reads, the
    /// writer writes so that reading it again gives the same entries.
    #[test]
    fn po_read_write_read_gives_the_same_entries(text in po_text()) {
        let doc = po::parse(&text, None).unwrap();
        let out = String::from_utf8(po::write_po(&doc, Vec::new()).unwrap()).unwrap();
        let mut back = po::parse(&out, None).unwrap();
        let units = &doc.files[0].units;
        back.files[0].units.iter_mut().zip(units).for_each(|(b, u)| b.line = u.line);
        prop_assert_eq!(&back.files[0].units, units);
    }

    #[test]
    fn xliff12_write_then_read_gives_the_same_units(doc in document()) {
        let out = String::from_utf8(write_xliff12(&doc, Vec::new()).unwrap()).unwrap();
        let back = Document::parse_str(&out, None).unwrap();
        prop_assert_eq!(content(&back), content(&doc));
    }

    #[test]
    fn xliff20_write_then_read_gives_the_same_units(doc in document()) {
        let out = String::from_utf8(write_xliff20(&doc, Vec::new()).unwrap()).unwrap();
        let back = Document::parse_str(&out, None).unwrap();
        // 2.0 has no separate review-needed or signed-off states.
        let coarse = |d: &Document| content(d).into_iter().map(|(n, notes, segs)| {
            let segs: Vec<_> = segs.into_iter().map(|(s, t, st)| (s, t, match st {
                State::NeedsReview => State::Draft,
                State::SignedOff => State::Final,
                st => st,
            })).collect();
            (n, notes, segs)
        }).collect::<Vec<_>>();
        prop_assert_eq!(coarse(&back), coarse(&doc));
    }

    #[test]
    fn po_write_then_read_gives_the_same_entries(doc in document()) {
        // PO is plain text with one state flag: compare what it can hold,
        // inline codes as the markup they hold (text once read back).
        let out = String::from_utf8(po::write_po(&doc, Vec::new()).unwrap()).unwrap();
        let back = po::parse(&out, None).unwrap();
        let plain = |d: &Document| d.segments().map(|(_, u, s)| {
            let target = s.target.as_ref().map(Seg::native_text).unwrap_or_default();
            let fuzzy = s.has_target() && matches!(s.state, State::Draft | State::NeedsReview);
            (u.name.clone(), u.notes.clone(), s.source.native_text(), target, fuzzy)
        }).collect::<Vec<_>>();
        prop_assert_eq!(plain(&back), plain(&doc));
    }
}

/// A PO file names only its target language (`Language: fr`): converted
/// to TMX without `--src`, nothing can be written, which is bad usage
/// (exit 2, no output file) rather than an empty memory and exit 0.
#[test]
fn po_to_tmx_without_a_source_language_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let po = dir.path().join("messages.po");
    std::fs::write(
        &po,
        "msgid \"\"\nmsgstr \"\"\n\"Language: fr\\n\"\n\nmsgid \"Open\"\nmsgstr \"Ouvrir\"\n",
    )
    .unwrap();
    let out = dir.path().join("memory.tmx");
    tmkit()
        .args(["tmx", "convert"])
        .arg(&po)
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give --src and --tgt"));
    assert!(!out.exists());
    tmkit()
        .args(["tmx", "convert", "--src", "en"])
        .arg(&po)
        .arg(&out)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("<seg>Ouvrir</seg>")
    );
}

/// White space that XML readers may normalize (at either end, two spaces,
/// a tab, a line break) is marked `xml:space="preserve"` on the unit, where
/// XLIFF 1.2 and 2.0 allow it, so translate-toolkit reads the texts whole;
/// without it it read `  Two\n\tlines  ` as `Two lines`.
#[test]
fn significant_white_space_is_preserved_for_other_readers() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("spaces.tmx");
    std::fs::write(
        &tmx,
        "<tmx version=\"1.4\"><header srclang=\"en\" adminlang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" o-tmf=\"x\" creationtool=\"t\" creationtoolversion=\"1\"/><body>\n\
         <tu><tuv xml:lang=\"en\"><seg>  Two\n\tlines  </seg></tuv><tuv xml:lang=\"fr\"><seg> Deux  lignes</seg></tuv></tu>\n\
         <tu><tuv xml:lang=\"en\"><seg>Plain text.</seg></tuv><tuv xml:lang=\"fr\"><seg>Texte simple.</seg></tuv></tu>\n\
         </body></tmx>\n",
    )
    .unwrap();
    for (version, read) in [
        (
            "1.2",
            support::translate_toolkit_units as fn(&std::path::Path) -> _,
        ),
        ("2.0", support::translate_toolkit_units20),
    ] {
        let out = dir.path().join(format!("out{version}.xlf"));
        tmkit()
            .args(["tmx", "convert", "--tgt", "fr", "--xliff-version", version])
            .arg(&tmx)
            .arg(&out)
            .assert()
            .success();
        let written = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            written.matches("xml:space=\"preserve\"").count(),
            1,
            "{written}"
        );
        assert_valid(&[&out], None);
        if let Some(units) = read(&out) {
            assert_eq!(units[0].1, "  Two\n\tlines  ", "{version}");
            assert_eq!(units[0].2, " Deux  lignes", "{version}");
            assert_eq!(units[1].1, "Plain text.", "{version}");
        }
    }
}

#[test]
fn xliff_and_po_convert_from_standard_input() {
    let po_text = std::fs::read_to_string(fixture("messages.po")).unwrap();
    let xlf_text = std::fs::read_to_string(fixture("job20.xlf")).unwrap();
    for (name, text, from, src) in [
        ("messages.po", &po_text, "po", &["--src", "en"][..]),
        ("job20.xlf", &xlf_text, "xliff", &[][..]),
    ] {
        let convert = || {
            let mut cmd = tmkit();
            cmd.args(["tmx", "convert", "--to", "tmx"]).args(src);
            cmd
        };
        let want = stdout_of(convert().arg(fixture(name)).arg("-"));
        // Told with --from, and told by the first characters as `tm import -` does.
        for given in [&["--from", from][..], &[]] {
            let got = stdout_of(
                convert()
                    .args(given)
                    .args(["-", "-"])
                    .write_stdin(text.as_bytes()),
            );
            assert_eq!(got, want, "{name} {given:?}");
        }
    }
    // And out to standard output: XLIFF or PO by --to.
    tmkit()
        .args(["tmx", "convert", "--from", "po", "--to", "xliff", "-", "-"])
        .write_stdin(po_text.as_bytes())
        .assert()
        .success()
        .stdout(predicate::str::contains("<xliff").and(predicate::str::contains("Ouvrir le fil")));
}

/// PO is plain text: inline codes go in as the original markup they hold
/// (what translate-toolkit reads from TMX and XLIFF, and what PO editors
/// highlight and check); codes holding none (XLIFF <g>, <x/>) cannot, and
/// the units that had them are counted on standard error. Both were
/// dropped without a word ("Press OK now.").
#[test]
fn po_output_writes_inline_codes_as_their_markup_and_counts_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let tmx = dir.path().join("codes.tmx");
    std::fs::write(
        &tmx,
        r#"<tmx version="1.4"><header srclang="en"/><body>
<tu tuid="a"><tuv xml:lang="en"><seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept> now<ph x="2">{0}</ph>.</seg></tuv><tuv xml:lang="fr"><seg>Appuyez sur <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept> maintenant<ph x="2">{0}</ph>.</seg></tuv></tu>
<tu tuid="b"><tuv xml:lang="en"><seg>Plain</seg></tuv><tuv xml:lang="fr"><seg>Simple</seg></tuv></tu>
</body></tmx>
"#,
    )
    .unwrap();
    let po_out = dir.path().join("codes.po");
    tmkit()
        .args(["tmx", "convert", "--tgt", "fr"])
        .arg(&tmx)
        .arg(&po_out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 unit(s) with inline codes: written as their original markup",
        ))
        .stderr(predicate::str::contains("left out of the PO").not());
    let po = std::fs::read_to_string(&po_out).unwrap();
    assert!(
        po.contains(
            "msgid \"Press <b>OK</b> now{0}.\"\nmsgstr \"Appuyez sur <b>OK</b> maintenant{0}.\""
        ),
        "{po}"
    );
    if let Some(units) = support::translate_toolkit_po_units(&po_out) {
        assert_eq!(units[0].1, "Press <b>OK</b> now{0}.", "{units:?}");
        assert_eq!(units[0].2, "Appuyez sur <b>OK</b> maintenant{0}.");
    }
    // XLIFF codes hold no markup: left out, and counted even with --quiet.
    let from_xliff = dir.path().join("okapi.po");
    tmkit()
        .args(["--quiet", "tmx", "convert"])
        .arg(fixture("okapi-extract.xlf"))
        .arg(&from_xliff)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: 1 unit(s) had inline codes holding no original markup (XLIFF <g>, <x/>), left out of the PO",
        ));
    let po = std::fs::read_to_string(&from_xliff).unwrap();
    assert!(
        po.contains("msgid \"Talks will resume on Thursday in Baltimore.\""),
        "{po}"
    );
}
