//! Jinja2's own builtin filters where minijinja lacks them or writes
//! something else: `wordwrap`, `truncate`, `indent`, `tojson`, `escape`,
//! `urlencode` and the rest, each as Jinja2 3.1 writes it.

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

use super::filters::{entries, items, next_random, seed_of};
use super::format::markupsafe_escape;

/// Python's positional arguments given as the keyword arguments `names`.
fn positional(names: &[&str], args: &[Value], kwargs: &Kwargs) -> Result<Kwargs, Error> {
    if args.len() > names.len() {
        return Err(Error::from(ErrorKind::TooManyArguments));
    }
    let mut pairs: Vec<(String, Value)> = names
        .iter()
        .zip(args)
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    for name in kwargs.args() {
        pairs.push((name.to_owned(), kwargs.peek::<Value>(name)?));
    }
    Ok(pairs.into_iter().collect())
}

/// Jinja2's `wordwrap(width=79, break_long_words=True, wrapstring=None,
/// break_on_hyphens=True)`: Python's first-fit `textwrap`, line by line.
fn wordwrap(value: &str, args: &[Value], kwargs: Kwargs) -> Result<String, Error> {
    use textwrap::{Options, WordSplitter, WrapAlgorithm};
    let names = [
        "width",
        "break_long_words",
        "wrapstring",
        "break_on_hyphens",
    ];
    let kwargs = positional(&names, args, &kwargs)?;
    let width = kwargs.get::<Option<usize>>("width")?.unwrap_or(79);
    let break_words = kwargs
        .get::<Option<bool>>("break_long_words")?
        .unwrap_or(true);
    let wrapstring = kwargs
        .get::<Option<String>>("wrapstring")?
        .unwrap_or_else(|| "\n".into());
    let hyphens = kwargs
        .get::<Option<bool>>("break_on_hyphens")?
        .unwrap_or(true);
    kwargs.assert_all_used()?;
    let options = Options::new(width.max(1))
        .wrap_algorithm(WrapAlgorithm::FirstFit)
        .break_words(break_words)
        .word_splitter(if hyphens {
            WordSplitter::HyphenSplitter
        } else {
            WordSplitter::NoHyphenation
        });
    let lines: Vec<String> = value
        .lines()
        .flat_map(|line| textwrap::wrap(line, &options))
        .map(std::borrow::Cow::into_owned)
        .collect();
    Ok(lines.join(&wrapstring))
}

/// Jinja2's `urlencode`: `%20` in a string, `+` and `&`-joined pairs for a dict.
fn urlencode(value: &Value) -> Result<String, Error> {
    fn quote(text: &str, for_query: bool) -> String {
        let mut out = String::new();
        for byte in text.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                    out.push(char::from(byte));
                }
                b'/' if !for_query => out.push('/'),
                b' ' if for_query => out.push('+'),
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
        out
    }
    let text = |value: &Value| {
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned)
    };
    let pairs = match value.kind() {
        ValueKind::Map => entries(value)?,
        ValueKind::Seq | ValueKind::Iterable => items(value)?
            .into_iter()
            .map(|pair| {
                Ok((
                    pair.get_item(&Value::from(0))?,
                    pair.get_item(&Value::from(1))?,
                ))
            })
            .collect::<Result<_, Error>>()?,
        _ => return Ok(quote(&text(value), false)),
    };
    Ok(pairs
        .iter()
        .map(|(key, value)| format!("{}={}", quote(&text(key), true), quote(&text(value), true)))
        .collect::<Vec<_>>()
        .join("&"))
}

/// Jinja2 builtins minijinja lacks (from minijinja-contrib where it has
/// them), and those whose output differs from Jinja2's.
pub(super) fn register(env: &mut Environment<'_>) {
    use minijinja_contrib::{filters as contrib, globals};
    env.add_filter("filesizeformat", contrib::filesizeformat);
    env.add_filter(
        "truncate",
        |state: &mut minijinja::State<'_, '_>, value: &Value, args: &[Value], kwargs: Kwargs| {
            let kwargs = positional(&["length", "killwords", "end", "leeway"], args, &kwargs)?;
            contrib::truncate(state, value, kwargs)
        },
    );
    env.add_filter(
        "dictsort",
        |value: &Value, args: &[Value], kwargs: Kwargs| -> Result<Value, Error> {
            let kwargs = positional(&["case_sensitive", "by", "reverse"], args, &kwargs)?;
            minijinja::filters::dictsort(value, kwargs)
        },
    );
    env.add_filter(
        "batch",
        |state: &minijinja::State<'_, '_>, value: Value, args: &[Value], kwargs: Kwargs| {
            let kwargs = positional(&["linecount", "fill_with"], args, &kwargs)?;
            let count: usize = kwargs.get("linecount")?;
            let fill_with: Option<Value> = kwargs.get("fill_with")?;
            kwargs.assert_all_used()?;
            minijinja::filters::batch(state, value, count, fill_with)
        },
    );
    env.add_filter("striptags", contrib::striptags);
    env.add_filter("wordcount", contrib::wordcount);
    env.add_filter("wordwrap", wordwrap);
    env.add_filter("urlencode", urlencode);
    env.add_function("cycler", |items: &[Value]| globals::cycler(items.to_vec()));
    env.add_function("joiner", globals::joiner);
    env.add_filter("center", |text: &Value, width: Option<usize>| {
        let text = text.to_string();
        let pad = width.unwrap_or(80).saturating_sub(text.chars().count());
        let left = pad / 2 + (pad & width.unwrap_or(80) & 1);
        format!("{}{text}{}", " ".repeat(left), " ".repeat(pad - left))
    });
    env.add_filter("indent", indent);
    env.add_filter("int", to_int);
    env.add_filter("float", to_float);
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("string", |value: &Value| -> Result<Value, Error> {
        if value.is_safe() {
            return Ok(value.clone());
        }
        super::format::python_str(value).map(Value::from)
    });
    env.add_filter("tojson", tojson);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("forceescape", |text: &Value| {
        Value::from_safe_string(super::format::markupsafe_escape(&text.to_string()))
    });
    env.add_filter("random", |value: &Value| -> Result<Value, Error> {
        let list = items(value)?;
        if list.is_empty() {
            return Ok(Value::UNDEFINED);
        }
        let pick = next_random(seed_of(Some(value))) % list.len() as u64;
        Ok(list[usize::try_from(pick).unwrap_or(0)].clone())
    });
}

/// Jinja2's `indent(width=4, first=False, blank=False)`; a trailing newline stays.
fn indent(text: &str, args: &[Value], kwargs: Kwargs) -> Result<String, Error> {
    let kwargs = positional(&["width", "first", "blank"], args, &kwargs)?;
    let width: Option<Value> = kwargs.get("width")?;
    let first = kwargs.get::<Option<bool>>("first")?.unwrap_or(false);
    let blank = kwargs.get::<Option<bool>>("blank")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let indention = match &width {
        Some(width) if width.as_str().is_some() => width.as_str().unwrap_or_default().to_owned(),
        Some(width) => " ".repeat(usize::try_from(width.clone()).unwrap_or(4)),
        None => " ".repeat(4),
    };
    let text = format!("{text}\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = if blank {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut rest = lines.iter();
        let mut out = rest.next().copied().unwrap_or_default().to_owned();
        let rest: Vec<String> = rest
            .map(|line| {
                if line.is_empty() {
                    String::new()
                } else {
                    format!("{indention}{line}")
                }
            })
            .collect();
        if !rest.is_empty() {
            out.push('\n');
            out.push_str(&rest.join("\n"));
        }
        out
    };
    if first {
        out = format!("{indention}{out}");
    }
    Ok(out)
}

/// Jinja2's `tojson(indent=None)`: `json.dumps` with sorted keys and ASCII
/// escapes, then `<`, `>`, `&` and `'` escaped for HTML; marked safe.
fn tojson(value: &Value, indent: Option<usize>, kwargs: Kwargs) -> Result<Value, Error> {
    let indent = indent.or(kwargs.get::<Option<usize>>("indent")?);
    kwargs.assert_all_used()?;
    let json = super::serialize::python_json(value, indent, true)?;
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027");
    Ok(Value::from_safe_string(json))
}

/// `MarkupSafe`'s `escape`; a safe string stays as it is.
fn escape(value: &Value) -> Value {
    if value.is_safe() {
        return value.clone();
    }
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned);
    Value::from_safe_string(markupsafe_escape(&text))
}

/// Python's `int(text, base)`: optional sign, `_` between digits, spaces
/// around, and the base's prefix (`0x`, `0o`, `0b`) allowed.
fn parse_int(text: &str, base: u32) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = digits.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (16 | 0, Some("0x")) => (16, &digits[2..]),
        (8 | 0, Some("0o")) => (8, &digits[2..]),
        (2 | 0, Some("0b")) => (2, &digits[2..]),
        (0, _) => (10, digits),
        (base, _) => (base, digits),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let number = i64::from_str_radix(&digits.replace('_', ""), base).ok()?;
    Some(if negative { -number } else { number })
}

/// Python's `float(text)`.
fn parse_float(text: &str) -> Option<f64> {
    let text = text.trim().replace('_', "");
    match text.to_ascii_lowercase().trim_start_matches(['+', '-']) {
        "inf" | "infinity" | "nan" => text
            .to_ascii_lowercase()
            .replace("infinity", "inf")
            .parse()
            .ok(),
        _ => text.parse().ok(),
    }
}

/// Jinja2's `int(default=0, base=10)`: `int(value, base)`, else
/// `int(float(value))`, else the default.
fn to_int(value: &Value, args: &[Value], kwargs: Kwargs) -> Result<Value, Error> {
    let kwargs = positional(&["default", "base"], args, &kwargs)?;
    let default = kwargs
        .get::<Option<Value>>("default")?
        .unwrap_or(Value::from(0));
    let base = kwargs.get::<Option<u32>>("base")?.unwrap_or(10);
    kwargs.assert_all_used()?;
    Ok(int_of(value, default, base))
}

fn int_of(value: &Value, default: Value, base: u32) -> Value {
    if let Some(text) = value.as_str() {
        if let Some(number) = parse_int(text, base) {
            return Value::from(number);
        }
        #[allow(clippy::cast_possible_truncation)]
        return parse_float(text)
            .filter(|number| number.is_finite())
            .map_or(default, |number| Value::from(number.trunc() as i64));
    }
    match value.kind() {
        ValueKind::Bool => Value::from(i64::from(value.is_true())),
        ValueKind::Number if value.is_integer() => value.clone(),
        ValueKind::Number =>
        {
            #[allow(clippy::cast_possible_truncation)]
            f64::try_from(value.clone())
                .ok()
                .filter(|number| number.is_finite())
                .map_or(default, |number| Value::from(number.trunc() as i64))
        }
        _ => default,
    }
}

/// Jinja2's `float(default=0.0)`.
fn to_float(value: &Value, args: &[Value], kwargs: Kwargs) -> Result<Value, Error> {
    let kwargs = positional(&["default"], args, &kwargs)?;
    let default = kwargs
        .get::<Option<Value>>("default")?
        .unwrap_or(Value::from(0.0));
    kwargs.assert_all_used()?;
    Ok(match value.kind() {
        ValueKind::String => {
            parse_float(value.as_str().unwrap_or_default()).map_or(default, Value::from)
        }
        ValueKind::Bool => Value::from(if value.is_true() { 1.0 } else { 0.0 }),
        ValueKind::Number => f64::try_from(value.clone()).map_or(default, Value::from),
        _ => default,
    })
}

/// Jinja2's `xmlattr(autospace=True)`: ` key="value"` for each entry that is
/// not none or undefined, escaped.
fn xmlattr(value: &Value, autospace: Option<bool>) -> Result<Value, Error> {
    let mut parts = Vec::new();
    for (key, item) in entries(value)? {
        if item.is_none() || item.is_undefined() {
            continue;
        }
        let key = key.to_string();
        if key.is_empty() || key.contains([' ', '/', '>', '=', '\t', '\n', '\u{c}']) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("Invalid character in attribute name: {key:?}"),
            ));
        }
        let text = item.as_str().map_or_else(
            || super::format::python_str(&item),
            |text| Ok(text.to_owned()),
        )?;
        parts.push(format!(
            "{}=\"{}\"",
            markupsafe_escape(&key),
            markupsafe_escape(&text)
        ));
    }
    let mut out = parts.join(" ");
    if autospace.unwrap_or(true) && !out.is_empty() {
        out.insert(0, ' ');
    }
    Ok(Value::from_safe_string(out))
}
