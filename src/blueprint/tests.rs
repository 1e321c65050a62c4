//! Blueprint loading from tables: text in, validated blueprint or the exact problems out.

mod robustness;

use super::*;
use crate::testing::Files;

const ALLOW_ALL: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
const DENY_S3: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#;

fn files(extra: &[(&str, &str)]) -> Files {
    let extra: Vec<(String, &str)> = extra.iter().map(|(path, text)| (format!("bp/{path}"), *text)).collect();
    Files::of(
        [("bp/policies/deny-s3.json", DENY_S3), ("bp/policies/allow-all.json", ALLOW_ALL)]
            .into_iter()
            .chain(extra.iter().map(|(path, text)| (path.as_str(), *text))),
    )
}

fn load_with(yaml: &str, extra: &[(&str, &str)]) -> Result<Blueprint, BlueprintErrors> {
    parse(Path::new("bp/lz.yaml"), yaml, &files(extra))
}

/// The `place: message` of every issue, in order.
fn problems(yaml: &str) -> Vec<String> {
    problems_with(yaml, &[])
}

fn problems_with(yaml: &str, extra: &[(&str, &str)]) -> Vec<String> {
    match load_with(yaml, extra) {
        Ok(_) => vec![],
        Err(errors) => errors.issues.iter().map(std::string::ToString::to_string).collect(),
    }
}

/// A template CloudFormation would take, declaring what the contract's stack set gives.
const CONFIG_TEMPLATE: &str = "Parameters:\n  DeliveryBucketName: {Type: String}\n  Retention: {Type: Number, Default: 30}\nResources:\n  Topic: {Type: AWS::SNS::Topic}\n";
const TOPIC: &str = "Resources:\n  Topic: {Type: AWS::SNS::Topic}\n";

const SIGNER: &str = concat!("alice@example.com ", include_str!("../../tests/fixtures/keys/alice.pub"));

const GOOD: &str = r#"version: 1
organization:
  policy_types: [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]
  trusted_services: [sso.amazonaws.com, config-multiaccountsetup.amazonaws.com]
  delegated_administrators:
    config-multiaccountsetup.amazonaws.com: security
  root_policies: [deny-s3]
organizational_units:
  Foundational:
    policies: [deny-s3]
    tags: {owner: platform}
    children:
      Workloads:
        children:
          Production: {policies: [inline-deny]}
          SDLC: {}
  Suspended:
    full_aws_access: false
    policies: [allow-all]
  Maintenance:
accounts:
  security: {email: aws+security@example.com, ou: Foundational}
  prod-web:
    email: aws+prod-web@example.com
    ou: Foundational/Workloads/Production
    name: "Prod Web"
    policies: [rcp]
    tags: {cost-center: 1234}
policies:
  deny-s3: {file: policies/deny-s3.json, description: no S3}
  allow-all: {file: policies/allow-all.json}
  inline-deny:
    document:
      Version: "2012-10-17"
      Statement: [{Effect: Deny, Action: "*", Resource: "*"}]
  rcp:
    type: RESOURCE_CONTROL_POLICY
    file: policies/deny-s3.json
"#;

#[test]
fn a_good_blueprint_loads_into_plain_values() {
    let bp = load_with(GOOD, &[]).expect("valid");
    let paths: Vec<&str> = bp.ous.keys().map(crate::model::OuPath::as_str).collect();
    assert_eq!(
        paths,
        [
            "Foundational",
            "Foundational/Workloads",
            "Foundational/Workloads/Production",
            "Foundational/Workloads/SDLC",
            "Maintenance",
            "Suspended"
        ]
    );
    assert_eq!(bp.ous["Foundational/Workloads/Production"].parent, "Foundational/Workloads");
    assert_eq!(
        bp.ous["Suspended"].attachments,
        Attachments { policies: vec!["allow-all".into()], full_aws_access: false }
    );
    assert_eq!(bp.ous["Maintenance"].attachments, Attachments { policies: vec![], full_aws_access: true });
    assert_eq!(bp.ous["Maintenance"].tags, None);
    let web = &bp.accounts["prod-web"];
    assert_eq!((web.name.as_str(), web.ou.as_str()), ("Prod Web", "Foundational/Workloads/Production"));
    assert_eq!(web.tags.as_ref().unwrap()["cost-center"], "1234", "a number tag value is read as text");
    assert_eq!(bp.accounts["security"].name, "security", "name defaults to the key");
    assert_eq!(bp.policies["rcp"].policy_type, PolicyType::ResourceControlPolicy);
    assert_eq!(bp.policies["deny-s3"].description, "no S3");
    assert_eq!(bp.organization.root_policies, Some(vec!["deny-s3".to_string()]));
    assert_eq!(bp.organization.delegated_administrators["config-multiaccountsetup.amazonaws.com"], "security");
    let files: Vec<String> = bp.files().into_iter().map(|(name, _)| name).collect();
    assert_eq!(files, ["lz.yaml", "policies/deny-s3.json", "policies/allow-all.json", "policies/deny-s3.json"]);
    assert_eq!(bp.files()[1].1, DENY_S3.as_bytes(), "the digest covers the text validation read");
}

#[test]
fn yaml_syntax_errors_point_at_their_line() {
    let p = problems("version: 1\norganizational_units:\n  A: {policies: [x\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("bp/lz.yaml:"), "{p:?}");
}

#[test]
fn unknown_keys_are_rejected_with_their_place() {
    let p = problems("version: 1\norganizational_units:\n  A:\n    polices: [x]\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:4:"), "{p:?}");
    assert!(p[0].contains("polices"), "{p:?}");
}

#[test]
fn wrong_types_are_rejected_with_their_place() {
    let p = problems("version: 1\naccounts:\n  a:\n    email: [not, a, string]\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:4:"), "{p:?}");
}

#[test]
fn duplicate_keys_are_rejected() {
    let p = problems("version: 1\npolicies:\n  a: {file: policies/deny-s3.json}\n  a: {file: policies/deny-s3.json}\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:4:"), "{p:?}");
}

#[test]
fn every_reference_problem_is_reported_at_once() {
    let yaml = r#"version: 1
organization:
  root_policies: [nope]
  delegated_administrators: {config.amazonaws.com: ghost}
organizational_units:
  Foundational:
    policies: [deny-s33]
accounts:
  a: {email: a@example.com, ou: Foundational/Workload}
  b: {email: a@example.com, ou: Foundational, name: a}
policies:
  deny-s3: {file: policies/deny-s3.json}
"#;
    assert_eq!(
        problems(yaml),
        [
            r#"bp/lz.yaml:9:33: account a: unknown OU path "Foundational/Workload""#,
            "bp/lz.yaml:10:14: account b: email a@example.com is also used by account a",
            r#"bp/lz.yaml:10:53: account b: name "a" is also used by account a"#,
            r#"bp/lz.yaml:4:52: delegated administrator for config.amazonaws.com: unknown account "ghost""#,
            r#"bp/lz.yaml:3:19: the root: unknown policy "nope""#,
            r#"bp/lz.yaml:7:16: OU Foundational: unknown policy "deny-s33""#,
        ]
    );
}

#[test]
fn typos_get_a_suggestion() {
    let errors = load_with("version: 1\norganizational_units:\n  Foundational: {policies: [deny-s33]}\npolicies:\n  deny-s3: {file: policies/deny-s3.json}\n", &[]).unwrap_err();
    assert_eq!(errors.issues[0].help.as_deref(), Some("did you mean \"deny-s3\"?"));
}

#[test]
fn policy_files_are_checked() {
    let yaml = r#"version: 1
policies:
  missing: {file: policies/missing.json}
  not-json: {file: policies/broken.json}
  no-statement: {file: policies/empty.json}
  bad-effect: {document: {Statement: [{Effect: Maybe, Action: "*", Resource: "*"}]}}
  both: {file: policies/deny-s3.json, document: {Statement: []}}
  neither: {description: nothing}
"#;
    let p = problems_with(
        yaml,
        &[("policies/broken.json", "{\"Statement\": [\n"), ("policies/empty.json", "{\"Version\": \"2012-10-17\"}")],
    );
    assert_eq!(p.len(), 6, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:3:19: cannot read bp/policies/missing.json"), "{p:?}");
    assert!(p[1].starts_with("bp/lz.yaml:4:20: bp/policies/broken.json is not valid JSON"), "{p:?}");
    assert!(p[1].contains("(at bp/policies/broken.json:2:"), "{p:?}");
    assert_eq!(p[2], "bp/lz.yaml:5:24: policy no-statement: the document has no Statement");
    assert_eq!(p[3], "bp/lz.yaml:6:26: policy bad-effect: statement 1 has Effect \"Maybe\"; it must be Allow or Deny");
    assert!(p[4].contains("policy both has both `file` and `document`"), "{p:?}");
    assert!(p[5].contains("policy neither needs `file` or `document`"), "{p:?}");
}

#[test]
fn ou_depth_over_five_is_refused() {
    let yaml = "version: 1\norganizational_units:\n  A: {children: {B: {children: {C: {children: {D: {children: {E: {children: {F: {}}}}}}}}}}}\n";
    let p = problems(yaml);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("OU A/B/C/D/E/F is 6 levels below the root; AWS allows 5"), "{p:?}");
}

#[test]
fn quotas_apply_and_can_be_raised() {
    let big = format!(
        r#"{{"Statement": [{{"Effect": "Deny", "Action": [{}], "Resource": "*"}}]}}"#,
        (0..400).map(|i| format!("\"svc{i}:Action\"")).collect::<Vec<_>>().join(",")
    );
    let yaml = "version: 1\norganizational_units:\n  A: {policies: [p1, p2, p3, p4, big]}\npolicies:\n  p1: {file: policies/deny-s3.json}\n  p2: {file: policies/deny-s3.json}\n  p3: {file: policies/deny-s3.json}\n  p4: {file: policies/deny-s3.json}\n  big: {file: policies/big.json}\n";
    let p = problems_with(yaml, &[("policies/big.json", &big)]);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:9:3: policy big is 6"), "{p:?}");
    assert!(p[0].contains("over the SERVICE_CONTROL_POLICY quota of 5120"), "{p:?}");
    assert!(
        p[1].contains(
            "OU A would have 6 SERVICE_CONTROL_POLICY attached (FullAWSAccess included), over the quota of 5"
        ),
        "{p:?}"
    );

    let raised = format!("{yaml}quotas: {{policy_size: 10240, policies_per_target: 10}}\n");
    assert_eq!(problems_with(&raised, &[("policies/big.json", &big)]), Vec::<String>::new());
}

#[test]
fn turning_off_full_aws_access_without_an_allow_is_a_lockout() {
    let yaml = "version: 1\norganizational_units:\n  A: {full_aws_access: false, policies: [deny-s3]}\n  B: {full_aws_access: false, policies: [allow-all]}\npolicies:\n  deny-s3: {file: policies/deny-s3.json}\n  allow-all: {file: policies/allow-all.json}\n";
    let p = problems(yaml);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:3:24: OU A would deny everything"), "{p:?}");
}

#[test]
fn policy_types_must_be_enabled_for_the_policies_used() {
    let yaml = "version: 1\norganization: {policy_types: [SERVICE_CONTROL_POLICY]}\norganizational_units:\n  A: {policies: [rcp]}\npolicies:\n  rcp: {type: RESOURCE_CONTROL_POLICY, file: policies/deny-s3.json}\n";
    let p = problems(yaml);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("which `organization.policy_types` does not enable"), "{p:?}");
}

#[test]
fn the_whole_contract_parses_including_later_sections() {
    let yaml = r#"version: 1
organizational_units:
  Foundational: {children: {Workloads: {}}}
accounts:
  security: {email: aws+security@example.com, ou: Foundational}
identity_center:
  permission_sets:
    AdministratorAccess:
      description: Full access
      session_duration: PT1H
      managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    Developer:
      session_duration: PT8H
      relay_state: https://console.aws.amazon.com/
      managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]
      customer_managed_policies: [{name: lz-developer-extra, path: /}]
      inline_policy: {file: policies/deny-s3.json}
      permissions_boundary: {managed_policy_arn: arn:aws:iam::aws:policy/PowerUserAccess}
      tags: {owner: platform}
  assignments:
    - group: Platform-Admins
      permission_set: AdministratorAccess
      accounts: [security]
    - user: alice
      permission_set: Developer
      ous: [Foundational/Workloads]
stack_sets:
  config-recorder:
    template: templates/config.yaml
    capabilities: [CAPABILITY_NAMED_IAM]
    parameters: {DeliveryBucketName: lz-config-logs, Retention: 30}
    targets: {ous: [Foundational]}
    regions: [ap-northeast-1, us-east-1]
    auto_deployment: {enabled: true, retain_stacks_on_account_removal: false}
    operation_preferences: {max_concurrent_percentage: 25, failure_tolerance_percentage: 0, region_concurrency: PARALLEL}
approvals:
  required: 1
  allowed_signers: approvers/allowed_signers
"#;
    let bp = load_with(yaml, &[("templates/config.yaml", CONFIG_TEMPLATE), ("approvers/allowed_signers", SIGNER)])
        .expect("valid");
    let ic = bp.identity_center.as_ref().expect("identity center");
    assert_eq!(ic.permission_sets["Developer"].relay_state.as_deref(), Some("https://console.aws.amazon.com/"));
    assert_eq!(ic.assignments[1].principal, Principal::User("alice".into()));
    assert!(ic.assignments[0].place.starts_with("bp/lz.yaml:21:7"), "{}", ic.assignments[0].place);
    assert_eq!(bp.stack_sets["config-recorder"].parameters["Retention"], "30");
    assert_eq!(bp.stack_sets["config-recorder"].permission_model, "SERVICE_MANAGED");
    let approvals = bp.approvals.as_ref().expect("approvals");
    assert_eq!(approvals.required, 1);
    assert_eq!(approvals.signers[0].principals, ["alice@example.com"], "signers are parsed once, by validation");
    let files: Vec<String> = bp.files().into_iter().map(|(name, _)| name).collect();
    assert_eq!(files, ["lz.yaml", "policies/deny-s3.json", "templates/config.yaml", "approvers/allowed_signers"]);
}

#[test]
fn identity_center_and_stack_set_mistakes_are_all_reported() {
    let yaml = r#"version: 1
organizational_units: {Somewhere: {}}
identity_center:
  permission_sets:
    "Bad Name!":
      session_duration: PT13H
  assignments:
    - group: Admins
      user: alice
      permission_set: Bad Name!
      accounts: [x]
    - group: Devs
      permission_set: Nope
      ous: [Nowhere]
stack_sets:
  s:
    template: templates/none.yaml
    permission_model: WHATEVER
    targets: {ous: [Nowhere]}
    regions: [moon-1]
"#;
    let p = problems(yaml);
    let expected = [
        "permission set Bad Name!: the name must be",
        "session_duration \"PT13H\" must be an ISO-8601 duration from PT1H to PT12H",
        "an assignment names exactly one of `group` or `user`",
        "unknown permission set \"Nope\"",
        "assignment: unknown OU path \"Nowhere\"",
        "cannot read bp/templates/none.yaml",
        "permission_model must be SERVICE_MANAGED or SELF_MANAGED",
        "stack set s: unknown OU path \"Nowhere\"",
        "\"moon-1\" is not an AWS region name",
    ];
    assert_eq!(p.len(), expected.len(), "{p:#?}");
    for (got, want) in p.iter().zip(expected) {
        assert!(got.contains(want), "{got:?} should contain {want:?}");
    }
}

#[test]
fn the_shipped_landing_zone_is_valid() {
    let bp = load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/blueprints/landing-zone.yaml")))
        .expect("the default blueprint is valid");
    for path in [
        "Foundational/Workloads/Production",
        "Foundational/Workloads/SDLC",
        "Foundational/Infra",
        "Foundational/PolicyStaging",
        "Maintenance",
        "Suspended",
    ] {
        assert!(bp.ous.contains_key(path), "{path} missing");
    }
    assert_eq!(bp.accounts["security"].ou, "Foundational/Infra");
    assert_eq!(bp.accounts["log-archive"].ou, "Foundational/Infra");
}

#[test]
fn every_example_is_valid() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"));
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("examples/") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            load(&path).unwrap_or_else(|e| panic!("{} is invalid: {e:?}", path.display()));
            checked += 1;
        }
    }
    assert!(checked >= 2, "examples were found: {checked}");
}

#[test]
fn trusted_access_prerequisites_are_checked_where_trusted_access_is_managed() {
    let yaml = "version: 1\norganization:\n  trusted_services: [sso.amazonaws.com]\n  delegated_administrators: {config-multiaccountsetup.amazonaws.com: a}\naccounts:\n  a: {email: a@example.com}\norganizational_units:\n  A: {}\nstack_sets:\n  s: {template: t.yaml, targets: {ous: [A]}, regions: [us-east-1]}\n";
    let p = problems_with(yaml, &[("t.yaml", TOPIC)]);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:4:30: config-multiaccountsetup.amazonaws.com has no trusted access"), "{p:?}");
    assert!(
        p[1].starts_with("bp/lz.yaml:10:3: stack set s: a service-managed stack set needs trusted access"),
        "{p:?}"
    );
    // Not managing trusted access: not lzctl's to judge.
    let unmanaged = yaml.replace("  trusted_services: [sso.amazonaws.com]\n", "");
    assert_eq!(problems_with(&unmanaged, &[("t.yaml", TOPIC)]), Vec::<String>::new());
}

#[test]
fn centralized_root_access_needs_trusted_access_for_iam_in_the_blueprint() {
    let yaml = "version: 1\norganization:\n  trusted_services: [sso.amazonaws.com]\n  root_access: {credentials_management: true, root_sessions: false}\n";
    let p = problems_with(yaml, &[]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("bp/lz.yaml:4:16: centralized root access needs trusted access for iam.amazonaws.com"),
        "{p:?}"
    );
    let trusted = yaml.replace("[sso.amazonaws.com]", "[sso.amazonaws.com, iam.amazonaws.com]");
    let bp = load_with(&trusted, &[]).expect("valid");
    assert_eq!(
        bp.organization.root_access,
        BTreeMap::from([(RootFeature::CredentialsManagement, true), (RootFeature::RootSessions, false)])
    );
    // Switching everything off needs no trusted access.
    let off = yaml.replace("true", "false");
    assert_eq!(problems_with(&off, &[]), Vec::<String>::new());
    // Not managing trusted access: lzctl cannot promise it, so it asks for the list.
    let unmanaged = yaml.replace("  trusted_services: [sso.amazonaws.com]\n", "");
    assert_eq!(problems_with(&unmanaged.replace("true", "false"), &[]), Vec::<String>::new());
    let p = problems_with(&unmanaged, &[]);
    assert!(p[0].contains("this blueprint does not manage trusted access"), "{p:?}");
    let typo = trusted.replace("root_sessions", "root_session");
    assert!(problems_with(&typo, &[])[0].contains("unknown field `root_session`"), "unknown keys are refused");
}

#[test]
fn a_bad_allowed_signers_file_is_a_blueprint_error() {
    let yaml = "version: 1\napprovals: {required: 1, allowed_signers: approvers/allowed_signers}\n";
    let p = problems_with(yaml, &[("approvers/allowed_signers", "alice@example.com ssh-ed25519 nope\n")]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("bp/lz.yaml:2:43: bp/approvers/allowed_signers:1: not an allowed_signers line"), "{p:?}");
    let empty = problems_with(yaml, &[("approvers/allowed_signers", "# nobody yet\n")]);
    assert!(empty[0].ends_with("names no signer"), "{empty:?}");
}

/// One blueprint per class of problem: each is reported with its own diagnostic code, and
/// together they cover every code there is.
#[test]
fn every_class_of_problem_has_its_own_code() {
    let ps = "identity_center:\n  permission_sets: {Admin: {}}\n";
    type Case = (&'static str, String, &'static [(&'static str, &'static str)]);
    let cases: Vec<Case> = vec![
        ("yaml", "version: 1\nbogus: 1\n".into(), &[]),
        ("unsupported_version", "version: 2\n".into(), &[]),
        ("unreadable_file", "version: 1\npolicies:\n  p: {file: policies/missing.json}\n".into(), &[]),
        ("unsafe_path", "version: 1\npolicies:\n  p: {file: /proc/self/environ}\n".into(), &[]),
        ("unsafe_path", "version: 1\npolicies:\n  p: {file: ../outside.json}\n".into(), &[]),
        (
            "file_too_large",
            "version: 1\npolicies:\n  p: {file: policies/huge.json}\n".into(),
            Box::leak(Box::new([("policies/huge.json", &*"x".repeat(200_000).leak())])),
        ),
        ("unprintable", "version: 1\naccounts:\n  a: {email: a@example.com, name: \"\\u202Eevil\"}\n".into(), &[]),
        ("unprintable", "version: 1\norganizational_units:\n  A: {tags: {\"k\\u0000\": v}}\n".into(), &[]),
        ("invalid_json", "version: 1\npolicies:\n  p: {file: policies/broken.json}\n".into(), &[("policies/broken.json", "{")]),
        ("policy_document", "version: 1\npolicies:\n  p: {document: {Statement: []}}\n".into(), &[]),
        (
            "policy_document",
            "version: 1\npolicies:\n  p: {document: {Statement: [{Effect: Deny, Action: 5, Resource: \"*\"}]}}\n".into(),
            &[],
        ),
        (
            "one_of",
            "version: 1\npolicies:\n  p: {file: policies/deny-s3.json, document: {Statement: []}}\n".into(),
            &[],
        ),
        ("missing_value", format!("version: 1\n{ps}  assignments:\n    - {{group: G, permission_set: Admin}}\n"), &[]),
        ("invalid_value", "version: 1\naccounts:\n  a: {email: not-an-email}\n".into(), &[]),
        (
            "invalid_value",
            "version: 1\nstack_sets:\n  s: {template: t.yaml, permission_model: SELF_MANAGED, targets: {ous: [Root]}, regions: [us-east-1], operation_preferences: {max_concurrent_percentage: 150}}\n".into(),
            &[("t.yaml", TOPIC)],
        ),
        ("bad_name", "version: 1\norganizational_units:\n  \"  \": {}\n".into(), &[]),
        (
            "duplicate",
            "version: 1\naccounts:\n  a: {email: same@example.com}\n  b: {email: same@example.com}\n".into(),
            &[],
        ),
        (
            "unknown_ou",
            "version: 1\norganizational_units: {A: {}}\naccounts:\n  a: {email: a@example.com, ou: Nowhere}\n".into(),
            &[],
        ),
        (
            "unknown_account",
            "version: 1\norganization:\n  delegated_administrators: {config.amazonaws.com: ghost}\n".into(),
            &[],
        ),
        ("unknown_policy", "version: 1\norganizational_units:\n  A: {policies: [ghost]}\n".into(), &[]),
        ("unknown_policy_type", "version: 1\npolicies:\n  p: {type: FOO, file: policies/deny-s3.json}\n".into(), &[]),
        (
            "unknown_permission_set",
            format!("version: 1\n{ps}  assignments:\n    - {{group: G, permission_set: Ghost, accounts: []}}\n"),
            &[],
        ),
        ("quota", format!("version: 1\npolicies:\n  p: {{file: policies/deny-s3.json, description: {}}}\n", "x".repeat(600)), &[]),
        ("implicit_full_aws_access", "version: 1\norganizational_units:\n  A: {policies: [FullAWSAccess]}\n".into(), &[]),
        (
            "type_not_enabled",
            "version: 1\norganization: {policy_types: [SERVICE_CONTROL_POLICY]}\npolicies:\n  r: {type: RESOURCE_CONTROL_POLICY, file: policies/deny-s3.json}\norganizational_units:\n  A: {policies: [r]}\n".into(),
            &[],
        ),
        ("lockout", "version: 1\norganizational_units:\n  A: {full_aws_access: false}\n".into(), &[]),
        (
            "trusted_access",
            "version: 1\norganization:\n  trusted_services: [sso.amazonaws.com]\n  delegated_administrators: {config.amazonaws.com: a}\naccounts:\n  a: {email: a@example.com}\n".into(),
            &[],
        ),
        ("lifecycle", "version: 1\naccounts:\n  a: {email: a@example.com, lifecycle: suspended}\n".into(), &[]),
        (
            "template",
            "version: 1\nstack_sets:\n  s: {template: t.yaml, permission_model: SELF_MANAGED, targets: {ous: [Root]}, regions: [us-east-1], parameters: {Bogus: x}}\n".into(),
            &[("t.yaml", TOPIC)],
        ),
        (
            "allowed_signers",
            "version: 1\napprovals: {required: 1, allowed_signers: signers}\n".into(),
            &[("signers", "alice@example.com ssh-ed25519 notbase64\n")],
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (code, yaml, extra) in &cases {
        let errors = load_with(yaml, extra).err().unwrap_or_else(|| panic!("{code}: the blueprint loaded"));
        let codes: Vec<&str> = errors.issues.iter().map(|i| i.code.name()).collect();
        assert!(
            codes.contains(code),
            "{code}: got {codes:?} for {:?}",
            errors.issues.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        let shown = miette::Diagnostic::code(&errors.issues[codes.iter().position(|c| c == code).unwrap()])
            .unwrap()
            .to_string();
        assert_eq!(shown, format!("lzctl::blueprint::{code}"));
        seen.insert(*code);
    }
    let all: std::collections::BTreeSet<&str> = Code::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(seen, all, "a class of problem without a row here, or a row without a code");
}

#[test]
fn the_readme_lists_every_diagnostic_code() {
    let readme = include_str!("../../README.md");
    for code in Code::ALL {
        assert!(readme.contains(&format!("`{code}`")), "README.md does not list {code}");
    }
}

/// Any OU name AWS allows is a key of the tree, and its path escapes `/` and `\\`: such OUs
/// are referred to, nested and told apart from their look-alikes.
#[test]
fn ou_names_with_slashes_quotes_and_spaces_are_addressed_by_escaped_paths() {
    let yaml = r##"version: 1
organizational_units:
  "Team/A":
    children:
      " spaced ": {}
      "back\\slash": {}
  Team:
    children:
      A: {}
  Root: {}
  "#hash 'quote' \"dq\" é": {}
accounts:
  a: {email: a@example.com, ou: "Team\\/A/ spaced "}
  b: {email: b@example.com, ou: Team/A}
  c: {email: c@example.com, ou: "Team\\/A/back\\\\slash"}
  d: {email: d@example.com, ou: "\\Root"}
  e: {email: e@example.com, ou: "#hash 'quote' \"dq\" é"}
"##;
    let bp = load_with(yaml, &[]).expect("loads");
    let ou = |key: &str| bp.accounts[key].ou.names();
    assert_eq!(ou("a"), ["Team/A", " spaced "]);
    assert_eq!(ou("b"), ["Team", "A"]);
    assert_eq!(ou("c"), ["Team/A", "back\\slash"]);
    assert_eq!(ou("d"), ["Root"]);
    assert_eq!(ou("e"), ["#hash 'quote' \"dq\" é"]);
    assert_eq!(bp.ous.len(), 7);
}

/// `renamed_from:` takes the old name under the same parent: not the OU's own name, not a
/// path, not a sibling the blueprint also lists, not given twice; each problem located.
#[test]
fn renames_are_validated_where_they_are_written() {
    let cases = [
        (
            "version: 1\norganizational_units:\n  A: {renamed_from: A}\n",
            "invalid_value",
            "renamed from its own name",
            3,
        ),
        ("version: 1\norganizational_units:\n  A: {renamed_from: X/Y}\n", "invalid_value", "is a path", 3),
        (
            "version: 1\norganizational_units:\n  A: {renamed_from: B}\n  B: {}\n",
            "duplicate",
            "also lists under Root",
            3,
        ),
        (
            "version: 1\norganizational_units:\n  A: {renamed_from: Old}\n  B: {renamed_from: Old}\n",
            "duplicate",
            "both renamed from \"Old\"",
            4,
        ),
    ];
    for (yaml, code, message, line) in cases {
        let errors = load_with(yaml, &[]).expect_err(yaml);
        let issue = errors.issues.iter().find(|i| i.code.name() == code).unwrap_or_else(|| panic!("{code} for {yaml}"));
        assert!(issue.to_string().contains(message), "{issue} for {yaml}");
        assert!(issue.place.contains(&format!(":{line}:")), "{} for {yaml}", issue.place);
    }
    let ok =
        load_with("version: 1\norganizational_units:\n  Apps: {renamed_from: Workloads, children: {Prod: {}}}\n", &[]);
    let bp = ok.expect("valid");
    assert_eq!(bp.ous["Apps"].renamed_from.as_deref(), Some("Workloads"));
}

/// Retirement: a suspended or closed account needs a suspended OU, which must be in the
/// blueprint and deny everything; a lifecycle lzctl does not know is refused; each located.
#[test]
fn retirement_needs_a_suspended_ou_that_denies_everything() {
    let deny_all = "policies:\n  deny-all: {document: {Statement: [{Effect: Deny, Action: \"*\", Resource: \"*\"}]}}\n  deny-s3: {document: {Statement: [{Effect: Deny, Action: \"s3:*\", Resource: \"*\"}]}}\n";
    let cases = [
        (
            "version: 1\naccounts:\n  a: {email: a@example.com, lifecycle: closed}\n".to_string(),
            "lifecycle",
            "no organization.suspended_ou",
            3,
        ),
        (
            format!(
                "version: 1\norganization: {{suspended_ou: Parked}}\norganizational_units:\n  Parked: {{policies: [deny-s3]}}\naccounts:\n  a: {{email: a@example.com, lifecycle: suspended}}\n{deny_all}"
            ),
            "lifecycle",
            "carries no policy that denies everything",
            2,
        ),
        (
            format!(
                "version: 1\norganization: {{suspended_ou: Nowhere}}\norganizational_units:\n  Parked: {{policies: [deny-all]}}\n{deny_all}"
            ),
            "unknown_ou",
            "Nowhere",
            2,
        ),
        (
            "version: 1\naccounts:\n  a: {email: a@example.com, lifecycle: retired}\n".to_string(),
            "invalid_value",
            "lifecycle \"retired\"",
            3,
        ),
    ];
    for (yaml, code, message, line) in &cases {
        let errors = load_with(yaml, &[]).expect_err(yaml);
        let issue = errors
            .issues
            .iter()
            .find(|i| i.code.name() == *code)
            .unwrap_or_else(|| panic!("{code} for {yaml}: {errors:?}"));
        assert!(issue.to_string().contains(message), "{issue} for {yaml}");
        assert!(issue.place.contains(&format!(":{line}:")), "{} for {yaml}", issue.place);
    }
    let ok = format!(
        "version: 1\norganization: {{suspended_ou: Parked}}\norganizational_units:\n  Work: {{}}\n  Parked: {{policies: [deny-all]}}\naccounts:\n  a: {{email: a@example.com, ou: Work, lifecycle: closed}}\n{deny_all}"
    );
    let bp = load_with(&ok, &[]).expect("valid");
    assert_eq!((bp.accounts["a"].ou.as_str(), bp.accounts["a"].lifecycle), ("Parked", crate::model::Lifecycle::Closed));
}

/// `join: invite` needs the account's id; any other value is refused; each located.
#[test]
fn an_invitation_needs_the_accounts_id() {
    for (yaml, code, message) in [
        ("version: 1\naccounts:\n  a: {email: a@example.com, join: invite}\n", "missing_value", "has no id"),
        (
            "version: 1\naccounts:\n  a: {id: \"111122223333\", email: a@example.com, join: beg}\n",
            "invalid_value",
            "join \"beg\"",
        ),
    ] {
        let errors = load_with(yaml, &[]).expect_err(yaml);
        let issue =
            errors.issues.iter().find(|i| i.code.name() == code).unwrap_or_else(|| panic!("{code}: {errors:?}"));
        assert!(issue.to_string().contains(message) && issue.place.contains(":3:"), "{issue} at {}", issue.place);
    }
    let bp = load_with("version: 1\naccounts:\n  a: {id: \"111122223333\", email: a@example.com, join: invite}\n", &[])
        .unwrap();
    assert!(bp.accounts["a"].invite);
}

/// Every policy type AWS Organizations accepts is a `type:`; management policies are checked
/// against their syntax (the type's top-level key, the inheritance operators and where each
/// may stand) and their type's size quota, each problem named with its JSON path.
#[test]
fn management_policies_are_checked_against_their_syntax_and_quota() {
    let valid = r#"version: 1
organization: {policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, DECLARATIVE_POLICY_EC2]}
policies:
  cost-center:
    type: TAG_POLICY
    document: {tags: {costcenter: {tag_key: {"@@assign": CostCenter}, tag_value: {"@@assign": ["1234", "2040"]}, enforced_for: {"@@assign": ["ec2:instance"]}}}}
  no-ai-training:
    type: AISERVICES_OPT_OUT_POLICY
    document: {services: {default: {opt_out_policy: {"@@assign": optOut, "@@operators_allowed_for_child_policies": ["@@none"]}}}}
  no-public-amis:
    type: DECLARATIVE_POLICY_EC2
    document: {ec2_attributes: {image_block_public_access: {state: {"@@assign": block_new_sharing}}}}
"#;
    let bp = load_with(valid, &[]).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(bp.policies["cost-center"].policy_type, PolicyType::TagPolicy);
    for t in PolicyType::ALL {
        let yaml = format!("version: 1\npolicies:\n  p: {{type: {}, document: {{}}}}\n", t.as_str());
        let loaded = load_with(&yaml, &[]);
        assert!(
            loaded.as_ref().err().is_none_or(|e| e.issues.iter().all(|i| i.code.name() != "unknown_policy_type")),
            "{t} is a type lzctl knows"
        );
    }
    for (document, expected) in [
        (
            r#"{type: TAG_POLICY, document: {tag: {}}}"#,
            r#"top-level key "tag" is not one a TAG_POLICY has (it holds "tags")"#,
        ),
        (
            r#"{type: TAG_POLICY, document: {tags: {a: {tag_value: {"@@append": "x"}}}}}"#,
            "tags.a.tag_value.@@append: @@append works on a list of values",
        ),
        (
            r#"{type: TAG_POLICY, document: {tags: {a: {"@@assgn": "x"}}}}"#,
            "tags.a.@@assgn: @@assgn is not an inheritance operator",
        ),
        (
            r#"{type: BACKUP_POLICY, document: {plans: {p: {"@@operators_allowed_for_child_policies": ["@@delete"]}}}}"#,
            "lists some of @@all, @@assign, @@append, @@remove, @@none",
        ),
        (
            r#"{type: BACKUP_POLICY, document: {plans: {p: {"@@assign": {x: 1}}}}}"#,
            "@@assign sets a value or a list, not keys",
        ),
        (
            r#"{type: TAG_POLICY, document: {tags: {a: {"@@assign": "x", tag_key: {}}}}}"#,
            "tags.a.tag_key: a key beside @@assign",
        ),
        (r#"{type: CHATBOT_POLICY, document: [1]}"#, "a CHATBOT_POLICY must be a JSON object"),
    ] {
        let yaml = format!("version: 1\npolicies:\n  p: {document}\n");
        let errors = load_with(&yaml, &[]).expect_err(&yaml);
        let issue = errors
            .issues
            .iter()
            .find(|i| i.code.name() == "policy_document")
            .unwrap_or_else(|| panic!("{yaml}: {errors:?}"));
        assert!(issue.to_string().contains(expected), "{issue} for {yaml}");
        assert!(issue.place.contains(":3:"), "{}", issue.place);
    }
    let big = format!(
        "version: 1\npolicies:\n  p: {{type: AISERVICES_OPT_OUT_POLICY, document: {{services: {{default: {{x: \"{}\"}}}}}}}}\n",
        "y".repeat(2_600)
    );
    let errors = load_with(&big, &[]).expect_err("over 2,500");
    assert!(
        errors.issues.iter().any(|i| i.to_string().contains("over the AISERVICES_OPT_OUT_POLICY quota of 2500")),
        "{errors:?}"
    );
}

/// A stack set's template is read as CloudFormation reads it: short-form tags pass; a syntax
/// error names the template's line and column; no resources, a parameter it does not declare
/// (with a near name offered) and a required one not given are each a problem at the stack set.
#[test]
fn templates_are_parsed_and_take_exactly_the_parameters_given() {
    let yaml = |parameters: &str| {
        format!(
            "version: 1\nstack_sets:\n  s:\n    template: t.yaml\n    permission_model: SELF_MANAGED\n    targets: {{ous: [Root]}}\n    regions: [us-east-1]\n    parameters: {{{parameters}}}\n"
        )
    };
    let tagged = "Parameters:\n  Bucket: {Type: String}\n  Home: {Type: String, Default: us-east-1}\nConditions:\n  East: !Equals [!Ref 'AWS::Region', !Ref Home]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${Bucket}-topic'\n      Tags: !If [East, [{Key: k, Value: !GetAtt T.TopicName}], !Ref 'AWS::NoValue']\n";
    assert_eq!(problems_with(&yaml("Bucket: logs"), &[("t.yaml", tagged)]), Vec::<String>::new());
    let json = r#"{"Parameters": {"Bucket": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#;
    assert_eq!(problems_with(&yaml("Bucket: logs"), &[("t.yaml", json)]), Vec::<String>::new());

    let typo = problems_with(&yaml("Bucket: logs, Hme: eu-west-1"), &[("t.yaml", tagged)]);
    assert_eq!(typo.len(), 1, "{typo:?}");
    assert!(typo[0].starts_with("bp/lz.yaml:8:32: stack set s: parameter Hme is not declared by t.yaml"), "{typo:?}");
    let errors = load_with(&yaml("Bucket: logs, Hme: eu-west-1"), &[("t.yaml", tagged)]).unwrap_err();
    assert_eq!(errors.issues[0].help.as_deref(), Some("did you mean Home?"));

    let missing = problems_with(&yaml("Home: eu-west-1"), &[("t.yaml", tagged)]);
    assert_eq!(
        missing,
        [
            "bp/lz.yaml:4:15: stack set s: t.yaml:2 declares parameter Bucket without a Default, and the stack set does not give it"
        ]
    );

    let broken_yaml = problems_with(&yaml(""), &[("t.yaml", "Resources:\n  T: [a, b\n")]);
    assert!(broken_yaml[0].starts_with("bp/lz.yaml:4:15: stack set s: t.yaml:2:6: not valid YAML"), "{broken_yaml:?}");
    let broken_json = problems_with(&yaml(""), &[("t.yaml", "{\"Resources\": {\n  \"T\": }\n}")]);
    assert!(broken_json[0].starts_with("bp/lz.yaml:4:15: stack set s: t.yaml:2:8: not valid JSON"), "{broken_json:?}");
    let empty = problems_with(&yaml(""), &[("t.yaml", "Description: nothing\n")]);
    assert_eq!(empty, ["bp/lz.yaml:4:15: stack set s: t.yaml has no Resources; CloudFormation needs at least one"]);
}

/// Mistakes of shape (unknown keys, values of the wrong shape) no longer stop validation: each
/// is reported with the nearest known key or how the value is written, and validation goes on
/// to report every other problem of the file in the same run.
#[test]
fn every_problem_in_the_file_is_reported_in_one_run() {
    let yaml = r#"version: 1
organisation:
  policy_types: [SERVICE_CONTROL_POLICY]
organizational_units:
  A: {polices: [p], tags: {x: y}}
accounts:
  a: {email: not-an-email, ou: A, lifecyle: closed}
identity_center:
  permission_sets:
    P:
      session_duration: PT1H
      customer_managed_policies: [name]
policies:
  p: {document: {Statement: [{Effect: Deny, Action: "s3:*", Resource: "*"}]}}
"#;
    let errors = load_with(yaml, &[]).expect_err("invalid");
    let found: Vec<(String, String, Option<String>)> =
        errors.issues.iter().map(|i| (i.place.clone(), i.code.name().to_string(), i.help.clone())).collect();
    let expect = |place: &str, code: &str, help: Option<&str>| {
        (format!("bp/lz.yaml:{place}"), code.to_string(), help.map(str::to_string))
    };
    assert_eq!(
        found,
        [
            expect("2:1", "yaml", Some("did you mean `organization`?")),
            expect("5:7", "yaml", Some("did you mean `policies`?")),
            expect("7:35", "yaml", Some("did you mean `lifecycle`?")),
            expect("12:35", "yaml", Some("each entry is {name: NAME, path: /PATH/} (path optional)")),
            expect("7:14", "invalid_value", None),
        ]
    );
    assert!(errors.issues[3].message.contains("expected a mapping"), "{}", errors.issues[3].message);
    // A syntax error still ends reading there: what follows could not be read.
    let broken = problems("version: 1\naccounts: {a: [\n");
    assert_eq!(broken.len(), 1, "{broken:?}");
}

#[test]
fn a_lowercase_root_is_offered_root() {
    let yaml = "version: 1\norganizational_units:\n  A: {}\nidentity_center:\n  permission_sets: {P: {}}\n  assignments:\n    - {group: G, permission_set: P, ous: [root]}\n";
    let errors = load_with(yaml, &[]).expect_err("unknown OU");
    assert_eq!(errors.issues.len(), 1);
    assert!(
        errors.issues[0].help.as_deref().is_some_and(|h| h.starts_with("did you mean \"Root\"?")),
        "{:?}",
        errors.issues[0].help
    );
}

#[test]
fn excluded_accounts_must_be_known_or_ids() {
    let yaml = "version: 1\norganization: {trusted_services: [member.org.stacksets.cloudformation.amazonaws.com]}\naccounts:\n  prod: {email: p@example.com}\nstack_sets:\n  s: {template: t.yaml, targets: {ous: [Root], exclude_accounts: [prod, \"123456789012\", prdo]}, regions: [us-east-1]}\nidentity_center:\n  permission_sets: {P: {}}\n  assignments:\n    - {group: G, permission_set: P, ous: [Root], exclude_accounts: [prod, prdo, prod2]}\n";
    let p = problems_with(yaml, &[("t.yaml", TOPIC)]);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p.iter().all(|p| p.contains("prdo") || p.contains("prod2")), "{p:?}");
}
