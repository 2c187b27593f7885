//! Unicode normalization: NFC for what tmkit stores and prints, NFKC plus full
//! case folding for what it compares.
//!
//! Every function takes a fast path for ASCII (already normalized, folded by a
//! byte-wise lowercase) and borrows its input when nothing changes.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

use super::tables::CASEFOLD;

/// Canonical composition (NFC), the form tmkit writes. Borrows when `s` is already NFC.
///
/// ```
/// assert_eq!(tmkit::text::nfc("e\u{301}"), "é");
/// ```
pub fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// Compatibility composition (NFKC): full-width forms, ligatures and the like
/// become their plain equivalents. Borrows when `s` is already NFKC.
///
/// ```
/// assert_eq!(tmkit::text::nfkc("ＡＢＣ１２３"), "ABC123");
/// ```
pub fn nfkc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfkc().collect())
    }
}

/// Full Unicode case folding, the same as Python's `str.casefold()` (`ß` → `ss`, `ς` → `σ`).
///
/// ```
/// assert_eq!(tmkit::text::casefold("Straße"), "strasse");
/// ```
pub fn casefold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Owned(s.to_ascii_lowercase());
        }
        return Cow::Borrowed(s);
    }
    if !s
        .chars()
        .any(|c| c.is_ascii_uppercase() || (!c.is_ascii() && fold_of(c).is_some()))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    push_casefolded(&mut out, s);
    Cow::Owned(out)
}

/// Appends the case folding of `s` to `out`.
pub fn push_casefolded(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(folded) = fold_of(c) {
            out.push_str(folded);
        } else {
            out.push(c);
        }
    }
}

fn fold_of(c: char) -> Option<&'static str> {
    let cp = c as u32;
    CASEFOLD
        .binary_search_by_key(&cp, |&(k, _)| k)
        .ok()
        .map(|i| CASEFOLD[i].1)
}

/// The key two strings are compared by: NFKC, then full case folding.
///
/// ```
/// use tmkit::text::comparison_key;
/// assert_eq!(comparison_key("ＳＴＲＡßＥ"), comparison_key("strasse"));
/// ```
pub fn comparison_key(s: &str) -> Cow<'_, str> {
    match nfkc(s) {
        Cow::Borrowed(b) => casefold(b),
        Cow::Owned(o) => Cow::Owned(casefold(&o).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_and_borrows_when_unchanged() {
        assert!(matches!(nfc("plain"), Cow::Borrowed(_)));
        assert!(matches!(nfc("déjà"), Cow::Borrowed(_)));
        assert_eq!(nfc("de\u{301}ja\u{300}"), "déjà");
    }

    #[test]
    fn nfkc_folds_width_and_ligatures() {
        assert_eq!(nfkc("ﬁnance"), "finance");
        assert_eq!(nfkc("ｶﾀｶﾅ"), "カタカナ");
    }

    #[test]
    fn casefold_matches_python_full_folding() {
        assert_eq!(casefold("ΣΊΣΥΦΟΣ"), "σίσυφοσ");
        assert_eq!(casefold("ς"), "σ");
        assert_eq!(casefold("İstanbul"), "i\u{307}stanbul");
        assert_eq!(casefold("ﬀ"), "ff");
        assert_eq!(casefold("ABC"), "abc");
        assert!(matches!(casefold("abc"), Cow::Borrowed(_)));
        assert!(matches!(casefold("東京"), Cow::Borrowed(_)));
    }

    #[test]
    fn comparison_key_joins_nfkc_and_folding() {
        assert_eq!(comparison_key("Ｗｏｒｌｄ"), "world");
        assert_eq!(comparison_key("STRASSE"), comparison_key("Straße"));
    }
}
