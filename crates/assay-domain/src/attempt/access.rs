//! Who may start an attempt, beyond the course roles: the test's access code, its IP filter and its attempt
//! count.

use std::net::IpAddr;

/// Whether `ip` is in the test's IP filter: addresses and CIDR ranges separated by commas (`10.0.0.0/8,
/// 192.168.1.7`). IPv4 clients reaching an IPv6 socket (`::ffff:a.b.c.d`) are matched as IPv4. An entry that
/// cannot be read matches nothing.
pub fn ip_allowed(filter: &str, ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    filter.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        let (addr, prefix) = entry.split_once('/').unwrap_or((entry, ""));
        let Ok(net) = addr.trim().parse::<IpAddr>() else { return false };
        match (net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let Some(bits) = prefix_bits(prefix, 32) else { return false };
                let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let Some(bits) = prefix_bits(prefix, 128) else { return false };
                let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    })
}

fn prefix_bits(prefix: &str, max: u32) -> Option<u32> {
    if prefix.trim().is_empty() {
        return Some(max);
    }
    prefix.trim().parse::<u32>().ok().filter(|b| *b <= max)
}

/// Whether the access code a candidate typed opens the test (exact match; no code set: always).
pub fn access_code_matches(expected: Option<&str>, given: Option<&str>) -> bool {
    match expected {
        None => true,
        Some(code) => given == Some(code),
    }
}

/// Whether another attempt may start: `allowed` is the test's `allowed_attempts` (-1: unlimited), `extra` the
/// student's extra attempts, `taken` the attempts already finished.
pub fn attempts_left(allowed: i32, extra: i32, taken: usize) -> bool {
    allowed < 0 || taken < usize::try_from(i64::from(allowed) + i64::from(extra.max(0))).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ip_filters_match_addresses_and_ranges() {
        assert!(ip_allowed("10.0.0.0/8", ip("10.1.2.3")));
        assert!(!ip_allowed("10.0.0.0/8", ip("11.1.2.3")));
        assert!(ip_allowed("192.168.1.7, 127.0.0.0/8", ip("127.0.0.1")));
        assert!(ip_allowed("192.168.1.7", ip("192.168.1.7")));
        assert!(!ip_allowed("192.168.1.7", ip("192.168.1.8")));
        assert!(ip_allowed("0.0.0.0/0", ip("8.8.8.8")));
        assert!(ip_allowed("127.0.0.1", ip("::ffff:127.0.0.1")));
        assert!(ip_allowed("2001:db8::/32", ip("2001:db8::1")));
        assert!(!ip_allowed("2001:db8::/32", ip("10.0.0.1")));
        assert!(!ip_allowed("garbage, 10.0.0.0/99", ip("10.0.0.1")));
        assert!(!ip_allowed("", ip("10.0.0.1")));
    }

    #[test]
    fn access_codes_and_attempts() {
        assert!(access_code_matches(None, None));
        assert!(access_code_matches(Some("sesame"), Some("sesame")));
        assert!(!access_code_matches(Some("sesame"), Some("Sesame")));
        assert!(!access_code_matches(Some("sesame"), None));
        assert!(attempts_left(-1, 0, 1000));
        assert!(attempts_left(1, 0, 0));
        assert!(!attempts_left(1, 0, 1));
        assert!(attempts_left(1, 2, 2));
        assert!(!attempts_left(1, 2, 3));
    }
}
