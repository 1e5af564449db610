//! Copier's casts of an answer to its question's type (`cast_answer`).

use serde_json::Value;

use crate::spec::AnswerType;

/// Casts one value (a typed string or a YAML value) to `kind`, as Copier does.
pub fn cast_scalar(kind: AnswerType, value: &Value) -> Result<Value, String> {
    if value.is_null() && !matches!(kind, AnswerType::Yaml | AnswerType::Json) {
        return Err(format!(
            "expected a value of type {}, got nothing",
            kind.name()
        ));
    }
    match kind {
        AnswerType::Str => match value {
            Value::String(text) => Ok(Value::from(text.clone())),
            Value::Number(number) => Ok(Value::from(python_number(number))),
            Value::Bool(flag) => Ok(Value::from(if *flag { "True" } else { "False" })),
            other => Err(format!("expected text, got {other}")),
        },
        AnswerType::Path => Ok(Value::from(match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => python_number(number),
            Value::Bool(flag) => if *flag { "True" } else { "False" }.to_owned(),
            other => other.to_string(),
        })),
        AnswerType::Int => match value {
            Value::String(text) => {
                let digits = text.trim().replace('_', "");
                digits
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| digits.parse::<u64>().map(Value::from))
                    .map_err(|_| "expected a whole number".into())
            }
            Value::Number(number) if number.is_i64() || number.is_u64() => {
                Ok(Value::Number(number.clone()))
            }
            Value::Number(number) => number
                .as_f64()
                .and_then(truncate)
                .map(Value::from)
                .ok_or_else(|| "expected a whole number".into()),
            Value::Bool(flag) => Ok(Value::from(i64::from(*flag))),
            _ => Err("expected a whole number".into()),
        },
        AnswerType::Float => {
            let number = match value {
                Value::String(text) => text
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| "expected a number".to_owned())?,
                Value::Number(number) => number.as_f64().unwrap_or_default(),
                Value::Bool(flag) => f64::from(u8::from(*flag)),
                _ => return Err("expected a number".into()),
            };
            if !number.is_finite() {
                return Err(
                    "expected a finite number; nan and inf cannot be written to the answers file"
                        .into(),
                );
            }
            Ok(Value::from(number))
        }
        AnswerType::Bool => Ok(Value::Bool(match value {
            Value::Bool(flag) => *flag,
            Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0),
            Value::String(text) => bool_word(text)?,
            Value::Array(items) => !items.is_empty(),
            Value::Object(entries) => !entries.is_empty(),
            Value::Null => false,
        })),
        AnswerType::Yaml => match value {
            Value::String(text) if text.trim().is_empty() => Ok(Value::Null),
            Value::String(text) => {
                serde_norway::from_str(text).map_err(|err| format!("expected YAML: {err}"))
            }
            other => Ok(other.clone()),
        },
        AnswerType::Json => match value {
            Value::String(text) => {
                serde_json::from_str(text).map_err(|err| format!("expected JSON: {err}"))
            }
            other => Ok(other.clone()),
        },
    }
}

/// A boolean typed as text: Copier's words (`yes`, `off`, `~`, ...) or a
/// number. Copier reads any other text as true; scaffold refuses it, since
/// `--flag=perhaps` is more likely a mistake than a yes.
fn bool_word(text: &str) -> Result<bool, String> {
    let lower = text.trim().to_ascii_lowercase();
    match lower.as_str() {
        "" | "n" | "no" | "f" | "false" | "off" | "~" | "null" | "none" => Ok(false),
        "y" | "yes" | "t" | "true" | "on" => Ok(true),
        other => other
            .parse::<f64>()
            .map(|number| number != 0.0)
            .map_err(|_| "expected true or false".to_owned()),
    }
}

/// Python's `int()` of a float: towards zero; `None` beyond `i64`.
#[allow(
    clippy::cast_possible_truncation,
    reason = "the value is whole and in range when cast"
)]
fn truncate(float: f64) -> Option<i64> {
    let whole = float.trunc();
    (whole.is_finite() && whole.abs() < 9.2e18).then_some(whole as i64)
}

/// Python's `str()` of a number.
fn python_number(number: &serde_json::Number) -> String {
    match (number.as_i64(), number.as_u64(), number.as_f64()) {
        (Some(int), _, _) => int.to_string(),
        (_, Some(int), _) => int.to_string(),
        (_, _, Some(float)) if float.fract() == 0.0 && float.abs() < 1e16 => format!("{float:.1}"),
        _ => number.to_string(),
    }
}

/// The items of a multiselect answer: a list, or a YAML list in a string.
pub fn list_items(value: &Value) -> Result<Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::Null => Ok(Vec::new()),
        Value::String(text) => {
            let trimmed = text.trim();
            if trimmed.starts_with('[') || trimmed.starts_with('-') {
                let items: Vec<Value> = serde_norway::from_str(trimmed)
                    .map_err(|err| format!("expected a YAML list: {err}"))?;
                // Copier parses the list shallowly: items are cast from their text.
                return Ok(items
                    .into_iter()
                    .map(|item| match item {
                        Value::Number(number) => Value::from(number.to_string()),
                        Value::Bool(flag) => Value::from(flag.to_string()),
                        other => other,
                    })
                    .collect());
            }
            // scaffold's shorthand on the command line: `a,b`.
            Ok(trimmed
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(Value::from)
                .collect())
        }
        _ => Err("expected a list of choices".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_copier() {
        assert_eq!(
            cast_scalar(AnswerType::Int, &Value::from(" 42 ")).unwrap(),
            Value::from(42)
        );
        assert_eq!(
            cast_scalar(AnswerType::Str, &Value::from(3)).unwrap(),
            Value::from("3")
        );
        assert_eq!(
            cast_scalar(AnswerType::Str, &Value::from(1.0)).unwrap(),
            Value::from("1.0")
        );
        assert_eq!(
            cast_scalar(AnswerType::Bool, &Value::from("yes")).unwrap(),
            Value::from(true)
        );
        assert_eq!(
            cast_scalar(AnswerType::Yaml, &Value::from("[1, 2]")).unwrap(),
            serde_json::json!([1, 2])
        );
        assert!(cast_scalar(AnswerType::Int, &Value::Null).is_err());
    }

    #[test]
    fn nan_and_inf_are_refused_for_floats() {
        for raw in ["nan", "NaN", "inf", "-inf", "infinity"] {
            let err = cast_scalar(AnswerType::Float, &Value::from(raw)).unwrap_err();
            assert!(err.contains("finite number"), "{raw}: {err}");
        }
        assert_eq!(
            cast_scalar(AnswerType::Float, &Value::from("1.5")).unwrap(),
            Value::from(1.5)
        );
    }
}
