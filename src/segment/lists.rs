//! List markers inside a line: `1.` `2.`, `a)` `b)`, `(a)` `(b)`, `i.` `ii.`,
//! `I.` `II.`, `1.)`. Each item is its own sentence, also when the items run on
//! one line after other text (`We need: a. bread b. cheese`).

/// How a marker is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkerStyle {
    /// `1.`
    Dot,
    /// `1.)`
    DotParen,
    /// `1)`
    Paren,
    /// `(1)`
    Parens,
}

/// What counts in a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkerKind {
    Number,
    Letter,
    RomanLower,
    RomanUpper,
    /// A lower-case Cyrillic letter (`а)` `б)` `в)`), in the order of [`CYRILLIC`].
    Cyrillic,
    /// A lower-case Greek letter (`α)` `β)` `γ)`), in the order of [`GREEK`].
    Greek,
    /// A Hebrew letter (`א.` `ב.` `ג.`), in the order of [`HEBREW`].
    Hebrew,
}

/// The Cyrillic letters that label list items, in order (Russian, Ukrainian,
/// Bulgarian and Kazakh lists agree on the first ones: а б в г д).
const CYRILLIC: &str = "абвгдежзиклмнопрстуфхцчшщэюя";
/// The Greek letters that label list items, in order.
const GREEK: &str = "αβγδεζηθικλμνξοπρστυφχψω";

/// The Hebrew letters that label list items, in order (final forms left out).
const HEBREW: &str = "אבגדהוזחטיכלמנסעפצקרשת";

/// The 1-based place of `c` in `alphabet`.
fn letter_value(alphabet: &str, c: char) -> Option<u32> {
    alphabet.chars().position(|l| l == c).map(|p| p as u32 + 1)
}

/// One reading of a list marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marker {
    pub kind: MarkerKind,
    pub style: MarkerStyle,
    pub value: u32,
}

impl Marker {
    /// True when `self` is the item after `prev`.
    pub fn follows(&self, prev: &Marker) -> bool {
        self.kind == prev.kind && self.style == prev.style && self.value == prev.value + 1
    }
}

const ROMAN: [&str; 20] = [
    "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
    "xvi", "xvii", "xviii", "xix", "xx",
];

fn roman_value(s: &str) -> Option<u32> {
    ROMAN
        .iter()
        .position(|r| r.eq_ignore_ascii_case(s))
        .map(|p| p as u32 + 1)
}

/// The readings of `tok` (without its punctuation) as a list marker: up to two
/// (`i` is the letter i and the roman one; `v`, `x` likewise).
pub(crate) fn readings(tok: &str, style: MarkerStyle) -> [Option<Marker>; 2] {
    let marker = |kind, value| Some(Marker { kind, style, value });
    let bytes = tok.as_bytes();
    match bytes {
        [d @ b'0'..=b'9'] => [marker(MarkerKind::Number, u32::from(d - b'0')), None],
        [d1 @ b'0'..=b'9', d2 @ b'0'..=b'9'] => [
            marker(
                MarkerKind::Number,
                u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'),
            ),
            None,
        ],
        [l @ b'a'..=b'z'] => [
            marker(MarkerKind::Letter, u32::from(l - b'a') + 1),
            roman_value(tok).and_then(|v| marker(MarkerKind::RomanLower, v)),
        ],
        _ if (2..=5).contains(&bytes.len()) && bytes.iter().all(|b| b"ivx".contains(b)) => [
            roman_value(tok).and_then(|v| marker(MarkerKind::RomanLower, v)),
            None,
        ],
        _ if !bytes.is_empty() && bytes.len() <= 5 && bytes.iter().all(|b| b"IVX".contains(b)) => [
            roman_value(tok).and_then(|v| marker(MarkerKind::RomanUpper, v)),
            None,
        ],
        _ => {
            let mut chars = tok.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return [None, None];
            };
            if let Some(v) = letter_value(CYRILLIC, c) {
                [marker(MarkerKind::Cyrillic, v), None]
            } else if let Some(v) = letter_value(GREEK, c) {
                [marker(MarkerKind::Greek, v), None]
            } else if let Some(v) = letter_value(HEBREW, c) {
                [marker(MarkerKind::Hebrew, v), None]
            } else {
                [None, None]
            }
        }
    }
}

/// Writes into `buf` how the item after `m` is written, with a space before
/// and after (` b. `, ` (b) `); returns its length.
fn successor(m: &Marker, buf: &mut [u8; 16]) -> usize {
    let mut label = [0u8; 6];
    let label_len = match m.kind {
        MarkerKind::Number => {
            let v = m.value + 1;
            if v >= 10 {
                label[0] = b'0' + (v / 10 % 10) as u8;
                label[1] = b'0' + (v % 10) as u8;
                2
            } else {
                label[0] = b'0' + v as u8;
                1
            }
        }
        MarkerKind::Letter => {
            label[0] = b'a' + m.value as u8; // value is 1-based: the next letter
            1
        }
        MarkerKind::Cyrillic | MarkerKind::Greek | MarkerKind::Hebrew => {
            let alphabet = match m.kind {
                MarkerKind::Cyrillic => CYRILLIC,
                MarkerKind::Greek => GREEK,
                _ => HEBREW,
            };
            let Some(next) = alphabet.chars().nth(m.value as usize) else {
                return 0;
            };
            next.encode_utf8(&mut label).len()
        }
        MarkerKind::RomanLower | MarkerKind::RomanUpper => {
            let Some(r) = ROMAN.get(m.value as usize) else {
                return 0;
            };
            for (d, s) in label.iter_mut().zip(r.bytes()) {
                *d = if m.kind == MarkerKind::RomanUpper {
                    s.to_ascii_uppercase()
                } else {
                    s
                };
            }
            r.len()
        }
    };
    let (open, close): (&[u8], &[u8]) = match m.style {
        MarkerStyle::Dot => (b"", b"."),
        MarkerStyle::DotParen => (b"", b".)"),
        MarkerStyle::Paren => (b"", b")"),
        MarkerStyle::Parens => (b"(", b")"),
    };
    let mut n = 0;
    for part in [b" ", open, &label[..label_len], close, b" "] {
        buf[n..n + part.len()].copy_from_slice(part);
        n += part.len();
    }
    n
}

/// True when the first item `m` of a list is followed, on the same line within
/// `limit` bytes of `rest`, by the next item (` 1. … 2. `).
pub(crate) fn next_item_follows(m: &Marker, rest: &str, limit: usize) -> bool {
    let mut buf = [0u8; 16];
    let n = successor(m, &mut buf);
    if n == 0 {
        return false;
    }
    let mut end = rest.len().min(limit);
    if let Some(nl) = memchr::memchr(b'\n', &rest.as_bytes()[..end]) {
        end = nl;
    }
    memchr::memmem::find(&rest.as_bytes()[..end], &buf[..n]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_of_markers() {
        let [a, b] = readings("i", MarkerStyle::Dot);
        assert_eq!(a.unwrap().kind, MarkerKind::Letter);
        assert_eq!(b.unwrap().kind, MarkerKind::RomanLower);
        assert_eq!(readings("iv", MarkerStyle::Dot)[0].unwrap().value, 4);
        assert_eq!(readings("XII", MarkerStyle::Dot)[0].unwrap().value, 12);
        assert_eq!(readings("12", MarkerStyle::Paren)[0].unwrap().value, 12);
        assert!(readings("word", MarkerStyle::Dot)[0].is_none());
        assert!(readings("A", MarkerStyle::Dot)[0].is_none());
        assert_eq!(readings("в", MarkerStyle::Paren)[0].unwrap().value, 3);
        assert_eq!(
            readings("β", MarkerStyle::Paren)[0].unwrap().kind,
            MarkerKind::Greek
        );
        assert!(
            readings("ж", MarkerStyle::Paren)[0]
                .unwrap()
                .follows(&readings("е", MarkerStyle::Paren)[0].unwrap())
        );
    }

    #[test]
    fn the_next_item_is_found_on_the_line_only() {
        let first = readings("a", MarkerStyle::Dot)[0].unwrap();
        assert!(next_item_follows(&first, " bread b. cheese", 100));
        assert!(!next_item_follows(&first, " bread\nb. cheese", 100));
        let one = readings("9", MarkerStyle::Parens)[0].unwrap();
        assert!(next_item_follows(&one, " x (10) y", 100));
        let roman = readings("II", MarkerStyle::Dot)[0].unwrap();
        assert!(next_item_follows(&roman, " war III. later", 100));
        let cyr = readings("а", MarkerStyle::Paren)[0].unwrap();
        assert!(next_item_follows(&cyr, " хліб б) молоко", 100));
        let greek = readings("α", MarkerStyle::Paren)[0].unwrap();
        assert!(next_item_follows(&greek, " ψωμί β) γάλα", 100));
        assert!(!next_item_follows(&greek, " ψωμί γ) γάλα", 100));
        let alef = readings("א", MarkerStyle::Dot)[0].unwrap();
        assert!(next_item_follows(&alef, " לפתוח ב. לחבר", 100));
    }
}
