//! The per-connection rate limit: a token bucket of `WS_RATE_LIMIT_BURST`
//! frames refilled at `WS_RATE_LIMIT_PER_SECOND`, and a strike count that
//! closes a client which keeps flooding.

#[cfg(test)]
use std::time::Duration;
use std::time::Instant;

/// Whether a client frame may be handled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Allowed,
    /// Over the rate: answer `rate_limited`.
    Limited,
    /// Still flooding after `WS_RATE_LIMIT_STRIKES` refusals: close with 1008.
    Exceeded,
}

/// A token bucket: `burst` frames at once, refilled at `per_second`. Strikes
/// (refused frames) are forgiven once the bucket is full again.
#[derive(Debug)]
pub(super) struct RateLimiter {
    tokens: f64,
    burst: f64,
    per_second: f64,
    refilled_at: Option<Instant>,
    strikes: u32,
    max_strikes: u32,
}

impl RateLimiter {
    pub(super) fn new(per_second: u32, burst: u32, max_strikes: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            refilled_at: None,
            strikes: 0,
            max_strikes,
        }
    }

    pub(super) fn check(&mut self, now: Instant) -> Verdict {
        if let Some(then) = self.refilled_at {
            let earned = now.saturating_duration_since(then).as_secs_f64() * self.per_second;
            self.tokens = (self.tokens + earned).min(self.burst);
        }
        self.refilled_at = Some(now);
        if self.tokens >= self.burst {
            self.strikes = 0;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Allowed;
        }
        self.strikes += 1;
        if self.strikes > self.max_strikes {
            Verdict::Exceeded
        } else {
            Verdict::Limited
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limiter_allows_a_burst_then_refuses_then_closes() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 3, 2);
        for _ in 0..3 {
            assert_eq!(limiter.check(start), Verdict::Allowed);
        }
        assert_eq!(limiter.check(start), Verdict::Limited);
        assert_eq!(limiter.check(start), Verdict::Limited);
        assert_eq!(limiter.check(start), Verdict::Exceeded);
        let later = start + Duration::from_millis(150);
        assert_eq!(limiter.check(later), Verdict::Allowed);
    }

    #[test]
    fn a_full_bucket_forgives_strikes() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 1, 1);
        assert_eq!(limiter.check(start), Verdict::Allowed);
        assert_eq!(limiter.check(start), Verdict::Limited);
        assert_eq!(
            limiter.check(start + Duration::from_secs(1)),
            Verdict::Allowed
        );
        assert_eq!(
            limiter.check(start + Duration::from_secs(1)),
            Verdict::Limited
        );
    }
}
