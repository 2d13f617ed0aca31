//! `verify --batch`: many tokens, one a line, checked on every core. Each worker has its own
//! read-only connection (a SQLite connection is not shared between threads) and all share one
//! key cache, filled before the workers start so each signer's JWKS is fetched once. Lines are
//! read and checked a chunk at a time, so memory stays bounded by the chunk, and reports come
//! back in input order.

use std::io::BufRead;

use chrono::{DateTime, Utc};

use super::{FetchPolicy, KeyCache, Verifier, VerifyReport};
use crate::store::{Store, StoreError};

/// Lines read and checked together.
const CHUNK_LINES: usize = 512;

/// What went wrong in a batch.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Reading the input failed.
    #[error("reading the tokens failed at line {line}: {source}")]
    Read {
        /// 1-based line.
        line: usize,
        /// Why.
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing a report failed.
    #[error("writing the report of line {line} failed: {source}")]
    Write {
        /// 1-based line.
        line: usize,
        /// Why.
        source: std::io::Error,
    },
}

/// Fetches the JWKS of every signer once, so the workers never fetch.
pub fn prefetch(store: &Store, cache: &KeyCache) -> Result<(), StoreError> {
    let mut urls: Vec<String> = store
        .list_signers()?
        .into_iter()
        .filter_map(|s| s.draft.jwks_endpoint)
        .collect();
    urls.sort_unstable();
    urls.dedup();
    for url in urls {
        // A failure is cached and reported per token (key_unavailable).
        let _ = cache.fetch(&url);
    }
    Ok(())
}

/// Checks every non-blank line of `input` as a token with one worker per store. Each report is
/// reduced by `keep(line_number, report)` on the worker that made it (so it is freed where it was allocated, at
/// once, instead of a chunk of full reports crossing threads), and the results are handed to
/// `each(line_number, kept)` in input order.
pub fn run<T: Send>(
    stores: &mut [Store],
    cache: &KeyCache,
    input: impl BufRead,
    now: DateTime<Utc>,
    leeway: u64,
    keep: impl Fn(usize, &VerifyReport) -> T + Sync,
    mut each: impl FnMut(usize, T) -> std::io::Result<()>,
) -> Result<(), BatchError> {
    let keep = &keep;
    let workers = stores.len().max(1);
    let mut lines = input.lines().enumerate();
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK_LINES);
        for (index, line) in lines.by_ref() {
            let line = line.map_err(|source| BatchError::Read {
                line: index + 1,
                source,
            })?;
            if !line.trim().is_empty() {
                chunk.push((index + 1, line));
            }
            if chunk.len() == CHUNK_LINES {
                break;
            }
        }
        if chunk.is_empty() {
            return Ok(());
        }
        let share = chunk.len().div_ceil(workers);
        let results: Vec<Result<Vec<T>, StoreError>> = std::thread::scope(|scope| {
            // `&mut`: each worker has its connection to itself (a Store is Send, not Sync).
            let handles: Vec<_> = stores
                .iter_mut()
                .zip(chunk.chunks(share))
                .map(|(store, part)| {
                    scope.spawn(move || {
                        let verifier = Verifier::new(&*store, cache, FetchPolicy::Prefetched);
                        store.in_one_read(|| {
                            part.iter()
                                .map(|(line, token)| {
                                    verifier.verify(token, now, leeway).map(|r| keep(*line, &r))
                                })
                                .collect::<Result<Vec<_>, _>>()
                        })?
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut numbers = chunk.iter().map(|(n, _)| *n);
        for reports in results {
            for kept in reports? {
                let line = numbers.next().unwrap_or_default();
                each(line, kept).map_err(|source| BatchError::Write { line, source })?;
            }
        }
    }
}
