//! `WS_MAX_CONNECTIONS_PER_IP`: how many WebSocket connections one client
//! address may hold, so one host cannot take the whole connection cap.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Connections per client address; a `max` of 0 counts nothing.
#[derive(Debug)]
pub struct PerIpLimit {
    max: usize,
    counts: Mutex<HashMap<IpAddr, usize>>,
}

/// The address holds `WS_MAX_CONNECTIONS_PER_IP` connections already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit;

/// One connection's place under its address's limit, given back when dropped.
#[derive(Debug)]
pub struct IpSlot {
    limit: Arc<PerIpLimit>,
    ip: IpAddr,
}

impl PerIpLimit {
    /// A limit of `max` connections per address (0: none).
    pub fn new(max: usize) -> Self {
        Self {
            max,
            counts: Mutex::default(),
        }
    }

    /// Takes a place for `ip`; `Err` when it holds `max` already. Without a
    /// limit, succeeds with no place to give back.
    pub fn try_take(self: &Arc<Self>, ip: IpAddr) -> Result<Option<IpSlot>, OverLimit> {
        if self.max == 0 {
            return Ok(None);
        }
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(ip).or_default();
        if *count >= self.max {
            return Err(OverLimit);
        }
        *count += 1;
        Ok(Some(IpSlot {
            limit: Arc::clone(self),
            ip,
        }))
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = self
            .limit
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_max_and_gets_its_places_back() {
        let limit = Arc::new(PerIpLimit::new(1));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let first = limit.try_take(ip).unwrap();
        assert_eq!(limit.try_take(ip).unwrap_err(), OverLimit);
        assert!(limit.try_take("10.0.0.2".parse().unwrap()).is_ok());
        drop(first);
        assert!(limit.try_take(ip).is_ok());
        assert!(limit.counts.lock().unwrap().is_empty());
        let unlimited = Arc::new(PerIpLimit::new(0));
        assert!(matches!(unlimited.try_take(ip), Ok(None)));
    }
}
