//! Any text: the XLIFF reader must not panic or hang; whatever it reads
//! must be written as XLIFF 1.2 and 2.0 and read back with the same units
//! and the same source text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::xliff::{Document, write_xliff12, write_xliff20};

fn sources(doc: &Document) -> Vec<String> {
    // What XML can hold: the writer leaves out the rest.
    let xml = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
    };
    doc.segments()
        .map(|(_, _, s)| s.source.plain_text().chars().filter(|&c| xml(c)).collect())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = Document::parse_str(text, None) else { return };
    let units = |d: &Document| d.files.iter().map(|f| f.units.len()).sum::<usize>();
    for v2 in [false, true] {
        let out = if v2 {
            write_xliff20(&doc, Vec::new())
        } else {
            write_xliff12(&doc, Vec::new())
        }
        .expect("writing to memory");
        let out = String::from_utf8(out).expect("the writer writes UTF-8");
        let back = Document::parse_str(&out, None).expect("reading what we wrote");
        assert_eq!(units(&back), units(&doc));
        if !v2 {
            assert_eq!(sources(&back), sources(&doc));
        }
    }
});
