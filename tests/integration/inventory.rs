//! The inventory end to end: a seeded directory, memberships and assignments in moto; the real
//! lzctl reads them; checked against the SDK and a golden file.

use crate::support::{Emulator, MANIFEST_DIR, stderr, stdout};
use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
use std::collections::{BTreeMap, BTreeSet};

fn blueprint() -> String {
    format!("{MANIFEST_DIR}/tests/fixtures/identity/blueprint.yaml")
}

const DIRECTORY: &[(&str, &[&str])] = &[
    ("Admins", &["alice"]),
    ("Developers", &["bob", "erin"]),
    ("Auditors", &["carol"]),
    ("Contractors", &["mallory"]),
];

struct World {
    emu: Emulator,
    people: BTreeMap<String, String>,
    accounts: BTreeMap<String, String>,
}

async fn world() -> World {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let people = emu.seed_directory(DIRECTORY).await;
    let apply = emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let listed = org.list_accounts().send().await.unwrap();
    let accounts =
        listed.accounts().iter().map(|a| (a.name().unwrap().to_string(), a.id().unwrap().to_string())).collect();
    World { emu, people, accounts }
}

impl World {
    /// The report with every random id replaced by a stable label, for the golden file.
    async fn normalized(&self, text: &str) -> String {
        let (instance, store) = self.emu.instance().await;
        let mut labels: Vec<(String, String)> = vec![(instance, "<instance>".into()), (store, "<store>".into())];
        labels.extend(self.accounts.iter().map(|(name, id)| (id.clone(), format!("<account:{name}>"))));
        labels.extend(self.people.iter().map(|(name, id)| (id.clone(), format!("<id:{name}>"))));
        let sso = self.emu.sso();
        let (instance, _) = self.emu.instance().await;
        for arn in sso.list_permission_sets().instance_arn(&instance).send().await.unwrap().permission_sets() {
            let name =
                sso.describe_permission_set().instance_arn(&instance).permission_set_arn(arn).send().await.unwrap();
            labels.push((arn.clone(), format!("<arn:{}>", name.permission_set().unwrap().name().unwrap())));
        }
        // Longest first, so an ARN is replaced before the instance id inside it.
        labels.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        labels.iter().fold(text.to_string(), |text, (from, to)| text.replace(from, to))
    }

    fn json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["inventory", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.emu.lzctl(&all);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()["rows"].as_array().unwrap().clone()
    }
}

fn field(row: &serde_json::Value, key: &str) -> String {
    row[key].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_equals_the_golden_file() {
    let w = world().await;
    let out = w.emu.lzctl(&["inventory", "-f", &blueprint(), "--include-unassigned"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).is_empty(),
        "nothing but the report, and no progress bar without a terminal: {}",
        stderr(&out)
    );
    let golden = std::fs::read_to_string(format!("{MANIFEST_DIR}/tests/golden/inventory.csv")).unwrap();
    assert_eq!(w.normalized(&stdout(&out)).await, golden);
}

#[tokio::test(flavor = "multi_thread")]
async fn expanded_rows_match_the_memberships_made_through_the_sdk() {
    let w = world().await;
    let (_, store) = w.emu.instance().await;
    let ids = w.emu.identitystore();
    let members =
        ids.list_group_memberships().identity_store_id(&store).group_id(&w.people["Developers"]).send().await.unwrap();
    let member_ids: BTreeSet<String> = members
        .group_memberships()
        .iter()
        .filter_map(|m| match m.member_id() {
            Some(aws_sdk_identitystore::types::MemberId::UserId(id)) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let by_id: BTreeMap<&String, &String> = w.people.iter().map(|(n, id)| (id, n)).collect();
    let expected: BTreeSet<String> = member_ids.iter().map(|id| by_id[id].clone()).collect();
    assert_eq!(expected, BTreeSet::from(["bob".to_string(), "erin".to_string()]));

    let rows = w.json(&["--expand-groups"]);
    let via_developers: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| field(r, "via_group") == "Developers")
        .map(|r| (field(r, "account_name"), field(r, "user_name")))
        .collect();
    assert_eq!(via_developers, expected.iter().map(|u| ("dev".to_string(), u.clone())).collect());
    let alice: Vec<&serde_json::Value> = rows.iter().filter(|r| field(r, "user_name") == "alice").collect();
    assert!(
        alice.iter().any(|r| field(r, "via_group").is_empty() && field(r, "principal_type") == "USER"),
        "a direct assignment has no via_group"
    );
    assert!(alice.iter().any(|r| field(r, "via_group") == "Admins"), "and alice is reached through Admins too");
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_narrow_the_rows() {
    let w = world().await;
    let all = w.json(&["--expand-groups"]);
    let bob = w.json(&["--expand-groups", "--principal", "bob"]);
    assert!(!bob.is_empty() && bob.len() < all.len());
    assert!(bob.iter().all(|r| field(r, "user_name") == "bob"));
    let dev = w.json(&["--account", "dev"]);
    assert!(!dev.is_empty() && dev.iter().all(|r| field(r, "account_name") == "dev"));
    let by_id = w.json(&["--account", &w.accounts["dev"]]);
    assert_eq!(by_id, dev);
    let workloads = w.json(&["--ou", "Workloads"]);
    let names: BTreeSet<String> = workloads.iter().map(|r| field(r, "account_name")).collect();
    assert_eq!(names, BTreeSet::from(["dev".to_string(), "prod".to_string()]));
    let admin = w.json(&["--permission-set", "Admin"]);
    assert!(!admin.is_empty() && admin.iter().all(|r| field(r, "permission_set") == "Admin"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diff_of_two_exports_prints_exactly_the_added_and_the_removed_access() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = (dir.path().join("before.json"), dir.path().join("after.json"));
    let export = |path: &std::path::Path| {
        let out = w.emu.lzctl(&["inventory", "--format", "json", "--output", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "--output leaves stdout empty");
    };
    export(&before);

    let (instance, _) = w.emu.instance().await;
    let sso = w.emu.sso();
    let sets = sso.list_permission_sets().instance_arn(&instance).send().await.unwrap();
    let mut arns = BTreeMap::new();
    for arn in sets.permission_sets() {
        let d = sso.describe_permission_set().instance_arn(&instance).permission_set_arn(arn).send().await.unwrap();
        arns.insert(d.permission_set().unwrap().name().unwrap().to_string(), arn.clone());
    }
    w.emu.assign_by_hand(&arns["Auditor"], &w.people["Contractors"], PrincipalType::Group, &w.accounts["dev"]).await;
    sso.delete_account_assignment()
        .instance_arn(&instance)
        .target_id(&w.accounts["prod"])
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arns["Admin"])
        .principal_type(PrincipalType::User)
        .principal_id(&w.people["alice"])
        .send()
        .await
        .unwrap();
    export(&after);

    let out = w.emu.lzctl(&["inventory", "diff", before.to_str().unwrap(), after.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    let changes: Vec<&str> = text.lines().filter(|l| l.starts_with("  + ") || l.starts_with("  - ")).collect();
    assert_eq!(changes, ["  + group Contractors → Auditor", "  - user alice → Admin"], "{text}");
    assert!(text.contains(&format!("account dev ({})\n  + group Contractors → Auditor", w.accounts["dev"])), "{text}");
    assert!(text.contains(&format!("account prod ({})\n  - user alice → Admin", w.accounts["prod"])), "{text}");

    let same = w.emu.lzctl(&["inventory", "diff", before.to_str().unwrap(), before.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout(&same), "No access changed.\n");
}

/// What an auditor files: the JSON report says when, of which organization and by whom; a
/// filter that names nothing is an error naming it; the permission sets report says what each
/// grants.
#[tokio::test(flavor = "multi_thread")]
async fn reports_carry_their_provenance_filters_must_match_and_permission_sets_are_listed() {
    let w = world().await;
    let out = w.emu.lzctl(&["inventory", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["version"], 1);
    assert!(report["organization_id"].as_str().unwrap().starts_with("o-"), "{report}");
    assert_eq!(report["read_by"], "arn:aws:sts::123456789012:user/moto");
    assert!(report["generated_at"].as_str().unwrap().ends_with('Z'));

    // Account tags are read for every account, during the tree's walk; or not at all.
    let tag = aws_sdk_organizations::types::Tag::builder().key("cost-center").value("1234").build().unwrap();
    w.emu.org().tag_resource().resource_id(&w.accounts["prod"]).tags(tag).send().await.unwrap();
    let tags_of_prod = |args: &[&str]| {
        let mut all = vec!["inventory", "--format", "json", "--account", "prod"];
        all.extend_from_slice(args);
        let report: serde_json::Value = serde_json::from_str(&stdout(&w.emu.lzctl(&all))).unwrap();
        report["rows"][0]["account_tags"].as_str().unwrap().to_string()
    };
    assert_eq!(tags_of_prod(&[]), "cost-center=1234");
    assert_eq!(tags_of_prod(&["--no-account-tags"]), "");

    let typo = w.emu.lzctl(&["inventory", "--principal", "alicee"]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        stderr(&typo).contains("--principal alicee matches nothing in the organization: did you mean alice?"),
        "{}",
        stderr(&typo)
    );
    assert_eq!(stdout(&typo), "");

    let sets = w.emu.lzctl(&["inventory", "permission-sets", "--format", "json"]);
    assert_eq!(sets.status.code(), Some(0), "{}", stderr(&sets));
    let sets: serde_json::Value = serde_json::from_str(&stdout(&sets)).unwrap();
    let names: Vec<&str> =
        sets["permission_sets"].as_array().unwrap().iter().map(|p| p["permission_set"].as_str().unwrap()).collect();
    assert_eq!(names, ["Admin", "Auditor", "Developer"]);
    let developer = &sets["permission_sets"][2];
    assert!(developer["managed_policies"].as_str().unwrap().contains("PowerUserAccess"), "{developer}");
    assert!(!developer["provisioned_accounts"].as_array().unwrap().is_empty(), "{developer}");
}
