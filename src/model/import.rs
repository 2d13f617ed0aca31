//! Validated records of an import file, ready for the store to apply in one transaction.

use super::identity::IdentityDraft;
use super::signer::ValidSigner;

/// Identity fields an import may carry that a draft does not: the original id and times, kept so
/// that tokens mapped by identity id, and exports, survive a round trip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedIdentity {
    /// Position in the file's list, for error messages.
    pub index: usize,
    /// The id from the file, if it is a valid UUID.
    pub id: Option<String>,
    /// The creation time from the file.
    pub created_at: Option<String>,
    /// The update time from the file.
    pub updated_at: Option<String>,
    /// The validated fields.
    pub draft: IdentityDraft,
}

/// A signer from an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSigner {
    /// Position in the file's list, for error messages.
    pub index: usize,
    /// The id from the file, if it is a valid UUID.
    pub id: Option<String>,
    /// The creation time from the file.
    pub created_at: Option<String>,
    /// The update time from the file.
    pub updated_at: Option<String>,
    /// The validated fields.
    pub signer: ValidSigner,
}

/// Everything one import file holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    /// The name of the file's signer list (`externalJwtSigners` or the controller's `data`).
    pub signers_list: &'static str,
    /// Signers in file order.
    pub signers: Vec<ImportedSigner>,
    /// Identities in file order.
    pub identities: Vec<ImportedIdentity>,
}

/// What an import did, per entity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    /// New rows.
    pub created: usize,
    /// Existing rows (matched by name) whose fields changed.
    pub updated: usize,
    /// Existing rows that already matched.
    pub unchanged: usize,
}
