//! DescribeEffectivePolicy on mocks (the emulator lacks it): the content parsed, no policy of
//! the type read as none, and other refusals naming the operation and the account.

use super::*;
use crate::aws::test_support::{Mocked, aws_error, mocked_aws};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::operation::describe_effective_policy::DescribeEffectivePolicyOutput;
use aws_sdk_organizations::types::EffectivePolicy;
use aws_smithy_mocks::mock;
use serde_json::json;

#[tokio::test]
async fn the_effective_policy_is_read_for_the_type_and_account_asked() {
    let declarative = mock!(Client::describe_effective_policy)
        .match_requests(|r| {
            r.policy_type() == Some(&EffectivePolicyType::DeclarativePolicyEc2) && r.target_id() == Some("222222222222")
        })
        .then_output(|| {
            DescribeEffectivePolicyOutput::builder()
                .effective_policy(
                    EffectivePolicy::builder()
                        .policy_content(
                            r#"{"ec2_attributes":{"image_block_public_access":{"state":"block_new_sharing"}}}"#,
                        )
                        .target_id("222222222222")
                        .build(),
                )
                .build()
        });
    let aws = mocked_aws(&Mocked { org: &[&declarative], ..Mocked::default() });
    assert_eq!(
        effective_policy(&aws, PolicyType::DeclarativePolicyEc2, "222222222222").await.unwrap(),
        Some(json!({"ec2_attributes": {"image_block_public_access": {"state": "block_new_sharing"}}}))
    );
    assert_eq!(declarative.num_calls(), 1);
}

#[tokio::test]
async fn no_policy_of_the_type_is_none_and_a_refusal_names_the_account() {
    let none = mock!(Client::describe_effective_policy)
        .sequence()
        .http_status(400, Some(aws_error("EffectivePolicyNotFoundException", "no effective policy")))
        .build();
    let aws = mocked_aws(&Mocked { org: &[&none], ..Mocked::default() });
    assert_eq!(effective_policy(&aws, PolicyType::BackupPolicy, "222222222222").await.unwrap(), None);

    let denied = mock!(Client::describe_effective_policy)
        .sequence()
        .http_status(400, Some(aws_error("AccessDeniedException", "not allowed")))
        .build();
    let aws = mocked_aws(&Mocked { org: &[&denied], ..Mocked::default() });
    let err = effective_policy(&aws, PolicyType::TagPolicy, "222222222222").await.unwrap_err();
    assert_eq!(err.operation, "organizations:DescribeEffectivePolicy");
    assert_eq!(err.resource, "the effective TAG_POLICY of 222222222222");
}
