//! Centralized root access from tables: each named feature switched on after IAM's trusted
//! access (the in-memory organization refuses it before, as IAM does), off when the blueprint
//! says false, left alone when it says nothing; applying converges.

use super::*;
use crate::model::RootFeature;

const ROOT_ACCESS: &str = r#"version: 1
organization:
  trusted_services: [iam.amazonaws.com]
  root_access: {credentials_management: true, root_sessions: true}
"#;

/// An organization as read with `organization.root_access` in the blueprint.
fn read_with_root_access(features: &[RootFeature]) -> LiveState {
    let mut live = fresh_org();
    live.trusted_services = Some(BTreeSet::new());
    live.root_features = Some(features.iter().copied().collect());
    live
}

#[tokio::test]
async fn features_are_switched_on_after_trusted_access_and_off_when_false() {
    let bp = blueprint(ROOT_ACCESS);
    let org = InMemoryOrg::new(read_with_root_access(&[]));
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "+ organization_setting.trusted_service/iam.amazonaws.com",
            "+ organization_setting.root_access/credentials_management",
            "+ organization_setting.root_access/root_sessions",
        ],
        "trusted access for IAM first: AWS refuses the features without it"
    );
    assert!(plan.changes[1].reason.contains("root credentials management"), "{}", plan.changes[1].reason);
    apply_to(&org, &bp, &PlanOptions::default()).await;
    assert_eq!(
        org.snapshot().root_features,
        Some(BTreeSet::from([RootFeature::CredentialsManagement, RootFeature::RootSessions]))
    );
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty(), "converged");

    let sessions_off = blueprint(&ROOT_ACCESS.replace("root_sessions: true", "root_sessions: false"));
    let plan = plan_ok(&sessions_off, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["- organization_setting.root_access/root_sessions"]);
    apply_to(&org, &sessions_off, &PlanOptions::default()).await;
    assert_eq!(org.snapshot().root_features, Some(BTreeSet::from([RootFeature::CredentialsManagement])));
    assert!(plan_ok(&sessions_off, &org.snapshot(), &PlanOptions::default()).is_empty(), "converged");
}

#[test]
fn a_feature_the_blueprint_does_not_name_is_left_as_it_is() {
    let only_credentials = blueprint(
        "version: 1\norganization:\n  trusted_services: [iam.amazonaws.com]\n  root_access: {credentials_management: true}\n",
    );
    let mut live = read_with_root_access(&[RootFeature::CredentialsManagement, RootFeature::RootSessions]);
    live.trusted_services = Some(BTreeSet::from(["iam.amazonaws.com".to_string()]));
    assert!(plan_ok(&only_credentials, &live, &PlanOptions::default()).is_empty());

    let silent = blueprint("version: 1\n");
    assert!(plan_ok(&silent, &live, &PlanOptions::default()).is_empty(), "no root_access: nothing of it is planned");
}

#[test]
fn the_read_asks_for_root_access_only_when_the_blueprint_manages_it() {
    assert!(crate::engine::read_scope(&blueprint(ROOT_ACCESS)).root_access);
    assert!(!crate::engine::read_scope(&blueprint("version: 1\n")).root_access);
}
