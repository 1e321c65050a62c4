//! lzctl under attack (issue 10): a blueprint under review trying to read secrets through a file
//! reference, approvals the change under review tries to weaken, and the other bypasses — each
//! reproduced against the emulator and refused.

use crate::support::{Emulator, stderr, stdout};
use std::os::unix::fs::symlink;

const SECRET: &str = "AWS_SECRET_ACCESS_KEY";

/// A stack set whose template is `template`, in a folder of its own.
fn stack_set_blueprint(dir: &std::path::Path, template: &str) -> std::path::PathBuf {
    let yaml = format!(
        "version: 1\norganizational_units:\n  Workloads: {{}}\nstack_sets:\n  leak:\n    template: {template}\n    permission_model: SELF_MANAGED\n    targets: {{ous: [Workloads]}}\n    regions: [us-east-1]\n"
    );
    let path = dir.join("lz.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_reference_cannot_read_the_process_environment() {
    let emu = Emulator::start();
    emu.create_organization().await;
    emu.reset_recording();
    let dir = tempfile::tempdir().unwrap();
    symlink("/proc/self/environ", dir.path().join("innocent.yaml")).unwrap();
    for template in ["/proc/self/environ", "innocent.yaml", "../../proc/self/environ"] {
        let blueprint = stack_set_blueprint(dir.path(), template);
        let plan_file = dir.path().join("plan.json");
        for command in [
            vec!["plan", "-f", blueprint.to_str().unwrap(), "--out", plan_file.to_str().unwrap()],
            vec!["plan", "-f", blueprint.to_str().unwrap(), "--format", "json"],
            vec!["apply", "-f", blueprint.to_str().unwrap(), "--auto-approve"],
        ] {
            let out = emu.lzctl(&command);
            let (stdout, stderr) = (stdout(&out), stderr(&out));
            assert_eq!(out.status.code(), Some(1), "{template}: {command:?} must fail:\n{stdout}\n{stderr}");
            assert!(stderr.contains("lzctl::blueprint::unsafe_path"), "{template}: {stderr}");
            assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET), "{template}: the environment leaked");
            assert!(!plan_file.exists(), "{template}: no plan file is written");
        }
    }
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_named_profile_wins_over_environment_credentials_and_an_unknown_one_is_an_error() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = from-the-profile\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("lz.yaml"), "version: 1\n").unwrap();
    let env = [("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())];

    emu.reset_recording();
    let out = emu.lzctl_env(dir.path(), &["plan", "-f", "lz.yaml", "--profile", "ci"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let keys = emu.access_keys();
    assert!(!keys.is_empty() && keys.iter().all(|k| k == "AKIAPROFILE000000001"), "signed with {keys:?}");

    emu.reset_recording();
    let out = emu.lzctl_env(dir.path(), &["plan", "-f", "lz.yaml", "--profile", "ghost"], &env);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lzctl::aws::credentials") && err.contains("profile ghost"), "{err}");
    assert!(emu.operations().is_empty(), "nothing is read with the wrong credentials");

    // Without --profile, environment keys are used, as the AWS CLI does.
    emu.reset_recording();
    let out = emu.lzctl_env(dir.path(), &["plan", "-f", "lz.yaml"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(emu.access_keys().iter().all(|k| k == "testing"), "{:?}", emu.access_keys());
}
