//! Statistics of a memory, computed in one streaming pass: units, languages
//! and variants per language, words and characters per language, inline
//! codes, duplicate units, props and notes, and a header summary.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;

use super::duplicates::Duplicates;
use super::model::{Header, Tu};
use super::reader::TmxReader;
use crate::error::Result;
use crate::text::LanguageTag;
use crate::text::tokenize::count_words;

/// Counts for one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LanguageStats {
    /// The language (canonical BCP-47 form when it parses, else as written).
    pub lang: String,
    /// Variants in this language.
    pub variants: u64,
    /// Units with at least one variant in this language.
    pub units: u64,
    /// Words in the plain text, GMX-V ([`crate::text::tokenize::count_words`]).
    pub words: u64,
    /// Chinese, Japanese, Thai... characters, counted one by one apart from words.
    pub cjk_chars: u64,
    /// Characters (Unicode scalar values) in the plain text.
    pub chars: u64,
    /// Variants whose plain text is empty or only whitespace.
    pub empty: u64,
}

/// The header fields worth showing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeaderSummary {
    /// `<tmx version>`.
    pub version: Option<String>,
    /// `creationtool` and its version.
    pub creationtool: Option<String>,
    /// `creationtoolversion`.
    pub creationtoolversion: Option<String>,
    /// `srclang`.
    pub srclang: Option<String>,
    /// `adminlang`.
    pub adminlang: Option<String>,
    /// `datatype`.
    pub datatype: Option<String>,
    /// `segtype`.
    pub segtype: Option<String>,
    /// `o-tmf`.
    pub o_tmf: Option<String>,
    /// `creationdate`.
    pub creationdate: Option<String>,
    /// Header props and notes.
    pub props: usize,
    /// Header notes.
    pub notes: usize,
}

impl HeaderSummary {
    fn of(h: &Header) -> Self {
        HeaderSummary {
            version: h.version.clone(),
            creationtool: h.creationtool.clone(),
            creationtoolversion: h.creationtoolversion.clone(),
            srclang: h.srclang.clone(),
            adminlang: h.adminlang.clone(),
            datatype: h.datatype.clone(),
            segtype: h.segtype.clone(),
            o_tmf: h.o_tmf.clone(),
            creationdate: h.creationdate.clone(),
            props: h.props.len(),
            notes: h.notes.len(),
        }
    }
}

/// Statistics of one memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The encoding the file was written in.
    pub encoding: String,
    /// Header summary.
    pub header: HeaderSummary,
    /// Translation units.
    pub units: u64,
    /// Variants (`tuv`) in all units.
    pub variants: u64,
    /// Per language, most variants first.
    pub languages: Vec<LanguageStats>,
    /// How many units have N variants (N → units).
    pub variants_per_unit: BTreeMap<usize, u64>,
    /// Inline elements by name (`bpt`, `ept`, `ph`, ...), nested ones included.
    pub inline_elements: BTreeMap<String, u64>,
    /// Units with at least one native-code element.
    pub units_with_codes: u64,
    /// Units that repeat an earlier unit: what `tmx merge` removes as
    /// duplicates (see [`super::duplicates`]).
    pub duplicate_units: u64,
    /// Props on units and variants.
    pub props: u64,
    /// Notes on units and variants.
    pub notes: u64,
    /// Prop types and how often each occurs.
    pub prop_types: BTreeMap<String, u64>,
    /// Variants without a `<seg>`.
    pub missing_segs: u64,
    /// Broken units skipped by a lenient reader.
    pub broken_units: u64,
}

impl Stats {
    /// Adds another memory's counts to these (for a total over several
    /// files; duplicates are counted within each file only). The header and
    /// encoding stay those of `self`.
    pub fn absorb(&mut self, other: &Stats) {
        self.units += other.units;
        self.variants += other.variants;
        self.units_with_codes += other.units_with_codes;
        self.duplicate_units += other.duplicate_units;
        self.props += other.props;
        self.notes += other.notes;
        self.missing_segs += other.missing_segs;
        self.broken_units += other.broken_units;
        for (k, v) in &other.variants_per_unit {
            *self.variants_per_unit.entry(*k).or_default() += v;
        }
        for (k, v) in &other.inline_elements {
            *self.inline_elements.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.prop_types {
            *self.prop_types.entry(k.clone()).or_default() += v;
        }
        for l in &other.languages {
            match self.languages.iter_mut().find(|m| m.lang == l.lang) {
                Some(m) => {
                    m.variants += l.variants;
                    m.units += l.units;
                    m.words += l.words;
                    m.cjk_chars += l.cjk_chars;
                    m.chars += l.chars;
                    m.empty += l.empty;
                }
                None => self.languages.push(l.clone()),
            }
        }
        self.languages.sort_by(|a, b| {
            b.variants
                .cmp(&a.variants)
                .then_with(|| a.lang.cmp(&b.lang))
        });
    }
}

/// A language key: the canonical tag, or the string as written.
pub(crate) fn lang_key(lang: &str) -> String {
    LanguageTag::parse(lang).map_or_else(|_| lang.to_string(), |t| t.to_string())
}

/// Collects statistics while streaming units.
#[derive(Default)]
pub struct StatsBuilder {
    stats: Stats,
    per_lang: Vec<LanguageStats>,
    /// Canonical language key → index in `per_lang`.
    by_key: ahash::AHashMap<String, usize>,
    duplicates: Duplicates,
    /// Language as written → index in `per_lang`; a memory has few
    /// distinct spellings, so this saves parsing a tag per variant.
    by_spelling: ahash::AHashMap<String, usize>,
    text: String,
}

impl StatsBuilder {
    /// A builder for a memory with `header`, read in `encoding`.
    pub fn new(header: &Header, encoding: &str) -> Self {
        let mut b = StatsBuilder::default();
        b.stats.header = HeaderSummary::of(header);
        b.stats.encoding = encoding.to_string();
        b
    }

    /// Adds one unit.
    pub fn add(&mut self, tu: &Tu) {
        let s = &mut self.stats;
        s.units += 1;
        s.variants += tu.tuvs.len() as u64;
        *s.variants_per_unit.entry(tu.tuvs.len()).or_default() += 1;
        s.props += tu.props.len() as u64;
        s.notes += tu.notes.len() as u64;
        for p in &tu.props {
            count_key(&mut s.prop_types, &p.kind);
        }
        let mut has_codes = false;
        let mut langs_in_unit: smallvec::SmallVec<[usize; 4]> = smallvec::SmallVec::new();
        for tuv in &tu.tuvs {
            s.props += tuv.props.len() as u64;
            s.notes += tuv.notes.len() as u64;
            for p in &tuv.props {
                count_key(&mut s.prop_types, &p.kind);
            }
            if tuv.missing_seg {
                s.missing_segs += 1;
            }
            tuv.seg.count_inline(|k| {
                has_codes |= k.is_code();
                if let Some(c) = s.inline_elements.get_mut(k.name()) {
                    *c += 1;
                } else {
                    s.inline_elements.insert(k.name().to_string(), 1);
                }
            });
            self.text.clear();
            tuv.seg.push_plain_text(&mut self.text);
            let index = match self.by_spelling.get(tuv.lang.as_str()) {
                Some(&i) => i,
                None => {
                    let key = lang_key(&tuv.lang);
                    let i = match self.by_key.get(&key) {
                        Some(&i) => i,
                        None => {
                            self.per_lang.push(LanguageStats {
                                lang: key.clone(),
                                ..LanguageStats::default()
                            });
                            self.by_key.insert(key, self.per_lang.len() - 1);
                            self.per_lang.len() - 1
                        }
                    };
                    self.by_spelling.insert(tuv.lang.clone(), i);
                    i
                }
            };
            let entry = &mut self.per_lang[index];
            entry.variants += 1;
            let count = count_words(&self.text);
            entry.words += count.words;
            entry.cjk_chars += count.cjk_chars;
            entry.chars += self.text.chars().count() as u64;
            if self.text.trim().is_empty() {
                entry.empty += 1;
            }
            if !langs_in_unit.contains(&index) {
                entry.units += 1;
                langs_in_unit.push(index);
            }
        }
        if has_codes {
            s.units_with_codes += 1;
        }
        if self.duplicates.is_repeat(tu) {
            s.duplicate_units += 1;
        }
    }

    /// The statistics.
    pub fn finish(mut self) -> Stats {
        let mut langs = self.per_lang;
        langs.sort_by(|a, b| {
            b.variants
                .cmp(&a.variants)
                .then_with(|| a.lang.cmp(&b.lang))
        });
        self.stats.languages = langs;
        self.stats
    }
}

/// Counts `key` without allocating when it was seen before.
fn count_key(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(c) = map.get_mut(key) {
        *c += 1;
    } else {
        map.insert(key.to_string(), 1);
    }
}

/// Reads every unit of `reader` and returns its statistics.
pub fn compute<R: Read>(reader: &mut TmxReader<R>) -> Result<Stats> {
    compute_skipping(reader, Err)
}

/// Like [`compute`], for a lenient reader: each broken unit's error goes to
/// `on_broken`, which may stop (by returning it) or go on (`Ok`). Broken
/// units are counted in [`Stats::broken_units`].
pub fn compute_skipping<R: Read>(
    reader: &mut TmxReader<R>,
    mut on_broken: impl FnMut(crate::Error) -> Result<()>,
) -> Result<Stats> {
    let mut builder = StatsBuilder::new(&reader.header().clone(), reader.encoding());
    let mut broken = 0;
    let mut tu = crate::tmx::Tu::default();
    while let Some(result) = reader.next_into(&mut tu) {
        match result {
            Ok(()) => builder.add(&tu),
            Err(e @ crate::Error::Syntax { .. }) => {
                broken += 1;
                on_broken(e)?;
            }
            Err(e) => return Err(e),
        }
    }
    let mut stats = builder.finish();
    stats.broken_units = broken;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_per_language() {
        let doc = |l: &str| {
            format!(
                r#"<tmx version="1.4"><header/><body><tu><tuv xml:lang="{l}"><seg>one two</seg></tuv><tuv xml:lang="de"><seg>eins</seg></tuv></tu></body></tmx>"#
            )
        };
        let a = compute(&mut TmxReader::from_reader(doc("en").as_bytes(), None).unwrap()).unwrap();
        let b = compute(&mut TmxReader::from_reader(doc("fr").as_bytes(), None).unwrap()).unwrap();
        let mut total = a.clone();
        total.absorb(&b);
        assert_eq!(total.units, 2);
        assert_eq!(total.languages[0].lang, "de");
        assert_eq!(total.languages[0].words, 2);
        assert_eq!(total.languages.len(), 3);
        assert_eq!(total.variants_per_unit.get(&2), Some(&2));
    }

    #[test]
    fn counts_languages_words_codes_and_duplicates() {
        let xml = r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><prop type="x-a">1</prop><tuv xml:lang="en"><seg>Hello <ph x="1">&lt;br&gt;</ph>world</seg></tuv><tuv xml:lang="ja"><seg>こんにちは世界</seg></tuv></tu>
<tu><tuv xml:lang="EN"><seg>Hello world</seg></tuv><tuv xml:lang="ja"><seg>こんにちは世界</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg> </seg></tuv></tu>
<tu><tuv xml:lang="ja"><seg>こんにちは世界</seg></tuv><tuv xml:lang="en"><seg>Hello world</seg></tuv></tu>
</body></tmx>"#;
        let mut r = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
        let s = compute(&mut r).unwrap();
        assert_eq!(s.units, 4);
        assert_eq!(s.variants, 7);
        assert_eq!(s.languages[0].lang, "en");
        assert_eq!(s.languages[0].variants, 4);
        assert_eq!(s.languages[0].words, 6);
        assert_eq!(s.languages[0].empty, 1);
        assert_eq!(s.inline_elements.get("ph"), Some(&1));
        assert_eq!(s.units_with_codes, 1);
        // The last unit repeats the second (EN = en, in another order);
        // the first differs by its code, as `tmx merge` sees it.
        assert_eq!(s.duplicate_units, 1);
        assert_eq!(s.prop_types.get("x-a"), Some(&1));
        assert_eq!(s.variants_per_unit.get(&2), Some(&3));
    }
}
