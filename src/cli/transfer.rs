//! `extjwt export`, `import`, `audit` and `verify`.

use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use super::Exit;
use super::args::{ExportFormat, VerifyArgs};
use super::output::{Out, or_dash, write_json_array};
use crate::interchange;
use crate::store::Store;
use crate::text::SafeText;
use crate::verify;

pub fn export(
    store: &Store,
    output: Option<&Path>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<Exit> {
    let write = |sink: &mut dyn std::io::Write| -> Result<()> {
        match format {
            ExportFormat::Extjwt => write_export(store, sink),
            // The ascode shape refers by name, so it is built whole (names resolve across
            // lists); it is what a `ziti ops import` reads, a controller's worth at most.
            ExportFormat::Ascode => {
                serde_json::to_writer_pretty(&mut *sink, &interchange::ascode::export(store)?)?;
                sink.write_all(b"\n")?;
                Ok(())
            }
        }
    };
    match output {
        None => out.json_document(write)?,
        Some(path) => super::files::write_output(path, write)?,
    }
    Ok(Exit::Success)
}

/// The export document, streamed row by row: byte for byte the pretty printing of
/// [`interchange::export`], without holding every row in memory.
pub fn write_export(store: &Store, out: &mut dyn std::io::Write) -> Result<()> {
    out.write_all(b"{\n  \"externalJwtSigners\": ")?;
    write_json_array(out, 1, |emit| store.for_each_signer(|s| emit(&s)))?;
    out.write_all(b",\n  \"authPolicies\": ")?;
    write_json_array(out, 1, |emit| store.for_each_auth_policy(|p| emit(&p)))?;
    out.write_all(b",\n  \"identities\": ")?;
    write_json_array(out, 1, |emit| store.for_each_identity(|i| emit(&i)))?;
    out.write_all(b"\n}\n")?;
    Ok(())
}

pub fn import(store: &mut Store, file: &str, json: bool, out: &mut Out) -> Result<Exit> {
    let summary = if file == "-" {
        interchange::import(store, std::io::stdin().lock())?
    } else {
        let handle =
            std::fs::File::open(file).with_context(|| format!("import: cannot read {file}"))?;
        if let Some(kind) = crate::store::file_kind(&handle.metadata()?.file_type())
            && kind == "a directory"
        {
            bail!("import: {file} is a directory; give the export file");
        }
        interchange::import(store, handle)?
    };
    if json {
        out.json(&summary)?;
        return Ok(Exit::Success);
    }
    let s = summary.outcome.signers;
    let p = summary.outcome.auth_policies;
    let i = summary.outcome.identities;
    out.line(&crate::safe!(
        "signers: {} created, {} updated, {} unchanged; auth policies: {} created, {} updated, {} unchanged; identities: {} created, {} updated, {} unchanged",
        s.created, s.updated, s.unchanged, p.created, p.updated, p.unchanged, i.created, i.updated, i.unchanged
    ))?;
    if summary.legacy_types > 0 {
        out.line(&crate::safe!(
            "{} identities of a legacy type (User, Device, Service) read as Default, as the controller reads them",
            summary.legacy_types
        ))?;
    }
    if summary.ignored_keys > 0 {
        out.line(&crate::safe!(
            "{} top-level lists this tool does not keep were skipped (services, configs, …)",
            summary.ignored_keys
        ))?;
    }
    Ok(Exit::Success)
}

/// The audit log: one entry a line, always. Every value is escaped, so a name or a claimed
/// `$USER` holding a newline and a timestamp cannot print as a second, forged entry.
pub fn audit(store: &Store, json: bool, limit: usize, out: &mut Out) -> Result<Exit> {
    let entries = store.audit_log(limit, None)?;
    if json {
        out.json(&entries)?;
        return Ok(Exit::Success);
    }
    let rows: Vec<Vec<SafeText>> = entries
        .iter()
        .map(|e| {
            let claimed = match (&e.claimed_user, &e.client_address) {
                (Some(user), Some(addr)) => crate::safe!("{}@{}", user, addr),
                (Some(user), None) => SafeText::escape(user),
                (None, Some(addr)) => crate::safe!("@{}", addr),
                (None, None) => SafeText::literal("-"),
            };
            vec![
                SafeText::escape(&e.at),
                SafeText::escape(&e.actor),
                claimed,
                SafeText::escape(&e.action),
                SafeText::escape(&e.entity),
                or_dash(e.entity_name.as_deref()),
                SafeText::escape(&e.fields.join(",")),
            ]
        })
        .collect();
    out.table(
        &[
            "AT", "ACCOUNT", "CLAIMED", "ACTION", "ENTITY", "NAME", "FIELDS",
        ],
        &rows,
    )?;
    Ok(Exit::Success)
}

pub fn verify(
    store: &Store,
    args: &VerifyArgs,
    policy: &crate::model::address::JwksFetchPolicy,
    out: &mut Out,
) -> Result<Exit> {
    let raw = match args.token.as_deref() {
        Some(token) if token != "-" => token.to_string(),
        _ => {
            let mut text = String::new();
            if std::io::stdin().is_terminal() {
                // Reading a terminal would otherwise look like a hang.
                let _ = writeln!(
                    std::io::stderr(),
                    "Waiting for a token on standard input: paste it, then press Enter and Ctrl-D."
                );
            }
            // A token is at most 1 MiB; read a little more so an oversized one is reported
            // as such rather than truncated into something else.
            std::io::stdin()
                .take(verify::token::MAX_TOKEN_BYTES as u64 * 4)
                .read_to_string(&mut text)
                .context("token: cannot read standard input")?;
            text
        }
    };
    let now = match &args.at {
        None => chrono::Utc::now(),
        Some(at) => parse_time(at)?,
    };
    let cache = verify::KeyCache::with_policy(policy.clone());
    let verifier = verify::Verifier::new(store, &cache, verify::FetchPolicy::Blocking);
    let started = std::time::Instant::now();
    // One read transaction: the file lock is taken once, not per lookup.
    let report = store.in_one_read(|| verifier.verify(&raw, now, args.leeway))??;
    // The outcome and timing only: never the token or a claim.
    tracing::debug!(
        reason = report.reason().map_or("valid", |r| r.code()),
        elapsed_us = started.elapsed().as_micros() as u64,
        "verified"
    );
    if args.json {
        out.json(&report.to_json())?;
    } else {
        out.text(&report.to_text())?;
    }
    Ok(if report.is_valid() {
        Exit::Success
    } else {
        Exit::Rejected
    })
}

pub(super) fn parse_time(raw: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(seconds) = raw.trim().parse::<i64>() {
        return chrono::DateTime::from_timestamp(seconds, 0)
            .with_context(|| format!("at: {raw} seconds is out of range"));
    }
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            anyhow::anyhow!(
                "at: \"{raw}\" is neither RFC 3339 (2026-11-30T10:00:00Z) nor UNIX seconds"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IdentityDraft, SignerDraft};

    fn export_text(store: &Store) -> String {
        let mut out: Vec<u8> = Vec::new();
        write_export(store, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_export_is_the_pretty_printed_document() {
        let mut store = Store::open_in_memory().unwrap();
        let pretty = |store: &Store| {
            serde_json::to_string_pretty(&interchange::export(store).unwrap()).unwrap() + "\n"
        };
        assert_eq!(export_text(&store), pretty(&store), "empty lists");
        for name in ["a", "b"] {
            let draft = SignerDraft {
                name: name.into(),
                issuer: format!("https://{name}"),
                audience: "z".into(),
                jwks_endpoint: Some(format!("https://{name}/jwks")),
                scopes: vec!["openid".into()],
                ..SignerDraft::default()
            };
            store.create_signer(&draft.validate().unwrap()).unwrap();
        }
        store
            .create_identity(&IdentityDraft {
                name: "alice".into(),
                external_id: Some("alice@x".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(export_text(&store), pretty(&store));
    }
}
