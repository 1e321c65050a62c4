//! Reading at once: the organization and Identity Center are read concurrently, and what needs
//! the tree (which accounts an `ous:` assignment reaches) waits for the tree alone. Whichever
//! answers come first — the organization's, Identity Center's, either slowed throughout — the
//! plan is the same, byte for byte, as when one service is read wholly before the other, with
//! either way of reading assignments.

use crate::identity_center::{account_id, applied, blueprint, permission_sets};
use crate::proxy::{Fault, Proxy, Rule};
use crate::support::{changes, stderr, stdout};
use aws_sdk_ssoadmin::types::PrincipalType;
use std::time::Duration;

fn slow(operation: &'static str, nth: usize, millis: u64) -> Rule {
    Rule { operation, nth, fault: Fault::Latency(Duration::from_millis(millis)) }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_is_the_same_whichever_service_answers_first() {
    let (emu, org, people) = applied().await;
    // Drift on both sides: a hand-made assignment on a managed permission set (planned for
    // removal) and a new account in an OU that assignments target (planned to be assigned).
    let sets = permission_sets(&emu).await;
    let prod = account_id(&org, "ic+prod@example.com").await;
    emu.assign_by_hand(&sets["Auditor"], &people["Contractors"], PrincipalType::Group, &prod).await;
    emu.create_account_in(&org, "late@example.com", "Late", "Workloads/SDLC").await;

    let orders: [(&str, Vec<Rule>); 5] = [
        ("as it comes", vec![]),
        // Identity Center's first call held until the organization is read: sequential.
        ("the organization wholly first", vec![slow("ListInstances", 1, 2500)]),
        // The organization's first calls held until Identity Center waits for the tree.
        ("Identity Center first", vec![slow("DescribeOrganization", 1, 1500), slow("ListRoots", 1, 1500)]),
        ("the tree slowed throughout", vec![slow("ListAccountsForParent", 0, 250)]),
        ("permission sets slowed throughout", vec![slow("DescribePermissionSet", 0, 250)]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut first: Option<String> = None;
    for read in ["per-pair", "per-principal"] {
        for (order, rules) in &orders {
            let proxy = Proxy::start(&emu.url, rules.clone());
            let plan = emu.lzctl_env(
                dir.path(),
                &["plan", "-f", &blueprint(), "--format", "json"],
                &[("AWS_ENDPOINT_URL", &proxy.url), ("LZCTL_ASSIGNMENT_READ", read)],
            );
            assert_eq!(plan.status.code(), Some(0), "{read}, {order}: {}", stderr(&plan));
            assert_eq!(proxy.injected().is_empty(), rules.is_empty(), "{read}, {order}: the latency was injected");
            let json = stdout(&plan);
            match &first {
                None => {
                    assert_eq!(
                        changes(&json),
                        [
                            "create assignment.Auditor/group:Auditors/Late",
                            "create assignment.Developer/group:Developers/Late",
                            "delete assignment.Auditor/group:Contractors/prod",
                        ],
                        "{json}"
                    );
                    first = Some(json);
                }
                Some(first) => assert_eq!(&json, first, "{read}, {order}: the same plan, byte for byte"),
            }
        }
    }
}
