//! `str.format` conversions (`'{0!r}'.format(x)`, `'{n!s:>8}'`), which
//! minijinja-contrib's `format` lacks: each field is resolved here, its
//! conversion applied, and the rest handed to `pycompat` with plain
//! numbered fields.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Error, State, Value};

use super::filters::invalid;
use super::format::{python_repr, python_str};

/// `None` when `format` has no conversion, so `pycompat` formats it as is.
pub(super) fn with_conversions(
    state: &mut State<'_, '_>,
    format: &str,
    args: &[Value],
) -> Result<Option<Value>, Error> {
    if !has_conversion(format) {
        return Ok(None);
    }
    let (positional, kwargs) = match args.split_last() {
        Some((last, rest)) if last.is_kwargs() => (rest, Some(Kwargs::try_from(last.clone())?)),
        _ => (args, None),
    };
    let mut values = Vec::new();
    let mut out = String::new();
    let mut auto = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push_str("{{");
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push_str("}}");
            }
            '{' => {
                let mut field = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    field.push(c);
                }
                let (reference, spec) = field.split_once(':').unwrap_or((&field, ""));
                let (name, conversion) = reference.split_once('!').unwrap_or((reference, ""));
                let mut value = lookup(name, positional, kwargs.as_ref(), &mut auto)?;
                value = match conversion {
                    "" => value,
                    "s" => Value::from(python_str(&value)?),
                    "r" | "a" => Value::from(python_repr(&value)?),
                    other => return Err(invalid(format!("Unknown conversion specifier {other}"))),
                };
                out.push_str(&format!("{{{}", values.len()));
                if !spec.is_empty() {
                    out.push(':');
                    out.push_str(spec);
                }
                out.push('}');
                values.push(value);
            }
            other => out.push(other),
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(
        state,
        &Value::from(out),
        "format",
        &values,
    )
    .map(Some)
}

fn has_conversion(format: &str) -> bool {
    let mut inside = false;
    for c in format.chars() {
        match c {
            '{' => inside = !inside,
            '!' if inside => return true,
            '}' | ':' => inside = false,
            _ => {}
        }
    }
    false
}

/// The value a field names: nothing (the next), `0` or `name`, then
/// `.attr` and `[key]` steps.
fn lookup(
    name: &str,
    positional: &[Value],
    kwargs: Option<&Kwargs>,
    auto: &mut usize,
) -> Result<Value, Error> {
    let split = name.find(['.', '[']).unwrap_or(name.len());
    let (head, mut rest) = name.split_at(split);
    let mut value = if head.is_empty() {
        *auto += 1;
        positional.get(*auto - 1).cloned()
    } else if let Ok(index) = head.parse::<usize>() {
        positional.get(index).cloned()
    } else {
        kwargs.and_then(|kwargs| kwargs.peek::<Value>(head).ok())
    }
    .ok_or_else(|| {
        invalid(format!(
            "Replacement index {head} out of range for positional args tuple"
        ))
    })?;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            value = value.get_attr(&after[..end])?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after
                .find(']')
                .ok_or_else(|| invalid("Missing ']' in format string"))?;
            let key = &after[..end];
            value = match key.parse::<i64>() {
                Ok(index) if value.kind() == ValueKind::Seq => {
                    value.get_item(&Value::from(index))?
                }
                _ => value.get_item(&Value::from(key))?,
            };
            rest = &after[end + 1..];
        } else {
            break;
        }
    }
    Ok(value)
}
