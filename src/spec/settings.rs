//! Settings of `copier.yml` that need more than a string: `_modules`,
//! `_smoke`, `_external_data` and `_min_copier_version`.

use serde_json::{Map, Value};
use serde_norway::Value as Yaml;

use super::{COPIER_VERSION, When, string, strings, to_json, when};

/// A module layered onto the template when `when` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub name: String,
    /// Folder of the module, relative to the source's root.
    pub dir: String,
    pub when: When,
}

pub(super) fn modules(value: &Yaml) -> Result<Vec<Module>, String> {
    let Yaml::Sequence(items) = value else {
        return Err("`_modules` must be a list of {path, when}".into());
    };
    items
        .iter()
        .map(|item| {
            let path = item
                .get("path")
                .and_then(Yaml::as_str)
                .ok_or("each of `_modules` needs a `path`")?;
            let name = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(path);
            Ok(Module {
                name: name.to_owned(),
                dir: path.to_owned(),
                when: item
                    .get("when")
                    .map_or(Ok(When::Always), |value| when("when", value))?,
            })
        })
        .collect()
}

/// How `scaffold smoke` varies the answers (`_smoke`). The matrix is kept as
/// its axes and expanded one combination at a time, never all at once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmokeSpec {
    /// Each axis: a question and the values it takes; every combination of them is run.
    pub matrix: Vec<(String, Vec<Value>)>,
    /// Combinations listed one by one, run after the matrix's.
    pub combinations: Vec<Map<String, Value>>,
    /// Shell commands run in each rendered project.
    pub checks: Vec<String>,
}

impl SmokeSpec {
    /// How many combinations the matrix makes (1 without one); `None` past `usize`.
    pub fn matrix_len(&self) -> Option<usize> {
        if self.matrix.is_empty() {
            return Some(0);
        }
        self.matrix
            .iter()
            .try_fold(1usize, |total, (_, values)| total.checked_mul(values.len()))
    }

    /// Every combination, matrix first; `None` when there are more than `usize` can count.
    pub fn len(&self) -> Option<usize> {
        self.matrix_len()?.checked_add(self.combinations.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The combination at `index` (from 0), computed on demand.
    pub fn get(&self, index: usize) -> Option<Map<String, Value>> {
        let in_matrix = self.matrix_len()?;
        if index >= in_matrix {
            return self.combinations.get(index - in_matrix).cloned();
        }
        // The last axis varies fastest, as in nested loops over the axes in order.
        let mut rest = index;
        let mut picked = Vec::with_capacity(self.matrix.len());
        for (name, values) in self.matrix.iter().rev() {
            picked.push((name.clone(), values[rest % values.len()].clone()));
            rest /= values.len();
        }
        Some(picked.into_iter().rev().collect())
    }

    /// The combinations in order, one at a time.
    pub fn iter(&self) -> impl Iterator<Item = Map<String, Value>> + '_ {
        (0..self.len().unwrap_or(usize::MAX)).map_while(|index| self.get(index))
    }
}

pub(super) fn smoke(value: &Yaml) -> Result<SmokeSpec, String> {
    let mut spec = SmokeSpec::default();
    let Yaml::Mapping(fields) = value else {
        return Err("`_smoke` must be a mapping with `matrix` and `checks`".into());
    };
    for (key, value) in fields {
        match key.as_str() {
            Some("combinations") => {
                let Value::Array(items) = to_json(value)? else {
                    return Err("`_smoke.combinations` must be a list of answer maps".into());
                };
                for item in items {
                    let Value::Object(map) = item else {
                        return Err("each of `_smoke.combinations` must be a map of answers".into());
                    };
                    spec.combinations.push(map);
                }
            }
            Some("matrix") => {
                let Value::Object(axes) = to_json(value)? else {
                    return Err("`_smoke.matrix` must map question names to lists of values".into());
                };
                for (name, values) in axes {
                    let Value::Array(values) = values else {
                        return Err(format!("`_smoke.matrix.{name}` must be a list"));
                    };
                    if values.is_empty() {
                        return Err(format!(
                            "`_smoke.matrix.{name}` must list at least one value"
                        ));
                    }
                    spec.matrix.push((name, values));
                }
            }
            Some("checks") => spec.checks = strings("_smoke.checks", value)?,
            _ => return Err(format!("unknown `_smoke` field {key:?}")),
        }
    }
    Ok(spec)
}

pub(super) fn external_data(value: &Yaml) -> Result<Vec<(String, String)>, String> {
    let Yaml::Mapping(entries) = value else {
        return Err("`_external_data` must map names to paths of YAML files".into());
    };
    entries
        .iter()
        .map(|(name, path)| {
            let name = name
                .as_str()
                .ok_or("`_external_data` names must be strings")?;
            Ok((name.to_owned(), string("_external_data", path)?))
        })
        .collect()
}

/// Refuses a template that needs a newer Copier than the one scaffold renders as.
pub(super) fn check_copier_version(value: &Yaml) -> Result<(), String> {
    let wanted = string("_min_copier_version", value)?;
    let parsed = release(&wanted).ok_or_else(|| {
        format!("`_min_copier_version: {wanted}` is not a version number such as 9.0.0")
    })?;
    let ours = release(COPIER_VERSION).unwrap_or_default();
    let longest = parsed.0.len().max(ours.0.len());
    let pad = |mut parts: Vec<u64>| {
        parts.resize(longest, 0);
        parts
    };
    let (wanted_parts, our_parts) = (pad(parsed.0), pad(ours.0));
    if wanted_parts > our_parts || (wanted_parts == our_parts && parsed.1) {
        return Err(format!(
            "this template requires Copier >= {wanted}; scaffold renders as Copier {COPIER_VERSION}"
        ));
    }
    Ok(())
}

/// A PEP 440 version's release numbers and whether it is a post-release.
fn release(version: &str) -> Option<(Vec<u64>, bool)> {
    let version = version.trim().trim_start_matches(['v', 'V']);
    let end = version
        .find(|ch: char| !ch.is_ascii_digit() && ch != '.')
        .unwrap_or(version.len());
    let numbers = version[..end].trim_end_matches('.');
    let parts = numbers
        .split('.')
        .map(|part| part.parse().ok())
        .collect::<Option<Vec<u64>>>()?;
    let rest = version[end..].to_ascii_lowercase();
    let known = [
        "a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "dev", "post", "-", "+", "_", "r",
        "rev",
    ];
    if !rest.is_empty()
        && !known
            .iter()
            .any(|prefix| rest.trim_start_matches(['.', '-', '_']).starts_with(prefix))
    {
        return None;
    }
    let post = rest.contains("post")
        || rest.starts_with('-') && rest[1..].starts_with(|ch: char| ch.is_ascii_digit());
    Some((parts, post))
}
