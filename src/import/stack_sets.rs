//! Service-managed stack sets as a blueprint: template, parameters, capabilities, the OUs they
//! target and their regions.

use super::yaml::{Lines, flow, flow_map, scalar};
use super::{Importer, file_stem};
use crate::live::LiveStackSet;
use crate::model::OuPath;
use std::collections::BTreeSet;

impl Importer<'_> {
    pub(super) fn stack_sets(&mut self, out: &mut Lines) {
        let Some(sets) = &self.live.stack_sets else { return };
        let mut written = Lines::default();
        for (name, ss) in sets {
            if ss.permission_model.as_deref().is_some_and(|m| m != "SERVICE_MANAGED") {
                self.left_out.push(format!(
                    "stack set {name} is {}: not described (a blueprint's stack sets are service-managed, targeting OUs)",
                    ss.permission_model.as_deref().unwrap_or_default()
                ));
                continue;
            }
            self.stack_set(&mut written, name, ss);
        }
        if !written.is_empty() {
            out.blank();
            out.nested(0, "stack_sets:", written);
        }
    }

    fn stack_set(&mut self, out: &mut Lines, name: &str, ss: &LiveStackSet) {
        let is_json = serde_json::from_str::<serde_json::Value>(&ss.template_body).is_ok_and(|v| v.is_object());
        let template = format!("templates/{}.{}", file_stem(name), if is_json { "json" } else { "yaml" });
        let mut body = ss.template_body.clone();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        self.files.insert(template.clone(), body);
        out.line(1, &format!("{}:", scalar(name)));
        out.line(2, &format!("template: {}", scalar(&template)));
        if let Some(description) = &ss.description {
            out.line(2, &format!("description: {}", scalar(description)));
        }
        if let Some(capabilities) = &ss.capabilities {
            out.list(2, "capabilities", &capabilities.iter().cloned().collect::<Vec<_>>());
        }
        if !ss.parameters.is_empty() {
            out.line(2, &format!("parameters: {}", flow_map(&ss.parameters)));
        }
        let (targets, regions) = self.stack_targets(name, ss);
        out.line(2, &format!("targets: {{ous: {}}}", flow(targets.iter().map(ToString::to_string))));
        out.list(2, "regions", &regions.into_iter().collect::<Vec<_>>());
        if let Some(auto) = &ss.auto_deployment {
            out.line(
                2,
                &format!(
                    "auto_deployment: {{enabled: {}, retain_stacks_on_account_removal: {}}}",
                    auto.enabled, auto.retain_stacks_on_account_removal
                ),
            );
        }
    }

    /// The OUs a stack set targets — as AWS records them, else the OU each instance was
    /// deployed through, else the topmost OUs holding its instances' accounts — and its regions.
    /// A blueprint deploys every target OU to every region; anything else is a problem.
    fn stack_targets(&mut self, name: &str, ss: &LiveStackSet) -> (BTreeSet<OuPath>, BTreeSet<String>) {
        let path_of = |id: &String| -> Option<OuPath> {
            if *id == self.live.root.id { Some(OuPath::root()) } else { self.paths.get(id).cloned() }
        };
        let regions: BTreeSet<String> = ss.instances.iter().map(|i| i.region.clone()).collect();
        let mut cells: BTreeSet<(OuPath, String)> = BTreeSet::new();
        for instance in &ss.instances {
            let path = instance
                .ou_id
                .as_ref()
                .and_then(path_of)
                .or_else(|| self.live.account_path(&instance.account_id))
                .unwrap_or_default();
            cells.insert((path, instance.region.clone()));
        }
        let mut targets: BTreeSet<OuPath> = match &ss.target_ou_ids {
            Some(ids) => ids.iter().filter_map(path_of).collect(),
            None => cells.iter().map(|(p, _)| p.clone()).collect(),
        };
        // Where the service records no targets, an OU under another target is reached through it.
        if ss.target_ou_ids.is_none() {
            let all = targets.clone();
            targets.retain(|t| !all.iter().any(|other| other != t && other.contains(t)));
            cells = cells
                .into_iter()
                .filter_map(|(p, r)| Some((targets.iter().find(|t| t.contains(&p))?.clone(), r)))
                .collect();
        }
        let full: BTreeSet<(OuPath, String)> =
            targets.iter().flat_map(|t| regions.iter().map(move |r| (t.clone(), r.clone()))).collect();
        if cells.iter().any(|c| !full.contains(c)) || full.iter().any(|c| !cells.contains(c) && self.has_accounts(&c.0))
        {
            self.problems.push(format!(
                "stack set {name} is deployed to some of its OUs in some regions only; a blueprint deploys every target OU to every region (deploy the rest, or remove instances, in AWS)"
            ));
        }
        (targets, regions)
    }

    fn has_accounts(&self, path: &OuPath) -> bool {
        self.live.accounts.values().any(|a| a.status == "ACTIVE" && self.live.is_under(&a.id, path))
    }
}
