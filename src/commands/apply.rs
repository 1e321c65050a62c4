//! `lzctl apply`: plan, show, confirm, then make exactly the planned changes; or apply a saved
//! plan exactly, once it is shown to be current and approved.

use super::read_saved;
use crate::apply::Step;
use crate::aws::{Aws, Waiting};
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::error::{Error, exit};
use crate::plan::{Change, PlanOptions};
use crate::saved::SavedPlan;
use crate::session::{Session, Terminal};
use crate::{blueprint, engine, render};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

pub(crate) async fn run(global: &GlobalArgs, terminal: Terminal, args: &ApplyArgs) -> Result<u8, Error> {
    // A saved plan is checked whole before any AWS call.
    let saved = args.plan_file.as_deref().map(read_saved).transpose()?;
    let blueprint_path = match (&args.file, &saved) {
        (Some(file), _) => file.clone(),
        (None, Some(saved)) => PathBuf::from(&saved.body.blueprint),
        (None, None) => return Err(Error::NothingToApply),
    };
    let bp = blueprint::load(&blueprint_path)?;
    let session = Session::connect(global).await;
    let result = match &saved {
        Some(saved) => apply_saved(terminal, args, saved, &bp, &session.aws).await,
        None => plan_and_apply(terminal, args, &bp, &session.aws).await,
    };
    session.finish(result)
}

/// `[n/total] symbol address` on stderr as each change starts.
fn progress(total: usize) -> impl FnMut(&Change, Step) {
    let mut index = 0;
    move |change, step| {
        if step == Step::Started {
            index += 1;
            eprintln!("[{index}/{total}] {} {}", change.action.symbol(), change.address);
        }
    }
}

/// An asynchronous operation still running, on stderr: `  … waiting for RESOURCE: OPERATION STATUS after Ns`.
fn waiting(w: &Waiting<'_>) {
    eprintln!("  … waiting for {}: {} {} after {}s", w.resource, w.operation, w.status, w.elapsed.as_secs());
}

fn complete(applied: usize) -> u8 {
    println!("Apply complete: {applied} change{} applied.", if applied == 1 { "" } else { "s" });
    exit::OK
}

async fn plan_and_apply(
    terminal: Terminal,
    args: &ApplyArgs,
    bp: &blueprint::Blueprint,
    aws: &Aws,
) -> Result<u8, Error> {
    let planned = engine::plan(bp, aws, &PlanOptions { prune: args.prune }).await?;
    print!("{}", render::human(&planned.plan, terminal.stdout));
    if planned.plan.is_empty() {
        return Ok(exit::OK);
    }
    if let Some(approvals) = &bp.approvals {
        return Err(Error::ApprovalsRequired { required: approvals.required });
    }
    announce_caller(aws).await;
    if !args.auto_approve {
        confirm()?;
    }
    let applied = engine::apply(bp, &planned, aws, progress(planned.plan.changes.len()), &waiting).await?;
    Ok(complete(applied))
}

async fn apply_saved(
    terminal: Terminal,
    args: &ApplyArgs,
    saved: &SavedPlan,
    bp: &blueprint::Blueprint,
    aws: &Aws,
) -> Result<u8, Error> {
    let (live, approvers) = engine::check_saved(saved, bp, aws).await?;
    print!("{}", render::human(&saved.body.plan, terminal.stdout));
    if !approvers.is_empty() {
        eprintln!("Approved by {}.", approvers.join(", "));
    }
    if saved.body.plan.is_empty() {
        return Ok(exit::OK);
    }
    announce_caller(aws).await;
    if !args.auto_approve {
        confirm()?;
    }
    let applied = engine::apply_saved(saved, bp, &live, aws, progress(saved.body.plan.changes.len()), &waiting).await?;
    Ok(complete(applied))
}

/// Who is about to change the organization, for the person approving and for the log.
async fn announce_caller(aws: &Aws) {
    match aws.caller_arn().await {
        Ok(arn) => eprintln!("Applying as {arn}"),
        Err(err) => eprintln!("Warning: could not tell who is applying: {err}"),
    }
}

/// Asks for "yes" on a terminal; refuses on anything else rather than waiting for input.
fn confirm() -> Result<(), Error> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::NoTerminal);
    }
    print!("\nApply these changes? Only 'yes' is accepted: ");
    std::io::stdout().flush().map_err(|source| Error::Terminal { what: "writing the prompt", source })?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|source| Error::Terminal { what: "reading the answer", source })?;
    if answer.trim() == "yes" { Ok(()) } else { Err(Error::Cancelled) }
}
