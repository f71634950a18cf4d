//! Which `Host` and `Origin` values the server answers. DNS rebinding always carries the
//! attacker's *name* in `Host`, so names must be on a list; IP literals of this machine's
//! networks are safe.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The names and origins the user allows, plus what the server knows about itself.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// The address the server is bound to (accepted as a `Host` even when it is public).
    pub bound: Option<IpAddr>,
    /// Bound to every interface (`0.0.0.0`/`::`): any address of this machine is ours.
    pub bound_everywhere: bool,
    /// `--allowed-host`: exact names, or `.example.com` / `*.example.com` for a domain and its
    /// subdomains.
    pub allowed_hosts: Vec<String>,
    /// This machine's own names (`hostname`, `hostname.local`).
    pub machine_names: Vec<String>,
    /// `--allowed-origin`: full origins such as `https://proxy.example.com`.
    pub allowed_origins: Vec<String>,
    /// Accept the Vite dev server's origin (`http://localhost:1420`); debug builds only.
    pub dev_origin: bool,
}

pub const VITE_DEV_ORIGINS: [&str; 2] = ["http://localhost:1420", "http://127.0.0.1:1420"];

impl HostPolicy {
    /// Whether a `Host` header value (name or IP literal, with or without a port) is ours.
    pub fn allows_host(&self, host_header: &str) -> bool {
        let Some(host) = host_name(host_header) else {
            return false;
        };
        if host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return is_local_network_ip(ip)
                || Some(ip) == self.bound
                || (self.bound_everywhere && is_own_address(ip));
        }
        self.machine_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&host))
            || self
                .allowed_hosts
                .iter()
                .any(|pattern| matches_pattern(pattern, &host))
    }

    /// Whether an `Origin` may change state or open a WebSocket: the server's own origin (the
    /// request's `Host`, which already passed [`allows_host`](Self::allows_host)), a configured
    /// origin, or the dev server in debug builds.
    pub fn allows_origin(&self, origin: &str, host_header: &str) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        let host = host_header.to_ascii_lowercase();
        if origin == format!("http://{host}") || origin == format!("https://{host}") {
            return true;
        }
        if self
            .allowed_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(&origin))
        {
            return true;
        }
        self.dev_origin && VITE_DEV_ORIGINS.contains(&origin.as_str())
    }
}

/// The lowercase host part of a `Host` value: `[::1]:8765` → `::1`, `Example.com:80` →
/// `example.com`. None for an empty or malformed value.
pub fn host_name(host_header: &str) -> Option<String> {
    let value = host_header.trim();
    let host = if let Some(rest) = value.strip_prefix('[') {
        rest.split_once(']')?.0
    } else {
        match value.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => value,
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    valid.then_some(host)
}

fn matches_pattern(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern
        .strip_prefix("*.")
        .or_else(|| pattern.strip_prefix('.'))
    {
        Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
        None => pattern == host,
    }
}

/// Loopback, private (RFC 1918), shared (RFC 6598, used by Tailscale), link-local and IPv6 ULA
/// addresses: the networks a workstation and its phone share.
pub fn is_local_network_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_local_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_v4(v4),
            None => {
                v6.is_loopback()
                    || (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80
            }
        },
    }
}

fn is_local_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b))
}

/// Whether `ip` is assigned to one of this machine's interfaces: only then can a socket bind it.
/// Reached only for public IP literals in `Host`, which are rare.
fn is_own_address(ip: IpAddr) -> bool {
    std::net::UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

/// Whether a peer connects from this machine's loopback interface.
pub fn is_loopback_peer(peer: SocketAddr) -> bool {
    match peer.ip() {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6 == Ipv6Addr::LOCALHOST || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// This machine's host name and its mDNS name, for `Host` headers like `my-pc.local:8765`.
pub fn machine_names() -> Vec<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if name.is_empty() || name == "localhost" {
        return Vec::new();
    }
    vec![format!("{name}.local"), name]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> HostPolicy {
        HostPolicy {
            bound: Some("203.0.113.7".parse().unwrap()),
            bound_everywhere: false,
            allowed_hosts: vec!["my-proxy.example".into(), "*.lab.example".into()],
            machine_names: vec!["ws1.local".into(), "ws1".into()],
            allowed_origins: vec!["https://my-proxy.example".into()],
            dev_origin: false,
        }
    }

    #[test]
    fn hosts_on_the_list_and_local_ips_pass_names_do_not() {
        let p = policy();
        for ok in [
            "localhost",
            "localhost:8765",
            "app.localhost:1",
            "127.0.0.1:8765",
            "[::1]:8765",
            "192.168.1.20:8765",
            "10.0.0.2",
            "172.16.5.5",
            "169.254.1.1",
            "100.100.1.1",
            "[fd00::1]:80",
            "[fe80::1]",
            "203.0.113.7:8765",
            "ws1.local:8765",
            "WS1:8765",
            "my-proxy.example",
            "lab.example",
            "a.lab.example:443",
            "LOCALHOST.",
        ] {
            assert!(p.allows_host(ok), "{ok} should pass");
        }
        for bad in [
            "rebind.attacker.example:8765",
            "",
            "localhost.attacker.example",
            "8.8.8.8",
            "[2001:4860::1]:80",
            "my-proxy.example.evil",
            "xlab.example",
            "evil.com\0",
            "127.0.0.1.nip.io",
            "local host",
        ] {
            assert!(!p.allows_host(bad), "{bad:?} should be refused");
        }
    }

    #[test]
    fn origins_must_be_our_own_or_configured() {
        let p = policy();
        assert!(p.allows_origin("http://127.0.0.1:8765", "127.0.0.1:8765"));
        assert!(p.allows_origin("https://my-proxy.example/", "my-proxy.example"));
        assert!(!p.allows_origin("https://evil.example", "127.0.0.1:8765"));
        assert!(!p.allows_origin("null", "127.0.0.1:8765"));
        assert!(!p.allows_origin("http://127.0.0.1:8766", "127.0.0.1:8765"));
        assert!(!p.allows_origin("http://localhost:1420", "127.0.0.1:8765"));
        let dev = HostPolicy {
            dev_origin: true,
            ..p
        };
        assert!(dev.allows_origin("http://localhost:1420", "127.0.0.1:8765"));
    }

    #[test]
    fn loopback_peers() {
        assert!(is_loopback_peer("127.0.0.1:5".parse().unwrap()));
        assert!(is_loopback_peer("127.8.0.1:5".parse().unwrap()));
        assert!(is_loopback_peer("[::1]:5".parse().unwrap()));
        assert!(is_loopback_peer("[::ffff:127.0.0.1]:5".parse().unwrap()));
        assert!(!is_loopback_peer("192.168.1.2:5".parse().unwrap()));
        assert!(!is_loopback_peer("[::ffff:192.168.1.2]:5".parse().unwrap()));
    }
}
