//! A memory of TSV files kept as their text: one span per entry (where its
//! source and target lie in the text, its line), each [`Entry`] made only
//! when asked for. Loading a TSV memory this way allocates nothing per
//! entry: a lookup asks for its few best entries, and an index read from
//! the cache (see [`super::cache`]) needs no entry at all. It gives the same
//! entries, in the same order, as [`MemoryTm::load`](super::MemoryTm::load).

use std::borrow::Cow;
use std::path::PathBuf;

use super::{
    Entry, EntryId, LanguagePair, MemoryFiles, Origin, PositionUnit, TmFormat, TranslationMemory,
    describe_file_origin, tsv,
};
use crate::error::{Error, Location, Result};

/// Where one entry lies: its file, its line, and its source and target as
/// byte ranges of the file's text, still escaped (decoded when read) (`u32`: a file over 4 GiB is not read
/// this way).
#[derive(Debug, Clone, Copy)]
struct Span {
    file: u32,
    line: u32,
    source: (u32, u32),
    target: (u32, u32),
}

/// TSV memory files, held as text (see the module docs).
#[derive(Debug)]
pub struct TsvMemory {
    pair: LanguagePair,
    files: Vec<PathBuf>,
    /// The text of each file, and whether its columns were swapped.
    texts: Vec<(String, bool)>,
    spans: Vec<Span>,
    skipped_files: Vec<(PathBuf, String)>,
}

/// Largest TSV file kept as text: a [`Span`] holds `u32` offsets.
const MAX_TEXT_LEN: u64 = u32::MAX as u64;

impl TsvMemory {
    /// Loads `paths` (files, and folders as [`MemoryTm::load`](super::MemoryTm::load)
    /// expands them) when every file they hold is a TSV file under 4 GiB;
    /// `None` when one is not (load them as a [`super::MemoryTm`]).
    pub fn load(pair: &LanguagePair, paths: &[PathBuf]) -> Result<Option<Self>> {
        Self::load_files(pair, &MemoryFiles::find(paths)?)
    }

    /// [`TsvMemory::load`] of files already found.
    pub fn load_files(pair: &LanguagePair, files: &MemoryFiles) -> Result<Option<Self>> {
        Self::load_below(pair, files, MAX_TEXT_LEN)
    }

    /// [`TsvMemory::load_files`] of files of at most `max_len` bytes.
    fn load_below(pair: &LanguagePair, files: &MemoryFiles, max_len: u64) -> Result<Option<Self>> {
        if files
            .files()
            .iter()
            .any(|f| TmFormat::of_path(f) != TmFormat::Tsv)
        {
            return Ok(None);
        }
        let mut tm = TsvMemory {
            pair: pair.clone(),
            files: Vec::new(),
            texts: Vec::new(),
            spans: Vec::new(),
            skipped_files: Vec::new(),
        };
        let selected = files.selected(pair, &mut tm.skipped_files)?;
        // Sizes first: a file too large to keep as text is not read here
        // at all, only once, by the loader that takes it.
        for file in selected.iter().map(|s| s.path) {
            let meta = std::fs::metadata(file).map_err(|e| Error::io(file, e))?;
            if meta.len() > max_len {
                return Ok(None);
            }
        }
        for super::Selected {
            path: file,
            swapped,
            header,
            ..
        } in selected
        {
            let text = crate::files::read_text(file)?;
            // Decoded text may outgrow its file (UTF-16 to UTF-8).
            if text.len() as u64 > max_len {
                return Ok(None);
            }
            let index = u32::try_from(tm.files.len())
                .map_err(|_| Error::invalid(Location::file(file), "too many memory files"))?;
            let first = tm.spans.len();
            tm.spans
                .reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
            let offset = |s: &str| (s.as_ptr() as usize - text.as_ptr() as usize) as u32;
            let spans = &mut tm.spans;
            tsv::for_each_pair(&text, Some(file), swapped, 1, |line, source, target| {
                spans.push(Span {
                    file: index,
                    line,
                    source: (offset(source), source.len() as u32),
                    target: (offset(target), target.len() as u32),
                });
            })?;
            if header && tm.spans.get(first).is_some_and(|span| span.line == 1) {
                tm.spans.remove(first);
            }
            tm.files.push(file.to_path_buf());
            tm.texts.push((text, swapped));
        }
        Ok(Some(tm))
    }

    /// TSV files of a folder left out because their name names another
    /// language pair, with why (see [`super::MemoryTm::skipped_files`]).
    pub fn skipped_files(&self) -> &[(PathBuf, String)] {
        &self.skipped_files
    }

    /// The files entries were loaded from.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Each file's text, in load order, and whether its second column is
    /// the source: all the entries are made of.
    pub(crate) fn texts(&self) -> impl Iterator<Item = (&str, bool)> {
        self.texts.iter().map(|(t, s)| (t.as_str(), *s))
    }

    fn text(&self, span: &Span, range: (u32, u32)) -> &str {
        slice(&self.texts[span.file as usize].0, range)
    }
}

fn slice(text: &str, (start, len): (u32, u32)) -> &str {
    &text[start as usize..start as usize + len as usize]
}

impl TranslationMemory for TsvMemory {
    fn pair(&self) -> &LanguagePair {
        &self.pair
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
        let span = self.spans.get(id as usize)?;
        Some(Cow::Owned(Entry {
            source: tsv::unescape_field(self.text(span, span.source)).into_owned(),
            target: tsv::unescape_field(self.text(span, span.target)).into_owned(),
            tuid: None,
            changedate: None,
            source_codes: 0,
            origin: Origin {
                file: span.file,
                position: span.line,
                unit: PositionUnit::Line,
            },
        }))
    }

    fn describe_origin(&self, origin: &Origin) -> String {
        describe_file_origin(&self.files, origin)
    }

    fn source(&self, id: EntryId) -> Option<Cow<'_, str>> {
        let span = self.spans.get(id as usize)?;
        Some(tsv::unescape_field(self.text(span, span.source)))
    }

    fn source_codes(&self, _id: EntryId) -> u16 {
        0
    }

    fn changedate(&self, _id: EntryId) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tm::MemoryTm;

    fn pair() -> LanguagePair {
        LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap())
    }

    /// Every entry of `tm`, made one by one.
    fn entries(tm: &TsvMemory) -> Vec<Entry> {
        (0..tm.len() as EntryId)
            .map(|id| tm.entry(id).unwrap().into_owned())
            .collect()
    }

    /// The fuzzy index of `tm`, as written to a cache file.
    fn index_bytes(tm: &impl TranslationMemory) -> Vec<u8> {
        let mut out = Vec::new();
        crate::fuzzy::FuzzyIndex::build(tm)
            .write_to(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn gives_the_entries_a_loaded_memory_gives() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("tm");
        std::fs::create_dir(&folder).unwrap();
        // A header row, a blank line, CRLF, a third column, a swapped file,
        // a file of another pair, and a .txt file.
        std::fs::write(
            folder.join("a.tsv"),
            "en\tfr\nOne\tUn\n\n  \r\nTwo\tDeux\tnote\r\nThree\tTrois",
        )
        .unwrap();
        std::fs::write(folder.join("fr-en.tsv"), "Quatre\tFour\nCinq\tFive\n").unwrap();
        std::fs::write(folder.join("en-de.tsv"), "Six\tSechs\n").unwrap();
        std::fs::write(folder.join("b.txt"), "Café\tCafé\n").unwrap();
        let single = dir.path().join("en-fr.tsv");
        std::fs::write(&single, "Seven\tSept\n").unwrap();
        let paths = [folder, single];
        let loaded = MemoryTm::load(pair(), &paths).unwrap();
        let tm = TsvMemory::load(&pair(), &paths).unwrap().expect("all TSV");
        assert_eq!(entries(&tm), loaded.entries());
        assert_eq!(tm.len(), 7);
        assert_eq!(tm.files(), loaded.files());
        assert_eq!(tm.skipped_files(), loaded.skipped_files());
        for id in 0..tm.len() as EntryId {
            let e = tm.entry(id).unwrap();
            assert_eq!(tm.source(id).unwrap(), e.source);
            assert_eq!(
                tm.describe_origin(&e.origin),
                loaded.describe_origin(&e.origin)
            );
        }
        assert!(tm.entry(7).is_none() && tm.source(7).is_none());
        // Its index is the one a loaded memory gets.
        assert_eq!(index_bytes(&tm), index_bytes(&loaded));
    }

    /// Escaped fields are decoded, for entries and for the index alike; a
    /// field without escapes (`C:\path`) is still borrowed from the text.
    #[test]
    fn escapes_are_decoded_for_entries_and_index() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.tsv");
        std::fs::write(
            &file,
            "Tab\\there C:\\\\dir\tOnglet\\nici\nC:\\path \\d\tC:\\path\n",
        )
        .unwrap();
        let paths = [file];
        let loaded = MemoryTm::load(pair(), &paths).unwrap();
        let tm = TsvMemory::load(&pair(), &paths).unwrap().expect("all TSV");
        assert_eq!(entries(&tm), loaded.entries());
        assert_eq!(tm.source(0).unwrap(), "Tab\there C:\\dir");
        assert_eq!(tm.entry(0).unwrap().target, "Onglet\nici");
        assert!(matches!(tm.source(1), Some(Cow::Borrowed("C:\\path \\d"))));
        assert_eq!(index_bytes(&tm), index_bytes(&loaded));
    }

    #[test]
    fn other_formats_and_errors_are_left_to_the_loaded_memory() {
        let dir = tempfile::tempdir().unwrap();
        let tmx = dir.path().join("m.tmx");
        std::fs::write(&tmx, "<tmx version=\"1.4\"><header/><body></body></tmx>").unwrap();
        let tsv = dir.path().join("m.tsv");
        std::fs::write(&tsv, "a\tb\n").unwrap();
        assert!(
            TsvMemory::load(&pair(), &[tsv.clone(), tmx])
                .unwrap()
                .is_none()
        );
        assert!(
            TsvMemory::load(&pair(), &[dir.path().to_path_buf()])
                .unwrap()
                .is_none()
        );
        std::fs::write(&tsv, "a\tb\nno tab\n").unwrap();
        let err = TsvMemory::load(&pair(), &[tsv]).unwrap_err().to_string();
        assert!(err.contains("m.tsv:2:7: expected a tab"), "{err}");
    }

    /// A file too large to keep as text is left to the loaded memory from
    /// its size alone: it is not read here (and then read again there).
    #[test]
    fn a_file_too_large_to_keep_as_text_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let tsv = dir.path().join("m.tsv");
        // Not UTF-8: reading it is an error, which shows it was read.
        std::fs::write(&tsv, [0xff; 64]).unwrap();
        let files = MemoryFiles::find(&[tsv]).unwrap();
        assert!(
            TsvMemory::load_below(&pair(), &files, 63)
                .unwrap()
                .is_none()
        );
        assert!(TsvMemory::load_below(&pair(), &files, 64).is_err());
    }
}
