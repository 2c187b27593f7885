//! Sentence segmentation: per-language rules, SRX 2.0 rule files, and
//! streaming over inputs of any size.
//!
//! This module owns:
//! - [`Segmenter`]: built for a language ([`Segmenter::for_language`]) or from
//!   an SRX file ([`srx::SrxRules::segmenter`]); [`Segmenter::segments`] yields
//!   [`Sentence`]s (byte offsets into the input plus the borrowed text), lazily,
//!   without copying the input.
//! - The language tables in `src/segment/data/` (abbreviations, titles,
//!   sentence starters, months, extra terminals), one file per language, compiled
//!   into the binary. Unknown languages get the generic `und` rules (Unicode
//!   sentence terminals, case of the next word, initials), never an error.
//! - [`srx`]: reading SRX 2.0 files and translating their Java regular expressions.
//! - [`stream`]: segmenting a reader in large chunks with flat memory.
//!
//! Line breaks: by default a line break ends a sentence (plain-text
//! convention of CAT tools and test sets), unless the line was evidently
//! wrapped inside a sentence: it does not end in a terminal and the next line
//! goes on in lower case, or it is a full line of a wrapped block and the next
//! goes on with a capital (see [`Segmenter::join_lines`]; built-in rules only).
//! [`Segmenter::wrapped`] treats every single line break as a space, for
//! hard-wrapped text; a blank line always ends a sentence.
//!
//! ```
//! use tmkit::segment::Segmenter;
//! use tmkit::text::LanguageTag;
//!
//! let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
//! let text = "Dr. Smith arrived at 5 p.m. on Friday. He met J. R. R. Tolkien's heirs.";
//! let sentences: Vec<&str> = seg.segments(text).map(|s| s.text).collect();
//! assert_eq!(sentences, [
//!     "Dr. Smith arrived at 5 p.m. on Friday.",
//!     "He met J. R. R. Tolkien's heirs.",
//! ]);
//! ```

mod java_regex;
mod lang;
mod lines;
mod lists;
mod punct;
mod quotes;
mod scan;
pub mod srx;
pub mod stream;

use std::borrow::Cow;
use std::sync::Arc;

use crate::text::LanguageTag;

pub use lang::supported_languages;
pub use quotes::QuoteMode;

/// One sentence: byte offsets into the original text and the text itself
/// (surrounding whitespace excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// `&text[start..end]`.
    pub text: &'a str,
}

impl<'a> Sentence<'a> {
    /// The sentence in `text[start..end]` without surrounding whitespace, or
    /// `None` when nothing but whitespace is left.
    pub(crate) fn trimmed(text: &'a str, start: usize, end: usize) -> Option<Self> {
        let piece = text.get(start..end)?;
        let lead = piece.len() - piece.trim_start().len();
        let body = piece.trim();
        (!body.is_empty()).then(|| Sentence {
            start: start + lead,
            end: start + lead + body.len(),
            text: body,
        })
    }
}

/// A sentence's text on one line, as CSS Text 3 transforms a line break
/// (segment break) inside it: between two East Asian wide, fullwidth or
/// halfwidth characters (Hangul excepted), spaces and tabs around it
/// ignored, the break is removed with those spaces; any other becomes a
/// space (`\r\n` is one break). Borrowed when `text` has no line break.
///
/// ```
/// use tmkit::segment::on_one_line;
///
/// assert_eq!(on_one_line("これは父の\n家です。"), "これは父の家です。");
/// assert_eq!(on_one_line("이것은 아버지의\n집입니다."), "이것은 아버지의 집입니다.");
/// assert_eq!(on_one_line("It was\r\nwrapped."), "It was wrapped.");
/// ```
pub fn on_one_line(text: &str) -> Cow<'_, str> {
    if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let Ok(()) = one_line_pieces(text, |piece| {
        out.push_str(piece);
        Ok::<(), std::convert::Infallible>(())
    });
    Cow::Owned(out)
}

/// Writes `text` on one line, as [`on_one_line`] gives it, without building
/// the line first.
///
/// ```
/// let mut out = Vec::new();
/// tmkit::segment::write_on_one_line(&mut out, "これは父の\n家です。 It was\r\nwrapped.").unwrap();
/// assert_eq!(out, "これは父の家です。 It was wrapped.".as_bytes());
/// ```
pub fn write_on_one_line(out: &mut impl std::io::Write, text: &str) -> std::io::Result<()> {
    one_line_pieces(text, |piece| out.write_all(piece.as_bytes()))
}

/// Hands the pieces of `text` on one line to `put`, in order (see [`on_one_line`]).
fn one_line_pieces<E>(text: &str, mut put: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut rest = text;
    while let Some(i) = memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
        let len = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        let (before, after) = (&rest[..i], &rest[i + len..]);
        let before_trim = before.trim_end_matches([' ', '\t']);
        let after_trim = after.trim_start_matches([' ', '\t']);
        let removed = match (before_trim.chars().next_back(), after_trim.chars().next()) {
            (Some(b), Some(a)) => punct::removes_line_break(b, a),
            _ => false,
        };
        if removed {
            put(before_trim)?;
            rest = after_trim;
        } else {
            put(before)?;
            put(" ")?;
            rest = after;
        }
    }
    put(rest)
}

#[derive(Debug, Clone)]
enum Engine {
    Rules(Arc<lang::LangRules>),
    Srx(Arc<srx::CompiledRules>),
}

/// A sentence segmenter for one language: built-in rules or SRX rules.
/// Cheap to clone; shareable between threads.
#[derive(Debug, Clone)]
pub struct Segmenter {
    lang: LanguageTag,
    engine: Engine,
    wrapped: bool,
    join_lines: bool,
    quotes: QuoteMode,
}

impl Segmenter {
    /// The segmenter for `lang` with its built-in rules (unknown languages get
    /// the generic rules). Tables are parsed once per process and shared.
    pub fn for_language(lang: &LanguageTag) -> Self {
        Segmenter {
            lang: lang.clone(),
            engine: Engine::Rules(lang::rules_for(lang)),
            wrapped: false,
            join_lines: true,
            quotes: QuoteMode::Auto,
        }
    }

    pub(crate) fn from_srx(lang: &LanguageTag, rules: Arc<srx::CompiledRules>) -> Self {
        Segmenter {
            lang: lang.clone(),
            engine: Engine::Srx(rules),
            wrapped: false,
            join_lines: true,
            quotes: QuoteMode::Auto,
        }
    }

    /// This segmenter for hard-wrapped text: a single line break is a space,
    /// a blank line ends a paragraph (and its sentence).
    ///
    /// ```
    /// use tmkit::segment::Segmenter;
    /// use tmkit::text::LanguageTag;
    ///
    /// let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).wrapped(true);
    /// let text = "This sentence was\nwrapped. Another one.\n\nNew paragraph";
    /// let s: Vec<_> = seg.segments(text).map(|s| s.text).collect();
    /// assert_eq!(s, ["This sentence was\nwrapped.", "Another one.", "New paragraph"]);
    /// ```
    pub fn wrapped(mut self, wrapped: bool) -> Self {
        self.wrapped = wrapped;
        self
    }

    /// Whether a line break inside a sentence of hard-wrapped text continues
    /// the sentence (default: on). It does when the line does not end in a
    /// terminal, the next line starts with a lower-case letter (or an opening
    /// parenthesis before one, or a number), or the line is full (as wide as
    /// its block of 60 to 120 characters, the next word did not fit; see
    /// `lines::full_line`) and the next starts with a capital; never with a
    /// list marker or a bullet; and the sentence ends within the next few
    /// such lines. A line
    /// that holds only a terminal finishes the sentence before it. Never
    /// across a blank line. Built-in rules only (an SRX file's rules decide
    /// for themselves); [`Segmenter::wrapped`] joins every single line break.
    ///
    /// ```
    /// use tmkit::segment::Segmenter;
    /// use tmkit::text::LanguageTag;
    ///
    /// let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
    /// let text = "The report was cut\nin the middle. Next one.\nfeatures\ncontact us";
    /// let s: Vec<_> = seg.segments(text).map(|s| s.text).collect();
    /// assert_eq!(s, ["The report was cut\nin the middle.", "Next one.", "features", "contact us"]);
    /// let off = seg.join_lines(false);
    /// assert_eq!(off.segments(text).count(), 5);
    /// ```
    pub fn join_lines(mut self, on: bool) -> Self {
        self.join_lines = on;
        self
    }

    /// True when wrapped lines are joined by [`Segmenter::join_lines`]'s rule
    /// (it is on, the text is not [wrapped](Segmenter::wrapped) and the rules are built in).
    pub fn joins_lines(&self) -> bool {
        self.join_lines && !self.wrapped && matches!(self.engine, Engine::Rules(_))
    }

    /// Whether the line break at `nl` in `bytes` is one the segmenter may end
    /// a sentence at without looking further: `Some(true)` when it does not
    /// continue a sentence, `None` when that depends on bytes past the end of
    /// `bytes` (more input may follow).
    pub(crate) fn hard_line_break(&self, bytes: &[u8], nl: usize) -> Option<bool> {
        match &self.engine {
            Engine::Rules(rules) if self.joins_lines() => {
                if lines::continues(rules, bytes, nl, false)? {
                    return Some(false);
                }
                lines::crossed(rules, bytes, nl).map(|crossed| !crossed)
            }
            _ => Some(true),
        }
    }

    /// This segmenter with another treatment of quotations and brackets that
    /// hold several sentences (see [`QuoteMode`]; SRX rules ignore it).
    ///
    /// ```
    /// use tmkit::segment::{QuoteMode, Segmenter};
    /// use tmkit::text::LanguageTag;
    ///
    /// let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap());
    /// let speech = "\"Run! Hide!\" she said.";
    /// let news = "\"We won. It is over,\" he said.";
    /// assert_eq!(seg.segments(speech).count(), 1);
    /// assert_eq!(seg.segments(news).count(), 2);
    /// let keep = seg.clone().quotes(QuoteMode::Keep);
    /// assert_eq!(keep.segments(news).count(), 1);
    /// let split = seg.quotes(QuoteMode::Split);
    /// assert_eq!(split.segments(speech).count(), 2);
    /// ```
    pub fn quotes(mut self, mode: QuoteMode) -> Self {
        self.quotes = mode;
        self
    }

    /// True when single line breaks are treated as spaces.
    pub fn is_wrapped(&self) -> bool {
        self.wrapped
    }

    /// The language this segmenter was built for.
    pub fn language(&self) -> &LanguageTag {
        &self.lang
    }

    /// The code of the built-in rule set in use (`und` for the generic rules),
    /// or `None` for SRX rules.
    pub fn rule_set(&self) -> Option<&'static str> {
        match &self.engine {
            Engine::Rules(r) => Some(r.code),
            Engine::Srx(_) => None,
        }
    }

    /// The sentences of `text`, in order. Lazy: work is done as the iterator advances.
    pub fn segments<'a>(&'a self, text: &'a str) -> Segments<'a> {
        let inner = match &self.engine {
            Engine::Rules(rules) => Inner::Rules(scan::RuleScanner::new(
                rules,
                text,
                self.wrapped,
                self.joins_lines(),
                self.quotes,
            )),
            Engine::Srx(rules) => Inner::Srx(srx::SrxScanner::new(rules, text, self.wrapped)),
        };
        Segments { inner }
    }
}

/// Iterator over the [`Sentence`]s of a text, from [`Segmenter::segments`].
#[derive(Debug)]
pub struct Segments<'a> {
    inner: Inner<'a>,
}

#[derive(Debug)]
enum Inner<'a> {
    Rules(scan::RuleScanner<'a>),
    Srx(srx::SrxScanner<'a>),
}

impl<'a> Iterator for Segments<'a> {
    type Item = Sentence<'a>;

    #[inline]
    fn next(&mut self) -> Option<Sentence<'a>> {
        match &mut self.inner {
            Inner::Rules(s) => s.next(),
            Inner::Srx(s) => s.next(),
        }
    }
}

/// Byte ranges of the hard regions of `text`: lines, or in wrapped mode
/// paragraphs separated by blank lines. Each range excludes its terminating break.
pub(crate) fn next_region(text: &str, from: usize, wrapped: bool) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(off) = memchr::memchr(b'\n', &bytes[i.min(bytes.len())..]) {
        let nl = i + off;
        if !wrapped {
            return (nl, nl + 1);
        }
        let rest = &text[nl + 1..];
        let blank = rest
            .chars()
            .find(|c| *c == '\n' || !c.is_whitespace())
            .is_none_or(|c| c == '\n');
        if blank {
            return (nl, nl + 1);
        }
        i = nl + 1;
    }
    (text.len(), text.len())
}

#[cfg(test)]
mod tests;
