//! `extjwt export`, `import`, `audit` and `verify`.

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

use super::Exit;
use super::args::VerifyArgs;
use super::output::{or_dash, print_json, print_table};
use crate::interchange;
use crate::store::Store;

pub fn export(store: &Store, output: Option<&Path>) -> Result<Exit> {
    let document = interchange::export(store)?;
    let text = serde_json::to_string_pretty(&document)? + "\n";
    match output {
        None => print!("{text}"),
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut temp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("output: cannot write in {}", dir.display()))?;
            std::io::Write::write_all(&mut temp, text.as_bytes())
                .with_context(|| format!("output: cannot write {}", path.display()))?;
            temp.persist(path)
                .with_context(|| format!("output: cannot write {}", path.display()))?;
        }
    }
    Ok(Exit::Success)
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

pub fn verify(_store: &Store, _args: &VerifyArgs) -> Result<Exit> {
    bail!("verify: not available yet")
}
