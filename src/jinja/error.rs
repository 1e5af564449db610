//! The one error a template can cause: where it is and what went wrong.

/// A template failed to parse or render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|line| format!(":{line}")).unwrap_or_default())]
pub struct TemplateError {
    /// The template's name: a file's path, or the setting it came from.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl TemplateError {
    pub fn new(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            message: message.into(),
        }
    }

    pub(crate) fn from_minijinja(file: &str, err: &minijinja::Error) -> Self {
        let mut message = err.kind().to_string();
        if let Some(detail) = err.detail() {
            message = format!("{message}: {detail}");
        }
        Self {
            file: file.to_owned(),
            line: err.line(),
            message,
        }
    }
}
