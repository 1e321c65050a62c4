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

/// Parses the command line and runs it to its exit code: all the binary does. A usage error
/// (an unknown flag, a missing argument) exits 1 like every other error, never 2, which
/// `plan --detailed-exitcode` keeps for "there are changes".
pub fn main() -> ExitCode {
    end_quietly_on_broken_pipe();
    match <Cli as clap::Parser>::try_parse() {
        Ok(cli) => run(&cli),
        Err(err) => {
            let _ = err.print();
            ExitCode::from(if err.use_stderr() { error::exit::ERROR } else { error::exit::OK })
        }
    }
}

/// Output to a reader that went away (`lzctl show plan.json | head -1`) ends the run quietly,
/// as a process ended by SIGPIPE, instead of with a panic: the reader has what it wanted.
fn end_quietly_on_broken_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message =
            payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(|m| m.starts_with("failed printing to std") && m.contains("Broken pipe")) {
            std::process::exit(error::exit::BROKEN_PIPE.into());
        }
        report(info);
    }));
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
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Validate(args) => commands::validate::run(args),
            Command::Plan(args) => commands::plan::run(terminal, args).await,
            Command::Apply(args) => commands::apply::run(terminal, args).await,
            Command::ConfigStatus(args) => commands::config_status::run(args).await,
            Command::Inventory(args) => commands::inventory::run(terminal, args).await,
            Command::Import(args) => commands::import::run(terminal, args).await,
            Command::Simulate(args) => commands::simulate::run(args).await,
            Command::Approve(args) => commands::approve::run(args),
            Command::Show(args) => commands::show::run(terminal, args),
            Command::Unlock(args) => commands::unlock::run(args).await,
            Command::Join(args) => commands::join::run(args).await,
            Command::RootStatus(args) => commands::root_status::run(args).await,
            Command::Effective(args) => commands::effective::run(args).await,
            Command::Completions { shell } => commands::completions::run(*shell),
            Command::Schema => commands::schema::run(),
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
