//! IAM Identity Center: a reader and an executor half.

mod assignments;
mod execute;
mod read;

pub(super) use execute::execute;
pub(super) use read::read;

use crate::model::PrincipalKind;
use aws_sdk_ssoadmin::types as t;

pub(super) fn sdk_kind(kind: PrincipalKind) -> t::PrincipalType {
    match kind {
        PrincipalKind::Group => t::PrincipalType::Group,
        PrincipalKind::User => t::PrincipalType::User,
    }
}

#[cfg(test)]
mod tests;
