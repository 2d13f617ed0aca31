//! What the write commands (create, update, delete) share: the one line or JSON object that
//! says what they did, tags from `-t` and `--tags-json`, and errors named by the flag the user
//! typed rather than the JSON field behind it.

use anyhow::{Result, anyhow};
use serde::Serialize;
use serde_json::{Map, Value};

use super::output::Out;
use crate::model::{FieldError, ValidationErrors};
use crate::store::StoreError;
use crate::text::SafeText;

/// Which flag set which JSON field, for the fields this command line gave: `("audience",
/// "-a/--audience")`.
pub type FlagNames = Vec<(&'static str, &'static str)>;

/// `error` with the JSON field names the user did not type replaced by the flags they did.
pub fn name_flags(error: anyhow::Error, flags: &FlagNames) -> anyhow::Error {
    let flag_of = |field: &'static str| {
        flags
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field, |(_, flag)| *flag)
    };
    let rename = |errors: ValidationErrors| {
        ValidationErrors(
            errors
                .0
                .into_iter()
                .map(|e| FieldError::new(flag_of(e.field), e.message))
                .collect(),
        )
    };
    let error = match error.downcast::<ValidationErrors>() {
        Ok(errors) => return rename(errors).into(),
        Err(error) => error,
    };
    match error.downcast::<StoreError>() {
        Ok(StoreError::Invalid(errors)) => StoreError::Invalid(rename(errors)).into(),
        Ok(StoreError::Conflict { field, message }) => StoreError::Conflict {
            field: flag_of(field),
            message,
        }
        .into(),
        Ok(other) => other.into(),
        Err(error) => error,
    }
}

/// Adds `-t K=V` pairs and a `--tags-json` object to `tags` (`-t` wins on the same key).
pub fn merge_tags(
    tags: &mut Map<String, Value>,
    pairs: &[(String, String)],
    json: Option<&str>,
) -> Result<()> {
    if let Some(raw) = json {
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(object)) => tags.extend(object),
            Ok(other) => return Err(anyhow!("--tags-json: must be a JSON object, found {other}")),
            Err(e) => return Err(anyhow!("--tags-json: not JSON ({e})")),
        }
    }
    for (k, v) in pairs {
        tags.insert(k.clone(), Value::String(v.clone()));
    }
    Ok(())
}

/// The dotted paths whose values differ between two JSON documents (`audience`,
/// `primary.extJwt.allowed`); lists compare whole.
pub fn changed_paths(before: &Value, after: &Value) -> Vec<String> {
    fn walk(prefix: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
        match (before, after) {
            (Value::Object(b), Value::Object(a)) => {
                let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(
                        &path,
                        b.get(key).unwrap_or(&Value::Null),
                        a.get(key).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            (b, a) if b != a => out.push(prefix.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

/// What `create` prints: the new id (what scripts capture), or with `--json` the row.
pub fn created(out: &mut Out, json: bool, id: &str, row: &impl Serialize) -> Result<()> {
    if json {
        out.json(&serde_json::to_value(row)?)
    } else {
        Ok(out.line(&SafeText::escape(id))?)
    }
}

/// What `update` prints: "Updated signer okta: audience, enabled" (or "nothing changed"),
/// or with `--json` the row.
pub fn updated(
    out: &mut Out,
    json: bool,
    noun: &str,
    name: &str,
    (before, after): (&impl Serialize, &impl Serialize),
    row: &impl Serialize,
) -> Result<()> {
    if json {
        return out.json(&serde_json::to_value(row)?);
    }
    let changed = changed_paths(
        &serde_json::to_value(before)?,
        &serde_json::to_value(after)?,
    );
    let what = if changed.is_empty() {
        "nothing changed".to_string()
    } else {
        changed.join(", ")
    };
    Ok(out.line(&crate::safe!("Updated {} {}: {}", noun, name, what))?)
}

/// What `delete` prints: "Deleted signer okta (id …)", or with `--json` the row deleted.
pub fn deleted(
    out: &mut Out,
    json: bool,
    noun: &str,
    (name, id): (&str, &str),
    row: &impl Serialize,
) -> Result<()> {
    if json {
        return out.json(&serde_json::json!({ "deleted": row }));
    }
    Ok(out.line(&crate::safe!("Deleted {} {} (id {})", noun, name, id))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_paths_name_nested_fields() {
        let before =
            json!({"name": "a", "primary": {"extJwt": {"allowed": true, "allowedSigners": []}}});
        let after = json!({"name": "a", "primary": {"extJwt": {"allowed": false, "allowedSigners": ["x"]}}});
        assert_eq!(
            changed_paths(&before, &after),
            ["primary.extJwt.allowed", "primary.extJwt.allowedSigners"]
        );
        assert!(changed_paths(&before, &before).is_empty());
    }

    #[test]
    fn errors_name_the_flag_given() {
        let mut errors = ValidationErrors::default();
        errors.push("certPem", "not a certificate");
        errors.push("kid", "too long");
        let flags: FlagNames = vec![("certPem", "-f/--cert-file")];
        let renamed = name_flags(errors.into(), &flags).to_string();
        assert_eq!(renamed, "-f/--cert-file: not a certificate; kid: too long");
    }
}
