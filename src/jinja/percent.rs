//! Python's `%` string formatting (`'%s-%05.2f' % (a, b)`, `'%(k)s' % d`),
//! reached as the `__mod__` method that [`super::rewrite`] turns `%` into.

use minijinja::value::ValueKind;
use minijinja::{Error, Value};

use super::filters::invalid;
use super::format::{python_repr, python_str};

/// `format % args`: a tuple gives one value per specifier, a dict is looked
/// up by `%(key)s`, anything else is the single value.
pub(super) fn percent_format(format: &str, args: &Value) -> Result<String, Error> {
    let positional: Vec<Value> = if args.is_tuple() {
        args.try_iter()?.collect()
    } else {
        vec![args.clone()]
    };
    let mapping = args.kind() == ValueKind::Map;
    let mut next = positional.into_iter();
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        if chars.peek() == Some(&'(') {
            chars.next();
            let mut key = String::new();
            for c in chars.by_ref() {
                if c == ')' {
                    break;
                }
                key.push(c);
            }
            spec.key = Some(key);
        }
        while let Some(&flag) = chars.peek().filter(|c| "#0- +".contains(**c)) {
            spec.flags.push(flag);
            chars.next();
        }
        spec.width = number(&mut chars, &mut next)?;
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(number(&mut chars, &mut next)?.unwrap_or(0));
        }
        while chars.peek().is_some_and(|c| "hlL".contains(*c)) {
            chars.next();
        }
        let kind = chars.next().ok_or_else(|| invalid("incomplete format"))?;
        if kind == '%' {
            out.push('%');
            continue;
        }
        let value = match &spec.key {
            Some(key) if mapping => args.get_item(&Value::from(key.as_str()))?,
            Some(_) => return Err(invalid("format requires a mapping")),
            None if mapping && next.len() == 0 => args.clone(),
            None => next
                .next()
                .ok_or_else(|| invalid("not enough arguments for format string"))?,
        };
        if value.is_undefined() {
            return Err(invalid(format!(
                "key {:?} not found",
                spec.key.unwrap_or_default()
            )));
        }
        out.push_str(&spec.render(kind, &value)?);
    }
    if next.len() > 0 && !mapping {
        return Err(invalid(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

fn number(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    next: &mut impl Iterator<Item = Value>,
) -> Result<Option<usize>, Error> {
    if chars.peek() == Some(&'*') {
        chars.next();
        let value = next
            .next()
            .ok_or_else(|| invalid("not enough arguments for format string"))?;
        return usize::try_from(value)
            .map(Some)
            .map_err(|_| invalid("* wants int"));
    }
    let mut digits = String::new();
    while let Some(&digit) = chars.peek().filter(|c| c.is_ascii_digit()) {
        digits.push(digit);
        chars.next();
    }
    Ok(digits.parse().ok())
}

#[derive(Default)]
struct Spec {
    key: Option<String>,
    flags: String,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    fn render(&self, kind: char, value: &Value) -> Result<String, Error> {
        let (sign, body) = match kind {
            's' => {
                return Ok(self.pad("", &truncate(python_str(value)?, self.precision), false));
            }
            'r' | 'a' => {
                return Ok(self.pad("", &truncate(python_repr(value)?, self.precision), false));
            }
            'c' => {
                let text = match value.as_str() {
                    Some(text) if text.chars().count() == 1 => text.to_owned(),
                    _ => char::from_u32(integer(value)?.try_into().unwrap_or(u32::MAX))
                        .ok_or_else(|| invalid("%c arg not in range"))?
                        .to_string(),
                };
                return Ok(self.pad("", &text, false));
            }
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                let number = integer(value)?;
                let digits = match kind {
                    'o' => format!(
                        "{}{:o}",
                        if self.flag('#') { "0o" } else { "" },
                        number.unsigned_abs()
                    ),
                    'x' => format!(
                        "{}{:x}",
                        if self.flag('#') { "0x" } else { "" },
                        number.unsigned_abs()
                    ),
                    'X' => format!(
                        "{}{:X}",
                        if self.flag('#') { "0X" } else { "" },
                        number.unsigned_abs()
                    ),
                    _ => number.unsigned_abs().to_string(),
                };
                let digits = match self.precision {
                    Some(precision) if digits.len() < precision => {
                        format!("{}{digits}", "0".repeat(precision - digits.len()))
                    }
                    _ => digits,
                };
                (self.sign(number < 0), digits)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let number = float(value)?;
                let body = float_body(
                    kind,
                    number.abs(),
                    self.precision.unwrap_or(6),
                    self.flag('#'),
                );
                (
                    self.sign(number.is_sign_negative() && !number.is_nan()),
                    body,
                )
            }
            other => return Err(invalid(format!("unsupported format character '{other}'"))),
        };
        Ok(self.pad(&sign, &body, true))
    }

    fn flag(&self, flag: char) -> bool {
        self.flags.contains(flag)
    }

    fn sign(&self, negative: bool) -> String {
        match (negative, self.flag('+'), self.flag(' ')) {
            (true, _, _) => "-".into(),
            (false, true, _) => "+".into(),
            (false, false, true) => " ".into(),
            _ => String::new(),
        }
    }

    fn pad(&self, sign: &str, body: &str, numeric: bool) -> String {
        let length = sign.chars().count() + body.chars().count();
        let fill = self.width.unwrap_or(0).saturating_sub(length);
        if self.flag('-') {
            format!("{sign}{body}{}", " ".repeat(fill))
        } else if numeric && self.flag('0') {
            format!("{sign}{}{body}", "0".repeat(fill))
        } else {
            format!("{}{sign}{body}", " ".repeat(fill))
        }
    }
}

fn truncate(text: String, precision: Option<usize>) -> String {
    match precision {
        Some(precision) => text.chars().take(precision).collect(),
        None => text,
    }
}

fn integer(value: &Value) -> Result<i128, Error> {
    if value.kind() == ValueKind::Number {
        if let Ok(number) = i128::try_from(value.clone()) {
            return Ok(number);
        }
        #[allow(clippy::cast_possible_truncation)]
        return f64::try_from(value.clone())
            .map(|number| number.trunc() as i128)
            .map_err(|_| invalid("%d format: a real number is required"));
    }
    if value.kind() == ValueKind::Bool {
        return Ok(i128::from(value.is_true()));
    }
    Err(invalid(format!(
        "%d format: a real number is required, not {}",
        super::filters::type_debug(value)
    )))
}

fn float(value: &Value) -> Result<f64, Error> {
    match value.kind() {
        ValueKind::Number => {
            f64::try_from(value.clone()).map_err(|_| invalid("must be real number"))
        }
        ValueKind::Bool => Ok(if value.is_true() { 1.0 } else { 0.0 }),
        _ => Err(invalid(format!(
            "must be real number, not {}",
            super::filters::type_debug(value)
        ))),
    }
}

/// `%e`, `%f` and `%g` of a non-negative number.
fn float_body(kind: char, number: f64, precision: usize, alternate: bool) -> String {
    if !number.is_finite() {
        let text = if number.is_nan() { "nan" } else { "inf" };
        return if kind.is_uppercase() {
            text.to_uppercase()
        } else {
            text.into()
        };
    }
    let body = match kind.to_ascii_lowercase() {
        'f' => format!("{number:.precision$}"),
        'e' => exponential(number, precision),
        _ => {
            let precision = precision.max(1);
            let rounded = exponential(number, precision - 1);
            let exponent: i32 = rounded
                .rsplit_once('e')
                .map_or(0, |(_, e)| e.parse().unwrap_or(0));
            let text = if exponent < -4 || exponent >= i32::try_from(precision).unwrap_or(i32::MAX)
            {
                rounded
            } else {
                let decimals =
                    usize::try_from(i32::try_from(precision).unwrap_or(0) - 1 - exponent)
                        .unwrap_or(0);
                format!("{number:.decimals$}")
            };
            if alternate { text } else { strip_zeros(&text) }
        }
    };
    if kind.is_uppercase() {
        body.to_uppercase()
    } else {
        body
    }
}

/// `1.234568e+04`: Rust's `{:e}` with Python's signed two-digit exponent.
fn exponential(number: f64, precision: usize) -> String {
    let text = format!("{number:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

fn strip_zeros(text: &str) -> String {
    let (mantissa, exponent) = match text.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, format!("e{exponent}")),
        None => (text, String::new()),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{mantissa}{exponent}")
}
