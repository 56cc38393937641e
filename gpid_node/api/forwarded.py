"""The scheme a client used, behind a TLS-terminating proxy: believed from configured proxies only.

Behind a proxy that terminates TLS the node sees plain HTTP, so the console would set its cookies
without ``Secure`` and a browser would send them over http too. The proxy says what the client
used (``X-Forwarded-Proto: https`` or ``Forwarded: proto=https``, RFC 7239), but anyone can send
those headers: they are believed only when the connection comes from an address of the
``trusted_proxies`` setting (none by default), and then the request's scheme becomes the one they
name. Of several values (a chain of proxies), the last one counts: the one the nearest proxy, ours,
added. ``Forwarded`` wins over ``X-Forwarded-Proto`` when a proxy sends both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network
SCHEMES = frozenset({"http", "https"})


def forwarded_proto(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The scheme the nearest proxy reports (lower case), or None when it reports none we know."""
    forwarded: list[str] = []
    x_forwarded: list[str] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"forwarded":
            forwarded.append(value.decode("latin-1"))
        elif lowered == b"x-forwarded-proto":
            x_forwarded.append(value.decode("latin-1"))
    if forwarded:
        last = ",".join(forwarded).split(",")[-1]
        for pair in last.split(";"):
            key, _, named = pair.strip().partition("=")
            if key.strip().lower() == "proto":
                proto = named.strip().strip('"').lower()
                return proto if proto in SCHEMES else None
        return None
    if x_forwarded:
        proto = ",".join(x_forwarded).split(",")[-1].strip().lower()
        return proto if proto in SCHEMES else None
    return None


def is_trusted(address: str | None, proxies: Sequence[Network]) -> bool:
    """Whether a peer address is one of the configured proxies (an address that does not parse is not)."""
    if not address or not proxies:
        return False
    try:
        peer = ip_address(address)
    except ValueError:
        return False
    if isinstance(peer, IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return any(peer in network for network in proxies)


class ForwardedScheme:
    """Sets the request's scheme from a trusted proxy's forwarded headers (see the module's docstring)."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.proxies and scope["type"] == "http":
            client = scope.get("client")
            if is_trusted(client[0] if client else None, self.proxies):
                proto = forwarded_proto(scope.get("headers") or [])
                if proto is not None:
                    scope = {**scope, "scheme": proto}
        await self.app(scope, receive, send)
