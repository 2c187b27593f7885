//! Tokens for comparing and ranking text.
//!
//! [`match_tokens`] is the normative tokenizer of the fuzzy-match score: after
//! NFKC and case folding, each maximal run of word characters (letters, digits,
//! marks, `_`) is a token, except that every character of a script written
//! without spaces (CJK, kana, Hangul, Thai, Lao, Khmer, Myanmar) is a token of its
//! own; any other non-space character is a token by itself. The word-character
//! class is generated from the Python reference, so both agree exactly.

use super::normalize::comparison_key;
use super::script::is_spaceless_char;
use super::tables::WORD_RANGES;

/// True for characters that belong to a word token: Python's `\w` plus every
/// combining mark.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let cp = c as u32;
    WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// True for characters that separate tokens (Python's `str.isspace`).
#[inline]
pub fn is_token_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c)
}

/// Calls `f` with each match token of an already normalized string (see
/// [`comparison_key`]), as slices of it, in order.
pub fn for_each_token<'a>(normalized: &'a str, mut f: impl FnMut(&'a str)) {
    let mut run_start: Option<usize> = None;
    for (i, c) in normalized.char_indices() {
        if is_word_char(c) {
            if is_spaceless_char(c) {
                if let Some(s) = run_start.take() {
                    f(&normalized[s..i]);
                }
                f(&normalized[i..i + c.len_utf8()]);
            } else if run_start.is_none() {
                run_start = Some(i);
            }
            continue;
        }
        if let Some(s) = run_start.take() {
            f(&normalized[s..i]);
        }
        if !is_token_space(c) {
            f(&normalized[i..i + c.len_utf8()]);
        }
    }
    if let Some(s) = run_start {
        f(&normalized[s..]);
    }
}

/// What a score token is: the score counts word edits, and lists the other
/// classes as penalties (see `docs/SCORING.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenClass {
    /// A run of word characters holding a non-digit, or one character of a
    /// script written without spaces.
    Word,
    /// Digits, with `.` `,` `'` `’` `٫` `٬` between digit runs (`3.9`, `4,200,000`).
    Number,
    /// Any other visible character: punctuation or a symbol, one token each,
    /// quotes and dashes folded to `"` `'` `-` (their style costs nothing).
    Punctuation,
}

/// Separators allowed between the digit runs of one number.
pub const NUMBER_SEPARATORS: [char; 6] = ['.', ',', '\'', '\u{2019}', '\u{066B}', '\u{066C}'];

/// Invisible format characters (bidi controls, zero-width joiners, soft
/// hyphen, BOM) that separate tokens like spaces and are never tokens.
#[inline]
pub fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The key of a punctuation character: quote and dash styles folded.
#[inline]
pub fn punctuation_key(c: char) -> char {
    match c {
        '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{301D}' | '\u{301E}' | '\u{2033}' => '"',
        '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}'
        | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{2E3A}'
        | '\u{2E3B}' => '-',
        _ => c,
    }
}

/// Calls `f` with the class and key of each score token of an already
/// normalized string (see [`comparison_key`]), in order. Keys are slices of
/// `normalized`, except folded punctuation and numbers holding `’`.
///
/// ```
/// use tmkit::text::tokenize::{for_each_score_token, TokenClass};
/// let mut tokens = Vec::new();
/// for_each_score_token("it’s 3.9% – 4,200,000 東京", |class, key| tokens.push((class, key.to_string())));
/// let keys: Vec<&str> = tokens.iter().map(|(_, k)| k.as_str()).collect();
/// assert_eq!(keys, ["it", "'", "s", "3.9", "%", "-", "4,200,000", "東", "京"]);
/// assert_eq!(tokens[3].0, TokenClass::Number);
/// ```
pub fn for_each_score_token(normalized: &str, mut f: impl FnMut(TokenClass, &str)) {
    let bytes = normalized.len();
    let mut i = 0;
    let run_end = |from: usize| -> usize {
        normalized[from..]
            .char_indices()
            .find(|&(_, c)| !is_word_char(c) || is_spaceless_char(c))
            .map_or(bytes, |(k, _)| from + k)
    };
    let all_digits = |s: &str| s.chars().all(char::is_numeric);
    while let Some(c) = normalized[i..].chars().next() {
        let len = c.len_utf8();
        if is_token_space(c) || is_invisible_format(c) {
            i += len;
            continue;
        }
        if !is_word_char(c) {
            let key = punctuation_key(c);
            if key == c {
                f(TokenClass::Punctuation, &normalized[i..i + len]);
            } else {
                f(TokenClass::Punctuation, key.encode_utf8(&mut [0; 4]));
            }
            i += len;
            continue;
        }
        if is_spaceless_char(c) {
            f(TokenClass::Word, &normalized[i..i + len]);
            i += len;
            continue;
        }
        let mut end = run_end(i);
        if !all_digits(&normalized[i..end]) {
            f(TokenClass::Word, &normalized[i..end]);
            i = end;
            continue;
        }
        // A separator joins two digit runs into one number.
        while let Some(sep) = normalized[end..].chars().next() {
            if !NUMBER_SEPARATORS.contains(&sep) {
                break;
            }
            let next = end + sep.len_utf8();
            let next_end = run_end(next);
            if next_end == next || !all_digits(&normalized[next..next_end]) {
                break;
            }
            end = next_end;
        }
        let number = &normalized[i..end];
        if number.contains('\u{2019}') {
            f(TokenClass::Number, &number.replace('\u{2019}', "'"));
        } else {
            f(TokenClass::Number, number);
        }
        i = end;
    }
}

/// The match tokens of `s`: NFKC, case folding, then [`for_each_token`].
///
/// ```
/// use tmkit::text::match_tokens;
/// assert_eq!(match_tokens("Hello, World!"), ["hello", ",", "world", "!"]);
/// assert_eq!(match_tokens("東京に行く"), ["東", "京", "に", "行", "く"]);
/// assert_eq!(match_tokens("ＡＢＣ１２３"), ["abc123"]);
/// ```
pub fn match_tokens(s: &str) -> Vec<String> {
    let key = comparison_key(s);
    let mut out = Vec::new();
    for_each_token(&key, |t| out.push(t.to_string()));
    out
}

/// Word tokens of raw (unnormalized) text with their byte offsets: runs of word
/// characters, each spaceless-script character on its own; punctuation and
/// spaces are skipped. For ranking and counting words, not for the match score.
///
/// ```
/// use tmkit::text::word_spans;
/// let words: Vec<&str> = word_spans("Hi, 東京 (2024)!").map(|(_, w)| w).collect();
/// assert_eq!(words, ["Hi", "東", "京", "2024"]);
/// ```
pub fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    WordSpans { text, pos: 0 }
}

struct WordSpans<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for WordSpans<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.text[self.pos..];
        let mut start = None;
        for (i, c) in rest.char_indices() {
            let abs = self.pos + i;
            if is_word_char(c) {
                if is_spaceless_char(c) {
                    if let Some(s) = start {
                        self.pos = abs;
                        return Some((s, &self.text[s..abs]));
                    }
                    let end = abs + c.len_utf8();
                    self.pos = end;
                    return Some((abs, &self.text[abs..end]));
                }
                if start.is_none() {
                    start = Some(abs);
                }
            } else if let Some(s) = start {
                self.pos = abs;
                return Some((s, &self.text[s..abs]));
            }
        }
        self.pos = self.text.len();
        start.map(|s| (s, &self.text[s..]))
    }
}

/// Number of words in `text`, counting each spaceless-script character as one
/// (the convention CAT tools use for CJK word counts). The same count as
/// `word_spans(text).count()`, with ASCII bytes classified without decoding
/// (word counts are a fifth of the time of `tmkit tmx stats`).
pub fn word_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut count, mut in_word) = (0usize, false);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            let word = b.is_ascii_alphanumeric() || b == b'_';
            count += usize::from(word && !in_word);
            in_word = word;
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if !is_word_char(c) {
            in_word = false;
        } else if is_spaceless_char(c) {
            count += 1;
            in_word = false;
        } else {
            count += usize::from(!in_word);
            in_word = true;
        }
    }
    count
}

/// A word count as clients are quoted from it (GMX-V, the LISA/ETSI word
/// count standard): words by Unicode word boundaries (UAX #29), punctuation
/// not counted, so `U.S.`, `4,200,000`, `don't` and `O'Hare's` are one word
/// each; characters of Chinese, Japanese, Thai, Lao, Khmer and Myanmar, which
/// are written without spaces, counted one by one in a column of their own.
/// Korean, written with spaces, counts in words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WordCount {
    /// Words (UAX #29 segments holding a letter or digit, outside the
    /// scripts counted by character).
    pub words: u64,
    /// Characters of Chinese, Japanese, Thai, Lao, Khmer and Myanmar text.
    pub cjk_chars: u64,
}

impl std::ops::AddAssign for WordCount {
    fn add_assign(&mut self, other: WordCount) {
        self.words += other.words;
        self.cjk_chars += other.cjk_chars;
    }
}

impl std::ops::Add for WordCount {
    type Output = WordCount;
    fn add(mut self, other: WordCount) -> WordCount {
        self += other;
        self
    }
}

/// True for the characters counted one by one: spaceless scripts except
/// Hangul (Korean separates its words with spaces).
#[inline]
fn is_counted_by_character(c: char) -> bool {
    is_spaceless_char(c) && !('\u{AC00}'..='\u{D7AF}').contains(&c)
}

/// Counts words and CJK/Thai characters of `text` (see [`WordCount`]): the
/// count `analyze` and `tmx stats` report.
///
/// ```
/// use tmkit::text::tokenize::count_words;
/// let c = count_words("The U.S. spent $4,200,000 at O'Hare's, didn't it?");
/// assert_eq!(c.words, 8);
/// let ja = count_words("東京は日本の首都です。Tokyo");
/// assert_eq!((ja.words, ja.cjk_chars), (1, 10));
/// ```
pub fn count_words(text: &str) -> WordCount {
    use unicode_segmentation::UnicodeSegmentation;
    let mut count = WordCount::default();
    // All ASCII (most source text): one pass over the bytes. White space
    // never joins two words, so this counts what counting each chunk
    // between white space counts.
    if text.is_ascii() {
        count.words = ascii_word_count(text.as_bytes());
        return count;
    }
    // Words never span whitespace (UAX #29 breaks on both sides of it), so
    // ASCII chunks take a byte-level path and only the others are segmented.
    // Chunks are cut at white-space bytes, which never occur inside a UTF-8
    // sequence: no character is decoded to find them.
    let mut start = 0;
    for bytes in text.as_bytes().split(u8::is_ascii_whitespace) {
        let chunk = &text[start..start + bytes.len()];
        start += bytes.len() + 1;
        if chunk.is_ascii() {
            count.words += ascii_word_count(chunk.as_bytes());
            continue;
        }
        // A run of Latin, Greek or Cyrillic letters and digits is one word (UAX #29
        // joins ALetter and Numeric): most accented European words end here.
        if chunk.chars().all(is_plain_word_char) {
            count.words += 1;
            continue;
        }
        for word in chunk.unicode_words() {
            let (mut by_char, mut other) = (0u64, false);
            for c in word.chars() {
                if is_counted_by_character(c) {
                    by_char += 1;
                } else if c.is_alphanumeric() {
                    other = true;
                }
            }
            count.cjk_chars += by_char;
            count.words += u64::from(other);
        }
    }
    count
}

/// Letters and digits that UAX #29 joins into one word with each other:
/// ASCII letters and digits, and the letters of the Latin-1 Supplement, Latin
/// Extended-A/B, Greek and Cyrillic blocks.
#[inline]
fn is_plain_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (matches!(c, '\u{C0}'..='\u{24F}' | '\u{370}'..='\u{3FF}' | '\u{400}'..='\u{481}' | '\u{48A}'..='\u{4FF}')
            && c.is_alphabetic())
}

/// UAX #29 word count of ASCII text (the rules that concern ASCII: letters,
/// digits and `_` join; `.` `'` `:` join two letters; `.` `'` `,` `;` join
/// two digits); a segment counts when it holds a letter or digit.
fn ascii_word_count(bytes: &[u8]) -> u64 {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Class {
        Letter,
        Digit,
        Underscore,
        Other,
    }
    let class = |b: u8| match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        _ => Class::Other,
    };
    let (mut count, mut prev, mut alnum) = (0u64, Class::Other, false);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let c = class(b);
        if c != Class::Other {
            alnum |= c != Class::Underscore;
            prev = c;
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).map_or(Class::Other, |&n| class(n));
        let joins = matches!(
            (prev, b, next),
            (Class::Letter, b'.' | b'\'' | b':', Class::Letter)
                | (Class::Digit, b'.' | b'\'' | b',' | b';', Class::Digit)
        );
        if !joins {
            count += u64::from(alnum);
            alnum = false;
            prev = Class::Other;
        }
        i += 1;
    }
    count + u64::from(alnum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_selftest_cases() {
        assert_eq!(match_tokens("Straße"), ["strasse"]);
        assert_eq!(match_tokens("नमस्ते दुनिया"), ["नमस्ते", "दुनिया"]);
        assert_eq!(match_tokens("สวัสดี").len(), "สวัสดี".chars().count());
        assert_eq!(
            match_tokens("안녕하세요 world"),
            ["안", "녕", "하", "세", "요", "world"]
        );
        assert_eq!(match_tokens("abc漢字def"), ["abc", "漢", "字", "def"]);
    }

    #[test]
    fn punctuation_is_one_token_per_char() {
        assert_eq!(match_tokens("a...b"), ["a", ".", ".", ".", "b"]);
        assert_eq!(match_tokens("snake_case x"), ["snake_case", "x"]);
        assert_eq!(match_tokens("«Oui»"), ["«", "oui", "»"]);
        assert_eq!(match_tokens("\u{1c}a\u{1f}b"), ["a", "b"]);
    }

    #[test]
    fn arabic_and_hebrew_words_keep_marks() {
        assert_eq!(match_tokens("مَرْحَبًا بالعالم"), ["مَرْحَبًا", "بالعالم"]);
        assert_eq!(match_tokens("שָׁלוֹם"), ["שָׁלוֹם"]);
    }

    proptest::proptest! {
        #[test]
        fn word_count_is_the_number_of_word_spans(text in "\\PC{0,40}|[a-z _.é東京สวัสดี안-]{0,40}") {
            proptest::prop_assert_eq!(word_count(&text), word_spans(&text).count());
        }
    }

    #[test]
    fn gmx_word_counts() {
        let count = |s: &str| count_words(s).words;
        assert_eq!(count("U.S."), 1);
        assert_eq!(count("4,200,000"), 1);
        assert_eq!(count("don't"), 1);
        assert_eq!(count("don’t"), 1);
        assert_eq!(count("O'Hare's"), 1);
        assert_eq!(count("Ça coûte 3,9 € — à l’État."), 5);
        assert_eq!(count("snake_case _ -- ..."), 1);
        assert_eq!(count("안녕하세요 세계"), 2);
        let th = count_words("สวัสดีครับ ok");
        assert_eq!((th.words, th.cjk_chars), (1, 10));
        // One word per word: the old count split U.S., numbers and contractions.
        let news = "The U.S. will spend $4,200,000 at O'Hare's new terminal, officials said, but \"we don't know when.\"";
        assert_eq!(count(news), 16);
    }

    #[test]
    fn plain_word_chars_join_into_one_uax29_word() {
        use unicode_segmentation::UnicodeSegmentation;
        for c in ('\u{C0}'..='\u{4FF}').filter(|&c| is_plain_word_char(c)) {
            let word = format!("x{c}1{c}{c}a");
            assert_eq!(word.unicode_words().count(), 1, "U+{:04X}", c as u32);
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_path_is_uax29(text in "[a-cA-C0-2_.,;:' !?$%-]{0,40}") {
            use unicode_segmentation::UnicodeSegmentation;
            let expected = text.unicode_words().count() as u64;
            proptest::prop_assert_eq!(ascii_word_count(text.as_bytes()), expected);
        }

        #[test]
        fn chunked_count_is_uax29(text in "\\PC{0,40}|[a-z _.,é東京'’-]{0,40}|[a-zà-ÿα-ωа-я0-9 ,.'’·ʹ;:҃ͅ-]{0,40}") {
            use unicode_segmentation::UnicodeSegmentation;
            let whole = text
                .unicode_words()
                .filter(|w| w.chars().any(|c| !is_counted_by_character(c) && c.is_alphanumeric()))
                .count() as u64;
            proptest::prop_assert_eq!(count_words(&text).words, whole);
        }
    }

    #[test]
    fn word_spans_offsets_point_into_text() {
        let text = "Él dijo: «¡Hola!» 東京";
        for (off, w) in word_spans(text) {
            assert_eq!(&text[off..off + w.len()], w);
        }
        assert_eq!(word_count(text), 5);
        assert_eq!(word_count(""), 0);
    }
}
