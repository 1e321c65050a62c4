//! Turns the raw, spanned blueprint into the validated one, recording every problem instead of
//! stopping at the first. One file per section of the blueprint (in the style of cargo-deny's
//! checks); this one holds the order they run in and what they share: named files, tags, and
//! references to OUs and accounts.

mod accounts;
mod approvals;
mod attachments;
mod identity_center;
mod lifecycle;
mod names;
mod organization;
mod ous;
mod policies;
mod quotas;
mod recovery;
mod stack_sets;
mod templates;

use super::diagnostics::{BlueprintErrors, Code, Collector};
use super::files::{FileError, FileKind, FileSource, relative_path};
use super::raw::*;
use super::*;
use crate::model::{IAM_SERVICE, OuPath, PolicyType, first_unprintable, minified};
use names::{check_name, check_printable, closest};
use policies::has_allow_statement;
use serde_saphyr::Location;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) fn validate(
    path: &Path,
    source: &Arc<String>,
    files: &dyn FileSource,
) -> Result<Blueprint, BlueprintErrors> {
    let mut c = Collector::new(path, source.clone());
    let Some(raw) = read_raw(source, &mut c) else {
        return Err(c.finish().expect_err("an issue was recorded"));
    };
    let mut v = Validator {
        c,
        dir: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        files,
        named_files: Vec::new(),
        declared_policies: raw.policies.0.iter().map(|(name, _)| name.value.clone()).collect(),
    };
    let blueprint = v.blueprint(path, source, &raw);
    v.c.finish()?;
    Ok(blueprint)
}

/// Most shape mistakes a blueprint can hold before the parser gives up on it.
const MAX_SHAPE_MISTAKES: usize = 100;

/// The blueprint's raw form, every shape mistake recorded on the way: an unknown key or a value
/// of the wrong shape is recorded and blanked out, and the file read again, so validation goes
/// on and reports everything in one run. None when the file cannot be read past a mistake (a
/// syntax error, a missing required key).
fn read_raw(source: &str, c: &mut Collector) -> Option<RawBlueprint> {
    let mut text = std::borrow::Cow::Borrowed(source);
    let mut blanked_at: Vec<usize> = Vec::new();
    for _ in 0..MAX_SHAPE_MISTAKES {
        let err = match serde_saphyr::from_str::<RawBlueprint>(&text) {
            Ok(raw) => return Some(raw),
            Err(err) => err,
        };
        let loc = err.location().unwrap_or(Location::UNKNOWN);
        let at = loc.span().byte_offset().and_then(|at| usize::try_from(at).ok()).filter(|at| *at < text.len());
        // A mistake in what blanking left behind (a mapping now empty) is blanking's, not the
        // author's: reading stops with what was found.
        let range = at.and_then(|at| recovery::entry_extent(&text, at));
        if range.is_some_and(|(start, end)| blanked_at.iter().any(|b| (start..end).contains(b))) {
            return None;
        }
        let (message, hint) = recovery::shape_words(&yaml_message(&err));
        let key = at.and_then(|at| recovery::entry_key(&text, at));
        let hint = hint.or_else(|| did_you_mean(&message)).or_else(|| key.and_then(recovery::field_shape));
        match hint {
            Some(hint) => c.at_with_help(Code::Yaml, &loc, message.clone(), "here", hint),
            None => c.at(Code::Yaml, &loc, message.clone(), "here"),
        }
        // A mistake of shape is blanked out and reading goes on; a syntax error, or a key that
        // is missing, ends it (going on would report what follows from it, not mistakes).
        let shape_mistake = ["unknown field", "invalid type", "invalid value", "expected "]
            .iter()
            .any(|start| message.starts_with(start));
        let blanked = at.filter(|_| shape_mistake).and_then(|at| recovery::blank_entry(&text, at));
        match blanked {
            Some(next) if next != *text => {
                blanked_at.extend(at);
                text = std::borrow::Cow::Owned(next);
            }
            _ => return None,
        }
    }
    None
}

/// For an unknown key: the known key nearest to it, from the parser's own list.
fn did_you_mean(message: &str) -> Option<String> {
    let unknown = message.strip_prefix("unknown field `")?.split('`').next()?;
    let expected = message.split("expected one of ").nth(1)?;
    let known = expected.split(", ").map(|k| k.trim_matches(['`', ' ']));
    closest(unknown, known).map(|near| format!("did you mean `{near}`?"))
}

/// The parser's message without its own source excerpt (ours is drawn by miette).
fn yaml_message(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // The parser prefixes "line N column M:"; the place is already in our header.
    let message = match first.split_once(": ") {
        Some((prefix, rest)) if prefix.contains("line") && prefix.contains("column") => rest,
        _ => first,
    };
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

struct Validator<'a> {
    c: Collector,
    dir: PathBuf,
    files: &'a dyn FileSource,
    named_files: Vec<(PathBuf, String)>,
    /// Every policy name the file declares, valid or not: a reference to a declared policy
    /// whose document is broken is not reported a second time as unknown.
    declared_policies: BTreeSet<String>,
}

/// A managed target's policies as written, before names are checked.
struct RawAttachments<'r> {
    policies: Option<&'r Names>,
    full_aws_access: Option<&'r S<bool>>,
    at: Location,
}

impl Validator<'_> {
    fn blueprint(&mut self, path: &Path, source: &str, raw: &RawBlueprint) -> Blueprint {
        if raw.version.value != 1 {
            self.c.at_with_help(
                Code::UnsupportedVersion,
                &raw.version.referenced,
                format!("unsupported blueprint version {}", raw.version.value),
                "this version",
                "this lzctl reads `version: 1`",
            );
        }
        let quotas = self.quotas(raw.quotas.as_ref());
        let policies = self.policies(&raw.policies, &quotas);

        let mut ous = BTreeMap::new();
        let mut ou_attachments = Vec::new();
        self.ous(&raw.organizational_units, &OuPath::root(), &mut ous, &mut ou_attachments);

        let mut accounts = BTreeMap::new();
        let mut account_attachments = Vec::new();
        self.accounts(&raw.accounts, &ous, &mut accounts, &mut account_attachments);

        let organization = self.organization(raw.organization.as_ref(), &accounts);
        // Attachments are checked once every policy is known.
        let enabled_types = organization.policy_types.clone();
        let root_attachments = raw.organization.as_ref().and_then(|o| o.root_policies.as_ref()).map(|names| {
            let raw = RawAttachments { policies: Some(names), full_aws_access: None, at: names.referenced };
            self.attachments(&raw, &policies, &quotas, enabled_types.as_ref(), "the root")
        });
        let organization = Organization { root_policies: root_attachments.map(|a| a.policies), ..organization };
        for (path, raw) in ou_attachments {
            let what = format!("OU {path}");
            let checked = self.attachments(&raw, &policies, &quotas, enabled_types.as_ref(), &what);
            if let Some(ou) = ous.get_mut(&path) {
                ou.attachments = checked;
            }
        }
        for (key, raw) in account_attachments {
            let what = format!("account {key}");
            let checked = self.attachments(&raw, &policies, &quotas, enabled_types.as_ref(), &what);
            if let Some(account) = accounts.get_mut(&key) {
                account.attachments = checked;
            }
        }

        self.trusted_access_prerequisites(raw.organization.as_ref(), &raw.stack_sets);
        let suspended_ou = self.suspended_ou(raw, &ous, &policies, &mut accounts);
        let organization = Organization { suspended_ou, ..organization };

        let identity_center = raw.identity_center.as_ref().map(|ic| self.identity_center(ic, &accounts, &ous));
        let stack_sets = self.stack_sets(&raw.stack_sets, &ous, &accounts);
        let approvals = raw.approvals.as_ref().map(|a| self.approvals(a));

        Blueprint {
            file: path.to_path_buf(),
            organization,
            ous,
            accounts,
            policies,
            identity_center,
            stack_sets,
            approvals,
            quotas,
            source: source.to_string(),
            named_files: std::mem::take(&mut self.named_files),
        }
    }

    fn relative(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Reads a file the blueprint names, under the rules of `files`; a problem is reported at
    /// the path as written.
    fn read_named_file(&mut self, file: &S<String>, kind: FileKind) -> Option<(PathBuf, String)> {
        let read = relative_path(&file.value).and_then(|relative| {
            let text = self.files.read(&self.dir, &relative, kind.limit())?;
            Ok((self.dir.join(relative), text))
        });
        match read {
            Ok((path, text)) => {
                self.named_files.push((path.clone(), text.clone()));
                Some((path, text))
            }
            Err(err) => {
                let (code, label) = match &err {
                    FileError::Outside(_) | FileError::NotRegular => (Code::UnsafePath, "not a file of this blueprint"),
                    FileError::TooLarge { .. } => (Code::FileTooLarge, "too large"),
                    FileError::NotText { .. } | FileError::Io(_) => (Code::UnreadableFile, "this file"),
                };
                let message = format!("cannot read {}: {err}", self.dir.join(&file.value).display());
                self.c.at(code, &file.referenced, message, label);
                None
            }
        }
    }

    /// An OU the blueprint refers to, reported where the blueprint does not declare it. A
    /// blueprint that declares no OUs (it manages other parts) names the organization's OUs as
    /// they are; the plan checks those exist.
    fn ou_path(&mut self, ou: &S<String>, ous: &BTreeMap<OuPath, Ou>, what: &str) -> OuPath {
        let path = OuPath::parse(&ou.value);
        if !path.is_root() && !ous.is_empty() && !ous.contains_key(&path) {
            self.unknown_ou(ou, ous, what);
        }
        path
    }

    fn unknown_ou(&mut self, ou: &S<String>, ous: &BTreeMap<OuPath, Ou>, what: &str) {
        let hint = closest(&ou.value, ous.keys().map(OuPath::as_str).chain([OuPath::ROOT_NAME]))
            .map(|c| format!("did you mean {c:?}? OUs are named by their path from the root"))
            .unwrap_or_else(|| "OUs are named by their path from the root, e.g. Foundational/Workloads".into());
        self.c.at_with_help(
            Code::UnknownOu,
            &ou.referenced,
            format!("{what}: unknown OU path {:?}", ou.value),
            "not in organizational_units",
            hint,
        );
    }

    fn unknown_account(&mut self, name: &S<String>, accounts: &BTreeMap<String, Account>, what: &str) {
        let hint = closest(&name.value, accounts.keys().map(String::as_str))
            .map(|c| format!("did you mean {c:?}? accounts are named by their key under `accounts:`"))
            .unwrap_or_else(|| "accounts are named by their key under `accounts:`".into());
        self.c.at_with_help(
            Code::UnknownAccount,
            &name.referenced,
            format!("{what}: unknown account {:?}", name.value),
            "not in accounts",
            hint,
        );
    }

    fn tags(&mut self, raw: &Tags) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        for (key, value) in &raw.0 {
            let k = key.value.chars().count();
            if k == 0 || k > 128 || key.value.to_ascii_lowercase().starts_with("aws:") {
                self.c.at(
                    Code::InvalidValue,
                    &key.referenced,
                    format!("tag key {:?} must be 1–128 characters and not start with aws:", key.value),
                    "bad tag key",
                );
            }
            if value.value.0.chars().count() > 256 {
                self.c.at(
                    Code::Quota,
                    &value.referenced,
                    format!("tag {}: value is longer than 256 characters", key.value),
                    "too long",
                );
            }
            check_printable(&mut self.c, key, "tag key");
            if let Some(bad) = first_unprintable(&value.value.0) {
                let message = format!(
                    "tag {}: the value holds the character U+{:04X}, which is not allowed",
                    key.value, bad as u32
                );
                self.c.at(Code::Unprintable, &value.referenced, message, "control or bidirectional character");
            }
            tags.insert(key.value.clone(), value.value.0.clone());
        }
        tags
    }
}

#[cfg(test)]
mod tests;
