//! Any bytes as a TSV or CSV glossary, with and without a language pair,
//! column mapping and placeholders: the reader must not panic, and every
//! unit it makes must survive TMX write → read unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::tmx::convert::{Format, Pair};
use tmkit::tmx::flat::{Column, FlatOptions, read_tabular};
use tmkit::tmx::{Header, Tmx};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let format = if selector & 1 == 0 { Format::Tsv } else { Format::Csv };
    let pair = (selector & 2 == 0).then(|| Pair {
        src: "en-US".parse().unwrap(),
        tgt: "de".parse().unwrap(),
    });
    let columns = if selector & 4 == 0 {
        Vec::new()
    } else {
        vec![Column::Target, Column::Prop("x-a".into()), Column::Source, Column::Note]
    };
    let opts = FlatOptions {
        pair,
        columns,
        placeholders: selector & 8 != 0,
    };
    let mut tus = Vec::new();
    let _ = read_tabular(text, None, format, &opts, |tu| {
        tus.push(tu);
        Ok(())
    });
    let doc = Tmx {
        header: Header::new("en-US"),
        tus,
        trailer: Vec::new(),
    };
    let mut out = Vec::new();
    if doc.write_to(&mut out).expect("writing units") > 0 {
        return; // characters XML cannot hold were left out
    }
    let back = Tmx::from_reader(out.as_slice(), None).expect("reading what we wrote");
    assert_eq!(back.tus, doc.tus);
});
