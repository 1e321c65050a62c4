//! `organizational_units:`: the OU tree, names, depth and tags, parents before children.

use super::*;

impl Validator<'_> {
    pub(super) fn ous<'r>(
        &mut self,
        raw: &'r SpannedMap<S<Option<RawOu>>>,
        parent: &OuPath,
        out: &mut BTreeMap<OuPath, Ou>,
        attachments: &mut Vec<(OuPath, RawAttachments<'r>)>,
    ) {
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
                },
            );
            if let Some(body) = ou.value.as_ref() {
                self.ous(&body.children, &path, out, attachments);
            }
        }
    }
}
