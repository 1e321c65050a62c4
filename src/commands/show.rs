//! `lzctl show`: a saved plan as text, JSON or Markdown, or its digest.

use super::{read_saved, render_plan};
use crate::cli::{GlobalArgs, ShowArgs};
use crate::color_for;
use crate::error::{Error, exit};

pub(crate) fn run(global: &GlobalArgs, args: &ShowArgs) -> Result<u8, Error> {
    let saved = read_saved(&args.plan_file)?;
    if args.digest {
        println!("{}", saved.digest);
        return Ok(exit::OK);
    }
    let b = &saved.body;
    if args.format == crate::cli::Format::Human {
        println!(
            "Saved plan of {} by {} at {}; {} approval(s).\n",
            b.blueprint,
            b.creator,
            b.created_at,
            saved.approvals.len()
        );
    }
    print!("{}", render_plan(&b.plan, args.format, color_for(global.no_color)));
    Ok(exit::OK)
}
