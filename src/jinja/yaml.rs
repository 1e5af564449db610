//! YAML as `PyYAML`'s `yaml.dump` writes it (what Ansible's `to_yaml` and
//! `to_nice_yaml` call): sorted keys, flow style for leaf collections unless
//! told otherwise, indentless sequences in mappings, `PyYAML`'s choice of plain,
//! single- or double-quoted scalars (YAML 1.1 resolution), folding at 80
//! columns, and `...` after a plain scalar document.

use minijinja::value::ValueKind;
use minijinja::{Error, Value};

use super::format::python_float;
use super::yaml_scalar::{analyze, escape, is_break, resolves_to_str};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Never,
    /// `default_flow_style=None`: collections of scalars only.
    Leaves,
    Always,
}

pub(super) struct Style {
    pub indent: usize,
    pub flow: Flow,
    pub sort_keys: bool,
    pub width: usize,
}

enum Node {
    /// `plain`: the text reads back as the same type when unquoted.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq {
        items: Vec<Node>,
        flow: bool,
    },
    Map {
        pairs: Vec<(Node, Node)>,
        flow: bool,
    },
}

pub(super) fn dump(value: &Value, style: &Style) -> Result<String, Error> {
    let node = represent(value, style, 0)?;
    let mut emitter = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
        open_ended: false,
        indent: None,
        indents: Vec::new(),
        flow_level: 0,
        style,
    };
    emitter.node(&node, Context::Root);
    emitter.write_indent();
    if emitter.open_ended {
        emitter.out.push_str("...\n");
    }
    Ok(emitter.out)
}

fn scalar(text: impl Into<String>) -> Node {
    Node::Scalar {
        text: text.into(),
        plain: true,
    }
}

fn represent(value: &Value, style: &Style, depth: usize) -> Result<Node, Error> {
    if depth > super::format::MAX_DEPTH {
        return Err(super::format::too_deep());
    }
    Ok(match value.kind() {
        ValueKind::None | ValueKind::Undefined => scalar("null"),
        ValueKind::Bool => scalar(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number if value.is_integer() => scalar(value.to_string()),
        ValueKind::Number => {
            let number = f64::try_from(value.clone()).unwrap_or(f64::NAN);
            scalar(match python_float(number).as_str() {
                "nan" => ".nan".to_owned(),
                "inf" => ".inf".to_owned(),
                "-inf" => "-.inf".to_owned(),
                repr if !repr.contains('.') && repr.contains('e') => repr.replacen('e', ".0e", 1),
                repr => repr.to_owned(),
            })
        }
        ValueKind::Map => {
            let mut keys: Vec<Value> = value.try_iter()?.collect();
            if style.sort_keys {
                keys.sort();
            }
            let mut pairs = Vec::new();
            for key in keys {
                let item = value.get_item(&key)?;
                pairs.push((
                    represent(&key, style, depth + 1)?,
                    represent(&item, style, depth + 1)?,
                ));
            }
            let leaves = pairs
                .iter()
                .all(|(k, v)| matches!((k, v), (Node::Scalar { .. }, Node::Scalar { .. })));
            Node::Map {
                flow: flow(style.flow, leaves),
                pairs,
            }
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items = value
                .try_iter()?
                .map(|item| represent(&item, style, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            let leaves = items.iter().all(|item| matches!(item, Node::Scalar { .. }));
            Node::Seq {
                flow: flow(style.flow, leaves),
                items,
            }
        }
        _ => {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            Node::Scalar {
                plain: resolves_to_str(&text),
                text,
            }
        }
    })
}

fn flow(style: Flow, leaves: bool) -> bool {
    match style {
        Flow::Never => false,
        Flow::Leaves => leaves,
        Flow::Always => true,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    Sequence,
    Mapping,
    Key,
}

#[allow(
    clippy::struct_excessive_bools,
    reason = "the emitter's state is PyYAML's"
)]
struct Emitter<'a> {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
    flow_level: usize,
    style: &'a Style,
}

impl Emitter<'_> {
    fn write(&mut self, text: &str) {
        self.column += text.chars().count();
        self.out.push_str(text);
    }

    fn line_break(&mut self) {
        self.out.push('\n');
        (self.whitespace, self.indention, self.column) = (true, true, 0);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.write(&pad);
        }
    }

    fn indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.write(" ");
        }
        self.write(indicator);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        self.indent = match self.indent {
            None => Some(if flow { self.style.indent } else { 0 }),
            Some(indent) if !indentless => Some(indent + self.style.indent),
            same => same,
        };
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn node(&mut self, node: &Node, context: Context) {
        match node {
            Node::Scalar { text, plain } => {
                self.increase_indent(true, false);
                self.scalar(text, *plain, context);
                self.pop_indent();
            }
            Node::Seq { items, flow } if self.flow_level > 0 || *flow || items.is_empty() => {
                self.flow_collection("[", "]", items.len(), |e, index| {
                    e.node(&items[index], Context::Sequence);
                });
            }
            Node::Map { pairs, flow } if self.flow_level > 0 || *flow || pairs.is_empty() => {
                self.flow_collection("{", "}", pairs.len(), |e, index| {
                    e.node(&pairs[index].0, Context::Key);
                    e.indicator(":", false, false, false);
                    e.node(&pairs[index].1, Context::Mapping);
                });
            }
            Node::Seq { items, .. } => {
                let indentless = context == Context::Mapping && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.indicator("-", true, false, true);
                    self.node(item, Context::Sequence);
                }
                self.pop_indent();
            }
            Node::Map { pairs, .. } => {
                self.increase_indent(false, false);
                for (key, value) in pairs {
                    self.write_indent();
                    self.node(key, Context::Key);
                    self.indicator(":", false, false, false);
                    self.node(value, Context::Mapping);
                }
                self.pop_indent();
            }
        }
    }

    fn flow_collection(
        &mut self,
        open: &str,
        close: &str,
        len: usize,
        mut item: impl FnMut(&mut Self, usize),
    ) {
        self.indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for index in 0..len {
            if index > 0 {
                self.indicator(",", false, false, false);
            }
            if self.column > self.style.width {
                self.write_indent();
            }
            item(self, index);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.indicator(close, false, false, false);
    }

    fn scalar(&mut self, text: &str, plain: bool, context: Context) {
        let analysis = analyze(text);
        let key = context == Context::Key;
        let plain_fits = if self.flow_level > 0 {
            analysis.flow_plain
        } else {
            analysis.block_plain
        };
        if plain && !(key && analysis.multiline) && plain_fits {
            if context == Context::Root {
                self.open_ended = true;
            }
            self.plain(text, !key);
        } else if analysis.single_quoted && !(key && analysis.multiline) {
            self.single_quoted(text, !key);
        } else {
            self.double_quoted(text, !key);
        }
    }

    fn plain(&mut self, text: &str, split: bool) {
        if !self.whitespace {
            self.write(" ");
        }
        let root_open = self.open_ended;
        let mut words = text.split(' ').peekable();
        let mut first = true;
        while let Some(word) = words.next() {
            if !first {
                // A run of spaces stays; a single space may fold.
                if word.is_empty() || !split || self.column <= self.style.width {
                    self.write(" ");
                } else {
                    self.write_indent();
                }
            }
            self.write(word);
            first = false;
            let _ = words.peek();
        }
        (self.whitespace, self.indention) = (false, false);
        self.open_ended = root_open;
    }

    fn single_quoted(&mut self, text: &str, split: bool) {
        self.indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        let (mut spaces, mut breaks) = (false, false);
        for end in 0..=chars.len() {
            let c = chars.get(end).copied();
            if spaces {
                if c != Some(' ') {
                    if start + 1 == end
                        && self.column > self.style.width
                        && split
                        && start != 0
                        && end != chars.len()
                    {
                        self.write_indent();
                    } else {
                        let run: String = chars[start..end].iter().collect();
                        self.write(&run);
                    }
                    start = end;
                }
            } else if breaks {
                if c.is_none_or(|c| !is_break(c)) {
                    if chars[start] == '\n' {
                        self.line_break();
                    }
                    for &line_break in &chars[start..end] {
                        if line_break == '\n' {
                            self.line_break();
                        } else {
                            self.out.push(line_break);
                            (self.whitespace, self.indention, self.column) = (true, true, 0);
                        }
                    }
                    self.write_indent();
                    start = end;
                }
            } else if c.is_none_or(|c| c == ' ' || c == '\'' || is_break(c)) && start < end {
                let run: String = chars[start..end].iter().collect();
                self.write(&run);
                start = end;
            }
            if c == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = c {
                spaces = c == ' ';
                breaks = is_break(c);
            }
        }
        self.indicator("'", false, false, false);
    }

    fn double_quoted(&mut self, text: &str, split: bool) {
        self.indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        for end in 0..=chars.len() {
            let c = chars.get(end).copied();
            let needs_escape = c.is_some_and(|c| {
                "\"\\\u{85}\u{2028}\u{2029}\u{feff}".contains(c)
                    || !((' '..='~').contains(&c)
                        || ('\u{a0}'..='\u{d7ff}').contains(&c)
                        || ('\u{e000}'..='\u{fffd}').contains(&c))
            });
            if c.is_none() || needs_escape {
                let run: String = chars[start..end].iter().collect();
                self.write(&run);
                start = end;
                if let Some(c) = c {
                    self.write(&escape(c));
                    start = end + 1;
                }
            }
            let folds = c.is_some_and(|c| c == ' ') || start >= end;
            if end > 0 && end + 1 < chars.len() && folds && split {
                let pending: usize = end.saturating_sub(start);
                if self.column + pending > self.style.width {
                    let run: String = chars[start..end].iter().collect();
                    self.write(&run);
                    self.write("\\");
                    start = end;
                    self.write_indent();
                    (self.whitespace, self.indention) = (false, false);
                    if chars.get(start) == Some(&' ') {
                        self.write("\\");
                    }
                }
            }
        }
        self.indicator("\"", false, false, false);
    }
}
