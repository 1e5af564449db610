//! Python's `datetime.timedelta`, what subtracting two datetimes gives:
//! `days`, `seconds`, `microseconds`, `total_seconds()` and `str()` as Python
//! has them (`1 day, 2:03:04`, `-1 day, 23:59:59.500000`).

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{DynObject, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// A span of time in microseconds, as Python keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct TimeDelta {
    pub(super) micros: i64,
}

impl TimeDelta {
    pub(super) fn value(micros: i64) -> Value {
        Value::from_object(Self { micros })
    }

    /// Python's normalised fields: `days` (any sign), `0 <= seconds < 86400`,
    /// `0 <= microseconds < 1000000`.
    fn fields(self) -> (i64, i64, i64) {
        let days = self.micros.div_euclid(MICROS_PER_DAY);
        let rest = self.micros.rem_euclid(MICROS_PER_DAY);
        (days, rest / MICROS_PER_SECOND, rest % MICROS_PER_SECOND)
    }
}

impl fmt::Display for TimeDelta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, seconds, micros) = self.fields();
        if days != 0 {
            let plural = if days.abs() == 1 { "" } else { "s" };
            write!(f, "{days} day{plural}, ")?;
        }
        write!(
            f,
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )?;
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        Ok(())
    }
}

impl Object for TimeDelta {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let (days, seconds, micros) = self.fields();
        Some(Value::from(match key.as_str()? {
            "days" => days,
            "seconds" => seconds,
            "microseconds" => micros,
            _ => return None,
        }))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match (method, args) {
            #[allow(clippy::cast_precision_loss, reason = "Python's float division")]
            ("total_seconds", []) => Ok(Value::from(self.micros as f64 / MICROS_PER_SECOND as f64)),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.micros != 0
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        other
            .downcast_ref::<Self>()
            .map(|other| self.micros.cmp(&other.micros))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_ref(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timedeltas_print_as_python_prints_them() {
        let text = |micros| TimeDelta { micros }.to_string();
        assert_eq!(text(0), "0:00:00");
        assert_eq!(
            text(MICROS_PER_DAY + 3_723 * MICROS_PER_SECOND),
            "1 day, 1:02:03"
        );
        assert_eq!(text(-MICROS_PER_SECOND / 2), "-1 day, 23:59:59.500000");
        assert_eq!(text(3 * MICROS_PER_DAY), "3 days, 0:00:00");
        assert_eq!(TimeDelta { micros: -1 }.fields(), (-1, 86_399, 999_999));
    }
}
