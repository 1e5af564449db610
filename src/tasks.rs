//! A template's commands: `_tasks` (after rendering) and `_migrations`
//! (around an update). They run on the user's machine, so a template that
//! has them, or loads `_jinja_extensions`, needs `--trust`; without it the
//! command is refused before anything is written, naming what would run.

use crate::Error;
use crate::spec::Spec;

/// Refuses a template with tasks or Jinja extensions unless trusted, and
/// returns the warnings to show (tasks not run by this version).
pub fn check_trust(spec: &Spec, trust: bool, skip_tasks: bool) -> Result<Vec<String>, Error> {
    let mut wants = Vec::new();
    if spec.has_tasks && !skip_tasks {
        wants.push("`_tasks` (commands run after rendering)".to_owned());
    }
    if !spec.jinja_extensions.is_empty() {
        wants.push(format!(
            "`_jinja_extensions` ({})",
            spec.jinja_extensions.join(", ")
        ));
    }
    if wants.is_empty() {
        return Ok(Vec::new());
    }
    if !trust {
        return Err(Error::Usage(format!(
            "the template has {}, which run on your machine: pass --trust to accept the template{}; nothing was written",
            wants.join(" and "),
            if spec.has_tasks && !skip_tasks {
                " (or -T/--skip-tasks to leave its tasks out)"
            } else {
                ""
            }
        )));
    }
    Ok(if spec.has_tasks && !skip_tasks {
        vec![
            "the template's `_tasks` were not run: this version of scaffold does not run tasks"
                .into(),
        ]
    } else {
        Vec::new()
    })
}
