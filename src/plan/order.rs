//! The order `apply` runs changes in: organization settings, OUs (parents first), policies,
//! accounts, attachments; then every deletion in the reverse of that order.

use super::{Change, Op};
use crate::model::{Action, Target};

/// Where an operation stands in the dependency order; lower runs first.
fn phase(op: &Op) -> u8 {
    match op {
        Op::EnablePolicyType { .. } | Op::EnableServiceAccess { .. } => 0,
        Op::CreateOu { .. } => 1,
        Op::SetTags { target: Target::Ou(_) | Target::Root, .. } => 2,
        Op::CreatePolicy { .. } | Op::UpdatePolicy { .. } => 3,
        Op::CreateAccount { .. } => 4,
        Op::MoveAccount { .. } => 5,
        Op::SetTags { target: Target::Account(_), .. } => 6,
        Op::AttachPolicy { .. } => 7,
        Op::RegisterDelegatedAdministrator { .. } => 8,
        Op::CreateStackSet { .. } | Op::UpdateStackSet { .. } => 9,
        Op::CreateStackInstances { .. } => 10,
        Op::CreatePermissionSet { .. } | Op::UpdatePermissionSet { .. } => 11,
        Op::CreateAssignment { .. } => 12,
        // Deletions: the reverse of the above.
        Op::DeleteAssignment { .. } => 13,
        Op::DeletePermissionSet { .. } => 14,
        Op::DeleteStackInstances { .. } => 15,
        Op::DeleteStackSet { .. } => 16,
        Op::DeregisterDelegatedAdministrator { .. } => 17,
        Op::DetachPolicy { .. } => 18,
        Op::DeletePolicy { .. } => 19,
        Op::DeleteOu { .. } => 20,
        Op::DisablePolicyType { .. } | Op::DisableServiceAccess { .. } => 21,
    }
}

/// Children before parents when deleting OUs: deeper paths first.
fn depth_key(change: &Change) -> i64 {
    let depth = change.address.matches('/').count() as i64;
    match (&change.op, change.action) {
        (Op::DeleteOu { .. }, Action::Delete) => -depth,
        (Op::CreateOu { .. }, _) => depth,
        _ => 0,
    }
}

/// Sorts changes into apply order; stable, so within a phase the planner's order (sorted by
/// address) is kept.
pub(super) fn sort_changes(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| (phase(&c.op), depth_key(c)));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use std::collections::BTreeMap;

    fn change(address: &str, action: Action, op: Op) -> Change {
        Change {
            address: address.into(),
            kind: Kind::OrganizationalUnit,
            action,
            before: None,
            after: None,
            reason: String::new(),
            title: None,
            op,
        }
    }

    #[test]
    fn creates_run_parents_first_and_deletes_children_first() {
        let changes = vec![
            change(
                "policy_attachment.x/A",
                Action::Delete,
                Op::DetachPolicy { policy: "x".into(), target: Target::Ou("A".into()) },
            ),
            change(
                "organizational_unit.Old/Child",
                Action::Delete,
                Op::DeleteOu { path: "Old/Child".into(), id: "ou-2".into() },
            ),
            change("organizational_unit.Old", Action::Delete, Op::DeleteOu { path: "Old".into(), id: "ou-1".into() }),
            change(
                "organizational_unit.A/B",
                Action::Create,
                Op::CreateOu { path: "A/B".into(), name: "B".into(), parent: "A".into(), tags: BTreeMap::new() },
            ),
            change(
                "policy_attachment.y/A/B",
                Action::Create,
                Op::AttachPolicy { policy: "y".into(), target: Target::Ou("A/B".into()) },
            ),
            change(
                "organizational_unit.A",
                Action::Create,
                Op::CreateOu {
                    path: "A".into(),
                    name: "A".into(),
                    parent: crate::model::OuPath::root(),
                    tags: BTreeMap::new(),
                },
            ),
            change(
                "account.a",
                Action::Move,
                Op::MoveAccount { key: "a".into(), from: crate::model::OuPath::root(), to: "A/B".into() },
            ),
        ];
        let order: Vec<String> = sort_changes(changes).into_iter().map(|c| c.address).collect();
        assert_eq!(
            order,
            [
                "organizational_unit.A",
                "organizational_unit.A/B",
                "account.a",
                "policy_attachment.y/A/B",
                "policy_attachment.x/A",
                "organizational_unit.Old/Child",
                "organizational_unit.Old",
            ]
        );
    }
}
