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
    /// Files and folders left out of folder walks (see [`InputFilter::exclude`]).
    excluded: Vec<Excluded>,
}

/// An existing file or folder, by identity, so that any path naming it
/// (relative, absolute, through `..`) is recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg(unix)]
struct Excluded {
    dev: u64,
    ino: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg(not(unix))]
struct Excluded {
    canonical: PathBuf,
}

impl Excluded {
    fn of(path: &Path) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some(Excluded {
                dev: meta.dev(),
                ino: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            Some(Excluded {
                canonical: path.canonicalize().ok()?,
            })
        }
    }

    /// Whether the walk's `entry` is this file or folder. On Unix the inode
    /// number comes with the directory listing, so an entry costs a `stat`
    /// only when its inode number is the excluded one.
    fn is(&self, entry: &walkdir::DirEntry) -> bool {
        #[cfg(unix)]
        {
            use walkdir::DirEntryExt;
            let listed = entry.ino() == self.ino;
            (listed || entry.path_is_symlink()) && Excluded::of(entry.path()).as_ref() == Some(self)
        }
        #[cfg(not(unix))]
        {
            Excluded::of(entry.path()).as_ref() == Some(self)
        }
    }
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
            excluded: Vec::new(),
        })
    }

    /// Leaves `path`, a file or a folder with all it holds, out of the folders
    /// walked, when it exists: a command's own output folder or digest inside
    /// an input folder is not an input of the next run. A path given as an
    /// input itself is still taken (the command decides whether it may be).
    pub fn exclude(&mut self, path: &Path) {
        if let Some(excluded) = Excluded::of(path) {
            self.excluded.push(excluded);
        }
    }

    fn excludes(&self, entry: &walkdir::DirEntry) -> bool {
        entry.depth() > 0 && self.excluded.iter().any(|e| e.is(entry))
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

/// The inputs a walk found, and the entries it could not take.
#[derive(Debug, Default)]
pub struct Walk {
    /// Inputs in order: the paths given, folders expanded in sorted order.
    pub inputs: Vec<PathBuf>,
    /// Paths given that do not exist and entries of folders that could not be
    /// read (a dangling symbolic link, a link loop, an unreadable subfolder),
    /// each error naming its path.
    pub problems: Vec<Error>,
}

/// Expands the paths a user gave into inputs: files as they are (`-` for
/// stdin), folders recursively in sorted order (following symbolic links),
/// filtered by `filter`. No paths means stdin. A path given that does not
/// exist, like an entry of a folder that cannot be read, is recorded in
/// [`Walk::problems`] (naming it) and the walk goes on: a batch reports it
/// at the end with the others.
pub fn walk_inputs(paths: &[PathBuf], filter: &InputFilter) -> Result<Walk> {
    let mut walk = Walk::default();
    if paths.is_empty() {
        walk.inputs.push(PathBuf::from("-"));
        return Ok(walk);
    }
    for p in paths {
        if is_stdio(p) {
            walk.inputs.push(p.clone());
            continue;
        }
        let meta = match std::fs::metadata(p) {
            Ok(meta) => meta,
            Err(e) => {
                walk.problems.push(Error::io(p, e));
                continue;
            }
        };
        if !meta.is_dir() {
            walk.inputs.push(p.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .follow_links(true)
            .into_iter()
            .filter_entry(|entry| !filter.excludes(entry))
        {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_file() && filter.accepts(entry.path()) {
                        walk.inputs.push(entry.into_path());
                    }
                }
                Err(e) => walk.problems.push(walk_error(e, p)),
            }
        }
    }
    Ok(walk)
}

/// A walk error as the library's error, naming the entry and saying what is wrong.
fn walk_error(err: walkdir::Error, root: &Path) -> Error {
    let path = err.path().unwrap_or(root).to_path_buf();
    if let Some(ancestor) = err.loop_ancestor() {
        let msg = format!(
            "symbolic link loop (leads back to {}); skipped",
            ancestor.display()
        );
        return Error::io(path, std::io::Error::other(msg));
    }
    let dangling = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(&path).is_err();
    let io = err
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("cannot be read"));
    if dangling {
        let target = std::fs::read_link(&path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let msg = format!("dangling symbolic link to {target}; skipped");
        return Error::io(path, std::io::Error::new(io.kind(), msg));
    }
    Error::io(path, io)
}

/// [`walk_inputs`] for callers that need every input or none (loading a
/// memory): the first problem is the error.
pub fn expand_inputs(paths: &[PathBuf], filter: &InputFilter) -> Result<Vec<PathBuf>> {
    let walk = walk_inputs(paths, filter)?;
    match walk.problems.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(walk.inputs),
    }
}

/// Where each input's output goes when a command writes one output per
/// input under a folder (`summarize --out-dir`).
///
/// The input tree is mirrored under the output folder from the inputs' common
/// root, so `a/x.txt` and `b/x.txt` stay apart. The output takes the format's
/// extension in place of the input's, except where two inputs would then
/// meet (`story.html` and `story.txt`): those keep their whole name and add
/// the extension (`story.html.txt`, `story.txt.txt`). No output path is given
/// twice in a run, and none is an input: the later input gets an error.
///
/// ```
/// use std::path::{Path, PathBuf};
/// use tmkit::batch::OutputPlan;
/// let inputs = [PathBuf::from("news/a/x.txt"), "news/b/x.txt".into(), "news/b/story.html".into(), "news/b/story.txt".into()];
/// let plan = OutputPlan::new(Path::new("out"), &inputs, &inputs, "md");
/// let outputs: Vec<PathBuf> = inputs.iter().map(|i| plan.output(i).unwrap().to_path_buf()).collect();
/// assert_eq!(outputs, [PathBuf::from("out/a/x.md"), "out/b/x.md".into(), "out/b/story.html.md".into(), "out/b/story.txt.md".into()]);
/// ```
#[derive(Debug)]
pub struct OutputPlan {
    outputs: std::collections::HashMap<PathBuf, std::result::Result<PathBuf, String>>,
}

impl OutputPlan {
    /// Plans the outputs of `inputs` (found from the paths the user `given`:
    /// files and folders) under `out_dir`, with `extension`.
    pub fn new(out_dir: &Path, given: &[PathBuf], inputs: &[PathBuf], extension: &str) -> Self {
        Self::with_names(out_dir, given, inputs, |_| {
            OutputName::ReplaceExtension(extension.to_string())
        })
    }

    /// [`OutputPlan::new`] where each input's output is named its own way
    /// (the output format depends on the input's).
    pub fn with_names(
        out_dir: &Path,
        given: &[PathBuf],
        inputs: &[PathBuf],
        name_of: impl Fn(&Path) -> OutputName,
    ) -> Self {
        // The working folder once, not a getcwd per path.
        let cwd = std::env::current_dir().ok();
        let absolute = |p: &Path| absolute_in(cwd.as_deref(), p);
        let anchors: Vec<PathBuf> = given
            .iter()
            .filter(|p| !is_stdio(p))
            .map(|p| {
                let abs = absolute(p);
                if p.is_dir() {
                    abs
                } else {
                    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
                }
            })
            .collect();
        let root = common_ancestor(&anchors);
        let relative = |input: &Path| -> PathBuf {
            if is_stdio(input) {
                return PathBuf::from("stdin");
            }
            let abs = absolute(input);
            match root.as_deref().and_then(|r| abs.strip_prefix(r).ok()) {
                Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
                _ => input
                    .file_name()
                    .map_or_else(|| PathBuf::from("output"), PathBuf::from),
            }
        };
        let relatives: Vec<PathBuf> = inputs.iter().map(|i| relative(i)).collect();
        // How many inputs share each stem (path without extension).
        let mut stems: std::collections::HashMap<PathBuf, usize> = Default::default();
        for rel in &relatives {
            *stems.entry(rel.with_extension("")).or_default() += 1;
        }
        let input_paths: std::collections::HashSet<PathBuf> = inputs
            .iter()
            .filter(|i| !is_stdio(i))
            .map(|i| absolute(i))
            .collect();
        let mut claimed: std::collections::HashMap<PathBuf, &Path> = Default::default();
        let mut outputs = std::collections::HashMap::new();
        for (input, rel) in inputs.iter().zip(&relatives) {
            let append = |extension: &str| {
                let mut name = rel.clone().into_os_string();
                name.push(".");
                name.push(extension);
                PathBuf::from(name)
            };
            let name = match name_of(input) {
                OutputName::ReplaceExtension(ext) if stems[&rel.with_extension("")] > 1 => {
                    append(&ext)
                }
                OutputName::ReplaceExtension(ext) => rel.with_extension(&ext),
                OutputName::AppendExtension(ext) => append(&ext),
                OutputName::Keep => rel.clone(),
            };
            let dest = out_dir.join(name);
            let abs = absolute(&dest);
            let planned = if input_paths.contains(&abs) {
                Err(format!(
                    "its output {} would overwrite an input; choose another output folder",
                    dest.display()
                ))
            } else if let Some(first) = claimed.get(&abs) {
                Err(format!(
                    "its output {} is already the output of {}; rename one of them",
                    dest.display(),
                    first.display()
                ))
            } else {
                claimed.insert(abs, input);
                Ok(dest)
            };
            outputs.entry(input.clone()).or_insert(planned);
        }
        OutputPlan { outputs }
    }

    /// The output of `input`, or why it has none (another input has its
    /// output path, or the output would overwrite an input). An input not
    /// planned is a usage error.
    pub fn output(&self, input: &Path) -> Result<&Path> {
        match self.outputs.get(input) {
            Some(Ok(p)) => Ok(p),
            Some(Err(why)) => Err(Error::invalid(
                crate::error::Location::file(input),
                why.clone(),
            )),
            None => Err(Error::Usage(format!(
                "{}: not an input of this run",
                input.display()
            ))),
        }
    }
}

/// How an output is named after its input's path (relative to the inputs' root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputName {
    /// `story.html` → `story.EXT`, or `story.html.EXT` when another input
    /// has the same stem.
    ReplaceExtension(String),
    /// `story.html` → `story.html.EXT`.
    AppendExtension(String),
    /// The input's own name (an output of the input's format).
    Keep,
}

/// `path` made absolute against `cwd` and with `.` and `..` resolved lexically
/// (symbolic links are left alone: outputs mirror the paths as the user wrote them).
fn absolute_in(cwd: Option<&Path>, path: &Path) -> PathBuf {
    let abs = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    };
    let mut out = PathBuf::new();
    for part in abs.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The longest path every one of `paths` starts with.
fn common_ancestor(paths: &[PathBuf]) -> Option<PathBuf> {
    let (first, rest) = paths.split_first()?;
    let mut common = first.clone();
    for p in rest {
        while !p.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    Some(common)
}

/// How many inputs are processed between two in-order deliveries. Bounds the
/// results held in memory while keeping both cores busy.
pub(crate) const CHUNK: usize = 512;

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

    #[test]
    fn excluded_folders_and_files_are_left_out_of_walks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        for name in ["a.txt", "digest.txt", "out/a.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let mut filter = InputFilter::new(&[], &["txt"]).unwrap();
        // Named through another path than the walk's: identity, not spelling.
        filter.exclude(&dir.path().join("out/../out"));
        filter.exclude(&dir.path().join("./digest.txt"));
        filter.exclude(&dir.path().join("not-there"));
        let walk = walk_inputs(&[dir.path().to_path_buf()], &filter).unwrap();
        assert_eq!(walk.inputs, [dir.path().join("a.txt")]);
        // A path given explicitly is still an input.
        let given = dir.path().join("digest.txt");
        let walk = walk_inputs(std::slice::from_ref(&given), &filter).unwrap();
        assert_eq!(walk.inputs, [given]);
    }
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
        // A batch goes on past a missing file: the others are still inputs.
        let walk = walk_inputs(
            &[dir.path().join("missing"), dir.path().join("a.txt")],
            &InputFilter::default(),
        )
        .unwrap();
        assert_eq!(walk.inputs, [dir.path().join("a.txt")]);
        assert_eq!(walk.problems.len(), 1);
        assert!(walk.problems[0].to_string().contains("missing"));
        assert_eq!(
            expand_inputs(&[], &InputFilter::default()).unwrap(),
            [PathBuf::from("-")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_entries_are_reported_and_the_walk_goes_on() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("loop/inner")).unwrap();
        std::fs::create_dir(root.join("locked")).unwrap();
        for f in ["a.txt", "loop/inner/b.txt", "locked/c.txt", "z.txt"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        symlink(root.join("gone.txt"), root.join("dangling.txt")).unwrap();
        symlink(root.join("loop"), root.join("loop/inner/back")).unwrap();
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000))
            .unwrap();
        // Root reads any folder; then the locked one is simply walked.
        let locked_readable = std::fs::read_dir(root.join("locked")).is_ok();
        let walk = walk_inputs(&[root.to_path_buf()], &InputFilter::default()).unwrap();
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let found: Vec<_> = walk
            .inputs
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        let mut want = vec!["a.txt", "locked/c.txt", "loop/inner/b.txt", "z.txt"];
        let mut problems = vec!["dangling symbolic link", "symbolic link loop"];
        if !locked_readable {
            want.retain(|f| !f.starts_with("locked"));
            problems.push("Permission denied");
        }
        assert_eq!(found, want);
        let messages: Vec<String> = walk.problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), problems.len(), "{messages:?}");
        for (msg, want) in messages.iter().zip(&problems) {
            assert!(msg.contains(want), "{msg}");
        }
        assert!(messages[0].contains("dangling.txt"), "{}", messages[0]);
        assert!(expand_inputs(&[root.to_path_buf()], &InputFilter::default()).is_err());
    }

    fn planned(plan: &OutputPlan, input: &str) -> String {
        match plan.output(Path::new(input)) {
            Ok(p) => p.display().to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn output_plan_mirrors_the_common_root_and_keeps_names_apart() {
        let dir = tempfile::tempdir().unwrap();
        let news = dir.path().join("news");
        std::fs::create_dir_all(news.join("fr")).unwrap();
        let inputs: Vec<PathBuf> = ["fr/a.html", "fr/b.txt", "fr/story.html", "fr/story.txt"]
            .iter()
            .map(|f| news.join(f))
            .collect();
        // A folder given: the tree under it is mirrored, subfolder included.
        let plan = OutputPlan::new(
            Path::new("out"),
            std::slice::from_ref(&news),
            &inputs,
            "txt",
        );
        let got: Vec<String> = inputs
            .iter()
            .map(|i| planned(&plan, i.to_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                "out/fr/a.txt",
                "out/fr/b.txt",
                "out/fr/story.html.txt",
                "out/fr/story.txt.txt"
            ]
        );
        // Two files of one name given from different folders stay apart.
        let given = [PathBuf::from("x/a/day.txt"), PathBuf::from("x/b/day.txt")];
        let plan = OutputPlan::new(Path::new("o"), &given, &given, "json");
        assert_eq!(planned(&plan, "x/a/day.txt"), "o/a/day.json");
        assert_eq!(planned(&plan, "x/b/day.txt"), "o/b/day.json");
        let stdin = [PathBuf::from("-")];
        let plan = OutputPlan::new(Path::new("o"), &stdin, &stdin, "md");
        assert_eq!(planned(&plan, "-"), "o/stdin.md");
    }

    #[test]
    fn output_plan_never_gives_one_path_twice_nor_an_input() {
        // `a.txt` and `a.md` keep their names (`a.txt.md`, `a.md.md`), which
        // `a.md.txt` would take too: the later input is refused.
        let given: Vec<PathBuf> = ["in/a.txt", "in/a.md", "in/a.md.txt"]
            .map(PathBuf::from)
            .to_vec();
        let plan = OutputPlan::new(Path::new("o"), &given, &given, "md");
        assert_eq!(planned(&plan, "in/a.txt"), "o/a.txt.md");
        assert_eq!(planned(&plan, "in/a.md"), "o/a.md.md");
        let err = planned(&plan, "in/a.md.txt");
        assert!(
            err.contains("o/a.md.md is already the output of in/a.md"),
            "{err}"
        );
        // The output folder is the input folder and the format keeps the extension.
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("in");
        std::fs::create_dir(&folder).unwrap();
        let inputs = [folder.join("a.txt")];
        let plan = OutputPlan::new(&folder, std::slice::from_ref(&folder), &inputs, "txt");
        let err = planned(&plan, inputs[0].to_str().unwrap());
        assert!(err.contains("would overwrite an input"), "{err}");
        assert!(plan.output(Path::new("other.txt")).is_err());
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
