//! A tour of the library: segment an article, look its sentences up in a
//! translation memory, and summarize it. Run with
//! `cargo run --example tour -- samples/en-port-strike.txt tmx/en-fr.news.tmx`.

use std::path::PathBuf;

use tmkit::fuzzy::{MatchOptions, Matcher};
use tmkit::segment::Segmenter;
use tmkit::summarize::{Options, Summarizer};
use tmkit::text::LanguageTag;
use tmkit::text::lang::LangChoice;
use tmkit::tm::LanguagePair;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let article = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "samples/en-port-strike.txt".into()),
    );
    let memory = PathBuf::from(args.next().unwrap_or_else(|| "tmx/en-fr.news.tmx".into()));
    let text = tmkit::files::read_text(&article)?;

    // Sentences, with byte offsets into the original text.
    let en: LanguageTag = "en".parse()?;
    let segmenter = Segmenter::for_language(&en);
    let sentences: Vec<_> = segmenter.segments(&text).collect();
    if let Some(first) = sentences.first() {
        println!(
            "{} sentences; the first is at bytes {}..{}",
            sentences.len(),
            first.start,
            first.end
        );
    }

    // The best memory match for each sentence, with its CAT-style percentage.
    let pair = LanguagePair::new(en.clone(), "fr".parse()?);
    let matcher = Matcher::load(pair, &[memory])?;
    let mut session = matcher.session();
    for sentence in sentences.iter().take(4) {
        match session
            .lookup(sentence.text, &MatchOptions::default())
            .first()
        {
            Some(m) => println!(
                "{:>3}%  {}\n      {}",
                m.score, sentence.text, m.entry.target
            ),
            None => println!("  -   {}", sentence.text),
        }
    }

    // A three-sentence digest, in document order.
    let summary = Summarizer::new(Options::default()).summarize_text(&text, &LangChoice::Tag(en));
    for s in &summary.sentences {
        println!("* {}", s.text);
    }
    Ok(())
}
