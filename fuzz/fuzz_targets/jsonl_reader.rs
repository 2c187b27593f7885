//! Any bytes as the JSONL `convert --to jsonl` writes, with and without
//! placeholders: the reader must not panic, and what it writes back must
//! read and write again to the same bytes (placeholders are renumbered once,
//! then stable).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::tmx::convert::{CodeMode, write_jsonl_tu};
use tmkit::tmx::flat::read_jsonl;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let placeholders = selector & 1 != 0;
    let mut tus = Vec::new();
    let _ = read_jsonl(text, None, placeholders, |tu| {
        tus.push(tu);
        Ok(())
    });
    let mode = if placeholders {
        CodeMode::Placeholders
    } else {
        CodeMode::Drop
    };
    let mut out = Vec::new();
    for tu in &tus {
        write_jsonl_tu(&mut out, tu, mode).expect("writing JSONL");
    }
    let mut back = Vec::new();
    read_jsonl(out.as_slice(), None, placeholders, |tu| {
        back.push(tu);
        Ok(())
    })
    .expect("reading what we wrote");
    assert_eq!(back.len(), tus.len());
    let mut again = Vec::new();
    for tu in &back {
        write_jsonl_tu(&mut again, tu, mode).expect("writing JSONL");
    }
    assert_eq!(again, out);
});
