//! Any text as an SRX file: parsing (with the schema check) must not panic or
//! hang; rules it accepts must segment text into spans that cover it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::segment::srx::SrxRules;
use tmkit::text::LanguageTag;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = SrxRules::parse(xml, None) else {
        return;
    };
    for w in rules.warnings() {
        assert!(w.location.line.is_none() || w.location.column.is_some());
    }
    let text = "Mr. Smith left. He came back?  Yes! 第一句。第二句。";
    for lang in ["en", "fr-CA", "zh"] {
        let seg = rules.segmenter(&LanguageTag::parse(lang).unwrap());
        let mut pos = 0;
        for s in seg.segments(text) {
            assert!(s.start >= pos && s.end >= s.start && s.end <= text.len());
            assert_eq!(&text[s.start..s.end], s.text);
            pos = s.end;
        }
    }
});
