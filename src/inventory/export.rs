//! Reading an inventory JSON export (the versioned object, or the bare array of earlier
//! versions) and the difference between two: who gained and who lost which access.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// One access as the diff names it: who reaches which account with which permission set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Access {
    account: String,
    who: String,
    permission_set: String,
}

/// The access an inventory JSON export grants.
pub(crate) struct Export(BTreeSet<Access>);

impl Export {
    /// Reads an export; says what is wrong with one that is not an inventory export.
    pub(crate) fn parse(text: &str) -> Result<Export, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        accesses(&value).map(Export)
    }
}

fn accesses(export: &Value) -> Result<BTreeSet<Access>, String> {
    // The versioned object of this version, or the bare array of rows earlier versions wrote.
    let rows = match export {
        Value::Array(rows) => rows,
        Value::Object(report) => report
            .get("rows")
            .and_then(Value::as_array)
            .ok_or("an inventory export's object holds its rows under \"rows\"")?,
        _ => {
            return Err(
                "an inventory export is a JSON object with rows (or, from earlier versions, an array of rows)".into()
            );
        }
    };
    let field = |row: &Value, key: &str| row.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut all = BTreeSet::new();
    for row in rows {
        let permission_set = field(row, "permission_set");
        if permission_set.is_empty() {
            continue;
        }
        let (via, user) = (field(row, "via_group"), field(row, "user_name"));
        let who = if !via.is_empty() && !user.is_empty() {
            format!("user {user} (via group {via})")
        } else {
            format!("{} {}", field(row, "principal_type").to_lowercase(), field(row, "principal_name"))
        };
        all.insert(Access {
            account: format!("{} ({})", field(row, "account_name"), field(row, "account_id")),
            who,
            permission_set,
        });
    }
    Ok(all)
}

/// Who gained and who lost which access between two JSON exports, grouped by account; None
/// when they grant the same access.
pub(crate) fn diff(old: &Export, new: &Export) -> Option<String> {
    let (old, new) = (&old.0, &new.0);
    let mut by_account: BTreeMap<&String, Vec<String>> = BTreeMap::new();
    for a in new.difference(old) {
        by_account.entry(&a.account).or_default().push(format!("  + {} → {}", a.who, a.permission_set));
    }
    for a in old.difference(new) {
        by_account.entry(&a.account).or_default().push(format!("  - {} → {}", a.who, a.permission_set));
    }
    if by_account.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (account, mut lines) in by_account {
        lines.sort_by(|a, b| a[4..].cmp(&b[4..]).then(a.cmp(b)));
        let _ = writeln!(out, "account {account}");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    let (gained, lost) = (new.difference(old).count(), old.difference(new).count());
    let _ = writeln!(out, "{gained} gained, {lost} lost.");
    Some(out)
}
