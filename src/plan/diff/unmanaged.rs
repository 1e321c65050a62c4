//! What the live organization has and the blueprint does not name: OUs, policies and accounts,
//! reported as unmanaged, and with `--prune` deleted where that is safe (an OU left empty, a
//! policy left detached). lzctl never closes an account.

use super::*;

impl Planner<'_> {
    /// Ids of the targets a policy stays attached to once the planned detaches ran.
    fn remaining_targets(&self, policy: &crate::live::LivePolicy) -> usize {
        let detached = self
            .changes
            .iter()
            .filter(|c| matches!(&c.op, Op::DetachPolicy { policy: p, .. } if *p == policy.name))
            .count();
        policy.targets.len().saturating_sub(detached)
    }

    pub(super) fn unmanaged_ous(&mut self) {
        // Deepest first, so an empty parent of pruned children is pruned too.
        let mut paths: Vec<(&OuPath, &&crate::live::LiveOu)> =
            self.live_ous.iter().filter(|(path, _)| !self.bp.ous.contains_key(*path)).collect();
        paths.sort_by_key(|(path, _)| std::cmp::Reverse(path.depth()));
        let mut pruned: BTreeSet<String> = BTreeSet::new();
        let mut found = Vec::new();
        for (path, ou) in paths {
            let address = ou_address(path);
            let child_ous_left =
                self.live.ous.values().filter(|o| o.parent_id == ou.id && !pruned.contains(&o.id)).count();
            let accounts_left =
                self.live.accounts.values().filter(|a| a.parent_id == ou.id && !self.is_managed_account(&a.id)).count();
            let empty = child_ous_left == 0 && accounts_left == 0;
            if self.options.prune && empty {
                pruned.insert(ou.id.clone());
                let (parent, name) = (path.parent(), path.name());
                found.push(Change {
                    address,
                    kind: Kind::OrganizationalUnit,
                    action: Action::Delete,
                    before: Some(json!({"name": name, "parent": parent.to_string()})),
                    after: None,
                    reason: "not in the blueprint and empty (--prune)".into(),
                    op: Op::DeleteOu { path: path.clone(), id: ou.id.clone() },
                });
            } else {
                let note = if empty {
                    "not in the blueprint; empty, --prune deletes it".to_string()
                } else {
                    format!("not in the blueprint; holds {child_ous_left} OU(s) and {accounts_left} account(s), kept")
                };
                self.unmanaged.push(Unmanaged { address, kind: Kind::OrganizationalUnit, note });
            }
        }
        self.changes.extend(found);
    }

    fn is_managed_account(&self, account_id: &str) -> bool {
        self.managed_account_ids.contains(account_id)
    }

    pub(super) fn unmanaged_policies(&mut self) {
        let mut found = Vec::new();
        let mut listed = Vec::new();
        for policy in self.live.policies.values() {
            if policy.aws_managed || self.bp.policies.contains_key(&policy.name) {
                continue;
            }
            let address = format!("policy.{}", policy.name);
            let remaining = self.remaining_targets(policy);
            if self.options.prune && remaining == 0 {
                found.push(Change {
                    address,
                    kind: Kind::Policy,
                    action: Action::Delete,
                    before: Some(json!({
                        "name": policy.name, "type": policy.policy_type, "description": policy.description,
                        "document": policy.document,
                    })),
                    after: None,
                    reason: "not in the blueprint and detached (--prune)".into(),
                    op: Op::DeletePolicy { name: policy.name.clone(), id: policy.id.clone() },
                });
            } else {
                let note = match (remaining, policy.targets.len()) {
                    (0, 0) => "not in the blueprint; detached, --prune deletes it".to_string(),
                    (0, _) => "not in the blueprint; this plan detaches it, then --prune can delete it".to_string(),
                    (n, _) => format!(
                        "not in the blueprint; stays attached to {n} target(s) the blueprint does not manage, kept"
                    ),
                };
                listed.push(Unmanaged { address, kind: Kind::Policy, note });
            }
        }
        self.changes.extend(found);
        self.unmanaged.extend(listed);
    }

    pub(super) fn unmanaged_accounts(&mut self) {
        for account in self.live.accounts.values() {
            if account.id == self.live.management_account_id || self.is_managed_account(&account.id) {
                continue;
            }
            let place = self.live.path_of(&account.parent_id).unwrap_or_default();
            self.unmanaged.push(Unmanaged {
                address: format!("account.{}", account.id),
                kind: Kind::Account,
                note: format!(
                    "{} <{}> in {}, not in the blueprint; to retire it, list it with lifecycle: suspended (or closed)",
                    account.name, account.email, place
                ),
            });
        }
    }
}
