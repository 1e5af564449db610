//! A template's file and folder names rendered as Copier renders them: each
//! part in turn, a part that renders empty drops the file, a part equal to
//! the answers file's path is that path, and a part with Copier's
//! `{% yield NAME from EXPR %}...{% endyield %}` becomes one path per item,
//! with `NAME` bound for the parts below it and for the file's contents.

use minijinja::Value;
use minijinja::value::merge_maps;

use super::{Environment, TemplateError, rewrite};

/// A rendered path and the context its file renders with.
pub type RenderedPath = (String, Value);

impl Environment {
    /// Renders `path` (`/`-separated, named `display` in errors) with
    /// `context`; no paths when a part renders empty.
    pub fn render_path(
        &self,
        display: &str,
        path: &str,
        context: &Value,
        answers_file: &str,
    ) -> Result<Vec<RenderedPath>, TemplateError> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut out = Vec::new();
        self.render_parts(display, &parts, &[], context, answers_file, &mut out)?;
        Ok(out)
    }

    fn render_parts(
        &self,
        display: &str,
        parts: &[&str],
        rendered: &[String],
        context: &Value,
        answers_file: &str,
        out: &mut Vec<RenderedPath>,
    ) -> Result<(), TemplateError> {
        let Some((part, rest)) = parts.split_first() else {
            out.push((rendered.join("/"), context.clone()));
            return Ok(());
        };
        let contexts = match rewrite::find_yield(part, &self.prepare.tags) {
            Some(found) => self
                .yield_items(display, &found, context)?
                .into_iter()
                .map(|item| {
                    merge_maps([
                        Value::from_pairs([(found.name.as_str(), item)]),
                        context.clone(),
                    ])
                })
                .collect(),
            None => vec![context.clone()],
        };
        for context in contexts {
            let part = self.render(display, part, &context)?;
            if part.is_empty() {
                continue;
            }
            if part == answers_file {
                out.push((part, context));
                continue;
            }
            let mut rendered = rendered.to_vec();
            rendered.push(part);
            self.render_parts(display, rest, &rendered, &context, answers_file, out)?;
        }
        Ok(())
    }

    /// The items `{% yield NAME from EXPR %}` loops over.
    fn yield_items(
        &self,
        display: &str,
        found: &rewrite::Yield,
        context: &Value,
    ) -> Result<Vec<Value>, TemplateError> {
        let (start, end) = &self.prepare.tags[1];
        let source = format!("{start} set __scaffold_yield__ = {} {end}", found.iterable);
        let template = self
            .env
            .template_from_named_str(display, &source)
            .map_err(|err| TemplateError::from_minijinja(display, &err))?;
        let captured = template
            .render_captured(context)
            .map_err(|err| self.explain(display, &err))?;
        let items = captured
            .state()
            .lookup("__scaffold_yield__")
            .filter(|value| !value.is_undefined() && !value.is_none());
        match items {
            None => Ok(Vec::new()),
            Some(items) => items
                .try_iter()
                .map(Iterator::collect)
                .map_err(|err| TemplateError::from_minijinja(display, &err)),
        }
    }
}
