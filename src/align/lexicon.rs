//! Bilingual lexicons: which target words translate a source word.
//!
//! Entries come from dictionaries (hunalign's `target phrase @ source phrase`
//! lines, or `source<TAB>target` TSV), from a translation memory's pairs, or
//! from the confident beads of a first alignment pass ([`learn_dice`]). Words
//! are compared after NFKC and case folding. Phrases are reduced to their
//! content words: function words are found from the dictionary itself (the
//! words that recur in a large share of its multi-word phrases), so no
//! per-language stop list is needed. A source phrase in a script written
//! without spaces (Chinese, Japanese, Thai) stays one unit: sentences in those
//! scripts are cut into units by longest match against these phrases
//! ([`Lexicon::split_spaceless`]).

use std::path::Path;

use ahash::{AHashMap, AHashSet};
use unicode_normalization::{IsNormalized, is_nfkc_quick};

use crate::error::{Error, Location, Result};
use crate::text::tokenize::{for_each_token, is_word_char};
use crate::text::{comparison_key, is_spaceless_char};

/// Most translations kept per source word (dictionaries list many senses;
/// beyond a handful they only add chance matches).
const MAX_TRANSLATIONS: usize = 12;
/// Longest phrase, in characters, tried when cutting spaceless text.
const MAX_UNIT_CHARS: usize = 8;
/// Shortest word split into a compound's parts, in characters.
const MIN_COMPOUND_CHARS: usize = 8;
/// Shortest part of a compound, in characters.
const MIN_PART_CHARS: usize = 4;
/// Longest part of a compound a [`Vocabulary`] keeps, in characters: the
/// bound that keeps a word's parts linear in its length (at most this many
/// per character). Dictionary words this long are rare; a compound's parts
/// are much shorter.
const MAX_PART_CHARS: usize = 32;
/// Longer words are not cut into parts (see `Vocabulary::add_parts`).
const MAX_COMPOUND_CHARS: usize = 4 * MAX_PART_CHARS;
/// Linking elements tried between the parts of a compound (German
/// `Basis|lager`, `Wetter|sturz`, `Frühjahr|s|heft`, `Höhe|n|zahl`).
const LINKERS: [&str; 6] = ["", "s", "n", "en", "es", "e"];

/// A word-to-words translation table for one direction (source → target).
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    translations: AHashMap<String, Vec<String>>,
    /// Source units written without spaces, for longest-match cutting.
    src_units: AHashSet<String>,
    /// Target units written without spaces.
    tgt_units: AHashSet<String>,
}

/// The content words of a normalized phrase: spaceless runs kept whole,
/// punctuation dropped.
fn phrase_words(phrase: &str) -> Vec<String> {
    let key = comparison_key(phrase);
    let mut words: Vec<String> = Vec::new();
    let mut spaceless_run = false;
    for_each_token(&key, |t| {
        let Some(c) = t.chars().next() else { return };
        if !is_word_char(c) {
            spaceless_run = false;
            return;
        }
        if is_spaceless_char(c) {
            // Rejoin the characters the tokenizer split: a spaceless phrase is one unit.
            match words.last_mut() {
                Some(last) if spaceless_run => last.push_str(t),
                _ => words.push(t.to_string()),
            }
            spaceless_run = true;
        } else {
            spaceless_run = false;
            words.push(t.to_string());
        }
    });
    words
}

impl Lexicon {
    /// An empty lexicon.
    pub fn new() -> Self {
        Lexicon::default()
    }

    /// Number of source words with at least one translation.
    pub fn len(&self) -> usize {
        self.translations.len()
    }

    /// True when the lexicon has no entry.
    pub fn is_empty(&self) -> bool {
        self.translations.is_empty()
    }

    /// The target words recorded for `src_word` (normalized: NFKC, case-folded).
    pub fn translations(&self, src_word: &str) -> &[String] {
        self.translations
            .get(src_word)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Records that `tgt_word` translates `src_word` (both already normalized
    /// single words or spaceless units).
    pub fn insert(&mut self, src_word: &str, tgt_word: &str) {
        let list = self.translations.entry(src_word.to_string()).or_default();
        if list.len() < MAX_TRANSLATIONS && !list.iter().any(|w| w == tgt_word) {
            list.push(tgt_word.to_string());
        }
        self.insert_units(src_word, tgt_word);
    }

    /// Records the words of an entry written without spaces as units to cut
    /// text with, and nothing else.
    fn insert_units(&mut self, src_word: &str, tgt_word: &str) {
        for (word, units) in [
            (src_word, &mut self.src_units),
            (tgt_word, &mut self.tgt_units),
        ] {
            if word.chars().next().is_some_and(is_spaceless_char) {
                units.insert(word.to_string());
            }
        }
    }

    /// Adds every entry of `other`, and its units.
    pub fn extend(&mut self, other: &Lexicon) {
        for (src, tgts) in &other.translations {
            for tgt in tgts {
                self.insert(src, tgt);
            }
        }
        self.src_units.extend(other.src_units.iter().cloned());
        self.tgt_units.extend(other.tgt_units.iter().cloned());
    }

    /// Adds phrase pairs, reducing each phrase to its content words. The
    /// function words of each side are those found in more than 1 in 200 of
    /// the multi-word phrases (and in more than 20 of them).
    pub fn add_phrase_pairs<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let pairs: Vec<(Vec<String>, Vec<String>)> = pairs
            .into_iter()
            .map(|(s, t)| (phrase_words(s), phrase_words(t)))
            .filter(|(s, t)| !s.is_empty() && !t.is_empty())
            .collect();
        let src_function = function_words(pairs.iter().map(|p| &p.0), 1.0);
        let tgt_function = function_words(pairs.iter().map(|p| &p.1), 1.0);
        for (src, tgt) in &pairs {
            let src_content = content_words(src, &src_function);
            // A source phrase of several content words says nothing reliable
            // about any one of them.
            let [src_word] = src_content.as_slice() else {
                continue;
            };
            for tgt_word in content_words(tgt, &tgt_function) {
                self.insert(src_word, tgt_word);
            }
        }
    }

    /// Parses a dictionary: hunalign's `target phrase @ source phrase` lines,
    /// or `source<TAB>target` lines. Blank lines and `#` comments are skipped.
    /// A line that is neither is an error naming `file` and the line.
    /// Every entry is kept; [`Dictionary::lexicon_for`] keeps only those a
    /// document pair can use, which is much faster.
    pub fn parse_dictionary(text: &str, file: Option<&Path>) -> Result<Self> {
        Ok(Dictionary::parse(text.to_string(), file)?.lexicon())
    }

    /// Reads a dictionary file (see [`Lexicon::parse_dictionary`]).
    pub fn read_dictionary(path: &Path) -> Result<Self> {
        Ok(Dictionary::read(path)?.lexicon())
    }

    /// The parts of a compound source word that the lexicon translates, by
    /// longest match from the left with optional linking elements, when the
    /// word has no translation of its own and its parts cover it whole.
    ///
    /// ```
    /// let mut lex = tmkit::align::Lexicon::new();
    /// lex.insert("basis", "base");
    /// lex.insert("lager", "camp");
    /// lex.insert("frühjahr", "printemps");
    /// lex.insert("heft", "cahier");
    /// assert_eq!(lex.compound_parts("basislager"), Some(vec!["basis", "lager"]));
    /// assert_eq!(lex.compound_parts("frühjahrsheft"), Some(vec!["frühjahr", "heft"]));
    /// assert_eq!(lex.compound_parts("basisxyzlager"), None);
    /// ```
    pub fn compound_parts<'w>(&self, word: &'w str) -> Option<Vec<&'w str>> {
        // Past MAX_COMPOUND_CHARS no word is a compound (as the cutter's
        // vocabulary has no parts for it).
        if !(MIN_COMPOUND_CHARS..=MAX_COMPOUND_CHARS).contains(&word.chars().count())
            || !word.chars().all(char::is_alphabetic)
            || self.translations.contains_key(word)
        {
            return None;
        }
        let mut parts = Vec::new();
        self.split_compound(word, &mut parts).then_some(parts)
    }

    fn split_compound<'w>(&self, word: &'w str, parts: &mut Vec<&'w str>) -> bool {
        let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        let chars = bounds.len();
        // Longest known prefix first, leaving at least a part's length.
        for len in (MIN_PART_CHARS..=chars.saturating_sub(MIN_PART_CHARS)).rev() {
            let (head, rest) = word.split_at(bounds[len]);
            if !self.translations.contains_key(head) {
                continue;
            }
            for linker in LINKERS {
                let Some(tail) = rest.strip_prefix(linker) else {
                    continue;
                };
                if tail.chars().count() < MIN_PART_CHARS {
                    continue;
                }
                let depth = parts.len();
                parts.push(head);
                if self.translations.contains_key(tail) {
                    parts.push(tail);
                    return true;
                }
                if self.split_compound(tail, parts) {
                    return true;
                }
                parts.truncate(depth);
            }
        }
        false
    }

    /// True when `unit` is a known unit of the source (`source` true) or target side.
    fn has_unit(&self, unit: &str, source: bool) -> bool {
        if source {
            self.src_units.contains(unit)
        } else {
            self.tgt_units.contains(unit)
        }
    }

    /// Cuts a run of spaceless characters into units: at each place the
    /// longest phrase the lexicon knows for that side, else one character.
    ///
    /// ```
    /// let mut lex = tmkit::align::Lexicon::new();
    /// lex.insert("北京", "beijing");
    /// lex.insert("大学", "university");
    /// let mut units = Vec::new();
    /// lex.split_spaceless("北京大学生", true, &mut |u| units.push(u.to_string()));
    /// assert_eq!(units, ["北京", "大学", "生"]);
    /// ```
    pub fn split_spaceless<'a>(&self, run: &'a str, source: bool, f: &mut dyn FnMut(&'a str)) {
        let bounds: Vec<usize> = run
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(run.len()))
            .collect();
        let chars = bounds.len() - 1;
        let mut at = 0;
        while at < chars {
            let longest = (2..=MAX_UNIT_CHARS.min(chars - at))
                .rev()
                .find(|&len| self.has_unit(&run[bounds[at]..bounds[at + len]], source))
                .unwrap_or(1);
            f(&run[bounds[at]..bounds[at + longest]]);
            at += longest;
        }
    }
}

/// The words and short spaceless strings of a document: what a dictionary
/// entry must mention to be of any use when aligning it.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    words: AHashSet<String>,
    /// Every substring of up to [`MAX_UNIT_CHARS`] characters of the
    /// document's spaceless runs (the units a lexicon can cut there).
    spaceless: AHashSet<String>,
    /// The parts a long word may be split into as a compound
    /// ([`Lexicon::compound_parts`]): its substrings of [`MIN_PART_CHARS`]
    /// to [`MAX_PART_CHARS`] characters that start the word or follow a
    /// part, and end it or leave room for a part after them. First, last
    /// and middle parts alike.
    parts: AHashSet<String>,
}

impl Vocabulary {
    /// The vocabulary of `sentences` (compared as the aligner compares:
    /// NFKC and case folding).
    ///
    /// ```
    /// let v = tmkit::align::lexicon::Vocabulary::of(["The Bridge.", "北京大学"]);
    /// assert!(v.has_word("bridge") && v.has_word("北京") && !v.has_word("river"));
    /// ```
    pub fn of<'a>(sentences: impl IntoIterator<Item = &'a str>) -> Self {
        let mut v = Vocabulary::default();
        for sentence in sentences {
            let key = comparison_key(sentence);
            let mut run: Vec<&str> = Vec::new();
            for_each_token(&key, |t| {
                let Some(c) = t.chars().next() else { return };
                if is_word_char(c) && is_spaceless_char(c) {
                    run.push(t);
                    return;
                }
                v.add_run(&run);
                run.clear();
                if is_word_char(c) && !v.words.contains(t) {
                    v.words.insert(t.to_string());
                    v.add_parts(t);
                }
            });
            v.add_run(&run);
        }
        v
    }

    fn add_parts(&mut self, word: &str) {
        let chars = word.chars().count();
        // No real compound is longer than a few parts; a longer run of
        // letters (a pasted code, a base64 blob) would only add up to
        // MAX_PART_CHARS Strings per character.
        if !(MIN_COMPOUND_CHARS..=MAX_COMPOUND_CHARS).contains(&chars)
            || !word.chars().all(char::is_alphabetic)
        {
            return;
        }
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let chars = bounds.len() - 1;
        // A part starts the word or follows a part (of at least
        // MIN_PART_CHARS), and ends the word or leaves room for one. Parts
        // are at most MAX_PART_CHARS long: a word of n characters gives at
        // most n * MAX_PART_CHARS of them.
        let starts = std::iter::once(0).chain(MIN_PART_CHARS..=chars - MIN_PART_CHARS);
        for start in starts {
            let longest = (start + MAX_PART_CHARS).min(chars);
            for end in start + MIN_PART_CHARS..=longest {
                let whole = start == 0 && end == chars;
                if whole || (end != chars && end + MIN_PART_CHARS > chars) {
                    continue;
                }
                let part = &word[bounds[start]..bounds[end]];
                if !self.parts.contains(part) {
                    self.parts.insert(part.to_string());
                }
            }
        }
    }

    /// True when `word` (normalized) occurs, or is a part of a long word.
    fn has_word_or_part(&self, word: &str) -> bool {
        self.has_word(word) || self.parts.contains(word)
    }

    fn add_run(&mut self, chars: &[&str]) {
        for start in 0..chars.len() {
            let mut unit = String::new();
            for c in chars[start..].iter().take(MAX_UNIT_CHARS) {
                unit.push_str(c);
                if !self.spaceless.contains(&unit) {
                    self.spaceless.insert(unit.clone());
                }
            }
        }
    }

    /// True when `word` (normalized) occurs: a word of the document, or a
    /// string of its spaceless runs.
    pub fn has_word(&self, word: &str) -> bool {
        if word.chars().next().is_some_and(is_spaceless_char) {
            self.spaceless.contains(word)
        } else {
            self.words.contains(word)
        }
    }

    /// False when the raw (not normalized) source `phrase` cannot give this
    /// document a translation: it has several content words (not in
    /// `function`), or its one content word does not occur. Cheap: ASCII
    /// words are folded in `buf` without allocating, other words normalized
    /// one at a time, and a spaceless phrase looked up whole.
    fn may_use(&self, phrase: &str, buf: &mut String, function: &AHashSet<String>) -> bool {
        if phrase.chars().next().is_some_and(is_spaceless_char) {
            // One run already normalized (no case, NFKC as it is): itself.
            if phrase
                .chars()
                .all(|c| is_spaceless_char(c) && is_word_char(c))
                && is_nfkc_quick(phrase.chars()) == IsNormalized::Yes
            {
                return self.spaceless.contains(phrase);
            }
            let words = phrase_words(phrase);
            return content_words(&words, function)
                .iter()
                .any(|w| self.has_word(w));
        }
        let (mut content, mut found, mut words, mut any_word) = (0, false, 0, false);
        let mut check = |w: &str| {
            words += 1;
            let known = self.has_word_or_part(w);
            any_word |= known;
            if !function.contains(w) {
                content += 1;
                found |= known;
            }
        };
        for word in phrase.split(|c: char| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '_'))
        {
            if word.is_empty() {
                continue;
            }
            if word.is_ascii() {
                buf.clear();
                buf.extend(word.chars().map(|c| c.to_ascii_lowercase()));
                check(buf);
            } else {
                for w in phrase_words(word) {
                    check(&w);
                }
            }
        }
        match content {
            1 => found,
            // Only function words: the phrase stands for itself when it is one word.
            0 => words == 1 && any_word,
            _ => false,
        }
    }
}

/// A bilingual dictionary file, checked and kept as text, from which a
/// [`Lexicon`] is drawn for each document pair ([`Dictionary::lexicon_for`]):
/// only the entries whose source words occur in the source document are
/// normalized and stored, and of their translations only the words that
/// occur in the target document. A dictionary of 250,000 entries then costs
/// a scan of its lines per document, not 250,000 normalized entries.
#[derive(Debug, Clone)]
pub struct Dictionary {
    text: String,
    src_function: AHashSet<String>,
    tgt_function: AHashSet<String>,
    counted: FunctionWordCount,
}

/// Entries from which a dictionary's function words are counted: from
/// twice this on, every `n`-th entry only, `n = entries / FUNCTION_SAMPLE`
/// (see [`Dictionary::parse`]); below twice this, every entry.
pub const FUNCTION_SAMPLE: usize = 16_000;

/// How a dictionary's function words were found
/// ([`Dictionary::function_word_count`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionWordCount {
    /// Entries of the dictionary.
    pub entries: usize,
    /// Every `stride`-th entry was counted, from the first (1: all).
    pub stride: usize,
    /// Entries counted.
    pub counted: usize,
    /// Function words found on the source side.
    pub source: usize,
    /// Function words found on the target side.
    pub target: usize,
}

impl std::fmt::Display for FunctionWordCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} entries; function words counted over ", self.entries)?;
        if self.stride == 1 {
            write!(f, "all of them")?;
        } else {
            write!(
                f,
                "every {} entries from the first ({} entries, a sample: the dictionary has {} or more)",
                self.stride,
                self.counted,
                2 * FUNCTION_SAMPLE
            )?;
        }
        write!(f, ": {} source, {} target", self.source, self.target)
    }
}

/// The (source, target) phrases of a dictionary line, or `None` for a
/// blank line or a comment.
fn entry(line: &str) -> Option<std::result::Result<(&str, &str), ()>> {
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() || line.starts_with('#') {
        return None;
    }
    Some(if let Some((tgt, src)) = line.split_once(" @ ") {
        Ok((src, tgt))
    } else if let Some((src, tgt)) = line.split_once('\t') {
        Ok((src, tgt.split('\t').next().unwrap_or(tgt)))
    } else {
        Err(())
    })
}

impl Dictionary {
    /// Checks `text` (see [`Lexicon::parse_dictionary`] for the format) and
    /// finds each side's function words: the words found in more than 1 in
    /// 200 of the multi-word phrases (and in more than 20 of them).
    ///
    /// A dictionary of `2 * FUNCTION_SAMPLE` entries or more has them
    /// counted over a sample, the same for the same file: every `n`-th entry
    /// in file order from the first, `n = entries / FUNCTION_SAMPLE`
    /// (rounded down, so at least 2), so 16,000 to 24,000 entries are
    /// counted, and the floor of 20 phrases is scaled by `1 / n`. Below
    /// `2 * FUNCTION_SAMPLE` entries (`n` would be 1), every entry is
    /// counted. Counting means normalizing
    /// each phrase, the dearest step of reading a dictionary, and words
    /// that recur in 1 in 200 phrases are found in any even sample of
    /// that size. Every entry is still kept: only this count is sampled.
    /// [`Dictionary::function_word_count`] says what was done.
    pub fn parse(text: String, file: Option<&Path>) -> Result<Self> {
        let mut entries = 0usize;
        for (n, line) in text.lines().enumerate() {
            match entry(line) {
                None => {}
                Some(Ok(_)) => entries += 1,
                Some(Err(())) => {
                    let location = Location {
                        file: file.map(Path::to_path_buf),
                        ..Location::default()
                    }
                    .at(n as u64 + 1, 1);
                    return Err(Error::syntax(
                        location,
                        "expected 'target phrase @ source phrase' (hunalign) or 'source<TAB>target'",
                    ));
                }
            }
        }
        let stride = (entries / FUNCTION_SAMPLE).max(1);
        let mut src_phrases = Vec::new();
        let mut tgt_phrases = Vec::new();
        for (src, tgt) in text.lines().filter_map(entry).flatten().step_by(stride) {
            src_phrases.push(phrase_words(src));
            tgt_phrases.push(phrase_words(tgt));
        }
        let scale = 1.0 / stride as f64;
        let src_function = function_words(src_phrases.iter(), scale);
        let tgt_function = function_words(tgt_phrases.iter(), scale);
        let counted = FunctionWordCount {
            entries,
            stride,
            counted: src_phrases.len(),
            source: src_function.len(),
            target: tgt_function.len(),
        };
        Ok(Dictionary {
            src_function,
            tgt_function,
            counted,
            text,
        })
    }

    /// How the function words were found: over every entry, or a sample
    /// (see [`Dictionary::parse`]).
    pub fn function_word_count(&self) -> FunctionWordCount {
        self.counted
    }

    /// Reads and checks a dictionary file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = crate::files::read_text(path)?;
        Self::parse(text, Some(path))
    }

    /// Every entry as a lexicon.
    pub fn lexicon(&self) -> Lexicon {
        self.build(None, false)
    }

    /// The entries a document pair can use: source phrases with a word of
    /// `src`, and of their translations the words of `tgt`.
    pub fn lexicon_for(&self, src: &Vocabulary, tgt: &Vocabulary) -> Lexicon {
        self.build(Some((src, tgt)), false)
    }

    /// What cutting text written without spaces needs, and nothing more:
    /// the units [`Lexicon::split_spaceless`] looks up, which come only from
    /// the entries with a character of such a script on either side, and
    /// no translation. Text cut with it is cut exactly as with
    /// [`Dictionary::lexicon`], but a dictionary of two languages written
    /// with spaces is scanned, not normalized entry by entry, and no
    /// translation is stored.
    ///
    /// ```
    /// let text = "beijing @ 北京\nhouse @ Haus\n".to_string();
    /// let dict = tmkit::align::lexicon::Dictionary::parse(text, None).unwrap();
    /// let cutter = dict.cutter();
    /// assert!(cutter.translations("haus").is_empty());
    /// let mut units = Vec::new();
    /// cutter.split_spaceless("去北京", true, &mut |u| units.push(u));
    /// assert_eq!(units, ["去", "北京"]);
    /// ```
    pub fn cutter(&self) -> Lexicon {
        self.build(None, true)
    }

    fn build(&self, filter: Option<(&Vocabulary, &Vocabulary)>, spaceless_only: bool) -> Lexicon {
        let mut lexicon = Lexicon::new();
        let mut buf = String::new();
        // A phrase that may hold such a word once normalized: one with such
        // a character, or one NFKC may change (halfwidth katakana, Kangxi
        // radicals and the like become such characters).
        let spaceless = |phrase: &str| {
            !phrase.is_ascii()
                && (phrase.chars().any(is_spaceless_char)
                    || is_nfkc_quick(phrase.chars()) != IsNormalized::Yes)
        };
        for (src, tgt) in self.text.lines().filter_map(entry).flatten() {
            if let Some((sv, _)) = filter
                && !sv.may_use(src, &mut buf, &self.src_function)
            {
                continue;
            }
            // Units come only from words written without spaces.
            if spaceless_only && !spaceless(src) && !spaceless(tgt) {
                continue;
            }
            let (src_words, tgt_words) = (phrase_words(src), phrase_words(tgt));
            if src_words.is_empty() || tgt_words.is_empty() {
                continue;
            }
            // A source phrase of several content words says nothing reliable
            // about any one of them.
            let [src_word] = content_words(&src_words, &self.src_function)[..] else {
                continue;
            };
            for tgt_word in content_words(&tgt_words, &self.tgt_function) {
                if filter
                    .is_none_or(|(sv, tv)| sv.has_word_or_part(src_word) && tv.has_word(tgt_word))
                {
                    if spaceless_only {
                        lexicon.insert_units(src_word, tgt_word);
                    } else {
                        lexicon.insert(src_word, tgt_word);
                    }
                }
            }
        }
        lexicon
    }
}

/// Words that recur in many phrases of one side: its function words.
fn function_words<'a>(
    phrases: impl Iterator<Item = &'a Vec<String>>,
    scale: f64,
) -> AHashSet<String> {
    let mut counts: AHashMap<&str, usize> = AHashMap::new();
    let mut multi = 0usize;
    for words in phrases {
        if words.len() < 2 {
            continue;
        }
        multi += 1;
        for w in words {
            *counts.entry(w.as_str()).or_default() += 1;
        }
    }
    // `scale` is the share of the dictionary's phrases counted.
    let floor = (multi / 200).max((20.0 * scale).round() as usize);
    counts
        .into_iter()
        .filter(|&(_, c)| c > floor)
        .map(|(w, _)| w.to_string())
        .collect()
}

/// The words of a phrase that are not function words (all of them when
/// nothing else is left, so `to be` still says `be`).
fn content_words<'w>(words: &'w [String], function: &AHashSet<String>) -> Vec<&'w String> {
    if words.len() == 1 {
        return words.iter().collect();
    }
    let content: Vec<&String> = words.iter().filter(|w| !function.contains(*w)).collect();
    if content.is_empty() {
        words.iter().collect()
    } else {
        content
    }
}

/// Word pairs that co-occur in aligned sentence pairs, by the Dice
/// coefficient `2·c(s,t) / (c(s) + c(t))` over pairs (each word counted once
/// per pair). Keeps pairs seen at least `min_count` times with a Dice of at
/// least `min_dice`, and at most `per_source` per source word, best first.
/// Words are ids the caller interned; the result is `(src, tgt, dice)`.
pub fn learn_dice<'a>(
    pairs: impl IntoIterator<Item = (&'a [u32], &'a [u32])>,
    min_count: u32,
    min_dice: f32,
    per_source: usize,
) -> Vec<(u32, u32, f32)> {
    let mut src_count: AHashMap<u32, u32> = AHashMap::new();
    let mut tgt_count: AHashMap<u32, u32> = AHashMap::new();
    let mut joint: AHashMap<(u32, u32), u32> = AHashMap::new();
    for (src, tgt) in pairs {
        for &s in src {
            *src_count.entry(s).or_default() += 1;
        }
        for &t in tgt {
            *tgt_count.entry(t).or_default() += 1;
        }
        for &s in src {
            for &t in tgt {
                *joint.entry((s, t)).or_default() += 1;
            }
        }
    }
    let mut found: Vec<(u32, u32, f32)> = joint
        .into_iter()
        .filter(|&(_, c)| c >= min_count)
        .map(|((s, t), c)| {
            let dice = 2.0 * c as f32 / (src_count[&s] + tgt_count[&t]) as f32;
            (s, t, dice)
        })
        .filter(|&(_, _, d)| d >= min_dice)
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)).then(a.1.cmp(&b.1)));
    let mut kept = Vec::with_capacity(found.len());
    let mut run = (u32::MAX, 0usize);
    for item in found {
        if item.0 != run.0 {
            run = (item.0, 0);
        }
        if run.1 < per_source {
            kept.push(item);
            run.1 += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hunalign_and_tsv_lines() {
        let text = "maison @ Haus\nla maison blanche @ das weiße Haus\n# comment\n\nkatze\tchat\n";
        let lex = Lexicon::parse_dictionary(text, None).unwrap();
        assert_eq!(lex.translations("haus"), ["maison"]);
        assert_eq!(lex.translations("katze"), ["chat"]);
        // Three source content words: no single word learns from the phrase.
        assert!(lex.translations("weiße").is_empty());
    }

    #[test]
    fn bad_dictionary_line_names_file_and_line() {
        let err = Lexicon::parse_dictionary("a @ b\nno separator\n", Some(Path::new("x.dic")))
            .unwrap_err();
        assert!(err.to_string().starts_with("x.dic:2:1:"), "{err}");
    }

    #[test]
    fn function_words_are_dropped_from_phrases() {
        let mut pairs: Vec<(String, String)> = (0..40)
            .map(|i| (format!("wort{i}"), format!("to word{i}")))
            .collect();
        pairs.push(("gehen".into(), "to go".into()));
        let mut lex = Lexicon::new();
        lex.add_phrase_pairs(pairs.iter().map(|(s, t)| (s.as_str(), t.as_str())));
        assert_eq!(lex.translations("gehen"), ["go"]);
    }

    #[test]
    fn spaceless_source_phrases_stay_whole() {
        let lex = Lexicon::parse_dictionary("trisomy @ 三体综合症\n", None).unwrap();
        assert_eq!(lex.translations("三体综合症"), ["trisomy"]);
        let mut units = Vec::new();
        lex.split_spaceless("患三体综合症", true, &mut |u| units.push(u));
        assert_eq!(units, ["患", "三体综合症"]);
    }

    #[test]
    fn lexicon_for_keeps_what_the_documents_can_use() {
        let mut text =
            String::from("maison @ Haus\nchat @ Katze\nla maison blanche @ das weiße Haus\n");
        // Enough phrases with "to" for it to be a function word of the target side.
        for i in 0..40 {
            text.push_str(&format!("to word{i} @ wort{i}\n"));
        }
        text.push_str("to go @ gehen\nbâtiment immeuble @ Gebäude\n北京 @ 北京市\n");
        let dict = Dictionary::parse(text, None).unwrap();
        let all = dict.lexicon();
        assert_eq!(all.translations("gehen"), ["go"]);
        let src = Vocabulary::of(["Das Haus und das Gebäude.", "Wir gehen nach 北京市."]);
        let tgt = Vocabulary::of(["La maison et l'immeuble.", "We go."]);
        let some = dict.lexicon_for(&src, &tgt);
        assert_eq!(some.translations("haus"), ["maison"]);
        assert_eq!(some.translations("gehen"), ["go"]);
        // Translations missing from the target document are left out.
        assert_eq!(some.translations("gebäude"), ["immeuble"]);
        assert_eq!(all.translations("gebäude"), ["bâtiment", "immeuble"]);
        assert!(some.translations("北京市").is_empty());
        // Source words missing from the source document too.
        assert!(some.translations("katze").is_empty() && some.translations("wort3").is_empty());
        assert_eq!(some.len(), 3);
    }

    /// What a dictionary gives a one-sentence document pair.
    fn drawn(dictionary: &str, src: &str, tgt: &str) -> Lexicon {
        let dict = Dictionary::parse(dictionary.to_string(), None).unwrap();
        dict.lexicon_for(&Vocabulary::of([src]), &Vocabulary::of([tgt]))
    }

    #[test]
    fn compound_parts_are_kept_and_cover_the_compound() {
        // "Lager" and "Basis" occur only inside "Basislager": their entries
        // are still drawn from the dictionary, and the compound is covered
        // by their translations.
        let lex = drawn(
            "camp @ Lager\nbase @ Basis\nglacier @ Gletscher\nchat @ Katze\n",
            "Das Basislager am Gletscherrand.",
            "Le camp de base au bord du glacier.",
        );
        assert_eq!(lex.translations("lager"), ["camp"]);
        assert!(lex.translations("katze").is_empty());
        assert_eq!(
            lex.compound_parts("basislager"),
            Some(vec!["basis", "lager"])
        );
        // "rand" has no entry: the word is not covered whole, so not split.
        assert_eq!(lex.compound_parts("gletscherrand"), None);
        // A word with its own entry, or too short, is left alone.
        assert_eq!(lex.compound_parts("gletscher"), None);
    }

    #[test]
    fn middle_parts_of_compounds_are_drawn_too() {
        // "Station" occurs only in the middle of "Wetterstationsgebäude":
        // its entry must still be drawn for the document, or the compound
        // is not covered whole and gets no translation at all.
        let lex = drawn(
            "météo @ Wetter\nstation @ Station\nbâtiment @ Gebäude\nchat @ Katze\n",
            "Das Wetterstationsgebäude brannte.",
            "Le bâtiment de la station météo a brûlé.",
        );
        assert_eq!(lex.translations("station"), ["station"]);
        assert!(lex.translations("katze").is_empty());
        assert_eq!(
            lex.compound_parts("wetterstationsgebäude"),
            Some(vec!["wetter", "station", "gebäude"])
        );
        // Four parts: both inner ones.
        let lex = drawn(
            "eau @ Wasser\nforce @ Kraft\nusine @ Werk\nchef @ Leiter\n",
            "Der Wasserkraftwerksleiter.",
            "Le chef, une usine, la force, une eau.",
        );
        assert_eq!(
            lex.compound_parts("wasserkraftwerksleiter"),
            Some(vec!["wasser", "kraft", "werk", "leiter"])
        );
    }

    /// True when `text` is one word to the vocabulary.
    fn v_words_one(text: &str) -> bool {
        Vocabulary::of([text]).words.len() == 1
    }

    #[test]
    fn a_words_parts_are_linear_in_its_length() {
        // A long "word" with no repeats (a pasted code, a URL without
        // punctuation) gives at most MAX_PART_CHARS parts per character.
        let letters: Vec<char> = ('a'..='z').chain('а'..='я').collect();
        let mut x = 1u64;
        let word: String = (0..MAX_COMPOUND_CHARS)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                letters[(x >> 33) as usize % letters.len()]
            })
            .collect();
        let chars = word.chars().count();
        assert!(v_words_one(&word));
        let v = Vocabulary::of([word.as_str()]);
        assert!(v.parts.len() <= chars * MAX_PART_CHARS, "{}", v.parts.len());
        // Yet every part a compound may have, at any place, is there.
        let inner: String = word.chars().skip(50).take(MAX_PART_CHARS).collect();
        assert!(v.has_word_or_part(&inner));
    }

    #[test]
    fn a_word_longer_than_any_compound_is_not_cut_into_parts() {
        // A 100k-letter run would otherwise add ~3M parts.
        let word = "ab".repeat(50_000);
        let v = Vocabulary::of([word.as_str()]);
        assert!(v.has_word(&word));
        assert!(v.parts.is_empty(), "{} parts", v.parts.len());
        // The longest word still cut is.
        let longest = "abcd".repeat(MAX_COMPOUND_CHARS / 4);
        assert!(!Vocabulary::of([longest.as_str()]).parts.is_empty());
    }

    #[test]
    fn the_cutter_cuts_as_the_whole_dictionary_does() {
        let mut text = String::from("beijing @ 北京\nuniversity @ 大学\nhouse @ Haus\n");
        // Halfwidth katakana: spaceless only once normalized (NFKC).
        text.push_str("camera @ ｶﾒﾗ\nto go @ gehen\n");
        for i in 0..40 {
            text.push_str(&format!("to word{i} @ wort{i}\n"));
        }
        let dict = Dictionary::parse(text, None).unwrap();
        let (whole, cutter) = (dict.lexicon(), dict.cutter());
        assert!(cutter.is_empty() && !whole.is_empty());
        // Units survive extend().
        let mut cutter_copy = Lexicon::new();
        cutter_copy.extend(&cutter);
        let cutter = cutter_copy;
        for (run, source) in [
            ("北京大学生", true),
            ("新カメラ", true),
            ("北京大学", false),
        ] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            whole.split_spaceless(run, source, &mut |u| a.push(u));
            cutter.split_spaceless(run, source, &mut |u| b.push(u));
            assert_eq!(a, b, "{run}");
        }
        let mut units = Vec::new();
        cutter.split_spaceless("新カメラ", true, &mut |u| units.push(u));
        assert_eq!(units, ["新", "カメラ"]);
    }

    #[test]
    fn dice_keeps_consistent_pairs() {
        let pairs: Vec<(Vec<u32>, Vec<u32>)> = vec![
            (vec![1, 2], vec![10, 20]),
            (vec![1, 3], vec![10, 30]),
            (vec![1, 4], vec![10, 40]),
            (vec![2, 3], vec![20, 30]),
        ];
        let learned = learn_dice(
            pairs.iter().map(|(s, t)| (s.as_slice(), t.as_slice())),
            2,
            0.5,
            1,
        );
        assert!(learned.iter().any(|&(s, t, _)| s == 1 && t == 10));
        assert!(learned.iter().all(|&(s, t, _)| t == s * 10));
    }
}
