//! `extjwt signer …`

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::Exit;
use super::args::{SignerCommand, SignerFields, TargetTokenArg};
use super::output::{Out, or_dash, yes_no};
use super::write;
use crate::model::{Signer, SignerDraft, TargetToken};
use crate::store::{Store, StoreError};
use crate::text::SafeText;

/// Largest certificate file read (design §7); a real certificate is a few KiB.
pub const MAX_CERT_FILE_BYTES: u64 = 1024 * 1024;

pub fn run(store: &mut Store, command: &SignerCommand, out: &mut Out) -> Result<Exit> {
    match command {
        SignerCommand::List { json } => list(store, *json, out),
        SignerCommand::Show { key, json } => show(store, key, *json, out),
        SignerCommand::Check { key, json } => check(
            store,
            key.as_deref(),
            *json,
            &crate::model::address::JwksFetchPolicy::default(),
            out,
        ),
        SignerCommand::Create {
            name,
            issuer,
            fields,
            output,
        } => {
            let mut draft = SignerDraft {
                name: name.clone(),
                issuer: issuer.clone(),
                ..SignerDraft::default()
            };
            // Positional NAME and ISSUER keep their field names.
            let flags = flags_given(fields);
            let created = apply_fields(store, &mut draft, fields)
                .and_then(|()| Ok(draft.validate()?))
                .and_then(|valid| Ok(store.create_signer(&valid)?))
                .map_err(|e| write::name_flags(e, &flags))?;
            write::created(out, output.json, &created.id, &show_json(&created)?)?;
            Ok(Exit::Success)
        }
        SignerCommand::Update {
            key,
            name,
            issuer,
            fields,
            if_version,
            output,
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
            let mut flags = flags_given(fields);
            if let Some(name) = name {
                draft.name = name.clone();
                flags.push(("name", "-n/--name"));
            }
            if let Some(issuer) = issuer {
                draft.issuer = issuer.clone();
                flags.push(("issuer", "-l/--issuer"));
            }
            let updated = apply_fields(store, &mut draft, fields)
                .and_then(|()| Ok(draft.validate()?))
                .and_then(|valid| Ok(store.update_signer(&current.id, version, &valid)?))
                .map_err(|e| write::name_flags(e, &flags))?;
            write::updated(
                out,
                output.json,
                "signer",
                &updated.draft.name,
                (&current.draft, &updated.draft),
                &show_json(&updated)?,
            )?;
            Ok(Exit::Success)
        }
        SignerCommand::Delete { key, output } => {
            let signer = store.find_signer(key)?;
            store.delete_signer(&signer.id)?;
            write::deleted(
                out,
                output.json,
                "signer",
                (&signer.draft.name, &signer.id),
                &show_json(&signer)?,
            )?;
            Ok(Exit::Success)
        }
    }
}

/// The JSON fields the given flags set, with the flag's name as the user may have typed it.
fn flags_given(fields: &SignerFields) -> write::FlagNames {
    [
        (fields.audience.is_some(), "audience", "-a/--audience"),
        (fields.cert_file.is_some(), "certPem", "-f/--cert-file"),
        (fields.cert_pem.is_some(), "certPem", "-p/--cert-pem"),
        (
            fields.jwks_endpoint.is_some(),
            "jwksEndpoint",
            "-u/--jwks-endpoint",
        ),
        (fields.kid.is_some(), "kid", "-k/--kid"),
        (
            fields.claims_property.is_some(),
            "claimsProperty",
            "-c/--claims-property",
        ),
        (
            fields.external_auth_url.is_some(),
            "externalAuthUrl",
            "-y/--external-auth-url",
        ),
        (fields.client_id.is_some(), "clientId", "--client-id"),
        (fields.scopes.is_some(), "scopes", "--scopes"),
        (
            fields.enroll_name_claims_selector.is_some(),
            "enrollNameClaimsSelector",
            "--enroll-name-claims-selector",
        ),
        (
            fields.enroll_attr_claims_selector.is_some(),
            "enrollAttributeClaimsSelector",
            "--enroll-attr-claims-selector",
        ),
        (!fields.tags.is_empty(), "tags", "-t/--tags"),
        (fields.tags_json.is_some(), "tags", "--tags-json"),
    ]
    .into_iter()
    .filter(|(given, _, _)| *given)
    .map(|(_, field, flag)| (field, flag))
    .collect()
}

/// Copies the options that were given onto the draft; a new key source replaces the old one.
fn apply_fields(store: &Store, draft: &mut SignerDraft, fields: &SignerFields) -> Result<()> {
    let new_cert = match (&fields.cert_file, &fields.cert_pem) {
        (Some(_), Some(_)) => bail!("-f/--cert-file: give -f CERT_FILE or -p CERT_PEM, not both"),
        (Some(path), None) => {
            let bytes = read_capped(path, MAX_CERT_FILE_BYTES)
                .with_context(|| format!("-f/--cert-file: cannot read {}", path.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "-f/--cert-file: {} is not a PEM certificate (it is binary; convert DER with openssl x509 -inform der)",
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
        // An empty flag means none (null), as in the form.
        draft.kid = Some(v.clone()).filter(|k| !k.trim().is_empty());
    }
    if let Some(v) = &fields.claims_property {
        draft.claims_property = v.clone();
    }
    if let Some(v) = fields.use_external_id() {
        draft.use_external_id = v;
    }
    if let Some(v) = fields.enabled() {
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
    if let Some(v) = fields.enroll_to_cert {
        draft.enroll_to_cert_enabled = v;
    }
    if let Some(v) = fields.enroll_to_token {
        draft.enroll_to_token_enabled = v;
    }
    if let Some(v) = &fields.enroll_name_claims_selector {
        draft.enroll_name_claims_selector = v.clone();
    }
    if let Some(v) = &fields.enroll_attr_claims_selector {
        draft.enroll_attribute_claims_selector = Some(v.clone()).filter(|s| !s.trim().is_empty());
    }
    if let Some(key) = &fields.enroll_auth_policy {
        draft.enroll_auth_policy_id = match store.find_auth_policy(key) {
            Ok(policy) => policy.id,
            Err(StoreError::NotFound { .. }) => bail!(
                "--enroll-auth-policy: no auth policy named or with id \"{key}\" (list them with `extjwt auth-policy list`)"
            ),
            Err(e) => return Err(e.into()),
        };
    }
    write::merge_tags(&mut draft.tags, &fields.tags, fields.tags_json.as_deref())
}

/// The JSON of `signer show`: the signer plus the version scripts pass to `--if-version`.
pub fn show_json(signer: &Signer) -> Result<Value> {
    let mut value = serde_json::to_value(signer)?;
    if let Value::Object(map) = &mut value {
        map.insert("version".into(), signer.version.into());
    }
    Ok(value)
}

/// Reads at most `cap` bytes of `path`, refusing a larger file (or an endless one such as
/// /dev/zero) before holding it in memory.
pub fn read_capped(path: &std::path::Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if let Some(kind) = crate::store::file_kind(&file.metadata()?.file_type())
        && kind == "a directory"
    {
        return Err(std::io::Error::other("it is a directory"));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other(format!(
            "it is larger than {} KiB; a certificate file is a few KiB",
            cap / 1024
        )));
    }
    Ok(bytes)
}

fn list(store: &Store, json: bool, out: &mut Out) -> Result<Exit> {
    if json {
        out.json_array(|emit| store.for_each_signer(|s| emit(&s)))?;
        return Ok(Exit::Success);
    }
    let signers = store.list_signer_summaries()?;
    if signers.is_empty() {
        out.line(&SafeText::literal(
            "No signers yet. Add one with: extjwt signer create NAME ISSUER -a AUDIENCE -u JWKS_URL",
        ))?;
    } else {
        let rows: Vec<Vec<SafeText>> = signers
            .iter()
            .map(|s| {
                vec![
                    SafeText::escape(&s.name),
                    SafeText::escape(&s.issuer),
                    SafeText::escape(&s.audience),
                    yes_no(s.enabled),
                    SafeText::escape(&s.created_at),
                    SafeText::escape(&s.id),
                ]
            })
            .collect();
        out.table(
            &["NAME", "ISSUER", "AUDIENCE", "ENABLED", "CREATED AT", "ID"],
            &rows,
        )?;
    }
    Ok(Exit::Success)
}

fn show(store: &Store, key: &str, json: bool, out: &mut Out) -> Result<Exit> {
    let s = store.find_signer(key)?;
    if json {
        out.json(&show_json(&s)?)?;
        return Ok(Exit::Success);
    }
    let d = &s.draft;
    let esc = |v: &str| SafeText::escape(v);
    let mut fields = vec![
        ("ID", esc(&s.id)),
        ("Name", esc(&d.name)),
        ("Issuer", esc(&d.issuer)),
        ("Audience", esc(&d.audience)),
        ("Enabled", yes_no(d.enabled)),
        ("Key source", SafeText::literal(s.key_source_label())),
    ];
    if let Some(url) = &d.jwks_endpoint {
        fields.push(("JWKS endpoint", esc(url)));
    }
    if s.fingerprint.is_some() {
        fields.push(("Common name", or_dash(s.common_name.as_deref())));
        fields.push(("Fingerprint", or_dash(s.fingerprint.as_deref())));
        fields.push(("Not before", or_dash(s.not_before.as_deref())));
        fields.push(("Not after", or_dash(s.not_after.as_deref())));
    }
    fields.extend([
        ("Kid", or_dash(d.kid.as_deref())),
        ("Claims property", esc(&d.claims_property)),
        ("Use external ID", yes_no(d.use_external_id)),
        ("Target token", SafeText::literal(d.target_token.as_str())),
        ("External auth URL", or_dash(d.external_auth_url.as_deref())),
        ("Client ID", or_dash(d.client_id.as_deref())),
        ("Scopes", esc(&d.scopes.join(","))),
        ("Tags", esc(&Value::Object(d.tags.clone()).to_string())),
        ("Created at", esc(&s.created_at)),
        ("Updated at", esc(&s.updated_at)),
        ("Version", esc(&s.version.to_string())),
    ]);
    for warning in crate::model::signer::lookalike_warnings(d) {
        fields.push(("Warning", esc(&warning)));
    }
    out.fields(&fields)?;
    Ok(Exit::Success)
}

/// `signer check`: the doctor's findings, errors first; exit 1 when any is an error.
pub fn check(
    store: &Store,
    key: Option<&str>,
    json: bool,
    policy: &crate::model::address::JwksFetchPolicy,
    out: &mut Out,
) -> Result<Exit> {
    use crate::verify::doctor::{self, Severity};
    let all = store.list_signers()?;
    let targets = match key {
        Some(key) => vec![store.find_signer(key)?],
        None => all.clone(),
    };
    let mut findings = doctor::check(
        &targets,
        &all,
        &crate::verify::KeyCache::with_policy(policy.clone()),
        chrono::Utc::now(),
        true,
    );
    findings.sort_by_key(|f| f.severity);
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    if json {
        out.json(&serde_json::json!({"ok": !failed, "findings": findings}))?;
    } else if findings.is_empty() {
        out.line(&SafeText::literal("No signers to check."))?;
    } else {
        let rows: Vec<Vec<SafeText>> = findings
            .iter()
            .map(|f| {
                vec![
                    SafeText::literal(f.severity.name()),
                    SafeText::escape(&f.signer),
                    SafeText::escape(&f.message),
                ]
            })
            .collect();
        out.table(&["SEVERITY", "SIGNER", "FINDING"], &rows)?;
    }
    Ok(if failed {
        Exit::Rejected
    } else {
        Exit::Success
    })
}
