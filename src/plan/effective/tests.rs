//! The effective policies a plan changes, from tables: a root policy reaches every account, an
//! OU's policy merges below it, accounts that change alike are one entry, an account that moves
//! takes its new OU's policies, nothing is said once applied, and a policy whose document was
//! not read hides what it would change (said in a warning).

use super::*;
use crate::apply::{Ids, run};
use crate::live::{LiveAccount, LivePolicy};
use crate::plan::PlanOptions;
use crate::testing::{InMemoryOrg, MANAGEMENT, ROOT, blueprint, fresh_org, plan_ok};
use serde_json::json;

const LZ: &str = r#"version: 1
organization:
  policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY]
  root_policies: [cost-center]
organizational_units:
  Workloads: {policies: [marketing]}
  Sandbox: {}
accounts:
  web: {email: web@example.com, ou: Workloads}
  api: {email: api@example.com, ou: Workloads}
policies:
  cost-center:
    type: TAG_POLICY
    document: {tags: {costcenter: {tag_key: {"@@assign": CostCenter}, tag_value: {"@@assign": [Development, Support]}}}}
  marketing:
    type: TAG_POLICY
    document: {tags: {costcenter: {tag_value: {"@@append": [Marketing]}}}}
"#;

fn tag(values: &[&str]) -> Option<Value> {
    Some(json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": values}}}))
}

async fn apply(org: &InMemoryOrg, bp: &Blueprint) {
    let live = org.snapshot();
    let plan = plan_ok(bp, &live, &PlanOptions::default());
    run(&plan, Ids::new(bp, &live), org, crate::testing::never_stop(), |_, _| {}).await.expect("applies in memory");
}

/// An organization with web and api at the root, made by hand.
fn org_with_accounts() -> InMemoryOrg {
    let mut live = fresh_org();
    for (id, name) in [("222222222222", "web"), ("333333333333", "api")] {
        let account = LiveAccount {
            id: id.into(),
            name: name.into(),
            email: format!("{name}@example.com"),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        };
        live.accounts.insert(id.into(), account);
    }
    InMemoryOrg::new(live)
}

#[tokio::test]
async fn every_account_the_plan_reaches_shows_its_new_effective_policy_grouped() {
    let bp = blueprint(LZ);
    let org = org_with_accounts();
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    let change = |accounts: &[&str], after| EffectiveChange {
        policy_type: PolicyType::TagPolicy,
        accounts: accounts.iter().map(|a| (*a).to_string()).collect(),
        before: None,
        after,
    };
    assert_eq!(
        plan.effective,
        [
            change(&["api", "web"], tag(&["Development", "Support", "Marketing"])),
            change(&["management"], tag(&["Development", "Support"])),
        ],
        "web and api move into Workloads and change alike; the management account gets the root's"
    );
    apply(&org, &bp).await;
    let again = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(again.is_empty() && again.effective.is_empty(), "{:?}", again.effective);

    // Moving web to Sandbox leaves it the root's policy alone.
    let moved = blueprint(
        &LZ.replace("web: {email: web@example.com, ou: Workloads}", "web: {email: web@example.com, ou: Sandbox}"),
    );
    let plan = plan_ok(&moved, &org.snapshot(), &PlanOptions::default());
    assert_eq!(plan.effective.len(), 1, "{:?}", plan.effective);
    assert_eq!(plan.effective[0].accounts, ["web"]);
    assert_eq!(plan.effective[0].before, tag(&["Development", "Support", "Marketing"]));
    assert_eq!(plan.effective[0].after, tag(&["Development", "Support"]));

    // Editing a policy's document changes every account below where it is attached.
    let edited = blueprint(&LZ.replace("[Marketing]", "[Marketing, Research]"));
    let plan = plan_ok(&edited, &org.snapshot(), &PlanOptions::default());
    assert_eq!(plan.effective.len(), 1);
    assert_eq!(plan.effective[0].accounts, ["api", "web"]);
    assert_eq!(plan.effective[0].after, tag(&["Development", "Support", "Marketing", "Research"]));
}

#[test]
fn a_policy_whose_document_was_not_read_hides_the_change_and_says_so() {
    let bp = blueprint(LZ);
    let mut live = fresh_org();
    live.root.policy_types.insert(PolicyType::TagPolicy);
    live.policies.insert(
        "p-legacy".into(),
        LivePolicy {
            id: "p-legacy".into(),
            name: "legacy".into(),
            policy_type: PolicyType::TagPolicy,
            description: String::new(),
            aws_managed: false,
            document: None,
            targets: [ROOT.to_string()].into(),
        },
    );
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    assert!(plan.effective.is_empty(), "{:?}", plan.effective);
    assert!(
        plan.warnings.iter().any(|w| w
            == "the effective TAG_POLICY of 1 account(s) is not shown: the document of policy legacy was not read"),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn an_account_the_blueprint_names_gets_its_effective_policy_from_the_blueprint_alone() {
    let bp = blueprint(LZ);
    let live = LiveState::default();
    assert_eq!(
        of_account(&bp, &live, Some("web"), None, PolicyType::TagPolicy),
        Ok(tag(&["Development", "Support", "Marketing"]))
    );
    assert_eq!(of_account(&bp, &live, Some("web"), None, PolicyType::BackupPolicy), Ok(None));
    assert_eq!(
        of_account(&fresh_org_bp(), &fresh_org(), Some("management"), Some(MANAGEMENT), PolicyType::TagPolicy),
        Ok(None)
    );
}

fn fresh_org_bp() -> Blueprint {
    blueprint("version: 1\n")
}
