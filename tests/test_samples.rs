//! Sanity checks on the shipped sample articles (`samples/`) and memories (`tmx/`): the README
//! examples and other tests rely on their layout, languages and TU counts, so a careless edit
//! should fail here rather than in a demo.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use tmkit::text::{LanguageTag, is_rtl_char};

mod support;

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Every `samples/*.txt` as (file name, language tag from the name, content).
fn sample_articles() -> Vec<(String, LanguageTag, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(repo_path("samples")).expect("samples/ exists") {
        let path = entry.expect("readable dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(".txt");
        // LANG-topic: a primary language subtag, then an optional upper-case region (pt-BR),
        // then the topic in lower case.
        let parts: Vec<&str> = stem.split('-').collect();
        assert!(parts.len() >= 2, "{name}: expected LANG-topic.txt");
        let has_region = parts.len() >= 3
            && parts[1].len() == 2
            && parts[1].bytes().all(|b| b.is_ascii_uppercase());
        let tag_text = if has_region {
            parts[..2].join("-")
        } else {
            parts[0].to_owned()
        };
        let tag = LanguageTag::parse(&tag_text)
            .unwrap_or_else(|_| panic!("{name}: {tag_text} is not a BCP-47 tag"));
        let bytes = fs::read(&path).unwrap();
        let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: not UTF-8: {e}"));
        out.push((name, tag, text));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn samples_follow_the_documented_layout() {
    let articles = sample_articles();
    assert!(
        articles.len() >= 12,
        "only {} sample articles",
        articles.len()
    );
    for (name, _, text) in &articles {
        assert!(!text.starts_with('\u{feff}'), "{name}: BOM");
        assert!(!text.contains('\r'), "{name}: CR line ends");
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{name}: must end with one LF"
        );
        assert!(
            !text.contains("\n\n\n"),
            "{name}: more than one blank line in a row"
        );
        for (n, line) in text.lines().enumerate() {
            assert_eq!(
                line,
                line.trim_end(),
                "{name}:{}: trailing white space",
                n + 1
            );
        }
        let mut blocks = text.trim_end().split("\n\n");
        let headline = blocks.next().unwrap();
        assert!(
            !headline.contains('\n'),
            "{name}: headline must be one line followed by a blank line"
        );
        assert!(!headline.is_empty(), "{name}: empty headline");
        assert!(
            !headline.ends_with(['.', '。', '۔', '।']),
            "{name}: headline ends with a full stop"
        );
        let paragraphs = blocks.count();
        assert!(
            (4..=8).contains(&paragraphs),
            "{name}: {paragraphs} paragraphs, want 4-8"
        );
    }
}

#[test]
fn samples_cover_the_required_languages() {
    let articles = sample_articles();
    let primaries: Vec<String> = articles
        .iter()
        .map(|(_, t, _)| t.primary().to_owned())
        .collect();
    for lang in ["en", "fr", "de", "es", "ru", "ar", "fa", "zh", "ja"] {
        assert!(primaries.iter().any(|p| p == lang), "no {lang} sample");
    }
    assert!(
        primaries.iter().filter(|p| *p == "en").count() >= 3,
        "want 3 English samples"
    );
    assert!(repo_path("samples/en-ceasefire-analysis.txt").is_file());
}

#[test]
fn right_to_left_samples_are_mostly_right_to_left() {
    for (name, tag, text) in sample_articles() {
        if !["ar", "fa", "ur", "he"].contains(&tag.primary()) {
            continue;
        }
        let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
        let rtl = letters.iter().filter(|&&c| is_rtl_char(c)).count();
        assert!(
            rtl * 10 >= letters.len() * 9,
            "{name}: only {rtl} of {} letters are RTL",
            letters.len()
        );
    }
}

#[test]
fn persian_sample_uses_persian_letters_and_zwnj() {
    let (name, _, text) = sample_articles()
        .into_iter()
        .find(|(_, t, _)| t.primary() == "fa")
        .expect("a Persian sample");
    assert!(
        !text.contains(['\u{064A}', '\u{0643}']),
        "{name}: Arabic yeh/kaf instead of Persian ی/ک"
    );
    assert!(
        text.contains('\u{06CC}') && text.contains('\u{06A9}'),
        "{name}: no Persian ی/ک"
    );
    assert!(text.contains('\u{200C}'), "{name}: no ZWNJ");
}

#[test]
fn samples_readme_lists_every_article() {
    let readme = fs::read_to_string(repo_path("samples/README.md")).unwrap();
    for (name, _, _) in sample_articles() {
        assert!(
            readme.contains(&format!("`{name}`")),
            "samples/README.md does not describe {name}"
        );
    }
    assert!(
        readme.contains("CC0"),
        "samples/README.md must state the license"
    );
}

/// What the TMX checker found in one file.
#[derive(Default)]
struct TmxSummary {
    srclang: String,
    tus: usize,
    variants_per_lang: BTreeMap<String, usize>,
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.try_get_attribute(key)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

fn is_tmx_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// Reads a TMX with quick-xml and checks the structure a TMX 1.4b reader relies on: a header with
/// the required attributes, unique tuids, every tuv with a language and one seg, bpt/ept paired
/// by `i` inside each seg, and well-formed dates.
fn check_tmx(rel: &str) -> TmxSummary {
    let xml = fs::read_to_string(repo_path(rel)).unwrap();
    let mut reader = Reader::from_str(&xml);
    reader.config_mut().check_end_names = true;
    let mut summary = TmxSummary::default();
    let mut tuids = HashSet::new();
    let mut segs_in_tuv = 0;
    let mut tuvs_in_tu = 0;
    let mut open_bpt: Vec<String> = Vec::new();
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{rel}: not well-formed near byte {pos}: {e}"));
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    "header" => {
                        for key in [
                            "creationtool",
                            "creationtoolversion",
                            "segtype",
                            "o-tmf",
                            "adminlang",
                            "srclang",
                            "datatype",
                        ] {
                            assert!(attr(e, key).is_some(), "{rel}: header without {key}");
                        }
                        summary.srclang = attr(e, "srclang").unwrap();
                    }
                    "tu" => {
                        summary.tus += 1;
                        tuvs_in_tu = 0;
                        let tuid =
                            attr(e, "tuid").unwrap_or_else(|| panic!("{rel}: TU without tuid"));
                        assert!(tuids.insert(tuid.clone()), "{rel}: duplicate tuid {tuid}");
                        for key in ["creationdate", "changedate"] {
                            if let Some(date) = attr(e, key) {
                                assert!(is_tmx_date(&date), "{rel}: {tuid}: bad {key} {date}");
                            }
                        }
                    }
                    "tuv" => {
                        tuvs_in_tu += 1;
                        segs_in_tuv = 0;
                        let lang = attr(e, "xml:lang")
                            .unwrap_or_else(|| panic!("{rel}: tuv without xml:lang"));
                        LanguageTag::parse(&lang)
                            .unwrap_or_else(|_| panic!("{rel}: bad language tag {lang}"));
                        *summary.variants_per_lang.entry(lang).or_default() += 1;
                    }
                    "seg" => {
                        segs_in_tuv += 1;
                        open_bpt.clear();
                    }
                    "bpt" if !empty => open_bpt.push(attr(e, "i").expect("bpt with i")),
                    "ept" if !empty => {
                        let i = attr(e, "i").expect("ept with i");
                        let at = open_bpt.iter().position(|b| *b == i);
                        assert!(at.is_some(), "{rel}: ept i={i} without a bpt");
                        open_bpt.remove(at.unwrap());
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => match e.name().as_ref() {
                "seg" => assert!(open_bpt.is_empty(), "{rel}: bpt {open_bpt:?} without ept"),
                "tuv" => assert_eq!(segs_in_tuv, 1, "{rel}: tuv must hold exactly one seg"),
                "tu" => assert!(tuvs_in_tu >= 2, "{rel}: TU with fewer than two variants"),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    summary
}

#[test]
fn news_memory_is_a_complete_english_french_tmx() {
    let s = check_tmx("tmx/en-fr.news.tmx");
    assert_eq!(s.srclang, "en");
    assert!((60..=120).contains(&s.tus), "{} TUs", s.tus);
    assert_eq!(s.variants_per_lang.get("en-US"), Some(&s.tus));
    assert_eq!(s.variants_per_lang.get("fr-FR"), Some(&s.tus));
    let xml = fs::read_to_string(repo_path("tmx/en-fr.news.tmx")).unwrap();
    for needle in [
        "<bpt i=",
        "<ept i=",
        "<ph x=",
        "<hi ",
        "<note>",
        "type=\"x-client\"",
        "type=\"x-domain\"",
    ] {
        assert!(xml.contains(needle), "news memory lacks {needle}");
    }
}

#[test]
fn tatoeba_memories_have_the_documented_sizes() {
    let s = check_tmx("tmx/en-fr.tatoeba.tmx");
    assert_eq!(s.tus, 2000);
    assert_eq!(s.variants_per_lang.get("en"), Some(&2000));
    assert_eq!(s.variants_per_lang.get("fr"), Some(&2000));
    let tsv = fs::read_to_string(repo_path("tmx/en-ja.tatoeba.tsv")).unwrap();
    let mut pairs = 0;
    for (n, line) in tsv.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() == 2 && cols.iter().all(|c| !c.trim().is_empty()),
            "en-ja.tatoeba.tsv:{}: want two non-empty columns",
            n + 1
        );
        pairs += 1;
    }
    assert_eq!(pairs, 500);
}

#[test]
fn multilingual_memory_serves_every_language() {
    let s = check_tmx("tmx/multilingual.tmx");
    assert_eq!(s.srclang, "*all*");
    assert!(s.tus >= 20);
    for lang in ["en", "fr", "de", "es", "ar", "zh-CN", "ja"] {
        let n = s.variants_per_lang.get(lang).copied().unwrap_or(0);
        assert!(n + 1 >= s.tus, "{lang}: only {n} of {} TUs", s.tus);
    }
}

/// The Tatoeba files are generated: when the shared pair lists and Python are present, running
/// the generator again must reproduce the committed files byte for byte.
#[test]
fn tatoeba_files_match_their_generator() {
    let data = repo_path("../shared/data/tm");
    if !data.join("en-fr.tsv").is_file() || !data.join("en-ja.tsv").is_file() {
        support::skipped(module_path!(), &format!("{} not present", data.display()));
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(repo_path("tmx/make_tatoeba_tmx.py"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--out-dir")
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => {
            support::skipped(
                module_path!(),
                &format!("python3 could not run the generator ({other:?})"),
            );
            return;
        }
    }
    for name in ["en-fr.tatoeba.tmx", "en-ja.tatoeba.tsv"] {
        let fresh = fs::read(out.path().join(name)).unwrap();
        let committed = fs::read(repo_path(&format!("tmx/{name}"))).unwrap();
        assert!(
            fresh == committed,
            "tmx/{name} differs from make_tatoeba_tmx.py's output"
        );
    }
}
