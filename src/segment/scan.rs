//! The rule-based scanner: one pass over the bytes, stopping only at bytes that
//! may start a terminal, a bullet, a list parenthesis or a line break (a
//! 256-entry table per language), then deciding locally from the characters
//! around the candidate: the word before it (abbreviations, initials, numbers,
//! list markers) and the word after it (case, digits, typical sentence starters).
//!
//! No regular expression and no allocation on the hot path: the only buffer is
//! the reused lower-case copy of the word before a full stop.

use crate::text::{Script, is_bidi_control, is_spaceless_char, script_of};

use super::Sentence;
use super::lang::{LangRules, TermKind};
use super::lines;
use super::lists::{self, Marker, MarkerStyle};
use super::punct::{Class, classify, is_closer, is_inline_space, is_opener};
use super::quotes::{self, QuoteMode};

/// Bullet characters that start a list item (a break before them when they
/// follow other text).
pub(crate) const BULLETS: &[char] = &['•', '◦', '▪', '●', '‣', '⁃'];

/// Quotation marks and brackets whose content stays in its sentence (Chinese, Japanese).
const QUOTE_OPEN: [char; 4] = ['「', '『', '“', '（'];
const QUOTE_CLOSE: [char; 4] = ['」', '』', '”', '）'];

use quotes::MAX_QUOTE;

/// Longest word (in bytes) looked at before a full stop.
const MAX_TOKEN: usize = 64;

/// What the scanner does at a candidate.
enum Step {
    /// No boundary; resume scanning at this offset.
    Continue(usize),
    /// A sentence ends at this offset; scanning resumes there.
    Break(usize),
    /// A sentence ends at `at` (before a list marker or bullet); scanning resumes at `resume`.
    BreakBefore { at: usize, resume: usize },
}

/// Most words of a line fragment that ends a sentence before it (see
/// [`RuleScanner::ends_before_fragment_line`]): menu entries and headings
/// are short; a longer lower-case run is more likely the sentence going on.
const MAX_FRAGMENT_WORDS: usize = 3;

/// Iterator over the sentences of a text under language rules.
#[derive(Debug, Clone)]
pub(crate) struct RuleScanner<'a> {
    rules: &'a LangRules,
    text: &'a str,
    wrapped: bool,
    /// Join hard-wrapped lines inside a sentence (see [`super::lines`]).
    join_lines: bool,
    /// Line breaks before this offset join (see [`lines::joins_through`]).
    joined_through: usize,
    /// Which quotations and brackets are kept whole.
    quotes: QuoteMode,
    /// Start of the current sentence.
    start: usize,
    /// Where scanning resumes.
    pos: usize,
    /// The readings of the last list marker seen in the current paragraph
    /// (`i.` is both the letter i and the roman numeral one).
    marker: [Option<Marker>; 2],
    lower: String,
    /// Reused stack of open quotations (see [`quotes::inside_quote`]).
    quote_stack: quotes::QuoteStack,
}

impl<'a> RuleScanner<'a> {
    pub(crate) fn new(
        rules: &'a LangRules,
        text: &'a str,
        wrapped: bool,
        join_lines: bool,
        quotes: QuoteMode,
    ) -> Self {
        RuleScanner {
            rules,
            text,
            wrapped,
            join_lines,
            joined_through: 0,
            quotes,
            start: 0,
            pos: 0,
            marker: [None; 2],
            lower: String::new(),
            quote_stack: quotes::QuoteStack::default(),
        }
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    /// True when the line break at `nl` is followed by a blank line (or the end).
    fn blank_line_follows(&self, nl: usize) -> bool {
        let rest = self.text.get(nl + 1..).unwrap_or("");
        for c in rest.chars() {
            match c {
                '\n' | '\r' => return true,
                c if c.is_whitespace() => {}
                _ => return false,
            }
        }
        true
    }

    /// The next boundary: (end of this sentence, start of the next).
    fn next_boundary(&mut self) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut i = self.pos;
        while i < len {
            i = next_marked(bytes, i, len, &self.rules.interesting);
            if i >= len {
                break;
            }
            let b = bytes[i];
            if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1; // `\r\n`: the `\n` decides
                continue;
            }
            // A lone `\r` (old Mac files) is a line break too.
            if b == b'\n' || b == b'\r' {
                let joined = if self.wrapped {
                    !self.blank_line_follows(i)
                } else if !self.join_lines {
                    false
                } else if i < self.joined_through {
                    true // a later break of lines already found to join
                } else {
                    let through = lines::joins_through(self.rules, bytes, i, true).flatten();
                    self.joined_through = through.unwrap_or(0);
                    through.is_some()
                };
                if !joined {
                    self.pos = i + 1;
                    self.marker = [None; 2];
                    return (i, i + 1);
                }
                i += 1;
                continue;
            }
            let Some(c) = self.char_at(i) else {
                i += 1;
                continue;
            };
            let step = if let Some(kind) = self.rules.terminal_kind(c) {
                self.at_terminal(i, c, kind)
            } else if c == ')' {
                self.at_paren(i)
            } else if c == '"' || c == '”' {
                self.at_closing_quote(i, c)
            } else if BULLETS.contains(&c) {
                self.at_bullet(i, c)
            } else {
                Step::Continue(i + c.len_utf8())
            };
            match step {
                Step::Continue(next) => i = next.max(i + 1),
                Step::Break(at) => {
                    self.pos = at;
                    return (at, at);
                }
                Step::BreakBefore { at, resume } => {
                    self.pos = resume;
                    return (at, at);
                }
            }
        }
        self.pos = len;
        (len, len)
    }

    /// A bullet after other text starts a new item.
    fn at_bullet(&mut self, i: usize, c: char) -> Step {
        let next = i + c.len_utf8();
        let before = &self.text[self.start..i];
        let after_space = before.chars().next_back().is_some_and(char::is_whitespace);
        if after_space && !before.trim().is_empty() {
            self.marker = [None; 2];
            Step::BreakBefore {
                at: i,
                resume: next,
            }
        } else {
            Step::Continue(next)
        }
    }

    /// `"… we're doing our best, to--" At this moment`: speech broken off by a
    /// dash ends its sentence when a typical sentence starter follows the
    /// closing quote (`"Wait--" he said` goes on).
    fn at_closing_quote(&mut self, i: usize, c: char) -> Step {
        let next = i + c.len_utf8();
        if !quotes::broken_off(&self.text[self.start..i]) {
            return Step::Continue(next);
        }
        let rest = &self.text[next..];
        let after = rest.trim_start_matches(is_inline_space);
        if after.len() == rest.len() {
            return Step::Continue(next);
        }
        if self.is_starter(self.text.len() - after.len()) {
            Step::Break(next)
        } else {
            Step::Continue(next)
        }
    }

    /// `1) item 2) item`: a closing parenthesis after a list number.
    fn at_paren(&mut self, i: usize) -> Step {
        let followed_by_space = self.char_at(i + 1).is_some_and(char::is_whitespace);
        if !followed_by_space {
            return Step::Continue(i + 1);
        }
        let (tok_start, raw) = self.token_before(i);
        match self.list_marker(tok_start, raw, MarkerStyle::Paren, i + 1) {
            Some(step) => step,
            None => Step::Continue(i + 1),
        }
    }

    /// The word before `end`: its start and text (bounded to [`MAX_TOKEN`]
    /// bytes and to the current sentence).
    fn token_before(&self, end: usize) -> (usize, &'a str) {
        let text: &'a str = self.text;
        let head = &text[self.start..end];
        let mut start = end;
        for (off, c) in head.char_indices().rev() {
            if c.is_whitespace() {
                break;
            }
            start = self.start + off;
            if end - start > MAX_TOKEN {
                break;
            }
        }
        (start, &text[start..end])
    }

    /// Handles a list marker (`1.`, `a.`, `2.)`, `3)`, `(c)`, `ii.`) made of
    /// `raw` at `tok_start`, ending at `marker_end`. `None` when it is not one.
    fn list_marker(
        &mut self,
        tok_start: usize,
        raw: &str,
        style: MarkerStyle,
        marker_end: usize,
    ) -> Option<Step> {
        // `⁃9.`: a bullet glued to the marker.
        let trimmed = raw.trim_start_matches(BULLETS);
        let mut tok_start = tok_start + (raw.len() - trimmed.len());
        let (label, style) = marker_label(trimmed, style)?;
        let readings = lists::readings(label, style);
        readings[0]?;
        let before = &self.text[self.start..tok_start];
        let at_item_start = before
            .chars()
            .all(|c| c.is_whitespace() || BULLETS.contains(&c));
        if at_item_start {
            self.marker = readings;
            return Some(Step::Continue(marker_end));
        }
        // `в 1990 г.`, `в XIX в.`: a Cyrillic letter after a number is an
        // abbreviated unit (год, век), not the next item of a list.
        let cyrillic = readings[0].is_some_and(|m| m.kind == lists::MarkerKind::Cyrillic);
        if cyrillic
            && style == MarkerStyle::Dot
            && (self.previous_word_is_number(tok_start)
                || is_roman_numeral(self.previous_word(tok_start)))
        {
            return None;
        }
        let follows = |m: &Option<Marker>| {
            m.is_some_and(|m| self.marker.iter().flatten().any(|p| m.follows(p)))
        };
        if let Some(m) = readings.iter().find(|m| follows(m)) {
            self.marker = [*m, None];
            return Some(Step::BreakBefore {
                at: tok_start,
                resume: marker_end,
            });
        }
        // The first item of a list that runs on after other text (`We need:
        // a. bread b. cheese`), unless it is an ordinal date (`am 1. Mai`).
        let first = readings.iter().flatten().find(|m| m.value == 1).copied()?;
        if self.is_ordinal_context(tok_start, marker_end) {
            return None;
        }
        // Not right after an abbreviation (`e.g. a) x and b) y`, `Fig. a) … b)`).
        if let Some(prev) = self.previous_word(tok_start).strip_suffix('.')
            && self.is_abbreviation(prev)
        {
            return None;
        }
        if !lists::next_item_follows(&first, &self.text[marker_end..], MAX_QUOTE) {
            return None;
        }
        // `as set out in 1. above, and in 2. above`: a number after a word,
        // before a positional word, is a cross-reference, not a list.
        let after_word = before
            .trim_end()
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if style == MarkerStyle::Dot && after_word && self.positional_at(marker_end) {
            return None;
        }
        if style == MarkerStyle::Parens {
            tok_start -= 1;
        }
        self.marker = [Some(first), None];
        Some(Step::BreakBefore {
            at: tok_start,
            resume: marker_end,
        })
    }

    /// True when the number ending at `tok_start..` is an ordinal in this
    /// language: a month follows (`1. Mai`) or a word announcing one precedes (`der 3.`).
    fn is_ordinal_context(&mut self, tok_start: usize, after: usize) -> bool {
        if !self.rules.ordinals {
            return false;
        }
        let rest = &self.text[after..];
        let next_at = after + (rest.len() - rest.trim_start().len());
        let (word_start, _) = self.skip_openers(next_at);
        let next_word = self.word_at(word_start);
        if !next_word.is_empty() && self.rules.months.contains(self.lowered(next_word)) {
            return true;
        }
        let prev = self.previous_word(tok_start);
        if self.rules.ordinal_after_word
            && prev.chars().next_back().is_some_and(char::is_alphanumeric)
        {
            // Turkish `Şehir 2. Dünya Savaşı'nda`, `Yukarıdaki 1. maddede`.
            return !self.is_starter(word_start);
        }
        !prev.is_empty() && self.rules.ordinal_context.contains(self.lowered(prev))
    }

    /// True when the word before `tok_start` is a number (`10`, `10:30`, `9.45`; not `103:`).
    fn previous_word_is_number(&self, tok_start: usize) -> bool {
        let prev = self.previous_word(tok_start);
        prev.starts_with(|c: char| c.is_ascii_digit())
            && prev.ends_with(|c: char| c.is_ascii_digit())
            && prev
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b','))
    }

    /// The word before `tok_start` in the current sentence.
    fn previous_word(&self, tok_start: usize) -> &'a str {
        let text: &'a str = self.text;
        let head = text[self.start..tok_start].trim_end();
        let prev_start = head
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(0, |(o, c)| o + c.len_utf8());
        &head[prev_start..]
    }

    /// Decides at a terminal character `c` at byte `i`.
    fn at_terminal(&mut self, i: usize, c: char, first_kind: TermKind) -> Step {
        let text = self.text;
        let len = text.len();
        // An ellipsis that opens the next sentence: `compounds. . . . The`,
        // `raak. ...en toen`, `ended. .. Then` (whose `..` then stands alone).
        if c == '.' && self.ellipsis_opens_next(i) {
            return Step::Break(i + 1);
        }
        // 1. The run of terminals: `?!`, `...`, `. . .`, `! ! !`.
        let mut j = i;
        let mut dots = 0usize;
        let mut strong = false;
        let mut ellipsis = false;
        let mut spaced = false;
        while let Some(ch) = self.char_at(j) {
            match self.rules.terminal_kind(ch) {
                Some(TermKind::Period) => dots += 1,
                Some(TermKind::Strong) => strong = true,
                Some(TermKind::Ellipsis) => ellipsis = true,
                Some(TermKind::Colon) if j == i => {}
                _ => {
                    // `. . .` and `! ! !`: a space between terminals keeps the run going.
                    let after = text.as_bytes().get(j + 1);
                    if ch == ' '
                        && ((dots > 0 && !strong && after == Some(&b'.'))
                            || (strong && matches!(after, Some(b'!' | b'?'))))
                    {
                        spaced |= !strong;
                        j += 1;
                        continue;
                    }
                    break;
                }
            }
            j += ch.len_utf8();
        }
        // `[?]`, `(!)`, `[...]`: an editorial mark alone in its brackets.
        if let (Some(open @ ('[' | '(')), Some(close)) =
            (text[..i].chars().next_back(), self.char_at(j))
            && close == if open == '[' { ']' } else { ')' }
        {
            return Step::Continue(j);
        }
        let kind = if strong {
            TermKind::Strong
        } else if spaced && dots != 2 {
            if dots == 3 {
                // A spaced ellipsis marks an omission inside the sentence.
                return Step::Continue(j);
            }
            TermKind::Period
        } else if ellipsis || dots >= 2 {
            // `[...]`, `(...)`: an omission mark inside the sentence.
            if matches!(text[..i].chars().next_back(), Some('[' | '(')) {
                return Step::Continue(j);
            }
            TermKind::Ellipsis
        } else {
            first_kind
        };
        let term_end = j;
        // An ellipsis opening a sentence (`...en toen`, `… Then`) does not end
        // it; a bare pair of full stops set off by spaces between two
        // sentences (`Sentence. .. Next`) stands alone, as the standard sets
        // have it.
        if kind == TermKind::Ellipsis && self.text[self.start..i].trim().is_empty() {
            let lone_pair = dots == 2 && !ellipsis && !spaced && text[j..].starts_with(' ');
            if !lone_pair {
                return Step::Continue(j);
            }
        }

        // 2. Closing quotes and brackets (and further terminals inside them).
        let mut k = j;
        let mut closed = false;
        while let Some(ch) = self.char_at(k) {
            if is_closer(ch) {
                if matches!(ch, '"' | '\'' | '“' | '‘' | '«' | '»' | '‹' | '›')
                    && self
                        .char_at(k + ch.len_utf8())
                        .is_some_and(|n| n.is_alphanumeric())
                {
                    break; // an ambiguous quote opening the next sentence
                }
                closed = true;
                k += ch.len_utf8();
            } else if is_bidi_control(ch) || (closed && self.rules.terminal_kind(ch).is_some()) {
                k += ch.len_utf8();
            } else if ch == ' ' && self.spaced_straight_quote_closes(k) {
                // `… families. " And Brown said`: a straight quote set off by
                // a space, closing a quotation left open in this sentence.
                k += 2;
                closed = true;
            } else if self.rules.spaced_guillemets && is_inline_space(ch) {
                let rest = &text[k..];
                let trimmed = rest.trim_start_matches(is_inline_space);
                if let Some(quote @ ('»' | '›')) = trimmed.chars().next() {
                    k = len - trimmed.len() + quote.len_utf8();
                    closed = true;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        let b = self.skip_citations(i, k);
        // Inside a quotation or bracket that closes later: not a boundary.
        if quotes::inside_quote(
            text,
            self.start,
            b,
            self.wrapped,
            self.quotes,
            &self.rules.quote_continuations,
            &mut self.quote_stack,
        ) {
            return Step::Continue(b);
        }

        // 3. What follows.
        let rest = &text[b..];
        let after_ws = rest.trim_start_matches(|c: char| c.is_whitespace());
        let ws = &rest[..rest.len() - after_ws.len()];
        if after_ws.is_empty() {
            return Step::Break(b);
        }
        let newlines = line_breaks(ws);
        if newlines > 0 && (!self.wrapped || newlines >= 2) {
            return Step::Break(b);
        }
        if ws.is_empty() {
            return self.no_space(i, c, kind, b, closed);
        }
        let ws_end = len - after_ws.len();
        let (np, opened) = self.skip_openers(ws_end);
        let Some(next) = self.char_at(np) else {
            return Step::Break(b);
        };
        if opened && matches!(text[ws_end..].chars().next(), Some('¿' | '¡')) {
            return Step::Break(b);
        }
        let class = classify(next);
        if closed && self.continues_quote(np) {
            return Step::Continue(b); // Korean `"…." 하고 떠났다`
        }
        // `«…» είπε`: a lower-case word after a closed quotation is its speaker.
        if closed && class == Class::Lower {
            return Step::Continue(b);
        }
        // `… true.) (Which nobody doubted.)`: a parenthesis opened by a
        // sentential relative comments on the sentence before it (a question,
        // `(Which one won?)`, is a sentence of its own).
        if text[ws_end..].starts_with('(')
            && self.rules.relatives.contains(self.word_at(np))
            && closes_on_full_stop(&text[np..])
        {
            return Step::Continue(b);
        }
        // `"… done." (Diary, p. 81).`: a quotation's source in parentheses,
        // followed by the sentence's own punctuation, belongs to it.
        if closed && quotes::source_follows(&text[ws_end..]) {
            return Step::Continue(b);
        }
        // `Who is it? - Nobody.`: a dash set off by spaces before a
        // capitalised word opens the next sentence (a reply, a new speaker).
        // Not after a full stop, which may end an abbreviation (`D.C. - Colombia`).
        if kind == TermKind::Strong
            && !opened
            && matches!(next, '-' | '–' | '—')
            && self.text[np + next.len_utf8()..]
                .strip_prefix(' ')
                .and_then(|r| r.chars().next())
                .is_some_and(char::is_uppercase)
        {
            return Step::Break(b);
        }
        match kind {
            TermKind::Strong => match class {
                // `Yahoo! Research extended`: a name spelt with `!` before a
                // capitalised word that does not typically open a sentence.
                Class::Upper
                    if c == '!'
                        && !closed
                        && term_end == i + 1
                        && self.rules.exclaimed.contains(self.previous_word(i))
                        && !self.is_starter(np) =>
                {
                    Step::Continue(b)
                }
                Class::Lower if self.rules.lower_after_question => Step::Break(b),
                Class::Lower | Class::Continuation => Step::Continue(b),
                _ => Step::Break(b),
            },
            TermKind::Colon if opened => Step::Continue(b), // `قال: «…»`
            // A number with a word ending (Armenian `2-րդ`, `1-ին`) is an
            // ordinal opening the next sentence.
            TermKind::Colon if class == Class::Digit && self.ordinal_word_at(np) => Step::Break(b),
            TermKind::Colon => match class {
                Class::Lower | Class::Digit | Class::Continuation => Step::Continue(b),
                _ => Step::Break(b),
            },
            TermKind::Ellipsis => match class {
                Class::Upper => Step::Break(b),
                Class::Caseless if opened => Step::Break(b),
                _ => Step::Continue(b),
            },
            TermKind::Period => self.after_period(i, term_end, b, np, class),
        }
    }

    /// True when a number with a hyphenated Armenian word ending starts at
    /// `at` (`2-րդ`; not Arabic `2-صفر`, a score after a colon).
    fn ordinal_word_at(&self, at: usize) -> bool {
        let rest = &self.text[at..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        (1..=4).contains(&digits)
            && rest[digits..]
                .strip_prefix('-')
                .and_then(|r| r.chars().next())
                .is_some_and(|c| ('\u{0531}'..='\u{058F}').contains(&c))
    }

    /// True when the word after `at` is a positional word of this language
    /// (`above`, `oben`, `ci-dessus`), making `1. above` a cross-reference.
    fn positional_at(&mut self, at: usize) -> bool {
        let rest = self.text[at..].trim_start();
        let word = rest
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '.' | ')'))
            .next()
            .unwrap_or("");
        let rules = self.rules;
        !word.is_empty() && rules.positionals.contains(self.lowered(word))
    }

    /// True when a list marker whose next item follows on the line starts at
    /// `at` (`w) hello x) hello`).
    fn list_starts_at(&self, at: usize) -> bool {
        // `(m) a torch`: `at` is past the opening parenthesis.
        let at = if self.text[..at].ends_with('(') {
            at - 1
        } else {
            at
        };
        let rest = &self.text[at..];
        let word_len = rest
            .char_indices()
            .take(6)
            .find(|&(_, c)| c.is_whitespace())
            .map_or(0, |(o, _)| o);
        let word = &rest[..word_len];
        let (label, style) = if let Some(l) = word.strip_suffix(".)") {
            (l, MarkerStyle::DotParen)
        } else if let Some(l) = word.strip_suffix(')') {
            (l, MarkerStyle::Paren)
        } else if let Some(l) = word.strip_suffix('.') {
            (l, MarkerStyle::Dot)
        } else {
            return false;
        };
        let Some((label, style)) = marker_label(label, style) else {
            return false;
        };
        lists::readings(label, style)
            .iter()
            .flatten()
            .any(|m| lists::next_item_follows(m, &rest[word_len..], MAX_QUOTE))
    }

    /// Skips opening quotes, brackets and bidi controls from `at`.
    fn skip_openers(&self, at: usize) -> (usize, bool) {
        let rest = &self.text[at..];
        let after = rest.trim_start_matches(is_opener);
        (self.text.len() - after.len(), after.len() < rest.len())
    }

    /// The word starting at `at` (letters and apostrophes).
    fn word_at(&self, at: usize) -> &'a str {
        let text: &'a str = self.text;
        let rest = &text[at..];
        let end = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphabetic() || c == '\'' || c == '’'))
            .map_or(rest.len(), |(o, _)| o);
        &rest[..end]
    }

    /// True when a typical sentence starter begins at `at` (a one-letter
    /// word followed by a full stop is an initial: Russian `С.` is not `С`).
    fn is_starter(&self, at: usize) -> bool {
        let w = self.word_at(at);
        !w.is_empty()
            && self.rules.starters.contains(w)
            && !(w.chars().nth(1).is_none() && self.text[at + w.len()..].starts_with('.'))
    }

    /// Lower-cases `word` into the reused buffer.
    fn lowered(&mut self, word: &str) -> &str {
        self.lower.clear();
        if word.is_ascii() {
            self.lower.push_str(word);
            self.lower.make_ascii_lowercase();
        } else {
            for c in word.chars() {
                self.lower.extend(c.to_lowercase());
            }
        }
        &self.lower
    }

    /// A terminal directly followed by a non-space character.
    fn no_space(&mut self, i: usize, c: char, kind: TermKind, b: usize, closed: bool) -> Step {
        let Some(next) = self.char_at(b) else {
            return Step::Break(b);
        };
        let (np, opened) = self.skip_openers(b);
        let after_opener = self.char_at(np);
        match kind {
            TermKind::Strong => {
                if !c.is_ascii() {
                    // Inside a title in 《》 or 〈〉 (`《你好！世界》`) nothing ends.
                    if self.open_brackets(i, &['《', '〈'], &['》', '〉']) > 0 {
                        return Step::Continue(b);
                    }
                    if self.rules.protect_quotes {
                        // Quoted speech is part of its sentence (`“我明天来。”他说。`):
                        // break inside it never, after it only before another
                        // quote or at the end of the text.
                        // `（…。）。次` ends after the outer full stop.
                        let open = self.open_brackets(i, &QUOTE_OPEN, &QUOTE_CLOSE);
                        let closed_here = self.text[i..b]
                            .chars()
                            .filter(|c| QUOTE_CLOSE.contains(c))
                            .count() as i32;
                        let ends_with_closer = self.text[..b]
                            .chars()
                            .next_back()
                            .is_some_and(|c| QUOTE_CLOSE.contains(&c));
                        if open > closed_here || (open > 0 && ends_with_closer && !is_opener(next))
                        {
                            return Step::Continue(b);
                        }
                    }
                    // `「…！」と言った`: a quotative particle continues the sentence.
                    if closed && self.continues_quote(b) {
                        return Step::Continue(b);
                    }
                    // Full-width and script terminals need no space after them.
                    return Step::Break(b);
                }
                if is_spaceless_char(next)
                    || (opened && after_opener.is_some_and(char::is_alphabetic))
                {
                    Step::Break(b)
                } else {
                    Step::Continue(b)
                }
            }
            TermKind::Period => {
                if next.is_numeric() {
                    return Step::Continue(b); // 3.14, ３．２９, 1.000.000
                }
                if closed && self.continues_quote(b) {
                    return Step::Continue(b); // `「…．」と言った`
                }
                if c == '．' || is_spaceless_char(next) {
                    return Step::Break(b);
                }
                if opened && after_opener.is_some_and(char::is_uppercase) {
                    return Step::Break(b);
                }
                // Hebrew and Arabic-script words glued to the full stop
                // (`הביתה.הדלת`, `رسیدم.در`): these scripts write no
                // abbreviation of two letters or more with a full stop inside.
                if is_caseless_rtl_letter(next) {
                    let (_, tok) = self.token_before(i);
                    let after = self.text[b..]
                        .chars()
                        .take_while(|&c| is_caseless_rtl_letter(c))
                        .take(2)
                        .count();
                    let before = tok
                        .chars()
                        .rev()
                        .take_while(|&c| is_caseless_rtl_letter(c))
                        .take(3)
                        .count();
                    return if after >= 2
                        && before >= 2
                        && before == tok.chars().count().min(3)
                        && !tok.contains(['.', '/', '@'])
                    {
                        Step::Break(b)
                    } else {
                        Step::Continue(b)
                    };
                }
                // `world.Today`, `lukket.I morgen`, `ұзақ.XIX ғасыр`: a
                // capitalised word glued to the full stop.
                if !next.is_uppercase() {
                    return Step::Continue(b);
                }
                let (_, tok) = self.token_before(i);
                // The glued word after, up to white space (bounded: keeps long
                // runs without spaces linear).
                let next_tok = self.text[b..]
                    .char_indices()
                    .take_while(|&(o, c)| o < MAX_TOKEN && !c.is_whitespace())
                    .last()
                    .map_or("", |(o, c)| &self.text[b..b + o + c.len_utf8()]);
                let word = next_tok.trim_end_matches(|c: char| !c.is_alphanumeric());
                let second = word.chars().nth(1);
                let glued = second.is_some_and(char::is_lowercase)
                    || (second.is_none() && tok.chars().all(char::is_lowercase))
                    || is_roman_numeral(word);
                if !glued
                    || tok.chars().count() <= 1
                    || tok.contains(['@', '/', '.'])
                    || word.contains('.')
                    || next_tok.contains('@')
                    || tok.starts_with("www")
                    || self.is_abbreviation(tok)
                {
                    return Step::Continue(b);
                }
                Step::Break(b)
            }
            TermKind::Ellipsis | TermKind::Colon => Step::Continue(b),
        }
    }

    /// True when `tok` and the short abbreviation before it, written with a
    /// space (`т. д`), form one of the language's clause-final abbreviations.
    fn ends_spaced_final_abbrev(&mut self, tok_start: usize, tok: &str) -> bool {
        if self.rules.final_abbrevs.is_empty() {
            return false;
        }
        let Some(joined) = self.spaced_abbrev(tok_start, tok) else {
            return false;
        };
        let rules = self.rules;
        rules.final_abbrevs.contains(self.lowered(&joined))
    }

    /// True when `tok` and the short abbreviation before it, written with a
    /// space (German `d. h.`, `z. B.`), form one of the language's
    /// abbreviations.
    fn ends_spaced_abbrev(&mut self, tok_start: usize, tok: &str) -> bool {
        match self.spaced_abbrev(tok_start, tok) {
            Some(joined) => self.is_abbreviation(&joined),
            None => false,
        }
    }

    /// `tok` joined to the short word before it when that word ends with a
    /// full stop (`т.` + `д` = `т.д`), as abbreviations are listed.
    fn spaced_abbrev(&self, tok_start: usize, tok: &str) -> Option<String> {
        let head = self.text[self.start..tok_start].trim_end();
        let prev_start = head
            .char_indices()
            .rev()
            .take(6)
            .find(|&(_, c)| c.is_whitespace())
            .map(|(o, c)| o + c.len_utf8())
            .or((head.chars().count() <= 5).then_some(0))?;
        let prev = &head[prev_start..];
        if !prev.ends_with('.') || prev.len() > 12 {
            return None;
        }
        let mut joined = String::with_capacity(prev.len() + tok.len());
        joined.push_str(prev);
        joined.push_str(tok);
        Some(joined)
    }

    /// True when the word before `tok_start` (in this sentence) starts with a lower-case letter.
    fn previous_word_is_lowercase(&self, tok_start: usize) -> bool {
        let head = self.text[self.start..tok_start].trim_end();
        let word_start = head
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(0, |(o, c)| o + c.len_utf8());
        head[word_start..]
            .trim_start_matches(is_opener)
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    }

    /// True when the text at `at` starts with a quotative particle of the
    /// language (Japanese `と`, Korean `라고`): the quotation goes on.
    fn continues_quote(&self, at: usize) -> bool {
        quotes::starts_with_particle(&self.text[at..], &self.rules.quote_continuations)
    }

    /// How many of the `open` brackets are still open before `i` in the current
    /// sentence, looking back at most [`MAX_QUOTE`] bytes (keeps the scan linear
    /// when a quote is never closed).
    fn open_brackets(&self, i: usize, open: &[char], close: &[char]) -> i32 {
        let mut from = self.start.max(i.saturating_sub(MAX_QUOTE));
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        let mut depth = 0i32;
        for c in self.text[from..i].chars() {
            if open.contains(&c) {
                depth += 1;
            } else if close.contains(&c) {
                depth = (depth - 1).max(0);
            }
        }
        depth
    }

    /// Whether the full stop after the word `raw` ends its sentence because
    /// the rest of the line, from `np`, is a short fragment (at most
    /// [`MAX_FRAGMENT_WORDS`] words, no terminal) that a line break ending a
    /// sentence follows. The word must be a plain word of two letters or
    /// more, not an abbreviation nor an initialism (`the U.S. market⏎`).
    fn ends_before_fragment_line(&mut self, raw: &str, np: usize) -> bool {
        let tok = strip_elision(raw.trim_start_matches(is_opener));
        if tok.chars().count() < 2
            || !tok.chars().all(char::is_alphabetic)
            || is_initialism(tok)
            || self.is_abbreviation(tok)
        {
            return false;
        }
        let rest = &self.text[np..];
        let Some(eol) = rest.find(['\n', '\r']) else {
            return false;
        };
        let fragment = &rest[..eol];
        if fragment.split_whitespace().count() > MAX_FRAGMENT_WORDS
            || fragment
                .chars()
                .any(|c| self.rules.terminal_kind(c).is_some())
        {
            return false;
        }
        let bytes = self.text.as_bytes();
        let mut nl = np + eol;
        if bytes[nl] == b'\r' && bytes.get(nl + 1) == Some(&b'\n') {
            nl += 1;
        }
        if self.wrapped {
            return self.blank_line_follows(nl);
        }
        !self.join_lines || lines::continues(self.rules, bytes, nl, true) == Some(false)
    }

    fn is_abbreviation(&mut self, tok: &str) -> bool {
        let tok = tok.trim_start_matches(is_opener);
        if tok.len() > self.rules.max_abbrev_len * 2 || tok.is_empty() {
            return false;
        }
        let rules = self.rules;
        let lower = self.lowered(tok);
        rules.abbrevs.contains(lower)
            || rules.titles.contains(lower)
            || rules.final_abbrevs.contains(lower)
            || rules.number_abbrevs.contains(lower)
            || rules.after_number.contains(lower)
    }

    /// A full stop followed by white space and a word starting with `class`.
    fn after_period(
        &mut self,
        i: usize,
        term_end: usize,
        b: usize,
        np: usize,
        class: Class,
    ) -> Step {
        let (tok_start, raw) = self.token_before(i);
        let style = if self.text.as_bytes().get(term_end) == Some(&b')') {
            MarkerStyle::DotParen
        } else {
            MarkerStyle::Dot
        };
        if let Some(step) = self.list_marker(tok_start, raw, style, b) {
            return step;
        }
        // `… the store. w) hello x) hello`: a list running on after the sentence.
        // Not after an abbreviation (`lit. a) und b)`, `e.g. a) x and b) y`).
        if class == Class::Lower
            && self.list_starts_at(np)
            && !self.is_abbreviation(raw.trim_end_matches(is_bidi_control))
        {
            return Step::Break(b);
        }
        // Arabic `د` + U+202A + `.`: bidi controls around the full stop are not part of the word.
        let raw = raw.trim_end_matches(is_bidi_control);
        // `σημείο 1. ανωτέρω`: a cross-reference, also where a full stop
        // before a lower-case word ends a sentence (Greek).
        if class == Class::Lower && is_short_number(raw) && self.positional_at(b) {
            return Step::Continue(b);
        }
        // `in the city. features⏎contact manager⏎`: a lower-case fragment
        // alone on the rest of its line, before a line break that ends a
        // sentence, is a menu entry or a heading, not the sentence going on.
        if class == Class::Lower
            && !self.rules.lower_after_stop
            && self.ends_before_fragment_line(raw, np)
        {
            return Step::Break(b);
        }
        // Greek starts sentences in lower case too; elsewhere a lower-case
        // word continues the sentence.
        if class == Class::Continuation || (class == Class::Lower && !self.rules.lower_after_stop) {
            return Step::Continue(b);
        }
        let tok = strip_elision(raw.trim_start_matches(is_opener));
        if tok.is_empty() {
            return Step::Break(b);
        }
        let rules = self.rules;
        if class == Class::Digit {
            let suffixed = rules.number_suffixes.iter().any(|suffix| {
                tok.len() > suffix.len()
                    && tok.is_char_boundary(tok.len() - suffix.len())
                    && tok[tok.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            });
            return if suffixed
                || self.is_abbreviation(tok)
                || (tok.chars().count() <= 2 && self.ends_spaced_abbrev(tok_start, tok))
            {
                Step::Continue(b)
            } else {
                Step::Break(b)
            };
        }
        let starter = self.is_starter(np);
        // A spaced clause-final abbreviation (`и т. д. Потом`, `EE. UU. Vuelve`).
        if class == Class::Upper
            && tok.chars().count() <= 2
            && self.ends_spaced_final_abbrev(tok_start, tok)
        {
            return Step::Break(b);
        }
        if tok.len() <= rules.max_abbrev_len * 2 {
            let lower = self.lowered(tok);
            if rules.titles.contains(lower) {
                return Step::Continue(b);
            }
            if rules.final_abbrevs.contains(lower) {
                // `etc.`, `6 P.M.`: a capitalised word after them starts a new
                // sentence, unless it is a title opening too short a sentence
                // (`At 5 a.m. Mr. Smith left`).
                if self.next_is_date(np) {
                    return Step::Continue(b); // `at 9 a.m. Tuesday`
                }
                if self.next_is_title(np) {
                    return if self.long_enough_to_end(tok_start) {
                        Step::Break(b)
                    } else {
                        Step::Continue(b)
                    };
                }
                return if class == Class::Upper || starter {
                    Step::Break(b)
                } else {
                    Step::Continue(b)
                };
            }
            // `Fig. ??`: a reference abbreviation before a symbol.
            let after_number = rules.after_number.contains(lower);
            if after_number
                || rules.abbrevs.contains(lower)
                || (class != Class::Upper && rules.number_abbrevs.contains(lower))
            {
                // Russian `в 1936 г. В день …`: a year abbreviation after a
                // number goes on, even before a sentence starter.
                if after_number && self.previous_word_is_number(tok_start) {
                    return Step::Continue(b);
                }
                return if starter || (self.next_is_title(np) && self.long_enough_to_end(tok_start))
                {
                    Step::Break(b)
                } else {
                    Step::Continue(b)
                };
            }
        }
        let mut chars = tok.chars();
        if let (Some(first), None) = (chars.next(), chars.next())
            && first.is_alphabetic()
        {
            // English `I` after a lower-case word is the pronoun ending the
            // sentence (`you and I. Look`), not an initial (`Harriet I. Okafor`).
            if first == 'I' && rules.pronoun_i && self.previous_word_is_lowercase(tok_start) {
                return Step::Break(b);
            }
            // A letter opening the sentence labels it (`Q. Why? A. Because.`).
            if self.text[self.start..tok_start].trim().is_empty() {
                return Step::Continue(b);
            }
            // A unit after a number (Dutch `om 10 u. Daarna`, Portuguese
            // `às 10 h. Depois`) ends the sentence before a capitalised word.
            if class == Class::Upper
                && first.is_lowercase()
                && self.previous_word_is_number(tok_start)
            {
                return Step::Break(b);
            }
            // An initial (`J. R. R. Tolkien`), unless a typical sentence starter follows.
            return if starter {
                Step::Break(b)
            } else {
                Step::Continue(b)
            };
        }
        if (is_initialism(tok) || (rules.roman_ordinals && is_roman_numeral(tok))) && !starter {
            return Step::Continue(b); // `U.S. Army`, Slovak `XII. pluku`
        }
        if rules.ordinals && is_short_number(tok) && self.is_ordinal_context(tok_start, b) {
            return Step::Continue(b);
        }
        // `vom 1. -3. Jahrhundert`, `der 5.–7. Klasse`: the end of a range of ordinals.
        if rules.ordinals
            && !starter
            && let Some((first, num)) = tok.rsplit_once(['-', '–'])
            && is_short_number(num)
            && (if first.is_empty() {
                self.previous_word(tok_start)
            } else {
                first
            })
            .strip_suffix('.')
            .is_some_and(is_short_number)
        {
            return Step::Continue(b);
        }
        Step::Break(b)
    }

    /// True when `text[at..]` is ` "` before white space (or the end) and
    /// the current sentence holds an odd number of straight double quotes.
    fn spaced_straight_quote_closes(&self, at: usize) -> bool {
        let bytes = self.text.as_bytes();
        bytes.get(at + 1) == Some(&b'"')
            && bytes.get(at + 2).is_none_or(u8::is_ascii_whitespace)
            && memchr::memchr_iter(b'"', &bytes[self.start..at]).count() % 2 == 1
    }

    /// True when the word at `at` is one of the language's titles (`Mr`, `Dr`).
    fn next_is_title(&mut self, at: usize) -> bool {
        let word = self.word_at(at);
        !word.is_empty() && self.rules.titles.contains(self.lowered(word))
    }

    /// True when the word at `at` names a month or a weekday (`11 p.m. Saturday`).
    fn next_is_date(&mut self, at: usize) -> bool {
        let word = self.word_at(at);
        !word.is_empty() && {
            let rules = self.rules;
            let lower = self.lowered(word);
            rules.months.contains(lower) || rules.weekdays.contains(lower)
        }
    }

    /// True when the sentence before `tok_start` is long enough to stand alone
    /// (`He left the bank at 6 P.M.` but not `At 5 a.m.`).
    fn long_enough_to_end(&self, tok_start: usize) -> bool {
        self.text[self.start..tok_start].split_whitespace().count() >= 3
    }

    /// `visit.[2] The`, `1932.[4][5] It`, `visit.14 15 Doses`, `(type 2).10 This`:
    /// footnote and citation markers after a terminal stay with the sentence
    /// they follow. Returns the position after them (`k` when there are none).
    fn skip_citations(&self, i: usize, k: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut p = k;
        while bytes.get(p) == Some(&b'[') {
            let Some(len) = bytes[p + 1..]
                .iter()
                .take(24)
                .position(|&b| matches!(b, b']' | b'[' | b'\n'))
                .filter(|&len| len > 0 && bytes[p + 1 + len] == b']')
            else {
                break;
            };
            p += len + 2;
        }
        if p > k {
            return p;
        }
        // Bare footnote numbers glued to the terminal, after a word or a bracket.
        let before = self.text[..i].chars().next_back();
        if k != i + 1 || !before.is_some_and(|c| c.is_alphabetic() || matches!(c, ')' | ']')) {
            return k;
        }
        loop {
            let digits = bytes[p..].iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=3).contains(&digits) {
                return if p > k { p - 1 } else { k };
            }
            let end = p + digits;
            match bytes.get(end) {
                None => return end,
                Some(b' ' | b',') if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => {
                    p = end + 1
                }
                Some(b) if b.is_ascii_whitespace() => return end,
                _ => return k,
            }
        }
    }

    /// `compounds. . . . The`, `raak. ...en toen`, `ended. .. Then`: a full
    /// stop glued to a word, then a space and an ellipsis before more text.
    /// The full stop ends the sentence; the ellipsis opens the next one (a
    /// bare `..` before a space is then a sentence of its own, see `at_terminal`).
    fn ellipsis_opens_next(&self, i: usize) -> bool {
        let bytes = self.text.as_bytes();
        if bytes.get(i + 1) != Some(&b' ') || bytes.get(i + 2) != Some(&b'.') {
            return false;
        }
        if !self.text[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            return false;
        }
        let rest = &self.text[i + 2..];
        let after = rest.trim_start_matches(['.', ' ']);
        let dots = rest[..rest.len() - after.len()]
            .bytes()
            .filter(|&b| b == b'.')
            .count();
        dots >= 2 && after.chars().next().is_some_and(char::is_alphabetic)
    }
}

/// The first index in `i..end` whose byte is marked in `table`, or `end`.
/// Eight bytes a step, one branch per step: most bytes of prose are marked
/// nowhere, and this loop is the scanner's (and the quotation pairing's) hot path.
#[inline]
pub(crate) fn next_marked(bytes: &[u8], mut i: usize, end: usize, table: &[bool; 256]) -> usize {
    let end = end.min(bytes.len());
    while i + 8 <= end {
        let b = &bytes[i..i + 8];
        let hit = table[b[0] as usize]
            | table[b[1] as usize]
            | table[b[2] as usize]
            | table[b[3] as usize]
            | table[b[4] as usize]
            | table[b[5] as usize]
            | table[b[6] as usize]
            | table[b[7] as usize];
        if hit {
            break;
        }
        i += 8;
    }
    while i < end && !table[bytes[i] as usize] {
        i += 1;
    }
    i
}

/// `l'Ing` → `Ing`, `all'Avv` → `Avv`: an abbreviation after an elided article.
fn strip_elision(tok: &str) -> &str {
    match tok
        .char_indices()
        .rev()
        .find(|&(_, c)| c == '\'' || c == '’')
    {
        // `isn't`, `didn't`: a contraction, not an elision.
        Some((p, c)) if p + c.len_utf8() + 1 < tok.len() => &tok[p + c.len_utf8()..],
        _ => tok,
    }
}

/// The label of a list marker and its style: `(c` before `)` is `c` in
/// parentheses; any other `(` rules out a marker.
fn marker_label(raw: &str, style: MarkerStyle) -> Option<(&str, MarkerStyle)> {
    match raw.strip_prefix('(') {
        Some(inner) if style == MarkerStyle::Paren => Some((inner, MarkerStyle::Parens)),
        Some(_) => None,
        None => Some((raw, style)),
    }
}

/// True when the parenthesis opened just before `inner` closes on a full
/// stop (`Which was true.)`), within [`MAX_QUOTE`] bytes.
fn closes_on_full_stop(inner: &str) -> bool {
    let window = &inner.as_bytes()[..inner.len().min(MAX_QUOTE)];
    memchr::memchr2(b')', b'(', window)
        .filter(|&p| window[p] == b')')
        .is_some_and(|p| inner[..p].trim_end().ends_with('.'))
}

/// A Hebrew letter, or a letter of the Arabic script (Arabic, Persian, Urdu,
/// in every block of the script: supplement, extended, presentation forms).
fn is_caseless_rtl_letter(c: char) -> bool {
    c.is_alphabetic() && matches!(script_of(c), Script::Hebrew | Script::Arabic)
}

/// One to three ASCII digits.
fn is_short_number(s: &str) -> bool {
    (1..=3).contains(&s.len()) && s.bytes().all(|d| d.is_ascii_digit())
}

/// `XII`, `IV`: a roman numeral of two letters or more.
fn is_roman_numeral(tok: &str) -> bool {
    tok.len() >= 2 && tok.bytes().all(|b| b"IVXLCDM".contains(&b))
}

/// Line breaks in `ws`: `\n`, and `\r` not followed by `\n`.
fn line_breaks(ws: &str) -> usize {
    let bytes = ws.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// `U.S`, `a.m`, `Ph.D`: short letter groups joined by full stops.
fn is_initialism(tok: &str) -> bool {
    tok.contains('.')
        && tok.split('.').all(|part| {
            (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
        })
}

impl<'a> Iterator for RuleScanner<'a> {
    type Item = Sentence<'a>;

    fn next(&mut self) -> Option<Sentence<'a>> {
        while self.start < self.text.len() {
            let start = self.start;
            let (end, next) = self.next_boundary();
            self.start = next.max(start);
            if let Some(s) = Sentence::trimmed(self.text, start, end) {
                return Some(s);
            }
            if next <= start && end <= start {
                // No progress possible: emit nothing more (defensive; boundaries always advance).
                self.start = self.text.len();
            }
        }
        None
    }
}
