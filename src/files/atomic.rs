//! Writing a file atomically: bytes go to a temporary file beside the
//! destination, renamed over it when complete.
//!
//! Three promises beyond atomicity:
//! - **Permissions.** A new file gets `0666 & !umask`, like any file a shell
//!   redirection creates; a replaced file keeps its mode, so a memory on a
//!   shared folder stays readable by colleagues.
//! - **No debris.** Temporaries are named `.NAME.tmkit-PID-XXXXXX.part`. The
//!   live ones are registered, so a signal handler can remove them
//!   ([`remove_temporaries`]); a later run removes the ones a dead process of
//!   ours left in a folder it writes to (a `kill -9`, a power cut).
//! - **Errors name the user's path**, never the temporary one.
//!
//! A destination that is not a regular file (`/dev/null`, a named pipe, a
//! terminal, `/dev/stdout`) is written in place: renaming a temporary over it
//! would replace the device or pipe with a regular file.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::Permissions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Result};

/// The temporaries this process is writing, removed by [`remove_temporaries`].
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Folders already swept of stale temporaries in this run.
static SWEPT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

pub(super) const MARK: &str = ".tmkit-";
pub(super) const SUFFIX: &str = ".part";

/// Removes every temporary file this process is writing. For a signal handler
/// (SIGINT, SIGTERM) about to end the process: the destinations stay as they
/// were. Safe to call from any thread; later writes may still register.
pub fn remove_temporaries() {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    for path in live.iter() {
        let _ = std::fs::remove_file(path);
    }
}

/// The process id in a temporary's name (`.x.tmx.tmkit-4242-Ab3dEf.part` → 4242).
fn owner_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_suffix(SUFFIX)?;
    let (_, tail) = rest.rsplit_once(MARK)?;
    let (pid, random) = tail.split_once('-')?;
    (!random.is_empty() && file_name.starts_with('.'))
        .then(|| pid.parse().ok())
        .flatten()
}

/// True when process `pid` runs. Where that cannot be known (no `/proc`),
/// assumes it does, so another process's temporary is never removed.
fn process_is_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Removes, once per run and folder, temporaries that dead tmkit processes left in `dir`.
pub(super) fn sweep_stale(dir: &Path) {
    {
        let mut swept = SWEPT.lock().unwrap_or_else(PoisonError::into_inner);
        if !swept
            .get_or_insert_with(HashSet::new)
            .insert(dir.to_path_buf())
        {
            return;
        }
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        if pid != std::process::id() && !process_is_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An I/O error without the path `tempfile` adds to it: messages name the
/// user's destination, not `.x.tmkit-123-AbCdEf.part`.
fn without_path(err: io::Error) -> io::Error {
    if let Some(code) = err.raw_os_error() {
        return io::Error::from_raw_os_error(code);
    }
    // tempfile wraps the OS error in one whose message ends " at path ...".
    let message = err.to_string();
    match message.rfind(" at path ") {
        Some(end) => io::Error::new(err.kind(), &message[..end]),
        None => err,
    }
}

/// A file being written: bytes go to a temporary file beside `dest`, which
/// [`AtomicFile::commit`] renames over `dest`. Dropped without commit, the
/// temporary file is removed and `dest` is untouched. A device or pipe is
/// written in place instead (see the module docs): what was written stays.
pub struct AtomicFile {
    dest: PathBuf,
    /// The file renamed over: `dest`, or where its symbolic links lead.
    replaced: PathBuf,
    writer: BufWriter<Target>,
    /// The temporary's place in the registry (none when written in place).
    registration: Option<Registration>,
}

/// Where an [`AtomicFile`]'s bytes go.
enum Target {
    /// A temporary file beside the destination.
    Temporary(tempfile::NamedTempFile),
    /// The destination itself: a device, pipe or socket.
    InPlace(std::fs::File),
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::Temporary(f) => f.write(buf),
            Target::InPlace(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::Temporary(f) => f.flush(),
            Target::InPlace(f) => f.flush(),
        }
    }
}

/// True when `dest` is written in place: it exists and is not a regular file
/// (a device, a pipe, a socket), or it is under `/proc` or a link under
/// `/dev` (`/dev/stdout`, `/dev/fd/1` may lead to a regular file, the
/// shell's redirection, which the process writes through its descriptor).
/// A file in `/dev/shm`, a memory file system, is an ordinary output.
fn written_in_place(dest: &Path) -> bool {
    dest.starts_with("/proc")
        || (dest.starts_with("/dev")
            && std::fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_symlink()))
        || std::fs::metadata(dest).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The path a write to `dest` replaces: `dest` itself, or, when it is a
/// symbolic link, where its links lead (a link that leads nowhere yet
/// names the file to create).
fn link_target(dest: &Path) -> PathBuf {
    let mut path = dest.to_path_buf();
    // As many links as the OS follows before it calls it a loop.
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(next) => {
                path = match path.parent() {
                    Some(parent) => parent.join(next),
                    None => next,
                };
            }
            Err(_) => break,
        }
    }
    path
}

/// A temporary's place in the registry, given up when the file is renamed or removed.
pub(super) struct Registration(PathBuf);

/// The temporaries registered now (for tests).
#[cfg(test)]
pub(super) fn live_temporaries() -> Vec<PathBuf> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

impl Registration {
    /// Registers `path`, a temporary about to be created.
    pub(super) fn new(path: PathBuf) -> Self {
        LIVE.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.clone());
        Registration(path)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = live.iter().position(|p| *p == self.0) {
            live.swap_remove(i);
        }
    }
}

impl AtomicFile {
    /// Starts writing `dest` (its folder must exist).
    pub fn create(dest: impl AsRef<Path>) -> Result<Self> {
        let dest = dest.as_ref().to_path_buf();
        if written_in_place(&dest) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&dest)
                .map_err(|e| Error::io(&dest, e))?;
            return Ok(AtomicFile {
                replaced: dest.clone(),
                dest,
                writer: BufWriter::with_capacity(1 << 16, Target::InPlace(file)),
                registration: None,
            });
        }
        // Through a symbolic link, the file it names is replaced (as a
        // shell redirection or cp writes it), not the link.
        let replaced = link_target(&dest);
        let dir = match replaced.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        sweep_stale(&dir);
        let mut prefix = OsString::from(".");
        prefix.push(replaced.file_name().unwrap_or_else(|| "output".as_ref()));
        prefix.push(format!("{MARK}{}-", std::process::id()));
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(SUFFIX);
        #[cfg(unix)]
        {
            // Opened with 0666, which the OS filters by the umask.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(Permissions::from_mode(0o666));
        }
        // A replaced file keeps its mode.
        let existing: Option<Permissions> = std::fs::metadata(&replaced)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.permissions());
        // Registered under the lock it is created under, so a signal handler
        // never misses a temporary that exists.
        let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
        let tmp = builder.tempfile_in(&dir).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound && !dir.is_dir() {
                // Say which part is missing: the folder, not the file.
                return Error::io(
                    &dest,
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("no folder {} to write into", dir.display()),
                    ),
                );
            }
            Error::io(&dest, without_path(e))
        })?;
        live.push(tmp.path().to_path_buf());
        drop(live);
        let registration = Some(Registration(tmp.path().to_path_buf()));
        if let Some(perm) = existing {
            tmp.as_file()
                .set_permissions(perm)
                .map_err(|e| Error::io(&dest, without_path(e)))?;
        }
        Ok(AtomicFile {
            dest,
            replaced,
            writer: BufWriter::with_capacity(1 << 16, Target::Temporary(tmp)),
            registration,
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Flushes and renames the temporary file into place without waiting for
    /// the disk (no fsync): readers never see a partial file and an
    /// interrupted process leaves none, but a power cut may lose the newest
    /// outputs. For batches of many small, re-creatable outputs, where one
    /// fsync per file would dominate the run time.
    pub fn commit_unsynced(self) -> Result<()> {
        self.finish(false)
    }

    /// Flushes, syncs and renames the temporary file into place.
    pub fn commit(self) -> Result<()> {
        self.finish(true)
    }

    fn finish(self, sync: bool) -> Result<()> {
        let AtomicFile {
            dest,
            replaced,
            writer,
            registration,
        } = self;
        let tmp = match writer
            .into_inner()
            .map_err(|e| Error::io(&dest, without_path(e.into_error())))?
        {
            Target::Temporary(tmp) => tmp,
            // Flushed; a device or pipe has nothing to sync or rename.
            Target::InPlace(_) => return Ok(()),
        };
        if sync {
            tmp.as_file()
                .sync_all()
                .map_err(|e| Error::io(&dest, without_path(e)))?;
        }
        tmp.persist(&replaced)
            .map_err(|e| Error::io(&dest, without_path(e.error)))?;
        drop(registration);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writes `contents` to `dest` atomically (temporary file, then rename).
pub fn write_atomic(dest: &Path, contents: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(contents).map_err(|e| Error::io(dest, e))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::names_in;
    use super::*;

    #[test]
    fn a_missing_folder_is_named_as_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-folder").join("out.tmx");
        let err = AtomicFile::create(&missing).err().unwrap().to_string();
        assert!(
            err.contains("no folder") && err.contains("no-such-folder"),
            "{err}"
        );
        assert!(err.starts_with(&missing.display().to_string()), "{err}");
    }

    /// A named pipe stays a pipe and gets the bytes (`-o /dev/null` as root
    /// used to replace the device with a regular file).
    #[cfg(unix)]
    #[test]
    fn a_pipe_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let mut f = AtomicFile::create(&fifo).unwrap();
        f.write_all(b"through the pipe").unwrap();
        f.commit().unwrap();
        // Checked first: had the pipe been replaced, its reader would wait forever.
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert_eq!(names_in(dir.path()), ["pipe"]);
        assert!(written_in_place(Path::new("/dev/stdout")));
        assert!(written_in_place(Path::new("/dev/null")));
        assert!(written_in_place(Path::new("/proc/self/fd/1")));
        assert!(!written_in_place(&dir.path().join("new.tmx")));
    }

    /// A new file in `/dev/shm` (a memory file system, where benchmarks write)
    /// is created like any output; it used to be opened in place, without
    /// create, because its path starts with `/dev`.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_in_dev_shm_is_an_ordinary_output() {
        let Ok(dir) = tempfile::tempdir_in("/dev/shm") else {
            eprintln!("skipped: no writable /dev/shm on this machine");
            return;
        };
        let dest = dir.path().join("out.tmx");
        assert!(!written_in_place(&dest));
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"in memory").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"in memory");
        assert_eq!(names_in(dir.path()), ["out.tmx"]);
    }

    #[test]
    fn atomic_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.write_all(b"new but abandoned").unwrap();
            let temp = names_in(dir.path())
                .into_iter()
                .find(|n| n != "out.txt")
                .unwrap();
            // Named after its destination and this process, so a later run can tell it.
            let prefix = format!(".out.txt.tmkit-{}-", std::process::id());
            assert!(
                temp.starts_with(&prefix) && temp.ends_with(".part"),
                "{temp}"
            );
            assert_eq!(owner_pid(&temp), Some(std::process::id()));
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(
            names_in(dir.path()),
            ["out.txt"],
            "temporary file left behind"
        );
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
    }

    #[test]
    fn unsynced_commit_is_still_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("digest.txt");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"summary").unwrap();
        assert!(!dest.exists(), "visible before commit");
        f.commit_unsynced().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "summary");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    fn is_registered(path: &Path) -> bool {
        LIVE.lock().unwrap().iter().any(|p| p.starts_with(path))
    }

    // What `remove_temporaries` removes; the removal itself is tested by
    // sending SIGTERM to the CLI (it would race with the other tests here).
    #[test]
    fn live_temporaries_are_registered_until_committed_or_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let f = AtomicFile::create(dir.path().join("a.tmx")).unwrap();
        assert!(is_registered(dir.path()));
        drop(f);
        assert!(!is_registered(dir.path()));
        let f = AtomicFile::create(dir.path().join("b.tmx")).unwrap();
        f.commit_unsynced().unwrap();
        assert!(!is_registered(dir.path()));
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // PIDs above the kernel's maximum (4194304) never run; 1 always does.
        let dead = ".a.tmx.tmkit-4999999-AbCdEf.part";
        let alive = ".b.tmx.tmkit-1-AbCdEf.part";
        let foreign = ".c.tmx.other-4999999-x.part";
        for name in [dead, alive, foreign] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let mut f = AtomicFile::create(dir.path().join("a.tmx")).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(names_in(dir.path()), [alive, foreign, "a.tmx"]);
        assert_eq!(owner_pid("x.tmkit-12-ab.part"), None, "not hidden");
        assert_eq!(owner_pid(".x.tmkit-ab.part"), None);
    }

    /// An output named through a symbolic link (`current.tmx ->
    /// releases/v3.tmx`) writes the file the link names, keeping its mode,
    /// and the link stays a link; the rename replaced the link with a
    /// regular file and left the named file as it was. A link that leads
    /// nowhere yet creates the file it names.
    #[cfg(unix)]
    #[test]
    fn an_output_through_a_link_writes_the_file_it_names() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let releases = dir.path().join("releases");
        std::fs::create_dir(&releases).unwrap();
        let named = releases.join("v3.tmx");
        std::fs::write(&named, "old").unwrap();
        std::fs::set_permissions(&named, Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("current.tmx");
        std::os::unix::fs::symlink("releases/v3.tmx", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&named).unwrap(), b"new");
        let mode = std::fs::metadata(&named).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let ahead = dir.path().join("next.tmx");
        std::os::unix::fs::symlink(releases.join("v4.tmx"), &ahead).unwrap();
        write_atomic(&ahead, b"v4").unwrap();
        assert!(
            std::fs::symlink_metadata(&ahead)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(releases.join("v4.tmx")).unwrap(), b"v4");
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        for mode in [0o644, 0o640, 0o600, 0o664] {
            let dest = dir.path().join(format!("m{mode:o}.tmx"));
            std::fs::write(&dest, "old").unwrap();
            std::fs::set_permissions(&dest, Permissions::from_mode(mode)).unwrap();
            write_atomic(&dest, b"new").unwrap();
            let got = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{mode:o}");
        }
    }

    #[test]
    fn errors_name_the_destination_not_the_temporary() {
        let err = AtomicFile::create("/nonexistent/out.tmx").err().unwrap();
        let msg = err.to_string();
        assert!(msg.starts_with("/nonexistent/out.tmx: "), "{msg}");
        assert!(!msg.contains(".part") && !msg.contains("tmkit-"), "{msg}");
    }
}
