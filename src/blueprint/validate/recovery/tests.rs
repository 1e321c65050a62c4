//! Blanking an entry from tables: block and flow entries, first, middle and last in a flow
//! mapping, a value of the wrong shape, a key in a sequence item, a compact sequence; every
//! result keeps the file's length and line breaks and reads as the same YAML less that entry.

use super::*;
use serde_json::{Value, json};

fn read(yaml: &str) -> Value {
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml:?}: {e}"))
}

fn blanked(yaml: &str, at: &str) -> Value {
    let offset = yaml.find(at).expect("the marker");
    let out = blank_entry(yaml, offset).unwrap_or_else(|| panic!("cannot blank {at:?} in {yaml:?}"));
    assert_eq!(out.len(), yaml.len(), "same length");
    assert_eq!(out.matches('\n').count(), yaml.matches('\n').count(), "same lines");
    read(&out)
}

#[test]
fn an_entry_is_blanked_wherever_it_stands() {
    let block = "version: 1\nbogus:\n  a: 1\n  b: [x,\n    y]\n\n  # note\npolicies: {}\n";
    assert_eq!(blanked(block, "bogus"), json!({"version": 1, "policies": {}}));
    let flow = "a: {email: x@y.z, bogus: {q: [1, 2]}, ou: A}\n";
    assert_eq!(blanked(flow, "bogus"), json!({"a": {"email": "x@y.z", "ou": "A"}}));
    assert_eq!(blanked("a: {email: x, bogus: 1}\n", "bogus"), json!({"a": {"email": "x"}}));
    assert_eq!(blanked("a: {bogus: 'a, b}', email: x}\n", "bogus"), json!({"a": {"email": "x"}}));
    let shape = "ps:\n  P:\n    customer_managed_policies: [name]\n    session_duration: PT1H\n";
    assert_eq!(blanked(shape, "name]"), json!({"ps": {"P": {"session_duration": "PT1H"}}}));
    let item = "as:\n  - group: G\n    bogus: x\n    permission_set: P\n";
    assert_eq!(blanked(item, "bogus"), json!({"as": [{"group": "G", "permission_set": "P"}]}));
    let first = "as:\n  - bogus: x\n    group: G\n";
    assert_eq!(blanked(first, "bogus"), json!({"as": [{"group": "G"}]}));
    let compact = "bogus:\n- a\n- b\nversion: 1\n";
    assert_eq!(blanked(compact, "bogus"), json!({"version": 1}));
    let inline = "x: 1\nbogus: yes  # a comment\ny: 2\n";
    assert_eq!(blanked(inline, "bogus"), json!({"x": 1, "y": 2}));
}

#[test]
fn rust_type_names_become_the_blueprints_words_with_a_hint() {
    let (words, hint) = shape_words("invalid type: string \"name\", expected struct RawPolicyReference");
    assert_eq!(words, "invalid type: string \"name\", expected a policy reference");
    assert_eq!(hint.as_deref(), Some("each entry is {name: NAME, path: /PATH/} (path optional)"));
    assert_eq!(shape_words("unknown field `x`"), ("unknown field `x`".to_string(), None));
}
