//! Types and validation for signers, identities and auth policies. No I/O: everything here is pure so that the
//! store, the CLI, the importer and the forms share one set of rules.

pub mod address;
pub mod auth_policy;
pub mod certificate;
pub mod error;
pub mod identity;
pub mod import;
pub mod limits;
pub mod pointer;
pub mod signer;

pub use auth_policy::{AuthPolicy, AuthPolicyDraft, PolicyRefusal};
pub use certificate::CertificateDetails;
pub use error::{FieldError, ValidationErrors};
pub use identity::{Identity, IdentityDraft, IdentityType};
pub use signer::{Signer, SignerDraft, SignerSummary, TargetToken, ValidSigner};

/// The current time as an RFC 3339 UTC string with second precision, the form every stored
/// timestamp takes.
pub fn now_rfc3339() -> String {
    format_rfc3339(chrono::Utc::now())
}

/// Formats a UTC time the way the store and the JSON formats write it.
pub fn format_rfc3339(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
