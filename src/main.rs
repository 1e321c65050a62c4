use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    lzctl::run(lzctl::cli::Cli::parse())
}
