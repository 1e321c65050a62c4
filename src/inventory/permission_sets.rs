//! `lzctl inventory permission-sets`: what each permission set grants — AWS managed,
//! customer-managed and inline policies, the permissions boundary, the session duration — and
//! where it is provisioned, for an auditor to file beside the access inventory.

use super::formats::{Meta, heading};
use crate::live::{LiveIdentityCenter, LivePermissionSet, Readable};
use crate::model::csv_table;
use crate::model::{Boundary, minified};
use serde_json::{Value, json};
use std::fmt::Write;

const COLUMNS: [&str; 10] = [
    "permission_set",
    "permission_set_arn",
    "description",
    "session_duration",
    "managed_policies",
    "customer_managed_policies",
    "inline_policy",
    "permissions_boundary",
    "provisioned_accounts",
    "relay_state",
];

fn boundary(ps: &LivePermissionSet) -> String {
    match &ps.permissions_boundary {
        Readable::Known(None) => String::new(),
        Readable::Known(Some(Boundary::ManagedPolicyArn(arn))) => arn.clone(),
        Readable::Known(Some(Boundary::CustomerManaged(r))) => format!("{}{}", r.path, r.name),
        Readable::Unknown(why) => format!("unknown ({why})"),
    }
}

fn cells(ps: &LivePermissionSet) -> Vec<String> {
    vec![
        ps.name.clone(),
        ps.arn.clone(),
        ps.description.clone().unwrap_or_default(),
        ps.session_duration.clone().unwrap_or_default(),
        ps.managed_policies.iter().cloned().collect::<Vec<_>>().join(";"),
        ps.customer_managed_policies.iter().map(|r| format!("{}{}", r.path, r.name)).collect::<Vec<_>>().join(";"),
        ps.inline_policy.as_ref().map(minified).unwrap_or_default(),
        boundary(ps),
        ps.provisioned_accounts.len().to_string(),
        ps.relay_state.clone().unwrap_or_default(),
    ]
}

fn sets(ic: &LiveIdentityCenter) -> Vec<&LivePermissionSet> {
    ic.permission_sets.values().collect()
}

pub(crate) fn permission_sets_csv(ic: &LiveIdentityCenter) -> String {
    csv_table(&COLUMNS, sets(ic).into_iter().map(cells))
}

/// `{"version": 1, "generated_at", "organization_id", "read_by", "permission_sets": [...]}`,
/// the inline policy as its document and the accounts as a list.
pub(crate) fn permission_sets_json(ic: &LiveIdentityCenter, meta: &Meta) -> String {
    let rows: Vec<Value> = sets(ic)
        .into_iter()
        .map(|ps| {
            let mut row = serde_json::Map::new();
            for (column, value) in COLUMNS.iter().zip(cells(ps)) {
                row.insert((*column).to_string(), json!(value));
            }
            // The inline policy as the document it is, not as text.
            row.insert("inline_policy".into(), ps.inline_policy.clone().unwrap_or(Value::Null));
            row.insert("provisioned_accounts".into(), json!(ps.provisioned_accounts));
            Value::Object(row)
        })
        .collect();
    meta.report("permission_sets", rows)
}

pub(crate) fn permission_sets_markdown(ic: &LiveIdentityCenter, meta: &Meta) -> String {
    let sets = sets(ic);
    let mut out = heading("Permission sets", meta);
    out.push_str("| permission set | session | managed policies | customer-managed | inline | boundary | accounts |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | ---: |\n");
    let cell = |s: &str| crate::model::escaped(s).replace('|', "\\|");
    for ps in &sets {
        let c = cells(ps);
        let inline = match &ps.inline_policy {
            Some(doc) => {
                format!("{} statement(s)", doc.get("Statement").and_then(Value::as_array).map_or(1, Vec::len))
            }
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&c[0]),
            cell(&c[3]),
            cell(&c[4].replace(';', ", ")),
            cell(&c[5].replace(';', ", ")),
            inline,
            cell(&c[7]),
            c[8]
        );
    }
    let _ = writeln!(out, "\n{} permission set{}.", sets.len(), if sets.len() == 1 { "" } else { "s" });
    out
}
