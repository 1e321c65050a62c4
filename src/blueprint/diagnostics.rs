//! Blueprint errors as people want them: every problem at once, each naming
//! `file:line:column` and drawn under the offending text with a caret.

use miette::{Diagnostic, LabeledSpan, SourceSpan};
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
    /// A control or bidirectional-override character in a name, tag or principal.
    Unprintable,
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
    /// A suspended or closed account without a suspended OU, or a suspended OU that does not
    /// deny everything.
    Lifecycle,
    /// A stack set's template that does not parse, has no resources, or does not take the
    /// parameters the stack set gives (or needs one it does not give).
    Template,
}

impl Code {
    #[cfg(test)]
    pub(crate) const ALL: [Code; 26] = [
        Code::Yaml,
        Code::UnsupportedVersion,
        Code::UnreadableFile,
        Code::UnsafePath,
        Code::FileTooLarge,
        Code::Unprintable,
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
        Code::Lifecycle,
        Code::Template,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Code::Yaml => "yaml",
            Code::UnsupportedVersion => "unsupported_version",
            Code::UnreadableFile => "unreadable_file",
            Code::UnsafePath => "unsafe_path",
            Code::FileTooLarge => "file_too_large",
            Code::Unprintable => "unprintable",
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
            Code::Lifecycle => "lifecycle",
            Code::Template => "template",
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
    source_code: Excerpt,
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

/// How many problems are drawn; the rest are counted.
pub(crate) const SHOWN: usize = 50;

/// Every problem found in one blueprint (all kept; the first `SHOWN` are drawn).
#[derive(Debug, Error)]
#[error(
    "{file}: the blueprint has {} error{}{}",
    .issues.len(),
    if .issues.len() == 1 { "" } else { "s" },
    if .issues.len() > SHOWN { format!(" (the first {SHOWN} are shown)") } else { String::new() }
)]
pub(crate) struct BlueprintErrors {
    pub file: String,
    pub issues: Vec<BlueprintIssue>,
}

impl Diagnostic for BlueprintErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("lzctl::blueprint"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.issues.iter().take(SHOWN).map(|i| i as &dyn Diagnostic)))
    }
}

/// At most this many characters of a line are drawn: a window around the problem.
const WINDOW: usize = 120;
/// At most this many characters of a message, label or hint are printed.
const MESSAGE_LIMIT: usize = 400;

/// Text no longer than `limit` characters: a long value in it is elided in the middle.
pub(crate) fn bounded(text: String, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text;
    }
    let head: String = text.chars().take(limit * 2 / 3).collect();
    let tail: String = text.chars().skip(count - limit / 3).collect();
    format!("{head}… ({} characters elided) …{tail}", count - head.chars().count() - tail.chars().count())
}

/// What a problem draws: the lines around it — each at most `WINDOW` characters, the problem's
/// own line as a window around its column — keeping the line and column they had in the file,
/// so drawing is bounded and linear whatever the file (one line of a megabyte, thousands of
/// problems).
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The file's line (0-based) the excerpt starts at.
    first_line: usize,
    /// The excerpt's line (0-based) that holds the problem, and how many bytes of that line
    /// were cut before the window (less the "…" drawn in their place).
    problem_line: usize,
    column_shift: isize,
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let column = if inner.line() == self.problem_line {
            inner.column().saturating_add_signed(self.column_shift)
        } else {
            inner.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// A line cut to its first `WINDOW` characters.
fn cut(line: &str) -> String {
    if line.chars().count() <= WINDOW {
        line.to_string()
    } else {
        line.chars().take(WINDOW).collect::<String>() + "…"
    }
}

/// Text as it may be printed: no longer than `limit` characters, nothing unprintable raw.
fn printable(text: String, limit: usize) -> String {
    crate::model::escaped(&bounded(text, limit))
}

/// Collects issues against one source file.
pub(super) struct Collector {
    file: String,
    source: Arc<String>,
    /// Where each line starts, for locating problems in logarithmic time.
    line_starts: Vec<usize>,
    pub issues: Vec<BlueprintIssue>,
}

impl Collector {
    pub(super) fn new(path: &Path, source: Arc<String>) -> Self {
        let line_starts = std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Collector { file: path.display().to_string(), source, line_starts, issues: Vec::new() }
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
        let (source_code, span) = self.excerpt(offset, len);
        self.issues.push(BlueprintIssue {
            code,
            place: self.place(loc),
            message: printable(message, MESSAGE_LIMIT),
            source_code,
            span,
            label: printable(label, MESSAGE_LIMIT),
            help: help.map(|h| printable(h, MESSAGE_LIMIT)),
        });
    }

    /// The lines around `offset` (one before, one after), and the problem's span within them.
    fn excerpt(&self, offset: usize, len: usize) -> (Excerpt, SourceSpan) {
        let line = self.line_starts.partition_point(|start| *start <= offset).saturating_sub(1);
        let text_of = |i: usize| -> &str {
            let start = self.line_starts[i];
            let end = self.line_starts.get(i + 1).map_or(self.source.len(), |next| next - 1);
            self.source[start..end.max(start)].trim_end_matches('\r')
        };
        let own = text_of(line);
        let column = offset - self.line_starts[line];
        // The problem's line: whole, or a window around the problem.
        let (window, span_start, shift) = if own.chars().count() <= WINDOW {
            (own.to_string(), column, 0)
        } else {
            let before = own[..column.min(own.len())].chars().count();
            let first = before.saturating_sub(WINDOW / 2);
            let skipped: usize = own.chars().take(first).map(char::len_utf8).sum();
            let body: String = own[skipped..].chars().take(WINDOW).collect();
            let more = skipped + body.len() < own.len();
            let prefix = if first > 0 { "…" } else { "" };
            let text = format!("{prefix}{body}{}", if more { "…" } else { "" });
            (text, prefix.len() + column - skipped, skipped as isize - prefix.len() as isize)
        };
        let mut lines = Vec::new();
        if line > 0 {
            lines.push(cut(text_of(line - 1)));
        }
        let problem_line = lines.len();
        let before: usize = lines.iter().map(|l| l.len() + 1).sum();
        lines.push(window);
        if line + 1 < self.line_starts.len() {
            lines.push(cut(text_of(line + 1)));
        }
        // Same-width stand-ins keep every offset right.
        let text = crate::model::same_width_visible(&lines.join("\n"));
        let start = (before + span_start).min(text.len());
        let len = len.min(lines[problem_line].len().saturating_sub(span_start));
        let excerpt = Excerpt {
            name: self.file.clone(),
            text,
            first_line: line - problem_line,
            problem_line,
            column_shift: shift,
        };
        (excerpt, SourceSpan::new(start.into(), len))
    }

    /// The byte range of a location; falls back to the line and column when the parser gave
    /// no byte offset, and to the start of the file when it gave nothing.
    fn byte_span(&self, loc: &Location) -> (usize, usize) {
        let span = loc.span();
        if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
            let mut offset = (offset as usize).min(self.source.len());
            while !self.source.is_char_boundary(offset) {
                offset -= 1;
            }
            return (offset, (len as usize).min(self.source.len() - offset));
        }
        if loc.line() == 0 {
            return (0, 0);
        }
        let line_start = self.line_starts.get(loc.line() as usize - 1).copied().unwrap_or(self.source.len());
        let column: usize =
            self.source[line_start..].chars().take(loc.column().saturating_sub(1) as usize).map(char::len_utf8).sum();
        (line_start + column, 0)
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|start| *start <= offset).saturating_sub(1);
        let start = self.line_starts[line];
        (line + 1, self.source[start..offset].chars().count() + 1)
    }

    pub(super) fn finish(self) -> Result<(), BlueprintErrors> {
        if self.issues.is_empty() { Ok(()) } else { Err(BlueprintErrors { file: self.file, issues: self.issues }) }
    }
}
