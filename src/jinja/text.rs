//! Text filters: Ansible's `quote` (Python's `shlex.quote`) and `comment`,
//! and Jinja2's `urlize`.

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use std::sync::LazyLock;

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value};
use regex::Regex;

use super::filters::invalid;
use super::format::markupsafe_escape;

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("quote", |value: &Value| quote(&value.to_string()));
    env.add_filter("comment", comment);
    env.add_filter("urlize", urlize);
}

/// Jinja2's `urlize(trim_url_limit=None, nofollow=False, target=None,
/// rel=None)`, as `jinja2.utils.urlize` does it: the text escaped, and each
/// word that is a web address or an e-mail address made a link, with
/// surrounding brackets and punctuation left outside.
fn urlize(text: &Value, args: &[Value], kwargs: Kwargs) -> Result<Value, Error> {
    let names = ["trim_url_limit", "nofollow", "target", "rel"];
    if args.len() > names.len() {
        return Err(invalid("urlize: too many arguments"));
    }
    let given = |index: usize| -> Result<Option<Value>, Error> {
        match args.get(index) {
            Some(value) => Ok(Some(value.clone())),
            None => kwargs.get::<Option<Value>>(names[index]),
        }
    };
    let limit = given(0)?
        .filter(|value| !value.is_none())
        .map(usize::try_from)
        .transpose()?;
    let nofollow = given(1)?.is_some_and(|value| value.is_true());
    let target = given(2)?.filter(Value::is_true);
    let rel = given(3)?.filter(Value::is_true);
    kwargs.assert_all_used()?;
    let mut rel_words: Vec<String> = rel
        .map(|rel| rel.to_string())
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    rel_words.push("noopener".into());
    if nofollow {
        rel_words.push("nofollow".into());
    }
    rel_words.sort();
    rel_words.dedup();
    let mut attributes = format!(" rel=\"{}\"", markupsafe_escape(&rel_words.join(" ")));
    if let Some(target) = target {
        attributes.push_str(&format!(
            " target=\"{}\"",
            markupsafe_escape(&target.to_string())
        ));
    }
    let escaped = markupsafe_escape(&text.to_string());
    let mut out = String::new();
    let mut rest = escaped.as_str();
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        if !word.is_empty() {
            out.push_str(&link(word, limit, &attributes));
        }
        let space_end = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        out.push_str(&after[..space_end]);
        rest = &after[space_end..];
    }
    Ok(Value::from_safe_string(out))
}

/// Jinja2's `_http_re`. Its Unicode classes under counted repetition make a
/// large automaton (tens of milliseconds to build), so ASCII words, nearly
/// all of them, use the same pattern with ASCII classes, which match ASCII
/// text alike.
fn is_http(word: &str) -> bool {
    fn pattern(unicode: bool) -> Regex {
        let (w, d) = if unicode {
            (r"\w", r"\d")
        } else {
            ("0-9A-Za-z_", "0-9")
        };
        Regex::new(&format!(
            r"(?ix)^(
                (https?://|www\.)(([{w}%-]+\.)+)?([a-z]{{2,63}}|xn--[{w}%]{{2,59}})
              | ([{w}%-]{{2,63}}\.)+(com|net|int|edu|gov|org|info|mil)
              | (https?://)((([{d}]{{1,3}})(\.[{d}]{{1,3}}){{3}})|(\[([{d}a-f]{{0,4}}:){{2}}([{d}a-f]{{0,4}}:?){{1,6}}\]))
            )(?::[{d}]{{1,5}})?(?:[/?\#]\S*)?$"
        ))
        .expect("the address pattern is valid")
    }
    static ASCII: LazyLock<Regex> = LazyLock::new(|| pattern(false));
    static UNICODE: LazyLock<Regex> = LazyLock::new(|| pattern(true));
    if word.is_ascii() {
        ASCII.is_match(word)
    } else {
        UNICODE.is_match(word)
    }
}
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S+@\w[\w.-]*\.\w+$").expect("the e-mail pattern is valid"));
static HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([(<]|&lt;)+").expect("the head pattern is valid"));
static TAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([)>.,\n]|&gt;)+$").expect("the tail pattern is valid"));

/// One escaped word of `urlize`, made a link where it is one.
fn link(word: &str, limit: Option<usize>, attributes: &str) -> String {
    let (head, mut middle) = match HEAD.find(word) {
        Some(found) => word.split_at(found.end()),
        None => ("", word),
    };
    let mut middle_owned;
    let mut tail = "";
    if let Some(found) = TAIL.find(middle) {
        tail = &middle[found.start()..];
        middle = &middle[..found.start()];
    }
    middle_owned = middle.to_owned();
    // Brackets the address opened take back their closers from the tail.
    for (open, close) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
        let opened = middle_owned.matches(open).count();
        if opened <= middle_owned.matches(close).count() {
            continue;
        }
        for _ in 0..opened.min(tail.matches(close).count()) {
            let end = tail.find(close).map_or(0, |at| at + close.len());
            middle_owned.push_str(&tail[..end]);
            tail = &tail[end..];
        }
    }
    let middle = middle_owned;
    let shown = match limit {
        Some(limit) if middle.chars().count() > limit => {
            format!("{}...", middle.chars().take(limit).collect::<String>())
        }
        _ => middle.clone(),
    };
    let linked = if is_http(&middle) {
        if middle.starts_with("https://") || middle.starts_with("http://") {
            format!("<a href=\"{middle}\"{attributes}>{shown}</a>")
        } else {
            format!("<a href=\"https://{middle}\"{attributes}>{shown}</a>")
        }
    } else if let Some(address) = middle.strip_prefix("mailto:").filter(|a| EMAIL.is_match(a)) {
        format!("<a href=\"{middle}\">{address}</a>")
    } else if middle.contains('@')
        && !middle.starts_with("www.")
        && !middle.starts_with('@')
        && !middle.contains(':')
        && EMAIL.is_match(&middle)
    {
        format!("<a href=\"mailto:{middle}\">{middle}</a>")
    } else {
        middle
    };
    format!("{head}{linked}{tail}")
}
/// `shlex.quote`: safe words stay, anything else is single-quoted.
fn quote(text: &str) -> String {
    if text.is_empty() {
        return "''".into();
    }
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if text.chars().all(safe) {
        return text.into();
    }
    format!("'{}'", text.replace('\'', "'\"'\"'"))
}

/// Ansible's `comment(style="plain", **params)`.
fn comment(text: &str, style: Option<&str>, kwargs: Kwargs) -> Result<String, Error> {
    let style = style.unwrap_or("plain");
    let (beginning, decoration, end) = match style {
        "plain" => ("", "# ", ""),
        "erlang" => ("", "% ", ""),
        "c" => ("", "// ", ""),
        "cblock" => ("/*", " * ", " */"),
        "xml" => ("<!--", " - ", "-->"),
        other => return Err(invalid(format!("comment: unknown style `{other}`"))),
    };
    let param = |name: &str, default: &str| -> Result<String, Error> {
        Ok(kwargs
            .get::<Option<Value>>(name)?
            .map_or_else(|| default.to_owned(), |value| value.to_string()))
    };
    let prepostfix = param("decoration", decoration)?;
    let newline = param("newline", "\n")?;
    let beginning = param("beginning", beginning)?;
    let prefix = param("prefix", prepostfix.trim_end())?;
    let prefix_count: usize = kwargs.get::<Option<usize>>("prefix_count")?.unwrap_or(1);
    let decoration = param("decoration", decoration)?;
    let postfix = param("postfix", prepostfix.trim_end())?;
    let postfix_count: usize = kwargs.get::<Option<usize>>("postfix_count")?.unwrap_or(1);
    let end = param("end", end)?;
    kwargs.assert_all_used()?;

    let mut out = String::new();
    if !beginning.is_empty() {
        out.push_str(&format!("{beginning}{newline}"));
    }
    if !prefix.is_empty() {
        let line = if prefix == newline {
            newline.clone()
        } else {
            format!("{prefix}{newline}")
        };
        out.push_str(&line.repeat(prefix_count));
    }
    let body = format!(
        "{decoration}{}",
        text.replace(&newline, &format!("{newline}{decoration}"))
    );
    out.push_str(&body.replace(
        &format!("{decoration}{newline}"),
        &format!("{}{newline}", decoration.trim_end()),
    ));
    for _ in 0..postfix_count {
        out.push_str(&format!("{newline}{postfix}"));
    }
    if !end.is_empty() {
        out.push_str(&format!("{newline}{end}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quote_follows_shlex() {
        assert_eq!(quote("it's"), r#"'it'"'"'s'"#);
        assert_eq!(quote("a/b-c.d"), "a/b-c.d");
        assert_eq!(quote(""), "''");
    }
}
