//! The assignment inventory: who can reach which account with which permission set, from the
//! live organization and Identity Center, as CSV, JSON or Markdown; and the difference between
//! two JSON exports. Pure: rows in, text out.

use crate::live::LiveState;
use crate::model::{OuPath, Principal, PrincipalKind};
use std::collections::{BTreeMap, BTreeSet};

/// Every column, in order. The first block is lzctl's; the last six are those of aws-sso-util's
/// `admin assignments` CSV, so tools built on that keep working.
pub(crate) const COLUMNS: [&str; 23] = [
    "account_id",
    "account_name",
    "account_status",
    "ou_path",
    "permission_set",
    "principal_type",
    "principal_name",
    "principal_id",
    "via_group",
    "user_name",
    "user_email",
    "managed",
    "account_email",
    "account_tags",
    "user_display_name",
    "user_status",
    "instance_arn",
    "identity_store_id",
    "permission_set_arn",
    "permission_set_name",
    "target_type",
    "target_id",
    "target_name",
];

/// One (account, permission set, principal) — or, expanded, one user reached through a group.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Row {
    pub account_name: String,
    pub account_id: String,
    pub permission_set: String,
    pub principal_type: String,
    pub principal_name: String,
    pub user_name: String,
    pub account_status: String,
    pub ou_path: String,
    pub principal_id: String,
    pub via_group: String,
    pub user_email: String,
    /// yes / no / unknown; None when no blueprint was given.
    pub managed: Option<String>,
    pub account_email: String,
    /// `key=value` pairs, `;`-separated, in key order.
    pub account_tags: String,
    pub user_display_name: String,
    /// ENABLED or DISABLED, as the identity store says.
    pub user_status: String,
    pub instance_arn: String,
    pub identity_store_id: String,
    pub permission_set_arn: String,
}

impl Row {
    /// The row's values under `COLUMNS`, without `managed` when no blueprint was given.
    pub(crate) fn fields(&self, with_managed: bool) -> Vec<(&'static str, String)> {
        let assigned = !self.permission_set.is_empty();
        let values = [
            self.account_id.clone(),
            self.account_name.clone(),
            self.account_status.clone(),
            self.ou_path.clone(),
            self.permission_set.clone(),
            self.principal_type.clone(),
            self.principal_name.clone(),
            self.principal_id.clone(),
            self.via_group.clone(),
            self.user_name.clone(),
            self.user_email.clone(),
            self.managed.clone().unwrap_or_default(),
            self.account_email.clone(),
            self.account_tags.clone(),
            self.user_display_name.clone(),
            self.user_status.clone(),
            self.instance_arn.clone(),
            self.identity_store_id.clone(),
            self.permission_set_arn.clone(),
            self.permission_set.clone(),
            if assigned { "AWS_ACCOUNT".into() } else { String::new() },
            self.account_id.clone(),
            self.account_name.clone(),
        ];
        COLUMNS.iter().zip(values).filter(|(c, _)| with_managed || **c != "managed").map(|(c, v)| (*c, v)).collect()
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    /// Account names or ids.
    pub accounts: Vec<String>,
    /// OU paths, with or without the leading `Root/`.
    pub ous: Vec<String>,
    /// Group or user names.
    pub principals: Vec<String>,
    pub permission_sets: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub expand_groups: bool,
    pub include_unassigned: bool,
    /// Read every account's tags (one call each).
    pub account_tags: bool,
    pub filters: Filters,
}

/// An account's tags as one cell: `key=value;key=value`.
fn tags_cell(tags: Option<&BTreeMap<String, String>>) -> String {
    tags.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";")
}

/// Where an account is, as inventories show it: `Root/Foundational/Workloads`.
fn ou_path(live: &LiveState, parent_id: &str) -> String {
    live.path_of(parent_id).map_or_else(|| format!("{}/?", OuPath::ROOT_NAME), |p| p.qualified())
}

/// The inventory rows, sorted. `desired` is what the blueprint assigns (permission set,
/// principal, account id); None when no blueprint was given.
pub(crate) fn rows(
    live: &LiveState,
    options: &Options,
    desired: Option<&BTreeSet<(String, Principal, String)>>,
) -> Vec<Row> {
    let Some(ic) = &live.identity_center else { return Vec::new() };
    let f = &options.filters;
    let account_ok = |id: &str| {
        let Some(a) = live.accounts.get(id) else { return false };
        (f.accounts.is_empty() || f.accounts.iter().any(|x| x == &a.id || x == &a.name))
            && (f.ous.is_empty() || f.ous.iter().any(|o| live.is_under(id, &OuPath::parse_qualified(o))))
    };
    let arn_of: BTreeMap<&String, &String> = ic.permission_sets.iter().map(|(name, ps)| (name, &ps.arn)).collect();
    let mut out = Vec::new();
    for a in &ic.assignments {
        if !account_ok(&a.account_id)
            || !(f.permission_sets.is_empty() || f.permission_sets.contains(&a.permission_set))
        {
            continue;
        }
        let account = &live.accounts[&a.account_id];
        let principal =
            ic.principal_names.get(&a.principal.id).cloned().unwrap_or_else(|| Principal::unnamed(&a.principal));
        let managed = desired.map(|d| {
            if d.contains(&(a.permission_set.clone(), principal.clone(), a.account_id.clone())) { "yes" } else { "no" }
                .to_string()
        });
        let base = Row {
            account_name: account.name.clone(),
            account_id: account.id.clone(),
            account_status: account.status.clone(),
            account_email: account.email.clone(),
            account_tags: tags_cell(account.tags.as_ref()),
            ou_path: ou_path(live, &account.parent_id),
            permission_set: a.permission_set.clone(),
            permission_set_arn: arn_of.get(&a.permission_set).map(|s| (*s).clone()).unwrap_or_default(),
            principal_type: a.principal.kind.as_str().to_string(),
            principal_name: principal.name().to_string(),
            principal_id: a.principal.id.clone(),
            managed,
            instance_arn: ic.instance_arn.clone(),
            identity_store_id: ic.identity_store_id.clone(),
            ..Row::default()
        };
        let mut reached = Vec::new();
        match (a.principal.kind, &ic.memberships) {
            (PrincipalKind::User, _) => {
                let (display, status) = ic.user_details.get(&a.principal.id).cloned().unwrap_or_default();
                reached.push(Row {
                    user_name: base.principal_name.clone(),
                    user_email: ic.user_emails.get(&a.principal.id).cloned().unwrap_or_default(),
                    user_display_name: display,
                    user_status: status,
                    ..base
                });
            }
            (PrincipalKind::Group, Some(memberships)) if options.expand_groups => {
                let members = memberships.get(&a.principal.id).cloned().unwrap_or_default();
                if members.is_empty() {
                    reached.push(Row { via_group: base.principal_name.clone(), ..base.clone() });
                }
                for user in members {
                    let name = ic.principal_names.get(&user).map_or_else(|| user.clone(), |p| p.name().to_string());
                    let (display, status) = ic.user_details.get(&user).cloned().unwrap_or_default();
                    reached.push(Row {
                        via_group: base.principal_name.clone(),
                        user_name: name,
                        user_email: ic.user_emails.get(&user).cloned().unwrap_or_default(),
                        user_display_name: display,
                        user_status: status,
                        ..base.clone()
                    });
                }
            }
            (PrincipalKind::Group, _) => reached.push(base),
        }
        out.extend(reached.into_iter().filter(|r| {
            f.principals.is_empty() || f.principals.iter().any(|p| p == &r.principal_name || p == &r.user_name)
        }));
    }
    if options.include_unassigned {
        let seen: BTreeSet<&String> = out.iter().map(|r| &r.account_id).collect();
        let mut empty = Vec::new();
        for account in live.accounts.values().filter(|a| account_ok(&a.id) && !seen.contains(&a.id)) {
            empty.push(Row {
                account_name: account.name.clone(),
                account_id: account.id.clone(),
                account_status: account.status.clone(),
                account_email: account.email.clone(),
                account_tags: tags_cell(account.tags.as_ref()),
                ou_path: ou_path(live, &account.parent_id),
                managed: desired.map(|_| "unknown".to_string()),
                instance_arn: ic.instance_arn.clone(),
                identity_store_id: ic.identity_store_id.clone(),
                ..Row::default()
            });
        }
        // Accounts invited and not yet joined (read where the blueprint invites one).
        for invited in live.handshakes.iter().flatten().filter(|h| h.is_open()) {
            // Not yet in any OU: only an account filter can name it.
            let wanted = (f.accounts.is_empty() || f.accounts.contains(&invited.account_id)) && f.ous.is_empty();
            if live.accounts.contains_key(&invited.account_id) || !wanted {
                continue;
            }
            empty.push(Row {
                account_id: invited.account_id.clone(),
                account_status: "INVITED".into(),
                ou_path: format!("(invited {}, not yet in the organization)", invited.requested_at),
                managed: desired.map(|_| "unknown".to_string()),
                instance_arn: ic.instance_arn.clone(),
                identity_store_id: ic.identity_store_id.clone(),
                ..Row::default()
            });
        }
        out.extend(empty);
    }
    out.sort();
    out
}

mod export;
mod formats;
mod permission_sets;
pub(crate) use export::{Export, diff};
pub(crate) use formats::{Meta, csv, json, markdown};
pub(crate) use permission_sets::{permission_sets_csv, permission_sets_json, permission_sets_markdown};

#[cfg(test)]
mod tests;
