//! The coverage table.

use super::*;

#[test]
fn a_table_then_the_summary() {
    let row = |id: &str, name: &str, region: &str, state| CoverageRow {
        account_id: id.into(),
        account_name: name.into(),
        region: region.into(),
        state,
    };
    let text = coverage(&[
        row("111111111111", "Security", "eu-west-1", RecorderState::Recording),
        row("111111111111", "Security", "us-east-1", RecorderState::NoRecorder),
        row("222222222222", "Prod Web", "us-east-1", RecorderState::Unreadable("AccessDenied".into())),
    ]);
    assert_eq!(
        text,
        "ACCOUNT       NAME      REGION     CONFIG\n\
         111111111111  Security  eu-west-1  recording\n\
         111111111111  Security  us-east-1  no recorder\n\
         222222222222  Prod Web  us-east-1  unreadable: AccessDenied\n\
         Config recording in 1 of 3 account-regions.\n"
    );
}
