//! `_envops`: the Jinja environment options a template sets in copier.yml.

use serde_norway::Value as Yaml;

/// Jinja environment options (`_envops`), with Copier's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools, reason = "Jinja's options are flags")]
pub struct EnvOps {
    pub block_start: String,
    pub block_end: String,
    pub variable_start: String,
    pub variable_end: String,
    pub comment_start: String,
    pub comment_end: String,
    pub line_statement_prefix: Option<String>,
    pub line_comment_prefix: Option<String>,
    pub keep_trailing_newline: bool,
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
    /// What every newline of a template becomes: `\n`, `\r\n` or `\r`.
    pub newline_sequence: String,
    /// HTML-escape every printed value (Jinja's `autoescape: true`).
    pub autoescape: bool,
    pub undefined: Undefined,
}

/// `_envops.undefined`: the two classes Copier accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Undefined {
    /// `jinja2.Undefined`: prints empty, is false, iterates as empty.
    #[default]
    Lenient,
    /// `jinja2.StrictUndefined`: any use is an error.
    Strict,
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
            line_statement_prefix: None,
            line_comment_prefix: None,
            // Copier's default, unlike Jinja's.
            keep_trailing_newline: true,
            trim_blocks: false,
            lstrip_blocks: false,
            newline_sequence: "\n".into(),
            autoescape: false,
            undefined: Undefined::Lenient,
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
            let optional_text = || match value {
                Yaml::Null => Ok(None),
                _ => text().map(Some),
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
                "line_statement_prefix" => ops.line_statement_prefix = optional_text()?,
                "line_comment_prefix" => ops.line_comment_prefix = optional_text()?,
                "newline_sequence" => {
                    ops.newline_sequence = text()?;
                    if !["\n", "\r\n", "\r"].contains(&ops.newline_sequence.as_str()) {
                        return Err(
                            "`_envops.newline_sequence` must be \"\\n\", \"\\r\\n\" or \"\\r\""
                                .into(),
                        );
                    }
                }
                "autoescape" => ops.autoescape = flag()?,
                "undefined" => {
                    ops.undefined = match text()?.as_str() {
                        "jinja2.Undefined" => Undefined::Lenient,
                        "jinja2.StrictUndefined" => Undefined::Strict,
                        other => {
                            return Err(format!(
                                "`_envops.undefined: {other}` is not supported; use \"jinja2.Undefined\" or \"jinja2.StrictUndefined\" (as Copier)"
                            ));
                        }
                    };
                }
                // Jinja2 options that change nothing in the output.
                "optimized" | "cache_size" | "auto_reload" => {}
                other => return Err(format!("`_envops.{other}` is not supported")),
            }
        }
        Ok(ops)
    }
}
