//! Numbers as languages write them: which character is the decimal mark and
//! which groups thousands (`3.9` in English is `3,9` in French, `1,000` in
//! English is `1.000` in German), reading a number in one language's
//! convention and writing it in another's. Number auto-propagation uses this
//! to put a query's numbers into a memory target.

use crate::text::LanguageTag;

/// How a language writes decimal numbers (CLDR's default, Latin digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    /// The decimal mark.
    pub decimal: char,
    /// The thousands separator written by default.
    pub group: char,
}

impl NumberFormat {
    /// The convention of `tag`'s language (and region where it matters:
    /// `es-MX` writes `3.9`, `es` writes `3,9`; `de-CH` groups with `’`).
    ///
    /// ```
    /// use tmkit::fuzzy::numbers::NumberFormat;
    /// let fr = NumberFormat::of(&"fr-FR".parse()?);
    /// assert_eq!((fr.decimal, fr.group), (',', '\u{202F}'));
    /// assert_eq!(NumberFormat::of(&"de".parse()?).group, '.');
    /// assert_eq!(NumberFormat::of(&"es-MX".parse()?).decimal, '.');
    /// # Ok::<(), tmkit::text::lang::LanguageTagError>(())
    /// ```
    pub fn of(tag: &LanguageTag) -> NumberFormat {
        let (decimal, group) = match (tag.primary(), tag.region()) {
            ("de" | "it" | "rm", Some("CH" | "LI")) => ('.', '\u{2019}'),
            (
                "es",
                Some(
                    "MX" | "US" | "419" | "GT" | "HN" | "NI" | "PA" | "PR" | "DO" | "SV" | "PE"
                    | "CU",
                ),
            ) => ('.', ','),
            ("pt", Some("PT" | "AO" | "MZ")) => (',', '\u{A0}'),
            ("fr", _) => (',', '\u{202F}'),
            (
                "de" | "es" | "it" | "pt" | "nl" | "da" | "id" | "tr" | "el" | "ro" | "hr" | "sl"
                | "sr" | "ca" | "gl" | "eu" | "is" | "vi" | "az" | "mk" | "bs",
                _,
            ) => (',', '.'),
            (
                "ru" | "uk" | "be" | "pl" | "cs" | "sk" | "sv" | "nb" | "nn" | "no" | "fi" | "bg"
                | "hu" | "et" | "lv" | "lt" | "kk" | "ka" | "hy" | "af" | "ky" | "uz" | "sq",
                _,
            ) => (',', '\u{A0}'),
            _ => ('.', ','),
        };
        NumberFormat { decimal, group }
    }

    /// True for the characters this convention accepts between groups of
    /// three digits (its own, and the other spaces a typist uses for it).
    fn is_group(&self, c: char) -> bool {
        c == self.group
            || match self.group {
                '\u{A0}' | '\u{202F}' | '\u{2009}' => {
                    matches!(c, '\u{A0}' | '\u{202F}' | '\u{2009}' | ' ')
                }
                '\u{2019}' | '\'' => matches!(c, '\u{2019}' | '\''),
                _ => false,
            }
    }

    /// Reads `text` (ASCII digits and separators) as a number in this
    /// convention; `None` when it is not one (`1,5` in English, `1.2.3`).
    ///
    /// ```
    /// use tmkit::fuzzy::numbers::NumberFormat;
    /// let de = NumberFormat::of(&"de".parse()?);
    /// let n = de.parse("4.200.000,5").unwrap();
    /// assert_eq!((n.integer.as_str(), n.fraction.as_str(), n.grouped), ("4200000", "5", true));
    /// assert!(de.parse("4,2,0").is_none());
    /// # Ok::<(), tmkit::text::lang::LanguageTagError>(())
    /// ```
    pub fn parse(&self, text: &str) -> Option<Decimal> {
        let (int_part, fraction) = match text.split_once(self.decimal) {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if !fraction.chars().all(|c| c.is_ascii_digit()) || int_part.is_empty() {
            return None;
        }
        let groups: Vec<&str> = int_part.split(|c| self.is_group(c)).collect();
        let first_ok = (1..=3).contains(&groups[0].len()) || groups.len() == 1;
        let valid = first_ok
            && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
            && groups[1..].iter().all(|g| g.len() == 3)
            && !groups[0].is_empty();
        if !valid || (text.contains(self.decimal) && fraction.is_empty()) {
            return None;
        }
        Some(Decimal {
            integer: groups.concat(),
            fraction: fraction.to_string(),
            grouped: groups.len() > 1,
        })
    }

    /// Writes `number` in this convention, grouping thousands with `group`
    /// when `grouped`.
    ///
    /// ```
    /// use tmkit::fuzzy::numbers::{Decimal, NumberFormat};
    /// let de = NumberFormat::of(&"de".parse()?);
    /// let n = Decimal { integer: "1000".into(), fraction: String::new(), grouped: true };
    /// assert_eq!(de.format(&n, '.', true), "1.000");
    /// # Ok::<(), tmkit::text::lang::LanguageTagError>(())
    /// ```
    pub fn format(&self, number: &Decimal, group: char, grouped: bool) -> String {
        let digits = number.integer.as_bytes();
        let mut out = String::with_capacity(digits.len() + number.fraction.len() + 4);
        for (i, &d) in digits.iter().enumerate() {
            let left = digits.len() - i;
            if grouped && i > 0 && left.is_multiple_of(3) {
                out.push(group);
            }
            out.push(char::from(d));
        }
        if !number.fraction.is_empty() {
            out.push(self.decimal);
            out.push_str(&number.fraction);
        }
        out
    }
}

/// A decimal number's digits, independent of how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    /// Integer digits (ASCII), leading zeros kept.
    pub integer: String,
    /// Fraction digits (ASCII), empty for an integer.
    pub fraction: String,
    /// Whether it was written with thousands separators.
    pub grouped: bool,
}

/// A number written in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenNumber {
    /// Byte span in the text.
    pub span: (usize, usize),
    /// Its text, digits folded to ASCII (NFKC).
    pub text: String,
}

/// Characters that may stand between the digit runs of one written number.
fn is_number_separator(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | '\''
            | '\u{2019}'
            | '\u{A0}'
            | '\u{202F}'
            | '\u{2009}'
            | ' '
            | '\u{66B}'
            | '\u{66C}'
    )
}

/// The numbers of `text`: digit runs joined by separators (a plain space
/// only before exactly three digits), not glued to letters.
///
/// ```
/// use tmkit::fuzzy::numbers::written_numbers;
/// let found: Vec<String> = written_numbers("De 3,9 % à 1 200 000 en 2024, soit x2.")
///     .into_iter().map(|n| n.text).collect();
/// assert_eq!(found, ["3,9", "1 200 000", "2024"]);
/// ```
pub fn written_numbers(text: &str) -> Vec<WrittenNumber> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let digit_at = |k: usize| chars.get(k).is_some_and(|&(_, c)| c.is_numeric());
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if !digit_at(k) {
            k += 1;
            continue;
        }
        let start = k;
        while digit_at(k) {
            k += 1;
        }
        while let Some(&(_, sep)) = chars.get(k) {
            if !is_number_separator(sep) || !digit_at(k + 1) {
                break;
            }
            let run = (k + 1..).take_while(|&j| digit_at(j)).count();
            if sep == ' ' && run != 3 {
                break;
            }
            k += 1 + run;
        }
        let (from, to) = (chars[start].0, chars.get(k).map_or(text.len(), |&(i, _)| i));
        let glued = |c: Option<&(usize, char)>| c.is_some_and(|&(_, c)| c.is_alphabetic());
        if !glued(start.checked_sub(1).and_then(|p| chars.get(p))) && !glued(chars.get(k)) {
            out.push(WrittenNumber {
                span: (from, to),
                text: crate::text::nfkc(&text[from..to]).into_owned(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(tag: &str) -> NumberFormat {
        NumberFormat::of(&tag.parse().unwrap())
    }

    #[test]
    fn reads_each_convention() {
        let en = fmt("en");
        assert_eq!(en.parse("3.9").unwrap().fraction, "9");
        assert_eq!(en.parse("1,000").unwrap().integer, "1000");
        assert!(en.parse("1,5").is_none());
        assert!(en.parse("3.").is_none());
        let fr = fmt("fr");
        assert_eq!(fr.parse("1\u{202F}200,5").unwrap().integer, "1200");
        assert_eq!(fr.parse("1 200").unwrap().integer, "1200");
        assert_eq!(fmt("de-CH").parse("1'000").unwrap().integer, "1000");
        assert_eq!(fmt("pt-BR").decimal, ',');
        assert_eq!(fmt("pt-PT").group, '\u{A0}');
    }

    #[test]
    fn writes_each_convention() {
        let n = fmt("en").parse("1,234,567.25").unwrap();
        assert_eq!(fmt("de").format(&n, '.', true), "1.234.567,25");
        assert_eq!(
            fmt("fr").format(&n, '\u{202F}', true),
            "1\u{202F}234\u{202F}567,25"
        );
        assert_eq!(fmt("ja").format(&n, ',', false), "1234567.25");
    }

    #[test]
    fn finds_numbers_not_glued_to_letters() {
        let found: Vec<String> = written_numbers("A4 paper, 12 pages, ٣ items, 1.000.000 €")
            .into_iter()
            .map(|n| n.text)
            .collect();
        assert_eq!(found, ["12", "٣", "1.000.000"]);
    }
}
