//! Approvals from tables: who counts, who does not, and signatures ssh-keygen made.

use super::*;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys");

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap()
}

fn signers(extra: &str) -> Vec<Signer> {
    let line = |principal: &str, name: &str| {
        format!("{principal} {}", std::fs::read_to_string(format!("{KEYS}/{name}.pub")).unwrap())
    };
    let text = format!(
        "# reviewers\n{}{}{}{extra}",
        line("alice@example.com", "alice"),
        line("bob@example.com", "bob"),
        line("arn:aws:sts::111111111111:assumed-role/planner/ci", "creator")
    );
    parse_allowed_signers("allowed_signers", &text).unwrap()
}

const CREATOR: &str = "arn:aws:sts::111111111111:assumed-role/planner/ci";

#[test]
fn distinct_valid_signers_count_and_the_creator_does_not() {
    let digest = "0123abcd";
    let alice = sign("alice", &key("alice"), digest).unwrap();
    let bob = sign("bob", &key("bob"), digest).unwrap();
    let creator = sign("creator", &key("creator"), digest).unwrap();
    assert_eq!(
        check(2, &signers(""), &[alice.clone(), bob], digest, CREATOR).unwrap(),
        ["alice@example.com", "bob@example.com"]
    );
    let twice = check(2, &signers(""), &[alice.clone(), alice.clone()], digest, CREATOR).unwrap_err();
    assert!(matches!(twice, ApprovalError::Missing { valid: 1, .. }), "{twice}");
    let own = check(1, &signers(""), &[creator], digest, CREATOR).unwrap_err();
    assert!(own.to_string().contains("the plan's creator cannot approve it"), "{own}");
    let other = check(1, &signers(""), &[alice], "another digest", CREATOR).unwrap_err();
    assert!(other.to_string().contains("the signature does not match this plan"), "{other}");
}

#[test]
fn signatures_made_by_ssh_keygen_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let message = dir.path().join("digest");
    std::fs::write(&message, "feedface").unwrap();
    // ssh-keygen uses only a private key no one else can read; git does not keep modes.
    let private = dir.path().join("bob");
    std::fs::write(&private, key("bob")).unwrap();
    std::fs::set_permissions(&private, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let status = std::process::Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(&private)
        .arg(&message)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("ssh-keygen runs (openssh-client is on the machine image)");
    assert!(status.success());
    let armored = std::fs::read_to_string(dir.path().join("digest.sig")).unwrap();
    assert_eq!(check(1, &signers(""), &[armored], "feedface", CREATOR).unwrap(), ["bob@example.com"]);
}

#[test]
fn a_signer_limited_to_other_namespaces_does_not_count() {
    let pubkey = std::fs::read_to_string(format!("{KEYS}/bob.pub")).unwrap();
    let limited = parse_allowed_signers("f", &format!("bob@example.com namespaces=\"git\" {pubkey}")).unwrap();
    let bob = sign("bob", &key("bob"), "d").unwrap();
    assert!(
        check(1, &limited, &[bob], "d", CREATOR)
            .unwrap_err()
            .to_string()
            .contains("may not sign the lzctl-plan namespace")
    );
}

#[test]
fn a_bad_allowed_signers_line_names_its_line() {
    let err = parse_allowed_signers("approvers/allowed_signers", "# ok\nalice@example.com ssh-ed25519 notbase64\n")
        .unwrap_err();
    assert!(err.to_string().starts_with("approvers/allowed_signers:2: not an allowed_signers line"), "{err}");
}
