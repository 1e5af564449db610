//! Rendering a template path part by part, as Copier does: a part that
//! renders empty drops the entry, a part that renders to the answers file's
//! path is that path, and a part holding Copier's
//! `{% yield NAME from ITERABLE %}...{% endyield %}` makes one path per item,
//! with NAME set for the rest of the path and for the file's contents.

use minijinja::Value;
use regex::Regex;

use super::{RenderError, Renderer};
use crate::answers::Answers;
use crate::jinja::EnvOps;
use crate::tree::safe_relpath;

/// Names laid over the answers while rendering one path (from `yield`).
pub(super) type Extra = Vec<(String, Value)>;

pub(super) struct Paths<'a> {
    pub renderer: &'a Renderer,
    pub answers: &'a Answers,
    pub answers_file: &'a str,
    /// Compiled on the first path part that mentions `yield`: most
    /// templates have none, and compiling costs more than a small render.
    yield_tag: std::cell::OnceCell<Regex>,
    envops: &'a EnvOps,
}

impl<'a> Paths<'a> {
    pub fn new(
        renderer: &'a Renderer,
        answers: &'a Answers,
        answers_file: &'a str,
        envops: &'a EnvOps,
    ) -> Self {
        Self {
            renderer,
            answers,
            answers_file,
            yield_tag: std::cell::OnceCell::new(),
            envops,
        }
    }

    fn yield_tag(&self) -> &Regex {
        self.yield_tag.get_or_init(|| {
            let (open, close) = (
                regex::escape(&self.envops.block_start),
                regex::escape(&self.envops.block_end),
            );
            Regex::new(&format!(
                r"(?s){open}[-+]?\s*yield\s+([A-Za-z_][A-Za-z0-9_]*)\s+from\s+(.+?)\s*[-+]?{close}(.*?){open}[-+]?\s*endyield\s*[-+]?{close}"
            ))
            .expect("the yield pattern is valid")
        })
    }

    /// The context with `extra` laid over the answers.
    pub fn context(&self, extra: &Extra) -> Value {
        self.answers.context_with(extra.clone())
    }

    /// Every path `path` renders to, each with the names its `yield` set.
    pub fn render(&self, display: &str, path: &str) -> Result<Vec<(String, Extra)>, RenderError> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut found = Vec::new();
        self.parts(display, &parts, Vec::new(), &Vec::new(), &mut found)?;
        Ok(found)
    }

    fn parts(
        &self,
        display: &str,
        parts: &[&str],
        done: Vec<String>,
        extra: &Extra,
        found: &mut Vec<(String, Extra)>,
    ) -> Result<(), RenderError> {
        let Some((part, rest)) = parts.split_first() else {
            let joined = done.join("/");
            let path = safe_relpath(&joined).map_err(|source| RenderError::UnsafePath {
                file: display.to_owned(),
                source,
            })?;
            found.push((path, extra.clone()));
            return Ok(());
        };
        let mut tags = part
            .contains("yield")
            .then(|| self.yield_tag().captures_iter(part))
            .into_iter()
            .flatten();
        let Some(tag) = tags.next() else {
            let rendered = self.renderer.render(display, part, &self.context(extra))?;
            return self.next(display, rendered, rest, done, extra, found);
        };
        if tags.next().is_some() {
            return Err(RenderError::Yield {
                file: display.to_owned(),
                message: "only one `yield` is allowed in a path part".into(),
            });
        }
        let whole = tag.get(0).map_or(0..0, |whole| whole.range());
        let body = format!("{}{}{}", &part[..whole.start], &tag[3], &part[whole.end..]);
        for item in self.items(display, &tag[2], extra)? {
            let mut extra = extra.clone();
            extra.push((tag[1].to_owned(), item));
            let rendered = self
                .renderer
                .render(display, &body, &self.context(&extra))?;
            self.next(display, rendered, rest, done.clone(), &extra, found)?;
        }
        Ok(())
    }

    fn next(
        &self,
        display: &str,
        rendered: String,
        rest: &[&str],
        mut done: Vec<String>,
        extra: &Extra,
        found: &mut Vec<(String, Extra)>,
    ) -> Result<(), RenderError> {
        if rendered.is_empty() {
            return Ok(());
        }
        if rendered == self.answers_file {
            found.push((rendered, extra.clone()));
            return Ok(());
        }
        done.push(rendered);
        self.parts(display, rest, done, extra, found)
    }

    /// The items of a `yield`'s iterable, evaluated in the template's context.
    fn items(
        &self,
        display: &str,
        expression: &str,
        extra: &Extra,
    ) -> Result<Vec<Value>, RenderError> {
        let (open, close) = (&self.envops.block_start, &self.envops.block_end);
        let (vopen, vclose) = (&self.envops.variable_start, &self.envops.variable_end);
        let lister = format!(
            "{open} for __scaffold_item in ({expression}) {close}{vopen} __scaffold_item | tojson {vclose}\n{open} endfor {close}"
        );
        let listed = self
            .renderer
            .render(display, &lister, &self.context(extra))?;
        listed
            .lines()
            .filter(|line| !line.is_empty())
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line)
                    .map(crate::answers::to_jinja)
                    .map_err(|err| RenderError::Yield {
                        file: display.to_owned(),
                        message: format!(
                            "an item of `{expression}` cannot be used in a path: {err}"
                        ),
                    })
            })
            .collect()
    }
}
