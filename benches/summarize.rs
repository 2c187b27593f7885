//! Library throughput of the summarizer: articles per second, segmentation,
//! tokenization, ranking and selection included (no file I/O).
//!
//! `cargo bench --bench summarize`. Uses the first 400 articles of
//! `../shared/data/summarize/bbc_en.dev.jsonl` and `orangesum_fr.dev.jsonl`
//! when present, otherwise this crate's own fixtures.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tmkit::summarize::{Document, InputFormat, Options, Summarizer};
use tmkit::text::lang::LangChoice;

fn articles(file: &str, fixture: &str) -> Vec<String> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/summarize")
        .join(file);
    if let Ok(data) = std::fs::read_to_string(&shared) {
        return data
            .lines()
            .take(400)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect();
    }
    eprintln!("{} not present: using a fixture", shared.display());
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/summarize")
            .join(fixture),
    )
    .unwrap_or_default();
    vec![text; 100]
}

fn bench(c: &mut Criterion) {
    let summarizer = Summarizer::new(Options::default());
    let mut group = c.benchmark_group("summarize");
    group.sample_size(10);
    for (name, file, fixture, lang) in [
        ("en", "bbc_en.dev.jsonl", "en_floods.txt", "en"),
        ("fr", "orangesum_fr.dev.jsonl", "fr_budget.md", "fr"),
    ] {
        let docs = articles(file, fixture);
        let tag: LangChoice = lang.parse().expect("valid tag");
        group.throughput(Throughput::Elements(docs.len() as u64));
        group.bench_function(format!("{name}/known-language"), |b| {
            b.iter(|| {
                for text in &docs {
                    let doc = Document::parse(text, InputFormat::Text);
                    let lang = tmkit::summarize::resolve_language(&doc, &tag);
                    std::hint::black_box(summarizer.summarize(&doc, &lang));
                }
            })
        });
        group.bench_function(format!("{name}/auto-language"), |b| {
            b.iter(|| {
                for text in &docs {
                    std::hint::black_box(summarizer.summarize_text(text, &LangChoice::Auto));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
