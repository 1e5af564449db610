//! Ansible's regular-expression filters with Python's `re` conventions:
//! `(?P<name>...)` groups, `\1` and `\g<name>` in replacements, `findall`
//! returning groups, look-around and back-references (`fancy-regex`).

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use fancy_regex::{Regex, RegexBuilder};
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value};

use super::filters::invalid;

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("regex_findall", regex_findall);
    env.add_filter("regex_escape", regex_escape);
}

fn compile(pattern: &str, ignorecase: bool, multiline: bool) -> Result<Regex, Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(ignorecase)
        .multi_line(multiline)
        .build()
        .map_err(|err| invalid(format!("invalid regular expression `{pattern}`: {err}")))
}

fn failed(err: fancy_regex::Error) -> Error {
    invalid(format!("regular expression failed: {err}"))
}

fn flag(kwargs: &Kwargs, name: &str) -> Result<bool, Error> {
    Ok(kwargs.get::<Option<bool>>(name)?.unwrap_or(false))
}

/// The first match, or the listed groups (`'\\1'`, `'\\g<name>'`) of it.
fn regex_search(
    value: &str,
    pattern: &str,
    groups: &[Value],
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let regex = compile(
        pattern,
        flag(&kwargs, "ignorecase")?,
        flag(&kwargs, "multiline")?,
    )?;
    kwargs.assert_all_used()?;
    let Some(found) = regex.captures(value).map_err(failed)? else {
        return Ok(Value::from(()));
    };
    if groups.is_empty() {
        return Ok(Value::from(found.get(0).map_or("", |m| m.as_str())));
    }
    let mut out = Vec::new();
    for group in groups {
        let group = group.as_str().unwrap_or_default();
        let text = if let Some(name) = group
            .strip_prefix("\\g<")
            .and_then(|rest| rest.strip_suffix('>'))
        {
            match name.parse::<usize>() {
                Ok(index) => found.get(index),
                Err(_) => found.name(name),
            }
        } else if let Some(index) = group.strip_prefix('\\') {
            index
                .parse::<usize>()
                .ok()
                .and_then(|index| found.get(index))
        } else {
            return Err(invalid("Unknown argument"));
        };
        out.push(text.map_or(Value::from(()), |text| Value::from(text.as_str())));
    }
    Ok(Value::from(out))
}

/// Python's replacement syntax turned into Rust's: `\1`, `\g<1>`,
/// `\g<name>` become `${1}`, `${name}`; `$` is literal; `\n`, `\t` and `\\`
/// are escapes.
fn replacement(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        match character {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek().copied() {
                Some(digit) if digit.is_ascii_digit() => {
                    let mut number = String::new();
                    while let Some(digit) = chars.peek().copied().filter(char::is_ascii_digit) {
                        number.push(digit);
                        chars.next();
                        if number.len() == 2 {
                            break;
                        }
                    }
                    out.push_str(&format!("${{{number}}}"));
                }
                Some('g') => {
                    chars.next();
                    let mut name = String::new();
                    if chars.next_if_eq(&'<').is_some() {
                        for next in chars.by_ref() {
                            if next == '>' {
                                break;
                            }
                            name.push(next);
                        }
                    }
                    out.push_str(&format!("${{{name}}}"));
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                }
                Some('t') => {
                    chars.next();
                    out.push('\t');
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

fn regex_replace(
    value: &Value,
    pattern: Option<&str>,
    with: Option<&str>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let regex = compile(pattern.unwrap_or(""), flag(&kwargs, "ignorecase")?, false)?;
    kwargs.assert_all_used()?;
    let text = if value.is_none() || value.is_undefined() {
        String::new()
    } else {
        value.to_string()
    };
    Ok(regex
        .replace_all(&text, replacement(with.unwrap_or("")).as_str())
        .into_owned())
}

/// `re.findall`: whole matches, the group's text, or tuples of groups.
fn regex_findall(value: &str, pattern: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let regex = compile(
        pattern,
        flag(&kwargs, "ignorecase")?,
        flag(&kwargs, "multiline")?,
    )?;
    kwargs.assert_all_used()?;
    let groups = regex.captures_len() - 1;
    let text =
        |found: Option<fancy_regex::Match<'_>>| Value::from(found.map_or("", |m| m.as_str()));
    Ok(Value::from(
        regex
            .captures_iter(value)
            .map(|found| found.map_err(failed))
            .collect::<Result<Vec<_>, Error>>()?
            .into_iter()
            .map(|found| match groups {
                0 => text(found.get(0)),
                1 => text(found.get(1)),
                _ => Value::from(
                    (1..=groups)
                        .map(|index| text(found.get(index)))
                        .collect::<Vec<_>>(),
                ),
            })
            .collect::<Vec<_>>(),
    ))
}

/// `re.escape` (Python 3.7+), or a POSIX basic regular expression's escaping.
fn regex_escape(text: &str, re_type: Option<&str>) -> Result<String, Error> {
    let special: &[char] = match re_type.unwrap_or("python") {
        "python" => &[
            '(', ')', '[', ']', '{', '}', '?', '*', '+', '-', '|', '^', '$', '\\', '.', '&', '~',
            '#', ' ', '\t', '\n', '\r', '\u{b}', '\u{c}',
        ],
        "posix_basic" => &[']', '.', '[', '^', '$', '*', '\\'],
        other => return Err(invalid(format!("Regex type ({other}) not yet implemented"))),
    };
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        if special.contains(&character) {
            out.push('\\');
        }
        out.push(character);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn python_replacements_become_rust_ones() {
        assert_eq!(replacement(r"\2_\1"), "${2}_${1}");
        assert_eq!(replacement(r"\g<name>-$"), "${name}-$$");
    }
}
