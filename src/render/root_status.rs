//! `root-status` as a table with a closing summary, and as JSON.

use crate::live::RootUserRow;
use serde_json::json;
use std::fmt::Write;

pub(crate) fn root_status(rows: &[RootUserRow]) -> String {
    let name_width = rows.iter().map(|r| r.account_name.chars().count()).max().unwrap_or(0).max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12}  {:<name_width$}  {:<8}  {:<11}  {:<3}  {:<12}  ROOT USER",
        "ACCOUNT", "NAME", "PASSWORD", "ACCESS KEYS", "MFA", "CERTIFICATES"
    );
    for r in rows {
        let (password, keys, mfa, certificates, verdict) = match &r.credentials {
            Ok(c) => (
                if c.password { "yes" } else { "no" }.to_string(),
                c.access_keys.to_string(),
                c.mfa_devices.to_string(),
                c.signing_certificates.to_string(),
                if c.any() { "has credentials".to_string() } else { "no credentials".to_string() },
            ),
            Err(why) => ("?".into(), "?".into(), "?".into(), "?".into(), format!("unreadable: {why}")),
        };
        let _ = writeln!(
            out,
            "{:<12}  {:<name_width$}  {password:<8}  {keys:<11}  {mfa:<3}  {certificates:<12}  {verdict}",
            r.account_id, r.account_name
        );
    }
    let with = rows.iter().filter(|r| r.has_credentials()).count();
    let unreadable = rows.iter().filter(|r| r.credentials.is_err()).count();
    let _ = write!(out, "{with} of {} member accounts have root credentials", rows.len());
    if unreadable > 0 {
        let _ = write!(out, "; {unreadable} could not be read");
    }
    let _ = writeln!(out, ".");
    let _ = writeln!(
        out,
        "The management account's root user is not covered: AWS opens root sessions in member accounts only."
    );
    out
}

/// `{"version": 1, "accounts": [...]}`: per account its id, name, and either the credentials
/// or the error.
pub(crate) fn root_status_json(rows: &[RootUserRow]) -> String {
    let accounts: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| match &r.credentials {
            Ok(c) => json!({
                "account_id": r.account_id,
                "name": r.account_name,
                "has_root_credentials": c.any(),
                "password": c.password,
                "access_keys": c.access_keys,
                "mfa_devices": c.mfa_devices,
                "signing_certificates": c.signing_certificates,
            }),
            Err(why) => json!({"account_id": r.account_id, "name": r.account_name, "error": why}),
        })
        .collect();
    serde_json::to_string_pretty(&json!({"version": 1, "accounts": accounts})).expect("JSON values serialize")
}

#[cfg(test)]
mod tests;
