"""Which portal addresses may be contacted: public ones only, unless private ones are explicitly allowed.

A harvester that fetches whatever URL it is given can be pointed at the machine's own services or the local network
(server-side request forgery). Every request, redirects included, is checked: the host is resolved and each of its
addresses must be globally routable. Loopback, private, link-local, shared, reserved, multicast and unspecified
addresses are refused with :class:`PortalRefused` unless the portal is configured with ``allow_private``.

The check resolves the name itself, so a name that resolves differently a moment later (DNS rebinding) is not
covered; pinning the connection to the checked address would need a custom transport.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from opendata.errors import PortalRefused, PortalUnreachable

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IPAddress) -> bool:
    """True for globally routable unicast addresses (IPv4-mapped IPv6 judged by its IPv4 address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def split_portal_url(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL; raises PortalRefused for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise PortalRefused(f"{url!r} is not a valid URL: {e}") from e
    if parts.scheme not in ("http", "https"):
        raise PortalRefused(f"{url!r}: only http and https portals are harvested")
    if not parts.hostname:
        raise PortalRefused(f"{url!r} has no host")
    if parts.username or parts.password:
        raise PortalRefused(f"{url!r}: credentials in the URL are not accepted")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (a literal address resolves to itself, without a lookup)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise PortalUnreachable(f"cannot resolve {host}: {e}") from e
    addresses: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_portal_url(url: str, *, allow_private: bool) -> None:
    """Raise :class:`PortalRefused` unless every address of the URL's host may be contacted."""
    host, port = split_portal_url(url)
    if allow_private:
        return
    refused = [str(a) for a in resolve_host(host, port) if not is_public_address(a)]
    if refused:
        raise PortalRefused(
            f"{host} resolves to a non-public address ({', '.join(refused)}); "
            "set allow_private for a portal on a local or private network"
        )
