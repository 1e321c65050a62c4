//! Blueprint errors as people want them: every problem at once, each naming
//! `file:line:column` and drawn under the offending text with a caret.

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde_saphyr::Location;
use std::path::Path;
use std::sync::Arc;
use thiserror::Error;

/// One problem in the blueprint, at one place in the file.
#[derive(Debug, Error, Diagnostic)]
#[error("{place}: {message}")]
pub(crate) struct BlueprintIssue {
    /// `file:line:column`, so the message alone (without the snippet) says where.
    pub place: String,
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<Arc<String>>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
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
    pub(super) fn at(&mut self, loc: &Location, message: impl Into<String>, label: impl Into<String>) {
        self.push(loc, message.into(), label.into(), None);
    }

    /// Records a problem with a hint on how to fix it.
    pub(super) fn at_with_help(
        &mut self,
        loc: &Location,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(loc, message.into(), label.into(), Some(help.into()));
    }

    /// `file:line:column` of a location.
    pub(super) fn place(&self, loc: &Location) -> String {
        let (offset, _) = self.byte_span(loc);
        let (line, column) = self.line_column(offset);
        format!("{}:{line}:{column}", self.file)
    }

    fn push(&mut self, loc: &Location, message: String, label: String, help: Option<String>) {
        let (offset, len) = self.byte_span(loc);
        self.issues.push(BlueprintIssue {
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
