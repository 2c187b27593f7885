//! Catching up with other clients' writes: a store that logs its changes
//! (SQLite and PostgreSQL, [`Store::changes_since`]) is asked, at most every
//! [`INTERVAL_MS`] and by whichever lookup comes first, which units changed
//! since the generation the opened pairs have seen; those units are read
//! back and applied to every pair like the server's own writes, so a unit
//! another process added is found without a rebuild. When the store cannot
//! tell (too much changed), every pair's base is rebuilt, by a rebuild that
//! starts after the answer ([`Rebuilds`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use super::{ServedTm, Source, lock};
use crate::store::Store;

/// The longest a lookup can miss another client's committed write (ms).
pub(super) const INTERVAL_MS: u64 = 20;

/// What the served memory has seen of the store's generations.
pub(super) struct CatchUp {
    /// The generation every opened pair reflects (`None`: not asked yet).
    seen: Mutex<Option<u64>>,
    /// When the store was last asked, in ms since `start` (+1, so 0 is never).
    last: AtomicU64,
    start: Instant,
}

impl Default for CatchUp {
    fn default() -> Self {
        CatchUp {
            seen: Mutex::new(None),
            last: AtomicU64::new(0),
            start: Instant::now(),
        }
    }
}

impl ServedTm {
    /// True when the memory is a store (both engines log their changes);
    /// memory files are read once and never change under the server.
    fn logs_changes(&self) -> bool {
        matches!(self.source, Source::Store(_))
    }

    /// Records the store's generation before the first pair is opened:
    /// changes after it are caught up with (call under the writer lock).
    pub(super) fn note_generation(&self, store: &mut dyn Store) {
        let mut seen = lock(&self.catch_up.seen);
        if seen.is_none() && self.logs_changes() {
            *seen = store.generation().ok();
        }
    }

    /// Applies other clients' changes to every opened pair (see the module
    /// documentation). Cheap when nothing changed: one prepared query at
    /// most every [`INTERVAL_MS`]; skipped while a write holds the store.
    pub(super) fn catch_up(&self) {
        if !self.logs_changes() {
            return;
        }
        let Some(writer) = self.writer.as_ref() else {
            return;
        };
        let now = self.catch_up.start.elapsed().as_millis() as u64 + 1;
        let last = self.catch_up.last.load(Ordering::Relaxed);
        if now.saturating_sub(last) < INTERVAL_MS
            || self
                .catch_up
                .last
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let Ok(mut store) = writer.try_lock() else {
            return;
        };
        let mut seen = lock(&self.catch_up.seen);
        let Some(since) = *seen else {
            return;
        };
        match store.changes_since(since) {
            Ok(Some((generation, changed))) => {
                if !changed.is_empty() {
                    let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
                    self.writes.fetch_add(1, Ordering::SeqCst);
                    if let Err(e) = self.apply(store.as_mut(), seq, &changed) {
                        crate::diag!("tmkit serve: reading other clients' changes failed: {e}");
                        return;
                    }
                }
                *seen = Some(generation);
            }
            Ok(None) => {
                *seen = store.generation().ok();
                self.writes.fetch_add(1, Ordering::SeqCst);
                self.rebase_all();
            }
            Err(e) => crate::diag!("tmkit serve: asking the store for changes failed: {e}"),
        }
    }
}

/// The rebuilds of one pair's base: at most one runs at a time, and one
/// asked for while another runs is not lost. The running one may have read
/// the store before the changes that made the new one wanted (a catch-up
/// answered "too much changed" meanwhile), so each request raises an epoch,
/// and the runner goes again until it has started a rebuild after the
/// latest request.
#[derive(Default)]
pub(super) struct Rebuilds {
    /// Requests so far.
    asked: AtomicU64,
    /// True while a runner runs.
    running: AtomicBool,
}

impl Rebuilds {
    /// Asks for a rebuild; true when the caller must start a runner
    /// ([`Rebuilds::run`]), false when the one running will rebuild again.
    pub(super) fn ask(&self) -> bool {
        self.asked.fetch_add(1, Ordering::SeqCst);
        !self.running.swap(true, Ordering::SeqCst)
    }

    /// Starts a runner when none runs (true: the caller must start it), but
    /// does not ask the running one to go again: for a change level that
    /// grew too big, which the running rebuild already folds in (its views
    /// still hold the changes until it swaps, so every write during it
    /// would otherwise ask for a second full rebuild).
    pub(super) fn ask_if_idle(&self) -> bool {
        !self.running.swap(true, Ordering::SeqCst)
    }

    /// The runner: `rebuild` once, and again while requests came in after
    /// the start of the last one.
    pub(super) fn run(&self, mut rebuild: impl FnMut()) {
        loop {
            let epoch = self.asked.load(Ordering::SeqCst);
            rebuild();
            self.running.store(false, Ordering::SeqCst);
            // A request after `epoch` that found us running is ours to serve,
            // unless a new runner has already taken over.
            if self.asked.load(Ordering::SeqCst) == epoch
                || self.running.swap(true, Ordering::SeqCst)
            {
                return;
            }
        }
    }

    /// A runner that was asked for could not start.
    pub(super) fn give_up(&self) {
        self.running.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::thread::JoinHandle;

    /// A runner thread whose rebuilds each report their number on `started`
    /// and wait for a message on `release`; it returns how many ran.
    fn runner(
        rebuilds: &Arc<Rebuilds>,
    ) -> (JoinHandle<u32>, mpsc::Receiver<u32>, mpsc::Sender<()>) {
        let (started_tx, started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let rebuilds = rebuilds.clone();
        let handle = std::thread::spawn(move || {
            let mut runs = 0;
            rebuilds.run(|| {
                runs += 1;
                started_tx.send(runs).unwrap();
                released.recv().unwrap();
            });
            runs
        });
        (handle, started, release)
    }

    #[test]
    fn a_rebuild_asked_for_while_one_runs_starts_after_it() {
        let rebuilds = Arc::new(Rebuilds::default());
        assert!(rebuilds.ask(), "the first request starts a runner");
        let (runner, started, release) = runner(&rebuilds);
        assert_eq!(started.recv().unwrap(), 1);
        // The store answered "too much changed" while the first rebuild runs:
        // no second runner, but the running one must go again.
        assert!(!rebuilds.ask());
        assert!(!rebuilds.ask(), "requests while running are merged");
        release.send(()).unwrap();
        assert_eq!(
            started.recv().unwrap(),
            2,
            "a rebuild started after the request"
        );
        release.send(()).unwrap();
        assert_eq!(runner.join().unwrap(), 2);
        // Idle again: the next request starts a runner of its own.
        assert!(rebuilds.ask());
        rebuilds.give_up();
        assert!(rebuilds.ask());
    }

    #[test]
    fn a_threshold_crossing_during_a_rebuild_does_not_ask_for_another() {
        let rebuilds = Arc::new(Rebuilds::default());
        assert!(rebuilds.ask_if_idle(), "idle: the crossing starts a runner");
        let (runner, started, release) = runner(&rebuilds);
        assert_eq!(started.recv().unwrap(), 1);
        // Writes keep coming while it runs, each over the threshold.
        for _ in 0..5 {
            assert!(!rebuilds.ask_if_idle(), "no second runner");
        }
        release.send(()).unwrap();
        assert_eq!(runner.join().unwrap(), 1, "one rebuild, not two");
        assert!(
            rebuilds.ask_if_idle(),
            "idle again: the next crossing starts one"
        );
    }
}
