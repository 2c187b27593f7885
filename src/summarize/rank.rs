//! The components of the digest, each usable on its own: term bags,
//! term-set Jaccard similarity, the filter that keeps fragments, bylines and
//! captions out of a digest, the trimming of datelines and share bars, and
//! the selection of the eligible lead. The centrality components of the
//! learned ranker are in [`super::experiment::centrality`].

use ahash::AHashMap;

/// A sparse vector: `(term id, weight)` sorted by term id.
pub type SparseVec = Vec<(u32, f32)>;

/// Interns terms to dense ids and counts in how many sentences each occurs.
#[derive(Debug, Default)]
pub struct TermTable {
    ids: AHashMap<String, u32>,
    /// Sentence frequency per term id (IDF for the ranker).
    pub(super) df: Vec<u32>,
}

impl TermTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `term`, interning it if new.
    pub fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.df.len() as u32;
        self.ids.insert(term.to_string(), id);
        self.df.push(0);
        id
    }

    /// Turns a bag of term ids into term frequencies sorted by id, counting
    /// each distinct term once in its sentence frequency when `count_df`.
    pub fn bag(&mut self, ids: &mut Vec<u32>, count_df: bool) -> SparseVec {
        ids.sort_unstable();
        let mut out: SparseVec = Vec::with_capacity(ids.len());
        for &id in ids.iter() {
            match out.last_mut() {
                Some((last, tf)) if *last == id => *tf += 1.0,
                _ => {
                    out.push((id, 1.0));
                    if count_df && let Some(df) = self.df.get_mut(id as usize) {
                        *df += 1;
                    }
                }
            }
        }
        ids.clear();
        out
    }
}

/// Jaccard similarity of two term sets (the ids of two bags).
///
/// ```
/// use tmkit::summarize::rank::jaccard;
/// assert_eq!(jaccard(&[(1, 2.0), (2, 1.0)], &[(2, 1.0), (3, 1.0)]), 1.0 / 3.0);
/// assert_eq!(jaccard(&[], &[]), 0.0);
/// ```
pub fn jaccard(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while let (Some(&(ta, _)), Some(&(tb, _))) = (a.get(i), b.get(j)) {
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f32 / union as f32
    }
}

/// Why a sentence is kept out of a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Too few words to stand alone.
    Fragment,
    /// A heading, byline or dateline: short and without final punctuation.
    Heading,
    /// Entirely inside brackets, like "(Photos by Reuters)".
    Bracketed,
    /// An item of a list (`1.`, `2)`, `-`, `•`): a fragment of the sentence
    /// that introduces the list.
    ListItem,
    /// A byline with final punctuation ("By Jane Doe, Maritime Correspondent.").
    Byline,
}

/// Bytes at the start of a sentence that are page chrome rather than prose: a
/// dateline such as "WASHINGTON (Reuters) - ", "Jakarta, CNN Indonesia - - ",
/// "PARIS – ", "Merdeka.com - " (a site's address: [`is_web_address`]) or
/// "(CNN)", a share bar run into the text ("Share this
/// with ... Copy this link"), or a page notice run into it ("Media playback
/// is not supported on this device", "Scroll down for video") when what
/// follows starts a sentence. 0 when there is none.
///
/// ```
/// use tmkit::summarize::rank::chrome_prefix_len;
/// let s = "Los Angeles (ANTARA News) - Aktor Ben Stiller mengungkapkan dia sakit.";
/// assert_eq!(&s[chrome_prefix_len(s)..], "Aktor Ben Stiller mengungkapkan dia sakit.");
/// let s = "(CNN)Blues legend B.B. King was hospitalized on Tuesday.";
/// assert_eq!(&s[chrome_prefix_len(s)..], "Blues legend B.B. King was hospitalized on Tuesday.");
/// let s = "this linkResearchers found that pupils tried new food.";
/// assert_eq!(&s[chrome_prefix_len(s)..], "Researchers found that pupils tried new food.");
/// assert_eq!(chrome_prefix_len("this link is broken, he said."), 0);
/// let s = "Media playback is not supported on this deviceThe visitors led early.";
/// assert_eq!(&s[chrome_prefix_len(s)..], "The visitors led early.");
/// assert_eq!(chrome_prefix_len("Mr Smith - who was arrested - said nothing at all."), 0);
/// ```
pub fn chrome_prefix_len(sentence: &str) -> usize {
    let skip_space = |at: usize| at + (sentence[at..].len() - sentence[at..].trim_start().len());
    if sentence.starts_with("Share this with")
        && let Some(at) = sentence.find("this link")
    {
        return skip_space(at + "this link".len());
    }
    // Player and page notices run into the first words of the prose, and
    // the share bar's tail when a line break cut it from its head ("Share
    // this with ... Copy\n\nthis linkResearchers found ...").
    for notice in GLUED_NOTICES {
        if let Some(rest) = sentence.strip_prefix(notice)
            && starts_a_sentence(rest.trim_start())
        {
            return skip_space(notice.len());
        }
    }
    if sentence.starts_with('(')
        && let Some(close) = super::prefix(sentence, 40).find(')')
        && is_name(&sentence[1..close])
    {
        let rest = sentence[close + 1..].trim_start_matches([' ', '-', '–', '—']);
        if rest.chars().next().is_some_and(char::is_uppercase) {
            return sentence.len() - rest.len();
        }
    }
    let Some((prefix_end, rest_start)) = dateline_separator(sentence) else {
        return 0;
    };
    let prefix = sentence[..prefix_end].trim();
    let rest = &sentence[rest_start..];
    let prose_follows = starts_a_sentence(rest) && rest.split_whitespace().nth(3).is_some();
    if !prose_follows {
        return 0;
    }
    let agency = || prefix.ends_with(')') && prefix.contains('(');
    let capital_city = || {
        let first = prefix.split([' ', ',']).next().unwrap_or_default();
        first.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && first.chars().all(|c| !c.is_lowercase())
    };
    let place_and_source = || prefix.contains(',') && is_name(&prefix.replace(',', " "));
    // A news site's name ("Merdeka.com - ", "SOLO, JUARA.net - "): the
    // publisher, never part of the story (looked for after the cheaper tests).
    let site = || prefix.split([' ', ',']).any(is_web_address);
    if agency() || capital_city() || place_and_source() || site() {
        rest_start
    } else {
        0
    }
}

/// Page notices found run into the prose that follows them on news pages.
const GLUED_NOTICES: [&str; 3] = [
    "this link",
    "Media playback is not supported on this device",
    "Scroll down for video",
];

fn opens_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '«' | '„' | '\'' | '‘')
}

/// `text` starts as a sentence does: an upper-case letter, a number or an
/// opening quote (what follows chrome, where a lower-case word would mean
/// the words belong to the prose).
fn starts_a_sentence(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || opens_quote(c))
}

/// Up to six words, each capitalized or a number: a place or an agency.
fn is_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=6).contains(&words.len())
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_numeric() || c == '(')
        })
}

/// Where a dateline's dash separator is within the first 60 bytes: the end of
/// the prefix and the start of the prose after the dashes.
fn dateline_separator(s: &str) -> Option<(usize, usize)> {
    let at = super::prefix(s, 60)
        .match_indices(' ')
        .map(|(i, _)| i)
        .find(|&i| s[i + 1..].starts_with(['-', '–', '—']))?;
    let prefix = &s[..at];
    // A full stop ends a sentence, except inside a site's address (looked
    // for after the cheaper tests).
    let stops = || {
        prefix
            .split([' ', ','])
            .any(|w| w.contains('.') && !is_web_address(w))
    };
    if prefix.contains(['!', '?', ':', ';']) || prefix.split_whitespace().count() > 6 || stops() {
        return None;
    }
    let after = s[at..].trim_start_matches([' ', '-', '–', '—']);
    let rest_start = s.len() - after.len();
    // A separator is one or two dashes set off by spaces, not a hyphenated word.
    s[at..rest_start].ends_with(' ').then_some((at, rest_start))
}

/// True when `word` is a web address written as a name: a host of letters,
/// digits and hyphens (dots between its labels), then a top-level domain of
/// two to six letters all in one case ("Merdeka.com", "JUARA.net",
/// "BOLASPORT.COM", "VIVA.co.id"); not an abbreviation ("U.S.", "St.Louis").
///
/// ```
/// use tmkit::summarize::rank::is_web_address;
/// assert!(is_web_address("Merdeka.com") && is_web_address("VIVA.co.id"));
/// assert!(!is_web_address("U.S.") && !is_web_address("St.Louis") && !is_web_address("3.5"));
/// ```
pub fn is_web_address(word: &str) -> bool {
    let Some((host, tld)) = word.rsplit_once('.') else {
        return false;
    };
    let one_case =
        tld.chars().all(|c| c.is_ascii_lowercase()) || tld.chars().all(|c| c.is_ascii_uppercase());
    (2..=6).contains(&tld.len())
        && one_case
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && host.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// True when `s` starts with a list marker: a bullet, or up to three digits
/// (any script) followed by `.` or `)`, then a space.
fn starts_with_list_marker(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '–' | '·' | '▪') => {
            return chars.next().is_some_and(char::is_whitespace);
        }
        Some(c) if c.is_numeric() => {}
        _ => return false,
    }
    let mut digits = 1;
    for c in chars.by_ref() {
        if c.is_numeric() {
            digits += 1;
            if digits > 3 {
                return false;
            }
            continue;
        }
        return matches!(c, '.' | ')') && chars.next().is_some_and(char::is_whitespace);
    }
    false
}

/// Decides whether a sentence may appear in a digest: fragments, headings,
/// bylines, datelines, bracketed captions, list items and lone quotes may not.
///
/// ```
/// use tmkit::summarize::rank::{Rejection, reject};
/// assert_eq!(reject("(Photos by Reuters staff)", 4), Some(Rejection::Bracketed));
/// assert_eq!(reject("By John Smith, BBC News", 5), Some(Rejection::Byline));
/// assert_eq!(reject("\"Yes.\"", 1), Some(Rejection::Fragment));
/// assert_eq!(reject("The storm hit the coast on Monday.", 7), None);
/// ```
pub fn reject(sentence: &str, words: usize) -> Option<Rejection> {
    let s = sentence.trim();
    if words < 4 {
        return Some(Rejection::Fragment);
    }
    if starts_with_list_marker(s) {
        return Some(Rejection::ListItem);
    }
    if crate::html::looks_like_byline(s) {
        return Some(Rejection::Byline);
    }
    let pairs = [('(', ')'), ('[', ']'), ('（', '）'), ('【', '】')];
    if pairs
        .iter()
        .any(|&(open, close)| s.starts_with(open) && s.ends_with(close))
    {
        return Some(Rejection::Bracketed);
    }
    let last = s
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', '」', '』', '*'])
        .chars()
        .next_back();
    let terminal = matches!(
        last,
        Some('.' | '!' | '?' | '…' | '。' | '！' | '？' | '؟' | '۔' | '।' | ':' | ';')
    );
    if !terminal && words <= 10 {
        return Some(Rejection::Heading);
    }
    None
}

/// Picks the eligible lead: the earliest eligible sentences that `fits`
/// accepts, up to `budget`, in document order. A sentence that `waits` (a
/// short one) is taken only when the others do not fill the budget; `waits`
/// is asked once per sentence, in order, and only about the sentences the
/// selection reaches, so it may be costly. `fits(i, taken)` can veto a
/// candidate (a near-duplicate of one already taken, a word budget); a
/// vetoed sentence is skipped, not an end.
///
/// ```
/// use tmkit::summarize::rank::lead_select;
/// // Sentence 1 is a fragment; 3 repeats 0.
/// let eligible = [true, false, true, true, true];
/// let picked = lead_select(&eligible, |_| false, 3, |i, taken| !(i == 3 && taken.contains(&0)));
/// assert_eq!(picked, [0, 2, 4]);
/// // Sentence 2 is short: 4 comes first; with a budget of 4 it fills the digest.
/// let short = [false, false, true, false, false];
/// assert_eq!(lead_select(&eligible, |i| short[i], 3, |_, _| true), [0, 3, 4]);
/// assert_eq!(lead_select(&eligible, |i| short[i], 4, |_, _| true), [0, 2, 3, 4]);
/// ```
pub fn lead_select(
    eligible: &[bool],
    mut waits: impl FnMut(usize) -> bool,
    budget: usize,
    mut fits: impl FnMut(usize, &[usize]) -> bool,
) -> Vec<usize> {
    let mut taken: Vec<usize> = Vec::with_capacity(budget.min(eligible.len()));
    let mut waiting: Vec<usize> = Vec::new();
    for i in (0..eligible.len()).filter(|&i| eligible[i]) {
        if taken.len() == budget {
            break;
        }
        if waits(i) {
            waiting.push(i);
        } else if fits(i, &taken) {
            taken.push(i);
        }
    }
    for i in waiting {
        if taken.len() == budget {
            break;
        }
        if fits(i, &taken) {
            taken.push(i);
        }
    }
    taken.sort_unstable();
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_trimmed_before_anything_that_starts_a_sentence() {
        let s = "Scroll down for video1,000 fans waited outside the court.";
        assert_eq!(
            &s[chrome_prefix_len(s)..],
            "1,000 fans waited outside the court."
        );
        for notice in GLUED_NOTICES {
            for prose in [
                "The visitors led early on.",
                "23 people were hurt in the crash.",
                "\u{201c}We will appeal,\u{201d} the club said.",
                "'We will appeal,' the club said.",
            ] {
                for glue in ["", " ", "  "] {
                    let s = format!("{notice}{glue}{prose}");
                    assert_eq!(&s[chrome_prefix_len(&s)..], prose, "{s}");
                }
            }
            // Lower case: the notice's words run on as prose.
            let s = format!("{notice}men were arrested.");
            assert_eq!(chrome_prefix_len(&s), 0, "{s}");
            let s = format!("{notice} is what the sign said.");
            assert_eq!(chrome_prefix_len(&s), 0, "{s}");
        }
    }

    #[test]
    fn a_news_site_dateline_is_trimmed_but_not_an_abbreviation() {
        for (dateline, prose) in [
            (
                "Merdeka.com - ",
                "Ketua Fraksi Partai Gerindra menolak rekomendasi itu.",
            ),
            (
                "JUARA.net - ",
                "Musim 2016 - 2017 akhirnya harus disudahi Fabregas.",
            ),
            (
                "BOLASPORT.COM - ",
                "Petenis Maria Sharapova akhirnya mencapai final.",
            ),
            (
                "SOLO, JUARA.net - ",
                "Pemain tim voli putri itu enggan berkomentar.",
            ),
            (
                "JUARA.NET, NEW YORK - ",
                "Petenis Sloane Stephens keluar dari turnamen.",
            ),
            (
                "Suara.com – ",
                "Didiagnosis menderita kanker bukan hal mudah.",
            ),
        ] {
            let s = format!("{dateline}{prose}");
            assert_eq!(&s[chrome_prefix_len(&s)..], prose, "{s}");
        }
        for s in [
            // A full stop in the prefix that is no address ends a sentence.
            "The U.S. - Mexico talks resumed on Monday in the capital.",
            "Prices rose 3.5 - More than analysts had expected this year.",
            // A site named in prose, not set off as a dateline.
            "Amazon.com - which owns the store - said it would appeal.",
            "Merdeka.com - Tidak.",
        ] {
            assert_eq!(chrome_prefix_len(s), 0, "{s}");
        }
    }

    #[test]
    fn term_table_counts_sentence_frequency_once_per_sentence() {
        let mut t = TermTable::new();
        let a = t.id("storm");
        let b = t.id("coast");
        assert_eq!(t.id("storm"), a);
        let mut ids = vec![a, b, a];
        let bag = t.bag(&mut ids, true);
        assert_eq!(bag, [(a, 2.0), (b, 1.0)]);
        let mut ids = vec![a];
        t.bag(&mut ids, true);
        assert_eq!(t.df, [2, 1]);
    }

    #[test]
    fn rejects_list_items_but_not_numbers() {
        for item in [
            "2. une baisse de 2 000 postes dans la fonction publique ;",
            "1) Les dépenses baisseront de 3 % l'an prochain.",
            "- Roofs were torn off across the town.",
            "۱. مورد اول فهرست است که طولانی است.",
        ] {
            assert_eq!(reject(item, 8), Some(Rejection::ListItem), "{item}");
        }
        for sentence in [
            "2027 will be a difficult year for the budget.",
            "3.5 million people voted on Sunday in the election.",
            "12,5 milliards d'euros seront économisés l'an prochain.",
        ] {
            assert_eq!(reject(sentence, 8), None, "{sentence}");
        }
    }

    #[test]
    fn rejects_captions_headings_and_fragments_but_not_sentences() {
        assert_eq!(reject("（写真：ロイター）", 6), Some(Rejection::Bracketed));
        assert_eq!(reject("PARIS", 1), Some(Rejection::Fragment));
        assert_eq!(
            reject("Par Jean Dupont, envoyé spécial à Kiev", 7),
            Some(Rejection::Byline)
        );
        assert_eq!(reject("政府は火曜日、新しい予算を発表した。", 16), None);
        assert_eq!(reject("“We will not give up,” she said.", 7), None);
        assert_eq!(reject("قال الوزير إن الحكومة ستخفض الضرائب.", 6), None);
    }

    #[test]
    fn lead_selection_skips_ineligible_and_vetoed_sentences() {
        let eligible = [false, true, true, false, true, true];
        let none = |_| false;
        assert_eq!(lead_select(&eligible, none, 3, |_, _| true), [1, 2, 4]);
        // A word budget: sentence 2 is too long once 1 is taken, 4 still fits.
        let words = [5, 10, 30, 5, 8, 8];
        let fits = |i: usize, taken: &[usize]| {
            taken.iter().map(|&t| words[t]).sum::<usize>() + words[i] <= 20
        };
        assert_eq!(lead_select(&eligible, none, 3, fits), [1, 4]);
        assert!(lead_select(&eligible, none, 0, |_, _| true).is_empty());
        assert!(lead_select(&[false; 3], none, 2, |_, _| true).is_empty());
    }

    #[test]
    fn short_sentences_wait_until_the_longer_ones_do_not_fill_the_digest() {
        let eligible = [true, true, true, true, false, true];
        let short = [false, true, false, true, true, false];
        assert_eq!(
            lead_select(&eligible, |i| short[i], 3, |_, _| true),
            [0, 2, 5]
        );
        // Too few long sentences: the earliest short ones fill the digest.
        assert_eq!(
            lead_select(&eligible, |i| short[i], 4, |_, _| true),
            [0, 1, 2, 5]
        );
        assert_eq!(
            lead_select(&eligible, |i| short[i], 9, |_, _| true),
            [0, 1, 2, 3, 5]
        );
        // A short sentence that repeats a chosen one stays out.
        let picked = lead_select(
            &eligible,
            |i| short[i],
            4,
            |i, taken| !(i == 1 && taken.contains(&0)),
        );
        assert_eq!(picked, [0, 2, 3, 5]);
        // `waits` is asked once about each sentence the selection reaches.
        let mut asked = Vec::new();
        let waits = |i: usize| {
            asked.push(i);
            short[i]
        };
        assert_eq!(lead_select(&eligible, waits, 2, |_, _| true), [0, 2]);
        assert_eq!(asked, [0, 1, 2]);
    }
}
