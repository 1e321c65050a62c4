//! CloudTrail's event history in member accounts (LookupEvents), for count mode's
//! `--lookup-events`: read through the role `config-status` uses, one account and region at a
//! time at AWS's 2 requests/s, every page, each record's JSON text handed on as it arrives.

use super::Aws;
use super::api::cloudtrail;
use super::errors::{call_error, failed};
use crate::apply::CallError;
use aws_sdk_cloudtrail::primitives::DateTime;

/// Reads the events of one account and region, `since`..`until` (seconds since the epoch),
/// through `role`, into `each`.
pub(crate) async fn lookup(
    aws: &Aws,
    account_id: &str,
    role: &str,
    region: &str,
    window: (Option<f64>, Option<f64>),
    each: &mut impl FnMut(&str),
) -> Result<(), CallError> {
    let credentials = super::config::assume(aws, account_id, role).await?;
    let base = aws
        .config
        .as_ref()
        .ok_or_else(|| failed(cloudtrail::LOOKUP_EVENTS, account_id, "no AWS configuration".into()))?;
    let config = aws_sdk_cloudtrail::config::Builder::from(base)
        .credentials_provider(credentials)
        .region(aws_sdk_cloudtrail::config::Region::new(region.to_string()))
        .build();
    let client = aws_sdk_cloudtrail::Client::from_conf(config);
    pages(aws, &client, &format!("{account_id} in {region}"), window, each).await
}

/// Every page of LookupEvents on `client`, no faster than AWS allows one account and region.
pub(crate) async fn pages(
    aws: &Aws,
    client: &aws_sdk_cloudtrail::Client,
    resource: &str,
    (since, until): (Option<f64>, Option<f64>),
    each: &mut impl FnMut(&str),
) -> Result<(), CallError> {
    let mut token: Option<String> = None;
    loop {
        let started = tokio::time::Instant::now();
        let out = aws
            .pacer
            .call(cloudtrail::LOOKUP_EVENTS, || {
                client
                    .lookup_events()
                    .set_start_time(since.map(DateTime::from_secs_f64))
                    .set_end_time(until.map(DateTime::from_secs_f64))
                    .max_results(cloudtrail::PAGE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| call_error(cloudtrail::LOOKUP_EVENTS, resource, &e))?;
        for event in out.events() {
            each(event.cloud_trail_event().unwrap_or_default());
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(());
        }
        tokio::time::sleep_until(started + cloudtrail::PAGE_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::test_support::{Mocked, mocked_aws};
    use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
    use aws_sdk_cloudtrail::types::Event;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    fn page(ids: &[&str], next: Option<&str>) -> LookupEventsOutput {
        let events = ids
            .iter()
            .map(|id| Event::builder().event_id(*id).cloud_trail_event(format!(r#"{{"eventID": "{id}"}}"#)).build());
        LookupEventsOutput::builder()
            .set_events(Some(events.collect()))
            .set_next_token(next.map(str::to_string))
            .build()
    }

    /// Every page is read, no faster than two a second, each record's JSON text handed on as it arrives.
    #[tokio::test(start_paused = true)]
    async fn every_page_at_two_a_second_per_account_and_region() {
        let first = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(|r| r.next_token().is_none() && r.max_results() == Some(50) && r.start_time().is_some())
            .then_output(|| page(&["a", "b"], Some("t1")));
        let second = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(|r| r.next_token() == Some("t1"))
            .then_output(|| page(&["c"], Some("t2")));
        let last = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(|r| r.next_token() == Some("t2"))
            .then_output(|| page(&["d"], None));
        let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&first, &second, &last]);
        let aws = mocked_aws(&Mocked::default());
        let mut seen = Vec::new();
        let started = tokio::time::Instant::now();
        pages(&aws, &client, "111122223333 in eu-west-1", (Some(1_714_521_600.0), None), &mut |text: &str| {
            seen.push(text.to_string());
        })
        .await
        .expect("reads");
        assert_eq!(seen, ["a", "b", "c", "d"].map(|id| format!(r#"{{"eventID": "{id}"}}"#)));
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(1000),
            "three pages take a second: {:?}",
            started.elapsed()
        );
    }

    /// A refusal names the operation and the account and region.
    #[tokio::test]
    async fn a_refusal_names_the_account_and_region() {
        let denied = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .sequence()
            .http_status(400, Some(crate::aws::test_support::aws_error("AccessDeniedException", "no")))
            .build();
        let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&denied]);
        let aws = mocked_aws(&Mocked::default());
        let err = pages(&aws, &client, "111122223333 in eu-west-1", (None, None), &mut |_: &str| {}).await.unwrap_err();
        assert_eq!(err.operation, "cloudtrail:LookupEvents");
        assert!(err.resource.contains("111122223333 in eu-west-1"), "{err:?}");
    }
}
