//! Two Python behaviours minijinja's grammar has no hook for, reached by
//! rewriting a template's expressions before they are parsed:
//!
//! * `'fmt' % args` (a string literal on the left) becomes
//!   `'fmt'.__mod__(args)`, which [`super::percent`] formats as Python does;
//! * when a template calls a method that changes a list or dict in place
//!   (`{% do xs.append(x) %}`, `d.update(...)`), its list and dict literals
//!   become [`super::mutable`] objects that such methods can change.
//!
//! * jinja2-time's `{% now 'utc', '%Y' %}` tag (`'local' + 'days=1'` for
//!   an offset) becomes a call of [`super::clock`]'s `__scaffold_now__`.
//!
//! * `{% include NAME without context %}` becomes a call that renders the
//!   included template with no variables (minijinja always passes them).
//!
//! * `a ~ b` and (where datetimes are made) `a - b` become calls of
//!   [`super::operators`]' functions.
//!
//! Only the insides of `{{ }}` and `{% %}` (or the template's own
//! delimiters) are touched; text, strings and comments stay as they are.

use super::operators;
use super::tokens::tokenize;
pub(super) use super::tokens::{Kind, Token, close_of};

/// Methods that change a list or dict in place.
const MUTATING: &[&str] = &[
    ".append(",
    ".extend(",
    ".insert(",
    ".pop(",
    ".remove(",
    ".clear(",
    ".sort(",
    ".reverse(",
    ".update(",
    ".setdefault(",
    ".popitem(",
];

/// The function that makes a literal changeable.
pub(super) const MUTABLE: &str = "__scaffold_mutable__";

/// Replace `source[start..end]` with the text (an insertion when empty).
pub(super) type Edit = (usize, usize, String);

/// The rewritten source, or `None` when nothing needs rewriting.
pub(super) fn rewrite(source: &str, tags: &[(String, String)]) -> Option<String> {
    let percent = has_string_percent(source);
    let mutate = MUTATING.iter().any(|method| source.contains(method));
    let now = source.contains("now") || source.contains("without context");
    let concat = source.contains('~');
    let sub = source.contains("to_datetime") || source.contains("now(");
    if !percent && !mutate && !now && !concat && !sub {
        return None;
    }
    let mut edits: Vec<Edit> = Vec::new();
    let mut offset = 0;
    while let Some((inside, end)) = next_tag(&source[offset..], tags) {
        let start = offset + inside;
        if let Some(after) = raw_end(source, start, tags) {
            offset = after;
            continue;
        }
        let tokens = tokenize(source, start, end);
        if now && end == tags[1].1 {
            if let Some(edit) = now_tag(source, start, end, &tokens, tags)
                .or_else(|| include_without_context(source, start, end, &tokens, tags))
            {
                edits.push(edit);
                offset = edits
                    .last()
                    .map_or(source.len(), |edit| edit.1)
                    .min(source.len());
                continue;
            }
        }
        let before = edits.len();
        if percent {
            percent_edits(&tokens, &mut edits);
        }
        if mutate {
            literal_edits(&tokens, &mut edits);
        }
        if concat || sub {
            let ours = operators::edits(&tokens, start, end == tags[1].1, sub);
            if !operators::overlaps(&edits[before..], &ours) {
                edits.extend(ours);
            }
        }
        offset = tokens.last().map_or(start, |token| token.end).max(start);
        offset = source[offset..]
            .find(end)
            .map_or(source.len(), |at| offset + at + end.len());
    }
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|edit| edit.0);
    let mut out = String::with_capacity(source.len() + edits.len() * 24);
    let mut copied = 0;
    for (start, end, text) in edits {
        if start < copied {
            continue;
        }
        out.push_str(&source[copied..start]);
        out.push_str(&text);
        copied = end;
    }
    out.push_str(&source[copied..]);
    Some(out)
}

/// Jinja2's line comments: in text (not inside tags), the prefix, the
/// spaces before it and the rest of its line go; the newline stays (minijinja
/// would drop it too).
pub(super) fn strip_line_comments(source: &str, prefix: &str, tags: &[(String, String)]) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    loop {
        let tag = next_tag(rest, tags);
        let text_end = tag.map_or(rest.len(), |(inside, end)| {
            let start_len = tags
                .iter()
                .find(|(_, e)| e == end)
                .map_or(0, |(s, _)| s.len());
            inside - start_len
        });
        out.push_str(&strip_in_text(&rest[..text_end], prefix));
        let Some((inside, end)) = tag else {
            break;
        };
        if let Some(after) = raw_end(rest, inside, tags) {
            out.push_str(&rest[text_end..after]);
            rest = &rest[after..];
            continue;
        }
        let close = rest[inside..]
            .find(end)
            .map_or(rest.len(), |at| inside + at + end.len());
        out.push_str(&rest[text_end..close]);
        rest = &rest[close..];
    }
    out
}

/// When the block tag whose inside starts at `inside` is `{% raw %}`,
/// the position just past its `{% endraw %}` (or the end of `text`): what
/// lies between is text, never rewritten.
pub(super) fn raw_end(text: &str, inside: usize, tags: &[(String, String)]) -> Option<usize> {
    let (block_start, block_end) = &tags[1];
    let word = |at: usize| {
        text[at..]
            .trim_start_matches(['-', '+'])
            .trim_start()
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    if !text[..inside].ends_with(block_start.as_str()) || word(inside) != "raw" {
        return None;
    }
    let mut offset = inside;
    while let Some(at) = text[offset..].find(block_start.as_str()) {
        let tag = offset + at + block_start.len();
        if word(tag) == "endraw" {
            return Some(
                text[tag..]
                    .find(block_end.as_str())
                    .map_or(text.len(), |end| tag + end + block_end.len()),
            );
        }
        offset = tag;
    }
    Some(text.len())
}

fn strip_in_text(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].trim_end_matches([' ', '\t']);
        out.push_str(before);
        let after = &rest[at..];
        let line_end = after.find('\n').unwrap_or(after.len());
        rest = &after[line_end..];
    }
    out.push_str(rest);
    out
}

/// Whether a quote is followed (after spaces) by a `%` operator: a cheap
/// test that spares the tokenizer most templates.
fn has_string_percent(source: &str) -> bool {
    let bytes = source.as_bytes();
    bytes.iter().enumerate().any(|(at, byte)| {
        if *byte != b'\'' && *byte != b'"' {
            return false;
        }
        let rest = &bytes[at + 1..];
        let spaces = rest.iter().take_while(|b| **b == b' ').count();
        rest.get(spaces) == Some(&b'%') && rest.get(spaces + 1) != Some(&b'}')
    })
}

fn next_tag<'a>(text: &str, tags: &'a [(String, String)]) -> Option<(usize, &'a str)> {
    tags.iter()
        .filter_map(|(start, end)| {
            text.find(start.as_str())
                .map(|at| (at + start.len(), end.as_str()))
        })
        .min_by_key(|(at, _)| *at)
}

/// The end (token index) of the operand starting at `index`: a unary
/// operand with its postfix (`.name`, `[...]`, `(...)`), filters and `**`.
fn operand_end(tokens: &[Token<'_>], mut index: usize) -> Option<usize> {
    while tokens
        .get(index)
        .is_some_and(|t| matches!(t.text, "-" | "+"))
    {
        index += 1;
    }
    let first = tokens.get(index)?;
    index = match first.kind {
        Kind::Name | Kind::Str | Kind::Number => index + 1,
        Kind::Open => close_of(tokens, index),
        _ => return None,
    };
    loop {
        match tokens.get(index) {
            Some(t)
                if t.text == "." && tokens.get(index + 1).is_some_and(|n| n.kind == Kind::Name) =>
            {
                index += 2;
            }
            Some(t) if t.text == "[" || t.text == "(" => index = close_of(tokens, index),
            Some(t)
                if t.text == "|" && tokens.get(index + 1).is_some_and(|n| n.kind == Kind::Name) =>
            {
                index += 2;
                if tokens.get(index).is_some_and(|t| t.text == "(") {
                    index = close_of(tokens, index);
                }
            }
            Some(t) if t.text == "**" => return operand_end(tokens, index + 1),
            _ => return Some(index),
        }
    }
}

fn percent_edits(tokens: &[Token<'_>], edits: &mut Vec<Edit>) {
    for (index, token) in tokens.iter().enumerate() {
        let is_operator = token.text == "%" && index > 0 && tokens[index - 1].kind == Kind::Str;
        if !is_operator {
            continue;
        }
        if let Some(end) = operand_end(tokens, index + 1).filter(|end| *end > index + 1) {
            edits.push((token.start, token.end, ".__mod__(".into()));
            let close = tokens[end - 1].end;
            edits.push((close, close, ")".into()));
        }
    }
}

fn literal_edits(tokens: &[Token<'_>], edits: &mut Vec<Edit>) {
    for (index, token) in tokens.iter().enumerate() {
        if token.text != "[" && token.text != "{" {
            continue;
        }
        let starts_literal = match index.checked_sub(1).map(|i| tokens[i]) {
            None => true,
            Some(previous) => match previous.kind {
                Kind::Operator => previous.text != ".",
                Kind::Open => true,
                Kind::Name => matches!(
                    previous.text,
                    "in" | "and" | "or" | "not" | "if" | "else" | "is" | "set" | "do" | "return"
                ),
                _ => false,
            },
        };
        if starts_literal {
            let end = close_of(tokens, index);
            edits.push((token.start, token.start, format!("{MUTABLE}(")));
            let close = tokens[end - 1].end;
            edits.push((close, close, ")".into()));
        }
    }
}

/// The whitespace-control markers of a tag: after its start, before its end.
fn trim_markers(source: &str, inside: usize, close: usize) -> (&str, &str) {
    let open = match source[inside..].chars().next() {
        Some('-' | '+') => &source[inside..=inside],
        _ => "",
    };
    let close_marker = match source[inside..close].trim_end().chars().last() {
        Some(marker @ ('-' | '+')) if source[..close].ends_with(marker) => {
            &source[close - 1..close]
        }
        _ => "",
    };
    (open, close_marker)
}

/// `{% include NAME [ignore missing] without context %}` as
/// `{{ __scaffold_include__(NAME, IGNORE_MISSING) }}`.
fn include_without_context(
    source: &str,
    inside: usize,
    end: &str,
    tokens: &[Token<'_>],
    tags: &[(String, String)],
) -> Option<Edit> {
    let words: Vec<&Token<'_>> = tokens
        .iter()
        .filter(|t| !matches!(t.text, "-" | "+") || t.kind != Kind::Operator || (t.start != inside))
        .collect();
    let first = words.iter().position(|t| t.text == "include")?;
    let count = words.len();
    if count < first + 3 || words[count - 2].text != "without" || words[count - 1].text != "context"
    {
        return None;
    }
    let mut name_end = count - 2;
    let ignore = name_end >= first + 3
        && words[name_end - 2].text == "ignore"
        && words[name_end - 1].text == "missing";
    if ignore {
        name_end -= 2;
    }
    let name = &source[words[first + 1].start..words[name_end - 1].end];
    let close = inside + source[inside..].find(end)?;
    let (open_trim, close_trim) = trim_markers(source, inside, close);
    let (block_start, _) = &tags[1];
    let (variable_start, variable_end) = &tags[0];
    Some((
        inside - block_start.len(),
        close + end.len(),
        format!(
            "{variable_start}{open_trim} __scaffold_include__({name}, {}) {close_trim}{variable_end}",
            if ignore { "true" } else { "false" }
        ),
    ))
}

/// `{% now TZ [+|- 'OFFSETS'] [, FORMAT] %}` as `{{ __scaffold_now__(TZ, FORMAT, OP, OFFSETS) }}`.
fn now_tag(
    source: &str,
    inside: usize,
    end: &str,
    tokens: &[Token<'_>],
    tags: &[(String, String)],
) -> Option<Edit> {
    let (block_start, _) = &tags[1];
    let (variable_start, variable_end) = &tags[0];
    let mut body = tokens;
    let mut open_trim = "";
    if let Some(first) = body
        .first()
        .filter(|t| t.start == inside && matches!(t.text, "-" | "+"))
    {
        open_trim = first.text;
        body = &body[1..];
    }
    if body.first().is_none_or(|t| t.text != "now") {
        return None;
    }
    body = &body[1..];
    let close = inside + source[inside..].find(end)?;
    let close_trim = match source[inside..close].trim_end().chars().last() {
        Some(marker @ ('-' | '+')) if source[..close].ends_with(marker) => {
            &source[close - 1..close]
        }
        _ => "",
    };
    let text = |tokens: &[Token<'_>]| match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => source[first.start..last.end].to_owned(),
        _ => "none".to_owned(),
    };
    let mut depth = 0i32;
    let mut comma = None;
    let mut operator = None;
    for (index, token) in body.iter().enumerate() {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth -= 1,
            Kind::Operator if depth == 0 && token.text == "," && comma.is_none() => {
                comma = Some(index);
            }
            Kind::Operator
                if depth == 0
                    && comma.is_none()
                    && index > 0
                    && matches!(token.text, "+" | "-") =>
            {
                operator = Some(index);
            }
            _ => {}
        }
    }
    let (zone, format) = match comma {
        Some(at) => (&body[..at], text(&body[at + 1..])),
        None => (body, "none".to_owned()),
    };
    let call = match operator {
        Some(at) => format!(
            "__scaffold_now__({}, {format}, '{}', {})",
            text(&zone[..at]),
            zone[at].text,
            text(&zone[at + 1..])
        ),
        None => format!("__scaffold_now__({}, {format})", text(zone)),
    };
    let start = inside - block_start.len();
    Some((
        start,
        close + end.len(),
        format!("{variable_start}{open_trim} {call} {close_trim}{variable_end}"),
    ))
}
