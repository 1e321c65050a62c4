//! One file per subcommand, each parsing its arguments and calling one operation of `engine`;
//! what they share (colour, the AWS session) is in `session`, and the plan formats here.

pub(crate) mod apply;
pub(crate) mod approve;
pub(crate) mod completions;
pub(crate) mod config_status;
pub(crate) mod effective;
pub(crate) mod import;
pub(crate) mod inventory;
pub(crate) mod join;
pub(crate) mod plan;
pub(crate) mod root_status;
pub(crate) mod schema;
pub(crate) mod show;
pub(crate) mod simulate;
pub(crate) mod unlock;
pub(crate) mod validate;

use crate::cli::Format;
use crate::error::Error;
use crate::plan::Plan;
use crate::render::{self, Color};
use std::io::{BufRead, IsTerminal, Write};

/// One line typed at the terminal, trimmed.
fn ask(stdin: &std::io::Stdin) -> Result<String, Error> {
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|source| Error::Terminal { what: "reading the answer", source })?;
    Ok(answer.trim().to_string())
}

/// Asks `question` on standard error and goes on only on "yes"; anything else cancels `what`.
/// Refuses rather than waits when standard input is not a terminal.
fn confirmed(question: &str, what: &'static str) -> Result<(), Error> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::NoTerminal);
    }
    eprint!("{question} Only 'yes' is accepted: ");
    std::io::stderr().flush().map_err(|source| Error::Terminal { what: "writing the prompt", source })?;
    if ask(&stdin)? == "yes" { Ok(()) } else { Err(Error::Cancelled { what }) }
}

/// A plan in the format asked for.
fn render_plan(plan: &Plan, format: Format, color: Color, header: &render::Header) -> String {
    match format {
        Format::Human => render::human(plan, color),
        Format::Json => serde_json::to_string_pretty(&render::json(plan)).expect("JSON values serialize") + "\n",
        Format::Markdown => render::markdown(plan, header),
    }
}
