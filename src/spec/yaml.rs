//! Reading `copier.yml` as Copier reads it: every YAML document of the file,
//! the `!include` tag (a glob of files inside the template, each of their
//! documents added where the tag stands), then one merged mapping in which a
//! later document's key wins, except `_exclude`, `_jinja_extensions`,
//! `_secret_questions` and `_skip_if_exists`, whose lists are concatenated.

use serde_norway::Value as Yaml;

use crate::source::Source;

use super::{LoadError, SpecError};

/// How deep flow collections (`[`, `{`) may nest before a file is refused:
/// the YAML parser's own limit, checked before parsing so a hostile file is
/// refused at once instead of after a long parse.
pub const MAX_DEPTH: usize = 128;

/// How many files `!include` may bring in, directly or not.
const MAX_INCLUDES: usize = 1000;

/// Settings whose lists add up across documents instead of replacing each other.
const CONCATENATED: &[&str] = &[
    "_exclude",
    "_jinja_extensions",
    "_secret_questions",
    "_skip_if_exists",
];

/// The merged top level of a `copier.yml`: keys in the order they first
/// appear, each with the value of the last document that sets it.
pub type Entries = Vec<(String, Yaml)>;

/// Reads `file` (relative to the source's root) and every file it includes.
pub fn load(source: &Source, dir: &str, file: &str, text: &str) -> Result<Entries, LoadError> {
    let mut loader = Loader {
        source,
        dir,
        includes: 0,
    };
    let documents = loader.documents(file, text)?;
    merge(file, documents).map_err(Into::into)
}

/// Parses one text with no `!include` support (a module's or a test's).
pub fn parse(file: &str, text: &str) -> Result<Entries, SpecError> {
    let documents = parse_documents(file, text)?;
    let mut flat = Vec::new();
    for document in documents {
        flatten(file, document, &mut flat)?;
    }
    merge(file, flat)
}

fn error(file: &str, message: impl Into<String>) -> SpecError {
    SpecError {
        file: file.to_owned(),
        message: message.into(),
    }
}

/// Every document of `text`, the empty ones dropped.
fn parse_documents(file: &str, text: &str) -> Result<Vec<Yaml>, SpecError> {
    check_depth(file, text)?;
    Ok(crate::yaml11::documents(text)
        .map_err(|message| error(file, message))?
        .into_iter()
        .filter(|value| !is_empty(value))
        .collect())
}

/// Python's falsiness, which Copier uses to drop empty documents.
fn is_empty(value: &Yaml) -> bool {
    match value {
        Yaml::Null => true,
        Yaml::Bool(flag) => !flag,
        Yaml::String(text) => text.is_empty(),
        Yaml::Sequence(items) => items.is_empty(),
        Yaml::Mapping(entries) => entries.is_empty(),
        Yaml::Number(number) => number.as_f64() == Some(0.0),
        Yaml::Tagged(_) => false,
    }
}

/// Refuses flow collections nested deeper than [`MAX_DEPTH`], in one pass.
fn check_depth(file: &str, text: &str) -> Result<(), SpecError> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut quote = None;
    let mut previous = '\n';
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (_, '\n') => {
                line += 1;
                if quote == Some('#') {
                    quote = None;
                }
            }
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(open), close) if open == close && open != '#' => quote = None,
            (None, '"' | '\'') if matches!(previous, ' ' | '\t' | '\n' | '[' | '{' | ',' | ':') => {
                quote = Some(ch);
            }
            (None, '#') if previous.is_whitespace() => quote = Some('#'),
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(error(
                        file,
                        format!(
                            "line {line}: collections nested deeper than {MAX_DEPTH} levels; flatten the file"
                        ),
                    ));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = ch;
    }
    Ok(())
}

struct Loader<'a> {
    source: &'a Source,
    /// The template's folder: includes are relative to it and must stay in it.
    dir: &'a str,
    includes: usize,
}

impl Loader<'_> {
    /// The documents of one file, with its includes expanded, flattened.
    fn documents(&mut self, file: &str, text: &str) -> Result<Vec<Yaml>, LoadError> {
        let mut flat = Vec::new();
        for document in parse_documents(file, text)? {
            let expanded = self.expand(file, document)?;
            flatten(file, expanded, &mut flat)?;
        }
        Ok(flat)
    }

    /// Replaces every `!include PATTERN` in `value` by the list of the
    /// documents of the files it matches.
    fn expand(&mut self, file: &str, value: Yaml) -> Result<Yaml, LoadError> {
        Ok(match value {
            Yaml::Tagged(tagged) if tagged.tag == "!include" => {
                let Yaml::String(pattern) = tagged.value else {
                    return Err(error(file, "`!include` takes a path or a glob").into());
                };
                Yaml::Sequence(self.include(file, &pattern)?)
            }
            Yaml::Tagged(mut tagged) => {
                tagged.value = self.expand(file, tagged.value)?;
                Yaml::Tagged(tagged)
            }
            Yaml::Sequence(items) => Yaml::Sequence(
                items
                    .into_iter()
                    .map(|item| self.expand(file, item))
                    .collect::<Result<_, _>>()?,
            ),
            Yaml::Mapping(entries) => {
                let mut expanded = serde_norway::Mapping::new();
                for (key, item) in entries {
                    expanded.insert(key, self.expand(file, item)?);
                }
                Yaml::Mapping(expanded)
            }
            other => other,
        })
    }

    fn include(&mut self, file: &str, pattern: &str) -> Result<Vec<Yaml>, LoadError> {
        let outside = |reason: &str| {
            error(
                file,
                format!("`!include {pattern}` {reason}; an include must stay inside the template"),
            )
        };
        if pattern.starts_with('/') || pattern.starts_with('\\') || pattern.contains(':') {
            return Err(outside("is an absolute path").into());
        }
        let normalised = normalise(pattern).ok_or_else(|| outside("climbs out with `..`"))?;
        let matches = if normalised.contains(['*', '?', '[']) {
            // Anchored gitignore patterns match as Python's `Path.glob` does:
            // `*` stays within a folder, `**` crosses folders.
            let glob = crate::tree::PathPatterns::new([format!("/{normalised}").as_str()])
                .map_err(|err| error(file, format!("`!include {pattern}`: {}", err.message)))?;
            self.source
                .walk(self.dir)?
                .into_iter()
                .filter(|found| !found.is_dir && glob.matches_exactly(&found.path))
                .map(|found| (found.path, found.contents))
                .collect()
        } else {
            let path = join(self.dir, &normalised);
            match self.source.read(&path)? {
                Some(contents) => vec![(normalised, contents)],
                None => Vec::new(),
            }
        };
        let mut documents = Vec::new();
        for (path, contents) in matches {
            self.includes += 1;
            if self.includes > MAX_INCLUDES {
                return Err(error(
                    file,
                    format!(
                        "more than {MAX_INCLUDES} files included; is an include including itself?"
                    ),
                )
                .into());
            }
            let name = join(self.dir, &path);
            let text =
                String::from_utf8(contents).map_err(|_| error(&name, "is not UTF-8 text"))?;
            documents.extend(self.documents(&name, &text)?);
        }
        Ok(documents)
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// `a/./b/../c` as `a/c`; `None` when `..` climbs above the start.
fn normalise(pattern: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Copier's `lflatten(filter(None, ...))`: lists of documents become their items.
fn flatten(file: &str, value: Yaml, into: &mut Vec<Yaml>) -> Result<(), SpecError> {
    match value {
        Yaml::Sequence(items) => {
            for item in items {
                flatten(file, item, into)?;
            }
        }
        value if is_empty(&value) => {}
        Yaml::Mapping(_) => into.push(value),
        _ => {
            return Err(error(
                file,
                "expected a mapping of questions and settings at the top level",
            ));
        }
    }
    Ok(())
}

fn merge(file: &str, documents: Vec<Yaml>) -> Result<Entries, SpecError> {
    let mut entries: Entries = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for document in documents {
        let Yaml::Mapping(mapping) = document else {
            continue;
        };
        for (key, value) in mapping {
            let Yaml::String(key) = key else {
                return Err(error(file, format!("keys must be strings, found {key:?}")));
            };
            match index.get(&key) {
                Some(&at) if CONCATENATED.contains(&key.as_str()) => {
                    let (_, Yaml::Sequence(list)) = &mut entries[at] else {
                        return Err(error(file, format!("`{key}` must be a list")));
                    };
                    let Yaml::Sequence(more) = value else {
                        return Err(error(file, format!("`{key}` must be a list")));
                    };
                    list.extend(more);
                }
                Some(&at) => entries[at].1 = value,
                None => {
                    index.insert(key.clone(), entries.len());
                    entries.push((key, value));
                }
            }
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(entries: &Entries) -> Vec<&str> {
        entries.iter().map(|(key, _)| key.as_str()).collect()
    }

    #[test]
    fn later_documents_win_and_lists_of_four_settings_add_up() {
        let entries = parse(
            "copier.yml",
            "a: 1\n_exclude: [x]\nb: 2\n---\n---\nb: 3\n_exclude: [y]\nc: 4\n",
        )
        .unwrap();
        assert_eq!(keys(&entries), ["a", "_exclude", "b", "c"]);
        assert_eq!(entries[2].1, Yaml::from(3));
        assert_eq!(
            entries[1].1,
            Yaml::Sequence(vec![Yaml::from("x"), Yaml::from("y")])
        );
    }

    #[test]
    fn deep_flow_nesting_is_refused_before_parsing() {
        let text = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse("copier.yml", &text).unwrap_err().to_string();
        assert!(err.contains("nested deeper than 128 levels"), "{err}");
        assert!(parse("copier.yml", "a: '[[[[' # [[[\nb: \"{{ x }}\"\n").is_ok());
    }
}
