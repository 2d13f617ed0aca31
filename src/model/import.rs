//! Validated records of an import file, ready for the store to apply in one transaction.

use super::auth_policy::AuthPolicyDraft;
use super::identity::IdentityDraft;
use super::signer::ValidSigner;

/// Longest id kept from a file.
pub const ID_MAX_CHARS: usize = 64;

/// Checks an id from a file (design §2 "Ids"): 1 to 64 letters, digits, `.`, `_` and `-`, so a
/// UUID and a controller short id (`kPq3.Zx9a`, which may start with `-` or `.`) are kept as
/// given. Anything else is refused: an id never silently changes.
pub fn check_id(id: &str) -> Result<(), String> {
    let count = id.chars().count();
    if count == 0 || count > ID_MAX_CHARS {
        return Err(format!(
            "\"{}\" is not an id: ids are 1 to {ID_MAX_CHARS} characters",
            crate::text::escape(id)
        ));
    }
    match id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Some(c) => Err(format!(
            "\"{}\" is not an id: it holds \"{}\"; ids are letters, digits, '.', '_' and '-'",
            crate::text::escape(id),
            crate::text::escape(&c.to_string())
        )),
        None => Ok(()),
    }
}

/// A record of an import file, validated, with what a draft does not hold: where it stands in
/// the file (for errors), and the original id and times, kept so that tokens mapped by identity
/// id, and exports, survive a round trip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported<T> {
    /// The file's list this record is in (`externalJwtSigners`, the controller's `data`, ...).
    pub list: &'static str,
    /// Position in that list.
    pub index: usize,
    /// The id from the file, already checked with [`check_id`].
    pub id: Option<String>,
    /// The creation time from the file.
    pub created_at: Option<String>,
    /// The update time from the file.
    pub updated_at: Option<String>,
    /// The validated fields.
    pub draft: T,
}

/// An identity from an import file.
pub type ImportedIdentity = Imported<IdentityDraft>;
/// A signer from an import file.
pub type ImportedSigner = Imported<ValidSigner>;
/// An auth policy from an import file.
pub type ImportedAuthPolicy = Imported<AuthPolicyDraft>;

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

#[cfg(test)]
mod tests {
    use super::check_id;

    #[test]
    fn ids_are_kept_when_they_look_like_ids() {
        for ok in [
            "kPq3.Zx9a",
            "-abc",
            ".x",
            "1f0c9a2e-1111-4a4a-8b8b-000000000001",
            "a_b",
        ] {
            assert!(check_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a/b", "é", "x\u{1b}", &"a".repeat(65)] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_id("x\u{1b}").unwrap_err().contains("\\u{1b}"));
    }
}
