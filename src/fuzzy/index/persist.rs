//! The index as bytes: flat little-endian arrays behind a magic number, so a
//! persistent store can keep it beside its data and load it in one read
//! instead of re-tokenizing every segment.

use std::io::{self, Write};

use super::{FuzzyIndex, Vocabulary};

const MAGIC: &[u8; 8] = b"TMKFZI02";

impl FuzzyIndex {
    /// Writes the index (see [`FuzzyIndex::from_bytes`] to read it back).
    pub fn write_to<W: Write>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(MAGIC)?;
        let mut text = Vec::new();
        let mut ends = Vec::with_capacity(self.vocab.len());
        for id in 0..self.vocab.len() as u32 {
            text.extend_from_slice(self.vocab.token(id).unwrap_or_default().as_bytes());
            ends.push(text.len() as u32);
        }
        write_bytes(out, &text)?;
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
            write_u32s(out, list)?;
        }
        let codes: Vec<u32> = self.codes.iter().map(|&c| u32::from(c)).collect();
        write_u32s(out, &codes)?;
        let (hashes, segs): (Vec<u64>, Vec<u32>) = self.exact.iter().copied().unzip();
        write_u64s(out, &hashes)?;
        write_u32s(out, &segs)?;
        write_u64s(out, &self.bits)?;
        out.write_all(&(self.bit_words as u64).to_le_bytes())
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
        let mut r = Cursor { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a tmkit fuzzy index (or an older format)".into());
        }
        let text = r.bytes()?;
        let ends = r.u32s()?;
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
        let entry_of = r.u32s()?;
        let tie_rank = r.u32s()?;
        let token_offsets = r.u32s()?;
        let tokens = r.u32s()?;
        let length_starts = r.u32s()?;
        let posting_offsets = r.u32s()?;
        let postings = r.u32s()?;
        let bitset_of = r.u32s()?;
        let aux_offsets = r.u32s()?;
        let aux = r.u32s()?;
        let codes: Vec<u16> = r.u32s()?.into_iter().map(|c| c as u16).collect();
        let hashes = r.u64s()?;
        let segs = r.u32s()?;
        let bits = r.u64s()?;
        let bit_words = u64::from_le_bytes(r.take(8)?.try_into().unwrap_or_default()) as usize;
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
            && r.at == bytes.len();
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
            exact: hashes.into_iter().zip(segs).collect(),
            bitset_of,
            bits,
            bit_words,
            aux_offsets,
            aux,
            codes,
        })
    }
}

fn write_bytes<W: Write>(out: &mut W, bytes: &[u8]) -> io::Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)
}

fn write_u32s<W: Write>(out: &mut W, list: &[u32]) -> io::Result<()> {
    let bytes: Vec<u8> = list.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_bytes(out, &bytes)
}

fn write_u64s<W: Write>(out: &mut W, list: &[u64]) -> io::Result<()> {
    let bytes: Vec<u8> = list.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_bytes(out, &bytes)
}

/// Reads length-prefixed arrays off a byte slice.
struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Cursor<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or("the index file is truncated")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn bytes(&mut self) -> Result<&'b [u8], String> {
        let len = u64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default());
        self.take(usize::try_from(len).map_err(|_| "an array length overflows")?)
    }

    fn u32s(&mut self) -> Result<Vec<u32>, String> {
        let raw = self.bytes()?;
        if raw.len() % 4 != 0 {
            return Err("a u32 array has a partial element".into());
        }
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn u64s(&mut self) -> Result<Vec<u64>, String> {
        let raw = self.bytes()?;
        if raw.len() % 8 != 0 {
            return Err("a u64 array has a partial element".into());
        }
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect())
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
    }
}
