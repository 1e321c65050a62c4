//! The schema against the parser: every key each section takes is in it (found by asking the
//! parser itself which keys it expects), and nothing else is.

use super::*;
use crate::blueprint::MemoryFiles;
use std::collections::BTreeSet;
use std::path::Path;

/// The keys the parser takes at `path` (a YAML prefix that opens the mapping), read from the
/// error it gives for a key it does not know.
fn keys_the_parser_takes(yaml_before: &str, indent: usize) -> BTreeSet<String> {
    let yaml = format!("{yaml_before}{}zz_not_a_key: 1\n", " ".repeat(indent));
    let errors = crate::blueprint::parse(Path::new("lz.yaml"), &yaml, &MemoryFiles::default()).expect_err(&yaml);
    let text = errors.issues[0].to_string();
    let expected = text.split("expected one of ").nth(1).unwrap_or_else(|| panic!("{yaml}\n{text}"));
    let line = expected.lines().next().unwrap_or_default();
    line.split(", ").map(|k| k.trim_matches(['`', ' ']).to_string()).collect()
}

fn keys_in_schema(schema: &Value, definition: Option<&str>) -> BTreeSet<String> {
    let object = match definition {
        Some(name) => &schema["definitions"][name],
        None => schema,
    };
    object["properties"].as_object().unwrap_or_else(|| panic!("{definition:?}")).keys().cloned().collect()
}

#[test]
fn every_section_has_exactly_the_keys_the_parser_takes() {
    let schema = schema();
    let cases: [(&str, usize, Option<&str>); 10] = [
        ("version: 1\n", 0, None),
        ("version: 1\norganization:\n", 2, Some("Organization")),
        ("version: 1\norganization:\n  root_access:\n", 4, Some("RootAccess")),
        ("version: 1\norganizational_units:\n  A:\n", 4, Some("Ou")),
        ("version: 1\naccounts:\n  a:\n    email: a@example.com\n", 4, Some("Account")),
        ("version: 1\npolicies:\n  p:\n", 4, Some("Policy")),
        ("version: 1\nidentity_center:\n", 2, Some("IdentityCenter")),
        ("version: 1\nidentity_center:\n  permission_sets:\n    P:\n", 6, Some("PermissionSet")),
        ("version: 1\nstack_sets:\n  s:\n", 4, Some("StackSet")),
        ("version: 1\nquotas:\n", 2, Some("Quotas")),
    ];
    for (yaml, indent, definition) in cases {
        assert_eq!(keys_the_parser_takes(yaml, indent), keys_in_schema(&schema, definition), "{definition:?}");
    }
}

#[test]
fn known_values_come_from_the_model() {
    let schema = schema();
    let types = schema["definitions"]["Policy"]["properties"]["type"]["enum"].as_array().unwrap();
    assert_eq!(types.len(), PolicyType::ALL.len());
    assert_eq!(
        schema["definitions"]["Account"]["properties"]["lifecycle"]["enum"],
        json!(["active", "suspended", "closed"])
    );
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
}
