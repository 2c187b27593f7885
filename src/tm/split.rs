//! Reading a large TMX file on all cores: the body is cut at `<tu` starts into
//! one part per core, and each part is read by the ordinary TMX reader behind
//! the file's own prolog and header. Only plain UTF-8 files where a cut cannot
//! fall inside markup qualify (no DOCTYPE, entities, comments or CDATA);
//! anything else, and any error in a part, falls back to reading the file
//! whole, which reports errors with their exact position.

use std::io::Read;
use std::path::Path;

use memchr::memmem;
use rayon::prelude::*;

use super::{Entry, LanguagePair, PairLangs, RegionFallback, entry_of_unit};

/// Files smaller than this are read in one piece.
pub(super) const MIN_SPLIT_BYTES: usize = 16 << 20;

/// What reading a file in parts gives: its entries, the region fallbacks
/// among them (by index into the entries), and how many units were skipped.
pub(super) type Parts = (Vec<Entry>, Vec<(usize, RegionFallback)>, usize);

/// The entries of `path`, read in parallel parts; `None` when the file does
/// not qualify or a part fails (read it whole instead).
pub(super) fn read_in_parts(
    path: &Path,
    pair: &LanguagePair,
    file_index: u32,
    min_bytes: usize,
) -> Option<Parts> {
    let parts = rayon::current_num_threads();
    if parts < 2 || crate::files::is_stdio(path) {
        return None;
    }
    if (std::fs::metadata(path).ok()?.len() as usize) < min_bytes {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let (body_start, body_end) = splittable_body(&bytes)?;
    let mut cuts = vec![body_start];
    for i in 1..parts {
        let target = body_start + (body_end - body_start) / parts * i;
        let from = target.max(*cuts.last()?);
        cuts.push(next_unit_start(&bytes, from, body_end));
    }
    cuts.push(body_end);
    let prefix = &bytes[..body_start];
    let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    type Part = (Vec<Entry>, Vec<(usize, RegionFallback)>, usize, usize);
    let results: Vec<Option<Part>> = ranges
        .par_iter()
        .map(|&(a, b)| {
            let input = prefix.chain(&bytes[a..b]).chain(&b"</body></tmx>"[..]);
            let mut reader = crate::tmx::TmxReader::from_reader(input, Some(path)).ok()?;
            let (mut entries, mut fallbacks) = (Vec::new(), Vec::new());
            let (mut skipped, mut units) = (0usize, 0usize);
            // One unit filled in place, language tags resolved once per spelling.
            let mut langs = PairLangs::default();
            let mut tu = crate::tmx::Tu::default();
            while let Some(result) = reader.next_into(&mut tu) {
                result.ok()?;
                units += 1;
                match entry_of_unit(&tu, pair, file_index, units, &mut langs) {
                    Some((e, fallback)) => {
                        if let Some(f) = fallback {
                            fallbacks.push((entries.len(), f));
                        }
                        entries.push(e);
                    }
                    None => skipped += 1,
                }
            }
            Some((entries, fallbacks, skipped, units))
        })
        .collect();
    let (mut all, mut all_fallbacks) = (Vec::new(), Vec::new());
    let (mut offset, mut skipped) = (0u32, 0usize);
    for part in results {
        let (mut entries, fallbacks, part_skipped, units) = part?;
        all_fallbacks.extend(fallbacks.into_iter().map(|(i, f)| (i + all.len(), f)));
        for e in &mut entries {
            e.origin.position = e.origin.position.saturating_add(offset);
        }
        offset = offset.saturating_add(units as u32);
        skipped += part_skipped;
        all.append(&mut entries);
    }
    Some((all, all_fallbacks, skipped))
}

/// The byte range of the body's content, when the file is UTF-8 and holds
/// nothing a cut could land inside.
fn splittable_body(bytes: &[u8]) -> Option<(usize, usize)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let decl_end = memchr::memchr(b'>', bytes)?;
    let decl = String::from_utf8_lossy(&bytes[..decl_end]).to_ascii_lowercase();
    if decl.starts_with("<?xml")
        && let Some(at) = decl.find("encoding")
        && !decl[at..].contains("utf-8")
    {
        return None;
    }
    for marker in [&b"<!DOCTYPE"[..], b"<!ENTITY", b"<!--", b"<![CDATA["] {
        if memmem::find(bytes, marker).is_some() {
            return None;
        }
    }
    let open = memmem::find(bytes, b"<body")?;
    let start = open + memchr::memchr(b'>', &bytes[open..])? + 1;
    let end = memmem::rfind(bytes, b"</body>")?;
    (start <= end).then_some((start, end))
}

/// The first `<tu` start tag at or after `from` (not `<tuv`), or `end`.
fn next_unit_start(bytes: &[u8], from: usize, end: usize) -> usize {
    let mut at = from;
    while at < end {
        let Some(found) = memmem::find(&bytes[at..end], b"<tu") else {
            return end;
        };
        let pos = at + found;
        match bytes.get(pos + 3) {
            Some(b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'/') => return pos,
            _ => at = pos + 3,
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> LanguagePair {
        LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap())
    }

    /// Splitting needs two threads, whatever the machine running the tests has.
    fn in_parts(path: &Path) -> Option<Parts> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| read_in_parts(path, &pair(), 0, 0))
    }

    fn tmx(units: usize) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header srclang=\"en\"/>\n<body>\n",
        );
        for i in 0..units {
            if i % 7 == 3 {
                s.push_str(&format!(
                    "<tu tuid=\"{i}\"><tuv xml:lang=\"de\"><seg>nur {i}</seg></tuv></tu>\n"
                ));
            } else {
                s.push_str(&format!(
                    "<tu tuid=\"{i}\">\n <tuv xml:lang=\"en\"><seg>Unit &amp; {i} <ph>x</ph></seg></tuv><tuv xml:lang=\"fr\"><seg>Unité {i}</seg></tuv></tu>\n"
                ));
            }
        }
        s.push_str("</body>\n</tmx>\n");
        s
    }

    #[test]
    fn parts_give_the_same_entries_as_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.tmx");
        std::fs::write(&path, tmx(1000)).unwrap();
        let (split, fallbacks, skipped) = in_parts(&path).expect("qualifies");
        assert!(fallbacks.is_empty());
        let mut whole = crate::tm::MemoryTm::new(pair());
        whole.load_file(&path).unwrap();
        assert_eq!(split, whole.entries());
        assert_eq!(skipped, 1000 / 7 + 1);
        assert_eq!(split.last().unwrap().origin.position, 1000);
    }

    #[test]
    fn comments_doctype_and_broken_parts_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.tmx");
        std::fs::write(&path, tmx(50).replace("<body>", "<body><!-- <tu> -->")).unwrap();
        assert!(in_parts(&path).is_none());
        let broken = tmx(50).replace("<seg>Unité 40</seg>", "<seg>Unité 40");
        std::fs::write(&path, broken).unwrap();
        assert!(in_parts(&path).is_none());
        // The whole-file reader then reports the exact position.
        let err = crate::tm::MemoryTm::load(pair(), &[path])
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.tmx:"), "{err}");
    }

    #[test]
    fn cuts_skip_tuv_tags() {
        let b = b"<tuv x><tuv><tu a>";
        assert_eq!(next_unit_start(b, 0, b.len()), 12);
        assert_eq!(next_unit_start(b"<tuv>", 0, 5), 5);
    }
}
