"""Which network addresses an outgoing fetch may reach (server-side request forgery guard)."""

import ipaddress


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses
    (including IPv4-mapped IPv6 forms of them)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.is_site_local:
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


def private_links_allowed(tenant_choice: bool | None, service_default: bool) -> bool:
    """Whether fetches may reach private addresses: the tenant's choice, else the service's
    default (on for local stacks only)."""
    return service_default if tenant_choice is None else tenant_choice
