//! The inventory as CSV (formula-safe), versioned JSON with the report's metadata, and a
//! Markdown table with a header saying what was read, when and by whom.

use super::{COLUMNS, Row};
use crate::model::csv_table;
use serde_json::{Map, Value, json};
use std::fmt::Write;

/// What an auditor files with a report: when it was read, of which organization, by whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub organization_id: String,
    /// The ARN of the identity that read it (sts:GetCallerIdentity).
    pub read_by: String,
}

pub(crate) fn csv(rows: &[Row], with_managed: bool) -> String {
    let header: Vec<&str> = COLUMNS.iter().copied().filter(|c| with_managed || *c != "managed").collect();
    csv_table(&header, rows.iter().map(|r| r.fields(with_managed).into_iter().map(|(_, v)| v).collect()))
}

/// `{"version": 1, "generated_at", "organization_id", "read_by", "rows": [...]}`.
pub(crate) fn json(rows: &[Row], with_managed: bool, meta: &Meta) -> String {
    let list: Vec<Value> = rows
        .iter()
        .map(|r| {
            Value::Object(
                r.fields(with_managed)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), Value::String(v)))
                    .collect::<Map<_, _>>(),
            )
        })
        .collect();
    meta.report("rows", list)
}

impl Meta {
    /// `{"version": 1, "generated_at", "organization_id", "read_by", key: items}`, pretty.
    pub(crate) fn report(&self, key: &str, items: Vec<Value>) -> String {
        let mut report = json!({
            "version": 1,
            "generated_at": self.generated_at,
            "organization_id": self.organization_id,
            "read_by": self.read_by,
        });
        report[key] = Value::Array(items);
        serde_json::to_string_pretty(&report).expect("JSON values serialize") + "\n"
    }
}

/// The header a Markdown report starts with.
pub(crate) fn heading(title: &str, meta: &Meta) -> String {
    format!(
        "### {title}\n\nOrganization `{}`, read by `{}` at {}.\n\n",
        crate::model::escaped(&meta.organization_id),
        crate::model::escaped(&meta.read_by).replace('`', "'"),
        meta.generated_at
    )
}

/// A GitHub table of the columns people read; the CSV and JSON carry every column.
pub(crate) fn markdown(rows: &[Row], with_managed: bool, meta: &Meta) -> String {
    let mut columns = vec!["account", "ou_path", "permission_set", "principal", "via_group", "user", "status"];
    if with_managed {
        columns.push("managed");
    }
    let cell = |s: &str| crate::model::escaped(s).replace('|', "\\|");
    let mut out = heading("Access inventory", meta);
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(columns.len()));
    for r in rows {
        let principal = if r.principal_type.is_empty() {
            String::new()
        } else {
            format!("{} {}", r.principal_type.to_lowercase(), r.principal_name)
        };
        let user =
            if r.user_email.is_empty() { r.user_name.clone() } else { format!("{} <{}>", r.user_name, r.user_email) };
        let mut cells = vec![
            format!("{} ({})", r.account_name, r.account_id),
            r.ou_path.clone(),
            r.permission_set.clone(),
            principal,
            r.via_group.clone(),
            user,
            r.account_status.clone(),
        ];
        if with_managed {
            cells.push(r.managed.clone().unwrap_or_default());
        }
        let _ = writeln!(out, "| {} |", cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
    }
    let _ = writeln!(out, "\n{} row{}.", rows.len(), if rows.len() == 1 { "" } else { "s" });
    out
}
