//! CloudFormation StackSets: a reader and an executor half.

mod execute;
mod read;

pub(super) use execute::execute;
pub(super) use read::read;

#[cfg(test)]
mod tests;
