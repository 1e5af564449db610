//! Copier's template loader: names in `{% include %}`, `{% import %}`,
//! `{% from %}` and `{% extends %}` are paths from the template's root folder
//! (the folder of copier.yml, not `_subdirectory`), read through the source
//! so builtin, folder and git templates load alike. Nothing outside the
//! template's root can be loaded.

use minijinja::{Error, ErrorKind};

use crate::source::SourceReader;

pub(super) fn install(
    env: &mut minijinja::Environment<'static>,
    files: SourceReader,
    prepare: super::Prepare,
) {
    env.set_loader(move |name| {
        let Some(text) = load(&files, name)? else {
            return Ok(None);
        };
        let text = prepare
            .source(name, &text)
            .map_err(|err| Error::new(ErrorKind::InvalidOperation, err.message))?;
        Ok(Some(text.into_owned()))
    });
}

/// `{% include NAME without context %}`: the first of NAME (a name or a
/// list) that exists, rendered with no variables but the globals.
pub(super) fn include_without_context(
    state: &minijinja::State<'_, '_>,
    names: &minijinja::Value,
    ignore_missing: bool,
) -> Result<minijinja::Value, Error> {
    let candidates: Vec<minijinja::Value> = match names.as_str() {
        Some(_) => vec![names.clone()],
        None => names.try_iter()?.collect(),
    };
    for candidate in &candidates {
        let name = candidate.to_string();
        match state.env().get_template(&name) {
            Ok(template) => return Ok(minijinja::Value::from_safe_string(template.render(())?)),
            Err(err) if err.kind() == ErrorKind::TemplateNotFound => {}
            Err(err) => return Err(err),
        }
    }
    if ignore_missing {
        return Ok(minijinja::Value::from(""));
    }
    Err(Error::new(
        ErrorKind::TemplateNotFound,
        format!("none of {names} was found"),
    ))
}

fn load(files: &SourceReader, name: &str) -> Result<Option<String>, Error> {
    let Some(relative) = relative_path(name) else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("template `{name}` is outside the template's folder; name a file inside it"),
        ));
    };
    let path = match files.template_dir() {
        "" => relative,
        dir => format!("{dir}/{relative}"),
    };
    let bytes = files
        .read(&path)
        .map_err(|err| Error::new(ErrorKind::InvalidOperation, err.to_string()))?;
    bytes
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("template `{name}` is not UTF-8 text"),
                )
            })
        })
        .transpose()
}

/// Jinja's reading of a template name: `/`-separated, `.` and empty parts
/// dropped; `None` for names that could leave the root (`..`, absolute,
/// backslashes, drive letters).
fn relative_path(name: &str) -> Option<String> {
    if name.starts_with('/') || name.contains('\\') || name.contains(':') {
        return None;
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::relative_path;

    #[test]
    fn names_are_read_as_jinja_reads_them() {
        assert_eq!(relative_path("a/./b//c.j2").as_deref(), Some("a/b/c.j2"));
        assert_eq!(relative_path("../secret"), None);
        assert_eq!(relative_path("a/../../b"), None);
        assert_eq!(relative_path("/etc/passwd"), None);
        assert_eq!(relative_path("C:/x"), None);
        assert_eq!(relative_path(""), None);
    }
}
