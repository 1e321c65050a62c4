//! lzctl: reads the live AWS organization, diffs it with a declarative blueprint, shows a plan
//! a reviewer can read, and applies exactly that plan.

mod apply;
mod approvals;
mod aws;
mod blueprint;
mod cli;
mod commands;
mod effective;
mod engine;
mod error;
mod events;
mod import;
mod inventory;
mod live;
mod lock;
mod model;
mod plan;
mod policy;
mod render;
mod saved;
mod session;
mod simulate;
#[cfg(test)]
mod testing;

use cli::{Cli, Command};
use render::Color;
use session::Terminal;
use std::process::ExitCode;

fn install_error_renderer(color: Color) {
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = match color {
            Color::On => miette::GraphicalTheme::unicode(),
            Color::Off => miette::GraphicalTheme::unicode_nocolor(),
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
    let terminal = Terminal::detect(cli.global.no_color);
    install_error_renderer(terminal.stderr);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("lzctl: cannot start the async runtime: {err}");
            return ExitCode::from(error::exit::ERROR);
        }
    };
    let global = &cli.global;
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Validate(args) => commands::validate::run(args),
            Command::Plan(args) => commands::plan::run(global, terminal, args).await,
            Command::Apply(args) => commands::apply::run(global, terminal, args).await,
            Command::ConfigStatus(args) => commands::config_status::run(global, args).await,
            Command::Inventory(args) => commands::inventory::run(global, terminal, args).await,
            Command::Import(args) => commands::import::run(global, terminal, args).await,
            Command::Simulate(args) => commands::simulate::run(global, args).await,
            Command::Approve(args) => commands::approve::run(args),
            Command::Show(args) => commands::show::run(terminal, args),
            Command::Unlock(args) => commands::unlock::run(global, args).await,
            Command::Join(args) => commands::join::run(global, args).await,
            Command::RootStatus(args) => commands::root_status::run(global, args).await,
            Command::Effective(args) => commands::effective::run(global, args).await,
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        // Answering anything but "yes" is a choice, not a failure: said plainly.
        Err(err @ error::Error::Cancelled { what }) => {
            let mut said = what.to_string();
            said[..1].make_ascii_uppercase();
            println!("\n{said} cancelled.");
            ExitCode::from(err.exit_code())
        }
        Err(err) => {
            let code = err.exit_code();
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(code)
        }
    }
}
