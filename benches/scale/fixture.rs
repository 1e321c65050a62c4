//! The organization the benchmark measures: seeded straight into the emulator through the SDK
//! (concurrently, not through lzctl), and the blueprint that describes it exactly. Its shape
//! follows the sizes: top-level OUs ("departments") of ten OUs each, accounts spread evenly over
//! every OU, SCPs attached across the tree, permission sets, groups with members, and each group
//! assigned one permission set on whole departments.

use futures::{StreamExt, TryStreamExt};
use std::collections::BTreeMap;

/// How big the organization is.
#[derive(Debug, Clone)]
pub(crate) struct Sizes {
    pub accounts: usize,
    pub ous: usize,
    pub policies: usize,
    pub permission_sets: usize,
    pub groups: usize,
    pub users: usize,
    pub assignments_per_account: usize,
}

/// The seeded organization, as the blueprint needs to describe it.
pub(crate) struct Seeded {
    pub sizes: Sizes,
    /// OU paths in creation order (departments, each followed by its teams), with their ids.
    pub ous: Vec<(String, String)>,
    /// (key, email, OU path).
    pub accounts: Vec<(String, String, String)>,
    /// OU path → the SCPs attached to it.
    pub attachments: BTreeMap<String, Vec<String>>,
    /// Group index → the department paths its permission set is assigned on.
    pub assigned: Vec<Vec<String>>,
    pub assignments: usize,
}

impl Seeded {
    pub(crate) fn departments(&self) -> Vec<&str> {
        self.ous.iter().map(|(p, _)| p.as_str()).filter(|p| !p.contains('/')).collect()
    }

    /// Accounts under one department (in it or its teams).
    pub(crate) fn accounts_under(&self, department: &str) -> usize {
        let prefix = format!("{department}/");
        self.accounts.iter().filter(|(_, _, p)| p == department || p.starts_with(&prefix)).count()
    }
}

/// Seeding requests in flight at once: the emulator serves them one at a time, this keeps it busy.
const IN_FLIGHT: usize = 16;

pub(crate) fn permission_set_name(k: usize) -> String {
    format!("ps-{k:02}")
}

pub(crate) fn group_name(g: usize) -> String {
    format!("grp-{g:03}")
}

pub(crate) fn permission_set_of(group: usize, sizes: &Sizes) -> usize {
    group % sizes.permission_sets
}

pub(crate) fn inline_policy(k: usize) -> Option<String> {
    (k % 2 == 1).then(|| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"svc{k}:Delete*","Resource":"*"}}]}}"#
        )
    })
}

pub(crate) fn scp_document(p: usize) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"svc{p}:*","Resource":"*"}}]}}"#)
}

/// Seeds the organization into the emulator at `url`.
pub(crate) async fn seed(url: &str, sizes: &Sizes) -> Seeded {
    let org = client!(aws_sdk_organizations, url, "bench");
    let sso = client!(aws_sdk_ssoadmin, url, "bench");
    let store = client!(aws_sdk_identitystore, url, "bench");
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create organization");
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    org.enable_policy_type()
        .root_id(&root)
        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();

    // OUs: departments, then their teams.
    let departments = (sizes.ous / 10).max(1);
    let teams = (sizes.ous / departments).saturating_sub(1);
    let mut ous = Vec::new();
    for d in 0..departments {
        let name = format!("Dept{d:02}");
        let id = create_ou(&org, &root, &name).await;
        let team_ids: Vec<(String, String)> = futures::stream::iter(0..teams)
            .map(|t| {
                let (org, id) = (&org, &id);
                async move { (format!("Dept{d:02}/Team{t:02}"), create_ou(org, id, &format!("Team{t:02}")).await) }
            })
            .buffered(IN_FLIGHT)
            .collect()
            .await;
        ous.push((name, id));
        ous.extend(team_ids);
    }

    // Accounts, spread over every OU, each created and moved.
    let accounts: Vec<(String, String, String)> = (0..sizes.accounts)
        .map(|i| (format!("acct-{i:05}"), format!("acct-{i:05}@example.com"), ous[i % ous.len()].0.clone()))
        .collect();
    let ou_ids: BTreeMap<&str, &str> = ous.iter().map(|(p, id)| (p.as_str(), id.as_str())).collect();
    let account_ids: BTreeMap<String, String> = futures::stream::iter(&accounts)
        .map(|(key, email, path)| {
            let (org, root, to) = (&org, &root, ou_ids[path.as_str()]);
            async move {
                let id = create_account(org, key, email).await;
                org.move_account().account_id(&id).source_parent_id(root).destination_parent_id(to).send().await?;
                Ok::<_, aws_sdk_organizations::Error>((path.clone(), id))
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_fold(BTreeMap::<String, String>::new(), |mut all, (path, id)| async move {
            all.insert(id, path);
            Ok(all)
        })
        .await
        .expect("accounts");

    // SCPs, attached across the tree.
    let mut attachments: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in 0..sizes.policies {
        let name = format!("scp-{p:02}");
        let (path, target) = &ous[p % ous.len()];
        let id = org
            .create_policy()
            .name(&name)
            .description(&name)
            .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
            .content(scp_document(p))
            .send()
            .await
            .expect("create policy")
            .policy()
            .and_then(|p| p.policy_summary())
            .and_then(|s| s.id())
            .unwrap()
            .to_string();
        org.attach_policy().policy_id(id).target_id(target).send().await.expect("attach policy");
        attachments.entry(path.clone()).or_default().push(name);
    }

    // Identity Center: permission sets, groups, users, memberships, assignments.
    let instance = sso.list_instances().send().await.unwrap().instances()[0].clone();
    let (instance_arn, store_id) =
        (instance.instance_arn().unwrap().to_string(), instance.identity_store_id().unwrap().to_string());
    let mut set_arns = Vec::new();
    for k in 0..sizes.permission_sets {
        let arn = sso
            .create_permission_set()
            .instance_arn(&instance_arn)
            .name(permission_set_name(k))
            .description(format!("bench set {k}"))
            .session_duration("PT1H")
            .send()
            .await
            .expect("create permission set")
            .permission_set()
            .and_then(|p| p.permission_set_arn())
            .unwrap()
            .to_string();
        sso.attach_managed_policy_to_permission_set()
            .instance_arn(&instance_arn)
            .permission_set_arn(&arn)
            .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .send()
            .await
            .expect("attach managed policy");
        if let Some(inline) = inline_policy(k) {
            sso.put_inline_policy_to_permission_set()
                .instance_arn(&instance_arn)
                .permission_set_arn(&arn)
                .inline_policy(inline)
                .send()
                .await
                .expect("inline policy");
        }
        set_arns.push(arn);
    }
    let group_ids: Vec<String> = futures::stream::iter(0..sizes.groups)
        .map(|g| {
            let (store, store_id) = (&store, &store_id);
            async move {
                store
                    .create_group()
                    .identity_store_id(store_id)
                    .display_name(group_name(g))
                    .send()
                    .await
                    .unwrap()
                    .group_id
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    futures::stream::iter(0..sizes.users)
        .map(|u| {
            let (store, store_id, group_ids) = (&store, &store_id, &group_ids);
            async move {
                let name = format!("user-{u:04}");
                let user = store
                    .create_user()
                    .identity_store_id(store_id)
                    .user_name(&name)
                    .display_name(&name)
                    .name(aws_sdk_identitystore::types::Name::builder().given_name("Bench").family_name(&name).build())
                    .send()
                    .await
                    .unwrap()
                    .user_id;
                if group_ids.is_empty() {
                    return;
                }
                for g in [u % group_ids.len(), (u + 7) % group_ids.len()] {
                    store
                        .create_group_membership()
                        .identity_store_id(store_id)
                        .group_id(&group_ids[g])
                        .member_id(aws_sdk_identitystore::types::MemberId::UserId(user.clone()))
                        .send()
                        .await
                        .unwrap();
                }
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;

    // Each group: its permission set on enough whole departments for the assignments wanted.
    let department_paths: Vec<String> = ous.iter().map(|(p, _)| p.clone()).filter(|p| !p.contains('/')).collect();
    let per_department = sizes.accounts.div_ceil(department_paths.len()).max(1);
    let wanted = sizes.accounts * sizes.assignments_per_account;
    let per_group = wanted.div_ceil(sizes.groups.max(1) * per_department).clamp(1, department_paths.len());
    let assigned: Vec<Vec<String>> = (0..sizes.groups)
        .map(|g| (0..per_group).map(|j| department_paths[(g + j) % department_paths.len()].clone()).collect())
        .collect();
    let under = |department: &str| -> Vec<&String> {
        let prefix = format!("{department}/");
        account_ids.iter().filter(|(_, p)| *p == department || p.starts_with(&prefix)).map(|(id, _)| id).collect()
    };
    let work: Vec<(usize, &String)> = assigned
        .iter()
        .enumerate()
        .flat_map(|(g, departments)| departments.iter().flat_map(move |d| under(d).into_iter().map(move |a| (g, a))))
        .collect();
    let assignments = work.len();
    futures::stream::iter(work)
        .map(|(g, account)| {
            let (sso, instance_arn, arn, group) =
                (&sso, &instance_arn, &set_arns[permission_set_of(g, sizes)], &group_ids[g]);
            async move {
                sso.create_account_assignment()
                    .instance_arn(instance_arn)
                    .target_id(account)
                    .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
                    .permission_set_arn(arn)
                    .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
                    .principal_id(group)
                    .send()
                    .await
                    .expect("create assignment");
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;

    Seeded { sizes: sizes.clone(), ous, accounts, attachments, assigned, assignments }
}

async fn create_ou(org: &aws_sdk_organizations::Client, parent: &str, name: &str) -> String {
    let out = org.create_organizational_unit().parent_id(parent).name(name).send().await.expect("create OU");
    out.organizational_unit().and_then(|o| o.id()).unwrap().to_string()
}

async fn create_account(org: &aws_sdk_organizations::Client, key: &str, email: &str) -> String {
    let out = org.create_account().email(email).account_name(key).send().await.expect("create account");
    let request = out.create_account_status().and_then(|s| s.id()).unwrap().to_string();
    let status = org.describe_create_account_status().create_account_request_id(request).send().await.unwrap();
    status.create_account_status().and_then(|s| s.account_id()).expect("an account id").to_string()
}

/// What the apply benchmark adds to the blueprint.
#[derive(Debug, Clone)]
pub(crate) struct Growth {
    pub new_accounts: usize,
    pub new_assignments: usize,
    pub changed_sets: usize,
}

/// The blueprint describing `seeded` exactly, plus `growth` where given; the stack set's
/// template is `templates/baseline.yaml` beside it.
pub(crate) fn blueprint(seeded: &Seeded, growth: Option<&Growth>) -> String {
    let sizes = &seeded.sizes;
    let mut out = String::from("# The benchmark's organization (generated).\nversion: 1\norganizational_units:\n");
    let policies_of =
        |path: &str| seeded.attachments.get(path).map(|names| format!("policies: [{}]", names.join(", ")));
    for department in seeded.departments() {
        out.push_str(&format!("  {department}:\n"));
        if let Some(p) = policies_of(department) {
            out.push_str(&format!("    {p}\n"));
        }
        out.push_str("    children:\n");
        let prefix = format!("{department}/");
        for (path, _) in seeded.ous.iter().filter(|(p, _)| p.starts_with(&prefix)) {
            let name = &path[prefix.len()..];
            match policies_of(path) {
                Some(p) => out.push_str(&format!("      {name}: {{{p}}}\n")),
                None => out.push_str(&format!("      {name}: {{}}\n")),
            }
        }
    }
    if growth.is_some_and(|g| g.new_accounts > 0) {
        out.push_str("  Incoming: {}\n");
    }
    out.push_str("accounts:\n");
    for (key, email, path) in &seeded.accounts {
        out.push_str(&format!("  {key}: {{email: {email}, ou: {path}}}\n"));
    }
    for i in 0..growth.map_or(0, |g| g.new_accounts) {
        out.push_str(&format!("  new-{i:03}: {{email: new-{i:03}@example.com, ou: Incoming}}\n"));
    }
    out.push_str("policies:\n");
    for p in 0..sizes.policies {
        out.push_str(&format!("  scp-{p:02}: {{description: scp-{p:02}, document: {}}}\n", scp_document(p)));
    }
    out.push_str("identity_center:\n  permission_sets:\n");
    for k in 0..sizes.permission_sets {
        let changed = growth.is_some_and(|g| k < g.changed_sets);
        let description = if changed { format!("bench set {k}, changed") } else { format!("bench set {k}") };
        out.push_str(&format!(
            "    {}:\n      description: {description}\n      session_duration: PT1H\n      managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
            permission_set_name(k)
        ));
        if let Some(inline) = inline_policy(k) {
            out.push_str(&format!("      inline_policy: {{document: {inline}}}\n"));
        }
    }
    out.push_str("  assignments:\n");
    for (g, departments) in seeded.assigned.iter().enumerate() {
        out.push_str(&format!(
            "    - {{group: {}, permission_set: {}, ous: [{}]}}\n",
            group_name(g),
            permission_set_name(permission_set_of(g, sizes)),
            departments.join(", ")
        ));
    }
    if let Some(growth) = growth {
        for (group, set, department) in new_assignments(seeded, growth) {
            out.push_str(&format!(
                "    - {{group: {}, permission_set: {}, ous: [{department}]}}\n",
                group_name(group),
                permission_set_name(set)
            ));
        }
    }
    let targets: Vec<&str> = seeded.ous.iter().map(|(p, _)| p.as_str()).filter(|p| p.contains('/')).take(10).collect();
    out.push_str(&format!(
        "stack_sets:\n  bench-baseline:\n    template: templates/baseline.yaml\n    description: A marker parameter in every account of ten OUs\n    permission_model: SERVICE_MANAGED\n    targets: {{ous: [{}]}}\n    regions: [us-east-1, eu-west-1]\n    auto_deployment: {{enabled: true, retain_stacks_on_account_removal: false}}\n",
        targets.join(", ")
    ));
    out
}

/// The stack set's template: one SSM parameter, which the emulator can deploy quickly.
pub(crate) const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"
Description: The benchmark's marker
Resources:
  Marker:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /lzctl/bench/marker
      Type: String
      Value: lzctl-bench
";

/// Assignments the apply benchmark adds: (group, permission set, department), each a set the
/// group does not hold there yet, on whole departments, about `new_assignments` in all.
pub(crate) fn new_assignments(seeded: &Seeded, growth: &Growth) -> Vec<(usize, usize, String)> {
    let departments = seeded.departments();
    let sizes = &seeded.sizes;
    let mut out = Vec::new();
    let mut added = 0;
    let mut g = 0;
    while added < growth.new_assignments && g < sizes.groups {
        let set = (permission_set_of(g, sizes) + sizes.permission_sets / 2) % sizes.permission_sets;
        let department = departments[(g + departments.len() / 2) % departments.len()];
        added += seeded.accounts_under(department);
        out.push((g, set, department.to_string()));
        g += 1;
    }
    out
}
