//! Batch machinery shared by every command that takes many inputs: expanding
//! files and folders into a list of inputs, processing them in parallel on all
//! cores, delivering results in input order, and reporting progress through a
//! small trait the caller implements (the CLI draws an indicatif bar with it).
//!
//! A failing input never stops a batch: its error is delivered like any result
//! and the caller decides what to report and how to exit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::files::is_stdio;

/// Receives progress events from a batch. All methods may be called from
/// worker threads; the default implementations do nothing.
pub trait Progress: Sync {
    /// The batch starts with `total` inputs.
    fn start(&self, _total: u64) {}
    /// Work on `input` begins.
    fn item_started(&self, _input: &Path) {}
    /// Work on `input` ended (`ok` false when it failed).
    fn item_done(&self, _input: &Path, _ok: bool) {}
    /// The batch is over.
    fn finish(&self) {}
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// Which files of a folder to take.
#[derive(Debug, Clone, Default)]
pub struct InputFilter {
    include: Option<GlobSet>,
    extensions: Vec<String>,
}

impl InputFilter {
    /// Files whose name matches one of `globs` (`*.txt`); with no globs, files
    /// whose extension is one of `default_extensions` (any file when that is empty).
    /// Files named explicitly are always taken.
    pub fn new(globs: &[String], default_extensions: &[&str]) -> Result<Self> {
        let include =
            if globs.is_empty() {
                None
            } else {
                let mut b = GlobSetBuilder::new();
                for g in globs {
                    b.add(Glob::new(g).map_err(|e| {
                        Error::Usage(format!("invalid --include pattern {g:?}: {e}"))
                    })?);
                }
                Some(
                    b.build()
                        .map_err(|e| Error::Usage(format!("invalid --include patterns: {e}")))?,
                )
            };
        let extensions = default_extensions
            .iter()
            .map(|e| e.to_ascii_lowercase())
            .collect();
        Ok(InputFilter {
            include,
            extensions,
        })
    }

    fn accepts(&self, path: &Path) -> bool {
        let name = path.file_name().map(Path::new).unwrap_or(path);
        if name.to_string_lossy().starts_with('.') {
            return false;
        }
        match &self.include {
            Some(set) => set.is_match(name) || set.is_match(path),
            None if self.extensions.is_empty() => true,
            None => path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .is_some_and(|e| self.extensions.contains(&e)),
        }
    }
}

/// Expands the paths a user gave into inputs: files as they are (`-` for
/// stdin), folders recursively in sorted order, filtered by `filter`. No paths
/// means stdin. A path that does not exist is an error naming it.
pub fn expand_inputs(paths: &[PathBuf], filter: &InputFilter) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        return Ok(vec![PathBuf::from("-")]);
    }
    let mut out = Vec::new();
    for p in paths {
        if is_stdio(p) {
            out.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if !meta.is_dir() {
            out.push(p.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .follow_links(true)
        {
            let entry = entry.map_err(|e| {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone());
                Error::io(
                    &path,
                    e.into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("file system loop")),
                )
            })?;
            if entry.file_type().is_file() && filter.accepts(entry.path()) {
                out.push(entry.into_path());
            }
        }
    }
    Ok(out)
}

/// How many inputs are processed between two in-order deliveries. Bounds the
/// results held in memory while keeping both cores busy.
const CHUNK: usize = 512;

/// Runs `work` on every input in parallel and hands each result to `sink` in
/// input order, as soon as its chunk is done. Progress is reported per input.
/// Returns how many inputs failed.
pub fn run_ordered<T, W, S>(
    inputs: &[PathBuf],
    progress: &dyn Progress,
    work: W,
    mut sink: S,
) -> usize
where
    T: Send,
    W: Fn(&Path) -> Result<T> + Sync,
    S: FnMut(&Path, Result<T>),
{
    progress.start(inputs.len() as u64);
    let failed = AtomicU64::new(0);
    for chunk in inputs.chunks(CHUNK) {
        let results: Vec<Result<T>> = chunk
            .par_iter()
            .map(|input| {
                progress.item_started(input);
                let r = work(input);
                if r.is_err() {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                progress.item_done(input, r.is_ok());
                r
            })
            .collect();
        for (input, r) in chunk.iter().zip(results) {
            sink(input, r);
        }
    }
    progress.finish();
    failed.into_inner() as usize
}

/// The outcome of a batch, for a closing summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Inputs processed successfully.
    pub succeeded: usize,
    /// Inputs skipped (for example, outputs that already existed).
    pub skipped: usize,
    /// Inputs that failed, with their error messages.
    pub failures: Vec<(PathBuf, String)>,
}

impl BatchSummary {
    /// True when no input failed.
    pub fn is_success(&self) -> bool {
        self.failures.is_empty()
    }

    /// One line: `12 succeeded, 1 skipped, 2 failed`.
    pub fn line(&self) -> String {
        let mut s = format!("{} succeeded", self.succeeded);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s.push_str(&format!(", {} failed", self.failures.len()));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn expands_folders_sorted_and_filtered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for f in ["b.txt", "a.txt", "c.md", "sub/d.txt", ".hidden.txt"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let all = expand_inputs(
            &[dir.path().to_path_buf()],
            &InputFilter::new(&[], &["txt"]).unwrap(),
        )
        .unwrap();
        let names: Vec<_> = all
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [PathBuf::from("a.txt"), "b.txt".into(), "sub/d.txt".into()]
        );
        let md = expand_inputs(
            &[dir.path().to_path_buf()],
            &InputFilter::new(&["*.md".into()], &["txt"]).unwrap(),
        )
        .unwrap();
        assert_eq!(md.len(), 1);
        assert!(expand_inputs(&[dir.path().join("missing")], &InputFilter::default()).is_err());
        assert_eq!(
            expand_inputs(&[], &InputFilter::default()).unwrap(),
            [PathBuf::from("-")]
        );
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);
    impl Progress for Recorder {
        fn start(&self, total: u64) {
            self.0.lock().unwrap().push(format!("start {total}"));
        }
        fn item_done(&self, input: &Path, ok: bool) {
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {ok}", input.display()));
        }
    }

    #[test]
    fn delivers_in_order_and_counts_failures() {
        let inputs: Vec<PathBuf> = (0..2000).map(|i| PathBuf::from(i.to_string())).collect();
        let progress = Recorder::default();
        let mut seen = Vec::new();
        let failed = run_ordered(
            &inputs,
            &progress,
            |p| {
                let n: usize = p.to_str().unwrap().parse().unwrap();
                if n % 500 == 7 {
                    Err(Error::Usage("boom".into()))
                } else {
                    Ok(n)
                }
            },
            |p, r| seen.push((p.to_path_buf(), r.is_ok())),
        );
        assert_eq!(failed, 4);
        assert_eq!(seen.len(), 2000);
        assert!(
            seen.iter()
                .enumerate()
                .all(|(i, (p, _))| p == &PathBuf::from(i.to_string()))
        );
        let events = progress.0.into_inner().unwrap();
        assert_eq!(events[0], "start 2000");
        assert_eq!(events.len(), 2001);
    }
}
