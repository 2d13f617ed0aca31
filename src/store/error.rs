//! Store errors: typed, field-named, never a raw SQLite message when the cause is known.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or is not an extjwt database.
    #[error("db: {path} {why}")]
    Open {
        /// The path given.
        path: String,
        /// What went wrong.
        why: String,
    },
    /// A uniqueness rule would be broken.
    #[error("{field}: {message}")]
    Conflict {
        /// The JSON name of the field.
        field: &'static str,
        /// Names the conflicting row.
        message: String,
    },
    /// The row moved since it was read.
    #[error(
        "{entity} {name} was changed by another session; reload it and apply your change again"
    )]
    Stale {
        /// `signer`, `identity` or `auth policy`.
        entity: &'static str,
        /// The row's name as read.
        name: String,
    },
    /// No row has that id or name.
    #[error("{entity} \"{key}\" not found")]
    NotFound {
        /// `signer`, `identity` or `auth policy`.
        entity: &'static str,
        /// What was looked up.
        key: String,
    },
    /// The row is still referenced (or is built in); the message names what refers to it.
    #[error("{0}")]
    InUse(String),
    /// The draft broke a rule of the model.
    #[error(transparent)]
    Invalid(#[from] crate::model::ValidationErrors),
    /// A record of an import file could not be applied; nothing was imported.
    #[error("{list}[{index}]: {cause}")]
    ImportRecord {
        /// `externalJwtSigners`, `data` or `identities`.
        list: &'static str,
        /// Zero-based position in the list.
        index: usize,
        /// Why.
        cause: Box<StoreError>,
    },
    /// `--readonly` is in force.
    #[error("the database is open read-only (--readonly); nothing was changed")]
    ReadOnly,
    /// Stored data breaks an invariant.
    #[error("db: {0}")]
    Corrupt(String),
    /// Any other SQLite failure.
    #[error("db: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// True for the optimistic-concurrency failure.
    pub fn is_stale(&self) -> bool {
        matches!(self, StoreError::Stale { .. })
    }

    /// The field a form should show this error under, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            StoreError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}
