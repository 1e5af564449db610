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
                let spec = if spec.ends_with('%') {
                    let (text, layout) = percent(&value, spec)?;
                    value = text;
                    layout
                } else {
                    spec.to_owned()
                };
                out.push_str(&format!("{{{}", values.len()));
                if !spec.is_empty() {
                    out.push(':');
                    out.push_str(&spec);
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

/// Whether a field of `format` has a conversion (`!r`) or the `%`
/// presentation type, which `pycompat` lacks.
fn has_conversion(format: &str) -> bool {
    let mut field: Option<String> = None;
    for c in format.chars() {
        match (&mut field, c) {
            (None, '{') => field = Some(String::new()),
            (Some(text), '{') if text.is_empty() => field = None,
            (Some(text), '}') => {
                let (reference, spec) = text.split_once(':').unwrap_or((text, ""));
                if reference.contains('!') || spec.ends_with('%') {
                    return true;
                }
                field = None;
            }
            (Some(text), c) => text.push(c),
            (None, _) => {}
        }
    }
    false
}

/// Python's `%` presentation type: the number times 100 in fixed point
/// (6 places unless the spec says), then `%`. Returns the value as text
/// and the spec left for it (fill, alignment, width).
fn percent(value: &Value, spec: &str) -> Result<(Value, String), Error> {
    let number = f64::try_from(value.clone()).map_err(|_| {
        invalid(format!(
            "Unknown format code '%' for object of type '{}'",
            value.kind()
        ))
    })?;
    let spec = &spec[..spec.len() - 1];
    let (layout, precision) = match spec.split_once('.') {
        Some((layout, precision)) => (
            layout,
            precision
                .parse::<usize>()
                .map_err(|_| invalid(format!("Invalid format specifier '{spec}%'")))?,
        ),
        None => (spec, 6),
    };
    let chars: Vec<char> = layout.chars().collect();
    let (fill, align, rest) = match chars.as_slice() {
        [fill, align, rest @ ..] if "<>^=".contains(*align) => (Some(*fill), *align, rest),
        [align, rest @ ..] if "<>^=".contains(*align) => (None, *align, rest),
        rest => (None, '>', rest),
    };
    let (sign, rest) = match rest {
        [sign @ ('+' | '-' | ' '), rest @ ..] => (*sign, rest),
        rest => ('-', rest),
    };
    let sign = match sign {
        _ if number.is_sign_negative() => "",
        '+' => "+",
        ' ' => " ",
        _ => "",
    };
    let width: String = rest.iter().filter(|c| c.is_ascii_digit()).collect();
    let width = width.trim_start_matches('0');
    let fill = fill.or_else(|| rest.first().filter(|c| **c == '0').copied());
    let align = if align == '=' { '>' } else { align };
    let layout = if width.is_empty() {
        String::new()
    } else {
        format!(
            "{}{align}{width}",
            fill.map(String::from).unwrap_or_default()
        )
    };
    Ok((
        Value::from(format!("{sign}{:.precision$}%", number * 100.0)),
        layout,
    ))
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
