//! Hard-wrapped lines: a single line break that continues a sentence.
//!
//! A line break ends a sentence by default, except where the line was
//! evidently wrapped (text from PDFs, e-mail, plain text at a fixed width):
//! - the line does not end in a terminal (nor in a terminal and closing quotes
//!   or brackets), and its last letter is from a cased script;
//! - the next line starts with a lower-case letter of a cased script (Latin,
//!   Cyrillic, Greek, Armenian, ...), or with an opening parenthesis before a
//!   lower-case word or a number (`400 yd\n(365.8 m).`), or with a capital
//!   when the line is full: as wide as its block of 60 to 120 characters, the
//!   next word did not fit (see `full_line`); and not with a list
//!   marker (`a.`, `ii)`, `(b)`, a single letter of any cased script), a
//!   bullet, or a lower-case brand or address (`iPhone`, `www.`, `http`);
//! - neither line is a code fence or indented code;
//! - the sentence it continues ends: a terminal follows within that line or
//!   the next [`MAX_CHAIN`] lines, each of which continues the one before it
//!   (a line ending in a colon ends that lookahead, as a terminal does).
//!   A run of short lower-case lines without a terminal (a menu, a list of
//!   keywords) stays one line each.
//!
//! A line that holds only a terminal (`pricing\n.\n`), or starts with one set
//! off by a space (`pricing\n. Next`), finishes the sentence of the line before
//! it. A blank line always ends a sentence.
//!
//! The decision looks at a few lines before the break (the chain it
//! continues, whose width counts) and a few lines ahead, so
//! [`super::stream`] can tell from a buffer whether a break is hard.

use super::lang::{LangRules, TermKind};
use super::lists::{self, MarkerStyle};
use super::punct::{Class, classify, is_closer};
use super::scan::BULLETS;
use crate::text::is_bidi_control;

/// Lines after the break searched for the end of the wrapped sentence.
pub(crate) const MAX_CHAIN: usize = 4;

/// Narrowest wrap width (characters) at which a full line joins a capitalised
/// next line: below it, short lines are headings, verse or list entries.
const MIN_WRAP_WIDTH: usize = 60;
/// Widest wrap width: a printed line rarely holds more than ~120 characters
/// (even in small type); a longer line is a paragraph set on one line.
const MAX_WRAP_WIDTH: usize = 120;
/// A line is full when it and the next line's first word fill this share (%)
/// of the width: text set in a proportional font (PDFs) wraps at a width in
/// points, not characters, so lines of capitals are fewer characters long.
const FULL_SHARE: usize = 85;

/// How a line starts, for the break before it.
enum Start {
    /// A lone terminal: it finishes the sentence of the line before.
    Terminal,
    /// A lower-case word (or a parenthesis): the sentence may go on.
    Continues,
    /// A capitalised word (not a list item): the sentence goes on only if the
    /// line before is full (see [`full_line`]).
    Capital,
    /// Anything else: blank, capitalised, a list item, a bullet, a number.
    Other,
}

/// Whether the line break at `nl` (a `\n`, or a lone `\r`) continues the
/// sentence of the line before it. `None` when the answer depends on bytes
/// past the end of `bytes`; when `complete`, `bytes` is the whole text and the
/// answer is always known (the end of the text ends every line).
pub(crate) fn continues(
    rules: &LangRules,
    bytes: &[u8],
    nl: usize,
    complete: bool,
) -> Option<bool> {
    joins_through(rules, bytes, nl, complete).map(|through| through.is_some())
}

/// Line breaks before a break whose decision may read the lines after it:
/// a break's chain holds up to [`MAX_CHAIN`] + 1 lines, and a capitalised
/// line of it is judged on the width of up to [`MAX_CHAIN`] + 1 lines from
/// there (see [`full_line`]).
const LOOK_BACK: usize = 2 * (MAX_CHAIN + 1);

/// True when the text may not be cut after the line break at `nl`: one of
/// the [`LOOK_BACK`] line breaks before it is decided otherwise when the text
/// ends there (see [`joins_through`]). A chain of joined lines that runs past
/// `nl` is cut short (a capitalised line that joins only as part of a block
/// already shown to be wrapped); a full line's block may be as wide as a line
/// after `nl` only. `None` when a decision depends on bytes past the end of
/// `bytes`.
pub(crate) fn crossed(rules: &LangRules, bytes: &[u8], nl: usize) -> Option<bool> {
    let cut = &bytes[..=nl];
    let mut end = nl;
    // The `\r` of a `\r\n` is no break of its own (its `\n` is): it does not count.
    let mut checked = 0;
    while checked < LOOK_BACK {
        let Some(b) = memchr::memrchr2(b'\n', b'\r', &bytes[..end]) else {
            return Some(false);
        };
        end = b;
        if bytes[b] == b'\r' && bytes.get(b + 1) == Some(&b'\n') {
            continue;
        }
        checked += 1;
        let through = joins_through(rules, bytes, b, false)?;
        if joins_through(rules, cut, b, true) != Some(through) {
            return Some(true);
        }
    }
    Some(false)
}

/// As [`continues`], with where the joined lines end: `Some(Some(at))` when the
/// break joins and the line starting at `at` holds the sentence's terminal.
/// Every line break before `at` (after `nl`) then joins too: the lines between
/// hold no terminal and go on in lower case, and their own lookahead ends at
/// the same line, within fewer lines.
pub(crate) fn joins_through(
    rules: &LangRules,
    bytes: &[u8],
    nl: usize,
    complete: bool,
) -> Option<Option<usize>> {
    let mut head = &bytes[..nl];
    if bytes[nl] == b'\n' {
        head = head.strip_suffix(b"\r").unwrap_or(head);
    }
    if !open_in_cased_letter(rules, head) {
        return Some(None);
    }
    // Code: never after a fence line, nor between two indented lines.
    let mut prev = memchr::memrchr2(b'\n', b'\r', head).map_or(head, |p| &head[p + 1..]);
    if is_fence(prev) {
        return Some(None);
    }
    let mut at = nl + 1;
    // The widest line of the chain before the current one (see [`full_line`]).
    let mut before = 0;
    for _ in 0..=MAX_CHAIN {
        let (line, next) = line_at(bytes, at, complete)?;
        if is_indented(prev) && is_indented(line) {
            return Some(None);
        }
        match line_start(rules, line) {
            Start::Terminal => return Some(Some(at)),
            Start::Continues => {}
            Start::Capital => {
                if !full_line(rules, prev, before, bytes, at, complete)? {
                    return Some(None);
                }
            }
            Start::Other => return Some(None),
        }
        before = before.max(line_width(prev));
        prev = line;
        // A line ending in a colon used as a full stop is closed: a hard cut
        // in [`super::stream`] comes after it, so the chain must end there too.
        // A line ending in any colon ends the chain's lookahead too (it counts
        // as the chain's end; the scanner decides the break after it again):
        // what it introduces (a list, a quotation) starts on the next line.
        if has_terminal(rules, line) || !line_is_open(rules, line) || ends_in_colon(line) {
            return Some(Some(at));
        }
        // The break after this line must join too (see `scan`'s `joined_through`).
        if !ends_in_cased_letter(line) {
            return Some(None);
        }
        let Some(next) = next else {
            return Some(None);
        };
        at = next;
    }
    Some(None)
}

/// The line of `bytes` starting at `at` (without its line break), and where
/// the next line starts (`None`: the line ends `bytes`). `None` when `bytes`
/// is not `complete` and the line may go on past its end (or a `\r` ending
/// it may be the first half of a `\r\n`).
// Inlined: called for every line of a chain, its result is a few registers.
#[inline(always)]
fn line_at(bytes: &[u8], at: usize, complete: bool) -> Option<(&[u8], Option<usize>)> {
    let Some(end) = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map(|o| at + o) else {
        return complete.then_some((&bytes[at..], None));
    };
    let next = if bytes[end..].starts_with(b"\r\n") {
        end + 2
    } else if bytes[end] == b'\r' && end + 1 == bytes.len() && !complete {
        return None;
    } else {
        end + 1
    };
    Some((&bytes[at..end], Some(next)))
}

/// True when the line break before `at` (the start of a line of `bytes`)
/// comes after a full line, `line`, of a wrapped block:
/// - `line` ends in a letter, or in a comma, semicolon or dash (not in a
///   number, a bracket or a quotation mark: a table of contents, a caption;
///   nor in a file name, path or address: a list of files);
/// - the wrap width of the block (the longest of `line`, the lines of the
///   chain before it, `before` wide, and the lines after it, up to a blank
///   line and [`MAX_CHAIN`] + 1 lines) is between
///   [`MIN_WRAP_WIDTH`] and [`MAX_WRAP_WIDTH`];
/// - `line` and the next line's first word fill [`FULL_SHARE`] of it (the
///   word did not fit);
/// - unless `line` ends in a comma, semicolon or dash (which cannot end a
///   sentence), another line of the block is full and open too (it does not
///   end in a terminal; the lines of the chain before are open): a heading or
///   a caption before paragraphs set one per line (each ending in a terminal)
///   shows no wrapping.
///
/// `None` when the block runs past the end of an incomplete `bytes`.
fn full_line(
    rules: &LangRules,
    line: &[u8],
    before: usize,
    bytes: &[u8],
    at: usize,
    complete: bool,
) -> Option<bool> {
    let len = line_width(line);
    let pause = ends_in_pause(line);
    let body = line.trim_ascii_end();
    // A last word holding a dot, slash or at sign is a file name, path or
    // address (`… Ben Baker.txt`): a list of them is one per line, not prose.
    let last_word = &body[body
        .iter()
        .rposition(u8::is_ascii_whitespace)
        .map_or(0, |i| i + 1)..];
    let ends_in_letter = char_before(line, body.len()).is_some_and(|(_, c)| c.is_alphabetic())
        && !last_word
            .iter()
            .any(|b| matches!(b, b'.' | b'/' | b'\\' | b'@'));
    // The block is at least as wide as `line` and the chain before it.
    let least = len.max(before);
    if least > MAX_WRAP_WIDTH || !(pause || ends_in_letter) {
        return Some(false);
    }
    let full = |w: usize, width: usize| w * 100 >= width * FULL_SHARE;
    // The next line's first word, in characters: whether it fits is known
    // before the lines after are read, unless the buffer ends inside it.
    let head = &bytes[at..];
    let lead = head
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let word_end = head[lead..].iter().position(u8::is_ascii_whitespace);
    let word = char_count(&head[lead..lead + word_end.unwrap_or(head.len() - lead)]);
    if (complete || word_end.is_some()) && !full(len + 1 + word, least) {
        return Some(false);
    }
    // The widths of the lines after, and whether each is open.
    let mut widths = [(0usize, false); MAX_CHAIN + 1];
    let mut width = least;
    let mut start = at;
    for slot in &mut widths {
        let (next, after) = line_at(bytes, start, complete)?;
        let w = line_width(next);
        if w == 0 {
            break;
        }
        *slot = (w, line_is_open(rules, next));
        width = width.max(w);
        let Some(after) = after else {
            break;
        };
        start = after;
    }
    if !(MIN_WRAP_WIDTH..=MAX_WRAP_WIDTH).contains(&width) {
        return Some(false);
    }
    let attested = full(before, width) || widths.iter().any(|&(w, open)| open && full(w, width));
    Some(full(len + 1 + word, width) && (pause || attested))
}

/// The length of `line` in characters, without trailing white space.
fn line_width(line: &[u8]) -> usize {
    char_count(line.trim_ascii_end())
}

/// The number of characters in UTF-8 `bytes`: the bytes that are not
/// continuation bytes.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// True when `line` ends in a comma, a semicolon or a dash (a hyphen too).
fn ends_in_pause(line: &[u8]) -> bool {
    let body = line.trim_ascii_end();
    body.ends_with(b",")
        || body.ends_with(b";")
        || body.ends_with(b"-")
        || body.ends_with("–".as_bytes())
        || body.ends_with("—".as_bytes())
}

/// True when `line` ends in a colon (ASCII or full-width), before white space.
fn ends_in_colon(line: &[u8]) -> bool {
    let body = line.trim_ascii_end();
    body.ends_with(b":") || body.ends_with("：".as_bytes())
}

/// The character starting at `i` (`None` at the end or on invalid UTF-8).
fn char_at(bytes: &[u8], i: usize) -> Option<char> {
    if let Some(&b) = bytes.get(i).filter(|b| b.is_ascii()) {
        return Some(char::from(b));
    }
    let tail = &bytes[i..bytes.len().min(i + 4)];
    let valid = match std::str::from_utf8(tail) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&tail[..e.valid_up_to()]).ok()?,
    };
    valid.chars().next()
}

/// The character ending just before `end`, and where it starts.
fn char_before(bytes: &[u8], end: usize) -> Option<(usize, char)> {
    let mut start = end.checked_sub(1)?;
    if bytes[start].is_ascii() {
        return Some((start, char::from(bytes[start])));
    }
    while start > 0 && end - start < 4 && (bytes[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    let c = std::str::from_utf8(&bytes[start..end])
        .ok()?
        .chars()
        .next()?;
    Some((start, c))
}

/// True when the line ending at `head.len()` has text and does not end in a
/// terminal (possibly followed by closing quotes and brackets).
fn line_is_open(rules: &LangRules, head: &[u8]) -> bool {
    open_end(rules, head).is_some()
}

/// When the line ending at `head.len()` is open (see [`line_is_open`]), the
/// end of its last character that is not a space, closing mark or bidi control.
fn open_end(rules: &LangRules, head: &[u8]) -> Option<usize> {
    let mut end = head.len();
    while end > 0 && matches!(head[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    while let Some((start, c)) = char_before(head, end) {
        if c == '\n' || c == '\r' {
            return None;
        }
        if !(is_closer(c) || is_bidi_control(c)) {
            return rules.terminal_kind(c).is_none().then_some(end);
        }
        end = start;
    }
    // Blank, or only closing marks since the start of the text.
    None
}

/// True when the last letter of the line ending at `head.len()` is from a
/// cased script: a line of Chinese, Arabic, Hebrew, Thai, Devanagari or
/// Georgian (whose Mkhedruli letters are lower case for Unicode but never
/// capitalised in running text) is not wrapped mid-sentence by this rule,
/// whatever the next line starts with.
fn ends_in_cased_letter(head: &[u8]) -> bool {
    letter_is_cased(head, head.len())
}

/// [`line_is_open`] and [`ends_in_cased_letter`] in one walk back.
fn open_in_cased_letter(rules: &LangRules, head: &[u8]) -> bool {
    open_end(rules, head).is_some_and(|end| letter_is_cased(head, end))
}

/// True when the last letter before `end`, on its line, is from a cased script.
fn letter_is_cased(head: &[u8], mut end: usize) -> bool {
    while let Some((start, c)) = char_before(head, end) {
        if c == '\n' || c == '\r' {
            return false;
        }
        if c.is_alphabetic() {
            return matches!(classify(c), Class::Upper | Class::Lower);
        }
        end = start;
    }
    false
}

/// How `line` starts.
fn line_start(rules: &LangRules, line: &[u8]) -> Start {
    let lead = line
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let body = &line[lead..];
    let Some(c) = char_at(body, 0).filter(|_| !body.is_empty()) else {
        return Start::Other;
    };
    if let Some(kind) = rules.terminal_kind(c) {
        let after = &body[c.len_utf8()..];
        let alone = after.first().is_none_or(|b| matches!(b, b' ' | b'\t'));
        return if alone && kind != TermKind::Ellipsis {
            Start::Terminal
        } else {
            Start::Other
        };
    }
    if BULLETS.contains(&c) {
        return Start::Other;
    }
    if c == '(' {
        // `(a) item`, `(ii) item`, `(3) item`: a list.
        if let Some(close) = body.iter().take(6).position(|&b| b == b')')
            && let Ok(label) = std::str::from_utf8(&body[1..close])
            && is_list_label(label, MarkerStyle::Parens)
        {
            return Start::Other;
        }
        return match char_at(body, 1) {
            Some(n) if n == ' ' || n.is_numeric() || classify(n) == Class::Lower => {
                Start::Continues
            }
            _ => Start::Other,
        };
    }
    let class = classify(c);
    if class != Class::Lower && class != Class::Upper {
        return Start::Other;
    }
    // `a. item`, `b) item`, `iv. item`, `B. item`: a list item.
    let word = body
        .iter()
        .position(|b| matches!(b, b' ' | b'\t'))
        .map_or(body, |p| &body[..p]);
    let label = word
        .strip_suffix(b".)")
        .or_else(|| word.strip_suffix(b"."))
        .or_else(|| word.strip_suffix(b")"));
    if let Some(label) = label.and_then(|l| std::str::from_utf8(l).ok())
        && is_list_label(label, MarkerStyle::Dot)
    {
        return Start::Other;
    }
    if class == Class::Upper {
        return Start::Capital;
    }
    // A brand or an address set in lower case (`iPhone`, `eBay`, `www.x.com`,
    // `http://…`, `ann@x.org`) does not show the line was wrapped.
    if let Ok(word) = std::str::from_utf8(word)
        && (word.chars().skip(1).any(char::is_uppercase)
            || word.starts_with("www.")
            || word.starts_with("http")
            || word.contains('@'))
    {
        return Start::Other;
    }
    Start::Continues
}

/// True when `label` (a line's first word without its `.`, `)` or `.)`) marks
/// a list item: an ASCII letter, number or roman numeral, or a single letter
/// of any cased script (`а)`, `б)` in Russian, `α)` in Greek).
fn is_list_label(label: &str, style: MarkerStyle) -> bool {
    let mut chars = label.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && (c.is_lowercase() || c.is_uppercase())
    {
        return true;
    }
    lists::readings(label, style)[0].is_some()
}

/// True when `line` holds a terminal (a colon used as a full stop excepted)
/// that ends a word: an ASCII one counts only before whitespace, a closing
/// mark or the end of the line, not inside `v2.1`, `3.5`, `www.x.com`, `os.path`.
fn has_terminal(rules: &LangRules, line: &[u8]) -> bool {
    let ends_word = |j: usize| {
        char_at(line, j)
            .is_none_or(|c| c.is_whitespace() || is_closer(c) || matches!(c, '.' | '?' | '!'))
    };
    // The ASCII terminals are found with SIMD.
    if memchr::memchr3_iter(b'.', b'?', b'!', line).any(|i| ends_word(i + 1)) {
        return true;
    }
    // Greek `;`, the question mark.
    let ascii_extra = rules.extra_terminals.iter().any(|&(c, kind)| {
        c.is_ascii()
            && kind != TermKind::Colon
            && memchr::memchr_iter(c as u8, line).any(|i| ends_word(i + 1))
    });
    if ascii_extra {
        return true;
    }
    if line.is_ascii() {
        return false;
    }
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b.is_ascii() || (b & 0xC0) == 0x80 || !rules.interesting[usize::from(b)] {
            i += 1;
            continue;
        }
        match char_at(line, i) {
            Some(c) => {
                if rules.terminal_kind(c).is_some_and(|k| k != TermKind::Colon) {
                    return true;
                }
                i += c.len_utf8();
            }
            None => i += 1,
        }
    }
    false
}

/// True when `line` opens or closes a fenced code block (``` or ~~~).
fn is_fence(line: &[u8]) -> bool {
    let body = line.trim_ascii_start();
    body.starts_with(b"```") || body.starts_with(b"~~~")
}

/// True when `line` is indented as code: a tab or 4 spaces.
fn is_indented(line: &[u8]) -> bool {
    line.starts_with(b"\t") || line.starts_with(b"    ")
}
