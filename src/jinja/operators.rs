//! Two binary operators whose results minijinja gives no hook for, turned
//! into calls by [`super::rewrite`]:
//!
//! * `a ~ b` becomes `__scaffold_concat__(a, b)`, which joins Python's
//!   `str()` of each side (`1e+16`, `None`, `True`), as Jinja2's `~` does;
//! * `a - b`, in a template that makes datetimes (`to_datetime`, `now()`),
//!   becomes `__scaffold_sub__(a, b)`, which subtracts datetimes and
//!   timedeltas as Python does and leaves anything else to minijinja's `-`.
//!
//! Jinja2's precedence is kept: `~` binds tighter than `+` and `-`, which
//! bind tighter than comparisons, `and`, `or`, `if`, `in`; filters, tests,
//! `*`, `/`, `%` and `**` bind tighter than both. A chain that a test
//! (`is`) ends or follows is left alone, as is a `-` chain mixed with `+`.

use minijinja::{Error, ErrorKind, State, UndefinedBehavior, Value, context};

use super::format::python_str;
use super::rewrite::{Edit, Kind, Token, close_of};

pub(super) const CONCAT: &str = "__scaffold_concat__";
pub(super) const SUB: &str = "__scaffold_sub__";

/// Names that end an operand chain: operators of lower precedence.
const LOW_NAMES: &[&str] = &["and", "or", "not", "in", "is", "if", "else"];
/// Names that end an operand chain in a statement (elsewhere they may be
/// variables); `ignore missing` and `with context` end in a name alone.
const STATEMENT_NAMES: &[&str] = &[
    "as",
    "import",
    "ignore",
    "with",
    "without",
    "recursive",
    "from",
    "set",
    "for",
    "include",
    "extends",
];
/// Operators that end an operand chain.
const LOW_OPERATORS: &[&str] = &[",", ":", "==", "!=", "<", ">", "<=", ">=", "="];

pub(super) fn register(env: &mut minijinja::Environment<'_>) {
    env.add_function(CONCAT, concat);
    env.add_function(SUB, sub);
}

/// Jinja2's `~`: the `str()` of each operand, joined.
fn concat(state: &State<'_, '_>, operands: &[Value]) -> Result<Value, Error> {
    let mut parts = Vec::with_capacity(operands.len());
    for operand in operands {
        if operand.is_undefined() && matches!(state.undefined_behavior(), UndefinedBehavior::Strict)
        {
            return Err(Error::from(ErrorKind::UndefinedError));
        }
        parts.push(python_str(operand)?);
    }
    let length: usize = parts.iter().map(String::len).sum();
    state.consume_fuel(u64::try_from(length / 64).unwrap_or(u64::MAX))?;
    let joined = parts.concat();
    Ok(if operands.iter().all(Value::is_safe) {
        Value::from_safe_string(joined)
    } else {
        Value::from(joined)
    })
}

/// Python's `-` for datetimes and timedeltas, minijinja's for the rest.
fn sub(state: &State<'_, '_>, left: Value, right: Value) -> Result<Value, Error> {
    if let Some(difference) = super::clock::subtract(&left, &right)? {
        return Ok(difference);
    }
    state
        .env()
        .compile_expression("left - right")?
        .eval(context! { left, right })
}

/// The edits that turn the `~` and (when `sub`) `-` chains of one tag's
/// tokens into calls; `block` skips the statement's name.
pub(super) fn edits(tokens: &[Token<'_>], tag_start: usize, block: bool, sub: bool) -> Vec<Edit> {
    let mut first = 0;
    if tokens
        .first()
        .is_some_and(|token| token.start == tag_start && matches!(token.text, "-" | "+"))
    {
        first = 1;
    }
    if block {
        first += 1;
    }
    let mut edits = Vec::new();
    group(tokens, first, tokens.len(), block, sub, &mut edits);
    edits
}

/// Whether one of `ours`' insertions falls where one of `theirs` starts or
/// ends, so that the order of the two would be ambiguous.
pub(super) fn overlaps(theirs: &[Edit], ours: &[Edit]) -> bool {
    ours.iter()
        .filter(|(start, end, _)| start == end)
        .any(|(at, _, _)| {
            theirs
                .iter()
                .any(|(start, end, _)| at == start || at == end)
        })
}

/// One bracket level from `lo` to `hi`: its inner groups, then its chains.
fn group(
    tokens: &[Token<'_>],
    lo: usize,
    hi: usize,
    block: bool,
    sub: bool,
    edits: &mut Vec<Edit>,
) {
    let mut units: Vec<(usize, usize)> = Vec::new();
    let mut index = lo;
    while index < hi {
        if tokens[index].kind == Kind::Open {
            let end = close_of(tokens, index).min(hi);
            let inner_end = if tokens[end - 1].kind == Kind::Close {
                end - 1
            } else {
                end
            };
            group(tokens, index + 1, inner_end, block, sub, edits);
            units.push((index, end));
            index = end;
        } else {
            units.push((index, index + 1));
            index += 1;
        }
    }
    let ends_chain = |at: usize| {
        let token = tokens[units[at].0];
        let after_dot_or_pipe = at > 0 && matches!(tokens[units[at - 1].0].text, "." | "|");
        (token.kind == Kind::Operator && LOW_OPERATORS.contains(&token.text))
            || (token.kind == Kind::Name
                && !after_dot_or_pipe
                && (LOW_NAMES.contains(&token.text)
                    || (block && STATEMENT_NAMES.contains(&token.text))))
    };
    let mut start = 0usize;
    for at in 0..=units.len() {
        if at < units.len() && !ends_chain(at) {
            continue;
        }
        let tested = |unit: Option<&(usize, usize)>| unit.is_some_and(|u| tokens[u.0].text == "is");
        let near_test = tested(start.checked_sub(1).and_then(|before| units.get(before)))
            || tested(units.get(at));
        if start < at && !near_test {
            chain(tokens, &units[start..at], sub, edits);
        }
        start = at + 1;
    }
}

/// The binary `+` and `-` of a chain split it into `~` chains; a chain of
/// `-` only is wrapped in [`SUB`] calls.
fn chain(tokens: &[Token<'_>], units: &[(usize, usize)], sub: bool, edits: &mut Vec<Edit>) {
    let binary: Vec<usize> = (1..units.len())
        .filter(|&at| is_binary_sign(tokens, units, at))
        .collect();
    let last_end = tokens[units[units.len() - 1].1 - 1].end;
    let minuses = binary
        .iter()
        .filter(|&&at| tokens[units[at].0].text == "-")
        .count();
    let wrap_sub = sub && minuses > 0 && minuses == binary.len();
    if wrap_sub {
        let start = tokens[units[0].0].start;
        edits.push((start, start, format!("{SUB}(").repeat(minuses)));
    }
    let mut piece_start = 0;
    for &at in binary.iter().chain(std::iter::once(&units.len())) {
        concat_piece(tokens, &units[piece_start..at], edits);
        piece_start = at + 1;
    }
    if wrap_sub {
        for (nth, &at) in binary.iter().enumerate() {
            let token = tokens[units[at].0];
            let text = if nth == 0 { "," } else { ")," };
            edits.push((token.start, token.end, text.into()));
        }
        edits.push((last_end, last_end, ")".into()));
    }
}

fn concat_piece(tokens: &[Token<'_>], units: &[(usize, usize)], edits: &mut Vec<Edit>) {
    let tildes: Vec<&Token<'_>> = units
        .iter()
        .map(|unit| &tokens[unit.0])
        .filter(|token| token.text == "~")
        .collect();
    let (Some(first), Some(last)) = (units.first(), units.last()) else {
        return;
    };
    if tildes.is_empty() {
        return;
    }
    let start = tokens[first.0].start;
    edits.push((start, start, format!("{CONCAT}(")));
    for token in tildes {
        edits.push((token.start, token.end, ",".into()));
    }
    let end = tokens[last.1 - 1].end;
    edits.push((end, end, ")".into()));
}

/// Whether the `+` or `-` at `units[at]` is binary: it follows an operand
/// (and is not the sign of an exponent, as in `1e-5`).
fn is_binary_sign(tokens: &[Token<'_>], units: &[(usize, usize)], at: usize) -> bool {
    let token = tokens[units[at].0];
    if !matches!(token.text, "-" | "+") {
        return false;
    }
    let previous = tokens[units[at - 1].1 - 1];
    let exponent = previous.kind == Kind::Number
        && previous.end == token.start
        && previous.text.ends_with(['e', 'E'])
        && !previous.text.starts_with("0x");
    !exponent
        && matches!(
            previous.kind,
            Kind::Name | Kind::Str | Kind::Number | Kind::Close
        )
}
