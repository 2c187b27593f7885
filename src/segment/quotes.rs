//! Quotations and brackets: is a position inside a quotation or bracket that
//! closes later on the same line?
//!
//! The standard sentence-boundary test sets keep a quotation or parenthesis in
//! one piece even when it holds several sentences (`'Run! Hide!' he said`,
//! `(Was it luck? Nobody knows.)`, `„Wir sind fertig. Der Zug wartet.“ sagte er`,
//! `「もう遅い。早く寝なさい。」`), so the scanner asks here before it breaks.
//!
//! News prose has the other convention for the English-style quotes (`"…"`,
//! `“…”`, `'…'`, `‘…’`): a quoted statement of several sentences (`"We are
//! ready. The army is ready," he said.`) is split like the rest of the text. In
//! [`QuoteMode::Auto`], the default, such a quotation is kept whole only when
//! it exclaims (holds a `!`), as in dialogue and fiction, or is
//! written in a script whose full stop is not `.` (Hindi `।`, Urdu `۔`);
//! brackets and every other kind of quotation mark (`„“`, `«»`, `»«`, `「」`,
//! `（）`) are always kept whole.
//!
//! Pairs are tracked with a small stack over the current sentence. Straight
//! quotes are paired by parity; `'` and `’` open or close only at a word edge,
//! so apostrophes (`they'll`, `don’t`) are not quotes. A quotation that is not
//! closed before the end of the line (or of the paragraph in wrapped mode),
//! or within [`MAX_QUOTE`] bytes, protects nothing.

/// Longest quotation or parenthesis (in bytes) kept in one piece.
pub(crate) const MAX_QUOTE: usize = 1024;

/// Whether a quotation or bracket holding several sentences is kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuoteMode {
    /// Brackets and quotations are kept whole, except English-style quotes
    /// (`"…"`, `“…”`, `'…'`, `‘…’`) holding only full stops, which are split
    /// as in news prose. The default.
    #[default]
    Auto,
    /// Every quotation and bracket closed on the same line is kept whole
    /// (the convention of the standard sentence-boundary test sets).
    Keep,
    /// Terminals inside quotations and brackets end sentences as anywhere
    /// else (most CAT tools' rules).
    Split,
}

/// An open quotation or bracket: what may close it, and where it opened.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Open {
    closers: &'static [char],
    at: usize,
}

/// Terminals that make an English-style quotation dialogue rather than a
/// quoted statement: it exclaims, or is in a script whose full stop is not `.`
/// (Hindi `।`, Urdu `۔`, Burmese `။`). Questions are left out: quoted
/// statements in the news often ask (`"Can we win? We think so," he said.`).
const NOT_NEWS_TERMINALS: [char; 9] = ['!', '！', '。', '؟', '।', '۔', '။', '։', '።'];

/// True for the English-style quotation marks whose quotations news prose splits.
fn is_english_quote(closers: &[char]) -> bool {
    matches!(closers, ['"'] | ['\''] | ['”'] | ['’'])
}

/// The characters that may close what an opening character opened.
fn closers_of(open: char, prev: Option<char>, next: Option<char>) -> Option<&'static [char]> {
    let word_after = next.is_some_and(char::is_alphanumeric);
    let edge_before = prev.is_none_or(|p| p.is_whitespace() || is_bracket_open(p) || p == '—');
    Some(match open {
        '"' => &['"'],
        '\'' if edge_before && word_after => &['\''],
        '‘' => &['’'],
        '“' => &['”'],
        // German and Central European quotes close with “ or ” (Polish „…”).
        '„' => &['“', '”'],
        '‚' => &['‘', '’'],
        '«' => &['»'],
        '‹' => &['›'],
        // Danish and German »…«, and Swedish ”…” / »…»: an opening only before a word.
        '»' if edge_before => &['«', '»'],
        '›' if edge_before => &['‹', '›'],
        '”' if edge_before && word_after => &['”'],
        '(' => &[')'],
        '[' => &[']'],
        '{' => &['}'],
        '（' => &['）'],
        '［' => &['］'],
        '｛' => &['｝'],
        '「' => &['」'],
        '『' => &['』'],
        '【' => &['】'],
        '《' => &['》'],
        '〈' => &['〉'],
        '〔' => &['〕'],
        '﹁' => &['﹂'],
        '﹃' => &['﹄'],
        _ => return None,
    })
}

fn is_bracket_open(c: char) -> bool {
    matches!(c, '(' | '[' | '{' | '（' | '「' | '『' | '“' | '„' | '«')
}

/// True when `c` may close a quotation here: `'` and `’` only at the end of a
/// word (`they'll` keeps its apostrophe).
fn may_close(c: char, prev: Option<char>, next: Option<char>) -> bool {
    match c {
        '\'' | '’' => {
            !next.is_some_and(char::is_alphanumeric) && !prev.is_some_and(char::is_whitespace)
        }
        _ => true,
    }
}

/// True when `head` may hold a character that opens a quotation or bracket:
/// a cheap byte-level pre-check, so that most sentences (apostrophes and dashes
/// included) skip the pairing.
fn may_open_quote(head: &[u8]) -> bool {
    head.iter().enumerate().any(|(i, &b)| match b {
        b'"' | b'(' | b'[' | b'{' => true,
        // `'` opens only at the start of a word (not `don't`).
        b'\'' => i == 0 || !head[i - 1].is_ascii_alphanumeric(),
        // « »
        0xC2 => matches!(head.get(i + 1), Some(0xAB | 0xBB)),
        // ‘ ‚ “ „ ‹ › (not ’ nor the dashes)
        0xE2 => {
            head.get(i + 1) == Some(&0x80)
                && matches!(
                    head.get(i + 2),
                    Some(0x98 | 0x9A | 0x9C | 0x9D | 0x9E | 0xB9 | 0xBA)
                )
        }
        // CJK brackets and full-width forms
        0xE3 | 0xEF => true,
        _ => false,
    })
}

/// The closers still awaited at `pos` for quotations and brackets opened in
/// `text[start..pos]`, outermost first, in `stack` (cleared first).
fn open_at(text: &str, start: usize, pos: usize, stack: &mut Vec<Open>) {
    stack.clear();
    let head = &text[start..pos];
    if !may_open_quote(head.as_bytes()) {
        return;
    }
    let mut prev: Option<char> = text[..start].chars().next_back();
    let mut chars = head.char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        let next = chars
            .peek()
            .map(|&(_, n)| n)
            .or_else(|| text[pos..].chars().next());
        if let Some(depth) = stack
            .iter()
            .rposition(|open| open.closers.contains(&c))
            .filter(|_| may_close(c, prev, next))
        {
            stack.truncate(depth);
        } else if let Some(closers) = closers_of(c, prev, next) {
            stack.push(Open {
                closers,
                at: start + off,
            });
        }
        prev = Some(c);
    }
}

/// Where `text[pos..]` closes the quotation awaiting one of `closers`, if it
/// does before the end of the line (the paragraph when `wrapped`), within
/// [`MAX_QUOTE`] bytes.
fn closes_ahead(text: &str, pos: usize, closers: &[char], wrapped: bool) -> Option<usize> {
    let mut prev: Option<char> = text[..pos].chars().next_back();
    let mut rest = text[pos..].char_indices().peekable();
    while let Some((off, c)) = rest.next() {
        if off > MAX_QUOTE {
            return None;
        }
        if c == '\n'
            && (!wrapped
                || text[pos + off + 1..]
                    .trim_start_matches([' ', '\t', '\r'])
                    .starts_with('\n'))
        {
            return None;
        }
        if closers.contains(&c) {
            let next = rest.peek().map(|&(_, n)| n);
            if may_close(c, prev, next) {
                return Some(pos + off);
            }
        }
        prev = Some(c);
    }
    None
}

/// True when `pos` lies inside a quotation or bracket opened after `start`
/// that closes later on the same line (paragraph when `wrapped`) and that
/// `mode` keeps whole.
pub(crate) fn inside_quote(
    text: &str,
    start: usize,
    pos: usize,
    wrapped: bool,
    mode: QuoteMode,
    stack: &mut Vec<Open>,
) -> bool {
    if mode == QuoteMode::Split || pos - start > 4 * MAX_QUOTE {
        return false;
    }
    open_at(text, start, pos, stack);
    stack.iter().any(|open| {
        let Some(close) = closes_ahead(text, pos, open.closers, wrapped) else {
            return false;
        };
        mode == QuoteMode::Keep
            || !is_english_quote(open.closers)
            || text[open.at..close].contains(NOT_NEWS_TERMINALS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(text: &str, at: &str) -> bool {
        let pos = text.find(at).unwrap() + at.len();
        inside_quote(text, 0, pos, false, QuoteMode::Keep, &mut Vec::new())
    }

    fn inside_auto(text: &str, at: &str) -> bool {
        let pos = text.find(at).unwrap() + at.len();
        inside_quote(text, 0, pos, false, QuoteMode::Auto, &mut Vec::new())
    }

    #[test]
    fn auto_splits_english_quotes_holding_only_full_stops() {
        assert!(!inside_auto("\"We won. It is over,\" he said.", "won."));
        assert!(!inside_auto("\"We won. Is it over?\" he asked.", "won."));
        assert!(inside_auto("\"We won! Is it over?\" he asked.", "won!"));
        assert!(inside_auto("'Oh! Run!' she cried.", "Oh!"));
        assert!(inside_auto("„Gut. Danke.“ sagte er.", "Gut."));
        assert!(inside_auto("(Gut. Danke.) Er ging.", "Gut."));
        assert!(!inside_quote(
            "(A. B.)",
            0,
            3,
            false,
            QuoteMode::Split,
            &mut Vec::new()
        ));
    }

    #[test]
    fn straight_and_curly_quotes() {
        assert!(inside("He said \"Go. Now.\" Then", "Go."));
        assert!(!inside("He said \"Go. Now.\" Then", "Now.\""));
        assert!(inside("'Stop! Wait!' she cried", "Stop!"));
        assert!(inside("She wrote “End. Now.” Then", "End."));
        assert!(inside("„Gut. Danke.“ sagte er", "Gut."));
        assert!(inside("«Bien. Merci.» dit-il", "Bien."));
        assert!(inside("»Godt. Tak.« sagde han", "Godt."));
        assert!(inside("„Dobrze. Dzięki” – rzekł", "Dobrze."));
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert!(!inside("They'll come. We'll see.", "come."));
        assert!(inside("'They'll come. We'll see,' he said", "come."));
        assert!(!inside("The players' bags. Ours.", "bags."));
    }

    #[test]
    fn brackets_and_cjk() {
        assert!(inside("The result (Was it luck? No.) surprised", "luck?"));
        assert!(inside(
            "母は「もう遅い。早く寝なさい。」と言った。",
            "遅い。"
        ));
        assert!(!inside("母は「もう遅い。」と言った。次だ。", "言った。"));
        assert!(inside("late [12: note? 09:41] and", "note?"));
    }

    #[test]
    fn unclosed_quotes_protect_nothing() {
        assert!(!inside("He said \"Go. Now. Then he left.", "Go."));
        assert!(!inside("(First. Second.\nThird.)", "First."));
        assert!(inside_quote(
            "(First. Second.\nThird.)",
            0,
            7,
            true,
            QuoteMode::Keep,
            &mut Vec::new()
        ));
    }
}
