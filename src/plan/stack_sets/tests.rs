//! Organization settings and stack sets from tables, and convergence in memory.

use crate::apply::{Ids, run};
use crate::blueprint::Blueprint;
use crate::live::{LiveAccount, LiveStackInstance, LiveState};
use crate::plan::{Op, PlanOptions};
use crate::testing::{Files, InMemoryOrg, fresh_org, lines, plan_ok};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Where the blueprint below names its template (relative to test.yaml).
const TEMPLATE_PATH: &str = "templates/t.yaml";
const TEMPLATE: &str = "Parameters:\n  Bucket: {Type: String}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: lz}\n";

fn blueprint_with(yaml: &str, template: &'static str) -> Blueprint {
    crate::blueprint::parse(Path::new("test.yaml"), yaml, &Files::of([(TEMPLATE_PATH, template)])).expect("valid")
}

const BP: &str = r#"version: 1
organization:
  trusted_services: [member.org.stacksets.cloudformation.amazonaws.com, config-multiaccountsetup.amazonaws.com]
  delegated_administrators: {config-multiaccountsetup.amazonaws.com: security}
organizational_units:
  Foundational: {children: {Infra: {}, Workloads: {children: {Prod: {}}}}}
  Empty: {}
accounts:
  security: {email: security@example.com, ou: Foundational/Infra}
  prod: {email: prod@example.com, ou: Foundational/Workloads/Prod}
stack_sets:
  config-recorder:
    template: templates/t.yaml
    capabilities: [CAPABILITY_NAMED_IAM]
    parameters: {Bucket: logs}
    targets: {ous: [Foundational, Empty]}
    regions: [us-east-1, eu-west-1]
    auto_deployment: {enabled: true}
"#;

fn with_settings(mut live: LiveState) -> LiveState {
    live.trusted_services = Some(BTreeSet::new());
    live.delegated_administrators = Some(BTreeMap::new());
    live.stack_sets = Some(BTreeMap::new());
    live
}

async fn applied() -> (InMemoryOrg, Blueprint) {
    let bp = blueprint_with(BP, TEMPLATE);
    let org = InMemoryOrg::new(with_settings(fresh_org()));
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    (org, bp)
}

#[tokio::test]
async fn a_fresh_organization_gets_settings_then_the_stack_set_and_its_instances() {
    let bp = blueprint_with(BP, TEMPLATE);
    let plan = plan_ok(&bp, &with_settings(fresh_org()), &PlanOptions::default());
    let l = lines(&plan);
    let position =
        |needle: &str| l.iter().position(|x| x == needle).unwrap_or_else(|| panic!("{needle} not in {l:#?}"));
    assert_eq!(position("+ organization_setting.trusted_service/config-multiaccountsetup.amazonaws.com"), 0);
    assert!(
        position("+ account.security")
            < position(
                "+ organization_setting.delegated_administrator/config-multiaccountsetup.amazonaws.com/security"
            )
    );
    assert!(
        position("+ organization_setting.delegated_administrator/config-multiaccountsetup.amazonaws.com/security")
            < position("+ stack_set.config-recorder")
    );
    assert!(position("+ stack_set.config-recorder") < position("+ stack_instances.config-recorder/eu-west-1"));
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let Op::CreateStackInstances { ous, .. } =
        &plan.changes[position("+ stack_instances.config-recorder/us-east-1")].op
    else {
        panic!()
    };
    // An OU without accounts is targeted too, so auto-deployment covers accounts added later.
    assert_eq!(ous, &["Empty", "Foundational"]);

    let (org, bp) = applied().await;
    let again = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(again.is_empty(), "{:?}", lines(&again));
}

#[tokio::test]
async fn a_reformatted_template_is_not_a_change_but_a_real_edit_or_parameter_is_one_update() {
    let (org, _) = applied().await;
    let reformatted = blueprint_with(
        BP,
        "Parameters:\n  Bucket:   {Type: String}\nResources:\n\n  Topic:\n      Type:   AWS::SNS::Topic\n      Properties:\n        TopicName: lz   \n",
    );
    let again = plan_ok(&reformatted, &org.snapshot(), &PlanOptions::default());
    assert!(again.is_empty(), "{:?}", lines(&again));

    let edited = blueprint_with(
        BP,
        "Parameters:\n  Bucket: {Type: String}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: other}\n",
    );
    let plan = plan_ok(&edited, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["~ stack_set.config-recorder"]);
    assert_eq!(plan.changes[0].reason, "template differs; the update reaches every instance");

    let parameter = blueprint_with(&BP.replace("Bucket: logs", "Bucket: other-logs"), TEMPLATE);
    let plan = plan_ok(&parameter, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["~ stack_set.config-recorder"]);
    assert_eq!(plan.changes[0].before, Some(serde_json::json!({"parameters": {"Bucket": "logs"}})));
}

#[tokio::test]
async fn a_region_removed_from_the_blueprint_plans_the_removal_of_its_instances() {
    let (org, _) = applied().await;
    let fewer = blueprint_with(&BP.replace("regions: [us-east-1, eu-west-1]", "regions: [us-east-1]"), TEMPLATE);
    let plan = plan_ok(&fewer, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["- stack_instances.config-recorder/eu-west-1"]);
    assert_eq!(plan.changes[0].reason, "eu-west-1 is no longer one of the stack set's regions");
    let Op::DeleteStackInstances { ou_ids, account_ids, .. } = &plan.changes[0].op else { panic!() };
    assert_eq!(ou_ids, &[org.snapshot().ous_by_path()["Foundational"].id.clone()]);
    assert_eq!(account_ids.len(), 2);
    let live = org.snapshot();
    run(&plan, Ids::new(&fewer, &live), &org, crate::testing::never_stop(), |_, _| {}).await.unwrap();
    assert!(plan_ok(&fewer, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[tokio::test]
async fn fields_the_service_does_not_report_never_plan_an_endless_update() {
    let (org, bp) = applied().await;
    {
        let mut live = org.live.borrow_mut();
        let ss = live.stack_sets.as_mut().unwrap().get_mut("config-recorder").unwrap();
        ss.capabilities = None;
        ss.auto_deployment = None;
        ss.permission_model = None;
    }
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[tokio::test]
async fn instances_without_a_reported_ou_are_matched_to_the_targeted_ou_holding_their_account() {
    let (org, bp) = applied().await;
    {
        // As the emulator reports them: no OU, and only some accounts reached.
        let mut live = org.live.borrow_mut();
        let ss = live.stack_sets.as_mut().unwrap().get_mut("config-recorder").unwrap();
        let first: Vec<LiveStackInstance> = ss
            .instances
            .iter()
            .filter(|i| i.region == "us-east-1" || i.region == "eu-west-1")
            .take(2)
            .cloned()
            .collect();
        ss.instances = first.into_iter().map(|i| LiveStackInstance { ou_id: None, ..i }).collect();
        ss.instances.push(LiveStackInstance { ou_id: None, ..ss.instances[0].clone() });
        let regions: BTreeSet<String> = ss.instances.iter().map(|i| i.region.clone()).collect();
        assert!(!regions.is_empty());
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(plan.changes.iter().all(|c| c.action == crate::model::Action::Create), "{:?}", lines(&plan));
}

#[tokio::test]
async fn settings_not_in_the_blueprint_are_reported_and_removed_only_with_prune() {
    let (org, bp) = applied().await;
    {
        let mut live = org.live.borrow_mut();
        live.trusted_services.as_mut().unwrap().insert("guardduty.amazonaws.com".into());
        let security = live.accounts.values().find(|a| a.email == "security@example.com").unwrap().id.clone();
        let admins = live.delegated_administrators.as_mut().unwrap();
        admins.insert("guardduty.amazonaws.com".into(), BTreeSet::from([security]));
        admins.get_mut("config-multiaccountsetup.amazonaws.com").unwrap().insert("999999999999".into());
        live.accounts.insert(
            "999999999999".into(),
            LiveAccount {
                id: "999999999999".into(),
                name: "Old".into(),
                email: "old@example.com".into(),
                status: "ACTIVE".into(),
                parent_id: crate::testing::ROOT.into(),
                tags: None,
            },
        );
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(
        lines(&plan),
        ["- organization_setting.delegated_administrator/config-multiaccountsetup.amazonaws.com/999999999999"]
    );
    let unmanaged: Vec<&str> = plan.unmanaged.iter().map(|u| u.address.as_str()).collect();
    assert!(unmanaged.contains(&"organization_setting.trusted_service/guardduty.amazonaws.com"), "{unmanaged:?}");
    assert!(
        unmanaged.contains(&"organization_setting.delegated_administrator/guardduty.amazonaws.com/security"),
        "{unmanaged:?}"
    );

    let pruned = plan_ok(&bp, &org.snapshot(), &PlanOptions { prune: true, ..Default::default() });
    assert_eq!(
        lines(&pruned),
        [
            "- organization_setting.delegated_administrator/config-multiaccountsetup.amazonaws.com/999999999999",
            "- organization_setting.delegated_administrator/guardduty.amazonaws.com/security",
            "- organization_setting.trusted_service/guardduty.amazonaws.com",
        ]
    );
}

#[test]
fn templates_normalize_across_formats() {
    use super::normalize_template;
    let yaml = "Resources:\n  T: {Type: AWS::SNS::Topic}\n";
    let json = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#;
    assert_eq!(normalize_template(yaml), normalize_template(json));
    // Short-form tags do not parse as plain YAML here: whitespace is still forgiven.
    let tagged = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Ref Name}\n";
    assert_eq!(normalize_template(tagged), normalize_template(&format!("{tagged}\n\n")));
}

#[tokio::test]
async fn where_target_ous_are_not_reported_an_empty_ou_is_warned_about_not_planned_forever() {
    let bp = blueprint_with(BP, TEMPLATE);
    let mut org = InMemoryOrg::new(with_settings(fresh_org()));
    org.report_targets = false;
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    let again = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(again.is_empty(), "{:?}", lines(&again));
    assert_eq!(
        again.warnings,
        [
            "stack set config-recorder: OU Empty has no accounts yet and the service does not report the stack set's target OUs, so no instances are planned there"
        ]
    );
}

#[tokio::test]
async fn an_empty_ou_dropped_from_the_targets_is_removed_from_the_record() {
    let (org, _) = applied().await;
    let fewer = blueprint_with(
        &BP.replace("targets: {ous: [Foundational, Empty]}", "targets: {ous: [Foundational]}"),
        TEMPLATE,
    );
    let plan = plan_ok(&fewer, &org.snapshot(), &PlanOptions::default());
    assert_eq!(
        lines(&plan),
        ["- stack_instances.config-recorder/eu-west-1", "- stack_instances.config-recorder/us-east-1"]
    );
    let live = org.snapshot();
    run(&plan, Ids::new(&fewer, &live), &org, crate::testing::never_stop(), |_, _| {}).await.unwrap();
    let again = plan_ok(&fewer, &org.snapshot(), &PlanOptions::default());
    assert!(again.is_empty(), "{:?}", lines(&again));
}

/// `targets.exclude_accounts`: the creation leaves the account out; an instance that appears
/// in it anyway (auto-deployment, a hand) is deleted alone, its OU's others kept; then nothing.
#[tokio::test]
async fn excluded_accounts_get_no_instance_and_one_that_appears_is_deleted_alone() {
    let excluding = BP.replace(
        "targets: {ous: [Foundational, Empty]}",
        "targets: {ous: [Foundational, Empty], exclude_accounts: [prod]}",
    );
    let bp = blueprint_with(&excluding, TEMPLATE);
    let org = InMemoryOrg::new(with_settings(fresh_org()));
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    let creates: Vec<&Op> =
        plan.changes.iter().map(|c| &c.op).filter(|op| matches!(op, Op::CreateStackInstances { .. })).collect();
    assert!(!creates.is_empty());
    for op in creates {
        let Op::CreateStackInstances { exclude, .. } = op else { unreachable!() };
        assert_eq!(exclude, &[crate::plan::AccountRef::Key("prod".into())]);
    }
    run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    let live = org.snapshot();
    let prod = crate::plan::matched_accounts(&bp, &live)["prod"].clone();
    let instances = &live.stack_sets.as_ref().unwrap()["config-recorder"].instances;
    assert!(!instances.is_empty() && instances.iter().all(|i| i.account_id != prod), "{instances:?}");
    assert!(plan_ok(&bp, &live, &PlanOptions::default()).is_empty(), "converged");

    // Auto-deployment put an instance in the excluded account.
    {
        let mut live = org.live.borrow_mut();
        let template = live.stack_sets.as_mut().unwrap().get_mut("config-recorder").unwrap();
        let first = template.instances[0].clone();
        template.instances.push(LiveStackInstance { account_id: prod.clone(), region: "us-east-1".into(), ..first });
    }
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    assert_eq!(lines(&plan), ["- stack_instances.config-recorder/us-east-1/prod"]);
    run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    let live = org.snapshot();
    let instances = &live.stack_sets.as_ref().unwrap()["config-recorder"].instances;
    assert!(instances.iter().all(|i| i.account_id != prod) && instances.len() > 1, "{instances:?}");
    assert!(plan_ok(&bp, &live, &PlanOptions::default()).is_empty(), "converged");
}
