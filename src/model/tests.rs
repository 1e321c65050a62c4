//! Normalized documents and OU paths.

use super::*;
use serde_json::json;

#[test]
fn reordered_keys_and_single_values_normalize_equal() {
    let a = json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": ["*"]}});
    let b = json!({"Statement": [{"Resource": "*", "Action": ["s3:*"], "Effect": "Deny"}], "Version": "2012-10-17"});
    assert_eq!(normalize_policy(&a), normalize_policy(&b));
    assert_eq!(pretty(&normalize_policy(&a)), pretty(&normalize_policy(&b)), "printed alike too");
}

#[test]
fn a_real_difference_survives_normalization() {
    let a = json!({"Statement": [{"Effect": "Deny", "Action": ["s3:*", "ec2:*"]}]});
    let b = json!({"Statement": [{"Effect": "Deny", "Action": ["s3:*"]}]});
    assert_ne!(normalize_policy(&a), normalize_policy(&b));
}

#[test]
fn action_order_and_condition_values_are_sets() {
    let a = json!({"Statement": [{"Effect": "Deny", "Action": ["b:*", "a:*"],
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]});
    let b = json!({"Statement": [{"Effect": "Deny", "Action": ["a:*", "b:*"],
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]});
    assert_eq!(normalize_policy(&a), normalize_policy(&b));
}

#[test]
fn times_print_as_rfc_3339() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_764_066_360), "2025-11-25T10:26:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z", "a leap day");
}

#[test]
fn ou_paths_have_one_root_and_one_rule_for_under() {
    let sdlc = OuPath::parse("Foundational/Workloads/SDLC");
    assert_eq!((sdlc.parent().as_str(), sdlc.name(), sdlc.depth()), ("Foundational/Workloads", "SDLC".into(), 3));
    assert_eq!(OuPath::parse("Foundational").parent(), OuPath::root());
    assert_eq!(OuPath::parse("Root"), OuPath::root());
    assert_eq!(OuPath::parse(""), OuPath::root());
    assert_eq!(
        (OuPath::root().to_string(), OuPath::root().name(), OuPath::root().depth()),
        ("Root".into(), "Root".into(), 0)
    );
    assert_eq!(OuPath::root().child("A").child("B"), OuPath::parse("A/B"));
    assert_eq!((OuPath::root().qualified(), OuPath::parse("A/B").qualified()), ("Root".into(), "Root/A/B".into()));
    for (written, path) in [("Root", ""), ("Root/", ""), ("Root/A/B", "A/B"), ("A/B/", "A/B"), ("Rooted", "Rooted")] {
        assert_eq!(OuPath::parse_qualified(written).as_str(), path, "{written}");
    }
    let workloads = OuPath::parse("Foundational/Workloads");
    assert!(workloads.contains(&sdlc) && workloads.contains(&workloads));
    assert!(OuPath::root().contains(&sdlc) && OuPath::root().contains(&OuPath::root()));
    assert!(!sdlc.contains(&workloads));
    assert!(!workloads.contains(&OuPath::parse("Foundational/WorkloadsOld")), "a prefix of the name is not under");
    assert!(!workloads.contains(&OuPath::root()));
}

#[test]
fn ou_paths_serialize_as_written_and_read_root_either_way() {
    let paths = [OuPath::root(), OuPath::parse("A/B")];
    assert_eq!(serde_json::to_string(&paths).unwrap(), r#"["","A/B"]"#);
    let read: Vec<OuPath> = serde_json::from_str(r#"["", "Root", "A/B"]"#).unwrap();
    assert_eq!(read, [OuPath::root(), OuPath::root(), OuPath::parse("A/B")]);
}

/// Any name AWS allows an OU, `/`, `\`, `Root`, spaces and unicode included, survives being a
/// part of a path: written, read back, and taken apart again.
mod any_ou_name {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Root".to_string()),
            Just("\\".to_string()),
            Just("/".to_string()),
            "[ a-zA-Z/\\\\#'\"é日:-]{1,12}",
        ]
    }

    proptest! {
        #[test]
        fn round_trips(names in proptest::collection::vec(name(), 1..=5)) {
            let path = OuPath::from_names(names.iter().map(String::as_str));
            prop_assert_eq!(path.depth(), names.len());
            prop_assert_eq!(path.names(), names.clone());
            prop_assert_eq!(path.name(), names.last().unwrap().as_str());
            prop_assert_eq!(path.parent(), OuPath::from_names(names[..names.len() - 1].iter().map(String::as_str)));
            prop_assert_eq!(OuPath::parse(&path.to_string()), path.clone(), "written: {}", path);
            prop_assert_eq!(OuPath::parse_qualified(&path.qualified()), path.clone(), "qualified: {}", path.qualified());
            let json = serde_json::to_string(&path).unwrap();
            prop_assert_eq!(serde_json::from_str::<OuPath>(&json).unwrap(), path.clone());
            prop_assert!(path.parent().contains(&path));
            prop_assert!(!path.contains(&path.parent()));
        }

        #[test]
        fn a_name_with_a_slash_is_not_a_parent(first in name(), second in name()) {
            let nested = OuPath::from_names([first.as_str(), second.as_str()]);
            let joined = OuPath::from_names([format!("{first}/{second}").as_str()]);
            prop_assert_ne!(&nested, &joined);
            prop_assert!(!OuPath::from_names([first.as_str()]).contains(&joined));
            prop_assert_eq!(joined.depth(), 1);
        }
    }

    #[test]
    fn escapes_are_written_as_documented() {
        assert_eq!(OuPath::from_names(["a/b", "c"]).to_string(), "a\\/b/c");
        assert_eq!(OuPath::from_names(["back\\slash"]).to_string(), "back\\\\slash");
        assert_eq!(OuPath::from_names(["Root"]).to_string(), "\\Root");
        assert_eq!(OuPath::from_names(["Root", "X"]).to_string(), "Root/X");
        assert_eq!(OuPath::parse("\\Root"), OuPath::from_names(["Root"]));
        assert_eq!(OuPath::parse("Root/Root"), OuPath::from_names(["Root", "Root"]));
        assert_eq!(OuPath::parse_qualified("Root/Root"), OuPath::from_names(["Root"]));
    }
}
