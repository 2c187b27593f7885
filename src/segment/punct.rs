//! Character classes the scanner looks at around a terminal: closing and
//! opening punctuation, the case class of the next word.

use crate::text::is_bidi_control;

/// Closing quotes and brackets that stay with the sentence they end.
pub(crate) fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '“'
            | '‘'
            | '»'
            | '«'
            | '›'
            | '‹'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '］'
            | '｝'
            | '】'
            | '》'
            | '〉'
            | '〕'
            | '〗'
            | '﹂'
            | '﹄'
    )
}

/// Opening quotes and brackets that may precede the first word of a sentence.
pub(crate) fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '`'
            | '“'
            | '‘'
            | '„'
            | '‚'
            | '«'
            | '»'
            | '‹'
            | '›'
            | '('
            | '['
            | '{'
            | '¿'
            | '¡'
            | '「'
            | '『'
            | '（'
            | '［'
            | '【'
            | '《'
            | '〈'
            | '〔'
            | '﹁'
            | '﹃'
    ) || is_bidi_control(c)
}

/// Punctuation after a terminal that shows the sentence goes on (`Yahoo! -- you`).
fn is_continuation_punct(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '-' | '–' | '—' | '%' | ')' | '/' | '&')
}

/// Horizontal white space (line breaks are handled separately).
pub(crate) fn is_inline_space(c: char) -> bool {
    c != '\n' && c.is_whitespace()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Upper,
    Lower,
    Digit,
    /// A letter of a script without case (Arabic, Devanagari, Han, ...).
    Caseless,
    /// Punctuation that continues a sentence.
    Continuation,
    /// Anything else (symbols, currency signs).
    Other,
}

pub(crate) fn classify(c: char) -> Class {
    // Georgian Mkhedruli letters count as lower case in Unicode, but Georgian
    // text does not capitalise sentences.
    if ('\u{10D0}'..='\u{10FF}').contains(&c) {
        return Class::Caseless;
    }
    if c.is_lowercase() {
        Class::Lower
    } else if c.is_uppercase() || matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ') {
        Class::Upper
    } else if c.is_numeric() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Caseless
    } else if is_continuation_punct(c) {
        Class::Continuation
    } else {
        Class::Other
    }
}

/// True when a line break between `before` and `after` is removed rather
/// than turned into a space (CSS Text 3, segment break transformation): both
/// are East Asian Wide, Fullwidth or Halfwidth characters and neither is
/// Hangul (Korean puts spaces between words), or either is a zero-width space.
/// Emoji (also Wide) are left out: a line break next to one stays a space.
pub(crate) fn removes_line_break(before: char, after: char) -> bool {
    before == '\u{200B}'
        || after == '\u{200B}'
        || (is_east_asian_wide(before) && is_east_asian_wide(after))
}

/// East Asian Width W, F or H, Hangul excepted (the CJK blocks of
/// `EastAsianWidth.txt`).
fn is_east_asian_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x303E         // CJK radicals, Kangxi, CJK symbols and punctuation
        | 0x3041..=0x3130       // kana, bopomofo
        | 0x3190..=0x31FF       // kanbun, bopomofo extended, CJK strokes, katakana extension
        | 0x3220..=0x325F       // enclosed CJK (the parenthesised Hangul before)
        | 0x3280..=0x4DBF       // enclosed CJK, CJK compatibility, extension A
        | 0x4E00..=0xA4CF       // CJK unified ideographs, Yi
        | 0xF900..=0xFAFF       // CJK compatibility ideographs
        | 0xFE10..=0xFE19       // vertical forms
        | 0xFE30..=0xFE6F       // CJK compatibility forms, small forms
        | 0xFF01..=0xFF9F       // fullwidth forms, halfwidth CJK punctuation and katakana
        | 0xFFE0..=0xFFE6       // fullwidth signs
        | 0xFFE8..=0xFFEE       // halfwidth forms
        | 0x20000..=0x3FFFD     // CJK extensions B and later
    )
}
