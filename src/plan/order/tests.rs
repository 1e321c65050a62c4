//! The apply order from a table.

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
