//! The database file as a file: what kind it is, and who may read it (design §7).
//!
//! SQLite opens whatever it is given: a FIFO blocks it forever, a directory gives "disk I/O
//! error", a dangling symlink "File exists". So the kind is checked first, with an error that
//! says what the path is.

use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::StoreError;

fn refused(path: &Path, why: impl Into<String>) -> StoreError {
    StoreError::Open {
        path: path.display().to_string(),
        why: why.into(),
    }
}

/// Describes a non-regular file type, for messages.
pub(crate) fn kind_of(file_type: &std::fs::FileType) -> Option<&'static str> {
    if file_type.is_dir() {
        Some("a directory")
    } else if file_type.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else if file_type.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

/// `Ok(Some(()))` when `path` is (or links to) a regular file, `Ok(None)` when nothing is there
/// and the directory exists (so it can be created), else an error naming what is there.
pub(super) fn check_database_path(path: &Path) -> Result<Option<()>, StoreError> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !parent.is_dir() {
                return Err(refused(
                    path,
                    format!(
                        "cannot be created: directory {} does not exist; create it or choose another --db",
                        parent.display()
                    ),
                ));
            }
            return Ok(None);
        }
        Err(e) => return Err(refused(path, format!("cannot be read ({e})"))),
    };
    let meta = if link.file_type().is_symlink() {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "?".into());
        match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(_) => {
                return Err(refused(
                    path,
                    format!(
                        "is a symbolic link to {target}, which does not exist; fix the link or choose another --db"
                    ),
                ));
            }
        }
    } else {
        link
    };
    match kind_of(&meta.file_type()) {
        Some(kind) => Err(refused(
            path,
            format!("is {kind}, not a database file; choose a regular file with --db"),
        )),
        None => Ok(Some(())),
    }
}

/// Creates an empty file readable only by its owner.
pub(super) fn create_private_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

/// Tightens the database (and its -wal and -shm files) to 0600 when group or others may read
/// it: it holds who may log in to the network. Returns what was done, for stderr.
pub(super) fn tighten_permissions(path: &Path) -> Vec<String> {
    let mut notices = Vec::new();
    let mut candidates = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        candidates.push(PathBuf::from(name));
    }
    for file in candidates {
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        let mode = meta.mode() & 0o777;
        if mode & 0o077 == 0 || !meta.is_file() {
            continue;
        }
        match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
            Ok(()) => notices.push(format!(
                "note: {} was readable by others (mode {mode:04o}); tightened to 0600",
                file.display()
            )),
            Err(e) => notices.push(format!(
                "warning: {} is readable by others (mode {mode:04o}) and could not be tightened ({e}); run chmod 600 on it",
                file.display()
            )),
        }
    }
    notices
}
