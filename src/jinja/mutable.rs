//! Lists and dicts that Python's in-place methods can change, for templates
//! that call them (`{% do xs.append(x) %}`, `{% do d.update(e) %}`, as with
//! Jinja's `do` extension that Copier templates load); [`super::rewrite`]
//! makes such a template's literals into these.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use minijinja::value::{Enumerator, Object, ObjectRepr, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

use super::filters::invalid;

/// `__scaffold_mutable__(literal)`: a changeable copy of a list or dict.
pub(super) fn mutable(value: &Value) -> Result<Value, Error> {
    Ok(match value.kind() {
        ValueKind::Seq => Value::from_object(List(Mutex::new(value.try_iter()?.collect()))),
        ValueKind::Map => {
            let entries = value
                .try_iter()?
                .map(|key| Ok((key.clone(), value.get_item(&key)?)))
                .collect::<Result<Vec<_>, Error>>()?;
            Value::from_object(Dict(Mutex::new(entries)))
        }
        _ => value.clone(),
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn items(value: &Value) -> Result<Vec<Value>, Error> {
    Ok(value.try_iter()?.collect())
}

fn index(len: usize, at: &Value) -> Result<usize, Error> {
    let at = i64::try_from(at.clone()).map_err(|_| invalid("list indices must be integers"))?;
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let resolved = if at < 0 { at + len } else { at };
    usize::try_from(resolved)
        .ok()
        .filter(|_| resolved < len)
        .ok_or_else(|| invalid("list index out of range"))
}

#[derive(Debug)]
struct List(Mutex<Vec<Value>>);

impl Object for List {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = lock(&self.0);
        index(items.len(), key).ok().map(|at| items[at].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Iter(Box::new(lock(&self.0).clone().into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut list = lock(&self.0);
        match (method, args) {
            ("append", [item]) => list.push(item.clone()),
            ("extend", [more]) => list.extend(items(more)?),
            ("insert", [at, item]) => {
                let at =
                    i64::try_from(at.clone()).map_err(|_| invalid("insert() wants an index"))?;
                let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
                let at = if at < 0 {
                    (at + len).max(0)
                } else {
                    at.min(len)
                };
                list.insert(usize::try_from(at).unwrap_or(0), item.clone());
            }
            ("pop", []) => return list.pop().ok_or_else(|| invalid("pop from empty list")),
            ("pop", [at]) => {
                let at = index(list.len(), at)?;
                return Ok(list.remove(at));
            }
            ("remove", [item]) => {
                let at = list
                    .iter()
                    .position(|candidate| candidate == item)
                    .ok_or_else(|| invalid("list.remove(x): x not in list"))?;
                list.remove(at);
            }
            ("clear", []) => list.clear(),
            ("reverse", []) => list.reverse(),
            ("sort", []) => list.sort(),
            ("index", [item]) => {
                return list
                    .iter()
                    .position(|candidate| candidate == item)
                    .map(Value::from)
                    .ok_or_else(|| invalid(format!("{item} is not in list")));
            }
            ("count", [item]) => {
                return Ok(Value::from(list.iter().filter(|c| *c == item).count()));
            }
            ("copy", []) => return Ok(Value::from_object(List(Mutex::new(list.clone())))),
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Value::from(lock(&self.0).clone()), f)
    }
}

#[derive(Debug)]
struct Dict(Mutex<Vec<(Value, Value)>>);

impl Dict {
    fn set(entries: &mut Vec<(Value, Value)>, key: Value, value: Value) {
        match entries.iter_mut().find(|(existing, _)| *existing == key) {
            Some(slot) => slot.1 = value,
            None => entries.push((key, value)),
        }
    }
}

impl Object for Dict {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        lock(&self.0)
            .iter()
            .find(|(existing, _)| existing == key)
            .map(|(_, value)| value.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Iter(Box::new(
            lock(&self.0)
                .iter()
                .map(|(key, _)| key.clone())
                .collect::<Vec<_>>()
                .into_iter(),
        ))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut entries = lock(&self.0);
        let found = |key: &Value| entries.iter().position(|(existing, _)| existing == key);
        match (method, args) {
            ("update", [other]) => {
                for key in items(other)? {
                    let value = other.get_item(&key)?;
                    Self::set(&mut entries, key, value);
                }
            }
            ("setdefault", [key, rest @ ..]) => {
                if let Some(at) = found(key) {
                    return Ok(entries[at].1.clone());
                }
                let value = rest.first().cloned().unwrap_or(Value::from(()));
                entries.push((key.clone(), value.clone()));
                return Ok(value);
            }
            ("pop", [key, rest @ ..]) => {
                return match found(key) {
                    Some(at) => Ok(entries.remove(at).1),
                    None => rest
                        .first()
                        .cloned()
                        .ok_or_else(|| invalid(format!("KeyError: {key}"))),
                };
            }
            ("popitem", []) => {
                let (key, value) = entries
                    .pop()
                    .ok_or_else(|| invalid("popitem(): dictionary is empty"))?;
                return Ok(super::filters::tuple(vec![key, value]));
            }
            ("clear", []) => entries.clear(),
            ("copy", []) => return Ok(Value::from_object(Dict(Mutex::new(entries.clone())))),
            ("get", [key, rest @ ..]) => {
                return Ok(found(key)
                    .map(|at| entries[at].1.clone())
                    .or_else(|| rest.first().cloned())
                    .unwrap_or(Value::from(())));
            }
            ("keys", []) => {
                return Ok(Value::from(
                    entries.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
                ));
            }
            ("values", []) => {
                return Ok(Value::from(
                    entries.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
                ));
            }
            ("items", []) => {
                return Ok(Value::from(
                    entries
                        .iter()
                        .map(|(k, v)| super::filters::tuple(vec![k.clone(), v.clone()]))
                        .collect::<Vec<_>>(),
                ));
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = lock(&self.0).clone();
        fmt::Display::fmt(&Value::from_pairs(entries), f)
    }
}
