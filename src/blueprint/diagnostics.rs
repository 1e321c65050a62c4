//! Blueprint errors as people want them: every problem at once, each naming
//! `file:line:column` and drawn under the offending text with a caret.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use serde_saphyr::Location;
use std::path::Path;
use std::sync::Arc;
use thiserror::Error;

/// The class of a blueprint problem; each is shown as the diagnostic code
/// `lzctl::blueprint::<name>`, and the README lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Code {
    /// YAML syntax, a value of the wrong type, an unknown key.
    Yaml,
    UnsupportedVersion,
    /// A file the blueprint names cannot be read.
    UnreadableFile,
    /// A named file outside the blueprint's folder (absolute, `..`, a symbolic link leaving it)
    /// or not a regular file.
    UnsafePath,
    /// A named file over the size limit of its kind.
    FileTooLarge,
    /// A policy file that is not JSON.
    InvalidJson,
    /// A policy document unusable as a policy (no Statement, a bad Effect …).
    PolicyDocument,
    /// Exactly one of two keys must be given (`file` or `document`, `group` or `user` …).
    OneOf,
    /// Something required is missing or empty (an assignment's targets, a stack set's regions).
    MissingValue,
    /// A value AWS does not accept (an email, a region, a duration, an ARN …).
    InvalidValue,
    /// A name of the wrong length or with characters AWS refuses.
    BadName,
    /// The same thing listed twice, or two accounts with one email or name.
    Duplicate,
    UnknownOu,
    UnknownAccount,
    UnknownPolicy,
    UnknownPolicyType,
    UnknownPermissionSet,
    /// Over an AWS quota: size, count, length or depth.
    Quota,
    /// FullAWSAccess listed, though it is attached unless `full_aws_access: false`.
    ImplicitFullAwsAccess,
    /// A policy of a type `organization.policy_types` does not enable.
    TypeNotEnabled,
    /// A target that would deny everything.
    Lockout,
    /// A prerequisite AWS checks: trusted access for a delegated administrator or a stack set.
    TrustedAccess,
    /// An allowed_signers file that does not parse or names no signer.
    AllowedSigners,
}

impl Code {
    #[cfg(test)]
    pub(crate) const ALL: [Code; 23] = [
        Code::Yaml,
        Code::UnsupportedVersion,
        Code::UnreadableFile,
        Code::UnsafePath,
        Code::FileTooLarge,
        Code::InvalidJson,
        Code::PolicyDocument,
        Code::OneOf,
        Code::MissingValue,
        Code::InvalidValue,
        Code::BadName,
        Code::Duplicate,
        Code::UnknownOu,
        Code::UnknownAccount,
        Code::UnknownPolicy,
        Code::UnknownPolicyType,
        Code::UnknownPermissionSet,
        Code::Quota,
        Code::ImplicitFullAwsAccess,
        Code::TypeNotEnabled,
        Code::Lockout,
        Code::TrustedAccess,
        Code::AllowedSigners,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Code::Yaml => "yaml",
            Code::UnsupportedVersion => "unsupported_version",
            Code::UnreadableFile => "unreadable_file",
            Code::UnsafePath => "unsafe_path",
            Code::FileTooLarge => "file_too_large",
            Code::InvalidJson => "invalid_json",
            Code::PolicyDocument => "policy_document",
            Code::OneOf => "one_of",
            Code::MissingValue => "missing_value",
            Code::InvalidValue => "invalid_value",
            Code::BadName => "bad_name",
            Code::Duplicate => "duplicate",
            Code::UnknownOu => "unknown_ou",
            Code::UnknownAccount => "unknown_account",
            Code::UnknownPolicy => "unknown_policy",
            Code::UnknownPolicyType => "unknown_policy_type",
            Code::UnknownPermissionSet => "unknown_permission_set",
            Code::Quota => "quota",
            Code::ImplicitFullAwsAccess => "implicit_full_aws_access",
            Code::TypeNotEnabled => "type_not_enabled",
            Code::Lockout => "lockout",
            Code::TrustedAccess => "trusted_access",
            Code::AllowedSigners => "allowed_signers",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lzctl::blueprint::{}", self.name())
    }
}

/// One problem in the blueprint, at one place in the file.
#[derive(Debug, Error)]
#[error("{place}: {message}")]
pub(crate) struct BlueprintIssue {
    pub(crate) code: Code,
    /// `file:line:column`, so the message alone (without the snippet) says where.
    pub(crate) place: String,
    pub(crate) message: String,
    source_code: NamedSource<Arc<String>>,
    span: SourceSpan,
    label: String,
    pub(crate) help: Option<String>,
}

impl Diagnostic for BlueprintIssue {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some(self.label.clone()), self.span))))
    }
}

/// Every problem found in one blueprint.
#[derive(Debug, Error, Diagnostic)]
#[error("{file}: the blueprint has {} error{}", .issues.len(), if .issues.len() == 1 { "" } else { "s" })]
#[diagnostic(code(lzctl::blueprint))]
pub(crate) struct BlueprintErrors {
    pub file: String,
    #[related]
    pub issues: Vec<BlueprintIssue>,
}

/// Collects issues against one source file.
pub(super) struct Collector {
    file: String,
    source: Arc<String>,
    pub issues: Vec<BlueprintIssue>,
}

impl Collector {
    pub(super) fn new(path: &Path, source: Arc<String>) -> Self {
        Collector { file: path.display().to_string(), source, issues: Vec::new() }
    }

    /// Records a problem at a location the YAML parser reported.
    pub(super) fn at(&mut self, code: Code, loc: &Location, message: impl Into<String>, label: impl Into<String>) {
        self.push(code, loc, message.into(), label.into(), None);
    }

    /// Records a problem with a hint on how to fix it.
    pub(super) fn at_with_help(
        &mut self,
        code: Code,
        loc: &Location,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(code, loc, message.into(), label.into(), Some(help.into()));
    }

    /// `file:line:column` of a location.
    pub(super) fn place(&self, loc: &Location) -> String {
        let (offset, _) = self.byte_span(loc);
        let (line, column) = self.line_column(offset);
        format!("{}:{line}:{column}", self.file)
    }

    fn push(&mut self, code: Code, loc: &Location, message: String, label: String, help: Option<String>) {
        let (offset, len) = self.byte_span(loc);
        self.issues.push(BlueprintIssue {
            code,
            place: self.place(loc),
            message,
            source_code: NamedSource::new(self.file.clone(), self.source.clone()),
            span: SourceSpan::new(offset.into(), len),
            label,
            help,
        });
    }

    /// The byte range of a location; falls back to the line and column when the parser gave
    /// no byte offset, and to the start of the file when it gave nothing.
    fn byte_span(&self, loc: &Location) -> (usize, usize) {
        let span = loc.span();
        if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
            let offset = (offset as usize).min(self.source.len());
            return (offset, (len as usize).min(self.source.len() - offset));
        }
        if loc.line() == 0 {
            return (0, 0);
        }
        let line_start: usize = self.source.split_inclusive('\n').take(loc.line() as usize - 1).map(str::len).sum();
        let column: usize =
            self.source[line_start..].chars().take(loc.column().saturating_sub(1) as usize).map(char::len_utf8).sum();
        (line_start + column, 0)
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    pub(super) fn finish(self) -> Result<(), BlueprintErrors> {
        if self.issues.is_empty() { Ok(()) } else { Err(BlueprintErrors { file: self.file, issues: self.issues }) }
    }
}
