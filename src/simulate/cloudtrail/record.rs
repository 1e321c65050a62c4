//! A CloudTrail record as count mode reads it: only the fields the event → request mapping
//! uses, everything else skipped unparsed, text borrowed from the input where it has no
//! escapes. Reading is lenient: a field of an unexpected JSON type reads as missing, so one odd
//! record is counted as malformed instead of stopping the replay.

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One record's fields that count mode reads.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Record<'a> {
    #[serde(rename = "eventID", borrow)]
    pub event_id: Text<'a>,
    #[serde(borrow)]
    pub event_time: Text<'a>,
    #[serde(borrow)]
    pub event_source: Text<'a>,
    #[serde(borrow)]
    pub event_name: Text<'a>,
    #[serde(borrow)]
    pub event_type: Text<'a>,
    #[serde(borrow)]
    pub aws_region: Text<'a>,
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip_address: Text<'a>,
    #[serde(borrow)]
    pub error_code: Text<'a>,
    #[serde(borrow)]
    pub recipient_account_id: Text<'a>,
    #[serde(borrow)]
    pub user_identity: Object<Identity<'a>>,
    #[serde(borrow)]
    pub resources: List<Object<Resource<'a>>>,
    #[serde(borrow)]
    pub request_parameters: Object<Parameters<'a>>,
}

/// `userIdentity`, with the session's issuer and attributes flattened in.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Identity<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub user_name: Text<'a>,
    #[serde(borrow)]
    pub invoked_by: Text<'a>,
    #[serde(borrow)]
    pub session_context: Object<Session<'a>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Session<'a> {
    #[serde(borrow)]
    pub session_issuer: Object<Issuer<'a>>,
    #[serde(borrow)]
    pub attributes: Object<Attributes<'a>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub(crate) struct Issuer<'a> {
    #[serde(borrow)]
    pub arn: Text<'a>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Attributes<'a> {
    #[serde(borrow)]
    pub creation_date: Text<'a>,
    #[serde(borrow)]
    pub mfa_authenticated: Text<'a>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub(crate) struct Resource<'a> {
    #[serde(rename = "ARN", borrow)]
    pub arn: Text<'a>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Text<'a>,
}

/// The request parameters S3's resources are built from.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Parameters<'a> {
    #[serde(borrow)]
    pub bucket_name: Text<'a>,
    #[serde(borrow)]
    pub key: Text<'a>,
}

impl<'a> Record<'a> {
    /// A record from JSON text; one that is not a JSON object reads as empty (malformed).
    pub(crate) fn parse(text: &'a str) -> Record<'a> {
        serde_json::from_str::<Object<Record<'a>>>(text).ok().and_then(|o| o.0).unwrap_or_default()
    }

    pub(crate) fn identity(&self) -> Option<&Identity<'a>> {
        self.user_identity.0.as_ref()
    }

    /// The single resource's ARN, where the record names exactly one.
    pub(crate) fn single_resource(&self) -> Option<&str> {
        self.only_resource()?.arn.get()
    }

    /// The account that owns the single resource, where the record says.
    pub(crate) fn resource_account(&self) -> Option<&str> {
        self.only_resource()?.account_id.get()
    }

    fn only_resource(&self) -> Option<&Resource<'a>> {
        match self.resources.0.as_slice() {
            [Object(Some(one))] => Some(one),
            _ => None,
        }
    }

    pub(crate) fn parameter(&self, pick: impl for<'p> Fn(&'p Parameters<'a>) -> &'p Text<'a>) -> Option<&str> {
        self.request_parameters.0.as_ref().and_then(|p| pick(p).get())
    }
}

impl<'a> Identity<'a> {
    pub(crate) fn issuer_arn(&self) -> Option<&str> {
        self.session_context.0.as_ref()?.session_issuer.0.as_ref()?.arn.get()
    }

    pub(crate) fn attribute(&self, pick: impl for<'p> Fn(&'p Attributes<'a>) -> &'p Text<'a>) -> Option<&str> {
        pick(self.session_context.0.as_ref()?.attributes.0.as_ref()?).get()
    }
}

/// A JSON string, or nothing where the value is missing or of another type.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Text<'a>(pub Option<Cow<'a, str>>);

impl Text<'_> {
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// A JSON object read as `T`, or nothing where the value is of another type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Object<T>(pub Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Object(None)
    }
}

/// A JSON array's elements, or none where the value is of another type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

/// What a lenient value makes of each JSON shape: `None` for the shapes it does not take,
/// after skipping their contents.
trait Lenient<'de>: Sized {
    fn missing() -> Self;
    fn text(_: Cow<'de, str>) -> Self {
        Self::missing()
    }
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::missing())
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::missing())
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<T, E> {
        Ok(T::text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<T, E> {
        Ok(T::text(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<T, E> {
        Ok(T::text(Cow::Owned(v)))
    }
    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::missing())
    }
    fn visit_i64<E>(self, _: i64) -> Result<T, E> {
        Ok(T::missing())
    }
    fn visit_u64<E>(self, _: u64) -> Result<T, E> {
        Ok(T::missing())
    }
    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::missing())
    }
    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::missing())
    }
    fn visit_none<E>(self) -> Result<T, E> {
        Ok(T::missing())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
}

impl<'de> Lenient<'de> for Text<'de> {
    fn missing() -> Self {
        Text(None)
    }
    fn text(text: Cow<'de, str>) -> Self {
        Text(Some(text))
    }
}

impl<'de, T: Deserialize<'de>> Lenient<'de> for Object<T> {
    fn missing() -> Self {
        Object(None)
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Object(Some(t)))
    }
}

impl<'de, T: Deserialize<'de>> Lenient<'de> for List<T> {
    fn missing() -> Self {
        List(Vec::new())
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List(items))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor::<Text<'de>>(PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor::<Object<T>>(PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor::<List<T>>(PhantomData))
    }
}
