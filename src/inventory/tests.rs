//! The inventory from a table of live state: rows, expansion, filters, formats and the diff.

use super::*;
use crate::live::{LiveAccount, LiveAssignment, LiveIdentityCenter, LiveOu};
use crate::model::PrincipalId;
use crate::testing::{ROOT, fresh_org};

fn live() -> LiveState {
    let mut live = fresh_org();
    live.ous.insert(
        "ou-prod".into(),
        LiveOu { id: "ou-prod".into(), name: "Prod".into(), parent_id: ROOT.into(), tags: None },
    );
    let account = |id: &str, name: &str, parent: &str, status: &str| LiveAccount {
        id: id.into(),
        name: name.into(),
        email: format!("{id}@example.com"),
        status: status.into(),
        parent_id: parent.into(),
        tags: None,
    };
    live.accounts.insert("222222222222".into(), account("222222222222", "Web, \"prod\"", "ou-prod", "ACTIVE"));
    live.accounts.insert("333333333333".into(), account("333333333333", "Old", ROOT, "SUSPENDED"));
    let group = PrincipalId { kind: PrincipalKind::Group, id: "g-dev".into() };
    let user = PrincipalId { kind: PrincipalKind::User, id: "u-alice".into() };
    live.identity_center = Some(LiveIdentityCenter {
        instance_arn: "arn:aws:sso:::instance/ssoins-1".into(),
        identity_store_id: "d-1".into(),
        permission_sets: BTreeMap::new(),
        assignments: BTreeSet::from([
            LiveAssignment { permission_set: "Developer".into(), account_id: "222222222222".into(), principal: group },
            LiveAssignment { permission_set: "Admin".into(), account_id: "222222222222".into(), principal: user },
        ]),
        principals: BTreeMap::new(),
        principal_names: BTreeMap::from([
            ("g-dev".into(), Principal::Group("Developers".into())),
            ("u-alice".into(), Principal::User("alice".into())),
            ("u-bob".into(), Principal::User("bob".into())),
        ]),
        user_emails: BTreeMap::from([
            ("u-alice".into(), "alice@example.com".into()),
            ("u-bob".into(), "bob@example.com".into()),
        ]),
        user_details: BTreeMap::from([
            ("u-alice".into(), ("Alice Liddell".into(), "ENABLED".into())),
            ("u-bob".into(), ("=HYPERLINK(\"x\")".into(), "DISABLED".into())),
        ]),
        memberships: Some(BTreeMap::from([(
            "g-dev".into(),
            BTreeSet::from(["u-alice".to_string(), "u-bob".to_string()]),
        )])),
    });
    live
}

fn meta() -> Meta {
    Meta {
        generated_at: "2026-11-25T10:00:00Z".into(),
        organization_id: "o-test".into(),
        read_by: "arn:aws:sts::111111111111:assumed-role/Auditor/carol".into(),
    }
}

fn who(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            format!("{}|{}|{}|{}|{}", r.account_name, r.permission_set, r.principal_name, r.via_group, r.user_name)
        })
        .collect()
}

#[test]
fn one_row_per_assignment_and_per_user_reached_through_a_group_when_expanded() {
    let plain = rows(&live(), &Options::default(), None);
    assert_eq!(who(&plain), ["Web, \"prod\"|Admin|alice||alice", "Web, \"prod\"|Developer|Developers||"]);
    assert_eq!(plain[0].ou_path, "Root/Prod");
    assert_eq!(plain[0].user_email, "alice@example.com");

    let expanded = rows(&live(), &Options { expand_groups: true, ..Default::default() }, None);
    assert_eq!(
        who(&expanded),
        [
            "Web, \"prod\"|Admin|alice||alice",
            "Web, \"prod\"|Developer|Developers|Developers|alice",
            "Web, \"prod\"|Developer|Developers|Developers|bob"
        ]
    );
}

#[test]
fn filters_narrow_and_unassigned_accounts_are_listed_with_their_status() {
    let by =
        |filters: Filters| who(&rows(&live(), &Options { expand_groups: true, filters, ..Default::default() }, None));
    assert_eq!(
        by(Filters { principals: vec!["bob".into()], ..Default::default() }),
        ["Web, \"prod\"|Developer|Developers|Developers|bob"]
    );
    assert_eq!(
        by(Filters { permission_sets: vec!["Admin".into()], ..Default::default() }),
        ["Web, \"prod\"|Admin|alice||alice"]
    );
    assert_eq!(by(Filters { ous: vec!["Prod".into()], ..Default::default() }).len(), 3);
    assert_eq!(by(Filters { ous: vec!["Root/Prod".into()], ..Default::default() }).len(), 3);
    assert!(by(Filters { accounts: vec!["333333333333".into()], ..Default::default() }).is_empty());

    let with_empty = rows(&live(), &Options { include_unassigned: true, ..Default::default() }, None);
    let old = with_empty.iter().find(|r| r.account_id == "333333333333").expect("unassigned account listed");
    assert_eq!((old.permission_set.as_str(), old.account_status.as_str()), ("", "SUSPENDED"));
    let management = with_empty.iter().find(|r| r.account_id == crate::testing::MANAGEMENT).expect("listed too");
    assert_eq!(management.account_status, "ACTIVE");

    // Every lifecycle state: an open invitation shows its account as INVITED (a closed one,
    // or one already in the organization, does not).
    let mut invited = live();
    let handshake = |account: &str, state: &str| crate::live::LiveHandshake {
        id: format!("h-{account}"),
        account_id: account.into(),
        state: state.into(),
        requested_at: "2026-11-25T10:00:00Z".into(),
        expires_at: "2026-12-10T10:00:00Z".into(),
    };
    invited.handshakes = Some(vec![
        handshake("444455556666", "OPEN"),
        handshake("777788889999", "DECLINED"),
        handshake("333333333333", "OPEN"),
    ]);
    let rows = rows(&invited, &Options { include_unassigned: true, ..Default::default() }, None);
    let states: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.permission_set.is_empty())
        .map(|r| (r.account_id.as_str(), r.account_status.as_str()))
        .collect();
    assert!(states.contains(&("444455556666", "INVITED")), "{states:?}");
    assert!(!states.iter().any(|(id, _)| *id == "777788889999"), "{states:?}");
    assert!(states.contains(&("333333333333", "SUSPENDED")), "{states:?}");
    let row = rows.iter().find(|r| r.account_id == "444455556666").unwrap();
    assert_eq!(row.ou_path, "(invited 2026-11-25T10:00:00Z, not yet in the organization)");
}

#[test]
fn managed_says_whether_the_blueprint_lists_the_access() {
    let desired =
        BTreeSet::from([("Developer".to_string(), Principal::Group("Developers".into()), "222222222222".to_string())]);
    let rows = rows(&live(), &Options { include_unassigned: true, ..Default::default() }, Some(&desired));
    let managed: Vec<(String, String)> =
        rows.iter().map(|r| (r.permission_set.clone(), r.managed.clone().unwrap())).collect();
    assert!(managed.contains(&("Developer".into(), "yes".into())));
    assert!(managed.contains(&("Admin".into(), "no".into())));
    assert!(managed.contains(&(String::new(), "unknown".into())));
}

#[test]
fn csv_is_rfc_4180_and_json_has_the_same_keys() {
    let rows = rows(&live(), &Options::default(), None);
    let text = csv(&rows, false);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        COLUMNS.iter().copied().filter(|c| *c != "managed").collect::<Vec<_>>().join(",")
    );
    assert!(lines.next().unwrap().starts_with(
        "222222222222,\"Web, \"\"prod\"\"\",ACTIVE,Root/Prod,Admin,USER,alice,u-alice,,alice,alice@example.com,"
    ));
    let report: serde_json::Value = serde_json::from_str(&json(&rows, true, &meta())).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["organization_id"], "o-test");
    assert_eq!(report["read_by"], "arn:aws:sts::111111111111:assumed-role/Auditor/carol");
    assert_eq!(report["generated_at"], "2026-11-25T10:00:00Z");
    let json = &report["rows"];
    let keys: Vec<&String> = json[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, COLUMNS.iter().collect::<Vec<_>>());
    assert_eq!(json[0]["target_type"], "AWS_ACCOUNT");
    assert_eq!(json[0]["permission_set_name"], "Admin");
    assert_eq!(json[0]["user_display_name"], "Alice Liddell");
    assert_eq!(json[0]["user_status"], "ENABLED");
}

#[test]
fn markdown_escapes_pipes_and_counts_rows() {
    let mut rows = rows(&live(), &Options::default(), None);
    rows[0].account_name = "a|b".into();
    let text = markdown(&rows, false, &meta());
    assert!(
        text.starts_with("### Access inventory\n\nOrganization `o-test`, read by `arn:aws:sts::111111111111:assumed-role/Auditor/carol` at 2026-11-25T10:00:00Z.\n\n| account | ou_path | permission_set | principal | via_group | user | status |\n| --- |"),
        "{text}"
    );
    assert!(text.contains("| a\\|b (222222222222) |"), "{text}");
    assert!(text.ends_with("\n2 rows.\n"), "{text}");
}

#[test]
fn the_diff_of_two_exports_names_who_gained_and_lost_what() {
    let before = rows(&live(), &Options::default(), None);
    let mut changed = live();
    let ic = changed.identity_center.as_mut().unwrap();
    ic.assignments.retain(|a| a.permission_set != "Admin");
    ic.assignments.insert(LiveAssignment {
        permission_set: "ReadOnly".into(),
        account_id: "222222222222".into(),
        principal: PrincipalId { kind: PrincipalKind::User, id: "u-bob".into() },
    });
    let after = rows(&changed, &Options::default(), None);
    let parse = |rows: &[Row]| Export::parse(&json(rows, false, &meta())).unwrap();
    let text = diff(&parse(&before), &parse(&after)).expect("they differ");
    assert_eq!(
        text,
        "account Web, \"prod\" (222222222222)\n  - user alice → Admin\n  + user bob → ReadOnly\n1 gained, 1 lost.\n"
    );
    assert_eq!(diff(&parse(&before), &parse(&before)), None);
    assert_eq!(
        Export::parse(r#"{"not": "rows"}"#).err().unwrap(),
        "an inventory export's object holds its rows under \"rows\""
    );
    // An export of an earlier version, a bare array of rows, reads as before.
    let old_style = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(&json(&before, false, &meta())).unwrap()["rows"],
    )
    .unwrap();
    assert_eq!(diff(&Export::parse(&old_style).unwrap(), &parse(&after)), Some(text));
    assert!(Export::parse("[{").is_err());
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_quoted() {
    let options = Options { expand_groups: true, ..Default::default() };
    let rows = rows(&live(), &options, None);
    let text = csv(&rows, false);
    assert!(text.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
}

#[test]
fn the_permission_set_report_says_what_each_grants() {
    let mut ic = live().identity_center.unwrap();
    ic.permission_sets.insert(
        "Admin".into(),
        crate::live::LivePermissionSet {
            arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into(),
            name: "Admin".into(),
            description: Some("+all".into()),
            session_duration: Some("PT1H".into()),
            relay_state: None,
            managed_policies: BTreeSet::from(["arn:aws:iam::aws:policy/AdministratorAccess".into()]),
            customer_managed_policies: BTreeSet::new(),
            inline_policy: Some(
                serde_json::json!({"Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}),
            ),
            permissions_boundary: crate::live::Readable::Known(None),
            tags: crate::live::Readable::Known(BTreeMap::new()),
            provisioned_accounts: BTreeSet::from(["222222222222".into()]),
        },
    );
    let csv = permission_sets_csv(&ic);
    assert!(
        csv.starts_with("permission_set,permission_set_arn,description,session_duration,managed_policies,"),
        "{csv}"
    );
    assert!(
        csv.contains(
            "Admin,arn:aws:sso:::permissionSet/ssoins-1/ps-1,'+all,PT1H,arn:aws:iam::aws:policy/AdministratorAccess,,"
        ),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(&permission_sets_json(&ic, &meta())).unwrap();
    assert_eq!(json["permission_sets"][0]["inline_policy"]["Statement"][0]["Action"], "iam:CreateUser");
    assert_eq!(json["permission_sets"][0]["provisioned_accounts"], serde_json::json!(["222222222222"]));
    let markdown = permission_sets_markdown(&ic, &meta());
    assert!(
        markdown.contains("| Admin | PT1H | arn:aws:iam::aws:policy/AdministratorAccess |  | 1 statement(s) |  | 1 |"),
        "{markdown}"
    );
}
