//! Digests that say what is already translated: each digest sentence with the
//! best translation a memory holds for it, when it scores at least a minimum.
//!
//! Any memory [`crate::fuzzy::Matcher`] works with; lookups go through a
//! [`MatchSession`] so a caller summarizing many articles keeps one session
//! per thread.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

use crate::fuzzy::{MatchOptions, MatchSession, Matcher};
use crate::tm::TranslationMemory;

use super::Summary;

/// The memory's best translation of a digest sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Translation {
    /// The match percentage (100 = the same sentence).
    pub score: u8,
    /// The memory's source segment.
    pub source: String,
    /// Its translation; when only numbers differ, with the sentence's numbers.
    pub target: String,
}

/// Fills in [`super::SummarySentence::translation`] for every sentence of
/// `summary` with the best memory match scoring at least `min_score`.
/// Returns how many sentences got one.
///
/// ```
/// use tmkit::fuzzy::Matcher;
/// use tmkit::summarize::{Summarizer, translations::translate};
/// use tmkit::tm::{Entry, LanguagePair, MemoryTm, Origin, PositionUnit};
/// let mut tm = MemoryTm::new(LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap()));
/// let file = tm.add_file("memory.tsv").unwrap();
/// tm.push(Entry {
///     source: "The storm hit the coast on Monday.".into(),
///     target: "La tempête a frappé la côte lundi.".into(),
///     tuid: None,
///     changedate: None,
///     source_codes: 0,
///     origin: Origin { file, position: 1, unit: PositionUnit::Line },
/// });
/// let matcher = Matcher::new(tm);
/// let mut summary = Summarizer::default()
///     .summarize_text("The storm hit the coast on Monday.", &"en".parse().unwrap());
/// assert_eq!(translate(&mut summary, &mut matcher.session(), 75), 1);
/// let t = summary.sentences[0].translation.as_ref().unwrap();
/// assert_eq!((t.score, t.target.as_str()), (100, "La tempête a frappé la côte lundi."));
/// ```
pub fn translate<T: TranslationMemory>(
    summary: &mut Summary,
    session: &mut MatchSession<'_, T>,
    min_score: u8,
) -> usize {
    let options = MatchOptions {
        min_score,
        max_results: 1,
        exhaustive: false,
    };
    let mut found = 0;
    for sentence in &mut summary.sentences {
        sentence.translation = session
            .lookup(&sentence.text, &options)
            .into_iter()
            .next()
            .map(|m| {
                // The numbers put in only when the words are the memory's
                // (the penalties make up the rest of 100): a target adapted
                // where other words differ too would read as verified and be
                // half right.
                let taken_off: u32 = m.penalties.iter().map(|p| u32::from(p.points)).sum();
                let only_numbers_differ = u32::from(m.score) + taken_off == 100;
                let target = match m.adapted_target {
                    Some(adapted) if only_numbers_differ => adapted,
                    _ => m.entry.target.clone(),
                };
                Translation {
                    score: m.score,
                    source: m.entry.source.clone(),
                    target,
                }
            });
        found += usize::from(sentence.translation.is_some());
    }
    found
}

/// A memory loaded on a thread of its own while a batch summarizes: the
/// digests made before it is ready wait for it (see [`WaitQueue`]), not the
/// workers that made them.
///
/// [`Loading::load`] runs the loader and records its result even when the
/// loader panics, so nothing that waits for the memory waits forever.
#[derive(Debug)]
pub struct Loading<M, E> {
    cell: OnceLock<Result<M, LoadError<E>>>,
}

/// Why a memory loaded with [`Loading`] is not there.
#[derive(Debug)]
pub enum LoadError<E> {
    /// The loader returned this error.
    Failed(E),
    /// The loader panicked, with this message (when it had one).
    Panicked(Option<String>),
}

impl<E: std::fmt::Display> std::fmt::Display for LoadError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Failed(e) => e.fmt(f),
            LoadError::Panicked(None) => f.write_str("loading the memory failed unexpectedly"),
            LoadError::Panicked(Some(why)) => {
                write!(f, "loading the memory failed unexpectedly: {why}")
            }
        }
    }
}

impl<M, E> Default for Loading<M, E> {
    fn default() -> Self {
        Loading {
            cell: OnceLock::new(),
        }
    }
}

impl<M, E> Loading<M, E> {
    /// A memory not loaded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `loader` (on the calling thread) and records what it gives; a
    /// panic is recorded as [`LoadError::Panicked`], with its message, and
    /// not propagated.
    pub fn load(&self, loader: impl FnOnce() -> Result<M, E>) {
        let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(loader)) {
            Ok(r) => r.map_err(LoadError::Failed),
            Err(payload) => Err(LoadError::Panicked(panic_message(payload.as_ref()))),
        };
        let first = self.cell.set(result).is_ok();
        debug_assert!(first, "a memory is loaded once");
    }

    /// The result, once [`Loading::load`] has run (`None` before).
    pub fn into_result(self) -> Option<Result<M, LoadError<E>>> {
        self.cell.into_inner()
    }
}

/// The message of a panic (`panic!("...")` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

/// Looks digest sentences up in a memory with [`translate`], one search
/// session per thread (sessions are pooled, not made per digest).
pub struct Translator<'m, T: TranslationMemory> {
    matcher: &'m Matcher<T>,
    sessions: Mutex<Vec<MatchSession<'m, T>>>,
    min: u8,
}

impl<'m, T: TranslationMemory> Translator<'m, T> {
    /// Lookups in `matcher` keeping matches scoring at least `min`.
    pub fn new(matcher: &'m Matcher<T>, min: u8) -> Self {
        Translator {
            matcher,
            sessions: Mutex::new(Vec::new()),
            min,
        }
    }

    /// Fills in the translations of `summary`, unless its language is not the
    /// memory's source language.
    pub fn translate(&self, summary: &mut Summary) {
        if summary.language.primary() != self.matcher.memory().pair().source.primary() {
            return;
        }
        let pooled = self.sessions.lock().ok().and_then(|mut s| s.pop());
        let mut session = pooled.unwrap_or_else(|| self.matcher.session());
        translate(summary, &mut session, self.min);
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.push(session);
        }
    }
}

/// The lookups of a batch whose memory is [`Loading`]: a [`Translator`] once
/// the memory is there.
pub struct Deferred<'m, T: TranslationMemory, E> {
    loading: &'m Loading<Matcher<T>, E>,
    translator: OnceLock<Translator<'m, T>>,
    min: u8,
}

/// Where the memory is, for one digest.
pub enum Memory<'a, 'm, T: TranslationMemory> {
    /// Loaded: look the digest up now.
    Ready(&'a Translator<'m, T>),
    /// Still loading: the digest waits.
    Loading,
    /// Loading failed (the batch ends with that error).
    Failed,
}

impl<'m, T: TranslationMemory, E> Deferred<'m, T, E> {
    /// Lookups in the memory `loading` gives, keeping scores of at least `min`.
    pub fn new(loading: &'m Loading<Matcher<T>, E>, min: u8) -> Self {
        Deferred {
            loading,
            translator: OnceLock::new(),
            min,
        }
    }

    /// The memory now, without waiting.
    pub fn now(&self) -> Memory<'_, 'm, T> {
        match self.loading.cell.get() {
            None => Memory::Loading,
            Some(Err(_)) => Memory::Failed,
            Some(Ok(matcher)) => Memory::Ready(
                self.translator
                    .get_or_init(|| Translator::new(matcher, self.min)),
            ),
        }
    }

    /// The memory once loaded (`None` when loading failed). Blocks: never
    /// call it from a rayon worker, since the loader may need them all.
    pub fn wait(&self) -> Option<&Translator<'m, T>> {
        self.loading.cell.wait();
        match self.now() {
            Memory::Ready(t) => Some(t),
            Memory::Loading | Memory::Failed => None,
        }
    }
}

/// What happened to one input of a batch with deferred lookups.
#[derive(Debug)]
pub enum Outcome<D> {
    /// Summarized, looked up (and written, where it goes to a file).
    Done(Box<Summary>),
    /// Left out by the caller (its output existed, for example).
    Skipped,
    /// Summarized before the memory was loaded: its lookups, and its writing
    /// to `D` (the caller's destination), wait for the memory.
    Waiting(Box<Summary>, D),
    /// Left: the memory could not be loaded.
    Abandoned,
}

/// How many outcomes may wait for the memory before the batch stops to wait
/// for it: four of the batch's chunks (`crate::batch::run_ordered`).
const MAX_WAITING: usize = 4 * crate::batch::CHUNK;

/// Outcomes held in input order behind a digest that waits for the memory.
///
/// A batch delivers outcomes in input order; once one digest waits, those
/// after it wait too, so the queue is as long as the memory takes to load,
/// and at most about four of the batch's chunks (then [`WaitQueue::offer`]
/// waits for the memory: call it from the thread that delivers outcomes,
/// never from a rayon worker).
pub struct WaitQueue<'w, D> {
    items: VecDeque<(PathBuf, crate::Result<Outcome<D>>)>,
    on_wait: Option<Box<dyn FnMut() + 'w>>,
}

impl<D> Default for WaitQueue<'_, D> {
    fn default() -> Self {
        WaitQueue {
            items: VecDeque::new(),
            on_wait: None,
        }
    }
}

impl<'w, D: Send> WaitQueue<'w, D> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `on_wait` each time the queue starts to wait for the memory
    /// (it is full, or [`WaitQueue::finish`] is called, while the memory
    /// still loads): where a progress bar says what the batch waits for.
    pub fn on_wait(mut self, on_wait: impl FnMut() + 'w) -> Self {
        self.on_wait = Some(Box::new(on_wait));
        self
    }

    /// How many outcomes wait.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Hands `result` for `input` to `sink`, in input order: at once when
    /// nothing waits, else behind the waiting ones, which are finished (looked
    /// up and given to `write`) as soon as the memory is there. When the
    /// memory failed, waiting digests become [`Outcome::Abandoned`] and the
    /// other outcomes (errors included) still reach `sink`.
    pub fn offer<T, E, W, S>(
        &mut self,
        input: &Path,
        result: crate::Result<Outcome<D>>,
        lookups: &Deferred<'_, T, E>,
        write: &W,
        sink: &mut S,
    ) where
        T: TranslationMemory,
        W: Fn(&Path, &D, &Summary) -> crate::Result<()> + Sync,
        S: FnMut(&Path, crate::Result<Outcome<D>>),
    {
        if self.items.is_empty() && !matches!(result, Ok(Outcome::Waiting(..))) {
            return sink(input, result);
        }
        self.items.push_back((input.to_path_buf(), result));
        match lookups.now() {
            Memory::Loading if self.items.len() < MAX_WAITING => {}
            Memory::Loading | Memory::Ready(_) | Memory::Failed => {
                self.finish(lookups, write, sink)
            }
        }
    }

    /// Hands every outcome `deliver` gives (to the function it is passed)
    /// through the queue to `sink` ([`WaitQueue::offer`]): the queue is
    /// finished at the `expected`-th outcome (so the last wait shows while
    /// the batch's progress bar still does) and again once `deliver`
    /// returns, so no outcome is left waiting however many came.
    pub fn deliver_all<T, E, W, S>(
        &mut self,
        expected: usize,
        lookups: &Deferred<'_, T, E>,
        write: &W,
        sink: &mut S,
        deliver: impl FnOnce(&mut dyn FnMut(&Path, crate::Result<Outcome<D>>)),
    ) where
        T: TranslationMemory,
        W: Fn(&Path, &D, &Summary) -> crate::Result<()> + Sync,
        S: FnMut(&Path, crate::Result<Outcome<D>>),
    {
        let mut delivered = 0;
        deliver(&mut |input: &Path, result: crate::Result<Outcome<D>>| {
            self.offer(input, result, lookups, write, sink);
            delivered += 1;
            if delivered == expected {
                self.finish(lookups, write, sink);
            }
        });
        self.finish(lookups, write, sink);
    }

    /// Waits for the memory, finishes every waiting digest and hands all the
    /// outcomes to `sink`. Call it once the batch has delivered its last one.
    pub fn finish<T, E, W, S>(&mut self, lookups: &Deferred<'_, T, E>, write: &W, sink: &mut S)
    where
        T: TranslationMemory,
        W: Fn(&Path, &D, &Summary) -> crate::Result<()> + Sync,
        S: FnMut(&Path, crate::Result<Outcome<D>>),
    {
        if self.items.is_empty() {
            return;
        }
        if let (Memory::Loading, Some(on_wait)) = (lookups.now(), self.on_wait.as_mut()) {
            on_wait();
        }
        let translator = lookups.wait();
        self.items.par_iter_mut().for_each(|(input, result)| {
            if !matches!(result, Ok(Outcome::Waiting(..))) {
                return;
            }
            let Ok(Outcome::Waiting(mut summary, dest)) =
                std::mem::replace(result, Ok(Outcome::Abandoned))
            else {
                unreachable!("checked to be waiting just above");
            };
            if let Some(translator) = translator {
                translator.translate(&mut summary);
                *result = write(input, &dest, &summary).map(|()| Outcome::Done(summary));
            }
        });
        for (input, result) in self.items.drain(..) {
            sink(&input, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarize::Summarizer;
    use crate::tm::{Entry, LanguagePair, MemoryTm, Origin, PositionUnit};
    use std::sync::mpsc;

    const TEXT: &str = "The storm hit the coast on Monday.";

    /// A memory of one unit.
    fn one_unit_matcher(source: &str, target: &str) -> Matcher<MemoryTm> {
        let pair = LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap());
        let mut tm = MemoryTm::new(pair);
        let file = tm.add_file("memory.tsv").unwrap();
        tm.push(Entry {
            source: source.into(),
            target: target.into(),
            tuid: None,
            changedate: None,
            source_codes: 0,
            origin: Origin {
                file,
                position: 1,
                unit: PositionUnit::Line,
            },
        });
        Matcher::new(tm)
    }

    fn matcher() -> Matcher<MemoryTm> {
        one_unit_matcher(TEXT, "La tempête a frappé la côte lundi.")
    }

    fn digest() -> Box<Summary> {
        Box::new(Summarizer::default().summarize_text(TEXT, &"en".parse().unwrap()))
    }

    fn translated(s: &Summary) -> bool {
        s.sentences[0].translation.is_some()
    }

    /// A memory of one unit with numbers.
    fn numbers_matcher() -> Matcher<MemoryTm> {
        one_unit_matcher(
            "The ports of Baltimore and Norfolk handled 3.9 million containers last year.",
            "Les ports de Baltimore et Norfolk ont traité 3,9 millions de conteneurs l'an dernier.",
        )
    }

    fn translation_of(text: &str) -> Translation {
        let matcher = numbers_matcher();
        let mut summary = Summarizer::default().summarize_text(text, &"en".parse().unwrap());
        assert_eq!(translate(&mut summary, &mut matcher.session(), 50), 1);
        summary.sentences[0].translation.clone().unwrap()
    }

    #[test]
    fn numbers_are_put_in_only_when_nothing_else_differs() {
        // Only the number differs: the target carries the sentence's number.
        let t = translation_of(
            "The ports of Baltimore and Norfolk handled 4.2 million containers last year.",
        );
        assert!(t.target.contains("4,2 millions"), "{}", t.target);
        // A word differs too: the memory's own target, not a half-adapted one.
        let t = translation_of(
            "The ports of Baltimore and Wilmington handled 4.2 million containers last year.",
        );
        assert!(t.score < 100);
        assert!(t.target.contains("3,9 millions"), "{}", t.target);
    }

    type Loaded = Result<Matcher<MemoryTm>, LoadError<String>>;
    type Sunk = Vec<(PathBuf, crate::Result<Outcome<usize>>)>;

    fn no_write(_: &Path, _: &usize, _: &Summary) -> crate::Result<()> {
        Ok(())
    }

    #[test]
    fn waiting_digests_are_finished_in_order_across_a_chunk_boundary() {
        let loading = Loading::<Matcher<MemoryTm>, String>::new();
        let lookups = Deferred::new(&loading, 75);
        let (tx, rx) = mpsc::channel();
        let inputs: Vec<PathBuf> = (0..600)
            .map(|i| PathBuf::from(format!("{i}.txt")))
            .collect();
        let written = Mutex::new(Vec::new());
        let write = |input: &Path, dest: &usize, s: &Summary| {
            assert!(translated(s));
            written.lock().unwrap().push((input.to_path_buf(), *dest));
            Ok(())
        };
        let mut sunk: Sunk = Vec::new();
        let mut queue = WaitQueue::new();
        std::thread::scope(|scope| {
            let loading = &loading;
            scope.spawn(move || loading.load(|| rx.recv().map_err(|e| e.to_string())));
            let mut tx = Some(tx);
            crate::batch::run_ordered(
                &inputs,
                &crate::batch::NoProgress,
                |input| {
                    let mut summary = digest();
                    let n: usize = input
                        .to_string_lossy()
                        .trim_end_matches(".txt")
                        .parse()
                        .unwrap();
                    Ok(match lookups.now() {
                        Memory::Ready(t) => {
                            t.translate(&mut summary);
                            Outcome::Done(summary)
                        }
                        Memory::Loading => Outcome::Waiting(summary, n),
                        Memory::Failed => Outcome::Abandoned,
                    })
                },
                |input, result| {
                    queue.offer(input, result, &lookups, &write, &mut |i: &Path, r| {
                        sunk.push((i.to_path_buf(), r))
                    });
                    // The memory arrives after the first chunk (512 inputs).
                    if input == Path::new("511.txt") {
                        assert_eq!(queue.len(), 512);
                        tx.take().unwrap().send(matcher()).unwrap();
                        assert!(lookups.wait().is_some());
                    }
                },
            );
        });
        assert!(queue.is_empty());
        let order: Vec<&PathBuf> = sunk.iter().map(|(p, _)| p).collect();
        assert_eq!(order, inputs.iter().collect::<Vec<_>>());
        assert!(
            sunk.iter()
                .all(|(_, r)| matches!(r, Ok(Outcome::Done(s)) if translated(s)))
        );
        let written = written.into_inner().unwrap();
        assert_eq!(written.len(), 512);
        assert!(
            written
                .iter()
                .all(|(p, n)| p.as_os_str() == format!("{n}.txt").as_str())
        );
    }

    /// Fewer outcomes than expected (a batch that stopped short): those
    /// waiting for the memory still reach the sink, looked up, once the
    /// batch returns; none is dropped.
    #[test]
    fn deliver_all_leaves_nothing_waiting_when_fewer_outcomes_come() {
        let (sunk, _) = with_loader(
            || Ok(matcher()),
            |queue, lookups, sink, release| {
                let mut sink = sink;
                queue.deliver_all(3, lookups, &no_write, &mut sink, |deliver| {
                    deliver(Path::new("a"), Ok(Outcome::Waiting(digest(), 0)));
                    deliver(Path::new("b"), Ok(Outcome::Waiting(digest(), 1)));
                    release();
                });
                assert!(queue.is_empty());
            },
        );
        let names: Vec<&Path> = sunk.iter().map(|(p, _)| p.as_path()).collect();
        assert_eq!(names, [Path::new("a"), Path::new("b")]);
        assert!(
            sunk.iter()
                .all(|(_, r)| matches!(r, Ok(Outcome::Done(s)) if translated(s)))
        );
    }

    /// The sink a test's queue hands outcomes to.
    type TestSink<'s> = &'s mut dyn FnMut(&Path, crate::Result<Outcome<usize>>);

    /// Runs `drive` with a queue, its lookups and a sink while the memory
    /// loads on another thread: the loader returns `loaded` once `drive`
    /// calls the release it is given, before which nothing may reach the
    /// sink (nothing passes a waiting digest while the memory loads). What
    /// reached the sink, and how loading ended.
    fn with_loader(
        loaded: impl FnOnce() -> Result<Matcher<MemoryTm>, String> + Send,
        drive: impl FnOnce(
            &mut WaitQueue<'_, usize>,
            &Deferred<'_, MemoryTm, String>,
            TestSink<'_>,
            &dyn Fn(),
        ),
    ) -> (Sunk, Option<Loaded>) {
        let loading = Loading::new();
        let sunk = std::cell::RefCell::new(Sunk::new());
        {
            let lookups = Deferred::new(&loading, 75);
            let (tx, rx) = mpsc::channel::<()>();
            let mut queue = WaitQueue::new();
            std::thread::scope(|scope| {
                let loading = &loading;
                scope.spawn(move || {
                    loading.load(|| {
                        rx.recv().unwrap();
                        loaded()
                    })
                });
                let release = || {
                    assert!(sunk.borrow().is_empty());
                    tx.send(()).unwrap();
                };
                drive(
                    &mut queue,
                    &lookups,
                    &mut |p: &Path, r| sunk.borrow_mut().push((p.to_path_buf(), r)),
                    &release,
                );
            });
        }
        (sunk.into_inner(), loading.into_result())
    }

    /// Offers `results` while the memory loads, then lets the loader return
    /// `loaded`, and finishes the queue.
    fn run_queue(
        results: Vec<crate::Result<Outcome<usize>>>,
        loaded: impl FnOnce() -> Result<Matcher<MemoryTm>, String> + Send,
        write: &(dyn Fn(&Path, &usize, &Summary) -> crate::Result<()> + Sync),
    ) -> (Sunk, Option<Loaded>) {
        with_loader(loaded, |queue, lookups, sink, release| {
            let mut sink = sink;
            for (i, r) in results.into_iter().enumerate() {
                queue.offer(Path::new(&i.to_string()), r, lookups, &write, &mut sink);
            }
            release();
            queue.finish(lookups, &write, &mut sink);
        })
    }

    fn behind_a_waiting_one() -> Vec<crate::Result<Outcome<usize>>> {
        vec![
            Ok(Outcome::Waiting(digest(), 0)),
            Ok(Outcome::Skipped),
            Err(crate::Error::invalid(Default::default(), "unreadable")),
            Ok(Outcome::Waiting(digest(), 3)),
        ]
    }

    #[test]
    fn skipped_and_errors_behind_a_waiting_digest_keep_their_place() {
        let (sunk, loaded) = run_queue(behind_a_waiting_one(), || Ok(matcher()), &no_write);
        assert!(matches!(loaded, Some(Ok(_))));
        let names: Vec<_> = sunk
            .iter()
            .map(|(p, _)| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["0", "1", "2", "3"]);
        assert!(matches!(&sunk[0].1, Ok(Outcome::Done(s)) if translated(s)));
        assert!(matches!(sunk[1].1, Ok(Outcome::Skipped)));
        assert!(
            sunk[2]
                .1
                .as_ref()
                .is_err_and(|e| e.to_string().contains("unreadable"))
        );
        assert!(matches!(&sunk[3].1, Ok(Outcome::Done(s)) if translated(s)));
    }

    #[test]
    fn a_write_error_of_a_waiting_digest_is_its_outcome() {
        let write = |_: &Path, dest: &usize, _: &Summary| {
            if *dest == 3 {
                Err(crate::Error::io(
                    Path::new("out/3"),
                    std::io::Error::other("disk full"),
                ))
            } else {
                Ok(())
            }
        };
        let (sunk, _) = run_queue(behind_a_waiting_one(), || Ok(matcher()), &write);
        assert!(matches!(sunk[0].1, Ok(Outcome::Done(_))));
        assert!(
            sunk[3]
                .1
                .as_ref()
                .is_err_and(|e| e.to_string().contains("disk full"))
        );
    }

    #[test]
    fn a_loader_that_fails_abandons_the_waiting_digests_and_keeps_the_errors() {
        let write = |_: &Path, _: &usize, _: &Summary| -> crate::Result<()> {
            panic!("nothing is written without the memory")
        };
        let (sunk, loaded) = run_queue(
            behind_a_waiting_one(),
            || Err("no such file".into()),
            &write,
        );
        assert_eq!(loaded.unwrap().err().unwrap().to_string(), "no such file");
        assert_eq!(sunk.len(), 4);
        assert!(matches!(sunk[0].1, Ok(Outcome::Abandoned)));
        assert!(sunk[2].1.is_err());
        assert!(matches!(sunk[3].1, Ok(Outcome::Abandoned)));
    }

    #[test]
    fn a_loader_that_panics_ends_the_wait_with_an_error() {
        let (sunk, loaded) = run_queue(
            behind_a_waiting_one(),
            || panic!("index corrupted"),
            &no_write,
        );
        let err = loaded.unwrap().err().unwrap();
        assert_eq!(
            err.to_string(),
            "loading the memory failed unexpectedly: index corrupted"
        );
        assert!(matches!(sunk[0].1, Ok(Outcome::Abandoned)));
        assert!(matches!(sunk[3].1, Ok(Outcome::Abandoned)));
        // A formatted message is kept too; a payload of another type is not.
        let (_, loaded) = run_queue(vec![], || panic!("{} segments", 3), &no_write);
        let err = loaded.unwrap().err().unwrap().to_string();
        assert_eq!(err, "loading the memory failed unexpectedly: 3 segments");
        let (_, loaded) = run_queue(vec![], || std::panic::panic_any(7), &no_write);
        let err = loaded.unwrap().err().unwrap().to_string();
        assert_eq!(err, "loading the memory failed unexpectedly");
    }

    /// Offers `n` waiting digests while a loader waits for the queue to
    /// wait (its `on_wait` releases the loader), then finishes the queue:
    /// how many digests reached the sink right after the `n`th offer, and
    /// how many times the queue waited. Whatever the timing, the memory is
    /// loaded only once the queue waits, so nothing passes before.
    fn offer_until_the_queue_waits(n: usize) -> (usize, usize, usize) {
        let loading = Loading::<Matcher<MemoryTm>, String>::new();
        let lookups = Deferred::new(&loading, 75);
        let sunk = std::cell::Cell::new(0);
        let waits = std::cell::Cell::new(0);
        let mut after_offers = 0;
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<()>();
            let loading = &loading;
            scope.spawn(move || {
                loading.load(|| rx.recv().map(|()| matcher()).map_err(|e| e.to_string()))
            });
            // Declared in the scope: on a failed assertion the queue, and the
            // sender its callback holds, are dropped, so the loader ends.
            let mut queue = WaitQueue::new().on_wait(|| {
                waits.set(waits.get() + 1);
                let _ = tx.send(());
            });
            let mut count = |_: &Path, r: crate::Result<Outcome<usize>>| {
                assert!(matches!(r, Ok(Outcome::Done(s)) if translated(&s)));
                sunk.set(sunk.get() + 1);
            };
            for i in 0..n {
                let r = Ok(Outcome::Waiting(digest(), i));
                queue.offer(Path::new("a"), r, &lookups, &no_write, &mut count);
            }
            after_offers = sunk.get();
            queue.finish(&lookups, &no_write, &mut count);
            assert!(queue.is_empty());
        });
        (after_offers, sunk.get(), waits.get())
    }

    #[test]
    fn a_full_queue_waits_for_the_memory() {
        // The bound reached, the offer itself waits for the memory and
        // empties the queue; finishing then has nothing left to wait for.
        assert_eq!(
            offer_until_the_queue_waits(MAX_WAITING),
            (MAX_WAITING, MAX_WAITING, 1)
        );
    }

    #[test]
    fn a_batch_that_ends_before_the_memory_waits_at_the_end_and_says_so() {
        // Under the bound nothing waits until the batch ends; then the
        // queue waits, once, and says so.
        assert_eq!(offer_until_the_queue_waits(3), (0, 3, 1));
        assert_eq!(
            offer_until_the_queue_waits(MAX_WAITING - 1),
            (0, MAX_WAITING - 1, 1)
        );
    }
}
