//! AWS Config coverage: a table with a closing summary line, JSON, or CSV.

use crate::live::{CoverageRow, RecorderState};
use serde_json::json;
use std::fmt::Write;

pub(crate) fn coverage(rows: &[CoverageRow]) -> String {
    let name_width = rows.iter().map(|r| r.account_name.chars().count()).max().unwrap_or(0).max(4);
    let ou_width = rows.iter().map(|r| r.ou.chars().count()).max().unwrap_or(0).max(2);
    let region_width = rows.iter().map(|r| r.region.len()).max().unwrap_or(0).max(6);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12}  {:<name_width$}  {:<ou_width$}  {:<region_width$}  CONFIG",
        "ACCOUNT", "NAME", "OU", "REGION"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<12}  {:<name_width$}  {:<ou_width$}  {:<region_width$}  {}",
            r.account_id,
            r.account_name,
            r.ou,
            r.region,
            r.state.label()
        );
    }
    let recording = rows.iter().filter(|r| r.state == RecorderState::Recording).count();
    let _ = writeln!(out, "Config recording in {recording} of {} account-regions.", rows.len());
    out
}

/// `{"version": 1, "rows": [{account_id, account_name, ou, region, state, detail}]}`.
pub(crate) fn coverage_json(rows: &[CoverageRow]) -> String {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "account_id": r.account_id,
                "account_name": r.account_name,
                "ou": r.ou,
                "region": r.region,
                "state": r.state.code(),
                "detail": detail(&r.state),
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({"version": 1, "rows": rows})).expect("JSON serializes") + "\n"
}

/// The same columns as JSON, one row per account-region.
pub(crate) fn coverage_csv(rows: &[CoverageRow]) -> String {
    let header = ["account_id", "account_name", "ou", "region", "state", "detail"];
    crate::model::csv_table(
        &header,
        rows.iter().map(|r| {
            let detail = detail(&r.state).unwrap_or_default();
            vec![
                r.account_id.clone(),
                r.account_name.clone(),
                r.ou.clone(),
                r.region.clone(),
                r.state.code().into(),
                detail,
            ]
        }),
    )
}

fn detail(state: &RecorderState) -> Option<String> {
    match state {
        RecorderState::StackInstanceFailed(why) | RecorderState::Unreadable(why) => Some(why.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
