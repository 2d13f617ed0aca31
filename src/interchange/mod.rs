//! Import and export: this tool's export shape and the controller's list output.
//!
//! Import streams: the file is read as one JSON object whose lists are walked one record at a
//! time; each record is read field by field (so an error names the record's index and the
//! field, with the controller's defaults for anything missing and unknown fields ignored),
//! validated, and written at once inside one transaction. Memory is bounded by the largest
//! record, not the file; a refused record rolls the whole file back.

pub mod ascode;
mod record;
mod stream;

use std::io::Read;

use serde_json::{Value, json};

use crate::store::{ImportOutcome, Store, StoreError};

/// Largest import file read (design §7); a million identities is about 150 MiB.
pub const MAX_IMPORT_BYTES: u64 = 1024 * 1024 * 1024;

/// Why an import file was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not JSON at all.
    #[error("import: the file is not JSON ({0})")]
    NotJson(String),
    /// JSON, but none of the known shapes.
    #[error(
        "import: expected {{\"externalJwtSigners\": [...], \"authPolicies\": [...], \"identities\": [...]}} or the controller's {{\"data\": [...]}}"
    )]
    UnknownShape,
    /// A record broke a rule.
    #[error("{list}[{index}].{field}: {message}")]
    Record {
        /// The list the record is in.
        list: &'static str,
        /// Zero-based position.
        index: usize,
        /// The JSON name of the field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A controller list cut at a page.
    #[error(
        "import: the file holds {have} of the controller's {total} records (a list cut at one page); fetch them all with the 'limit none' query: ziti edge list {list} 'limit none' -j"
    )]
    Truncated {
        /// Records in `data`.
        have: usize,
        /// `meta.pagination.totalCount`.
        total: u64,
        /// The ziti CLI's name of the list.
        list: &'static str,
    },
    /// Too big.
    #[error("import: the file is larger than {} MiB", MAX_IMPORT_BYTES / 1024 / 1024)]
    TooLarge,
    /// The file could not be read.
    #[error("import: cannot read the file ({0})")]
    Read(String),
    /// The store refused a record or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did, and what it passed over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// Counts per entity.
    #[serde(flatten)]
    pub outcome: ImportOutcome,
    /// Top-level keys this tool does not import (services, configs, ...).
    pub ignored_keys: usize,
    /// Identities whose legacy type (User, Device, Service) was read as Default, as the
    /// controller reads it.
    pub legacy_types: usize,
}

/// Imports a JSON document read from `reader` into `store`, as one transaction.
pub fn import(store: &mut Store, reader: impl Read) -> Result<ImportSummary, ImportError> {
    stream::import(store, reader)
}

/// [`import`] of a document held in memory (the demo, tests).
pub fn import_str(store: &mut Store, text: &str) -> Result<ImportSummary, ImportError> {
    import(store, text.as_bytes())
}

/// The export document: every signer, auth policy and identity, with the JSON names of
/// design §2, in the order an import needs them.
pub fn export(store: &Store) -> Result<Value, StoreError> {
    let signers = store.list_signers()?;
    let policies = store.list_auth_policies()?;
    let identities = store.list_identities()?;
    Ok(json!({
        "externalJwtSigners": signers,
        "authPolicies": policies,
        "identities": identities,
    }))
}
