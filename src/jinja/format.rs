//! Printing values as Jinja2 prints them: Python's `str()` of floats
//! (`1e+16`, `nan`), and `MarkupSafe`'s HTML escaping when `autoescape` is on.

use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Error, Output, State, Value};

/// The formatter of `{{ ... }}`.
pub(super) fn python_formatter(
    out: &mut Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    let escape = matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe();
    let text = match value.kind() {
        ValueKind::Number if !value.is_integer() => python_str(value)?,
        ValueKind::Seq | ValueKind::Map if !value.is_safe() && !is_module(value) => {
            python_repr(value)?
        }
        ValueKind::Undefined | ValueKind::None if !escape => {
            return minijinja::escape_formatter(out, state, value);
        }
        _ if escape => value.to_string(),
        _ => return minijinja::escape_formatter(out, state, value),
    };
    let text = if escape {
        markupsafe_escape(&text)
    } else {
        text
    };
    out.write_str(&text).map_err(Error::from)
}

/// Python's `repr(float)`: the shortest digits that read back, in fixed
/// notation for exponents -4..16 and scientific (`1e+16`, `2.5e-10`) outside.
pub fn python_float(number: f64) -> String {
    if number.is_nan() {
        return "nan".into();
    }
    if number.is_infinite() {
        return if number > 0.0 { "inf" } else { "-inf" }.into();
    }
    let scientific = format!("{number:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..16).contains(&exponent) {
        let fixed = format!("{number}");
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    }
}

/// How deeply lists and dicts may nest when printed or serialised; Python
/// stops at its recursion limit (1000) too, and deeper values would
/// overflow the stack.
pub(super) const MAX_DEPTH: usize = 1000;

pub(super) fn too_deep() -> Error {
    Error::new(
        minijinja::ErrorKind::InvalidOperation,
        format!("a value nests deeper than {MAX_DEPTH} levels"),
    )
}

/// Python's `str()`: floats as Python writes them, lists and dicts as their
/// `repr()`.
pub(super) fn python_str(value: &Value) -> Result<String, Error> {
    Ok(match value.kind() {
        ValueKind::Number if !value.is_integer() => {
            f64::try_from(value.clone()).map_or_else(|_| value.to_string(), python_float)
        }
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable if !is_module(value) => {
            python_repr(value)?
        }
        ValueKind::Undefined => String::new(),
        _ => value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned),
    })
}

/// Whether `value` is an imported template (`{% import 'x' as m %}`), which
/// prints as the text the template rendered, as in Jinja2.
fn is_module(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|object| format!("{object:?}").starts_with("Module {"))
}

/// Python's `repr()` of a value.
pub(super) fn python_repr(value: &Value) -> Result<String, Error> {
    repr(value, 0)
}

fn repr(value: &Value, depth: usize) -> Result<String, Error> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(match value.kind() {
        ValueKind::String => string_repr(value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items = value
                .try_iter()?
                .map(|item| repr(&item, depth + 1))
                .collect::<Result<Vec<_>, Error>>()?;
            // `groupby`'s groups are Python's named tuples.
            let is_tuple = value.is_tuple()
                || (value.kind() == ValueKind::Seq
                    && value
                        .get_attr("grouper")
                        .is_ok_and(|grouper| !grouper.is_undefined()));
            match (is_tuple, items.len()) {
                (true, 1) => format!("({},)", items[0]),
                (true, _) => format!("({})", items.join(", ")),
                (false, _) => format!("[{}]", items.join(", ")),
            }
        }
        ValueKind::Map => {
            let entries = value
                .try_iter()?
                .map(|key| {
                    let item = value.get_item(&key)?;
                    Ok(format!(
                        "{}: {}",
                        repr(&key, depth + 1)?,
                        repr(&item, depth + 1)?
                    ))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            format!("{{{}}}", entries.join(", "))
        }
        _ => python_str(value)?,
    })
}

/// Python's `repr()` of a string: single quotes unless it holds only `'`.
pub(super) fn string_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `MarkupSafe`'s `escape`: `& < > " '`.
pub(super) fn markupsafe_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::python_float;

    #[test]
    fn floats_print_as_python_prints_them() {
        for (number, python) in [
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (2.5e-10, "2.5e-10"),
            (1.5e300, "1.5e+300"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(python_float(number), python);
        }
    }
}
