//! Output files handled as their kind (design §7, `export -o`).
//!
//! A regular file is replaced atomically (written beside it, then renamed over it) and keeps
//! its mode; a symbolic link is followed, so its target is what changes; a FIFO or a device is
//! written into as it is (`-o /dev/null` must never replace the system's null device); a
//! directory is refused. A new file is created 0600: exports hold who may log in.

use anyhow::{Context, Result, bail};
use std::io::{BufWriter, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Writes what `write` produces to `path`, by the rules above.
pub fn write_output(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let shown = path.display();
    let target: PathBuf = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|_| {
                let to = std::fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_else(|_| "?".into());
                anyhow::anyhow!(
                    "output: {shown} is a symbolic link to {to}, which does not exist; fix the link or choose another file"
                )
            })?
        }
        _ => path.to_path_buf(),
    };
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() => replace_regular(&target, meta.mode() & 0o7777, write),
        Ok(meta) if meta.is_dir() => {
            bail!("output: {shown} is a directory; give a file name (-o {shown}/export.json)")
        }
        Ok(meta) => match crate::store::file_kind(&meta.file_type()) {
            Some("a socket") => bail!("output: {shown} is a socket; give a file name"),
            // A FIFO or a device: write into it, never replace it.
            _ => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .with_context(|| format!("output: cannot open {shown}"))?;
                let mut out = BufWriter::new(file);
                write(&mut out).with_context(|| format!("output: cannot write {shown}"))?;
                out.flush()
                    .with_context(|| format!("output: cannot write {shown}"))?;
                Ok(())
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            replace_regular(&target, 0o600, write)
        }
        Err(e) => Err(anyhow::anyhow!("output: cannot use {shown} ({e})")),
    }
}

/// Writes a sibling temporary file with `mode` and renames it over `target`, so a failed
/// export never leaves half a file.
fn replace_regular(
    target: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let shown = target.display();
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("output: cannot write in {}", dir.display()))?;
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("output: cannot set the mode of {shown}"))?;
    let mut out = BufWriter::new(temp);
    write(&mut out).with_context(|| format!("output: cannot write {shown}"))?;
    let temp = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("output: cannot write {shown} ({})", e.error()))?;
    temp.as_file()
        .sync_all()
        .with_context(|| format!("output: cannot write {shown}"))?;
    temp.persist(target)
        .with_context(|| format!("output: cannot write {shown}"))?;
    Ok(())
}
