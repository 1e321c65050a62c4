//! The test harness: a moto server of its own for each test on a free loopback port, an SDK
//! client to arrange and check state without going through lzctl, the real lzctl binary, and
//! moto's request recording to prove which calls reached the emulator.

use aws_sdk_organizations::Client;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub(crate) const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

pub(crate) struct Emulator {
    pub url: String,
    child: Child,
    recording: PathBuf,
    _dir: tempfile::TempDir,
}

impl Emulator {
    /// Starts moto with request recording on, and waits until it answers.
    pub(crate) fn start() -> Emulator {
        let dir = tempfile::tempdir().expect("temp dir");
        let recording = dir.path().join("requests.jsonl");
        let (child, url) = crate::moto_server::start(
            dir.path(),
            &[("MOTO_ENABLE_RECORDING", "True".as_ref()), ("MOTO_RECORDER_FILEPATH", recording.as_os_str())],
        );
        Emulator { url, child, recording, _dir: dir }
    }

    pub(crate) fn org(&self) -> Client {
        client!(aws_sdk_organizations, &self.url, "testing")
    }

    pub(crate) fn sso(&self) -> aws_sdk_ssoadmin::Client {
        client!(aws_sdk_ssoadmin, &self.url, "testing")
    }

    pub(crate) fn identitystore(&self) -> aws_sdk_identitystore::Client {
        client!(aws_sdk_identitystore, &self.url, "testing")
    }

    pub(crate) fn cfn(&self) -> aws_sdk_cloudformation::Client {
        client!(aws_sdk_cloudformation, &self.url, "testing")
    }

    /// S3, path-style (a loopback endpoint has no bucket subdomains).
    pub(crate) fn s3(&self) -> aws_sdk_s3::Client {
        let config = client!(aws_sdk_s3, &self.url, "testing").config().to_builder().force_path_style(true).build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// A configuration recorder in a member account, made through the role lzctl reads with,
    /// as the Config template would make it; `recording` starts it.
    pub(crate) async fn start_config_recorder(&self, account: &str, region: &str, recording: bool) {
        let sts = client!(aws_sdk_sts, &self.url, "testing");
        let role = format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole");
        let assumed = sts.assume_role().role_arn(&role).role_session_name("tests").send().await.expect("assume role");
        let c = assumed.credentials().unwrap();
        let config = aws_sdk_config::Client::from_conf(
            aws_sdk_config::Config::builder()
                .behavior_version(aws_sdk_config::config::BehaviorVersion::latest())
                .region(aws_sdk_config::config::Region::new(region.to_string()))
                .endpoint_url(&self.url)
                .credentials_provider(aws_sdk_config::config::Credentials::new(
                    c.access_key_id(),
                    c.secret_access_key(),
                    Some(c.session_token().to_string()),
                    None,
                    "tests",
                ))
                .http_client(crate::moto_server::http_client())
                .build(),
        );
        let recorder = aws_sdk_config::types::ConfigurationRecorder::builder()
            .name("default")
            .role_arn(format!("arn:aws:iam::{account}:role/lz-config-recorder-{region}"))
            .build();
        config.put_configuration_recorder().configuration_recorder(recorder).send().await.expect("put recorder");
        let channel =
            aws_sdk_config::types::DeliveryChannel::builder().name("default").s3_bucket_name("lz-config-logs").build();
        config.put_delivery_channel().delivery_channel(channel).send().await.expect("put delivery channel");
        if recording {
            config
                .start_configuration_recorder()
                .configuration_recorder_name("default")
                .send()
                .await
                .expect("start recorder");
        }
    }

    /// An assignment made by hand, outside lzctl: `principal_id` of `kind` gets the permission
    /// set `permission_set_arn` on `account`.
    pub(crate) async fn assign_by_hand(
        &self,
        permission_set_arn: &str,
        principal_id: &str,
        kind: aws_sdk_ssoadmin::types::PrincipalType,
        account: &str,
    ) {
        let (instance, _) = self.instance().await;
        self.sso()
            .create_account_assignment()
            .instance_arn(instance)
            .permission_set_arn(permission_set_arn)
            .principal_id(principal_id)
            .principal_type(kind)
            .target_id(account)
            .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
            .send()
            .await
            .expect("create an assignment by hand");
    }

    /// The Identity Center instance the emulator made, and its identity store.
    pub(crate) async fn instance(&self) -> (String, String) {
        let out = self.sso().list_instances().send().await.expect("list instances");
        let i = &out.instances()[0];
        (i.instance_arn().unwrap().to_string(), i.identity_store_id().unwrap().to_string())
    }

    /// Creates groups (and users, as members) in the identity store; returns every id by name.
    pub(crate) async fn seed_directory(
        &self,
        groups: &[(&str, &[&str])],
    ) -> std::collections::BTreeMap<String, String> {
        let (_, store) = self.instance().await;
        let ids = self.identitystore();
        let mut all = std::collections::BTreeMap::new();
        for (group, members) in groups {
            let gid =
                ids.create_group().identity_store_id(&store).display_name(*group).send().await.expect("create group");
            let gid = gid.group_id().to_string();
            all.insert(group.to_string(), gid.clone());
            for user in *members {
                if !all.contains_key(*user) {
                    let name =
                        aws_sdk_identitystore::types::Name::builder().given_name(*user).family_name("Example").build();
                    let uid = ids
                        .create_user()
                        .identity_store_id(&store)
                        .user_name(*user)
                        .display_name(*user)
                        .name(name)
                        .emails(
                            aws_sdk_identitystore::types::Email::builder()
                                .value(format!("{user}@example.com"))
                                .primary(true)
                                .build(),
                        )
                        .send()
                        .await
                        .expect("create user");
                    all.insert(user.to_string(), uid.user_id().to_string());
                }
                let member = aws_sdk_identitystore::types::MemberId::UserId(all[*user].clone());
                ids.create_group_membership()
                    .identity_store_id(&store)
                    .group_id(&gid)
                    .member_id(member)
                    .send()
                    .await
                    .expect("membership");
            }
        }
        all
    }

    /// A new organization, as `aws organizations create-organization` makes it.
    pub(crate) async fn create_organization(&self) -> Client {
        let org = self.org();
        org.create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .expect("create organization");
        org
    }

    /// An account made by hand, outside lzctl, and moved into the OU at `path` (`A/B`); its id.
    pub(crate) async fn create_account_in(&self, org: &Client, email: &str, name: &str, path: &str) -> String {
        let created = org.create_account().email(email).account_name(name).send().await.expect("create account");
        let request = created.create_account_status().unwrap().id().unwrap().to_string();
        let status = org.describe_create_account_status().create_account_request_id(request).send().await.unwrap();
        let id = status.create_account_status().unwrap().account_id().unwrap().to_string();
        let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
        let mut parent = root.clone();
        for name in path.split('/') {
            let children = org.list_organizational_units_for_parent().parent_id(&parent).send().await.unwrap();
            let child = children.organizational_units().iter().find(|o| o.name() == Some(name));
            parent = child.unwrap_or_else(|| panic!("no OU {name} in {path}")).id().unwrap().to_string();
        }
        org.move_account().account_id(&id).source_parent_id(&root).destination_parent_id(&parent).send().await.unwrap();
        id
    }

    /// Runs the real lzctl binary against this emulator.
    pub(crate) fn lzctl(&self, args: &[&str]) -> Output {
        self.lzctl_in(Path::new(MANIFEST_DIR), args)
    }

    /// Runs lzctl in `dir` with extra environment variables (they override the defaults).
    pub(crate) fn lzctl_env(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command(dir, args);
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().expect("run lzctl")
    }

    /// Starts lzctl in `dir` without waiting for it, stdout and stderr captured.
    pub(crate) fn spawn_lzctl(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
        let mut command = self.command(dir, args);
        for (key, value) in env {
            command.env(key, value);
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start lzctl")
    }

    pub(crate) fn lzctl_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(dir, args).output().expect("run lzctl")
    }

    /// Runs lzctl at a terminal (a pseudo-terminal made by `script`), typing `input`.
    pub(crate) fn lzctl_at_terminal(&self, dir: &Path, args: &[&str], input: &str) -> Output {
        let lzctl = self.command(dir, args);
        let line: Vec<String> = std::iter::once(lzctl.get_program())
            .chain(lzctl.get_args())
            .map(|a| format!("'{}'", a.to_string_lossy().replace('\'', r"'\''")))
            .collect();
        let mut script = Command::new("script");
        script.current_dir(dir).args(["-qec", &line.join(" "), "/dev/null"]).env_clear();
        for (key, value) in lzctl.get_envs() {
            if let Some(value) = value {
                script.env(key, value);
            }
        }
        let mut child =
            script.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start script");
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), input.as_bytes()).expect("type");
        child.wait_with_output().expect("run lzctl at a terminal")
    }

    /// What lzctl's environment holds in the tests: only the emulator, test credentials, no
    /// profile.
    pub(crate) fn lzctl_env_vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_CONFIG_FILE", "/nonexistent/lzctl-test-config".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/lzctl-test-credentials".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("LZCTL_RATE_SCALE", "100".into()),
            // moto's ListAccountsForProvisionedPermissionSet ignores assignments, so reading
            // assignments per (permission set, account) pair would miss hand-made ones there.
            ("LZCTL_ASSIGNMENT_READ", "per-principal".into()),
        ]
    }

    /// The lzctl command as the tests run it: only the emulator, test credentials, no profile.
    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = bare_command(dir, args);
        command.envs(self.lzctl_env_vars());
        // The emulator has no backup or declarative policies: the landing zone's are left out,
        // as `make demo` leaves them out.
        if args.iter().any(|a| a.ends_with("blueprints/landing-zone.yaml")) {
            command.env("LZCTL_EXCLUDE", LANDING_ZONE_EXCLUDES);
        }
        command
    }

    /// The access key ids the emulator's requests were signed with, in order.
    pub(crate) fn access_keys(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.recording).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|entry| {
                let headers = entry.get("headers")?.as_object()?;
                let auth = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?.1.as_str()?;
                let credential = auth.split("Credential=").nth(1)?;
                Some(credential.split('/').next()?.to_string())
            })
            .collect()
    }

    /// The operations the emulator has received since the last reset, whatever the protocol.
    pub(crate) fn operations(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.recording).unwrap_or_default();
        operations_in(&text)
    }

    /// The operations received that change something.
    pub(crate) fn mutating_operations(&self) -> Vec<String> {
        mutating(self.operations())
    }

    pub(crate) fn reset_recording(&self) {
        std::fs::write(&self.recording, "").expect("truncate the recording");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The operations in moto's request recording (one JSON object per line), in order: from the
/// `X-Amz-Target` header (JSON protocols: Organizations, Identity Center), or from `Action=` in
/// the form body or the query string (query protocol: CloudFormation, STS).
fn operations_in(recording: &str) -> Vec<String> {
    recording
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|entry| operation_of(&entry))
        .collect()
}

fn operation_of(entry: &serde_json::Value) -> Option<String> {
    use base64::Engine;
    let headers = entry.get("headers")?.as_object()?;
    if let Some((_, target)) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target")) {
        return Some(target.as_str()?.rsplit('.').next()?.to_string());
    }
    let body = entry.get("body").and_then(serde_json::Value::as_str).unwrap_or_default();
    let body = if entry.get("body_encoded").and_then(serde_json::Value::as_bool) == Some(true) {
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body).ok()?).ok()?
    } else {
        body.to_string()
    };
    let query = entry.get("url").and_then(serde_json::Value::as_str).and_then(|u| u.split_once('?')).map(|(_, q)| q);
    [Some(body.as_str()), query]
        .into_iter()
        .flatten()
        .flat_map(|form| form.split('&'))
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_string)
}

/// The operations that change something: all but `List*`, `Describe*`, `Get*`, `Lookup*` and
/// STS's `AssumeRole` and `AssumeRoot` (sessions, nothing changed).
fn mutating(operations: Vec<String>) -> Vec<String> {
    const READ_PREFIXES: [&str; 6] = ["List", "Describe", "Get", "Lookup", "AssumeRole", "AssumeRoot"];
    operations.into_iter().filter(|op| !READ_PREFIXES.iter().any(|p| op.starts_with(p))).collect()
}

/// A recorded CloudFormation `CreateStackInstances` (query protocol, body base64-encoded, as moto
/// records it), an STS read in the query string, and an Organizations `ListRoots` (JSON
/// protocol): the check objects to the first, whatever the protocol, and lets the reads pass.
#[test]
fn the_mutating_call_check_sees_every_protocol() {
    use base64::Engine;
    let form = "Action=CreateStackInstances&Version=2010-05-15&StackSetName=config-recorder&Regions.member.1=us-east-1";
    let cfn = serde_json::json!({
        "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": "127.0.0.1"},
        "method": "POST",
        "url": "http://127.0.0.1:5000/",
        "body": base64::engine::general_purpose::STANDARD.encode(form),
        "body_encoded": true,
    });
    let sts = serde_json::json!({
        "headers": {},
        "method": "GET",
        "url": "http://127.0.0.1:5000/?Action=GetCallerIdentity&Version=2011-06-15",
        "body": "",
    });
    let org = serde_json::json!({
        "headers": {"X-Amz-Target": "AWSOrganizationsV20161128.ListRoots"},
        "method": "POST",
        "url": "http://127.0.0.1:5000/",
        "body": "{}",
        "body_encoded": false,
    });
    let recording = format!("{org}\n{cfn}\n{sts}\n");
    assert_eq!(operations_in(&recording), ["ListRoots", "CreateStackInstances", "GetCallerIdentity"]);
    assert_eq!(mutating(operations_in(&recording)), ["CreateStackInstances"]);
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The groups `blueprints/landing-zone.yaml` assigns, as the demo seeds them.
pub(crate) const DEMO_DIRECTORY: &[(&str, &[&str])] = &[
    ("Platform-Admins", &["alice"]),
    ("Developers", &["bob", "erin"]),
    ("Auditors", &["carol"]),
    ("Finance", &["dave"]),
];

/// What the landing zone's runs against the emulator leave out (`--exclude`).
pub(crate) const LANDING_ZONE_EXCLUDES: &str =
    "policy.production-backup,organization_setting.policy_type/DECLARATIVE_POLICY_EC2";

pub(crate) fn landing_zone() -> String {
    format!("{MANIFEST_DIR}/blueprints/landing-zone.yaml")
}

/// The `action address` of each change in a JSON plan, in order.
pub(crate) fn changes(json: &str) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_str(json).expect("plan JSON");
    let changes = plan["changes"].as_array().expect("a changes list");
    changes.iter().map(|c| format!("{} {}", c["action"].as_str().unwrap(), c["address"].as_str().unwrap())).collect()
}

/// Runs lzctl where no AWS answers (a closed loopback port): for commands that must not need it.
pub(crate) fn lzctl_offline(dir: &Path, args: &[&str]) -> Output {
    offline_command(dir, args).output().expect("run lzctl")
}

/// The lzctl command `lzctl_offline` runs, to add to.
pub(crate) fn offline_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = bare_command(dir, args);
    command
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1");
    command
}

/// lzctl in `dir` with nothing of this environment but PATH, and no input.
fn bare_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lzctl"));
    command
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .stdin(Stdio::null());
    command
}
