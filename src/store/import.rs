//! Applying an import plan: one transaction, matched by name, all or nothing.

use super::audit::{self, AuditRecord};
use super::{Store, StoreError, identities, signers};
use crate::model::import::{ImportCounts, ImportPlan};

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    /// Signer counts.
    pub signers: ImportCounts,
    /// Identity counts.
    pub identities: ImportCounts,
}

fn usable_id(candidate: &Option<String>) -> String {
    candidate
        .as_deref()
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map(|u| u.to_string())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

impl Store {
    /// Applies every record of `plan` in one transaction. Rows are matched by name: a new name
    /// is created (keeping the file's id and times when they are valid and free), a known one
    /// updated when any field differs. The first failing record rolls everything back and is
    /// named by its list and index.
    pub fn import(&mut self, plan: &ImportPlan) -> Result<ImportOutcome, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let mut outcome = ImportOutcome::default();
        let now = super::now();
        for record in &plan.signers {
            let wrap = |e: StoreError| StoreError::ImportRecord {
                list: plan.signers_list,
                index: record.index,
                cause: Box::new(e),
            };
            let valid = &record.signer;
            let existing = signers::by_name_tx(&tx, &valid.draft.name).map_err(wrap)?;
            let (id, fields) = match existing {
                Some(current) if current.draft == valid.draft => {
                    outcome.signers.unchanged += 1;
                    continue;
                }
                Some(current) => {
                    let fields = audit::changed_fields(&current.draft, &valid.draft);
                    signers::overwrite(&tx, &current.id, current.version, valid).map_err(wrap)?;
                    outcome.signers.updated += 1;
                    (current.id, fields)
                }
                None => {
                    let mut id = usable_id(&record.id);
                    if signers::by_id_tx(&tx, &id).map_err(wrap)?.is_some() {
                        id = uuid::Uuid::new_v4().to_string();
                    }
                    let created = record.created_at.as_deref().unwrap_or(&now);
                    let updated = record.updated_at.as_deref().unwrap_or(created);
                    signers::insert(&tx, &id, valid, created, updated).map_err(wrap)?;
                    outcome.signers.created += 1;
                    (id, Vec::new())
                }
            };
            audit::record(
                &tx,
                &actor,
                AuditRecord {
                    action: "import",
                    entity: "signer",
                    id: &id,
                    name: &valid.draft.name,
                    fields,
                },
            )?;
        }
        for record in &plan.identities {
            let wrap = |e: StoreError| StoreError::ImportRecord {
                list: "identities",
                index: record.index,
                cause: Box::new(e),
            };
            let draft = &record.draft;
            let existing = identities::by_name_tx(&tx, &draft.name).map_err(wrap)?;
            let (id, fields) = match existing {
                Some(current) if &current.draft == draft => {
                    outcome.identities.unchanged += 1;
                    continue;
                }
                Some(current) => {
                    let fields = audit::changed_fields(&current.draft, draft);
                    identities::overwrite(&tx, &current.id, current.version, draft)
                        .map_err(wrap)?;
                    outcome.identities.updated += 1;
                    (current.id, fields)
                }
                None => {
                    let mut id = usable_id(&record.id);
                    if identities::by_id_tx(&tx, &id).map_err(wrap)?.is_some() {
                        id = uuid::Uuid::new_v4().to_string();
                    }
                    let created = record.created_at.as_deref().unwrap_or(&now);
                    let updated = record.updated_at.as_deref().unwrap_or(created);
                    identities::insert(&tx, &id, draft, created, updated).map_err(wrap)?;
                    outcome.identities.created += 1;
                    (id, Vec::new())
                }
            };
            audit::record(
                &tx,
                &actor,
                AuditRecord {
                    action: "import",
                    entity: "identity",
                    id: &id,
                    name: &draft.name,
                    fields,
                },
            )?;
        }
        tx.commit()?;
        Ok(outcome)
    }
}
