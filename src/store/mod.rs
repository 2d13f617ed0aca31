//! The SQLite store: one file shared by every console and script on the host.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction (so two writers queue on the busy timeout
//! instead of failing to upgrade a read lock), updates name the version they read, and every
//! change is written to the audit log in the same transaction.

mod audit;
mod auth_policies;
mod entity;
mod error;
mod files;
mod identities;
mod import;
mod lookup_cache;
mod schema;
mod signers;

pub use audit::{Actor, AuditEntry};
pub use auth_policies::PolicyReference;
pub use entity::FieldConflict;
pub use error::StoreError;
pub use import::{ImportOutcome, ImportSession};

/// "a directory", "a named pipe (FIFO)", … for a file type that is not a regular file.
pub fn file_kind(file_type: &std::fs::FileType) -> Option<&'static str> {
    files::kind_of(file_type)
}

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another session's transaction before giving up. Longer than
/// the longest write (an import of a million identities takes a few seconds; the import cap
/// bounds it), so a console save during an import waits instead of failing (design §7).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// A connection to an extjwt database.
pub struct Store {
    conn: Connection,
    location: String,
    readonly: bool,
    /// Who writes: looked up on the first write (reads never need the account database).
    actor: std::cell::OnceCell<Actor>,
    lookups: lookup_cache::LookupCache,
    notices: Vec<String>,
}

impl Store {
    /// Opens (creating with mode 0600 if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = open_error(path);
        let mut notices = Vec::new();
        if files::check_database_path(path)?.is_none() {
            files::create_private_file(path)
                .map_err(|e| open_error(format!("cannot create it ({e})")))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(describe_open_failure(&e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Nothing is written before the file is known to be ours (or empty): not even a pragma.
        schema::check_ownership(&conn).map_err(|e| open_error(describe_migration_failure(e)))?;
        notices.extend(files::tighten_permissions(path));
        let mut store = Self::prepare(conn, path.display().to_string(), true)
            .map_err(|e| open_error(describe_open_failure_store(e)))?;
        store.notices = notices;
        Ok(store)
    }

    /// Opens an existing database for reading only: no file is created, and `--readonly` is
    /// enforced by SQLite itself. A missing file is an error naming the path, so a typo never
    /// looks like an empty database. An extjwt database of an older schema is migrated first
    /// (it is ours); any other file is refused untouched.
    pub fn open_for_reading(path: &Path) -> Result<Store, StoreError> {
        let open_error = open_error(path);
        if files::check_database_path(path)?.is_none() {
            return Err(open_error(
                "does not exist (read-only commands create nothing; check the path, or create a signer first)"
                    .into(),
            ));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(describe_open_failure(&e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let current = schema::check_ownership(&conn)
            .map_err(|e| open_error(describe_migration_failure(e)))?;
        let notices = files::tighten_permissions(path);
        if !current {
            drop(conn);
            let mut store = Store::open(path)?;
            store.notices.extend(notices);
            return Ok(store);
        }
        let mut store = Store::assemble(conn, path.display().to_string(), true);
        store.notices = notices;
        Ok(store)
    }

    /// Runs `work` inside one read transaction: every query sees the same snapshot, and the
    /// file lock is taken once rather than per statement (a batch of thousands of lookups
    /// otherwise spends a fifth of its time in `fcntl`).
    pub fn in_one_read<T>(&self, work: impl FnOnce() -> T) -> Result<T, StoreError> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        self.lookups.set_snapshot(&self.conn, true)?;
        let result = work();
        self.lookups.set_snapshot(&self.conn, false)?;
        self.conn.execute_batch("COMMIT")?;
        Ok(result)
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
            // Only takes effect on a new, empty file: 8 KiB pages made bulk imports ~10 %
            // faster (shallower indexes) at no cost to lookups.
            conn.execute_batch("PRAGMA page_size = 8192;")?;
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
            actor: std::cell::OnceCell::new(),
            lookups: lookup_cache::LookupCache::default(),
            notices: Vec::new(),
        }
    }

    /// Things the admin should know about the file that are not errors ("permissions
    /// tightened to 0600"); the CLI prints them on stderr.
    pub fn notices(&self) -> &[String] {
        &self.notices
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

    /// The actor writes are recorded under.
    pub(crate) fn actor(&self) -> Actor {
        self.actor.get_or_init(Actor::from_process).clone()
    }

    /// Who the audit log names for changes made through this store.
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = std::cell::OnceCell::from(actor);
    }

    /// SQLite's `data_version`: it changes when another connection (another admin's console,
    /// a script) commits to the database, never for this connection's own writes. The console
    /// polls it to stay live.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
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

fn open_error(path: &Path) -> impl Fn(String) -> StoreError + '_ {
    move |why| StoreError::Open {
        path: path.display().to_string(),
        why,
    }
}

fn describe_migration_failure(e: schema::MigrationError) -> String {
    match e {
        schema::MigrationError::Sqlite(e) => describe_open_failure(&e),
        other => other.to_string(),
    }
}

fn describe_open_failure_store(e: StoreError) -> String {
    match e {
        StoreError::Sqlite(e) => describe_open_failure(&e),
        StoreError::Corrupt(why) => why,
        other => other.to_string(),
    }
}

/// A new row's id: a UUID v7 (time-ordered, 74 random bits). Ordered ids land at the end of
/// the id and audit indexes instead of all over them, which made a million-row import twice
/// as fast; they are as unique and as opaque to the controller as v4.
pub(crate) fn new_row_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Milliseconds are dropped: times are stored as RFC 3339 seconds.
pub(crate) fn now() -> String {
    crate::model::now_rfc3339()
}
