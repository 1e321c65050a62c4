//! `lzctl inventory`: the assignment inventory as CSV, JSON or Markdown; `inventory diff`:
//! who gained and lost access between two JSON exports; `inventory permission-sets`: what each
//! permission set grants.

use crate::cli::{InventoryAction, InventoryArgs, InventoryFormat, PermissionSetsArgs};
use crate::error::{Error, exit};
use crate::inventory::{self, Export, Filters, Options};
use crate::session::{Session, Terminal};
use crate::{blueprint, engine};
use std::path::Path;

pub(crate) async fn run(terminal: Terminal, args: &InventoryArgs) -> Result<u8, Error> {
    match &args.action {
        Some(InventoryAction::Diff { old, new }) => return diff(old, new),
        Some(InventoryAction::PermissionSets(args)) => return permission_sets(args).await,
        None => {}
    }
    let bp = args.file.as_deref().map(blueprint::load).transpose()?;
    let session = Session::connect(&args.aws).await?;
    let options = Options {
        expand_groups: args.expand_groups,
        include_unassigned: args.include_unassigned,
        account_tags: !args.no_account_tags,
        filters: Filters {
            accounts: args.accounts.clone(),
            ous: args.ous.clone(),
            principals: args.principals.clone(),
            permission_sets: args.permission_sets.clone(),
        },
    };
    // Progress only where a person watches; stdout carries nothing but the report.
    let progress = terminal.stderr_is_terminal.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("reading the organization and Identity Center…");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let inventory = engine::inventory(bp.as_ref(), &session.aws, &options).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let engine::Inventory { rows, meta } = session.finish(inventory)?;
    let with_managed = bp.is_some();
    let report = match args.report.format {
        InventoryFormat::Csv => inventory::csv(&rows, with_managed),
        InventoryFormat::Json => inventory::json(&rows, with_managed, &meta),
        InventoryFormat::Markdown => inventory::markdown(&rows, with_managed, &meta),
    };
    write(args.report.output.as_deref(), &report)
}

/// The report to the file asked for, or to stdout.
fn write(output: Option<&Path>, report: &str) -> Result<u8, Error> {
    match output {
        Some(path) => std::fs::write(path, report).map_err(Error::write(path))?,
        None => print!("{report}"),
    }
    Ok(exit::OK)
}

async fn permission_sets(args: &PermissionSetsArgs) -> Result<u8, Error> {
    let bp = args.file.as_deref().map(blueprint::load).transpose()?;
    let session = Session::connect(&args.aws).await?;
    let (ic, meta) = session.finish(engine::permission_set_inventory(bp.as_ref(), &session.aws).await)?;
    let report = match args.report.format {
        InventoryFormat::Csv => inventory::permission_sets_csv(&ic),
        InventoryFormat::Json => inventory::permission_sets_json(&ic, &meta),
        InventoryFormat::Markdown => inventory::permission_sets_markdown(&ic, &meta),
    };
    write(args.report.output.as_deref(), &report)
}

fn read_export(path: &Path) -> Result<Export, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::read(path))?;
    Export::parse(&text).map_err(|why| Error::NotAnExport { path: path.to_path_buf(), why })
}

fn diff(old: &Path, new: &Path) -> Result<u8, Error> {
    match inventory::diff(&read_export(old)?, &read_export(new)?) {
        None => {
            println!("No access changed.");
            Ok(exit::OK)
        }
        Some(text) => {
            print!("{text}");
            Ok(exit::CHANGES)
        }
    }
}
