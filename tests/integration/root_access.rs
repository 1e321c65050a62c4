//! `lzctl root-status` against the emulator, which has no root sessions (sts:AssumeRoot): every
//! member account is a row saying why it could not be read, the run fails rather than passing
//! an audit it could not do, a name that matches no member account is an error, and nothing
//! is changed. Reading real root users is covered on mocks (src/aws/iam/tests.rs).

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn root_status_reports_every_member_account_and_fails_when_it_cannot_read_them() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    org.create_organizational_unit().parent_id(&root).name("Workloads").send().await.unwrap();
    let web = emu.create_account_in(&org, "web@example.com", "web", "Workloads").await;
    let data = emu.create_account_in(&org, "data@example.com", "data", "Workloads").await;
    emu.reset_recording();

    let out = emu.lzctl(&["root-status"]);
    assert_eq!(out.status.code(), Some(1), "an audit that could not be done is no pass:\n{}", stdout(&out));
    let text = stdout(&out);
    for (id, name) in [(&web, "web"), (&data, "data")] {
        let row = text.lines().find(|l| l.starts_with(id.as_str())).unwrap_or_else(|| panic!("{id} in:\n{text}"));
        assert!(row.contains(name) && row.contains("unreadable: sts:AssumeRoot"), "{row}");
    }
    assert!(text.contains("0 of 2 member accounts have root credentials; 2 could not be read."), "{text}");
    assert!(stderr(&out).contains("2 member account(s) could not be read"), "{}", stderr(&out));
    assert!(stderr(&out).contains("lzctl::root_status::unreadable"), "{}", stderr(&out));
    assert_eq!(emu.mutating_operations(), Vec::<String>::new(), "read-only");

    let json = emu.lzctl(&["root-status", "--account", "web", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(report["version"], 1);
    assert_eq!(report["accounts"].as_array().unwrap().len(), 1, "only the account asked for");
    assert_eq!(report["accounts"][0]["account_id"], web.as_str());
    assert!(report["accounts"][0]["error"].as_str().unwrap().starts_with("sts:AssumeRoot"), "{report}");

    let typo = emu.lzctl(&["root-status", "--account", "wbe"]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(stderr(&typo).contains("no member account is named or numbered \"wbe\""), "{}", stderr(&typo));
    assert_eq!(stdout(&typo), "", "no report for a filter that matches nothing");
}
