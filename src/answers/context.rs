//! The Jinja context Copier renders with: the answers so far, Copier's own
//! variables (`_copier_conf`, `_copier_answers`, `_folder_name`, ...) and a
//! few names laid over them (a validator's answer, `UNSET`).
//!
//! The answers live in one shared store and the context is a view of it, so
//! each question costs the same however many came before (no copying).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};

/// What Copier is doing while a template renders (`_copier_phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Prompt,
    Render,
    Tasks,
    Undefined,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Self::Prompt => "prompt",
            Self::Render => "render",
            Self::Tasks => "tasks",
            Self::Undefined => "undefined",
        }
    }
}

/// Copier's variables that do not come from the questions.
#[derive(Debug, Clone, Default)]
pub struct Fixed {
    pub folder_name: String,
    /// `_src_path` and `_commit`, first in `_copier_answers`.
    pub src_path: String,
    pub commit: Option<String>,
    /// `_copier_conf`, a mapping; its `answers_file` is kept in the store.
    pub conf: serde_json::Value,
    /// `_copier_operation`: `copy` or `update`; Copier defines it only while
    /// rendering `_exclude` (and tasks), not in files or questions.
    pub operation: String,
}

#[derive(Debug, Default)]
pub(super) struct Values {
    /// Answer by name: the typed JSON value and its Jinja form.
    pub map: HashMap<String, (serde_json::Value, Value)>,
    /// Names in the order they were answered.
    pub order: Vec<String>,
    /// Names written to the answers file (asked, not secret), in the order to write them.
    pub recorded: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Store {
    pub fixed: Fixed,
    pub values: RwLock<Values>,
    phase: AtomicU8,
    answers_file: RwLock<String>,
    /// `_external_data`: name to the loaded YAML.
    pub external: RwLock<serde_json::Map<String, serde_json::Value>>,
}

impl Store {
    pub fn new(
        fixed: Fixed,
        answers_file: String,
        external: serde_json::Map<String, serde_json::Value>,
    ) -> Arc<Self> {
        Arc::new(Self {
            fixed,
            external: RwLock::new(external),
            answers_file: RwLock::new(answers_file),
            values: RwLock::new(Values::default()),
            phase: AtomicU8::new(0),
        })
    }

    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Values> {
        self.values
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, Values> {
        self.values
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds one loaded `_external_data` entry.
    pub fn set_external(&self, name: &str, value: serde_json::Value) {
        self.external
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned(), value);
    }

    /// `_copier_conf.answers_file`.
    pub fn answers_file(&self) -> String {
        self.answers_file
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn set_answers_file(&self, path: &str) {
        path.clone_into(
            &mut self
                .answers_file
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }

    pub fn set_phase(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Relaxed) {
            0 => Phase::Prompt,
            1 => Phase::Render,
            2 => Phase::Tasks,
            _ => Phase::Undefined,
        }
    }

    /// `_copier_answers`: `_commit`, `_src_path`, then the recorded answers.
    pub fn copier_answers(&self) -> Vec<(String, serde_json::Value)> {
        let mut all = Vec::new();
        if let Some(commit) = &self.fixed.commit {
            all.push((
                "_commit".to_owned(),
                serde_json::Value::from(commit.clone()),
            ));
        }
        all.push((
            "_src_path".to_owned(),
            serde_json::Value::from(self.fixed.src_path.clone()),
        ));
        let values = self.read();
        for name in &values.recorded {
            if let Some((value, _)) = values.map.get(name) {
                all.push((name.clone(), value.clone()));
            }
        }
        all
    }
}

/// A view of the store with some names laid over it.
#[derive(Debug)]
pub(super) struct Scope {
    pub store: Arc<Store>,
    pub extra: Vec<(String, Value)>,
}

impl Scope {
    pub fn value(store: &Arc<Store>, extra: Vec<(String, Value)>) -> Value {
        Value::from_object(Self {
            store: Arc::clone(store),
            extra,
        })
    }

    fn special(&self, key: &str) -> Option<Value> {
        let fixed = &self.store.fixed;
        Some(match key {
            "_folder_name" => Value::from(fixed.folder_name.clone()),
            "_copier_conf" => {
                let mut conf = fixed.conf.clone();
                conf["answers_file"] = serde_json::Value::from(self.store.answers_file());
                crate::answers::to_jinja(conf)
            }
            "_copier_answers" => Value::from_pairs(
                self.store
                    .copier_answers()
                    .into_iter()
                    .map(|(name, value)| (name, crate::answers::to_jinja(&value))),
            ),
            "_copier_python" => Value::from("python3"),
            "_copier_phase" => Value::from(self.store.phase().name()),
            "_external_data" => crate::answers::to_jinja(
                &*self
                    .store
                    .external
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            ),
            "_src_path" => Value::from(fixed.src_path.clone()),
            "_commit" => Value::from(fixed.commit.clone()?),
            _ => return None,
        })
    }
}

const SPECIAL: &[&str] = &[
    "_folder_name",
    "_copier_conf",
    "_copier_answers",
    "_copier_python",
    "_copier_phase",
    "_external_data",
    "_src_path",
];

impl Object for Scope {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        if let Some((_, value)) = self.extra.iter().rev().find(|(name, _)| name == key) {
            return Some(value.clone());
        }
        if let Some((_, value)) = self.store.read().map.get(key) {
            return Some(value.clone());
        }
        self.special(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut keys: Vec<Value> = self
            .store
            .read()
            .order
            .iter()
            .map(|name| Value::from(name.clone()))
            .collect();
        keys.extend(self.extra.iter().map(|(name, _)| Value::from(name.clone())));
        keys.extend(SPECIAL.iter().map(|&name| Value::from(name)));
        Enumerator::Values(keys)
    }
}
