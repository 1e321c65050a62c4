//! Every policy type through the SDK on mocks (the emulator rejects declarative and the newer
//! types, and answers 500 for backup): each is enabled on the root, created after looking for
//! it under its own type, and attached; a policy that exists already is found, not made again.

use super::*;
use crate::model::PolicyType;
use aws_sdk_organizations::operation::attach_policy::AttachPolicyOutput;
use aws_sdk_organizations::operation::create_policy::CreatePolicyOutput;
use aws_sdk_organizations::operation::enable_policy_type::EnablePolicyTypeOutput;
use aws_sdk_organizations::types::{Policy, PolicyType as SdkType};

fn sdk(pt: PolicyType) -> SdkType {
    SdkType::from(pt.as_str())
}

#[test]
fn lzctl_knows_every_type_the_pinned_sdk_accepts() {
    let unknown: Vec<&str> = SdkType::values().iter().copied().filter(|v| PolicyType::parse(v).is_none()).collect();
    assert!(unknown.is_empty(), "types the SDK accepts and lzctl does not: {unknown:?}");
}

#[tokio::test(start_paused = true)]
async fn every_type_is_enabled_created_and_attached_as_itself() {
    for pt in PolicyType::ALL {
        assert!(SdkType::values().contains(&pt.as_str()), "the pinned SDK knows {pt}");
        let enable = mock!(Client::enable_policy_type)
            .match_requests(move |r| r.policy_type() == Some(&sdk(pt)) && r.root_id() == Some("r-root"))
            .then_output(|| EnablePolicyTypeOutput::builder().build());
        let nothing_yet = mock!(Client::list_policies)
            .match_requests(move |r| r.filter() == Some(&sdk(pt)))
            .then_output(|| ListPoliciesOutput::builder().build());
        let create = mock!(Client::create_policy)
            .match_requests(move |r| r.r#type() == Some(&sdk(pt)) && r.name() == Some("p"))
            .then_output(|| {
                CreatePolicyOutput::builder()
                    .policy(Policy::builder().policy_summary(PolicySummary::builder().id("p-new").build()).build())
                    .build()
            });
        let attach = mock!(Client::attach_policy)
            .match_requests(|r| r.policy_id() == Some("p-new") && r.target_id() == Some("ou-w"))
            .then_output(|| AttachPolicyOutput::builder().build());
        let aws = aws_with(&[&enable, &nothing_yet, &create, &attach]);
        let run = |call: OrganizationsCall| {
            let aws = &aws;
            async move { executor(aws, POLLING).call(&Call::Organizations(call)).await }
        };
        run(OrganizationsCall::EnablePolicyType { root_id: "r-root".into(), policy_type: pt }).await.unwrap();
        let created = run(OrganizationsCall::CreatePolicy {
            name: "p".into(),
            policy_type: pt,
            description: String::new(),
            content: "{}".into(),
        })
        .await
        .unwrap();
        assert_eq!(created.as_deref(), Some("p-new"), "{pt}");
        run(OrganizationsCall::AttachPolicy { policy_id: "p-new".into(), target_id: "ou-w".into() }).await.unwrap();
        let calls = [enable.num_calls(), nothing_yet.num_calls(), create.num_calls(), attach.num_calls()];
        assert_eq!(calls, [1, 1, 1, 1], "{pt}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_declarative_policy_that_exists_is_found_under_its_type_not_made_again() {
    let declarative = sdk(PolicyType::DeclarativePolicyEc2);
    let listed =
        mock!(Client::list_policies).match_requests(move |r| r.filter() == Some(&declarative)).then_output(|| {
            ListPoliciesOutput::builder()
                .policies(PolicySummary::builder().id("p-amis").name("no-public-amis").build())
                .build()
        });
    let create = mock!(Client::create_policy).then_output(|| CreatePolicyOutput::builder().build());
    let aws = aws_with(&[&listed, &create]);
    let call = Call::Organizations(OrganizationsCall::CreatePolicy {
        name: "no-public-amis".into(),
        policy_type: PolicyType::DeclarativePolicyEc2,
        description: String::new(),
        content: "{}".into(),
    });
    assert_eq!(executor(&aws, POLLING).call(&call).await.unwrap().as_deref(), Some("p-amis"));
    assert_eq!(create.num_calls(), 0);
}
