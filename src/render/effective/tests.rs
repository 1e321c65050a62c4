//! The effective view as people read it: the blueprint's alone, AWS agreeing though its lists
//! are in another order, and AWS differing (a diff from AWS to the blueprint).

use super::*;

fn tag(values: &[&str]) -> Option<Value> {
    Some(json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": values}}}))
}

fn report<'a>(blueprint: &'a Option<Value>, aws: Option<&'a Option<Value>>) -> EffectiveReport<'a> {
    EffectiveReport {
        account: "web",
        account_id: aws.map(|_| "222222222222"),
        policy_type: PolicyType::TagPolicy,
        blueprint,
        aws,
    }
}

#[test]
fn the_blueprints_effective_policy_alone() {
    let ours = tag(&["Development", "Support"]);
    insta::assert_snapshot!(report(&ours, None).human());
    let none = None;
    assert!(report(&none, None).human().contains("(none: no policy of this type reaches the account)"));
}

#[test]
fn aws_agrees_whatever_the_order_of_its_lists() {
    let (ours, theirs) = (tag(&["Development", "Support"]), tag(&["Support", "Development"]));
    let r = report(&ours, Some(&theirs));
    assert!(r.agrees());
    assert!(r.human().ends_with("\nAWS agrees with the blueprint.\n"), "{}", r.human());
    assert_eq!(r.json()["agrees"], true);
}

#[test]
fn aws_differing_shows_the_difference() {
    let (ours, theirs) = (tag(&["Development", "Marketing", "Support"]), tag(&["Development", "Support"]));
    let r = report(&ours, Some(&theirs));
    assert!(!r.agrees());
    insta::assert_snapshot!(r.human());
    assert_eq!(r.json()["aws"], theirs.unwrap());
    let nothing = None;
    assert!(!report(&ours, Some(&nothing)).agrees(), "no policy in AWS yet");
}
