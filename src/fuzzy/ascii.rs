//! The score tokens of ASCII text, without normalizing it first.
//!
//! Nearly every memory source and query in Latin-script work is pure ASCII
//! (76,017 of the 76,032 sources of a Tatoeba en-fr memory). For ASCII, the
//! comparison key ([`crate::text::comparison_key`]: NFKC, then case folding) is
//! the ASCII lowercase, and [`for_each_score_token`]'s Unicode classes reduce
//! to byte classes, so this scan gives the same tokens as normalizing and then
//! calling it, about three times faster and without allocating the key (a
//! proptest below checks the equality). Indexing a memory tokenizes every
//! source, so this is most of what building an index costs.
//!
//! [`for_each_score_token`]: crate::text::tokenize::for_each_score_token

use crate::text::tokenize::TokenClass;

/// Word tokens longer than this are lowercased into a heap buffer.
const STACK_TOKEN: usize = 64;

/// Byte classes: a word character is a digit, a capital, or another word
/// character (a small letter or `_`); a space separates tokens; anything
/// else (0) is punctuation.
const DIGIT: u8 = 1;
const CAPITAL: u8 = 2;
const OTHER_WORD: u8 = 4;
const WORD: u8 = DIGIT | CAPITAL | OTHER_WORD;
const SPACE: u8 = 8;

const CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_digit() {
            DIGIT
        } else if b.is_ascii_uppercase() {
            CAPITAL
        } else if b.is_ascii_lowercase() || b == b'_' {
            OTHER_WORD
        } else if matches!(b, 9..=13 | 0x1c..=0x20) {
            // Python's str.isspace for ASCII: \t \n \v \f \r, the
            // separators \x1c-\x1f, and the space.
            SPACE
        } else {
            0
        };
        c += 1;
    }
    t
};

/// `for_each_score_token(&comparison_key(text), f)` for ASCII `text`.
///
/// # Panics
/// Debug builds assert that `text` is ASCII; callers check.
pub(crate) fn for_each_ascii_score_token(text: &str, mut f: impl FnMut(TokenClass, &str)) {
    debug_assert!(text.is_ascii());
    let b = text.as_bytes();
    let n = b.len();
    let class = |i: usize| CLASS[usize::from(b[i] & 0x7f)];
    // The end of the word run from `i`, and the classes seen in it.
    let run = |mut i: usize| {
        let mut seen = 0;
        while i < n && class(i) & WORD != 0 {
            seen |= class(i);
            i += 1;
        }
        (i, seen)
    };
    let mut i = 0;
    while i < n {
        let k = class(i);
        if k == SPACE {
            i += 1;
            continue;
        }
        if k == 0 {
            // The only ASCII quote folded to another is the backtick.
            let key = if b[i] == b'`' { "'" } else { &text[i..i + 1] };
            f(TokenClass::Punctuation, key);
            i += 1;
            continue;
        }
        let (mut end, seen) = run(i);
        if seen != DIGIT {
            let word = &text[i..end];
            if seen & CAPITAL == 0 {
                f(TokenClass::Word, word);
            } else {
                lowered(word, |key| f(TokenClass::Word, key));
            }
            i = end;
            continue;
        }
        // A separator joins two digit runs into one number.
        while end < n && matches!(b[end], b'.' | b',' | b'\'') {
            let (next_end, seen) = run(end + 1);
            if seen != DIGIT {
                break;
            }
            end = next_end;
        }
        f(TokenClass::Number, &text[i..end]);
        i = end;
    }
}

/// Calls `f` with the ASCII lowercase of `word`.
#[inline]
fn lowered(word: &str, f: impl FnOnce(&str)) {
    if word.len() > STACK_TOKEN {
        return f(&word.to_ascii_lowercase());
    }
    let mut buf = [0u8; STACK_TOKEN];
    let buf = &mut buf[..word.len()];
    buf.copy_from_slice(word.as_bytes());
    buf.make_ascii_lowercase();
    // Lowercasing ASCII keeps it ASCII, hence UTF-8.
    f(std::str::from_utf8(buf).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::comparison_key;
    use crate::text::tokenize::for_each_score_token;
    use proptest::prelude::*;

    fn fast(text: &str) -> Vec<(TokenClass, String)> {
        let mut out = Vec::new();
        for_each_ascii_score_token(text, |c, k| out.push((c, k.to_string())));
        out
    }

    fn reference(text: &str) -> Vec<(TokenClass, String)> {
        let mut out = Vec::new();
        for_each_score_token(&comparison_key(text), |c, k| out.push((c, k.to_string())));
        out
    }

    #[test]
    fn numbers_words_punctuation_and_case() {
        let text = "It's 3.9% of 4,200,000 `Q_1` x1 1.a 2. ,3 'TEN' 1'000\x1fEND";
        assert_eq!(fast(text), reference(text));
        let keys: Vec<String> = fast(text).into_iter().map(|(_, k)| k).collect();
        assert_eq!(
            keys,
            [
                "it",
                "'",
                "s",
                "3.9",
                "%",
                "of",
                "4,200,000",
                "'",
                "q_1",
                "'",
                "x1",
                "1",
                ".",
                "a",
                "2",
                ".",
                ",",
                "3",
                "'",
                "ten",
                "'",
                "1'000",
                "end"
            ]
        );
        let long = "A".repeat(100);
        assert_eq!(fast(&long), reference(&long));
    }

    proptest! {
        #[test]
        fn equals_normalizing_then_tokenizing(
            text in "[\x00-\x7f]{0,80}",
        ) {
            prop_assert_eq!(fast(&text), reference(&text));
        }

        #[test]
        fn equals_on_number_and_word_soup(text in "[aZ_0-9.,' `]{0,40}") {
            prop_assert_eq!(fast(&text), reference(&text));
        }
    }
}
