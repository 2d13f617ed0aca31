//! `extjwt signer …`

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::Exit;
use super::args::{SignerCommand, SignerFields, TargetTokenArg};
use super::output::{or_dash, print_fields, print_json, print_table, yes_no};
use crate::model::{Signer, SignerDraft, TargetToken};
use crate::store::{Store, StoreError};

pub fn run(store: &mut Store, command: &SignerCommand) -> Result<Exit> {
    match command {
        SignerCommand::List { json } => list(store, *json),
        SignerCommand::Show { key, json } => show(store, key, *json),
        SignerCommand::Create {
            name,
            issuer,
            fields,
        } => {
            let mut draft = SignerDraft {
                name: name.clone(),
                issuer: issuer.clone(),
                ..SignerDraft::default()
            };
            apply_fields(&mut draft, fields)?;
            let valid = draft.validate()?;
            let created = store.create_signer(&valid)?;
            println!("{}", created.id);
            Ok(Exit::Success)
        }
        SignerCommand::Update {
            key,
            name,
            issuer,
            fields,
            if_version,
        } => {
            let current = store.find_signer(key)?;
            if let Some(expected) = if_version
                && *expected != current.version
            {
                return Err(StoreError::Stale {
                    entity: "signer",
                    name: current.draft.name,
                }
                .into());
            }
            let version = if_version.unwrap_or(current.version);
            let mut draft = current.draft.clone();
            if let Some(name) = name {
                draft.name = name.clone();
            }
            if let Some(issuer) = issuer {
                draft.issuer = issuer.clone();
            }
            apply_fields(&mut draft, fields)?;
            let valid = draft.validate()?;
            store.update_signer(&current.id, version, &valid)?;
            Ok(Exit::Success)
        }
        SignerCommand::Delete { key } => {
            let signer = store.find_signer(key)?;
            store.delete_signer(&signer.id)?;
            Ok(Exit::Success)
        }
    }
}

/// Copies the options that were given onto the draft; a new key source replaces the old one.
fn apply_fields(draft: &mut SignerDraft, fields: &SignerFields) -> Result<()> {
    let new_cert = match (&fields.cert_file, &fields.cert_pem) {
        (Some(_), Some(_)) => bail!("certPem: give -f CERT_FILE or -p CERT_PEM, not both"),
        (Some(path), None) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("certPem: cannot read {}", path.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "certPem: {} is not a PEM certificate (it is binary; convert DER with openssl x509 -inform der)",
                    path.display()
                )
            })?;
            Some(text)
        }
        (None, Some(pem)) => Some(pem.clone()),
        (None, None) => None,
    };
    if new_cert.is_some() || fields.jwks_endpoint.is_some() {
        draft.cert_pem = new_cert;
        draft.jwks_endpoint = fields.jwks_endpoint.clone();
    }
    if let Some(v) = &fields.audience {
        draft.audience = v.clone();
    }
    if let Some(v) = &fields.kid {
        draft.kid = Some(v.clone());
    }
    if let Some(v) = &fields.claims_property {
        draft.claims_property = v.clone();
    }
    if let Some(v) = fields.use_external_id {
        draft.use_external_id = v;
    }
    if let Some(v) = fields.enabled {
        draft.enabled = v;
    }
    if let Some(v) = &fields.external_auth_url {
        draft.external_auth_url = Some(v.clone());
    }
    if let Some(v) = &fields.client_id {
        draft.client_id = Some(v.clone());
    }
    if let Some(v) = &fields.scopes {
        draft.scopes = v.clone();
    }
    if let Some(v) = fields.target_token {
        draft.target_token = match v {
            TargetTokenArg::Access => TargetToken::Access,
            TargetTokenArg::Id => TargetToken::Id,
        };
    }
    for (k, v) in &fields.tags {
        draft.tags.insert(k.clone(), Value::String(v.clone()));
    }
    Ok(())
}

/// The JSON of `signer show`: the signer plus the version scripts pass to `--if-version`.
pub fn show_json(signer: &Signer) -> Result<Value> {
    let mut value = serde_json::to_value(signer)?;
    if let Value::Object(map) = &mut value {
        map.insert("version".into(), signer.version.into());
    }
    Ok(value)
}

fn list(store: &Store, json: bool) -> Result<Exit> {
    if json {
        super::output::stream_json_array(|emit| store.for_each_signer(|s| emit(&s)))?;
        return Ok(Exit::Success);
    }
    let signers = store.list_signer_summaries()?;
    if signers.is_empty() {
        println!(
            "No signers yet. Add one with: extjwt signer create NAME ISSUER -a AUDIENCE -u JWKS_URL"
        );
    } else {
        let rows: Vec<Vec<String>> = signers
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.issuer.clone(),
                    s.audience.clone(),
                    yes_no(s.enabled),
                    s.created_at.clone(),
                    s.id.clone(),
                ]
            })
            .collect();
        print_table(
            &["NAME", "ISSUER", "AUDIENCE", "ENABLED", "CREATED AT", "ID"],
            &rows,
        );
    }
    Ok(Exit::Success)
}

fn show(store: &Store, key: &str, json: bool) -> Result<Exit> {
    let s = store.find_signer(key)?;
    if json {
        print_json(&show_json(&s)?)?;
        return Ok(Exit::Success);
    }
    let d = &s.draft;
    let mut fields = vec![
        ("ID", s.id.clone()),
        ("Name", d.name.clone()),
        ("Issuer", d.issuer.clone()),
        ("Audience", d.audience.clone()),
        ("Enabled", yes_no(d.enabled)),
        ("Key source", s.key_source_label().to_string()),
    ];
    if let Some(url) = &d.jwks_endpoint {
        fields.push(("JWKS endpoint", url.clone()));
    }
    if s.fingerprint.is_some() {
        fields.push(("Common name", or_dash(s.common_name.as_deref())));
        fields.push(("Fingerprint", or_dash(s.fingerprint.as_deref())));
        fields.push(("Not before", or_dash(s.not_before.as_deref())));
        fields.push(("Not after", or_dash(s.not_after.as_deref())));
    }
    fields.extend([
        ("Kid", or_dash(d.kid.as_deref())),
        ("Claims property", d.claims_property.clone()),
        ("Use external ID", yes_no(d.use_external_id)),
        ("Target token", d.target_token.as_str().to_string()),
        ("External auth URL", or_dash(d.external_auth_url.as_deref())),
        ("Client ID", or_dash(d.client_id.as_deref())),
        ("Scopes", d.scopes.join(",")),
        ("Tags", Value::Object(d.tags.clone()).to_string()),
        ("Created at", s.created_at.clone()),
        ("Updated at", s.updated_at.clone()),
        ("Version", s.version.to_string()),
    ]);
    print_fields(&fields);
    Ok(Exit::Success)
}
