//! When two units are duplicates: the one definition `tmx stats` counts
//! and `tmx merge` removes, so that the N duplicates `tmx stats` reports
//! are the N units `tmx merge` of the same file takes out.
//!
//! Two units are duplicates when they hold the same texts in the same
//! languages, in any order: each variant's language (its canonical tag,
//! compared case-insensitively: `EN-us` is `en-US`) and its text with the
//! inline codes as placeholders (`<b>Save</b>` and `Save` differ, as two
//! units that a tool would paste back differently do). Ids, dates, props
//! and notes do not count. Units without variants are duplicates of each
//! other.

use std::hash::{BuildHasher, Hash, Hasher};

use super::model::Tu;
use super::stats::lang_key;

/// Which units repeat an earlier one (see the module's definition).
///
/// ```
/// use tmkit::tmx::{Tu, Tuv, duplicates::Duplicates};
/// let unit = |en: &str, fr: &str, fr_tag: &str| {
///     Tu::new(vec![Tuv::new("en", en), Tuv::new(fr_tag, fr)])
/// };
/// let mut seen = Duplicates::new();
/// assert!(!seen.is_repeat(&unit("Save", "Enregistrer", "fr")));
/// assert!(seen.is_repeat(&unit("Save", "Enregistrer", "FR")));
/// assert!(!seen.is_repeat(&unit("Save", "Sauver", "fr")));
/// ```
pub struct Duplicates {
    keys: UnitKeys,
    seen: ahash::AHashSet<u128>,
}

impl Default for Duplicates {
    fn default() -> Self {
        Self::new()
    }
}

impl Duplicates {
    /// No unit seen yet.
    pub fn new() -> Self {
        Duplicates {
            keys: UnitKeys::new(),
            seen: ahash::AHashSet::new(),
        }
    }

    /// Whether `tu` duplicates a unit seen before; it is seen from now on.
    pub fn is_repeat(&mut self, tu: &Tu) -> bool {
        self.keys.read(tu);
        !self.seen.insert(self.keys.key(None))
    }
}

/// A unit's variants for hashing: languages interned by their canonical tag
/// (memories have few), texts built in one reused buffer, so no allocation
/// per variant. Keys hash a language by its canonical tag, not by its
/// interned number, so that the keys of inputs read on different threads
/// agree.
pub(crate) struct UnitKeys {
    hasher: ahash::RandomState,
    hasher2: ahash::RandomState,
    /// Language spellings seen and their interned canonical tag.
    spellings: Vec<(String, u16)>,
    /// Canonical tags (lowercase), by interned number.
    canonical: Vec<String>,
    /// The hash of each canonical tag, by interned number.
    lang_hash: Vec<u64>,
    /// The current unit's texts, one after the other.
    texts: String,
    /// The current unit's variants: language, and the range of its text.
    pub(crate) variants: Vec<(u16, u32, u32)>,
}

impl UnitKeys {
    pub(crate) fn new() -> Self {
        UnitKeys {
            hasher: ahash::RandomState::with_seeds(11, 12, 13, 14),
            hasher2: ahash::RandomState::with_seeds(21, 22, 23, 24),
            spellings: Vec::new(),
            canonical: Vec::new(),
            lang_hash: Vec::new(),
            texts: String::new(),
            variants: Vec::new(),
        }
    }

    /// The hasher of the keys' first half (also for other hashes of a unit).
    pub(crate) fn hasher(&self) -> &ahash::RandomState {
        &self.hasher
    }

    /// The interned number of a language as written.
    pub(crate) fn lang(&mut self, lang: &str) -> u16 {
        if let Some(&(_, n)) = self.spellings.iter().find(|(l, _)| l == lang) {
            return n;
        }
        let key = lang_key(lang).to_ascii_lowercase();
        let n = match self.canonical.iter().position(|c| *c == key) {
            Some(n) => n,
            None => {
                self.lang_hash.push(self.hasher.hash_one(&key));
                self.canonical.push(key);
                self.canonical.len() - 1
            }
        };
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        if self.spellings.len() < 1024 {
            self.spellings.push((lang.to_string(), n));
        }
        n
    }

    /// The canonical tag (lowercase) of an interned language.
    pub(crate) fn canonical(&self, lang: u16) -> &str {
        &self.canonical[lang as usize]
    }

    /// The hash of a variant's language.
    pub(crate) fn lang_hash(&self, v: (u16, u32, u32)) -> u64 {
        self.lang_hash[v.0 as usize]
    }

    /// A variant's text.
    pub(crate) fn text(&self, v: (u16, u32, u32)) -> &str {
        &self.texts[v.1 as usize..v.2 as usize]
    }

    /// Fills [`UnitKeys::variants`] with the unit's variants, in order.
    pub(crate) fn read(&mut self, tu: &Tu) {
        self.texts.clear();
        self.variants.clear();
        for tuv in &tu.tuvs {
            let lang = self.lang(&tuv.lang);
            let start = self.texts.len() as u32;
            tuv.seg.push_text_with_placeholders(&mut self.texts);
            self.variants.push((lang, start, self.texts.len() as u32));
        }
    }

    /// The key of the unit last read: equal for duplicates, and for
    /// nothing else but with odds of 2^-128. Sorts the variants; `out`, if
    /// given, receives the sorted distinct keys of the variants.
    pub(crate) fn key(&mut self, out: Option<&mut Vec<u64>>) -> u128 {
        let mut variants = std::mem::take(&mut self.variants);
        variants.sort_unstable_by(|&a, &b| {
            self.lang_hash(a)
                .cmp(&self.lang_hash(b))
                .then_with(|| self.text(a).cmp(self.text(b)))
        });
        let mut h1 = self.hasher.build_hasher();
        let mut h2 = self.hasher2.build_hasher();
        for &v in &variants {
            let pair = (self.lang_hash(v), self.text(v));
            pair.hash(&mut h1);
            pair.hash(&mut h2);
        }
        if let Some(out) = out {
            out.clear();
            out.extend(
                variants
                    .iter()
                    .map(|&v| self.hasher2.hash_one((self.lang_hash(v), self.text(v)))),
            );
            out.sort_unstable();
            out.dedup();
        }
        self.variants = variants;
        (u128::from(h1.finish()) << 64) | u128::from(h2.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::Tuv;

    #[test]
    fn order_ids_and_notes_do_not_count_codes_and_languages_do() {
        let tmx = r#"<tmx version="1.4"><header/><body>
<tu tuid="1"><tuv xml:lang="en"><seg>Save <ph x="1"/>now</seg></tuv><tuv xml:lang="fr"><seg>Enregistrer</seg></tuv></tu>
<tu tuid="2"><note>n</note><tuv xml:lang="FR"><seg>Enregistrer</seg></tuv><tuv xml:lang="en"><seg>Save <ph x="9"/>now</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Save now</seg></tuv><tuv xml:lang="fr"><seg>Enregistrer</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Save <ph x="1"/>now</seg></tuv><tuv xml:lang="de"><seg>Enregistrer</seg></tuv></tu>
</body></tmx>"#;
        let units = crate::tmx::Tmx::parse_str(tmx).unwrap().tus;
        let mut seen = Duplicates::new();
        let repeats: Vec<bool> = units.iter().map(|tu| seen.is_repeat(tu)).collect();
        assert_eq!(repeats, [false, true, false, false]);
        assert!(!seen.is_repeat(&Tu::new(vec![])));
        assert!(seen.is_repeat(&Tu::new(vec![])));
        assert!(!seen.is_repeat(&Tu::new(vec![Tuv::new("en", "Save now")])));
    }
}
