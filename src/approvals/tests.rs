//! Approvals from tables: who counts under the rule in force and who does not (the creator, the
//! requester, a key outside the rule, a second approval by one signer), the rule's tag form, and
//! signatures ssh-keygen made.

use super::*;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys");
const CREATOR: &str = "arn:aws:sts::111111111111:assumed-role/planner/ci";

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
        line(CREATOR, "creator")
    );
    parse_allowed_signers("allowed_signers", &text).unwrap()
}

fn rule(required: u32) -> ApprovalRule {
    ApprovalRule::from_signers(required, &signers(""))
}

fn parties(requested_by: Option<&'static str>) -> Parties<'static> {
    Parties { creator: CREATOR, requested_by }
}

#[test]
fn distinct_allowed_signers_count_and_the_creator_does_not() {
    let digest = "0123abcd";
    let alice = sign("alice", &key("alice"), digest).unwrap();
    let bob = sign("bob", &key("bob"), digest).unwrap();
    let creator = sign("creator", &key("creator"), digest).unwrap();
    assert_eq!(
        check(&rule(2), &[alice.clone(), bob], digest, parties(None)).unwrap(),
        ["alice@example.com", "bob@example.com"]
    );
    let twice = check(&rule(2), &[alice.clone(), alice.clone()], digest, parties(None)).unwrap_err();
    assert!(matches!(twice, ApprovalError::Missing { valid: 1, .. }), "{twice}");
    assert!(twice.to_string().contains("a second approval by the same signer counts once"), "{twice}");
    let own = check(&rule(1), &[creator], digest, parties(None)).unwrap_err();
    assert!(own.to_string().contains("the plan's creator cannot approve it"), "{own}");
    let other = check(&rule(1), &[alice], "another digest", parties(None)).unwrap_err();
    assert!(other.to_string().contains("the signature does not match this plan"), "{other}");
}

#[test]
fn whoever_requested_the_change_cannot_approve_it() {
    let alice = sign("alice", &key("alice"), "d").unwrap();
    let bob = sign("bob", &key("bob"), "d").unwrap();
    let requested = parties(Some("alice@example.com"));
    assert_eq!(
        judge(&rule(1), &alice, "d", requested),
        Verdict::Void(
            "by alice@example.com: whoever requested the change (alice@example.com) cannot approve it".into()
        )
    );
    assert_eq!(check(&rule(1), &[alice, bob], "d", requested).unwrap(), ["bob@example.com"]);
}

#[test]
fn only_keys_in_the_rule_in_force_count_whatever_the_blueprint_now_says() {
    // The change under review adds its author's key to allowed_signers: the rule in force does
    // not have it, so the author's approval does not count.
    let outsider = parse_allowed_signers(
        "f",
        &format!("mallory@example.com {}", std::fs::read_to_string(format!("{KEYS}/creator.pub")).unwrap()),
    )
    .unwrap();
    let in_force = ApprovalRule::from_signers(1, &signers("")[..2]);
    let wanted = ApprovalRule::from_signers(1, &[signers("")[..2].to_vec(), outsider].concat());
    assert_ne!(in_force, wanted);
    let mallory = sign("creator", &key("creator"), "d").unwrap();
    assert!(
        matches!(judge(&in_force, &mallory, "d", parties(None)), Verdict::Void(why) if why.contains("does not allow"))
    );
    assert!(matches!(
        judge(&wanted, &mallory, "d", Parties { creator: "someone else", requested_by: None }),
        Verdict::Counts { .. }
    ));
}

#[test]
fn the_rule_round_trips_through_the_roots_tags_and_broken_tags_are_an_error() {
    let rule = rule(2);
    let tags = rule.to_tags();
    assert_eq!(tags[TAG_REQUIRED], "2");
    assert_eq!(tags.len(), 4, "the count and one tag per signer: {tags:?}");
    assert!(
        tags.keys().all(|k| k.len() <= 128)
            && tags.values().all(|v| v.len() <= 256 && recordable(v.split(' ').next().unwrap()))
    );
    assert_eq!(ApprovalRule::from_tags(&tags).unwrap(), Some(rule));
    assert_eq!(ApprovalRule::from_tags(&BTreeMap::from([("team".into(), "platform".into())])).unwrap(), None);
    let mut no_count = tags.clone();
    no_count.remove(TAG_REQUIRED);
    assert!(ApprovalRule::from_tags(&no_count).is_err(), "signers without a count");
    let mut zero = tags;
    zero.insert(TAG_REQUIRED.into(), "0".into());
    assert!(ApprovalRule::from_tags(&zero).is_err(), "a rule that requires nothing is not a rule");
    assert!(!recordable("*@example.com") && !recordable("a,b") && recordable("arn:aws:sts::1:user/moto"));
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
    assert_eq!(check(&rule(1), &[armored], "feedface", parties(None)).unwrap(), ["bob@example.com"]);
}

#[test]
fn a_signer_limited_to_other_namespaces_is_not_in_the_rule() {
    let pubkey = std::fs::read_to_string(format!("{KEYS}/bob.pub")).unwrap();
    let limited = parse_allowed_signers("f", &format!("bob@example.com namespaces=\"git\" {pubkey}")).unwrap();
    let bob = sign("bob", &key("bob"), "d").unwrap();
    let rule = ApprovalRule::from_signers(1, &limited);
    assert!(rule.signers.is_empty());
    assert!(check(&rule, &[bob], "d", parties(None)).unwrap_err().to_string().contains("does not allow"));
}

#[test]
fn a_bad_allowed_signers_line_names_its_line() {
    let err = parse_allowed_signers("approvers/allowed_signers", "# ok\nalice@example.com ssh-ed25519 notbase64\n")
        .unwrap_err();
    assert!(err.to_string().starts_with("approvers/allowed_signers:2: not an allowed_signers line"), "{err}");
}
