//! Snapshots of both renderers over one plan that has every action, a document diff, unmanaged
//! things and a warning.

use super::*;
use crate::live::{LiveAccount, LivePolicy};
use crate::model::PolicyType;
use crate::plan::{Plan, PlanOptions};
use crate::testing::{FULL_ACCESS_ID, ROOT, blueprint, fresh_org, plan_ok};
use serde_json::json;
use std::collections::BTreeSet;

fn every_kind_of_change() -> Plan {
    let bp = blueprint(
        r#"version: 1
organizational_units:
  Suspended: {policies: [deny-all]}
accounts:
  web: {email: web@example.com, ou: Suspended, name: Web}
policies:
  deny-all:
    description: nothing works
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: ["*"], Resource: "*"}]}
  deny-s3: {document: {Statement: [{Effect: Deny, Action: ["s3:DeleteBucket", "s3:PutBucketPolicy"], Resource: "*"}]}}
"#,
    );
    let mut live = fresh_org();
    live.accounts.insert(
        "222222222222".into(),
        LiveAccount {
            id: "222222222222".into(),
            name: "Web old".into(),
            email: "web@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    live.policies.get_mut(FULL_ACCESS_ID).unwrap().targets.insert("222222222222".into());
    live.policies.insert(
        "p-s3".into(),
        LivePolicy {
            id: "p-s3".into(),
            name: "deny-s3".into(),
            policy_type: PolicyType::ServiceControlPolicy,
            description: String::new(),
            aws_managed: false,
            document: Some(json!({"Statement": [{"Action": "s3:DeleteBucket", "Resource": "*", "Effect": "Deny"}]})),
            targets: BTreeSet::new(),
        },
    );
    live.policies.insert(
        "p-old".into(),
        LivePolicy {
            id: "p-old".into(),
            name: "legacy".into(),
            policy_type: PolicyType::ServiceControlPolicy,
            description: String::new(),
            aws_managed: false,
            document: None,
            targets: BTreeSet::from(["222222222222".to_string()]),
        },
    );
    plan_ok(&bp, &live, &PlanOptions { prune: true, ..Default::default() })
}

#[test]
fn human_plan() {
    insta::assert_snapshot!("human_plan", human(&every_kind_of_change(), Color::Off));
}

#[test]
fn human_plan_in_colour_marks_symbols() {
    let text = human(&every_kind_of_change(), Color::On);
    assert!(text.contains("\x1b[32m+\x1b[0m organizational_unit.Suspended"), "{text}");
    assert!(text.contains("\x1b[31m-\x1b[0m policy_attachment.legacy/account:web"), "{text}");
}

#[test]
fn no_changes() {
    assert_eq!(human(&Plan::default(), Color::Off), "No changes.\n");
}

#[test]
fn json_plan() {
    insta::assert_snapshot!("json_plan", serde_json::to_string_pretty(&json(&every_kind_of_change())).unwrap());
}

#[test]
fn json_plan_has_exactly_the_contract_keys() {
    let value = json(&every_kind_of_change());
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["format_version", "tool_version", "changes", "unmanaged", "summary"]);
    for change in value["changes"].as_array().unwrap() {
        let keys: Vec<&String> = change.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["address", "kind", "action", "before", "after"]);
    }
    assert_eq!(value["summary"], serde_json::json!({"create": 3, "update": 1, "delete": 2, "move": 1}));
}

#[test]
fn markdown_plan() {
    insta::assert_snapshot!("markdown_plan", markdown(&every_kind_of_change(), &Header::default()));
}

#[test]
fn markdown_without_changes() {
    assert_eq!(
        markdown(&Plan::default(), &Header::default()),
        "### lzctl plan: no changes\n\nThe organization matches the blueprint.\n"
    );
}

#[test]
fn names_from_aws_never_reach_the_reader_raw() {
    let bp = blueprint("version: 1\n");
    let mut live = fresh_org();
    live.accounts.insert(
        "333333333333".into(),
        LiveAccount {
            id: "333333333333".into(),
            name: "prod\u{202E}gnp.exe".into(),
            email: "x@example.com\n\u{1b}[31mFAKE".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    for text in [human(&plan, Color::Off), markdown(&plan, &Header::default())] {
        assert!(!text.contains('\u{202E}') && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains("prod\\u{202e}gnp.exe") && text.contains("\\u{1b}[31mFAKE"), "{text}");
    }
}

mod every_kind;

/// A comment longer than GitHub allows is shortened below the limit, keeps the header and the
/// counts, says so, and names where the full plan is.
#[test]
fn a_markdown_comment_too_long_for_github_is_shortened_and_names_the_full_plan() {
    let mut yaml = String::from("version: 1\npolicies:\n");
    for i in 0..400 {
        yaml.push_str(&format!(
            "  p{i}: {{description: \"{}\", document: {{Statement: [{{Effect: Deny, Action: [\"s3:GetObject{i}\", \"ec2:Run{i}\"], Resource: \"*\"}}]}}}}\n",
            "x".repeat(60)
        ));
    }
    let plan = plan_ok(&blueprint(&yaml), &fresh_org(), &PlanOptions::default());
    let header = Header {
        organization_id: Some("o-test".into()),
        identity: Some("arn:aws:sts::111111111111:assumed-role/ci/pipeline".into()),
        time: "2026-11-25T10:00:00Z".into(),
        digest: ("saved plan".into(), "0123abcd".into()),
        artifact: Some("the artifact lzctl-plan".into()),
    };
    let text = markdown(&plan, &header);
    assert!(text.chars().count() <= markdown::COMMENT_LIMIT, "{} characters", text.chars().count());
    assert!(
        text.starts_with("### lzctl plan: 400 to create, 0 to update, 0 to delete, 0 to move\n\nOrganization `o-test`"),
        "{text}"
    );
    assert!(text.contains("| + create | 400 |") && !text.contains("| ~ update"), "only non-zero counts");
    assert!(
        text.contains("**This comment is shortened**") && text.contains("The full plan is in the artifact lzctl-plan.")
    );
    assert!(!text.contains("<details><summary>values"), "values are what is left out");
    // A short plan is shown whole, values folded.
    let small = plan_ok(
        &blueprint(
            "version: 1\npolicies:\n  p: {document: {Statement: [{Effect: Deny, Action: \"s3:*\", Resource: \"*\"}]}}\n",
        ),
        &fresh_org(),
        &PlanOptions::default(),
    );
    let text = markdown(&small, &header);
    assert!(text.contains("<details><summary>values</summary>") && !text.contains("shortened"), "{text}");
    assert!(text.contains("Organization `o-test` · planned by `arn:aws:sts::111111111111:assumed-role/ci/pipeline` · at 2026-11-25T10:00:00Z · saved plan digest `0123abcd`."), "{text}");
}

/// An effective policy that changes: which accounts, and the whole policy as a diff, in every
/// format (JSON only where there is one).
#[test]
fn effective_policies_that_change_show_as_a_diff_per_group_of_accounts() {
    let tag = |values: &[&str]| json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": values}}});
    let mut plan = every_kind_of_change();
    let accounts: Vec<String> = (1..=12).map(|i| format!("app-{i:02}")).collect();
    plan.effective = vec![
        crate::plan::EffectiveChange {
            policy_type: PolicyType::TagPolicy,
            accounts,
            before: Some(tag(&["Development", "Support"])),
            after: Some(tag(&["Development", "Support", "Marketing"])),
        },
        crate::plan::EffectiveChange {
            policy_type: PolicyType::BackupPolicy,
            accounts: vec!["web".into()],
            before: None,
            after: Some(json!({"plans": {"nightly": {"regions": ["us-east-1"]}}})),
        },
    ];
    let human = human(&plan, Color::Off);
    let section = &human[human.find("Effective policies").expect("a section")..];
    insta::assert_snapshot!(&section[..section.find("\n\nThis plan deletes").expect("the next section")]);
    let markdown = markdown(&plan, &Header::default());
    assert!(markdown.contains("#### Effective policies that change\n\n- TAG_POLICY of app-01,"), "{markdown}");
    assert!(
        markdown.lines().any(|l| l.trim_start().starts_with('+') && l.trim_end().ends_with("\"Marketing\"")),
        "{markdown}"
    );
    let json = json(&plan);
    assert_eq!(json["effective_policies"][1]["policy_type"], "BACKUP_POLICY");
    assert_eq!(json["effective_policies"][1]["before"], serde_json::Value::Null);
    assert!(super::json(&every_kind_of_change()).get("effective_policies").is_none(), "only when there is one");
}
