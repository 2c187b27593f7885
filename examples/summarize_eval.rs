//! Scores tmkit's summarizer on a JSONL file of articles with reference
//! summaries (`{"text", "summary", "lang"}` per line) with the library's own
//! ROUGE-1/2, for quick checks of ranking changes. The reference figures come
//! from `rouge_eval.py` (see docs/performance/summarize.md).
//!
//! ```text
//! cargo run --release --example summarize_eval -- DATA.jsonl [--half even|odd] [--lead] [weight=value ...]
//! ```
//!
//! Weights are `duplicate_jaccard`, `short_words` and `unrelated_words` (`tmkit::summarize::Weights`), the fields of
//! `tmkit::summarize::experiment::RankerWeights` or feature names
//! (`tmkit::summarize::experiment::features::FEATURE_NAMES`), e.g. `duplicate_jaccard=0.6`;
//! only those three change the digest (the eligible lead), the others
//! change the learned ranker's features and scores in the dump.
//! `--dump FILE` also writes one JSON line per article for offline analysis
//! (`scripts/summarize_train.py`): the reference's ROUGE tokens, each
//! sentence's tokens and features ([`Summarizer::rank`]), the
//! similarity matrix and the sentences chosen.

use rayon::prelude::*;
use tmkit::summarize::experiment::RankerWeights;
use tmkit::summarize::experiment::features::FEATURE_NAMES;
use tmkit::summarize::rouge::{rouge_n, rouge_tokens};
use tmkit::summarize::{Budget, Document, LanguageProfile, Options, Summarizer, Weights};
use tmkit::text::LanguageTag;

fn main() {
    if let Err(e) = run() {
        eprintln!("summarize_eval: {e}");
        std::process::exit(2);
    }
}

fn set_weight(
    d: &mut Weights,
    w: &mut RankerWeights,
    key: &str,
    value: &str,
) -> Result<(), String> {
    let v: f32 = value.parse().map_err(|_| format!("bad number {value:?}"))?;
    if let Some(i) = FEATURE_NAMES.iter().position(|n| *n == key) {
        w.features[i] = v;
        return Ok(());
    }
    match key {
        "title" => w.title = v,
        "duplicate_jaccard" => d.duplicate_jaccard = v,
        "short_words" => d.short_words = v as usize,
        "unrelated_words" => d.unrelated_words = v as usize,
        "edge_threshold" => w.edge_threshold = v,
        "long_sentence_words" => w.long_sentence_words = v as usize,
        "median_length_cap" => w.median_length_cap = v,
        _ => return Err(format!("unknown weight {key:?}")),
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: summarize_eval DATA.jsonl [--half even|odd] [--lead] [k=v ...]")?;
    let mut weights = Weights::default();
    let mut ranker = RankerWeights::default();
    let mut half: Option<usize> = None;
    let mut lead = false;
    let mut with_title = false;
    let mut sentences = 3;
    let mut dump: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--half" => {
                half = match args.next().as_deref() {
                    Some("even") => Some(0),
                    Some("odd") => Some(1),
                    _ => return Err("--half takes even or odd".into()),
                }
            }
            "--lead" => lead = true,
            "--dump" => dump = Some(args.next().ok_or("--dump takes a file")?),
            // Puts the "title" field on the first line, as news files often have it.
            "--with-title" => with_title = true,
            "--sentences" => {
                sentences = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--sentences takes a number")?
            }
            kv => {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or(format!("expected key=value, got {kv:?}"))?;
                set_weight(&mut weights, &mut ranker, k, v)?;
            }
        }
    }
    let data = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let docs: Vec<serde_json::Value> = data
        .lines()
        .enumerate()
        .filter(|(i, l)| !l.trim().is_empty() && half.is_none_or(|h| i % 2 == h))
        .map(|(_, l)| serde_json::from_str(l).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let summarizer = Summarizer::new(Options {
        budget: Budget::Sentences(sentences),
        weights,
    });
    let scores: Vec<(f64, f64, usize, String)> = docs
        .par_iter()
        .map(|d| {
            let text = d["text"].as_str().unwrap_or_default();
            let reference = d["summary"].as_str().unwrap_or_default();
            let lang: LanguageTag = d["lang"]
                .as_str()
                .unwrap_or("und")
                .parse()
                .unwrap_or_else(|_| tmkit::text::lang::undetermined());
            let titled;
            let text = match d["title"].as_str() {
                Some(t) if with_title => {
                    titled = format!("{t}\n\n{text}");
                    titled.as_str()
                }
                _ => text,
            };
            let doc = Document::from_plain(text);
            let summary = summarizer.summarize(&doc, &lang);
            let segmenter = tmkit::segment::Segmenter::for_language(&lang);
            let picked: Vec<&str> = if lead {
                segmenter
                    .segments(doc.body())
                    .map(|s| s.text)
                    .take(sentences)
                    .collect::<Vec<_>>()
            } else {
                summary.sentences.iter().map(|s| s.text.as_str()).collect()
            };
            let candidate = picked.join("\n");
            // rouge_eval.py stems English only.
            let scoring = if lang.primary() == "en" {
                lang.clone()
            } else {
                tmkit::text::lang::undetermined()
            };
            let profile = LanguageProfile::new(&scoring);
            let r = rouge_tokens(&profile, reference);
            let c = rouge_tokens(&profile, &candidate);
            let record = if dump.is_some() {
                let ranking = summarizer.rank(&doc, &lang, &ranker);
                let sentences: Vec<serde_json::Value> = ranking
                    .sentences
                    .iter()
                    .map(|s| {
                        let text = doc.text.get(s.start..s.end).unwrap_or_default();
                        serde_json::json!({
                            "text": text,
                            "tokens": rouge_tokens(&profile, text),
                            "words": s.words,
                            "eligible": s.eligible,
                            "rejection": tmkit::summarize::rank::reject(text, s.words)
                                .map(|r| format!("{r:?}")),
                            "features": s.features,
                            "score": s.score,
                        })
                    })
                    .collect();
                let picked: Vec<usize> = summary
                    .sentences
                    .iter()
                    .filter_map(|p| {
                        ranking
                            .sentences
                            .iter()
                            .position(|s| s.start <= p.start && p.start < s.end)
                    })
                    .collect();
                serde_json::json!({
                    "id": d["id"],
                    "lang": lang.primary(),
                    "reference": r,
                    "sentences": sentences,
                    "similarity": ranking.similarity,
                    "jaccard": ranking.jaccard,
                    "picked": picked,
                })
                .to_string()
            } else {
                String::new()
            };
            (
                rouge_n(&r, &c, 1).f1,
                rouge_n(&r, &c, 2).f1,
                c.len(),
                record,
            )
        })
        .collect();
    if let Some(out) = &dump {
        let lines: Vec<&str> = scores.iter().map(|s| s.3.as_str()).collect();
        std::fs::write(out, lines.join("\n") + "\n").map_err(|e| format!("{out}: {e}"))?;
    }
    let n = scores.len().max(1) as f64;
    let r1 = 100.0 * scores.iter().map(|s| s.0).sum::<f64>() / n;
    let r2 = 100.0 * scores.iter().map(|s| s.1).sum::<f64>() / n;
    let words = scores.iter().map(|s| s.2).sum::<usize>() as f64 / n;
    println!(
        "R1={r1:.2} R2={r2:.2} words={words:.1} docs={}",
        scores.len()
    );
    Ok(())
}
