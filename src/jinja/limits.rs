//! Bounds on one render: minijinja's fuel (instructions, plus the bytes that
//! strings, lists and output cost), the size of the output, and how deeply an
//! expression may nest, so a hostile template stops within seconds and a few
//! hundred MB instead of hanging, exhausting memory or overflowing the stack.

use std::fmt;
use std::io;
use std::sync::OnceLock;

use minijinja::ErrorKind;

use super::TemplateError;

/// Fuel for one render. One fuel pays for one instruction or 64 bytes of
/// data produced, so this bounds a render to 5 million instructions (well
/// under a second) and 320 MB of data produced over its lifetime. Real
/// templates use a few thousand per file.
pub const DEFAULT_FUEL: u64 = 5_000_000;
/// The largest output of one render: 256 MiB.
pub const DEFAULT_MAX_OUTPUT_BYTES: u64 = 256 * 1024 * 1024;
/// How deeply brackets, operators and filters may nest in one expression;
/// minijinja's parser refuses more than 150 levels of recursion itself, this
/// bound keeps chains (`not not ...`, `a|f|f...`, `a ~ b ~ ...`) from
/// overflowing the stack (a thousand levels fit in 2 MiB, a thread's stack).
pub const MAX_NESTING: usize = 500;

/// The limits of one render; `--max-render-fuel` and `--max-render-bytes`
/// raise them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub fuel: u64,
    pub max_output_bytes: u64,
}

/// The limits `--max-render-fuel` and `--max-render-bytes` set for the process.
static CONFIGURED: OnceLock<Limits> = OnceLock::new();

impl Default for Limits {
    /// The limits configured for this process, else the built-in defaults.
    fn default() -> Self {
        CONFIGURED.get().cloned().unwrap_or_else(Self::builtin)
    }
}

impl Limits {
    /// The built-in defaults: enough for real templates, a few seconds and a
    /// few hundred MB at most for hostile ones.
    pub fn builtin() -> Self {
        Self {
            fuel: DEFAULT_FUEL,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
        }
    }

    /// Sets the process's limits from the command line (`None` keeps a
    /// default); the first call wins.
    pub fn configure(fuel: Option<u64>, max_output_bytes: Option<u64>) {
        let builtin = Self::builtin();
        let _ = CONFIGURED.set(Self {
            fuel: fuel.unwrap_or(builtin.fuel),
            max_output_bytes: max_output_bytes.unwrap_or(builtin.max_output_bytes),
        });
    }
}

/// Collects a render's output and stops it once it passes `max` bytes.
pub(super) struct BoundedWriter {
    buffer: Vec<u8>,
    max: u64,
    overflowed: bool,
}

impl BoundedWriter {
    pub(super) fn new(max: u64) -> Self {
        Self {
            buffer: Vec::new(),
            max,
            overflowed: false,
        }
    }

    pub(super) fn overflowed(&self) -> bool {
        self.overflowed
    }

    pub(super) fn into_string(self) -> String {
        // Only whole `str`s are ever written.
        String::from_utf8(self.buffer)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }
}

impl io::Write for BoundedWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if (self.buffer.len() + bytes.len()) as u64 > self.max {
            self.overflowed = true;
            return Err(io::Error::other("output too large"));
        }
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub(super) fn output_too_large(name: &str, limits: &Limits) -> TemplateError {
    TemplateError::new(
        name,
        format!(
            "the rendered output passed {} bytes; raise --max-render-bytes if the template really writes that much",
            limits.max_output_bytes
        ),
    )
}

/// A render error, with the way out when it was a limit.
pub(super) fn explain(name: &str, err: &minijinja::Error, limits: &Limits) -> TemplateError {
    let mut error = TemplateError::from_minijinja(name, err);
    if err.kind() == ErrorKind::OutOfFuel {
        error.message = format!(
            "the template did more work than the render limit allows ({} fuel); raise --max-render-fuel if it really needs more",
            limits.fuel
        );
    }
    error
}

/// Refuses an expression nested deeper than [`MAX_NESTING`] before it is
/// parsed. `tags` are the (start, end) delimiters of expressions and blocks.
pub(super) fn check_nesting(
    name: &str,
    source: &str,
    tags: &[(String, String)],
) -> Result<(), TemplateError> {
    let depth = nesting(source, tags);
    if depth > MAX_NESTING {
        return Err(TemplateError::new(
            name,
            format!(
                "an expression nests about {depth} operators or brackets deep; the limit is {MAX_NESTING}"
            ),
        ));
    }
    Ok(())
}

/// An upper bound on the depth of the deepest expression inside the tags:
/// each bracket adds a level, and so does each operator of a chain (`a ~ b ~
/// c` nests as `(a ~ b) ~ c`); commas and colons end a chain.
fn nesting(source: &str, tags: &[(String, String)]) -> usize {
    let mut deepest = 0;
    let mut rest = source;
    while let Some((start, end)) = next_tag(rest, tags) {
        if let Some(after) = super::rewrite::raw_end(rest, start, tags) {
            rest = &rest[after..];
            continue;
        }
        let inside = &rest[start..];
        let (expression, after) = match inside.find(end) {
            Some(at) => (&inside[..at], &inside[at + end.len()..]),
            None => (inside, ""),
        };
        deepest = deepest.max(expression_depth(expression));
        rest = after;
    }
    deepest
}

/// Where the next tag's inside starts, and the delimiter that ends it.
fn next_tag<'a>(text: &str, tags: &'a [(String, String)]) -> Option<(usize, &'a str)> {
    tags.iter()
        .filter_map(|(start, end)| {
            text.find(start.as_str())
                .map(|at| (at + start.len(), end.as_str()))
        })
        .min_by_key(|(at, _)| *at)
}

fn expression_depth(expression: &str) -> usize {
    let mut deepest = 0;
    let mut enclosing: Vec<usize> = Vec::new();
    let mut enclosing_total = 0;
    let mut run = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut word = String::new();
    for character in expression.chars() {
        if let Some(open) = quote {
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == open {
                quote = None;
            }
            continue;
        }
        if character.is_alphanumeric() || character == '_' {
            word.push(character);
            continue;
        }
        if matches!(
            word.as_str(),
            "not" | "and" | "or" | "is" | "in" | "if" | "else"
        ) {
            run += 1;
        }
        word.clear();
        match character {
            '\'' | '"' => quote = Some(character),
            '(' | '[' | '{' => {
                enclosing.push(run);
                enclosing_total += run;
                run = 0;
            }
            ')' | ']' | '}' => {
                let outer = enclosing.pop().unwrap_or(0);
                enclosing_total -= outer.min(enclosing_total);
                run = outer + 1;
            }
            ',' | ':' => run = 0,
            '|' | '~' | '+' | '-' | '*' | '/' | '%' | '<' | '>' | '=' | '!' | '.' => run += 1,
            _ => {}
        }
        deepest = deepest.max(enclosing_total + enclosing.len() + run);
    }
    if matches!(
        word.as_str(),
        "not" | "and" | "or" | "is" | "in" | "if" | "else"
    ) {
        run += 1;
    }
    deepest.max(enclosing_total + enclosing.len() + run)
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fuel {}, output {} bytes",
            self.fuel, self.max_output_bytes
        )
    }
}
