"""Which network addresses an outgoing fetch may reach (server-side request forgery guard)."""

import ipaddress

# IPv6 ranges that carry an IPv4 address inside them and are routed to it by a relay or a
# translator: 6to4 (RFC 3056), NAT64 (RFC 6052, 8215), Teredo (RFC 4380) and the deprecated
# IPv4-compatible form. `2002:7f00:1::` is 127.0.0.1 to a 6to4 relay, `64:ff9b::a9fe:a9fe` the
# metadata service to a NAT64 gateway: none of them is fetched.
EMBEDDED_IPV4_NETWORKS = tuple(
    ipaddress.IPv6Network(net)
    for net in ("2002::/16", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32", "::/96")
)


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses,
    IPv4-mapped IPv6 forms of them, and every IPv6 address embedding an IPv4 one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.is_site_local or any(ip in net for net in EMBEDDED_IPV4_NETWORKS):
            return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        # Shared address space (100.64/10, carrier-grade NAT) and other non-global ranges.
        or not ip.is_global
    )
