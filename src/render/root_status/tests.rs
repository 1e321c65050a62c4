//! `root-status` as people and scripts read it: an account with credentials, one without, one
//! that could not be read.

use super::*;
use crate::live::RootCredentials;

fn rows() -> Vec<RootUserRow> {
    let row = |id: &str, name: &str, credentials| RootUserRow {
        account_id: id.into(),
        account_name: name.into(),
        credentials,
    };
    vec![
        row("111111111111", "log-archive", Ok(RootCredentials::default())),
        row(
            "222222222222",
            "prod-web",
            Ok(RootCredentials { password: true, access_keys: 1, mfa_devices: 1, signing_certificates: 0 }),
        ),
        row("333333333333", "sandbox", Err("sts:AssumeRoot: AccessDenied: not allowed".into())),
    ]
}

#[test]
fn the_table_says_per_account_what_the_root_user_holds() {
    insta::assert_snapshot!(root_status(&rows()));
}

#[test]
fn the_json_is_versioned_and_gives_each_account_its_credentials_or_its_error() {
    insta::assert_snapshot!(root_status_json(&rows()));
}
