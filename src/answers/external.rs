//! `_external_data`: YAML files of the destination (an earlier project's
//! answers, say) named by templated paths. As in Copier each is loaded on
//! first need: its path is rendered with the answers given so far, so a path
//! made of a later answer waits for it; a missing file is an empty mapping.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::AnswerError;
use super::context::{Scope, Store};
use crate::jinja::Environment;
use crate::tree::safe_relpath;

/// The entries still to load: name and path template.
pub(super) struct Pending {
    entries: Vec<(String, String)>,
    dst: String,
}

impl Pending {
    pub fn new(entries: &[(String, String)], loaded: &Map<String, Value>, dst: &str) -> Self {
        Self {
            entries: entries
                .iter()
                .filter(|(name, _)| !loaded.contains_key(name))
                .cloned()
                .collect(),
            dst: dst.to_owned(),
        }
    }

    /// Loads every entry whose path renders now; with `last`, all of them
    /// (an empty path is then an empty mapping, an unsafe one an error).
    pub fn load(
        &mut self,
        env: &Environment,
        store: &Arc<Store>,
        last: bool,
    ) -> Result<(), AnswerError> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let context = Scope::value(store, Vec::new());
        let mut still = Vec::new();
        for (name, template) in std::mem::take(&mut self.entries) {
            let setting = format!("_external_data.{name}");
            let rendered = match env.render(&setting, &template, &context) {
                Ok(rendered) => rendered.trim().to_owned(),
                Err(_) if !last => {
                    still.push((name, template));
                    continue;
                }
                Err(err) => return Err(err.into()),
            };
            let relative = match safe_relpath(&rendered) {
                Ok(relative) => relative,
                Err(_) if !last => {
                    still.push((name, template));
                    continue;
                }
                Err(_) if rendered.is_empty() => {
                    store.set_external(&name, Value::Object(Map::new()));
                    continue;
                }
                Err(err) => {
                    return Err(AnswerError::External {
                        name,
                        message: err.to_string(),
                    });
                }
            };
            let path = Path::new(&self.dst).join(&relative);
            let value = match std::fs::read_to_string(&path) {
                Ok(text) => serde_norway::from_str(&text).map_err(|err| AnswerError::External {
                    name: name.clone(),
                    message: format!("`{}` is not valid YAML: {err}", path.display()),
                })?,
                Err(_) => Value::Object(Map::new()),
            };
            store.set_external(&name, value);
        }
        self.entries = still;
        Ok(())
    }
}
