//! The non-interactive commands of design §4. Each returns an [`Exit`] or an error whose text
//! is the one line printed after `error: `; `main` turns errors into exit code 2.

mod args;
mod auth_policy;
mod batch;
mod files;
mod generated;
mod identity;
pub mod output;
mod show_config;
mod signer;
mod transfer;
mod write;

pub use args::*;

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

use output::Out;

use crate::store::Store;

/// How a successful command ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit code 0: done, or the token is valid.
    Success,
    /// Exit code 1: the token was rejected.
    Rejected,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Rejected => 1,
        }
    }
}

/// The database path: `--db` (or `$EXTJWT_DB`, which clap reads into it), else the config
/// file's `database`, else `<data dir>/extjwt/extjwt.db`. The data directory is created (0700)
/// only when `create` is set: a read-only command creates nothing.
pub fn database_path(cli: &Cli, create: bool) -> Result<PathBuf> {
    if let Some(path) = cli.db.as_deref().filter(|p| !p.as_os_str().is_empty()) {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = &cli.config.database {
        return Ok(path.clone());
    }
    let base = directories::BaseDirs::new()
        .context("db: no home directory to put the database in; pass --db PATH")?;
    let dir = base.data_dir().join("extjwt");
    if create && !dir.exists() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("db: cannot create {}", dir.display()))?;
    }
    Ok(dir.join("extjwt.db"))
}

/// Opens the store the command line names: read-only (never creating) for `--readonly` and
/// for commands that only read, read-write otherwise. Notices about the file go to stderr.
pub fn open_store(cli: &Cli, reads_only: bool) -> Result<Store> {
    let readonly = reads_only || cli.readonly;
    let path = database_path(cli, !readonly)?;
    let started = std::time::Instant::now();
    let shown = crate::text::escape(&path.display().to_string()).into_owned();
    let opened = if readonly {
        Store::open_for_reading(&path)
    } else {
        Store::open(&path)
    };
    let mut store = opened.inspect_err(|e| {
        tracing::warn!(path = %shown, error = %crate::text::escape(&e.to_string()), "database open failed");
    })?;
    tracing::debug!(
        path = %shown,
        readonly,
        elapsed_us = started.elapsed().as_micros() as u64,
        "database opened"
    );
    store.set_readonly(cli.readonly);
    for notice in store.notices() {
        let _ = writeln!(std::io::stderr(), "{}", crate::text::escape(notice));
    }
    Ok(store)
}

/// True for commands that only read.
fn reads_only(command: &Command) -> bool {
    match command {
        Command::Signer(cmd) => matches!(
            **cmd,
            SignerCommand::List { .. } | SignerCommand::Show { .. } | SignerCommand::Check { .. }
        ),
        Command::Identity(cmd) => matches!(
            cmd,
            IdentityCommand::List { .. } | IdentityCommand::Show { .. }
        ),
        Command::AuthPolicy(cmd) => matches!(
            cmd,
            AuthPolicyCommand::List { .. } | AuthPolicyCommand::Show { .. }
        ),
        Command::Export { .. } | Command::Verify(_) | Command::Audit { .. } => true,
        Command::Import { .. } | Command::Completions { .. } | Command::Man | Command::Config => {
            false
        }
    }
}

/// Runs one scripting command, printing to standard output.
pub fn run(cli: &Cli, command: &Command) -> Result<Exit> {
    let mut out = Out::stdout();
    let exit = run_to(cli, command, &mut out)?;
    out.finish()?;
    Ok(exit)
}

/// Runs one scripting command, printing to `out` (tests capture it).
pub fn run_to(cli: &Cli, command: &Command, out: &mut Out) -> Result<Exit> {
    // Opened only by the commands that use it: completions and the man page need none.
    let store = || open_store(cli, reads_only(command));
    match command {
        Command::Signer(cmd) => match &**cmd {
            SignerCommand::Check { key, json } => signer::check(
                &store()?,
                key.as_deref(),
                *json,
                &cli.config.jwks_fetch,
                out,
            ),
            other => signer::run(&mut store()?, other, out),
        },
        Command::Identity(cmd) => identity::run(&mut store()?, cmd, out),
        Command::AuthPolicy(cmd) => auth_policy::run(&mut store()?, cmd, out),
        Command::Export { output, format } => {
            transfer::export(&store()?, output.as_deref(), *format, out)
        }
        Command::Import { file, json } => transfer::import(&mut store()?, file, *json, out),
        Command::Audit { json, limit } => transfer::audit(&store()?, *json, *limit, out),
        Command::Verify(args) if args.batch => batch::verify_batch(cli, args, out),
        Command::Verify(args) => transfer::verify(&store()?, args, &cli.config.jwks_fetch, out),
        Command::Config => show_config::effective(cli, out),
        Command::Completions { shell } => generated::completions(*shell, out),
        Command::Man => generated::man_page(out),
    }
}
