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

/// `for_each_score_token(&comparison_key(text), f)` for ASCII `text`.
///
/// # Panics
/// Debug builds assert that `text` is ASCII; callers check.
pub(crate) fn for_each_ascii_score_token(text: &str, mut f: impl FnMut(TokenClass, &str)) {
    debug_assert!(text.is_ascii());
    let b = text.as_bytes();
    let n = b.len();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let run_end = |from: usize| from + b[from..].iter().take_while(|&&c| word(c)).count();
    let digits = |from: usize, to: usize| b[from..to].iter().all(u8::is_ascii_digit);
    let mut i = 0;
    while i < n {
        let c = b[i];
        // Python's str.isspace for ASCII: \t \n \v \f \r, the separators
        // \x1c-\x1f, and the space.
        if matches!(c, 9..=13 | 0x1c..=0x20) {
            i += 1;
            continue;
        }
        if !word(c) {
            // The only ASCII quote folded to another is the backtick.
            let key = if c == b'`' { "'" } else { &text[i..i + 1] };
            f(TokenClass::Punctuation, key);
            i += 1;
            continue;
        }
        let mut end = run_end(i);
        if !digits(i, end) {
            lowered(&text[i..end], |key| f(TokenClass::Word, key));
            i = end;
            continue;
        }
        // A separator joins two digit runs into one number.
        while end < n && matches!(b[end], b'.' | b',' | b'\'') {
            let next = end + 1;
            let next_end = run_end(next);
            if next_end == next || !digits(next, next_end) {
                break;
            }
            end = next_end;
        }
        f(TokenClass::Number, &text[i..end]);
        i = end;
    }
}

/// Calls `f` with the ASCII lowercase of `word`, borrowed when it has no capital.
#[inline]
fn lowered(word: &str, f: impl FnOnce(&str)) {
    if !word.bytes().any(|c| c.is_ascii_uppercase()) {
        return f(word);
    }
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
            text in "[ -~\t\n\r\x0b\x0c\x1c-\x1f\x00-\x08\x7f]{0,80}",
        ) {
            prop_assert_eq!(fast(&text), reference(&text));
        }

        #[test]
        fn equals_on_number_and_word_soup(text in "[aZ_0-9.,' `]{0,40}") {
            prop_assert_eq!(fast(&text), reference(&text));
        }
    }
}
