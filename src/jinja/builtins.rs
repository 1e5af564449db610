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
