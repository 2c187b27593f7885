//! Criterion benches for the match score and the top-k index.
//!
//! Memory: the shared English–French corpus (`../shared/data/tm/en-fr.tsv`)
//! expanded with joined pairs to 100,000 segments, like the benchmark
//! harness's memories; without it, generated sentences over a 5,000-word
//! vocabulary. Queries are memory sentences with word edits and word salad.
//!
//! `cargo bench --bench fuzzy`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use tmkit::fuzzy::{MatchOptions, Matcher, Pattern, TokenSets, Vocabulary, score};
use tmkit::tm::{Entry, LanguagePair, MemoryTm, Origin, PositionUnit};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn base_sentences(rng: &mut Rng) -> Vec<String> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/tm/en-fr.tsv");
    if let Ok(text) = std::fs::read_to_string(&shared) {
        return text
            .lines()
            .filter_map(|l| l.split('\t').next())
            .map(str::to_string)
            .collect();
    }
    let vocab: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
    (0..50_000)
        .map(|_| {
            let n = 4 + rng.below(10);
            let mut words: Vec<&str> = (0..n)
                .map(|_| vocab[(rng.below(70) * rng.below(70)).min(4999)].as_str())
                .collect();
            words.push(".");
            words.join(" ")
        })
        .collect()
}

fn memory(size: usize) -> (MemoryTm, Vec<String>) {
    let mut rng = Rng(7);
    let base = base_sentences(&mut rng);
    let mut tm = MemoryTm::new(LanguagePair::new(
        "en".parse().unwrap(),
        "fr".parse().unwrap(),
    ));
    let file = tm.add_file("bench.tsv").unwrap();
    for i in 0..size {
        let source = if i < base.len() {
            base[i].clone()
        } else {
            format!(
                "{} {}",
                base[rng.below(base.len())],
                base[rng.below(base.len())]
            )
        };
        tm.push(Entry {
            source,
            target: String::new(),
            tuid: None,
            changedate: None,
            source_codes: 0,
            origin: Origin {
                file,
                position: i as u32 + 1,
                unit: PositionUnit::Line,
            },
        });
    }
    let words: Vec<String> = base
        .iter()
        .flat_map(|s| s.split(' ').map(str::to_string))
        .take(200_000)
        .collect();
    let queries = (0..200)
        .map(|q| {
            if q % 6 == 5 {
                return (0..8)
                    .map(|_| words[rng.below(words.len())].as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            let src = &tm.entries()[rng.below(size)].source;
            let mut w: Vec<&str> = src.split(' ').collect();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(w.len());
                w[at] = words[rng.below(words.len())].as_str();
            }
            w.join(" ")
        })
        .collect();
    (tm, queries)
}

fn bench_score(c: &mut Criterion) {
    let a = "The minister said on Monday that the talks would resume next week in Geneva.";
    let b = "The minister said on Tuesday that talks would resume next month in Geneva.";
    c.bench_function("score/two news sentences", |bench| {
        bench.iter(|| score(black_box(a), black_box(b)))
    });
    let mut vocab = Vocabulary::default();
    let (mut ta, mut tb) = (TokenSets::default(), TokenSets::default());
    vocab.intern_sets(a, &mut ta);
    vocab.intern_sets(b, &mut tb);
    let (ta, tb) = (ta.scored, tb.scored);
    let mut pattern = Pattern::new(&ta);
    c.bench_function("score/bit-parallel distance, interned", |bench| {
        bench.iter(|| pattern.distance_within(black_box(&tb), usize::MAX))
    });
    let long_a: Vec<u32> = (0..300).map(|i| i % 97).collect();
    let long_b: Vec<u32> = (0..280).map(|i| (i * 3) % 97).collect();
    let mut long = Pattern::new(&long_a);
    c.bench_function("score/bit-parallel distance, 300 tokens", |bench| {
        bench.iter(|| long.distance_within(black_box(&long_b), usize::MAX))
    });
}

fn bench_index(c: &mut Criterion) {
    let (tm, queries) = memory(100_000);
    let matcher = Matcher::new(tm);
    let mut session = matcher.session();
    let options = MatchOptions::default();
    let mut group = c.benchmark_group("index/100k segments, top 5 at 50%");
    group.sample_size(20);
    group.bench_function("indexed, 200 queries", |bench| {
        bench.iter(|| {
            for q in &queries {
                black_box(session.best(q, &options));
            }
        })
    });
    let exhaustive = MatchOptions {
        exhaustive: true,
        ..options
    };
    group.sample_size(10);
    group.bench_function("exhaustive scan, 20 queries", |bench| {
        bench.iter(|| {
            for q in queries.iter().take(20) {
                black_box(session.best(q, &exhaustive));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_score, bench_index);
criterion_main!(benches);
