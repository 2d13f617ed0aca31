//! Logs for debugging, to a file only: the console owns the terminal, so nothing is ever
//! logged to it. `--log-file PATH` turns them on (level from `$EXTJWT_LOG`, else `info`);
//! `$EXTJWT_LOG` alone writes to `$XDG_STATE_HOME/extjwt/extjwt.log`. What is logged: JWKS
//! URLs, resolved addresses, TLS and HTTP errors, SQLite errors, timings. Never a token, a
//! claim value or a PEM; values from outside go through the escaping function, so a log
//! file shown in a terminal is as safe as the tool's own output.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_subscriber::EnvFilter;

/// The file logs go to, when logging is on.
pub fn log_path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    std::env::var_os("EXTJWT_LOG").filter(|v| !v.is_empty())?;
    let base = directories::BaseDirs::new()?;
    let dir = base.state_dir().unwrap_or_else(|| base.data_local_dir());
    Some(dir.join("extjwt").join("extjwt.log"))
}

/// Starts logging to `path` (appending; created 0600), at `$EXTJWT_LOG`'s level or `info`.
pub fn init(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("log-file: cannot create {}", dir.display()))?;
    }
    use std::os::unix::fs::OpenOptionsExt;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("log-file: cannot open {}", path.display()))?;
    let filter = match std::env::var("EXTJWT_LOG") {
        Ok(level) if !level.trim().is_empty() => {
            EnvFilter::try_new(format!("extjwt={}", level.trim())).with_context(|| {
                format!("EXTJWT_LOG: \"{level}\" is not a level (error, warn, info, debug, trace)")
            })?
        }
        _ => EnvFilter::new("extjwt=info"),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .map_err(|e| anyhow::anyhow!("log-file: {e}"))?;
    Ok(())
}
