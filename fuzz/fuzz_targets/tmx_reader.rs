//! Any bytes: the reader must not panic, hang or grow without bound, in
//! strict and lenient mode; whatever it reads must survive write → read
//! unchanged; and a strict read that skips every other unit's content
//! (`skip_into`) must find the same units.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::tmx::{ReadOptions, Tmx, TmxReader, Tu};

fuzz_target!(|data: &[u8]| {
    for lenient in [false, true] {
        let Ok(mut reader) = TmxReader::with_options(data, None, ReadOptions { lenient }) else {
            continue;
        };
        let header = reader.header().clone();
        let mut tus = Vec::new();
        let mut clean = true;
        for tu in reader.by_ref().take(10_000) {
            match tu {
                Ok(tu) => tus.push(tu),
                Err(_) => clean = false,
            }
        }
        if !clean || lenient {
            continue;
        }
        // Skipping every other unit's content, on a file read cleanly.
        let mut skipping = TmxReader::from_reader(data, None).expect("opened a moment ago");
        let mut tu = Tu::default();
        for (i, full) in tus.iter().enumerate() {
            let next = if i % 2 == 0 {
                skipping.skip_into(&mut tu)
            } else {
                skipping.next_into(&mut tu)
            };
            next.expect("as many units").expect("no error");
            if i % 2 == 0 {
                assert_eq!((&tu.tuid, &tu.changedate), (&full.tuid, &full.changedate));
            } else {
                assert_eq!(&tu, full);
            }
        }
        if tus.len() < 10_000 {
            assert!(skipping.next_into(&mut tu).is_none());
            assert_eq!(skipping.trailer(), reader.trailer());
        }
        let _ = reader.take_notices();
        let doc = Tmx {
            header,
            tus,
            trailer: reader.trailer().to_vec(),
        };
        let mut out = Vec::new();
        doc.write_to(&mut out).expect("writing a read document");
        let back = Tmx::from_reader(out.as_slice(), None).expect("reading what we wrote");
        assert_eq!(back.tus, doc.tus);
        assert_eq!(back.trailer, doc.trailer);
    }
});
