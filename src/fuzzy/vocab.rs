//! Token interning: every distinct match token gets a dense `u32` id, so
//! segments become flat id arrays that compare, hash and index cheaply.

use ahash::AHashMap;

use super::score::TokenSets;

/// Id given to query tokens the vocabulary has never seen: no memory segment
/// contains them.
pub const UNKNOWN_TOKEN: u32 = u32::MAX;

/// A token ↔ id table. Ids are dense, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    ids: AHashMap<Box<str>, u32>,
    tokens: Vec<Box<str>>,
}

impl Vocabulary {
    /// Number of distinct tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True when no token has been interned.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The id of `token`, if interned.
    #[inline]
    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// The id of `token`, interning it when new.
    pub fn intern(&mut self, token: &str) -> u32 {
        if let Some(&id) = self.ids.get(token) {
            return id;
        }
        let id = self.tokens.len() as u32;
        let boxed: Box<str> = token.into();
        self.tokens.push(boxed.clone());
        self.ids.insert(boxed, id);
        id
    }

    /// The token of `id`.
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(|t| &**t)
    }

    /// Normalizes and tokenizes `text` into `sets`, interning every token.
    ///
    /// ```
    /// use tmkit::fuzzy::{TokenSets, Vocabulary};
    /// let (mut v, mut sets) = (Vocabulary::default(), TokenSets::default());
    /// v.intern_sets("The cat, the 2 hats.", &mut sets);
    /// assert_eq!(sets.scored, [0, 1, 0, 4]);
    /// assert_eq!(sets.numbers, [3]);
    /// assert_eq!(sets.punctuation, [2, 5]);
    /// ```
    pub fn intern_sets(&mut self, text: &str, sets: &mut TokenSets) {
        sets.fill_text(text, |t| self.intern(t));
    }

    /// Fills `sets` with the ids of `text`'s tokens, [`UNKNOWN_TOKEN`] for new ones.
    pub fn lookup_sets(&self, text: &str, sets: &mut TokenSets) {
        sets.fill_text(text, |t| self.id(t).unwrap_or(UNKNOWN_TOKEN));
    }
}
