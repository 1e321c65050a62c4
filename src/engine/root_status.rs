//! The root users of member accounts: which still have a password, access keys, MFA devices or
//! signing certificates, read through root sessions (centralized root access). Read-only.

use crate::aws::Aws;
use crate::error::Error;
use crate::live::{LiveState, ReadScope, RootUserRow};

/// Every active member account's root user (the management account has no root session), or
/// only the accounts named (by name or id), sorted by name.
pub(crate) async fn root_status(aws: &Aws, only: &[String]) -> Result<Vec<RootUserRow>, Error> {
    // Only the tree is needed: no policies, no tags.
    let live = aws.read_organization(&ReadScope { skip_policies: true, ..ReadScope::default() }).await?;
    let chosen = members(&live, only)?;
    let mut rows = aws.root_users(&chosen).await?;
    rows.sort_by(|a, b| (&a.account_name, &a.account_id).cmp(&(&b.account_name, &b.account_id)));
    Ok(rows)
}

/// The active member accounts as (id, name), or those `only` names by name or id. A name that
/// matches no member account is an error, never an empty report.
fn members(live: &LiveState, only: &[String]) -> Result<Vec<(String, String)>, Error> {
    let members: Vec<(String, String)> = live
        .accounts
        .values()
        .filter(|a| a.status == "ACTIVE" && a.id != live.management_account_id)
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    if let Some(name) = only.iter().find(|o| !members.iter().any(|(id, name)| id == *o || name == *o)) {
        return Err(Error::UnknownMemberAccount { name: name.clone() });
    }
    Ok(members.into_iter().filter(|(id, name)| only.is_empty() || only.iter().any(|o| o == id || o == name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveAccount;
    use crate::testing::{MANAGEMENT, ROOT, fresh_org};

    fn org() -> LiveState {
        let mut live = fresh_org();
        for (id, name, status) in [
            ("444444444444", "prod", "ACTIVE"),
            ("555555555555", "dev", "ACTIVE"),
            ("666666666666", "old", "SUSPENDED"),
        ] {
            let account = LiveAccount {
                id: id.into(),
                name: name.into(),
                email: format!("{name}@example.com"),
                status: status.into(),
                parent_id: ROOT.into(),
                tags: None,
            };
            live.accounts.insert(id.into(), account);
        }
        live
    }

    #[test]
    fn members_are_active_accounts_but_the_management_account_and_names_must_match() {
        let live = org();
        let ids = |only: &[&str]| {
            let only: Vec<String> = only.iter().map(|s| (*s).to_string()).collect();
            members(&live, &only).map(|m| m.into_iter().map(|(id, _)| id).collect::<Vec<_>>())
        };
        assert_eq!(ids(&[]).unwrap(), ["444444444444", "555555555555"], "not suspended, not {MANAGEMENT}");
        assert_eq!(ids(&["dev"]).unwrap(), ["555555555555"]);
        assert_eq!(ids(&["444444444444", "dev"]).unwrap(), ["444444444444", "555555555555"]);
        for unknown in ["prd", "old", MANAGEMENT] {
            assert!(
                matches!(ids(&["dev", unknown]), Err(Error::UnknownMemberAccount { name }) if name == unknown),
                "{unknown}"
            );
        }
    }
}
