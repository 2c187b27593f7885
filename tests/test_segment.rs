//! `tmkit segment`: CLI behaviour, the case sets under `tests/fixtures/segment/`
//! run through the library, and optional checks on the shared corpora.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tmkit::segment::srx::SrxRules;
use tmkit::segment::{Segmenter, supported_languages};
use tmkit::text::LanguageTag;

mod support;

fn tmkit() -> Command {
    Command::cargo_bin("tmkit").unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/segment")
        .join(name)
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        support::skipped(module_path!(), &format!("{} not present", p.display()));
        None
    }
}

#[test]
fn stdin_to_one_sentence_per_line() {
    tmkit()
        .args(["segment", "--lang", "en"])
        .write_stdin("Dr. Who came at 5 p.m. today. He left!\nNext line")
        .assert()
        .success()
        .stdout("Dr. Who came at 5 p.m. today.\nHe left!\nNext line\n");
}

#[test]
fn dash_means_stdin_and_wrapped_joins_lines() {
    tmkit()
        .args(["segment", "--lang", "en", "--wrapped", "-"])
        .write_stdin("This was\nwrapped. Yes.\n\nNew paragraph\n")
        .assert()
        .success()
        .stdout("This was wrapped.\nYes.\nNew paragraph\n");
}

#[test]
fn hard_wrapped_lines_are_joined_unless_turned_off() {
    let text = "The lift is out\nof order. Stairs\nhome\nnews\n";
    tmkit()
        .args(["segment", "--lang", "en"])
        .write_stdin(text)
        .assert()
        .success()
        .stdout("The lift is out of order.\nStairs\nhome\nnews\n");
    // JSON offsets span the line break.
    tmkit()
        .args(["segment", "--lang", "en", "--format", "jsonl"])
        .write_stdin(text)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            r#"{"text":"The lift is out\nof order.","start":0,"end":25}"#,
        ));
    tmkit()
        .args(["segment", "--lang", "en", "--no-join-lines"])
        .write_stdin(text)
        .assert()
        .success()
        .stdout("The lift is out\nof order.\nStairs\nhome\nnews\n");
    tmkit()
        .args(["segment", "--no-join-lines", "--wrapped"])
        .write_stdin(text)
        .assert()
        .code(2);
}

#[test]
fn jsonl_has_offsets_and_detected_language() {
    let out = tmkit()
        .args(["segment", "--format", "jsonl"])
        .write_stdin("Le gouvernement a annoncé mardi une réforme. Les syndicats protestent.")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["start"], 0);
    // "annoncé" and "réforme" hold two-byte characters: offsets are bytes.
    assert_eq!(lines[0]["end"], 46);
    assert_eq!(lines[1]["start"], 47);
    assert_eq!(lines[1]["lang"], "fr");
    assert!(lines[0].get("file").is_none());
}

#[test]
fn line_breaks_between_cjk_characters_are_removed_in_text_only() {
    // CSS Text 3: a line break between Chinese or Japanese characters is no
    // space; Korean keeps it; JSON keeps the raw slice and its byte offsets.
    for (lang, input, line) in [
        ("ja", "これは父の\n家です。", "これは父の家です。\n"),
        ("zh", "这是我父亲的\n房子。", "这是我父亲的房子。\n"),
        (
            "ko",
            "이것은 아버지의\n집입니다.",
            "이것은 아버지의 집입니다.\n",
        ),
    ] {
        tmkit()
            .args(["segment", "--lang", lang, "--wrapped"])
            .write_stdin(input)
            .assert()
            .success()
            .stdout(line);
        let out = tmkit()
            .args(["segment", "--lang", lang, "--wrapped", "--format", "jsonl"])
            .write_stdin(input)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["text"], input);
        assert_eq!(json["start"], 0);
        assert_eq!(json["end"], input.len());
    }
}

#[test]
fn jsonl_with_explicit_language_has_no_lang_field() {
    tmkit()
        .args(["segment", "--lang", "de", "--format", "jsonl"])
        .write_stdin("Hallo. Welt.")
        .assert()
        .success()
        .stdout("{\"text\":\"Hallo.\",\"start\":0,\"end\":6}\n{\"text\":\"Welt.\",\"start\":7,\"end\":12}\n");
}

#[test]
fn several_files_name_the_file_and_a_bad_one_does_not_stop_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let bad = dir.path().join("bad.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "One. Two.").unwrap();
    std::fs::write(&bad, b"ok\n\xFF\xFE broken").unwrap();
    std::fs::write(&b, "Three.").unwrap();
    let assert = tmkit()
        .args(["segment", "--lang", "en", "--format", "jsonl"])
        .args([&a, &bad, &b])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.txt:2:1: not valid UTF-8"))
        .stderr(predicate::str::contains("2 succeeded, 1 failed"));
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let files: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(files.len(), 3);
    assert!(files[0].ends_with("a.txt") && files[2].ends_with("b.txt"));
}

#[test]
fn folders_are_walked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.txt"), "Un. Deux.").unwrap();
    std::fs::write(dir.path().join("skip.bin"), "Nope. No.").unwrap();
    tmkit()
        .args(["segment", "--lang", "fr"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("Un.\nDeux.\n");
}

#[test]
fn missing_file_and_bad_usage() {
    tmkit()
        .args(["segment", "/no/such/file.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/no/such/file.txt"));
    tmkit()
        .args(["segment", "--format", "xml"])
        .assert()
        .code(2);
    tmkit().args(["segment", "--lang", "!!"]).assert().code(2);
}

#[test]
fn invalid_utf8_on_stdin_is_located() {
    tmkit()
        .args(["segment", "--lang", "en"])
        .write_stdin(&b"fine\nalso fine \xC3\x28"[..])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("<stdin>:2:11: not valid UTF-8"));
}

#[test]
fn srx_file_is_used_and_untranslatable_rules_are_warned_about() {
    let srx = fixture("rules.srx");
    tmkit()
        .args(["segment", "--lang", "en", "--srx"])
        .arg(&srx)
        .write_stdin("Mr. Brown came. He sat down.")
        .assert()
        .success()
        .stdout("Mr. Brown came.\nHe sat down.\n")
        .stderr(predicate::str::contains("rules.srx:").and(predicate::str::contains(r"\G")));
}

#[test]
fn invalid_srx_is_an_error_with_position() {
    tmkit()
        .args(["segment", "--srx"])
        .arg(fixture("broken.srx"))
        .write_stdin("x")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken.srx:5:"));
}

#[test]
fn closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tmkit"))
        .args(["segment", "--lang", "en"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let text = "A sentence here. ".repeat(1000);
        for _ in 0..200 {
            if stdin.write_all(text.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "A sentence here.\n");
    // stdout is dropped here: the pipe is closed like `tmkit segment | head -1`.
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(serde::Deserialize)]
struct Case {
    lang: String,
    id: String,
    text: String,
    expected: Vec<String>,
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn own_case_sets_pass_through_the_library() {
    check_case_file("cases.jsonl", 150);
}

#[test]
fn convention_cases_pass_through_the_library() {
    check_case_file("conventions.jsonl", 500);
}

/// Every case of a fixture in the scorer's format passes.
fn check_case_file(name: &str, at_least: usize) {
    let data = std::fs::read_to_string(fixture(name)).unwrap();
    let mut failures = Vec::new();
    let mut total = 0;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let case: Case = serde_json::from_str(line).unwrap();
        let seg = Segmenter::for_language(&LanguageTag::parse(&case.lang).unwrap());
        let got: Vec<String> = seg
            .segments(&case.text)
            .map(|s| normalize(s.text))
            .collect();
        let expected: Vec<String> = case.expected.iter().map(|s| normalize(s)).collect();
        total += 1;
        if got != expected {
            failures.push(format!(
                "{}:{}: expected {expected:?}\n     got {got:?}",
                case.lang, case.id
            ));
        }
    }
    assert!(total > at_least);
    assert!(
        failures.is_empty(),
        "{} of {total} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn real_news_article_is_segmented_sensibly() {
    let Some(dir) = shared("seed") else { return };
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
        for s in seg.segments(&text) {
            // No sentence may start with a lower-case letter (a sign of a false break).
            let first = s.text.chars().next().unwrap();
            assert!(
                !first.is_lowercase(),
                "{}: false break before {:?}",
                path.display(),
                s.text
            );
        }
    }
}

#[test]
fn udhr_in_every_language_segments_without_surprises() {
    let Some(dir) = shared("data/segment/corpus/multi") else {
        return;
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let code = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let tag = LanguageTag::parse(&code).unwrap();
        let seg = Segmenter::for_language(&tag);
        assert_ne!(seg.rule_set(), Some("und"), "{code} has no rules");
        let sentences: Vec<_> = seg.segments(&text).collect();
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(
            sentences.len() >= lines,
            "{code}: {} sentences for {lines} lines",
            sentences.len()
        );
        for s in &sentences {
            assert_eq!(&text[s.start..s.end], s.text);
        }
    }
}

#[test]
fn shared_srx_files_load_and_segment() {
    for name in ["okapi_defaultSegmentation.srx", "omegat_defaultRules.srx"] {
        let Some(path) = shared(&format!("data/segment/srx/{name}")) else {
            return;
        };
        let rules = SrxRules::load(&path).unwrap();
        for w in rules.warnings() {
            eprintln!("{w}");
        }
        let seg = rules.segmenter(&LanguageTag::parse("en").unwrap());
        let got: Vec<_> = seg
            .segments("Mr. Holmes is here. Is Dr. Watson there too? Yes.")
            .map(|s| s.text)
            .collect();
        assert_eq!(
            got,
            ["Mr. Holmes is here.", "Is Dr. Watson there too?", "Yes."],
            "{name}"
        );
    }
}

#[test]
fn every_supported_language_has_a_segmenter() {
    assert!(supported_languages().count() >= 33);
    for code in supported_languages() {
        let seg = Segmenter::for_language(&LanguageTag::parse(code).unwrap());
        assert_eq!(seg.rule_set(), Some(code));
    }
}

#[test]
fn stdin_can_be_one_input_of_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(&a, "From a file. Yes.").unwrap();
    tmkit()
        .args(["segment", "--lang", "en", "-"])
        .arg(&a)
        .write_stdin("From stdin. Too.")
        .assert()
        .success()
        .stdout("From stdin.\nToo.\nFrom a file.\nYes.\n");
}

#[test]
fn srx_without_a_map_for_the_language_warns() {
    tmkit()
        .args(["segment", "--lang", "de", "--srx"])
        .arg(fixture("rules.srx").with_file_name("rules-fr-only.srx"))
        .write_stdin("Eins. Zwei.")
        .assert()
        .success()
        .stdout("Eins. Zwei.\n")
        .stderr(predicate::str::contains(
            "no language map of the SRX file matches de",
        ));
}

#[test]
fn an_empty_folder_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), "Not taken.").unwrap();
    tmkit()
        .arg("segment")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--include"));
    tmkit()
        .args(["segment", "--lang", "en", "--include", "*.md"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("Not taken.\n");
}

#[test]
fn quotations_stay_whole_as_the_quotes_option_says() {
    let text = "'Stop! Thief!' she cried. (Nobody moved. Nobody cared.) \"We won. Go,\" he said.\n";
    let run = |mode: &str| {
        let out = tmkit()
            .args(["segment", "--lang", "en", "--quotes", mode])
            .write_stdin(text)
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    assert_eq!(
        run("auto"),
        "'Stop! Thief!' she cried.\n(Nobody moved. Nobody cared.)\n\"We won.\nGo,\" he said.\n"
    );
    assert_eq!(
        run("keep"),
        "'Stop! Thief!' she cried.\n(Nobody moved. Nobody cared.)\n\"We won. Go,\" he said.\n"
    );
    assert_eq!(
        run("split"),
        "'Stop!\nThief!' she cried.\n(Nobody moved.\nNobody cared.)\n\"We won.\nGo,\" he said.\n"
    );
    tmkit()
        .args(["segment", "--quotes", "sometimes"])
        .write_stdin(text)
        .assert()
        .code(2);
}

#[test]
fn list_items_citations_and_glued_sentences_on_the_command_line() {
    tmkit()
        .args(["segment", "--lang", "de"])
        .write_stdin("Wir brauchen: a. Brot b. Käse\nEs regnete.[2] Dann kam die Sonne.Morgen wird es warm.\n")
        .assert()
        .success()
        .stdout("Wir brauchen:\na. Brot\nb. Käse\nEs regnete.[2]\nDann kam die Sonne.\nMorgen wird es warm.\n");
}

/// The generated abbreviation tables (`src/segment/data/mined/`) are what
/// `gen_abbrevs.py` makes of its sources today. Runs when the sources are
/// installed: ../shared, Hunspell dictionaries (Debian hunspell-*), and
/// LibreOffice's autocorrect files (libreoffice-common; another folder with
/// `TMKIT_AUTOCORR`).
#[test]
fn mined_tables_match_their_generator() {
    let check = "mined_tables_match_their_generator";
    let Some(shared_dir) = shared("data/segment/corpus/multi") else {
        return;
    };
    let autocorr = std::env::var("TMKIT_AUTOCORR")
        .unwrap_or_else(|_| "/usr/lib/libreoffice/share/autocorr".into());
    for dir in [autocorr.as_str(), "/usr/share/hunspell"] {
        if !Path::new(dir).is_dir() {
            support::skipped(check, &format!("{dir} not present"));
            return;
        }
    }
    if !support::python_has("json", check) {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/segment/data/gen_abbrevs.py");
    let shared_root = shared_dir.join("../../../..");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .args(["--check", "--autocorr", &autocorr, "--shared"])
        .arg(&shared_root)
        .output()
        .expect("python3 runs");
    if out.status.code() == Some(3) {
        let why = String::from_utf8_lossy(&out.stderr);
        support::skipped(check, why.trim());
        return;
    }
    assert!(
        out.status.success(),
        "the committed tables differ from gen_abbrevs.py's output:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `(text, start, end)` of each sentence `segment --format jsonl` gives for `page`.
fn page_ranges(page: &Path) -> Vec<(String, usize, usize)> {
    let out = tmkit()
        .args(["segment", "--format", "jsonl"])
        .arg(page)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let (s, e) = (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap());
            (
                v["text"].as_str().unwrap().to_string(),
                s as usize,
                e as usize,
            )
        })
        .collect()
}

/// `(text, raw[start..end])` of each sentence `segment --format jsonl` gives for `page`.
fn page_sentences(page: &Path) -> Vec<(String, String)> {
    let raw = std::fs::read(page).unwrap();
    page_ranges(page)
        .into_iter()
        .map(|(text, s, e)| (text, String::from_utf8_lossy(&raw[s..e]).into_owned()))
        .collect()
}

#[test]
fn html_offsets_after_a_br_point_at_the_sentence() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html/br_lines.html");
    let got = page_sentences(&page);
    let raw: Vec<&str> = got.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        raw,
        [
            "The ferry left at nine.",
            "It reached the island by noon.",
            "Crews checked the hull<br>\nand found no damage.",
            "Tickets cost &euro;12.",
            "Children travel free.",
        ]
    );
}

#[test]
fn html_br_br_separates_paragraphs() {
    let page =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html/brbr_paragraphs.html");
    let got = page_sentences(&page);
    let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts[0], "Library reopens after flood");
    assert_eq!(texts.len(), 4);
    assert!(texts[1].starts_with("The town library reopened"));
    for (text, raw) in &got {
        assert!(
            raw.ends_with(text.split_whitespace().last().unwrap()),
            "{raw:?}"
        );
        assert!(!raw.contains("<br>"), "{raw:?} runs over a paragraph break");
    }
}

#[test]
fn a_page_is_decoded_with_the_charset_it_declares() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
    for (name, first) in [
        ("cp1252.html", "Le café du port rouvre lundi."),
        ("cp1251.html", "Порт снова открыт."),
        ("shift_jis.html", "港が再開した。"),
        ("gb18030.html", "港口重新开放。"),
        ("prolog1251.xhtml", "Порт снова открыт."),
    ] {
        let got = page_ranges(&dir.join(name));
        assert_eq!(got.len(), 2, "{name}");
        assert_eq!(got[0].0, first, "{name}");
        // The offsets are the file's: its bytes there, decoded, are the sentence.
        let raw = std::fs::read(dir.join(name)).unwrap();
        let charset = tmkit::files::page_charset(&raw).unwrap();
        for (text, start, end) in &got {
            let (decoded, _) = charset.decode_without_bom_handling(&raw[*start..*end]);
            assert_eq!(decoded, *text, "{name}");
        }
    }
    // --encoding, when given, wins over the page's declaration.
    tmkit()
        .args(["--encoding", "utf-8", "segment"])
        .arg(dir.join("cp1252.html"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("not valid UTF-8"));
}

#[test]
fn kazakh_is_detected_and_gets_its_rules() {
    // whatlang has no Kazakh model: the text read as Belarusian, "проф." ended a sentence.
    let text = "Ауданда 5 млн тг. бөлінді. Жұмыс басталды.\n\
                Соңғы 2 ж. ішінде проф. Ахметов зерттеу жүргізді. Нәтижелер жақсы.\n";
    let out = tmkit()
        .args(["segment", "--format", "jsonl"])
        .write_stdin(text)
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.iter().all(|l| l["lang"] == "kk"), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l["text"] == "Соңғы 2 ж. ішінде проф. Ахметов зерттеу жүргізді."),
        "{lines:?}"
    );
    if let Some(kk) = shared("data/segment/corpus/multi/kk.txt") {
        let out = tmkit()
            .args(["segment", "--format", "jsonl"])
            .arg(kk)
            .output()
            .unwrap();
        let first = String::from_utf8(out.stdout).unwrap();
        assert!(first.lines().next().unwrap().contains("\"lang\":\"kk\""));
    }
}
