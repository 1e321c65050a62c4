//! From a CloudTrail record to a request: who called (the principal's ARN, with a role's path),
//! which action (the service prefix from `eventSource` with AWS's renames, the action from
//! `eventName`), on what (the single resource, or one built for shapes lzctl knows), and the
//! context keys the record carries. Records SCPs do not govern are skipped, with why.

use crate::policy::{Context, Request};
use serde_json::Value;

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

/// One recorded call, as much as count mode needs of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub id: String,
    pub time: String,
    pub account_id: String,
    pub principal_arn: String,
    pub region: String,
    pub request: Request,
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

fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(*key))?.as_str()
}

/// The resource a record names: its single ARN, or one built from S3's parameters.
fn resource_of(record: &Value, action: &str) -> Option<String> {
    if let Some(Value::Array(resources)) = record.get("resources")
        && let [one] = resources.as_slice()
        && let Some(arn) = one.get("ARN").and_then(Value::as_str)
    {
        return Some(arn.to_string());
    }
    if action.starts_with("s3:") {
        let bucket = text(record, &["requestParameters", "bucketName"])?;
        return Some(match text(record, &["requestParameters", "key"]) {
            Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
            None => format!("arn:aws:s3:::{bucket}"),
        });
    }
    None
}

/// The record as a request, or why it is skipped.
pub(crate) fn event_of(record: &Value) -> Result<Event, Skip> {
    let identity = record.get("userIdentity").ok_or(Skip::Malformed)?;
    let kind = text(identity, &["type"]).unwrap_or_default();
    let event_type = text(record, &["eventType"]).unwrap_or("AwsApiCall");
    if kind == "AWSService" || event_type == "AwsServiceEvent" {
        return Err(Skip::AwsService);
    }
    if event_type != "AwsApiCall" {
        return Err(Skip::NotApiCall);
    }
    let (source, name) = (text(record, &["eventSource"]), text(record, &["eventName"]));
    let (Some(source), Some(name), Some(time)) = (source, name, text(record, &["eventTime"])) else {
        return Err(Skip::Malformed);
    };
    let account =
        text(identity, &["accountId"]).or_else(|| text(record, &["recipientAccountId"])).ok_or(Skip::Malformed)?;
    let principal_arn = match kind {
        "AssumedRole" | "FederatedUser" => text(identity, &["sessionContext", "sessionIssuer", "arn"])
            .or_else(|| text(identity, &["arn"]))
            .map(str::to_string),
        "Root" => Some(format!("arn:aws:iam::{account}:root")),
        _ => text(identity, &["arn"]).map(str::to_string),
    }
    .ok_or(Skip::Malformed)?;
    if principal_arn.contains(":role/aws-service-role/") {
        return Err(Skip::ServiceLinkedRole);
    }
    let region = text(record, &["awsRegion"]).unwrap_or("us-east-1").to_string();
    let action = action_of(source, name);

    let mut context = Context::partial(&KNOWN_KEYS);
    let one = |v: &str| vec![v.to_string()];
    context.set("aws:RequestedRegion", one(&region));
    context.set("aws:PrincipalArn", one(&principal_arn));
    context.set("aws:PrincipalAccount", one(account));
    let principal_type = match kind {
        "AssumedRole" => "AssumedRole",
        "IAMUser" => "User",
        "Root" => "Account",
        "FederatedUser" => "FederatedUser",
        other => other,
    };
    context.set("aws:PrincipalType", one(principal_type));
    context.set("aws:PrincipalIsAWSService", one("false"));
    if let Some(id) = text(identity, &["principalId"]) {
        context.set("aws:userid", one(id));
    }
    if kind == "IAMUser"
        && let Some(user) = text(identity, &["userName"])
    {
        context.set("aws:username", one(user));
    }
    if let Some(ip) = text(record, &["sourceIPAddress"]).filter(|ip| ip.parse::<std::net::IpAddr>().is_ok()) {
        context.set("aws:SourceIp", one(ip));
    }
    match text(identity, &["invokedBy"]).filter(|s| s.ends_with(".amazonaws.com")) {
        Some(service) => {
            context.set("aws:ViaAWSService", one("true"));
            context.set("aws:CalledVia", one(service));
        }
        None => context.set("aws:ViaAWSService", one("false")),
    }
    if let Some(mfa) = text(identity, &["sessionContext", "attributes", "mfaAuthenticated"]) {
        context.set("aws:MultiFactorAuthPresent", one(mfa));
    }
    if let Some(issued) = text(identity, &["sessionContext", "attributes", "creationDate"]) {
        context.set("aws:TokenIssueTime", one(issued));
    }
    context.set("aws:CurrentTime", one(time));
    if let Some(epoch) = crate::model::parse_rfc3339(time) {
        context.set("aws:EpochTime", one(&format!("{}", epoch as i64)));
    }
    let already_denied = text(record, &["errorCode"]).is_some_and(|code| DENIED_CODES.contains(&code));
    Ok(Event {
        id: text(record, &["eventID"]).unwrap_or_default().to_string(),
        time: time.to_string(),
        account_id: account.to_string(),
        principal_arn,
        region,
        request: Request { resource: resource_of(record, &action), action, context },
        already_denied,
    })
}

#[cfg(test)]
mod tests;
