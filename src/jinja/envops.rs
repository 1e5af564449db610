//! `_envops`: the Jinja environment options a template sets in copier.yml.

use serde_norway::Value as Yaml;

/// Jinja environment options (`_envops`), with Copier's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvOps {
    pub block_start: String,
    pub block_end: String,
    pub variable_start: String,
    pub variable_end: String,
    pub comment_start: String,
    pub comment_end: String,
    pub keep_trailing_newline: bool,
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
}

impl Default for EnvOps {
    fn default() -> Self {
        Self {
            block_start: "{%".into(),
            block_end: "%}".into(),
            variable_start: "{{".into(),
            variable_end: "}}".into(),
            comment_start: "{#".into(),
            comment_end: "#}".into(),
            // Copier's default, unlike Jinja's.
            keep_trailing_newline: true,
            trim_blocks: false,
            lstrip_blocks: false,
        }
    }
}

impl EnvOps {
    /// Reads the `_envops` mapping; the message names the bad key.
    pub fn from_yaml(value: &Yaml) -> Result<Self, String> {
        let mut ops = Self::default();
        let Yaml::Mapping(fields) = value else {
            return Err("`_envops` must be a mapping".into());
        };
        for (key, value) in fields {
            let key = key.as_str().ok_or("`_envops` keys must be strings")?;
            let flag = || {
                value
                    .as_bool()
                    .ok_or(format!("`_envops.{key}` must be a boolean"))
            };
            let text = || match value {
                Yaml::String(text) => Ok(text.clone()),
                _ => Err(format!("`_envops.{key}` must be a string")),
            };
            match key {
                "block_start_string" => ops.block_start = text()?,
                "block_end_string" => ops.block_end = text()?,
                "variable_start_string" => ops.variable_start = text()?,
                "variable_end_string" => ops.variable_end = text()?,
                "comment_start_string" => ops.comment_start = text()?,
                "comment_end_string" => ops.comment_end = text()?,
                "keep_trailing_newline" => ops.keep_trailing_newline = flag()?,
                "trim_blocks" => ops.trim_blocks = flag()?,
                "lstrip_blocks" => ops.lstrip_blocks = flag()?,
                "autoescape" if value.as_bool() == Some(false) => {}
                other => return Err(format!("`_envops.{other}` is not supported")),
            }
        }
        Ok(ops)
    }
}
