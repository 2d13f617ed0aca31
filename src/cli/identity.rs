//! `extjwt identity …`

use anyhow::Result;

use super::Exit;
use super::args::{IdentityCommand, IdentityTypeArg};
use super::output::{Out, or_dash, yes_no};
use super::write;
use crate::model::{IdentityDraft, IdentityType};
use crate::store::{Store, StoreError};
use crate::text::SafeText;

fn identity_type(arg: IdentityTypeArg) -> IdentityType {
    match arg {
        IdentityTypeArg::Router => IdentityType::Router,
        IdentityTypeArg::Default => IdentityType::Default,
    }
}

/// `identity show --json` and the write commands' JSON: the identity and its version.
fn row_json(identity: &crate::model::Identity) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(identity)?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("version".into(), identity.version.into());
    }
    Ok(value)
}

/// The id of the policy `--auth-policy NAME|ID` names, or an error naming the flag.
fn policy_id(store: &Store, key: &str) -> Result<String> {
    match store.find_auth_policy(key) {
        Ok(policy) => Ok(policy.id),
        Err(StoreError::NotFound { .. }) => Err(anyhow::anyhow!(
            "-P/--auth-policy: no auth policy named or with id \"{}\" (list them with `extjwt auth-policy list`)",
            key
        )),
        Err(e) => Err(e.into()),
    }
}

/// "Contractors (id kPq3.Zx9a)", escaped.
fn policy_label(store: &Store, id: &str) -> Result<SafeText> {
    Ok(match store.auth_policy_by_id(id)? {
        Some(p) => crate::safe!("{} (id {})", p.draft.name, p.id),
        None => SafeText::escape(id),
    })
}

pub fn run(store: &mut Store, command: &IdentityCommand, out: &mut Out) -> Result<Exit> {
    match command {
        IdentityCommand::List { json } => {
            if *json {
                out.json_array(|emit| store.for_each_identity(|i| emit(&i)))?;
                return Ok(Exit::Success);
            }
            let identities = store.list_identities()?;
            if identities.is_empty() {
                out.line(&SafeText::literal(
                    "No identities yet. Add one with: extjwt identity create NAME --external-id X",
                ))?;
            } else {
                let now = chrono::Utc::now();
                let rows: Vec<Vec<SafeText>> = identities
                    .iter()
                    .map(|i| {
                        vec![
                            SafeText::escape(&i.draft.name),
                            or_dash(i.draft.external_id.as_deref()),
                            SafeText::literal(i.draft.identity_type.as_str()),
                            yes_no(i.draft.is_admin),
                            yes_no(i.draft.is_disabled_at(now)),
                            SafeText::escape(&i.created_at),
                            SafeText::escape(&i.id),
                        ]
                    })
                    .collect();
                out.table(
                    &[
                        "NAME",
                        "EXTERNAL ID",
                        "TYPE",
                        "ADMIN",
                        "DISABLED",
                        "CREATED AT",
                        "ID",
                    ],
                    &rows,
                )?;
            }
        }
        IdentityCommand::Show { key, json } => {
            let i = store.find_identity(key)?;
            if *json {
                out.json(&row_json(&i)?)?;
            } else {
                let esc = |v: &str| SafeText::escape(v);
                let mut fields = vec![
                    ("ID", esc(&i.id)),
                    ("Name", esc(&i.draft.name)),
                    ("External ID", or_dash(i.draft.external_id.as_deref())),
                    ("Type", SafeText::literal(i.draft.identity_type.as_str())),
                    ("Admin", yes_no(i.draft.is_admin)),
                    (
                        "Disabled",
                        yes_no(i.draft.is_disabled_at(chrono::Utc::now())),
                    ),
                    ("Disabled until", or_dash(i.draft.disabled_until.as_deref())),
                    (
                        "Role attributes",
                        SafeText::escape(&i.draft.role_attributes.join(",")),
                    ),
                    ("Auth policy", policy_label(store, &i.draft.auth_policy_id)?),
                    ("Created at", esc(&i.created_at)),
                    ("Updated at", esc(&i.updated_at)),
                    ("Version", esc(&i.version.to_string())),
                ];
                for warning in crate::model::identity::lookalike_warnings(&i.draft) {
                    fields.push(("Warning", esc(&warning)));
                }
                out.fields(&fields)?;
            }
        }
        IdentityCommand::Create {
            name,
            external_id,
            identity_type: kind,
            fields,
            output,
        } => {
            let flags: write::FlagNames = vec![
                ("externalId", "--external-id"),
                ("roleAttributes", "-a/--role-attributes"),
                ("disabledUntil", "--disabled-until"),
                ("authPolicyId", "-P/--auth-policy"),
            ];
            let created = (|| -> Result<_> {
                let draft = IdentityDraft {
                    name: name.clone(),
                    identity_type: identity_type(*kind),
                    is_admin: fields.admin.unwrap_or(false),
                    external_id: external_id.clone(),
                    auth_policy_id: match &fields.auth_policy {
                        Some(key) => policy_id(store, key)?,
                        None => String::new(),
                    },
                    disabled: fields.disabled.unwrap_or(false) || fields.disabled_until.is_some(),
                    disabled_until: fields.disabled_until.clone(),
                    role_attributes: fields.role_attributes.clone().unwrap_or_default(),
                }
                .validate()?;
                Ok(store.create_identity(&draft)?)
            })()
            .map_err(|e| write::name_flags(e, &flags))?;
            write::created(out, output.json, &created.id, &row_json(&created)?)?;
        }
        IdentityCommand::Update {
            key,
            name,
            external_id,
            identity_type: kind,
            fields,
            if_version,
            output,
        } => {
            let current = store.find_identity(key)?;
            if let Some(expected) = if_version
                && *expected != current.version
            {
                return Err(StoreError::Stale {
                    entity: "identity",
                    name: current.draft.name,
                }
                .into());
            }
            let mut flags = write::FlagNames::new();
            let mut draft = current.draft.clone();
            if let Some(v) = name {
                draft.name = v.clone();
                flags.push(("name", "-n/--name"));
            }
            if let Some(v) = external_id {
                draft.external_id = Some(v.clone());
                flags.push(("externalId", "-x/--external-id"));
            }
            if let Some(v) = kind {
                draft.identity_type = identity_type(*v);
            }
            if let Some(v) = &fields.admin {
                draft.is_admin = *v;
            }
            if let Some(v) = &fields.role_attributes {
                // `-a ""` clears them.
                draft.role_attributes = v.iter().filter(|a| !a.is_empty()).cloned().collect();
                flags.push(("roleAttributes", "-a/--role-attributes"));
            }
            if let Some(v) = &fields.disabled {
                draft.disabled = *v;
                if !*v {
                    draft.disabled_until = None;
                }
            }
            if let Some(v) = &fields.disabled_until {
                draft.disabled = true;
                draft.disabled_until = Some(v.clone());
                flags.push(("disabledUntil", "--disabled-until"));
            }
            flags.push(("authPolicyId", "-P/--auth-policy"));
            let updated = (|| -> Result<_> {
                if let Some(key) = &fields.auth_policy {
                    draft.auth_policy_id = policy_id(store, key)?;
                }
                let draft = draft.validate()?;
                Ok(store.update_identity(
                    &current.id,
                    if_version.unwrap_or(current.version),
                    &draft,
                )?)
            })()
            .map_err(|e| write::name_flags(e, &flags))?;
            write::updated(
                out,
                output.json,
                "identity",
                &updated.draft.name,
                (&current.draft, &updated.draft),
                &row_json(&updated)?,
            )?;
        }
        IdentityCommand::Delete { key, output } => {
            let identity = store.find_identity(key)?;
            store.delete_identity(&identity.id)?;
            write::deleted(
                out,
                output.json,
                "identity",
                (&identity.draft.name, &identity.id),
                &row_json(&identity)?,
            )?;
        }
    }
    Ok(Exit::Success)
}
