//! Any page: main-content extraction must not panic, and every character of
//! the extracted text must map to a range inside the page, on character
//! boundaries, in document order; summarizing the page must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::summarize::{Document, InputFormat, Summarizer};

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else {
        return;
    };
    let page = tmkit::html::extract(html);
    let mut previous = 0;
    for (at, c) in page.text.char_indices() {
        let (start, end) = page.map.to_source_range(at, at + c.len_utf8());
        assert!(start <= end && end <= html.len(), "{start}..{end} of {}", html.len());
        assert!(html.is_char_boundary(start) && html.is_char_boundary(end));
        assert!(start >= previous, "offsets go back: {start} after {previous}");
        previous = start;
    }
    let doc = Document::parse(html, InputFormat::Html);
    let summary = Summarizer::default().summarize(&doc, &"en".parse().unwrap());
    for s in &summary.sentences {
        assert!(s.start <= s.end && s.end <= html.len());
    }
});
