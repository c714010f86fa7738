//! Which address a request came from, behind proxies the operator trusts.
//!
//! `X-Forwarded-For` is a list each proxy appends its peer to: its leftmost entries are
//! whatever the client wrote, so only entries a trusted proxy appended may be believed. Like
//! nginx's `real_ip_recursive on` with `set_real_ip_from`, the list is read from the right:
//! - **trusted networks**: only when the peer itself is a trusted proxy; then every trusted
//!   address from the right is skipped, and the first untrusted one is the client;
//! - **a number of hops**: the service sits behind exactly N proxies (each appends one
//!   entry), so the client is the Nth entry from the right.
//!
//! Anything that does not fit (an entry that is not an address where one is needed, fewer
//! entries than hops) gives the peer's own address: never one the client chose.

use std::net::IpAddr;

use ipnet::IpNet;

/// What the operator said about the proxies in front of the service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProxyTrust {
    /// No proxy: the peer is the client, and `X-Forwarded-For` is ignored.
    #[default]
    None,
    /// Exactly this many proxies in front, each appending its peer.
    Hops(usize),
    /// Proxies at these networks (and the peer must be one of them).
    Networks(Vec<IpNet>),
}

/// Whom a per-client limit counts: an IPv4 address, or an IPv6 address's /64 (one
/// household or server is given a whole /64, so counting its addresses one by one would let
/// it take a cap many times over). An IPv4-mapped IPv6 address counts as its IPv4 address.
pub fn client_group(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address: the peer's, or the one the trusted proxies vouch for. `forwarded`
/// holds the values of every `X-Forwarded-For` header of the request, in order.
pub fn client_address(peer: IpAddr, forwarded: &[&str], trust: &ProxyTrust) -> IpAddr {
    let entries = || {
        forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
    };
    match trust {
        ProxyTrust::None | ProxyTrust::Hops(0) => peer,
        ProxyTrust::Hops(hops) => entries()
            .rev()
            .nth(hops - 1)
            .and_then(parse)
            .unwrap_or(peer),
        ProxyTrust::Networks(networks) => {
            let trusted = |address: &IpAddr| networks.iter().any(|net| net.contains(address));
            if !trusted(&peer) {
                return peer;
            }
            let mut client = peer;
            for entry in entries().rev() {
                let Some(address) = parse(entry) else {
                    // Not an address: nothing left of it can be believed.
                    return client;
                };
                client = address;
                if !trusted(&address) {
                    return client;
                }
            }
            // Every entry was a trusted proxy: the leftmost is as far as anyone vouches.
            client
        }
    }
}

/// An entry as proxies write it: an address, IPv6 possibly in brackets, possibly with a port.
fn parse(entry: &str) -> Option<IpAddr> {
    if let Ok(address) = entry.parse() {
        return Some(address);
    }
    if let Ok(socket) = entry.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

/// Reads `--trusted-proxy` values: networks (`10.0.0.0/8`) or single addresses.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an address or a network like 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {

    /// One /64 is one client for the caps; IPv4 and IPv4-mapped addresses as they are.
    #[test]
    fn a_v6_client_is_its_slash_64() {
        let group = |text: &str| client_group(text.parse().unwrap());
        assert_eq!(group("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(group("2001:db8:1:2:ffff:1:2:3"), group("2001:db8:1:2::9"));
        assert_ne!(group("2001:db8:1:2::1"), group("2001:db8:1:3::1"));
        assert_eq!(group("203.0.113.7"), "203.0.113.7");
        assert_eq!(group("::ffff:203.0.113.7"), "203.0.113.7");
    }
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn nets(list: &[&str]) -> ProxyTrust {
        ProxyTrust::Networks(list.iter().map(|n| parse_network(n).unwrap()).collect())
    }

    #[test]
    fn without_trust_the_header_is_ignored() {
        let peer = ip("203.0.113.9");
        assert_eq!(client_address(peer, &["1.2.3.4"], &ProxyTrust::None), peer);
        assert_eq!(
            client_address(peer, &["1.2.3.4"], &ProxyTrust::Hops(0)),
            peer
        );
    }

    #[test]
    fn hops_count_from_the_right() {
        let peer = ip("127.0.0.1");
        // The client wrote "6.6.6.6"; nginx appended the address it saw.
        let header = ["6.6.6.6, 198.51.100.7"];
        assert_eq!(
            client_address(peer, &header, &ProxyTrust::Hops(1)),
            ip("198.51.100.7")
        );
        // Two proxies: a CDN appended the client, nginx appended the CDN.
        let header = ["6.6.6.6, 198.51.100.7, 192.0.2.1"];
        assert_eq!(
            client_address(peer, &header, &ProxyTrust::Hops(2)),
            ip("198.51.100.7")
        );
        // Split over two headers, in order.
        let headers = ["6.6.6.6", "198.51.100.7"];
        assert_eq!(
            client_address(peer, &headers, &ProxyTrust::Hops(1)),
            ip("198.51.100.7")
        );
        // Fewer entries than hops, or garbage where the client should be: the peer.
        assert_eq!(
            client_address(peer, &["198.51.100.7"], &ProxyTrust::Hops(2)),
            peer
        );
        assert_eq!(
            client_address(peer, &["1.1.1.1, nonsense"], &ProxyTrust::Hops(1)),
            peer
        );
        assert_eq!(client_address(peer, &[], &ProxyTrust::Hops(1)), peer);
    }

    #[test]
    fn trusted_networks_are_skipped_from_the_right() {
        let trust = nets(&["127.0.0.1", "10.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        let header = ["6.6.6.6, 198.51.100.7, 10.1.2.3"];
        assert_eq!(client_address(peer, &header, &trust), ip("198.51.100.7"));
        // A client pretending to be a trusted proxy gains nothing: its own entry is left of
        // the address the proxy saw.
        let header = ["10.9.9.9, 198.51.100.7"];
        assert_eq!(client_address(peer, &header, &trust), ip("198.51.100.7"));
        // An untrusted peer's header is not read at all.
        assert_eq!(
            client_address(ip("198.51.100.8"), &["1.2.3.4"], &trust),
            ip("198.51.100.8")
        );
        // Only trusted entries: the leftmost.
        assert_eq!(
            client_address(peer, &["10.0.0.5, 10.0.0.6"], &trust),
            ip("10.0.0.5")
        );
        // Garbage stops the walk at the last address vouched for.
        assert_eq!(
            client_address(peer, &["junk, 10.0.0.6"], &trust),
            ip("10.0.0.6")
        );
    }

    #[test]
    fn entries_as_proxies_write_them() {
        let peer = ip("127.0.0.1");
        for (entry, want) in [
            ("[2001:db8::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("198.51.100.7:5000", "198.51.100.7"),
        ] {
            assert_eq!(
                client_address(peer, &[entry], &ProxyTrust::Hops(1)),
                ip(want),
                "{entry}"
            );
        }
        assert!(parse_network("10.0.0.0/33").is_err());
        assert!(parse_network("localhost").is_err());
        assert_eq!(parse_network(" ::1 ").unwrap().to_string(), "::1/128");
    }
}
