//! From a CloudTrail record to a request: who called (the principal's ARN, with a role's path),
//! which action (the service prefix from `eventSource` with AWS's renames, the action from
//! `eventName`), on what (the single resource, or one built for shapes lzctl knows), and the
//! context keys the record carries. Records SCPs do not govern are skipped, with why.

mod record;

use crate::policy::{Context, Request};
pub(crate) use record::{Object, Record, Text};
use std::borrow::Cow;

/// Why an event is not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Skip {
    ManagementAccount,
    ServiceLinkedRole,
    AwsService,
    UnplacedAccount,
    NotApiCall,
    Malformed,
}

impl Skip {
    pub(crate) const ALL: [Skip; 6] = [
        Skip::ManagementAccount,
        Skip::ServiceLinkedRole,
        Skip::AwsService,
        Skip::UnplacedAccount,
        Skip::NotApiCall,
        Skip::Malformed,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Skip::ManagementAccount => "management_account",
            Skip::ServiceLinkedRole => "service_linked_role",
            Skip::AwsService => "aws_service",
            Skip::UnplacedAccount => "unplaced_account",
            Skip::NotApiCall => "not_api_call",
            Skip::Malformed => "malformed",
        }
    }
}

/// One recorded call, as much as count mode needs of it; its text borrowed from the record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event<'a> {
    pub id: &'a str,
    pub time: &'a str,
    pub account_id: &'a str,
    pub principal_arn: Cow<'a, str>,
    pub region: &'a str,
    pub request: Request<'a>,
    /// The account that owns the resource, where the record or the resource's ARN says.
    pub resource_account: Option<&'a str>,
    /// It failed for lack of permission already.
    pub already_denied: bool,
}

/// Keys every record states (present, or absent because the call had none).
pub(crate) const KNOWN_KEYS: [&str; 14] = [
    "aws:RequestedRegion",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    "aws:SourceIp",
    "aws:ViaAWSService",
    "aws:CalledVia",
    "aws:MultiFactorAuthPresent",
    "aws:TokenIssueTime",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:PrincipalIsAWSService",
];

/// Service prefixes whose event source differs from the prefix IAM uses. One table, each row
/// tested.
pub(crate) const SERVICE_RENAMES: [(&str, &str); 5] = [
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("tagging", "tag"),
    ("aps-workspaces", "aps"),
    ("runtime.lex", "lex"),
];

/// Event names that are not the name of the action IAM checks.
pub(crate) const ACTION_RENAMES: [(&str, &str); 7] = [
    ("s3:HeadObject", "s3:GetObject"),
    ("s3:HeadBucket", "s3:ListBucket"),
    ("s3:ListObjects", "s3:ListBucket"),
    ("s3:ListObjectsV2", "s3:ListBucket"),
    ("s3:ListObjectVersions", "s3:ListBucketVersions"),
    ("s3:CompleteMultipartUpload", "s3:PutObject"),
    ("s3:UploadPart", "s3:PutObject"),
];

/// Error codes that mean the call was already refused for lack of permission.
const DENIED_CODES: [&str; 5] = [
    "AccessDenied",
    "AccessDeniedException",
    "Client.UnauthorizedOperation",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
];

/// `GetFunction20150331v2` → `GetFunction`: the API version some services append.
fn without_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    let mut end = bytes.len();
    // An optional `v<digits>` after the date.
    let mut i = end;
    while i > 0 && bytes[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i < end && i > 0 && bytes[i - 1] == b'v' {
        end = i - 1;
    }
    let digits = bytes[..end].iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 8 && end > 8 { &name[..end - 8] } else { name }
}

/// The IAM action of a record: `ec2:RunInstances`.
pub(crate) fn action_of(event_source: &str, event_name: &str) -> String {
    let service = event_source.strip_suffix(".amazonaws.com").unwrap_or(event_source);
    let service = SERVICE_RENAMES.iter().find(|(from, _)| *from == service).map_or(service, |(_, to)| to);
    let action = format!("{service}:{}", without_version(event_name));
    ACTION_RENAMES.iter().find(|(from, _)| *from == action).map_or(action, |(_, to)| (*to).to_string())
}

/// The resource a record names: its single ARN, or one built from S3's parameters.
fn resource_of(record: &Record<'_>, action: &str) -> Option<String> {
    if let Some(arn) = record.single_resource() {
        return Some(arn.to_string());
    }
    if action.starts_with("s3:") {
        let bucket = record.parameter(|p| &p.bucket_name)?;
        return Some(match record.parameter(|p| &p.key) {
            Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
            None => format!("arn:aws:s3:::{bucket}"),
        });
    }
    None
}

/// The record as a request, or why it is skipped.
pub(crate) fn event_of<'a>(record: &'a Record<'a>) -> Result<Event<'a>, Skip> {
    let identity = record.identity().ok_or(Skip::Malformed)?;
    let kind = identity.kind.get().unwrap_or_default();
    let event_type = record.event_type.get().unwrap_or("AwsApiCall");
    if kind == "AWSService" || event_type == "AwsServiceEvent" {
        return Err(Skip::AwsService);
    }
    if event_type != "AwsApiCall" {
        return Err(Skip::NotApiCall);
    }
    let (Some(source), Some(name), Some(time)) =
        (record.event_source.get(), record.event_name.get(), record.event_time.get())
    else {
        return Err(Skip::Malformed);
    };
    let account = identity.account_id.get().or_else(|| record.recipient_account_id.get()).ok_or(Skip::Malformed)?;
    let principal_arn = match kind {
        "AssumedRole" | "FederatedUser" => identity.issuer_arn().or_else(|| identity.arn.get()).map(Cow::Borrowed),
        "Root" => Some(Cow::Owned(format!("arn:aws:iam::{account}:root"))),
        _ => identity.arn.get().map(Cow::Borrowed),
    }
    .ok_or(Skip::Malformed)?;
    if principal_arn.contains(":role/aws-service-role/") {
        return Err(Skip::ServiceLinkedRole);
    }
    let region = record.aws_region.get().unwrap_or("us-east-1");
    let action = action_of(source, name);

    let mut context = Context::partial(&KNOWN_KEYS);
    context.set("aws:RequestedRegion", region);
    context.set("aws:PrincipalArn", principal_arn.clone());
    context.set("aws:PrincipalAccount", account);
    let principal_type = match kind {
        "AssumedRole" => "AssumedRole",
        "IAMUser" => "User",
        "Root" => "Account",
        "FederatedUser" => "FederatedUser",
        other => other,
    };
    context.set("aws:PrincipalType", principal_type);
    context.set("aws:PrincipalIsAWSService", "false");
    if let Some(id) = identity.principal_id.get() {
        context.set("aws:userid", id);
    }
    if kind == "IAMUser"
        && let Some(user) = identity.user_name.get()
    {
        context.set("aws:username", user);
    }
    if let Some(ip) = record.source_ip_address.get().filter(|ip| ip.parse::<std::net::IpAddr>().is_ok()) {
        context.set("aws:SourceIp", ip);
    }
    match identity.invoked_by.get().filter(|s| s.ends_with(".amazonaws.com")) {
        Some(service) => {
            context.set("aws:ViaAWSService", "true");
            context.set("aws:CalledVia", service);
        }
        None => context.set("aws:ViaAWSService", "false"),
    }
    if let Some(mfa) = identity.attribute(|a| &a.mfa_authenticated) {
        context.set("aws:MultiFactorAuthPresent", mfa);
    }
    if let Some(issued) = identity.attribute(|a| &a.creation_date) {
        context.set("aws:TokenIssueTime", issued);
    }
    context.set("aws:CurrentTime", time);
    if let Some(epoch) = crate::model::parse_rfc3339(time) {
        context.set("aws:EpochTime", format!("{}", epoch as i64));
    }
    let already_denied = record.error_code.get().is_some_and(|code| DENIED_CODES.contains(&code));
    let resource_account = record.resource_account().or_else(|| record.single_resource().and_then(account_of_arn));
    Ok(Event {
        id: record.event_id.get().unwrap_or_default(),
        time,
        account_id: account,
        principal_arn,
        region,
        request: Request { resource: resource_of(record, &action), action, context },
        resource_account,
        already_denied,
    })
}

/// The account an ARN names (its fifth part), where it is an account id.
pub(crate) fn account_of_arn(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

#[cfg(test)]
mod tests;
