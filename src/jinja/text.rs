//! Text filters from Ansible: `quote` (Python's `shlex.quote`) and `comment`.

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value};

use super::filters::invalid;

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("quote", |value: &Value| quote(&value.to_string()));
    env.add_filter("comment", comment);
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
