//! `lzctl import` end to end: organizations built by hand through the SDK (not by lzctl), with
//! every feature and awkward names, import into a folder; the folder validates, plans
//! `No changes.`, and an apply of it makes no mutating call. Also: the shipped landing zone, a
//! partial import per section, a folder that is not empty, and what cannot be imported.

use crate::support::{Emulator, landing_zone, stderr, stdout};
use aws_sdk_organizations::types::PolicyType;
use std::path::Path;

/// An OU made by hand under `parent`; its id.
async fn ou(org: &aws_sdk_organizations::Client, parent: &str, name: &str) -> String {
    let made = org.create_organizational_unit().parent_id(parent).name(name).send().await.expect("create OU");
    made.organizational_unit().unwrap().id().unwrap().to_string()
}

/// An account made by hand and moved under `parent`; its id.
async fn account(org: &aws_sdk_organizations::Client, email: &str, name: &str, parent: &str) -> String {
    let created = org.create_account().email(email).account_name(name).send().await.expect("create account");
    let request = created.create_account_status().unwrap().id().unwrap().to_string();
    let status = org.describe_create_account_status().create_account_request_id(request).send().await.unwrap();
    let id = status.create_account_status().unwrap().account_id().unwrap().to_string();
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    org.move_account().account_id(&id).source_parent_id(&root).destination_parent_id(parent).send().await.unwrap();
    id
}

async fn policy(org: &aws_sdk_organizations::Client, name: &str, kind: PolicyType, action: &str) -> String {
    let document =
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"*"}}]}}"#);
    let made = org
        .create_policy()
        .name(name)
        .description(format!("{name}: made by hand"))
        .r#type(kind)
        .content(document)
        .send()
        .await
        .expect("create policy");
    made.policy().unwrap().policy_summary().unwrap().id().unwrap().to_string()
}

/// The organization as a team that clicked it together has it: nested OUs sharing names, names
/// with `/`, quotes, `#`, spaces and unicode, SCPs and an RCP attached to the root, OUs and
/// accounts, tags, a trusted service with a delegated administrator, permission sets with
/// policies, and assignments to groups and a user over a whole OU and single accounts.
async fn clicked_together(emu: &Emulator) {
    let org = emu.create_organization().await;
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    for kind in [PolicyType::ServiceControlPolicy, PolicyType::ResourceControlPolicy] {
        org.enable_policy_type().root_id(&root).policy_type(kind).send().await.unwrap();
    }
    let teams = ou(&org, &root, "Teams / EU").await;
    let payments = ou(&org, &teams, "Payments").await;
    let prod = ou(&org, &payments, "Prod").await;
    let _other_prod = ou(&org, &teams, "Prod").await;
    let quoted = ou(&org, &root, " #1 \"Quoted\" 'Team' é ").await;
    let _root_named = ou(&org, &root, "Root").await;
    org.tag_resource()
        .resource_id(&payments)
        .tags(aws_sdk_organizations::types::Tag::builder().key("cost center").value("0042").build().unwrap())
        .send()
        .await
        .unwrap();
    let web = account(&org, "web@example.com", "Web (EU)", &prod).await;
    let web2 = account(&org, "web2@example.com", "Web (EU)", &payments).await;
    let audit = account(&org, "audit@example.com", "Audit", &quoted).await;
    org.tag_resource()
        .resource_id(&web)
        .tags(aws_sdk_organizations::types::Tag::builder().key("owner").value("payments").build().unwrap())
        .send()
        .await
        .unwrap();
    let deny_leave =
        policy(&org, "deny leave / org", PolicyType::ServiceControlPolicy, "organizations:LeaveOrganization").await;
    let deny_s3 = policy(&org, "deny-s3", PolicyType::ResourceControlPolicy, "s3:*").await;
    let _unattached = policy(&org, "draft #2", PolicyType::ServiceControlPolicy, "ec2:*").await;
    for (policy, target) in [(&deny_leave, &root), (&deny_leave, &payments), (&deny_s3, &web)] {
        org.attach_policy().policy_id(policy).target_id(target).send().await.unwrap();
    }
    org.enable_aws_service_access().service_principal("config-multiaccountsetup.amazonaws.com").send().await.unwrap();
    org.register_delegated_administrator()
        .account_id(&audit)
        .service_principal("config-multiaccountsetup.amazonaws.com")
        .send()
        .await
        .unwrap();

    let people = emu.seed_directory(&[("Payments Engineers / EU", &["ann"]), ("Auditors", &["bob"])]).await;
    let (instance, _) = emu.instance().await;
    let sso = emu.sso();
    let mut sets = Vec::new();
    for (name, managed) in [("Admin", "AdministratorAccess"), ("ReadOnly", "ReadOnlyAccess")] {
        let made = sso
            .create_permission_set()
            .instance_arn(&instance)
            .name(name)
            .description(format!("{name}, by hand"))
            .session_duration("PT4H")
            .send()
            .await
            .unwrap();
        let arn = made.permission_set().unwrap().permission_set_arn().unwrap().to_string();
        sso.attach_managed_policy_to_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arn)
            .managed_policy_arn(format!("arn:aws:iam::aws:policy/{managed}"))
            .send()
            .await
            .unwrap();
        sets.push(arn);
    }
    sso.put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&sets[0])
        .inline_policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    use aws_sdk_ssoadmin::types::PrincipalType::{Group, User};
    for account in [&web, &web2] {
        emu.assign_by_hand(&sets[0], &people["Payments Engineers / EU"], Group, account).await;
    }
    emu.assign_by_hand(&sets[1], &people["Auditors"], Group, &audit).await;
    emu.assign_by_hand(&sets[1], &people["ann"], User, &web).await;
}

/// `import --out DIR`, then the folder validates and plans nothing, and an apply of it changes
/// nothing in AWS.
fn round_trip(emu: &Emulator, dir: &Path, extra: &[&str]) -> String {
    let out = dir.join("imported");
    let out_arg = out.display().to_string();
    let mut args = vec!["import", "--out", out_arg.as_str()];
    args.extend_from_slice(extra);
    emu.reset_recording();
    let imported = emu.lzctl_in(dir, &args);
    assert_eq!(imported.status.code(), Some(0), "{}\n{}", stdout(&imported), stderr(&imported));
    assert_eq!(emu.mutating_operations(), Vec::<String>::new(), "import only reads");
    let blueprint = out.join("blueprint.yaml").display().to_string();
    let validated = emu.lzctl_in(dir, &["validate", "-f", &blueprint]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let plan = emu.lzctl_in(dir, &["plan", "-f", &blueprint, "--detailed-exitcode"]);
    let text = std::fs::read_to_string(&blueprint).unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}\n{}\n{text}", stdout(&plan), stderr(&plan));
    assert!(stdout(&plan).contains("No changes."));
    emu.reset_recording();
    let apply = emu.lzctl_in(dir, &["apply", "-f", &blueprint, "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert_eq!(emu.mutating_operations(), Vec::<String>::new(), "an apply of an import changes nothing");
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organization_made_by_hand_imports_and_plans_empty() {
    let emu = Emulator::start();
    clicked_together(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let text = round_trip(&emu, dir.path(), &[]);
    for expected in [
        "  \"Teams / EU\":",
        "ou: \"Teams \\\\/ EU/Payments/Prod\"",
        "  \" #1 \\\"Quoted\\\" 'Team' é \": {}",
        "  Root: {}",
        "web-eu:",
        "name: \"Web (EU)\"",
        "root_policies: [\"deny leave / org\"]",
        "config-multiaccountsetup.amazonaws.com: audit",
        "- group: \"Payments Engineers / EU\"",
        "ous: [\"Teams \\\\/ EU\"]",
        "ous: [\"Teams \\\\/ EU/Payments/Prod\"]",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    let policies: Vec<String> = std::fs::read_dir(dir.path().join("imported/policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(policies, ["deny-leave-org.json", "deny-s3.json", "draft-2.json", "permission-sets"]);
    let document = std::fs::read_to_string(dir.path().join("imported/policies/deny-s3.json")).unwrap();
    assert!(
        document.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["),
        "pretty, in AWS's order: {document}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_landing_zone_imports_back_to_a_blueprint_that_plans_empty() {
    let emu = Emulator::start();
    emu.create_organization().await;
    emu.seed_directory(crate::support::DEMO_DIRECTORY).await;
    let apply = emu.lzctl(&["apply", "-f", &landing_zone(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let dir = tempfile::tempdir().unwrap();
    let text = round_trip(&emu, dir.path(), &[]);
    assert!(text.contains("stack_sets:\n  config-recorder:"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_section_imports_alone_and_manages_only_itself() {
    let emu = Emulator::start();
    clicked_together(&emu).await;
    for (section, present, absent) in [
        ("organizations", "\norganizational_units:", "\nidentity_center:"),
        ("identity_center", "\nidentity_center:", "\naccounts:"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = round_trip(&emu, dir.path(), &["--only", section]);
        assert!(text.contains(present) && !text.contains(absent), "--only {section}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn import_refuses_a_folder_that_is_not_empty_and_what_a_blueprint_cannot_say() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = dir.path().display().to_string();
    emu.reset_recording();
    let refused = emu.lzctl(&["import", "--out", &out]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("is not empty"), "{}", stderr(&refused));
    assert!(emu.operations().is_empty(), "refused before reading anything");

    // AWS refuses two sibling OUs of one name; the emulator does not, and neither can a
    // blueprint say it: nothing is written.
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    ou(&org, &root, "Twin").await;
    ou(&org, &root, "Twin").await;
    ou(&org, &root, "bad\u{202e}name").await;
    let forced = emu.lzctl(&["import", "--out", &out, "--force"]);
    assert_eq!(forced.status.code(), Some(1), "{}", stdout(&forced));
    let err = stderr(&forced);
    assert!(err.contains("two OUs named \"Twin\"") && err.contains("U+202E"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["notes.txt"], "nothing written");
}
