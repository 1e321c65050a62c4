//! `lzctl inventory`: the assignment inventory as CSV, JSON or Markdown; `inventory diff`:
//! who gained and lost access between two JSON exports.

use super::print_stats;
use crate::aws::{Aws, ConnectOptions};
use crate::cli::{GlobalArgs, InventoryAction, InventoryArgs, InventoryFormat};
use crate::error::{Error, exit};
use crate::inventory::{self, Filters, Options};
use crate::{blueprint, engine};
use std::io::IsTerminal;
use std::path::Path;

pub(crate) async fn run(global: &GlobalArgs, args: &InventoryArgs) -> Result<u8, Error> {
    if let Some(InventoryAction::Diff { old, new }) = &args.action {
        return diff(old, new);
    }
    let bp = args.file.as_deref().map(blueprint::load).transpose()?;
    let aws = Aws::connect(&ConnectOptions { profile: global.profile.clone(), region: global.region.clone() }).await;
    let options = Options {
        expand_groups: args.expand_groups,
        include_unassigned: args.include_unassigned,
        filters: Filters {
            accounts: args.accounts.clone(),
            ous: args.ous.clone(),
            principals: args.principals.clone(),
            permission_sets: args.permission_sets.clone(),
        },
    };
    // Progress only where a person watches; stdout carries nothing but the report.
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("reading the organization and Identity Center…");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let rows = engine::inventory(bp.as_ref(), &aws, &options).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    print_stats(&aws, global.stats);
    let rows = rows?;
    let with_managed = bp.is_some();
    let report = match args.format {
        InventoryFormat::Csv => inventory::csv(&rows, with_managed),
        InventoryFormat::Json => inventory::json(&rows, with_managed),
        InventoryFormat::Markdown => inventory::markdown(&rows, with_managed),
    };
    match &args.output {
        Some(path) => std::fs::write(path, report)
            .map_err(|source| Error::Io { what: format!("writing {}", path.display()), source })?,
        None => print!("{report}"),
    }
    Ok(exit::OK)
}

fn read_export(path: &Path) -> Result<serde_json::Value, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::Io { what: format!("reading {}", path.display()), source })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Refused(format!("{} is not an inventory JSON export: {e}", path.display())))
}

fn diff(old: &Path, new: &Path) -> Result<u8, Error> {
    let (old, new) = (read_export(old)?, read_export(new)?);
    match inventory::diff(&old, &new).map_err(Error::Refused)? {
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
