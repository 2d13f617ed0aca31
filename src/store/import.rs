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

/// SQLite's page cache during an import, in KiB.
const IMPORT_CACHE_KIB: u32 = 16 * 1024;

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
    /// Which rows this import wrote, per table: a second record with the same name finds a
    /// row written here, and the error names both.
    written_signers: Written,
    written_identities: Written,
}

/// The origin of every row an import wrote, in a few bytes a row: new rows (rowids above the
/// table's largest when the import began, handed out in order) in a vector, updated rows in a
/// map. A million-row import holds 8 MiB here, not its records.
struct Written {
    base: i64,
    new_rows: Vec<u64>,
    updated: HashMap<i64, u64>,
    lists: Vec<&'static str>,
}

impl Written {
    fn start(tx: &Transaction<'_>, table: &str) -> Result<Written, StoreError> {
        let base: i64 = tx.query_row(
            &format!("SELECT coalesce(max(rowid), 0) FROM {table}"),
            [],
            |r| r.get(0),
        )?;
        Ok(Written {
            base,
            new_rows: Vec::new(),
            updated: HashMap::new(),
            lists: Vec::new(),
        })
    }

    fn pack(&mut self, origin: Origin) -> u64 {
        let list = match self.lists.iter().position(|l| *l == origin.list) {
            Some(n) => n,
            None => {
                self.lists.push(origin.list);
                self.lists.len() - 1
            }
        };
        ((list as u64) << 40) | origin.index as u64
    }

    fn unpack(&self, packed: u64) -> Origin {
        Origin {
            list: self
                .lists
                .get((packed >> 40) as usize)
                .copied()
                .unwrap_or("?"),
            index: (packed & ((1 << 40) - 1)) as usize,
        }
    }

    fn note(&mut self, rowid: i64, origin: Origin) {
        let packed = self.pack(origin);
        if rowid > self.base {
            let slot = (rowid - self.base - 1) as usize;
            if self.new_rows.len() <= slot {
                self.new_rows.resize(slot + 1, u64::MAX);
            }
            self.new_rows[slot] = packed;
        } else {
            self.updated.insert(rowid, packed);
        }
    }

    fn get(&self, rowid: i64) -> Option<Origin> {
        let packed = if rowid > self.base {
            self.new_rows
                .get((rowid - self.base - 1) as usize)
                .copied()
                .filter(|p| *p != u64::MAX)
        } else {
            self.updated.get(&rowid).copied()
        }?;
        Some(self.unpack(packed))
    }
}

impl Store {
    /// Starts an import: takes the write lock until the session commits or is dropped.
    pub fn begin_import(&mut self) -> Result<ImportSession<'_>, StoreError> {
        let actor = self.actor();
        let tx = self.write_tx()?;
        // Inserts land all over the id and audit indexes; with SQLite's 2 MiB default cache
        // most of an import's time went to spilling pages to the WAL and reading them back.
        tx.execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        Ok(ImportSession {
            actor,
            now: super::now(),
            outcome: ImportOutcome::default(),
            written_signers: Written::start(&tx, "signers")?,
            written_identities: Written::start(&tx, "identities")?,
            tx,
        })
    }
}

/// The rowid and id of the row named `name`. The name index holds the rowid, so a new name
/// (the common case of an import) costs one index probe and never touches the table.
fn row_named(
    tx: &Transaction<'_>,
    table: &str,
    name: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let rowid: Option<i64> = tx
        .prepare_cached(&format!("SELECT rowid FROM {table} WHERE name = ?1"))?
        .query_row([name], |r| r.get(0))
        .optional()?;
    let Some(rowid) = rowid else { return Ok(None) };
    let id: String = tx
        .prepare_cached(&format!("SELECT id FROM {table} WHERE rowid = ?1"))?
        .query_row([rowid], |r| r.get(0))?;
    Ok(Some((rowid, id)))
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
        None => Ok(super::new_row_id()),
        Some(id) => {
            let (owner, named): (Option<String>, bool) = tx
                .prepare_cached(&format!(
                    "SELECT (SELECT name FROM {table} WHERE id = ?1),
                            EXISTS (SELECT 1 FROM {table} WHERE name = ?1)"
                ))?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if let Some(other) = owner {
                return Err(StoreError::Conflict {
                    field: "id",
                    message: format!(
                        "id \"{id}\" belongs to {noun} {other}, which has another name; rename one of them"
                    ),
                });
            }
            if named {
                // `NAME|ID` matches the id first: this id would hijack that row's lookups.
                return Err(StoreError::Conflict {
                    field: "id",
                    message: format!(
                        "id \"{id}\" is the name of another {noun}; an id may not equal another {noun}'s name"
                    ),
                });
            }
            Ok(id.clone())
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
        let existing = row_named(&self.tx, "signers", &valid.draft.name).map_err(&wrap)?;
        let (id, fields) = match existing {
            Some((rowid, id)) => {
                if let Some(first) = self.written_signers.get(rowid) {
                    return Err(wrap(twice(&valid.draft.name, first)));
                }
                self.written_signers.note(rowid, origin);
                let current = signers::by_id_tx(&self.tx, &id)?
                    .ok_or_else(|| StoreError::Corrupt("a signer vanished mid-import".into()))?;
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
                    .note(self.tx.last_insert_rowid(), origin);
                self.outcome.signers.created += 1;
                (id, Vec::new())
            }
        };
        audit::record_at(
            &self.tx,
            &self.actor,
            &self.now,
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
        let existing = row_named(&self.tx, "identities", &draft.name).map_err(&wrap)?;
        let (id, fields) = match existing {
            Some((rowid, id)) => {
                if let Some(first) = self.written_identities.get(rowid) {
                    return Err(wrap(twice(&draft.name, first)));
                }
                self.written_identities.note(rowid, origin);
                let current = identities::by_id_tx(&self.tx, &id)?
                    .ok_or_else(|| StoreError::Corrupt("an identity vanished mid-import".into()))?;
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
                    .note(self.tx.last_insert_rowid(), origin);
                self.outcome.identities.created += 1;
                (id, Vec::new())
            }
        };
        audit::record_at(
            &self.tx,
            &self.actor,
            &self.now,
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
