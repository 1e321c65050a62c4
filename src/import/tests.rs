//! The import's promise, on generated organizations with every kind of name AWS allows: the
//! blueprint it writes validates and plans no change against the organization it came from.

use super::*;
use crate::blueprint::{self, MemoryFiles};
use crate::live::{
    LiveAssignment, LiveIdentityCenter, LiveOu, LivePermissionSet, LivePolicy, LiveStackInstance, LiveStackSet,
    Readable,
};
use crate::model::{AutoDeployment, Boundary, PolicyReference, Principal, PrincipalId, PrincipalKind};
use crate::plan::PlanOptions;
use crate::testing::{FULL_ACCESS_ID, MANAGEMENT, ROOT, fresh_org, lines};
use proptest::prelude::*;
use serde_json::json;
use std::path::{Path, PathBuf};

fn options(sections: Sections) -> Options {
    Options { sections, include_management: false, imported_at: "2026-11-25T10:00:00Z".into() }
}

/// The imported blueprint, read back as lzctl reads a blueprint.
fn read_back(imported: &Imported) -> blueprint::Blueprint {
    let files = imported.files.iter().map(|(path, text)| (PathBuf::from(path), text.clone())).collect();
    blueprint::parse(Path::new("blueprint.yaml"), &imported.blueprint, &MemoryFiles::new(files)).unwrap_or_else(
        |errors| {
            panic!(
                "the imported blueprint is invalid:\n{}\n{:#?}",
                imported.blueprint,
                errors.issues.iter().map(ToString::to_string).collect::<Vec<_>>()
            )
        },
    )
}

fn ou(live: &mut LiveState, id: &str, name: &str, parent: &str, tags: &[(&str, &str)]) {
    let tags = Some(tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    live.ous.insert(id.into(), LiveOu { id: id.into(), name: name.into(), parent_id: parent.into(), tags });
}

fn account(live: &mut LiveState, id: &str, name: &str, parent: &str) {
    live.accounts.insert(
        id.into(),
        LiveAccount {
            id: id.into(),
            name: name.into(),
            email: format!("aws+{id}@example.com"),
            status: "ACTIVE".into(),
            parent_id: parent.into(),
            tags: Some(BTreeMap::new()),
        },
    );
}

fn policy(live: &mut LiveState, id: &str, name: &str, policy_type: PolicyType, targets: &[&str]) {
    live.policies.insert(
        id.into(),
        LivePolicy {
            id: id.into(),
            name: name.into(),
            policy_type,
            description: format!("{name}, described"),
            aws_managed: false,
            document: Some(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
            ),
            targets: targets.iter().map(ToString::to_string).collect(),
        },
    );
}

fn attach_full_access(live: &mut LiveState, id: &str) {
    live.policies.get_mut(FULL_ACCESS_ID).expect("FullAWSAccess").targets.insert(id.into());
}

/// A small organization with every feature an import describes.
fn small_org() -> LiveState {
    let mut live = fresh_org();
    live.root.policy_types.insert(PolicyType::ResourceControlPolicy);
    live.trusted_services = Some(BTreeSet::from([
        "sso.amazonaws.com".into(),
        "member.org.stacksets.cloudformation.amazonaws.com".into(),
        "config.amazonaws.com".into(),
    ]));
    ou(&mut live, "ou-f", "Foundational", ROOT, &[("owner", "platform")]);
    ou(&mut live, "ou-w", "Workloads", "ou-f", &[]);
    ou(&mut live, "ou-p", "Prod/EU", "ou-w", &[]);
    ou(&mut live, "ou-s", "Suspended", ROOT, &[]);
    for id in ["ou-f", "ou-w", "ou-p", "ou-s"] {
        attach_full_access(&mut live, id);
    }
    account(&mut live, "222222222222", "Security", "ou-f");
    account(&mut live, "333333333333", "Web App", "ou-p");
    account(&mut live, "444444444444", "web-app", "ou-p");
    account(&mut live, "555555555555", "Old", "ou-s");
    live.accounts.get_mut("555555555555").unwrap().status = "SUSPENDED".into();
    for id in ["222222222222", "333333333333", "444444444444"] {
        attach_full_access(&mut live, id);
    }
    live.accounts.get_mut("222222222222").unwrap().tags = Some(BTreeMap::from([("cost-center".into(), "1234".into())]));
    live.delegated_administrators =
        Some(BTreeMap::from([("config.amazonaws.com".into(), BTreeSet::from(["222222222222".into()]))]));
    policy(&mut live, "p-1", "deny-all", PolicyType::ServiceControlPolicy, &["ou-s"]);
    policy(&mut live, "p-2", "deny s3 / public", PolicyType::ResourceControlPolicy, &["ou-w", "333333333333"]);
    policy(&mut live, "p-3", "leave-org", PolicyType::ServiceControlPolicy, &[ROOT]);
    let mut principal_names = BTreeMap::new();
    principal_names.insert("g-admins".to_string(), Principal::Group("Platform Admins".into()));
    principal_names.insert("u-ann".to_string(), Principal::User("ann@example.com".into()));
    let assignment = |ps: &str, account: &str, kind: PrincipalKind, id: &str| LiveAssignment {
        permission_set: ps.into(),
        account_id: account.into(),
        principal: PrincipalId { kind, id: id.into() },
    };
    let mut assignments = BTreeSet::new();
    for account in ["333333333333", "444444444444"] {
        assignments.insert(assignment("Admin", account, PrincipalKind::Group, "g-admins"));
    }
    assignments.insert(assignment("Admin", MANAGEMENT, PrincipalKind::Group, "g-admins"));
    assignments.insert(assignment("ReadOnly", "222222222222", PrincipalKind::User, "u-ann"));
    let permission_set = |name: &str| LivePermissionSet {
        arn: format!("arn:aws:sso:::permissionSet/ins/ps-{name}"),
        name: name.into(),
        description: Some(format!("{name} access")),
        session_duration: Some("PT4H".into()),
        relay_state: None,
        managed_policies: BTreeSet::from([format!("arn:aws:iam::aws:policy/{name}Access")]),
        customer_managed_policies: BTreeSet::from([PolicyReference { name: "lz-extra".into(), path: "/".into() }]),
        inline_policy: Some(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]}),
        ),
        permissions_boundary: Readable::Known(Some(Boundary::ManagedPolicyArn(
            "arn:aws:iam::aws:policy/PowerUserAccess".into(),
        ))),
        tags: Readable::Known(BTreeMap::from([("owner".into(), "platform".into())])),
        provisioned_accounts: BTreeSet::new(),
    };
    let principals = principal_names.iter().map(|(id, p)| (p.clone(), id.clone())).collect();
    live.identity_center = Some(LiveIdentityCenter {
        instance_arn: "arn:aws:sso:::instance/ins".into(),
        identity_store_id: "d-1".into(),
        permission_sets: ["Admin", "ReadOnly"].into_iter().map(|n| (n.to_string(), permission_set(n))).collect(),
        assignments,
        principals,
        principal_names,
        ..LiveIdentityCenter::default()
    });
    live.stack_sets = Some(BTreeMap::from([(
        "config-recorder".to_string(),
        LiveStackSet {
            name: "config-recorder".into(),
            description: Some("AWS Config".into()),
            template_body: "Parameters:\n  Bucket: {Type: String}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
                .into(),
            parameters: BTreeMap::from([("Bucket".into(), "logs".into())]),
            capabilities: Some(BTreeSet::from(["CAPABILITY_NAMED_IAM".into()])),
            permission_model: Some("SERVICE_MANAGED".into()),
            auto_deployment: Some(AutoDeployment { enabled: true, retain_stacks_on_account_removal: false }),
            instances: ["us-east-1", "eu-west-1"]
                .into_iter()
                .flat_map(|r| {
                    ["222222222222", "333333333333", "444444444444"].map(|a| LiveStackInstance {
                        failed: None,
                        account_id: a.into(),
                        region: r.into(),
                        ou_id: None,
                    })
                })
                .collect(),
            target_ou_ids: None,
        },
    )]));
    live
}

#[test]
fn a_small_organization_imports_as_a_readable_blueprint_that_plans_empty() {
    let live = small_org();
    let imported = import(&live, &options(Sections::ALL)).expect("imports");
    insta::assert_snapshot!("small_org_blueprint", imported.blueprint);
    insta::assert_debug_snapshot!("small_org_files", imported.files.keys().collect::<Vec<_>>());
    assert_eq!(
        imported.left_out,
        [
            "account management (111111111111) is the management account: not described (--include-management describes it)",
            "account Old (555555555555) is SUSPENDED: not described (lzctl manages active accounts)"
        ]
    );
    let bp = read_back(&imported);
    let plan = crate::plan::diff(&bp, &live, &PlanOptions::default()).expect("plans");
    assert_eq!(lines(&plan), Vec::<String>::new(), "\n{}", imported.blueprint);
}

#[test]
fn each_section_alone_plans_empty_and_manages_only_itself() {
    let live = small_org();
    for (sections, kept) in [
        (Sections { organizations: true, identity_center: false, stack_sets: false }, "organizational_units:"),
        (Sections { organizations: false, identity_center: true, stack_sets: false }, "identity_center:"),
        (Sections { organizations: false, identity_center: false, stack_sets: true }, "stack_sets:"),
    ] {
        let imported = import(&live, &options(sections)).expect("imports");
        for section in ["organizational_units:", "identity_center:", "stack_sets:", "accounts:", "policies:"] {
            let expected = section == kept || (kept == "organizational_units:" && section.starts_with(['a', 'p']));
            let at_top = imported.blueprint.contains(&format!("\n{section}"));
            assert_eq!(at_top, expected, "{section} with {sections:?}");
        }
        let bp = read_back(&imported);
        let plan = crate::plan::diff(&bp, &live, &PlanOptions::default()).expect("plans");
        assert_eq!(lines(&plan), Vec::<String>::new(), "{sections:?}\n{}", imported.blueprint);
    }
}

#[test]
fn the_management_account_is_described_only_when_asked() {
    let live = small_org();
    let with = Options { include_management: true, ..options(Sections::ALL) };
    let imported = import(&live, &with).expect("imports");
    assert!(imported.blueprint.contains("  management:\n    id: \"111111111111\"\n"), "{}", imported.blueprint);
    assert!(imported.blueprint.contains("accounts: [management]"), "assignments name it by key");
    assert!(!imported.left_out.iter().any(|l| l.contains("management account")));
    let plan = crate::plan::diff(&read_back(&imported), &live, &PlanOptions::default()).expect("plans");
    assert_eq!(lines(&plan), Vec::<String>::new());
}

#[test]
fn trusted_access_missing_while_in_use_is_left_unmanaged_so_the_blueprint_stands() {
    let mut live = small_org();
    live.trusted_services.as_mut().unwrap().remove("member.org.stacksets.cloudformation.amazonaws.com");
    let imported = import(&live, &options(Sections::ALL)).expect("imports");
    assert!(!imported.blueprint.contains("trusted_services"), "{}", imported.blueprint);
    assert!(
        imported.left_out.iter().any(|l| l.starts_with("trusted access: not described")),
        "{:?}",
        imported.left_out
    );
    let plan = crate::plan::diff(&read_back(&imported), &live, &PlanOptions::default()).expect("plans");
    assert_eq!(lines(&plan), Vec::<String>::new());
}

#[test]
fn what_a_blueprint_cannot_say_is_listed_and_nothing_is_written() {
    let mut live = small_org();
    ou(&mut live, "ou-twin", "Suspended", ROOT, &[]);
    ou(&mut live, "ou-ctl", "bad\u{202e}name", ROOT, &[]);
    policy(&mut live, "p-twin", "deny-all", PolicyType::ResourceControlPolicy, &[]);
    live.policies.get_mut(FULL_ACCESS_ID).unwrap().targets.remove(ROOT);
    let problems = import(&live, &options(Sections::ALL)).expect_err("cannot be imported");
    let text = problems.join("\n");
    for expected in
        ["two OUs named \"Suspended\"", "U+202E", "another policy of another type", "not attached to the root"]
    {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
}

#[test]
fn account_keys_come_from_names_and_collisions_keep_both() {
    assert_eq!(key_from("Prod Web (EU)"), "prod-web-eu");
    assert_eq!(key_from("  "), "account");
    assert_eq!(key_from("Ünïcode Team"), "ünïcode-team");
    let imported = import(&small_org(), &options(Sections::ALL)).expect("imports");
    assert!(imported.blueprint.contains(
        "  web-app:\n    id: \"333333333333\"\n    email: aws+333333333333@example.com\n    name: \"Web App\"\n"
    ));
    assert!(imported.blueprint.contains("  web-app-444444444444:\n    id: \"444444444444\""));
}

/// Names AWS allows, including the ones YAML and paths find awkward.
fn awkward_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Root".to_string()),
        Just("a/b".to_string()),
        Just(" padded ".to_string()),
        Just("#x: 'y' \"z\"".to_string()),
        Just("back\\slash".to_string()),
        Just("yes".to_string()),
        Just("123".to_string()),
        "[a-zA-Z][a-zA-Z0-9 /é-]{0,8}",
    ]
}

/// A generated organization: OUs (each under the root or an earlier OU), active accounts in
/// them, policies attached here and there, tags, and assignments of two permission sets.
#[derive(Debug, Clone)]
struct Shape {
    ous: Vec<(String, usize, bool)>,
    accounts: Vec<(String, usize, bool)>,
    attachments: Vec<(usize, usize)>,
    assignments: Vec<(usize, usize, usize)>,
}

fn shapes() -> impl Strategy<Value = Shape> {
    (
        proptest::collection::vec((awkward_name(), 0..6usize, any::<bool>()), 0..6),
        proptest::collection::vec((awkward_name(), 0..7usize, any::<bool>()), 0..6),
        proptest::collection::vec((0..14usize, 0..3usize), 0..6),
        proptest::collection::vec((0..2usize, 0..3usize, 0..7usize), 0..10),
    )
        .prop_map(|(ous, accounts, attachments, assignments)| Shape { ous, accounts, attachments, assignments })
}

fn build(shape: &Shape) -> LiveState {
    let mut live = fresh_org();
    let mut parents = vec![ROOT.to_string()];
    for (i, (name, parent, tagged)) in shape.ous.iter().enumerate() {
        let id = format!("ou-{i}");
        let parent = parents[parent % parents.len()].clone();
        let taken = live.ous.values().any(|o| o.parent_id == parent && &o.name == name);
        if taken || name.trim().is_empty() {
            continue;
        }
        let tags: &[(&str, &str)] = if *tagged { &[("team", "a b")] } else { &[] };
        ou(&mut live, &id, name, &parent, tags);
        attach_full_access(&mut live, &id);
        parents.push(id);
    }
    let mut targets = parents.clone();
    for (i, (name, parent, tagged)) in shape.accounts.iter().enumerate() {
        let id = format!("{:012}", 200 + i);
        account(&mut live, &id, name, &parents[parent % parents.len()]);
        if *tagged {
            live.accounts.get_mut(&id).unwrap().tags = Some(BTreeMap::from([("cc".into(), "0012".into())]));
        }
        attach_full_access(&mut live, &id);
        targets.push(id);
    }
    for (n, name) in ["deny-a", "deny/b", "deny c"].iter().enumerate() {
        let attached: Vec<&str> = shape
            .attachments
            .iter()
            .filter(|(_, p)| *p == n)
            .map(|(t, _)| targets[t % targets.len()].as_str())
            .collect();
        policy(&mut live, &format!("p-{n}"), name, PolicyType::ServiceControlPolicy, &attached);
    }
    let principal_names: BTreeMap<String, Principal> = BTreeMap::from([
        ("g-1".to_string(), Principal::Group("Admins / EU".into())),
        ("g-2".to_string(), Principal::Group("yes".into())),
        ("u-1".to_string(), Principal::User("ann".into())),
    ]);
    let ids: Vec<&String> = principal_names.keys().collect();
    let active: Vec<String> = live.accounts.keys().cloned().collect();
    let assignments = shape
        .assignments
        .iter()
        .map(|(ps, principal, account)| {
            let id = ids[*principal];
            LiveAssignment {
                permission_set: ["Admin", "Dev"][*ps].to_string(),
                account_id: active[account % active.len()].clone(),
                principal: PrincipalId { kind: principal_names[id].kind(), id: id.clone() },
            }
        })
        .collect();
    let bare = |name: &str| LivePermissionSet {
        arn: format!("arn:ps/{name}"),
        name: name.into(),
        description: None,
        session_duration: Some("PT1H".into()),
        relay_state: None,
        managed_policies: BTreeSet::new(),
        customer_managed_policies: BTreeSet::new(),
        inline_policy: None,
        permissions_boundary: Readable::Known(None),
        tags: Readable::Unknown("not read".into()),
        provisioned_accounts: BTreeSet::new(),
    };
    live.identity_center = Some(LiveIdentityCenter {
        permission_sets: ["Admin", "Dev"].into_iter().map(|n| (n.to_string(), bare(n))).collect(),
        assignments,
        principals: principal_names.iter().map(|(id, p)| (p.clone(), id.clone())).collect(),
        principal_names,
        ..LiveIdentityCenter::default()
    });
    live
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the organization, every section together and each alone: the import validates
    /// and plans no change.
    #[test]
    fn any_organization_round_trips(shape in shapes(), which in 0..4usize) {
        let live = build(&shape);
        let sections = [
            Sections::ALL,
            Sections { organizations: true, identity_center: false, stack_sets: false },
            Sections { organizations: false, identity_center: true, stack_sets: false },
            Sections { organizations: true, identity_center: true, stack_sets: false },
        ][which];
        let imported = import(&live, &options(sections)).map_err(|p| TestCaseError::fail(p.join("\n")))?;
        let bp = read_back(&imported);
        let plan = crate::plan::diff(&bp, &live, &PlanOptions::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(lines(&plan), Vec::<String>::new(), "\n{}", imported.blueprint);
        let again = import(&live, &options(sections)).map_err(|p| TestCaseError::fail(p.join("\n")))?;
        prop_assert_eq!(again, imported, "the same organization imports to the same text");
    }
}
