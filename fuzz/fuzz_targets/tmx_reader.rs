//! Any bytes: the reader must not panic, hang or grow without bound, in
//! strict and lenient mode; and whatever it reads must survive write → read
//! unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::tmx::{ReadOptions, Tmx, TmxReader};

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
