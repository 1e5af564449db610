//! Python's methods on strings, lists and dicts (`name.removeprefix('x')`),
//! beyond those minijinja-contrib's `pycompat` already provides, and
//! `str.title()` as Python defines it (minijinja's follows Jinja's filter).

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, State, Value};

use super::filters::invalid;

pub(super) fn python_method(
    state: &mut State<'_, '_>,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if let (Some(format), "__mod__", [args]) = (value.as_str(), method, args) {
        return super::percent::percent_format(format, args).map(Value::from);
    }
    if let (Some(format), "format") = (value.as_str(), method) {
        if let Some(formatted) = super::str_format::with_conversions(state, format, args)? {
            return Ok(formatted);
        }
    }
    let handled = match (value.kind(), value.as_str()) {
        (ValueKind::String, Some(text)) => string_method(text, method, args)?,
        (ValueKind::Seq, _) => list_method(value, method, args)?,
        _ => None,
    };
    match handled {
        Some(result) => Ok(result),
        None => minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args),
    }
}

fn text_arg<'a>(args: &'a [Value], index: usize, method: &str) -> Result<Option<&'a str>, Error> {
    match args.get(index) {
        None => Ok(None),
        Some(value) if value.is_none() => Ok(None),
        Some(value) => value.as_str().map(Some).ok_or_else(|| {
            invalid(format!(
                "{method}() argument must be str, not {}",
                value.kind()
            ))
        }),
    }
}

fn int_arg(args: &[Value], index: usize, method: &str) -> Result<Option<i64>, Error> {
    args.get(index)
        .filter(|value| !value.is_none())
        .map(|value| {
            i64::try_from(value.clone())
                .map_err(|_| invalid(format!("{method}() argument must be an integer")))
        })
        .transpose()
}

fn fill_char(args: &[Value], method: &str) -> Result<char, Error> {
    let fill = text_arg(args, 1, method)?.unwrap_or(" ");
    let mut chars = fill.chars();
    match (chars.next(), chars.next()) {
        (Some(fill), None) => Ok(fill),
        _ => Err(invalid(format!(
            "{method}() fill character must be exactly one character long"
        ))),
    }
}

fn triple(parts: [&str; 3]) -> Value {
    super::filters::tuple(parts.into_iter().map(Value::from).collect())
}

fn strings(parts: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::from(
        parts
            .into_iter()
            .map(|part| Value::from(part.into()))
            .collect::<Vec<_>>(),
    )
}

#[allow(clippy::too_many_lines)]
fn string_method(text: &str, method: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let width = || -> Result<usize, Error> {
        Ok(usize::try_from(int_arg(args, 0, method)?.unwrap_or(0)).unwrap_or(0))
    };
    let length = text.chars().count();
    let needle = || -> Result<&str, Error> {
        text_arg(args, 0, method)?.ok_or_else(|| invalid(format!("{method}() takes a string")))
    };
    let takes_range = matches!(
        method,
        "find" | "rfind" | "count" | "startswith" | "endswith"
    );
    if matches!(method, "index" | "rindex") || (takes_range && args.len() > 1) {
        return ranged(text, method, args);
    }
    Ok(Some(match method {
        "title" if args.is_empty() => Value::from(python_title(text)),
        "removeprefix" => Value::from(text.strip_prefix(needle()?).unwrap_or(text)),
        "removesuffix" => Value::from(text.strip_suffix(needle()?).unwrap_or(text)),
        "zfill" => {
            let pad = width()?.saturating_sub(length);
            let (sign, digits) = match text.chars().next() {
                Some(sign @ ('+' | '-')) => (sign.to_string(), &text[1..]),
                _ => (String::new(), text),
            };
            Value::from(format!("{sign}{}{digits}", "0".repeat(pad)))
        }
        "ljust" | "rjust" | "center" => {
            let fill = fill_char(args, method)?;
            let pad = width()?.saturating_sub(length);
            let (left, right) = match method {
                "ljust" => (0, pad),
                "rjust" => (pad, 0),
                // Python puts the odd space on the left when the width is odd.
                _ => {
                    let left = pad / 2 + (pad & width()? & 1);
                    (left, pad - left)
                }
            };
            let fill = |count: usize| fill.to_string().repeat(count);
            Value::from(format!("{}{text}{}", fill(left), fill(right)))
        }
        "split" | "rsplit" => {
            let separator = text_arg(args, 0, method)?;
            let limit = int_arg(args, 1, method)?.filter(|limit| *limit >= 0);
            let limit = limit.map(|limit| usize::try_from(limit).unwrap_or(usize::MAX));
            Value::from(python_split(text, separator, limit, method == "rsplit")?)
        }
        "partition" | "rpartition" => {
            let separator = needle()?;
            if separator.is_empty() {
                return Err(invalid("empty separator"));
            }
            let found = if method == "partition" {
                text.find(separator)
            } else {
                text.rfind(separator)
            };
            match (found, method) {
                (Some(at), _) => triple([&text[..at], separator, &text[at + separator.len()..]]),
                (None, "partition") => triple([text, "", ""]),
                (None, _) => triple(["", "", text]),
            }
        }
        "swapcase" => Value::from(
            text.chars()
                .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
                    if c.is_uppercase() {
                        Box::new(c.to_lowercase())
                    } else if c.is_lowercase() {
                        Box::new(c.to_uppercase())
                    } else {
                        Box::new(std::iter::once(c))
                    }
                })
                .collect::<String>(),
        ),
        "casefold" => Value::from(text.to_lowercase().replace('ß', "ss")),
        "expandtabs" => {
            let size = usize::try_from(int_arg(args, 0, method)?.unwrap_or(8)).unwrap_or(0);
            let mut out = String::new();
            let mut column = 0;
            for c in text.chars() {
                match c {
                    '\t' if size > 0 => {
                        let spaces = size - column % size;
                        out.push_str(&" ".repeat(spaces));
                        column += spaces;
                    }
                    '\t' => {}
                    '\n' | '\r' => {
                        out.push(c);
                        column = 0;
                    }
                    _ => {
                        out.push(c);
                        column += 1;
                    }
                }
            }
            Value::from(out)
        }
        "isdigit" | "isdecimal" | "isnumeric" => {
            Value::from(!text.is_empty() && text.chars().all(char::is_numeric))
        }
        "isidentifier" => Value::from(
            text.chars()
                .next()
                .is_some_and(|c| c == '_' || c.is_alphabetic())
                && text.chars().all(|c| c == '_' || c.is_alphanumeric()),
        ),
        "isprintable" => Value::from(text.chars().all(|c| !c.is_control())),
        "istitle" => {
            Value::from(text.chars().any(char::is_alphabetic) && python_title(text) == text)
        }
        "splitlines" => {
            let keepends = args.first().is_some_and(Value::is_true);
            let mut lines = Vec::new();
            let mut rest = text;
            while !rest.is_empty() {
                let end = rest
                    .find([
                        '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}',
                        '\u{2028}', '\u{2029}',
                    ])
                    .unwrap_or(rest.len());
                let mut next = end;
                if end < rest.len() {
                    next += rest[end..].chars().next().map_or(1, char::len_utf8);
                    if rest[end..].starts_with("\r\n") {
                        next = end + 2;
                    }
                }
                lines.push(if keepends {
                    &rest[..next]
                } else {
                    &rest[..end]
                });
                rest = &rest[next..];
            }
            strings(lines)
        }
        "encode" | "decode" => Value::from(text),
        _ => return Ok(None),
    }))
}

/// `text[start:end]` with Python's slice rules, by characters, and the
/// character offset it starts at.
fn slice(text: &str, start: Option<i64>, end: Option<i64>) -> (&str, usize) {
    let length = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    let clamp = |index: i64| {
        if index < 0 {
            (index + length).max(0)
        } else {
            index.min(length)
        }
    };
    let start = usize::try_from(clamp(start.unwrap_or(0))).unwrap_or(0);
    let end = usize::try_from(clamp(end.unwrap_or(length)))
        .unwrap_or(0)
        .max(start);
    let byte = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(at, _)| at)
    };
    (&text[byte(start)..byte(end)], start)
}

/// The methods that take `sub[, start[, end]]`: `find`, `rfind`, `index`,
/// `rindex`, `count`, `startswith` and `endswith`.
fn ranged(text: &str, method: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let (Some(needle), rest) = (args.first(), args.get(1..).unwrap_or_default()) else {
        return Ok(None);
    };
    let bound = |index: usize| -> Result<Option<i64>, Error> {
        match rest.get(index) {
            None => Ok(None),
            Some(value) if value.is_none() => Ok(None),
            Some(value) => i64::try_from(value.clone())
                .map(Some)
                .map_err(|_| invalid("slice indices must be integers or None")),
        }
    };
    let (window, offset) = slice(text, bound(0)?, bound(1)?);
    let needles: Vec<String> = match needle.as_str() {
        Some(needle) => vec![needle.to_owned()],
        None if matches!(method, "startswith" | "endswith") => needle
            .try_iter()?
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("a tuple of strings is required"))
            })
            .collect::<Result<_, _>>()?,
        None => return Err(invalid(format!("{method}() takes a string"))),
    };
    let position = |found: Option<usize>| found.map(|at| window[..at].chars().count() + offset);
    Ok(Some(match method {
        "startswith" => Value::from(needles.iter().any(|n| window.starts_with(n.as_str()))),
        "endswith" => Value::from(needles.iter().any(|n| window.ends_with(n.as_str()))),
        "count" => Value::from(window.matches(needles[0].as_str()).count()),
        "find" | "index" => match (position(window.find(needles[0].as_str())), method) {
            (Some(at), _) => Value::from(at),
            (None, "find") => Value::from(-1),
            (None, _) => return Err(invalid("substring not found")),
        },
        "rfind" | "rindex" => match (position(window.rfind(needles[0].as_str())), method) {
            (Some(at), _) => Value::from(at),
            (None, "rfind") => Value::from(-1),
            (None, _) => return Err(invalid("substring not found")),
        },
        _ => return Ok(None),
    }))
}

/// `str.split` and `str.rsplit`: on runs of whitespace without a separator.
fn python_split(
    text: &str,
    separator: Option<&str>,
    limit: Option<usize>,
    from_right: bool,
) -> Result<Vec<Value>, Error> {
    let limit = limit.unwrap_or(usize::MAX);
    let mut parts: Vec<String> = match separator {
        Some("") => return Err(invalid("empty separator")),
        Some(separator) if from_right => text
            .rsplitn(limit.saturating_add(1), separator)
            .map(str::to_owned)
            .collect(),
        Some(separator) => text
            .splitn(limit.saturating_add(1), separator)
            .map(str::to_owned)
            .collect(),
        None => {
            let mut parts = Vec::new();
            let mut rest = if from_right {
                text.trim_end()
            } else {
                text.trim_start()
            };
            while !rest.is_empty() {
                if parts.len() == limit {
                    parts.push(
                        if from_right {
                            rest.trim_end()
                        } else {
                            rest.trim_start()
                        }
                        .to_owned(),
                    );
                    break;
                }
                let (part, remainder) = if from_right {
                    match rest.rfind(char::is_whitespace) {
                        Some(at) => (&rest[at..], &rest[..at]),
                        None => (rest, ""),
                    }
                } else {
                    match rest.find(char::is_whitespace) {
                        Some(at) => (&rest[..at], &rest[at..]),
                        None => (rest, ""),
                    }
                };
                parts.push(part.trim().to_owned());
                rest = if from_right {
                    remainder.trim_end()
                } else {
                    remainder.trim_start()
                };
            }
            parts
        }
    };
    if from_right {
        parts.reverse();
    }
    Ok(parts.into_iter().map(Value::from).collect())
}

fn list_method(list: &Value, method: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    Ok(Some(match (method, args) {
        ("index", [item, ..]) => {
            let at = list
                .try_iter()?
                .position(|candidate| candidate == *item)
                .ok_or_else(|| invalid(format!("{item} is not in list")))?;
            Value::from(at)
        }
        ("copy", []) => Value::from(list.try_iter()?.collect::<Vec<_>>()),
        ("append" | "extend" | "insert" | "pop" | "remove" | "clear" | "sort" | "reverse", _) => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "list.{method}() changes a list, which only works on a list made by `{{% set name = [...] %}}` in the same template"
                ),
            ));
        }
        _ => return Ok(None),
    }))
}

/// `str.title()`: a cased character after a cased one is lowered, others raised.
pub(super) fn python_title(text: &str) -> String {
    let mut previous_cased = false;
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        if previous_cased {
            out.extend(character.to_lowercase());
        } else {
            out.extend(character.to_uppercase());
        }
        previous_cased = character.is_lowercase() || character.is_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::python_title;

    #[test]
    fn title_method_follows_python() {
        assert_eq!(python_title("other_thing 1st"), "Other_Thing 1St");
        assert_eq!(python_title("HELLO wORLD"), "Hello World");
    }
}
