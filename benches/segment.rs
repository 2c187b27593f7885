//! Library throughput of the sentence segmenter.
//!
//! `cargo bench --bench segment`. Uses `../shared/data/segment/corpus/en_gutenberg.txt`
//! (24 MB of English prose) when present, otherwise this crate's own news cases
//! repeated to 4 MB; plus a multilingual mix and an SRX run on a smaller sample.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tmkit::segment::Segmenter;
use tmkit::segment::srx::SrxRules;
use tmkit::text::LanguageTag;

fn english_corpus() -> String {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/segment/corpus/en_gutenberg.txt");
    if let Ok(text) = std::fs::read_to_string(&shared) {
        return text;
    }
    eprintln!("{} not present: using the fixture cases", shared.display());
    let cases = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment/cases.jsonl"),
    )
    .unwrap_or_default();
    let mut text = String::new();
    for line in cases.lines().filter(|l| l.contains("\"lang\": \"en\"")) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            text.push_str(v["text"].as_str().unwrap_or(""));
            text.push('\n');
        }
    }
    text.repeat((4 << 20) / text.len().max(1) + 1)
}

fn bench(c: &mut Criterion) {
    let text = english_corpus();
    let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
    let mut group = c.benchmark_group("segment");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("en_rules", |b| b.iter(|| seg.segments(&text).count()));
    let wrapped = seg.clone().wrapped(true);
    group.bench_function("en_rules_wrapped", |b| {
        b.iter(|| wrapped.segments(&text).count())
    });

    let multi = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/segment/corpus/multi");
    if let Ok(dir) = std::fs::read_dir(&multi) {
        let mut inputs = Vec::new();
        for entry in dir.flatten() {
            let code = entry
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string();
            if let (Ok(text), Ok(tag)) = (
                std::fs::read_to_string(entry.path()),
                LanguageTag::parse(&code),
            ) {
                inputs.push((Segmenter::for_language(&tag), text));
            }
        }
        let bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("udhr_23_languages", |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .map(|(s, t)| s.segments(t).count())
                    .sum::<usize>()
            })
        });
    }

    let okapi = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/segment/srx/okapi_defaultSegmentation.srx");
    if let Ok(rules) = SrxRules::load(&okapi) {
        let srx = rules.segmenter(&LanguageTag::parse("en").unwrap());
        let mut cut = (1 << 20).min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let sample = &text[..cut];
        group.throughput(Throughput::Bytes(sample.len() as u64));
        group.bench_function("en_okapi_srx_1mb", |b| {
            b.iter(|| srx.segments(sample).count())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
