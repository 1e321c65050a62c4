//! Renames from tables: an OU found under its old name is renamed, not created; its accounts,
//! children and attachments follow without moves; once renamed, nothing is left to plan.

use crate::apply::{Ids, run};
use crate::plan::PlanOptions;
use crate::testing::{InMemoryOrg, blueprint, fresh_org, lines, plan_ok};

const BEFORE: &str = r#"version: 1
organizational_units:
  Workloads: {children: {Prod: {policies: [deny-leave], children: {Web: {}}}}}
accounts:
  web: {email: web@example.com, ou: Workloads/Prod/Web}
  prod: {email: prod@example.com, ou: Workloads/Prod}
policies:
  deny-leave: {document: {Statement: [{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]}}
"#;

async fn applied() -> InMemoryOrg {
    let bp = blueprint(BEFORE);
    let org = InMemoryOrg::new(fresh_org());
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    org
}

#[tokio::test]
async fn a_renamed_ou_is_renamed_in_place_and_everything_under_it_follows() {
    let org = applied().await;
    let after = BEFORE
        .replace(
            "Workloads: {children: {Prod: {",
            "Apps: {renamed_from: Workloads, children: {Production: {renamed_from: Prod, ",
        )
        .replace("Workloads/Prod/Web", "Apps/Production/Web")
        .replace("ou: Workloads/Prod}", "ou: Apps/Production}");
    let bp = blueprint(&after);
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    assert_eq!(lines(&plan), ["~ organizational_unit.Apps", "~ organizational_unit.Apps/Production"]);
    assert_eq!(plan.changes[0].reason, "renamed from Workloads");
    assert_eq!(plan.changes[1].reason, "renamed from Apps/Prod", "the child sees its parent's new name");
    let old_ids: Vec<String> =
        ["Workloads", "Workloads/Prod"].iter().map(|p| live.ous_by_path()[*p].id.clone()).collect();
    run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    let renamed = org.snapshot();
    let new_ids: Vec<String> =
        ["Apps", "Apps/Production"].iter().map(|p| renamed.ous_by_path()[*p].id.clone()).collect();
    assert_eq!(new_ids, old_ids, "the same OUs, renamed");
    assert!(plan_ok(&bp, &renamed, &PlanOptions::default()).is_empty(), "once renamed, nothing is left");
}

#[tokio::test]
async fn without_the_old_name_in_aws_the_ou_is_created_and_with_both_the_new_one_wins() {
    let org = applied().await;
    let fresh = BEFORE.replace("Workloads: {children:", "Workloads: {renamed_from: Elsewhere, children:");
    assert!(
        plan_ok(&blueprint(&fresh), &org.snapshot(), &PlanOptions::default()).is_empty(),
        "Workloads exists: no rename"
    );
    let neither = "version: 1\norganizational_units:\n  Sandbox: {renamed_from: Playground}\n";
    let plan = plan_ok(&blueprint(neither), &org.snapshot(), &PlanOptions::default());
    assert!(lines(&plan).contains(&"+ organizational_unit.Sandbox".to_string()), "{:?}", lines(&plan));
}
