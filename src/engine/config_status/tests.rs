//! Why an account-region does not record, from tables: no stack instance, a failed one, or the
//! recorder's own state; recording wins whatever the stack sets say.

use super::*;
use crate::live::{LiveStackInstance, LiveStackSet};
use crate::testing::{Files, fresh_org};
use std::collections::BTreeMap;
use std::path::Path;

fn row(account: &str, region: &str, state: RecorderState) -> CoverageRow {
    CoverageRow {
        account_id: account.into(),
        account_name: account.into(),
        ou: "Root".into(),
        region: region.into(),
        state,
    }
}

#[test]
fn the_stack_sets_say_why_before_the_recorder_does() {
    let yaml = "version: 1\norganization: {trusted_services: [member.org.stacksets.cloudformation.amazonaws.com]}\nstack_sets:\n  config: {template: t.yaml, targets: {ous: [Root]}, regions: [us-east-1, eu-west-1]}\n";
    let files = Files::of([("t.yaml", "Resources: {T: {Type: AWS::SNS::Topic}}\n")]);
    let bp = crate::blueprint::parse(Path::new("lz.yaml"), yaml, &files).expect("valid");
    let mut live = fresh_org();
    let instance = |account: &str, region: &str, failed: Option<&str>| LiveStackInstance {
        account_id: account.into(),
        region: region.into(),
        ou_id: None,
        failed: failed.map(str::to_string),
    };
    live.stack_sets = Some(BTreeMap::from([(
        "config".to_string(),
        LiveStackSet {
            instances: vec![instance("a", "us-east-1", None), instance("a", "eu-west-1", Some("role missing"))],
            ..LiveStackSet::named("config")
        },
    )]));
    let explain = |account: &str, region: &str, state| explained(&bp, &live, &row(account, region, state));
    assert_eq!(explain("a", "us-east-1", RecorderState::Stopped), RecorderState::Stopped);
    assert_eq!(explain("a", "us-east-1", RecorderState::NoRecorder), RecorderState::NoRecorder);
    assert_eq!(
        explain("a", "eu-west-1", RecorderState::NoRecorder),
        RecorderState::StackInstanceFailed("role missing".into())
    );
    assert_eq!(explain("b", "us-east-1", RecorderState::NoRecorder), RecorderState::NoStackInstance);
    assert_eq!(explain("b", "us-east-1", RecorderState::Recording), RecorderState::Recording, "set up by hand");
    assert_eq!(
        explain("b", "ap-south-1", RecorderState::NoRecorder),
        RecorderState::NoRecorder,
        "no stack set deploys there"
    );
}
