//! Segmenting inputs of any size with flat memory.
//!
//! [`ChunkedText`] reads a byte source in large chunks and hands out text cut
//! at hard boundaries (after a line break that does not join a wrapped line;
//! after a blank line in wrapped mode),
//! where no sentence can continue, so segmenting chunk by chunk gives the same
//! sentences as segmenting the whole input. Offsets stay relative to the whole
//! input (after a leading byte-order mark). A line longer than the chunk limit
//! is cut before its last sentence instead.
//!
//! ```
//! use tmkit::segment::{Segmenter, stream::ChunkedText};
//! use tmkit::text::LanguageTag;
//!
//! let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
//! let mut chunks = ChunkedText::new(&b"One. Two.\nThree."[..], None);
//! let mut found = Vec::new();
//! while let Some(chunk) = chunks.next_chunk(&seg).unwrap() {
//!     for s in seg.segments(chunk.text) {
//!         found.push((chunk.offset + s.start, s.text.to_string()));
//!     }
//! }
//! assert_eq!(found, [(0, "One.".into()), (5, "Two.".into()), (10, "Three.".into())]);
//! ```

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::Segmenter;
use crate::error::{Error, Location, Result};

/// Bytes read before looking for a cut.
const CHUNK: usize = 4 << 20;
/// Longest stretch without a hard boundary kept in memory before cutting at a sentence.
const MAX_PENDING: usize = 16 << 20;

/// A piece of the input ending at a hard boundary.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    /// Byte offset of `text` in the whole input.
    pub offset: usize,
    /// The text.
    pub text: &'a str,
}

/// Reads a byte source as a sequence of [`Chunk`]s cut at hard boundaries.
#[derive(Debug)]
pub struct ChunkedText<R> {
    reader: R,
    file: Option<PathBuf>,
    buf: Vec<u8>,
    /// Bytes of `buf` handed out by the previous chunk (dropped on the next call).
    consumed: usize,
    /// Offset of `buf[0]` in the input.
    offset: usize,
    /// Line breaks before `buf[0]` (for error positions).
    lines: u64,
    eof: bool,
    started: bool,
    chunk_size: usize,
    max_pending: usize,
    /// The smallest read (64 KiB; smaller in tests so chunks are cut).
    min_read: usize,
}

impl<R: Read> ChunkedText<R> {
    /// Reads from `reader`; `file` names it in errors (`None`: standard input).
    pub fn new(reader: R, file: Option<&Path>) -> Self {
        ChunkedText {
            reader,
            file: file.map(Path::to_path_buf),
            buf: Vec::new(),
            consumed: 0,
            offset: 0,
            lines: 0,
            eof: false,
            started: false,
            chunk_size: CHUNK,
            max_pending: MAX_PENDING,
            min_read: 64 << 10,
        }
    }

    /// Smaller chunks (for tests of the cutting logic).
    pub fn with_chunk_size(mut self, chunk: usize, max_pending: usize) -> Self {
        self.chunk_size = chunk.max(1);
        self.max_pending = max_pending.max(self.chunk_size);
        self.min_read = self.chunk_size;
        self
    }

    fn io_error(&self, e: io::Error) -> Error {
        Error::io(self.file.as_deref().unwrap_or(Path::new("<stdin>")), e)
    }

    /// Reads until `buf` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> Result<()> {
        while self.buf.len() < want && !self.eof {
            let old = self.buf.len();
            // Grow by doubling from 64 KiB rather than zeroing a whole chunk
            // up front: a short article (the common case of one invocation
            // per file) then costs a 64 KiB buffer, not 4 MiB.
            let grow = (want - old).min(old).max(self.min_read);
            // `read_to_end` through `take` appends without zeroing the
            // buffer first (a memset of every chunk otherwise).
            match (&mut self.reader)
                .take(grow as u64)
                .read_to_end(&mut self.buf)
            {
                Ok(0) => self.eof = true,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(self.io_error(e));
                }
            }
        }
        if !self.started && (self.buf.len() >= 3 || self.eof) {
            self.started = true;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
        }
        Ok(())
    }

    /// The beginning of the input (up to one chunk), for language detection.
    /// Invalid UTF-8 is cut off here and reported by [`ChunkedText::next_chunk`].
    pub fn peek(&mut self) -> Result<&str> {
        self.fill(self.chunk_size)?;
        let bytes = &self.buf[self.consumed..];
        Ok(match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        })
    }

    /// The next chunk, or `None` at the end. `seg` is used only to cut a very
    /// long line before its last (possibly incomplete) sentence.
    pub fn next_chunk(&mut self, seg: &Segmenter) -> Result<Option<Chunk<'_>>> {
        if self.consumed > 0 {
            let consumed = self.consumed;
            self.lines += memchr::memchr_iter(b'\n', &self.buf[..consumed]).count() as u64;
            self.offset += consumed;
            self.buf.drain(..consumed);
            self.consumed = 0;
        }
        let mut want = self.chunk_size;
        let cut = loop {
            self.fill(want)?;
            if self.eof {
                break self.buf.len();
            }
            if let Some(cut) = hard_cut(&self.buf, seg) {
                break cut;
            }
            if self.buf.len() >= self.max_pending {
                break self.sentence_cut(seg)?;
            }
            want = self.buf.len() + self.chunk_size;
        };
        if cut == 0 && self.eof {
            return Ok(None);
        }
        // Invalid UTF-8: hand out the text before it (up to a hard boundary)
        // first, so only what follows the bad byte is lost; the next call reports it.
        let cut = match utf8(&self.buf[..cut]) {
            Ok(_) => cut,
            Err(valid) => hard_cut(&self.buf[..valid], seg).unwrap_or(cut),
        };
        self.consumed = cut;
        let text = self.validate(cut)?;
        Ok(Some(Chunk {
            offset: self.offset,
            text,
        }))
    }

    /// With no hard boundary in a full buffer: cut before the last sentence.
    fn sentence_cut(&self, seg: &Segmenter) -> Result<usize> {
        let valid = match std::str::from_utf8(&self.buf) {
            Ok(_) => self.buf.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(self.utf8_error(e.valid_up_to())),
        };
        let text = std::str::from_utf8(&self.buf[..valid]).unwrap_or_default();
        // Only a boundary inside a line is certain: whether a line break
        // joins may depend on lines past the end of the buffer (none of them
        // is a hard break, or `hard_cut` would have found it). Wrapped text
        // joins no lines: there a line break is a space like any other.
        let mut prev_end = 0;
        let mut last_start = 0;
        for s in seg.segments(text) {
            if seg.is_wrapped()
                || memchr::memchr2(b'\n', b'\r', &text.as_bytes()[prev_end..s.start]).is_none()
            {
                last_start = s.start;
            }
            prev_end = s.end;
        }
        Ok(if last_start > 0 { last_start } else { valid })
    }

    fn validate(&self, cut: usize) -> Result<&str> {
        utf8(&self.buf[..cut]).map_err(|valid| self.utf8_error(valid))
    }

    fn utf8_error(&self, valid: usize) -> Error {
        let prefix = std::str::from_utf8(&self.buf[..valid]).unwrap_or_default();
        let mut location = Location::of_offset(self.file.as_deref(), prefix, valid);
        location.line = location.line.map(|l| l + self.lines);
        Error::invalid(location, "not valid UTF-8 text (convert it to UTF-8 first)")
    }
}

/// `bytes` as text, or the length of its valid prefix. SIMD validation
/// (simdutf8) on the common valid path; the standard library finds the
/// position of an error.
fn utf8(bytes: &[u8]) -> std::result::Result<&str, usize> {
    simdutf8::basic::from_utf8(bytes)
        .map_err(|_| std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |s| s.len()))
}

/// The end of the last hard boundary in `buf`: after its last line break
/// that does not continue a sentence (a wrapped line), or in wrapped mode
/// after its last blank line.
fn hard_cut(buf: &[u8], seg: &Segmenter) -> Option<usize> {
    let mut end = buf.len();
    while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
        if !seg.is_wrapped() {
            if seg.hard_line_break(buf, nl) == Some(true) {
                return Some(nl + 1);
            }
            end = nl;
            continue;
        }
        // Blank line: only spaces, tabs or CR between this break and the previous one.
        let before = &buf[..nl];
        let gap = before
            .iter()
            .rev()
            .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r'))
            .count();
        if before.len() > gap && before[before.len() - gap - 1] == b'\n' {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LanguageTag;

    fn collect(
        input: &[u8],
        wrapped: bool,
        chunk: usize,
        max: usize,
    ) -> Result<Vec<(usize, String)>> {
        let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).wrapped(wrapped);
        collect_with(&seg, input, chunk, max)
    }

    fn collect_with(
        seg: &Segmenter,
        input: &[u8],
        chunk: usize,
        max: usize,
    ) -> Result<Vec<(usize, String)>> {
        let mut chunks = ChunkedText::new(input, None).with_chunk_size(chunk, max);
        let mut out = Vec::new();
        while let Some(c) = chunks.next_chunk(seg)? {
            for s in seg.segments(c.text) {
                out.push((c.offset + s.start, s.text.to_string()));
            }
        }
        Ok(out)
    }

    /// Asserts that each chunk size of `chunks` gives the sentences of the
    /// whole English `text`, and returns how many there are.
    #[track_caller]
    fn chunked_as_whole(text: &str, chunks: impl IntoIterator<Item = usize>) -> usize {
        let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
        let whole: Vec<(usize, String)> = seg
            .segments(text)
            .map(|s| (s.start, s.text.to_string()))
            .collect();
        for chunk in chunks {
            assert_eq!(
                collect(text.as_bytes(), false, chunk, 1 << 20).unwrap(),
                whole,
                "chunk {chunk} of {text:?}"
            );
        }
        whole.len()
    }

    #[test]
    fn chunks_give_the_same_sentences_as_the_whole_text() {
        let text =
            "Dr. Who came. He left!\nNew line here. And more\n\nA paragraph that\nwraps. End.\n"
                .repeat(20);
        for wrapped in [false, true] {
            let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).wrapped(wrapped);
            let whole: Vec<(usize, String)> = seg
                .segments(&text)
                .map(|s| (s.start, s.text.to_string()))
                .collect();
            for chunk in [1, 7, 64, 1000] {
                assert_eq!(
                    collect(text.as_bytes(), wrapped, chunk, (chunk * 4).max(64)).unwrap(),
                    whole
                );
            }
        }
    }

    #[test]
    fn wrapped_lines_are_not_cut_apart() {
        // Joined line breaks are not hard boundaries: every chunk size gives
        // the sentences of the whole text, spanning their line breaks.
        let text = "A long line that was\nwrapped in the middle. Menu\nhome\nnews\n".repeat(30);
        let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
        let whole: Vec<(usize, String)> = seg
            .segments(&text)
            .map(|s| (s.start, s.text.to_string()))
            .collect();
        assert!(whole[0].1.contains('\n'));
        for chunk in [1, 5, 33, 1000] {
            assert_eq!(
                collect(text.as_bytes(), false, chunk, 1 << 20).unwrap(),
                whole
            );
        }
    }

    #[test]
    fn capitalised_wrapped_lines_are_not_cut_apart() {
        // The break before `Holidays` joins only inside the chain from the
        // first line (the second line shows the block is wrapped); on its own
        // it would not (the short lines after it show no width), so no chunk
        // may be cut there.
        let text = "The committee met on Tuesday to review the proposal submitted last month by\n\
                    Professor Anna Kowalski, who argued that the library should open on Sundays\n\
                    Holidays. The vote\nwas postponed\nuntil the\nmeeting of\nthe council\n\
                    in May.\n\n"
            .repeat(10);
        assert_eq!(chunked_as_whole(&text, (1..300).step_by(7)), 20);
    }

    #[test]
    fn crlf_wrapped_lines_are_cut_as_lf_ones() {
        // Only the block's first break shows that the break before `Holidays`
        // joins: the full line there is as wide as the first line, not as
        // the two short lines between. With `\r\n` line ends the look back
        // must reach as many breaks as with `\n` ones.
        let lf = "The committee met on Tuesday to review the proposal submitted last month by\n\
                  the mayor and two of her deputies, who\nargued at length that the city library\n\
                  should open on Sundays and on the public days of rest known as the\n\
                  Holidays. The vote\nwas postponed\nuntil the\nmeeting of\nthe council\n\
                  in May.\n\n"
            .repeat(10);
        let crlf = lf.replace('\n', "\r\n");
        let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
        let lines = |text: &str| -> Vec<String> {
            seg.segments(text)
                .map(|s| s.text.replace('\r', ""))
                .collect()
        };
        assert_eq!(lines(&crlf), lines(&lf));
        assert_eq!(chunked_as_whole(&lf, (1..400).step_by(3)), 20);
        assert_eq!(chunked_as_whole(&crlf, (1..400).step_by(3)), 20);
    }

    #[test]
    fn a_block_as_wide_as_a_line_after_the_cut_is_not_cut() {
        // The first line is full only for the block's width, which the last
        // line sets, after `holidays.`: a chunk cut there would not see it.
        let text = "Our library opens at nine every day of the week except\nSundays\nand\n\
                    holidays.\nnews\nthe reading room on the first floor stays open until ten at night\n\n"
            .repeat(5);
        assert_eq!(chunked_as_whole(&text, 1..150), 15);
    }

    #[test]
    fn armenian_colon_lines_split_as_in_the_whole_text() {
        // A line ending in `:` (an Armenian full stop) is closed: the chain of
        // joined lines must stop there, as the whole-text scan does.
        let seg = Segmenter::for_language(&LanguageTag::parse("hy").unwrap());
        let text = "Նա գնաց\nտուն արագ:\nայնտեղ էր։\n".repeat(3);
        let whole: Vec<(usize, String)> = seg
            .segments(&text)
            .map(|s| (s.start, s.text.to_string()))
            .collect();
        for chunk in [1, 3, 9, 1000] {
            assert_eq!(
                collect_with(&seg, text.as_bytes(), chunk, 1 << 20).unwrap(),
                whole,
                "chunk {chunk}"
            );
        }
    }

    /// A buffer with no hard break is cut between sentences: one long line,
    /// or wrapped text with a sentence on every line and no blank line (its
    /// line breaks are spaces).
    #[test]
    fn long_lines_are_cut_between_sentences() {
        for (gap, wrapped) in [(" ", false), ("\n", true)] {
            let text = format!("First one is here.{gap}Second is there.{gap}").repeat(50);
            let got = collect(text.as_bytes(), wrapped, 16, 64).unwrap();
            assert_eq!(got.len(), 100, "{gap:?}");
            assert!(
                got.iter()
                    .all(|(_, s)| s.starts_with("First") || s.starts_with("Second")),
                "{gap:?}: {got:?}"
            );
        }
    }

    #[test]
    fn bom_is_skipped_and_bad_utf8_located() {
        let got = collect(b"\xEF\xBB\xBFHi. Yo.", false, 2, 8).unwrap();
        assert_eq!(got, [(0, "Hi.".to_string()), (4, "Yo.".to_string())]);
        let err = collect(b"ok\nline two \xFF here\n", false, 4, 16).unwrap_err();
        let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
        let mut chunks = ChunkedText::new(&b"Fine. Good.\nBad \xFF"[..], None);
        let first = chunks.next_chunk(&seg).unwrap().unwrap();
        assert_eq!(first.text, "Fine. Good.\n");
        assert!(chunks.next_chunk(&seg).is_err());
        assert_eq!(
            err.to_string(),
            "<stdin>:2:10: not valid UTF-8 text (convert it to UTF-8 first)"
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(100))]

            #[test]
            fn chunked_equals_whole(
                text in "(?s)[a-zA-Zабвгде АБВ αβγ Ագբ նա .?!:;,()\"'“”«»‘’`\n \r。价格éà։]{0,300}",
                lang in proptest::sample::select(crate::segment::supported_languages().collect::<Vec<_>>()),
                wrapped: bool,
                join: bool,
                chunk in 1usize..40,
            ) {
                let seg = Segmenter::for_language(&LanguageTag::parse(lang).unwrap())
                    .wrapped(wrapped)
                    .join_lines(join);
                let whole: Vec<(usize, String)> = seg
                    .segments(&text)
                    .map(|s| (s.start, s.text.to_string()))
                    .collect();
                // A pending limit above the text length: only hard cuts happen.
                let got = collect_with(&seg, text.as_bytes(), chunk, 1000).unwrap();
                prop_assert_eq!(got, whole);
            }

            #[test]
            fn chunked_crlf_equals_whole_lf(
                text in crate::segment::tests::props::wrapped_lines(),
                lang in proptest::sample::select(crate::segment::supported_languages().collect::<Vec<_>>()),
                chunk in 1usize..40,
            ) {
                // `\r\n` line ends: the same sentences as `\n` ones, in chunks too.
                let seg = Segmenter::for_language(&LanguageTag::parse(lang).unwrap());
                let lf: Vec<String> = seg.segments(&text).map(|s| s.text.to_string()).collect();
                let crlf = text.replace('\n', "\r\n");
                let got: Vec<String> = collect_with(&seg, crlf.as_bytes(), chunk, 1 << 20)
                    .unwrap()
                    .into_iter()
                    .map(|(_, s)| s.replace('\r', ""))
                    .collect();
                prop_assert_eq!(got, lf);
            }

            #[test]
            fn sentence_cuts_keep_whole_sentences(
                words in proptest::collection::vec("[a-z]{2,6}( [a-z]{2,6}){0,3}", 1..40),
                seps in proptest::collection::vec(proptest::sample::select(vec![". ", "\n", " ", ".\n", "! "]), 40),
                lang in proptest::sample::select(vec!["en", "ru", "de", "fr"]),
                chunk in 1usize..16,
                wrapped in proptest::bool::ANY,
            ) {
                // A small pending limit: `sentence_cut` runs. Sentences are
                // shorter than the limit, and capitalised after a terminal.
                // No one-letter words: a list label (`a. Next`) is decided
                // from what follows it, which a cut may hide (a known limit
                // of cutting a line longer than the limit).
                let mut text = String::new();
                for (w, sep) in words.iter().zip(&seps) {
                    let mut c = w.chars();
                    if text.is_empty() || text.ends_with(". ") || text.ends_with(".\n") || text.ends_with("! ") {
                        text.extend(c.next().map(|f| f.to_ascii_uppercase()));
                    }
                    text.extend(c);
                    text.push_str(sep);
                }
                let seg = Segmenter::for_language(&LanguageTag::parse(lang).unwrap()).wrapped(wrapped);
                let whole: Vec<(usize, String)> = seg
                    .segments(&text)
                    .map(|s| (s.start, s.text.to_string()))
                    .collect();
                if whole.iter().all(|(_, s)| s.len() * 3 < 400) {
                    let got = collect_with(&seg, text.as_bytes(), chunk, 400).unwrap();
                    prop_assert_eq!(got, whole);
                }
            }
        }
    }
}
