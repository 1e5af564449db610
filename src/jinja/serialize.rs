//! JSON and YAML in and out, as Ansible's filters write them with Python's
//! `json` and `PyYAML`: `to_json` with `", "` and `": "` separators and ASCII
//! escapes, `to_nice_json` indented 4 with sorted keys, `to_yaml` and
//! `to_nice_yaml` in [`super::yaml`]; `from_json`, `from_yaml` and
//! `from_yaml_all` keep the order of mappings.

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use std::fmt::Write as _;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, Value};
use serde::Deserialize;

use super::filters::invalid;
use super::format::python_float;
use super::yaml;

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("to_json", to_json);
    env.add_filter("to_nice_json", to_nice_json);
    env.add_filter("from_json", from_json);
    env.add_filter("to_yaml", |value: &Value, kwargs: Kwargs| {
        yaml_filter(value, &kwargs, false)
    });
    env.add_filter("to_nice_yaml", |value: &Value, kwargs: Kwargs| {
        yaml_filter(value, &kwargs, true)
    });
    env.add_filter("from_yaml", from_yaml);
    env.add_filter("from_yaml_all", from_yaml_all);
}

/// JSON as Python's `json.dumps` writes it.
struct JsonStyle {
    indent: Option<usize>,
    sort_keys: bool,
    item_separator: &'static str,
    ensure_ascii: bool,
}

fn to_json(value: &Value, kwargs: Kwargs) -> Result<String, Error> {
    let style = JsonStyle {
        indent: kwargs.get::<Option<usize>>("indent")?,
        sort_keys: kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false),
        item_separator: ", ",
        ensure_ascii: kwargs.get::<Option<bool>>("ensure_ascii")?.unwrap_or(true),
    };
    let style = JsonStyle {
        item_separator: if style.indent.is_some() { "," } else { ", " },
        ..style
    };
    kwargs.assert_all_used()?;
    let mut out = String::new();
    write_json(&mut out, value, &style, 0)?;
    Ok(out)
}

fn to_nice_json(value: &Value, kwargs: Kwargs) -> Result<String, Error> {
    let style = JsonStyle {
        indent: Some(kwargs.get::<Option<usize>>("indent")?.unwrap_or(4)),
        sort_keys: kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true),
        item_separator: ",",
        ensure_ascii: kwargs.get::<Option<bool>>("ensure_ascii")?.unwrap_or(true),
    };
    kwargs.assert_all_used()?;
    let mut out = String::new();
    write_json(&mut out, value, &style, 0)?;
    Ok(out)
}

fn write_json(
    out: &mut String,
    value: &Value,
    style: &JsonStyle,
    depth: usize,
) -> Result<(), Error> {
    let newline = |out: &mut String, depth: usize| {
        if let Some(indent) = style.indent {
            out.push('\n');
            out.push_str(&" ".repeat(indent * depth));
        }
    };
    if depth > super::format::MAX_DEPTH {
        return Err(super::format::too_deep());
    }
    match value.kind() {
        ValueKind::None | ValueKind::Undefined => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number if value.is_integer() => out.push_str(&value.to_string()),
        ValueKind::Number => {
            let number = f64::try_from(value.clone()).unwrap_or(f64::NAN);
            out.push_str(&match python_float(number).as_str() {
                "nan" => "NaN".to_owned(),
                "inf" => "Infinity".to_owned(),
                "-inf" => "-Infinity".to_owned(),
                other => other.to_owned(),
            });
        }
        ValueKind::String => {
            json_string(out, value.as_str().unwrap_or_default(), style.ensure_ascii);
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(style.item_separator);
                }
                newline(out, depth + 1);
                write_json(out, item, style, depth + 1)?;
            }
            newline(out, depth);
            out.push(']');
        }
        ValueKind::Map => {
            let mut keys: Vec<Value> = value.try_iter()?.collect();
            if keys.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            if style.sort_keys {
                keys.sort();
            }
            out.push('{');
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push_str(style.item_separator);
                }
                newline(out, depth + 1);
                let name = match key.kind() {
                    ValueKind::String => key.as_str().unwrap_or_default().to_owned(),
                    ValueKind::None => "null".into(),
                    ValueKind::Bool => if key.is_true() { "true" } else { "false" }.into(),
                    _ => key.to_string(),
                };
                json_string(out, &name, style.ensure_ascii);
                out.push_str(": ");
                write_json(out, &value.get_item(key)?, style, depth + 1)?;
            }
            newline(out, depth);
            out.push('}');
        }
        _ => {
            return Err(invalid(format!(
                "Object of type {} is not JSON serializable",
                super::filters::type_debug(value)
            )));
        }
    }
    Ok(())
}

fn json_string(out: &mut String, text: &str, ensure_ascii: bool) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.dumps(value, indent=indent, sort_keys=sort_keys)` as Python writes it.
pub(super) fn python_json(
    value: &Value,
    indent: Option<usize>,
    sort_keys: bool,
) -> Result<String, Error> {
    let style = JsonStyle {
        indent,
        sort_keys,
        item_separator: if indent.is_some() { "," } else { ", " },
        ensure_ascii: true,
    };
    let mut out = String::new();
    write_json(&mut out, value, &style, 0)?;
    Ok(out)
}

fn from_json(text: &str) -> Result<Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Value::deserialize(&mut deserializer)
        .map_err(|err| invalid(format!("from_json: {err}")))?;
    deserializer
        .end()
        .map_err(|err| invalid(format!("from_json: {err}")))?;
    Ok(value)
}

fn yaml_filter(value: &Value, kwargs: &Kwargs, nice: bool) -> Result<String, Error> {
    let indent = kwargs
        .get::<Option<usize>>("indent")?
        .unwrap_or(if nice { 4 } else { 2 });
    let flow: Option<bool> = kwargs.get("default_flow_style")?;
    let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true);
    let width = kwargs.get::<Option<usize>>("width")?.unwrap_or(80);
    kwargs.assert_all_used()?;
    let flow = if nice {
        yaml::Flow::Never
    } else {
        match flow {
            None => yaml::Flow::Leaves,
            Some(true) => yaml::Flow::Always,
            Some(false) => yaml::Flow::Never,
        }
    };
    yaml::dump(
        value,
        &yaml::Style {
            indent: indent.clamp(2, 9),
            flow,
            sort_keys,
            width,
        },
    )
}

/// Strings are parsed as `PyYAML`'s `safe_load` parses them (YAML 1.1: a
/// plain `yes` is true); anything else passes through.
fn from_yaml(value: &Value) -> Result<Value, Error> {
    let Some(text) = value.as_str() else {
        return Ok(value.clone());
    };
    let documents = yaml_documents("from_yaml", text)?;
    if documents.len() > 1 {
        return Err(invalid(
            "from_yaml: expected a single document in the stream; use from_yaml_all",
        ));
    }
    Ok(documents
        .into_iter()
        .next()
        .unwrap_or_else(|| Value::from(())))
}

fn from_yaml_all(value: &Value) -> Result<Value, Error> {
    let Some(text) = value.as_str() else {
        return Ok(value.clone());
    };
    Ok(Value::from(yaml_documents("from_yaml_all", text)?))
}

fn yaml_documents(filter: &str, text: &str) -> Result<Vec<Value>, Error> {
    let documents =
        crate::yaml11::documents(text).map_err(|err| invalid(format!("{filter}: {err}")))?;
    documents
        .iter()
        .map(|document| {
            if let Some(tag) = first_tag(document) {
                return Err(invalid(format!(
                    "{filter}: could not determine a constructor for the tag {tag}"
                )));
            }
            Value::deserialize(document.clone()).map_err(|err| invalid(format!("{filter}: {err}")))
        })
        .collect()
}

/// A tag `PyYAML`'s safe loader has no constructor for.
fn first_tag(value: &serde_norway::Value) -> Option<String> {
    match value {
        serde_norway::Value::Tagged(tagged) => Some(tagged.tag.to_string()),
        serde_norway::Value::Sequence(items) => items.iter().find_map(first_tag),
        serde_norway::Value::Mapping(entries) => entries
            .iter()
            .find_map(|(key, value)| first_tag(key).or_else(|| first_tag(value))),
        _ => None,
    }
}
