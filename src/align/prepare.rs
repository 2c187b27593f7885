//! Sentences turned into evidence: interned tokens with document-frequency
//! weights, lengths, and for each token the *keys* it can be matched on.
//!
//! Keys live in one space shared by both sides. A target word has its own
//! key and a cognate key (its first five letters without accents); a source
//! word has the same two (identical strings: names, numbers, codes; cognates:
//! `Expedition`/`expédition`) plus the keys of its translations in the
//! lexicon. A source token is covered by a target sentence when one of its
//! keys occurs there, and the other way round.

use ahash::AHashMap;
use smallvec::SmallVec;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::lexicon::Lexicon;
use crate::text::tokenize::{for_each_token, is_word_char};
use crate::text::{comparison_key, is_spaceless_char};

/// Letters a cognate key keeps.
const COGNATE_PREFIX: usize = 5;

/// Keys of one token.
pub(crate) type Keys = SmallVec<[u32; 4]>;

/// One side of the document, tokenized.
#[derive(Debug, Default)]
pub(crate) struct Side {
    /// Token id → its normalized text.
    pub vocab: Vec<String>,
    /// Distinct token ids of each sentence.
    pub sents: Vec<Vec<u32>>,
    /// Length of each sentence in characters.
    pub chars: Vec<u32>,
    /// Weight of each token id: its inverse document frequency.
    pub weight: Vec<f32>,
    /// Total weight of each sentence's tokens.
    pub sent_weight: Vec<f32>,
}

impl Side {
    /// Tokenizes `sentences`; `source` says which side of `lexicon` cuts
    /// spaceless runs.
    pub fn new(sentences: &[&str], lexicon: &Lexicon, source: bool) -> Side {
        let mut ids: AHashMap<String, u32> = AHashMap::new();
        let mut side = Side::default();
        let mut tokens: Vec<u32> = Vec::new();
        for sentence in sentences {
            tokens.clear();
            tokenize(sentence, lexicon, source, &mut |t| {
                let id = match ids.get(t) {
                    Some(&id) => id,
                    None => {
                        let id = side.vocab.len() as u32;
                        ids.insert(t.to_string(), id);
                        side.vocab.push(t.to_string());
                        id
                    }
                };
                tokens.push(id);
            });
            tokens.sort_unstable();
            tokens.dedup();
            side.sents.push(tokens.clone());
            side.chars.push(sentence.chars().count() as u32);
        }
        let mut df = vec![0u32; side.vocab.len()];
        for s in &side.sents {
            for &t in s {
                df[t as usize] += 1;
            }
        }
        let n = side.sents.len().max(1) as f32;
        side.weight = df.iter().map(|&d| (1.0 + n / d as f32).ln()).collect();
        side.sent_weight = side
            .sents
            .iter()
            .map(|s| s.iter().map(|&t| side.weight[t as usize]).sum())
            .collect();
        side
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.sents.len()
    }
}

/// Calls `f` with the match tokens of a sentence: words (spaceless runs cut
/// by the lexicon), and the punctuation that survives translation as a class
/// (`?`, `!`, quotes, brackets, colons).
fn tokenize(sentence: &str, lexicon: &Lexicon, source: bool, f: &mut dyn FnMut(&str)) {
    let key = comparison_key(sentence);
    let mut run = String::new();
    let flush = |run: &mut String, f: &mut dyn FnMut(&str)| {
        if !run.is_empty() {
            lexicon.split_spaceless(run, source, f);
            run.clear();
        }
    };
    for_each_token(&key, |t| {
        let Some(c) = t.chars().next() else { return };
        if is_word_char(c) && is_spaceless_char(c) {
            run.push_str(t);
            return;
        }
        flush(&mut run, f);
        if is_word_char(c) {
            f(t);
        } else if let Some(class) = punctuation_class(c) {
            f(class);
        }
    });
    flush(&mut run, f);
}

/// The class of a punctuation mark that translations usually keep.
fn punctuation_class(c: char) -> Option<&'static str> {
    match c {
        '?' => Some("?"),
        '!' => Some("!"),
        '"' | '«' | '»' | '“' | '”' | '„' | '‟' | '「' | '」' | '『' | '』' => {
            Some("\"")
        }
        '(' | '[' | '（' => Some("("),
        ':' => Some(":"),
        _ => None,
    }
}

/// The cognate key of a word: its first letters without accents, for words
/// long enough that a shared prefix means something.
fn cognate(word: &str) -> Option<String> {
    if word.chars().count() < COGNATE_PREFIX || !word.chars().all(char::is_alphabetic) {
        return None;
    }
    let key: String = word
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .take(COGNATE_PREFIX)
        .collect();
    Some(key)
}

/// The shared key space.
#[derive(Debug, Default)]
pub(crate) struct KeyTable {
    ids: AHashMap<String, u32>,
}

impl KeyTable {
    fn intern(&mut self, namespace: char, text: &str) -> u32 {
        let mut k = String::with_capacity(text.len() + 1);
        k.push(namespace);
        k.push_str(text);
        let next = self.ids.len() as u32;
        *self.ids.entry(k).or_insert(next)
    }

    /// The key of a target word.
    pub fn word(&mut self, text: &str) -> u32 {
        self.intern('w', text)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Keys of every target token id: itself and its cognate key.
    pub fn target_keys(&mut self, side: &Side) -> Vec<Keys> {
        side.vocab
            .iter()
            .map(|w| {
                let mut keys = Keys::new();
                keys.push(self.word(w));
                if let Some(c) = cognate(w) {
                    keys.push(self.intern('c', &c));
                }
                keys
            })
            .collect()
    }

    /// Keys of every source token id: itself, its cognate key, and its
    /// translations in `lexicon`.
    pub fn source_keys(&mut self, side: &Side, lexicon: Option<&Lexicon>) -> Vec<Keys> {
        side.vocab
            .iter()
            .map(|w| {
                let mut keys = Keys::new();
                keys.push(self.word(w));
                if let Some(c) = cognate(w) {
                    keys.push(self.intern('c', &c));
                }
                let Some(lexicon) = lexicon else { return keys };
                // A compound without an entry of its own is covered by the
                // translations of its parts.
                let parts = lexicon
                    .compound_parts(w)
                    .unwrap_or_else(|| vec![w.as_str()]);
                for t in parts.iter().flat_map(|p| lexicon.translations(p)) {
                    let k = self.word(t);
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                keys
            })
            .collect()
    }
}

/// For each sentence, the sorted distinct keys of its tokens.
pub(crate) fn sentence_keys(side: &Side, keys: &[Keys]) -> Vec<Vec<u32>> {
    side.sents
        .iter()
        .map(|s| {
            let mut ks: Vec<u32> = s
                .iter()
                .flat_map(|&t| keys[t as usize].iter().copied())
                .collect();
            ks.sort_unstable();
            ks.dedup();
            ks
        })
        .collect()
}

/// For each key, the sentences (sorted) whose key sets hold it.
pub(crate) fn postings(sent_keys: &[Vec<u32>], n_keys: usize) -> Vec<Vec<u32>> {
    let mut post = vec![Vec::new(); n_keys];
    for (i, ks) in sent_keys.iter().enumerate() {
        for &k in ks {
            post[k as usize].push(i as u32);
        }
    }
    post
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_words_numbers_and_question_marks() {
        let lex = Lexicon::new();
        let mut toks = Vec::new();
        tokenize("Wer kam 1956 zurück? «Niemand»", &lex, true, &mut |t| {
            toks.push(t.to_string())
        });
        assert_eq!(
            toks,
            ["wer", "kam", "1956", "zurück", "?", "\"", "niemand", "\""]
        );
    }

    #[test]
    fn cognates_ignore_accents_and_case_is_folded_before() {
        assert_eq!(cognate("expédition"), cognate("expedition"));
        assert_eq!(cognate("abc"), None);
        assert_eq!(cognate("1956er"), None);
    }

    #[test]
    fn chinese_runs_are_cut_by_the_lexicon() {
        let mut lex = Lexicon::new();
        lex.insert("友谊", "friendship");
        let side = Side::new(&["伟大友谊。"], &lex, true);
        let words: Vec<&str> = side.sents[0]
            .iter()
            .map(|&t| side.vocab[t as usize].as_str())
            .collect();
        assert!(
            words.contains(&"友谊") && words.contains(&"伟"),
            "{words:?}"
        );
    }
}
