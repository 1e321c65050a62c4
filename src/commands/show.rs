//! `lzctl show`: a saved plan as text, JSON or Markdown, or its digest.

use super::render_plan;
use crate::cli::{Format, ShowArgs};
use crate::engine::read_saved;
use crate::error::{Error, exit};
use crate::session::Terminal;

pub(crate) fn run(terminal: Terminal, args: &ShowArgs) -> Result<u8, Error> {
    let saved = read_saved(&args.plan_file)?;
    if args.digest {
        println!("{}", saved.digest);
        return Ok(exit::OK);
    }
    let b = &saved.body;
    if args.format == Format::Human {
        println!(
            "Saved plan of {} by {} at {}; {} approval(s).\n",
            b.blueprint,
            b.creator,
            b.created_at,
            saved.approvals.len()
        );
    }
    print!("{}", render_plan(&b.plan, args.format, terminal.stdout));
    Ok(exit::OK)
}
