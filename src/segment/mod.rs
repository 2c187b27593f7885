//! Sentence segmentation.
//!
//! Interim implementation on Unicode's default sentence boundaries (UAX #29);
//! the per-language rule engine replaces it behind the same API.

use crate::text::LanguageTag;
use unicode_segmentation::UnicodeSegmentation;

/// One sentence: byte offsets into the original text and the text itself
/// (trailing whitespace excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// `&text[start..end]`.
    pub text: &'a str,
}

/// A sentence segmenter for one language.
#[derive(Debug, Clone)]
pub struct Segmenter {
    lang: LanguageTag,
}

impl Segmenter {
    /// The segmenter for `lang` (unknown languages get generic rules).
    pub fn for_language(lang: &LanguageTag) -> Self {
        Segmenter { lang: lang.clone() }
    }

    /// The language this segmenter was built for.
    pub fn language(&self) -> &LanguageTag {
        &self.lang
    }

    /// The sentences of `text`, in order.
    pub fn segments<'a>(&'a self, text: &'a str) -> impl Iterator<Item = Sentence<'a>> + 'a {
        text.split('\n')
            .scan(0usize, |line_start, line| {
                let start = *line_start;
                *line_start += line.len() + 1;
                Some((start, line))
            })
            .flat_map(|(base, line)| {
                line.split_sentence_bound_indices()
                    .filter_map(move |(off, s)| {
                        let trimmed_start = s.len() - s.trim_start().len();
                        let t = s.trim();
                        (!t.is_empty()).then(|| {
                            let start = base + off + trimmed_start;
                            Sentence {
                                start,
                                end: start + t.len(),
                                text: t,
                            }
                        })
                    })
            })
    }
}
