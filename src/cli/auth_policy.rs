//! `extjwt auth-policy …`

use anyhow::{Result, anyhow};

use super::Exit;
use super::args::{AuthPolicyCommand, AuthPolicyFields};
use super::output::{Out, yes_no};
use super::write;
use crate::model::{AuthPolicy, AuthPolicyDraft};
use crate::store::{Store, StoreError};
use crate::text::SafeText;

/// How many identity names `show` lists before it only counts.
const SHOWN_IDENTITIES: usize = 20;

pub fn run(store: &mut Store, command: &AuthPolicyCommand, out: &mut Out) -> Result<Exit> {
    match command {
        AuthPolicyCommand::List { json } => list(store, *json, out)?,
        AuthPolicyCommand::Show { key, json } => show(store, key, *json, out)?,
        AuthPolicyCommand::Create {
            name,
            fields,
            output,
        } => {
            let mut draft = AuthPolicyDraft {
                name: name.clone(),
                ..AuthPolicyDraft::default()
            };
            apply_fields(store, &mut draft, fields)?;
            let created = store.create_auth_policy(&draft.validate()?)?;
            write::created(out, output.json, &created.id, &show_json(&created)?)?;
        }
        AuthPolicyCommand::Update {
            key,
            name,
            fields,
            clear_ext_jwt_signers,
            if_version,
            output,
        } => {
            let current = store.find_auth_policy(key)?;
            if let Some(expected) = if_version
                && *expected != current.version
            {
                return Err(StoreError::Stale {
                    entity: "auth policy",
                    name: current.draft.name,
                }
                .into());
            }
            let mut draft = current.draft.clone();
            if let Some(name) = name {
                draft.name = name.clone();
            }
            if *clear_ext_jwt_signers {
                draft.primary.ext_jwt.allowed_signers.clear();
            }
            apply_fields(store, &mut draft, fields)?;
            let draft = draft.validate()?;
            let updated = store.update_auth_policy(
                &current.id,
                if_version.unwrap_or(current.version),
                &draft,
            )?;
            write::updated(
                out,
                output.json,
                "auth policy",
                &updated.draft.name,
                (&current.draft, &updated.draft),
                &show_json(&updated)?,
            )?;
        }
        AuthPolicyCommand::Delete { key, output } => {
            let policy = store.find_auth_policy(key)?;
            store.delete_auth_policy(&policy.id)?;
            write::deleted(
                out,
                output.json,
                "auth policy",
                (&policy.draft.name, &policy.id),
                &show_json(&policy)?,
            )?;
        }
    }
    Ok(Exit::Success)
}

/// The id of the signer `NAME|ID` names, or an error naming the flag.
fn signer_id(store: &Store, flag: &str, key: &str) -> Result<String> {
    match store.find_signer(key) {
        Ok(signer) => Ok(signer.id),
        Err(StoreError::NotFound { .. }) => Err(anyhow!(
            "{flag}: no signer named or with id \"{key}\" (list them with `extjwt signer list`)"
        )),
        Err(e) => Err(e.into()),
    }
}

fn apply_fields(
    store: &Store,
    draft: &mut AuthPolicyDraft,
    fields: &AuthPolicyFields,
) -> Result<()> {
    if let Some(v) = fields.ext_jwt_allowed {
        draft.primary.ext_jwt.allowed = v;
    }
    if !fields.ext_jwt_signers.is_empty() {
        draft.primary.ext_jwt.allowed_signers = fields
            .ext_jwt_signers
            .iter()
            .map(|key| signer_id(store, "--ext-jwt-signer", key))
            .collect::<Result<_>>()?;
    }
    if let Some(v) = fields.cert_allowed {
        draft.primary.cert.allowed = v;
    }
    if let Some(v) = fields.cert_allow_expired_certs {
        draft.primary.cert.allow_expired_certs = v;
    }
    if let Some(v) = fields.updb_allowed {
        draft.primary.updb.allowed = v;
    }
    if let Some(v) = fields.require_totp {
        draft.secondary.require_totp = v;
    }
    if let Some(key) = &fields.require_ext_jwt_signer {
        draft.secondary.require_ext_jwt_signer = if key.trim().is_empty() {
            None
        } else {
            Some(signer_id(store, "--require-ext-jwt-signer", key)?)
        };
    }
    write::merge_tags(&mut draft.tags, &fields.tags, fields.tags_json.as_deref())
}

/// Signer ids as names ("any" for an empty list), for people.
fn signer_names(store: &Store, ids: &[String]) -> Result<String> {
    if ids.is_empty() {
        return Ok("any".into());
    }
    let names = store.signer_names(ids)?;
    Ok(ids
        .iter()
        .map(|id| names.get(id).unwrap_or(id).as_str())
        .collect::<Vec<_>>()
        .join(", "))
}

fn list(store: &Store, json: bool, out: &mut Out) -> Result<()> {
    if json {
        return out.json_array(|emit| store.for_each_auth_policy(|p| emit(&p)));
    }
    let counts = store.identity_counts_by_policy()?;
    let mut rows = Vec::new();
    for p in store.list_auth_policies()? {
        rows.push(vec![
            SafeText::escape(&p.draft.name),
            yes_no(p.draft.primary.ext_jwt.allowed),
            SafeText::escape(&signer_names(
                store,
                &p.draft.primary.ext_jwt.allowed_signers,
            )?),
            SafeText::escape(&secondary(store, &p)?),
            SafeText::escape(&counts.get(&p.id).copied().unwrap_or(0).to_string()),
            SafeText::escape(&p.created_at),
            SafeText::escape(&p.id),
        ]);
    }
    out.table(
        &[
            "NAME",
            "EXT-JWT",
            "ALLOWED SIGNERS",
            "SECONDARY",
            "IDENTITIES",
            "CREATED AT",
            "ID",
        ],
        &rows,
    )?;
    Ok(())
}

/// "TOTP, signer okta" / "-".
fn secondary(store: &Store, p: &AuthPolicy) -> Result<String> {
    let mut parts = Vec::new();
    if p.draft.secondary.require_totp {
        parts.push("TOTP".to_string());
    }
    if let Some(id) = &p.draft.secondary.require_ext_jwt_signer {
        parts.push(format!(
            "signer {}",
            signer_names(store, std::slice::from_ref(id))?
        ));
    }
    Ok(if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    })
}

/// A policy as JSON with its version (what `--if-version` takes).
fn show_json(p: &AuthPolicy) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(p)?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("version".into(), p.version.into());
    }
    Ok(value)
}

fn show(store: &Store, key: &str, json: bool, out: &mut Out) -> Result<()> {
    let p = store.find_auth_policy(key)?;
    let (identities, total) = store.identities_on_policy(&p.id, SHOWN_IDENTITIES)?;
    if json {
        let mut value = show_json(&p)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("identityCount".into(), total.into());
        }
        return out.json(&value);
    }
    let esc = |v: &str| SafeText::escape(v);
    let d = &p.draft;
    let mut shown = identities.join(", ");
    if total as usize > identities.len() {
        shown.push_str(&format!(" and {} more", total as usize - identities.len()));
    }
    let fields = vec![
        ("ID", esc(&p.id)),
        ("Name", esc(&d.name)),
        ("Ext-JWT allowed", yes_no(d.primary.ext_jwt.allowed)),
        (
            "Allowed signers",
            esc(&signer_names(store, &d.primary.ext_jwt.allowed_signers)?),
        ),
        ("Cert allowed", yes_no(d.primary.cert.allowed)),
        ("Expired certs", yes_no(d.primary.cert.allow_expired_certs)),
        ("Password allowed", yes_no(d.primary.updb.allowed)),
        ("Secondary", esc(&secondary(store, &p)?)),
        ("Identities", esc(&format!("{total}"))),
        (
            "Identity names",
            if shown.is_empty() {
                esc("-")
            } else {
                esc(&shown)
            },
        ),
        ("Built in", yes_no(p.is_builtin())),
        ("Created at", esc(&p.created_at)),
        ("Updated at", esc(&p.updated_at)),
        ("Version", esc(&p.version.to_string())),
    ];
    out.fields(&fields)?;
    Ok(())
}
