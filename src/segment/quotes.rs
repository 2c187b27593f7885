//! Quotations and brackets: is a position inside a quotation or bracket that
//! closes later on the same line?
//!
//! The standard sentence-boundary test sets keep a quotation or parenthesis in
//! one piece even when it holds several sentences (`'Run! Hide!' he said`,
//! `(Was it luck? Nobody knows.)`, `„Wir sind fertig. Der Zug wartet.“ sagte er`,
//! `「もう遅い。早く寝なさい。」`), so the scanner asks here before it breaks.
//!
//! News prose has the other convention for the English-style quotes (`"…"`,
//! `“…”`, `'…'`, `‘…’`, and the ASCII `` `…' `` of TeX and older corpora): a quoted statement of several sentences (`"We are
//! ready. The army is ready," he said.`) is split like the rest of the text. In
//! [`QuoteMode::Auto`], the default, such a quotation is kept whole only when
//! it exclaims (holds a `!`) or is broken off by a dash (`to--"`), as in
//! dialogue and fiction, is a cited passage
//! followed by its source in parentheses (`"…" (Manzoni).`), or is
//! written in a script whose full stop is not `.` (Hindi `।`, Urdu `۔`);
//! brackets and every other kind of quotation mark (`„“`, `«»`, `»«`, `「」`,
//! `（）`) are always kept whole.
//!
//! Pairs are tracked with a small stack over the current sentence. Straight
//! quotes are paired by parity; `'` and `’` open or close only at a word edge,
//! so apostrophes (`they'll`, `don’t`) are not quotes. A quotation that is not
//! closed before the end of the line (or of the paragraph in wrapped mode),
//! or within [`MAX_QUOTE`] bytes, protects nothing.

use super::scan::next_marked;

/// Longest quotation or parenthesis (in bytes) kept in one piece.
pub(crate) const MAX_QUOTE: usize = 1024;

/// Whether a quotation or bracket holding several sentences is kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuoteMode {
    /// Brackets and quotations are kept whole, except English-style quotes
    /// (`"…"`, `“…”`, `'…'`, `‘…’`) holding no exclamation mark (only full
    /// stops or question marks: news quotes often ask), which are split
    /// as in news prose unless broken off by a dash (`to--"`) or followed by
    /// their source in parentheses. The default.
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
struct Open {
    closers: &'static [char],
    at: usize,
    /// What the search ahead found: where it closes and whether the quotation
    /// is kept whole, or `None` with the end of the line when it does not close.
    ahead: Option<(Option<(usize, bool)>, usize)>,
}

/// The quotations and brackets open in the current sentence, paired
/// incrementally: each byte of a sentence is looked at once however many
/// terminals it holds, and each quotation is searched ahead once.
#[derive(Debug, Clone, Default)]
pub(crate) struct QuoteStack {
    open: Vec<Open>,
    /// The sentence start the stack belongs to, and how far it has been paired.
    start: usize,
    scanned: usize,
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
        // `…' : the ASCII quotes of TeX and of older English corpora (Penn Treebank).
        '`' if edge_before && word_after => &['\''],
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
        '「' => &['」'],
        '『' => &['』'],
        '﹁' => &['﹂'],
        '﹃' => &['﹄'],
        _ => {
            let pair = BRACKET_PAIRS.iter().find(|pair| pair[0] == open)?;
            &pair[1..]
        }
    })
}

/// Brackets, opening and closing: a bracket may open again inside its own
/// kind (`(see (a) and (b))`), unlike a quotation mark (see [`opener_of`]).
static BRACKET_PAIRS: [[char; 2]; 10] = [
    ['(', ')'],
    ['[', ']'],
    ['{', '}'],
    ['（', '）'],
    ['［', '］'],
    ['｛', '｝'],
    ['【', '】'],
    ['《', '》'],
    ['〈', '〉'],
    ['〔', '〕'],
];

/// The opening bracket of a bracket closer; `None` for quotation marks, whose
/// quotations do not nest in their own kind.
fn opener_of(close: char) -> Option<char> {
    BRACKET_PAIRS
        .iter()
        .find(|pair| pair[1] == close)
        .map(|pair| pair[0])
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

/// The closers still awaited at `pos` for quotations and brackets opened in
/// `text[start..pos]`, outermost first, in `stack` (cleared first).
fn open_at(text: &str, start: usize, pos: usize, state: &mut QuoteStack) {
    if state.start != start || state.scanned > pos || state.scanned < start {
        *state = QuoteStack {
            open: std::mem::take(&mut state.open),
            start,
            scanned: start,
        };
        state.open.clear();
    }
    let from = state.scanned;
    state.scanned = pos;
    let stack = &mut state.open;
    let bytes = text.as_bytes();
    let mut i = from;
    // Only the characters that may open or close something are looked at
    // (their first byte is in [`QUOTE_BYTES`]); their neighbours are decoded
    // on demand.
    while i < pos {
        i = next_marked(bytes, i, pos, &QUOTE_BYTES);
        if i >= pos {
            break;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let prev = text[..i].chars().next_back();
        let next = text[i + c.len_utf8()..].chars().next();
        if let Some(depth) = stack
            .iter()
            .rposition(|open| open.closers.contains(&c))
            .filter(|_| may_close(c, prev, next))
        {
            stack.truncate(depth);
        } else if let Some(closers) = closers_of(c, prev, next) {
            stack.push(Open {
                closers,
                at: i,
                ahead: None,
            });
        }
        i += c.len_utf8();
    }
}

/// Every character [`closers_of`] opens with or that closes what it opens.
const QUOTE_CHARS: [char; 37] = [
    '"', '\'', '`', '‘', '’', '‚', '“', '”', '„', '«', '»', '‹', '›', '(', ')', '[', ']', '{', '}',
    '（', '）', '［', '］', '｛', '｝', '「', '」', '『', '』', '【', '】', '《', '》', '〈', '〉',
    '〔', '〕',
];
const QUOTE_EXTRA: [char; 4] = ['﹁', '﹂', '﹃', '﹄'];

/// First bytes of the UTF-8 forms of [`QUOTE_CHARS`] and [`QUOTE_EXTRA`]:
/// any other byte can be skipped when pairing.
static QUOTE_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    while k < QUOTE_CHARS.len() + QUOTE_EXTRA.len() {
        let c = if k < QUOTE_CHARS.len() {
            QUOTE_CHARS[k]
        } else {
            QUOTE_EXTRA[k - QUOTE_CHARS.len()]
        } as u32;
        let first = if c < 0x80 {
            c
        } else if c < 0x800 {
            0xC0 | (c >> 6)
        } else if c < 0x10000 {
            0xE0 | (c >> 12)
        } else {
            0xF0 | (c >> 18)
        };
        table[first as usize] = true;
        k += 1;
    }
    table
};

/// Where `text[pos..]` closes the quotation awaiting one of `closers`, if it
/// does before the end of the line (the paragraph when `wrapped`), within
/// [`MAX_QUOTE`] bytes; and up to where a `None` holds (the line's end, or
/// `pos` when the search stopped at the size limit). `inner` brackets of the
/// same kind, opened inside this one, are still open at `pos`.
fn closes_ahead(
    text: &str,
    pos: usize,
    closers: &[char],
    inner: usize,
    wrapped: bool,
) -> (Option<usize>, usize) {
    // Only line breaks and the closers' first bytes need a look (memchr3):
    // the first byte of a UTF-8 character never occurs inside another one.
    let first = |c: char| {
        let mut buf = [0u8; 4];
        c.encode_utf8(&mut buf);
        buf[0]
    };
    // A bracket's own kind may open and close again inside it (`(see (a)
    // and (b)).`): the closer that matches is the one that brings the depth
    // below zero, so an unclosed bracket is not taken as closed by a later
    // pair on the line.
    let nested = match closers {
        [c] => opener_of(*c),
        _ => None,
    };
    let (b1, b2) = match closers {
        [a] => (first(*a), nested.map_or(first(*a), first)),
        [a, b, ..] => (first(*a), first(*b)),
        [] => (b'\n', b'\n'),
    };
    // Brackets of the same kind opened inside this one and still open at `pos`.
    let mut depth = if nested.is_some() { inner } else { 0 };
    // Characters starting at most MAX_QUOTE bytes after `pos` are looked at.
    let window_end = text.len().min(pos + MAX_QUOTE + 1);
    let window = &text.as_bytes()[pos..window_end];
    let bytes = text.as_bytes();
    let mut visit = |off: usize| -> Option<(Option<usize>, usize)> {
        let at = pos + off;
        let c = text[at..].chars().next()?;
        // A lone `\r` (classic Mac text) is a line break as `\n` is; the `\r`
        // of `\r\n` is not, its `\n` follows.
        let line_break = c == '\n' || (c == '\r' && bytes.get(at + 1) != Some(&b'\n'));
        if line_break && (!wrapped || blank_line_follows(&text[at + 1..])) {
            return Some((None, at));
        }
        if Some(c) == nested {
            depth += 1;
        } else if closers.contains(&c) {
            let prev = text[..at].chars().next_back();
            let next = text[at + c.len_utf8()..].chars().next();
            if depth > 0 {
                depth -= 1;
            } else if may_close(c, prev, next) {
                return Some((Some(at), at));
            }
        }
        None
    };
    // Most text has no lone `\r`: then only `\n` and the closers need a look.
    let lone_cr =
        memchr::memchr_iter(b'\r', window).any(|i| bytes.get(pos + i + 1) != Some(&b'\n'));
    if !lone_cr {
        for off in memchr::memchr3_iter(b'\n', b1, b2, window) {
            if let Some(found) = visit(off) {
                return found;
            }
        }
    } else {
        let hits = window
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n' || b == b'\r' || b == b1 || b == b2);
        for (off, _) in hits {
            if let Some(found) = visit(off) {
                return found;
            }
        }
    }
    if window_end < text.len() {
        (None, pos)
    } else {
        (None, text.len())
    }
}

/// True when the text after a line break starts, past spaces and tabs, with
/// another line break (`\n`, `\r\n` or a lone `\r`): a blank line.
fn blank_line_follows(rest: &str) -> bool {
    rest.trim_start_matches([' ', '\t'])
        .starts_with(['\n', '\r'])
}

/// True when a quotation's text ends with a dash: speech broken off, as in
/// dialogue and fiction (`"So you see, Miss, we're doing our best, to--"`).
pub(crate) fn broken_off(quoted: &str) -> bool {
    let t = quoted.trim_end();
    t.ends_with("--") || t.ends_with('—')
}

/// True when the quotation closing at `close` is followed by its source in
/// parentheses and then the sentence's own punctuation (`"…" (Manzoni).`,
/// `'…' (transl. X, p. 4).`): a cited passage, part of the sentence that
/// ends after the source.
fn cited_passage(text: &str, close: usize) -> bool {
    text[close..]
        .chars()
        .next()
        .is_some_and(|c| source_follows(&text[close + c.len_utf8()..]))
}

/// True when `rest` starts (after spaces) with a parenthesis closed on the
/// line within 200 bytes and directly followed by `.` `,` `;` or `:`.
pub(crate) fn source_follows(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    let Some(inner) = rest.strip_prefix('(') else {
        return false;
    };
    let window = &inner.as_bytes()[..inner.len().min(200)];
    match memchr::memchr3(b')', b'(', b'\n', window) {
        Some(end) if window[end] == b')' && end > 0 => {
            matches!(
                inner.as_bytes().get(end + 1),
                Some(b'.' | b',' | b';' | b':')
            )
        }
        _ => false,
    }
}

/// True when the quotation closing at `close` is followed (after spaces) by
/// one of the language's quotative particles (Korean `" 하고`, `"라고`): it is
/// a constituent of the sentence that goes on, not a statement of its own.
fn particle_follows(text: &str, close: usize, continuations: &[Box<str>]) -> bool {
    let Some(c) = text[close..].chars().next() else {
        return false;
    };
    let rest = text[close + c.len_utf8()..].trim_start_matches([' ', '\u{a0}']);
    starts_with_particle(rest, continuations)
}

/// True when `rest` starts with one of the language's quotative particles
/// (`continuations`: Japanese `と`, Korean `라고`).
pub(crate) fn starts_with_particle(rest: &str, continuations: &[Box<str>]) -> bool {
    continuations.iter().any(|p| rest.starts_with(&**p))
}

/// True when `pos` lies inside a quotation or bracket opened after `start`
/// that closes later on the same line (paragraph when `wrapped`) and that
/// `mode` keeps whole. `continuations` are the language's quotative particles.
pub(crate) fn inside_quote(
    text: &str,
    start: usize,
    pos: usize,
    wrapped: bool,
    mode: QuoteMode,
    continuations: &[Box<str>],
    state: &mut QuoteStack,
) -> bool {
    if mode == QuoteMode::Split || pos - start > 4 * MAX_QUOTE {
        return false;
    }
    open_at(text, start, pos, state);
    let stack = &mut state.open;
    (0..stack.len()).any(|k| {
        let cached = match stack[k].ahead {
            Some((Some((close, keep)), _)) if close >= pos => Some(Some(keep)),
            Some((None, until)) if pos < until => Some(None),
            _ => None,
        };
        let verdict = cached.unwrap_or_else(|| {
            // Brackets of its kind opened inside it and still open here.
            let inner = stack[k + 1..]
                .iter()
                .filter(|o| o.closers == stack[k].closers)
                .count();
            let open = &mut stack[k];
            let (close, until) = closes_ahead(text, pos, open.closers, inner, wrapped);
            let found = close.map(|close| {
                let keep = mode == QuoteMode::Keep
                    || !is_english_quote(open.closers)
                    || text[open.at..close].contains(NOT_NEWS_TERMINALS)
                    || broken_off(&text[open.at..close])
                    || cited_passage(text, close)
                    || particle_follows(text, close, continuations);
                (close, keep)
            });
            open.ahead = Some((found, until));
            found.map(|(_, keep)| keep)
        });
        verdict == Some(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(text: &str, at: &str) -> bool {
        let pos = text.find(at).unwrap() + at.len();
        inside_quote(
            text,
            0,
            pos,
            false,
            QuoteMode::Keep,
            &[],
            &mut QuoteStack::default(),
        )
    }

    fn inside_auto(text: &str, at: &str) -> bool {
        let pos = text.find(at).unwrap() + at.len();
        inside_quote(
            text,
            0,
            pos,
            false,
            QuoteMode::Auto,
            &[],
            &mut QuoteStack::default(),
        )
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
            &[],
            &mut QuoteStack::default()
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
    fn a_quotation_followed_by_its_source_is_kept_whole() {
        assert!(inside_auto("\"Rest. Work.\" (Diary, p. 8). Then", "Rest."));
        assert!(inside_auto("'Rest. Work.' (Diary), he wrote", "Rest."));
        // A parenthesis that is a sentence of its own is no source.
        assert!(!inside_auto("\"Rest. Work.\" (He left.) Then", "Rest."));
        assert!(!inside_auto("\"Rest. Work.\" (Diary) Then", "Rest."));
        assert!(source_follows(" (Heraklit)."));
        assert!(!source_follows(" (Heraklit (a) b)."));
        assert!(!source_follows("(Diary\n)."));
    }

    #[test]
    fn speech_broken_off_is_kept_whole() {
        assert!(inside_auto(
            "\"We tried. We were about to--\" Then",
            "tried."
        ));
        assert!(inside_auto("“We tried. We were about to—” Then", "tried."));
        assert!(!inside_auto("\"We tried. We were done.\" Then", "tried."));
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
    fn every_bracket_holds_its_sentences_and_nests() {
        // Written out, not read from BRACKET_PAIRS: a pair dropped from or
        // mistyped in the table fails here.
        for pair in [
            "()", "[]", "{}", "（）", "［］", "｛｝", "【】", "《》", "〈〉", "〔〕",
        ] {
            let mut chars = pair.chars();
            let (open, close) = (chars.next().unwrap(), chars.next().unwrap());
            let text = format!("He said {open}no. Not {open}now{close}. Later.{close} Then left.");
            assert!(inside(&text, "no."), "{pair}: the terminal inside");
            assert!(
                inside(&text, &format!("now{close}.")),
                "{pair}: after the inner pair, still inside the outer one"
            );
            assert!(inside(&text, "Later."), "{pair}: the last terminal inside");
            assert!(!inside(&text, "left."), "{pair}: after the closer");
            assert!(QUOTE_CHARS.contains(&open) && QUOTE_CHARS.contains(&close));
        }
        assert_eq!(opener_of('」'), None, "quotation marks do not nest");
    }

    #[test]
    fn auto_keeps_a_quotation_before_a_quotative_particle() {
        let text = "\"집에 가자. 늦었다.\" 하고 엄마가 말했다.";
        let pos = text.find("가자.").unwrap() + "가자.".len();
        let particles: Vec<Box<str>> = vec!["하고".into(), "라고".into()];
        let at = |continuations: &[Box<str>]| {
            inside_quote(
                text,
                0,
                pos,
                false,
                QuoteMode::Auto,
                continuations,
                &mut QuoteStack::default(),
            )
        };
        assert!(at(&particles));
        assert!(!at(&[]));
    }

    #[test]
    fn unclosed_quotes_protect_nothing() {
        assert!(!inside("He said \"Go. Now. Then he left.", "Go."));
        assert!(!inside("(First. Second.\nThird.)", "First."));
        // An unclosed bracket is not closed by a later pair of its kind.
        let text = "Models (Smith 2003(Jones, 2005 and (Horne, 2007). Next (Lee, 2008) came.";
        assert!(!inside(text, "2007)."));
        assert!(inside("See (a (b) c. d) end", "c."));
        assert!(inside("資料（注（一）参照。詳細）です。", "参照。"));
        assert!(inside_quote(
            "(First. Second.\nThird.)",
            0,
            7,
            true,
            QuoteMode::Keep,
            &[],
            &mut QuoteStack::default()
        ));
    }
}
