//! The SQLite store: one file shared by every console and script on the host.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction (so two writers queue on the busy timeout
//! instead of failing to upgrade a read lock), updates name the version they read, and every
//! change is written to the audit log in the same transaction.

mod audit;
mod error;
mod identities;
mod import;
mod lookup_cache;
mod schema;
mod signers;

pub use audit::{Actor, AuditEntry};
pub use error::StoreError;
pub use import::ImportOutcome;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another session's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to an extjwt database.
pub struct Store {
    conn: Connection,
    location: String,
    readonly: bool,
    actor: Actor,
    lookups: lookup_cache::LookupCache,
}

impl Store {
    /// Opens (creating with mode 0600 if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |why: String| StoreError::Open {
            path: path.display().to_string(),
            why,
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(open_error(format!(
                "directory {} does not exist; create it or choose another --db",
                parent.display()
            )));
        }
        if path.is_dir() {
            return Err(open_error("is a directory, not a database file".into()));
        }
        if !path.exists() {
            create_private_file(path).map_err(|e| open_error(format!("cannot create it ({e})")))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(describe_open_failure(&e)))?;
        Self::prepare(conn, path.display().to_string(), true)
            .map_err(|e| open_error(describe_open_failure_store(e)))
    }

    /// Opens an existing, current database for reading only: no file is created or written, so
    /// read commands cost little and `--readonly` is enforced by SQLite itself. Falls back to
    /// [`Store::open`] (creating or migrating) when the file is missing or older, unless
    /// `strict` (then that is an error).
    pub fn open_for_reading(path: &Path, strict: bool) -> Result<Store, StoreError> {
        let open_error = |why: String| StoreError::Open {
            path: path.display().to_string(),
            why,
        };
        if !path.exists() {
            if strict {
                return Err(open_error(
                    "does not exist (and --readonly creates nothing)".into(),
                ));
            }
            return Store::open(path);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(describe_open_failure(&e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        match schema::is_current(&conn) {
            Ok(true) => {}
            Ok(false) if !strict => return Store::open(path),
            Ok(false) => {
                return Err(open_error(
                    "is not an extjwt database at this version (open it once without --readonly to upgrade it)".into(),
                ));
            }
            Err(e) => return Err(open_error(describe_open_failure(&e))),
        }
        Ok(Store::assemble(conn, path.display().to_string(), true))
    }

    /// A private in-memory database, for tests and benches.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::prepare(conn, ":memory:".into(), false)
    }

    fn prepare(mut conn: Connection, location: String, wal: bool) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        if wal {
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Corrupt(format!(
                    "could not switch to WAL mode (got {mode})"
                )));
            }
            conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        }
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrationError::Sqlite(e) => StoreError::Sqlite(e),
            other => StoreError::Corrupt(other.to_string()),
        })?;
        Ok(Store::assemble(conn, location, false))
    }

    fn assemble(conn: Connection, location: String, readonly: bool) -> Store {
        Store {
            conn,
            location,
            readonly,
            actor: Actor::from_env(),
            lookups: lookup_cache::LookupCache::default(),
        }
    }

    /// Refuses every change from now on (`--readonly`).
    pub fn set_readonly(&mut self, readonly: bool) {
        self.readonly = readonly;
    }

    /// Whether changes are refused.
    pub fn is_readonly(&self) -> bool {
        self.readonly
    }

    /// Turns the memo of verifier lookups on or off (benches measure the index itself).
    pub fn set_lookup_memo(&mut self, enabled: bool) {
        self.lookups.set_enabled(enabled);
    }

    /// Who the audit log names for changes made through this store.
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// The database path, as shown in the status bar.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Runs the integrity check and returns SQLite's verdict ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    fn write_tx(&mut self) -> Result<Transaction<'_>, StoreError> {
        if self.readonly {
            return Err(StoreError::ReadOnly);
        }
        self.lookups.note_local_write();
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

fn describe_open_failure(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => "is not a SQLite database".into(),
        Some(rusqlite::ErrorCode::CannotOpen) => "cannot be opened (check the permissions)".into(),
        Some(rusqlite::ErrorCode::ReadOnly) => {
            "is read-only; use --readonly or fix the permissions".into()
        }
        _ => e.to_string(),
    }
}

fn describe_open_failure_store(e: StoreError) -> String {
    match e {
        StoreError::Sqlite(e) => describe_open_failure(&e),
        StoreError::Corrupt(why) => why,
        other => other.to_string(),
    }
}

/// Milliseconds are dropped: times are stored as RFC 3339 seconds.
pub(crate) fn now() -> String {
    crate::model::now_rfc3339()
}
