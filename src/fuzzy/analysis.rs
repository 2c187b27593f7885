//! The analysis report translation work is quoted from: how many segments,
//! words and CJK characters of a job fall in each match band against a
//! memory, per file and in total, and what they weigh in a price.
//!
//! - A segment seen earlier in the same file is a *repetition*, one seen in an
//!   earlier file a *cross-file repetition*; the first occurrence takes its
//!   band from its best match.
//! - A 100% match whose previous segment in the file is also the source of
//!   the memory entry just before it (same memory file) is a context match
//!   (101%).
//! - A segment that matches an earlier segment of the job at 75% or more,
//!   better than anything in the memory, is an *internal fuzzy* match (the
//!   memoQ and Trados term): once that earlier segment is translated, it
//!   serves this one.
//! - Words follow GMX-V ([`crate::text::tokenize::count_words`]).
//! - A [`WeightGrid`] turns bands into weighted words, and a rate into a price.

use std::str::FromStr;

use ahash::AHashMap;
use rayon::prelude::*;

use super::{MatchOptions, MatchSession, Matcher};
use crate::text::nfc;
use crate::text::tokenize::{WordCount, count_words};
use crate::tm::{Entry, LanguagePair, MemoryTm, Origin, PositionUnit, TranslationMemory};

/// Lowest score an analysis counts as a match (the lowest band).
pub const ANALYSIS_MIN_SCORE: u8 = 50;

/// A match band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Band {
    /// The same segment occurred earlier in the same file.
    Repetition,
    /// The same segment occurred in an earlier file of the job.
    CrossFileRepetition,
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
    /// 95–99% against an earlier segment of the job (better than the memory).
    InternalHigh,
    /// 85–94% against an earlier segment of the job.
    InternalGood,
    /// 75–84% against an earlier segment of the job.
    InternalFair,
    /// 50–74%.
    Low,
    /// Below 50%, or nothing in the memory.
    NoMatch,
}

impl Band {
    /// Every band, in report order.
    pub const ALL: [Band; 12] = [
        Band::Repetition,
        Band::CrossFileRepetition,
        Band::Context,
        Band::Exact,
        Band::High,
        Band::Good,
        Band::Fair,
        Band::InternalHigh,
        Band::InternalGood,
        Band::InternalFair,
        Band::Low,
        Band::NoMatch,
    ];

    /// The band of a best memory score (`None`: no match at 50% or more).
    pub fn of_score(score: Option<u8>) -> Band {
        match score {
            Some(101..) => Band::Context,
            Some(100) => Band::Exact,
            Some(95..=99) => Band::High,
            Some(85..=94) => Band::Good,
            Some(75..=84) => Band::Fair,
            Some(50..=74) => Band::Low,
            _ => Band::NoMatch,
        }
    }

    /// The band of an internal fuzzy score (`None` below 75).
    pub fn internal(score: u8) -> Option<Band> {
        match score {
            95.. => Some(Band::InternalHigh),
            85..=94 => Some(Band::InternalGood),
            75..=84 => Some(Band::InternalFair),
            _ => None,
        }
    }

    /// The band's label in reports.
    pub fn label(self) -> &'static str {
        match self {
            Band::Repetition => "repetitions",
            Band::CrossFileRepetition => "cross-file repetitions",
            Band::Context => "101%",
            Band::Exact => "100%",
            Band::High => "95-99%",
            Band::Good => "85-94%",
            Band::Fair => "75-84%",
            Band::InternalHigh => "internal 95-99%",
            Band::InternalGood => "internal 85-94%",
            Band::InternalFair => "internal 75-84%",
            Band::Low => "50-74%",
            Band::NoMatch => "no match",
        }
    }

    /// The lowest score of the band (`None` for repetitions and no match).
    pub fn lowest_score(self) -> Option<u8> {
        match self {
            Band::Context => Some(101),
            Band::Exact => Some(100),
            Band::High | Band::InternalHigh => Some(95),
            Band::Good | Band::InternalGood => Some(85),
            Band::Fair | Band::InternalFair => Some(75),
            Band::Low => Some(50),
            Band::Repetition | Band::CrossFileRepetition | Band::NoMatch => None,
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// Segments, words and CJK characters in one band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Segments.
    pub segments: u64,
    /// Words (GMX-V, [`count_words`]).
    pub words: u64,
    /// Chinese, Japanese, Thai... characters, counted apart from words.
    pub cjk_chars: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.segments += other.segments;
        self.words += other.words;
        self.cjk_chars += other.cjk_chars;
    }
}

/// Segments, words and characters per band.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BandTable {
    tallies: [Tally; 12],
}

impl BandTable {
    /// The tally of `band`.
    pub fn get(&self, band: Band) -> Tally {
        self.tallies[band.slot()]
    }

    /// All bands together.
    pub fn total(&self) -> Tally {
        let mut total = Tally::default();
        self.tallies.iter().for_each(|t| total.add(t));
        total
    }

    fn add(&mut self, band: Band, count: WordCount) {
        self.tallies[band.slot()].add(&Tally {
            segments: 1,
            words: count.words,
            cjk_chars: count.cjk_chars,
        });
    }

    fn merge(&mut self, other: &BandTable) {
        for (a, b) in self.tallies.iter_mut().zip(other.tallies.iter()) {
            a.add(b);
        }
    }

    /// The weighted words and characters of this table under `grid`, and
    /// their price at `rate` per unit (a CJK character is billed as a word).
    pub fn quote(&self, grid: &WeightGrid, rate: Option<f64>) -> Quote {
        let rows: Vec<QuoteRow> = Band::ALL
            .iter()
            .map(|&band| {
                let tally = self.get(band);
                let weight = grid.weight(band);
                QuoteRow {
                    band: band.label(),
                    tally,
                    weight,
                    weighted_words: weight * tally.words as f64,
                    weighted_cjk_chars: weight * tally.cjk_chars as f64,
                }
            })
            .collect();
        let weighted_words = rows.iter().map(|r| r.weighted_words).sum();
        let weighted_cjk_chars = rows.iter().map(|r| r.weighted_cjk_chars).sum();
        Quote {
            rows,
            total: self.total(),
            weighted_words,
            weighted_cjk_chars,
            price: rate.map(|r| r * (weighted_words + weighted_cjk_chars)),
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

/// One band of a [`Quote`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuoteRow {
    /// The band's label.
    pub band: &'static str,
    /// Its segments, words and characters.
    #[serde(flatten)]
    pub tally: Tally,
    /// Its weight (share of the full rate).
    pub weight: f64,
    /// `weight × words`.
    pub weighted_words: f64,
    /// `weight × cjk_chars`.
    pub weighted_cjk_chars: f64,
}

/// A band table weighed for a price.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Quote {
    /// Every band, in report order.
    pub rows: Vec<QuoteRow>,
    /// All bands together.
    pub total: Tally,
    /// Weighted words of all bands.
    pub weighted_words: f64,
    /// Weighted CJK characters of all bands.
    pub weighted_cjk_chars: f64,
    /// `rate × (weighted words + weighted CJK characters)`, with a rate.
    pub price: Option<f64>,
}

/// What each band's words weigh in a price: `101:0,100:0.1,95:0.3,85:0.6,75:0.8,new:1`.
///
/// A number key is the lowest score of the bands it applies to (a band takes
/// the weight of the highest key at or below its lowest score; internal fuzzy
/// bands weigh as the memory bands of the same scores); `new` applies to
/// segments without a match and to bands below every key; `rep` to
/// repetitions (default: the weight of 100) and `xrep` to cross-file
/// repetitions (default: the weight of repetitions).
///
/// ```
/// use tmkit::fuzzy::analysis::{Band, WeightGrid};
/// let grid: WeightGrid = "100:0.1,75:0.5,new:1".parse()?;
/// assert_eq!(grid.weight(Band::Exact), 0.1);
/// assert_eq!(grid.weight(Band::Context), 0.1);
/// assert_eq!(grid.weight(Band::Good), 0.5);
/// assert_eq!(grid.weight(Band::Low), 1.0);
/// assert_eq!(grid.weight(Band::Repetition), 0.1);
/// # Ok::<(), tmkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WeightGrid {
    /// (lowest score, weight), highest score first.
    thresholds: Vec<(u8, f64)>,
    new: f64,
    repetition: Option<f64>,
    cross_file: Option<f64>,
}

impl Default for WeightGrid {
    fn default() -> Self {
        WeightGrid {
            thresholds: vec![(101, 0.0), (100, 0.1), (95, 0.3), (85, 0.6), (75, 0.8)],
            new: 1.0,
            repetition: None,
            cross_file: None,
        }
    }
}

impl WeightGrid {
    /// The weight of `band`.
    pub fn weight(&self, band: Band) -> f64 {
        let of_score = |score: u8| {
            self.thresholds
                .iter()
                .find(|&&(lowest, _)| lowest <= score)
                .map_or(self.new, |&(_, w)| w)
        };
        match band {
            Band::Repetition => self.repetition.unwrap_or_else(|| of_score(100)),
            Band::CrossFileRepetition => self
                .cross_file
                .or(self.repetition)
                .unwrap_or_else(|| of_score(100)),
            Band::NoMatch => self.new,
            other => other.lowest_score().map_or(self.new, of_score),
        }
    }
}

/// Highest weight a band may have (a share of the full rate): far above
/// any real grid, and low enough that weighted words stay finite.
pub const MAX_WEIGHT: f64 = 1000.0;

/// Highest price per weighted word (`--rate`, the server's `rate`): with
/// it and [`MAX_WEIGHT`] a quote of any job stays a finite number (`1e308`
/// is finite, but its price was not).
pub const MAX_RATE: f64 = 1e9;

impl FromStr for WeightGrid {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: String| crate::Error::Usage(format!("weights {s:?}: {why}"));
        let mut grid = WeightGrid {
            thresholds: Vec::new(),
            new: 1.0,
            repetition: None,
            cross_file: None,
        };
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item
                .split_once(':')
                .ok_or_else(|| bad(format!("{item:?} is not KEY:WEIGHT")))?;
            let weight: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|w: &f64| (0.0..=MAX_WEIGHT).contains(w))
                .ok_or_else(|| {
                    bad(format!(
                        "{value:?} is not a weight (a number from 0 to {MAX_WEIGHT})"
                    ))
                })?;
            match key.trim() {
                "new" => grid.new = weight,
                "rep" => grid.repetition = Some(weight),
                "xrep" => grid.cross_file = Some(weight),
                k => {
                    // A key is a band's lowest score: another (60, a typo
                    // for 50 or 75) would weigh no band, silently.
                    let mut bounds: Vec<u8> =
                        Band::ALL.iter().filter_map(|b| b.lowest_score()).collect();
                    bounds.sort_unstable_by(|a, b| b.cmp(a));
                    bounds.dedup();
                    let lowest: u8 = k.parse().ok().filter(|n| bounds.contains(n)).ok_or_else(
                        || {
                            let list: Vec<String> = bounds.iter().map(u8::to_string).collect();
                            bad(format!(
                                "{k:?} is not a key: a band's lowest score ({}), new, rep or xrep",
                                list.join(", ")
                            ))
                        },
                    )?;
                    grid.thresholds.retain(|&(l, _)| l != lowest);
                    grid.thresholds.push((lowest, weight));
                }
            }
        }
        grid.thresholds
            .sort_by_key(|&(lowest, _)| std::cmp::Reverse(lowest));
        Ok(grid)
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

/// Lowest score of an internal fuzzy match.
pub const INTERNAL_FUZZY_MIN: u8 = 75;

/// Accumulates a job's analysis, file by file, in job order.
pub struct Analyzer<'m, T> {
    /// One lookup session per worker thread, kept for the whole job.
    sessions: Vec<MatchSession<'m, T>>,
    /// First occurrence of each segment (NFC, trimmed): the file it was seen in.
    seen: AHashMap<String, usize>,
    /// First occurrences so far, in job order (the internal fuzzy memory).
    earlier: Vec<String>,
    files: usize,
    total: BandTable,
}

impl<'m, T: TranslationMemory> Analyzer<'m, T> {
    /// A new job against `matcher`'s memory.
    pub fn new(matcher: &'m Matcher<T>) -> Self {
        let threads = rayon::current_num_threads().max(1);
        Analyzer {
            sessions: (0..threads).map(|_| matcher.session()).collect(),
            seen: AHashMap::new(),
            earlier: Vec::new(),
            files: 0,
            total: BandTable::default(),
        }
    }

    /// Analyzes the next file's segments (matching on all cores) and adds them to the total.
    pub fn add_file(&mut self, name: &str, segments: &[&str]) -> FileAnalysis {
        self.add_file_by(name, segments, |session, i, segment| {
            let options = MatchOptions {
                min_score: ANALYSIS_MIN_SCORE,
                max_results: 1,
                exhaustive: false,
            };
            let best = session.best(segment, &options).first().map(|h| h.score);
            let previous = i.checked_sub(1).and_then(|p| segments.get(p));
            match (best, previous) {
                (Some(100), Some(previous)) if session.in_context(segment, previous) => Some(101),
                _ => best,
            }
        })
    }

    /// As [`Analyzer::add_file`], with each segment's best score against the
    /// memory given (`scores[i]`, 50 or more, 101 for an exact match in
    /// context) instead of looked up here: for a caller whose memory is more
    /// than this matcher's (a server's persisted index plus later changes).
    /// Repetitions and internal fuzzy matches are counted as `add_file` does.
    pub fn add_file_scored(
        &mut self,
        name: &str,
        segments: &[&str],
        scores: &[Option<u8>],
    ) -> FileAnalysis {
        self.add_file_by(name, segments, |_, i, _| scores.get(i).copied().flatten())
    }

    /// The analysis of a file, `best` giving a segment's best score against
    /// the memory (101: exact in context).
    fn add_file_by<F>(&mut self, name: &str, segments: &[&str], best: F) -> FileAnalysis
    where
        F: Fn(&mut MatchSession<'m, T>, usize, &str) -> Option<u8> + Sync,
        T: Sync,
    {
        let file = self.files;
        self.files += 1;
        // Repetitions depend on order, so they are decided before matching in
        // parallel; each first occurrence gets its number in the job.
        let mut firsts: Vec<Option<usize>> = Vec::with_capacity(segments.len());
        let mut repeats: Vec<Option<Band>> = Vec::with_capacity(segments.len());
        for s in segments {
            let key = nfc(s.trim()).into_owned();
            match self.seen.get(&key) {
                Some(&f) => {
                    firsts.push(None);
                    repeats.push(Some(if f == file {
                        Band::Repetition
                    } else {
                        Band::CrossFileRepetition
                    }));
                }
                None => {
                    self.seen.insert(key, file);
                    firsts.push(Some(self.earlier.len()));
                    repeats.push(None);
                    self.earlier.push(s.to_string());
                }
            }
        }
        let job = job_matcher(&self.earlier, self.sessions[0].memory().pair());
        let mut job_sessions: Vec<_> = (0..self.sessions.len()).map(|_| job.session()).collect();
        let options = MatchOptions {
            min_score: ANALYSIS_MIN_SCORE,
            max_results: 1,
            exhaustive: false,
        };
        let internal = MatchOptions {
            min_score: INTERNAL_FUZZY_MIN,
            ..options
        };
        let share = segments.len().div_ceil(self.sessions.len()).max(1);
        let offsets: Vec<usize> = (0..segments.len()).collect();
        let bands: Vec<(Band, WordCount)> = self
            .sessions
            .par_iter_mut()
            .zip(job_sessions.par_iter_mut())
            .zip(segments.par_chunks(share).zip(offsets.par_chunks(share)))
            .flat_map_iter(|((session, job_session), (segs, at))| {
                segs.iter()
                    .zip(at)
                    .map(|(segment, &i)| {
                        let count = count_words(segment);
                        if let Some(band) = repeats[i] {
                            return (band, count);
                        }
                        let best = match best(session, i, segment) {
                            Some(101) => return (Band::Context, count),
                            b => b,
                        };
                        let number = firsts[i].unwrap_or(0) as u32;
                        let earlier = job_session
                            .best_before(segment, &internal, number)
                            .first()
                            .map(|h| h.score);
                        if let Some(score) = earlier
                            && best.is_none_or(|b| score > b)
                            && let Some(band) = Band::internal(score)
                        {
                            return (band, count);
                        }
                        (Band::of_score(best), count)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut table = BandTable::default();
        for (band, count) in bands {
            table.add(band, count);
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

/// The job's first occurrences so far as a memory, entry `i` the `i`-th.
fn job_matcher(segments: &[String], pair: &LanguagePair) -> Matcher<MemoryTm> {
    let mut tm = MemoryTm::new(pair.clone());
    let file = tm.add_file("job").unwrap_or_default();
    for (i, s) in segments.iter().enumerate() {
        tm.push(Entry {
            source: s.clone(),
            target: String::new(),
            tuid: None,
            changedate: None,
            source_codes: 0,
            origin: Origin {
                file,
                position: i as u32 + 1,
                unit: PositionUnit::Line,
            },
        });
    }
    Matcher::new(tm)
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
        assert_eq!(f2.bands.get(Band::CrossFileRepetition).segments, 2);
        assert_eq!(a.total().total().segments, 5);
        assert_eq!(a.total().get(Band::CrossFileRepetition).words, 8);
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
        assert_eq!(g.bands.get(Band::CrossFileRepetition).segments, 1);
        let h = a.add_file("c", &["Something new.", "Other words."]);
        assert_eq!(h.bands.get(Band::Exact).segments, 0);
        assert_eq!(h.bands.get(Band::CrossFileRepetition).segments, 1);
        let mut fresh = Analyzer::new(&m);
        let k = fresh.add_file("d", &["Zebra.", "The cat sat down."]);
        assert_eq!(
            k.bands.get(Band::Exact).segments,
            1,
            "wrong neighbour: plain 100%"
        );
    }

    #[test]
    fn internal_fuzzy_matches_earlier_segments_only() {
        let m = matcher("Unrelated memory sentence.\tX\n");
        let mut a = Analyzer::new(&m);
        let f = a.add_file(
            "a",
            &[
                "The committee approved the new budget on Monday.",
                "The committee approved the new budget on Friday.",
                "Something else entirely.",
                "The committee approved the new budget on Monday.",
            ],
        );
        // The second is 87% of the first (7 of 8 words); the first has no earlier match.
        assert_eq!(f.bands.get(Band::InternalGood).segments, 1);
        assert_eq!(f.bands.get(Band::NoMatch).segments, 2);
        assert_eq!(f.bands.get(Band::Repetition).segments, 1);
        let g = a.add_file("b", &["The committee approved the new budget on Sunday."]);
        assert_eq!(g.bands.get(Band::InternalGood).segments, 1, "across files");
    }

    #[test]
    fn weights_and_price() {
        let grid = WeightGrid::default();
        assert_eq!(grid.weight(Band::Context), 0.0);
        assert_eq!(grid.weight(Band::InternalGood), 0.6);
        assert_eq!(grid.weight(Band::Low), 1.0);
        assert_eq!(grid.weight(Band::CrossFileRepetition), 0.1);
        let custom: WeightGrid = "rep:0.2,xrep:0.25,50:0.9".parse().unwrap();
        assert_eq!(custom.weight(Band::Repetition), 0.2);
        assert_eq!(custom.weight(Band::CrossFileRepetition), 0.25);
        assert_eq!(custom.weight(Band::Low), 0.9);
        assert_eq!(custom.weight(Band::Exact), 0.9);
        for bad in [
            "100", "100:x", "abc:1", "102:1", "new:-1", "60:0.9", "80:1", "0:1",
        ] {
            assert!(bad.parse::<WeightGrid>().is_err(), "{bad}");
        }
        let mut table = BandTable::default();
        table.add(
            Band::Exact,
            WordCount {
                words: 10,
                cjk_chars: 0,
            },
        );
        table.add(
            Band::NoMatch,
            WordCount {
                words: 5,
                cjk_chars: 4,
            },
        );
        let quote = table.quote(&grid, Some(0.1));
        assert!((quote.weighted_words - 6.0).abs() < 1e-9);
        assert!((quote.weighted_cjk_chars - 4.0).abs() < 1e-9);
        assert!((quote.price.unwrap() - 1.0).abs() < 1e-9);
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
