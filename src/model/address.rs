//! Addresses a JWKS fetch must never reach (design §3 "Addresses").
//!
//! The controller's built-in list (`builtInBlockedCidrs` in openziti/ziti
//! `controller/model/jwks_resolver.go`): 169.254.0.0/16, fe80::/10, fd00:ec2::254/128,
//! 224.0.0.0/24, ff02::/16, 0.0.0.0 and ::. The controller classifies IPv4-mapped addresses
//! as IPv4 (`To4`); extjwt goes further and judges every IPv6 form that embeds an IPv4
//! address (IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) by the address it carries,
//! because each of them can route to the embedded one. Loopback and private ranges are
//! allowed, as the controller's defaults.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when `ip` lies in a refused range, directly or through an embedded IPv4 address.
pub fn is_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_refused_v4(v4),
        IpAddr::V6(v6) => is_refused_v6(v6) || embedded_v4(v6).is_some_and(is_refused_v4),
    }
}

/// The IPv4 address an IPv6 address carries, in the forms that route to it: IPv4-mapped
/// (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated but still parsed), NAT64
/// (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::/48).
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(mapped) = ip.to_ipv4_mapped() {
        return Some(mapped);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_unspecified() && !ip.is_loopback() {
        return Some(tail);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

fn is_refused_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_unspecified() || (o[0] == 169 && o[1] == 254) || (o[0] == 224 && o[1] == 0 && o[2] == 0)
}

const AWS_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

fn is_refused_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified() || (s[0] & 0xffc0) == 0xfe80 || s[0] == 0xff02 || ip == AWS_METADATA_V6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_controllers_list_and_every_embedding_of_it() {
        for bad in [
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "fe80::1",
            "::",
            "ff02::1",
            "fd00:ec2::254",
            "::ffff:169.254.1.1",
            "::a9fe:a9fe",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::169.254.169.254",
            "2002:a9fe:a9fe::",
            "2002:a9fe:a9fe:1::5",
            "::ffff:0.0.0.0",
        ] {
            assert!(is_refused(bad.parse().unwrap()), "{bad}");
        }
        for good in [
            "127.0.0.1",
            "::1",
            "10.0.0.1",
            "224.0.1.1",
            "93.184.216.34",
            "fd00:ec2::253",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_refused(good.parse().unwrap()), "{good}");
        }
    }
}
