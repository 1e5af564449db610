//! How the figures are printed: a two-column table on standard output, and
//! the units its values are given in.

use std::collections::BTreeMap;
use std::fmt::{Display, Write as _};
use std::time::Duration;

/// A titled two-column table of figures.
pub struct Table {
    title: String,
    rows: Vec<(String, String)>,
}

impl Table {
    pub fn new(title: String) -> Self {
        Self {
            title,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, label: impl Into<String>, value: &dyn Display) {
        self.rows.push((label.into(), value.to_string()));
    }

    pub fn print(&self) {
        let width = self
            .rows
            .iter()
            .map(|(label, _)| label.len())
            .max()
            .unwrap_or(0);
        let mut out = format!("{}\n", self.title);
        for (label, value) in &self.rows {
            let _ = writeln!(out, "  {label:<width$}  {value}");
        }
        print!("{out}");
    }
}

/// `1.23 s`.
pub fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// Nearest-rank percentile of sorted microsecond values, in milliseconds.
pub fn percentile_ms(sorted_us: &[u64], percentile: f64) -> Option<f64> {
    if sorted_us.is_empty() {
        return None;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = ((percentile / 100.0) * sorted_us.len() as f64).ceil() as usize;
    let value = sorted_us[rank.clamp(1, sorted_us.len()) - 1];
    #[allow(clippy::cast_precision_loss)]
    Some(value as f64 / 1000.0)
}

/// KiB as `12.3 MiB`.
pub fn format_kib(kib: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let mib = kib as f64 / 1024.0;
    format!("{mib:.1} MiB")
}

/// KiB spread over `connections`, as MiB per 1,000 of them.
pub fn per_thousand(kib: u64, connections: usize) -> String {
    if connections == 0 {
        return "-".to_owned();
    }
    #[allow(clippy::cast_precision_loss)]
    let mib = kib as f64 / 1024.0 * 1000.0 / connections as f64;
    format!("{mib:.2} MiB")
}

/// `0`, or the total and the three most frequent reasons.
pub fn describe_counts(counts: &BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        "0".to_owned()
    } else {
        let total: usize = counts.values().sum();
        format!("{total}: {}", most_frequent(counts))
    }
}

/// The three most frequent reasons, `12x reason; 3x other`.
pub fn most_frequent(reasons: &BTreeMap<String, usize>) -> String {
    let mut sorted: Vec<_> = reasons.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1));
    sorted
        .iter()
        .take(3)
        .map(|(reason, count)| format!("{count}x {reason}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile_ms(&sorted, 50.0), Some(50.0));
        assert_eq!(percentile_ms(&sorted, 99.0), Some(99.0));
        assert_eq!(percentile_ms(&sorted, 100.0), Some(100.0));
        assert_eq!(percentile_ms(&[], 50.0), None);
    }

    #[test]
    fn counts_name_the_most_frequent_reasons_first() {
        let counts = BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 5)]);
        assert_eq!(describe_counts(&counts), "6: 5x b; 1x a");
        assert_eq!(describe_counts(&BTreeMap::new()), "0");
    }
}
