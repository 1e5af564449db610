//! The Jinja filters Copier templates rely on beyond Jinja's builtins
//! (Copier ships the Ansible core filters; these are the common ones).

use minijinja::{Environment, Error, ErrorKind, Value};

pub fn register(env: &mut Environment<'_>) {
    env.add_filter("to_yaml", to_yaml);
    env.add_filter("to_nice_yaml", to_yaml);
    env.add_filter("to_json", to_json);
    env.add_filter("to_nice_json", to_nice_json);
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("bool", to_bool);
}

/// Python's string and dict methods (`name.upper()`), with `str.title()` as
/// Python defines it (minijinja's follows Jinja's `title` filter instead).
pub fn python_method(
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if method == "title" && args.is_empty() {
        if let Some(text) = value.as_str() {
            return Ok(Value::from(python_title(text)));
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

/// `str.title()`: a cased character after a cased one is lowered, others raised.
fn python_title(text: &str) -> String {
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

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

fn to_yaml(value: &Value) -> Result<String, Error> {
    serde_norway::to_string(value).map_err(|err| invalid(format!("cannot write YAML: {err}")))
}

fn to_json(value: &Value) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|err| invalid(format!("cannot write JSON: {err}")))
}

fn to_nice_json(value: &Value) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|err| invalid(format!("cannot write JSON: {err}")))
}

fn compile(pattern: &str) -> Result<regex::Regex, Error> {
    regex::Regex::new(pattern)
        .map_err(|err| invalid(format!("invalid regular expression `{pattern}`: {err}")))
}

/// The first match of `pattern` in `value`, or none.
fn regex_search(value: &str, pattern: &str) -> Result<Value, Error> {
    Ok(compile(pattern)?
        .find(value)
        .map_or(Value::from(()), |found| Value::from(found.as_str())))
}

/// Replaces every match of `pattern` (Python's `\1` group syntax accepted).
fn regex_replace(value: &str, pattern: &str, replacement: Option<&str>) -> Result<String, Error> {
    let replacement = replacement.unwrap_or("");
    let group = regex::Regex::new(r"\\(\d+)").map_err(|err| invalid(err.to_string()))?;
    let replacement = group.replace_all(replacement, "$${$1}");
    Ok(compile(pattern)?
        .replace_all(value, replacement.as_ref())
        .into_owned())
}

fn to_bool(value: &Value) -> bool {
    match value.as_str() {
        Some(text) => super::truthy(text),
        None => value.is_true(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str) -> String {
        let mut env = Environment::new();
        register(&mut env);
        env.render_str(source, ()).unwrap()
    }

    #[test]
    fn regex_filters_behave_like_ansibles() {
        assert_eq!(render("{{ 'ab12' | regex_search('[0-9]+') }}"), "12");
        assert_eq!(
            render("{{ 'ab' | regex_search('[0-9]+') is none }}"),
            "True"
        );
        assert_eq!(
            render(r"{{ 'a-b' | regex_replace('(\\w)-(\\w)', '\\2_\\1') }}"),
            "b_a"
        );
    }

    #[test]
    fn title_method_follows_python() {
        assert_eq!(python_title("other_thing 1st"), "Other_Thing 1St");
        assert_eq!(python_title("HELLO wORLD"), "Hello World");
    }

    #[test]
    fn yaml_and_json_filters_serialise_values() {
        assert_eq!(render("{{ {'a': 1} | to_json }}"), r#"{"a":1}"#);
        assert_eq!(render("{{ {'a': [1]} | to_nice_yaml }}"), "a:\n- 1\n");
        assert_eq!(render("{{ 'yes' | bool }}"), "True");
    }
}
