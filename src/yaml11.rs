//! YAML read as `PyYAML`'s `SafeLoader` reads it, since Copier loads
//! `copier.yml` with it and Ansible's `from_yaml` filter uses it: YAML 1.1, where a plain `yes`, `no`, `on` and `off`
//! are booleans, `0755` is octal, `1_000` is a thousand and `1e3` is text.
//! The events come from yaml-rust2; this module resolves plain scalars,
//! anchors and aliases (bounded, so an alias bomb is refused) and nesting
//! (bounded), and keeps unknown tags such as `!include` for the caller.

use std::collections::HashMap;

use serde_norway::value::{Tag, TaggedValue};
use serde_norway::{Mapping, Number, Value as Yaml};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting of collections accepted.
const MAX_DEPTH: usize = 128;
/// Most values one file may expand to, aliases included.
const MAX_NODES: usize = 1_000_000;

/// Every document of `text`, in order (empty documents included, as `Null`).
pub fn documents(text: &str) -> Result<Vec<Yaml>, String> {
    let mut loader = Loader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut documents = Vec::new();
    loop {
        let (event, _) = loader.next()?;
        match event {
            Event::StreamEnd => return Ok(documents),
            Event::DocumentStart => {
                let (event, marker) = loader.next()?;
                if matches!(event, Event::DocumentEnd) {
                    documents.push(Yaml::Null);
                    continue;
                }
                documents.push(loader.node(event, marker, 0)?);
                loader.anchors.clear();
            }
            _ => {}
        }
    }
}

struct Loader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Yaml>,
    nodes: usize,
}

impl Loader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), String> {
        self.parser
            .next_token()
            .map_err(|err| format!("invalid YAML: {err}"))
    }

    fn count(&mut self, added: usize, marker: Marker) -> Result<(), String> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > MAX_NODES {
            return Err(format!(
                "line {}: the file expands to more than {MAX_NODES} values (aliases of aliases?)",
                marker.line()
            ));
        }
        Ok(())
    }

    fn node(&mut self, event: Event, marker: Marker, depth: usize) -> Result<Yaml, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "line {}: collections nested deeper than {MAX_DEPTH} levels; flatten the file",
                marker.line()
            ));
        }
        self.count(1, marker)?;
        let (value, anchor, tag) = match event {
            Event::Alias(id) => {
                let value = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| format!("line {}: unknown alias", marker.line()))?;
                self.count(size(&value), marker)?;
                return Ok(value);
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|tag| (tag.handle, tag.suffix));
                let value = scalar(text, style, tag.as_ref());
                (value, anchor, tag.filter(|tag| !is_core(tag)))
            }
            Event::SequenceStart(anchor, tag) => {
                let mut items = Vec::new();
                loop {
                    let (event, marker) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, marker, depth + 1)?);
                }
                let tag = tag.map(|tag| (tag.handle, tag.suffix));
                (
                    Yaml::Sequence(items),
                    anchor,
                    tag.filter(|tag| !is_core(tag)),
                )
            }
            Event::MappingStart(anchor, tag) => {
                let mut entries = Mapping::new();
                loop {
                    let (event, marker) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(event, marker, depth + 1)?;
                    let (event, marker) = self.next()?;
                    let value = self.node(event, marker, depth + 1)?;
                    if key.as_str() == Some("<<") {
                        merge_into(&mut entries, value);
                    } else {
                        entries.insert(key, value);
                    }
                }
                let tag = tag.map(|tag| (tag.handle, tag.suffix));
                (
                    Yaml::Mapping(entries),
                    anchor,
                    tag.filter(|tag| !is_core(tag)),
                )
            }
            other => return Err(format!("line {}: unexpected {other:?}", marker.line())),
        };
        let value = match tag {
            Some((handle, suffix)) => Yaml::Tagged(Box::new(TaggedValue {
                tag: Tag::new(format!("{handle}{suffix}")),
                value,
            })),
            None => value,
        };
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }
}

/// `<<: *base` (or a list of them): keys not set yet come from the merged mappings.
fn merge_into(entries: &mut Mapping, value: Yaml) {
    let sources = match value {
        Yaml::Sequence(items) => items,
        other => vec![other],
    };
    for source in sources {
        if let Yaml::Mapping(source) = source {
            for (key, value) in source {
                if !entries.contains_key(&key) {
                    entries.insert(key, value);
                }
            }
        }
    }
}

fn size(value: &Yaml) -> usize {
    match value {
        Yaml::Sequence(items) => 1 + items.iter().map(size).sum::<usize>(),
        Yaml::Mapping(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| size(k) + size(v))
                .sum::<usize>()
        }
        Yaml::Tagged(tagged) => 1 + size(&tagged.value),
        _ => 1,
    }
}

const CORE: &str = "tag:yaml.org,2002:";

fn is_core(tag: &(String, String)) -> bool {
    tag.0 == CORE
}

/// A scalar as `PyYAML`'s `SafeLoader` resolves it.
fn scalar(text: String, style: TScalarStyle, tag: Option<&(String, String)>) -> Yaml {
    if let Some((handle, suffix)) = tag {
        if handle == CORE {
            return match suffix.as_str() {
                "null" => Yaml::Null,
                "bool" => boolean(&text).map_or(Yaml::String(text), Yaml::Bool),
                "int" => integer(&text).unwrap_or(Yaml::String(text)),
                "float" => float(&text).unwrap_or(Yaml::String(text)),
                _ => Yaml::String(text),
            };
        }
        return Yaml::String(text);
    }
    if !matches!(style, TScalarStyle::Plain) {
        return Yaml::String(text);
    }
    if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
        return Yaml::Null;
    }
    if let Some(flag) = boolean(&text) {
        return Yaml::Bool(flag);
    }
    integer(&text)
        .or_else(|| float(&text))
        .unwrap_or(Yaml::String(text))
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(text: &str) -> (i128, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    }
}

fn number(value: i128) -> Yaml {
    if let Ok(small) = i64::try_from(value) {
        Yaml::Number(Number::from(small))
    } else if let Ok(big) = u64::try_from(value) {
        Yaml::Number(Number::from(big))
    } else {
        #[allow(
            clippy::cast_precision_loss,
            reason = "Python keeps it exact; f64 is the closest"
        )]
        Yaml::Number(Number::from(value as f64))
    }
}

/// YAML 1.1 integers: decimal, `0b`, `0x`, octal `0...`, `_` separators, base 60.
fn integer(text: &str) -> Option<Yaml> {
    let (sign, digits) = split_sign(text);
    let digits = digits.replace('_', "");
    if digits.is_empty() {
        return None;
    }
    let parse = |body: &str, radix: u32| {
        (!body.is_empty() && body.chars().all(|ch| ch.is_digit(radix)))
            .then(|| i128::from_str_radix(body, radix).ok())
            .flatten()
    };
    let value = if let Some(body) = digits.strip_prefix("0b") {
        parse(body, 2)?
    } else if let Some(body) = digits.strip_prefix("0x") {
        parse(body, 16)?
    } else if digits.contains(':') {
        let mut total: i128 = 0;
        for (index, part) in digits.split(':').enumerate() {
            let part_value = parse(part, 10)?;
            if index > 0 && part_value >= 60 {
                return None;
            }
            total = total.checked_mul(60)?.checked_add(part_value)?;
        }
        if digits.starts_with('0') {
            return None;
        }
        total
    } else if digits.len() > 1 && digits.starts_with('0') {
        parse(&digits[1..], 8)?
    } else {
        parse(&digits, 10)?
    };
    Some(number(sign * value))
}

/// YAML 1.1 floats: a `.` is required (`1e3` is text), `.inf`, `.nan`, base 60.
fn float(text: &str) -> Option<Yaml> {
    let (sign, body) = split_sign(text);
    let sign = if sign < 0 { -1.0 } else { 1.0 };
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(Yaml::Number(Number::from(sign * f64::INFINITY))),
        ".nan" | ".NaN" | ".NAN" if sign > 0.0 && !text.starts_with('+') => {
            return Some(Yaml::Number(Number::from(f64::NAN)));
        }
        _ => {}
    }
    let cleaned = body.replace('_', "");
    if !cleaned.contains('.') || cleaned.contains(':') {
        return None;
    }
    let (mantissa, exponent) = match cleaned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (cleaned.as_str(), None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let digits_ok = |part: &str| part.chars().all(|ch| ch.is_ascii_digit());
    if !digits_ok(whole) || !digits_ok(fraction) || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-'])?;
        if digits.is_empty() || !digits_ok(digits) {
            return None;
        }
    }
    cleaned
        .parse::<f64>()
        .ok()
        .map(|value| Yaml::Number(Number::from(sign * value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Yaml {
        documents(text).unwrap().remove(0)
    }

    #[test]
    fn plain_scalars_resolve_as_in_pyyaml() {
        let value = one(
            "a: yes\nb: Off\nc: 'yes'\nd: 0755\ne: 1_000\nf: 1e3\ng: 1.5e+3\nh: ~\ni: 1:30\nj: 0x1F\nk: .5\nl: y\n",
        );
        let get = |key: &str| value.get(key).unwrap().clone();
        assert_eq!(get("a"), Yaml::Bool(true));
        assert_eq!(get("b"), Yaml::Bool(false));
        assert_eq!(get("c"), Yaml::from("yes"));
        assert_eq!(get("d"), Yaml::from(493));
        assert_eq!(get("e"), Yaml::from(1000));
        assert_eq!(get("f"), Yaml::from("1e3"));
        assert_eq!(get("g"), Yaml::from(1500.0));
        assert_eq!(get("h"), Yaml::Null);
        assert_eq!(get("i"), Yaml::from(90));
        assert_eq!(get("j"), Yaml::from(31));
        assert_eq!(get("k"), Yaml::from(0.5));
        assert_eq!(get("l"), Yaml::from("y"));
    }

    #[test]
    fn documents_anchors_and_tags() {
        let docs = documents(
            "base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  y: 2\n---\nmore: !include x.yml\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].get("use"), docs[0].get("base"));
        assert_eq!(docs[0]["merged"]["x"], Yaml::from(1));
        assert!(matches!(docs[1]["more"], Yaml::Tagged(_)));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = level - 1;
            bomb.push_str(&format!(
                "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
            ));
        }
        let err = documents(&bomb).unwrap_err();
        assert!(err.contains("more than"), "{err}");
        let deep = (0..200).fold(String::new(), |mut deep, depth| {
            deep.push_str(&" ".repeat(depth));
            deep.push_str("k:\n");
            deep
        });
        let err = documents(&deep).unwrap_err();
        assert!(err.contains("nested deeper"), "{err}");
    }
}
