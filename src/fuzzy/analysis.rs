//! The analysis report translation work is quoted from: how many segments and
//! words of a job fall in each match band against a memory, per file and in
//! total. A segment seen earlier in the job (same file or an earlier one) is a
//! repetition; the first occurrence takes its band from its best match. A
//! 100% match whose previous segment in the file is also the source of the
//! memory entry just before it (same memory file) is a context match (101%):
//! the memory translated this sentence in the same place of a document.

use ahash::AHashSet;
use rayon::prelude::*;

use super::{MatchOptions, MatchSession, Matcher};
use crate::text::{nfc, tokenize::word_count};
use crate::tm::TranslationMemory;

/// A match band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Band {
    /// The same segment occurred earlier in the job.
    Repetition,
    /// 101%: an exact match whose preceding segment matches too.
    Context,
    /// 100%: the memory holds this exact source.
    Exact,
    /// 95–99%.
    High,
    /// 85–94%.
    Good,
    /// 75–84%.
    Fair,
    /// 50–74%.
    Low,
    /// Below 50%, or nothing in the memory.
    NoMatch,
}

impl Band {
    /// Every band, in report order.
    pub const ALL: [Band; 8] = [
        Band::Repetition,
        Band::Context,
        Band::Exact,
        Band::High,
        Band::Good,
        Band::Fair,
        Band::Low,
        Band::NoMatch,
    ];

    /// The band of a best score (`None`: no match at 50% or more).
    pub fn of_score(score: Option<u8>) -> Band {
        match score {
            Some(100..) => Band::Exact,
            Some(95..=99) => Band::High,
            Some(85..=94) => Band::Good,
            Some(75..=84) => Band::Fair,
            Some(50..=74) => Band::Low,
            _ => Band::NoMatch,
        }
    }

    /// The band's label in reports.
    pub fn label(self) -> &'static str {
        match self {
            Band::Repetition => "repetitions",
            Band::Context => "101%",
            Band::Exact => "100%",
            Band::High => "95-99%",
            Band::Good => "85-94%",
            Band::Fair => "75-84%",
            Band::Low => "50-74%",
            Band::NoMatch => "no match",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// Segments and words in one band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Segments.
    pub segments: u64,
    /// Words ([`crate::text::tokenize::word_count`]).
    pub words: u64,
}

/// Segments and words per band.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BandTable {
    tallies: [Tally; 8],
}

impl BandTable {
    /// The tally of `band`.
    pub fn get(&self, band: Band) -> Tally {
        self.tallies[band.slot()]
    }

    /// All bands together.
    pub fn total(&self) -> Tally {
        self.tallies.iter().fold(Tally::default(), |a, t| Tally {
            segments: a.segments + t.segments,
            words: a.words + t.words,
        })
    }

    fn add(&mut self, band: Band, words: u64) {
        let t = &mut self.tallies[band.slot()];
        t.segments += 1;
        t.words += words;
    }

    fn merge(&mut self, other: &BandTable) {
        for (a, b) in self.tallies.iter_mut().zip(other.tallies.iter()) {
            a.segments += b.segments;
            a.words += b.words;
        }
    }
}

impl serde::Serialize for BandTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(Band::ALL.len() + 1))?;
        for band in Band::ALL {
            map.serialize_entry(band.label(), &self.get(band))?;
        }
        map.serialize_entry("total", &self.total())?;
        map.end()
    }
}

/// The report for one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileAnalysis {
    /// The file's name as given.
    pub name: String,
    /// Its bands.
    pub bands: BandTable,
}

/// Accumulates a job's analysis, file by file, in job order.
pub struct Analyzer<'m, T> {
    /// One lookup session per worker thread, kept for the whole job.
    sessions: Vec<MatchSession<'m, T>>,
    seen: AHashSet<String>,
    total: BandTable,
}

impl<'m, T: TranslationMemory> Analyzer<'m, T> {
    /// A new job against `matcher`'s memory.
    pub fn new(matcher: &'m Matcher<T>) -> Self {
        let threads = rayon::current_num_threads().max(1);
        Analyzer {
            sessions: (0..threads).map(|_| matcher.session()).collect(),
            seen: AHashSet::new(),
            total: BandTable::default(),
        }
    }

    /// Analyzes the next file's segments (matching on all cores) and adds them to the total.
    pub fn add_file(&mut self, name: &str, segments: &[&str]) -> FileAnalysis {
        // Repetitions depend on order, so they are decided before matching in parallel.
        let first: Vec<bool> = segments
            .iter()
            .map(|s| self.seen.insert(nfc(s.trim()).into_owned()))
            .collect();
        let options = MatchOptions {
            min_score: 50,
            max_results: 1,
            exhaustive: false,
        };
        let share = segments.len().div_ceil(self.sessions.len()).max(1);
        let offsets: Vec<usize> = (0..segments.len()).collect();
        let bands: Vec<(Band, u64)> = self
            .sessions
            .par_iter_mut()
            .zip(segments.par_chunks(share).zip(first.par_chunks(share)))
            .zip(offsets.par_chunks(share))
            .flat_map_iter(|((session, (segs, firsts)), at)| {
                segs.iter()
                    .zip(firsts)
                    .zip(at)
                    .map(|((segment, &is_first), &i)| {
                        let words = word_count(segment) as u64;
                        if !is_first {
                            return (Band::Repetition, words);
                        }
                        let best = session.best(segment, &options).first().map(|h| h.score);
                        let previous = i.checked_sub(1).and_then(|p| segments.get(p));
                        if best == Some(100)
                            && let Some(previous) = previous
                            && session.in_context(segment, previous)
                        {
                            return (Band::Context, words);
                        }
                        (Band::of_score(best), words)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut table = BandTable::default();
        for (band, words) in bands {
            table.add(band, words);
        }
        self.total.merge(&table);
        FileAnalysis {
            name: name.to_string(),
            bands: table,
        }
    }

    /// The job's total so far.
    pub fn total(&self) -> &BandTable {
        &self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tm::{LanguagePair, MemoryTm, parse_tsv};

    fn matcher(tsv: &str) -> Matcher<MemoryTm> {
        let mut tm = MemoryTm::new(LanguagePair::new(
            "en".parse().unwrap(),
            "fr".parse().unwrap(),
        ));
        let f = tm.add_file("m.tsv").unwrap();
        let mut entries = Vec::new();
        parse_tsv(tsv, None, f, &mut entries).unwrap();
        entries.into_iter().for_each(|e| tm.push(e));
        Matcher::new(tm)
    }

    #[test]
    fn bands_and_repetitions_across_files() {
        let m =
            matcher("The cat sat on the mat.\tLe chat.\nI like green tea very much.\tJ'aime.\n");
        let mut a = Analyzer::new(&m);
        let f1 = a.add_file(
            "a",
            &[
                "The cat sat on the mat.",
                "I like green tea very much!",
                "Zebras dance.",
            ],
        );
        assert_eq!(f1.bands.get(Band::Exact).segments, 1);
        assert_eq!(f1.bands.get(Band::High).segments, 1); // "!" for ".": 99%
        assert_eq!(f1.bands.get(Band::NoMatch).words, 2);
        let f2 = a.add_file("b", &["Zebras dance.", "The cat sat on the mat."]);
        assert_eq!(f2.bands.get(Band::Repetition).segments, 2);
        assert_eq!(a.total().total().segments, 5);
        assert_eq!(a.total().get(Band::Repetition).words, 8);
    }

    #[test]
    fn exact_match_after_its_memory_neighbour_is_a_context_match() {
        let m = matcher("Intro sentence here.\tA\nThe cat sat down.\tB\nOther words.\tC\n");
        let mut a = Analyzer::new(&m);
        let f = a.add_file(
            "a",
            &[
                "Intro sentence here.",
                "The cat sat down.",
                "The cat sat down!",
            ],
        );
        assert_eq!(
            f.bands.get(Band::Exact).segments,
            1,
            "the first has no previous segment"
        );
        assert_eq!(f.bands.get(Band::Context).segments, 1);
        let g = a.add_file("b", &["Other words.", "Intro sentence here."]);
        // "Intro sentence here." repeats from file a.
        assert_eq!(g.bands.get(Band::Repetition).segments, 1);
        let h = a.add_file("c", &["Something new.", "Other words."]);
        assert_eq!(h.bands.get(Band::Exact).segments, 0);
        assert_eq!(h.bands.get(Band::Repetition).segments, 1);
        let mut fresh = Analyzer::new(&m);
        let k = fresh.add_file("d", &["Zebra.", "The cat sat down."]);
        assert_eq!(
            k.bands.get(Band::Exact).segments,
            1,
            "wrong neighbour: plain 100%"
        );
    }

    #[test]
    fn band_edges() {
        assert_eq!(Band::of_score(Some(95)), Band::High);
        assert_eq!(Band::of_score(Some(94)), Band::Good);
        assert_eq!(Band::of_score(Some(75)), Band::Fair);
        assert_eq!(Band::of_score(Some(74)), Band::Low);
        assert_eq!(Band::of_score(Some(49)), Band::NoMatch);
        assert_eq!(Band::of_score(None), Band::NoMatch);
    }
}
