//! AWS Config coverage as a table with a closing summary line.

use crate::live::{CoverageRow, RecorderState};
use std::fmt::Write;

pub(crate) fn coverage(rows: &[CoverageRow]) -> String {
    let name_width = rows.iter().map(|r| r.account_name.chars().count()).max().unwrap_or(0).max(4);
    let region_width = rows.iter().map(|r| r.region.len()).max().unwrap_or(0).max(6);
    let mut out = String::new();
    let _ = writeln!(out, "{:<12}  {:<name_width$}  {:<region_width$}  CONFIG", "ACCOUNT", "NAME", "REGION");
    for r in rows {
        let _ = writeln!(
            out,
            "{:<12}  {:<name_width$}  {:<region_width$}  {}",
            r.account_id,
            r.account_name,
            r.region,
            r.state.label()
        );
    }
    let recording = rows.iter().filter(|r| r.state == RecorderState::Recording).count();
    let _ = writeln!(out, "Config recording in {recording} of {} account-regions.", rows.len());
    out
}

#[cfg(test)]
mod tests;
