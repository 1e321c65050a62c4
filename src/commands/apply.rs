//! `lzctl apply`: plan, show, confirm, then make exactly the planned changes.

use super::print_stats;
use crate::apply::Step;
use crate::aws::{Aws, ConnectOptions};
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::error::{Error, exit};
use crate::plan::PlanOptions;
use crate::{blueprint, color_for, engine, render};
use std::io::{BufRead, IsTerminal, Write};

pub async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let aws = Aws::connect(&ConnectOptions { profile: global.profile.clone(), region: global.region.clone() }).await;
    let result = plan_and_apply(global, args, &bp, &aws).await;
    print_stats(&aws, global.stats);
    result
}

async fn plan_and_apply(
    global: &GlobalArgs,
    args: &ApplyArgs,
    bp: &blueprint::Blueprint,
    aws: &Aws,
) -> Result<u8, Error> {
    let planned = engine::plan(bp, aws, &PlanOptions { prune: args.prune }).await?;
    print!("{}", render::human(&planned.plan, color_for(global.no_color)));
    if planned.plan.is_empty() {
        return Ok(exit::OK);
    }
    // Who is about to change the organization, for the person approving and for the log.
    match aws.caller_arn().await {
        Ok(arn) => eprintln!("Applying as {arn}"),
        Err(err) => eprintln!("Warning: could not tell who is applying: {err}"),
    }
    if !args.auto_approve {
        confirm()?;
    }
    let total = planned.plan.changes.len();
    let mut index = 0;
    let applied = engine::apply(bp, &planned, aws, |change, step| {
        if step == Step::Started {
            index += 1;
            eprintln!("[{index}/{total}] {} {}", change.action.symbol(), change.address);
        }
    })
    .await?;
    println!("Apply complete: {applied} change{} applied.", if applied == 1 { "" } else { "s" });
    Ok(exit::OK)
}

/// Asks for "yes" on a terminal; refuses on anything else rather than waiting for input.
fn confirm() -> Result<(), Error> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::Refused("apply needs confirmation, but standard input is not a terminal; review the plan and pass --auto-approve to apply without asking".into()));
    }
    print!("\nApply these changes? Only 'yes' is accepted: ");
    std::io::stdout().flush().map_err(|source| Error::Io { what: "writing the prompt".into(), source })?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|source| Error::Io { what: "reading the answer".into(), source })?;
    if answer.trim() == "yes" { Ok(()) } else { Err(Error::Refused("apply cancelled; nothing was changed".into())) }
}
