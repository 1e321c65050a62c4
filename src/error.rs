//! The errors a command can end with, one typed variant per outcome, each shown with its context
//! and a diagnostic code; `Error::exit_code` is the one place that maps them to exit codes.

use crate::apply::{ApplyError, CallError};
use crate::blueprint::BlueprintError;
use miette::Diagnostic;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub(crate) enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Blueprint(#[from] BlueprintError),
    #[error("{0}")]
    #[diagnostic(code(lzctl::aws::credentials))]
    Credentials(Box<CallError>),
    #[error("reading the live organization failed: {0}")]
    #[diagnostic(code(lzctl::aws::read))]
    Read(Box<CallError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(Box<ApplyError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Approval(#[from] crate::approvals::ApprovalError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Saved(#[from] crate::saved::SavedPlanError),
    #[error("give a blueprint (-f BLUEPRINT) or a saved plan (apply PLANFILE)")]
    #[diagnostic(code(lzctl::usage::nothing_to_apply))]
    NothingToApply,
    #[error("give --key or --signature")]
    #[diagnostic(code(lzctl::usage::no_signature))]
    NoSignature,
    #[error(
        "the blueprint requires {required} approval(s): save the plan with `lzctl plan --out PLANFILE`, have it approved, then `lzctl apply PLANFILE`"
    )]
    #[diagnostic(code(lzctl::apply::approvals_required))]
    ApprovalsRequired { required: u32 },
    #[error(
        "apply needs confirmation, but standard input is not a terminal; review the plan and pass --auto-approve to apply without asking"
    )]
    #[diagnostic(code(lzctl::apply::no_terminal))]
    NoTerminal,
    /// The person answered anything but "yes": `what` (apply, join, unlock) was not done.
    #[error("{what} cancelled; nothing was changed")]
    #[diagnostic(code(lzctl::cancelled))]
    Cancelled { what: &'static str },
    #[error("the blueprint {} was made from is not where it was ({}); pass it with -f", .plan.display(), .tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    #[diagnostic(code(lzctl::saved::blueprint_missing))]
    SavedBlueprintMissing { plan: PathBuf, tried: Vec<PathBuf> },
    #[error("{}", if .files.is_empty() { format!("{} or a file it names changed since the plan was made; plan again", .blueprint.display()) } else { format!("the blueprint changed since the plan was made ({}); plan again", .files.join(", ")) })]
    #[diagnostic(code(lzctl::saved::blueprint_changed))]
    BlueprintChanged { blueprint: PathBuf, files: Vec<String> },
    #[error(
        "the plan is stale: the organization changed since it was made ({created_at}), so it is not applied; plan again:\n  {}",
        .changed.join("\n  ")
    )]
    #[diagnostic(code(lzctl::saved::stale))]
    Stale { created_at: String, changed: Vec<String> },
    #[error(
        "the saved plan is not what its blueprint plans against the organization as it is ({differs} differs): it was edited after it was made, so it is not applied; plan again"
    )]
    #[diagnostic(code(lzctl::saved::tampered))]
    Tampered { differs: String },
    #[error("the approval rule recorded on the organization's root cannot be read: {why}")]
    #[diagnostic(
        code(lzctl::approvals::rule_unreadable),
        help(
            "no saved plan is applied until the root's lzctl:approvals:* tags are mended (or removed, by someone allowed to)"
        )
    )]
    RuleUnreadable { why: String },
    #[error(
        "no approval rule was in force in the organization when this plan was made, so no approval counts: it applies without any (and records the rule, if its blueprint has one)"
    )]
    #[diagnostic(code(lzctl::approvals::no_rule))]
    NoRuleInForce,
    #[error("this approval would not count, so it is not added: {why}")]
    #[diagnostic(code(lzctl::approvals::refused))]
    ApprovalRefused { why: String },
    #[error("the plan has hazards, so it is not applied:\n  {}", .hazards.join("\n  "))]
    #[diagnostic(
        code(lzctl::apply::hazards),
        help("change the blueprint, or if you mean it, apply with --allow-hazards")
    )]
    Hazards { hazards: Vec<String> },
    #[error("the plan closes accounts, so it is not applied without --allow-close:\n  {}", .accounts.join("\n  "))]
    #[diagnostic(
        code(lzctl::apply::close_not_allowed),
        help("closing an account cannot be undone after 90 days; if you mean it, apply with --allow-close")
    )]
    CloseNotAllowed { accounts: Vec<String> },
    #[error("this account is in organization {current}; to join {wanted} it must leave it first")]
    #[diagnostic(
        code(lzctl::join::member_elsewhere),
        help("run join again with --leave-current (the account then stands alone until it accepts)")
    )]
    MemberElsewhere { current: String, wanted: String },
    #[error("this account holds no open invitation from {organization}{}", if .open.is_empty() { String::new() } else { format!("; it holds: {}", .open.join(", ")) })]
    #[diagnostic(
        code(lzctl::join::not_invited),
        help(
            "in the management account of that organization, list the account with join: invite and apply; invitations expire after 15 days"
        )
    )]
    NotInvited { organization: String, open: Vec<String> },
    #[error("{0}")]
    #[diagnostic(code(lzctl::join::refused))]
    JoinRefused(Box<CallError>),
    #[error("another apply holds the organization's lock: {by}")]
    #[diagnostic(
        code(lzctl::apply::locked),
        help("wait for it to finish; if it died, the lock expires by itself, or remove it with `lzctl unlock`")
    )]
    Locked { by: String },
    #[error("{count} member account(s) could not be read: their root users are unknown")]
    #[diagnostic(
        code(lzctl::root_status::unreadable),
        help(
            "root sessions need organization.root_access.root_sessions and sts:AssumeRoot; each row says what AWS answered"
        )
    )]
    RootStatusUnreadable { count: usize },
    #[error("{policy_type} has no effective policy document: SCPs and RCPs are evaluated, not merged")]
    #[diagnostic(
        code(lzctl::effective::not_a_management_type),
        help(
            "`lzctl simulate` replays CloudTrail through SCPs and RCPs; effective takes tag, backup, declarative and the other management policy types"
        )
    )]
    NoEffectivePolicy { policy_type: crate::model::PolicyType },
    #[error("{}", if *.live { format!("no account is named, numbered or keyed {name:?} in the blueprint or the organization") } else { format!("the blueprint has no account {name:?}") })]
    #[diagnostic(
        code(lzctl::effective::unknown_account),
        help("name an account by its blueprint key; with --live, also by its AWS name or id")
    )]
    UnknownAccount { name: String, live: bool },
    #[error("the document of policy {policy:?} could not be read, so the effective policy cannot be computed")]
    #[diagnostic(code(lzctl::effective::unread_document))]
    UnreadDocument { policy: String },
    #[error("no member account is named or numbered {name:?}")]
    #[diagnostic(code(lzctl::root_status::unknown_account))]
    UnknownMemberAccount { name: String },
    #[error("{filter} matches nothing in the organization{}", .near.as_ref().map(|n| format!(": did you mean {n}?")).unwrap_or_default())]
    #[diagnostic(
        code(lzctl::inventory::no_match),
        help(
            "a filter names an account (name or id), an OU path, a group or user name, or a permission set the organization has"
        )
    )]
    FilterMatchesNothing { filter: String, near: Option<String> },
    #[error("{region:?} is not an AWS region{}", .near.as_ref().map(|n| format!(": did you mean {n}?")).unwrap_or_default())]
    #[diagnostic(code(lzctl::config_status::unknown_region))]
    UnknownRegion { region: String, near: Option<String> },
    #[error("no regions to check: the blueprint has no stack sets; pass --regions")]
    #[diagnostic(code(lzctl::config_status::no_regions))]
    NoRegions,
    #[error("{} is not an inventory JSON export: {why}", .path.display())]
    #[diagnostic(code(lzctl::inventory::not_an_export))]
    NotAnExport { path: PathBuf, why: String },
    #[error(
        "the organization cannot be described by a blueprint as it is, so nothing was written:\n  {}",
        .problems.join("\n  ")
    )]
    #[diagnostic(
        code(lzctl::import::not_representable),
        help("change these in AWS (or import fewer sections with --only), then import again")
    )]
    NotImportable { problems: Vec<String> },
    #[error("{} is not empty; import writes only into an empty folder unless --force", .path.display())]
    #[diagnostic(code(lzctl::import::not_empty))]
    NotEmpty { path: PathBuf },
    #[error("{}: not CloudTrail events ({why}); lzctl reads log files ({{\"Records\": [...]}}, .gz too), JSON arrays of events, JSON lines and lookup-events output", .path.display())]
    #[diagnostic(code(lzctl::simulate::not_events))]
    NotEvents { path: PathBuf, why: String },
    #[error("{where_}: {why}")]
    #[diagnostic(code(lzctl::simulate::bad_question))]
    BadQuestion { where_: String, why: String },
    #[error("the blueprint's policies cannot be evaluated:\n  {}", .problems.join("\n  "))]
    #[diagnostic(code(lzctl::simulate::policy))]
    Unevaluable { problems: Vec<String> },
    #[error("{verb} {}: {source}", .path.display())]
    #[diagnostic(code(lzctl::io))]
    Io { verb: &'static str, path: PathBuf, source: std::io::Error },
    #[error("{what}: {source}")]
    #[diagnostic(code(lzctl::terminal))]
    Terminal { what: &'static str, source: std::io::Error },
}

impl Error {
    /// A file that could not be read.
    pub(crate) fn read(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io { verb: "reading", path, source }
    }

    /// A file that could not be written.
    pub(crate) fn write(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io { verb: "writing", path, source }
    }

    /// The exit code a command that ends with this error exits with.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            // As a shell reports a command ended by SIGINT.
            Error::Apply(err) if matches!(**err, ApplyError::Interrupted { .. }) => exit::INTERRUPTED,
            Error::Blueprint(_)
            | Error::Credentials(_)
            | Error::Read(_)
            | Error::Apply(_)
            | Error::Plan(_)
            | Error::Approval(_)
            | Error::Saved(_)
            | Error::NothingToApply
            | Error::NoSignature
            | Error::ApprovalsRequired { .. }
            | Error::NoTerminal
            | Error::Cancelled { .. }
            | Error::BlueprintChanged { .. }
            | Error::SavedBlueprintMissing { .. }
            | Error::Stale { .. }
            | Error::Tampered { .. }
            | Error::RuleUnreadable { .. }
            | Error::NoRuleInForce
            | Error::Locked { .. }
            | Error::Hazards { .. }
            | Error::CloseNotAllowed { .. }
            | Error::MemberElsewhere { .. }
            | Error::NotInvited { .. }
            | Error::JoinRefused(_)
            | Error::ApprovalRefused { .. }
            | Error::NoRegions
            | Error::UnknownRegion { .. }
            | Error::FilterMatchesNothing { .. }
            | Error::RootStatusUnreadable { .. }
            | Error::NoEffectivePolicy { .. }
            | Error::UnknownAccount { .. }
            | Error::UnreadDocument { .. }
            | Error::UnknownMemberAccount { .. }
            | Error::NotAnExport { .. }
            | Error::NotImportable { .. }
            | Error::NotEvents { .. }
            | Error::Unevaluable { .. }
            | Error::BadQuestion { .. }
            | Error::NotEmpty { .. }
            | Error::Io { .. }
            | Error::Terminal { .. } => exit::ERROR,
        }
    }
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
    /// An apply stopped by Ctrl-C (or SIGTERM) after finishing what it had started.
    pub(crate) const INTERRUPTED: u8 = 130;
    /// The reader of stdout went away: 128 + SIGPIPE, as a shell reports a process it ended.
    pub(crate) const BROKEN_PIPE: u8 = 141;
}
