//! Any text, cut in two at the first NUL: a bilingual dictionary (hunalign
//! or TSV lines) and a document. Reading the dictionary must give a lexicon
//! or an error, never a panic; the lexicon drawn for the document, its
//! compound splits and its cutter must not panic either, and the cutter
//! (`Dictionary::cutter`) must cut spaceless text exactly as the whole
//! dictionary does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::align::lexicon::{Dictionary, Vocabulary};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (dictionary, document) = text.split_once('\0').unwrap_or((&text, ""));
    let Ok(dict) = Dictionary::parse(dictionary.to_string(), None) else {
        return;
    };
    let count = dict.function_word_count();
    assert!(count.counted <= count.entries && count.stride >= 1);
    let whole = dict.lexicon();
    let cutter = dict.cutter();
    let lines: Vec<&str> = document.lines().collect();
    let vocabulary = Vocabulary::of(lines.iter().copied());
    let drawn = dict.lexicon_for(&vocabulary, &vocabulary);
    for word in document.split_whitespace() {
        let word = word.to_lowercase();
        if let Some(parts) = drawn.compound_parts(&word) {
            assert!(parts.len() >= 2);
        }
    }
    for line in &lines {
        for source in [true, false] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            whole.split_spaceless(line, source, &mut |u| a.push(u));
            cutter.split_spaceless(line, source, &mut |u| b.push(u));
            assert_eq!(a, b);
            assert_eq!(a.concat(), *line);
        }
    }
});
