//! Replays through a blueprint: the account's path decides, the management account and
//! accounts that cannot be placed are skipped, and the report has the contract's shape.

use super::*;
use crate::testing::blueprint;
use serde_json::json;

/// A record written as JSON, read as count mode reads it (it lives as long as the test).
fn parsed(value: &Value) -> Record<'static> {
    Record::parse(Box::leak(value.to_string().into_boxed_str()))
}

const BLUEPRINT: &str = r#"version: 1
organization: {root_policies: [deny-leave]}
organizational_units:
  Workloads:
    policies: [eu-only]
    children: {Prod: {}}
  Sandbox: {full_aws_access: false, policies: [s3-only]}
accounts:
  prod: {id: "111122223333", email: prod@example.com, ou: Workloads/Prod}
  play: {id: "444455556666", email: play@example.com, ou: Sandbox}
  other: {email: other@example.com, ou: Workloads}
policies:
  deny-leave: {document: {Statement: [{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]}}
  eu-only:
    document:
      Statement:
        - Sid: DenyOutsideEU
          Effect: Deny
          NotAction: ["iam:*", "sts:*"]
          Resource: "*"
          Condition: {StringNotEquals: {"aws:RequestedRegion": [eu-west-1, eu-central-1]}}
  s3-only: {document: {Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}}
"#;

fn record(account: &str, source: &str, name: &str, region: &str) -> Value {
    json!({
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA1", "arn": format!("arn:aws:iam::{account}:user/ann"), "accountId": account, "userName": "ann"},
        "eventTime": "2024-05-01T10:00:00Z", "eventSource": format!("{source}.amazonaws.com"), "eventName": name,
        "awsRegion": region, "eventID": format!("{account}-{name}-{region}"), "eventType": "AwsApiCall"
    })
}

#[test]
fn each_account_is_judged_on_its_own_path() {
    let bp = blueprint(BLUEPRINT);
    let compiled = Compiled::from_blueprint(&bp).expect("compiles");
    let accounts = Accounts::new(&bp, &compiled, None, Some("999999999999".into()));
    let mut report = Report::new(report::Keep::Results);
    for r in [
        record("111122223333", "ec2", "RunInstances", "eu-west-1"),
        record("111122223333", "ec2", "RunInstances", "us-east-1"),
        record("111122223333", "iam", "CreateRole", "us-east-1"),
        record("444455556666", "s3", "GetObject", "us-east-1"),
        record("444455556666", "ec2", "RunInstances", "eu-west-1"),
        record("999999999999", "ec2", "RunInstances", "us-east-1"),
        record("777777777777", "ec2", "RunInstances", "us-east-1"),
        json!({"eventName": "broken"}),
    ] {
        replay(&bp, &accounts, &Filter::default(), &parsed(&r), &mut report);
    }
    let json = report.json("blueprint");
    assert_eq!(
        json["summary"],
        json!({"allowed": 3, "denied": 2, "inconclusive": 0, "skipped": {"management_account": 1, "service_linked_role": 0,
            "aws_service": 0, "unplaced_account": 1, "not_api_call": 0, "malformed": 1}})
    );
    assert_eq!(json["events_read"], 8);
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "only denied and inconclusive without --all");
    assert_eq!(results[0]["account"], "prod");
    assert_eq!(results[0]["ou_path"], "Workloads/Prod");
    assert_eq!(
        results[0]["reasons"],
        json!([{"policy": "eu-only", "attached_to": "Workloads", "statement": "DenyOutsideEU", "effect": "Deny"}])
    );
    assert_eq!(results[1]["account"], "play");
    assert_eq!(results[1]["reasons"], json!([{"attached_to": "Sandbox", "no_allow": true}]));
    assert!(report.denied_or_inconclusive());
    let human = report.human();
    assert!(
        human.contains("prod\n  arn:aws:iam::111122223333:user/ann\n    denied       ec2:RunInstances  ×1"),
        "{human}"
    );
    assert!(human.ends_with("8 events: 3 allowed, 2 denied, 0 inconclusive, 3 skipped.\n"), "{human}");
}

#[test]
fn with_all_every_event_is_listed_and_the_live_organization_places_the_rest() {
    let bp = blueprint(BLUEPRINT);
    let compiled = Compiled::from_blueprint(&bp).expect("compiles");
    let mut live = crate::testing::fresh_org();
    live.ous.insert(
        "ou-w".into(),
        crate::live::LiveOu {
            id: "ou-w".into(),
            name: "Workloads".into(),
            parent_id: crate::testing::ROOT.into(),
            tags: None,
        },
    );
    for (id, email, parent) in
        [("222233334444", "other@example.com", "ou-w"), ("555566667777", "x@example.com", "ou-w")]
    {
        live.accounts.insert(
            id.into(),
            crate::live::LiveAccount {
                id: id.into(),
                name: id.into(),
                email: email.into(),
                status: "ACTIVE".into(),
                parent_id: parent.into(),
                tags: None,
            },
        );
    }
    let accounts = Accounts::new(&bp, &compiled, Some(&live), None);
    let mut report = Report::new(report::Keep::All);
    for r in [
        record("222233334444", "ec2", "RunInstances", "us-east-1"),
        record("555566667777", "ec2", "RunInstances", "us-east-1"),
        record(crate::testing::MANAGEMENT, "ec2", "RunInstances", "us-east-1"),
    ] {
        replay(&bp, &accounts, &Filter::default(), &parsed(&r), &mut report);
    }
    let json = report.json("blueprint");
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!((results[0]["account"].as_str(), results[0]["decision"].as_str()), (Some("other"), Some("denied")));
    assert_eq!(
        (results[1]["account"].as_str(), results[1]["ou_path"].as_str(), results[1]["decision"].as_str()),
        (Some("555566667777"), Some("Workloads"), Some("denied")),
        "an account the blueprint does not name is judged where it is"
    );
    assert_eq!(
        results[2],
        json!({"event_id": "111111111111-RunInstances-us-east-1", "decision": "skipped", "skip_reason": "management_account"})
    );
}

#[test]
fn the_organization_id_is_known_only_where_the_organization_was_read() {
    let yaml = r#"version: 1
organizational_units:
  Workloads: {policies: [org-only]}
accounts:
  prod: {id: "111122223333", email: prod@example.com, ou: Workloads}
policies:
  org-only:
    document:
      Statement: [{Effect: Deny, Action: "*", Resource: "*", Condition: {StringNotEquals: {"aws:PrincipalOrgID": o-test}}}]
"#;
    let bp = blueprint(yaml);
    let compiled = Compiled::from_blueprint(&bp).expect("compiles");
    let decision = |live: Option<&crate::live::LiveState>| {
        let accounts = Accounts::new(&bp, &compiled, live, Some("999999999999".into()));
        let mut report = Report::new(report::Keep::All);
        replay(
            &bp,
            &accounts,
            &Filter::default(),
            &parsed(&record("111122223333", "ec2", "RunInstances", "eu-west-1")),
            &mut report,
        );
        report.json("blueprint")["results"][0]["decision"].as_str().unwrap().to_string()
    };
    assert_eq!(decision(None), "inconclusive", "offline, the organization's id is unknown");
    let live = crate::testing::fresh_org();
    assert_eq!(decision(Some(&live)), "allowed", "read, it is the caller's organization");
}

/// The human and Markdown reports keep groups, not events: memory stays flat however many
/// events are read, and the groups still count every one.
#[test]
fn a_report_for_people_keeps_no_event_results() {
    let bp = blueprint(BLUEPRINT);
    let compiled = Compiled::from_blueprint(&bp).expect("compiles");
    let accounts = Accounts::new(&bp, &compiled, None, None);
    let mut report = Report::new(report::Keep::Groups);
    for i in 0..1000 {
        let mut r = record("111122223333", "ec2", "RunInstances", "us-east-1");
        r["eventID"] = json!(format!("e{i}"));
        replay(&bp, &accounts, &Filter::default(), &parsed(&r), &mut report);
    }
    assert_eq!(report.json("blueprint")["results"], json!([]));
    assert!(report.human().contains("denied       ec2:RunInstances  ×1000"), "{}", report.human());
}

/// RCPs are those of the account that owns the resource: the caller's own unless the record
/// (the resource's `accountId`, or the account in its ARN) names another; none for the
/// management account's resources or those of an account outside the organization.
#[test]
fn rcps_are_judged_on_the_resource_owners_path() {
    let yaml = r#"version: 1
organizational_units:
  Data: {policies: [no-outside-reads]}
  Apps: {}
accounts:
  data: {id: "111111111111", email: data@example.com, ou: Data}
  app: {id: "222222222222", email: app@example.com, ou: Apps}
policies:
  no-outside-reads:
    type: RESOURCE_CONTROL_POLICY
    document:
      Statement: [{Sid: DataStaysHome, Effect: Deny, Action: ["s3:GetObject", "kms:Decrypt"], Resource: "*"}]
"#;
    let bp = blueprint(yaml);
    let compiled = Compiled::from_blueprint(&bp).expect("compiles");
    let accounts = Accounts::new(&bp, &compiled, None, Some("999999999999".into()));
    let decision = |caller: &str, source: &str, name: &str, resource: Value| {
        let mut r = record(caller, source, name, "eu-west-1");
        r["resources"] = resource;
        let mut report = Report::new(report::Keep::All);
        replay(&bp, &accounts, &Filter::default(), &parsed(&r), &mut report);
        let json = report.json("blueprint");
        let result = &json["results"][0];
        (result["decision"].as_str().unwrap().to_string(), result["reasons"][0]["attached_to"].clone())
    };
    let object = |account: Option<&str>| {
        let mut resource = json!({"ARN": "arn:aws:s3:::data-bucket/k", "type": "AWS::S3::Object"});
        if let Some(account) = account {
            resource["accountId"] = json!(account);
        }
        json!([resource])
    };
    let denied_in_data = ("denied".to_string(), json!("Data"));
    assert_eq!(decision("222222222222", "s3", "GetObject", object(Some("111111111111"))), denied_in_data);
    assert_eq!(decision("222222222222", "s3", "GetObject", object(None)).0, "allowed", "the caller's own");
    assert_eq!(decision("111111111111", "s3", "GetObject", object(None)), denied_in_data);
    let key = |account: &str| json!([{"ARN": format!("arn:aws:kms:eu-west-1:{account}:key/1")}]);
    assert_eq!(decision("222222222222", "kms", "Decrypt", key("111111111111")), denied_in_data, "the ARN's account");
    assert_eq!(decision("111111111111", "kms", "Decrypt", key("999999999999")).0, "allowed", "management");
    assert_eq!(decision("111111111111", "kms", "Decrypt", key("333333333333")).0, "allowed", "outside");
}
