//! The `extjwt` binary: parse the command line, then run one command or the console.

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use std::io::Write;
use std::process::ExitCode;

use extjwt::cli::{self, Cli};
use extjwt::text::escape;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) if !error.use_stderr() => {
            // --help and --version go to stdout as clap prints them.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            print_error(&usage_error_line(&error));
            return ExitCode::from(2);
        }
    };
    if let Some(path) = extjwt::logging::log_path(cli.log_file.as_deref())
        && let Err(error) = extjwt::logging::init(&path)
    {
        print_error(&format!("error: {}", one_line(&error)));
        return ExitCode::from(2);
    }
    tracing::debug!(command = ?cli.command.as_ref().map(command_name), "start");
    if cli.demo && matches.value_source("db") == Some(ValueSource::CommandLine) {
        print_error(
            "--demo opens the console over a throw-away database; it cannot be combined with --db (see --help)",
        );
        return ExitCode::from(2);
    }
    cli.db_from_env = matches.value_source("db") == Some(ValueSource::EnvVariable);
    // Completions and the man page come from the definitions alone; everything else reads the
    // config file, and a broken one is reported rather than half-applied.
    let generated_only = matches!(
        cli.command,
        Some(cli::Command::Completions { .. } | cli::Command::Man)
    );
    if !generated_only && let Some(path) = extjwt::config::default_path() {
        match extjwt::config::load(&path) {
            Ok(config) => cli.config = config,
            Err(error) => {
                print_error(&format!("error: {error}"));
                return ExitCode::from(2);
            }
        }
    }
    if cli.demo && cli.command.is_some() {
        print_error(
            "--demo opens the console over a throw-away database; it cannot be combined with a command (see --help)",
        );
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => console(&cli),
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) => {
            // One line: the field and the fix, never a backtrace.
            tracing::warn!(error = %escape(&one_line(&error)), "command failed");
            print_error(&format!("error: {}", one_line(&error)));
            ExitCode::from(2)
        }
    }
}

/// One line on stderr, escaped: errors quote values from the database, files and tokens. A
/// closed stderr is not worth a panic.
fn print_error(line: &str) {
    let _ = writeln!(std::io::stderr(), "{}", escape(line));
}

/// Opens the console over the chosen database, or a fresh demo one.
fn console(cli: &Cli) -> anyhow::Result<cli::Exit> {
    let theme = extjwt::tui::theme::Theme {
        palette: cli.config.palette,
        ..extjwt::tui::theme::Theme::from_env()
    };
    let (mut store, sample_tokens, _demo) = if cli.demo {
        demo_store()?
    } else {
        // Under --readonly SQLite itself refuses writes, not only the console.
        (cli::open_store(cli, cli.readonly)?, Vec::new(), None)
    };
    store.set_readonly(cli.readonly);
    let options = extjwt::tui::AppOptions {
        demo: cli.demo,
        theme,
        sample_tokens,
        exit_after_first_frame: cli.exit_after_first_frame,
        keymap: cli.config.keymap.clone(),
        mouse: cli.config.mouse.0 && !cli.no_mouse,
        jwks_fetch: cli.config.jwks_fetch.clone(),
    };
    extjwt::tui::run(store, options)?;
    Ok(cli::Exit::Success)
}

type DemoParts = (
    extjwt::store::Store,
    Vec<(String, String)>,
    Option<tempfile::TempPath>,
);

#[cfg(feature = "demo")]
fn demo_store() -> anyhow::Result<DemoParts> {
    let (store, tokens, file) = extjwt::demo::create()?.into_parts();
    Ok((store, tokens, Some(file)))
}

#[cfg(not(feature = "demo"))]
fn demo_store() -> anyhow::Result<DemoParts> {
    anyhow::bail!("--demo: this build has no demo (it was built without the `demo` feature)")
}

/// The subcommand's name, for the log (never its arguments: a token may be one).
fn command_name(command: &cli::Command) -> &'static str {
    match command {
        cli::Command::Signer(_) => "signer",
        cli::Command::Identity(_) => "identity",
        cli::Command::AuthPolicy(_) => "auth-policy",
        cli::Command::Export { .. } => "export",
        cli::Command::Import { .. } => "import",
        cli::Command::Verify(_) => "verify",
        cli::Command::Audit { .. } => "audit",
        cli::Command::Completions { .. } => "completions",
        cli::Command::Man => "man",
        cli::Command::Config => "config",
    }
}

fn one_line(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(&format!(" ({cause})"));
        }
    }
    text
}

/// clap's usage errors span several lines; scripts and tests read one.
fn usage_error_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
        })
        .collect();
    format!("{} (see --help)", parts.join(" "))
}
