//! The order `apply` runs changes in: organization settings, OUs (parents first), policies,
//! accounts, attachments; then every deletion in the reverse of that order.

use super::{Change, Op};
use crate::model::{Action, Target};

/// Where an operation stands in the dependency order; lower runs first.
fn phase(op: &Op) -> u8 {
    match op {
        Op::EnablePolicyType { .. } | Op::EnableServiceAccess { .. } => 0,
        Op::CreateOu { .. } | Op::RenameOu { .. } => 1,
        Op::SetTags { target: Target::Ou(_) | Target::Root, .. } => 2,
        Op::CreatePolicy { .. } | Op::UpdatePolicy { .. } => 3,
        Op::CreateAccount { .. } | Op::InviteAccount { .. } => 4,
        Op::MoveAccount { .. } => 5,
        Op::SetTags { target: Target::Account(_), .. } => 6,
        // Once in the suspended OU (moved, attached): the last organization change before deletions.
        Op::CloseAccount { .. } => 8,
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
        // The rule changes once everything it approved is done.
        Op::SetApprovalRule { .. } => 22,
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
