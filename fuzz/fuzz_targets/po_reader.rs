//! Any text: the PO reader must not panic; whatever it reads must survive
//! write → read with the same entries (contexts, strings, states, comments).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::xliff::po;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = po::parse(text, None) else { return };
    let out = po::write_po(&doc, Vec::new()).expect("writing to memory");
    let out = String::from_utf8(out).expect("the writer writes UTF-8");
    let mut back = po::parse(&out, None).expect("reading what we wrote");
    let (mut a, b) = (std::mem::take(&mut back.files[0].units), &doc.files[0].units);
    a.iter_mut().zip(b).for_each(|(x, y)| x.line = y.line);
    assert_eq!(&a, b);
});
