//! Scripts per character: which writing system a character belongs to, whether
//! the script separates words with spaces, and right-to-left text.

pub use unicode_script::Script;
use unicode_script::UnicodeScript;

/// The Unicode script of `c` (`Common` for punctuation and digits shared by scripts).
pub fn script_of(c: char) -> Script {
    c.script()
}

/// True for characters of scripts written without spaces between words:
/// CJK ideographs (with the iteration marks 々 and 〻, 〆 and the
/// ideographic zero 〇), kana (half-width katakana and the kana supplements
/// too), bopomofo, Hangul syllables, Thai, Lao, Khmer and Myanmar. Each such
/// character is a token of its own for matching and ranking.
pub fn is_spaceless_char(c: char) -> bool {
    let cp = c as u32;
    matches!(cp,
        0x3005..=0x3007      // 々 〆 〇
        | 0x303B..=0x303C    // 〻 〼
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3FFFF  // CJK extensions B and later (planes 2 and 3)
        | 0x3040..=0x309F    // hiragana
        | 0x30A0..=0x30FF    // katakana
        | 0x31F0..=0x31FF    // katakana phonetic extensions
        | 0xFF66..=0xFF9F    // half-width katakana
        | 0x1AFF0..=0x1AFFF  // kana extended B
        | 0x1B000..=0x1B16F  // kana supplement, extended A, small kana extension
        | 0x3100..=0x312F    // bopomofo
        | 0x31A0..=0x31BF    // bopomofo extended
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x0E00..=0x0E7F    // Thai
        | 0x0E80..=0x0EFF    // Lao
        | 0x1780..=0x17FF    // Khmer
        | 0x19E0..=0x19FF    // Khmer symbols
        | 0x1000..=0x109F    // Myanmar
        | 0xAA60..=0xAA7F    // Myanmar extended A
        | 0xA9E0..=0xA9FF // Myanmar extended B
    )
}

/// True for characters of right-to-left scripts (Arabic, Hebrew, Syriac, Thaana, N'Ko, ...).
pub fn is_rtl_char(c: char) -> bool {
    matches!(
        c.script(),
        Script::Arabic
            | Script::Hebrew
            | Script::Syriac
            | Script::Thaana
            | Script::Nko
            | Script::Samaritan
            | Script::Mandaic
            | Script::Adlam
    )
}

/// True for the invisible bidirectional controls (LRM, RLM, ALM, embeddings,
/// overrides and isolates) that RTL text carries around punctuation.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The most frequent non-`Common`, non-`Inherited` script of `s`, if any.
pub fn dominant_script(s: &str) -> Option<Script> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for c in s.chars() {
        let sc = c.script();
        if matches!(sc, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        match counts.iter_mut().find(|(k, _)| *k == sc) {
            Some((_, n)) => *n += 1,
            None => counts.push((sc, 1)),
        }
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(s, _)| s)
}

/// True when most letters of `s` belong to a right-to-left script.
pub fn is_rtl_text(s: &str) -> bool {
    let (mut rtl, mut ltr) = (0usize, 0usize);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        if is_rtl_char(c) {
            rtl += 1;
        } else {
            ltr += 1;
        }
    }
    rtl > ltr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_scripts() {
        assert_eq!(script_of('a'), Script::Latin);
        assert_eq!(script_of('ж'), Script::Cyrillic);
        assert_eq!(script_of('ب'), Script::Arabic);
        assert_eq!(script_of('.'), Script::Common);
    }

    #[test]
    fn spaceless_and_rtl() {
        assert!(is_spaceless_char('東'));
        assert!(is_spaceless_char('か'));
        assert!(is_spaceless_char('ก'));
        assert!(!is_spaceless_char('a'));
        assert!(is_rtl_char('ש'));
        assert!(is_rtl_char('پ'));
        assert!(is_rtl_text("سلام عليكم world"));
        assert!(!is_rtl_text("hello عالم"));
        assert!(is_bidi_control('\u{200F}'));
        assert_eq!(dominant_script("Tokyo 東京都新宿区"), Some(Script::Han));
    }

    /// 々, 〆, 〇, half-width katakana and bopomofo are CJK characters:
    /// counted one by one, as CAT tools count them, and ﾃｽﾄ as テスト.
    #[test]
    fn iteration_marks_half_width_kana_and_bopomofo_are_counted_by_character() {
        use crate::text::tokenize::count_words;
        for c in ['々', '〆', '〇', 'ｱ', 'ﾃ', 'ㄅ', '\u{1B001}', '\u{2A6D6}'] {
            assert!(is_spaceless_char(c), "{c}");
        }
        let counts = |s: &str| {
            let c = count_words(s);
            (c.words, c.cjk_chars)
        };
        assert_eq!(counts("ﾃｽﾄ"), counts("テスト"));
        assert_eq!(counts("テスト"), (0, 3));
        assert_eq!(counts("人々"), (0, 2));
        assert_eq!(counts("〇〇年"), (0, 3));
        assert_eq!(counts("ㄅㄆㄇ"), (0, 3));
        // Korean keeps its words.
        assert_eq!(counts("한국어 단어"), (2, 0));
    }
}
