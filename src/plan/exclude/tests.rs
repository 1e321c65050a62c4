//! `--exclude` from tables: patterns with `*`, what needs a change left out is left out with it
//! (to a fixpoint), hazards and effective policies of what is left out go too, and a pattern
//! that matches nothing is said.

use super::*;
use crate::plan::PlanOptions;
use crate::testing::{blueprint, fresh_org, lines, plan_ok};

#[test]
fn patterns_match_with_stars_anywhere() {
    assert!(matches("policy.backup", "policy.backup"));
    assert!(!matches("policy.backup", "policy.backups"));
    assert!(matches("policy.*", "policy.backup"));
    assert!(matches("*backup*", "policy_attachment.backup/Production"));
    assert!(matches("policy_attachment.*/Production", "policy_attachment.backup/Production"));
    assert!(!matches("policy_attachment.*/Production", "policy_attachment.backup/Production/Web"));
    assert!(matches("a*b*c", "abc") && matches("a*b*c", "axxbyyc") && !matches("a*b*c", "acb"));
    assert!(matches("*", "") && matches("**", "anything"));
}

const LZ: &str = r#"version: 1
organization: {policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, DECLARATIVE_POLICY_EC2]}
organizational_units:
  Workloads: {policies: [cost-center, nightly, no-public-amis], children: {Production: {}}}
accounts:
  web: {email: web@example.com, ou: Workloads/Production}
policies:
  cost-center: {type: TAG_POLICY, document: {tags: {cc: {tag_key: {"@@assign": CostCenter}}}}}
  nightly: {type: BACKUP_POLICY, document: {plans: {nightly: {regions: {"@@assign": [us-east-1]}}}}}
  no-public-amis:
    type: DECLARATIVE_POLICY_EC2
    document: {ec2_attributes: {image_block_public_access: {state: {"@@assign": block_new_sharing}}}}
"#;

fn plan(excluding: &[&str]) -> Plan {
    let options = PlanOptions { exclude: excluding.iter().map(|p| (*p).to_string()).collect(), ..Default::default() };
    plan_ok(&blueprint(LZ), &fresh_org(), &options)
}

fn excluded(plan: &Plan) -> Vec<String> {
    plan.excluded.iter().map(|e| format!("{}  # {}", e.address, e.reason)).collect()
}

#[test]
fn what_needs_a_change_left_out_is_left_out_with_it() {
    let all = plan(&[]);
    let p = plan(&["policy.nightly", "organization_setting.policy_type/DECLARATIVE_POLICY_EC2"]);
    assert_eq!(
        excluded(&p),
        [
            "organization_setting.policy_type/DECLARATIVE_POLICY_EC2  # matches --exclude organization_setting.policy_type/DECLARATIVE_POLICY_EC2",
            "policy.nightly  # matches --exclude policy.nightly",
            "policy.no-public-amis  # needs organization_setting.policy_type/DECLARATIVE_POLICY_EC2, left out",
            "policy_attachment.nightly/Workloads  # needs policy.nightly, left out",
            "policy_attachment.no-public-amis/Workloads  # needs organization_setting.policy_type/DECLARATIVE_POLICY_EC2, left out",
        ]
    );
    assert_eq!(p.changes.len() + p.excluded.len(), all.changes.len(), "nothing lost, nothing added");
    assert!(lines(&p).contains(&"+ policy_attachment.cost-center/Workloads".to_string()), "{:?}", lines(&p));

    // Leaving out an OU leaves out what is in it, down the tree.
    let p = plan(&["organizational_unit.Workloads"]);
    let out: Vec<&str> = p.excluded.iter().map(|e| e.address.as_str()).collect();
    for needed in ["organizational_unit.Workloads/Production", "account.web", "policy_attachment.cost-center/Workloads"]
    {
        assert!(out.iter().any(|a| a.starts_with(needed)), "{needed} in {out:?}");
    }
    // The account is still created (in the root); its move into the OU left out waits.
    assert!(lines(&p).contains(&"+ account.web".to_string()), "{:?}", lines(&p));
    assert!(!lines(&p).iter().any(|l| l.starts_with("→ account.web")), "{:?}", lines(&p));
}

#[test]
fn a_pattern_that_matches_nothing_is_a_warning_and_no_pattern_is_no_change() {
    let p = plan(&["policy.nightly-typo"]);
    assert!(p.excluded.is_empty());
    assert!(p.warnings.contains(&"--exclude policy.nightly-typo matches no change".to_string()), "{:?}", p.warnings);
    assert_eq!(plan(&[]), plan_ok(&blueprint(LZ), &fresh_org(), &PlanOptions::default()));
}
