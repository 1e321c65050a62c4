//! SDK errors turned into words a platform engineer can act on: the operation, the resource,
//! AWS's code and message, and for connection failures, the endpoint and what to check.

use super::api::Api;
use crate::apply::CallError;
use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};

/// The AWS error code of a failed call, if the service answered with one.
pub(super) fn code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    err.code()
}

/// A failed SDK call, naming the API and the resource.
pub(super) fn call_error<E>(api: Api, resource: &str, err: &SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    failed(api, resource, describe(err))
}

/// A call that AWS answered, but not with success (an operation that failed, a missing answer).
pub(super) fn failed(api: Api, resource: &str, message: String) -> CallError {
    CallError { operation: api.name(), resource: resource.to_string(), message }
}

fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("");
            let message = err.message().unwrap_or("");
            let hint = match code {
                "AWSOrganizationsNotInUseException" => {
                    " (this account is not in an organization: create one in the management account with `aws organizations create-organization --feature-set ALL`)"
                }
                "AccessDeniedException" => {
                    " (the credentials lack this permission; lzctl runs in the management account or a delegated administrator)"
                }
                "ServiceAccessNotEnabledException" => {
                    " (give the service trusted access first: organization.trusted_services; centralized root access needs iam.amazonaws.com)"
                }
                "OrganizationNotInAllFeaturesModeException" => {
                    " (the organization must have all features enabled: `aws organizations enable-all-features`)"
                }
                _ => "",
            };
            // Never an empty "code: " : what is missing is said instead.
            let status = err.raw_response().map(|r| r.status().as_u16());
            match (code.is_empty(), message.is_empty(), status) {
                (false, false, _) => format!("{code}: {message}{hint}"),
                (false, true, Some(status)) => format!("{code} (HTTP {status}){hint}"),
                (false, true, None) => format!("{code}{hint}"),
                (true, false, _) => message.to_string(),
                (true, true, Some(status)) => format!("HTTP {status}, with no error code or message"),
                (true, true, None) => "an error with no code or message".to_string(),
            }
        }
        SdkError::DispatchFailure(failure) => {
            let chain = error_chain(err);
            if failure.is_user() || chain.contains("credentials") {
                return format!(
                    "could not load AWS credentials: {chain}; set AWS_PROFILE (or --profile), run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
                );
            }
            let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|e| !e.is_empty());
            let target = endpoint.map_or("the AWS endpoint".to_string(), |e| format!("{e} (from AWS_ENDPOINT_URL)"));
            format!("could not reach {target}: {chain}; check the network, proxy and any custom CA bundle")
        }
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            format!("an answer that could not be read (HTTP {status}): {}", error_chain(err))
        }
        _ => error_chain(err),
    }
}

/// An error and its sources, joined: "dispatch failure: io error: connection refused".
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::api::organizations;
    use aws_sdk_organizations::Client;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    /// What AWS said, whatever it left out: never an empty `code: ` with nothing after it.
    #[tokio::test]
    async fn an_error_says_what_it_can_and_never_prints_an_empty_message() {
        for (status, body, expected) in [
            (
                400,
                r#"{"__type":"ConstraintViolationException","Message":"too many"}"#,
                "ConstraintViolationException: too many",
            ),
            (400, r#"{"__type":"ConstraintViolationException"}"#, "ConstraintViolationException (HTTP 400)"),
            (403, "{}", "HTTP 403"),
            (400, "{}", "HTTP 400"),
        ] {
            let rule = mock!(Client::list_roots).sequence().http_status(status, Some(body.to_string())).build();
            let client = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, &[&rule]);
            let err = client.list_roots().send().await.expect_err("fails");
            let error = call_error(organizations::LIST_ROOTS, "the organization", &err);
            assert!(
                error.message.starts_with(expected) || error.message.contains(expected),
                "{status} {body}: {error}"
            );
            assert!(!error.to_string().trim_end().ends_with(':'), "{error}");
        }
    }
}
