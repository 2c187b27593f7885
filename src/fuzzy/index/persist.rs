//! The index as bytes: flat little-endian arrays behind a magic number, so a
//! persistent store can keep it beside its data and load it in one read
//! instead of re-tokenizing every segment. The arrays are read straight
//! into the index's own vectors, with no copy of the whole in between.

use std::hash::Hasher;
use std::io::{self, Read, Write};

use zerocopy::IntoBytes;

use super::{FuzzyIndex, Vocabulary};

// 03: 々〆〇, half-width katakana, bopomofo and the kana supplements are
// tokens of one character each (an 02 index tokenized them as words).
const MAGIC: &[u8; 8] = b"TMKFZI03";

/// A hasher that hashes nothing, for reads and writes that need no check.
struct NoHash;

impl Hasher for NoHash {
    fn write(&mut self, _: &[u8]) {}
    fn finish(&self) -> u64 {
        0
    }
}

impl FuzzyIndex {
    /// Writes the index (see [`FuzzyIndex::from_bytes`] to read it back).
    pub fn write_to<W: Write>(&self, out: &mut W) -> io::Result<()> {
        self.write_hashed(out, &mut NoHash)
    }

    /// [`FuzzyIndex::write_to`], feeding `hasher` every byte written, piece
    /// by piece, as [`FuzzyIndex::read_hashed`] feeds it what it reads.
    pub fn write_hashed<W: Write>(&self, out: &mut W, hasher: &mut dyn Hasher) -> io::Result<()> {
        put(out, hasher, MAGIC)?;
        let mut text = Vec::new();
        let mut ends = Vec::with_capacity(self.vocab.len());
        for id in 0..self.vocab.len() as u32 {
            text.extend_from_slice(self.vocab.token(id).unwrap_or_default().as_bytes());
            ends.push(text.len() as u32);
        }
        write_bytes(out, hasher, &text)?;
        for list in [
            &ends,
            &self.entry_of,
            &self.tie_rank,
            &self.token_offsets,
            &self.tokens,
            &self.length_starts,
            &self.posting_offsets,
            &self.postings,
            &self.bitset_of,
            &self.aux_offsets,
            &self.aux,
        ] {
            write_array(out, hasher, list)?;
        }
        let codes: Vec<u32> = self.codes.iter().map(|&c| u32::from(c)).collect();
        write_array(out, hasher, &codes)?;
        write_array(out, hasher, &self.exact_hashes)?;
        write_array(out, hasher, &self.exact_segs)?;
        write_array(out, hasher, &self.bits)?;
        put(out, hasher, &(self.bit_words as u64).to_le_bytes())
    }

    /// Reads an index written by [`FuzzyIndex::write_to`]; `Err` says what is
    /// wrong with the bytes (another format, truncated, inconsistent).
    ///
    /// ```
    /// use tmkit::fuzzy::FuzzyIndex;
    /// use tmkit::tm::{LanguagePair, MemoryTm, parse_tsv};
    /// let mut tm = MemoryTm::new(LanguagePair::new("en".parse()?, "fr".parse()?));
    /// let mut entries = Vec::new();
    /// parse_tsv("The cat.\tLe chat.\n", None, 0, &mut entries)?;
    /// entries.into_iter().for_each(|e| tm.push(e));
    /// let index = FuzzyIndex::build(&tm);
    /// let mut bytes = Vec::new();
    /// index.write_to(&mut bytes).unwrap();
    /// assert_eq!(FuzzyIndex::from_bytes(&bytes).unwrap().len(), 1);
    /// # Ok::<(), tmkit::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<FuzzyIndex, String> {
        Self::read_hashed(&mut &bytes[..], bytes.len() as u64, &mut NoHash)
    }

    /// Reads an index of `len` bytes from `input` (the whole of what
    /// [`FuzzyIndex::write_hashed`] wrote: nothing may follow), each array
    /// straight into the index's own vector, feeding `hasher` every byte
    /// read, in the pieces [`FuzzyIndex::write_hashed`] fed it. No length read from `input` is
    /// believed beyond `len`, so damaged bytes never allocate more.
    pub fn read_hashed<R: Read>(
        input: &mut R,
        len: u64,
        hasher: &mut dyn Hasher,
    ) -> Result<FuzzyIndex, String> {
        let mut r = Cursor {
            input,
            hasher,
            left: len,
        };
        if r.take::<8>()? != *MAGIC {
            return Err("not a tmkit fuzzy index (or an older format)".into());
        }
        let text: Vec<u8> = r.array()?;
        let ends: Vec<u32> = r.array()?;
        let mut vocab = Vocabulary::default();
        let mut start = 0usize;
        for &end in &ends {
            let token = text
                .get(start..end as usize)
                .and_then(|t| std::str::from_utf8(t).ok())
                .ok_or("a vocabulary entry is out of bounds or not UTF-8")?;
            vocab.intern(token);
            start = end as usize;
        }
        if vocab.len() != ends.len() {
            return Err("the vocabulary holds a token twice".into());
        }
        let entry_of: Vec<u32> = r.array()?;
        let tie_rank: Vec<u32> = r.array()?;
        let token_offsets: Vec<u32> = r.array()?;
        let tokens: Vec<u32> = r.array()?;
        let length_starts: Vec<u32> = r.array()?;
        let posting_offsets: Vec<u32> = r.array()?;
        let postings: Vec<u32> = r.array()?;
        let bitset_of: Vec<u32> = r.array()?;
        let aux_offsets: Vec<u32> = r.array()?;
        let aux: Vec<u32> = r.array()?;
        let codes: Vec<u32> = r.array()?;
        let codes: Vec<u16> = codes.into_iter().map(|c| c as u16).collect();
        let hashes: Vec<u64> = r.array()?;
        let segs: Vec<u32> = r.array()?;
        let bits: Vec<u64> = r.array()?;
        let bit_words = u64::from_le_bytes(r.take::<8>()?) as usize;
        let n = entry_of.len();
        let consistent = tie_rank.len() == n
            && token_offsets.len() == n + 1
            && token_offsets
                .last()
                .is_some_and(|&e| e as usize == tokens.len())
            && posting_offsets.len() == vocab.len() + 1
            && posting_offsets
                .last()
                .is_some_and(|&e| e as usize == postings.len())
            && bitset_of.len() == vocab.len()
            && hashes.len() == n
            && codes.len() == n
            && aux_offsets.len() == 2 * n + 1
            && aux_offsets.last().is_some_and(|&e| e as usize == aux.len())
            && segs.len() == n
            && bit_words == n.div_ceil(64)
            && length_starts.last().is_some_and(|&e| e as usize == n)
            && tokens.iter().all(|&t| (t as usize) < vocab.len())
            && postings.iter().chain(&segs).all(|&s| (s as usize) < n)
            && r.left == 0;
        if !consistent {
            return Err("the index arrays do not fit together (a damaged file)".into());
        }
        Ok(FuzzyIndex {
            vocab,
            entry_of,
            tie_rank,
            token_offsets,
            tokens,
            length_starts,
            posting_offsets,
            postings,
            exact_hashes: hashes,
            exact_segs: segs,
            bitset_of,
            bits,
            bit_words,
            aux_offsets,
            aux,
            codes,
        })
    }
}

/// Writes `bytes`, and hashes them.
fn put<W: Write>(out: &mut W, hasher: &mut dyn Hasher, bytes: &[u8]) -> io::Result<()> {
    hasher.write(bytes);
    out.write_all(bytes)
}

fn write_bytes<W: Write>(out: &mut W, hasher: &mut dyn Hasher, bytes: &[u8]) -> io::Result<()> {
    put(out, hasher, &(bytes.len() as u64).to_le_bytes())?;
    put(out, hasher, bytes)
}

/// One array, length-prefixed, its elements little-endian.
fn write_array<W: Write, T: Element>(
    out: &mut W,
    hasher: &mut dyn Hasher,
    list: &[T],
) -> io::Result<()> {
    if cfg!(target_endian = "little") {
        write_bytes(out, hasher, list.as_bytes())
    } else {
        let le: Vec<T> = list.iter().map(|v| v.swap_le()).collect();
        write_bytes(out, hasher, le.as_bytes())
    }
}

/// What an index array holds: plain numbers, read and written as bytes.
trait Element:
    zerocopy::FromBytes + zerocopy::IntoBytes + zerocopy::Immutable + Copy + Default
{
    /// The value turned from or to little-endian (nothing on a
    /// little-endian machine).
    fn swap_le(self) -> Self;
}

impl Element for u8 {
    fn swap_le(self) -> Self {
        self
    }
}

impl Element for u32 {
    fn swap_le(self) -> Self {
        self.to_le()
    }
}

impl Element for u64 {
    fn swap_le(self) -> Self {
        self.to_le()
    }
}

/// Reads length-prefixed arrays off a stream of known length.
struct Cursor<'r, R> {
    input: &'r mut R,
    hasher: &'r mut dyn Hasher,
    left: u64,
}

impl<R: Read> Cursor<'_, R> {
    /// Fills `buf` from the input, and hashes it.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), String> {
        let n = buf.len() as u64;
        if n > self.left {
            return Err("the index file is truncated".into());
        }
        self.input
            .read_exact(buf)
            .map_err(|_| "the index file is truncated")?;
        self.left -= n;
        self.hasher.write(buf);
        Ok(())
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut buf = [0u8; N];
        self.fill(&mut buf)?;
        Ok(buf)
    }

    /// A length-prefixed array, read into its vector.
    fn array<T: Element>(&mut self) -> Result<Vec<T>, String> {
        let bytes = u64::from_le_bytes(self.take::<8>()?);
        if bytes > self.left {
            return Err("the index file is truncated".into());
        }
        let size = std::mem::size_of::<T>() as u64;
        if bytes % size != 0 {
            return Err("an array has a partial element".into());
        }
        let mut list = vec![
            T::default();
            usize::try_from(bytes / size)
                .map_err(|_| "an array length overflows")?
        ];
        self.fill(list.as_mut_bytes())?;
        if cfg!(target_endian = "big") {
            list.iter_mut().for_each(|v| *v = v.swap_le());
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use crate::fuzzy::{FuzzyIndex, SearchParams};
    use crate::tm::{LanguagePair, MemoryTm, parse_tsv};

    #[test]
    fn a_reloaded_index_answers_exactly_as_the_built_one() {
        let mut tm = MemoryTm::new(LanguagePair::new(
            "en".parse().unwrap(),
            "fr".parse().unwrap(),
        ));
        let tsv: String = (0..3000)
            .map(|i| format!("the cat number {} sat on mat {}\tx\n", i % 97, i % 13))
            .collect();
        let mut entries = Vec::new();
        parse_tsv(&tsv, None, 0, &mut entries).unwrap();
        entries.into_iter().for_each(|e| tm.push(e));
        let built = FuzzyIndex::build(&tm);
        let mut bytes = Vec::new();
        built.write_to(&mut bytes).unwrap();
        let loaded = FuzzyIndex::from_bytes(&bytes).unwrap();
        let params = SearchParams {
            k: 5,
            min_score: 50,
        };
        let (mut a, mut b) = (built.searcher(), loaded.searcher());
        for q in [
            "the cat number 5 sat on mat 7",
            "a dog number 12 sat",
            "mat 3",
        ] {
            assert_eq!(
                a.search(q, params, &|_| false),
                b.search(q, params, &|_| false)
            );
        }
        assert!(FuzzyIndex::from_bytes(&bytes[..bytes.len() - 3]).is_err());
        assert!(FuzzyIndex::from_bytes(b"SQLite format 3").is_err());
        // Every cut is seen, and trailing bytes too.
        for cut in (0..bytes.len()).step_by(97) {
            assert!(FuzzyIndex::from_bytes(&bytes[..cut]).is_err(), "{cut}");
        }
        assert!(FuzzyIndex::from_bytes(&[&bytes[..], &[0]].concat()).is_err());
    }

    #[test]
    fn a_damaged_length_allocates_nothing() {
        // A first array said to hold 2^62 bytes, in a file of 24: refused
        // before anything is allocated for it.
        let mut bytes = super::MAGIC.to_vec();
        bytes.extend_from_slice(&(1u64 << 62).to_le_bytes());
        bytes.extend_from_slice(&[0; 8]);
        let err = FuzzyIndex::from_bytes(&bytes).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn the_hasher_sees_what_is_written_as_it_is_read() {
        use std::hash::Hasher;

        let mut tm = MemoryTm::new(LanguagePair::new(
            "en".parse().unwrap(),
            "fr".parse().unwrap(),
        ));
        let mut entries = Vec::new();
        parse_tsv(
            "The cat.\tLe chat.\nA dog.\tUn chien.\n",
            None,
            0,
            &mut entries,
        )
        .unwrap();
        entries.into_iter().for_each(|e| tm.push(e));
        let mut bytes = Vec::new();
        let mut written = std::collections::hash_map::DefaultHasher::new();
        FuzzyIndex::build(&tm)
            .write_hashed(&mut bytes, &mut written)
            .unwrap();
        let mut read = std::collections::hash_map::DefaultHasher::new();
        let index =
            FuzzyIndex::read_hashed(&mut &bytes[..], bytes.len() as u64, &mut read).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(read.finish(), written.finish());
    }
}
