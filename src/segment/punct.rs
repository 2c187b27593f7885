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
