//! Memories read from bilingual job files: XLIFF 1.2/2.x (Trados, memoQ)
//! and gettext PO. Each finished segment (translated, reviewed, final or
//! signed off) becomes an entry; its origin is the line of its unit.

use std::path::Path;

use super::{Entry, LanguagePair, Origin, PositionUnit};
use crate::error::Result;
use crate::text::LanguageTag;
use crate::xliff::{Document, State, code_count};

/// Reads the finished segments of the XLIFF or PO file `path` into `out`
/// for `pair`; returns how many segments were left out (unfinished, empty,
/// or in a `<file>` of another language pair). A file whose languages are
/// the reverse of the pair is read reversed.
pub fn load_bilingual(
    path: &Path,
    pair: &LanguagePair,
    file_index: u32,
    out: &mut Vec<Entry>,
) -> Result<usize> {
    let doc = Document::read(path)?;
    let mut skipped = 0;
    let serves = |tag: Option<&str>, lang: &LanguageTag| {
        tag.and_then(|t| LanguageTag::parse(t).ok())
            .is_none_or(|t| lang.match_quality(&t).is_some_and(|q| q >= 1))
    };
    for file in &doc.files {
        let (src, tgt) = (
            file.source_language.as_deref(),
            file.target_language.as_deref(),
        );
        let swapped = if serves(src, &pair.source) && serves(tgt, &pair.target) {
            false
        } else if src.is_some() && serves(src, &pair.target) && serves(tgt, &pair.source) {
            true
        } else {
            skipped += file.units.iter().map(|u| u.segments.len()).sum::<usize>();
            continue;
        };
        for unit in &file.units {
            for seg in &unit.segments {
                let target = seg
                    .target
                    .as_ref()
                    .filter(|_| State::DONE.contains(&seg.state));
                let (Some(target), true) = (target, seg.has_target()) else {
                    skipped += 1;
                    continue;
                };
                let (source, target) = if swapped {
                    (target, &seg.source)
                } else {
                    (&seg.source, target)
                };
                let text = source.plain_text();
                if text.trim().is_empty() {
                    skipped += 1;
                    continue;
                }
                out.push(Entry {
                    source: text,
                    target: target.plain_text(),
                    tuid: unit.name.clone().or_else(|| Some(unit.id.clone())),
                    changedate: None,
                    source_codes: u16::try_from(code_count(source)).unwrap_or(u16::MAX),
                    origin: Origin {
                        file: file_index,
                        position: u32::try_from(unit.line).unwrap_or(u32::MAX),
                        unit: PositionUnit::Line,
                    },
                });
            }
        }
    }
    Ok(skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_segments_only_and_reversed_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.xlf");
        std::fs::write(
            &path,
            r#"<xliff version="1.2"><file original="a" source-language="fr" target-language="en" datatype="plaintext"><body>
<trans-unit id="1"><source>Bonjour</source><target state="final">Hello</target></trans-unit>
<trans-unit id="2"><source>Oui</source><target state="needs-review-translation">Yes</target></trans-unit>
<trans-unit id="3"><source>Non</source></trans-unit>
</body></file></xliff>"#,
        )
        .unwrap();
        let pair = LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap());
        let mut out = Vec::new();
        let skipped = load_bilingual(&path, &pair, 0, &mut out).unwrap();
        assert_eq!(skipped, 2);
        assert_eq!(
            (out[0].source.as_str(), out[0].target.as_str()),
            ("Hello", "Bonjour")
        );
        assert_eq!(out[0].origin.position, 2);
        let de = LanguagePair::new("de".parse().unwrap(), "fr".parse().unwrap());
        let mut out = Vec::new();
        assert_eq!(load_bilingual(&path, &de, 0, &mut out).unwrap(), 3);
        assert!(out.is_empty());
    }
}
