//! `organizational_units:`: the OU tree, names, depth, tags and renames, parents before children.

use super::*;

impl Validator<'_> {
    pub(super) fn ous<'r>(
        &mut self,
        raw: &'r SpannedMap<S<Option<RawOu>>>,
        parent: &OuPath,
        out: &mut BTreeMap<OuPath, Ou>,
        attachments: &mut Vec<(OuPath, RawAttachments<'r>)>,
    ) {
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for (name, ou) in &raw.0 {
            if name.value.trim().is_empty() {
                self.c.at(
                    Code::BadName,
                    &name.referenced,
                    format!("OU name {:?} must hold more than white space", name.value),
                    "bad name",
                );
                continue;
            }
            check_name(&mut self.c, name, "OU name", 128);
            let path = parent.child(&name.value);
            let depth = path.depth();
            if depth > MAX_OU_DEPTH {
                self.c.at_with_help(
                    Code::Quota,
                    &name.referenced,
                    format!("OU {path} is {depth} levels below the root; AWS allows {MAX_OU_DEPTH}"),
                    "too deep",
                    "flatten the tree",
                );
            }
            let body = ou.value.as_ref();
            let tags = body.and_then(|b| b.tags.as_ref()).map(|t| self.tags(t));
            let renamed_from = body.and_then(|b| b.renamed_from.as_ref()).and_then(|old| {
                check_name(&mut self.c, old, "OU name", 128);
                if old.value == name.value {
                    self.c.at(
                        Code::InvalidValue,
                        &old.referenced,
                        format!("OU {path} is renamed from its own name"),
                        "the same name",
                    );
                    return None;
                }
                if raw.0.iter().any(|(sibling, _)| sibling.value == old.value) {
                    self.c.at_with_help(
                        Code::Duplicate,
                        &old.referenced,
                        format!(
                            "OU {path} is renamed from {:?}, which the blueprint also lists under {parent}",
                            old.value
                        ),
                        "listed beside it",
                        "keep one of the two: the old name, or the new one with renamed_from",
                    );
                    return None;
                }
                if old.value.contains('/') {
                    self.c.at_with_help(
                        Code::InvalidValue,
                        &old.referenced,
                        format!("renamed_from of OU {path} is a path; it takes the old name under the same parent"),
                        "a path",
                        "to move an OU, create the new one and move its accounts",
                    );
                    return None;
                }
                Some(old.value.clone())
            });
            if let Some(old) = &renamed_from
                && let Some(earlier) = renames.insert(old.clone(), name.value.clone())
            {
                let at = &body.and_then(|b| b.renamed_from.as_ref()).expect("given").referenced;
                self.c.at(
                    Code::Duplicate,
                    at,
                    format!("OUs {earlier} and {} under {parent} are both renamed from {old:?}", name.value),
                    "renamed twice",
                );
            }
            attachments.push((
                path.clone(),
                RawAttachments {
                    policies: body.and_then(|b| b.policies.as_ref()),
                    full_aws_access: body.and_then(|b| b.full_aws_access.as_ref()),
                    at: name.referenced,
                },
            ));
            out.insert(
                path.clone(),
                Ou {
                    path: path.clone(),
                    name: name.value.clone(),
                    parent: parent.clone(),
                    attachments: Attachments { policies: Vec::new(), full_aws_access: true },
                    tags,
                    renamed_from,
                },
            );
            if let Some(body) = ou.value.as_ref() {
                self.ous(&body.children, &path, out, attachments);
            }
        }
    }
}
