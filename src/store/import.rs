//! Applying an import: one transaction, records streamed in one at a time, matched by name,
//! all or nothing.
//!
//! The importer (`interchange`) reads a record, validates it, and hands it to an
//! [`ImportSession`], which writes it at once: memory holds one record (and a number per row
//! written, to refuse a name that appears twice in one file), never the file.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction};

use super::audit::{self, AuditRecord};
use super::{Store, StoreError, identities, signers};
use crate::model::import::{ImportCounts, ImportedIdentity, ImportedSigner};

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    /// Signer counts.
    pub signers: ImportCounts,
    /// Identity counts.
    pub identities: ImportCounts,
}

/// Where a record came from, for errors: `externalJwtSigners[3]`.
#[derive(Debug, Clone, Copy)]
struct Origin {
    list: &'static str,
    index: usize,
}

/// An import in progress: an open write transaction. Dropping it without
/// [`ImportSession::commit`] rolls everything back.
pub struct ImportSession<'a> {
    tx: Transaction<'a>,
    actor: super::Actor,
    now: String,
    outcome: ImportOutcome,
    /// rowid → origin of every row this import wrote, per table: a second record with the
    /// same name finds a row written here, and the error names both.
    written_signers: HashMap<i64, Origin>,
    written_identities: HashMap<i64, Origin>,
}

impl Store {
    /// Starts an import: takes the write lock until the session commits or is dropped.
    pub fn begin_import(&mut self) -> Result<ImportSession<'_>, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        Ok(ImportSession {
            tx,
            actor,
            now: super::now(),
            outcome: ImportOutcome::default(),
            written_signers: HashMap::new(),
            written_identities: HashMap::new(),
        })
    }
}

fn rowid_of(tx: &Transaction<'_>, table: &str, id: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .prepare_cached(&format!("SELECT rowid FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn twice(name: &str, first: Origin) -> StoreError {
    StoreError::Conflict {
        field: "name",
        message: format!(
            "\"{name}\" appears twice in this file (also at {}[{}]); names are unique",
            first.list, first.index
        ),
    }
}

/// The id a new row gets: the file's (kept as given, design §2) or a fresh UUID. An id the
/// file gives that another row already has is an error, never silently replaced.
fn new_id(
    tx: &Transaction<'_>,
    table: &str,
    noun: &str,
    wanted: &Option<String>,
) -> Result<String, StoreError> {
    match wanted {
        None => Ok(uuid::Uuid::new_v4().to_string()),
        Some(id) => {
            let other: Option<String> = tx
                .prepare_cached(&format!("SELECT name FROM {table} WHERE id = ?1"))?
                .query_row([id], |r| r.get(0))
                .optional()?;
            match other {
                Some(other) => Err(StoreError::Conflict {
                    field: "id",
                    message: format!(
                        "id \"{id}\" belongs to {noun} {other}, which has another name; rename one of them"
                    ),
                }),
                None => Ok(id.clone()),
            }
        }
    }
}

impl ImportSession<'_> {
    fn wrap(origin: Origin) -> impl Fn(StoreError) -> StoreError {
        move |e| StoreError::ImportRecord {
            list: origin.list,
            index: origin.index,
            cause: Box::new(e),
        }
    }

    /// Creates or updates the signer named like `record`.
    pub fn signer(&mut self, record: &ImportedSigner) -> Result<(), StoreError> {
        let origin = Origin {
            list: record.list,
            index: record.index,
        };
        let wrap = Self::wrap(origin);
        let valid = &record.signer;
        let existing = signers::by_name_tx(&self.tx, &valid.draft.name).map_err(&wrap)?;
        let (id, fields) = match existing {
            Some(current) => {
                let rowid = rowid_of(&self.tx, "signers", &current.id)?.unwrap_or_default();
                if let Some(first) = self.written_signers.get(&rowid) {
                    return Err(wrap(twice(&valid.draft.name, *first)));
                }
                self.written_signers.insert(rowid, origin);
                if current.draft == valid.draft {
                    self.outcome.signers.unchanged += 1;
                    return Ok(());
                }
                let fields = audit::changed_fields(&current.draft, &valid.draft);
                signers::overwrite(&self.tx, &current.id, current.version, valid).map_err(&wrap)?;
                self.outcome.signers.updated += 1;
                (current.id, fields)
            }
            None => {
                let id = new_id(&self.tx, "signers", "signer", &record.id).map_err(&wrap)?;
                let created = record.created_at.as_deref().unwrap_or(&self.now);
                let updated = record.updated_at.as_deref().unwrap_or(created);
                signers::insert(&self.tx, &id, valid, created, updated).map_err(&wrap)?;
                self.written_signers
                    .insert(self.tx.last_insert_rowid(), origin);
                self.outcome.signers.created += 1;
                (id, Vec::new())
            }
        };
        audit::record(
            &self.tx,
            &self.actor,
            AuditRecord {
                action: "import",
                entity: "signer",
                id: &id,
                name: &valid.draft.name,
                fields,
            },
        )
    }

    /// Creates or updates the identity named like `record`.
    pub fn identity(&mut self, record: &ImportedIdentity) -> Result<(), StoreError> {
        let origin = Origin {
            list: record.list,
            index: record.index,
        };
        let wrap = Self::wrap(origin);
        let draft = &record.draft;
        let existing = identities::by_name_tx(&self.tx, &draft.name).map_err(&wrap)?;
        let (id, fields) = match existing {
            Some(current) => {
                let rowid = rowid_of(&self.tx, "identities", &current.id)?.unwrap_or_default();
                if let Some(first) = self.written_identities.get(&rowid) {
                    return Err(wrap(twice(&draft.name, *first)));
                }
                self.written_identities.insert(rowid, origin);
                if &current.draft == draft {
                    self.outcome.identities.unchanged += 1;
                    return Ok(());
                }
                let fields = audit::changed_fields(&current.draft, draft);
                identities::overwrite(&self.tx, &current.id, current.version, draft)
                    .map_err(&wrap)?;
                self.outcome.identities.updated += 1;
                (current.id, fields)
            }
            None => {
                let id = new_id(&self.tx, "identities", "identity", &record.id).map_err(&wrap)?;
                let created = record.created_at.as_deref().unwrap_or(&self.now);
                let updated = record.updated_at.as_deref().unwrap_or(created);
                identities::insert(&self.tx, &id, draft, created, updated).map_err(&wrap)?;
                self.written_identities
                    .insert(self.tx.last_insert_rowid(), origin);
                self.outcome.identities.created += 1;
                (id, Vec::new())
            }
        };
        audit::record(
            &self.tx,
            &self.actor,
            AuditRecord {
                action: "import",
                entity: "identity",
                id: &id,
                name: &draft.name,
                fields,
            },
        )
    }

    /// Makes the import permanent and returns what it did.
    pub fn commit(self) -> Result<ImportOutcome, StoreError> {
        self.tx.commit()?;
        Ok(self.outcome)
    }
}
