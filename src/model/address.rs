//! Addresses a JWKS fetch must never reach: link-local and cloud metadata ranges (design §3).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when `ip` lies in a range the controller refuses for JWKS endpoints: 169.254.0.0/16,
/// fe80::/10, 0.0.0.0, ::, 224.0.0.0/24 and ff02::/16. Loopback is allowed. IPv4-mapped IPv6
/// addresses are judged by the IPv4 address they carry.
pub fn is_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_refused_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_refused_v4(v4),
            None => is_refused_v6(v6),
        },
    }
}

fn is_refused_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_unspecified() || (o[0] == 169 && o[1] == 254) || (o[0] == 224 && o[1] == 0 && o[2] == 0)
}

fn is_refused_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified() || (s[0] & 0xffc0) == 0xfe80 || s[0] == 0xff02
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_metadata_and_link_local_but_not_loopback() {
        for bad in [
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "fe80::1",
            "::",
            "ff02::1",
            "::ffff:169.254.1.1",
        ] {
            assert!(is_refused(bad.parse().unwrap()), "{bad}");
        }
        for good in ["127.0.0.1", "::1", "10.0.0.1", "224.0.1.1", "93.184.216.34"] {
            assert!(!is_refused(good.parse().unwrap()), "{good}");
        }
    }
}
