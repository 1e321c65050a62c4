//! `lzctl simulate`'s arguments: count mode's events or questions, and how to judge them.

use super::{BlueprintArg, Format, ProfileArgs};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    #[command(flatten)]
    pub aws: ProfileArgs,
    #[command(flatten)]
    pub blueprint: BlueprintArg,
    /// CloudTrail events: files or folders (searched recursively; `.gz` too), `-` for stdin.
    #[arg(long = "events", num_args = 1.., value_name = "PATH", required_unless_present_any = ["request", "requests", "lookup_events"])]
    pub events: Vec<PathBuf>,
    /// Read recent management events from CloudTrail (LookupEvents) in each member account
    /// instead, through --role, in --regions, for --since..--until.
    #[arg(long, conflicts_with_all = ["events", "offline", "requests", "request"], requires = "regions")]
    pub lookup_events: bool,
    /// The role to read CloudTrail through in each member account.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub role: String,
    /// The regions to read CloudTrail's event history in (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// One what-if question: this action (with --account), explained level by level.
    #[arg(long, value_name = "ACTION", requires = "accounts", conflicts_with_all = ["events", "requests"])]
    pub request: Option<String>,
    /// Only events of this account (repeatable); with --request, the account asked about. A
    /// blueprint key, its name, or its id.
    #[arg(long = "account", value_name = "NAME_OR_ID")]
    pub accounts: Vec<String>,
    /// Only events at or after this time (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    pub since: Option<f64>,
    /// Only events before this time (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    pub until: Option<f64>,
    /// The calling principal of --request (sets aws:PrincipalArn and aws:PrincipalAccount).
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
    /// The region of --request (aws:RequestedRegion); with --request, AWS itself is reached in
    /// the profile's region.
    #[arg(long)]
    pub region: Option<String>,
    /// The resource of --request (default `*`).
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// A context key of --request, KEY=VALUE (repeatable; a key not given is absent).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Many what-if questions, one JSON object per line (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "events")]
    pub requests: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// List every event, allowed and skipped ones too (JSON).
    #[arg(long)]
    pub all: bool,
    /// Make no AWS call: events of accounts the blueprint does not pin by id are skipped.
    #[arg(long)]
    pub offline: bool,
    /// Read `s3://` events with this profile's credentials (the log-archive account's, say).
    #[arg(long, value_name = "PROFILE", conflicts_with = "offline")]
    pub events_profile: Option<String>,
    /// Judge by the blueprint's policies and attachments, or by what is attached in AWS now.
    #[arg(long, value_enum, default_value_t = PolicySource::Blueprint, conflicts_with = "offline")]
    pub policies: PolicySource,
    /// The management account's id (otherwise read from the organization), never subject to SCPs.
    #[arg(long, value_name = "ID")]
    pub management_account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PolicySource {
    Blueprint,
    Live,
}

/// A time as `--since` and `--until` take it.
fn rfc3339(text: &str) -> Result<f64, String> {
    crate::model::parse_rfc3339(text).ok_or_else(|| format!("{text:?} is not an RFC 3339 time (2024-05-01T00:00:00Z)"))
}
