//! Keeps credentials out of the logs: tokens can arrive in a query string
//! (`?token=`), so every log line goes through [`RedactingWriter`].

use std::borrow::Cow;
use std::io;

/// Replaces the value of every `token=` (query parameters, `access_token=`
/// too) in `text` with `[redacted]`.
pub fn redact_tokens(text: &str) -> Cow<'_, str> {
    const KEY: &str = "token=";
    if !text.contains(KEY) {
        return Cow::Borrowed(text);
    }
    let mut redacted = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(KEY) {
        let value_start = start + KEY.len();
        redacted.push_str(&rest[..value_start]);
        redacted.push_str("[redacted]");
        let value_end = rest[value_start..]
            .find(|c: char| c == '&' || c == '#' || c == '"' || c == '\'' || c.is_whitespace())
            .map_or(rest.len(), |end| value_start + end);
        rest = &rest[value_end..];
    }
    redacted.push_str(rest);
    Cow::Owned(redacted)
}

/// A log writer that redacts `token=` values from every line before they
/// reach `inner`: install it as the `tracing_subscriber::fmt` writer so no
/// log line, from this crate or a dependency, carries a token.
#[derive(Debug, Clone, Copy)]
pub struct RedactingWriter<M>(pub M);

impl<'a, M: tracing_subscriber::fmt::MakeWriter<'a>> tracing_subscriber::fmt::MakeWriter<'a>
    for RedactingWriter<M>
{
    type Writer = Redacting<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        Redacting(self.0.make_writer())
    }
}

/// One line's writer of [`RedactingWriter`].
#[derive(Debug)]
pub struct Redacting<W>(W);

impl<W: io::Write> io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The formatter hands over whole lines, so a token is never split.
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(redact_tokens(text).as_bytes())?,
            Err(_) => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_are_redacted_wherever_they_appear() {
        assert_eq!(
            redact_tokens("GET /ws?room=a&token=s3cr%2Ft&x=1 HTTP/1.1"),
            "GET /ws?room=a&token=[redacted]&x=1 HTTP/1.1"
        );
        assert_eq!(
            redact_tokens("uri=/ws?access_token=abc"),
            "uri=/ws?access_token=[redacted]"
        );
        assert_eq!(redact_tokens("nothing here"), "nothing here");
    }
}
