//! The command line: subcommands and flags, parsed by clap. No behaviour lives here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod simulate;
pub(crate) use simulate::{PolicySource, SimulateArgs};

/// A command's examples, for the end of its `--help`: what each does, then the line.
macro_rules! examples {
    ($(($line:literal, $what:literal)),* $(,)?) => {
        concat!("Examples:\n", $("  # ", $what, "\n  ", $line, "\n"),*)
    };
}

/// `lzctl --version`: the package version and the commit it was built from.
pub(crate) const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("LZCTL_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "lzctl",
    version = VERSION,
    about = "Build and keep an AWS Organizations landing zone from one declarative YAML blueprint",
    after_help = examples!(
        ("lzctl validate -f lz.yaml", "check the blueprint, no AWS call"),
        ("lzctl plan -f lz.yaml", "what apply would change"),
        ("lzctl apply -f lz.yaml", "show the plan, ask for yes, apply it"),
    ),
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// Never colour the output. Colour is on only where the output is a terminal, off when
    /// NO_COLOR is set, and forced by FORCE_COLOR or CLICOLOR_FORCE.
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// How a command reaches AWS; offered only by the commands that call it.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct AwsArgs {
    /// AWS profile; its credentials win over those in the environment. Without it, the standard
    /// chain: environment keys, then AWS_PROFILE or the default profile, SSO, instance role.
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region for the API endpoints (Organizations itself is global).
    #[arg(long)]
    pub region: Option<String>,
    /// Print API calls per API, throttled calls and wall time to stderr.
    #[arg(long)]
    pub stats: bool,
}

/// `AwsArgs` without `--region`, for `simulate`, whose `--region` is the question's.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct ProfileArgs {
    /// AWS profile; its credentials win over those in the environment. Without it, the standard
    /// chain: environment keys, then AWS_PROFILE or the default profile, SSO, instance role.
    #[arg(long)]
    pub profile: Option<String>,
    /// Print API calls per API, throttled calls and wall time to stderr.
    #[arg(long)]
    pub stats: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check a blueprint and every file it names, without calling AWS.
    #[command(after_help = examples!(
        ("lzctl validate -f blueprints/landing-zone.yaml", "every problem, each with file:line:column"),
        ("LZCTL_BLUEPRINT=lz.yaml lzctl validate", "the blueprint from the environment"),
    ))]
    Validate(BlueprintArg),
    /// Read the live organization and show what apply would change.
    #[command(after_help = examples!(
        ("lzctl plan -f lz.yaml", "the plan, for people"),
        ("lzctl plan -f lz.yaml --detailed-exitcode --format json", "in a pipeline: exit 2 when something changes"),
        ("lzctl plan -f lz.yaml --out plan.json --format markdown", "save it for approval; a pull-request comment"),
    ))]
    Plan(PlanArgs),
    /// Show the plan, ask for confirmation, and make the changes.
    #[command(after_help = examples!(
        ("lzctl apply -f lz.yaml", "plan, show, ask for yes, apply"),
        ("lzctl apply plan.json", "apply exactly a saved, approved plan"),
        ("lzctl apply -f lz.yaml --auto-approve --exclude 'policy.legacy-*'", "without asking, leaving some changes out"),
    ))]
    Apply(ApplyArgs),
    /// Whether AWS Config records in every member account and region.
    #[command(after_help = examples!(
        ("lzctl config-status -f lz.yaml", "every member account, in the stack sets' regions"),
        ("lzctl config-status -f lz.yaml --regions us-east-1 --fail-on-gap", "exit 2 where Config does not record"),
    ))]
    ConfigStatus(ConfigStatusArgs),
    /// Who can reach which account with which permission set (read-only).
    #[command(after_help = examples!(
        ("lzctl inventory -f lz.yaml --format markdown --expand-groups", "one row per user, for an auditor"),
        ("lzctl inventory --format json -o today.json", "an export to compare with later"),
        ("lzctl inventory diff last-month.json today.json", "who gained and who lost access"),
    ))]
    Inventory(InventoryArgs),
    /// Write the blueprint of the organization as it is (read-only): adopt it, then plan.
    #[command(after_help = examples!(
        ("lzctl import --out landing-zone/", "blueprint.yaml and the files it names"),
        ("lzctl import --out lz/ --only organizations", "only the organization's part"),
    ))]
    Import(ImportArgs),
    /// Count mode: replay CloudTrail events through the blueprint's SCPs and RCPs.
    #[command(after_help = examples!(
        ("lzctl simulate -f lz.yaml --events ./cloudtrail/", "what the SCPs would have denied"),
        ("lzctl simulate -f lz.yaml --request ec2:RunInstances --account prod-web --region ap-south-1", "one what-if question, explained"),
    ))]
    Simulate(SimulateArgs),
    /// Add an approval (an SSH signature) to a saved plan.
    #[command(after_help = examples!(
        ("lzctl approve plan.json --key ~/.ssh/id_ed25519", "sign with your key"),
        ("lzctl approve plan.json --signature plan.sig", "a signature made by ssh-keygen -Y sign -n lzctl-plan"),
    ))]
    Approve(ApproveArgs),
    /// Show a saved plan.
    #[command(after_help = examples!(
        ("lzctl show plan.json", "the plan, its approvals and whether they suffice"),
        ("lzctl show plan.json --digest", "the digest approvals sign"),
    ))]
    Show(ShowArgs),
    /// Remove the organization's apply lock, left by an apply that died.
    #[command(after_help = examples!(
        ("lzctl unlock", "say who holds the lock, ask, remove it"),
    ))]
    Unlock(UnlockArgs),
    /// In an invited account (its own credentials): accept the organization's invitation.
    #[command(after_help = examples!(
        ("lzctl join --organization o-abcd1234 --profile the-account", "accept that organization's invitation"),
        ("lzctl join --organization o-abcd1234 --leave-current --profile the-account", "leave the current organization first"),
    ))]
    Join(JoinArgs),
    /// Which member accounts' root users still have credentials (read-only; exit 2 if any do).
    #[command(after_help = examples!(
        ("lzctl root-status", "every active member account"),
        ("lzctl root-status --account prod-web --format json", "one account, for a script"),
    ))]
    RootStatus(RootStatusArgs),
    /// The effective tag, backup, declarative … policy the blueprint gives an account; with
    /// --live, AWS's own beside it (exit 2 when they differ).
    #[command(after_help = examples!(
        ("lzctl effective -f lz.yaml --account prod-web --type TAG_POLICY", "from the blueprint alone"),
        ("lzctl effective -f lz.yaml --account prod-web --type BACKUP_POLICY --live", "beside AWS's own"),
    ))]
    Effective(EffectiveArgs),
    /// Print the blueprint's JSON Schema (for editors: yaml-language-server, VS Code, IntelliJ).
    #[command(after_help = examples!(
        ("lzctl schema > blueprint.schema.json", "then start the blueprint with: # yaml-language-server: $schema=blueprint.schema.json"),
    ))]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = examples!(
        ("lzctl completions bash > ~/.local/share/bash-completion/completions/lzctl", "bash"),
        ("lzctl completions zsh > \"${fpath[1]}/_lzctl\"", "zsh"),
        ("lzctl completions fish > ~/.config/fish/completions/lzctl.fish", "fish"),
    ))]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct EffectiveArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub blueprint: BlueprintArg,
    /// The account: its blueprint key; with --live also its AWS name or id.
    #[arg(long)]
    pub account: String,
    /// The management policy type (TAG_POLICY, BACKUP_POLICY, DECLARATIVE_POLICY_EC2 …).
    #[arg(long = "type", value_name = "TYPE", value_parser = management_policy_type)]
    pub policy_type: crate::model::PolicyType,
    /// Read the organization: levels the blueprint does not manage as AWS has them, and AWS's
    /// own effective policy (DescribeEffectivePolicy) beside the blueprint's.
    #[arg(long)]
    pub live: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// A policy type as AWS spells it (any case).
fn management_policy_type(text: &str) -> Result<crate::model::PolicyType, String> {
    crate::model::PolicyType::parse(&text.to_ascii_uppercase()).ok_or_else(|| {
        let all: Vec<&str> = crate::model::PolicyType::ALL.iter().map(|t| t.as_str()).collect();
        format!("not a policy type; one of: {}", all.join(", "))
    })
}

#[derive(Debug, Args)]
pub(crate) struct RootStatusArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Only these member accounts (name or id; repeatable).
    #[arg(long = "account", value_name = "NAME_OR_ID")]
    pub accounts: Vec<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct JoinArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The organization to join (o-…): only its invitation is accepted, never another.
    #[arg(long, value_name = "ORGANIZATION_ID")]
    pub organization: String,
    /// Leave the organization the account is in first (LeaveOrganization).
    #[arg(long)]
    pub leave_current: bool,
    /// Join without asking.
    #[arg(long)]
    pub auto_approve: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ApproveArgs {
    pub plan_file: PathBuf,
    /// The reviewer's OpenSSH private key (unencrypted; otherwise sign with ssh-keygen).
    #[arg(long, conflicts_with = "signature", required_unless_present = "signature")]
    pub key: Option<PathBuf>,
    /// A signature made with `ssh-keygen -Y sign -n lzctl-plan` over the plan's digest
    /// (`lzctl show PLANFILE --digest`).
    #[arg(long)]
    pub signature: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct UnlockArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Remove it without asking.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    pub plan_file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only the digest approvals sign.
    #[arg(long)]
    pub digest: bool,
    /// Where the full plan is kept (a CI artifact's name or URL): a Markdown comment too long
    /// for GitHub is shortened and names it.
    #[arg(long, value_name = "NAME")]
    pub artifact: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InventoryFormat {
    Csv,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The folder to write blueprint.yaml, policies/ and templates/ into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that is not empty, replacing files of the same names.
    #[arg(long)]
    pub force: bool,
    /// Describe the management account too (otherwise it stays unmanaged).
    #[arg(long)]
    pub include_management: bool,
    /// Import only this section (repeatable); the blueprint then manages only it.
    #[arg(long = "only", value_enum, value_name = "SECTION")]
    pub only: Vec<ImportSection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ImportSection {
    /// Settings, OUs, accounts, SCPs and RCPs and where they are attached.
    #[value(name = "organizations")]
    Organizations,
    /// Permission sets and assignments.
    #[value(name = "identity_center")]
    IdentityCenter,
    /// Service-managed stack sets.
    #[value(name = "stack_sets")]
    StackSets,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct InventoryArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(subcommand)]
    pub action: Option<InventoryAction>,
    /// A blueprint, used only to mark each row as managed (yes/no/unknown).
    #[arg(long = "file", short = 'f')]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// One row per user reached through a group.
    #[arg(long)]
    pub expand_groups: bool,
    /// List accounts that no one can reach, too.
    #[arg(long)]
    pub include_unassigned: bool,
    /// Leave the account_tags column empty: saves one call per account (10 a second).
    #[arg(long)]
    pub no_account_tags: bool,
    /// Only this account (name or id); repeatable.
    #[arg(long = "account")]
    pub accounts: Vec<String>,
    /// Only accounts under this OU path; repeatable.
    #[arg(long = "ou")]
    pub ous: Vec<String>,
    /// Only this group or user name; repeatable.
    #[arg(long = "principal")]
    pub principals: Vec<String>,
    /// Only this permission set; repeatable.
    #[arg(long = "permission-set")]
    pub permission_sets: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum InventoryAction {
    /// Who gained and who lost which access between two JSON exports; exits 2 when they differ.
    #[command(after_help = examples!(
        ("lzctl inventory diff last-month.json today.json", "access gained and lost since last month"),
    ))]
    Diff {
        /// The earlier export (`inventory --format json`).
        old: PathBuf,
        /// The later export.
        new: PathBuf,
    },
    /// What each permission set grants: managed, customer-managed and inline policies, the
    /// permissions boundary, the session duration, the accounts it is provisioned to.
    #[command(after_help = examples!(
        ("lzctl inventory permission-sets --format markdown", "for an auditor"),
        ("lzctl inventory permission-sets --format json -o permission-sets.json", "an export"),
    ))]
    PermissionSets(PermissionSetsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PermissionSetsArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// A blueprint, used only for the Identity Center instance it names.
    #[arg(long = "file", short = 'f')]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// An inventory report's format, and where it goes.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[arg(long, value_enum, default_value_t = InventoryFormat::Csv)]
    pub format: InventoryFormat,
    /// Write the report here instead of to stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ConfigStatusArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub blueprint: BlueprintArg,
    /// Regions to check (default: every region the blueprint's stack sets deploy to).
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Exit 2 when any account-region does not record.
    #[arg(long)]
    pub fail_on_gap: bool,
    /// The role assumed in each member account.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub role: String,
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TableFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct BlueprintArg {
    /// The blueprint file.
    #[arg(long = "file", short = 'f', env = "LZCTL_BLUEPRINT", hide_env_values = true)]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub blueprint: BlueprintArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also delete unmanaged OUs that are empty and unmanaged policies that are detached.
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub exclude: ExcludeArg,
    /// Also save the plan to this file, for `lzctl approve` and `lzctl apply PLANFILE`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Who asked for the change (in a pipeline: the pull request's author, as named in
    /// allowed_signers); recorded in the saved plan, covered by its digest, never an approver.
    #[arg(long, value_name = "PRINCIPAL", requires = "out")]
    pub requested_by: Option<String>,
    /// Also replay these CloudTrail events (files or folders) through the live and the planned
    /// SCPs and RCPs: "Impact on recorded activity".
    #[arg(long = "events", num_args = 1.., value_name = "PATH")]
    pub events: Vec<PathBuf>,
    /// Where the full plan is kept (a CI artifact's name or URL): a Markdown comment too long
    /// for GitHub is shortened and names it.
    #[arg(long, value_name = "NAME")]
    pub artifact: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// A saved plan (`lzctl plan --out`): applied exactly, after checking it is current and approved.
    pub plan_file: Option<PathBuf>,
    /// The blueprint: planned now and applied; with PLANFILE, where to find the plan's blueprint
    /// if not at the path it was planned from.
    #[arg(long = "file", short = 'f', env = "LZCTL_BLUEPRINT", hide_env_values = true)]
    pub file: Option<PathBuf>,
    /// Apply without asking.
    #[arg(long)]
    pub auto_approve: bool,
    /// Apply a plan with hazards (changes that can lock people out, or that protect nothing);
    /// without it such a plan is refused.
    #[arg(long)]
    pub allow_hazards: bool,
    /// Apply a plan that closes accounts (`lifecycle: closed`); without it such a plan is
    /// refused. Closing cannot be undone after 90 days.
    #[arg(long)]
    pub allow_close: bool,
    /// Also delete unmanaged OUs that are empty and unmanaged policies that are detached.
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub exclude: ExcludeArg,
}

#[derive(Debug, Args)]
pub(crate) struct ExcludeArg {
    /// Leave out changes whose address matches (`*` matches any text), and every change that
    /// needs one of them; the plan lists what was left out. Repeatable, or comma-separated.
    #[arg(long, value_name = "ADDRESS", value_delimiter = ',', env = "LZCTL_EXCLUDE", hide_env_values = true)]
    pub exclude: Vec<String>,
}

#[cfg(test)]
mod tests;
