//! The filters Copier loads on top of Jinja's builtins: the Ansible core
//! filters of `jinja2_ansible_filters` (its full list is registered here;
//! each behaves as its Python original) and Copier's `pathjoin` global.
//! Data filters live here; text, paths, digests, regular expressions and
//! serialisation have their own files. `shuffle` and `ans_random` are
//! reproducible rather than random, so renders stay deterministic.

#![allow(
    clippy::needless_pass_by_value,
    reason = "minijinja hands filters their arguments by value"
)]

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

use super::{digest, paths, regex, serialize, text};

pub(super) fn register(env: &mut Environment<'_>) {
    serialize::register(env);
    digest::register(env);
    paths::register(env);
    regex::register(env);
    text::register(env);
    env.add_filter("bool", to_bool);
    env.add_filter("ternary", ternary);
    env.add_filter("mandatory", mandatory);
    env.add_filter("type_debug", type_debug);
    env.add_filter("combine", combine);
    env.add_filter("flatten", flatten);
    env.add_filter("extract", extract);
    env.add_filter("subelements", subelements);
    env.add_filter("shuffle", shuffle);
    env.add_filter("ans_random", ans_random);
    env.add_filter("ans_groupby", ans_groupby);
    env.add_filter("fileglob", fileglob);
    env.add_filter("random_mac", random_mac);
    super::builtins::register(env);
}

/// A Python tuple, which prints as `(a, b)`.
pub(super) fn tuple(values: Vec<Value>) -> Value {
    Value::from_object(minijinja::value::Tuple::new(values))
}

pub(super) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Ansible's `bool`: `None` and booleans pass through; "yes", "on", "1",
/// "true" (any case) and 1 are true; everything else is false.
fn to_bool(value: &Value) -> Value {
    if value.is_none() || value.kind() == ValueKind::Bool {
        return value.clone();
    }
    let truthy = match value.as_str() {
        Some(text) => matches!(text.to_lowercase().as_str(), "yes" | "on" | "1" | "true"),
        None => value.as_i64() == Some(1),
    };
    Value::from(truthy)
}

fn ternary(value: &Value, if_true: Value, if_false: Value, if_none: Option<Value>) -> Value {
    match if_none {
        Some(if_none) if value.is_none() && !if_none.is_none() => if_none,
        _ if value.is_true() => if_true,
        _ => if_false,
    }
}

fn mandatory(value: Value, message: Option<String>) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(invalid(
            message.unwrap_or_else(|| "Mandatory variable not defined.".to_owned()),
        ));
    }
    Ok(value)
}

/// The Python type's name.
pub(super) fn type_debug(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::Undefined => "Undefined",
        ValueKind::None => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String => "str",
        ValueKind::Bytes => "bytes",
        ValueKind::Seq => "list",
        ValueKind::Map => "dict",
        ValueKind::Iterable => "generator",
        _ => "object",
    }
}

pub(super) fn items(value: &Value) -> Result<Vec<Value>, Error> {
    Ok(value.try_iter()?.collect())
}

pub(super) fn entries(value: &Value) -> Result<Vec<(Value, Value)>, Error> {
    if value.kind() != ValueKind::Map {
        return Err(invalid(format!(
            "expected a dict, got {}",
            type_debug(value)
        )));
    }
    value
        .try_iter()?
        .map(|key| Ok((key.clone(), value.get_item(&key)?)))
        .collect()
}

/// Ansible's `combine`: later dicts win; `recursive=true` merges nested
/// dicts; `list_merge` is `replace` (the default), `keep`, `append`,
/// `prepend`, `append_rp` or `prepend_rp`.
fn combine(value: &Value, rest: &[Value], kwargs: Kwargs) -> Result<Value, Error> {
    let recursive: bool = kwargs.get::<Option<bool>>("recursive")?.unwrap_or(false);
    let list_merge: String = kwargs
        .get::<Option<String>>("list_merge")?
        .unwrap_or_else(|| "replace".into());
    kwargs.assert_all_used()?;
    let terms: Vec<Value> = std::iter::once(value.clone())
        .chain(rest.iter().cloned())
        .collect();
    let mut dicts = Vec::new();
    for term in flatten_levels(&terms, Some(1))? {
        if term.is_undefined() {
            return Err(invalid("combine: an argument is undefined"));
        }
        dicts.push(term);
    }
    let Some(first) = dicts.first() else {
        return Ok(Value::from_pairs(Vec::<(Value, Value)>::new()));
    };
    let mut merged = entries(first)?;
    for dict in &dicts[1..] {
        merged = merge(merged, entries(dict)?, recursive, &list_merge)?;
    }
    Ok(Value::from_pairs(merged))
}

fn merge(
    mut base: Vec<(Value, Value)>,
    other: Vec<(Value, Value)>,
    recursive: bool,
    list_merge: &str,
) -> Result<Vec<(Value, Value)>, Error> {
    for (key, value) in other {
        let Some(slot) = base.iter_mut().find(|(existing, _)| *existing == key) else {
            base.push((key, value));
            continue;
        };
        let old = &slot.1;
        slot.1 = match (old.kind(), value.kind()) {
            (ValueKind::Map, ValueKind::Map) if recursive => Value::from_pairs(merge(
                entries(old)?,
                entries(&value)?,
                recursive,
                list_merge,
            )?),
            (ValueKind::Seq, ValueKind::Seq) => {
                let (old, new) = (items(old)?, items(&value)?);
                match list_merge {
                    "replace" => value,
                    "keep" => slot.1.clone(),
                    "append" => Value::from(old.into_iter().chain(new).collect::<Vec<_>>()),
                    "prepend" => Value::from(new.into_iter().chain(old).collect::<Vec<_>>()),
                    "append_rp" => {
                        let kept: Vec<_> =
                            old.into_iter().filter(|item| !new.contains(item)).collect();
                        Value::from(kept.into_iter().chain(new).collect::<Vec<_>>())
                    }
                    "prepend_rp" => {
                        let kept: Vec<_> =
                            old.into_iter().filter(|item| !new.contains(item)).collect();
                        Value::from(new.into_iter().chain(kept).collect::<Vec<_>>())
                    }
                    other => {
                        return Err(invalid(format!(
                            "'{other}' is not a valid list_merge value; use replace, keep, append, prepend, append_rp or prepend_rp"
                        )));
                    }
                }
            }
            _ => value,
        };
    }
    Ok(base)
}

/// Ansible's `flatten`: stops at the first `None`, "None" or "null".
fn flatten(value: &Value, levels: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let levels = match levels.or(kwargs.get::<Option<Value>>("levels")?) {
        Some(levels) if !levels.is_none() => {
            Some(i64::try_from(levels.clone()).map_err(|_| {
                invalid(format!("flatten: levels must be an integer, got {levels}"))
            })?)
        }
        _ => None,
    };
    kwargs.assert_all_used()?;
    Ok(Value::from(flatten_levels(&items(value)?, levels)?))
}

fn flatten_levels(list: &[Value], levels: Option<i64>) -> Result<Vec<Value>, Error> {
    let mut out = Vec::new();
    for element in list {
        if element.is_none() || matches!(element.as_str(), Some("None" | "null")) {
            break;
        }
        let is_sequence = matches!(element.kind(), ValueKind::Seq | ValueKind::Iterable);
        match levels {
            _ if !is_sequence => out.push(element.clone()),
            None => out.extend(flatten_levels(&items(element)?, None)?),
            Some(level) if level >= 1 => {
                out.extend(flatten_levels(&items(element)?, Some(level - 1))?);
            }
            Some(_) => out.push(element.clone()),
        }
    }
    Ok(out)
}

fn extract(item: &Value, container: &Value, morekeys: Option<Value>) -> Result<Value, Error> {
    let mut value = container.get_item(item)?;
    if let Some(keys) = morekeys {
        let keys = if keys.kind() == ValueKind::Seq {
            items(&keys)?
        } else {
            vec![keys]
        };
        for key in keys {
            value = value.get_item(&key)?;
        }
    }
    Ok(value)
}

fn subelements(value: &Value, path: &Value, skip_missing: Option<bool>) -> Result<Value, Error> {
    let elements = match value.kind() {
        ValueKind::Map => entries(value)?
            .into_iter()
            .map(|(_, value)| value)
            .collect(),
        ValueKind::Seq => items(value)?,
        _ => return Err(invalid("obj must be a list of dicts or a nested dict")),
    };
    let keys: Vec<Value> = match (path.as_str(), path.kind()) {
        (Some(text), _) => text.split('.').map(Value::from).collect(),
        (None, ValueKind::Seq) => items(path)?,
        _ => return Err(invalid("subelements must be a list or a string")),
    };
    let mut out = Vec::new();
    for element in elements {
        let mut values = element.clone();
        for key in &keys {
            let next = values.get_item(key)?;
            if next.is_undefined() {
                if skip_missing.unwrap_or(false) {
                    values = Value::from(Vec::<Value>::new());
                    break;
                }
                return Err(invalid(format!(
                    "could not find '{key}' key in iterated item {values}"
                )));
            }
            values = next;
        }
        if values.kind() != ValueKind::Seq {
            return Err(invalid(format!("the key '{path}' should point to a list")));
        }
        for item in items(&values)? {
            out.push(tuple(vec![element.clone(), item]));
        }
    }
    Ok(Value::from(out))
}

/// Ansible's `shuffle`: with a seed, a fixed order for that seed (not
/// Python's, whose generator is not reproduced); without one, the order is
/// still fixed so renders stay reproducible.
fn shuffle(value: &Value, seed: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let seed = seed.or(kwargs.get::<Option<Value>>("seed")?);
    kwargs.assert_all_used()?;
    let mut list = items(value)?;
    let mut state = seed_of(seed.as_ref());
    for index in (1..list.len()).rev() {
        state = next_random(state);
        let pick = usize::try_from(state % (index as u64 + 1)).unwrap_or(0);
        list.swap(index, pick);
    }
    Ok(Value::from(list))
}

/// Ansible's `random` (registered as `ans_random`), reproducible as `shuffle`.
fn ans_random(end: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    let start: Option<i64> = kwargs.get("start")?;
    let step: Option<i64> = kwargs.get("step")?;
    let seed: Option<Value> = kwargs.get("seed")?;
    kwargs.assert_all_used()?;
    let random = next_random(seed_of(seed.as_ref()));
    if let Ok(end) = i64::try_from(end.clone()) {
        let (start, step) = (start.unwrap_or(0), step.unwrap_or(1).max(1));
        let count = ((end - start).max(0) + step - 1) / step;
        if count == 0 {
            return Err(invalid("empty range for randrange()"));
        }
        let pick = i64::try_from(random % count.unsigned_abs()).unwrap_or(0);
        return Ok(Value::from(start + pick * step));
    }
    let list = items(end)?;
    if list.is_empty() {
        return Err(invalid("Cannot choose from an empty sequence"));
    }
    Ok(list[usize::try_from(random % list.len() as u64).unwrap_or(0)].clone())
}

pub(super) fn seed_of(seed: Option<&Value>) -> u64 {
    let text = seed.map(ToString::to_string).unwrap_or_default();
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `SplitMix64`.
pub(super) fn next_random(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Jinja's `groupby` with plain lists for groups: `[[key, [items]], ...]`,
/// sorted by key.
fn ans_groupby(value: &Value, attribute: &str) -> Result<Value, Error> {
    let mut keyed = Vec::new();
    for item in items(value)? {
        let mut key = item.clone();
        for part in attribute.split('.') {
            key = match part.parse::<i64>() {
                Ok(index) => key.get_item(&Value::from(index))?,
                Err(_) => key.get_attr(part)?,
            };
        }
        keyed.push((key, item));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for (key, item) in keyed {
        match groups.last_mut() {
            Some((last, members)) if *last == key => members.push(item),
            _ => groups.push((key, vec![item])),
        }
    }
    Ok(Value::from(
        groups
            .into_iter()
            .map(|(key, members)| Value::from(vec![key, Value::from(members)]))
            .collect::<Vec<_>>(),
    ))
}

/// Ansible's `random_mac`: completes a MAC prefix with bytes that are
/// reproducible (from the prefix and seed) rather than random.
fn random_mac(prefix: &str, seed: Option<Value>) -> Result<String, Error> {
    let prefix = prefix.to_lowercase();
    let items: Vec<&str> = prefix.split(':').collect();
    if items.len() > 5 {
        return Err(invalid(format!(
            "Invalid value ({prefix}) for random_mac: 5 colon(:) separated items max"
        )));
    }
    let is_byte = |item: &&str| item.len() >= 2 && item[..2].chars().all(|c| c.is_ascii_hexdigit());
    if let Some(bad) = items.iter().find(|item| !is_byte(item)) {
        return Err(invalid(format!(
            "Invalid value ({prefix}) for random_mac: {bad} not hexa byte"
        )));
    }
    let seed = seed.unwrap_or_else(|| Value::from(prefix.as_str()));
    let value =
        0x10_0000_0000 + next_random(seed_of(Some(&seed))) % (0xff_ffff_ffff - 0x10_0000_0000);
    let digits = format!("{value:x}");
    let remain = 2 * (6 - items.len());
    let mut out = prefix.clone();
    for pair in digits.as_bytes()[..remain].chunks(2) {
        out.push(':');
        out.push_str(std::str::from_utf8(pair).unwrap_or_default());
    }
    Ok(out)
}

/// `fileglob` lists files of the machine that renders; a template may not
/// read outside itself, so it is refused.
fn fileglob(_pattern: &Value) -> Result<Value, Error> {
    Err(invalid(
        "the `fileglob` filter would read the rendering machine's files; scaffold does not let a template read outside itself",
    ))
}
