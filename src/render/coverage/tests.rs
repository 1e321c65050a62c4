//! The coverage report in every format: each state told apart, the OU shown.

use super::*;

fn rows() -> Vec<CoverageRow> {
    let row = |id: &str, name: &str, ou: &str, region: &str, state| CoverageRow {
        account_id: id.into(),
        account_name: name.into(),
        ou: ou.into(),
        region: region.into(),
        state,
    };
    vec![
        row("111111111111", "Security", "Root/Infra", "eu-west-1", RecorderState::Recording),
        row("111111111111", "Security", "Root/Infra", "us-east-1", RecorderState::NoRecorder),
        row("222222222222", "Prod Web", "Root/Prod", "eu-west-1", RecorderState::Stopped),
        row("222222222222", "Prod Web", "Root/Prod", "us-east-1", RecorderState::NoStackInstance),
        row("333333333333", "=cmd", "Root", "us-east-1", RecorderState::StackInstanceFailed("role missing".into())),
        row("333333333333", "=cmd", "Root", "eu-west-1", RecorderState::Unreadable("AccessDenied".into())),
    ]
}

#[test]
fn a_table_then_the_summary() {
    insta::assert_snapshot!(coverage(&rows()));
}

#[test]
fn json_and_csv_carry_each_state_and_its_detail() {
    let json: serde_json::Value = serde_json::from_str(&coverage_json(&rows())).unwrap();
    assert_eq!(json["version"], 1);
    let states: Vec<&str> = json["rows"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        [
            "recording",
            "recorder_missing",
            "recorder_stopped",
            "no_stack_instance",
            "stack_instance_failed",
            "unreadable"
        ]
    );
    assert_eq!(json["rows"][4]["detail"], "role missing");
    assert_eq!(json["rows"][0]["ou"], "Root/Infra");
    let csv = coverage_csv(&rows());
    assert!(csv.starts_with("account_id,account_name,ou,region,state,detail\n"), "{csv}");
    assert!(csv.contains("333333333333,'=cmd,Root,us-east-1,stack_instance_failed,role missing\n"), "{csv}");
}
