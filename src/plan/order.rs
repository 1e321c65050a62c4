//! The order `apply` runs changes in: organization settings, OUs (parents first), policies,
//! accounts, attachments; then every deletion in the reverse of that order.

use super::{Change, Op};
use crate::model::{Action, Target};

/// Where an operation stands in the dependency order; lower runs first.
fn phase(op: &Op) -> u8 {
    match op {
        Op::EnablePolicyType { .. } | Op::EnableServiceAccess { .. } => 0,
        // Root access needs IAM's trusted access, switched on just before.
        Op::SetRootFeature { enabled: true, .. } => 1,
        Op::CreateOu { .. } | Op::RenameOu { .. } => 2,
        Op::SetTags { target: Target::Ou(_) | Target::Root, .. } => 3,
        Op::CreatePolicy { .. } | Op::UpdatePolicy { .. } => 4,
        Op::CreateAccount { .. } | Op::InviteAccount { .. } => 5,
        Op::MoveAccount { .. } => 6,
        Op::SetTags { target: Target::Account(_), .. } => 7,
        Op::AttachPolicy { .. } => 8,
        // Once in the suspended OU (moved, attached): the last organization change before deletions.
        Op::CloseAccount { .. } => 9,
        Op::RegisterDelegatedAdministrator { .. } => 9,
        Op::CreateStackSet { .. } | Op::UpdateStackSet { .. } => 10,
        Op::CreateStackInstances { .. } => 11,
        Op::CreatePermissionSet { .. } | Op::UpdatePermissionSet { .. } => 12,
        Op::CreateAssignment { .. } => 13,
        // Deletions: the reverse of the above.
        Op::DeleteAssignment { .. } => 14,
        Op::DeletePermissionSet { .. } => 15,
        Op::DeleteStackInstances { .. } => 16,
        Op::DeleteStackSet { .. } => 17,
        Op::DeregisterDelegatedAdministrator { .. } => 18,
        Op::DetachPolicy { .. } => 19,
        Op::DeletePolicy { .. } => 20,
        Op::DeleteOu { .. } => 21,
        Op::SetRootFeature { enabled: false, .. } => 22,
        Op::DisablePolicyType { .. } | Op::DisableServiceAccess { .. } => 23,
        // The rule changes once everything it approved is done.
        Op::SetApprovalRule { .. } => 24,
    }
}

/// Children before parents when deleting OUs: deeper paths first.
fn depth_key(change: &Change) -> i64 {
    let depth = change.address.matches('/').count() as i64;
    match (&change.op, change.action) {
        (Op::DeleteOu { .. }, Action::Delete) => -depth,
        (Op::CreateOu { .. } | Op::RenameOu { .. }, _) => depth,
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
mod tests;
