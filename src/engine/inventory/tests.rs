//! Inventory filters that name nothing are errors, with the nearest name.

use super::*;
use crate::live::LiveAccount;
use crate::model::Principal;
use crate::testing::{MANAGEMENT, ROOT, fresh_org};

fn org() -> LiveState {
    let mut live = fresh_org();
    live.accounts.insert(
        "222222222222".into(),
        LiveAccount {
            id: "222222222222".into(),
            name: "prod-web".into(),
            email: "p@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    let mut ic = LiveIdentityCenter::default();
    ic.principal_names.insert("u-1".into(), Principal::User("rsilva".into()));
    live.identity_center = Some(ic);
    live
}

#[test]
fn a_filter_that_names_nothing_is_an_error_with_the_nearest_name() {
    let live = org();
    let filters = |f: fn(&mut Filters)| {
        let mut filters = Filters::default();
        f(&mut filters);
        unmatched(&live, &filters)
    };
    assert_eq!(
        filters(|f| f.principals = vec!["rsilvaa".into()]),
        Some(("--principal rsilvaa".into(), Some("rsilva".into())))
    );
    assert_eq!(filters(|f| f.principals = vec!["rsilva".into()]), None);
    assert_eq!(
        filters(|f| f.accounts = vec!["prod-wbe".into()]),
        Some(("--account prod-wbe".into(), Some("prod-web".into())))
    );
    assert_eq!(filters(|f| f.accounts = vec![MANAGEMENT.into(), "prod-web".into()]), None);
    assert_eq!(filters(|f| f.ous = vec!["Root".into()]), None);
    assert_eq!(filters(|f| f.ous = vec!["Workloads".into()]).map(|(flag, _)| flag), Some("--ou Workloads".into()));
    assert_eq!(
        filters(|f| f.permission_sets = vec!["Admin".into()]).map(|(flag, _)| flag),
        Some("--permission-set Admin".into())
    );
}
