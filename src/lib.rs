//! lzctl: reads the live AWS organization, diffs it with a declarative blueprint, shows a plan
//! a reviewer can read, and applies exactly that plan.

mod apply;
mod approvals;
mod aws;
mod blueprint;
mod cli;
mod commands;
mod engine;
mod error;
mod inventory;
mod live;
mod model;
mod plan;
mod render;
mod saved;
#[cfg(test)]
mod testing;

use cli::{Cli, Command};
use error::exit;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Whether this run may colour its output.
pub fn color_for(no_color: bool) -> render::Color {
    let wanted = !no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if wanted && std::io::stdout().is_terminal() { render::Color::On } else { render::Color::Off }
}

fn install_error_renderer(color: render::Color) {
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = match color {
            render::Color::On => miette::GraphicalTheme::unicode(),
            render::Color::Off => miette::GraphicalTheme::unicode_nocolor(),
        };
        Box::new(miette::GraphicalReportHandler::new_themed(theme))
    }));
}

/// Parses the command line and runs it to its exit code: all the binary does.
pub fn main() -> ExitCode {
    run(&clap::Parser::parse())
}

/// Runs one command line to its exit code.
fn run(cli: &Cli) -> ExitCode {
    let stderr_color =
        if !cli.global.no_color && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            render::Color::On
        } else {
            render::Color::Off
        };
    install_error_renderer(stderr_color);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("lzctl: cannot start the async runtime: {err}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Validate(args) => commands::validate::run(&cli.global, args),
            Command::Plan(args) => commands::plan::run(&cli.global, args).await,
            Command::Apply(args) => commands::apply::run(&cli.global, args).await,
            Command::ConfigStatus(args) => commands::config_status::run(&cli.global, args).await,
            Command::Inventory(args) => commands::inventory::run(&cli.global, args).await,
            Command::Approve(args) => commands::approve::run(args),
            Command::Show(args) => commands::show::run(&cli.global, args),
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(exit::ERROR)
        }
    }
}
