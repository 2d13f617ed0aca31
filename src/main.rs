//! The `extjwt` binary: parse the command line, then run one command or the console.

use clap::Parser;
use std::process::ExitCode;

use extjwt::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => Err(anyhow::anyhow!(
            "the console is not built yet; use a command (extjwt --help)"
        )),
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) => {
            // One line: the field and the fix, never a backtrace.
            eprintln!("error: {}", one_line(&error));
            ExitCode::from(2)
        }
    }
}

fn one_line(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        text.push_str(&format!(" ({cause})"));
    }
    text.replace('\n', " ")
}
