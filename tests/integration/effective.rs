//! Effective management policies through the real binary: `lzctl effective` from the
//! blueprint alone, the plan showing the effective tag policy an edit changes (read from the
//! emulator's policies), and the refusals. AWS's own effective policy (`--live`) is covered on
//! mocks: the emulator has no DescribeEffectivePolicy, and the command says which call failed.

use crate::support::*;

const LZ: &str = r#"version: 1
organization:
  policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY]
  root_policies: [cost-center]
organizational_units:
  Workloads: {policies: [workload-values]}
accounts:
  app: {email: app@example.com, ou: Workloads}
policies:
  cost-center:
    type: TAG_POLICY
    document: {tags: {costcenter: {tag_key: {"@@assign": CostCenter}, tag_value: {"@@assign": ["1000", "2000"], "@@operators_allowed_for_child_policies": ["@@append"]}}}}
  workload-values:
    type: TAG_POLICY
    document: {tags: {costcenter: {tag_value: {"@@append": ["3000"], "@@remove": ["1000"]}}}}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn effective_tag_policies_from_the_blueprint_and_in_the_plan() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), LZ).unwrap();

    let out = emu.lzctl_in(dir.path(), &["effective", "-f", "lz.yaml", "--account", "app", "--type", "tag_policy"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Effective TAG_POLICY of app, from the blueprint:\n"), "{}", stdout(&out));
    let json = emu.lzctl_in(
        dir.path(),
        &["effective", "-f", "lz.yaml", "--account", "app", "--type", "TAG_POLICY", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(
        report["blueprint"]["tags"]["costcenter"]["tag_value"],
        serde_json::json!(["1000", "2000", "3000"]),
        "the root allows children only to append: the OU's @@remove is ignored"
    );

    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    let empty = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"]);
    assert_eq!(empty.status.code(), Some(0), "{}", stdout(&empty));

    std::fs::write(dir.path().join("lz.yaml"), LZ.replace(r#"["3000"]"#, r#"["3000", "4000"]"#)).unwrap();
    let edited = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--no-color"]);
    let text = stdout(&edited);
    let section = &text[text.find("Effective policies that change").expect("the effective section")..];
    assert!(section.contains("~ TAG_POLICY of app\n"), "{section}");
    assert!(
        section.lines().any(|l| l.trim_start().starts_with('+') && l.trim_end().ends_with("\"4000\"")),
        "{section}"
    );

    let live =
        emu.lzctl_in(dir.path(), &["effective", "-f", "lz.yaml", "--account", "app", "--type", "TAG_POLICY", "--live"]);
    assert_eq!(live.status.code(), Some(1));
    assert!(stderr(&live).contains("organizations:DescribeEffectivePolicy"), "{}", stderr(&live));
}

#[test]
fn scps_and_unknown_accounts_are_refused_with_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), LZ).unwrap();
    let emu_free = |args: &[&str]| lzctl_offline(dir.path(), args);
    let scp = emu_free(&["effective", "-f", "lz.yaml", "--account", "app", "--type", "SERVICE_CONTROL_POLICY"]);
    assert_eq!(scp.status.code(), Some(1));
    assert!(stderr(&scp).contains("lzctl::effective::not_a_management_type"), "{}", stderr(&scp));
    let unknown = emu_free(&["effective", "-f", "lz.yaml", "--account", "ap", "--type", "TAG_POLICY"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("the blueprint has no account \"ap\""), "{}", stderr(&unknown));
    let bad_type = emu_free(&["effective", "-f", "lz.yaml", "--account", "app", "--type", "TAGS"]);
    assert!(stderr(&bad_type).contains("not a policy type; one of: SERVICE_CONTROL_POLICY"), "{}", stderr(&bad_type));
}
