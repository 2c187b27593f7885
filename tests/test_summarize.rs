//! CLI tests for `tmkit summarize`: single files in every markup, stdin,
//! output formats, and the batch behaviour (bad files, --out-dir,
//! --skip-existing, --digest, atomic outputs).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

mod support;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/summarize")
        .join(name)
}

fn tmkit() -> Command {
    let mut cmd = Command::cargo_bin("tmkit").unwrap();
    cmd.env("NO_COLOR", "1");
    // Index caches (a PostgreSQL store's, a large memory file's) go to the
    // tests' cache, not the user's.
    cmd.env("XDG_CACHE_HOME", support::cache_home());
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Each output line is a sentence of `source`, and they come in source order.
fn assert_in_document_order(source: &str, lines: &[&str]) {
    let mut from = 0;
    for line in lines {
        let at = source[from..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} not found in order in the source"));
        from += at + line.len();
    }
}

#[test]
fn plain_text_gives_three_sentences_in_order_without_noise() {
    let path = fixture("en_floods.txt");
    let out = stdout_of(tmkit().arg("summarize").arg(&path));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let source = std::fs::read_to_string(&path).unwrap();
    assert_in_document_order(&source, &lines);
    assert!(lines[0].starts_with("Heavy floods"), "{out}");
    assert!(!out.contains("Reuters") && !out.contains("By Anna") && !out.contains("Floods close"));
    // The default digest is the eligible lead (held out it beat the learned
    // ranker it replaced): the first three sentences once the headline, the
    // byline and the photo credit are left out.
    assert!(
        lines[1].starts_with("The regional education office"),
        "{out}"
    );
    assert!(lines[2].starts_with("Emergency crews evacuated"), "{out}");
}

#[test]
fn stdin_with_budget_and_language() {
    let source = std::fs::read_to_string(fixture("en_floods.txt")).unwrap();
    let out = stdout_of(
        tmkit()
            .args(["summarize", "--lang", "en_GB", "--sentences", "1", "-"])
            .write_stdin(source),
    );
    assert_eq!(out.lines().count(), 1);
    let words = stdout_of(
        tmkit()
            .args(["summarize", "--words", "40"])
            .pipe_stdin(fixture("en_floods.txt"))
            .unwrap(),
    );
    assert!(words.split_whitespace().count() <= 40, "{words}");
}

#[test]
fn json_has_scores_offsets_and_title() {
    let path = fixture("fr_budget.md");
    let out = stdout_of(tmkit().args(["summarize", "--format", "json"]).arg(&path));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["language"], "fr");
    assert_eq!(v["title"], "Le gouvernement présente un budget de rigueur");
    let sentences = v["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 3);
    let starts: Vec<u64> = sentences
        .iter()
        .map(|s| s["start"].as_u64().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]));
    assert!(sentences.iter().all(|s| s["score"].as_f64().is_some()));
    assert!(
        !out.contains("**") && !out.contains("https://"),
        "markup left: {out}"
    );
}

#[test]
fn html_main_text_only_and_rtl_survives() {
    let out = stdout_of(
        tmkit()
            .args(["summarize", "--format", "jsonl"])
            .arg(fixture("ar_news.html")),
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["language"], "ar");
    assert_eq!(v["title"], "الحكومة تعلن ميزانية جديدة للعام المقبل");
    for bad in [
        "الرئيسية",
        "حقوق",
        "analytics",
        "font-family",
        "المؤتمر الصحفي",
    ] {
        assert!(!out.contains(bad), "{bad} leaked into {out}");
    }
    assert!(out.contains("أعلنت الحكومة"));
}

#[test]
fn japanese_without_spaces_is_detected_and_summarized() {
    let path = fixture("ja_yosan.txt");
    let out = stdout_of(tmkit().args(["summarize", "-n", "2"]).arg(&path));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_in_document_order(&std::fs::read_to_string(&path).unwrap(), &lines);
    assert!(lines.iter().all(|l| l.ends_with('。')));
}

fn batch_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news");
    std::fs::create_dir_all(news.join("fr")).unwrap();
    std::fs::copy(fixture("en_floods.txt"), news.join("floods.txt")).unwrap();
    std::fs::copy(fixture("fr_budget.md"), news.join("fr/budget.md")).unwrap();
    std::fs::copy(fixture("ar_news.html"), news.join("ar.html")).unwrap();
    std::fs::write(news.join("latin1.txt"), b"Caf\xe9 cr\xe8me et croissant.").unwrap();
    std::fs::write(news.join("empty.txt"), "  \n").unwrap();
    std::fs::write(news.join("notes.csv"), "not,an,article").unwrap();
    dir
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn bad_files_are_reported_and_the_rest_is_written() {
    let dir = batch_dir();
    let out_dir = dir.path().join("digests");
    let assert = tmkit()
        .args(["summarize", "--out-dir"])
        .arg(&out_dir)
        .arg(dir.path().join("news"))
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("latin1.txt:1:4: not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("empty.txt") && stderr.contains("empty"),
        "{stderr}"
    );
    assert!(stderr.contains("3 succeeded, 2 failed"), "{stderr}");
    assert_eq!(
        files_under(&out_dir),
        ["ar.txt", "floods.txt", "fr/budget.txt"]
    );
    let floods = std::fs::read_to_string(out_dir.join("floods.txt")).unwrap();
    assert_eq!(floods.lines().count(), 3);
}

#[test]
fn skip_existing_resumes_and_leaves_no_temporary_files() {
    let dir = batch_dir();
    let news = dir.path().join("news");
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("floods.json"), "kept").unwrap();
    tmkit()
        .args([
            "summarize",
            "--quiet",
            "--format",
            "json",
            "--include",
            "*.txt",
            "--include",
            "*.md",
            "--skip-existing",
            "--out-dir",
        ])
        .arg(&out_dir)
        .arg(&news)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("succeeded").not());
    assert_eq!(
        std::fs::read_to_string(out_dir.join("floods.json")).unwrap(),
        "kept"
    );
    assert_eq!(files_under(&out_dir), ["floods.json", "fr/budget.json"]);
    let budget: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("fr/budget.json")).unwrap())
            .unwrap();
    assert_eq!(budget["sentences"].as_array().unwrap().len(), 3);

    std::fs::remove_file(news.join("latin1.txt")).unwrap();
    std::fs::remove_file(news.join("empty.txt")).unwrap();
    tmkit()
        .args([
            "summarize",
            "--format",
            "json",
            "--skip-existing",
            "--out-dir",
        ])
        .arg(&out_dir)
        .arg(&news)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 succeeded, 2 skipped, 0 failed"));
    assert!(
        files_under(&out_dir).iter().all(|f| !f.contains(".tmkit-")),
        "temporary files left: {:?}",
        files_under(&out_dir)
    );
}

#[test]
fn digest_collects_every_article() {
    let dir = batch_dir();
    let digest = dir.path().join("digest.md");
    tmkit()
        .args([
            "summarize",
            "--include",
            "*.txt",
            "--include",
            "*.html",
            "--digest",
        ])
        .arg(&digest)
        .arg(dir.path().join("news"))
        .assert()
        .code(1);
    let md = std::fs::read_to_string(&digest).unwrap();
    assert!(md.starts_with("# Digest\n"));
    assert!(
        md.contains("## Floods close schools across the valley\n"),
        "{md}"
    );
    assert!(
        md.contains("## الحكومة تعلن ميزانية جديدة للعام المقبل\n"),
        "{md}"
    );
    assert!(md.contains(" · en · 3 of "), "{md}");
    assert_eq!(md.matches("\n- ").count(), 6, "{md}");
}

#[test]
fn many_files_to_stdout_as_jsonl_and_text() {
    let out = stdout_of(
        tmkit()
            .args(["summarize", "--format", "jsonl"])
            .arg(fixture("en_floods.txt"))
            .arg(fixture("ja_yosan.txt")),
    );
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["file"].as_str().unwrap().ends_with("en_floods.txt"));
    assert_eq!(rows[1]["language"], "ja");
    let text = stdout_of(
        tmkit()
            .args(["summarize"])
            .arg(fixture("en_floods.txt"))
            .arg(fixture("ja_yosan.txt")),
    );
    assert_eq!(text.matches("==> ").count(), 2, "{text}");
    let json = stdout_of(
        tmkit()
            .args(["summarize", "--format", "json"])
            .arg(fixture("en_floods.txt"))
            .arg(fixture("ja_yosan.txt")),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn single_bad_input_fails_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"ok\n\xff").unwrap();
    tmkit()
        .arg("summarize")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.txt:2:1: not valid UTF-8"));
    tmkit()
        .args(["summarize", "missing-file.txt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("missing-file.txt"));
    tmkit()
        .arg("summarize")
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("empty"));
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec!["summarize", "--ratio", "1.5"],
        vec!["summarize", "--sentences", "0"],
        vec!["summarize", "--skip-existing"],
        vec!["summarize", "--lang", "not a tag!"],
        vec!["summarize", "--ratio", "0.5", "--words", "10"],
    ] {
        tmkit().args(&args).write_stdin("Text.").assert().code(2);
    }
    tmkit()
        .args(["summarize", "--title", "T"])
        .arg(fixture("en_floods.txt"))
        .arg(fixture("ja_yosan.txt"))
        .assert()
        .code(2);
}

#[test]
fn garbage_input_never_panics() {
    for input in [
        "\u{0}\u{1}\u{2}",
        "....!!!???",
        "(((",
        "\n\n\n\t",
        "a",
        "«»",
        "\u{200f}\u{202e}abc",
    ] {
        let assert = tmkit().arg("summarize").write_stdin(input).assert();
        let code = assert.get_output().status.code();
        assert!(matches!(code, Some(0) | Some(1)), "{input:?}: {code:?}");
    }
}

#[test]
fn every_sample_article_gets_a_summary_in_document_order() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    if !samples.is_dir() {
        support::skipped(module_path!(), "no samples/ folder in this checkout");
        return;
    }
    let out = stdout_of(
        tmkit()
            .args(["summarize", "--format", "jsonl"])
            .arg(&samples),
    );
    let mut count = 0;
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let sentences = v["sentences"].as_array().unwrap();
        assert!(!sentences.is_empty(), "empty summary for {}", v["file"]);
        let starts: Vec<u64> = sentences
            .iter()
            .map(|s| s["start"].as_u64().unwrap())
            .collect();
        assert!(
            starts.windows(2).all(|w| w[0] < w[1]),
            "order in {}",
            v["file"]
        );
        count += 1;
    }
    assert!(count > 0, "no sample article summarized");
}

/// Regression guard, not the target: the default digest (the eligible
/// lead, seventh round of docs/performance/summarize.md) measured +0.37
/// ROUGE-1 over the raw lead (the segmenter's first three sentences) on the
/// mean of three human-summary dev sets, in-sample, with the library's
/// ROUGE-1; this fails if it falls below +0.3, or any set more than 1 point
/// below the lead, or BBC below the lead. Issue #13's targets (>= 0.5 over the
/// best lead baseline, held out, with the shared harness) are measured by
/// bench and scripts, not here.
#[test]
fn regression_guard_eligible_lead_vs_raw_lead_on_shared_dev_data() {
    use tmkit::segment::Segmenter;
    use tmkit::summarize::rouge::{rouge_n, rouge_tokens};
    use tmkit::summarize::{Document, LanguageProfile, Summarizer};

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/summarize");
    let summarizer = Summarizer::default();
    // (ours, lead) mean ROUGE-1 F1 over the first `limit` articles of a set,
    // scored as rouge_eval.py does (stemming for English only).
    let score = |name: &str, limit: usize| -> Option<(f64, f64)> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        let (mut ours, mut lead, mut n) = (0.0, 0.0, 0.0);
        for line in text.lines().take(limit) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let lang: tmkit::text::LanguageTag = v["lang"].as_str().unwrap().parse().unwrap();
            let scoring = if lang.primary() == "en" {
                lang.clone()
            } else {
                tmkit::text::lang::undetermined()
            };
            let profile = LanguageProfile::new(&scoring);
            let reference = rouge_tokens(&profile, v["summary"].as_str().unwrap());
            let doc = Document::from_plain(v["text"].as_str().unwrap());
            let summary = summarizer.summarize(&doc, &lang);
            let picked: Vec<&str> = summary.sentences.iter().map(|s| s.text.as_str()).collect();
            let segmenter = Segmenter::for_language(&lang);
            let first: Vec<&str> = segmenter
                .segments(doc.body())
                .take(3)
                .map(|s| s.text)
                .collect();
            ours += rouge_n(&reference, &rouge_tokens(&profile, &picked.join("\n")), 1).f1;
            lead += rouge_n(&reference, &rouge_tokens(&profile, &first.join("\n")), 1).f1;
            n += 1.0;
        }
        Some((100.0 * ours / n, 100.0 * lead / n))
    };
    // Human-written summaries: the mean over the sets stays above the lead.
    let human: Vec<(f64, f64)> = [
        "cnndm_en.dev.jsonl",
        "xsum_en.dev.jsonl",
        "indosum_id.dev.jsonl",
    ]
    .iter()
    .filter_map(|name| score(name, usize::MAX))
    .collect();
    if human.len() < 3 {
        support::skipped(
            module_path!(),
            &format!("the dev sets are not in {}", dir.display()),
        );
        return;
    }
    // The floor: no set more than 1 point below the lead (XSum, whose
    // references are one sentence, is the closest: its eligible lead is a
    // little below the raw lead).
    for (name, (ours, lead)) in ["CNN/DM", "XSum", "IndoSum"].iter().zip(&human) {
        assert!(
            *ours >= lead - 1.0,
            "{name} ROUGE-1: ours {ours:.2}, lead {lead:.2}"
        );
    }
    let mean = |f: fn(&(f64, f64)) -> f64| human.iter().map(f).sum::<f64>() / 3.0;
    let (ours, lead) = (mean(|x| x.0), mean(|x| x.1));
    assert!(
        ours > lead + 0.3,
        "regression: human summaries, ROUGE-1: ours {ours:.2}, lead {lead:.2} (measured +0.37)"
    );
    // Extractive BBC references: the raw lead or better (both 48.78 on these
    // 300 at e74a6d0, ours below by less than rounding shows).
    match score("bbc_en.dev.jsonl", 300) {
        Some((ours, lead)) => {
            assert!(
                ours >= lead - 0.05,
                "BBC ROUGE-1: ours {ours:.3}, lead {lead:.3}"
            )
        }
        None => support::skipped(
            module_path!(),
            &format!("bbc_en.dev.jsonl is not in {}", dir.display()),
        ),
    }
}

#[test]
fn stdin_html_is_sniffed_and_markup_can_be_forced() {
    let html = std::fs::read_to_string(fixture("ar_news.html")).unwrap();
    let sniffed = stdout_of(
        tmkit()
            .args(["summarize", "-n", "1"])
            .write_stdin(html.clone()),
    );
    assert!(
        !sniffed.contains('<') && sniffed.contains("أعلنت الحكومة"),
        "{sniffed}"
    );
    let forced = stdout_of(
        tmkit()
            .args(["summarize", "--markup", "markdown", "--format", "json"])
            .arg(fixture("en_floods.txt")),
    );
    let v: serde_json::Value = serde_json::from_str(&forced).unwrap();
    // As Markdown the first line is a paragraph line, not a headline.
    assert!(v["title"].is_null(), "{forced}");
    let ratio = stdout_of(
        tmkit()
            .args(["summarize", "--ratio", "0.5"])
            .arg(fixture("en_floods.txt")),
    );
    assert_eq!(
        ratio.lines().count(),
        4,
        "half of the 7 eligible sentences, rounded up: {ratio}"
    );
}

/// The article sentences of `en_port_page.html`; nothing else may come out of it.
const PORT_SENTENCES: &[&str] = &[
    "The port of Eastham reopened on Monday after a three-day storm that had stopped all shipping, the harbour authority said.",
    "More than 40 cargo ships waited at anchor off the coast while winds of up to 120 km/h battered the harbour walls.",
    "Engineers inspected the cranes and the fuel terminal overnight & found only minor damage, according to the authority\u{2019}s statement.",
    "Dock workers will work extra shifts this week to clear the backlog of containers, the union said.",
    "The storm also cut power to 12,000 homes in the region, and some schools stayed closed on Monday.",
];

/// The text of an HTML slice: tags dropped, the fixture's entities decoded.
fn html_slice_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&#8217;", "\u{2019}")
}

#[test]
fn html_page_gives_only_article_sentences_with_offsets_into_the_file() {
    let path = fixture("en_port_page.html");
    let html = std::fs::read_to_string(&path).unwrap();
    let out = stdout_of(
        tmkit()
            .args(["summarize", "--sentences", "10", "--format", "json"])
            .arg(&path),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["title"], "Port reopens after three-day storm");
    let sentences = v["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), PORT_SENTENCES.len(), "{out}");
    for s in sentences {
        let text = s["text"].as_str().unwrap();
        assert!(
            PORT_SENTENCES.contains(&text),
            "not an article sentence: {text}"
        );
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            html_slice_text(&html[start..end]),
            text,
            "offsets {start}..{end}"
        );
    }
    for furniture in [
        "Jane Doe",
        "Updated",
        "Advertisement",
        "Sponsored",
        "Share",
        "Read more",
        "Great to see",
        "Copyright",
        "Photo",
    ] {
        assert!(!out.contains(furniture), "{furniture} leaked into {out}");
    }
}

#[test]
fn segment_match_and_analyze_read_the_page_not_its_markup() {
    let path = fixture("en_port_page.html");
    let html = std::fs::read_to_string(&path).unwrap();
    // What is translated: the <h1> headline, then the article (summarize
    // keeps the headline as the title instead).
    let mut expected_segments = vec!["Port reopens after three-day storm"];
    expected_segments.extend_from_slice(PORT_SENTENCES);
    let out = stdout_of(
        tmkit()
            .args(["segment", "--lang", "en", "--format", "jsonl"])
            .arg(&path),
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), expected_segments.len(), "{out}");
    for (line, expected) in lines.iter().zip(&expected_segments) {
        assert_eq!(line["text"], *expected);
        let (start, end) = (
            line["start"].as_u64().unwrap() as usize,
            line["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(html_slice_text(&html[start..end]), *expected);
    }
    let dir = tempfile::tempdir().unwrap();
    let tm = dir.path().join("en-fr.tsv");
    std::fs::write(
        &tm,
        format!(
            "{}\tLe port d'Eastham a rouvert lundi.\n",
            PORT_SENTENCES[0]
        ),
    )
    .unwrap();
    let out = stdout_of(
        tmkit()
            .args([
                "match", "--src", "en", "--tgt", "fr", "--format", "jsonl", "--tm",
            ])
            .arg(&tm)
            .arg(&path),
    );
    assert_eq!(out.lines().count(), expected_segments.len(), "{out}");
    assert!(!out.contains("dataLayer") && !out.contains("Home"), "{out}");
    let out = stdout_of(
        tmkit()
            .args([
                "analyze", "--src", "en", "--tgt", "fr", "--format", "json", "--tm",
            ])
            .arg(&tm)
            .arg(&path),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["total"]["total"]["segments"].as_u64(),
        Some(expected_segments.len() as u64),
        "{out}"
    );
}

#[test]
fn near_duplicate_sentences_are_never_both_in_a_digest() {
    let variants = [
        "The port of Eastham reopened on Monday after the storm.",
        "The port of Eastham reopened on Monday after the big storm.",
        "The port of Eastham has reopened on Monday after the storm.",
        "On Monday the port of Eastham reopened after the storm.",
        "The port of Eastham reopened Monday after the storm passed.",
        "The Eastham port reopened on Monday after the storm.",
    ];
    let article = format!(
        "{} Engineers found only minor damage to the cranes and the fuel terminal. {} {} \
         Dock workers will work extra shifts to clear the backlog. {} {} {}",
        variants[0], variants[1], variants[2], variants[3], variants[4], variants[5]
    );
    for n in ["2", "3", "4"] {
        let out = stdout_of(
            tmkit()
                .args(["summarize", "--lang", "en", "--sentences", n, "-"])
                .write_stdin(article.clone()),
        );
        let repeated = out.lines().filter(|l| variants.contains(l)).count();
        assert!(repeated <= 1, "{repeated} near-duplicates in {out}");
    }
}

/// An article and a memory holding two of its sentences (one exactly, one
/// with a word changed) and an unrelated one.
fn article_and_memory(dir: &Path) -> (PathBuf, PathBuf) {
    let article = dir.join("storm.txt");
    std::fs::write(
        &article,
        "Storm closes port\n\n\
         The port of Eastham closed on Monday because of a violent storm. \
         More than 40 cargo ships waited at anchor off the coast. \
         Engineers inspected the cranes overnight and found only minor damage. \
         A local baker said business was slow.",
    )
    .unwrap();
    let memory = dir.join("en-fr.tsv");
    std::fs::write(
        &memory,
        "The port of Eastham closed on Monday because of a violent storm.\tLe port d'Eastham a fermé lundi à cause d'une violente tempête.\n\
         Engineers inspected the cranes overnight and found only small damage.\tLes ingénieurs ont inspecté les grues pendant la nuit et n'ont trouvé que de petits dégâts.\n\
         The weather will improve on Thursday.\tLe temps s'améliorera jeudi.\n",
    )
    .unwrap();
    (article, memory)
}

#[test]
fn digest_with_translations_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (article, memory) = article_and_memory(dir.path());
    let run = |format: &str| {
        stdout_of(
            tmkit()
                .args(["summarize", "--tgt", "fr", "--format", format, "--tm"])
                .arg(&memory)
                .arg(&article),
        )
    };
    let text = run("text");
    let lines: Vec<&str> = text.lines().collect();
    let exact = lines
        .iter()
        .position(|l| l.starts_with("The port of Eastham"))
        .unwrap();
    assert_eq!(
        lines[exact + 1],
        "    [100%] Le port d'Eastham a fermé lundi à cause d'une violente tempête.",
        "{text}"
    );
    let fuzzy = lines
        .iter()
        .position(|l| l.starts_with("Engineers"))
        .unwrap();
    assert!(
        lines[fuzzy + 1].starts_with("    [") && lines[fuzzy + 1].contains("Les ingénieurs"),
        "{text}"
    );
    assert!(!text.contains("jeudi"), "{text}");

    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let jsonl: serde_json::Value = serde_json::from_str(run("jsonl").trim()).unwrap();
    for v in [&json, &jsonl] {
        let sentences = v["sentences"].as_array().unwrap();
        let translated: Vec<&serde_json::Value> = sentences
            .iter()
            .filter_map(|s| s.get("translation"))
            .collect();
        assert_eq!(translated.len(), 2, "{v}");
        assert_eq!(translated[0]["score"], 100);
        assert_eq!(
            translated[0]["source"],
            "The port of Eastham closed on Monday because of a violent storm."
        );
        let score = translated[1]["score"].as_u64().unwrap();
        assert!((75..100).contains(&score), "{v}");
    }
    let md = run("markdown");
    assert!(
        md.contains("  - *100%:* Le port d'Eastham a fermé lundi"),
        "{md}"
    );

    // --min above the fuzzy match keeps only the exact one; --digest carries it.
    let digest = dir.path().join("digest.md");
    tmkit()
        .args(["summarize", "--tgt", "fr", "--min", "100", "--digest"])
        .arg(&digest)
        .arg("--tm")
        .arg(&memory)
        .arg(&article)
        .assert()
        .success();
    let md = std::fs::read_to_string(&digest).unwrap();
    assert_eq!(md.matches("  - *").count(), 1, "{md}");
    assert!(md.contains("*100%:* Le port d'Eastham"), "{md}");
}

/// A folder `news` under `dir` holding `n` copies of `article`.
fn copies_in_a_folder(dir: &Path, article: &Path, n: usize) -> PathBuf {
    let news = dir.join("news");
    std::fs::create_dir_all(&news).unwrap();
    for i in 0..n {
        std::fs::copy(article, news.join(format!("a{i}.txt"))).unwrap();
    }
    news
}

/// The JSON lines of summarizing `folder` (English) with translations into French from `memory`.
fn summarize_folder_with(memory: &Path, folder: &Path) -> String {
    stdout_of(
        tmkit()
            .args([
                "summarize",
                "--lang",
                "en",
                "--tgt",
                "fr",
                "--format",
                "jsonl",
                "--tm",
            ])
            .arg(memory)
            .arg(folder),
    )
}

#[test]
fn translations_for_a_folder_in_parallel_and_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let (article, memory) = article_and_memory(dir.path());
    let news = copies_in_a_folder(dir.path(), &article, 6);
    let out = summarize_folder_with(&memory, &news);
    assert_eq!(out.lines().count(), 6);
    assert!(
        out.lines()
            .all(|l| l.contains("\"translation\":{\"score\":100")),
        "{out}"
    );
    tmkit()
        .args(["summarize", "--tm"])
        .arg(&memory)
        .arg(&article)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--tgt"));
}

/// The stores a test can use: a SQLite file in `dir`, and a PostgreSQL schema
/// of its own when `TMKIT_TEST_PG` names a database (skipped, with a printed
/// reason, otherwise).
fn stores(dir: &Path, name: &str) -> Vec<String> {
    let mut specs = vec![dir.join("team.tmdb").to_string_lossy().into_owned()];
    match std::env::var("TMKIT_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let schema = format!("tmkit_test_{name}");
            tmkit::store::postgres::reset_schema(&base, &schema).expect("reset the test schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            specs.push(format!(
                "{base}{sep}options=-csearch_path%3D{schema}%2Cpublic"
            ));
        }
        None => support::skipped("summarize --tm postgres://", "TMKIT_TEST_PG is not set"),
    }
    specs
}

#[test]
fn translations_from_a_store_as_match_takes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (article, memory) = article_and_memory(dir.path());
    let news = copies_in_a_folder(dir.path(), &article, 4);
    for store in stores(dir.path(), "summarize_tm") {
        tmkit()
            .args(["tm", "import", "--src", "en", "--tgt", "fr", "--tm", &store])
            .arg(&memory)
            .assert()
            .success();
        let out = stdout_of(
            tmkit()
                .args([
                    "summarize",
                    "--tgt",
                    "fr",
                    "--format",
                    "jsonl",
                    "--tm",
                    &store,
                ])
                .arg(&article),
        );
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let translated: Vec<&serde_json::Value> = v["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.get("translation"))
            .collect();
        assert_eq!(translated.len(), 2, "{store}: {out}");
        assert_eq!(translated[0]["score"], 100);
        assert_eq!(
            translated[0]["target"],
            "Le port d'Eastham a fermé lundi à cause d'une violente tempête."
        );
        // A folder goes through the same store, in parallel.
        let out = summarize_folder_with(Path::new(&store), &news);
        assert_eq!(out.lines().count(), 4, "{out}");
        assert_eq!(out.matches("\"score\":100").count(), 4, "{out}");
    }
}

#[test]
fn out_dir_on_the_input_folder_never_overwrites_an_article() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("a.txt");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/en-port-strike.txt"),
    )
    .unwrap();
    std::fs::write(&article, &text).unwrap();
    tmkit()
        .arg("summarize")
        .arg("--out-dir")
        .arg(dir.path())
        .arg(&article)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("overwrite"));
    assert_eq!(std::fs::read_to_string(&article).unwrap(), text);
}

#[cfg(unix)]
#[test]
fn out_dir_through_a_link_to_the_input_folder_never_overwrites_an_article() {
    // The plan compares paths as written (news/ and link/ differ); the writer
    // compares the files themselves.
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news");
    std::fs::create_dir(&news).unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/en-port-strike.txt"),
    )
    .unwrap();
    std::fs::write(news.join("a.txt"), &text).unwrap();
    std::fs::write(news.join("b.md"), &text).unwrap();
    std::os::unix::fs::symlink(&news, dir.path().join("link")).unwrap();
    tmkit()
        .arg("summarize")
        .arg("--out-dir")
        .arg(dir.path().join("link"))
        .arg(&news)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("overwrite"));
    assert_eq!(std::fs::read_to_string(news.join("a.txt")).unwrap(), text);
    // The other article's digest (b.txt) was written beside it, nothing else.
    let mut names: Vec<String> = std::fs::read_dir(&news)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.txt", "b.md", "b.txt"]);
}

#[test]
fn a_digest_that_is_an_input_is_refused_and_the_article_kept() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("article.txt");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/en-port-strike.txt");
    std::fs::copy(&sample, &article).unwrap();
    tmkit()
        .arg("summarize")
        .arg(&article)
        .arg("--digest")
        .arg(dir.path().join(".").join("article.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("also an input"));
    assert_eq!(
        std::fs::read(&article).unwrap(),
        std::fs::read(&sample).unwrap()
    );
}

/// `tmkit summarize … | head`: a reader that stops early ends the run
/// quietly with 0 in every format (JSON included, whose serializer wraps the
/// write error).
#[test]
fn closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Dissimilar sentences, so that digests of 20 sentences come out whole
    // and the output (~1 MB) outgrows what a pipe and `head` take in at once.
    let words = [
        "harbour", "council", "budget", "minister", "strike", "railway", "school", "hospital",
        "farmers", "bridge", "museum", "election", "court", "festival", "airport", "river",
    ];
    for i in 0..200 {
        let article: String = (0..30)
            .map(|j| {
                let w = |k: usize| words[(i * 7 + j * 5 + k * 3) % words.len()];
                format!(
                    "The {} and the {} of town {i} discussed the {} plan number {j} with the {}. ",
                    w(0),
                    w(1),
                    w(2),
                    w(3)
                )
            })
            .collect();
        std::fs::write(dir.path().join(format!("a{i:03}.txt")), article).unwrap();
    }
    let cache = dir.path().join("cache");
    for format in ["text", "jsonl", "json", "markdown"] {
        support::assert_closed_pipe_ends_quietly(
            format,
            &format!(
                "summarize -q --lang en --sentences 20 --format {format} '{}'",
                dir.path().display()
            ),
            &[("XDG_CACHE_HOME", &cache)],
        );
    }
}

/// The daily command with its outputs inside the folder it reads: the
/// digests of the earlier run (in `--out-dir`) and the digest file are not
/// articles of the next one, so the same command runs again and again.
#[test]
fn outputs_inside_the_input_folder_are_not_inputs_of_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news");
    std::fs::create_dir(&news).unwrap();
    for name in ["en-port-strike.txt", "en-fusion-record.txt"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("samples")
                .join(name),
            news.join(name),
        )
        .unwrap();
    }
    let digests = news.join("digests");
    for _ in 0..3 {
        tmkit()
            .args(["summarize", "-q", "--skip-existing", "--out-dir"])
            .arg(&digests)
            .arg(&news)
            .assert()
            .success();
    }
    let mut written: Vec<_> = walk(&digests);
    written.sort();
    assert_eq!(written.len(), 2, "{written:?}");
    let digest = news.join("digest.md");
    for _ in 0..2 {
        tmkit()
            .args(["summarize", "-q", "--digest"])
            .arg(&digest)
            .arg(&news)
            .assert()
            .success();
    }
    // Named as an input, the digest is still refused.
    tmkit()
        .args(["summarize", "-q", "--digest"])
        .arg(&digest)
        .arg(&news)
        .arg(&digest)
        .assert()
        .code(2);
}

#[test]
fn markdown_json_offsets_point_into_the_file() {
    let path = fixture("fr_budget.md");
    let md = std::fs::read_to_string(&path).unwrap();
    let out = stdout_of(
        tmkit()
            .args(["summarize", "--sentences", "5", "--format", "json"])
            .arg(&path),
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sentences = json["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 5, "{out}");
    for s in sentences {
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        // The file's bytes without the Markdown marks are the sentence.
        let raw = md[start..end].replace("**", "");
        let raw = raw
            .replace("](https://example.org/budget)", "")
            .replace('[', "");
        assert_eq!(raw, s["text"].as_str().unwrap(), "{start}..{end}");
    }
}
