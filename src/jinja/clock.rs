//! The clock, as Copier's templates read it: the `strftime` filter (Ansible's:
//! local time, now or a given epoch second), the `now()` global (a UTC
//! datetime) and `to_datetime`. `SOURCE_DATE_EPOCH` (the reproducible-builds
//! convention) fixes "now" so that two renders compare equal.

use std::cmp::Ordering;
use std::fmt;
use std::sync::{Arc, OnceLock};

use jiff::civil::DateTime as Civil;
use jiff::fmt::strtime::{BrokenDownTime, Config, PosixCustom};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use minijinja::value::{DynObject, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

use super::timedelta::TimeDelta;

/// The clock fixed for the whole process by [`freeze_clock`].
static FROZEN: OnceLock<i64> = OnceLock::new();

/// The time "now" is fixed at: [`freeze_clock`]'s, else `SOURCE_DATE_EPOCH`'s
/// when it is set to a whole number.
pub fn source_date_epoch() -> Option<i64> {
    FROZEN
        .get()
        .copied()
        .or_else(|| std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok())
}

/// Fixes "now" for every later render of this process, at `SOURCE_DATE_EPOCH`
/// or else the current second, so that renders compare equal (`scaffold
/// smoke` renders each combination twice). Returns the fixed epoch second.
pub fn freeze_clock() -> i64 {
    *FROZEN.get_or_init(|| source_date_epoch().unwrap_or_else(|| Timestamp::now().as_second()))
}

pub(super) fn register(env: &mut minijinja::Environment<'static>, fixed: Option<i64>) {
    env.add_filter(
        "strftime",
        move |format: &str, second: Option<Value>| -> Result<String, Error> {
            let second = match second.filter(|value| !value.is_none() && !value.is_undefined()) {
                Some(value) => epoch_second(&value)?,
                None => fixed.unwrap_or_else(|| Timestamp::now().as_second()),
            };
            format_local(format, second)
        },
    );
    env.add_function("now", move || -> Value {
        let now = fixed.map_or_else(Timestamp::now, |second| {
            Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
        });
        DateTime::value(now.to_zoned(TimeZone::UTC).datetime(), true)
    });
    env.add_filter("to_datetime", to_datetime);
    env.add_function(
        "__scaffold_now__",
        move |zone: &str, format: Option<&str>, sign: Option<&str>, offset: Option<&str>| {
            now_tag(fixed, zone, format, sign.zip(offset))
        },
    );
}

/// jinja2-time's `{% now zone [+|- 'unit=n,...'], format %}` (default format
/// `%Y-%m-%d`), in `zone`: `utc`, `local` or a tz database name.
fn now_tag(
    fixed: Option<i64>,
    zone: &str,
    format: Option<&str>,
    offset: Option<(&str, &str)>,
) -> Result<String, Error> {
    let instant = fixed.map_or_else(Timestamp::now, |second| {
        Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
    });
    let zone = match zone.to_ascii_lowercase().as_str() {
        "utc" => TimeZone::UTC,
        "local" => TimeZone::system(),
        _ => TimeZone::get(zone)
            .map_err(|err| invalid(format!("unknown time zone `{zone}`: {err}")))?,
    };
    let mut zoned = instant.to_zoned(zone);
    if let Some((sign, offset)) = offset {
        for part in offset.split(',') {
            let (unit, amount) = part
                .split_once('=')
                .ok_or_else(|| invalid(format!("bad offset `{part}`; write unit=number")))?;
            let amount: f64 = format!("{sign}{}", amount.trim())
                .parse()
                .map_err(|_| invalid(format!("bad offset `{part}`")))?;
            #[allow(clippy::cast_possible_truncation)]
            let whole = amount.trunc() as i64;
            let span = match unit.trim() {
                "years" => jiff::Span::new().try_years(whole),
                "months" => jiff::Span::new().try_months(whole),
                "weeks" => jiff::Span::new().try_weeks(whole),
                "days" => jiff::Span::new().try_days(whole),
                "hours" => jiff::Span::new().try_hours(whole),
                "minutes" => jiff::Span::new().try_minutes(whole),
                "seconds" => jiff::Span::new().try_seconds(whole),
                other => return Err(invalid(format!("unknown offset unit `{other}`"))),
            }
            .map_err(|err| invalid(err.to_string()))?;
            zoned = zoned
                .checked_add(span)
                .map_err(|err| invalid(err.to_string()))?;
        }
    }
    format_zoned(format.unwrap_or("%Y-%m-%d"), &zoned)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Ansible's reading of `strftime`'s epoch argument: `int(second)`.
fn epoch_second(value: &Value) -> Result<i64, Error> {
    if let Some(text) = value.as_str() {
        return text
            .trim()
            .parse()
            .map_err(|_| invalid(format!("Invalid value for epoch value ({text})")));
    }
    #[allow(clippy::cast_possible_truncation)]
    f64::try_from(value.clone())
        .map(|number| number.trunc() as i64)
        .map_err(|_| invalid(format!("Invalid value for epoch value ({value})")))
}

/// `time.strftime(format, time.localtime(second))`.
pub(super) fn format_local(format: &str, second: i64) -> Result<String, Error> {
    let instant = Timestamp::from_second(second)
        .map_err(|err| invalid(format!("Invalid value for epoch value ({second}): {err}")))?;
    format_zoned(format, &instant.to_zoned(TimeZone::system()))
}

fn format_zoned(format: &str, zoned: &Zoned) -> Result<String, Error> {
    python_strftime(
        format,
        &BrokenDownTime::from(zoned),
        zoned.subsec_nanosecond(),
    )
}

/// Formats as Python's `strftime` in the C locale: `%f` is six digits of
/// microseconds, `%c`, `%x` and `%X` are POSIX's.
fn python_strftime(format: &str, time: &BrokenDownTime, nanos: i32) -> Result<String, Error> {
    let micros = format!("{:06}", nanos / 1000);
    let format = format
        .replace("%%", "\u{0}")
        .replace("%f", &micros)
        .replace('\u{0}', "%%");
    let config = Config::new().custom(PosixCustom::new()).lenient(true);
    time.to_string_with_config(&config, &format)
        .map_err(|err| invalid(format!("cannot format the time with `{format}`: {err}")))
}

/// Ansible's `to_datetime`: `datetime.strptime(string, format)`.
fn to_datetime(text: &str, format: Option<&str>) -> Result<Value, Error> {
    let format = format.unwrap_or("%Y-%m-%d %H:%M:%S");
    let parsed = BrokenDownTime::parse(format, text)
        .and_then(|time| {
            let date = time.to_date()?;
            let clock = time.to_time().unwrap_or_default();
            Ok(date.to_datetime(clock))
        })
        .map_err(|err| {
            invalid(format!(
                "time data {text:?} does not match format {format:?}: {err}"
            ))
        })?;
    Ok(DateTime::value(parsed, false))
}

/// Python's `-` when either side is a datetime or a timedelta; `None` when
/// neither is.
pub(super) fn subtract(left: &Value, right: &Value) -> Result<Option<Value>, Error> {
    let type_name = |value: &Value| {
        if value.downcast_object_ref::<DateTime>().is_some() {
            "datetime.datetime".to_owned()
        } else if value.downcast_object_ref::<TimeDelta>().is_some() {
            "datetime.timedelta".to_owned()
        } else {
            value.kind().to_string()
        }
    };
    let delta = |value: &Value| value.downcast_object_ref::<TimeDelta>().map(|d| d.micros);
    Ok(Some(
        match (
            left.downcast_object_ref::<DateTime>(),
            right.downcast_object_ref::<DateTime>(),
        ) {
            (Some(a), Some(b)) if a.utc != b.utc => {
                return Err(invalid(
                    "can't subtract offset-naive and offset-aware datetimes",
                ));
            }
            (Some(a), Some(b)) => {
                let span = a.civil.duration_since(b.civil);
                let micros =
                    i64::try_from(span.as_micros()).map_err(|err| invalid(err.to_string()))?;
                TimeDelta::value(micros)
            }
            (Some(a), None) if delta(right).is_some() => {
                let micros = delta(right).unwrap_or_default();
                let civil = a
                    .civil
                    .checked_sub(jiff::SignedDuration::from_micros(micros))
                    .map_err(|_| invalid("date value out of range"))?;
                DateTime::value(civil, a.utc)
            }
            (None, None) => match (delta(left), delta(right)) {
                (Some(a), Some(b)) => TimeDelta::value(
                    a.checked_sub(b)
                        .ok_or_else(|| invalid("timedelta value out of range"))?,
                ),
                (None, None) => return Ok(None),
                _ => return Err(unsupported(&type_name(left), &type_name(right))),
            },
            _ => return Err(unsupported(&type_name(left), &type_name(right))),
        },
    ))
}

fn unsupported(left: &str, right: &str) -> Error {
    invalid(format!(
        "unsupported operand type(s) for -: '{left}' and '{right}'"
    ))
}

/// A Python `datetime`: naive, or in UTC.
#[derive(Debug)]
struct DateTime {
    civil: Civil,
    utc: bool,
}

impl DateTime {
    fn value(civil: Civil, utc: bool) -> Value {
        Value::from_object(Self { civil, utc })
    }

    fn zoned(&self) -> Result<Zoned, Error> {
        self.civil
            .to_zoned(TimeZone::UTC)
            .map_err(|err| invalid(err.to_string()))
    }
}

impl fmt::Display for DateTime {
    /// `str(datetime)`: `2024-01-02 03:04:05[.ffffff][+00:00]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            c.year(),
            c.month(),
            c.day(),
            c.hour(),
            c.minute(),
            c.second()
        )?;
        if c.subsec_nanosecond() >= 1000 {
            write!(f, ".{:06}", c.subsec_nanosecond() / 1000)?;
        }
        if self.utc {
            f.write_str("+00:00")?;
        }
        Ok(())
    }
}

impl Object for DateTime {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let c = self.civil;
        Some(Value::from(match key.as_str()? {
            "year" => i32::from(c.year()),
            "month" => i32::from(c.month()),
            "day" => i32::from(c.day()),
            "hour" => i32::from(c.hour()),
            "minute" => i32::from(c.minute()),
            "second" => i32::from(c.second()),
            "microsecond" => c.subsec_nanosecond() / 1000,
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
            ("strftime", [format]) => {
                let format = format
                    .as_str()
                    .ok_or_else(|| invalid("strftime() takes a string"))?;
                let nanos = self.civil.subsec_nanosecond();
                let zoned = self.zoned()?;
                let mut time = BrokenDownTime::from(&zoned);
                if !self.utc {
                    time = BrokenDownTime::from(self.civil);
                }
                Ok(Value::from(python_strftime(format, &time, nanos)?))
            }
            ("isoformat", []) => Ok(Value::from(self.to_string().replacen(' ', "T", 1))),
            ("timestamp", []) => Ok(Value::from(self.zoned()?.timestamp().as_second())),
            ("date", []) => Ok(Value::from(self.civil.date().to_string())),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        other
            .downcast_ref::<Self>()
            .filter(|other| other.utc == self.utc)
            .map(|other| self.civil.cmp(&other.civil))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_ref(), f)
    }
}
