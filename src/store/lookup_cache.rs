//! Memoised lookups for the verifier's hot path (signer by issuer, identity by external ID or
//! id). Entries stay valid while SQLite's `data_version` (bumped by other connections' commits)
//! and this connection's own write count are unchanged, so a change from any session is seen
//! on the next lookup.

use std::cell::RefCell;
use std::collections::HashMap;

use rusqlite::Connection;

use crate::model::{Identity, Signer};

/// Entries beyond this are dropped wholesale; a burst of unknown issuers cannot grow memory.
const MAX_ENTRIES: usize = 1024;

#[derive(Default)]
struct Entries {
    generation: Option<(i64, u64)>,
    signers_by_issuer: HashMap<String, Option<Signer>>,
    identities: HashMap<(bool, String), Option<Identity>>,
}

/// The memo; interior mutability because lookups take `&Store`.
pub(super) struct LookupCache {
    local_writes: u64,
    entries: RefCell<Entries>,
    enabled: bool,
}

impl Default for LookupCache {
    fn default() -> Self {
        LookupCache {
            local_writes: 0,
            entries: RefCell::default(),
            enabled: true,
        }
    }
}

impl LookupCache {
    pub(super) fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
        self.entries.borrow_mut().generation = None;
    }

    pub(super) fn note_local_write(&mut self) {
        self.local_writes += 1;
    }

    /// Drops every entry if the database changed since they were stored.
    fn revalidate(&self, conn: &Connection) -> rusqlite::Result<()> {
        let data_version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        let now = (data_version, self.local_writes);
        let mut entries = self.entries.borrow_mut();
        let size = entries.signers_by_issuer.len() + entries.identities.len();
        if entries.generation != Some(now) || size > MAX_ENTRIES {
            entries.signers_by_issuer.clear();
            entries.identities.clear();
            entries.generation = Some(now);
        }
        Ok(())
    }

    pub(super) fn signer_by_issuer(
        &self,
        conn: &Connection,
        issuer: &str,
        load: impl FnOnce() -> Result<Option<Signer>, super::StoreError>,
    ) -> Result<Option<Signer>, super::StoreError> {
        if !self.enabled {
            return load();
        }
        self.revalidate(conn)?;
        if let Some(hit) = self.entries.borrow().signers_by_issuer.get(issuer) {
            return Ok(hit.clone());
        }
        let loaded = load()?;
        self.entries
            .borrow_mut()
            .signers_by_issuer
            .insert(issuer.to_string(), loaded.clone());
        Ok(loaded)
    }

    pub(super) fn identity(
        &self,
        conn: &Connection,
        by_external_id: bool,
        key: &str,
        load: impl FnOnce() -> Result<Option<Identity>, super::StoreError>,
    ) -> Result<Option<Identity>, super::StoreError> {
        if !self.enabled {
            return load();
        }
        self.revalidate(conn)?;
        let cache_key = (by_external_id, key.to_string());
        if let Some(hit) = self.entries.borrow().identities.get(&cache_key) {
            return Ok(hit.clone());
        }
        let loaded = load()?;
        self.entries
            .borrow_mut()
            .identities
            .insert(cache_key, loaded.clone());
        Ok(loaded)
    }
}
