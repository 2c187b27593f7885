//! Any bytes as a text input, with and without a declared encoding: decoding
//! must not panic; the whole-file decoder and the streaming reader must agree
//! (the same text, or both an error); UTF-8 text must come back unchanged.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use tmkit::files::{TextEncoding, decode_text, utf8_reader};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the declared encoding; the rest is the input.
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let labels = [None, Some("utf-16le"), Some("utf-16be"), Some("windows-1252"), Some("shift_jis"), Some("gb18030")];
    let encoding = match labels[pick as usize % labels.len()] {
        None => TextEncoding::DETECT,
        Some(label) => TextEncoding::for_label(label).unwrap(),
    };
    let whole = decode_text(bytes.to_vec(), None, encoding);
    let streamed = utf8_reader(std::io::Cursor::new(bytes.to_vec()), None, encoding).and_then(|mut r| {
        let mut out = Vec::new();
        // Odd-sized reads exercise partial characters.
        let mut buf = [0u8; 7];
        loop {
            let n = r.read(&mut buf).map_err(|e| tmkit::Error::io("x", e))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        Ok(out)
    });
    match (&whole, &streamed) {
        (Ok(text), Ok(out)) => {
            // The stream keeps a UTF-8 BOM for its consumer to drop.
            let out = out.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(out);
            if let Ok(utf8) = std::str::from_utf8(out) {
                assert_eq!(text, utf8);
            } else {
                // Only undeclared UTF-8 streams pass bytes through unchecked.
                assert!(encoding == TextEncoding::DETECT);
            }
        }
        (Err(_), Ok(out)) => {
            // The stream does not validate UTF-8 (its consumer does, with positions).
            assert!(std::str::from_utf8(out.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(out)).is_err() || encoding == TextEncoding::DETECT);
        }
        (Ok(_), Err(e)) => panic!("the stream refused what the whole-file decoder read: {e}"),
        (Err(_), Err(_)) => {}
    }
    if let Ok(s) = std::str::from_utf8(bytes)
        && encoding == TextEncoding::DETECT
        && !s.contains('\0')
    {
        let s = s.strip_prefix('\u{FEFF}').unwrap_or(s);
        assert_eq!(whole.unwrap(), s);
    }
});
