//! The rules of the source tree (ARCHITECTURE.md), checked on every `make test`: the AWS SDK is
//! used only under `src/aws/`, nothing there prints, every module starts by saying why it exists,
//! no source file outgrows ~500 lines (tests aside), no error is a free-text catch-all, and every
//! listing asks for AWS's largest page.

use crate::support::MANIFEST_DIR;
use std::path::{Path, PathBuf};

/// Every Rust file under `src/`, with its path relative to `src/` and its text.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(MANIFEST_DIR).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let files: Vec<(String, String)> = files
        .into_iter()
        .map(|p| (p.strip_prefix(&src).unwrap().display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    assert!(files.len() > 40, "the walk found the sources: {}", files.len());
    files
}

/// Test code: unit-test modules (`tests.rs`, or under a `tests/` folder) and the shared test support.
fn is_test_code(path: &str) -> bool {
    path.contains("/tests/") || ["tests.rs", "testing.rs", "test_support.rs"].iter().any(|name| path.ends_with(name))
}

/// The lines that use an AWS SDK crate.
fn sdk_uses(text: &str) -> Vec<&str> {
    text.lines().filter(|l| ["aws_sdk_", "aws_config", "aws_smithy"].iter().any(|c| l.contains(c))).collect()
}

/// Lines that print from library code, outside comments.
fn prints(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| ["eprintln!", "println!", "eprint!(", "print!("].iter().any(|m| l.contains(m)))
        .collect()
}

/// The `all_pages!` listings that do not ask for the largest page (`max_results`). Tag listings
/// take no page size.
fn listings_without_page_size(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (start, _) in text.match_indices("all_pages!(").filter(|(i, _)| !text[..*i].ends_with("macro_rules! ")) {
        let mut depth = 0;
        let end = text[start..]
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0 && c == ')').then_some(start + i)
            })
            .unwrap_or(text.len());
        let call = &text[start..end];
        if !call.contains(".max_results(") && !call.contains("LIST_TAGS_FOR_RESOURCE") {
            found.push(call.lines().next().unwrap_or_default().to_string());
        }
    }
    found
}

#[test]
fn the_rules_catch_what_they_are_for() {
    assert_eq!(
        listings_without_page_size(
            "all_pages!(aws, api::X, r, items, |t| c.list().max_results(20).set_next_token(t))\nall_pages!(aws, api::Y, r, items, |t| c.list().set_next_token(t))"
        ),
        ["all_pages!(aws, api::Y, r, items, |t| c.list().set_next_token(t)"]
    );
    assert_eq!(sdk_uses("use aws_sdk_organizations::Client;\nuse std::fmt;"), ["use aws_sdk_organizations::Client;"]);
    assert_eq!(prints("    eprintln!(\"… waiting\");\n// eprintln! in a comment"), ["    eprintln!(\"… waiting\");"]);
    assert!(is_test_code("aws/organizations/tests.rs") && !is_test_code("aws/organizations/execute.rs"));
    assert!(is_test_code("plan/diff/tests/convergence.rs"));
}

#[test]
fn every_listing_asks_for_the_largest_page() {
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| path.starts_with("aws/") && !is_test_code(path))
        .flat_map(|(path, text)| listings_without_page_size(text).into_iter().map(move |l| format!("{path}: {l}")))
        .collect();
    assert!(offenders.is_empty(), "listings that leave the page size to AWS's default:\n{}", offenders.join("\n"));
}

#[test]
fn the_aws_sdk_is_used_only_under_src_aws() {
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| !path.starts_with("aws/"))
        .flat_map(|(path, text)| sdk_uses(text).into_iter().map(move |l| format!("{path}: {}", l.trim())))
        .collect();
    assert!(offenders.is_empty(), "the SDK outside src/aws/:\n{}", offenders.join("\n"));
}

#[test]
fn nothing_under_src_aws_prints() {
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| path.starts_with("aws/") && !is_test_code(path))
        .flat_map(|(path, text)| prints(text).into_iter().map(move |l| format!("{path}: {}", l.trim())))
        .collect();
    assert!(offenders.is_empty(), "src/aws/ reports through callbacks, it does not print:\n{}", offenders.join("\n"));
}

#[test]
fn every_module_says_why_it_exists() {
    let undocumented: Vec<String> =
        sources().into_iter().filter(|(_, text)| !text.starts_with("//!")).map(|(path, _)| path).collect();
    assert!(undocumented.is_empty(), "modules without a leading //! comment: {undocumented:?}");
}

#[test]
fn no_source_file_is_longer_than_500_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(path, text)| !is_test_code(path) && text.lines().count() > 500)
        .map(|(path, text)| format!("{path}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn errors_are_typed_with_no_free_text_catch_all() {
    let (_, error) = sources().into_iter().find(|(path, _)| path == "error.rs").expect("src/error.rs");
    for catch_all in ["Refused(String)", "Other(String)", "Io { what: String"] {
        assert!(!error.contains(catch_all), "src/error.rs has {catch_all}");
    }
}

/// The module of the crate a file belongs to: `aws`, `plan`, `model` …
fn room(path: &str) -> &str {
    let first = path.split('/').next().unwrap_or(path);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The crate modules a file refers to (`crate::live::…` → `live`).
fn imports(text: &str) -> Vec<&str> {
    text.match_indices("crate::")
        .filter_map(|(at, _)| {
            let rest = &text[at + "crate::".len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

/// What each module may use of the crate (ARCHITECTURE.md, "The rooms"). The pure core never
/// reaches the AWS layer, the operations or the command line; the AWS layer sees plain types,
/// never the blueprint's file format.
fn may_import(room: &str) -> Option<&'static [&'static str]> {
    const PURE: &[&str] = &["model", "live", "blueprint", "plan", "render", "inventory", "saved", "approvals"];
    Some(match room {
        "model" => &[],
        "live" => &["model"],
        "approvals" => &[],
        "saved" => &["live", "model", "plan", "approvals", "lock"],
        "lock" => &["model"],
        "blueprint" => &["model", "approvals"],
        "plan" => &["model", "live", "blueprint", "approvals", "lock", "effective"],
        "effective" => &[],
        "inventory" => &["model", "live", "blueprint"],
        "render" => &["model", "live", "plan"],
        "apply" => &["model", "live", "blueprint", "plan"],
        "aws" => &["model", "live", "plan", "apply"],
        "import" => &["model", "live", "blueprint"],
        "policy" => &["model"],
        "simulate" => &["model", "policy", "blueprint", "live", "plan"],
        // Reading event files is I/O, like the operations.
        "engine" | "events" | "commands" | "session" | "error" | "cli" | "lib" | "main" => return None,
        _ => PURE,
    })
}

#[test]
fn each_module_imports_only_what_it_may() {
    assert_eq!(imports("use crate::live::LiveState;\nlet x = crate::model::OuPath::root();"), ["live", "model"]);
    assert_eq!(room("aws/organizations/read.rs"), "aws");
    let mut offenders = Vec::new();
    for (path, text) in sources().iter().filter(|(path, _)| !is_test_code(path)) {
        let room = room(path);
        let Some(allowed) = may_import(room) else { continue };
        for used in imports(text) {
            if used != room && !allowed.contains(&used) {
                offenders.push(format!("{path} uses crate::{used}"));
            }
        }
    }
    offenders.dedup();
    assert!(offenders.is_empty(), "imports across the rules in ARCHITECTURE.md:\n{}", offenders.join("\n"));
}
