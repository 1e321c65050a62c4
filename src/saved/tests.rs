//! Saved plans: round trips, edits detected, what changed, digests.

use super::*;
use crate::testing::fresh_org;

fn body() -> Body {
    let live = fresh_org();
    let parts = state_parts(&live, &BTreeMap::new());
    Body {
        organization_id: None,
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        blueprint: "lz.yaml".into(),
        blueprint_digest: blueprint_digest(&[("lz.yaml".into(), b"version: 1\n".as_slice())]),
        blueprint_from_plan: Some("lz.yaml".into()),
        file_digests: file_digests(&[("lz.yaml".into(), b"version: 1\n".as_slice())]),
        creator: "arn:aws:sts::111111111111:assumed-role/planner/ci".into(),
        requested_by: Some("alice@example.com".into()),
        rule: None,
        created_at: "2026-11-24T18:00:00Z".into(),
        scope: ReadScope::default(),
        options: PlanOptions::default(),
        state_fingerprint: fingerprint(&parts),
        state_parts: parts,
        plan: Plan::default(),
    }
}

#[test]
fn a_saved_plan_round_trips_and_an_edit_is_detected() {
    let saved = SavedPlan::new(body());
    let text = saved.to_json();
    assert_eq!(SavedPlan::parse("p.json", &text).unwrap(), saved);
    let edited = text.replace("planner/ci", "planner/someone-else");
    assert!(matches!(SavedPlan::parse("p.json", &edited), Err(SavedPlanError::Altered)));
    let other_version =
        text.replace(&format!("\"tool_version\": \"{}\"", env!("CARGO_PKG_VERSION")), "\"tool_version\": \"0.0.1\"");
    assert!(matches!(SavedPlan::parse("p.json", &other_version), Err(SavedPlanError::Version { .. })));
}

#[test]
fn what_changed_names_the_parts() {
    let mut live = fresh_org();
    let keys = BTreeMap::from([(crate::testing::MANAGEMENT.to_string(), "management".to_string())]);
    let then = state_parts(&live, &keys);
    live.accounts.get_mut(crate::testing::MANAGEMENT).unwrap().name = "renamed".into();
    let now = state_parts(&live, &keys);
    assert_ne!(fingerprint(&then), fingerprint(&now));
    assert_eq!(what_changed(&then, &now), ["account.management changed"]);
    live.policies.clear();
    assert_eq!(
        what_changed(&then, &state_parts(&live, &keys)),
        ["account.management changed", "policy.FullAWSAccess is gone"]
    );
}

#[test]
fn dates_are_rfc_3339() {
    let now = now_rfc3339();
    assert_eq!(now.len(), 20, "{now}");
    assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
}

#[test]
fn the_blueprint_digest_covers_names_and_contents() {
    let a = blueprint_digest(&[("a".into(), b"x".as_slice())]);
    assert_ne!(a, blueprint_digest(&[("a".into(), b"y".as_slice())]));
    assert_ne!(a, blueprint_digest(&[("b".into(), b"x".as_slice())]));
    assert_eq!(a, blueprint_digest(&[("a".into(), b"x".as_slice())]));
}

#[test]
fn which_file_of_the_blueprint_changed_is_named() {
    let then = file_digests(&[("lz.yaml".into(), b"version: 1\n".as_slice()), ("p.json".into(), b"{}".as_slice())]);
    let now = file_digests(&[
        ("lz.yaml".into(), b"version: 1\n".as_slice()),
        ("p.json".into(), b"{ }".as_slice()),
        ("t.yaml".into(), b"x".as_slice()),
    ]);
    assert_eq!(files_changed(&then, &now), ["p.json changed", "t.yaml is new"]);
    assert_eq!(files_changed(&now, &then), ["p.json changed", "t.yaml is no longer named"]);
    assert!(files_changed(&then, &then).is_empty());
}

#[test]
fn fields_added_since_a_plan_was_saved_leave_its_digest_as_it_was() {
    // A body as an earlier build wrote it: without the fields added since, which are left out
    // of the JSON when empty, so the digest it was signed under still holds.
    let mut old = body();
    old.blueprint_from_plan = None;
    old.file_digests.clear();
    let text = serde_json::to_string(&old).unwrap();
    for key in [
        "blueprint_from_plan",
        "file_digests",
        "exclude",
        "excluded",
        "effective",
        "root_access",
        "management_documents",
    ] {
        assert!(!text.contains(&format!("\"{key}\"")), "{key} is written when empty");
    }
}
