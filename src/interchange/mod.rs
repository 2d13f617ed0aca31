//! Import and export: this tool's export shape and the controller's list output.
//!
//! Records are read field by field from a `serde_json::Value` (rather than deserialised in one
//! go) so that an error names the record's index and the field, with the controller's defaults
//! for anything missing and unknown fields ignored.

mod record;

use serde_json::{Value, json};

use crate::model::import::{ImportPlan, ImportedIdentity, ImportedSigner};
use crate::store::{Store, StoreError};

/// Largest import file accepted, so a wrong file cannot exhaust memory.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Why an import file was refused before anything was written.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImportError {
    /// Not JSON at all.
    #[error("import: the file is not JSON ({0})")]
    NotJson(String),
    /// JSON, but neither of the known shapes.
    #[error(
        "import: expected {{\"externalJwtSigners\": [...], \"identities\": [...]}} or the controller's {{\"data\": [...]}}"
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
    /// Too big.
    #[error("import: the file is larger than {} MiB", MAX_IMPORT_BYTES / 1024 / 1024)]
    TooLarge,
}

/// The export document: every signer and identity, with the JSON names of design §2.
pub fn export(store: &Store) -> Result<Value, StoreError> {
    let signers = store.list_signers()?;
    let identities = store.list_identities()?;
    Ok(json!({ "externalJwtSigners": signers, "identities": identities }))
}

/// Parses and validates an import file into a plan; nothing is written.
pub fn parse_import(text: &str) -> Result<ImportPlan, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    // serde_json refuses nesting deeper than 128 levels, which bounds the recursion.
    let document: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    let Value::Object(top) = document else {
        return Err(ImportError::UnknownShape);
    };
    let (signers_list, signer_values) = if let Some(v) = top.get("externalJwtSigners") {
        ("externalJwtSigners", v)
    } else if let Some(v) = top.get("data") {
        ("data", v)
    } else if top.contains_key("identities") {
        ("externalJwtSigners", &Value::Null)
    } else {
        return Err(ImportError::UnknownShape);
    };
    let mut plan = ImportPlan {
        signers_list,
        ..ImportPlan::default()
    };
    for (index, value) in list(signer_values, signers_list)?.iter().enumerate() {
        let reader = record::Reader::new(value, signers_list, index)?;
        let (draft, meta) = reader.signer()?;
        let signer = draft.validate().map_err(|errors| {
            let first = errors.0.into_iter().next();
            ImportError::Record {
                list: signers_list,
                index,
                field: first.as_ref().map_or("record", |e| e.field),
                message: first.map_or_else(String::new, |e| e.message),
            }
        })?;
        plan.signers.push(ImportedSigner {
            index,
            id: meta.id,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            signer,
        });
    }
    let identity_values = top.get("identities").unwrap_or(&Value::Null);
    for (index, value) in list(identity_values, "identities")?.iter().enumerate() {
        let reader = record::Reader::new(value, "identities", index)?;
        let (draft, meta) = reader.identity()?;
        let draft = draft.validate().map_err(|errors| {
            let first = errors.0.into_iter().next();
            ImportError::Record {
                list: "identities",
                index,
                field: first.as_ref().map_or("record", |e| e.field),
                message: first.map_or_else(String::new, |e| e.message),
            }
        })?;
        plan.identities.push(ImportedIdentity {
            index,
            id: meta.id,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            draft,
        });
    }
    Ok(plan)
}

fn list<'a>(value: &'a Value, name: &'static str) -> Result<&'a [Value], ImportError> {
    match value {
        Value::Null => Ok(&[]),
        Value::Array(items) => Ok(items),
        _ => Err(ImportError::Record {
            list: name,
            index: 0,
            field: "record",
            message: format!("\"{name}\" must be a list"),
        }),
    }
}
