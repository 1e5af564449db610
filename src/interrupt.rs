//! Ctrl-C leaves nothing behind: temporary folders (git clones, staging
//! folders) are registered while they exist, and an interrupt removes them
//! before the process exits with 130. A move of files into a project runs as a
//! critical section, so an interrupt waits for it to finish or roll back
//! instead of leaving a project half-moved.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

/// Exit status after an interrupt (128 + SIGINT), as shells report it.
pub const INTERRUPTED: i32 = 130;

static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static CRITICAL: Mutex<()> = Mutex::new(());
static INSTALL: Once = Once::new();

/// Installs the Ctrl-C handler (once; later calls do nothing). Without it, an
/// interrupt ends the process the default way and Drop-based clean-up is lost.
pub fn install() {
    INSTALL.call_once(|| {
        // A handler set by an embedding program wins; scaffold then cleans up
        // only through Drop.
        let _ = ctrlc::set_handler(|| {
            let _critical = CRITICAL
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let temporary = TEMPORARY
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for path in temporary.iter() {
                let _ = std::fs::remove_dir_all(path);
            }
            eprintln!("interrupted; temporary files removed");
            std::process::exit(INTERRUPTED);
        });
    });
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
