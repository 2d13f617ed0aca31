//! `extjwt export`, `import`, `audit` and `verify`.

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

use super::Exit;
use super::args::VerifyArgs;
use super::output::{or_dash, print_json, print_table, write_json_array};
use crate::interchange;
use crate::store::Store;
use crate::verify;

pub fn export(store: &Store, output: Option<&Path>) -> Result<Exit> {
    match output {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            write_export(store, &mut out)?;
            std::io::Write::flush(&mut out)?;
        }
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let temp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("output: cannot write in {}", dir.display()))?;
            let mut out = std::io::BufWriter::new(temp);
            write_export(store, &mut out)
                .with_context(|| format!("output: cannot write {}", path.display()))?;
            let temp = out.into_inner().map_err(|e| {
                anyhow::anyhow!("output: cannot write {} ({})", path.display(), e.error())
            })?;
            temp.persist(path)
                .with_context(|| format!("output: cannot write {}", path.display()))?;
        }
    }
    Ok(Exit::Success)
}

/// The export document, streamed row by row: byte for byte the pretty printing of
/// [`interchange::export`], without holding every row in memory.
pub fn write_export(store: &Store, out: &mut impl std::io::Write) -> Result<()> {
    out.write_all(b"{\n  \"externalJwtSigners\": ")?;
    write_json_array(out, 1, |emit| store.for_each_signer(|s| emit(&s)))?;
    out.write_all(b",\n  \"identities\": ")?;
    write_json_array(out, 1, |emit| store.for_each_identity(|i| emit(&i)))?;
    out.write_all(b"\n}\n")?;
    Ok(())
}

pub fn import(store: &mut Store, file: &str) -> Result<Exit> {
    let mut bytes = Vec::new();
    let limit = interchange::MAX_IMPORT_BYTES as u64 + 1;
    if file == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .context("import: cannot read standard input")?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .with_context(|| format!("import: cannot read {file}"))?;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        bail!("import: the file is not JSON (it is not UTF-8 text)");
    };
    let plan = interchange::parse_import(&text)?;
    let outcome = store.import(&plan)?;
    let s = outcome.signers;
    let i = outcome.identities;
    println!(
        "signers: {} created, {} updated, {} unchanged; identities: {} created, {} updated, {} unchanged",
        s.created, s.updated, s.unchanged, i.created, i.updated, i.unchanged
    );
    Ok(Exit::Success)
}

pub fn audit(store: &Store, json: bool, limit: usize) -> Result<Exit> {
    let entries = store.audit_log(limit, None)?;
    if json {
        print_json(&entries)?;
        return Ok(Exit::Success);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let who = match &e.client_address {
                Some(addr) => format!("{}@{addr}", e.actor),
                None => e.actor.clone(),
            };
            vec![
                e.at.clone(),
                who,
                e.action.clone(),
                e.entity.clone(),
                or_dash(e.entity_name.as_deref()),
                e.fields.join(","),
            ]
        })
        .collect();
    print_table(&["AT", "WHO", "ACTION", "ENTITY", "NAME", "FIELDS"], &rows);
    Ok(Exit::Success)
}

pub fn verify(store: &Store, args: &VerifyArgs) -> Result<Exit> {
    let raw = match args.token.as_deref() {
        Some(token) if token != "-" => token.to_string(),
        _ => {
            let mut text = String::new();
            // A token is at most 16 KiB; read a little more so an oversized one is reported
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
    let cache = verify::KeyCache::new();
    let verifier = verify::Verifier::new(store, &cache, verify::FetchPolicy::Blocking);
    let report = verifier.verify(&raw, now, args.leeway)?;
    if args.json {
        print_json(&report.to_json())?;
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.is_valid() {
        Exit::Success
    } else {
        Exit::Rejected
    })
}

fn parse_time(raw: &str) -> Result<chrono::DateTime<chrono::Utc>> {
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
        let mut out = Vec::new();
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
