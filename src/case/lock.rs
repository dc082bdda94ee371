//! One writer per case: an advisory lock beside the case file that names its holder.
//!
//! A process that is about to change a case (a CLI command from load to save, the window for as
//! long as it has the case open) holds `CASE.ron.lock`: the file is locked with the operating
//! system's advisory file lock (`flock` on Unix, `LockFileEx` on Windows) and holds the holder's
//! user, host, process id, program and since when, as one JSON line. A second writer finds the
//! lock taken and is refused with that name ([`LockError::Held`]).
//!
//! The operating system releases the lock when the holder's process ends, however it ends, so a
//! lock whose holder is gone is stale by construction: the next writer takes it and overwrites
//! the old holder's line. The lock file itself is never deleted (deleting it would let a waiting
//! writer lock the old file while a third locks a new one); an unlocked lock file is harmless.
//!
//! The lock is the first line of defence; [`super::file::save_checked`] is the second: a save
//! refuses when the case file on disk no longer ends with the audit entry the change started
//! from, so even a writer that ignores the lock (an older hoptrace, a file copied in) never has
//! its work silently overwritten.

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Who holds a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Login name (`USER`/`USERNAME`), or `unknown`.
    pub user: String,
    /// Host name, or `unknown`.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// What holds it: `hoptrace expand`, `hoptrace window`…
    pub program: String,
    /// Since when (UTC seconds).
    pub since: i64,
}

impl Holder {
    /// This process, now, as `program`.
    #[must_use]
    pub fn this_process(program: &str) -> Self {
        Holder {
            user: std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".to_owned()),
            host: host_name(),
            pid: std::process::id(),
            program: program.to_owned(),
            since: jiff::Timestamp::now().as_second(),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let since = crate::import::time::format_utc(self.since);
        write!(f, "{} ({}@{}, process {}) since {since}", self.program, self.user, self.host, self.pid)
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Why a case could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another writer holds the case.
    #[error(
        "{} is being changed by {holder}: wait for it to finish, or open the case read-only",
        case.display()
    )]
    Held {
        /// The case file.
        case: PathBuf,
        /// Who holds it (as its lock file says; `None` fields when it could not be read).
        holder: Box<Holder>,
    },
    /// The lock file could not be created, read or locked.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The error.
        source: std::io::Error,
    },
}

/// A held case lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct CaseLock {
    file: File,
    path: PathBuf,
    holder: Holder,
}

/// Where the lock of the case file `case` lives: `CASE.lock`.
#[must_use]
pub fn lock_path(case: &Path) -> PathBuf {
    let mut name: OsString = case.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl CaseLock {
    /// Takes the lock of `case` for `program`, once.
    ///
    /// # Errors
    /// [`LockError::Held`] naming the holder; [`LockError::Io`] when the lock file cannot be used.
    pub fn acquire(case: &Path, program: &str) -> Result<Self, LockError> {
        let path = lock_path(case);
        let io = |action: &'static str, path: &Path| {
            let path = path.to_owned();
            move |source| LockError::Io { path, action, source }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("open lock file", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = serde_json::from_str(text.trim()).unwrap_or_else(|_| Holder {
                    user: "unknown".to_owned(),
                    host: "unknown".to_owned(),
                    pid: 0,
                    program: "another hoptrace".to_owned(),
                    since: 0,
                });
                return Err(LockError::Held { case: case.to_owned(), holder: Box::new(holder) });
            }
            Err(TryLockError::Error(e)) => return Err(io("lock", &path)(e)),
        }
        let holder = Holder::this_process(program);
        let line = serde_json::to_string(&holder).map_err(|e| io("describe the holder in", &path)(e.into()))?;
        file.set_len(0).map_err(io("write lock file", &path))?;
        file.seek(SeekFrom::Start(0)).map_err(io("write lock file", &path))?;
        file.write_all(format!("{line}\n").as_bytes()).map_err(io("write lock file", &path))?;
        file.flush().map_err(io("write lock file", &path))?;
        Ok(CaseLock { file, path, holder })
    }

    /// [`acquire`](Self::acquire), trying again every 25 ms for up to `wait` while another
    /// writer holds the case (a CLI command waits for another to finish its few milliseconds).
    ///
    /// # Errors
    /// As [`acquire`](Self::acquire), once `wait` has passed.
    pub fn acquire_waiting(case: &Path, program: &str, wait: Duration) -> Result<Self, LockError> {
        let start = Instant::now();
        loop {
            match Self::acquire(case, program) {
                Err(LockError::Held { .. }) if start.elapsed() < wait => std::thread::sleep(Duration::from_millis(25)),
                other => return other,
            }
        }
    }

    /// Who holds it (this process).
    #[must_use]
    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// The lock file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for CaseLock {
    fn drop(&mut self) {
        // Empty the holder line first, so a reader never sees a released lock named as held.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holders_name_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = dir.path().join("c.ron");
        let first = CaseLock::acquire(&case, "hoptrace expand").expect("first");
        assert_eq!(first.holder().pid, std::process::id());
        let err = CaseLock::acquire(&case, "hoptrace annotate").expect_err("held");
        let text = err.to_string();
        assert!(text.contains("is being changed by hoptrace expand ("), "{text}");
        assert!(text.contains(&format!("process {})", std::process::id())), "{text}");
        drop(first);
        let second = CaseLock::acquire(&case, "hoptrace annotate").expect("free again");
        let line = std::fs::read_to_string(second.path()).expect("read");
        assert!(line.contains("\"program\":\"hoptrace annotate\""), "{line}");
    }

    #[test]
    fn a_waiting_writer_gets_the_lock_when_the_holder_finishes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = dir.path().join("c.ron");
        let first = CaseLock::acquire(&case, "one").expect("first");
        let case2 = case.clone();
        let waiter =
            std::thread::spawn(move || CaseLock::acquire_waiting(&case2, "two", Duration::from_secs(5)).map(|_| ()));
        std::thread::sleep(Duration::from_millis(100));
        drop(first);
        assert!(waiter.join().expect("join").is_ok());
        let refused = {
            let _held = CaseLock::acquire(&case, "three").expect("free");
            CaseLock::acquire_waiting(&case, "four", Duration::from_millis(60))
        };
        assert!(matches!(refused, Err(LockError::Held { .. })));
    }
}
