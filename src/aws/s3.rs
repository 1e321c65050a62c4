//! Reading objects from S3: the CloudTrail log files an organization trail delivers, listed
//! under a prefix and fetched one at a time for count mode.

use super::Aws;
use super::api::s3;
use super::errors::{call_error, failed};
use crate::apply::CallError;

/// An S3 client on the session's configuration; path-style where an endpoint is set (an
/// emulator on a loopback address has no bucket subdomains).
fn client(aws: &Aws) -> Result<aws_sdk_s3::Client, CallError> {
    let base = aws.config.as_ref().ok_or_else(|| failed(s3::LIST_OBJECTS, "S3", "no AWS configuration".into()))?;
    let config = aws_sdk_s3::config::Builder::from(base).force_path_style(base.endpoint_url().is_some()).build();
    Ok(aws_sdk_s3::Client::from_conf(config))
}

/// Every key under `prefix` in `bucket`, in S3's (lexicographic) order.
pub(crate) async fn keys(aws: &Aws, bucket: &str, prefix: &str) -> Result<Vec<String>, CallError> {
    let client = client(aws)?;
    let resource = format!("s3://{bucket}/{prefix}");
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = aws
            .pacer
            .call(s3::LIST_OBJECTS, || {
                client
                    .list_objects_v2()
                    .bucket(bucket)
                    .prefix(prefix)
                    .max_keys(s3::PAGE)
                    .set_continuation_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| call_error(s3::LIST_OBJECTS, &resource, &e))?;
        keys.extend(out.contents().iter().filter_map(|o| o.key()).filter(|k| !k.ends_with('/')).map(str::to_string));
        token = out.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return Ok(keys);
        }
    }
}

/// One object's bytes.
pub(crate) async fn get(aws: &Aws, bucket: &str, key: &str) -> Result<Vec<u8>, CallError> {
    let client = client(aws)?;
    let resource = format!("s3://{bucket}/{key}");
    let out = aws
        .pacer
        .call(s3::GET_OBJECT, || client.get_object().bucket(bucket).key(key).send())
        .await
        .map_err(|e| call_error(s3::GET_OBJECT, &resource, &e))?;
    let body = out.body.collect().await.map_err(|e| failed(s3::GET_OBJECT, &resource, e.to_string()))?;
    Ok(body.into_bytes().to_vec())
}
