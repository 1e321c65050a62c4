//! Approvals of saved plans: SSH signatures (SSHSIG, namespace `lzctl-plan`) over a plan's
//! digest. Which keys count, and how many are needed, is the rule in force: recorded in the
//! organization (tags on the root, written by an apply whose plan shows it), never taken from the
//! change under review. The blueprint names the rule it wants in an OpenSSH allowed_signers file —
//! the format git uses for signed commits. Neither the plan's creator nor whoever asked for it
//! (`--requested-by`) counts as an approver.

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

pub(crate) const NAMESPACE: &str = "lzctl-plan";

#[derive(Debug, Error, PartialEq, Eq, miette::Diagnostic)]
pub(crate) enum ApprovalError {
    #[error("{file}:{line}: not an allowed_signers line: {why}")]
    #[diagnostic(code(lzctl::approvals::allowed_signers))]
    BadSigners { file: String, line: usize, why: String },
    #[error("cannot sign with {key}: {why}")]
    #[diagnostic(code(lzctl::approvals::key))]
    Key { key: String, why: String },
    #[error("not an SSH signature: {0}")]
    #[diagnostic(code(lzctl::approvals::signature))]
    Signature(String),
    #[error(
        "the plan needs {required} approval(s) from distinct allowed signers and has {valid}{}",
        if notes.is_empty() { String::new() } else { format!(":\n  {}", notes.join("\n  ")) }
    )]
    #[diagnostic(
        code(lzctl::approvals::missing),
        help("ask a reviewer to run `lzctl approve PLANFILE --key ~/.ssh/id_ed25519`")
    )]
    Missing { required: u32, valid: usize, notes: Vec<String> },
}

/// One line of an allowed_signers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signer {
    pub principals: Vec<String>,
    pub namespaces: Option<Vec<String>>,
    pub key: PublicKey,
}

/// Parses an allowed_signers file: `principals [options] keytype base64 [comment]`; the only
/// option honoured is `namespaces="…"`; blank lines and `#` comments are skipped.
pub(crate) fn parse_allowed_signers(file: &str, text: &str) -> Result<Vec<Signer>, ApprovalError> {
    let mut signers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| ApprovalError::BadSigners { file: file.into(), line: i + 1, why: why.into() };
        let (principals, rest) = line.split_once(char::is_whitespace).ok_or_else(|| bad("no key"))?;
        let mut rest = rest.trim_start();
        let mut namespaces = None;
        // Options come before the key type, which always starts with ssh- or ecdsa- or sk-.
        if !["ssh-", "ecdsa-", "sk-"].iter().any(|p| rest.starts_with(p)) {
            let (options, after) =
                rest.split_once(char::is_whitespace).ok_or_else(|| bad("no key after the options"))?;
            for option in options.split(',') {
                if let Some(list) = option.strip_prefix("namespaces=") {
                    namespaces = Some(list.trim_matches('"').split(',').map(str::to_string).collect());
                }
            }
            rest = after.trim_start();
        }
        let key = PublicKey::from_openssh(rest).map_err(|e| bad(&e.to_string()))?;
        signers.push(Signer { principals: principals.split(',').map(str::to_string).collect(), namespaces, key });
    }
    Ok(signers)
}

/// Signs a digest with an OpenSSH private key; returns the armored signature.
pub(crate) fn sign(key_name: &str, key_text: &str, digest: &str) -> Result<String, ApprovalError> {
    let key = PrivateKey::from_openssh(key_text)
        .map_err(|e| ApprovalError::Key { key: key_name.into(), why: e.to_string() })?;
    if key.is_encrypted() {
        return Err(ApprovalError::Key {
            key: key_name.into(),
            why: "the key is passphrase-protected; sign with `ssh-keygen -Y sign -n lzctl-plan` and attach it with --signature".into(),
        });
    }
    let sig = key
        .sign(NAMESPACE, HashAlg::Sha512, digest.as_bytes())
        .map_err(|e| ApprovalError::Key { key: key_name.into(), why: e.to_string() })?;
    sig.to_pem(LineEnding::LF).map_err(|e| ApprovalError::Signature(e.to_string()))
}

/// Checks an armored signature parses, before it is stored.
pub(crate) fn parse_signature(armored: &str) -> Result<SshSig, ApprovalError> {
    SshSig::from_pem(armored.trim()).map_err(|e| ApprovalError::Signature(e.to_string()))
}

/// The approval rule: how many approvals a plan needs, and whose keys count, by the SHA-256
/// fingerprint of the key (`SHA256:…`, as `ssh-keygen -l` shows it) with the signer's principals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ApprovalRule {
    pub required: u32,
    pub signers: BTreeMap<String, Vec<String>>,
}

/// The tags on the root that hold the rule in force.
pub(crate) const TAG_REQUIRED: &str = "lzctl:approvals:required";
pub(crate) const TAG_SIGNER_PREFIX: &str = "lzctl:approvals:signer:";

/// Characters AWS Organizations accepts in tag values (besides letters and digits).
const TAG_VALUE_PUNCTUATION: &str = " _.:/=+-@";

/// Whether a principal can be recorded in a tag value (principals are joined by spaces).
pub(crate) fn recordable(principal: &str) -> bool {
    !principal.is_empty()
        && principal.chars().all(|c| c.is_alphanumeric() || (c != ' ' && TAG_VALUE_PUNCTUATION.contains(c)))
}

fn fingerprint(key: &ssh_key::public::KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

impl ApprovalRule {
    /// The rule an allowed_signers file describes: every signer that may sign lzctl plans.
    pub(crate) fn from_signers(required: u32, signers: &[Signer]) -> ApprovalRule {
        let signers = signers
            .iter()
            .filter(|s| s.namespaces.as_ref().is_none_or(|ns| ns.iter().any(|n| n == NAMESPACE)))
            .map(|s| (fingerprint(s.key.key_data()), s.principals.clone()))
            .collect();
        ApprovalRule { required, signers }
    }

    /// The rule as tags on the root.
    pub(crate) fn to_tags(&self) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::from([(TAG_REQUIRED.to_string(), self.required.to_string())]);
        for (fingerprint, principals) in &self.signers {
            tags.insert(format!("{TAG_SIGNER_PREFIX}{fingerprint}"), principals.join(" "));
        }
        tags
    }

    /// The rule recorded in the root's tags: None where none is; an error where the tags are
    /// there but do not make a rule (then nothing is applied until they are mended).
    pub(crate) fn from_tags(tags: &BTreeMap<String, String>) -> Result<Option<ApprovalRule>, String> {
        let signers: BTreeMap<String, Vec<String>> = tags
            .iter()
            .filter_map(|(k, v)| {
                let fingerprint = k.strip_prefix(TAG_SIGNER_PREFIX)?;
                Some((fingerprint.to_string(), v.split(' ').filter(|p| !p.is_empty()).map(str::to_string).collect()))
            })
            .collect();
        match tags.get(TAG_REQUIRED) {
            None if signers.is_empty() => Ok(None),
            None => Err(format!("the root has {TAG_SIGNER_PREFIX}… tags but no {TAG_REQUIRED}")),
            Some(required) => match required.parse::<u32>() {
                Ok(required) if required >= 1 => Ok(Some(ApprovalRule { required, signers })),
                _ => Err(format!("{TAG_REQUIRED} is {required:?}, not a count of at least 1")),
            },
        }
    }
}

/// Who may not approve a plan: whoever made it, and whoever asked for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parties<'a> {
    pub creator: &'a str,
    pub requested_by: Option<&'a str>,
}

/// What one approval is worth under a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It counts, for the signer with this key fingerprint and these principals.
    Counts { fingerprint: String, who: String },
    /// It does not count, and why.
    Void(String),
}

/// Judges one armored signature over `digest` under `rule`.
pub(crate) fn judge(rule: &ApprovalRule, armored: &str, digest: &str, parties: Parties<'_>) -> Verdict {
    let Ok(sig) = SshSig::from_pem(armored.trim()) else {
        return Verdict::Void("not an SSH signature".into());
    };
    let fingerprint = fingerprint(sig.public_key());
    let Some(principals) = rule.signers.get(&fingerprint) else {
        return Verdict::Void(format!("signed by {fingerprint}, a key the rule in force does not allow"));
    };
    let who = principals.join(",");
    if PublicKey::from(sig.public_key().clone()).verify(NAMESPACE, digest.as_bytes(), &sig).is_err() {
        return Verdict::Void(format!(
            "by {who}: the signature does not match this plan (or not the {NAMESPACE} namespace)"
        ));
    }
    if principals.iter().any(|p| p == parties.creator) {
        return Verdict::Void(format!("by {who}: the plan's creator cannot approve it"));
    }
    if let Some(requester) = parties.requested_by
        && principals.iter().any(|p| p == requester)
    {
        return Verdict::Void(format!("by {who}: whoever requested the change ({requester}) cannot approve it"));
    }
    Verdict::Counts { fingerprint, who }
}

/// Every approval's verdict, in order; a second approval by a signer who already counts is void.
pub(crate) fn verdicts(rule: &ApprovalRule, signatures: &[String], digest: &str, parties: Parties<'_>) -> Vec<Verdict> {
    let mut counted = BTreeSet::new();
    signatures
        .iter()
        .map(|armored| match judge(rule, armored, digest, parties) {
            Verdict::Counts { fingerprint, who } if !counted.insert(fingerprint.clone()) => {
                Verdict::Void(format!("by {who}: a second approval by the same signer counts once"))
            }
            verdict => verdict,
        })
        .collect()
}

/// The approvers who count, when there are at least as many as the rule requires.
pub(crate) fn check(
    rule: &ApprovalRule,
    signatures: &[String],
    digest: &str,
    parties: Parties<'_>,
) -> Result<Vec<String>, ApprovalError> {
    let mut approvers = Vec::new();
    let mut notes = Vec::new();
    for (n, verdict) in verdicts(rule, signatures, digest, parties).into_iter().enumerate() {
        match verdict {
            Verdict::Counts { who, .. } => approvers.push(who),
            Verdict::Void(why) => notes.push(format!("approval {}: {why}", n + 1)),
        }
    }
    if approvers.len() < rule.required as usize {
        return Err(ApprovalError::Missing { required: rule.required, valid: approvers.len(), notes });
    }
    Ok(approvers)
}

#[cfg(test)]
mod tests;
