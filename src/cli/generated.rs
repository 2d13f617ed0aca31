//! Shell completions and the man page, generated from the clap definitions so they never
//! disagree with the parser.

use anyhow::Result;
use clap::CommandFactory;

use super::Exit;
use super::args::Cli;
use super::output::Out;

/// `extjwt completions SHELL`: the completion script on standard output.
pub fn completions(shell: clap_complete::Shell, out: &mut Out) -> Result<Exit> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "extjwt", &mut script);
    out.generated_from_definitions(&script)?;
    Ok(Exit::Success)
}

/// `extjwt man`: the man page (roff) on standard output.
pub fn man_page(out: &mut Out) -> Result<Exit> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    out.generated_from_definitions(&page)?;
    Ok(Exit::Success)
}
