"""Which webhook URLs this node sends to: http(s) only, to hosts its operator allows.

The operator's allow-list (``GPID_WEBHOOK_ALLOWED_HOSTS``) names host names (``erp.example.com``),
domains (``*.example.com``), ``*`` for any host on the public internet, and IP networks in CIDR form
(``10.20.0.0/16``). A receiver's addresses must all be public (globally routable) unless a network in
the list holds them: loopback, private, link-local (the cloud metadata service at 169.254.169.254
among them), shared and reserved addresses are refused otherwise. Development mode adds loopback.

A host name is resolved when the webhook is made and again before each delivery, so a name that
later points inside the operator's network is refused then too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to now (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class UrlPolicy:
    """The operator's allow-list of webhook receivers."""

    allowed: tuple[str, ...] = ()
    allow_loopback: bool = False
    resolver: Resolver = field(default=resolve, compare=False)

    @classmethod
    def of(cls, allowed: Sequence[str], allow_loopback: bool = False) -> UrlPolicy:
        return cls(tuple(a.strip().lower() for a in allowed if a.strip()), allow_loopback)

    def _networks(self) -> list[IPNetwork]:
        networks: list[IPNetwork] = []
        for entry in self.allowed:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                continue
        return networks

    def _name_allowed(self, host: str) -> bool:
        if self.allow_loopback and host == "localhost":
            return True
        return any(entry in ("*", host) or (entry.startswith("*.") and host.endswith(entry[1:])) for entry in self.allowed)

    def _address_refusal(self, address: IPAddress) -> str | None:
        if any(address in network for network in self._networks()):
            return None
        if address.is_loopback and self.allow_loopback:
            return None
        if not address.is_global or address.is_multicast:
            kind = ("a loopback" if address.is_loopback else "a link-local (cloud metadata among them)" if address.is_link_local
                    else "a private" if address.is_private else "a non-public")  # fmt: skip
            return (f"{address} is {kind} address, which this node does not send to unless its operator allows its network "
                    "(GPID_WEBHOOK_ALLOWED_HOSTS, in CIDR form)")  # fmt: skip
        return None

    def refusal(self, url: str) -> str | None:
        """Why this node does not send to ``url``, or None when it does."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "not a URL with a valid port; use https://host[:port]/path"
        if parts.scheme not in ("http", "https"):
            return f"the scheme is {parts.scheme or 'missing'}; use an http:// or https:// URL"
        host = (parts.hostname or "").lower()
        if not host:
            return "the URL names no host; use https://host[:port]/path"
        if parts.username is not None or parts.password is not None:
            return "the URL carries a user name or password; the node signs its deliveries instead (webhook-signature)"
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is None and not self._name_allowed(host):
            return self._not_listed(host)
        if literal is not None and literal.is_global and not self._name_allowed(host) and "*" not in self.allowed:
            if not any(literal in network for network in self._networks()):
                return self._not_listed(host)
        addresses = [host] if literal is not None else self.resolver(host, port)
        if not addresses:
            return f"{host} does not resolve to an address"
        for text in addresses:
            refused = self._address_refusal(ipaddress.ip_address(text.split("%")[0]))
            if refused:
                return refused
        return None

    def _not_listed(self, host: str) -> str:
        if not self.allowed:
            extra = " (development mode allows loopback receivers)" if not self.allow_loopback else " but loopback"
            return f"this node's operator allows no webhook receivers{extra}; ask for {host} to be added to GPID_WEBHOOK_ALLOWED_HOSTS"
        return f"{host} is not among the hosts this node's operator allows (GPID_WEBHOOK_ALLOWED_HOSTS); ask for it to be added"
