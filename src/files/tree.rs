//! Many small outputs written atomically into a tree of folders (one digest
//! per article with `summarize --out-dir`).
//!
//! [`AtomicFile`](super::AtomicFile) costs a dozen system calls per file:
//! the folder is created again, the destination is looked up twice (overwrite
//! guard, permissions) and the temporary is opened by an absolute path. Over a
//! folder of short articles those calls were most of the run time, so an
//! [`OutputTree`] creates and opens each folder once, creates each temporary
//! relative to the open folder, writes it with one call and renames it into
//! place with `RENAME_NOREPLACE`: a new output costs four calls (open, write,
//! rename, close) and no lookup. Only when the destination exists is it looked
//! up, to keep its mode and to refuse replacing the file the caller protects
//! (an input). The promises are [`AtomicFile`](super::AtomicFile)'s: readers
//! never see a partial file, temporaries are registered for the signal handler
//! and swept by later runs, errors name the destination. No fsync: the
//! outputs can be re-created, and a sync per file would dominate the run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};

/// How many output folders stay open at once.
const MAX_OPEN_FOLDERS: usize = 128;

/// A tree of output folders, each created and opened once (up to
/// `MAX_OPEN_FOLDERS` at a time).
#[derive(Default)]
pub struct OutputTree {
    folders: Mutex<HashMap<PathBuf, Arc<imp::Folder>>>,
}

impl std::fmt::Debug for OutputTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputTree").finish_non_exhaustive()
    }
}

impl OutputTree {
    /// An empty tree: folders are created as outputs need them.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `contents` to `dest` atomically, creating its folder if needed.
    /// A new file gets `0666 & !umask`; an existing one is replaced and keeps
    /// its mode, unless it is the file `protect` names (the same file, through
    /// whatever links), which is refused as a usage error and left untouched.
    pub fn write(&self, dest: &Path, contents: &[u8], protect: Option<&Path>) -> Result<()> {
        let (dir, name) = match (dest.parent(), dest.file_name()) {
            (Some(p), Some(n)) if !p.as_os_str().is_empty() => (p, n),
            (_, Some(n)) => (Path::new("."), n),
            _ => {
                return Err(Error::io(
                    dest,
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
                ));
            }
        };
        let folder = self.folder(dir)?;
        folder.write(dest, name, contents, protect)
    }

    fn folder(&self, dir: &Path) -> Result<Arc<imp::Folder>> {
        let mut folders = self.folders.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(f) = folders.get(dir) {
            return Ok(Arc::clone(f));
        }
        // Created under the lock: once per folder, so the wait is short.
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        super::atomic::sweep_stale(dir);
        let folder = Arc::new(imp::Folder::open(dir)?);
        // Each open folder holds a descriptor: a deep tree must not exhaust
        // the process's limit (often 1,024). Writes in progress keep theirs.
        if folders.len() >= MAX_OPEN_FOLDERS {
            folders.clear();
        }
        folders.insert(dir.to_path_buf(), Arc::clone(&folder));
        Ok(folder)
    }
}

/// The refusal when an output would replace the file it must not.
fn refused(dest: &Path, protect: &Path) -> Error {
    Error::Usage(format!(
        "{}: its output {} is the file itself and would overwrite it; choose another output folder",
        protect.display(),
        dest.display()
    ))
}

/// A short random suffix for temporaries, without a system call per name.
fn random_suffix() -> String {
    use std::cell::Cell;
    use std::hash::{BuildHasher, RandomState};
    thread_local! {
        static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(std::thread::current().id()) | 1);
    }
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    STATE.with(|state| {
        // xorshift64*
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        let mut r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (0..6)
            .map(|_| {
                let c = ALPHABET[(r % ALPHABET.len() as u64) as usize] as char;
                r /= ALPHABET.len() as u64;
                c
            })
            .collect()
    })
}

#[cfg(unix)]
mod imp {
    use std::ffi::{OsStr, OsString};
    use std::fs::File;
    use std::io::{self, Write};
    use std::os::fd::OwnedFd;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawMode, RenameFlags};

    use super::super::atomic::{MARK, Registration, SUFFIX};
    use super::{random_suffix, refused};
    use crate::error::{Error, Result};

    /// An output folder, open for the `*at` calls.
    pub(super) struct Folder {
        path: PathBuf,
        fd: OwnedFd,
        /// False once the file system refused `RENAME_NOREPLACE`.
        noreplace: AtomicBool,
    }

    /// A temporary being written: removed on drop unless renamed.
    struct Temporary<'a> {
        folder: &'a Folder,
        name: OsString,
        file: Option<File>,
        _registration: Registration,
        renamed: bool,
    }

    impl Drop for Temporary<'_> {
        fn drop(&mut self) {
            self.file = None;
            if !self.renamed {
                let _ = rustix::fs::unlinkat(&self.folder.fd, &self.name, AtFlags::empty());
            }
        }
    }

    impl Folder {
        pub(super) fn open(dir: &Path) -> Result<Self> {
            let fd = rustix::fs::open(
                dir,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| Error::io(dir, e.into()))?;
            Ok(Folder {
                path: dir.to_path_buf(),
                fd,
                noreplace: AtomicBool::new(true),
            })
        }

        fn create_temporary(&self, dest: &Path, name: &OsStr) -> Result<Temporary<'_>> {
            // getpid is a system call; the process's id never changes.
            static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
            let pid = *PID.get_or_init(std::process::id);
            let mut attempts = 0;
            loop {
                let mut tmp = OsString::from(".");
                tmp.push(name);
                tmp.push(format!("{MARK}{pid}-{}{SUFFIX}", random_suffix()));
                // Registered before it exists, so the signal handler never misses it.
                let registration = Registration::new(self.path.join(&tmp));
                let opened = rustix::fs::openat(
                    &self.fd,
                    &tmp,
                    OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
                    Mode::from_raw_mode(0o666),
                );
                match opened {
                    Ok(fd) => {
                        return Ok(Temporary {
                            folder: self,
                            name: tmp,
                            file: Some(File::from(fd)),
                            _registration: registration,
                            renamed: false,
                        });
                    }
                    Err(rustix::io::Errno::EXIST) if attempts < 100 => attempts += 1,
                    Err(e) => return Err(Error::io(dest, e.into())),
                }
            }
        }

        // `stat` field types vary by platform (the casts are to u64 here).
        #[allow(clippy::unnecessary_cast)]
        pub(super) fn write(
            &self,
            dest: &Path,
            name: &OsStr,
            contents: &[u8],
            protect: Option<&Path>,
        ) -> Result<()> {
            let mut tmp = self.create_temporary(dest, name)?;
            let file = tmp.file.as_mut().expect("open until dropped");
            file.write_all(contents).map_err(|e| Error::io(dest, e))?;
            if self.noreplace.load(Ordering::Relaxed) {
                match rustix::fs::renameat_with(
                    &self.fd,
                    &tmp.name,
                    &self.fd,
                    name,
                    RenameFlags::NOREPLACE,
                ) {
                    Ok(()) => {
                        tmp.renamed = true;
                        return Ok(());
                    }
                    Err(rustix::io::Errno::EXIST) => {}
                    Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                        self.noreplace.store(false, Ordering::Relaxed);
                    }
                    Err(e) => return Err(Error::io(dest, e.into())),
                }
            }
            // The destination exists (or the file system cannot say without a lookup).
            match rustix::fs::statat(&self.fd, name, AtFlags::empty()) {
                Ok(existing) => {
                    if let Some(protect) = protect
                        && let Ok(input) = std::fs::metadata(protect)
                        && input.dev() == existing.st_dev as u64
                        && input.ino() == existing.st_ino as u64
                    {
                        return Err(refused(dest, protect));
                    }
                    if FileType::from_raw_mode(existing.st_mode as _) == FileType::RegularFile {
                        let mode = Mode::from_raw_mode(existing.st_mode as RawMode & 0o7777);
                        rustix::fs::fchmod(&*file, mode).map_err(|e| Error::io(dest, e.into()))?;
                    }
                }
                Err(rustix::io::Errno::NOENT) => {}
                Err(e) => return Err(Error::io(dest, e.into())),
            }
            rustix::fs::renameat(&self.fd, &tmp.name, &self.fd, name)
                .map_err(|e| Error::io(dest, io::Error::from(e)))?;
            tmp.renamed = true;
            Ok(())
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::ffi::OsStr;
    use std::io::Write;
    use std::path::Path;

    use super::super::AtomicFile;
    use super::refused;
    use crate::error::{Error, Result};

    /// An output folder (elsewhere than Unix, outputs go through [`AtomicFile`]).
    pub(super) struct Folder;

    impl Folder {
        pub(super) fn open(_dir: &Path) -> Result<Self> {
            Ok(Folder)
        }

        pub(super) fn write(
            &self,
            dest: &Path,
            _name: &OsStr,
            contents: &[u8],
            protect: Option<&Path>,
        ) -> Result<()> {
            if let Some(protect) = protect
                && dest.exists()
                && let (Ok(a), Ok(b)) = (dest.canonicalize(), protect.canonicalize())
                && a == b
            {
                return Err(refused(dest, protect));
            }
            let mut f = AtomicFile::create(dest)?;
            f.write_all(contents).map_err(|e| Error::io(dest, e))?;
            f.commit_unsynced()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::names_in;
    use super::*;

    #[test]
    fn writes_new_files_in_nested_folders_without_debris() {
        let dir = tempfile::tempdir().unwrap();
        let tree = OutputTree::new();
        tree.write(&dir.path().join("out/a/x.txt"), b"one", None)
            .unwrap();
        tree.write(&dir.path().join("out/a/y.txt"), b"two", None)
            .unwrap();
        tree.write(&dir.path().join("out/b.txt"), b"", None)
            .unwrap();
        assert_eq!(names_in(&dir.path().join("out/a")), ["x.txt", "y.txt"]);
        assert_eq!(names_in(&dir.path().join("out")), ["a", "b.txt"]);
        assert_eq!(
            std::fs::read(dir.path().join("out/a/y.txt")).unwrap(),
            b"two"
        );
        assert!(no_live_temporary_in(dir.path()));
    }

    fn no_live_temporary_in(dir: &Path) -> bool {
        !super::super::atomic::live_temporaries()
            .iter()
            .any(|p| p.starts_with(dir))
    }

    #[test]
    fn replacing_keeps_the_mode_and_the_new_contents() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("d.txt");
        std::fs::write(&dest, "old old old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        let tree = OutputTree::new();
        tree.write(&dest, b"new", None).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(names_in(dir.path()), ["d.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_protected_file_is_never_replaced_even_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let article = dir.path().join("a.txt");
        std::fs::write(&article, "the article").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("link")).unwrap();
        let tree = OutputTree::new();
        let dest = dir.path().join("link/a.txt");
        let err = tree.write(&dest, b"summary", Some(&article)).unwrap_err();
        assert!(err.to_string().contains("overwrite"), "{err}");
        assert_eq!(std::fs::read_to_string(&article).unwrap(), "the article");
        assert_eq!(names_in(dir.path()), ["a.txt", "link"]);
        // Another file at the destination is replaced.
        let other = dir.path().join("b.txt");
        std::fs::write(&other, "b").unwrap();
        tree.write(&dir.path().join("link/b.txt"), b"summary", Some(&article))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "summary");
    }

    #[test]
    fn errors_name_the_destination() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "x").unwrap();
        let dest = dir.path().join("file/sub/out.txt");
        let err = OutputTree::new().write(&dest, b"x", None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("file/sub"), "{msg}");
        assert!(!msg.contains(".part"), "{msg}");
    }

    #[test]
    fn more_folders_than_stay_open() {
        let dir = tempfile::tempdir().unwrap();
        let tree = OutputTree::new();
        let n = MAX_OPEN_FOLDERS * 2 + 3;
        for round in 0..2 {
            for i in 0..n {
                let dest = dir.path().join(format!("d{i}/out.txt"));
                tree.write(&dest, format!("{round}").as_bytes(), None)
                    .unwrap();
            }
        }
        assert!(tree.folders.lock().unwrap().len() <= MAX_OPEN_FOLDERS);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), n);
        for i in 0..n {
            let got = std::fs::read_to_string(dir.path().join(format!("d{i}/out.txt"))).unwrap();
            assert_eq!(got, "1");
            assert_eq!(names_in(&dir.path().join(format!("d{i}"))), ["out.txt"]);
        }
    }

    #[test]
    fn temporary_names_differ() {
        let a: std::collections::HashSet<String> = (0..1000).map(|_| random_suffix()).collect();
        assert_eq!(a.len(), 1000);
        assert!(a.iter().all(|s| s.len() == 6));
    }
}
