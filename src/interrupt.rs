//! Ctrl-C leaves nothing behind: temporary folders (git clones, staging
//! folders) are registered while they exist, and an interrupt removes them
//! before the process exits with 130. A move of files into a project runs as a
//! critical section, so an interrupt waits for it to finish or roll back
//! instead of leaving a project half-moved. While a child process runs (git),
//! its waiter acts on the interrupt instead: it stops the child first, so the
//! child cannot recreate a folder just removed.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static CRITICAL: Mutex<()> = Mutex::new(());
static INSTALL: Once = Once::new();
static REQUESTED: AtomicBool = AtomicBool::new(false);
static WAITERS: AtomicUsize = AtomicUsize::new(0);

/// Whether an interrupt arrived: a critical section checks it between steps
/// and rolls back rather than finishing.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Installs the Ctrl-C handler (once; later calls do nothing). Without it, an
/// interrupt ends the process the default way and Drop-based clean-up is lost.
pub fn install() {
    INSTALL.call_once(|| {
        // A handler set by an embedding program wins; scaffold then cleans up
        // only through Drop.
        let _ = ctrlc::set_handler(|| {
            REQUESTED.store(true, Ordering::SeqCst);
            if WAITERS.load(Ordering::SeqCst) == 0 {
                exit_now();
            }
        });
    });
}

/// Removes every registered temporary folder and exits with
/// [`ExitStatus::Interrupted`](crate::cli::output::ExitStatus::Interrupted) (130),
/// once no critical section is running.
pub fn exit_now() -> ! {
    let _critical = critical();
    let temporary = TEMPORARY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for path in temporary.iter() {
        let _ = std::fs::remove_dir_all(path);
    }
    let _ = writeln!(std::io::stderr(), "interrupted; temporary files removed");
    std::process::exit(i32::from(
        crate::cli::output::ExitStatus::Interrupted.code(),
    ));
}

/// Marks a child process being waited for. While one lives, an interrupt is
/// left to its waiter, which polls [`requested`], stops the child and calls
/// [`exit_now`].
#[derive(Debug)]
pub struct Waiting(());

/// Starts waiting for a child; take it before spawning the child.
pub fn waiting() -> Waiting {
    WAITERS.fetch_add(1, Ordering::SeqCst);
    Waiting(())
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Keeps `path` registered for removal on interrupt until dropped. The owner
/// still removes the folder itself on the ordinary paths (Drop of a `TempDir`).
#[derive(Debug)]
pub struct Registered {
    path: PathBuf,
}

/// Registers a temporary folder for removal should the process be interrupted.
pub fn register(path: &Path) -> Registered {
    TEMPORARY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(path.to_owned());
    Registered {
        path: path.to_owned(),
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut temporary = TEMPORARY
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(index) = temporary.iter().rposition(|path| *path == self.path) {
            temporary.remove(index);
        }
    }
}

/// Holds off an interrupt's clean-up (and exit) while the guard lives.
pub fn critical() -> MutexGuard<'static, ()> {
    CRITICAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
