//! The engine against AWS's documented evaluation: one row per rule of the Semantics in the
//! count-mode contract, and properties that hold for any policies.

use super::*;
use document::Statement;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[allow(clippy::needless_pass_by_value)]
fn policy(statements: Value) -> Policy {
    Policy::parse(&json!({"Version": "2012-10-17", "Statement": statements})).expect("a valid policy")
}

fn full_access() -> Policy {
    policy(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}))
}

/// A request with a complete context (absent keys are absent).
fn request(action: &str, resource: Option<&str>, keys: &[(&str, &[&str])]) -> Request<'static> {
    let mut context = Context::complete();
    for (key, values) in keys {
        context.set(key.to_string(), values.iter().map(ToString::to_string).collect::<Vec<_>>());
    }
    Request { action: action.into(), resource: resource.map(str::to_string), context }
}

/// The decision of one level holding FullAWSAccess and `tested`.
fn decide(tested: &Policy, request: &Request) -> Decision {
    let full = full_access();
    let levels = [Level { name: "Root".into(), policies: vec![("FullAWSAccess", &full), ("tested", tested)] }];
    evaluate_path(&levels, request).decision
}

/// Whether a condition block, in a Deny, applies: Denied when it holds.
#[allow(clippy::needless_pass_by_value)]
fn condition_holds(condition: Value, keys: &[(&str, &[&str])]) -> Decision {
    let deny = policy(json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}));
    decide(&deny, &request("s3:GetObject", Some("arn:aws:s3:::b/k"), keys))
}

use Decision::{Allowed, Denied, Inconclusive};

#[test]
fn every_level_needs_an_allow_and_any_deny_denies() {
    let full = full_access();
    let s3_only = policy(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}));
    let deny_s3 = policy(json!({"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}));
    fn level<'a>(name: &str, policies: Vec<(&'a str, &'a Policy)>) -> Level<'a> {
        Level { name: name.into(), policies }
    }
    let get = request("s3:GetObject", None, &[]);
    let run = request("ec2:RunInstances", None, &[]);
    // Every level allows: allowed.
    let path = [level("Root", vec![("FullAWSAccess", &full)]), level("A", vec![("FullAWSAccess", &full)])];
    assert_eq!(evaluate_path(&path, &run).decision, Allowed);
    // A level whose only Allow does not match: an implicit deny, naming that level.
    let path = [level("Root", vec![("FullAWSAccess", &full)]), level("A", vec![("s3-only", &s3_only)])];
    let outcome = evaluate_path(&path, &run);
    assert_eq!(outcome.decision, Denied);
    assert_eq!(outcome.reasons, [Reason::NoAllow { attached_to: "A", no_allow: true }]);
    assert_eq!(evaluate_path(&path, &get).decision, Allowed);
    // An explicit Deny at any level, whatever the others allow, naming the statement.
    let path = [
        level("Root", vec![("FullAWSAccess", &full), ("deny-s3", &deny_s3)]),
        level("A", vec![("FullAWSAccess", &full)]),
    ];
    let outcome = evaluate_path(&path, &get);
    assert_eq!(outcome.decision, Denied);
    assert_eq!(
        outcome.reasons,
        [Reason::Statement { policy: "deny-s3", attached_to: "Root", statement: "NoS3", effect: "Deny" }]
    );
    // A level with no policies at all allows nothing.
    assert_eq!(evaluate_path(&[level("Root", vec![])], &get).decision, Denied);
}

#[test]
fn calls_aws_always_lets_through_are_allowed_even_under_an_explicit_deny() {
    let deny_all = policy(json!({"Effect": "Deny", "Action": "*", "Resource": "*"}));
    assert_eq!(decide(&deny_all, &request("sts:GetCallerIdentity", None, &[])), Allowed);
    assert_eq!(decide(&deny_all, &request("sts:AssumeRole", None, &[])), Denied);
}

#[test]
fn statements_match_actions_resources_and_their_negations() {
    let rows: [(Value, &str, Option<&str>, Decision); 10] = [
        (json!({"Effect": "Deny", "Action": "S3:Get*", "Resource": "*"}), "s3:getobject", None, Denied),
        (json!({"Effect": "Deny", "Action": "s3:?etObject", "Resource": "*"}), "s3:GetObject", None, Denied),
        (json!({"Effect": "Deny", "Action": ["ec2:*", "s3:Put*"], "Resource": "*"}), "s3:GetObject", None, Allowed),
        (json!({"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}), "iam:CreateRole", None, Allowed),
        (json!({"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}), "ec2:RunInstances", None, Denied),
        (
            json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"}),
            "s3:GetObject",
            Some("arn:aws:s3:::logs/a"),
            Denied,
        ),
        (
            json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"}),
            "s3:GetObject",
            Some("arn:aws:s3:::Logs/a"),
            Allowed,
        ),
        (
            json!({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::logs/*"}),
            "s3:GetObject",
            Some("arn:aws:s3:::x/a"),
            Denied,
        ),
        // A resource the record does not carry decides only where the element is `*`.
        (
            json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"}),
            "s3:GetObject",
            None,
            Inconclusive,
        ),
        (json!({"Effect": "Deny", "Action": "s3:*"}), "s3:GetObject", None, Denied),
    ];
    for (i, (statement, action, resource, expected)) in rows.into_iter().enumerate() {
        let tested = policy(statement);
        let mut req = request(action, resource, &[]);
        req.context = Context::partial(&[]);
        assert_eq!(decide(&tested, &req), expected, "row {i}");
    }
}

#[test]
fn condition_keys_are_anded_and_values_ored() {
    let both =
        json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"], "aws:PrincipalTag/team": "web"}});
    assert_eq!(
        condition_holds(both.clone(), &[("aws:RequestedRegion", &["us-east-1"]), ("aws:PrincipalTag/team", &["web"])]),
        Denied
    );
    assert_eq!(
        condition_holds(both.clone(), &[("aws:RequestedRegion", &["us-east-1"]), ("aws:PrincipalTag/team", &["db"])]),
        Allowed
    );
    assert_eq!(
        condition_holds(both, &[("aws:RequestedRegion", &["ap-south-1"]), ("aws:PrincipalTag/team", &["web"])]),
        Allowed
    );
    // Key names compare without case; values with it.
    let cased = json!({"StringEquals": {"AWS:requestedregion": "eu-west-1"}});
    assert_eq!(condition_holds(cased.clone(), &[("aws:RequestedRegion", &["eu-west-1"])]), Denied);
    assert_eq!(condition_holds(cased, &[("aws:RequestedRegion", &["EU-WEST-1"])]), Allowed);
}

#[test]
fn negated_operators_with_several_values_must_match_none() {
    let outside = json!({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}});
    assert_eq!(condition_holds(outside.clone(), &[("aws:RequestedRegion", &["ap-south-1"])]), Denied);
    assert_eq!(condition_holds(outside.clone(), &[("aws:RequestedRegion", &["us-east-1"])]), Allowed);
    // An absent key makes a negated operator true, a positive one false.
    assert_eq!(condition_holds(outside, &[]), Denied);
    assert_eq!(condition_holds(json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}), &[]), Allowed);
}

#[test]
fn if_exists_is_true_on_an_absent_key_and_null_tests_presence() {
    let if_exists = json!({"StringEqualsIfExists": {"aws:PrincipalTag/team": "web"}});
    assert_eq!(condition_holds(if_exists.clone(), &[]), Denied);
    assert_eq!(condition_holds(if_exists.clone(), &[("aws:PrincipalTag/team", &["db"])]), Allowed);
    assert_eq!(condition_holds(if_exists, &[("aws:PrincipalTag/team", &["web"])]), Denied);
    let absent = json!({"Null": {"aws:PrincipalTag/team": "true"}});
    assert_eq!(condition_holds(absent.clone(), &[]), Denied);
    assert_eq!(condition_holds(absent, &[("aws:PrincipalTag/team", &["web"])]), Allowed);
    let present = json!({"Null": {"aws:PrincipalTag/team": "false"}});
    assert_eq!(condition_holds(present.clone(), &[]), Allowed);
    assert_eq!(condition_holds(present, &[("aws:PrincipalTag/team", &["web"])]), Denied);
}

#[test]
fn for_all_values_is_true_on_an_absent_or_empty_key_and_for_any_value_false() {
    let all = json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}});
    assert_eq!(condition_holds(all.clone(), &[]), Denied);
    assert_eq!(condition_holds(all.clone(), &[("aws:TagKeys", &[])]), Denied);
    assert_eq!(condition_holds(all.clone(), &[("aws:TagKeys", &["team", "env"])]), Denied);
    assert_eq!(condition_holds(all, &[("aws:TagKeys", &["team", "owner"])]), Allowed);
    let any = json!({"ForAnyValue:StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}});
    assert_eq!(condition_holds(any.clone(), &[]), Allowed);
    assert_eq!(
        condition_holds(any.clone(), &[("aws:CalledVia", &["athena.amazonaws.com", "cloudformation.amazonaws.com"])]),
        Denied
    );
    assert_eq!(condition_holds(any, &[("aws:CalledVia", &["athena.amazonaws.com"])]), Allowed);
}

#[test]
fn every_operator_family_compares_as_iam_documents() {
    let rows: [(&str, &str, &str, Decision); 24] = [
        ("StringEqualsIgnoreCase", "Web", "web", Denied),
        ("StringNotEqualsIgnoreCase", "Web", "web", Allowed),
        ("StringLike", "web-*", "web-prod", Denied),
        ("StringNotLike", "web-*", "db-prod", Denied),
        ("NumericLessThan", "3600", "120", Denied),
        ("NumericGreaterThanEquals", "3600", "3600", Denied),
        ("NumericEquals", "10", "ten", Allowed),
        ("NumericNotEquals", "10", "11", Denied),
        ("DateGreaterThan", "2024-01-01T00:00:00Z", "2024-05-01T10:00:00Z", Denied),
        ("DateLessThan", "2024-01-01", "2024-05-01T10:00:00+02:00", Allowed),
        ("DateEquals", "2024-05-01T10:00:00Z", "1714557600", Denied),
        ("DateLessThanEquals", "2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z", Denied),
        ("Bool", "true", "TRUE", Denied),
        ("Bool", "true", "false", Allowed),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", Denied),
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", Denied),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", Allowed),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", Denied),
        ("IpAddress", "2001:db8::/32", "2001:db8:85a3::8a2e:370:7334", Denied),
        ("IpAddress", "2001:db8::/32", "203.0.113.7", Allowed),
        ("ArnLike", "arn:aws:iam::*:role/admin-*", "arn:aws:iam::111122223333:role/admin-x", Denied),
        ("ArnEquals", "arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b", Allowed),
        ("ArnNotLike", "arn:aws:iam::*:role/admin-*", "arn:aws:iam::111122223333:role/dev", Denied),
        ("ArnNotEquals", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/a", Allowed),
    ];
    for (operator, policy_value, context_value, expected) in rows {
        let condition = json!({ operator: {"k": policy_value} });
        assert_eq!(
            condition_holds(condition, &[("k", &[context_value])]),
            expected,
            "{operator} {policy_value} ~ {context_value}"
        );
    }
}

#[test]
fn policy_variables_are_substituted_where_known() {
    let own = json!({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"});
    let deny = policy(own);
    let named = |name: &str, key: &str| request("s3:GetObject", Some(key), &[("aws:username", &[name])]);
    assert_eq!(decide(&deny, &named("ann", "arn:aws:s3:::home/ann/x")), Allowed);
    assert_eq!(decide(&deny, &named("ann", "arn:aws:s3:::home/bob/x")), Denied);
    let defaulted = json!({"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/default, 'web'}"}});
    assert_eq!(condition_holds(defaulted, &[("aws:PrincipalTag/team", &["web"])]), Denied);
    let escaped = json!({"StringLike": {"k": "a${*}b"}});
    assert_eq!(condition_holds(escaped.clone(), &[("k", &["a*b"])]), Denied);
    assert_eq!(condition_holds(escaped, &[("k", &["aXb"])]), Allowed, "${{*}} is a literal *");
}

#[test]
fn an_unknown_key_is_inconclusive_only_where_it_could_change_the_decision() {
    let regions = policy(json!({"Sid": "Regions", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}, "StringEquals": {"aws:PrincipalTag/team": "contractor"}}}));
    let event = |region: &'static str| Request {
        action: "ec2:RunInstances".into(),
        resource: None,
        context: Context::partial(&["aws:RequestedRegion"]).with("aws:RequestedRegion", region),
    };
    // The region alone decides the Deny is off: the unknown tag does not matter.
    assert_eq!(decide(&regions, &event("eu-west-1")), Allowed);
    // Outside the region, the unknown tag decides: inconclusive, naming it.
    let full = full_access();
    let levels = [Level { name: "Root".into(), policies: vec![("FullAWSAccess", &full), ("regions", &regions)] }];
    let outcome = evaluate_path(&levels, &event("ap-south-1"));
    assert_eq!(outcome.decision, Inconclusive);
    assert_eq!(outcome.unknown_keys.into_iter().collect::<Vec<_>>(), ["aws:PrincipalTag/team"]);
    // A known key that the record does not carry is absent, not unknown.
    let absent = Request {
        action: "ec2:RunInstances".into(),
        resource: None,
        context: Context::partial(&["aws:RequestedRegion"]),
    };
    assert_eq!(decide(&regions, &absent), Inconclusive, "an absent region makes StringNotEquals true; the tag decides");
}

#[test]
fn documents_parse_in_every_shape_iam_accepts_and_refuse_the_rest() {
    let single = Policy::parse(&json!({"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}})).unwrap();
    assert_eq!(single.statements.len(), 1);
    let numbers = Policy::parse(&json!({"Statement": [{"Effect": "Deny", "Action": "*", "Condition": {"NumericLessThan": {"k": 5}, "Bool": {"b": true}}}]})).unwrap();
    assert_eq!(numbers.statements[0].conditions.len(), 2);
    for bad in [
        json!({}),
        json!({"Statement": [{"Effect": "Maybe", "Action": "*"}]}),
        json!({"Statement": [{"Effect": "Deny"}]}),
        json!({"Statement": [{"Effect": "Deny", "Action": "*", "NotAction": "s3:*"}]}),
        json!({"Statement": [{"Effect": "Deny", "Action": "*", "Condition": {"StringSortOf": {"k": "v"}}}]}),
        json!({"Statement": [{"Effect": "Deny", "Action": "*", "Condition": {"NullIfExists": {"k": "true"}}}]}),
    ] {
        assert!(Policy::parse(&bad).is_err(), "{bad}");
    }
}

/// Generated statements over a few actions, resources and one condition key.
fn statement() -> impl Strategy<Value = Value> {
    let actions = prop::sample::select(vec![
        json!("*"),
        json!("s3:*"),
        json!("s3:GetObject"),
        json!("ec2:*"),
        json!("ec2:Run*"),
        json!("iam:?reateRole"),
        json!("S3:get*"),
        json!("*:Get*"),
        json!("s3*"),
        json!(["iam:CreateRole", "EC2:Run*"]),
    ]);
    let resources = prop::sample::select(vec!["*", "arn:aws:s3:::b/*", "arn:aws:s3:::other"]);
    let regions = prop::sample::select(vec!["eu-west-1", "us-east-1"]);
    (any::<bool>(), any::<bool>(), actions, resources, proptest::option::of((any::<bool>(), regions))).prop_map(
        |(deny, not_action, action, resource, condition)| {
            let mut s = json!({"Effect": if deny { "Deny" } else { "Allow" }, "Resource": resource});
            s[if not_action { "NotAction" } else { "Action" }] = action;
            if let Some((negated, region)) = condition {
                let op = if negated { "StringNotEquals" } else { "StringEquals" };
                s["Condition"] = json!({ op: {"aws:RequestedRegion": region} });
            }
            s
        },
    )
}

fn requests() -> impl Strategy<Value = Request<'static>> {
    let actions = prop::sample::select(vec![
        "s3:GetObject",
        "s3:PutObject",
        "ec2:RunInstances",
        "EC2:RunInstances",
        "iam:CreateRole",
    ]);
    let resources = prop::sample::select(vec![Some("arn:aws:s3:::b/k"), Some("arn:aws:s3:::other"), None]);
    let regions = prop::sample::select(vec![Some("eu-west-1"), Some("ap-south-1"), None]);
    (actions, resources, regions).prop_map(|(action, resource, region)| {
        let mut context = Context::partial(&["aws:RequestedRegion"]);
        if let Some(region) = region {
            context.set("aws:RequestedRegion", vec![region.to_string()]);
        }
        Request { action: action.into(), resource: resource.map(str::to_string), context }
    })
}

proptest! {
    /// Looking only at the statements indexed under the action's service leaves out none that
    /// could apply, and keeps document order.
    #[test]
    fn the_index_by_service_never_hides_a_statement_that_could_apply(
        statements in proptest::collection::vec(statement(), 1..6),
        req in requests(),
    ) {
        let policy = policy(json!(statements));
        let candidates: Vec<&Statement> = policy.candidates(&req.action).collect();
        let at = |s: &Statement| policy.statements.iter().position(|t| std::ptr::eq(s, t));
        prop_assert!(candidates.windows(2).all(|w| at(w[0]) < at(w[1])), "in document order");
        for statement in &policy.statements {
            if super::evaluate::applies(statement, &req, &mut BTreeSet::new()) != Tri::False {
                prop_assert!(candidates.iter().any(|c| std::ptr::eq(*c, statement)), "{statement:?} for {}", req.action);
            }
        }
    }

    /// Adding a Deny anywhere never turns a denial into an allowance.
    #[test]
    fn adding_a_deny_never_allows_more(
        levels in proptest::collection::vec(proptest::collection::vec(statement(), 0..4), 1..4),
        extra in statement(),
        at in 0..4usize,
        req in requests(),
    ) {
        let policies: Vec<Policy> = levels.iter().map(|s| policy(json!(s))).collect();
        let mut deny = extra.clone();
        deny["Effect"] = json!("Deny");
        let deny = policy(deny);
        let build = |with: Option<(usize, &Policy)>| -> Decision {
            let levels: Vec<Level> = policies.iter().enumerate().map(|(i, p)| {
                let mut attached = vec![("p", p)];
                if let Some((at, d)) = with && at % policies.len() == i {
                    attached.push(("deny", d));
                }
                Level { name: format!("L{i}"), policies: attached }
            }).collect();
            evaluate_path(&levels, &req).decision
        };
        let before = build(None);
        let after = build(Some((at, &deny)));
        prop_assert!(!(before == Denied && after != Denied), "{before:?} → {after:?}");
        prop_assert!(!(before == Inconclusive && after == Allowed), "{before:?} → {after:?}");
    }

    /// A level holding only FullAWSAccess never changes a decision.
    #[test]
    fn a_level_of_only_full_aws_access_changes_nothing(
        levels in proptest::collection::vec(proptest::collection::vec(statement(), 0..4), 1..4),
        at in 0..4usize,
        req in requests(),
    ) {
        let policies: Vec<Policy> = levels.iter().map(|s| policy(json!(s))).collect();
        let full = full_access();
        let mut path: Vec<Level> = policies.iter().enumerate().map(|(i, p)| Level { name: format!("L{i}"), policies: vec![("p", p)] }).collect();
        let before = evaluate_path(&path, &req).decision;
        path.insert(at % (path.len() + 1), Level { name: "full".into(), policies: vec![("FullAWSAccess", &full)] });
        prop_assert_eq!(evaluate_path(&path, &req).decision, before);
    }

    /// Knowing what was unknown (here the resource) never contradicts a definite decision.
    #[test]
    fn knowing_a_value_never_contradicts_a_definite_decision(
        levels in proptest::collection::vec(proptest::collection::vec(statement(), 0..4), 1..4),
        req in requests(),
        resource in prop::sample::select(vec!["arn:aws:s3:::b/k", "arn:aws:s3:::other"]),
    ) {
        let policies: Vec<Policy> = levels.iter().map(|s| policy(json!(s))).collect();
        let path: Vec<Level> = policies.iter().enumerate().map(|(i, p)| Level { name: format!("L{i}"), policies: vec![("p", p)] }).collect();
        let partial = evaluate_path(&path, &req).decision;
        let mut known = req.clone();
        known.resource.get_or_insert_with(|| resource.to_string());
        let full = evaluate_path(&path, &known).decision;
        prop_assert_ne!(full, Inconclusive, "with everything known");
        if partial != Inconclusive {
            prop_assert_eq!(full, partial);
        }
    }
}
