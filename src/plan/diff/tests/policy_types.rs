//! Every policy type from tables: types enabled as listed, policies of any type created and
//! attached exactly per target beside the SCPs, FullAWSAccess implied only for SCPs, and
//! applying converges.

use super::*;

const ALL_TYPES: &str = r#"version: 1
organization: {policy_types: [SERVICE_CONTROL_POLICY, BACKUP_POLICY, DECLARATIVE_POLICY_EC2, SECURITYHUB_POLICY]}
organizational_units:
  Production: {policies: [nightly, no-public-amis]}
policies:
  nightly:
    type: BACKUP_POLICY
    document: {plans: {nightly: {regions: {"@@assign": [us-east-1]}}}}
  no-public-amis:
    type: DECLARATIVE_POLICY_EC2
    document: {ec2_attributes: {image_block_public_access: {state: {"@@assign": block_new_sharing}}}}
  hub:
    type: SECURITYHUB_POLICY
    document: {securityhub: {enable_in_regions: {"@@assign": [us-east-1]}}}
"#;

#[tokio::test]
async fn policies_of_every_type_are_enabled_created_and_attached_exactly() {
    let bp = blueprint(ALL_TYPES);
    let org = InMemoryOrg::new(fresh_org());
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "+ organization_setting.policy_type/BACKUP_POLICY",
            "+ organization_setting.policy_type/DECLARATIVE_POLICY_EC2",
            "+ organization_setting.policy_type/SECURITYHUB_POLICY",
            "+ organizational_unit.Production",
            "+ policy.hub",
            "+ policy.nightly",
            "+ policy.no-public-amis",
            "+ policy_attachment.nightly/Production",
            "+ policy_attachment.no-public-amis/Production",
        ],
        "FullAWSAccess (an SCP) comes with the new OU; no other type has an implied attachment"
    );
    apply_to(&org, &bp, &PlanOptions::default()).await;
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty(), "converged");

    // A management policy attached by hand to a managed OU is detached, as an SCP would be.
    let without = blueprint(&ALL_TYPES.replace("policies: [nightly, no-public-amis]", "policies: [nightly]"));
    let plan = plan_ok(&without, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["- policy_attachment.no-public-amis/Production"]);
}

#[test]
fn a_targets_policies_are_attached_in_the_order_listed_the_order_aws_merges_them_in() {
    let bp = blueprint(
        r#"version: 1
organization: {policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY]}
organizational_units:
  Workloads: {policies: [zeta, alpha]}
policies:
  zeta: {type: TAG_POLICY, document: {tags: {cc: {tag_key: {"@@assign": CC}}}}}
  alpha: {type: TAG_POLICY, document: {tags: {cc: {tag_key: {"@@assign": cc}}}}}
"#,
    );
    let plan = plan_ok(&bp, &fresh_org(), &PlanOptions::default());
    let attachments: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.kind == crate::model::Kind::PolicyAttachment)
        .map(|c| c.address.as_str())
        .collect();
    assert_eq!(attachments, ["policy_attachment.zeta/Workloads", "policy_attachment.alpha/Workloads"]);
}

/// A blueprint with a policy of every type the pinned SDK accepts, all on one OU.
fn one_of_every_type() -> String {
    let mut yaml = String::from("version: 1\norganization:\n  policy_types: [");
    yaml.push_str(&PolicyType::ALL.map(PolicyType::as_str).join(", "));
    yaml.push_str("]\norganizational_units:\n  Workloads: {policies: [");
    yaml.push_str(&PolicyType::ALL.map(|t| t.as_str().to_lowercase()).join(", "));
    yaml.push_str("]}\npolicies:\n");
    for t in PolicyType::ALL {
        let document = if t.is_authorization() {
            let principal = if t == PolicyType::ResourceControlPolicy { ", Principal: \"*\"" } else { "" };
            format!("{{Statement: [{{Effect: Deny, Action: \"s3:DeleteBucket\", Resource: \"*\"{principal}}}]}}")
        } else {
            let key = t.top_level_key().unwrap_or("settings");
            format!("{{{key}: {{x: {{\"@@assign\": y}}}}}}")
        };
        yaml.push_str(&format!("  {}: {{type: {t}, document: {document}}}\n", t.as_str().to_lowercase()));
    }
    yaml
}

#[tokio::test]
async fn a_policy_of_every_type_validates_plans_applies_and_replans_empty() {
    let bp = blueprint(&one_of_every_type());
    let org = InMemoryOrg::new(fresh_org());
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    for t in PolicyType::ALL {
        let name = t.as_str().to_lowercase();
        assert!(lines(&plan).contains(&format!("+ policy.{name}")), "{t}: {:?}", lines(&plan));
        assert!(lines(&plan).contains(&format!("+ policy_attachment.{name}/Workloads")), "{t}");
    }
    apply_to(&org, &bp, &PlanOptions::default()).await;
    let live = org.snapshot();
    assert!(PolicyType::ALL.iter().all(|t| live.root.policy_types.contains(t)), "{:?}", live.root.policy_types);
    assert!(plan_ok(&bp, &live, &PlanOptions::default()).is_empty(), "converged");
}
