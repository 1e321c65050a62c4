//! `lzctl completions SHELL`: a completion script for bash, zsh, fish, PowerShell or elvish,
//! generated from the same definitions that parse the command line.

use crate::cli::Cli;
use crate::error::{Error, exit};
use clap::CommandFactory;

pub(crate) fn run(shell: clap_complete::Shell) -> Result<u8, Error> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "lzctl", &mut script);
    print!("{}", String::from_utf8_lossy(&script));
    Ok(exit::OK)
}
