//! Applying an import: one transaction, records streamed in one at a time, matched by name,
//! all or nothing.
//!
//! The importer (`interchange`) reads a record, validates it, and hands it to an
//! [`ImportSession`], which writes it at once: memory holds one record (and a number per row
//! written, to refuse a name that appears twice in one file), never the file.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction};

use super::audit::{self, AuditRecord};
use super::entity::{self, Entity};
use super::{Store, StoreError, auth_policies, identities, signers};
use crate::model::import::{ImportCounts, ImportedAuthPolicy, ImportedIdentity, ImportedSigner};
use crate::model::{AuthPolicy, Identity, Signer, ValidationErrors};

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// Signer counts.
    pub signers: ImportCounts,
    /// Identity counts.
    pub identities: ImportCounts,
    /// Auth policy counts.
    pub auth_policies: ImportCounts,
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
    written_policies: Written,
    /// References to rows not (yet) in the database: a record may name a row that comes later
    /// in the file. Checked once more at commit, where the first still missing is the error.
    pending: Vec<PendingReference>,
}

/// A reference an import could not resolve when its record was written.
struct PendingReference {
    origin: Origin,
    field: &'static str,
    table: &'static str,
    id: String,
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
        // References are checked at commit, so a record may name one later in the file (the
        // session names the record itself before SQLite would).
        tx.execute_batch(&format!(
            "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA defer_foreign_keys = ON;"
        ))?;
        Ok(ImportSession {
            actor,
            now: super::now(),
            outcome: ImportOutcome::default(),
            written_signers: Written::start(&tx, "signers")?,
            written_identities: Written::start(&tx, "identities")?,
            written_policies: Written::start(&tx, "auth_policies")?,
            pending: Vec::new(),
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
fn new_id<E: Entity>(tx: &Transaction<'_>, wanted: &Option<String>) -> Result<String, StoreError> {
    let (table, noun) = (E::TABLE, E::LABEL);
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

fn exists(tx: &Transaction<'_>, table: &str, id: &str) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// One record of an import, whatever its entity: how to compare it with the row of the same
/// name and how to write it.
struct Incoming<'r, D> {
    origin: Origin,
    name: &'r str,
    id: &'r Option<String>,
    created_at: Option<&'r str>,
    updated_at: Option<&'r str>,
    draft: &'r D,
}

impl ImportSession<'_> {
    fn wrap(origin: Origin) -> impl Fn(StoreError) -> StoreError {
        move |e| StoreError::ImportRecord {
            list: origin.list,
            index: origin.index,
            cause: Box::new(e),
        }
    }

    /// Creates or updates the row named like `incoming`: the one path every entity takes.
    /// `draft_of` reads a stored row's draft, `overwrite` and `insert` write one.
    fn apply<E: Entity, D: PartialEq + serde::Serialize>(
        &mut self,
        incoming: Incoming<'_, D>,
        draft_of: impl Fn(&E) -> &D,
        overwrite: impl FnOnce(&Transaction<'_>, &E) -> Result<bool, StoreError>,
        insert: impl FnOnce(&Transaction<'_>, &str, &str, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let origin = incoming.origin;
        let wrap = Self::wrap(origin);
        let (written, counts) = match E::TABLE {
            "signers" => (&mut self.written_signers, &mut self.outcome.signers),
            "identities" => (&mut self.written_identities, &mut self.outcome.identities),
            _ => (&mut self.written_policies, &mut self.outcome.auth_policies),
        };
        let existing = row_named(&self.tx, E::TABLE, incoming.name).map_err(&wrap)?;
        let (id, fields) = match existing {
            Some((rowid, id)) => {
                if let Some(first) = written.get(rowid) {
                    return Err(wrap(twice(incoming.name, first)));
                }
                written.note(rowid, origin);
                let current = entity::by_id::<E>(&self.tx, &id)?.ok_or_else(|| {
                    StoreError::Corrupt(format!("a {} vanished mid-import", E::LABEL))
                })?;
                if draft_of(&current) == incoming.draft {
                    counts.unchanged += 1;
                    return Ok(());
                }
                let fields = audit::changed_fields(draft_of(&current), incoming.draft);
                if !overwrite(&self.tx, &current).map_err(&wrap)? {
                    return Err(StoreError::Corrupt(format!(
                        "a {} moved mid-import",
                        E::LABEL
                    )));
                }
                counts.updated += 1;
                (id, fields)
            }
            None => {
                let id = new_id::<E>(&self.tx, incoming.id).map_err(&wrap)?;
                let created = incoming.created_at.unwrap_or(&self.now);
                let updated = incoming.updated_at.unwrap_or(created);
                insert(&self.tx, &id, created, updated).map_err(&wrap)?;
                written.note(self.tx.last_insert_rowid(), origin);
                counts.created += 1;
                (id, Vec::new())
            }
        };
        audit::record_at(
            &self.tx,
            &self.actor,
            &self.now,
            AuditRecord {
                action: "import",
                entity: E::KIND,
                id: &id,
                name: incoming.name,
                fields,
            },
        )
    }

    /// Notes a reference to `table` row `id` for the check at commit, unless it exists now.
    fn refer(
        &mut self,
        origin: Origin,
        field: &'static str,
        table: &'static str,
        id: &str,
    ) -> Result<(), StoreError> {
        if !exists(&self.tx, table, id)? {
            self.pending.push(PendingReference {
                origin,
                field,
                table,
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// Creates or updates the signer named like `record`.
    pub fn signer(&mut self, record: &ImportedSigner) -> Result<(), StoreError> {
        let valid = &record.draft;
        self.apply::<Signer, _>(
            Incoming {
                origin: Origin {
                    list: record.list,
                    index: record.index,
                },
                name: &valid.draft.name,
                id: &record.id,
                created_at: record.created_at.as_deref(),
                updated_at: record.updated_at.as_deref(),
                draft: &valid.draft,
            },
            |s| &s.draft,
            |tx, current| signers::overwrite(tx, &current.id, current.version, valid),
            |tx, id, created, updated| signers::insert(tx, id, valid, created, updated),
        )
    }

    /// Creates or updates the identity named like `record`.
    pub fn identity(&mut self, record: &ImportedIdentity) -> Result<(), StoreError> {
        let origin = Origin {
            list: record.list,
            index: record.index,
        };
        let draft = &record.draft;
        self.refer(
            origin,
            "authPolicyId",
            "auth_policies",
            &draft.auth_policy_id,
        )?;
        self.apply::<Identity, _>(
            Incoming {
                origin,
                name: &draft.name,
                id: &record.id,
                created_at: record.created_at.as_deref(),
                updated_at: record.updated_at.as_deref(),
                draft,
            },
            |i| &i.draft,
            |tx, current| identities::overwrite_unchecked(tx, &current.id, current.version, draft),
            |tx, id, created, updated| identities::insert(tx, id, draft, created, updated),
        )
    }

    /// Creates or updates the auth policy named like `record`. Its signers may come later
    /// in the file.
    pub fn auth_policy(&mut self, record: &ImportedAuthPolicy) -> Result<(), StoreError> {
        let origin = Origin {
            list: record.list,
            index: record.index,
        };
        let draft = &record.draft;
        for id in &draft.primary.ext_jwt.allowed_signers {
            self.refer(origin, "primary.extJwt.allowedSigners", "signers", id)?;
        }
        if let Some(id) = &draft.secondary.require_ext_jwt_signer {
            self.refer(origin, "secondary.requireExtJwtSigner", "signers", id)?;
        }
        self.apply::<AuthPolicy, _>(
            Incoming {
                origin,
                name: &draft.name,
                id: &record.id,
                created_at: record.created_at.as_deref(),
                updated_at: record.updated_at.as_deref(),
                draft,
            },
            |p| &p.draft,
            |tx, current| {
                auth_policies::overwrite_unchecked(tx, &current.id, current.version, draft)
            },
            |tx, id, created, updated| {
                auth_policies::insert_unchecked(tx, id, draft, created, updated)
            },
        )?;
        // The built-in policy exists before any import; adopting the file's times for it keeps
        // export → import → export identical.
        if record.id.as_deref() == Some(crate::model::signer::DEFAULT_AUTH_POLICY)
            && let (Some(created), Some(updated)) = (&record.created_at, &record.updated_at)
        {
            self.tx
                .prepare_cached(
                    "UPDATE auth_policies SET created_at = ?1, updated_at = ?2
                     WHERE id = 'default' AND name = ?3",
                )?
                .execute(rusqlite::params![created, updated, draft.name])?;
        }
        Ok(())
    }

    /// The id of the row of `table` (`signers` or `auth_policies`) named `name`, in the
    /// database or written by this import so far.
    pub fn id_named(&self, table: &'static str, name: &str) -> Result<Option<String>, StoreError> {
        let table = match table {
            "signers" => "signers",
            _ => "auth_policies",
        };
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT id FROM {table} WHERE name = ?1"))?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }

    /// Makes the import permanent and returns what it did; refused (nothing written) when a
    /// reference still names no row.
    pub fn commit(self) -> Result<ImportOutcome, StoreError> {
        for pending in &self.pending {
            if !exists(&self.tx, pending.table, &pending.id)? {
                let what = if pending.table == "signers" {
                    "signer"
                } else {
                    "auth policy"
                };
                let mut errors = ValidationErrors::default();
                errors.push(
                    pending.field,
                    format!(
                        "no {what} with id \"{}\" in the database or this file",
                        pending.id
                    ),
                );
                return Err(Self::wrap(pending.origin)(StoreError::Invalid(errors)));
            }
        }
        self.tx.commit()?;
        Ok(self.outcome)
    }
}
