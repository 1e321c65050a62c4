//! Approvals of saved plans: SSH signatures (SSHSIG, namespace `lzctl-plan`) over a plan's
//! digest, checked against an OpenSSH allowed_signers file — the format git uses for signed
//! commits. A signer whose principal is the plan's creator does not count.

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::collections::BTreeSet;
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

/// The principals of the distinct allowed signers whose valid signature is on the digest, not
/// counting the creator; an error when fewer than `required`.
pub(crate) fn check(
    required: u32,
    signers: &[Signer],
    signatures: &[String],
    digest: &str,
    creator: &str,
) -> Result<Vec<String>, ApprovalError> {
    let mut approved: BTreeSet<usize> = BTreeSet::new();
    let mut notes = Vec::new();
    for (n, armored) in signatures.iter().enumerate() {
        let Ok(sig) = SshSig::from_pem(armored.trim()) else {
            notes.push(format!("approval {}: not an SSH signature", n + 1));
            continue;
        };
        let found = signers.iter().enumerate().find(|(_, s)| s.key.key_data() == sig.public_key());
        let Some((index, signer)) = found else {
            notes.push(format!("approval {}: signed by a key that is not in allowed_signers", n + 1));
            continue;
        };
        let who = signer.principals.join(",");
        if signer.namespaces.as_ref().is_some_and(|ns| !ns.iter().any(|n| n == NAMESPACE)) {
            notes.push(format!("approval {} by {who}: this signer may not sign the {NAMESPACE} namespace", n + 1));
            continue;
        }
        if signer.key.verify(NAMESPACE, digest.as_bytes(), &sig).is_err() {
            notes.push(format!("approval {} by {who}: the signature does not match this plan", n + 1));
            continue;
        }
        if signer.principals.iter().any(|p| p == creator) {
            notes.push(format!("approval {} by {who}: the plan's creator cannot approve it", n + 1));
            continue;
        }
        approved.insert(index);
    }
    if approved.len() < required as usize {
        return Err(ApprovalError::Missing { required, valid: approved.len(), notes });
    }
    Ok(approved.iter().map(|i| signers[*i].principals.join(",")).collect())
}

#[cfg(test)]
mod tests;
