//! The errors a command can end with, each shown with its context, and how they map to exit codes.

use crate::apply::{ApplyError, CallError};
use crate::blueprint::BlueprintError;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub(crate) enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Blueprint(#[from] BlueprintError),
    #[error("reading the live organization failed: {0}")]
    #[diagnostic(code(lzctl::aws::read))]
    Read(Box<CallError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(Box<ApplyError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error("{0}")]
    #[diagnostic(code(lzctl::refused))]
    Refused(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Approval(#[from] crate::approvals::ApprovalError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Saved(#[from] crate::saved::SavedPlanError),
    #[error("{what}: {source}")]
    #[diagnostic(code(lzctl::io))]
    Io { what: String, source: std::io::Error },
}

impl From<ApplyError> for Error {
    fn from(err: ApplyError) -> Self {
        Error::Apply(Box::new(err))
    }
}

impl From<CallError> for Error {
    fn from(err: CallError) -> Self {
        Error::Read(Box::new(err))
    }
}

/// Exit codes: 0 success (or no changes), 1 error, 2 changes present (`--detailed-exitcode`).
pub(crate) mod exit {
    pub(crate) const OK: u8 = 0;
    pub(crate) const ERROR: u8 = 1;
    pub(crate) const CHANGES: u8 = 2;
}
