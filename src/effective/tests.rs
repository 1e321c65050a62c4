//! The merge from tables built from AWS's documented inheritance examples (Organizations User
//! Guide, "Inheritance examples" 1–6, on its organization: the root, OU1 with accounts
//! 111111111111 and 222222222222, OU2 with account 999999999999). Where the page's printed
//! result contradicts its own rules (example 3 nests `enforced_for` inside `tag_value`;
//! example 4 prints the key as "project" though the locked value is "Project"; example 6
//! prints " PROJECT" and an "Escalations" no policy sets), the rule is what is tested.

use super::*;
use serde_json::json;

fn policy_a() -> Value {
    json!({"tags": {"costcenter": {
        "tag_key": {"@@assign": "CostCenter"},
        "tag_value": {"@@assign": ["Development", "Support"]}
    }}})
}

#[test]
fn example_1_a_child_assign_overwrites_the_inherited_values() {
    let b = json!({"tags": {"costcenter": {
        "tag_key": {"@@assign": "CostCenter"},
        "tag_value": {"@@assign": ["Sandbox"]},
        "enforced_for": {"@@assign": ["redshift:*", "dynamodb:table"]}
    }}});
    let a = policy_a();
    assert_eq!(
        effective(&[vec![&a], vec![&b], vec![]]),
        Some(json!({"tags": {"costcenter": {
            "tag_key": "CostCenter",
            "tag_value": ["Sandbox"],
            "enforced_for": ["redshift:*", "dynamodb:table"]
        }}}))
    );
}

fn policy_c() -> Value {
    json!({"tags": {"costcenter": {
        "tag_key": {"@@assign": "CostCenter"},
        "tag_value": {"@@append": ["Marketing"]},
        "enforced_for": {"@@append": ["redshift:*", "dynamodb:table"]}
    }}})
}

#[test]
fn example_2_a_child_append_adds_to_the_inherited_values() {
    let (a, c) = (policy_a(), policy_c());
    assert_eq!(
        effective(&[vec![&a], vec![&c], vec![]]),
        Some(json!({"tags": {"costcenter": {
            "tag_key": "CostCenter",
            "tag_value": ["Development", "Support", "Marketing"],
            "enforced_for": ["redshift:*", "dynamodb:table"]
        }}}))
    );
}

#[test]
fn example_3_an_account_policy_removes_values_and_a_list_emptied_is_gone() {
    let d = json!({"tags": {"costcenter": {
        "tag_key": {"@@assign": "CostCenter"},
        "tag_value": {"@@remove": ["Development", "Marketing"]},
        "enforced_for": {"@@remove": ["redshift:*", "dynamodb:table"]}
    }}});
    let (a, c) = (policy_a(), policy_c());
    assert_eq!(
        effective(&[vec![&a], vec![&c], vec![&d]]),
        Some(json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Support"]}}})),
        "only Support is compliant for 999999999999, and compliance is not enforced"
    );
    // Another account of OU2, without policy D, keeps A and C.
    assert_eq!(effective(&[vec![&a], vec![&c], vec![]]), effective(&[vec![&a], vec![&c]]));
}

#[test]
fn example_4_child_control_operators_lock_the_key_and_allow_only_appending_values() {
    let e = json!({"tags": {"project": {
        "tag_key": {"@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "Project"},
        "tag_value": {"@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance", "Escalations"]}
    }}});
    let f = json!({"tags": {"project": {
        "tag_key": {"@@assign": "PROJECT"},
        "tag_value": {"@@append": ["Escalations - research"]}
    }}});
    assert_eq!(
        effective(&[vec![&e], vec![&f], vec![]]),
        Some(json!({"tags": {"project": {
            "tag_key": "Project",
            "tag_value": ["Maintenance", "Escalations", "Escalations - research"]
        }}}))
    );
    // Appending is allowed, overwriting is not: a child's @@assign of the values is ignored too.
    let overwrite = json!({"tags": {"project": {"tag_value": {"@@assign": ["Other"]}}}});
    let merged = effective(&[vec![&e], vec![&overwrite]]).unwrap();
    assert_eq!(merged["tags"]["project"]["tag_value"], json!(["Maintenance", "Escalations"]));
    // The restriction binds every level below, not only the next.
    let deeper = effective(&[vec![&e], vec![], vec![&f]]).unwrap();
    assert_eq!(deeper["tags"]["project"]["tag_key"], "Project");
}

#[test]
fn example_5_child_control_operators_at_one_level_intersect() {
    let g = json!({"tags": {"project": {"tag_value": {
        "@@operators_allowed_for_child_policies": ["@@append"],
        "@@assign": ["Maintenance"]
    }}}});
    let h = json!({"tags": {"project": {"tag_value": {
        "@@operators_allowed_for_child_policies": ["@@append", "@@remove"]
    }}}});
    let child = json!({"tags": {"project": {"tag_value": {"@@append": ["Research"], "@@remove": ["Maintenance"]}}}});
    assert_eq!(
        effective(&[vec![&g, &h], vec![&child]]),
        Some(json!({"tags": {"project": {"tag_value": ["Maintenance", "Research"]}}})),
        "the child may append but not remove Maintenance"
    );
    // In the other order the intersection is the same.
    assert_eq!(effective(&[vec![&h, &g], vec![&child]]), effective(&[vec![&g, &h], vec![&child]]));
}

#[test]
fn example_6_at_one_level_the_policy_attached_first_sets_the_value() {
    let j =
        json!({"tags": {"project": {"tag_key": {"@@assign": "PROJECT"}, "tag_value": {"@@append": ["Maintenance"]}}}});
    let k = json!({"tags": {"project": {"tag_key": {"@@assign": "project"}}}});
    assert_eq!(
        effective(&[vec![&j, &k], vec![]]),
        Some(json!({"tags": {"project": {"tag_key": "PROJECT", "tag_value": ["Maintenance"]}}}))
    );
    // Attached the other way round, the other key wins.
    let swapped = effective(&[vec![&k, &j]]).unwrap();
    assert_eq!(swapped["tags"]["project"]["tag_key"], "project");
}

#[test]
fn nothing_attached_is_no_effective_policy_and_operators_never_show() {
    assert_eq!(effective(&[vec![], vec![], vec![]]), None);
    let only_control = json!({"tags": {"x": {"tag_value": {"@@operators_allowed_for_child_policies": ["@@none"]}}}});
    assert_eq!(effective(&[vec![&only_control]]), None, "a restriction alone sets nothing");
}

#[test]
fn a_locked_object_keeps_children_from_adding_settings_below_it() {
    // Backup policies lock whole plans: no child may change or add anything in them.
    let root = json!({"plans": {"pii": {
        "@@operators_allowed_for_child_policies": ["@@none"],
        "regions": {"@@assign": ["us-east-1"]}
    }}});
    let ou = json!({"plans": {
        "pii": {"regions": {"@@append": ["eu-west-1"]}, "rules": {"hourly": {"schedule_expression": {"@@assign": "cron(0 * * * ? *)"}}}},
        "team": {"regions": {"@@assign": ["eu-west-1"]}}
    }});
    assert_eq!(
        effective(&[vec![&root], vec![&ou]]),
        Some(json!({"plans": {"pii": {"regions": ["us-east-1"]}, "team": {"regions": ["eu-west-1"]}}})),
        "the locked plan is as the root says; a new plan beside it is the OU's to add"
    );
}

#[test]
fn declarative_policies_merge_like_the_others() {
    let root = json!({"ec2_attributes": {"image_block_public_access": {"state": {"@@assign": "block_new_sharing"}}}});
    let sandbox = json!({"ec2_attributes": {"image_block_public_access": {"state": {"@@assign": "unblocked"}}}});
    let value = |levels: &[Vec<&Value>]| {
        effective(levels).unwrap()["ec2_attributes"]["image_block_public_access"]["state"].clone()
    };
    assert_eq!(value(&[vec![&root], vec![]]), "block_new_sharing");
    assert_eq!(value(&[vec![&root], vec![&sandbox]]), "unblocked", "no child control operator: the OU overrides");
}
