//! Any bytes, cut in two, as the inputs of `tmx merge` (the first part
//! given twice, so that duplicates are certain), read leniently: the merge
//! must not panic or hang, under each policy, and what it writes must read
//! back cleanly, as many units as it says it wrote.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit::tmx::TmxReader;
use tmkit::tmx::merge::{MergeOptions, Policy, merge};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(cut) * rest.len() / 256;
    let (a, b) = rest.split_at(at);
    let docs = [a, b, a];
    for policy in [Policy::All, Policy::First, Policy::Newest] {
        let opts = MergeOptions {
            policy,
            lenient: true,
        };
        let Ok((report, out)) = merge(
            &|i| TmxReader::from_reader(docs[i], None),
            docs.len(),
            &opts,
            Vec::new(),
            |_| Ok(()),
            |_, _| {},
        ) else {
            continue;
        };
        let reader = TmxReader::from_reader(out.as_slice(), None).expect("merge output opens");
        let mut written = 0;
        for tu in reader {
            tu.expect("merge output reads cleanly");
            written += 1;
        }
        assert_eq!(written, report.written);
    }
});
