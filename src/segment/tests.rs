//! Unit tests of the built-in rules, one per phenomenon.

use super::*;

fn split(lang: &str, text: &str) -> Vec<String> {
    let seg = Segmenter::for_language(&LanguageTag::parse(lang).unwrap());
    seg.segments(text).map(|s| s.text.to_string()).collect()
}

#[track_caller]
fn check(lang: &str, text: &str, expected: &[&str]) {
    assert_eq!(split(lang, text), expected, "{lang}: {text}");
}

#[test]
fn english_basics() {
    check(
        "en",
        "Hello World. My name is Jonas.",
        &["Hello World.", "My name is Jonas."],
    );
    check(
        "en",
        "What is your name? My name is Jonas.",
        &["What is your name?", "My name is Jonas."],
    );
    check(
        "en",
        "There it is! I found it.",
        &["There it is!", "I found it."],
    );
}
