//! The tokens of one Jinja tag's expression, as far as the rewrites in
//! [`super::rewrite`] need them: names, strings, numbers, brackets, operators.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Name,
    Str,
    Number,
    Open,
    Close,
    Operator,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The tokens of one tag, from `start` up to `end` at bracket depth 0.
pub(super) fn tokenize<'a>(source: &'a str, start: usize, end: &str) -> Vec<Token<'a>> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut at = start;
    while at < source.len() {
        let rest = &source[at..];
        let c = rest.chars().next().unwrap_or(' ');
        if depth == 0
            && (rest.starts_with(end)
                || rest.starts_with(&format!("-{end}"))
                || rest.starts_with(&format!("+{end}")))
        {
            break;
        }
        let (kind, length) = if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        } else if c == '\'' || c == '"' {
            let mut length = 1;
            let mut escaped = false;
            for d in rest[1..].chars() {
                length += d.len_utf8();
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    break;
                }
            }
            (Kind::Str, length)
        } else if c.is_ascii_digit() {
            (Kind::Number, number_length(rest))
        } else if c.is_alphabetic() || c == '_' {
            let length = rest
                .find(|d: char| !(d.is_alphanumeric() || d == '_'))
                .unwrap_or(rest.len());
            (Kind::Name, length)
        } else if "([{".contains(c) {
            depth += 1;
            (Kind::Open, 1)
        } else if ")]}".contains(c) {
            depth = depth.saturating_sub(1);
            (Kind::Close, 1)
        } else {
            let two = bytes.get(at..at + 2).unwrap_or_default();
            let length = if matches!(two, b"**" | b"//" | b"==" | b"!=" | b"<=" | b">=") {
                2
            } else {
                c.len_utf8()
            };
            (Kind::Operator, length)
        };
        tokens.push(Token {
            kind,
            text: &source[at..at + length],
            start: at,
            end: at + length,
        });
        at += length;
    }
    tokens
}

/// The length of the number literal `text` starts with, an exponent's sign
/// included (`1e-10`, `2.5E+3`).
fn number_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let hex = bytes.len() > 1 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'X');
    let mut length = 0;
    while let Some(&b) = bytes.get(length) {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' {
            length += 1;
        } else if matches!(b, b'+' | b'-')
            && !hex
            && matches!(bytes[length - 1], b'e' | b'E')
            && bytes.get(length + 1).is_some_and(u8::is_ascii_digit)
        {
            length += 2;
        } else {
            break;
        }
    }
    length
}

/// The index just past the bracket group opened at `open`.
pub(super) fn close_of(tokens: &[Token<'_>], open: usize) -> usize {
    let mut depth = 0;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return index + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}
