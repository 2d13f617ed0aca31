//! `extjwt verify --batch`: one JSON report a line, or a summary of the verdicts by reason and
//! by signer with the first line of each.

use std::collections::BTreeMap;
use std::io::BufReader;

use anyhow::{Context, Result};

use super::args::{Cli, VerifyArgs};
use super::output::Out;
use super::{Exit, database_path};
use crate::store::Store;
use crate::text::SafeText;
use crate::verify::{self, KeyCache};

/// How many tokens ended one way, and the first line that did.
#[derive(Default)]
struct Tally {
    count: usize,
    first_line: usize,
}

impl Tally {
    fn add(&mut self, line: usize) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }
}

/// What the summary keeps of one report.
struct Outcome {
    reason: Option<&'static str>,
    signer: Option<String>,
    /// The NDJSON line, already escaped (with `--json`).
    json_line: Option<Vec<u8>>,
}

/// Runs the batch; exit 1 when any token is rejected.
pub fn verify_batch(cli: &Cli, args: &VerifyArgs, out: &mut Out) -> Result<Exit> {
    let path = database_path(cli, false)?;
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let mut stores = (0..workers)
        .map(|_| Store::open_for_reading(&path))
        .collect::<Result<Vec<_>, _>>()?;
    let cache = KeyCache::with_policy(cli.config.jwks_fetch.clone());
    verify::batch::prefetch(&stores[0], &cache)?;
    let now = match &args.at {
        None => chrono::Utc::now(),
        Some(at) => super::transfer::parse_time(at)?,
    };
    let input: Box<dyn std::io::BufRead> = match args.token.as_deref() {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(file) => Box::new(BufReader::new(
            std::fs::File::open(file).with_context(|| format!("batch: cannot open {file}"))?,
        )),
    };
    let mut total = 0usize;
    let mut valid = Tally::default();
    let mut by_reason: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut by_signer: BTreeMap<String, (Tally, usize)> = BTreeMap::new();
    verify::batch::run(
        &mut stores,
        &cache,
        input,
        now,
        args.leeway,
        // On the worker: only what the summary counts, and the JSON line when asked for.
        |line, report| {
            let json_line = args.json.then(|| {
                let mut json = report.to_json();
                json["line"] = line.into();
                let mut bytes = Vec::with_capacity(2048);
                // Serialising a serde_json value into memory cannot fail.
                let _ = crate::text::write_json_line(&mut bytes, &json);
                bytes
            });
            Outcome {
                reason: report.reason().map(|r| r.code()),
                signer: report.signer.as_ref().map(|s| s.name.clone()),
                json_line,
            }
        },
        |line, outcome| {
            total += 1;
            let signer = outcome.signer.unwrap_or_else(|| "(no signer)".to_string());
            let entry = by_signer.entry(signer).or_default();
            entry.0.add(line);
            match outcome.reason {
                None => valid.add(line),
                Some(code) => {
                    entry.1 += 1;
                    by_reason.entry(code).or_default().add(line);
                }
            }
            match outcome.json_line {
                Some(bytes) => out.json_line_bytes(&bytes),
                None => Ok(()),
            }
        },
    )?;
    let rejected = total - valid.count;
    if !args.json {
        out.line(&crate::safe!(
            "{} tokens: {} valid, {} rejected",
            total,
            valid.count,
            rejected
        ))?;
        if !by_reason.is_empty() {
            let rows: Vec<Vec<SafeText>> = by_reason
                .iter()
                .map(|(code, t)| {
                    vec![
                        SafeText::literal(code),
                        SafeText::escape(&t.count.to_string()),
                        SafeText::escape(&t.first_line.to_string()),
                    ]
                })
                .collect();
            out.line(&SafeText::literal(""))?;
            out.table(&["REASON", "TOKENS", "FIRST LINE"], &rows)?;
        }
        let rows: Vec<Vec<SafeText>> = by_signer
            .iter()
            .map(|(name, (t, rejected))| {
                vec![
                    SafeText::escape(name),
                    SafeText::escape(&t.count.to_string()),
                    SafeText::escape(&rejected.to_string()),
                    SafeText::escape(&t.first_line.to_string()),
                ]
            })
            .collect();
        if !rows.is_empty() {
            out.line(&SafeText::literal(""))?;
            out.table(&["SIGNER", "TOKENS", "REJECTED", "FIRST LINE"], &rows)?;
        }
    }
    Ok(if rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Success
    })
}
