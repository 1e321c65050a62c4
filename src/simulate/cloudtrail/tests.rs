//! Records of every shape the project writes itself (assumed role with a path, IAM user, root,
//! service-linked role, AWS service, service event, console sign-in, errors), each row of the
//! rename tables, and the context keys a record carries.

use super::*;
use crate::policy::Tri;
use serde_json::{Value, json};

/// The event of a record written as JSON (the text and record live as long as the test).
fn event_of(value: &Value) -> Result<Event<'static>, Skip> {
    let text: &'static str = Box::leak(value.to_string().into_boxed_str());
    super::event_of(Box::leak(Box::new(Record::parse(text))))
}

fn assumed_role(source: &str, name: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:deploy",
            "arn": "arn:aws:sts::111122223333:assumed-role/deployer/deploy",
            "accountId": "111122223333",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/ci/deployer", "accountId": "111122223333"},
                "attributes": {"creationDate": "2024-05-01T09:00:00Z", "mfaAuthenticated": "false"}
            }
        },
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.7",
        "eventID": "e-1",
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
}

#[test]
fn an_assumed_role_is_its_role_with_the_path_and_the_keys_the_record_states() {
    let event = event_of(&assumed_role("ec2.amazonaws.com", "RunInstances")).expect("evaluable");
    assert_eq!(event.principal_arn, "arn:aws:iam::111122223333:role/ci/deployer");
    assert_eq!((event.account_id, event.region), ("111122223333", "eu-west-1"));
    assert_eq!(event.request.action, "ec2:RunInstances");
    assert_eq!(event.request.resource, None, "unknown");
    let context = &event.request.context;
    let value = |key: &str| match context.lookup(key) {
        crate::policy::Lookup::Present(v) => Some(v.join(",")),
        crate::policy::Lookup::Absent => None,
        crate::policy::Lookup::Unknown => Some("?".into()),
    };
    assert_eq!(value("aws:RequestedRegion").as_deref(), Some("eu-west-1"));
    assert_eq!(value("aws:PrincipalArn").as_deref(), Some("arn:aws:iam::111122223333:role/ci/deployer"));
    assert_eq!(value("aws:PrincipalType").as_deref(), Some("AssumedRole"));
    assert_eq!(value("aws:SourceIp").as_deref(), Some("203.0.113.7"));
    assert_eq!(value("aws:MultiFactorAuthPresent").as_deref(), Some("false"));
    assert_eq!(value("aws:EpochTime").as_deref(), Some("1714557600"));
    assert_eq!(value("aws:ViaAWSService").as_deref(), Some("false"));
    assert_eq!(value("aws:username"), None, "a known key the record lacks is absent");
    assert_eq!(value("aws:PrincipalTag/team").as_deref(), Some("?"), "any other key is unknown");
    let _ = Tri::Unknown;
}

#[test]
fn users_root_and_the_skipped_shapes() {
    let mut user = assumed_role("iam.amazonaws.com", "CreateRole");
    user["userIdentity"] = json!({"type": "IAMUser", "principalId": "AIDA1", "arn": "arn:aws:iam::111122223333:user/ann", "accountId": "111122223333", "userName": "ann"});
    let event = event_of(&user).unwrap();
    assert_eq!(event.principal_arn, "arn:aws:iam::111122223333:user/ann");
    assert!(matches!(event.request.context.lookup("aws:username"), crate::policy::Lookup::Present(v) if v == ["ann"]));

    let mut root = assumed_role("iam.amazonaws.com", "CreateRole");
    root["userIdentity"] = json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    assert_eq!(event_of(&root).unwrap().principal_arn, "arn:aws:iam::111122223333:root");

    let mut linked = assumed_role("ec2.amazonaws.com", "DescribeInstances");
    linked["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] =
        json!("arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
    assert_eq!(event_of(&linked), Err(Skip::ServiceLinkedRole));

    let mut service = assumed_role("kms.amazonaws.com", "Decrypt");
    service["userIdentity"] = json!({"type": "AWSService", "invokedBy": "s3.amazonaws.com"});
    assert_eq!(event_of(&service), Err(Skip::AwsService));
    let mut service_event = assumed_role("health.amazonaws.com", "AWSHealthEvent");
    service_event["eventType"] = json!("AwsServiceEvent");
    assert_eq!(event_of(&service_event), Err(Skip::AwsService));

    let mut sign_in = assumed_role("signin.amazonaws.com", "ConsoleLogin");
    sign_in["eventType"] = json!("AwsConsoleSignIn");
    assert_eq!(event_of(&sign_in), Err(Skip::NotApiCall));

    assert_eq!(event_of(&json!({"eventName": "x"})), Err(Skip::Malformed));
    let mut no_source = assumed_role("ec2.amazonaws.com", "RunInstances");
    no_source.as_object_mut().unwrap().remove("eventSource");
    assert_eq!(event_of(&no_source), Err(Skip::Malformed));
}

#[test]
fn errors_of_permission_mark_an_event_already_denied() {
    for (code, denied) in
        [("AccessDenied", true), ("Client.UnauthorizedOperation", true), ("ThrottlingException", false)]
    {
        let mut record = assumed_role("ec2.amazonaws.com", "RunInstances");
        record["errorCode"] = json!(code);
        assert_eq!(event_of(&record).unwrap().already_denied, denied, "{code}");
    }
}

#[test]
fn every_rename_row_and_version_suffixes() {
    for (from, to) in SERVICE_RENAMES {
        assert_eq!(action_of(&format!("{from}.amazonaws.com"), "Do"), format!("{to}:Do"), "{from}");
    }
    for (from, to) in ACTION_RENAMES {
        let (service, name) = from.split_once(':').unwrap();
        assert_eq!(action_of(&format!("{service}.amazonaws.com"), name), to, "{from}");
    }
    assert_eq!(action_of("lambda.amazonaws.com", "GetFunction20150331v2"), "lambda:GetFunction");
    assert_eq!(action_of("lambda.amazonaws.com", "ListFunctions20150331"), "lambda:ListFunctions");
    assert_eq!(action_of("ec2.amazonaws.com", "CreateVpc"), "ec2:CreateVpc");
    assert_eq!(action_of("ec2.amazonaws.com", "Run2"), "ec2:Run2", "digits that are not a date stay");
}

#[test]
fn resources_come_from_the_single_arn_or_s3_parameters() {
    let mut one = assumed_role("sqs.amazonaws.com", "SendMessage");
    one["resources"] = json!([{"ARN": "arn:aws:sqs:eu-west-1:111122223333:q", "accountId": "111122223333"}]);
    assert_eq!(event_of(&one).unwrap().request.resource.as_deref(), Some("arn:aws:sqs:eu-west-1:111122223333:q"));
    let mut object = assumed_role("s3.amazonaws.com", "HeadObject");
    object["requestParameters"] = json!({"bucketName": "logs", "key": "a/b.gz"});
    let event = event_of(&object).unwrap();
    assert_eq!(
        (event.request.action.as_str(), event.request.resource.as_deref()),
        ("s3:GetObject", Some("arn:aws:s3:::logs/a/b.gz"))
    );
    let mut bucket = assumed_role("s3.amazonaws.com", "ListObjects");
    bucket["requestParameters"] = json!({"bucketName": "logs"});
    assert_eq!(event_of(&bucket).unwrap().request.resource.as_deref(), Some("arn:aws:s3:::logs"));
}
