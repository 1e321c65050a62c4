//! Every class of bad blueprint makes `plan` and `apply` exit 1 with the file and line of the
//! problem, drawn under the offending text, and nothing reaches the emulator.

use crate::support::{Emulator, stderr};

struct Case {
    name: &'static str,
    yaml: String,
    files: Vec<(&'static str, String)>,
    /// `file:line:column` expected at the start of the message.
    place: &'static str,
    message: &'static str,
}

const DENY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#;

fn case(name: &'static str, yaml: &str, place: &'static str, message: &'static str) -> Case {
    Case { name, yaml: yaml.to_string(), files: vec![("deny.json", DENY.to_string())], place, message }
}

fn cases() -> Vec<Case> {
    let big_policy = format!(
        r#"{{"Statement": [{{"Effect": "Deny", "Action": [{}], "Resource": "*"}}]}}"#,
        (0..400).map(|i| format!("\"svc{i}:Action\"")).collect::<Vec<_>>().join(",")
    );
    let mut with_big = case(
        "policy over the size quota",
        "version: 1\npolicies:\n  big: {file: big.json}\n",
        "lz.yaml:3:3",
        "over the SERVICE_CONTROL_POLICY quota of 5120",
    );
    with_big.files.push(("big.json", big_policy));
    let mut broken_json = case(
        "policy file that is not JSON",
        "version: 1\npolicies:\n  p: {file: broken.json}\n",
        "lz.yaml:3:13",
        "is not valid JSON",
    );
    broken_json.files.push(("broken.json", "{\"Statement\": [".to_string()));
    let mut no_statement = case(
        "policy without Statement",
        "version: 1\npolicies:\n  p: {file: empty.json}\n",
        "lz.yaml:3:13",
        "no Statement",
    );
    no_statement.files.push(("empty.json", r#"{"Version": "2012-10-17"}"#.to_string()));
    vec![
        case("YAML syntax", "version: 1\norganizational_units:\n  A: {policies: [x\n", "lz.yaml:", "lz.yaml:"),
        case("wrong type", "version: 1\naccounts:\n  a:\n    email: [1, 2]\n", "lz.yaml:4:", "lz.yaml:4:"),
        case("unknown key", "version: 1\norganizational_units:\n  A:\n    polices: [x]\n", "lz.yaml:4:", "polices"),
        case(
            "unknown OU path",
            "version: 1\norganizational_units: {A: {}}\naccounts:\n  a: {email: a@example.com, ou: Nowhere}\n",
            "lz.yaml:4:33",
            "unknown OU path \"Nowhere\"",
        ),
        case(
            "unknown policy name",
            "version: 1\norganizational_units:\n  A: {policies: [ghost]}\n",
            "lz.yaml:3:18",
            "unknown policy \"ghost\"",
        ),
        case(
            "unknown account name",
            "version: 1\norganization:\n  delegated_administrators: {config.amazonaws.com: ghost}\n",
            "lz.yaml:3:52",
            "unknown account \"ghost\"",
        ),
        case(
            "duplicate email",
            "version: 1\naccounts:\n  a: {email: a@example.com}\n  b: {email: a@example.com}\n",
            "lz.yaml:4:14",
            "also used by account a",
        ),
        case(
            "missing policy file",
            "version: 1\npolicies:\n  p: {file: missing.json}\n",
            "lz.yaml:3:13",
            "cannot read",
        ),
        broken_json,
        no_statement,
        case(
            "Effect neither Allow nor Deny",
            "version: 1\npolicies:\n  p: {document: {Statement: [{Effect: Perhaps, Action: \"*\"}]}}\n",
            "lz.yaml:3:17",
            "it must be Allow or Deny",
        ),
        case(
            "OU deeper than five",
            "version: 1\norganizational_units:\n  A: {children: {B: {children: {C: {children: {D: {children: {E: {children: {F: {}}}}}}}}}}}\n",
            "lz.yaml:3:",
            "6 levels below the root",
        ),
        with_big,
        case(
            "too many policies on one target",
            "version: 1\norganizational_units:\n  A: {policies: [a, b, c, d, e]}\npolicies:\n  a: {file: deny.json}\n  b: {file: deny.json}\n  c: {file: deny.json}\n  d: {file: deny.json}\n  e: {file: deny.json}\n",
            "lz.yaml:3:17",
            "would have 6 SERVICE_CONTROL_POLICY attached",
        ),
        case(
            "full_aws_access false without an Allow",
            "version: 1\norganizational_units:\n  A: {full_aws_access: false, policies: [p]}\npolicies:\n  p: {file: deny.json}\n",
            "lz.yaml:3:24",
            "would deny everything",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_input_class_fails_with_its_place_and_touches_nothing() {
    let emu = Emulator::start();
    emu.create_organization().await;
    emu.reset_recording();
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lz.yaml"), &case.yaml).unwrap();
        for (name, text) in &case.files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        for command in [
            &["validate", "-f", "lz.yaml"][..],
            &["plan", "-f", "lz.yaml"],
            &["apply", "-f", "lz.yaml", "--auto-approve"],
        ] {
            let out = emu.lzctl_in(dir.path(), command);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{}: {command:?} should fail:\n{err}", case.name);
            let first = err
                .lines()
                .find(|l| l.contains("× lz.yaml:") && !l.contains("the blueprint has"))
                .unwrap_or_else(|| panic!("{}: no place in\n{err}", case.name));
            assert!(
                first.contains(&format!("× {}", case.place)),
                "{}: expected {} in {first:?}\n{err}",
                case.name,
                case.place
            );
            assert!(err.contains(case.message), "{}: expected {:?} in\n{err}", case.name, case.message);
            assert!(err.contains('╰') || err.contains('^'), "{}: no caret under the text:\n{err}", case.name);
        }
    }
    assert_eq!(emu.operations(), Vec::<String>::new(), "a bad blueprint must not reach AWS at all");
}
