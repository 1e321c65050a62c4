//! Organization settings, StackSets and Config coverage end to end: the real lzctl against
//! moto, checked through the SDK.

use crate::support::{Emulator, MANIFEST_DIR, changes, stderr, stdout};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The fixture and the shipped Config template in a folder of their own (a blueprint reads only
/// files inside its folder), made once per test run.
fn folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("stacksets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::copy(format!("{MANIFEST_DIR}/tests/fixtures/stacksets/blueprint.yaml"), dir.join("blueprint.yaml"))
            .unwrap();
        let template = "templates/config-recorder.yaml";
        std::fs::copy(format!("{MANIFEST_DIR}/blueprints/{template}"), dir.join(template)).unwrap();
        dir
    })
}

fn blueprint() -> String {
    folder().join("blueprint.yaml").display().to_string()
}

/// The fixture with some text replaced, written next to it so relative paths still resolve.
fn variant(from: &str, to: &str) -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(blueprint()).unwrap();
    assert!(text.contains(from), "{from:?} not in the fixture");
    let file = tempfile::Builder::new().suffix(".yaml").tempfile_in(folder()).unwrap();
    std::fs::write(file.path(), text.replace(from, to)).unwrap();
    file
}

async fn applied() -> (Emulator, aws_sdk_organizations::Client) {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let apply = emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    (emu, org)
}

#[tokio::test(flavor = "multi_thread")]
async fn trusted_access_delegated_admin_and_the_stack_set_apply_then_plan_empty() {
    let (emu, org) = applied().await;
    emu.reset_recording();
    let plan = emu.lzctl(&["plan", "-f", &blueprint(), "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}\n{}", stdout(&plan), stderr(&plan));
    // The recording sees CloudFormation's query protocol too, so a StackSets write would show.
    let operations = emu.operations();
    assert!(operations.iter().any(|op| op == "DescribeStackSet"), "{operations:?}");
    assert!(emu.mutating_operations().is_empty(), "plan called {:?}", emu.mutating_operations());

    let access = org.list_aws_service_access_for_organization().send().await.unwrap();
    let enabled: BTreeSet<&str> =
        access.enabled_service_principals().iter().filter_map(|s| s.service_principal()).collect();
    assert_eq!(
        enabled,
        BTreeSet::from([
            "config-multiaccountsetup.amazonaws.com",
            "config.amazonaws.com",
            "member.org.stacksets.cloudformation.amazonaws.com"
        ])
    );
    let admins = org
        .list_delegated_administrators()
        .service_principal("config-multiaccountsetup.amazonaws.com")
        .send()
        .await
        .unwrap();
    let admin_emails: Vec<&str> = admins.delegated_administrators().iter().filter_map(|a| a.email()).collect();
    assert_eq!(admin_emails, ["ss+security@example.com"]);

    let cfn = emu.cfn();
    let ss = cfn.describe_stack_set().stack_set_name("config-recorder").send().await.unwrap();
    let ss = ss.stack_set().unwrap();
    assert_eq!(ss.description(), Some("AWS Config in every account"));
    assert!(ss.template_body().unwrap().contains("AWS::Config::ConfigurationRecorder"));
    let instances = cfn.list_stack_instances().stack_set_name("config-recorder").send().await.unwrap();
    let placed: BTreeSet<(String, String)> = instances
        .summaries()
        .iter()
        .map(|i| (i.account().unwrap().to_string(), i.region().unwrap().to_string()))
        .collect();
    assert_eq!(placed.len(), 4, "two accounts × two regions: {placed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_parameter_or_template_plans_one_update_and_a_removed_region_plans_removal() {
    let (emu, _org) = applied().await;
    let parameter = variant("DeliveryBucketName: lz-config-logs", "DeliveryBucketName: lz-config-archive");
    let plan = emu.lzctl(&["plan", "-f", parameter.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(changes(&stdout(&plan)), ["update stack_set.config-recorder"], "{}", stderr(&plan));

    // A template that differs only in layout is not a change; the shipped one as JSON is the same.
    let template =
        std::fs::read_to_string(format!("{MANIFEST_DIR}/blueprints/templates/config-recorder.yaml")).unwrap();
    let relaid = tempfile::Builder::new().suffix(".yaml").tempfile_in(folder()).unwrap();
    std::fs::write(relaid.path(), template.replace("\n\n", "\n\n\n").replace("Resources:\n", "Resources:   \n"))
        .unwrap();
    let relaid_name = relaid.path().file_name().unwrap().to_str().unwrap();
    let layout = variant("templates/config-recorder.yaml", relaid_name);
    let plan = emu.lzctl(&["plan", "-f", layout.path().to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));

    let edited = tempfile::Builder::new().suffix(".yaml").tempfile_in(folder()).unwrap();
    std::fs::write(edited.path(), template.replace("Default: TwentyFour_Hours", "Default: Six_Hours")).unwrap();
    let edited_name = edited.path().file_name().unwrap().to_str().unwrap();
    let real = variant("templates/config-recorder.yaml", edited_name);
    let plan = emu.lzctl(&["plan", "-f", real.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(changes(&stdout(&plan)), ["update stack_set.config-recorder"]);

    let one_region = variant("regions: [us-east-1, eu-west-1]", "regions: [us-east-1]");
    let plan = emu.lzctl(&["plan", "-f", one_region.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(changes(&stdout(&plan)), ["delete stack_instances.config-recorder/eu-west-1"]);
    let human = stdout(&emu.lzctl(&["plan", "-f", one_region.path().to_str().unwrap(), "--no-color"]));
    assert!(
        human.contains(
            "  - stack_instances.config-recorder/eu-west-1  # eu-west-1 is no longer one of the stack set's regions"
        ),
        "{human}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn config_status_reports_every_member_account_and_region() {
    let (emu, org) = applied().await;
    let accounts = org.list_accounts().send().await.unwrap();
    let id_of =
        |email: &str| accounts.accounts().iter().find(|a| a.email() == Some(email)).unwrap().id().unwrap().to_string();
    let (security, log_archive) = (id_of("ss+security@example.com"), id_of("ss+log-archive@example.com"));
    // The emulator's CloudFormation skips AWS::Config::*: stand in for the template.
    emu.start_config_recorder(&security, "us-east-1", true).await;
    emu.start_config_recorder(&log_archive, "eu-west-1", false).await;

    let out = emu.lzctl(&["config-status", "-f", &blueprint()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |id: &str, region: &str| {
        text.lines().find(|l| l.starts_with(id) && l.contains(region)).unwrap_or_default().to_string()
    };
    assert!(line(&security, "us-east-1").ends_with("recording"), "{text}");
    assert!(line(&security, "eu-west-1").ends_with("recorder missing"), "{text}");
    assert!(line(&log_archive, "eu-west-1").ends_with("recorder stopped"), "{text}");
    assert!(line(&log_archive, "us-east-1").ends_with("recorder missing"), "{text}");
    assert!(line(&security, "us-east-1").contains(" Root/Foundational/"), "the OU is shown: {text}");
    assert!(text.ends_with("Config recording in 1 of 4 account-regions.\n"), "{text}");

    let gap = emu.lzctl(&["config-status", "-f", &blueprint(), "--fail-on-gap", "--regions", "us-east-1"]);
    assert_eq!(gap.status.code(), Some(2));
    assert!(stdout(&gap).ends_with("Config recording in 1 of 2 account-regions.\n"), "{}", stdout(&gap));

    let json = emu.lzctl(&["config-status", "-f", &blueprint(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let states: std::collections::BTreeSet<&str> =
        report["rows"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["recorder_missing", "recorder_stopped", "recording"].into());
    let csv = emu.lzctl(&["config-status", "-f", &blueprint(), "--format", "csv"]);
    assert!(stdout(&csv).starts_with("account_id,account_name,ou,region,state,detail\n"), "{}", stdout(&csv));
    // Another region than the stack set deploys to: no instance there.
    let elsewhere = emu.lzctl(&["config-status", "-f", &blueprint(), "--regions", "ap-south-1"]);
    assert!(stdout(&elsewhere).contains("recorder missing"), "{}", stdout(&elsewhere));
    let typo = emu.lzctl(&["config-status", "-f", &blueprint(), "--regions", "us-east-7"]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(stderr(&typo).contains("\"us-east-7\" is not an AWS region: did you mean us-east-1?"), "{}", stderr(&typo));
}
