//! What a translator must fix in a match besides the words: penalties reported
//! beside the score (numbers that differ, inline codes the query lacks), and
//! number auto-propagation: when only numbers differ and the target holds the
//! memory source's numbers, the target with the query's numbers put in.

use crate::text::{comparison_key, nfkc, tokenize::for_each_token};

/// Something that makes a match need more work than its score says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Penalty {
    /// The numbers of the query and of the memory source differ.
    Numbers {
        /// Numbers in the query, in order.
        query: Vec<String>,
        /// Numbers in the memory source, in order.
        source: Vec<String>,
    },
    /// The memory source has inline codes (tags, placeholders) the plain-text query lacks.
    InlineCodes {
        /// Inline codes in the memory source.
        source: u16,
        /// Inline codes in the query.
        query: u16,
    },
}

/// True for a match token made only of digits (after NFKC).
fn is_number(token: &str) -> bool {
    !token.is_empty() && token.chars().all(|c| c.is_numeric())
}

/// The normalized match tokens of `text`.
fn normalized_tokens(text: &str) -> Vec<String> {
    let key = comparison_key(text);
    let mut out = Vec::new();
    for_each_token(&key, |t| out.push(t.to_string()));
    out
}

/// The penalties of a match of `query` against a memory source, and the
/// adapted target when only numbers differ.
///
/// ```
/// use tmkit::fuzzy::{assess, Penalty};
/// let (penalties, adapted) = assess("Page 12 of 30", "Page 10 of 30", "Page 10 sur 30", 0);
/// assert!(matches!(penalties[0], Penalty::Numbers { .. }));
/// assert_eq!(adapted.as_deref(), Some("Page 12 sur 30"));
/// ```
pub fn assess(
    query: &str,
    source: &str,
    target: &str,
    source_codes: u16,
) -> (Vec<Penalty>, Option<String>) {
    let mut penalties = Vec::new();
    let qt = normalized_tokens(query);
    let st = normalized_tokens(source);
    let qn: Vec<String> = qt.iter().filter(|t| is_number(t)).cloned().collect();
    let sn: Vec<String> = st.iter().filter(|t| is_number(t)).cloned().collect();
    let mut adapted = None;
    if qn != sn {
        adapted = adapt_numbers(&qt, &st, target);
        penalties.push(Penalty::Numbers {
            query: qn,
            source: sn,
        });
    }
    if source_codes > 0 {
        penalties.push(Penalty::InlineCodes {
            source: source_codes,
            query: 0,
        });
    }
    (penalties, adapted)
}

/// The target with numbers replaced, when the token lists differ only in
/// numbers, each source number maps to one query number, and every source
/// number that changes occurs in the target.
fn adapt_numbers(query: &[String], source: &[String], target: &str) -> Option<String> {
    if query.len() != source.len() {
        return None;
    }
    let mut map: Vec<(&str, &str)> = Vec::new();
    for (q, s) in query.iter().zip(source) {
        if q == s {
            continue;
        }
        if !(is_number(q) && is_number(s)) {
            return None;
        }
        match map.iter().find(|(from, _)| *from == s.as_str()) {
            Some((_, to)) if *to != q.as_str() => return None,
            Some(_) => {}
            None => map.push((s.as_str(), q.as_str())),
        }
    }
    // A number that both changes and stays elsewhere makes the target ambiguous.
    for (from, _) in &map {
        if query.iter().zip(source).any(|(q, s)| s == from && q == s) {
            return None;
        }
    }
    let mut out = String::with_capacity(target.len() + 8);
    let mut replaced = vec![false; map.len()];
    let mut last = 0;
    for (start, end) in digit_runs(target) {
        let run = nfkc(&target[start..end]);
        if let Some(k) = map.iter().position(|(from, _)| *from == run.as_ref()) {
            out.push_str(&target[last..start]);
            out.push_str(map[k].1);
            last = end;
            replaced[k] = true;
        }
    }
    out.push_str(&target[last..]);
    replaced.iter().all(|&r| r).then_some(out)
}

/// Byte spans of maximal runs of numeric characters.
fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        // Letters glued to digits make a word, not a number (as in the tokenizer).
        let numeric = c.is_numeric();
        match (numeric, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, text.len()));
    }
    runs.retain(|&(s, e)| {
        let before = text[..s].chars().next_back();
        let after = text[e..].chars().next();
        !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
    });
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_numbers_no_penalty() {
        let (p, a) = assess("Tom is 12.", "Tom was 12.", "Tom avait 12 ans.", 0);
        assert!(p.is_empty());
        assert_eq!(a, None);
    }

    #[test]
    fn words_and_numbers_differ_means_no_adaptation() {
        let (p, a) = assess("Tom is 13.", "Tom was 12.", "Tom avait 12 ans.", 0);
        assert_eq!(p.len(), 1);
        assert_eq!(a, None);
    }

    #[test]
    fn adapts_every_occurrence_and_full_width_digits() {
        let (_, a) = assess("Room 5, floor 5", "Room 3, floor 3", "Salle ３, étage 3", 0);
        assert_eq!(a.as_deref(), Some("Salle 5, étage 5"));
    }

    #[test]
    fn missing_number_in_target_gives_no_adaptation() {
        let (_, a) = assess("I have 4 cats", "I have 3 cats", "J'ai trois chats", 0);
        assert_eq!(a, None);
    }

    #[test]
    fn number_glued_to_letters_is_not_replaced() {
        let (_, a) = assess("Take 2 pills", "Take 3 pills", "Prenez 3 pilules (3x)", 0);
        assert_eq!(a.as_deref(), Some("Prenez 2 pilules (3x)"));
    }

    #[test]
    fn inline_codes_are_reported() {
        let (p, _) = assess("Click here", "Click here", "Cliquez ici", 2);
        assert_eq!(
            p,
            [Penalty::InlineCodes {
                source: 2,
                query: 0
            }]
        );
    }

    #[test]
    fn arabic_indic_digits_are_numbers() {
        let (p, _) = assess("الصفحة ١٢", "الصفحة ١٠", "الصفحة ١٠", 0);
        assert!(matches!(&p[0], Penalty::Numbers { .. }));
    }
}
