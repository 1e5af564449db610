//! Path filters (`basename`, `dirname`, `splitext`, their Windows forms,
//! `relpath`, and Copier's `pathjoin` global, computed from the text alone
//! as Python's `posixpath` and `ntpath` do. `realpath`, `expanduser`,
//! `expandvars` and a `relpath` whose answer depends on the working folder
//! would read the rendering machine's folders or environment, so they are
//! refused.

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value};

use super::filters::invalid;

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("basename", |path: &str| posix_split(path).1.to_owned());
    env.add_filter("dirname", |path: &str| posix_split(path).0);
    env.add_filter("splitext", |path: &str| pair(splitext(path, &['/'])));
    env.add_filter("win_basename", |path: &str| nt_split(path).1);
    env.add_filter("win_dirname", |path: &str| nt_split(path).0);
    env.add_filter("win_splitdrive", |path: &str| {
        let (drive, rest) = splitdrive(path);
        pair((drive.to_owned(), rest.to_owned()))
    });
    env.add_filter("relpath", relpath);
    for name in ["realpath", "expanduser", "expandvars"] {
        env.add_filter(name, move |_path: &Value| -> Result<Value, Error> {
            Err(invalid(format!(
                "the `{name}` filter would read the rendering machine's folders or environment; scaffold does not let a template read outside itself"
            )))
        });
    }
    env.add_function("pathjoin", pathjoin);
}

fn pair((a, b): (String, String)) -> Value {
    super::filters::tuple(vec![Value::from(a), Value::from(b)])
}

/// `posixpath.split`: the head keeps its slashes only when it is all slashes.
fn posix_split(path: &str) -> (String, &str) {
    let cut = path.rfind('/').map_or(0, |at| at + 1);
    let (head, tail) = path.split_at(cut);
    let trimmed = head.trim_end_matches('/');
    let head = if trimmed.is_empty() { head } else { trimmed };
    (head.to_owned(), tail)
}

/// `ntpath.splitdrive`: `C:`, a UNC `\\server\share` (`\\?\UNC\server\share`)
/// or a device `\\.\device`, `/` read as `\`.
fn splitdrive(path: &str) -> (&str, &str) {
    let normal = path.replace('/', "\\");
    if normal.starts_with("\\\\") {
        let unc = normal
            .get(..8)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("\\\\?\\UNC\\"));
        let from = if unc { 8 } else { 2 };
        let Some(server_end) = normal[from..].find('\\').map(|at| from + at) else {
            return (path, "");
        };
        let Some(share_end) = normal[server_end + 1..]
            .find('\\')
            .map(|at| server_end + 1 + at)
        else {
            return (path, "");
        };
        return path.split_at(share_end);
    }
    if normal.get(1..2) == Some(":") {
        return path.split_at(2);
    }
    ("", path)
}

fn nt_split(path: &str) -> (String, String) {
    let (drive, rest) = splitdrive(path);
    let cut = rest.rfind(['\\', '/']).map_or(0, |at| at + 1);
    let (head, tail) = rest.split_at(cut);
    let trimmed = head.trim_end_matches(['\\', '/']);
    let head = if trimmed.is_empty() { head } else { trimmed };
    (format!("{drive}{head}"), tail.to_owned())
}

/// `os.path.splitext`: leading dots of the last component are not an extension.
fn splitext(path: &str, separators: &[char]) -> (String, String) {
    let name_start = path.rfind(separators).map_or(0, |at| at + 1);
    let name = &path[name_start..];
    let leading = name.len() - name.trim_start_matches('.').len();
    match name.rfind('.') {
        Some(dot) if dot >= leading && dot > 0 => {
            let at = name_start + dot;
            (path[..at].to_owned(), path[at..].to_owned())
        }
        _ => (path.to_owned(), String::new()),
    }
}

/// A path as `posixpath.normpath` leaves it: absolute or not, how many
/// `..` climb above where a relative path starts, and the parts below.
fn normal_parts(path: &str) -> (bool, usize, Vec<&str>) {
    let absolute = path.starts_with('/');
    let mut climb = 0;
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() && !absolute {
                    climb += 1;
                }
            }
            other => parts.push(other),
        }
    }
    (absolute, climb, parts)
}

/// Ansible's `relpath`: `os.path.relpath(path, start=".")`. Python reads a
/// relative path against the working folder; where the answer depends on
/// that folder (one side absolute, or the sides climbing above it by a
/// different number of `..`), it would read the rendering machine, so it is
/// refused.
fn relpath(path: &str, start: Option<&str>, kwargs: Kwargs) -> Result<String, Error> {
    let start: Option<&str> = match start {
        Some(start) => Some(start),
        None => kwargs.get("start")?,
    };
    kwargs.assert_all_used()?;
    relative_path(path, start)
}

fn relative_path(path: &str, start: Option<&str>) -> Result<String, Error> {
    if path.is_empty() {
        return Err(invalid("relpath: no path specified"));
    }
    let (path_absolute, path_climb, path) = normal_parts(path);
    let (start_absolute, start_climb, start) = normal_parts(start.unwrap_or("."));
    if path_absolute != start_absolute || path_climb != start_climb {
        return Err(invalid(
            "`relpath` of these paths depends on the rendering machine's working folder; give both absolute, or both relative to the same folder",
        ));
    }
    let common = path.iter().zip(&start).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; start.len() - common];
    parts.extend(&path[common..]);
    Ok(if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    })
}

/// Copier's `pathjoin(*parts, mode="posix")`: `str(PurePosixPath(*parts))`
/// (or `PureWindowsPath` for `mode="windows"`).
fn pathjoin(parts: &[Value], kwargs: Kwargs) -> Result<String, Error> {
    let mode: Option<String> = kwargs.get("mode")?;
    kwargs.assert_all_used()?;
    let parts: Vec<String> = parts.iter().map(ToString::to_string).collect();
    match mode.as_deref().unwrap_or("posix") {
        "posix" | "native" => Ok(posix_join(&parts)),
        "windows" => Ok(windows_join(&parts)),
        other => Err(invalid(format!(
            "pathjoin: mode must be posix, windows or native, not {other}"
        ))),
    }
}

fn posix_join(parts: &[String]) -> String {
    let mut absolute = false;
    let mut segments: Vec<&str> = Vec::new();
    for part in parts {
        if part.starts_with('/') {
            absolute = true;
            segments.clear();
        }
        segments.extend(
            part.split('/')
                .filter(|segment| !segment.is_empty() && *segment != "."),
        );
    }
    let joined = segments.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn windows_join(parts: &[String]) -> String {
    let mut drive = String::new();
    let mut rooted = false;
    let mut segments: Vec<String> = Vec::new();
    for part in parts {
        let (part_drive, rest) = splitdrive(part);
        if !part_drive.is_empty() {
            drive = part_drive.replace('/', "\\");
            segments.clear();
            rooted = false;
        }
        if rest.starts_with(['\\', '/']) {
            rooted = true;
            segments.clear();
        }
        segments.extend(
            rest.split(['\\', '/'])
                .filter(|segment| !segment.is_empty() && *segment != ".")
                .map(str::to_owned),
        );
    }
    let root = if rooted { "\\" } else { "" };
    let joined = format!("{drive}{root}{}", segments.join("\\"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_as_python_splits_them() {
        assert_eq!(posix_split("/a/b/c.txt"), ("/a/b".into(), "c.txt"));
        assert_eq!(posix_split("/c"), ("/".into(), "c"));
        assert_eq!(posix_split("c"), (String::new(), "c"));
        assert_eq!(
            splitext("a/b.tar.gz", &['/']),
            ("a/b.tar".into(), ".gz".into())
        );
        assert_eq!(
            splitext(".bashrc", &['/']),
            (".bashrc".into(), String::new())
        );
        assert_eq!(splitext("a.b/c", &['/']), ("a.b/c".into(), String::new()));
        assert_eq!(posix_join(&["a".into(), "/b".into(), "c/".into()]), "/b/c");
        assert_eq!(
            windows_join(&["C:".into(), "x".into(), "y".into()]),
            "C:x\\y"
        );
    }

    #[test]
    fn relpath_refuses_what_depends_on_the_working_folder() {
        assert_eq!(relative_path("../a/b", Some("../c")).unwrap(), "../a/b");
        assert_eq!(relative_path("a", None).unwrap(), "a");
        for (path, start) in [("a", "/x"), ("/a", "x"), ("../a", "b"), ("a", "../b")] {
            let err = relative_path(path, Some(start)).unwrap_err();
            assert!(
                err.to_string().contains("working folder"),
                "{path} {start}: {err}"
            );
        }
    }
}
