//! The blueprint's JSON Schema as editors and CI use it: `lzctl schema` is the shipped
//! `schema/blueprint.schema.json`; every shipped and example blueprint names it in its first
//! line and passes it (checked by an independent validator, check-jsonschema); blueprints with
//! the mistakes an editor should catch fail it.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn check_jsonschema(schema: &Path, files: &[PathBuf]) -> std::process::Output {
    Command::new(format!("{MANIFEST_DIR}/.venv/bin/check-jsonschema"))
        .arg("--schemafile")
        .arg(schema)
        .args(files)
        .output()
        .expect("check-jsonschema, installed by the Makefile into .venv")
}

/// Every blueprint in the repository: shipped, examples and test fixtures.
fn blueprints() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in ["blueprints", "examples", "tests/fixtures"] {
        let mut stack = vec![Path::new(MANIFEST_DIR).join(dir)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() && !path.ends_with("templates") && !path.ends_with("github-actions") {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    found.push(path);
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn the_shipped_schema_is_lzctls_and_every_blueprint_passes_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = lzctl_offline(dir.path(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let shipped = std::fs::read_to_string(format!("{MANIFEST_DIR}/schema/blueprint.schema.json")).unwrap();
    assert_eq!(
        stdout(&out),
        shipped,
        "schema/blueprint.schema.json is stale: lzctl schema > schema/blueprint.schema.json"
    );

    let all = blueprints();
    assert!(all.len() >= 8, "{all:?}");
    let checked = check_jsonschema(Path::new(&format!("{MANIFEST_DIR}/schema/blueprint.schema.json")), &all);
    assert!(checked.status.success(), "{}\n{}", stdout(&checked), stderr(&checked));
    for shipped in all.iter().filter(|p| !p.starts_with(format!("{MANIFEST_DIR}/tests"))) {
        let first = std::fs::read_to_string(shipped).unwrap().lines().next().unwrap_or_default().to_string();
        let schema = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: {first}", shipped.display()));
        assert!(
            shipped.parent().unwrap().join(schema).is_file(),
            "{}: {schema} is not the schema file",
            shipped.display()
        );
    }
}

#[test]
fn blueprints_with_the_mistakes_an_editor_should_catch_fail_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, stdout(&lzctl_offline(dir.path(), &["schema"]))).unwrap();
    let cases = [
        ("unknown-key", "version: 1\norganisation: {}\n"),
        ("version", "version: 2\n"),
        ("policy-type", "version: 1\npolicies:\n  p: {type: TAG_POLICIES, document: {tags: {}}}\n"),
        ("lifecycle", "version: 1\naccounts:\n  a: {email: a@example.com, lifecycle: retired}\n"),
        ("email-missing", "version: 1\naccounts:\n  a: {name: A}\n"),
        ("nested-unknown", "version: 1\norganizational_units:\n  A: {polices: [p]}\n"),
        ("wrong-type", "version: 1\norganization: {root_access: {root_sessions: yes-please}}\n"),
    ];
    for (name, yaml) in cases {
        let file = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&file, yaml).unwrap();
        let out = check_jsonschema(&schema, &[file]);
        assert!(!out.status.success(), "{name} passed the schema:\n{yaml}");
    }
}
