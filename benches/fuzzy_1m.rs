//! The fuzzy index's own cost on the 1M-segment benchmark memory: each query
//! of the benchmark searched `REPS` times on one thread (top 5 at >= 50%, as
//! the server and `tmkit match` ask), the minimum time per query, and the work
//! the filters left (postings read, segments scored). With `CHECK=1` each
//! result is compared with the exhaustive scan's.
//!
//! Input: the store's index cache (`FZI`, default
//! `/tmp/q/b1m.tmdb.en_fr.fzi`) and the queries (`QUERIES`, default
//! `/tmp/benchsrv/b1m/queries.txt`); without them it says so and exits.
//!
//! `cargo bench --bench fuzzy_1m`. Instructions per query: run the binary
//! under `valgrind --tool=callgrind` with `REPS=1` and `REPS=3`; the
//! difference over 400 is the searches alone (the search is inlined into
//! this loop, so a `--toggle-collect` pattern finds nothing to count).

use std::hint::black_box;
use std::time::Instant;

use tmkit::fuzzy::{FuzzyIndex, SearchParams};

fn main() {
    let fzi = std::env::var("FZI").unwrap_or_else(|_| "/tmp/q/b1m.tmdb.en_fr.fzi".into());
    let queries =
        std::env::var("QUERIES").unwrap_or_else(|_| "/tmp/benchsrv/b1m/queries.txt".into());
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let check = std::env::var_os("CHECK").is_some();
    let verbose = std::env::var_os("VERBOSE").is_some();
    let (Ok(bytes), Ok(text)) = (std::fs::read(&fzi), std::fs::read_to_string(&queries)) else {
        eprintln!("fuzzy_1m: SKIPPED: {fzi} or {queries} is absent");
        return;
    };
    // The store's cache file holds its own header before the index.
    let Some(at) = bytes.windows(8).position(|w| w == b"TMKFZI02") else {
        eprintln!("fuzzy_1m: {fzi} holds no index");
        std::process::exit(1);
    };
    let index = FuzzyIndex::from_bytes(&bytes[at..]).unwrap_or_else(|e| {
        eprintln!("fuzzy_1m: {fzi}: {e}");
        std::process::exit(1);
    });
    drop(bytes);
    if text.lines().next().is_none() {
        eprintln!("fuzzy_1m: {queries} holds no query");
        return;
    }
    let queries: Vec<&str> = text.lines().collect();
    let params = SearchParams {
        k: 5,
        min_score: 50,
    };
    let never = |_| false;
    let mut searcher = index.searcher();
    let mut best = vec![f64::MAX; queries.len()];
    let (mut scanned, mut verified) = (0usize, 0usize);
    let mut lines = Vec::new();
    for rep in 0..reps {
        for (i, q) in queries.iter().enumerate() {
            let start = Instant::now();
            let hits = black_box(searcher.search(*q, params, &never));
            best[i] = best[i].min(start.elapsed().as_secs_f64() * 1e3);
            if rep == 0 {
                scanned += searcher.last_scanned();
                verified += searcher.last_verified();
                if verbose {
                    lines.push(format!(
                        "{} scanned\t{} scored\t{:?}\t{q}",
                        searcher.last_scanned(),
                        searcher.last_verified(),
                        hits.iter().map(|h| h.score).collect::<Vec<_>>()
                    ));
                }
                if check {
                    let all = searcher.search_exhaustive(*q, params, &never);
                    assert_eq!(hits, all, "query {q:?}");
                }
            }
        }
    }
    for (ms, line) in best.iter().zip(&lines) {
        println!("{ms:.3} ms\t{line}");
    }
    let mut sorted = best.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let n = queries.len().max(1);
    println!(
        "{} segments, {} queries, min of {reps} runs per query: p50 {:.3} ms, p90 {:.3}, p95 {:.3}, max {:.3}, mean {:.3}; per query {} postings read, {} segments scored{}",
        index.len(),
        queries.len(),
        pct(0.5),
        pct(0.9),
        pct(0.95),
        sorted[sorted.len() - 1],
        best.iter().sum::<f64>() / n as f64,
        scanned / n,
        verified / n,
        if check {
            ", every result equal to the exhaustive scan's"
        } else {
            ""
        }
    );
}
