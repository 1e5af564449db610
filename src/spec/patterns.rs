//! `_exclude` and `_skip_if_exists` compiled once, when the spec loads. A
//! list holding a template (`{{ ... }}`) is rendered with the answers and
//! compiled at render time instead, as only then can it be.

use std::sync::Arc;

use crate::jinja::EnvOps;
use crate::tree::PathPatterns;

/// Patterns compiled at load time; `None` when they are templates.
#[derive(Debug, Clone, Default)]
pub struct Compiled(Option<Arc<PathPatterns>>);

impl Compiled {
    /// Compiles `patterns` unless one of them is a template; one pattern a line.
    pub(super) fn new(setting: &str, patterns: &[String], envops: &EnvOps) -> Result<Self, String> {
        let templated = patterns.iter().any(|pattern| {
            [
                &envops.variable_start,
                &envops.block_start,
                &envops.comment_start,
            ]
            .iter()
            .any(|marker| pattern.contains(marker.as_str()))
        });
        if templated {
            return Ok(Self(None));
        }
        let lines = patterns
            .iter()
            .flat_map(|pattern| pattern.split(['\r', '\n']))
            .filter(|line| !line.is_empty());
        PathPatterns::new(lines)
            .map(|compiled| Self(Some(Arc::new(compiled))))
            .map_err(|err| format!("invalid `{setting}` pattern {err}"))
    }

    /// The compiled patterns, when they are no templates.
    pub fn get(&self) -> Option<&PathPatterns> {
        self.0.as_deref()
    }
}

impl PartialEq for Compiled {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(one), Some(other)) => Arc::ptr_eq(one, other),
            (None, None) => true,
            _ => false,
        }
    }
}
