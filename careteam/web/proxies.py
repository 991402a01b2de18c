"""Which peers may set ``X-Forwarded-*`` headers: the same answer for gunicorn and the app.

``CARETEAM_PROXY_COUNT`` says how many reverse proxies stand in front of the app and
``CARETEAM_TRUSTED_PROXIES`` which addresses they connect from.  At a count of 0 nobody is
trusted, whatever the peer's address: otherwise gunicorn's own default (trust 127.0.0.1) lets
any local process make the app believe a plain request came over https.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

ANY_ADDRESS = "*"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(raw: str) -> list[str]:
    """Split a comma-separated list of addresses and networks; raise ValueError on a bad one."""
    entries = [part.strip() for part in raw.split(",") if part.strip()]
    for entry in entries:
        if entry != ANY_ADDRESS:
            ipaddress.ip_network(entry)  # a host address is a network of one
    return entries


def gunicorn_forwarded_allow_ips(proxy_count: int, trusted: Sequence[str]) -> str:
    """Return gunicorn's ``forwarded_allow_ips``: empty (nobody) when no proxy is in front."""
    return ",".join(trusted) if proxy_count > 0 else ""


class TrustedProxyFix(ProxyFix):
    """werkzeug's ProxyFix, applied only to requests whose peer is one of the trusted proxies.

    A client that reaches the app server directly (around the proxy) could otherwise choose its
    own address in ``X-Forwarded-For`` and with it its rate-limit and sign-in-failure counters.
    A peer without an IP address is a UNIX socket, which gunicorn trusts as well: only local
    processes allowed by the socket's file permissions can connect.
    """

    def __init__(self, app: Any, count: int, trusted: Iterable[str]) -> None:
        super().__init__(
            app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )
        entries = list(trusted)
        self.trust_everyone = ANY_ADDRESS in entries
        self.networks: list[Network] = [
            ipaddress.ip_network(e) for e in entries if e != ANY_ADDRESS
        ]

    def peer_is_trusted(self, peer: str | None) -> bool:
        if self.trust_everyone:
            return True
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return True  # UNIX socket (see the class docstring)
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.peer_is_trusted(environ.get("REMOTE_ADDR")):
            return super().__call__(environ, start_response)
        return self.app(environ, start_response)
