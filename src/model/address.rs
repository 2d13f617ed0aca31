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

/// The controller's `edge.externalJwtSigners.jwksFetch` policy (openziti/ziti
/// `controller/config/config_edge.go` `JwksFetch`, applied by `JwksFetchPolicy` in
/// `controller/model/jwks_resolver.go`), so `verify` predicts a hardened controller. The
/// default is the controller's: nothing beyond the built-in list.
///
/// Host gate, on the URL's host: `deniedHostnames` blocks; a non-empty `allowedHostnames`
/// blocks every host it does not match. Address gate, on each resolved address, first match
/// wins: the built-in list; `deniedIPs`; `allowedIPs` (allowed); `blockPrivateAddresses` and
/// a private or loopback address (blocked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwksFetchPolicy {
    /// Blocks private and loopback addresses.
    pub block_private_addresses: bool,
    /// Always blocked (after the built-in list).
    pub denied_ips: Vec<ipnet::IpNet>,
    /// Exempt from `block_private_addresses` only.
    pub allowed_ips: Vec<ipnet::IpNet>,
    /// Normalised patterns: `idp.example.com` or `*.example.com` (subdomains only).
    pub denied_hostnames: Vec<String>,
    /// When non-empty, the only hosts fetched.
    pub allowed_hostnames: Vec<String>,
}

impl JwksFetchPolicy {
    /// Normalises a hostname pattern as the controller's `parseHostnamePattern`: lower case,
    /// no trailing dot, an optional leading `*.`; IP addresses and anything with a scheme,
    /// port, path or inner wildcard are refused.
    pub fn hostname_pattern(raw: &str) -> Result<String, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        let host = value.strip_prefix("*.").unwrap_or(value);
        let wildcard = host.len() != value.len();
        if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
            return Err("must be a hostname; use deniedIPs or allowedIPs for addresses".into());
        }
        if host.is_empty() {
            return Err("must include a hostname after the leading \"*.\"".into());
        }
        if host.contains(['*', '/', ':', '@', ' ', '\t']) {
            return Err(
                "must be a bare host name, without a scheme, port or path; a wildcard only as a leading \"*.\""
                    .into(),
            );
        }
        let normalized = normalize_hostname(host);
        Ok(if wildcard {
            format!("*.{normalized}")
        } else {
            normalized
        })
    }

    /// The host gate.
    pub fn check_hostname(&self, host: &str) -> Result<(), String> {
        let host = normalize_hostname(host.trim_matches(['[', ']']));
        if matches_hostname(&self.denied_hostnames, &host) {
            return Err(format!(
                "{host} is refused by the jwksFetch policy (deniedHostnames)"
            ));
        }
        if !self.allowed_hostnames.is_empty() && !matches_hostname(&self.allowed_hostnames, &host) {
            return Err(format!(
                "{host} is refused by the jwksFetch policy (allowedHostnames is set and does not include it)"
            ));
        }
        Ok(())
    }

    /// The address gate.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        // The controller classifies IPv4-mapped addresses as IPv4.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        if is_refused(ip) {
            return Err(format!(
                "{ip} is a link-local, metadata or multicast address"
            ));
        }
        if self.denied_ips.iter().any(|net| net.contains(&ip)) {
            return Err(format!(
                "{ip} is refused by the jwksFetch policy (deniedIPs)"
            ));
        }
        if self.allowed_ips.iter().any(|net| net.contains(&ip)) {
            return Ok(());
        }
        let private = match ip {
            IpAddr::V4(v4) => v4.is_private() || v4.is_loopback(),
            IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00 || v6.is_loopback(),
        };
        if self.block_private_addresses && private {
            return Err(format!(
                "{ip} is private or loopback, refused by the jwksFetch policy (blockPrivateAddresses)"
            ));
        }
        Ok(())
    }
}

/// Lower case without a trailing dot (the controller also converts to punycode; a non-ASCII
/// host is compared as written here).
fn normalize_hostname(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// `*.suffix` matches any subdomain of suffix, never suffix itself.
fn matches_hostname(patterns: &[String], host: &str) -> bool {
    patterns
        .iter()
        .any(|pattern| match pattern.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == pattern,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jwks_fetch_policy_gates_hosts_then_addresses_in_the_controllers_order() {
        let policy = JwksFetchPolicy {
            block_private_addresses: true,
            denied_ips: vec!["10.9.0.0/16".parse().unwrap()],
            allowed_ips: vec!["10.0.0.0/8".parse().unwrap()],
            denied_hostnames: vec![JwksFetchPolicy::hostname_pattern("Bad.Example.").unwrap()],
            allowed_hostnames: vec![JwksFetchPolicy::hostname_pattern("*.example.com").unwrap()],
        };
        assert!(policy.check_hostname("idp.example.com").is_ok());
        assert!(
            policy.check_hostname("example.com").is_err(),
            "the suffix itself is not a subdomain"
        );
        assert!(policy.check_hostname("bad.example").is_err());
        assert!(
            policy.check_ip("10.1.2.3".parse().unwrap()).is_ok(),
            "allowedIPs carve out of the private block"
        );
        assert!(
            policy.check_ip("10.9.0.1".parse().unwrap()).is_err(),
            "deniedIPs win over allowedIPs"
        );
        assert!(policy.check_ip("192.168.1.1".parse().unwrap()).is_err());
        assert!(
            policy
                .check_ip("::ffff:192.168.1.1".parse().unwrap())
                .is_err(),
            "mapped is IPv4"
        );
        assert!(policy.check_ip("8.8.8.8".parse().unwrap()).is_ok());
        assert!(JwksFetchPolicy::hostname_pattern("10.0.0.1").is_err());
        assert!(JwksFetchPolicy::hostname_pattern("a.*.com").is_err());
        let default = JwksFetchPolicy::default();
        assert!(
            default.check_ip("127.0.0.1".parse().unwrap()).is_ok(),
            "the controller's default allows loopback"
        );
        assert!(
            default
                .check_ip("169.254.169.254".parse().unwrap())
                .is_err()
        );
    }

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
