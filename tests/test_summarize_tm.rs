//! CLI tests for `tmkit summarize --tm` over folders: the memory is loaded on
//! a thread of its own while the articles are summarized, and digests made
//! before it is ready wait for it. Whatever the timing, a batch must give
//! what summarizing each article alone gives (there the memory is loaded
//! first), in every format, and a memory that cannot be loaded must fail the
//! run without writing anything.

use predicates::prelude::PredicateBooleanExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod support;
use support::{stdout_of, tmkit};

const SENTENCES: [(&str, &str); 6] = [
    (
        "The port of Eastham closed on Monday because of a violent storm.",
        "Le port d'Eastham a fermé lundi à cause d'une violente tempête.",
    ),
    (
        "More than 40 cargo ships waited at anchor off the coast.",
        "Plus de 40 cargos ont attendu au mouillage au large de la côte.",
    ),
    (
        "Engineers inspected the cranes overnight and found only minor damage.",
        "Les ingénieurs ont inspecté les grues pendant la nuit et n'ont trouvé que des dégâts mineurs.",
    ),
    (
        "The mayor said the harbour would reopen on Wednesday morning.",
        "Le maire a dit que le port rouvrirait mercredi matin.",
    ),
    (
        "Fishermen stayed ashore for a third day in a row.",
        "Les pêcheurs sont restés à terre pour le troisième jour d'affilée.",
    ),
    (
        "Insurers expect claims worth several million euros.",
        "Les assureurs attendent des déclarations de plusieurs millions d'euros.",
    ),
];

/// A memory large enough to take a while to load (tens of thousands of
/// filler pairs), holding the articles' sentences, some of them edited so
/// they match fuzzily; and a folder of articles made of those sentences.
fn memory_and_articles(dir: &Path) -> (PathBuf, PathBuf) {
    let mut tsv = String::new();
    for i in 0..15_000 {
        tsv.push_str(&format!(
            "Filler sentence number {i} about the weather {}.\tPhrase {i}.\n",
            i % 97
        ));
    }
    for (k, (en, fr)) in SENTENCES.iter().enumerate() {
        let en = if k % 2 == 1 {
            en.replacen("the", "a", 1)
        } else {
            en.to_string()
        };
        tsv.push_str(&format!("{en}\t{fr}\n"));
    }
    let memory = dir.join("en-fr.tsv");
    std::fs::write(&memory, tsv).unwrap();
    let news = dir.join("news");
    std::fs::create_dir_all(&news).unwrap();
    for a in 0..10 {
        let body: Vec<&str> = (0..4)
            .map(|k| SENTENCES[(a + k) % SENTENCES.len()].0)
            .collect();
        std::fs::write(
            news.join(format!("a{a:02}.txt")),
            format!("Storm news {a}\n\n{}", body.join(" ")),
        )
        .unwrap();
    }
    (memory, news)
}

fn articles(news: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(news)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn with_memory<'c>(cmd: &'c mut Command, memory: &Path, format: &str) -> &'c mut Command {
    cmd.args(["summarize", "--lang", "en", "--tgt", "fr"])
        .args(["--format", format])
        .arg("--tm")
        .arg(memory)
}

#[test]
fn a_batch_gives_what_each_article_alone_gives_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (memory, news) = memory_and_articles(dir.path());
    let files = articles(&news);
    let alone =
        |format: &str, file: &Path| stdout_of(with_memory(&mut tmkit(), &memory, format).arg(file));

    // --out-dir: each digest file is byte for byte the article's own run.
    let out = dir.path().join("out");
    with_memory(&mut tmkit(), &memory, "json")
        .arg("--out-dir")
        .arg(&out)
        .arg(&news)
        .assert()
        .success();
    let mut translated = 0;
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let written = std::fs::read_to_string(out.join(format!("{name}.json"))).unwrap();
        let single = alone("json", file);
        let v: serde_json::Value = serde_json::from_str(&single).unwrap();
        translated += v["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s.get("translation").is_some())
            .count();
        // The names differ only in how the path was given.
        let strip = |s: &str| {
            s.lines()
                .filter(|l| !l.contains("\"file\""))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&written), strip(&single), "{name}");
    }
    assert!(translated >= 2 * files.len(), "{translated} translations");

    // Standard output: each article's entry in input order, as alone.
    let lines = stdout_of(with_memory(&mut tmkit(), &memory, "jsonl").args(&files));
    assert_eq!(lines.lines().count(), files.len());
    for (line, file) in lines.lines().zip(&files) {
        assert_eq!(line, alone("jsonl", file).trim_end(), "{}", file.display());
    }
    let text = stdout_of(with_memory(&mut tmkit(), &memory, "text").args(&files));
    let expected: Vec<String> = files
        .iter()
        .map(|f| format!("==> {} <==\n{}", f.display(), alone("text", f)))
        .collect();
    assert_eq!(text, expected.join("\n"));
    assert!(text.contains("    [100%] Le port d'Eastham"), "{text}");

    // --digest: one Markdown file, in input order, the same translations.
    let digest = dir.path().join("digest.md");
    with_memory(&mut tmkit(), &memory, "text")
        .arg("--digest")
        .arg(&digest)
        .args(&files)
        .assert()
        .success();
    let md = std::fs::read_to_string(&digest).unwrap();
    let markdown = stdout_of(with_memory(&mut tmkit(), &memory, "markdown").args(&files));
    assert_eq!(md, markdown);
    assert_eq!(
        md.matches("*100%:*").count(),
        text.matches("[100%]").count()
    );
}

#[test]
fn a_memory_that_cannot_be_loaded_fails_the_batch_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, news) = memory_and_articles(dir.path());
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "One\tUn\nno tab here\n").unwrap();
    let out = dir.path().join("out");
    with_memory(&mut tmkit(), &bad, "text")
        .arg("--out-dir")
        .arg(&out)
        .arg(&news)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("bad.tsv:2:12: expected a tab"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    let missing = dir.path().join("missing.tsv");
    let output = with_memory(&mut tmkit(), &missing, "json")
        .arg(&news)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(
        output.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.tsv"));
}

#[test]
fn bad_usage_is_reported_before_the_memory_loads() {
    let dir = tempfile::tempdir().unwrap();
    let (memory, news) = memory_and_articles(dir.path());
    // An empty article: had the batch started, its error would be printed.
    std::fs::write(news.join("z-empty.txt"), "  \n").unwrap();
    tmkit()
        .args(["summarize", "--tm"])
        .arg(&memory)
        .arg(&news)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--tgt"))
        .stderr(predicates::str::contains("z-empty.txt").not());
    let out = dir.path().join("out");
    tmkit()
        .args(["summarize", "--tgt", "en", "--tm"])
        .arg(&memory)
        .arg("--out-dir")
        .arg(&out)
        .arg(&news)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("z-empty.txt").not());
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().count() == 0);
    // A store beside a memory file: refused before the batch (not by the
    // loader, once the articles are summarized).
    tmkit()
        .args(["summarize", "--tgt", "fr", "--tm"])
        .arg(&memory)
        .args(["--tm", "postgres://localhost/tmkit-none"])
        .arg(&news)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not both"))
        .stderr(predicates::str::contains("z-empty.txt").not());
    // A memory file that does not exist: refused before the batch too.
    tmkit()
        .args(["summarize", "--tgt", "fr", "--tm"])
        .arg(dir.path().join("missing.tsv"))
        .arg(&news)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("missing.tsv"))
        .stderr(predicates::str::contains("z-empty.txt").not());
}

#[test]
fn when_the_memory_fails_the_articles_errors_are_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_, news) = memory_and_articles(dir.path());
    std::fs::write(news.join("z-empty.txt"), "  \n").unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "One\tUn\nno tab here\n").unwrap();
    with_memory(&mut tmkit(), &bad, "text")
        .arg(&news)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("bad.tsv:2:12: expected a tab"))
        .stderr(predicates::str::contains("z-empty.txt"));
}

#[test]
fn the_memory_index_is_cached_in_the_user_cache_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (memory, news) = memory_and_articles(dir.path());
    let home = dir.path().join("home");
    let run = |cached: bool, flag: Option<&str>| {
        let mut cmd = tmkit();
        with_memory(&mut cmd, &memory, "jsonl").arg(&news);
        // Every run names the test's cache folder: TMKIT_NO_CACHE (as
        // `tmkit()` sets it) or --no-cache must leave it empty.
        cmd.env("XDG_CACHE_HOME", &home);
        if cached {
            cmd.env_remove("TMKIT_NO_CACHE");
        }
        cmd.args(flag);
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let cache_files = || -> Vec<PathBuf> {
        std::fs::read_dir(home.join("tmkit"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    let (plain, _) = run(false, None);
    assert!(plain.contains("\"translation\""));
    // TMKIT_NO_CACHE, as the tests set it, and --no-cache write nothing.
    assert!(cache_files().is_empty());
    run(true, Some("--no-cache"));
    assert!(cache_files().is_empty());
    let (first, note) = run(true, None);
    assert!(!note.contains("index from the cache"), "{note}");
    assert_eq!(cache_files().len(), 1);
    let (second, note) = run(true, None);
    assert!(note.contains("index from the cache"), "{note}");
    assert_eq!((&first, &second), (&plain, &plain));
    // Nothing is written beside the memory.
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside.len(), 3, "{beside:?}");
}

#[test]
fn a_batch_error_and_a_memory_error_are_both_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_, news) = memory_and_articles(dir.path());
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "no tab on this line\n").unwrap();
    tmkit()
        .args(["summarize", "--tgt", "fr", "--lang", "en", "--tm"])
        .arg(&bad)
        .arg("--digest")
        .arg(dir.path().join("no-such-folder").join("digest.md"))
        .arg(&news)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("bad.tsv:1"))
        .stderr(predicates::str::contains("digest.md"));
}

/// A folder of foreign press is mixed: the memory's source language comes
/// from the first article that can be read and is not in --tgt's language,
/// not from whichever file sorts first. Here that first file is unreadable
/// (not UTF-8) and the second is French, the translations' language: the
/// batch goes on past the bad file, and the English article gets its
/// translations.
#[test]
fn mixed_folder_with_a_bad_first_article() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("press");
    std::fs::create_dir(&articles).unwrap();
    std::fs::write(articles.join("a-bad.txt"), b"caf\xe9 ferm\xe9.\n").unwrap();
    std::fs::write(
        articles.join("b-fr.txt"),
        "Le port d'Eastham a fermé lundi à cause d'une violente tempête. \
         Les pêcheurs sont restés à terre pour le troisième jour d'affilée.\n",
    )
    .unwrap();
    let english: String = SENTENCES.iter().map(|(en, _)| format!("{en} ")).collect();
    std::fs::write(articles.join("c-en.txt"), english).unwrap();
    let memory = dir.path().join("en-fr.tsv");
    let tsv: String = SENTENCES
        .iter()
        .map(|(en, fr)| format!("{en}\t{fr}\n"))
        .collect();
    std::fs::write(&memory, tsv).unwrap();
    let out = tmkit()
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .args([
            "summarize",
            "-q",
            "--format",
            "jsonl",
            "--tgt",
            "fr",
            "--tm",
        ])
        .arg(&memory)
        .arg(&articles)
        .output()
        .unwrap();
    // The bad file fails the run (exit 1) after the others are done.
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a-bad.txt"), "{stderr}");
    assert!(!stderr.contains("--tgt"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One record per article; a translated sentence carries `translation`.
    let translated = |file: &str| {
        records
            .iter()
            .filter(|r| r["file"].as_str().is_some_and(|f| f.ends_with(file)))
            .flat_map(|r| r["sentences"].as_array().unwrap())
            .filter(|s| !s["translation"].is_null())
            .count()
    };
    assert!(translated("c-en.txt") >= 3, "{stdout}");
    assert_eq!(translated("b-fr.txt"), 0, "{stdout}");
}
