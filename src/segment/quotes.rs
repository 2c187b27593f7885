//! Quotations and brackets: is a position inside a quotation or bracket that
//! closes later on the same line?
//!
//! The standard sentence-boundary test sets keep a quotation or parenthesis in
//! one piece even when it holds several sentences (`'Run! Hide!' he said`,
//! `(Was it luck? Nobody knows.)`, `„Wir sind fertig. Der Zug wartet.“ sagte er`,
//! `「もう遅い。早く寝なさい。」`), so the scanner asks here before it breaks.
//!
//! Pairs are tracked with a small stack over the current sentence. Straight
//! quotes are paired by parity; `'` and `’` open or close only at a word edge,
//! so apostrophes (`they'll`, `don’t`) are not quotes. A quotation that is not
//! closed before the end of the line (or of the paragraph in wrapped mode),
//! or within [`MAX_QUOTE`] bytes, protects nothing.

/// Longest quotation or parenthesis (in bytes) kept in one piece.
pub(crate) const MAX_QUOTE: usize = 1024;

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

/// True for bytes that start a quote or bracket character (a cheap pre-check).
#[inline]
fn may_start_quote(b: u8) -> bool {
    // ASCII quotes and brackets; lead bytes of « » (C2), “ ” ‘ ’ „ ‹ › (E2),
    // 「」『』《》【】 (E3), （）［］ (EF), ﹁﹂ (EF).
    matches!(
        b,
        b'"' | b'\'' | b'(' | b'[' | b'{' | 0xC2 | 0xE2 | 0xE3 | 0xEF
    )
}

/// The closers still awaited at `pos` for quotations and brackets opened in
/// `text[start..pos]`, outermost first, in `stack` (cleared first).
fn open_at(text: &str, start: usize, pos: usize, stack: &mut Vec<&'static [char]>) {
    stack.clear();
    let head = &text[start..pos];
    if !head.bytes().any(may_start_quote) {
        return;
    }
    let mut prev: Option<char> = text[..start].chars().next_back();
    let mut chars = head.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().or_else(|| text[pos..].chars().next());
        if let Some(depth) = stack
            .iter()
            .rposition(|closers| closers.contains(&c))
            .filter(|_| may_close(c, prev, next))
        {
            stack.truncate(depth);
        } else if let Some(closers) = closers_of(c, prev, next) {
            stack.push(closers);
        }
        prev = Some(c);
    }
}

/// True when `text[pos..]` closes the quotation awaiting one of `closers`
/// before the end of the line (the paragraph when `wrapped`), within [`MAX_QUOTE`] bytes.
fn closes_ahead(text: &str, pos: usize, closers: &[char], wrapped: bool) -> bool {
    let mut prev: Option<char> = text[..pos].chars().next_back();
    let mut rest = text[pos..].char_indices().peekable();
    while let Some((off, c)) = rest.next() {
        if off > MAX_QUOTE {
            return false;
        }
        if c == '\n'
            && (!wrapped
                || text[pos + off + 1..]
                    .trim_start_matches([' ', '\t', '\r'])
                    .starts_with('\n'))
        {
            return false;
        }
        if closers.contains(&c) {
            let next = rest.peek().map(|&(_, n)| n);
            if may_close(c, prev, next) {
                return true;
            }
        }
        prev = Some(c);
    }
    false
}

/// True when `pos` lies inside a quotation or bracket opened after `start`
/// that closes later on the same line (paragraph when `wrapped`).
pub(crate) fn inside_quote(
    text: &str,
    start: usize,
    pos: usize,
    wrapped: bool,
    stack: &mut Vec<&'static [char]>,
) -> bool {
    if pos - start > 4 * MAX_QUOTE {
        return false;
    }
    open_at(text, start, pos, stack);
    match stack.first() {
        Some(outer) => closes_ahead(text, pos, outer, wrapped),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(text: &str, at: &str) -> bool {
        let pos = text.find(at).unwrap() + at.len();
        inside_quote(text, 0, pos, false, &mut Vec::new())
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
            &mut Vec::new()
        ));
    }
}
